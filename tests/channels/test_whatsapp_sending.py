"""Replies on WhatsApp reach the (fake) Graph API well formed; statuses land in any order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fakes.graph import TOKEN, envelope, graph_error, message
from fakes.server import Answer
from ventanilla.channels.adapters.base import Choice, Menu, Template
from ventanilla.conversations import services
from ventanilla.conversations.delivery import deliver
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message, MessageStatus, PendingStatus
from ventanilla.lib.errors import Invalid


@pytest.fixture
def conversation(whatsapp, make_inbound):
    inbound = make_inbound(provider_id="wamid.IN1", address="447700900301", sent_at=timezone.now())
    return receive(channel=whatsapp, inbound=inbound).message.conversation


@pytest.fixture
def send(conversation, agent, django_capture_on_commit_callbacks):
    """Reply and let the (immediate) queue send it; return the message as stored after."""

    def reply(text="Hola, le ayudamos", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            sent = services.reply(conversation=conversation, text=text, by=agent, **kwargs)
        sent.refresh_from_db()
        return sent

    return reply


def test_a_reply_reaches_the_graph_api_with_the_token(send, graph):
    sent = send()
    (request,) = graph.requests_to("/106540352242922/messages")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "447700900301",
        "type": "text",
        "text": {"preview_url": False, "body": "Hola, le ayudamos"},
        "biz_opaque_callback_data": f"vt-{sent.pk}",
    }
    assert sent.status == MessageStatus.SENT and sent.provider_id == "wamid.FAKE000001"


def test_buttons_and_lists_are_sent_as_interactive_messages(send, graph):
    send(
        "¿En qué idioma?",
        menu=Menu(choices=(Choice("lang_es", "Español"), Choice("lang_fr", "Français"))),
    )
    send(
        "Elija un tema",
        menu=Menu(
            button="Ver temas",
            section="Trámites",
            choices=(Choice("asylum", "Asilo", "Solicitud y citas"),),
        ),
    )
    buttons, listing = (r["interactive"] for r in graph.sent)
    assert buttons["type"] == "button"
    assert [b["reply"] for b in buttons["action"]["buttons"]] == [
        {"id": "lang_es", "title": "Español"},
        {"id": "lang_fr", "title": "Français"},
    ]
    assert listing["type"] == "list" and listing["action"]["button"] == "Ver temas"
    assert listing["action"]["sections"] == [
        {
            "title": "Trámites",
            "rows": [{"id": "asylum", "title": "Asilo", "description": "Solicitud y citas"}],
        }
    ]


@pytest.mark.parametrize(
    "menu",
    [
        Menu(choices=()),
        Menu(choices=tuple(Choice(f"c{n}", f"Choice {n}") for n in range(4))),
        Menu(choices=(Choice("a", "A title " + "far too long for any line " * 5),)),
        Menu(choices=(Choice("a", "A"), Choice("a", "B"))),
        Menu(button="Open", choices=tuple(Choice(f"r{n}", f"Row {n}") for n in range(11))),
    ],
)
def test_a_menu_whatsapp_would_refuse_is_refused_here(conversation, agent, menu):
    with pytest.raises(Invalid):
        services.reply(conversation=conversation, text="Elija", by=agent, menu=menu)
    assert not Message.objects.filter(direction="out").exists()


def test_titles_too_long_for_whatsapp_are_shortened_there_and_kept_whole_in_the_message(
    send, graph
):
    title = "A lost or stolen passport (English)"
    sent = send("Elija", menu=Menu(choices=(Choice("lost", title),)))
    send("Elija", menu=Menu(button="See the answers now", choices=(Choice("lost", title),)))
    buttons, listing = (r["interactive"] for r in graph.sent)
    assert buttons["action"]["buttons"][0]["reply"]["title"] == "A lost or stolen pa\u2026"
    (row,) = listing["action"]["sections"][0]["rows"]
    assert row == {"id": "lost", "title": "A lost or stolen passpo\u2026", "description": title}
    assert len(row["title"]) == 24 and len(buttons["action"]["buttons"][0]["reply"]["title"]) == 20
    assert sent.details["menu"]["choices"][0]["title"] == title  # other channels show it all


def test_a_file_is_uploaded_then_sent_by_its_id(send, graph):
    from ventanilla.conversations.services import File

    send("La guía", files=[File(b"%PDF-1.4 invented", "application/pdf", "guia.pdf")])
    (upload,) = graph.requests_to("/106540352242922/media")
    assert b"%PDF-1.4 invented" in upload.body and b"messaging_product" in upload.body
    (sent,) = graph.sent
    assert sent["type"] == "document"
    assert sent["document"]["filename"] == "guia.pdf" and sent["document"]["caption"] == "La guía"
    assert sent["document"]["id"] in graph.uploads


def test_a_template_is_sent_with_its_parameters(
    conversation, agent, graph, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_template(
            conversation=conversation,
            by=agent,
            template=Template("appointment_reminder", "es", ("María", "12 de junio")),
        )
    (sent,) = graph.sent
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "appointment_reminder",
        "language": {"code": "es"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "María"},
                    {"type": "text", "text": "12 de junio"},
                ],
            }
        ],
    }


def test_outside_the_24_hour_window_only_a_template_may_go(conversation, agent, graph):
    conversation.last_inbound_at = timezone.now() - timedelta(hours=25)
    conversation.save()
    with pytest.raises(services.WindowClosed, match="approved template"):
        services.reply(conversation=conversation, text="Hola", by=agent)
    services.send_template(conversation=conversation, by=agent, template=Template("hello", "es"))
    assert list(Message.objects.filter(direction="out").values_list("kind", flat=True)) == [
        "template"
    ]


def test_templates_are_for_whatsapp_only(webchat, make_inbound, agent):
    conversation = receive(channel=webchat, inbound=make_inbound()).message.conversation
    with pytest.raises(Invalid, match="WhatsApp"):
        services.send_template(
            conversation=conversation, by=agent, template=Template("hello", "es")
        )


@pytest.mark.parametrize(
    "answer",
    [
        graph_error(429, 130429, "Rate limit hit"),
        graph_error(500, 131000, "Something went wrong"),
        Answer(503, b"upstream unavailable", "text/plain"),
    ],
)
def test_a_rate_limit_or_an_outage_is_retried_later(send, graph, answer):
    graph.script(answer)
    sent = send()
    assert sent.status == MessageStatus.QUEUED and sent.attempts == 1
    assert sent.next_attempt_at > timezone.now() + timedelta(seconds=20)
    Message.objects.filter(pk=sent.pk).update(next_attempt_at=timezone.now())
    assert deliver(message_id=sent.pk) == MessageStatus.SENT
    assert len(graph.sent) == 2


def test_a_permanent_error_fails_the_message_with_the_providers_code(send, graph):
    graph.script(graph_error(400, 131030, "(#131030) Recipient phone number not in allowed list"))
    sent = send()
    assert sent.status == MessageStatus.FAILED
    assert (sent.error_code, sent.error_title) == (
        "131030",
        "(#131030) Recipient phone number not in allowed list",
    )


def test_an_unreachable_provider_is_retried(send, graph, whatsapp):
    config = dict(whatsapp.config, api_base_url="http://127.0.0.1:9")
    whatsapp.config = config
    whatsapp.save()
    sent = send()
    assert sent.status == MessageStatus.QUEUED and sent.error_code == "unreachable"


def test_after_the_last_attempt_the_message_fails(send, graph):
    for _ in range(6):
        graph.script(graph_error(503, 131016, "Service unavailable"))
    sent = send()
    for _ in range(5):
        Message.objects.filter(pk=sent.pk).update(next_attempt_at=timezone.now())
        deliver(message_id=sent.pk)
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.error_code) == (MessageStatus.FAILED, 6, "131016")


def _statuses(*items):
    return envelope(statuses=list(items))


def _status(wamid, status, **extra):
    return {
        "id": wamid,
        "status": status,
        "timestamp": str(int(timezone.now().timestamp())),
        "recipient_id": "447700900301",
        **extra,
    }


def test_statuses_move_a_message_forward_in_any_order(send, post_whatsapp):
    sent = send()
    for status in ("read", "sent", "delivered"):
        assert post_whatsapp(_statuses(_status(sent.provider_id, status))).status_code == 200
    sent.refresh_from_db()
    assert sent.status == MessageStatus.READ
    assert sent.sent_at and sent.delivered_at and sent.read_at


def test_a_failed_status_carries_the_error(send, post_whatsapp):
    sent = send()
    errors = [
        {"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message"}
    ]
    post_whatsapp(_statuses(_status(sent.provider_id, "failed", errors=errors)))
    sent.refresh_from_db()
    assert (sent.status, sent.error_code, sent.error_title) == (
        "failed",
        "131047",
        "Re-engagement message",
    )


def test_a_late_failure_does_not_undo_a_delivery(send, post_whatsapp):
    sent = send()
    post_whatsapp(_statuses(_status(sent.provider_id, "delivered")))
    post_whatsapp(
        _statuses(_status(sent.provider_id, "failed", errors=[{"code": 131026, "title": "x"}]))
    )
    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED


def test_a_status_that_overtakes_the_send_call_is_applied(send, graph, whatsapp):
    graph.webhook_url = "unused"  # statuses are posted by the test itself below
    from ventanilla.channels.adapters.base import StatusUpdate
    from ventanilla.conversations.delivery import record_status

    # Before the send call returns, Meta reports "delivered" for a wamid nobody knows yet...
    record_status(
        channel=whatsapp, update=StatusUpdate(provider_id="wamid.FAKE000001", status="delivered")
    )
    assert PendingStatus.objects.count() == 1
    sent = send()  # ...then the call returns that wamid
    assert (sent.provider_id, sent.status) == ("wamid.FAKE000001", MessageStatus.DELIVERED)
    assert not PendingStatus.objects.exists()


def test_a_status_that_carries_the_tracker_finds_its_message_before_the_call_returns(
    conversation, agent, whatsapp, post_whatsapp
):
    queued = services.reply(conversation=conversation, text="x", by=agent)  # not sent yet
    post_whatsapp(
        _statuses(_status("wamid.EARLY", "sent", biz_opaque_callback_data=f"vt-{queued.pk}"))
    )
    queued.refresh_from_db()
    assert (queued.provider_id, queued.sent_at is not None) == ("wamid.EARLY", True)


def test_a_status_for_a_message_sent_by_another_tool_is_acknowledged(post_whatsapp):
    assert post_whatsapp(_statuses(_status("wamid.ELSEWHERE", "delivered"))).status_code == 200
    assert PendingStatus.objects.get().provider_id == "wamid.ELSEWHERE"


def test_statuses_reported_by_the_provider_itself_land(
    send, graph, live_server, settings, whatsapp
):
    graph.webhook_url = live_server.url + whatsapp.webhook_path
    graph.report, graph.report_first = ["sent", "delivered", "read"], True
    sent = send()
    assert sent.status == MessageStatus.READ


def test_approved_templates_are_listed_for_the_console_and_api(
    api_as, administrator, whatsapp, graph
):
    graph.templates = [
        {
            "name": "appointment_reminder",
            "language": "es",
            "status": "APPROVED",
            "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Hola {{1}}, su cita es el {{2}}."}],
        }
    ]
    response = api_as(administrator).get(f"/api/v1/channels/{whatsapp.pk}/templates")
    assert response.status_code == 200, response.content
    assert response.json() == [
        {
            "name": "appointment_reminder",
            "language": "es",
            "category": "UTILITY",
            "body": "Hola {{1}}, su cita es el {{2}}.",
            "parameters": 2,
        }
    ]


def test_an_inbound_message_from_the_fake_round_trip(
    post_whatsapp, graph, agent, django_capture_on_commit_callbacks
):
    post_whatsapp(envelope(messages=[message("wamid.RT", "text", {"body": "¿Me ayudan?"})]))
    conversation = Message.objects.get().conversation
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(conversation=conversation, text="Claro", by=agent)
    assert graph.sent[0]["to"] == "447700900301"
