"""Sending through the API: menus, templates, files, and the WhatsApp window's refusal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message

PDF = b"%PDF-1.4\n% invented document\n"


@pytest.fixture
def whatsapp_conversation(whatsapp, make_inbound):
    inbound = make_inbound(address="447700900301", sent_at=timezone.now())
    return receive(channel=whatsapp, inbound=inbound).message.conversation


@pytest.fixture
def path(whatsapp_conversation):
    return f"/api/v1/conversations/{whatsapp_conversation.pk}"


def test_buttons_go_out_as_a_menu(api_as, agent, path, graph, django_capture_on_commit_callbacks):
    body = {
        "text": "¿Idioma?",
        "buttons": [{"id": "es", "title": "Español"}, {"id": "ar", "title": "العربية"}],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(agent).post(f"{path}/messages", body)
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "interactive"
    assert response.json()["details"]["menu"]["choices"][1]["title"] == "العربية"
    assert graph.sent[0]["interactive"]["type"] == "button"


def test_a_list_goes_out_as_a_list(api_as, agent, path, graph, django_capture_on_commit_callbacks):
    body = {"text": "Temas", "list": {"button": "Ver", "choices": [{"id": "t1", "title": "Asilo"}]}}
    with django_capture_on_commit_callbacks(execute=True):
        assert api_as(agent).post(f"{path}/messages", body).status_code == 201
    assert graph.sent[0]["interactive"]["type"] == "list"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"text": "x", "buttons": [], "list": {"button": "b", "choices": []}}, "not both"),
        ({"text": "x", "buttons": [{"id": "a", "title": "A" * 30}]}, "title"),
        ({"template": {"name": "t", "language": "es"}, "text": "x"}, "sent alone"),
        ({"template": {"name": "", "language": "es"}}, "name"),
    ],
)
def test_a_malformed_menu_or_template_is_refused(api_as, agent, path, body, detail):
    response = api_as(agent).post(f"{path}/messages", body)
    assert response.status_code == 422
    assert detail in response.json()["detail"]
    assert not Message.objects.filter(direction="out").exists()


def test_outside_the_window_a_reply_gets_409_and_a_template_goes(
    api_as, agent, path, whatsapp_conversation, graph, django_capture_on_commit_callbacks
):
    whatsapp_conversation.last_inbound_at = timezone.now() - timedelta(hours=30)
    whatsapp_conversation.save()
    refused = api_as(agent).post(f"{path}/messages", {"text": "Hola"})
    assert refused.status_code == 409
    assert refused.json()["error"] == "window_closed"
    assert "template" in refused.json()["detail"]
    template = {
        "template": {"name": "follow_up", "language": "es", "parameters": ["VT-2026-000001"]}
    }
    with django_capture_on_commit_callbacks(execute=True):
        sent = api_as(agent).post(f"{path}/messages", template)
    assert sent.status_code == 201 and sent.json()["kind"] == "template"
    assert graph.sent[0]["template"]["name"] == "follow_up"


def test_a_file_is_sent_and_can_be_downloaded_again(
    api_as, agent, path, graph, django_capture_on_commit_callbacks
):
    client = api_as(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.client.post(
            f"{path}/attachments",
            {"file": _upload("guia.pdf", PDF), "text": "La guía"},
            headers=client.headers,
        )
    assert response.status_code == 201, response.content
    (attachment,) = response.json()["attachments"]
    assert (attachment["mime_type"], attachment["filename"], attachment["available"]) == (
        "application/pdf",
        "guia.pdf",
        True,
    )
    assert graph.sent[0]["type"] == "document"
    download = client.get(f"{path}/attachments/{attachment['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert client.get(f"{path}/attachments/999999").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "detail"),
    [
        ("virus.exe", b"MZ\x90\x00 not a document", "not accepted"),
        ("fake.pdf", b"<html>not a pdf</html>", "not accepted"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused(api_as, agent, path, name, content, detail):
    client = api_as(agent)
    response = client.client.post(
        f"{path}/attachments", {"file": _upload(name, content)}, headers=client.headers
    )
    assert response.status_code == 422
    assert detail in response.json()["detail"]


def test_a_file_too_large_is_refused(api_as, agent, path, settings):
    settings.MAX_UPLOAD_BYTES = 10
    client = api_as(agent)
    response = client.client.post(
        f"{path}/attachments", {"file": _upload("a.pdf", PDF)}, headers=client.headers
    )
    assert response.status_code == 422 and "larger than" in response.json()["detail"]


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
