"""Trends for advocacy in Chromium, against a real `ventanilla run --demo` and the test
server: an analyst goes from the figures to the trends, asks for a larger smallest group with
the form as it is, and downloads the dataset, on a desktop and on a phone; a smaller group
than the desk allows is refused on the page; in Arabic the page reads right to left."""

from __future__ import annotations

import csv
import io

import pytest

from browsers import needs_chromium
from demo_sites import fits, signed_in

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

COLUMNS = "week,desk,channel,language,topic,request_type,outcome,post,country,conversations"


@pytest.mark.parametrize("width", [1440, 390])
def test_an_analyst_narrows_and_downloads_the_dataset(browser, site, width):
    errors: list[str] = []
    context, page = signed_in(browser, site, "ana", width, landing="Figures")
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.get_by_role("link", name="Trends for advocacy").click()
    page.get_by_role("heading", name="Trends for advocacy", exact=True).wait_for()
    page.get_by_label("Smallest group").fill("6")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**k=6**")
    assert "demo: k = 6" in page.get_by_role("region", name="The dataset").inner_text()
    page.get_by_role("heading", name="Recurring questions").wait_for()
    fits(page, width)
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Download the dataset (CSV)").click()
    lines = list(csv.reader(io.StringIO(downloaded.value.path().read_text(encoding="utf-8"))))
    assert ",".join(lines[0]) == COLUMNS
    assert all(int(line[-1]) >= 6 for line in lines[1:])  # no group under the k asked for

    page.get_by_label("Smallest group").fill("2")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**k=2**")
    assert "k: at least 5" in page.get_by_role("alert").inner_text()
    context.close()
    assert errors == []


def test_in_arabic_the_trends_read_right_to_left_on_a_phone(browser, live_site):
    context, page = signed_in(browser, live_site, "ana", 390, landing="Figures")
    page.locator("form.language select").select_option("ar")
    page.locator("html[dir=rtl]").wait_for(state="attached")
    page.goto(f"{live_site}/console/statistics/advocacy/")
    page.get_by_role("heading", name="اتجاهات لأغراض المناصرة", exact=True).wait_for()
    page.get_by_role("heading", name="الأسئلة المتكررة").wait_for()
    fits(page, 390)
    context.close()
