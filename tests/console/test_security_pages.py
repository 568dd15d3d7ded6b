"""One's sign-in and security page (API tokens made and revoked) and the staff page where a
supervisor revokes a colleague's token."""

import re

from ventanilla.api.models import ApiToken
from ventanilla.privacy.models import AuditEntry


def test_a_token_made_in_the_console_is_shown_once_works_and_is_revoked(client, agent):
    client.force_login(agent)
    page = client.get("/console/me/security/").content.decode()
    assert "Second factor" in page and "Off: a password alone signs you in." in page
    made = client.post(
        "/console/me/security/tokens/",
        {"name": "figures script", "read_only": "on", "expires_in_days": "30"},
    )
    token = re.search(r'value="(vt_[^"]+)"', made.content.decode()).group(1)
    stored = ApiToken.objects.get(user=agent)
    assert (stored.name, stored.scope) == ("figures script", "read") and stored.expires_at
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me/tokens", headers=headers).status_code == 200
    listed = client.get("/console/me/security/").content.decode()
    assert "figures script" in listed and token[:10] in listed and token not in listed
    done = client.post(f"/console/me/security/tokens/{stored.pk}/revoke/", follow=True)
    assert f"The token {token[:10]}… is revoked." in done.content.decode()
    assert client.get("/api/v1/me/tokens", headers=headers).status_code == 401


def test_a_supervisor_revokes_an_agents_token_from_the_staff_page(client, supervisor, agent):
    from ventanilla.api.services import issue_token

    token = issue_token(user=agent, name="old laptop")
    found = ApiToken.objects.get(user=agent)
    client.force_login(supervisor)
    page = client.get("/console/staff/").content.decode()
    assert "old laptop" in page and token[:10] in page
    client.post(f"/console/staff/{agent.pk}/", {"action": "revoke-token", "token": found.pk})
    assert not ApiToken.objects.filter(pk=found.pk).exists()
    assert AuditEntry.objects.filter(action="token.revoke", actor=supervisor).exists()
