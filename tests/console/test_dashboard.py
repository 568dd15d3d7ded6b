"""The console's dashboard (Figures) on the hand-worked data set of tests/reports_data.py: the key
figures beside the period before, a chart and a table per grouping, the heat map, filters,
downloads of every table, and nothing that identifies anyone."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
import time_machine
from openpyxl import load_workbook

NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
MARCH = "desk=default&start=2026-03-01&end=2026-03-31"


def get(client, path):
    with time_machine.travel(NOW, tick=False):
        return client.get(path)


def charts(page: str) -> dict:
    found = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page)
    assert found, "the page carries its charts' figures"
    return json.loads(found.group(1))


def test_an_analyst_reads_the_key_figures_and_a_chart_per_grouping(march, client, analyst):
    client.force_login(analyst)
    response = get(client, f"/console/statistics/?{MARCH}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "From 1 March 2026 to 31 March 2026 (Europe/Madrid)" in page
    assert "compared with 29 January 2026 to 28 February 2026" in page
    tiles = dict(re.findall(r'<dt>([^<]+)</dt>\s*<dd class="value">([^<]+)</dd>', page))
    assert tiles["Conversations"] == "6"
    assert tiles["First response (median)"] == "1 h 00 min"
    assert tiles["First responses in time"] == "67 %"
    assert tiles["Calls abandoned"] == "33 %"
    assert tiles["Wait on the phone (median)"] == "30 s"  # 30 s, then 90 s: the first
    assert tiles["Talk time (median)"] == "5 min"
    assert tiles["Satisfied (4 or 5 of 5)"] == "50 %"
    assert "before: 1" in page and '<span class="change same" dir="ltr">+500 %</span>' in page
    data = charts(page)
    by = {chart["grouping"]: chart for chart in data["charts"]}
    assert list(by) == ["day", "channel", "language", "topic", "request_type", "post", "team"]
    assert by["channel"]["labels"][:2] == ["Web chat", "SMS"]
    assert by["channel"]["current"][:2] == [4, 2] and by["channel"]["previous"][:2] == [1, 0]
    assert by["day"]["kind"] == "line" and "2026-03-29" in by["day"]["labels"]
    # The heat map: B and D at 23:00 on a Saturday and a Tuesday in Madrid.
    heat = re.search(r'<table class="heat">.*?</table>', page, re.S).group(0)
    saturday = re.search(r'<th scope="row">Saturday</th>(.*?)</tr>', heat, re.S).group(1)
    assert re.findall(r"<td[^>]*>(\d+)</td>", saturday)[23] == "1"
    # Counts only: no words people wrote, no addresses.
    for private in ("Hola", "Le respondemos", "visitor-A", "+34600000"):
        assert private not in page


def test_the_filters_narrow_every_figure(march, client, analyst):
    client.force_login(analyst)
    page = get(client, f"/console/statistics/?{MARCH}&language=es").content.decode()
    tiles = dict(re.findall(r'<dt>([^<]+)</dt>\s*<dd class="value">([^<]+)</dd>', page))
    assert tiles["Conversations"] == "3"
    assert '<option value="es" selected>' in page


def test_choices_it_cannot_read_show_the_last_30_days_with_a_word(march, client, analyst):
    client.force_login(analyst)
    page = get(client, "/console/statistics/?start=2026-03-31&end=2026-03-01").content.decode()
    assert "from: must not be after to" in page
    assert "From 4 March 2026 to 2 April 2026" in page  # the last 30 days
    page = get(client, "/console/statistics/?start=yesterday").content.decode()
    assert "Some choices were not understood" in page


def test_every_table_downloads_as_csv_and_xlsx(march, client, analyst):
    client.force_login(analyst)
    response = get(client, f"/console/statistics/channel.csv?{MARCH}")
    assert response.status_code == 200
    assert 'filename="figures-channel.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["key"], r["conversations"]) for r in rows][:2] == [
        ("webchat", "4"),
        ("twilio-sms", "2"),
    ]
    response = get(client, f"/console/statistics/heat.xlsx?{MARCH}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:2] == ("Weekday", "00:00") and table[7][0] == "Sunday"
    assert table[7][1] == 1  # A: Sunday 1 March at 00:30
    response = get(client, f"/console/statistics/total.xlsx?{MARCH}")
    assert response.status_code == 200
    assert get(client, "/console/statistics/colour.csv").status_code == 422
    refused = get(client, "/console/statistics/channel.csv?start=yesterday")
    assert refused.status_code == 422 and "start" in refused.content.decode()


def test_agents_do_not_see_the_figures(client, agent, desk):
    client.force_login(agent)
    assert client.get("/console/statistics/").status_code == 403
    assert client.get("/console/statistics/total.csv").status_code == 403


def test_in_arabic_the_page_reads_right_to_left(march, client, analyst):
    client.force_login(analyst)
    with time_machine.travel(NOW, tick=False):
        page = client.get(
            f"/console/statistics/?{MARCH}", headers={"Accept-Language": "ar"}
        ).content.decode()
    assert 'dir="rtl"' in page
    assert charts(page)["current"] != "This period"  # the legend speaks Arabic


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_administrators_see_them_too(client, make_staff, desk, role):
    client.force_login(make_staff(role, f"boss-{role}"))
    assert client.get("/console/statistics/").status_code == 200
