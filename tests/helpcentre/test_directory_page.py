"""The help centre's page of services: a desk's listed services by type and place, in the
reader's language, kept offline with the guide."""

import re
from datetime import date

import pytest
from django.utils import translation

from helpcentre.test_guide import GUIDE
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.services import import_articles
from ventanilla.referrals.directory import save_service

SERVICES = [  # key, organisation, type, city, region, names in other languages
    (
        "clinica-malaga",
        "Médicos del Barrio",
        "health",
        "Málaga",
        "Andalucía",
        {"ar": "عيادة مالقة"},
    ),
    ("abogados-malaga", "Abogacía Solidaria", "legal", "Málaga", "Andalucía", {"ar": "محامون"}),
    ("abogados-sevilla", "Abogacía Solidaria", "legal", "Sevilla", "Andalucía", {}),
    ("abogados-madrid", "Abogacía Solidaria", "legal", "Madrid", "Madrid", {"ar": "محامو مدريد"}),
]


def add_service(desk, key, organisation="Médicos del Barrio", **values):
    return save_service(
        desk=desk,
        key=key,
        values={
            "organisation": organisation,
            "name": key.replace("-", " ").title(),
            "type": "health",
            "country": "ES",
            **values,
        },
        by=None,
    )


@pytest.fixture
def guide(desk):
    desk.languages = ["es", "ar", "en"]
    desk.save()
    import_articles(entries=entries_from(GUIDE), by=None)
    return desk


@pytest.fixture
def directory(guide):
    for key, organisation, kind, city, region, names in SERVICES:
        add_service(guide, key, organisation, type=kind, city=city, region=region, names=names)
    return guide


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, path
    return response.content.decode()


def shown(html):
    """The keys of the services on a page, in their order."""
    return re.findall(r'<li class="card service" id="service-([\w-]+)"', html)


def test_the_page_lists_the_desks_services_with_what_to_know_before_going(client, guide):
    add_service(
        guide,
        "clinica-malaga",
        name="Clínica del Barrio",
        description="Atención sin cita previa.",
        descriptions={"ar": "بدون موعد مسبق."},
        city="Málaga",
        address="Calle Inventada 1",
        hours="L-V 9:00-14:00",
        phone="+34 900 000 001",
        email="clinica@example.org",
        website="https://www.example.org/clinica/",
        cost="low",
        accepts_undocumented=True,
        asks_id=True,
        languages=["es", "ar"],
        verified_on=date(2026, 11, 20),
    )
    html = page(client, "/help/default/es/services/")
    assert shown(html) == ["clinica-malaga"]
    assert "<h2>Clínica del Barrio</h2>" in html
    assert '<p class="organisation">Médicos del Barrio</p>' in html
    assert '<p class="description">Atención sin cita previa.</p>' in html
    assert "Calle Inventada 1, Málaga" in html and "L-V 9:00-14:00" in html
    assert '<a href="tel:+34900000001" dir="ltr">+34 900 000 001</a>' in html
    assert 'href="mailto:clinica@example.org"' in html
    assert '<a href="https://www.example.org/clinica/" dir="ltr"' in html
    assert ">example.org/clinica</a>" in html
    assert '<li lang="ar" dir="rtl">العربية</li>' in html
    assert '<li lang="es" dir="ltr">Español</li>' in html
    assert '<time datetime="2026-11-20">' in html
    with translation.override("es"):
        for text in ("Health care", "Low cost", "An identity document", "Yes", "Phone"):
            assert translation.gettext(text) in html, text


def test_arabic_readers_get_the_arabic_names_right_to_left(client, directory):
    add_service(directory, "sin-traducir", name="Servicio sin traducir", city="Madrid")
    html = page(client, "/help/default/ar/services/")
    assert '<html lang="ar" dir="rtl"' in html
    assert "<h2>عيادة مالقة</h2>" in html and "<h2>محامون</h2>" in html
    assert "Clinica Malaga" not in html
    # A service with no Arabic name shows its own, marked as Spanish, left to right.
    assert '<h2 lang="es" dir="ltr">Servicio sin traducir</h2>' in html
    with translation.override("ar"):
        assert f">{translation.gettext('Guide')}</a>" in html  # the interface in Arabic too
        assert f">{translation.gettext('Search')}</button>" in html


def test_the_page_finds_services_by_type(client, directory):
    html = page(client, "/help/default/es/services/?type=legal")
    assert sorted(shown(html)) == ["abogados-madrid", "abogados-malaga", "abogados-sevilla"]
    assert '<option value="legal" selected>' in html


