"""The favicon every page links to and /favicon.ico; static files and pages served
compressed, hashed static files cached for long."""

import re

import pytest

from helpcentre.test_guide import GUIDE
from ventanilla.channels.services import create_channel
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.services import import_articles

ICON = re.compile(r'<link rel="icon" href="([^"]+)"')


def test_favicon_ico_is_answered_with_an_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert "max-age" in response["Cache-Control"]


@pytest.fixture
def pages(client, agent, desk):
    portal = create_channel(desk=desk, type="portal", name="Form", config={}, by=None)
    chat = create_channel(desk=desk, type="webchat", name="Chat", config={}, by=None)
    import_articles(entries=entries_from(GUIDE), by=None)
    client.force_login(agent)
    assert portal.pk
    return {
        "console": "/console/",
        "help centre": f"/help/{desk.slug}/request/",
        "chat": f"/webchat/{chat.pk}/",
        "guide": f"/help/{desk.slug}/es/",
    }


def test_every_kind_of_page_links_an_icon_that_is_served(client, pages):
    for name, path in pages.items():
        page = client.get(path)
        assert page.status_code == 200, name
        found = ICON.search(page.content.decode())
        assert found, f"no icon on the {name} page"
        assert found.group(1) != "data:,", name
        icon = client.get(found.group(1))
        assert icon.status_code == 200, name
        assert icon["Content-Type"].startswith("image/"), name
