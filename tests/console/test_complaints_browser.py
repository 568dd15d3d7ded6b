"""The complaints register in Chromium, against a real `ventanilla run --demo` and the test
server, each form submitted unaltered: a supervisor files a conversation as a complaint from
its page, finds it in the register, amends it, tries to close it unanswered, records the
answer, closes it, and downloads the register as XLSX, which reads back."""

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
def test_a_supervisor_works_a_complaint_through_the_register(browser, site, width):
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

    # A conversation not yet in the register, filed from its page.
    page.locator("table tr[data-row] a").first.click()
    page.locator("#complaint").wait_for()
    if page.locator("#complaint summary").count() == 0:  # this one is filed: take another
        page.go_back()
        page.locator("table tr[data-row] a").nth(1).click()
    page.locator("#complaint summary").click()
    page.get_by_label("It is").select_option("complaint")
    page.get_by_label("Category").select_option(label="Waiting times and delays")
    page.get_by_label("What the complaint is").fill("Four hours at the counter")
    page.get_by_role("button", name="File it").click()
    notice = page.get_by_text("In the register as ")
    notice.wait_for()
    number = notice.inner_text().split("In the register as ")[1].rstrip(".")

    # The register lists it; its page takes an amendment, refuses to close it unanswered,
    # records the answer and closes it.
    page.goto(f"{site}/console/complaints/")
    page.get_by_role("link", name=number).click()
    page.get_by_role("heading", name=number).wait_for()
    page.locator("#amend").get_by_label("Category").select_option(
        label="How staff treated the person"
    )
    page.locator("#amend").get_by_label("Note").fill("The person also spoke of rudeness")
    page.get_by_role("button", name="Add the amendment").click()
    page.get_by_text("The amendment is in the register.").wait_for()
    page.get_by_role("button", name="Close the complaint").click()
    page.get_by_text("a complaint is closed only once its answer is recorded").wait_for()
    page.get_by_label("The answer given to the person").fill("We apologise; a second desk opens.")
    page.get_by_role("button", name="Record the answer").click()
    page.get_by_text("The answer is in the register.").wait_for()
    page.get_by_role("button", name="Close the complaint").click()
    page.get_by_text(f"{number} is closed.", exact=True).wait_for()
    kinds = page.locator("ol.entries li strong").all_inner_texts()
    assert kinds == ["Filed", "Amended", "Answered", "Closed"]
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    # The register, closed ones, as the ministry receives it.
    page.goto(f"{site}/console/complaints/?status=closed")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download XLSX").click()
    book = load_workbook(io.BytesIO(downloading.value.path().read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    found = next(row for row in rows[1:] if row[0] == number)
    assert found[2] == "closed" and found[5] == "How staff treated the person"
    assert found[13] == "We apologise; a second desk opens."
    context.close()
    assert errors == []


@pytest.mark.parametrize("width", [1440, 390])
def test_a_supervisor_adds_a_post_named_in_each_language_and_retires_it(browser, site, width):
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(LOADED_MACHINE_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/console/")
    page.get_by_label("Username").fill("sofia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    KEYS[site] = second_step(page, "sofia", KEYS.get(site, ""))
    page.get_by_role("heading", name="Inbox").wait_for()
    page.goto(f"{site}/console/complaints/")
    page.get_by_role("link", name="Posts and categories").click()
    page.get_by_role("heading", name="Posts and categories").wait_for()

    key = f"almeria-{width}"
    form = page.locator("section.listed-form")
    form.get_by_label("List").select_option(label="Post or service")
    form.get_by_label("Key").fill(key)
    form.get_by_label("Name", exact=True).fill("Consulate in Almería")
    form.get_by_label("Español").fill("Consulado en Almería")
    form.get_by_label("العربية").fill("القنصلية في ألمرية")
    form.get_by_role("button", name="Save").click()
    page.get_by_text("Saved: Consulate in Almería.").wait_for()
    row = page.locator("table.post tr", has_text=key)
    assert "Yes" in row.inner_text()

    row.get_by_role("link", name="Change").click()
    assert form.get_by_label("Español").input_value() == "Consulado en Almería"
    form.get_by_label("In use").uncheck()
    form.get_by_role("button", name="Save").click()
    page.get_by_text("Saved: Consulate in Almería.").wait_for()
    assert "No" in page.locator("table.post tr", has_text=key).inner_text()
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    context.close()
    assert errors == []
