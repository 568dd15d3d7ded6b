"""The service-level report: compliance of the conversations opened in a period, checked
against figures worked out by hand from the same conversations."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.desks.models import RequestType, Team

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def at(*parts):
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def month(desk, webchat, make_inbound, agent):
    """Six conversations at a desk on UTC without opening hours (calendar hours count).

    | conv | type               | lang | team       | opened      | first reply | resolved |
    | A    | conditions 24/72   | es   | -          | 02 Nov 09:00 | +2 h  met  | +80 h late |
    | B    | conditions 24/72   | ar   | legal      | 03 Nov 10:00 | +30 h late | +50 h met  |
    | C    | app-status 24/48   | es   | -          | 04 Nov 08:00 | +1 h  met  | +20 h met  |
    | D    | rights 1/24        | ar   | protection | 05 Nov 12:00 | +2 h  late | open: late |
    | E    | app-status 24/48   | fr   | -          | 30 Nov 23:00 | none: 13 h so far, running |
    | F    | conditions         | es   | -          | 31 Oct 23:00 | outside the period         |
    """
    types = {}
    for slug, first, resolution in [
        ("conditions", 24, 72),
        ("application-status", 24, 48),
        ("rights-violation", 1, 24),
    ]:
        types[slug], _ = RequestType.objects.update_or_create(
            desk=desk,
            slug=slug,
            defaults={"first_response_hours": first, "resolution_hours": resolution},
        )
    legal = Team.objects.create(desk=desk, name="Legal", slug="legal")
    protection = Team.objects.create(desk=desk, name="Protection", slug="protection")
    plan = [
        ("A", "conditions", "es", None, at(2026, 11, 2, 9), 2, 80),
        ("B", "conditions", "ar", legal, at(2026, 11, 3, 10), 30, 50),
        ("C", "application-status", "es", None, at(2026, 11, 4, 8), 1, 20),
        ("D", "rights-violation", "ar", protection, at(2026, 11, 5, 12), 2, None),
        ("E", "application-status", "fr", None, at(2026, 11, 30, 23), None, None),
        ("F", "conditions", "es", None, at(2026, 10, 31, 23), 1, 2),
    ]
    for name, slug, language, team, opened, first_reply, resolved in plan:
        with time_machine.travel(opened, tick=False):
            conversation = receive(
                channel=webchat,
                inbound=make_inbound(scheme="webchat", address=f"visitor-{name}", text="Hola"),
            ).message.conversation
            services.classify(
                conversation=conversation, by=None, request_type=types[slug], language=language
            )
            if team is not None:
                services.transfer(conversation=conversation, team=team, assignee=None, by=None)
        if first_reply is not None:
            with time_machine.travel(opened + timedelta(hours=first_reply), tick=False):
                services.reply(conversation=conversation, text="Le respondemos", by=agent)
        if resolved is not None:
            with time_machine.travel(opened + timedelta(hours=resolved), tick=False):
                services.resolve(conversation=conversation, by=agent)


def figures(met, breached, running, compliance, average_hours):
    return {
        "met": met,
        "breached": breached,
        "running": running,
        "compliance": compliance,
        "average_seconds": None if average_hours is None else int(average_hours * 3600),
    }


def report(api, **query):
    with time_machine.travel(NOW, tick=False):
        return api.get(f"/api/v1/reports/sla?{urlencode(query)}")


def test_compliance_matches_the_hand_computed_figures(month, api_as, analyst):
    response = report(api_as(analyst), desk="default", **{"from": "2026-11-01", "to": "2026-11-30"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["desk"], body["from"], body["to"]) == ("default", "2026-11-01", "2026-11-30")
    total = body["total"]
    assert total["conversations"] == 5  # F opened before the period
    # First responses: A, C met; B, D late; E still running. Taken: 2, 30, 1 and 2 hours.
    assert total["first_response"] == figures(2, 2, 1, 0.5, (2 + 30 + 1 + 2) / 4)
    # Resolutions: B, C met; A late (80 > 72), D open past its 24 hours; E running.
    assert total["resolution"] == figures(2, 2, 1, 0.5, (80 + 50 + 20) / 3)

    by_type = {row["key"]: row for row in body["by_request_type"]}
    assert set(by_type) == {"conditions", "application-status", "rights-violation"}
    assert by_type["conditions"]["conversations"] == 2
    assert by_type["conditions"]["first_response"] == figures(1, 1, 0, 0.5, 16)
    assert by_type["conditions"]["resolution"] == figures(1, 1, 0, 0.5, 65)
    assert by_type["application-status"]["first_response"] == figures(1, 0, 1, 1.0, 1)
    assert by_type["application-status"]["resolution"] == figures(1, 0, 1, 1.0, 20)
    assert by_type["rights-violation"]["first_response"] == figures(0, 1, 0, 0.0, 2)
    assert by_type["rights-violation"]["resolution"] == figures(0, 1, 0, 0.0, None)

    by_team = {row["key"]: row["conversations"] for row in body["by_team"]}
    assert by_team == {"": 3, "legal": 1, "protection": 1}
    by_language = {row["key"]: row for row in body["by_language"]}
    assert {k: v["conversations"] for k, v in by_language.items()} == {"ar": 2, "es": 2, "fr": 1}
    assert by_language["ar"]["first_response"] == figures(0, 2, 0, 0.0, 16)
    assert [row["key"] for row in body["by_desk"]] == ["default"]


def test_the_period_is_read_in_the_desks_time_zone(month, api_as, analyst, desk):
    # In Tegucigalpa (UTC-6), E opened on 30 November at 17:00 and F on 31 October at
    # 17:00: the same five conversations. One day only (5 November) holds D alone.
    desk.timezone = "America/Tegucigalpa"
    desk.save()
    api = api_as(analyst)
    whole = report(api, desk="default", **{"from": "2026-11-01", "to": "2026-11-30"}).json()
    assert whole["total"]["conversations"] == 5
    day = report(api, desk="default", **{"from": "2026-11-05", "to": "2026-11-05"}).json()
    assert day["total"]["conversations"] == 1
    assert day["by_request_type"][0]["key"] == "rights-violation"


def test_without_dates_the_last_thirty_days(month, api_as, analyst):
    body = report(api_as(analyst)).json()
    assert (body["from"], body["to"]) == ("2026-11-02", "2026-12-01")
    assert body["total"]["conversations"] == 5  # A opened on the 2nd, F long before


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({"from": "2026-11-30", "to": "2026-11-01"}, "after"),
        ({"from": "2025-01-01", "to": "2026-11-01"}, "366"),
        ({"from": "yesterday"}, "from"),
        ({"desk": "nowhere"}, "no desk"),
    ],
)
def test_a_bad_period_or_desk_is_refused_clearly(api_as, analyst, desk, query, detail):
    response = report(api_as(analyst), **query)
    assert response.status_code in (400, 422), response.content
    assert {"error", "detail"} <= set(response.json())
    assert detail in response.json()["detail"]


def test_a_report_needs_the_right_to_see_statistics(api_as, make_staff, client, desk):
    assert report(client).status_code == 401
    volunteer = make_staff("agent")
    assert report(api_as(volunteer)).status_code == 403
