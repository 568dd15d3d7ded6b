"""The dashboard in Chromium, against a real `ventanilla run --demo` and the test server:
an analyst reads the figures on a desktop and on a phone (the charts drawn, nothing wider
than the screen), narrows them with the form as it is, takes a period one click away and
downloads a table; in Arabic the page reads right to left."""

from __future__ import annotations

import pytest

from browsers import needs_chromium
from demo_sites import fits, signed_in

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

DRAWN = "id => !!(window.Chart && window.Chart.getChart(document.getElementById(id)))"


@pytest.mark.parametrize("width", [1440, 390])
def test_an_analyst_reads_narrows_and_downloads_the_figures(browser, site, width):
    errors: list[str] = []
    context, page = signed_in(browser, site, "ana", width, landing="Figures")
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.get_by_role("link", name="Last 30 days").click()
    page.wait_for_url("**start=**")
    page.wait_for_function(DRAWN, arg="chart-channel")
    page.wait_for_function(DRAWN, arg="chart-day")
    assert page.locator(".tile").count() == 14
    conversations = page.locator(".tile", has_text="Conversations").locator(".value")
    assert int(conversations.inner_text().replace("\u202f", "")) > 0
    fits(page, width)

    channel = page.get_by_role("region", name="By channel")
    with page.expect_download() as downloaded:
        channel.get_by_role("link", name="CSV").click()
    text = downloaded.value.path().read_text(encoding="utf-8")
    assert text.startswith("group_by,key,label,conversations")

    page.get_by_label("Channel", exact=True).select_option("whatsapp")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**channel=whatsapp**")
    assert page.get_by_label("Channel", exact=True).input_value() == "whatsapp"
    page.get_by_role("link", name="Last 12 months").click()
    page.wait_for_url("**channel=whatsapp**")  # the period changes, the choices stay
    assert page.get_by_label("Channel", exact=True).input_value() == "whatsapp"
    fits(page, width)
    context.close()
    assert errors == []


def test_in_arabic_the_dashboard_reads_right_to_left_on_a_phone(browser, live_site):
    errors: list[str] = []
    context, page = signed_in(browser, live_site, "ana", 390, landing="Figures")
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.locator("form.language select").select_option("ar")
    page.locator("html[dir=rtl]").wait_for(state="attached")
    page.wait_for_function(DRAWN, arg="chart-channel")
    legend = page.evaluate(
        "() => window.Chart.getChart(document.getElementById('chart-channel'))"
        ".options.plugins.legend.rtl"
    )
    assert legend is True
    assert page.get_by_role("heading", name="الأرقام", exact=True).count() == 1
    fits(page, 390)
    context.close()
    assert errors == []
