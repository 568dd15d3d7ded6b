import io

import pytest
from django.core.management import CommandError, call_command

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