def test_a_city_comes_before_the_rest_of_its_region_and_other_places_are_left_out(
    client, directory
):
    html = page(client, "/help/default/es/services/?place=malaga, andalucia")
    assert shown(html)[:2] == ["abogados-malaga", "clinica-malaga"]  # the city, by name
    assert shown(html)[2:] == ["abogados-sevilla"]  # then the rest of the region
    assert 'id="services-found"' in html
    legal = page(client, "/help/default/es/services/?type=legal&place=Sevilla")
    assert shown(legal) == ["abogados-sevilla", "abogados-malaga"]  # Sevilla's, then Andalucía's


def test_unlisted_services_and_other_desks_services_are_not_shown(client, directory, other_desk):
    add_service(directory, "cerrado", name="Servicio Cerrado", active=False, city="Málaga")
    add_service(other_desk, "de-otra-mesa", name="Servicio De Otra Mesa", city="Málaga")
    for path in ("/help/default/es/services/", "/help/default/es/services/?place=Málaga"):
        html = page(client, path)
        assert "cerrado" not in shown(html) and "Servicio Cerrado" not in html
        assert "de-otra-mesa" not in shown(html) and "Servicio De Otra Mesa" not in html
    assert len(shown(page(client, "/help/default/es/services/"))) == len(SERVICES)


@pytest.mark.parametrize(
    "query",
    ["type=visas", "type=%3Cscript%3E", "type=legal&place=" + "x" * 101],
)
def test_a_bad_search_gets_a_clear_answer_not_an_error(client, directory, query):
    html = page(client, f"/help/default/es/services/?{query}", status=400)
    assert 'role="alert"' in html and 'id="no-services"' in html
    assert shown(html) == [] and "<script>" not in html


def test_a_search_with_no_service_says_so_and_leads_back(client, directory):
    html = page(client, "/help/default/es/services/?type=food")
    assert shown(html) == [] and 'id="no-services"' in html
    with translation.override("es"):
        assert translation.gettext("We found no service for your search.") in html
    assert 'href="/help/default/es/services/"' in html  # every service
    assert 'href="/help/default/es/"' in html  # the guide


def test_the_guide_leads_to_the_services_only_when_the_desk_lists_some(client, guide):
    assert 'id="directory-link"' not in page(client, "/help/default/es/")
    assert 'id="no-services"' in page(client, "/help/default/es/services/")
    listed = client.get("/help/default/es/offline.json").json()
    assert "/help/default/es/services/" not in listed["pages"]
    add_service(guide, "clinica", city="Málaga")
    home = page(client, "/help/default/es/")
    assert re.search(r'id="directory-link"><a href="/help/default/es/services/">', home)
    assert 'href="/help/default/es/services/"' in page(client, "/help/default/es/offline/")


def test_the_page_is_kept_offline_with_the_guide(client, directory):
    listed = client.get("/help/default/ar/offline.json").json()
    assert "/help/default/ar/services/" in listed["pages"]
    assert client.get("/help/default/ar/services/").status_code == 200


def cache_name(client):
    script = client.get("/help/default/es/sw.js").content.decode()
    return re.search(r'const CACHE = "([^"]+)";', script)[1]


def test_the_guides_version_changes_when_its_directory_changes(client, directory):
    seen = [cache_name(client)]
    assert cache_name(client) == seen[0]
    add_service(directory, "clinica-malaga", type="health", hours="L-V 9:00-20:00")
    seen.append(cache_name(client))
    add_service(directory, "clinica-malaga", active=False)
    seen.append(cache_name(client))
    add_service(directory, "nuevo", city="Madrid")
    seen.append(cache_name(client))
    assert len(set(seen)) == 4


def test_the_whole_list_is_cacheable_and_a_search_is_not(client, directory):
    whole = client.get("/help/default/es/services/")
    assert "max-age=300" in whole["Cache-Control"]
    again = client.get("/help/default/es/services/", headers={"If-None-Match": whole["ETag"]})
    assert again.status_code == 304
    assert client.get("/help/default/es/services/?place=Madrid")["Cache-Control"] == "no-store"


def test_the_page_switches_language_and_is_not_found_where_the_guide_is_not(client, directory):
    html = page(client, "/help/default/es/services/")
    assert 'href="/help/default/ar/services/" lang="ar"' in html
    assert client.get("/help/default/de/services/").status_code == 404
    assert client.get("/help/nowhere/es/services/").status_code == 404
