"""The help centre and the portal name desks, topics and request types in the reader's
language."""

import pytest
from django.test import Client

from ventanilla.channels.services import create_channel
from ventanilla.desks.models import Desk
from ventanilla.desks.services import add_request_type
from ventanilla.helpcentre.guide_selectors import guide_version
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.models import Topic
from ventanilla.knowledge.services import import_articles

GUIDE = [
    {
        "key": "abuse-at-work",
        "topic": "abuse-and-emergencies",
        "translations": {
            "ar": {"title": "الإساءة في العمل", "body": "لا يحق لأحد أن يحتجز جوازك."},
            "es": {"title": "Abusos en el trabajo", "body": "Nadie puede retenerle el pasaporte."},
        },
    }
]
TOPIC_AR = "الإساءة وحالات الطوارئ"
DESK_AR = "القنصلية العامة"


@pytest.fixture
def guide(desk):
    entries = entries_from([{**GUIDE[0], "state": "published"}])
    import_articles(entries=entries, by=None)
    Topic.objects.filter(key="abuse-and-emergencies").update(
        names={"ar": TOPIC_AR, "es": "Abusos y emergencias"}
    )
    Desk.objects.filter(pk=desk.pk).update(
        name="Consulado general", languages=["es", "ar"], names={"ar": DESK_AR}
    )


def test_the_arabic_help_centre_shows_arabic_topic_and_desk_names(client, guide):
    home = client.get("/help/default/ar/").content.decode()
    assert TOPIC_AR in home and "Abuse and emergencies" not in home
    assert DESK_AR in home and "Consulado general" not in home
    topic = client.get("/help/default/ar/topics/abuse-and-emergencies/").content.decode()
    assert f"<h1>{TOPIC_AR}</h1>" in topic
    article = client.get("/help/default/ar/articles/abuse-at-work/").content.decode()
    assert TOPIC_AR in article and DESK_AR in article


def test_a_language_without_names_shows_the_main_ones(client, guide):
    spanish = client.get("/help/default/es/").content.decode()
    assert "Abusos y emergencias" in spanish and "Consulado general" in spanish
    assert TOPIC_AR not in spanish and DESK_AR not in spanish


def test_naming_a_topic_changes_the_offline_copys_version(client, guide, desk):
    before = guide_version(desk)
    Topic.objects.filter(key="abuse-and-emergencies").update(names={"ar": "طوارئ"})
    assert guide_version(desk) != before


@pytest.fixture
def portal(desk):
    desk.request_types.all().delete()
    add_request_type(
        desk=desk,
        by=None,
        slug="complaint",
        name="Queja",
        names={"ar": "شكوى", "fr": "Réclamation"},
    )
    return create_channel(desk=desk, type="portal", name="Web form", config={}, by=None)


def test_the_arabic_portal_offers_arabic_request_type_names(portal):
    arabic = Client(headers={"accept-language": "ar"}).get("/help/default/request/")
    page = arabic.content.decode()
    assert arabic.status_code == 200 and 'lang="ar"' in page
    assert ">شكوى</option>" in page and "Queja" not in page
    spanish = Client(headers={"accept-language": "es"}).get("/help/default/request/")
    assert ">Queja</option>" in spanish.content.decode()
