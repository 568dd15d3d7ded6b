import pytest
from django.db import connection

from ventanilla.channels.models import Channel
from ventanilla.privacy.models import AuditEntry

WHATSAPP = {
    "desk": "default",
    "type": "whatsapp",
    "name": "WhatsApp helpdesk",
    "config": {
        "phone_number_id": "106540352242922",
        "access_token": "EAAG-invented-access-token",
        "app_secret": "invented-app-secret",
        "verify_token": "invented-verify-token",
    },
}
TWILIO_SMS = {
    "type": "twilio-sms",
    "name": "SMS line",
    "config": {
        "account_sid": "AC" + "a1" * 16,
        "auth_token": "invented-auth-token",
        "number": "+44 7700 900222",
    },
}
SECRETS = ["EAAG-invented-access-token", "invented-app-secret", "invented-verify-token"]


def test_an_administrator_creates_a_channel_and_gets_its_webhook_url(api_as, administrator):
    response = api_as(administrator).post("/api/v1/channels", WHATSAPP)
    assert response.status_code == 201, response.content
    body = response.json()
    channel = Channel.objects.get()
    assert body["id"] == str(channel.id)
    assert body["webhook_url"] == f"http://testserver/webhooks/{channel.id}/"
    assert body["config"] == {
        "phone_number_id": "106540352242922",
        "api_base_url": "https://graph.facebook.com",
        "api_version": "v23.0",
    }
    assert body["secrets"] == ["access_token", "app_secret", "verify_token"]
    assert (body["desk"], body["address"], body["is_active"]) == (
        "default",
        "106540352242922",
        True,
    )
    assert AuditEntry.objects.filter(action="channel.create", actor=administrator).exists()


def test_the_public_url_setting_makes_the_webhook_url(api_as, administrator, settings):
    settings.PUBLIC_URL = "https://helpdesk.example.org"
    body = api_as(administrator).post("/api/v1/channels", TWILIO_SMS).json()
    assert body["webhook_url"] == f"https://helpdesk.example.org/webhooks/{body['id']}/"
    assert body["address"] == "+447700900222"  # normalised


def test_secrets_are_never_returned_and_stored_encrypted(api_as, administrator):
    client = api_as(administrator)
    created = client.post("/api/v1/channels", WHATSAPP)
    listed = client.get("/api/v1/channels")
    one = client.get(f"/api/v1/channels/{created.json()['id']}")
    for response in (created, listed, one):
        assert response.status_code in (200, 201)
        assert not any(secret in response.content.decode() for secret in SECRETS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM channels_channel")
        (stored,) = cursor.fetchone()
    assert not any(secret in stored for secret in SECRETS)
    assert Channel.objects.get().config["access_token"] == SECRETS[0]


def test_the_same_number_cannot_be_configured_twice(api_as, administrator):
    client = api_as(administrator)
    assert client.post("/api/v1/channels", WHATSAPP).status_code == 201
    again = client.post("/api/v1/channels", {**WHATSAPP, "name": "Copy"})
    assert again.status_code == 409
    assert again.json()["error"] == "conflict"
    assert Channel.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({**WHATSAPP, "type": "telegram"}, "type must be one of"),
        ({**WHATSAPP, "config": {}}, "phone_number_id is required"),
        ({**WHATSAPP, "config": {**WHATSAPP["config"], "colour": "blue"}}, "unknown key 'colour'"),
        ({**WHATSAPP, "config": {**WHATSAPP["config"], "phone_number_id": "12ab"}}, "digits only"),
        ({**WHATSAPP, "config": {**WHATSAPP["config"], "api_base_url": "ftp://x"}}, "http"),
        ({**WHATSAPP, "config": {**WHATSAPP["config"], "access_token": 42}}, "must be a string"),
        ({**TWILIO_SMS, "config": {**TWILIO_SMS["config"], "account_sid": "XY1"}}, "AC followed"),
        ({**TWILIO_SMS, "config": {**TWILIO_SMS["config"], "number": "hello"}}, "number"),
        ({**WHATSAPP, "desk": "atlantis"}, "no desk 'atlantis'"),
        ({**WHATSAPP, "name": "  "}, "name must be"),
        ({"type": "webchat"}, "name"),
        ({"type": "webchat", "name": "Chat", "config": {"allowed_origins": "x"}}, "list"),
    ],
)
def test_a_bad_channel_is_refused_with_a_reason(api_as, administrator, body, detail):
    response = api_as(administrator).post("/api/v1/channels", body)
    assert response.status_code == 422, response.content
    assert response.json()["error"] == "invalid"
    assert detail in response.json()["detail"]
    assert not Channel.objects.exists()


