"""Topics named in each language: through the API and the admin."""

import pytest

from ventanilla.knowledge.models import Topic
from ventanilla.privacy.models import AuditEntry

NAMES = {"ar": "جوازات السفر", "zgh": "ⵉⵙⵔⴰⴳⵏ", "fr": "Passeports"}


@pytest.fixture
def topic(db):
    return Topic.objects.create(key="passports", name="Pasaportes")


def test_topics_are_listed_and_named_through_the_api(api_as, administrator, agent, topic):
    api = api_as(administrator)
    response = api.patch("/api/v1/kb/topics/passports", {"names": NAMES})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "key": "passports",
        "name": "Pasaportes",
        "names": NAMES,
        "sensitive": False,
    }
    (listed,) = api_as(agent).get("/api/v1/kb/topics").json()
    assert listed["names"] == NAMES
    renamed = api.patch("/api/v1/kb/topics/passports", {"name": "Pasaportes y visados"})
    assert renamed.json()["names"] == NAMES  # left as they were
    topic.refresh_from_db()
    assert (topic.name_in("ar"), topic.name_in("de")) == (NAMES["ar"], "Pasaportes y visados")
    assert AuditEntry.objects.filter(action="topic.name").count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"names": {"ar": ""}},
        {"names": {"Arabic": "جوازات"}},
        {"names": {"ar": "ب" * 121}},
        {"names": "Passeports"},
        {"name": ""},
    ],
)
def test_bad_topic_names_are_refused_and_nothing_is_stored(api_as, administrator, topic, body):
    response = api_as(administrator).patch("/api/v1/kb/topics/passports", body)
    assert response.status_code == 422, response.content
    assert response.json()["error"]
    topic.refresh_from_db()
    assert (topic.name, topic.names) == ("Pasaportes", {})


def test_agents_do_not_rename_topics_and_unknown_ones_are_not_found(api_as, administrator, agent):
    assert api_as(agent).patch("/api/v1/kb/topics/passports", {"names": NAMES}).status_code == 403
    missing = api_as(administrator).patch("/api/v1/kb/topics/nothing", {"names": NAMES})
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_the_admin_names_a_topic_side_by_side(client, administrator, topic, desk):
    desk.languages = ["es", "uk"]
    desk.save()
    client.force_login(administrator)
    page = client.get(f"/admin/knowledge/topic/{topic.pk}/change/").content.decode()
    assert 'name="names_uk"' in page and 'name="names_zgh"' in page  # the desks' and shipped
    response = client.post(
        f"/admin/knowledge/topic/{topic.pk}/change/",
        {"name": "Pasaportes", "names_ar": NAMES["ar"], "names_uk": "Паспорти", "request_type": ""},
    )
    assert response.status_code == 302, response.content.decode()[-800:]
    topic.refresh_from_db()
    assert topic.names == {"ar": NAMES["ar"], "uk": "Паспорти"}
