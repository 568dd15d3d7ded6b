"""Referrals end to end: made through the API on a WhatsApp conversation (fake Graph API),
the details sent in the person's language, the follow-up on its day (the agent told, the
person asked), the person's tap that records the outcome, and the outcomes counted."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from fakes.graph import contact, envelope, message
from ventanilla.contacts.models import Consent
from ventanilla.conversations.models import Conversation, Status
from ventanilla.referrals import services
from ventanilla.referrals.models import Referral
from ventanilla.referrals.tasks import follow_up_referrals
from ventanilla.teamwork.models import Notification

_ids = itertools.count(1)
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
SENDER = "447700900456"


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture(autouse=True)
def languages(desk):
    desk.languages = ["es", "ar", "fr"]
    desk.save()


@pytest.fixture
def wa(post_whatsapp):
    def send(moment, text="", *, button=""):
        wamid = f"wamid.REF{next(_ids):04d}"
        if button:
            body = {"type": "button_reply", "button_reply": {"id": button, "title": "x"}}
            item = message(wamid, "interactive", body, sender=SENDER)
        else:
            item = message(wamid, "text", {"body": text}, sender=SENDER)
        item["timestamp"] = str(int(moment.timestamp()))
        with at(moment):
            response = post_whatsapp(envelope(messages=[item], contacts=[contact(wa_id=SENDER)]))
        assert response.status_code == 200

    return send


@pytest.fixture
def asked(wa, graph):
    """A person asked in Arabic where to see a doctor; what the bot said is left aside."""
    wa(TUESDAY, "أين يمكنني أن أرى طبيبا؟ ليس لدي أوراق")
    conversation = Conversation.objects.get()
    conversation.language = "ar"
    conversation.save(update_fields=["language"])
    forget(graph)
    return conversation


def forget(graph):
    """What the fake Graph API received so far is set aside."""
    with graph.lock:
        graph.received.clear()


def refer(api, conversation, services_, **extra):
    body = {"services": [s.pk for s in services_], "consent": True, **extra}
    return api.post(f"/api/v1/conversations/{conversation.reference}/referrals", body)


def texts(graph):
    return [m.get("text", {}).get("body") or m.get("interactive", {}) for m in graph.sent]


def test_a_referral_sends_the_details_in_the_persons_language_on_whatsapp(
    api_as, agent, asked, graph, directory, django_capture_on_commit_callbacks
):
    with at(TUESDAY + timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        response = refer(api_as(agent), asked, [directory["clinica-salud"]], follow_up=True)
    assert response.status_code == 201, response.content
    body = response.json()
    assert [r["status"] for r in body["referrals"]] == ["pending"]
    assert body["referrals"][0]["follow_up_at"].startswith("2026-12-01")  # 7 days, the default
    [sent] = graph.sent
    text = sent["text"]["body"]
    assert "خدمة clinica-salud" in text  # the service's name in Arabic
    assert "بدون موعد مسبق." in text  # and its description
    assert "+34 900 000 000" in text and "Calle Inventada 1, Málaga" in text
    purposes = set(Consent.objects.filter(given=True).values_list("purpose", flat=True))
    assert purposes == {"referrals", "follow-up"}


def test_the_follow_up_tells_the_agent_and_asks_the_person_who_answers_with_a_tap(
    api_as, agent, asked, wa, graph, directory, django_capture_on_commit_callbacks
):
    with at(TUESDAY + timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        refer(api_as(agent), asked, [directory["clinica-salud"]], follow_up=True)
    wa(TUESDAY + timedelta(days=6, hours=23), "شكرا")  # the window is open a week later
    forget(graph)
    with at(TUESDAY + timedelta(days=7, hours=1)), django_capture_on_commit_callbacks(execute=True):
        follow_up_referrals.call_local()
    referral = Referral.objects.get()
    assert referral.reminded_at is not None and referral.asked_at is not None
    assert Notification.objects.filter(recipient=agent, kind="referral").count() == 1
    [question] = graph.sent
    assert question["type"] == "interactive"
    assert "خدمة clinica-salud" in question["interactive"]["body"]["text"]
    buttons = question["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == [
        f"referral.{referral.pk}.yes",
        f"referral.{referral.pk}.no",
    ]
    forget(graph)
    wa(TUESDAY + timedelta(days=7, hours=1, minutes=3), button=f"referral.{referral.pk}.yes")
    referral.refresh_from_db()
    assert referral.state == "reached" and referral.state_by is None
    assert referral.answered_at is not None
    assert len(graph.sent) == 1  # thanked, and nothing else (the bot stays out of it)
    with at(TUESDAY + timedelta(days=8)), django_capture_on_commit_callbacks(execute=True):
        follow_up_referrals.call_local()
    assert Notification.objects.filter(kind="referral").count() == 1  # followed up once


def test_a_written_no_after_the_question_is_an_answer_and_the_agent_hears_of_it(
    api_as, agent, asked, wa, graph, directory, django_capture_on_commit_callbacks
):
    with at(TUESDAY + timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        refer(api_as(agent), asked, [directory["clinica-salud"]], follow_up=True)
    wa(TUESDAY + timedelta(days=6, hours=23), "مرحبا")
    with at(TUESDAY + timedelta(days=7, hours=1)), django_capture_on_commit_callbacks(execute=True):
        services.follow_up_due()
    wa(TUESDAY + timedelta(days=7, hours=1, minutes=1), "لا")
    referral = Referral.objects.get()
    assert referral.state == "not-reached"
    assert Notification.objects.filter(recipient=agent, kind="referral").count() == 2


def test_without_consent_to_follow_up_only_the_agent_is_reminded(
    api_as, agent, asked, wa, graph, directory, django_capture_on_commit_callbacks
):
    with at(TUESDAY + timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        refer(api_as(agent), asked, [directory["clinica-salud"]], follow_up=False)
    wa(TUESDAY + timedelta(days=6, hours=23), "مرحبا")
    forget(graph)
    with at(TUESDAY + timedelta(days=7, hours=1)), django_capture_on_commit_callbacks(execute=True):
        services.follow_up_due()
    assert graph.sent == [], [str(m)[:300] for m in graph.sent]
    assert Notification.objects.filter(recipient=agent, kind="referral").count() == 1
    assert Referral.objects.get().asked_at is None


def test_staff_record_the_outcome_and_outcomes_are_counted_for_analysts(
    api_as, agent, analyst, asked, directory, django_capture_on_commit_callbacks
):
    api = api_as(agent)
    chosen = [directory["clinica-salud"], directory["legal-malaga"], directory["albergue-sur"]]
    with at(TUESDAY + timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        made = refer(api, asked, chosen).json()["referrals"]
    assert len(made) == 3
    assert api.patch(f"/api/v1/referrals/{made[0]['id']}", {"status": "reached"}).status_code == 200
    changed = api.patch(
        f"/api/v1/referrals/{made[1]['id']}", {"status": "declined", "note": "Prefiere esperar"}
    )
    assert changed.json()["status_by"] == "agent"
    listed = api.get("/api/v1/referrals?status=pending")
    assert [r["service"]["key"] for r in listed.json()["items"]] == ["albergue-sur"]
    assert api.patch(f"/api/v1/referrals/{made[2]['id']}", {"status": "lost"}).status_code == 422
    outcomes = api_as(analyst).get("/api/v1/referrals/outcomes?group_by=type")
    assert outcomes.status_code == 200
    rows = {row["key"]: row for row in outcomes.json()["rows"]}
    assert rows["health"]["reached"] == 1 and rows["health"]["reached_rate"] == 1.0
    assert rows["legal"]["declined"] == 1 and rows["legal"]["reached_rate"] is None
    assert rows["shelter"]["pending"] == 1
    assert "note" not in str(outcomes.json())
    assert api_as(analyst).get("/api/v1/referrals").status_code == 403
    by_service = api_as(analyst).get("/api/v1/referrals/outcomes?group_by=service&from=2026-11-24")
    assert {row["key"] for row in by_service.json()["rows"]} == {
        "clinica-salud",
        "legal-malaga",
        "albergue-sur",
    }
    none_yet = api_as(analyst).get("/api/v1/referrals/outcomes?to=2026-11-23")
    assert none_yet.json()["rows"] == []


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"consent": False}, "consent"),
        ({"services": []}, "services"),
        ({"services": [999999]}, "no service 999999"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_referral_that_cannot_be_made_is_refused_and_nothing_is_sent(
    api_as, agent, asked, graph, directory, body, said, django_capture_on_commit_callbacks
):
    full = {"services": [directory["clinica-salud"].pk], "consent": True, **body}
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(agent).post(f"/api/v1/conversations/{asked.pk}/referrals", full)
    assert response.status_code == 422, response.content
    assert said in response.json()["detail"]
    assert Referral.objects.count() == 0 and graph.sent == []


def test_a_service_of_another_desk_or_off_the_list_cannot_be_referred_to(
    api_as, administrator, agent, asked, graph, directory, other_desk
):
    api_as(administrator).patch(
        f"/api/v1/services/{directory['albergue-sur'].pk}", {"active": False}
    )
    response = refer(api_as(agent), asked, [directory["albergue-sur"]])
    assert response.status_code == 422
    assert Referral.objects.count() == 0


def test_outside_the_whatsapp_window_the_referral_is_refused_unless_given_another_way(
    api_as, agent, asked, graph, directory, django_capture_on_commit_callbacks
):
    api = api_as(agent)
    later = TUESDAY + timedelta(days=2)
    with at(later), django_capture_on_commit_callbacks(execute=True):
        refused = refer(api, asked, [directory["clinica-salud"]])
    assert refused.status_code == 409 and Referral.objects.count() == 0
    with at(later), django_capture_on_commit_callbacks(execute=True):
        made = refer(api, asked, [directory["clinica-salud"]], send=False)
    assert made.status_code == 201 and made.json()["message"] is None
    assert graph.sent == []


def test_a_person_who_answers_keeps_a_resolved_conversation_resolved(
    api_as, agent, asked, wa, graph, directory, django_capture_on_commit_callbacks
):
    from ventanilla.conversations import services as conversations

    with at(TUESDAY + timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        refer(api_as(agent), asked, [directory["clinica-salud"]], follow_up=True)
    wa(TUESDAY + timedelta(days=6, hours=23), "مرحبا")
    with at(TUESDAY + timedelta(days=6, hours=23, minutes=10)):
        conversations.resolve(conversation=Conversation.objects.get(), by=agent, outcome="referred")
    with at(TUESDAY + timedelta(days=7, hours=1)), django_capture_on_commit_callbacks(execute=True):
        services.follow_up_due()
    referral = Referral.objects.get()
    wa(TUESDAY + timedelta(days=7, hours=1, minutes=2), button=f"referral.{referral.pk}.no")
    assert Conversation.objects.get().status == Status.RESOLVED
    assert Referral.objects.get().state == "not-reached"


def test_the_referrals_due_for_follow_up_are_listed_on_their_day(
    api_as, agent, asked, directory, django_capture_on_commit_callbacks
):
    with at(TUESDAY + timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        refer(api_as(agent), asked, [directory["clinica-salud"]], send=False)
    with at(TUESDAY + timedelta(days=6)):
        assert api_as(agent).get("/api/v1/referrals?due=true").json()["count"] == 0
    with at(TUESDAY + timedelta(days=7, hours=1)):
        due = api_as(agent).get("/api/v1/referrals?due=true").json()
    assert [r["service"]["key"] for r in due["items"]] == ["clinica-salud"]
