"""What people applied for, named in their language on the status page and in the chat."""

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
