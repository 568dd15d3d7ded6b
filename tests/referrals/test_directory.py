"""The directory of services through its API: searched by type, place and language, kept
by administrators, imported from a CSV (every row or none) and exported in the same columns."""

from __future__ import annotations

import csv
import io

import pytest

from ventanilla.referrals.models import Organisation, Service, ServiceType

HEADER = (
    "key,organisation,name,type,city,region,country,languages,cost,accepts_undocumented,name_ar"
)


def keys(response):
    assert response.status_code == 200, response.content
    return [item["key"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=legal", ["abogados-madrid", "legal-malaga"]),
        ("type=legal&place=Malaga", ["legal-malaga"]),
        ("place=malaga", ["clinica-salud", "legal-malaga", "albergue-sur"]),  # then Andalucía
        # the city first, then the rest of its region
        ("place=Málaga, Andalucía", ["clinica-salud", "legal-malaga", "albergue-sur"]),
        ("place=ES&type=food", ["comedor-centro"]),
        ("language=ar", ["clinica-salud", "legal-malaga"]),
        ("language=fr&place=madrid", ["abogados-madrid"]),
        ("q=abogacia", ["abogados-madrid", "legal-malaga"]),
        ("place=Lisboa", []),
    ],
)
def test_services_are_found_by_type_place_and_language(api_as, agent, directory, query, expected):
    assert keys(api_as(agent).get(f"/api/v1/services?{query}")) == expected


def test_a_service_reads_in_the_readers_language(api_as, agent, directory):
    api = api_as(agent)
    found = api.client.get(
        f"/api/v1/services/{directory['clinica-salud'].pk}",
        headers={**api.headers, "Accept-Language": "fr"},
    )
    body = found.json()
    assert body["type_name"] == "Soins de santé"
    assert body["names"]["ar"] == "خدمة clinica-salud"
    assert body["organisation"] == "Médicos del Barrio"


def test_an_unknown_type_is_refused_with_the_reason(api_as, agent, directory):
    response = api_as(agent).get("/api/v1/services?type=spa")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"


