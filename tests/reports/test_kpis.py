"""The dashboard's figures, checked against values worked out by hand on a small fixed data
set with the edge cases: conversations at the period's edges (in the desk's zone, not
UTC's), a reopened one, a paused one, days and hours in Madrid across the change to summer
time (Sunday 29 March 2026, 02:00 CET -> 03:00 CEST), calls, surveys, a complaint and
referrals. Every expected figure is worked out in the fixture's table or beside it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from ventanilla.reports.kpis import figure_names, kpis

NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)  # when the report is read (the `march` data)
H = 3600


def report(user, **asked):
    with time_machine.travel(NOW, tick=False):
        return kpis(user, desk="default", **asked)


def march_of(user, **asked):
    return report(
        user, start=datetime(2026, 3, 1).date(), end=datetime(2026, 3, 31).date(), **asked
    )


def test_the_totals_of_march_as_worked_out_by_hand(march, analyst):
    found = march_of(analyst)
    assert (found["from"].isoformat(), found["to"].isoformat()) == ("2026-03-01", "2026-03-31")
    assert found["timezone"] == "Europe/Madrid"
    # The 31 days before: 29 January to 28 February.
    assert [day.isoformat() for day in found["previous"].values()] == ["2026-01-29", "2026-02-28"]
    total = found["total"]
    expected = {
        # A, B, C, D, G, H (E opens in April in Madrid, F in February).
        "conversations": 6,
        "responded": 5,
        "resolved": 5,
        # First responses: A 2 h, B 30 h, C 1 h, G 1 h, H 1 h -> sorted 1, 1, 1, 2, 30:
        # the median is the 3rd (1 h), the 90th percentile the 5th (30 h).
        "first_response_median_seconds": 1 * H,
        "first_response_p90_seconds": 30 * H,
        # Met: A, C, G, H; breached: B (30 h > 24 h) and D (running, 36.5 h > 24 h).
        "first_response_met": 4,
        "first_response_breached": 2,
        "first_response_compliance": round(4 / 6, 4),
        # Waiting for a person: as the first response, but B from the bot's handover (+1 h):
        # 1, 1, 1, 2, 29 hours.
        "waiting_median_seconds": 1 * H,
        "waiting_p90_seconds": 29 * H,
        # Handle (first reply to resolution): A 8, B 20, C 19, G 25, H 30 -> median 20.
        "handle_median_seconds": 20 * H,
        "handle_p90_seconds": 30 * H,
        # Resolution (opening to the last resolution): A 10, B 50, C 20, G 26, H 31.
        "resolution_median_seconds": 26 * H,
        "resolution_p90_seconds": 50 * H,
        # Counted resolution time: A 10, B 50, C 20, G 2 + 2 (paused while resolved),
        # H 1 + 1 (paused while pending): all within their targets; D not late yet (72 h).
        "resolution_met": 5,
        "resolution_breached": 0,
        "resolution_compliance": 1.0,
        # The bot spoke in B (handed over), D (no one else answered: contained) and G
        # (answered, then staff took over).
        "bot_conversations": 3,
        "bot_handed_over": 1,
        "bot_contained": 1,
        "containment_rate": round(1 / 3, 4),
        "handover_rate": round(1 / 3, 4),
        # Calls: CA01 (30 s), CA02 (90 s) answered, CA03 abandoned; CA04 is in April.
        "calls": 3,
        "calls_answered": 2,
        "calls_abandoned": 1,
        "calls_answered_within_60s": 1,
        "abandonment_rate": round(1 / 3, 4),
        "calls_service_level": round(1 / 3, 4),
        "call_wait_median_seconds": 30,
        "call_wait_p90_seconds": 90,
        "call_abandon_wait_median_seconds": 45,
        "talk_median_seconds": 300,
        "talk_p90_seconds": 600,
        # Surveys answered in March: A (5, solved) and B (2, not solved).
        "surveys_answered": 2,
        "surveys_scored": 2,
        "satisfied": 1,
        "satisfied_rate": 0.5,
        "score_average": 3.5,
        "solved_rate": 0.5,
        # The complaint about C, answered 24 hours after it was filed.
        "complaints": 1,
        "complaints_answered": 1,
        "complaint_answer_median_seconds": 24 * H,
        "suggestions": 0,
        # Referrals from A (reached) and G (pending).
        "referrals": 2,
        "referrals_reached": 1,
        "referrals_followed_up": 1,
        "referrals_reached_rate": 1.0,
    }
    assert {name: total[name] for name in expected} == expected
    assert set(total) == set(figure_names())


def test_the_period_before_has_its_own_figures(march, analyst):
    before = march_of(analyst)["total_previous"]
    # F only: replied after 4 hours, resolved after 6; scored 4.
    assert before["conversations"] == 1
    assert before["first_response_median_seconds"] == 4 * H
    assert before["resolution_median_seconds"] == 6 * H
    assert (before["first_response_met"], before["first_response_breached"]) == (1, 0)
    assert (before["surveys_answered"], before["score_average"]) == (1, 4.0)
    assert before["calls"] == 0 and before["call_wait_median_seconds"] is None
    assert before["containment_rate"] is None  # the bot did not speak: no rate


def test_days_and_hours_are_the_desk_s_across_the_change_to_summer_time(march, analyst):
    by_day = {
        group["key"]: group["figures"]["conversations"]
        for group in march_of(analyst, group_by="day")["groups"]
    }
    # A on 1 March (28 February in UTC); C on 29 March at 03:30 CEST (01:30 UTC).
    assert {day: n for day, n in by_day.items() if n} == {
        "2026-03-01": 1,
        "2026-03-10": 1,
        "2026-03-12": 1,
        "2026-03-28": 1,
        "2026-03-29": 1,
        "2026-03-31": 1,
    }
    hours = march_of(analyst, group_by="hour")["groups"]
    by_hour = {group["key"]: group["figures"]["conversations"] for group in hours}
    # B at 23:30 CET (22:30 UTC) and D at 23:30 CEST (21:30 UTC): both 23 in Madrid.
    assert {hour: n for hour, n in by_hour.items() if n} == {"0": 1, "3": 1, "9": 2, "23": 2}
    assert [group["label"] for group in hours][:2] == ["00:00", "03:00"]
    # Calls by day, from their own start: 5 March twice, 30 March once.
    calls = {
        group["key"]: group["figures"]["calls"]
        for group in march_of(analyst, group_by="day")["groups"]
        if group["figures"]["calls"]
    }
    assert calls == {"2026-03-05": 2, "2026-03-30": 1}


def test_figures_by_channel_and_by_language(march, analyst):
    by_channel = {group["key"]: group for group in march_of(analyst, group_by="channel")["groups"]}
    webchat, sms = by_channel["webchat"]["figures"], by_channel["twilio-sms"]["figures"]
    assert (webchat["conversations"], sms["conversations"]) == (4, 2)
    # Web chat: A 2, B 30, G 1, H 1 -> sorted 1, 1, 2, 30: median the 2nd, p90 the 4th.
    assert (webchat["first_response_median_seconds"], webchat["first_response_p90_seconds"]) == (
        1 * H,
        30 * H,
    )
    # SMS: C replied after 1 hour; D not at all (late).
    assert sms["first_response_median_seconds"] == 1 * H
    assert (sms["first_response_met"], sms["first_response_breached"]) == (1, 1)
    assert by_channel["webchat"]["previous"]["conversations"] == 1  # F
    assert by_channel["webchat"]["label"] == "Web chat"
    # The calls belong to no conversation here: counted under "not set", listed last.
    groups = march_of(analyst, group_by="channel")["groups"]
    assert groups[-1]["key"] is None and groups[-1]["figures"]["calls"] == 3

    by_language = {
        group["key"]: group["figures"] for group in march_of(analyst, group_by="language")["groups"]
    }
    assert {code: figures["conversations"] for code, figures in by_language.items() if code} == {
        "es": 3,
        "ar": 1,
        "fr": 1,
        "nl": 1,
    }
    assert by_language["es"]["complaints"] == 1  # about C
    assert by_language["es"]["referrals"] == 2  # from A and G
    assert by_language["ar"]["score_average"] == 2.0
    # Waiting in Spanish: A 2 h, C 1 h, G 1 h (the bot spoke in G alone): the 90th
    # percentile is the 3rd of three, 2 hours.
    assert by_language["es"]["waiting_p90_seconds"] == 2 * H


def test_figures_by_request_type_are_labelled_in_the_reader_s_language(march, analyst):
    from django.utils import translation

    with translation.override("fr"):
        found = march_of(analyst, group_by="request_type")
    by_type = {group["key"]: group for group in found["groups"]}
    # C became a complaint when it was filed: its clocks judged again on 48 h / 360 h.
    assert by_type["conditions"]["figures"]["conversations"] == 5
    assert by_type["complaint"]["figures"]["conversations"] == 1
    assert by_type["conditions"]["label"] == "Informations sur les conditions"
    assert by_type["conditions"]["names"]["ar"] == "معلومات عن الشروط"


def test_a_filter_narrows_every_family(march, analyst):
    found = march_of(analyst, language="es")
    assert found["filters"] == {"language": "es"}
    total = found["total"]
    assert (total["conversations"], total["referrals"], total["complaints"]) == (3, 2, 1)
    assert total["surveys_answered"] == 1  # A's
    assert total["calls"] == 0  # calls without a conversation have no language


def test_bad_groupings_and_periods_are_refused(march, analyst):
    from ventanilla.lib.errors import Invalid

    with pytest.raises(Invalid, match="group_by"):
        report(analyst, group_by="colour")
    with pytest.raises(Invalid, match="from"):
        report(analyst, start=datetime(2026, 3, 5).date(), end=datetime(2026, 3, 1).date())
    with pytest.raises(Invalid, match="channel"):
        report(analyst, channel="pigeon")


def test_the_dashboard_s_brief_groups_give_the_same_figures_it_shows(march, analyst):
    from ventanilla.reports.kpis import dashboard

    with time_machine.travel(NOW, tick=False):
        asked = {"desk": "default", "start": datetime(2026, 3, 1).date()}
        asked["end"] = datetime(2026, 3, 31).date()
        brief = dashboard(analyst, groupings=["channel", "day"], brief=True, **asked)
        full = dashboard(analyst, groupings=["channel", "day"], **asked)
    assert brief["total"] == full["total"]  # the tiles: every figure
    shown = [
        "conversations",
        "first_response_median_seconds",
        "first_response_compliance",
        "resolution_median_seconds",
        "calls",
        "satisfied_rate",
    ]
    for grouping in ("channel", "day"):
        pairs = zip(brief["by"][grouping], full["by"][grouping], strict=True)
        for short, whole in pairs:
            assert short["key"] == whole["key"]
            assert {n: short["figures"][n] for n in shown} == {
                n: whole["figures"][n] for n in shown
            }
            assert short["previous"]["conversations"] == whole["previous"]["conversations"]
    webchat = brief["by"]["channel"][0]
    assert webchat["previous"]["first_response_median_seconds"] is None  # not worked out
    assert webchat["figures"]["complaints"] == 0  # nor this: the page does not show it
