"""Every public form, submitted unaltered by Chromium, against a real `ventanilla run` and the
test server: the portal request with a document, the follow-up with the code, closing it,
the application-status look-up, the language switches and the web chat, in Spanish, Arabic
(right to left) and Italian; and the page that comes back is read as a person reads it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest
from django.utils import translation
from playwright.sync_api import expect

from browsers import needs_chromium
from running import Running, command, migrated_environment

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% invented receipt\n"
LANGUAGES = ["es", "ar", "it"]
NATIVE = {"es": "español", "ar": "العربيّة", "it": "italiano", "fr": "français"}


@dataclass
class Site:
    """An installation with the demo desk, as a person's browser reaches it."""

    url: str
    webchat: str  # the demo web chat's page
    token: str  # an administrator's API token

    def api(self, method: str, path: str, body: object = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.request(method, self.url + path, json=body, headers=headers, timeout=10)


def serve_every_language(site: Site) -> Site:
    """The demo desk answers in Italian too, set as an administrator would, through the API."""
    desk = site.api("GET", "/api/v1/desks/demo").json()
    languages = list(dict.fromkeys([*desk["languages"], "it"]))
    assert site.api("PATCH", "/api/v1/desks/demo", {"languages": languages}).status_code == 200
    return site


@pytest.fixture(scope="module")
def running_site(tmp_path_factory):
    """`ventanilla run --demo` in a process of its own, as `make run` starts it."""
    home = tmp_path_factory.mktemp("public-forms") / "home"
    environment = migrated_environment(home)
    env = next(environment)
    server = Running(env, "--demo")
    webchat = re.search(r"Demo web chat: http://[^/]+(/\S+)", server.output).group(1)
    made = command(env, "token", "public-forms-admin", "--role", "admin")
    assert made.returncode == 0, made.stderr
    yield serve_every_language(Site(server.url, webchat, made.stdout.strip()))
    server.stop()
    next(environment, None)


@pytest.fixture
def live_site(live_server):
    from django.contrib.auth.models import Group, User

    from ventanilla.api.services import issue_token
    from ventanilla.server import demo

    shown = demo.load()
    user = User.objects.create_user("public-forms-admin")
    user.groups.add(Group.objects.get(name="admin"))
    return serve_every_language(Site(live_server.url, shown.webchat, issue_token(user=user)))


@pytest.fixture(params=["ventanilla-run", "live-server"])
def site(request):
    return request.getfixturevalue(
        "running_site" if request.param == "ventanilla-run" else "live_site"
    )


@pytest.fixture
def person(browser, request):
    """A person's phone: a fresh browser at 390 px, its errors collected."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def page_language(page, language: str) -> None:
    # Playwright's own wait (a string evaluated in the page would meet the page's CSP while
    # the next page loads).
    expect(page.locator("html")).to_have_attribute("lang", language)
    direction = "rtl" if language == "ar" else "ltr"
    assert page.locator("html").get_attribute("dir") == direction


def choose_portal_language(page, language: str) -> None:
    """The language menu of the portal's pages posts a form: it must pass the CSRF check."""
    page.select_option("#language-select", language)
    page_language(page, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_person_sends_a_request_with_a_document_then_reads_it_with_the_code(
    site, person, language
):
    page = person
    page.goto(site.url + "/help/demo/request/")
    choose_portal_language(page, language)
    page.locator("select[name=request_type]").select_option(index=1)
    text = {"es": "¿Cómo renuevo mi pasaporte?", "ar": "كيف أجدد جواز سفري؟"}.get(
        language, "Come rinnovo il passaporto?"
    )
    page.locator("textarea[name=text]").fill(text)
    page.set_input_files(
        "input[name=attachment]",
        files=[{"name": "resguardo.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.locator("form.card button[type=submit]").click()

    heading = in_language(language, "We have received your request")
    page.get_by_role("heading", name=heading).wait_for()
    assert page.title().startswith(heading) and "ventanilla" not in page.title()
    reference = page.locator("#reference").inner_text()
    code = page.locator("#code").inner_text()
    assert re.fullmatch(r"[A-Z]{2,5}-\d{4}-\d{6}", reference)
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    for shown in ("#reference", "#code"):  # one line each on a phone
        box = page.locator(shown).bounding_box()
        assert box["height"] < 40, (shown, box)

    # On a shared phone: close it, then come back with the reference and the code.
    page.locator("form.close button").click()
    page.locator("input[name=reference]").wait_for()
    assert in_language(language, "Your request is closed in this browser.") in page.content()
    page.locator("input[name=reference]").fill(reference)
    page.locator("input[name=code]").fill(code.lower().replace("-", " "))
    page.locator("form.card button[type=submit]").click()
    page.get_by_text(text).wait_for()
    assert page.get_by_role("link", name="resguardo.pdf").count() == 1

    # And write again on the same request.
    page.locator("textarea[name=text]").fill("Gracias / شكرا / Grazie")
    page.locator("form.card button[type=submit]").click()
    page.get_by_text("Gracias / شكرا / Grazie").wait_for()
    page_language(page, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_person_looks_up_an_application_in_the_help_centre(site, person, language):
    from ventanilla.helpcentre.models import ApplicationStatus

    page = person
    page.goto(f"{site.url}/help/demo/{language}/status/")
    page_language(page, language)
    page.locator("input[name=reference]").fill("ES-2026-004512")
    page.locator("input[name=date_of_birth]").fill("12/03/1990")
    page.locator("form.card button[type=submit]").click()
    answer = page.locator("#status-answer")
    answer.wait_for()
    with translation.override(language):
        status = str(ApplicationStatus("ready-for-collection").label)
    assert "ES-2026-004512" in answer.inner_text() and status in answer.inner_text()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_person_switches_the_help_centres_language(site, person, language):
    page = person
    page.goto(f"{site.url}/help/demo/fr/")
    page_language(page, "fr")
    page.locator("details.languages summary").click()
    page.locator(f"details.languages a[hreflang={language}]").click()
    page_language(page, language)
    assert page.url.startswith(f"{site.url}/help/demo/{language}/")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_person_writes_in_the_web_chat_in_their_language(site, person, language):
    page = person
    page.goto(site.url + site.webchat)
    page.locator(f"a.language[data-lang={language}]").click()
    page_language(page, language)
    page.locator("#text").fill(f"Hola ({language}): ¿abren el sábado?")
    page.locator("#composer button[type=submit]").click()
    page.locator("#messages li.in").get_by_text(f"Hola ({language})").wait_for()
    assert page.locator("#status").inner_text() == ""


@pytest.mark.parametrize("language", ["es", "ar"])
def test_a_person_files_a_complaint_then_follows_it_by_its_number(site, person, language):
    from ventanilla.desks.defaults import DEFAULT_NAMES

    page = person
    page.goto(site.url + "/help/demo/request/")
    choose_portal_language(page, language)
    page.locator("select[name=request_type]").select_option(
        label=DEFAULT_NAMES["complaint"][language]
    )
    text = {
        "es": "Esperé cuatro horas y nadie me atendió.",
        "ar": "انتظرت أربع ساعات ولم يستقبلني أحد.",
    }[language]
    page.locator("textarea[name=text]").fill(text)
    page.locator("form.card button[type=submit]").click()
    page.get_by_role(
        "heading", name=in_language(language, "We have received your request")
    ).wait_for()
    number = page.locator("#complaint").inner_text()
    code = page.locator("#code").inner_text()
    assert re.fullmatch(r"[A-Z]{2,5}-R-\d{4}-\d{4}", number)
    assert page.locator("#complaint").bounding_box()["height"] < 40  # one line on a phone

    # Later, on a shared phone: the complaint's number and the code open it again.
    page.locator("form.close button").click()
    page.locator("input[name=reference]").fill(number)
    page.locator("input[name=code]").fill(code)
    page.locator("form.card button[type=submit]").click()
    page.get_by_text(text).wait_for()
    status = page.locator("#complaint").inner_text()
    assert number in status
    said = in_language(
        language,
        "Complaint %(number)s, registered on %(date)s, is being looked into. "
        "We will answer you here.",
    )
    assert status.startswith(said.split("%(number)s")[0])
    page_language(page, language)
    listed = site.api("GET", f"/api/v1/complaints/{number}").json()
    assert (listed["source"], listed["kind"], listed["entries"][0]["text"]) == (
        "portal",
        "complaint",
        text,
    )
