"""The survey results page in Chromium, against a real `ventanilla run --demo` and the test
server, each form submitted unaltered: a supervisor reads the demo's figures, groups them by
agent, downloads them as XLSX (read back), reads the comments, and changes how the desk asks."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from browsers import needs_chromium
from demo_sites import LOADED_MACHINE_MS, PASSWORD
from twofactor import second_step

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

KEYS: dict[str, str] = {}  # sofia's authenticator secret, per site


@pytest.mark.parametrize("width", [1440, 390])
def test_a_supervisor_reads_the_survey_results_and_changes_the_settings(browser, site, width):
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(LOADED_MACHINE_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/console/")
    page.get_by_label("Username").fill("sofia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    KEYS[site] = second_step(page, "sofia", KEYS.get(site, ""))  # enrolled once per site
    page.get_by_role("heading", name="Inbox").wait_for()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    page.get_by_role("heading", name="Satisfaction surveys").wait_for()
    total = page.locator("dl.survey-total").inner_text()
    assert "66.7 %" in total and "3.83 / 5" in total  # six answers: 5, 4, 2, 3, 5, 4

    page.get_by_label("Group by").select_option(label="Agent")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**group_by=agent**")
    rows = page.locator("table.survey-results tbody th").all_inner_texts()
    assert sorted(rows) == ["amal", "joris", "lucia"]
    assert page.get_by_text("Trois semaines sans réponse avant cela.").is_visible()

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download XLSX").click()
    book = load_workbook(io.BytesIO(downloading.value.path().read_bytes()))
    sheet = list(book.active.iter_rows(values_only=True))
    lucia = next(row for row in sheet[1:] if row[1] == "lucia")
    assert lucia[2:4] == (2, 2) and lucia[6] == 100  # two asked, both 5 out of 5

    page.get_by_label("at most one survey per person every (days)").fill("45")
    page.get_by_role("button", name="Save the survey settings").click()
    page.get_by_text("The survey settings are saved.").wait_for()
    assert page.get_by_label("at most one survey per person every (days)").input_value() == "45"
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    context.close()
    assert errors == []
