"""What people applied for, named in their language on the status page and in the chat."""

import json

import pytest

from ventanilla.helpcentre.applications import Row, import_applications, look_up
from ventanilla.helpcentre.models import ApplicationService
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.services import import_articles

GUIDE = [
    {
        "key": "passport",
        "topic": "passports",
        "translations": {
            "ar": {"title": "جواز السفر", "body": "..."},
            "es": {"title": "Pasaporte", "body": "..."},
        },
    }
]
ROW = ("ES-2026-000123", "Pasaporte", "ready-for-collection", "2026-03-02", "Rabat", "1990-03-12")


@pytest.fixture
def loaded(desk):
    import_articles(entries=entries_from(GUIDE), by=None)
    import_applications(desk=desk, rows=[Row("line 2", *ROW)], by=None)
    return desk


def test_an_import_adds_the_services_it_has_not_seen_and_keeps_their_names(loaded):
    service = ApplicationService.objects.get(desk=loaded)
    assert (service.name, service.names) == ("Pasaporte", {})
    ApplicationService.objects.filter(pk=service.pk).update(names={"ar": "جواز سفر"})
    again = [Row("line 2", *ROW), Row("line 3", "ES-2026-000124", *ROW[1:])]
    import_applications(desk=loaded, rows=again, by=None)
    assert list(ApplicationService.objects.values_list("name", "names")) == [
        ("Pasaporte", {"ar": "جواز سفر"})
    ]


def test_the_arabic_status_page_names_the_service_in_arabic(client, loaded):
    ApplicationService.objects.filter(desk=loaded).update(names={"ar": "جواز سفر"})
    details = {"reference": "ES-2026-000123", "date_of_birth": "12/03/1990"}
    arabic = client.post("/help/default/ar/status/", details).content.decode()
    assert "جواز سفر" in arabic and "Pasaporte" not in arabic
    spanish = client.post("/help/default/es/status/", details).content.decode()
    assert "Pasaporte" in spanish  # no Spanish name: as imported


def test_a_chat_look_up_names_the_service_in_the_persons_language(loaded):
    ApplicationService.objects.filter(desk=loaded).update(names={"fr": "Passeport"})
    answer = look_up(
        desk=loaded,
        reference="ES-2026-000123",
        second_factor="12/03/1990",
        channel="whatsapp",
        requester_key="contact:1",
        language="fr",
    )
    assert answer.text.startswith("Dossier Passeport ES-2026-000123")


def test_staff_name_a_service_in_each_language_in_the_admin(client, administrator, loaded):
    service = ApplicationService.objects.get()
    client.force_login(administrator)
    page = client.get(f"/admin/helpcentre/applicationservice/{service.pk}/change/")
    assert 'name="names_ar"' in page.content.decode()
    response = client.post(
        f"/admin/helpcentre/applicationservice/{service.pk}/change/",
        {"names_ar": "جواز سفر", "names_zgh": "ⴰⵙⵔⴰⴳ"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.names == {"ar": "جواز سفر", "zgh": "ⴰⵙⵔⴰⴳ"}


def test_services_are_listed_and_named_through_the_api(api_as, supervisor, agent, loaded):
    api = api_as(supervisor)
    assert api.get("/api/v1/desks/default/application-services").json() == [
        {"name": "Pasaporte", "names": {}}
    ]
    names = {"ar": "جواز سفر", "fr": "Passeport"}
    put = api.client.put(
        "/api/v1/desks/default/application-services/Pasaporte",
        json.dumps({"names": names}),
        content_type="application/json",
        headers=api.headers,
    )
    assert put.status_code == 200 and put.json() == {"name": "Pasaporte", "names": names}
    read = api.get("/api/v1/desks/default/applications/ES-2026-000123").json()
    assert (read["service"], read["service_names"]) == ("Pasaporte", names)
    for body, status in [
        ({"names": {"ar": ""}}, 422),
        ({"names": {"Arabic": "جواز"}}, 422),
        ({"names": "Passeport"}, 422),
    ]:
        refused = api.client.put(
            "/api/v1/desks/default/application-services/Pasaporte",
            json.dumps(body),
            content_type="application/json",
            headers=api.headers,
        )
        assert refused.status_code == status and refused.json()["error"], body
    unknown = api.client.put(
        "/api/v1/desks/default/application-services/Visa",
        json.dumps({"names": names}),
        content_type="application/json",
        headers=api.headers,
    )
    assert unknown.status_code == 404
    assert ApplicationService.objects.get().names == names
    agent_put = api_as(agent).client.put(
        "/api/v1/desks/default/application-services/Pasaporte",
        json.dumps({"names": {}}),
        content_type="application/json",
        headers=api_as(agent).headers,
    )
    assert agent_put.status_code == 403
