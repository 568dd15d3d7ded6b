"""A supervisor words a help-centre text in the console's Texts page in a real browser
(Playwright driving Debian's Chromium against a live server) and reads it in the help
centre; the page fits a phone and reads right to left in Arabic."""

from pathlib import Path

import pytest

from browsers import needs_chromium
from twofactor import second_step
from ventanilla.desks.models import Desk
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.services import import_articles

PASSWORD = "a-long-browser-password"
ACCESSIBILITY = (Path(__file__).parent / "accessibility.js").read_text()
GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "translations": {
            "es": {"title": "Renovar el pasaporte", "body": "Traiga el pasaporte anterior."},
            "ar": {"title": "تجديد جواز السفر", "body": "أحضر جوازك القديم."},
        },
    }
]

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def supervisor_sofia(make_staff, desk):
    Desk.objects.filter(pk=desk.pk).update(languages=["es", "ar"])
    import_articles(entries=entries_from(GUIDE), by=None)
    user = make_staff("supervisor", "sofia")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/console/texts/")
    page.get_by_label("Username").fill("sofia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    second_step(page, "sofia")
    page.get_by_role("heading", name="Texts").wait_for()


def fits(page):
    """Whether the page's own content stays within a phone's 390 pixels."""
    widest = (
        "Math.max(...[...document.querySelectorAll('.texts-page *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    whole = "document.documentElement.scrollWidth"  # the console's header included
    return page.evaluate(widest) <= 390 and page.evaluate(whole) <= 390


def test_a_supervisor_words_a_text_in_the_console_and_the_help_centre_says_it(
    browser, live_server, supervisor_sofia
):
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server)
    assert fits(page)
    page.get_by_label("Words in the text").fill("Search the guide")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Search the guide").first.click()
    page.get_by_role("heading", name="English").wait_for()
    assert fits(page)
    page.get_by_label("Text", exact=True).fill("Busque en nuestra guía")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Text saved.").wait_for()

    page.goto(f"{live_server.url}/help/default/es/")
    assert page.locator("label[for=q]").inner_text() == "Busque en nuestra guía"
    context.close()


def test_the_arabic_texts_read_right_to_left(browser, live_server, supervisor_sofia):
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server)
    page.get_by_role("navigation", name="Languages").locator("a[lang=ar]").click()
    page.get_by_role("heading", name="العربيّة").wait_for()
    said = page.locator(".texts-list .said").first
    assert said.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert fits(page)
    # Every state ("Translated by the catalogue", "Missing"...) can be read.
    assert page.locator(".texts-list .text-state").count() > 0
    page.evaluate(ACCESSIBILITY)  # as the test, not the page: its policy allows no inline script
    assert page.evaluate("window.lowContrast()") == []
    context.close()