def test_a_webchat_channel_needs_no_configuration(api_as, administrator):
    response = api_as(administrator).post(
        "/api/v1/channels",
        {
            "type": "webchat",
            "name": "Web",
            "config": {"allowed_origins": ["https://consulado.example/"]},
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["config"] == {"allowed_origins": ["https://consulado.example"]}


def test_channels_are_listed_per_desk(api_as, administrator, other_desk):
    client = api_as(administrator)
    client.post("/api/v1/channels", WHATSAPP)
    client.post("/api/v1/channels", {**TWILIO_SMS, "desk": "elsewhere"})
    assert len(client.get("/api/v1/channels").json()) == 2
    only = client.get("/api/v1/channels", desk="elsewhere").json()
    assert [c["type"] for c in only] == ["twilio-sms"]


def test_a_supervisor_sees_only_the_channels_of_their_desks(
    api_as, administrator, make_staff, other_desk
):
    api_as(administrator).post("/api/v1/channels", {**TWILIO_SMS, "desk": "elsewhere"})
    supervisor = make_staff("supervisor", "sup")
    assert api_as(supervisor).get("/api/v1/channels").json() == []


def test_an_unknown_channel_is_not_found(api_as, administrator):
    client = api_as(administrator)
    assert client.get("/api/v1/channels/not-a-uuid").status_code == 404
    missing = client.get("/api/v1/channels/3f1c6a52-8d2e-4a7b-9a51-2d4f3e0c1b7a")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_a_token_is_rotated_without_showing_it(api_as, administrator):
    client = api_as(administrator)
    created = client.post("/api/v1/channels", WHATSAPP).json()
    response = client.patch(
        f"/api/v1/channels/{created['id']}", {"config": {"access_token": "EAAG-rotated"}}
    )
    assert response.status_code == 200, response.content
    assert "EAAG-rotated" not in response.content.decode()
    channel = Channel.objects.get()
    assert channel.config["access_token"] == "EAAG-rotated"
    assert channel.config["app_secret"] == "invented-app-secret"  # the rest is kept
    entry = AuditEntry.objects.get(action="channel.update")
    assert entry.detail == {"fields": ["config.access_token"]}


def test_a_bad_change_is_refused_and_nothing_changes(api_as, administrator):
    client = api_as(administrator)
    created = client.post("/api/v1/channels", WHATSAPP).json()
    for body in (
        {"config": {"phone_number_id": "abc"}},
        {"config": {"app_secret": None}},
        {"name": " "},
    ):
        assert client.patch(f"/api/v1/channels/{created['id']}", body).status_code == 422
    channel = Channel.objects.get()
    assert (channel.name, channel.address) == ("WhatsApp helpdesk", "106540352242922")


def test_a_switched_off_number_can_be_configured_again(api_as, administrator, client):
    api = api_as(administrator)
    first = api.post("/api/v1/channels", WHATSAPP).json()
    assert (
        api.patch(f"/api/v1/channels/{first['id']}", {"is_active": False}).json()["is_active"]
        is False
    )
    assert (
        client.post(
            first["webhook_url"].removeprefix("http://testserver"),
            b"{}",
            content_type="application/json",
        ).status_code
        == 404
    )
    second = api.post("/api/v1/channels", {**WHATSAPP, "name": "Replacement"})
    assert second.status_code == 201
    again = api.patch(f"/api/v1/channels/{first['id']}", {"is_active": True})
    assert again.status_code == 409


def test_only_administrators_change_channels(api_as, administrator, supervisor):
    created = api_as(administrator).post("/api/v1/channels", WHATSAPP).json()
    response = api_as(supervisor).patch(f"/api/v1/channels/{created['id']}", {"name": "Mine"})
    assert response.status_code == 403
