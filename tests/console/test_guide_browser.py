"""An editor translates an article of the guide into Arabic in a real browser: Playwright
driving Debian's Chromium against a live server, machine translation from a fake
LibreTranslate. A screenshot goes to screenshots/ (ignored by git) for review."""

import os
from pathlib import Path

import pytest

from browsers import needs_chromium
from fakes.libretranslate import FakeLibreTranslate
from twofactor import second_step
from ventanilla.knowledge.models import Translation
from ventanilla.knowledge.selectors import outdated_languages
from ventanilla.knowledge.services import Entry, Text, save_article

PASSWORD = "a-long-browser-password"
SHOTS = Path(os.environ.get("VENTANILLA_SCREENSHOTS", Path(__file__).parents[2] / "screenshots"))
ACCESSIBILITY = (Path(__file__).parent / "accessibility.js").read_text()

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    yield context.new_page()
    context.close()


def test_an_editor_machine_translates_an_article_into_arabic_checks_it_and_saves_it(
    page, live_server, make_staff, desk, settings
):
    desk.languages = ["es", "ar"]
    desk.save()
    article, _ = save_article(
        entry=Entry(
            "passport-renewal",
            "passports",
            {"en": Text("Renewing a passport", "Bring your old passport and a photo.")},
        ),
        by=None,
    )
    editor = make_staff("supervisor", "sofia")
    editor.set_password(PASSWORD)
    editor.save()
    with FakeLibreTranslate() as fake:
        settings.TRANSLATE_URL = fake.url
        fake.learn("en", "ar", "Renewing a passport", "تجديد جواز السفر")
        fake.learn("en", "ar", "Bring your old passport and a photo.", "أحضر جوازك القديم وصورة.")

        page.goto(f"{live_server.url}/console/guide/")
        page.get_by_label("Username").fill("sofia")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        second_step(page, "sofia")
        page.get_by_role("heading", name="Guide").wait_for()
        page.get_by_role("link", name="passport-renewal").click()
        page.get_by_role("heading", name="passport-renewal").wait_for()

        page.get_by_role("navigation", name="Translate into").get_by_role("link", name="ar").click()
        page.get_by_role("heading", name="Arabic: translation").wait_for()
        page.get_by_role("button", name="Machine translate").click()
        page.get_by_text("Machine translation from English: a draft, not saved.").wait_for()
        target = page.locator("#target-body")
        assert target.input_value() == "أحضر جوازك القديم وصورة."
        assert page.locator("#target-title").input_value() == "تجديد جواز السفر"
        assert not Translation.objects.filter(language="ar").exists()

        # The Arabic side reads right to left, the English one as its text goes.
        assert target.evaluate("el => getComputedStyle(el).direction") == "rtl"
        assert (
            page.locator("#target-title").evaluate("el => getComputedStyle(el).direction") == "rtl"
        )
        assert (
            page.locator("#source-body").evaluate("el => getComputedStyle(el).direction") == "ltr"
        )
        source_box = page.locator("#source-body").bounding_box()
        assert target.bounding_box()["x"] > source_box["x"]  # side by side

        page.evaluate(
            ACCESSIBILITY
        )  # as the test, not the page: its policy allows no inline script
        assert page.evaluate("window.unlabelled()") == []
        assert page.evaluate("window.lowContrast()") == []

        target.fill("أحضر جواز سفرك القديم وصورة حديثة.")
        page.get_by_role("button", name="Save the translation").click()
        page.get_by_text("Saved as a new version of the ar text.").wait_for()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "guide-editor.png"), full_page=True)

    arabic = Translation.objects.get(article=article, language="ar")
    assert (arabic.title, arabic.body, arabic.version) == (
        "تجديد جواز السفر",
        "أحضر جواز سفرك القديم وصورة حديثة.",
        1,
    )
    assert outdated_languages(article) == []
    assert page.locator("#target-body").input_value() == arabic.body
    assert page.locator("#target-body").get_attribute("dir") == "rtl"
