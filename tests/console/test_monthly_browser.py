"""Monthly reports in Chromium, against a real `ventanilla run --demo` and the test server:
an analyst goes from the figures to the monthly reports, writes this month's with the form
as it is, finds it kept and listed, and downloads its PDF, on a desktop and on a phone; in
Arabic the page reads right to left."""

from __future__ import annotations

import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from browsers import needs_chromium
from demo_sites import fits, signed_in

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def this_month() -> str:
    return datetime.now(ZoneInfo("Europe/Madrid")).strftime("%Y-%m")  # the demo desk's zone


@pytest.mark.parametrize("width", [1440, 390])
def test_an_analyst_writes_and_downloads_this_month_s_report(browser, site, width):
    errors: list[str] = []
    context, page = signed_in(browser, site, "ana", width, landing="Figures")
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.get_by_role("link", name="Monthly reports").click()
    page.get_by_role("heading", name="Monthly reports", exact=True).wait_for()
    month = this_month()
    page.get_by_label("Month", exact=True).fill(month)
    page.get_by_role("button", name="Write the report").click()
    named = datetime.strptime(month, "%Y-%m").strftime("%B %Y")  # as the page names it
    page.get_by_text(f"The report of {named} is written.").wait_for()
    row = page.locator("table.reports tbody tr").first
    assert "month not over" in row.inner_text()
    assert "The whole desk" in row.inner_text()
    fits(page, width)
    with page.expect_download() as downloaded:
        row.get_by_role("link", name="PDF").click()
    assert downloaded.value.suggested_filename == f"report-demo-{month}.pdf"
    pdf = downloaded.value.path().read_bytes()
    text = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Informe mensual: Línea de información consular" in text  # the desk's language
    context.close()
    assert errors == []


def test_in_arabic_the_monthly_reports_read_right_to_left_on_a_phone(browser, live_site):
    context, page = signed_in(browser, live_site, "ana", 390, landing="Figures")
    page.locator("form.language select").select_option("ar")
    page.locator("html[dir=rtl]").wait_for(state="attached")
    page.goto(f"{live_site}/console/statistics/monthly/")
    page.get_by_role("heading", name="التقارير الشهرية", exact=True).wait_for()
    page.get_by_role("button", name="اكتب التقرير").click()  # the last month ended, by default
    page.locator("table.reports tbody tr").first.wait_for()
    fits(page, 390)
    context.close()
