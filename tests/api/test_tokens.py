import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from ventanilla.api.models import ApiToken
from ventanilla.desks.roles import role_of


def _token(*args):
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().strip()


def test_the_token_command_creates_the_user_and_prints_a_working_token(db, desk, client):
    token = _token("admin", "--role", "admin")
    assert token.startswith("vt_") and len(token) > 40
    response = client.get("/api/v1/channels", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert ApiToken.objects.get().digest != token  # only a hash is kept
    assert token not in str(ApiToken.objects.values_list())


def test_a_new_token_for_an_existing_user_changes_their_role(db, desk):
    _token("maria", "--role", "agent")
    _token("maria", "--role", "supervisor")
    from django.contrib.auth.models import User

    user = User.objects.get(username="maria")
    assert role_of(user) == "supervisor"
    assert ApiToken.objects.filter(user=user).count() == 2


def test_the_token_command_refuses_bad_input(db, desk):
    with pytest.raises(CommandError, match="no desk atlantis"):
        _token("maria", "--role", "agent", "--desk", "atlantis")
    with pytest.raises(CommandError, match="letters, digits"):
        _token("maria garcia", "--role", "agent")
    with pytest.raises(CommandError, match="invalid choice"):
        _token("maria", "--role", "king")
    from django.contrib.auth.models import User

    assert not User.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer vt_not-a-real-token",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearer " + "x" * 5000,
    ],
)
def test_requests_without_a_valid_token_are_unauthorized(db, client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/conversations", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_user_or_revoked_token_no_longer_works(api_as, agent):
    client = api_as(agent)
    assert client.get("/api/v1/conversations").status_code == 200
    agent.is_active = False
    agent.save()
    assert client.get("/api/v1/conversations").status_code == 401
    agent.is_active = True
    agent.save()
    ApiToken.objects.filter(user=agent).delete()
    assert client.get("/api/v1/conversations").status_code == 401


def test_token_use_is_recorded(api_as, agent):
    api_as(agent).get("/api/v1/conversations")
    assert ApiToken.objects.get(user=agent).last_used_at is not None


def test_a_named_read_only_token_that_expires_reads_but_never_writes(db, desk, client):
    token = _token("reader", "--role", "supervisor", "--name", "figures", "--read-only",
                   "--expires-days", "30")  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/desks/default", headers=headers).status_code == 200
    refused = client.patch(
        "/api/v1/desks/default", '{"name": "X"}', content_type="application/json", headers=headers
    )
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert "read-only" in refused.json()["detail"]
    (listed,) = client.get("/api/v1/me/tokens", headers=headers).json()
    assert (listed["name"], listed["scope"]) == ("figures", "read")
    assert listed["expires_at"] and listed["last_used_at"]
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert client.get("/api/v1/desks/default", headers=headers).status_code == 401


def test_ones_tokens_are_listed_made_and_revoked_through_the_api(api_as, agent, client):
    api = api_as(agent)
    made = api.post("/api/v1/me/tokens", {"name": "a script", "expires_in_days": 7})
    assert made.status_code == 201
    new = made.json()
    assert new["token"].startswith("vt_") and new["prefix"] == new["token"][:10]
    listed = api.get("/api/v1/me/tokens").json()
    assert [t["name"] for t in listed] == ["a script", ""] and "token" not in listed[0]
    headers = {"Authorization": f"Bearer {new['token']}"}
    assert client.get("/api/v1/me/tokens", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/me/tokens/{new['id']}", headers=api.headers).status_code == 204
    assert client.get("/api/v1/me/tokens", headers=headers).status_code == 401
    assert client.delete(f"/api/v1/me/tokens/{new['id']}", headers=api.headers).status_code == 404
    bad = api.post("/api/v1/me/tokens", {"scope": "root", "expires_in_days": 0})
    assert bad.status_code == 422 and ApiToken.objects.filter(user=agent).count() == 1


def test_someone_elses_token_cannot_be_revoked_through_the_api(api_as, agent, supervisor, client):
    theirs = api_as(supervisor)
    their_id = ApiToken.objects.get(user=supervisor).pk
    mine = api_as(agent)
    assert client.delete(f"/api/v1/me/tokens/{their_id}", headers=mine.headers).status_code == 404
    assert theirs.get("/api/v1/me/tokens").status_code == 200


def test_the_token_command_revokes_a_token(db, desk, client):
    token = _token("maria", "--role", "agent")
    out = io.StringIO()
    call_command("token", "--revoke", token, stdout=out)
    assert out.getvalue().startswith(f"revoked {token[:10]}… of maria")
    assert (
        client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    with pytest.raises(CommandError, match="no such token"):
        call_command("token", "--revoke", token)
    with pytest.raises(CommandError, match="--expires-days: from 1"):
        _token("maria", "--role", "agent", "--expires-days", "0")
    with pytest.raises(CommandError, match="give a USERNAME"):
        _token("maria")
