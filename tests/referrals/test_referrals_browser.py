"""Referrals and protection in Chromium, against a real `ventanilla run --demo` and the test
server, each form submitted unaltered: an administrator imports services from a CSV file (a
good one, then one with a bad row, refused whole) and an agent on a phone finds them in the
directory; an agent refers a person from their conversation and records what became of it;
an agent of the protection team takes a rights-violation report and moves it on, which an
agent outside the team never sees."""

from __future__ import annotations

import pytest

from browsers import needs_chromium
from demo_sites import fits, signed_in

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

GOOD_CSV = (
    "key,organisation,name,type,city,region,country,languages,cost,accepts_undocumented\n"
    "comedor-latina,Comedor de La Latina,Comedor social,food,Madrid,Comunidad de Madrid,ES,"
    "es ar,free,yes\n"
)
BAD_CSV = GOOD_CSV + "ropero,Ropero,Ropa,clothes,Madrid,,ES,es,free,yes\n"


def menu(page, name):
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_a_directory_imported_from_a_file_is_searched_on_a_phone(browser, site, tmp_path):
    errors: list[str] = []
    context, page = signed_in(browser, site, "admin", 1440)
    page.on("pageerror", lambda error: errors.append(str(error)))
    menu(page, "Services")
    page.get_by_role("heading", name="Directory of services").wait_for()
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    bad.write_text(BAD_CSV, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("nothing was imported").wait_for()
    assert "row 3 (ropero): type" in page.locator("body").inner_text()
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported: 1 new").wait_for()
    context.close()

    context, page = signed_in(browser, site, "lucia", 390)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/console/services/")
    page.get_by_label("Type of service").select_option("food")
    page.get_by_label("Place").fill("madrid")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name="Comedor social").wait_for()
    assert page.get_by_role("heading", name="Temporary shelter").count() == 0
    fits(page, 390)
    context.close()
    assert errors == []


def test_an_agent_refers_a_person_and_records_what_became_of_it(browser, site):
    errors: list[str] = []
    context, page = signed_in(browser, site, "lucia", 1440)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/console/?status=all&q=Amsterdam")
    page.locator("a.conversation-link, table a", has_text="-").first.click()
    refer = page.locator("#refer")
    refer.get_by_text("Refer to a service").click()
    with page.expect_response(lambda r: "/services/?" in r.url):
        refer.get_by_label("Type of service").select_option("health")
    refer.get_by_label("Family doctor for undocumented people").check()
    with page.expect_response(lambda r: "/services/?" in r.url):
        refer.get_by_label("Place").fill("Amsterdam")  # the list changes, the choice stays
    chosen = refer.get_by_label("Family doctor for undocumented people")
    assert chosen.is_checked()
    refer.get_by_label("The person agrees to be referred").check()
    refer.get_by_label("Send them the details now, in their language").uncheck()
    refer.get_by_label("Note for staff").fill("Given on the phone")
    refer.get_by_role("button", name="Refer").click()
    page.get_by_text("Referred to Family doctor for undocumented people.").wait_for()
    made = page.locator("#refer li", has_text="Given on the phone").first
    made.get_by_label("What became of it").select_option("reached")
    made.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    shown = page.locator("#refer li", has_text="Given on the phone").first.inner_text()
    assert "Reached the service" in shown
    context.close()
    assert errors == []


def test_a_report_taken_by_the_protection_team_is_never_seen_by_another_agent(browser, site):
    errors: list[str] = []
    context, page = signed_in(browser, site, "lucia", 390)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/console/?status=all&q=Saturday")
    page.locator("a.conversation-link, table a", has_text="-").first.click()
    report = page.locator("#report")
    report.get_by_text("Take a rights-violation report").click()
    report.get_by_label("What happened").select_option("exploitation")
    report.get_by_label("In the person's words").fill("The employer keeps my passport")
    report.get_by_label("Where (place names)").fill("Almería")
    report.get_by_label("By whom").select_option("employer")
    report.get_by_label("Urgency").select_option("urgent")
    report.get_by_role("button", name="File the report").click()
    page.get_by_text("filed: the protection team reads it").wait_for()
    fits(page, 390)
    menu(page, "Protection reports")
    page.get_by_role("heading", name="Protection reports").wait_for()
    page.locator("table a").first.click()
    page.get_by_role("definition").filter(has_text="The employer keeps my passport").wait_for()
    page.get_by_label("State").select_option("acting")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    assert "Being acted on" in page.locator("p.summary").inner_text()
    fits(page, 390)
    context.close()

    context, page = signed_in(browser, site, "amal", 390)
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Protection reports").count() == 0
    response = page.goto(f"{site}/console/protection/")
    assert response is not None and response.status == 403
    context.close()
    assert errors == []
