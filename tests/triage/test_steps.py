"""What happens to a person's message once stored, end to end through the WhatsApp webhook:
an application-status question answered at once, the bot, routing and the out-of-hours
notice, each in its turn and each once."""

import itertools
from datetime import UTC, datetime

import pytest
import time_machine

from fakes.graph import contact, envelope, message
from ventanilla.conversations.models import Conversation, Priority
from ventanilla.desks.models import Assignment, Desk, RequestType, Team
from ventanilla.desks.roles import Role
from ventanilla.desks.services import enrol_staff
from ventanilla.helpcentre.applications import Row, import_applications
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.models import BotSettings, Topic
from ventanilla.knowledge.services import import_articles
from ventanilla.server.demo_guide import GUIDE as DEMO_GUIDE
from ventanilla.teamwork.models import Notification, NotificationKind
from ventanilla.triage.models import RoutingRule

_ids = itertools.count(1)
GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "translations": {
            "es": {
                "title": "Renovar el pasaporte",
                "body": "Pida cita en el consulado con su pasaporte anterior y una foto.",
                "questions": ["renovar pasaporte caducado"],
            }
        },
    },
    {
        "key": "forced-labour",
        "topic": "trafficking",
        "translations": {
            "es": {
                "title": "Trabajo forzoso y trata",
                "body": "Si alguien le obliga a trabajar sin pagarle, le encierra o le amenaza, "
                "puede ser víctima de trata. Le ayudamos de forma confidencial.",
                "questions": ["me obligan a trabajar", "no me dejan salir de la casa"],
            }
        },
    },
]
SATURDAY_NIGHT = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)  # 23:00 in Madrid
TUESDAY_MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Madrid


