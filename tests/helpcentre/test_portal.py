"""The portal form: a request, its reference and private code, the answer read later."""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ventanilla.channels.services import create_channel
from ventanilla.conversations import services
from ventanilla.conversations.models import Attachment, Conversation, Message
from ventanilla.desks.services import add_request_type
from ventanilla.helpcentre.models import PortalAccess

PDF = b"%PDF-1.4\n% invented\n"


@pytest.fixture
def portal(desk):
    add_request_type(
        desk=desk, by=None, slug="status", name="Status of an application", resolution_hours=48
    )
    return create_channel(desk=desk, type="portal", name="Web form", config={}, by=None)


def send_request(client, text="¿Cómo va mi solicitud de nacionalidad?", **extra):
    from ventanilla.desks.models import RequestType

    data = {"request_type": RequestType.objects.get(slug="status").pk, "text": text, **extra}
    return client.post("/help/default/request/", data, follow=True)


def shown(response):
    page = response.content.decode()
    reference = re.search(r'id="reference">([^<]+)<', page).group(1)
    code = re.search(r'id="code">([^<]+)<', page).group(1)
    return reference, code


def test_a_request_opens_a_conversation_and_shows_its_reference_and_code(client, portal):
    response = send_request(
        client, attachment=SimpleUploadedFile("resguardo.pdf", PDF), contact="+34 600 000 000"
    )
    assert response.status_code == 200
    reference, code = shown(response)
    conversation = Conversation.objects.get()
    assert conversation.reference == reference and conversation.channel == portal
    assert conversation.request_type.slug == "status" and conversation.resolution_due_at
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code)
    access = PortalAccess.objects.get()
    assert code not in access.code_hash and access.contact_details == "+34 600 000 000"
    attachment = Attachment.objects.get()
    assert (attachment.mime_type, attachment.filename, attachment.file.read()) == (
        "application/pdf",
        "resguardo.pdf",
        PDF,
    )


def test_the_code_is_shown_once(client, portal):
    send_request(client)
    again = client.get("/help/default/request/sent/")
    assert again.status_code == 302 and again.url.endswith("/follow-up/")


def test_with_reference_and_code_the_person_reads_the_answer_and_writes_again(
    client, portal, agent, django_capture_on_commit_callbacks
):
    reference, code = shown(send_request(client))
    conversation = Conversation.objects.get()
    services.note(conversation=conversation, text="Nota interna: expediente 123", by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(conversation=conversation, text="Su expediente está en trámite.", by=agent)
    other = client.__class__()  # another browser, later
    response = other.post(
        "/help/default/follow-up/", {"reference": reference.lower(), "code": code}, follow=True
    )
    page = response.content.decode()
    assert "Su expediente está en trámite." in page and "¿Cómo va mi solicitud" in page
    assert "Nota interna" not in page
    other.post(f"/help/default/follow-up/{reference}/", {"text": "Gracias. ¿Y cuánto tarda?"})
    assert list(Message.objects.filter(direction="in").values_list("text", flat=True)) == [
        "¿Cómo va mi solicitud de nacionalidad?",
        "Gracias. ¿Y cuánto tarda?",
    ]
    assert Conversation.objects.count() == 1


def test_a_reference_alone_or_a_wrong_code_reveals_nothing(client, portal):
    reference, code = shown(send_request(client, text="Texto privado"))
    stranger = client.__class__()
    for attempt in (
        {"reference": reference, "code": "AAAA-BBBB-CCCC"},
        {"reference": "VT-2026-999999", "code": code},
    ):
        response = stranger.post("/help/default/follow-up/", attempt)
        page = response.content.decode()
        assert response.status_code == 200 and "could not find a request" in page
        assert "Texto privado" not in page
    assert stranger.get(f"/help/default/follow-up/{reference}/").status_code == 302


def test_guessing_codes_is_rate_limited(client, portal):
    reference, _ = shown(send_request(client))
    stranger = client.__class__()
    statuses = [
        stranger.post(
            "/help/default/follow-up/", {"reference": reference, "code": f"AAAA-BBBB-{n:04d}"}
        ).status_code
        for n in range(7)
    ]
    assert statuses[:5] == [200] * 5 and statuses[-1] == 429


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("programa.exe", b"MZ\x90 not a document", "not accepted"),
        ("fake.pdf", b"<html></html>", "not accepted"),
    ],
)
def test_an_attachment_of_the_wrong_type_is_refused_and_nothing_stored(
    client, portal, name, content, error
):
    response = send_request(client, attachment=SimpleUploadedFile(name, content))
    assert error in response.content.decode()
    assert not Conversation.objects.exists()


