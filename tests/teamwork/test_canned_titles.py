"""Canned responses' titles in each language: written side by side, read in one's own."""

import pytest
from django.conf import settings

from ventanilla.lib.errors import Invalid
from ventanilla.teamwork import services
from ventanilla.teamwork.models import CannedResponse

TITLES = {"ar": "الترحيب", "fr": "Accueil", "zgh": "ⴰⵙⵏⵓⴱⴳ"}


def form(**fields):
    return {"shortcut": "hello", "title": "Saludo", "text_es": "Hola {agent}", **fields}


def test_a_canned_responses_title_is_written_in_each_language_and_read_in_ones_own(
    client, supervisor, agent, desk
):
    client.force_login(supervisor)
    page = client.get("/console/canned/new/").content.decode()
    assert 'name="names_ar"' in page and 'dir="rtl"' in page and ">ⵜⴰⵎⴰⵣⵉⵖⵜ</label>" in page
    boxes = {f"names_{code}": title for code, title in TITLES.items()}
    response = client.post("/console/canned/new/", form(desk=desk.slug, **boxes))
    assert response.status_code == 302, response.content.decode()[-600:]
    canned = CannedResponse.objects.get()
    assert (canned.title, canned.names) == ("Saludo", TITLES)
    assert 'value="الترحيب"' in client.get(f"/console/canned/{canned.pk}/").content.decode()
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    assert "الترحيب" in client.get("/console/canned/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"  # none in Dutch: the main title
    listed = client.get("/console/canned/").content.decode()
    assert "Saludo" in listed and "الترحيب" not in listed


def test_a_title_too_long_in_one_language_is_refused_and_nothing_stored(client, supervisor):
    client.force_login(supervisor)
    response = client.post("/console/canned/new/", form(names_de="x" * 121))
    assert response.status_code == 200 and "longer than 120" in response.content.decode()
    assert not CannedResponse.objects.exists()


def test_the_service_refuses_bad_titles_and_keeps_them_when_not_given(supervisor, desk):
    with pytest.raises(Invalid, match="names: 'Arabic' is not a language code"):
        services.save_canned_response(
            by=supervisor, desk=desk, shortcut="x", title="X", texts={"es": "x"},
            names={"Arabic": "س"},
        )  # fmt: skip
    canned = services.save_canned_response(
        by=supervisor, desk=desk, shortcut="x", title="X", texts={"es": "x"}, names=TITLES
    )
    again = services.save_canned_response(
        by=supervisor, desk=desk, shortcut="x", title="Y", texts={"es": "y"}, existing=canned
    )
    assert again.names == TITLES and again.name_in("fr") == "Accueil"