@pytest.fixture
def madrid(desk):
    Desk.objects.filter(pk=desk.pk).update(
        timezone="Europe/Madrid",
        hours={day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        emergency_phone="112",
    )
    desk.refresh_from_db()
    return desk


@pytest.fixture
def write(post_whatsapp):
    def send(text, at):
        with time_machine.travel(at, tick=False):
            item = message(f"wamid.PIPE{next(_ids):04d}", "text", {"body": text})
            item["timestamp"] = str(int(at.timestamp()))
            response = post_whatsapp(envelope(messages=[item], contacts=[contact()]))
        assert response.status_code == 200

    return send


def sent_texts(graph):
    return [
        m.get("text", {}).get("body") or m.get("interactive", {}).get("body", {}).get("text")
        for m in graph.sent
    ]


def test_without_the_bot_a_message_is_routed_and_told_once_when_the_desk_opens(
    madrid, write, graph
):
    import_articles(entries=entries_from(GUIDE), by=None)  # the bot stays off
    legal = Team.objects.create(desk=madrid, name="Legal", slug="legal")
    RoutingRule.objects.create(desk=madrid, name="Spanish", language="es", team=legal)
    enrol_staff(username="ines", role=Role.AGENT, desks=[madrid], languages=["es"])
    write("Hola, me han negado el permiso de residencia", SATURDAY_NIGHT)
    write("¿Hay alguien?", SATURDAY_NIGHT.replace(minute=20))

    case = Conversation.objects.get()
    assert case.language == "es"  # recognised without the bot, for the rule
    assert case.team == legal and case.routed_at is not None and not case.interpretation
    (notice,) = sent_texts(graph)  # one notice for the whole closed weekend
    assert "112" in notice and "/help/default/es/" in notice
    write("Sigo esperando", TUESDAY_MORNING.replace(day=23, hour=15, minute=30))  # open: none
    assert len(graph.sent) == 1


def test_a_status_question_is_answered_without_the_bot_nor_routing(madrid, write, graph):
    import_articles(entries=entries_from(GUIDE), by=None)
    BotSettings.objects.create(desk=madrid, enabled=True)
    row = Row(
        "line 2",
        "ES-2026-000777",
        "Passport",
        "ready-for-collection",
        "2026-11-18",
        "Madrid",
        "1990-03-12",
    )
    import_applications(desk=madrid, rows=[row], by=None)
    write("ES-2026-000777 12/03/1990", TUESDAY_MORNING)

    (answer,) = sent_texts(graph)
    assert "ES-2026-000777" in answer and "Madrid" in answer
    case = Conversation.objects.get()
    assert case.routed_at is None and case.assignee is None


def test_an_emergency_the_bot_hands_over_reaches_its_team_urgently_and_is_assigned(
    madrid, write, graph
):
    import_articles(entries=entries_from(GUIDE), by=None)
    Topic.objects.filter(key="trafficking").update(sensitive=True, request_type="rights-violation")
    BotSettings.objects.create(desk=madrid, enabled=True)
    protection = Team.objects.create(
        desk=madrid, name="Protection", slug="protection", assignment=Assignment.LEAST_LOADED
    )
    RoutingRule.objects.create(
        desk=madrid,
        name="Rights violations",
        request_type=RequestType.objects.get(desk=madrid, slug="rights-violation"),
        team=protection,
    )
    lawyer = enrol_staff(username="lawyer", role=Role.AGENT, desks=[madrid], languages=["es"])
    lawyer.agent_profile.teams.add(protection)
    write("me obligan a trabajar y no me dejan salir", TUESDAY_MORNING)

    case = Conversation.objects.get()
    assert (case.priority, case.team, case.assignee) == (Priority.URGENT, protection, lawyer)
    assert case.request_type.slug == "rights-violation"
    kinds = set(Notification.objects.filter(recipient=lawyer).values_list("kind", flat=True))
    assert kinds == {NotificationKind.URGENT, NotificationKind.ASSIGNMENT}
    assert len(graph.sent) == 1  # the bot's handover, open hours: no notice


def test_out_of_hours_the_bots_handover_is_the_only_notice(madrid, write, graph):
    import_articles(entries=entries_from(GUIDE), by=None)
    BotSettings.objects.create(desk=madrid, enabled=True)
    write("Quiero hablar con una persona", SATURDAY_NIGHT)
    write("Hola?", SATURDAY_NIGHT.replace(minute=30))
    (handover,) = sent_texts(graph)
    assert "Monday 09:00" in handover or "lunes 09:00" in handover
    assert Conversation.objects.get().routed_at is not None


def test_darija_in_arabic_letters_gets_the_demo_guides_passport_renewal_in_arabic(
    madrid, write, graph
):
    import_articles(entries=entries_from(DEMO_GUIDE), by=None)
    BotSettings.objects.create(desk=madrid, enabled=True)
    write("جواز السفر ديالي سالا، كيفاش نجددو؟", TUESDAY_MORNING)

    (answer,) = sent_texts(graph)
    assert answer.startswith("*تجديد جواز السفر*")
    link = "http://127.0.0.1:8000/help/default/ar/articles/passport-renewal/"
    assert f"\u2068{link}\u2069" in answer  # isolated: it reads left to right in Arabic
    case = Conversation.objects.get()
    assert case.language == "ary" and case.topic == "passports"
    assert case.routed_at is None and case.assignee is None


@pytest.mark.parametrize(
    "text",
    [
        "I want to know the status of my application",
        "Quiero saber el estado de mi solicitud",
        "Ich möchte den Status meines Antrags wissen",
        "ⵔⵉⵖ ⴰⴷ ⵙⵙⵏⵖ ⴰⴷⴷⴰⴷ ⵏ ⵜⵓⵜⵔⴰ ⵉⵏⵓ",  # noqa: RUF001 (Tifinagh)
        "بغيت نعرف فين وصل الطلب ديالي",
    ],
)
def test_asking_for_a_status_gets_a_question_for_the_reference_not_a_person(
    madrid, write, graph, text
):
    import_articles(entries=entries_from(GUIDE), by=None)
    BotSettings.objects.create(desk=madrid, enabled=True)
    row = Row(
        "line 2", "ES-2026-000777", "Passport", "received", "2026-11-18", "Madrid", "1990-03-12"
    )
    import_applications(desk=madrid, rows=[row], by=None)
    write(text, TUESDAY_MORNING)

    assert len(graph.sent) == 1
    case = Conversation.objects.get()
    assert case.messages.filter(direction="out").get().details["status_lookup"] == "ask-reference"
    assert case.routed_at is None and case.assignee is None and case.status == "pending"
    write("ES-2026-000777 12/03/1990", TUESDAY_MORNING.replace(minute=5))
    assert "ES-2026-000777" in sent_texts(graph)[1]