def test_an_administrator_adds_and_changes_a_service(api_as, administrator, desk):
    api = api_as(administrator)
    made = api.post(
        "/api/v1/services",
        {
            "desk": desk.slug,
            "key": "psico-apoyo",
            "organisation": "Escucha Activa",
            "name": "Apoyo psicológico",
            "names": {"ar": "دعم نفسي", "zgh": "ⴰⵏⴰⵍⴽⴰⵎ"},
            "type": "psychosocial",
            "city": "Granada",
            "country": "es",
            "languages": ["es", "ar"],
            "latitude": 37.17734,
            "longitude": -3.59856,
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["country"] == "ES" and body["organisation"] == "Escucha Activa"
    changed = api.patch(f"/api/v1/services/{body['id']}", {"active": False, "hours": "L 9-13"})
    assert changed.status_code == 200
    assert changed.json()["active"] is False
    assert changed.json()["name"] == "Apoyo psicológico"  # untouched fields stay
    assert keys(api.get("/api/v1/services?type=psychosocial")) == []
    assert keys(api.get("/api/v1/services?type=psychosocial&listed=false")) == ["psico-apoyo"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "spa"}, "type"),
        ({"latitude": 91}, "latitude"),
        ({"languages": ["not a code"]}, "languages"),
        ({"names": {"ar": ""}}, "names"),
        ({"email": "not-an-address"}, "email"),
        ({"key": "with spaces"}, "key"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_wrong_field_is_refused_and_nothing_changes(
    api_as, administrator, directory, body, field
):
    service = directory["clinica-salud"]
    response = api_as(administrator).patch(f"/api/v1/services/{service.pk}", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["detail"]
    service.refresh_from_db()
    assert service.key == "clinica-salud" and service.names["ar"] == "خدمة clinica-salud"


def test_agents_search_but_do_not_change_the_directory_and_analysts_do_not_see_it(
    api_as, agent, analyst, desk, directory
):
    service = directory["clinica-salud"]
    assert api_as(agent).patch(f"/api/v1/services/{service.pk}", {"city": "X"}).status_code == 403
    assert api_as(analyst).get("/api/v1/services").status_code == 403


def test_a_service_of_another_desk_is_not_found(api_as, make_staff, other_desk, directory):
    outsider = make_staff("agent", "outsider", desks=[other_desk])
    service = directory["clinica-salud"]
    assert api_as(outsider).get(f"/api/v1/services/{service.pk}").status_code == 404
    assert keys(api_as(outsider).get("/api/v1/services")) == []


# Import and export


def import_csv(api, desk, text):
    return api.client.post(
        f"/api/v1/services/import?desk={desk.slug}",
        text.encode(),
        content_type="text/csv",
        headers=api.headers,
    )


def test_a_csv_adds_and_updates_services_by_key(api_as, administrator, desk, directory):
    text = "\n".join(
        [
            HEADER,
            "clinica-salud,Médicos del Barrio,Clínica del barrio,health,Málaga,Andalucía,ES,"
            "es ar,free,yes,عيادة الحي",
            'ropa-norte,Ropero Norte,"Ropa, mantas",other,Bilbao,Euskadi,ES,es,free,no,',
        ]
    )
    response = import_csv(api_as(administrator), desk, text)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 1}
    assert Service.objects.get(key="clinica-salud").names == {"ar": "عيادة الحي"}
    made = Service.objects.get(key="ropa-norte")
    assert made.name == "Ropa, mantas" and made.accepts_undocumented is False
    assert Organisation.objects.filter(name="Ropero Norte").exists()


def test_a_csv_with_a_bad_row_is_refused_whole_naming_each_bad_row(
    api_as, administrator, desk, directory
):
    before = list(Service.objects.order_by("key").values())
    text = "\n".join(
        [
            HEADER,
            "nuevo-uno,Org Nueva,Nuevo uno,health,Cádiz,Andalucía,ES,es,free,yes,",
            "clinica-salud,Médicos del Barrio,Cambiado,health,Málaga,Andalucía,ES,es,free,yes,",
            "nuevo-dos,Org Nueva,Nuevo dos,spa,Cádiz,Andalucía,ES,es,free,yes,",
            "nuevo-tres,Org Nueva,Nuevo tres,food,Cádiz,Andalucía,ES,es,gratis,quizá,",
            "nuevo-uno,Org Nueva,Otra vez,food,Cádiz,Andalucía,ES,es,free,yes,",
        ]
    )
    response = import_csv(api_as(administrator), desk, text)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("nothing was imported")
    assert "row 4 (nuevo-dos): type" in detail
    assert "row 5 (nuevo-tres): accepts_undocumented" in detail
    assert "row 6: key nuevo-uno is already on row 2" in detail
    assert list(Service.objects.order_by("key").values()) == before
    assert not Organisation.objects.filter(name="Org Nueva").exists()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "the file is empty"),
        ("key,name\n", "no column organisation, type"),
        ("key,organisation,name,type,colour\nx,y,z,food,blue\n", "unknown columns: colour"),
        (HEADER + "\n", "no service"),
        ("key,organisation,name,type\na,b,c,food,extra\n", "more cells than columns"),
    ],
)
def test_a_file_that_is_not_a_directory_is_refused(api_as, administrator, desk, text, said):
    response = import_csv(api_as(administrator), desk, text)
    assert response.status_code == 422
    assert said in response.json()["detail"]


def test_a_file_that_is_not_utf8_or_not_csv_is_refused(api_as, administrator, desk):
    api = api_as(administrator)
    latin = (HEADER + "\nx,Café,Café,food,,,,,,,\n").encode("latin-1")
    response = api.client.post(
        f"/api/v1/services/import?desk={desk.slug}",
        latin,
        content_type="text/csv",
        headers=api.headers,
    )
    assert response.status_code == 422 and "UTF-8" in response.json()["detail"]
    response = api.post(f"/api/v1/services/import?desk={desk.slug}", {"key": "x"})
    assert response.status_code == 422 and "text/csv" in response.json()["detail"]


def test_the_export_imported_again_changes_nothing(api_as, administrator, desk, directory):
    api = api_as(administrator)
    exported = api.get(f"/api/v1/services?desk={desk.slug}&format=csv")
    assert exported.status_code == 200
    text = b"".join(exported.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(directory)
    assert rows[0]["phone"] == "'+34 900 000 000"  # never read as a formula
    assert "name_zgh" in rows[0] and "description_ar" in rows[0]
    before = list(Service.objects.order_by("key").values("key", "names", "phone", "latitude"))
    response = import_csv(api, desk, text)
    assert response.json() == {"created": 0, "updated": len(directory)}
    after = list(Service.objects.order_by("key").values("key", "names", "phone", "latitude"))
    assert after == before


def test_the_api_lists_every_type_of_service():
    from ventanilla.referrals.api import ServiceTypes

    assert set(ServiceTypes.__args__) == set(ServiceType.values)
