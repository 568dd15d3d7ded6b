"""The guide in a real browser on a phone: search, read, right to left, and offline."""

import pytest

from browsers import needs_chromium
from helpcentre.test_guide import GUIDE
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.services import Entry, Text, import_articles, save_article

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
]
PHONE = {"width": 390, "height": 800}
# Resolves once a service worker controls the page: installed, the guide kept, active.
# (Not wait_for_function: its polling evaluates strings, which the pages' CSP forbids.)
CONTROLLED = """() => navigator.serviceWorker.controller ? true : new Promise((done) => {
  navigator.serviceWorker.addEventListener("controllerchange", () => done(true));
})"""

# The contrast of each element's own text against the first opaque background behind it.
CONTRAST = """() => {
  const rgb = (value) => value.match(/[\\d.]+/g).map(Number);
  const opaque = (element) => {
    for (let at = element; at; at = at.parentElement) {
      const [r, g, b, a = 1] = rgb(getComputedStyle(at).backgroundColor);
      if (a === 1) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const luminance = ([r, g, b]) => [r, g, b].map((c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const found = [];
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const box = element.getBoundingClientRect();
    if (!own || box.width < 2 || getComputedStyle(element).visibility === "hidden") continue;
    const [l1, l2] = [luminance(rgb(getComputedStyle(element).color)), luminance(opaque(element))];
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < 4.5) found.push(`${element.tagName} ${element.textContent.trim()} ${ratio}`);
  }
  return found;
}"""


@pytest.fixture
def guide(desk):
    desk.languages = ["es", "ar", "en"]
    desk.save()
    import_articles(entries=entries_from(GUIDE), by=None)
    return desk


def test_a_reader_on_a_phone_searches_reads_and_keeps_reading_offline(browser, live_server, guide):
    context = browser.new_context(locale="es-ES", viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))

    page.goto(f"{live_server.url}/help/default/")
    assert page.url == f"{live_server.url}/help/default/es/"  # the browser speaks Spanish
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways
    assert page.evaluate(CONTRAST) == []
    page.get_by_role("searchbox").fill("he perdido el pasaporte")
    page.get_by_role("searchbox").press("Enter")
    page.get_by_role("link", name="Pérdida o robo del pasaporte").click()
    page.get_by_role("heading", level=1, name="Pérdida o robo del pasaporte").wait_for()
    assert page.url.endswith("/help/default/es/articles/lost-passport/")

    page.locator("summary").click()  # the language switcher opens
    page.get_by_role("link", name="العربيّة").click()
    page.get_by_role("heading", level=1, name="ضياع جواز السفر").wait_for()
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.evaluate(CONTRAST) == []

    # Back in Spanish, the guide is kept on the phone once the worker is active.
    page.goto(f"{live_server.url}/help/default/es/")
    state = page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.state)")
    assert state in ("activating", "activated")
    assert page.evaluate(CONTROLLED)

    context.set_offline(True)
    response = page.goto(f"{live_server.url}/help/default/es/articles/health-care/")
    assert response.from_service_worker
    page.get_by_role("heading", level=1, name="Atención sanitaria sin papeles").wait_for()

    page.get_by_role("searchbox").fill("urgencias")
    page.get_by_role("searchbox").press("Enter")
    page.locator("#offline-title").wait_for()
    assert "/help/default/es/articles/passport-renewal/" in page.content()
    assert page.evaluate(CONTRAST) == []
    assert errors == []
    context.close()


def test_a_visitor_can_move_through_the_guide_with_the_keyboard(browser, live_server, guide):
    context = browser.new_context(locale="es-ES", viewport=PHONE, service_workers="block")
    page = context.new_page()
    page.goto(f"{live_server.url}/help/default/es/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("href") == "#main"
    assert skip.is_visible()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()


def test_a_changed_guide_reaches_the_phone_for_offline_reading(browser, live_server, guide):
    context = browser.new_context(locale="es-ES", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/help/default/es/")
    assert page.evaluate(CONTROLLED)
    first = page.evaluate("caches.keys()")

    save_article(
        entry=Entry(
            key="health-care",
            topic="health",
            translations={"es": Text("Atención sanitaria", "Nuevo: centros de salud abiertos.")},
        ),
        by=None,
    )
    page.evaluate("""() => new Promise((done) => {
      navigator.serviceWorker.addEventListener("controllerchange", done);
      navigator.serviceWorker.ready.then((registration) => registration.update());
    })""")
    assert page.evaluate("caches.keys()") != first  # the old copy is gone with the old worker

    context.set_offline(True)
    page.goto(f"{live_server.url}/help/default/es/articles/health-care/")
    page.get_by_text("Nuevo: centros de salud abiertos.").wait_for()
    context.close()
