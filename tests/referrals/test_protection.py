"""Rights-violation reports end to end: told to the bot by SMS (fake Twilio) question by
question in the person's language; read by the protection team and the desk's supervisors,
refused to any other agent (403, and the conversation gone from their search and exports);
an urgent one told at once; counted for analysts by type, place and month, no more."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from fakes.twilio import inbound_sms
from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import Team
from ventanilla.referrals import protection_flow
from ventanilla.referrals.models import ProtectionReport, ReferralSettings
from ventanilla.teamwork.models import Notification

_ids = itertools.count(1)
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PERSON = "+34600100777"


@pytest.fixture
def team(desk, make_staff):
    desk.languages = ["es", "ar", "fr"]
    desk.emergency_phone = "112"
    desk.save()
    protection = Team.objects.create(desk=desk, slug="proteccion", name="Protección")
    ReferralSettings.objects.create(desk=desk, protection_team=protection)
    member = make_staff("agent", "nadia")
    member.agent_profile.teams.add(protection)
    return {"team": protection, "member": member}


@pytest.fixture
def text(post_twilio, sms):
    def send(body, moment=TUESDAY, sender=PERSON):
        sid = f"SM{next(_ids):032d}"
        with time_machine.travel(moment, tick=False):
            response = post_twilio(sms.webhook_path, inbound_sms(sid, sender, body))
        assert response.status_code == 200

    return send


def last_sms(twilio):
    return twilio.sent[-1]["Body"][-1]


def tell_a_report(text, twilio):
    """The whole report by SMS, in Spanish, answering menus with their numbers."""
    text("DENUNCIA")
    assert "¿Qué pasó?" in last_sms(twilio) and "1." in last_sms(twilio)
    text("4")  # labour exploitation
    text("Trabajo 12 horas y el patrón me quitó el pasaporte")
    text("desde marzo")
    text("Almería, invernadero de El Ejido")
    text("4")  # an employer
    text("Invernaderos Sol y Mar")
    text("somos 3")
    text("sí")  # someone is in danger now
    text("Que me devuelvan el pasaporte")


def test_a_report_told_to_the_bot_by_sms_reaches_the_protection_team_only(
    text, twilio, team, agent, supervisor, api_as, client
):
    tell_a_report(text, twilio)
    report = ProtectionReport.objects.get()
    assert (report.state, report.source, report.violation) == ("new", "bot", "exploitation")
    assert report.account == "Trabajo 12 horas y el patrón me quitó el pasaporte"
    assert (report.perpetrator, report.people_affected, report.urgency) == ("employer", 3,
                                                                           "emergency")  # fmt: skip
    assert report.place == "Almería, invernadero de El Ejido"
    assert report.perpetrator_name == "Invernaderos Sol y Mar"
    assert report.wants == "Que me devuelvan el pasaporte"
    thanks = last_sms(twilio)
    assert str(report.pk) in thanks and "112" in thanks  # in danger: the emergency number
    conversation = Conversation.objects.get()
    assert conversation.restricted and conversation.team == team["team"]
    assert conversation.priority == "urgent"
    told = {n.recipient.username for n in Notification.objects.filter(kind="protection")}
    assert told == {"nadia", "supervisor"}
    # The protection team and the supervisor read it
    for reader in (team["member"], supervisor):
        listed = api_as(reader).get("/api/v1/protection-reports")
        assert [r["id"] for r in listed.json()["items"]] == [report.pk]
        assert api_as(reader).get(f"/api/v1/protection-reports/{report.pk}").status_code == 200
    # Another agent of the desk does not: refused, and the case is out of their search
    other = api_as(agent)
    assert other.get("/api/v1/protection-reports").status_code == 403
    assert other.get(f"/api/v1/protection-reports/{report.pk}").status_code == 403
    assert other.get("/api/v1/protection-reports?format=csv").status_code == 403
    assert other.get("/api/v1/conversations", q="pasaporte").json()["items"] == []
    assert other.get(f"/api/v1/conversations/{conversation.pk}").status_code == 404
    client.force_login(agent)
    assert (
        conversation.reference not in client.get("/console/", {"q": "pasaporte"}).content.decode()
    )
    assert client.get("/console/protection/").status_code == 403
    exported = api_as(team["member"]).get("/api/v1/protection-reports?format=csv")
    assert "me quitó el pasaporte" in b"".join(exported.streaming_content).decode()


def test_the_questions_come_in_the_persons_language_and_stop_keeps_nothing(text, twilio, team):
    text("بلاغ")
    assert "ماذا حدث" in last_sms(twilio) or "حدث" in last_sms(twilio)
    text("1")
    text("اعتقلوني في الميناء")
    assert ProtectionReport.objects.get().state == "draft"
    text("توقف")
    assert ProtectionReport.objects.count() == 0
    assert Conversation.objects.get().restricted is False


def test_an_answer_not_understood_is_asked_again(text, twilio, team):
    text("DENUNCIA")
    text("quince")  # not a choice of the list
    assert ProtectionReport.objects.get().step == "violation"
    text("11")  # beyond the list
    assert ProtectionReport.objects.get().step == "violation"
    text("1")
    assert ProtectionReport.objects.get().step == "account"


def test_a_report_left_half_told_is_filed_a_day_later(text, twilio, team):
    text("DENUNCIA")
    text("2")
    text("Me pegaron en la frontera")
    protection_flow.file_left_drafts(now=TUESDAY + timedelta(hours=2))
    assert ProtectionReport.objects.get().state == "draft"
    with time_machine.travel(TUESDAY + timedelta(hours=25), tick=False):
        protection_flow.file_left_drafts()
    report = ProtectionReport.objects.get()
    assert report.state == "new" and report.account == "Me pegaron en la frontera"
    text("DENUNCIA", sender="+34600100778")  # told nothing: removed after the day
    with time_machine.travel(TUESDAY + timedelta(hours=25), tick=False):
        protection_flow.file_left_drafts()
    assert ProtectionReport.objects.count() == 1


def test_staff_file_a_report_and_the_team_moves_it_on(api_as, team, agent, webchat, make_inbound):
    from ventanilla.conversations.inbound import receive

    conversation = receive(channel=webchat, inbound=make_inbound(text="Necesito ayuda")).message
    key = conversation.conversation.reference
    body = {
        "conversation": key,
        "violation": "detention",
        "account": "Detenido dos días sin intérprete",
        "place": "Algeciras",
        "perpetrator": "police",
        "people_affected": 1,
        "urgency": "urgent",
        "wants": "Asistencia consular",
    }
    made = api_as(agent).post("/api/v1/protection-reports", body)
    assert made.status_code == 201, made.content
    report = made.json()
    assert report["by"] == "agent" and report["state"] == "new"
    assert api_as(agent).get(f"/api/v1/protection-reports/{report['id']}").status_code == 403
    member = api_as(team["member"])
    moved = member.patch(f"/api/v1/protection-reports/{report['id']}", {"state": "acting",
                         "happened_on": "2026-11-20"})  # fmt: skip
    assert moved.status_code == 200 and moved.json()["happened_on"] == "2026-11-20"
    assert moved.json()["account"] == "Detenido dos días sin intérprete"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({}, "say at least what happened"),
        ({"violation": "gossip"}, "violation"),
        ({"violation": "other", "people_affected": 0}, "people_affected"),
        ({"violation": "other", "happened_on": "2099-01-01"}, "has not come yet"),
        ({"violation": "other", "colour": "red"}, "colour"),
    ],
)
def test_a_report_that_says_too_little_or_too_much_is_refused(
    api_as, team, agent, webchat, make_inbound, body, said
):
    from ventanilla.conversations.inbound import receive

    message = receive(channel=webchat, inbound=make_inbound(text="Hola")).message
    response = api_as(agent).post(
        "/api/v1/protection-reports", {"conversation": str(message.conversation_id), **body}
    )
    assert response.status_code == 422, response.content
    assert said in response.json()["detail"]
    assert ProtectionReport.objects.count() == 0


def test_analysts_count_reports_by_type_place_and_month_without_content(
    api_as, analyst, team, agent, webchat, make_inbound
):
    from ventanilla.conversations.inbound import receive
    from ventanilla.referrals.protection import Told, file_report

    places = ["Ceuta", "ceuta ", "CEUTA", "Pueblo Pequeño"]
    for n, place in enumerate(places):
        message = receive(channel=webchat, inbound=make_inbound(
            text="Hola", address=f"visitor-{n}", scheme="webchat")).message  # fmt: skip
        with time_machine.travel(datetime(2026, 10, 5 + n, 12, tzinfo=UTC), tick=False):
            told = Told(violation="expulsion", place=place, account="secreto")
            file_report(conversation=message.conversation, by=agent, told=told)
    counts = api_as(analyst).get("/api/v1/protection-reports/counts?from=2026-10-01")
    assert counts.status_code == 200
    assert counts.json()["rows"] == [
        {"violation": "expulsion", "place": None, "month": "2026-10", "reports": 1},
        {"violation": "expulsion", "place": "Ceuta", "month": "2026-10", "reports": 3},
    ]
    assert "secreto" not in counts.content.decode()
    assert api_as(analyst).get("/api/v1/protection-reports").status_code == 403
    assert api_as(analyst).get("/api/v1/protection-reports/counts?to=2026-09-30").json() == {
        "rows": []
    }


def test_an_agent_takes_a_report_in_the_console_and_the_team_moves_it_on(
    client, team, agent, supervisor, webchat, make_inbound
):
    from ventanilla.conversations.inbound import receive

    message = receive(channel=webchat, inbound=make_inbound(text="Me quitaron el dinero")).message
    client.force_login(agent)
    page = client.get(f"/console/c/{message.conversation_id}/").content.decode()
    assert 'id="report"' in page and "/console/protection/" not in page  # not a reader
    done = client.post(
        f"/console/c/{message.conversation_id}/report/",
        {"violation": "extortion", "account": "En la estación de autobuses", "place": "Madrid",
         "people_affected": "2", "urgency": "urgent", "perpetrator": "criminals"},
        follow=True,
    )  # fmt: skip
    report = ProtectionReport.objects.get()
    assert f"Report {report.pk} filed" in done.content.decode()
    assert (report.by, report.people_affected, report.urgency) == (agent, 2, "urgent")
    assert client.get("/console/protection/").status_code == 403
    assert client.get(f"/console/protection/{report.pk}/").status_code == 403
    client.force_login(team["member"])
    listed = client.get("/console/protection/").content.decode()
    assert f"/console/protection/{report.pk}/" in listed and "/console/protection/" in listed
    shown = client.get(f"/console/protection/{report.pk}/").content.decode()
    assert "En la estación de autobuses" in shown
    fields = {"violation": "extortion", "account": "En la estación de autobuses",
              "people_affected": "2", "urgency": "urgent", "state": "acting"}  # fmt: skip
    client.post(f"/console/protection/{report.pk}/", fields)
    report.refresh_from_db()
    assert report.state == "acting" and report.place == ""  # corrected: the place emptied
    client.force_login(supervisor)
    assert client.get(f"/console/protection/{report.pk}/").status_code == 200


def test_analysts_read_the_figures_of_referrals_and_reports_in_the_console(
    client, analyst, team, agent, webchat, make_inbound, directory
):
    from ventanilla.conversations.inbound import receive
    from ventanilla.referrals.protection import Told, file_report
    from ventanilla.referrals.services import refer

    message = receive(channel=webchat, inbound=make_inbound(text="Hola")).message
    refer(conversation=message.conversation, to=[directory["albergue-sur"]], by=agent,
          consent=True, send=False)  # fmt: skip
    told = Told(violation="missing", place="Melilla", account="Mi hermano no aparece")
    file_report(conversation=message.conversation, told=told, by=agent)
    client.force_login(analyst)
    page = client.get("/console/statistics/").content.decode()
    assert 'id="referral-figures"' in page and "Shelter" in page
    assert 'id="report-figures"' in page and "A missing person" in page
    assert "Melilla" not in page and "Mi hermano" not in page  # one report: elsewhere


def test_what_was_told_goes_with_the_conversations_content_and_the_figures_stay(
    api_as, supervisor, team, agent, webchat, make_inbound, directory
):
    from ventanilla.conversations.inbound import receive
    from ventanilla.referrals.models import Referral
    from ventanilla.referrals.protection import Told, file_report
    from ventanilla.referrals.services import refer

    message = receive(channel=webchat, inbound=make_inbound(text="Hola")).message
    conversation = message.conversation
    refer(conversation=conversation, to=[directory["albergue-sur"]], by=agent, consent=True,
          send=False, note="Vive en la calle Mayor")  # fmt: skip
    told = Told(violation="violence", place="Ceuta", account="Me golpearon", wants="Justicia")
    report = file_report(conversation=conversation, told=told, by=agent)
    erased = api_as(supervisor).post(
        f"/api/v1/contacts/{conversation.contact.pseudonym}/erase", {"reason": "Lo pidió"}
    )
    assert erased.status_code == 200, erased.content
    report.refresh_from_db()
    assert (report.account, report.wants) == ("", "")
    assert (report.violation, report.place) == ("violence", "Ceuta")
    assert Referral.objects.get().note == ""


def test_the_teams_list_shows_emergencies_first_then_the_newest(
    client, team, agent, webchat, make_inbound
):
    from ventanilla.conversations.inbound import receive
    from ventanilla.referrals.protection import Told, file_report

    made = []
    for n, urgency in enumerate(["normal", "emergency", "normal"]):
        message = receive(channel=webchat, inbound=make_inbound(
            text="Hola", address=f"visitor-order-{n}", scheme="webchat")).message  # fmt: skip
        told = Told(violation="other", account=f"caso {n}", urgency=urgency)
        made.append(file_report(conversation=message.conversation, told=told, by=agent).pk)
    client.force_login(team["member"])
    page = client.get("/console/protection/").content.decode()
    order = sorted(made, key=lambda pk: page.index(f"/console/protection/{pk}/"))
    assert order == [made[1], made[2], made[0]]
