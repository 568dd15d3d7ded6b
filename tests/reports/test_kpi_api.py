"""GET /api/v1/reports/kpis: the dashboard's figures as JSON, CSV and XLSX, for those who see
figures only, with clear refusals of bad periods and groupings. The figures themselves are
checked by hand in test_kpis.py on the same data set."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import time_machine
from openpyxl import load_workbook

NOW = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)  # as in test_kpis.py
MARCH = {"desk": "default", "from": "2026-03-01", "to": "2026-03-31"}


def get(api, **query):
    with time_machine.travel(NOW, tick=False):
        return api.get(f"/api/v1/reports/kpis?{urlencode(query)}")


def test_the_figures_by_channel_as_json(march, api_as, analyst):
    response = get(api_as(analyst), **MARCH, group_by="channel")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"], body["timezone"]) == (
        "2026-03-01",
        "2026-03-31",
        "Europe/Madrid",
    )
    assert body["previous"] == {"from": "2026-01-29", "to": "2026-02-28"}
    assert body["total"]["conversations"] == 6
    assert body["total"]["first_response_compliance"] == round(4 / 6, 4)
    assert body["total_previous"]["conversations"] == 1
    channels = [(group["key"], group["figures"]["conversations"]) for group in body["groups"]]
    assert channels == [("webchat", 4), ("twilio-sms", 2), (None, 0)]  # calls: no channel
    assert body["groups"][0]["previous"]["conversations"] == 1


def test_labels_follow_the_reader_s_language(march, api_as, analyst):
    api = api_as(analyst)
    with time_machine.travel(NOW, tick=False):
        response = api.client.get(
            f"/api/v1/reports/kpis?{urlencode({**MARCH, 'group_by': 'weekday'})}",
            headers={"Authorization": api.headers["Authorization"], "Accept-Language": "es"},
        )
    labels = {group["key"]: group["label"] for group in response.json()["groups"]}
    # 28 March and 1 March 2026 were Saturday and Sunday.
    assert labels["6"] == "sábado" and labels["7"] == "domingo"


def test_the_same_figures_as_csv_and_xlsx(march, api_as, analyst):
    api = api_as(analyst)
    as_json = get(api, **MARCH, group_by="language").json()
    response = get(api, **MARCH, group_by="language", format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="kpis-2026-03-01-2026-03-31.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["key"] for row in rows] == [g["key"] or "" for g in as_json["groups"]] + [""]
    total = rows[-1]
    assert (total["group_by"], total["conversations"]) == ("total", "6")
    assert total["first_response_p90_seconds"] == str(30 * 3600)
    assert total["previous_conversations"] == "1"
    spanish = next(row for row in rows if row["key"] == "es")
    assert (spanish["conversations"], spanish["referrals"]) == ("3", "2")

    response = get(api, **MARCH, group_by="language", format="xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = list(sheet.iter_rows(values_only=True))
    header = table[0]
    last = dict(zip(header, table[-1], strict=True))
    assert last["conversations"] == 6 and last["resolution_compliance"] == 1.0
    assert len(table) == len(rows) + 1


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({"group_by": "colour"}, "group_by"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "after"),
        ({"from": "2025-01-01", "to": "2026-03-01"}, "366"),
        ({"from": "last month"}, "from"),
        ({"channel": "pigeon"}, "channel"),
        ({"desk": "nowhere"}, "no desk"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_bad_periods_and_groupings_get_422(api_as, analyst, desk, query, detail):
    response = get(api_as(analyst), **query)
    assert response.status_code == 422, response.content
    assert {"error", "detail"} <= set(response.json())
    assert detail in response.json()["detail"]


def test_only_those_who_see_figures_get_them(api_as, make_staff, client, desk, supervisor):
    assert get(client).status_code == 401
    assert get(api_as(make_staff("agent"))).status_code == 403
    assert get(api_as(make_staff("volunteer", "volunteer"))).status_code == 403
    assert get(api_as(supervisor)).status_code == 200
    assert get(api_as(make_staff("admin", "boss"))).status_code == 200
