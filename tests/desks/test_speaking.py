"""Speaking as a desk words it: the desk's text, else the catalogue's, else (a language no
catalogue has) the desk's main language, else English; plurals and contexts; read once."""

import hashlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import get_language, get_language_bidi, gettext, ngettext, pgettext

from ventanilla.calls.prompts import translated
from ventanilla.desks.models import Desk, DeskText
from ventanilla.desks.text_services import remove_text, set_text
from ventanilla.desks.texts import speaking, spoken_language

NOTICE = "Thank you for writing. We are closed now; we will answer you as soon as we can."
EMERGENCY = "In an emergency, call %(phone)s."
FOUND = ("%(count)s article found.", "%(count)s articles found.")


@pytest.fixture
def consulate(desk):
    Desk.objects.filter(pk=desk.pk).update(languages=["es", "uk", "prs"])
    desk.refresh_from_db()
    return desk


def spanish(message):
    with translation.override("es"):
        return gettext(message)


def test_a_desks_own_text_replaces_the_catalogues(consulate):
    set_text(desk=consulate, language="es", msgid=NOTICE, text="Gracias. Ahora cerramos.", by=None)
    with speaking(consulate, "es"):
        assert gettext(NOTICE) == "Gracias. Ahora cerramos."
        assert gettext(EMERGENCY) == spanish(EMERGENCY) != EMERGENCY


def test_a_language_without_a_catalogue_falls_back_to_the_desks_main_language(consulate):
    set_text(desk=consulate, language="uk", msgid=NOTICE, text="Дякуємо. Ми зачинені.", by=None)
    with speaking(consulate, "uk") as spoken:
        assert spoken == "uk" and get_language() == "uk"
        assert gettext(NOTICE) == "Дякуємо. Ми зачинені."
        assert gettext(EMERGENCY) == spanish(EMERGENCY)  # missing: the main language's


def test_the_main_languages_own_text_comes_before_its_catalogue_in_the_fallback(consulate):
    set_text(desk=consulate, language="es", msgid=EMERGENCY, text="Urgencias: %(phone)s.", by=None)
    with speaking(consulate, "uk"):
        assert gettext(EMERGENCY) == "Urgencias: %(phone)s."


def test_a_desk_whose_main_language_has_no_catalogue_falls_back_to_english(desk):
    Desk.objects.filter(pk=desk.pk).update(languages=["uk"])
    desk.refresh_from_db()
    with speaking(desk, "uk"):
        assert gettext(EMERGENCY) == EMERGENCY


def test_dari_is_spoken_right_to_left(consulate):
    with speaking(consulate, "prs"):
        assert get_language() == "prs" and get_language_bidi()
    assert spoken_language(consulate, "prs") == "prs"


def test_arabic_keeps_its_direction_inside_speaking(consulate):
    with speaking(consulate, "ar"):
        assert get_language() == "ar" and get_language_bidi()


def test_a_language_neither_the_desk_nor_a_catalogue_has_is_spoken_as_before(consulate):
    assert spoken_language(consulate, "pl") == "en"
    assert spoken_language(consulate, "ary") == "ar"
    assert spoken_language(consulate, "es-MX") == "es"


def test_the_language_active_before_comes_back_afterwards(consulate):
    with translation.override("fr"):
        with speaking(consulate, "uk"):
            pass
        assert get_language() == "fr"


def test_plural_texts_take_the_form_of_the_languages_rule(consulate):
    forms = [
        "Знайдено %(count)s статтю.",
        "Знайдено %(count)s статті.",
        "Знайдено %(count)s статей.",
    ]
    set_text(desk=consulate, language="uk", msgid=FOUND[0], text=forms, by=None)
    with speaking(consulate, "uk"):
        assert ngettext(*FOUND, 1) == forms[0]
        assert ngettext(*FOUND, 3) == forms[1]
        assert ngettext(*FOUND, 5) == forms[2]
        assert ngettext(*FOUND, 21) == forms[0]


def test_a_text_with_a_context_is_worded_with_its_context(consulate):
    set_text(
        desk=consulate, language="es", msgid="Closed", context="desk", text="Cerrado hoy", by=None
    )
    with speaking(consulate, "es"):
        assert pgettext("desk", "Closed") == "Cerrado hoy"


def test_a_desks_texts_are_read_once_and_again_after_a_change(consulate):
    with speaking(consulate, "es"):
        gettext(NOTICE)
    with CaptureQueriesContext(connection) as kept, speaking(consulate, "es"):
        assert gettext(NOTICE) == spanish(NOTICE)
    assert len(kept) == 0
    set_text(desk=consulate, language="es", msgid=NOTICE, text="Cerrado.", by=None)
    with CaptureQueriesContext(connection) as again, speaking(consulate, "es"):
        assert gettext(NOTICE) == "Cerrado."
    assert len(again) == 1
    remove_text(desk=consulate, language="es", msgid=NOTICE, by=None)
    with speaking(consulate, "es"):
        assert gettext(NOTICE) == spanish(NOTICE)


def test_another_desk_keeps_the_catalogues_text(consulate, other_desk):
    set_text(desk=consulate, language="es", msgid=NOTICE, text="Cerrado.", by=None)
    with speaking(other_desk, "es"):
        assert gettext(NOTICE) == spanish(NOTICE)


def test_a_desks_own_prompt_is_what_the_phone_line_says(consulate):
    set_text(
        desk=consulate,
        language="es",
        msgid="Welcome to %(desk)s.",
        text="Le atiende %(desk)s.",
        by=None,
    )
    assert translated("greeting", "es", consulate) == "Le atiende %(desk)s."
    assert translated("greeting", "es") == spanish("Welcome to %(desk)s.")


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="Redis shares the version at once")
def test_without_redis_a_change_another_process_made_is_read_within_half_a_minute(
    consulate, time_machine
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    with speaking(consulate, "es"):
        assert gettext(NOTICE) == spanish(NOTICE)
    # Another process's service wrote it: its cache is not this process's.
    DeskText.objects.create(
        desk=consulate,
        language="es",
        msgid=NOTICE,
        msgid_hash=hashlib.sha256(NOTICE.encode()).hexdigest(),
        text="Cerrado.",
    )
    with speaking(consulate, "es"):
        assert gettext(NOTICE) == spanish(NOTICE)
    time_machine.move_to(start + timedelta(seconds=31), tick=False)
    with speaking(consulate, "es"):
        assert gettext(NOTICE) == "Cerrado."
