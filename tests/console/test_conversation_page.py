"""The conversation page and what staff do there, through the console's own forms."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fakes.libretranslate import FakeLibreTranslate
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.media import attach
from ventanilla.conversations.models import Message, MessageTranslation, Status
from ventanilla.desks.models import Team
from ventanilla.teamwork import services as teamwork
from ventanilla.teamwork.models import Notification

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def conversation(webchat, make_inbound):
    inbound = make_inbound(
        scheme="webchat", address="visitor-1", text="¿Dónde renuevo el pasaporte?"
    )
    return receive(channel=webchat, inbound=inbound).message.conversation


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def post(client, conversation, action, data=None, **extra):
    return client.post(f"/console/c/{conversation.pk}/{action}/", data or {}, **extra)


def flash(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_reply_is_queued_and_shown(signed_in, conversation, agent):
    response = post(
        signed_in, conversation, "reply", {"text": "En el consulado, con cita"}, follow=True
    )
    assert flash(response) == ["Reply queued for sending."]
    reply = Message.objects.get(direction="out")
    assert (reply.text, reply.author) == ("En el consulado, con cita", agent)
    assert "En el consulado, con cita" in response.content.decode()


def test_a_reply_with_a_photo_keeps_the_file(signed_in, conversation):
    photo = SimpleUploadedFile("map.png", PNG, content_type="image/png")
    post(signed_in, conversation, "reply", {"text": "Aquí", "file": photo})
    sent = Message.objects.get(direction="out")
    assert sent.kind == "image" and sent.attachments.get().mime_type == "image/png"


def test_a_refused_file_or_empty_reply_is_explained_and_nothing_is_sent(signed_in, conversation):
    script = SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html")
    response = post(signed_in, conversation, "reply", {"text": "x", "file": script}, follow=True)
    assert "not accepted" in flash(response)[0]
    response = post(signed_in, conversation, "reply", {"text": "   "}, follow=True)
    assert flash(response) == ["text must not be empty"]
    assert not Message.objects.filter(direction="out").exists()


def test_outside_the_whatsapp_window_the_page_offers_the_approved_templates(
    client, agent, whatsapp, graph, make_inbound
):
    graph.templates = [
        {
            "name": "follow_up",
            "language": "es",
            "status": "APPROVED",
            "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Hola {{1}}, ¿sigue necesitando ayuda?"}],
        }
    ]
    conversation = receive(
        channel=whatsapp, inbound=make_inbound(address="447700900301")
    ).message.conversation
    conversation.last_inbound_at = timezone.now() - timedelta(hours=30)
    conversation.save()
    client.force_login(agent)
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert 'id="reply-text"' not in page and "follow_up (es)" in page

    refused = post(client, conversation, "reply", {"text": "Hola"}, follow=True)
    assert "24 hours" in flash(refused)[0]
    post(client, conversation, "template", {"template": "follow_up|es", "parameters": "Amina\n"})
    sent = Message.objects.get(direction="out")
    assert sent.details["template"] == {
        "name": "follow_up",
        "language": "es",
        "parameters": ["Amina"],
    }


def test_canned_responses_are_found_by_shortcut_and_filled_in(
    signed_in, conversation, supervisor, desk
):
    teamwork.save_canned_response(
        by=supervisor,
        desk=desk,
        shortcut="ref",
        title="Reference",
        texts={"en": "Your reference is {reference}", "es": "Su referencia es {reference}"},
    )
    services.classify(conversation=conversation, by=supervisor, language="es")
    found = signed_in.get(f"/console/c/{conversation.pk}/canned/?q=/re").content.decode()
    assert f'data-insert="Su referencia es {conversation.reference}"' in found
    assert (
        "No canned response matches"
        in signed_in.get(f"/console/c/{conversation.pk}/canned/?q=zzz").content.decode()
    )


def test_a_note_with_a_mention_notifies_and_stays_internal(
    signed_in, conversation, make_staff, client
):
    lucia = make_staff("agent", "lucia")
    response = post(signed_in, conversation, "note", {"text": "@lucia puedes llamar?"}, follow=True)
    assert flash(response) == ["Note saved; lucia notified."]
    assert Notification.objects.get().recipient == lucia
    assert not Message.objects.filter(direction="out").exists()

    client.force_login(lucia)
    assert '<span class="badge"' in client.get("/console/notifications/unread/").content.decode()
    listed = client.get("/console/notifications/").content.decode()
    assert "agent mentioned you in a note" in listed
    client.post("/console/notifications/")
    assert Notification.objects.get().read_at is not None


def test_assign_transfer_classify_tag_resolve_and_reopen(
    signed_in, conversation, agent, make_staff, desk
):
    from ventanilla.desks.services import add_request_type

    Team.objects.create(desk=desk, slug="legal", name="Legal advice")
    make_staff("agent", "lucia")
    add_request_type(desk=desk, by=None, slug="status", name="Status", first_response_hours=4)

    post(signed_in, conversation, "assign", {"assignee": "me"})
    conversation.refresh_from_db()
    assert conversation.assignee == agent
    post(signed_in, conversation, "transfer", {"team": "legal", "assignee": "lucia"})
    post(
        signed_in,
        conversation,
        "classify",
        {"request_type": "status", "topic": "passport", "priority": "high", "language": "es"},
    )
    post(signed_in, conversation, "tags", {"tags": "visa, family"})
    conversation.refresh_from_db()
    assert (conversation.team.slug, conversation.assignee.username) == ("legal", "lucia")
    assert (conversation.request_type.slug, conversation.topic, conversation.priority) == (
        "status",
        "passport",
        "high",
    )
    assert conversation.due_at is not None
    assert sorted(t.name for t in conversation.tags.all()) == ["family", "visa"]

    post(signed_in, conversation, "resolve", {"outcome": "referred"})
    conversation.refresh_from_db()
    assert (conversation.status, conversation.outcome) == (Status.RESOLVED, "referred")
    post(signed_in, conversation, "reopen")
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("resolve", {"outcome": "whatever"}, "Outcome: Select a valid choice."),
        ("assign", {"assignee": "ghost"}, "There is no member of staff ghost."),
        ("transfer", {"team": "nope"}, "This desk has no team nope."),
        (
            "classify",
            {"priority": "normal", "request_type": "nope"},
            "This desk has no request type nope.",
        ),
        ("escalate", {"to": "supervisor", "reason": ""}, "Why: This field is required."),
        ("tags", {"tags": "<b>"}, "'<b>': a tag is 1 to 32 letters"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(signed_in, conversation, action, data, message):
    before = conversation.changed_at
    response = post(signed_in, conversation, action, data, follow=True)
    assert response.status_code == 200
    assert flash(response)[0].startswith(message)
    conversation.refresh_from_db()
    assert conversation.changed_at == before and conversation.status == Status.OPEN


def test_an_escalation_goes_to_the_team_and_says_why(signed_in, conversation, desk, make_staff):
    protection = Team.objects.create(desk=desk, slug="protection", name="Protection")
    member = make_staff("agent", "member")
    member.agent_profile.teams.add(protection)
    post(signed_in, conversation, "escalate", {"to": "protection", "reason": "Passport withheld"})
    conversation.refresh_from_db()
    assert conversation.team == protection and conversation.escalation == "team"
    page = signed_in.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "Passport withheld" in page and "Escalated to a specialist team" in page


def test_actions_need_the_role_that_allows_them(client, analyst, conversation):
    client.force_login(analyst)
    for action, data in (("reply", {"text": "x"}), ("note", {"text": "x"}), ("assign", {})):
        assert post(client, conversation, action, data).status_code == 403
    assert not Message.objects.filter(direction="out").exists()


def test_actions_on_another_desks_conversation_are_not_found(
    client, make_staff, other_desk, conversation
):
    client.force_login(make_staff("agent", "outsider", desks=[other_desk]))
    assert post(client, conversation, "reply", {"text": "x"}).status_code == 404
    assert client.get(f"/console/c/{conversation.pk}/canned/?q=").status_code == 404


def test_actions_only_accept_posts(signed_in, conversation):
    assert signed_in.get(f"/console/c/{conversation.pk}/reply/").status_code == 405


def test_the_page_shows_the_persons_earlier_conversations_and_media(
    signed_in, conversation, agent, webchat, make_inbound
):
    services.close(conversation=conversation, by=agent)
    latest = receive(
        channel=webchat,
        inbound=make_inbound(scheme="webchat", address="visitor-1", text="Otra vez"),
    ).message
    attach(message=latest, content=PNG, mime_type="image/png", filename="recibo.png")
    page = signed_in.get(f"/console/c/{latest.conversation.pk}/").content.decode()
    assert "Earlier conversations of this person" in page and conversation.reference in page
    assert "¿Dónde renuevo el pasaporte?" in page
    image = re.search(r'<img src="([^"]+)"', page).group(1)
    shown = signed_in.get(image.replace("&amp;", "&"))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == PNG


def test_the_conversation_page_costs_the_same_queries_however_long_the_history(
    signed_in, conversation, agent, webchat, make_inbound
):
    signed_in.get(f"/console/c/{conversation.pk}/")
    with CaptureQueriesContext(connection) as short:
        signed_in.get(f"/console/c/{conversation.pk}/")
    for i in range(15):
        receive(
            channel=webchat,
            inbound=make_inbound(scheme="webchat", address="visitor-1", text=f"m{i}"),
        )
        services.reply(conversation=conversation, text=f"r{i}", by=agent)
        services.note(conversation=conversation, text=f"n{i}", by=agent)
    with CaptureQueriesContext(connection) as long:
        signed_in.get(f"/console/c/{conversation.pk}/")
    assert len(long) == len(short) <= 35


def test_the_history_poll_answers_no_content_until_something_changes(
    signed_in, conversation, agent
):
    page = signed_in.get(f"/console/c/{conversation.pk}/").content.decode()
    version = re.search(r'/history/\?v=([^"]+)"', page).group(1)
    assert signed_in.get(f"/console/c/{conversation.pk}/history/?v={version}").status_code == 204
    services.reply(conversation=conversation, text="Ya va", by=agent)
    changed = signed_in.get(f"/console/c/{conversation.pk}/history/?v={version}")
    assert changed.status_code == 200 and "Ya va" in changed.content.decode()
    version = re.search(r'/history/\?v=([^"]+)"', changed.content.decode()).group(1)
    Message.objects.filter(direction="out").update(delivered_at=timezone.now(), status="delivered")
    assert signed_in.get(f"/console/c/{conversation.pk}/history/?v={version}").status_code == 200


@pytest.fixture
def libretranslate(settings):
    with FakeLibreTranslate() as fake:
        settings.TRANSLATE_URL = fake.url
        settings.TRANSLATE_API_KEY = ""
        yield fake


@pytest.fixture
def volunteer(make_staff):
    """A volunteer who reads Dutch and English only."""
    joris = make_staff("agent", "joris")
    joris.agent_profile.languages = ["nl", "en"]
    joris.agent_profile.save()
    return joris


def test_a_message_the_agent_cannot_read_is_shown_translated_beside_it(
    client, volunteer, webchat, make_inbound, libretranslate
):
    libretranslate.learn("ar", "en", "أين القنصلية؟", "Where is the consulate?")
    conversation = receive(
        channel=webchat,
        inbound=make_inbound(scheme="webchat", address="v-ar", text="أين القنصلية؟"),
    ).message.conversation
    client.force_login(volunteer)

    page = client.get(f"/console/c/{conversation.pk}/", headers={"Accept-Language": "en"})
    assert f"console/c/{conversation.pk}/translations/" in page.content.decode()
    looked = client.get(
        f"/console/c/{conversation.pk}/translations/", headers={"Accept-Language": "en"}
    )
    assert looked.status_code == 405 and not MessageTranslation.objects.exists()  # no writes
    part = client.post(
        f"/console/c/{conversation.pk}/translations/", headers={"Accept-Language": "en"}
    )
    shown = part.content.decode()
    assert "Where is the consulate?" in shown and "أين القنصلية؟" in shown
    assert "Machine translation from ar" in shown and "/translations/" not in shown
    conversation.refresh_from_db()
    assert conversation.language == "ar"  # detected, and kept
    assert MessageTranslation.objects.get().text == "Where is the consulate?"

    again = client.get(f"/console/c/{conversation.pk}/", headers={"Accept-Language": "en"})
    assert "Where is the consulate?" in again.content.decode()
    assert len(libretranslate.translated) == 1  # kept, not asked again


def test_a_reply_written_in_the_agents_language_goes_out_translated(
    client, volunteer, webchat, make_inbound, libretranslate
):
    libretranslate.learn("en", "ar", "The consulate opens at nine", "تفتح القنصلية في التاسعة")
    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="v-ar", language="ar")
    ).message.conversation
    client.force_login(volunteer)
    page = client.get(f"/console/c/{conversation.pk}/", headers={"Accept-Language": "en"})
    assert "send it translated into ar" in page.content.decode()

    post(
        client,
        conversation,
        "reply",
        {"text": "The consulate opens at nine", "translate": "1", "source": "en"},
    )
    sent = Message.objects.get(direction="out")
    assert sent.text == "تفتح القنصلية في التاسعة"
    assert sent.details["translation"] == {
        "machine": True,
        "original": "The consulate opens at nine",
        "source": "en",
        "target": "ar",
    }
    page = client.get(
        f"/console/c/{conversation.pk}/", headers={"Accept-Language": "en"}
    ).content.decode()
    assert "The consulate opens at nine" in page and "Machine-translated from en into ar" in page


def test_when_the_translation_server_fails_nothing_is_sent_and_the_page_still_works(
    client, volunteer, webchat, make_inbound, settings
):
    settings.TRANSLATE_URL = "http://127.0.0.1:9"  # nothing listens there
    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="v-ar", language="ar")
    ).message.conversation
    client.force_login(volunteer)
    response = post(
        client,
        conversation,
        "reply",
        {"text": "Hello", "translate": "1", "source": "en"},
        follow=True,
    )
    assert response.status_code == 200 and "translation" in flash(response)[0].lower()
    assert not Message.objects.filter(direction="out").exists()
    part = client.post(f"/console/c/{conversation.pk}/translations/")
    assert part.status_code == 200
    assert "did not answer" in part.content.decode()


def test_without_a_translation_server_nothing_is_offered(client, agent, conversation, settings):
    settings.TRANSLATE_URL = ""
    client.force_login(agent)
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "/translations/" not in page and "send it translated" not in page


def test_messages_the_server_cannot_take_are_not_asked_for_again_and_again(
    client, volunteer, webchat, make_inbound, libretranslate
):
    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="v-x", text="   ")
    ).message.conversation
    receive(channel=webchat, inbound=make_inbound(scheme="webchat", address="v-x", text="a" * 6000))
    client.force_login(volunteer)
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "/translations/" not in page  # nothing there to translate
    part = client.post(f"/console/c/{conversation.pk}/translations/")
    assert part.status_code == 200 and "/translations/" not in part.content.decode()
    assert libretranslate.translated == []


def test_the_page_shows_the_service_level_clocks_as_they_stand(signed_in, conversation, agent):
    page = signed_in.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "First response" in page and "due in 2" in page  # the default type: 48 hours
    assert "target 3\xa0days" in page  # resolution within 72 hours
    services.reply(conversation=conversation, text="¿Tiene cita?", by=agent)
    services.wait_for_person(conversation=conversation, by=agent)
    page = signed_in.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "in time (0\xa0minutes)" in page
    assert re.search(r"waiting for the person: 2\xa0days, 23\xa0hours left", page)
    Conversation = type(conversation)
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=timezone.now() - timedelta(days=4), sla_pauses=[], status=Status.OPEN
    )
    page = signed_in.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "1\xa0day late" in page


def test_web_addresses_in_messages_are_links_and_the_rest_stays_text(
    signed_in, conversation, webchat, make_inbound
):
    written = (
        "Mire <script>alert(1)</script> https://example.org/a?x=1&y=2.\n"
        "الرابط: https://example.org/ar/x/ شكرا"
    )
    receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="visitor-1", text=written)
    )
    page = signed_in.get(f"/console/c/{conversation.pk}/").content.decode()
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    assert (
        '<bdi><a href="https://example.org/a?x=1&amp;y=2" dir="ltr" rel="noopener noreferrer" '
        'target="_blank">https://example.org/a?x=1&amp;y=2</a></bdi>.<br>'
    ) in page
    assert (
        'الرابط: <bdi><a href="https://example.org/ar/x/" dir="ltr" rel="noopener noreferrer" '
        'target="_blank">https://example.org/ar/x/</a></bdi> شكرا'
    ) in page


def test_text_that_only_looks_like_an_address_is_not_a_link(signed_in, conversation, agent):
    services.reply(
        conversation=conversation,
        text='javascript:alert(1) http://"onmouseover=alert(1) https:// www.example.org',
        by=agent,
    )
    page = signed_in.get(f"/console/c/{conversation.pk}/").content.decode()
    assert 'href="javascript' not in page and "<bdi><a" not in page
    assert "http://&quot;onmouseover=alert(1) https:// www.example.org" in page
