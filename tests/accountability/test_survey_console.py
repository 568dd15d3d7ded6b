"""The survey results in the console: supervisors and analysts read the figures (grouped,
downloaded); supervisors also read the latest comments and change how their desk asks."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from ventanilla.accountability.models import SurveySettings
from ventanilla.privacy.models import AuditEntry

PERIOD = {"first": "2026-11-01", "last": "2026-11-30"}


def test_a_supervisor_reads_the_figures_and_the_comments(client, supervisor, desk, answered):
    client.force_login(supervisor)
    page = client.get("/console/surveys/", {**PERIOD, "group_by": "agent"}).content.decode()
    assert "60.0 %" in page and "75.0 %" in page and "3.80 / 5" in page  # the API's figures
    assert "lucia" in page and "omar" in page
    assert "Tardaron mucho" in page and "Muy amable" in page  # the latest comments
    assert AuditEntry.objects.filter(action="survey.comments.read").exists()
    assert 'action="/console/surveys/' in page  # and the desk's settings


def test_an_analyst_reads_figures_only(client, analyst, desk, answered):
    client.force_login(analyst)
    page = client.get("/console/surveys/", PERIOD).content.decode()
    assert "60.0 %" in page
    assert "Tardaron mucho" not in page and "settings" not in page.split("<main")[-1]


def test_the_figures_download_as_a_spreadsheet(client, supervisor, desk, answered):
    client.force_login(supervisor)
    got = client.get("/console/surveys/", {**PERIOD, "group_by": "language", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(got.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("group", "key", "asked")
    by_key = {row[1]: row for row in rows[1:]}
    assert by_key["es"][2] == 3 and by_key[None][6] == 60  # the total: CSAT 60 %
    text = client.get("/console/surveys/", {**PERIOD, "format": "csv"})
    assert b"".join(text.streaming_content).decode().splitlines()[0].startswith("group,key")


def test_a_period_that_ends_before_it_starts_is_explained(client, supervisor, desk, answered):
    client.force_login(supervisor)
    page = client.get("/console/surveys/", {"first": "2026-11-30", "last": "2026-11-01"})
    assert page.status_code == 200 and "from must not be after to" in page.content.decode()


def test_a_supervisor_changes_how_the_desk_asks(client, supervisor, desk):
    client.force_login(supervisor)
    path = f"/console/surveys/{desk.slug}/settings/"
    settings = {"enabled": "on", "period_days": "60", "expire_hours": "12",
                "template": "encuesta", "alert_score": "1"}  # fmt: skip
    saved = client.post(path, settings, follow=True)
    assert "The survey settings are saved." in saved.content.decode()
    found = SurveySettings.objects.get(desk=desk)
    assert (found.enabled, found.period_days, found.expire_hours) == (True, 60, 12)
    refused = client.post(path, {"period_days": "0", "expire_hours": "12", "alert_score": "1"},
                          follow=True)  # fmt: skip
    assert "greater than or equal to 1" in refused.content.decode()
    found.refresh_from_db()
    assert (found.enabled, found.period_days) == (True, 60)  # nothing changed
