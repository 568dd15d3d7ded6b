"""The page of services in a real browser on a phone: choose a type, write a place, find the
service; in Arabic, right to left; never wider than the phone."""

import re

import pytest

from browsers import needs_chromium
from helpcentre.test_directory_page import SERVICES, add_service
from helpcentre.test_guide import GUIDE
from helpcentre.test_guide_browser import CONTRAST, CONTROLLED
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.services import import_articles

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
]
PHONE = {"width": 390, "height": 800}
WIDE = {"width": 1440, "height": 900}
SCROLL_WIDTH = "document.scrollingElement.scrollWidth"
# Where an element's text itself sits (its box spans the line whichever way it reads).
TEXT_BOX = """(element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  const box = range.getBoundingClientRect();
  return { left: box.left, right: box.right };
}"""


@pytest.fixture
def directory(desk):
    desk.languages = ["es", "ar", "en"]
    desk.save()
    import_articles(entries=entries_from(GUIDE), by=None)
    for key, organisation, kind, city, region, names in SERVICES:
        add_service(desk, key, organisation, type=kind, city=city, region=region, names=names)
    add_service(  # long words that must wrap rather than widen the page
        desk,
        "clinica-malaga",
        names={"ar": "عيادة مالقة"},
        city="Málaga",
        region="Andalucía",
        address="Avenida de la Constitución Española de 1978, número 1234, bajo izquierda",
        phone="+34 900 000 001",
        email="atencionapersonasmigrantessincitaprevia@clinicadelbarriomalaga.example.org",
        website="https://www.clinica-del-barrio-malaga.example.org/atencion/personas-migrantes/",
        languages=["es", "ar", "fr", "zgh"],
        description="Atención sanitaria sin cita previa, tenga o no papeles.",
        descriptions={"ar": "رعاية صحية بدون موعد مسبق، سواء كانت لديك أوراق أم لا."},
    )
    return desk


def search(page, *, type, place):
    page.locator("#id_type").select_option(type)
    page.locator("#id_place").fill(place)
    page.locator("form.directory-search button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/services/\?type={type}&place="))


def test_a_reader_finds_a_service_by_type_and_place_on_a_phone(browser, live_server, directory):
    context = browser.new_context(locale="es-ES", viewport=PHONE, service_workers="block")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))

    page.goto(f"{live_server.url}/help/default/es/")
    page.locator("#directory-link a").click()
    page.wait_for_url("**/help/default/es/services/")
    assert page.locator("li.service").count() == len(SERVICES)
    assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"]
    assert page.evaluate(CONTRAST) == []

    search(page, type="legal", place="Málaga, Andalucía")
    ids = page.locator("li.service").evaluate_all("(items) => items.map((item) => item.id)")
    assert ids == ["service-abogados-malaga", "service-abogados-sevilla"]  # the city first
    assert page.locator("#id_type").input_value() == "legal"
    assert page.locator("#id_place").input_value() == "Málaga, Andalucía"
    assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"]

    search(page, type="health", place="Málaga")
    found = page.locator("#service-clinica-malaga")
    found.get_by_role("heading", level=2, name="Clinica Malaga").wait_for()
    assert found.get_by_role("link", name="+34 900 000 001").get_attribute("href") == (
        "tel:+34900000001"
    )
    assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"]  # long address, e-mail and website
    assert page.evaluate(CONTRAST) == []
    assert errors == []
    context.close()


def test_an_arabic_reader_finds_a_service_right_to_left(browser, live_server, directory):
    context = browser.new_context(locale="ar", viewport=PHONE, service_workers="block")
    page = context.new_page()
    page.goto(f"{live_server.url}/help/default/ar/services/")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    search(page, type="health", place="Málaga")
    found = page.locator("li.service")
    assert found.count() == 1
    found.get_by_role("heading", level=2, name="عيادة مالقة").wait_for()
    assert "رعاية صحية بدون موعد مسبق" in found.inner_text()
    # Right to left: the name's text ends at the card's right edge, far from its left one.
    text = found.get_by_role("heading", level=2).evaluate(TEXT_BOX)
    card = found.bounding_box()
    assert card["x"] + card["width"] - text["right"] < 40 < text["left"] - card["x"]
    assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"]
    assert page.evaluate(CONTRAST) == []
    context.close()


def test_on_a_wide_screen_each_label_sits_before_its_value(browser, live_server, directory):
    context = browser.new_context(viewport=WIDE, service_workers="block")
    page = context.new_page()
    for lang, label_is_left in (("es", True), ("ar", False)):
        page.goto(f"{live_server.url}/help/default/{lang}/services/#service-clinica-malaga")
        details = page.locator("#service-clinica-malaga dl")
        label = details.locator("dt").first.bounding_box()
        value = details.locator("dd").first.bounding_box()
        assert abs(label["y"] - value["y"]) < 2  # side by side
        assert (label["x"] < value["x"]) == label_is_left
        assert page.evaluate(SCROLL_WIDTH) <= WIDE["width"]
    context.close()


def test_the_services_can_be_read_offline(browser, live_server, directory):
    context = browser.new_context(locale="es-ES", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/help/default/es/")
    assert page.evaluate(CONTROLLED)  # the worker keeps the guide, the services with it
    context.set_offline(True)
    response = page.goto(f"{live_server.url}/help/default/es/services/")
    assert response.from_service_worker
    assert page.locator("li.service").count() == len(SERVICES)
    context.close()
