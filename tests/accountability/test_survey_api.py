"""The surveys' API: a desk's settings (read, changed, refused when wrong) and the results,
checked against figures worked out by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accountability.conftest import ASKED
from ventanilla.accountability.models import SurveySettings


def test_a_desk_starts_with_surveys_off_and_a_supervisor_turns_them_on(api_as, supervisor, desk):
    boss = api_as(supervisor)
    shown = boss.get(f"/api/v1/desks/{desk.slug}/survey").json()
    assert shown == {"desk": desk.slug, "enabled": False, "period_days": 30,
                     "expire_hours": 24, "template": "", "alert_score": 2}  # fmt: skip
    changed = boss.patch(
        f"/api/v1/desks/{desk.slug}/survey",
        {"enabled": True, "period_days": 90, "template": " encuesta_satisfaccion "},
    )
    assert changed.status_code == 200
    assert changed.json()["template"] == "encuesta_satisfaccion"
    saved = SurveySettings.objects.get(desk=desk)
    assert (saved.enabled, saved.period_days, saved.expire_hours) == (True, 90, 24)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"period_days": 0}, "period_days"),
        ({"expire_hours": 500}, "expire_hours"),
        ({"alert_score": 5}, "alert_score"),
        ({"enabled": None}, "must not be null"),
        ({"enable": True}, "enable"),
        ({"template": "x" * 600}, "template"),
    ],
)
def test_wrong_settings_are_refused_and_nothing_changes(api_as, supervisor, desk, body, reason):
    boss = api_as(supervisor)
    boss.patch(f"/api/v1/desks/{desk.slug}/survey", {"enabled": True, "period_days": 60})
    refused = boss.patch(f"/api/v1/desks/{desk.slug}/survey", body)
    assert refused.status_code == 422
    assert refused.json()["error"] and reason in refused.content.decode()
    saved = SurveySettings.objects.get(desk=desk)
    assert (saved.enabled, saved.period_days, saved.alert_score) == (True, 60, 2)


def test_agents_and_analysts_may_not_change_the_settings(api_as, agent, analyst, desk, other_desk):
    path = f"/api/v1/desks/{desk.slug}/survey"
    assert api_as(agent).get(path).status_code == 403
    assert api_as(analyst).patch(path, {"enabled": True}).status_code == 403
    assert not SurveySettings.objects.exists()


def test_csat_and_resolution_rate_are_the_figures_worked_out_by_hand(
    api_as, supervisor, desk, answered
):
    found = api_as(supervisor).get(
        "/api/v1/surveys/results", desk=desk.slug, group_by="agent", **{"from": "2026-11-01"}
    )
    assert found.status_code == 200
    body = found.json()
    # Six asked (the seventh was passed over); five answered; scores 5, 4, 2, 3, 5: three of
    # five are 4 or 5 (CSAT 60 %), average 19 / 5 = 3.8; "solved?" yes, yes, no, yes: 75 %.
    assert body["total"] == {
        "key": "", "label": "All", "asked": 6, "answered": 5, "response_rate": 83.3,
        "scores": 5, "csat": 60.0, "average_score": 3.8, "solved_answers": 4,
        "resolution_rate": 75.0, "comments": 2,
    }  # fmt: skip
    by_agent = {group["key"]: group for group in body["groups"]}
    assert by_agent["lucia"]["csat"] == 66.7 and by_agent["lucia"]["resolution_rate"] == 66.7
    assert by_agent["omar"]["asked"] == 3 and by_agent["omar"]["answered"] == 2
    assert by_agent["omar"]["csat"] == 50.0 and by_agent["omar"]["average_score"] == 4.0
    languages = api_as(supervisor).get("/api/v1/surveys/results", group_by="language").json()
    assert {g["key"]: g["asked"] for g in languages["groups"]} == {"es": 3, "ar": 2, "fr": 1}


def test_a_period_with_no_survey_has_no_rates(api_as, analyst, desk, answered):
    found = api_as(analyst).get(
        "/api/v1/surveys/results", **{"from": "2026-12-01", "to": "2026-12-31"}
    )
    assert found.status_code == 200  # analysts read the figures: aggregates only
    total = found.json()["total"]
    assert total["asked"] == 0 and total["csat"] is None and total["resolution_rate"] is None


@pytest.mark.parametrize(
    "query",
    [
        {"group_by": "contact"},
        {"from": "2026-12-31", "to": "2026-12-01"},
        {"from": "yesterday"},
        {"desk": "no-such-desk"},
    ],
)
def test_bad_questions_about_results_get_422(api_as, supervisor, desk, query):
    found = api_as(supervisor).get("/api/v1/surveys/results", **query)
    assert found.status_code == 422 and found.json()["detail"]


def test_agents_do_not_read_results(api_as, agent):
    assert api_as(agent).get("/api/v1/surveys/results").status_code == 403


def test_the_last_day_of_a_period_counts_whole(api_as, supervisor, desk, answered):
    day = (ASKED + timedelta(hours=11)).date().isoformat()  # asked at noon that day
    found = api_as(supervisor).get("/api/v1/surveys/results", **{"from": day, "to": day})
    assert found.json()["total"]["asked"] == 6
