"""The console's Texts page: counts and lists per language of the desk, a language added by
a supervisor, a text worded, checked and given back to the catalogue; agents kept out."""

import hashlib
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from ventanilla.desks.models import Desk, DeskText

NOTICE = "Thank you for writing. We are closed now and open again on %(when)s."


def key(msgid):
    return hashlib.sha256(msgid.encode()).hexdigest()[:16]


@pytest.fixture
def signed_in(client, supervisor, desk):
    Desk.objects.filter(pk=desk.pk).update(languages=["es", "it"])
    client.force_login(supervisor)
    return client


def test_supervisors_find_the_texts_page_in_the_navigation(signed_in):
    html = signed_in.get("/console/supervisor/").content.decode()
    assert 'href="/console/texts/"' in html


def test_agents_neither_see_the_link_nor_open_the_page(client, agent):
    client.force_login(agent)
    assert 'href="/console/texts/"' not in client.get("/console/").content.decode()
    assert client.get("/console/texts/").status_code == 403
    assert client.get("/console/texts/default/es/").status_code == 403


def test_the_page_counts_the_texts_of_each_language_and_lists_unreviewed_ones(signed_in):
    html = signed_in.get("/console/texts/default/it/?state=unreviewed").content.decode()
    unreviewed = int(re.search(r"Not reviewed by a native speaker: <strong>(\d+)", html)[1])
    assert unreviewed > 0
    assert html.count('class="state-unreviewed"') == min(unreviewed, 200)
    assert 'class="state-translated"' not in html


def test_a_supervisor_adds_ukrainian_and_every_text_is_missing(signed_in, desk):
    response = signed_in.post("/console/texts/default/language/", {"language": "uk"})
    assert response.status_code == 302 and response["Location"] == "/console/texts/default/uk/"
    desk.refresh_from_db()
    assert desk.languages == ["es", "it", "uk"]
    html = signed_in.get("/console/texts/default/uk/?state=missing").content.decode()
    assert 'lang="uk" dir="ltr">Українська' in html
    assert "Translated by the catalogue: <strong>0</strong>" in html
    assert 'class="state-missing"' in html


def test_a_bad_language_code_is_refused(signed_in, desk):
    response = signed_in.post("/console/texts/default/language/", {"language": "Ukrainian!"})
    assert response.status_code == 422
    desk.refresh_from_db()
    assert desk.languages == ["es", "it"]


def test_a_text_is_worded_side_by_side_and_given_back_to_the_catalogue(signed_in):
    page = f"/console/texts/default/es/{key(NOTICE)}/"
    html = signed_in.get(page).content.decode()
    with translation.override("es"):
        spanish = gettext(NOTICE)
    assert NOTICE in html and spanish in html
    response = signed_in.post(page, {"action": "save", "text": "Cerrado hasta %(when)s."})
    assert response.status_code == 302
    assert DeskText.objects.get().text == "Cerrado hasta %(when)s."
    listed = signed_in.get("/console/texts/default/es/?state=custom").content.decode()
    assert "Cerrado hasta %(when)s." in listed
    signed_in.post(page, {"action": "remove"})
    assert not DeskText.objects.exists()


def test_a_broken_value_is_refused_with_the_reason(signed_in):
    page = f"/console/texts/default/es/{key(NOTICE)}/"
    response = signed_in.post(page, {"action": "save", "text": "Cerrado hasta %(cuando)s."})
    assert response.status_code == 422
    assert "%(when)s" in response.content.decode()
    assert not DeskText.objects.exists()


def test_an_unreviewed_text_is_marked_as_checked_by_keeping_it_as_the_desks_own(signed_in):
    html = signed_in.get("/console/texts/default/it/?state=unreviewed").content.decode()
    first = re.search(r'href="/console/texts/default/it/([0-9a-f]{16})/', html)[1]
    page = f"/console/texts/default/it/{first}/"
    assert "mark as checked" in signed_in.get(page).content.decode()
    assert signed_in.post(page, {"action": "checked"}).status_code == 302
    saved = DeskText.objects.get()
    assert saved.language == "it" and saved.text
    after = signed_in.get("/console/texts/default/it/?state=custom").content.decode()
    assert f"/console/texts/default/it/{first}/" in after


def test_an_unknown_text_is_not_found(signed_in):
    assert signed_in.get("/console/texts/default/es/0123456789abcdef/").status_code == 404
