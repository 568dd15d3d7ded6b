"""The texts API: a desk's texts per language with their state, set and removed by its
supervisors and administrators; refusals of unknown texts, empty texts and broken values."""

import json

import pytest
from django.utils import translation
from django.utils.translation import gettext

from ventanilla.desks.models import Desk, DeskText
from ventanilla.privacy.models import AuditEntry

NOTICE = "Thank you for writing. We are closed now and open again on %(when)s."
TEXTS = "/api/v1/desks/default/texts"


@pytest.fixture
def crisis_desk(desk):
    Desk.objects.filter(pk=desk.pk).update(languages=["es", "it", "uk"])
    desk.refresh_from_db()
    return desk


def put(api, language, body):
    return api.client.put(
        f"{TEXTS}/{language}",
        json.dumps(body),
        content_type="application/json",
        headers=api.headers,
    )


def delete(api, language, body):
    return api.client.delete(
        f"{TEXTS}/{language}",
        json.dumps(body),
        content_type="application/json",
        headers=api.headers,
    )


def test_a_desk_added_language_lists_every_text_as_missing(api_as, supervisor, crisis_desk):
    answer = api_as(supervisor).get(TEXTS, language="uk").json()
    assert answer["counts"]["missing"] == len(answer["texts"]) > 100
    assert all(t["state"] == "missing" and t["catalogue"] is None for t in answer["texts"])


def test_texts_without_a_native_speakers_review_are_listed_as_unreviewed(
    api_as, supervisor, crisis_desk
):
    answer = api_as(supervisor).get(TEXTS, language="it", state="unreviewed").json()
    assert answer["counts"]["unreviewed"] == len(answer["texts"]) > 0
    assert all(t["state"] == "unreviewed" and t["catalogue"] for t in answer["texts"])


def test_a_supervisor_words_a_text_and_it_is_listed_as_the_desks_own(
    api_as, supervisor, crisis_desk
):
    api = api_as(supervisor)
    text = "Дякуємо. Ми зачинені й відкриємося %(when)s."
    answer = put(api, "uk", {"msgid": NOTICE, "text": text})
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "msgid": NOTICE,
        "context": "",
        "plural": "",
        "note": "",
        "catalogue": None,
        "desk": text,
        "state": "custom",
    }
    listed = api.get(TEXTS, language="uk", state="custom").json()
    assert [t["msgid"] for t in listed["texts"]] == [NOTICE]
    assert listed["counts"]["custom"] == 1
    found = DeskText.objects.get()
    assert (found.language, found.msgid, found.updated_by) == ("uk", NOTICE, supervisor)
    assert AuditEntry.objects.filter(action="desk.text.add", actor=supervisor).exists()
    assert delete(api, "uk", {"msgid": NOTICE}).status_code == 204
    assert not DeskText.objects.exists()
    assert api.get(TEXTS, language="uk", state="custom").json()["texts"] == []


def test_a_search_finds_texts_by_their_words(api_as, supervisor, crisis_desk):
    with translation.override("es"):
        spanish = gettext(NOTICE)
    answer = api_as(supervisor).get(TEXTS, language="es", q=spanish.split("%")[0]).json()
    assert NOTICE in [t["msgid"] for t in answer["texts"]]


def test_plural_texts_take_a_list_of_forms(api_as, supervisor, crisis_desk):
    forms = [
        "%(count)s статтю знайдено.",
        "%(count)s статті знайдено.",
        "%(count)s статей знайдено.",
    ]
    answer = put(api_as(supervisor), "uk", {"msgid": "%(count)s article found.", "text": forms})
    assert answer.status_code == 200, answer.content
    assert answer.json()["desk"] == forms
    assert answer.json()["plural"] == "%(count)s articles found."


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"msgid": "No such text anywhere", "text": "Nada"}, "msgid"),
        ({"msgid": NOTICE, "text": "   "}, "empty"),
        ({"msgid": NOTICE, "text": "Cerrado; abrimos %(cuando)s."}, "%(when)s"),
        ({"msgid": NOTICE, "text": "Cerrado; abrimos pronto."}, "%(when)s"),
        ({"msgid": NOTICE, "text": "Cerrado; abrimos %s."}, "%(when)s"),
        ({"msgid": NOTICE, "text": "Cerrado; abrimos {when}."}, "%(when)s"),
        ({"msgid": "Choose your language", "text": "Elija %(lang)s"}, "(none)"),
        ({"msgid": NOTICE, "text": ["Uno %(when)s", "Dos %(when)s"]}, "plural"),
        ({"msgid": NOTICE, "text": "<script>alert(1)</script> %(when)s"}, "<"),
        ({"msgid": "Write your message", "text": 'Escriba" autofocus onfocus="x'}, "quotes"),
    ],
)
def test_a_text_that_would_break_a_reply_is_refused(api_as, supervisor, crisis_desk, body, says):
    answer = put(api_as(supervisor), "es", body)
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"] == "invalid" and says in answer.json()["detail"]
    assert not DeskText.objects.exists()


def test_a_language_the_desk_does_not_speak_is_refused(api_as, supervisor, crisis_desk):
    answer = put(api_as(supervisor), "pl", {"msgid": NOTICE, "text": "Zamknięte %(when)s"})
    assert answer.status_code == 422
    assert api_as(supervisor).get(TEXTS, language="pl").status_code == 422
    assert api_as(supervisor).get(TEXTS, language="uk", state="odd").status_code == 422


def test_agents_may_not_see_or_word_texts(api_as, agent, crisis_desk):
    assert api_as(agent).get(TEXTS, language="es").status_code == 403
    assert (
        put(api_as(agent), "es", {"msgid": NOTICE, "text": "Cerrado %(when)s"}).status_code == 403
    )


def test_an_administrator_words_texts_too(api_as, administrator, crisis_desk):
    answer = put(api_as(administrator), "es", {"msgid": NOTICE, "text": "Cerrado hasta %(when)s."})
    assert answer.status_code == 200


def test_a_supervisor_of_another_desk_cannot_word_this_desks_texts(
    api_as, make_staff, other_desk, crisis_desk
):
    elsewhere = make_staff("supervisor", desks=[other_desk])
    answer = put(api_as(elsewhere), "es", {"msgid": NOTICE, "text": "Cerrado %(when)s"})
    assert answer.status_code == 404
