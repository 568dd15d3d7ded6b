"""The favicon every page links to and /favicon.ico; static files and pages served
compressed, hashed static files cached for long."""

import gzip
import re

import httpx
import pytest

from helpcentre.test_guide import GUIDE
from running import Running, fresh_environment
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


def test_pages_and_json_are_compressed_when_the_client_accepts_it(client, agent):
    client.force_login(agent)
    page = client.get("/console/", headers={"accept-encoding": "gzip, deflate, br"})
    assert page["Content-Encoding"] == "gzip"
    assert gzip.decompress(page.content).startswith(b"<!doctype html>")
    assert "Accept-Encoding" in page["Vary"]
    health = client.get("/api/v1/health", headers={"accept-encoding": "gzip"})
    plain = client.get("/console/")
    assert not plain.has_header("Content-Encoding") and b"<!doctype html>" in plain.content
    assert health.status_code == 200


def test_images_are_sent_as_they_are(client, db):
    icon = client.get("/favicon.ico", headers={"accept-encoding": "gzip"})
    assert not icon.has_header("Content-Encoding")


HASHED = re.compile(r'href="(/static/console/console\.[0-9a-f]{12}\.css)"')


@pytest.fixture
def environment(tmp_path):
    yield from fresh_environment(tmp_path / "home")


def test_a_running_ventanilla_serves_hashed_static_files_compressed_and_cached_for_long(
    environment,
):
    server = Running(environment, "--no-consumer")
    assert "Static files collected" in server.output
    page = httpx.get(server.url + "/accounts/login/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"  # httpx decompresses .text for us
    found = HASHED.search(page.text)
    assert found, "the console's stylesheet is not linked by its hashed name"
    css = httpx.get(server.url + found.group(1), headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200 and css.headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in css.headers["Cache-Control"]
    assert "immutable" in css.headers["Cache-Control"]
    assert int(css.headers["Content-Length"]) < len(css.content)  # sent smaller than it is
    unzipped = httpx.get(server.url + found.group(1), headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in unzipped.headers and unzipped.content == css.content
    server.stop()
    again = Running(environment, "--no-consumer")
    assert "Static files collected" not in again.output  # nothing changed: nothing to do
    assert again.request("GET", found.group(1))[0] == 200
    again.stop()