def test_an_attachment_too_large_is_refused(client, portal, settings):
    settings.MAX_UPLOAD_BYTES = 10
    response = send_request(client, attachment=SimpleUploadedFile("a.pdf", PDF))
    assert "larger than" in response.content.decode()
    assert not Conversation.objects.exists()


def test_an_empty_message_is_refused(client, portal):
    response = send_request(client, text="")
    assert response.status_code == 200 and not Conversation.objects.exists()


def test_a_closed_request_takes_no_more_messages(client, portal, agent):
    reference, _ = shown(send_request(client))
    services.close(conversation=Conversation.objects.get(), by=agent)
    response = client.get(f"/help/default/follow-up/{reference}/")
    assert "This request is closed" in response.content.decode()
    client.post(f"/help/default/follow-up/{reference}/", {"text": "¿Hola?"})
    assert Message.objects.count() == 1


def test_the_person_downloads_only_their_own_files(client, portal, webchat, make_inbound):
    reference, _ = shown(send_request(client, attachment=SimpleUploadedFile("r.pdf", PDF)))
    own = Attachment.objects.get()
    response = client.get(f"/help/default/follow-up/{reference}/files/{own.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client.get(f"/help/default/follow-up/{reference}/files/{own.pk + 1}/").status_code == 404


def test_a_desk_without_a_portal_has_no_form(client, desk):
    assert client.get("/help/default/request/").status_code == 404
    assert client.get("/help/nowhere/request/").status_code == 404


def test_the_received_page_is_titled_with_the_desk_and_keeps_the_code_in_one_piece(client, portal):
    page = send_request(client).content.decode()
    desk = portal.desk.name
    assert re.search(r"<title>[^<]*· " + re.escape(desk) + "</title>", page)
    assert f'<span class="desk">{desk}</span>' in page and ">ventanilla<" not in page


def test_pages_with_a_request_are_never_kept_in_a_cache(client, portal):
    response = send_request(client)
    reference, _code = shown(response)
    for page in (response, client.get(f"/help/default/follow-up/{reference}/")):
        assert page.status_code == 200
        assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]


def test_the_portal_session_ends_with_the_browser(client, portal):
    send_request(client)
    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_closing_a_request_in_this_browser_takes_the_code_to_open_it_again(client, portal):
    reference, code = shown(send_request(client))
    thread = client.get(f"/help/default/follow-up/{reference}/")
    assert "Close and leave" in thread.content.decode()
    closed = client.post("/help/default/follow-up/close/", follow=True)
    assert closed.redirect_chain[-1][0] == "/help/default/follow-up/"
    assert "Your request is closed in this browser." in closed.content.decode()
    again = client.get(f"/help/default/follow-up/{reference}/")
    assert again.status_code == 302 and again["Location"] == "/help/default/follow-up/"
    reopened = client.post(
        "/help/default/follow-up/", {"reference": reference, "code": code}, follow=True
    )
    assert f"/help/default/follow-up/{reference}/" == reopened.redirect_chain[-1][0]


def test_a_request_left_open_closes_itself_after_a_while(client, portal):
    import time_machine

    reference, _code = shown(send_request(client))
    assert client.get(f"/help/default/follow-up/{reference}/").status_code == 200
    with time_machine.travel(time.time() + 19 * 60, tick=False):  # still in use
        assert client.get(f"/help/default/follow-up/{reference}/").status_code == 200
    with time_machine.travel(time.time() + 19 * 60 + 21 * 60, tick=False):
        left = client.get(f"/help/default/follow-up/{reference}/")
    assert left.status_code == 302 and left["Location"] == "/help/default/follow-up/"


@pytest.mark.parametrize("language", ["es", "ar", "it"])
def test_a_failed_security_check_shows_a_page_in_the_persons_language_with_a_way_back(
    portal, language
):
    from django.test import Client
    from django.utils import translation

    browser = Client(enforce_csrf_checks=True, headers={"accept-language": language})
    response = browser.post(
        "/help/default/request/",
        {"text": "Hola"},
        headers={"referer": "http://testserver/help/default/request/"},
    )
    assert response.status_code == 403
    page = response.content.decode()
    with translation.override(language):
        expected = translation.gettext("The page had expired")
    assert expected in page and "CSRF verification failed" not in page
    assert 'href="/help/default/request/"' in page
    assert f'lang="{language}"' in page
    assert Message.objects.count() == 0


def test_a_failed_security_check_on_the_api_answers_json(client, portal):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/v1/health")
    assert response.status_code in (401, 403, 405)
    assert response["Content-Type"].startswith("application/json")
