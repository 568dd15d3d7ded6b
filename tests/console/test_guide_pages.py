"""The guide's pages in the console: the articles, the side-by-side editor, the gaps."""

import itertools
import re
from html import unescape

import pytest

from fakes.libretranslate import FakeLibreTranslate, error
from ventanilla.channels.services import create_channel
from ventanilla.conversations.inbound import receive
from ventanilla.knowledge.gaps import record_gap
from ventanilla.knowledge.models import (
    Article,
    Gap,
    GapSource,
    Override,
    ReviewState,
    Topic,
    Translation,
    Version,
)
from ventanilla.knowledge.selectors import outdated_languages
from ventanilla.knowledge.services import Entry, Text, save_article

PASSPORT = {
    "en": Text(
        "Renewing a passport",
        "Bring your old passport and a photo.\n\n{{practical}}",
        ("my passport expired", "new passport"),
    ),
    "es": Text("Renovar el pasaporte", "Traiga su pasaporte y una foto.", ("pasaporte caducado",)),
}


def write(key, translations, *, topic="passports", source="", related=(), state=""):
    article, _ = save_article(
        entry=Entry(key, topic, translations, source, tuple(related), state), by=None
    )
    return article


@pytest.fixture
def guide(db):
    write("lost-passport", {"en": Text("A lost passport", "Report it to the police first.")})
    write(
        "birth-registration",
        {"en": Text("Registering a birth", "Bring the hospital's form.")},
        topic="civil-registry",
    )
    return write("passport-renewal", PASSPORT, related=["lost-passport"], state="published")


@pytest.fixture
def editor(client, supervisor):
    client.force_login(supervisor)
    return client


def text(response):
    return unescape(response.content.decode())


def side(page, name):
    """The value of a field of the page, by its id (`source-title`, `target-body`...)."""
    tag = re.search(rf'<(input|textarea)\b[^>]*\bid="{name}"[^>]*>', page)
    if tag.group(1) == "textarea":
        return page[tag.end() : page.index("</textarea>", tag.end())].removeprefix("\n")
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


# The list and new articles


def test_editors_list_the_guide_with_each_articles_languages_and_state(editor, guide):
    page = text(editor.get("/console/guide/"))
    assert "passport-renewal" in page and "lost-passport" in page and "birth-registration" in page
    row = re.search(r"<tr>\s*<td><a[^>]*>passport-renewal</a>.*?</tr>", page, re.S).group(0)
    assert "en, es" in row and "Published" in row and "Renewing a passport" in row


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("topic=civil-registry", {"birth-registration"}),
        ("state=published", {"passport-renewal"}),
        ("state=draft", {"lost-passport", "birth-registration"}),
        ("language=es", {"passport-renewal"}),
        ("language=es&untranslated=1", {"lost-passport", "birth-registration"}),
        ("outdated=1", {"passport-renewal"}),
        ("outdated=1&language=es", {"passport-renewal"}),
        ("outdated=1&language=ar", set()),
        ("q=LOST", {"lost-passport"}),
        ("q=renovar", {"passport-renewal"}),
    ],
)
def test_the_list_is_filtered(editor, guide, query, shown):
    write("passport-renewal", {"en": Text("Renewing a passport", "Bring the fee too.")})
    page = text(editor.get(f"/console/guide/?{query}"))
    listed = set(re.findall(r'<td><a href="/console/guide/([-a-z]+)/">', page))
    assert listed == shown


def test_an_outdated_translation_is_named_in_the_list(editor, guide):
    write("passport-renewal", {"en": Text("Renewing a passport", "Bring the fee too.")})
    page = text(editor.get("/console/guide/"))
    assert 'href="/console/guide/passport-renewal/?to=es">es</a>' in page


@pytest.mark.parametrize("query", ["language=x1!", "topic=nowhere", "state=archived"])
def test_a_bad_filter_is_refused_with_a_reason(editor, guide, query):
    response = editor.get(f"/console/guide/?{query}")
    assert response.status_code == 400
    assert 'class="error"' in text(response)


def test_a_new_article_is_a_draft_that_opens_in_the_editor(editor, guide, supervisor):
    response = editor.post(
        "/console/guide/",
        {
            "key": "consular-card",
            "topic": "passports",
            "language": "es",
            "title": "La tarjeta consular",
            "body": "Se pide en persona.",
            "questions": "tarjeta consular\n\ncomo saco la tarjeta\n",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/console/guide/consular-card/"
    article = Article.objects.get(key="consular-card")
    assert (article.state, article.source_language, article.topic.key) == (
        "draft",
        "es",
        "passports",
    )
    translation = article.translations.get()
    assert translation.questions == ["tarjeta consular", "como saco la tarjeta"]
    assert article.versions.get().author == supervisor
    assert "Draft consular-card saved" in text(response)


GOOD_ARTICLE = {
    "key": "consular-card",
    "topic": "passports",
    "language": "es",
    "title": "La tarjeta consular",
    "body": "Se pide en persona.",
}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"key": "Consular Card"}, "lower-case letters"),
        ({"key": "passport-renewal"}, "There is an article passport-renewal already"),
        ({"key": "gaps"}, "kept for a page of the console"),
        ({"title": "   "}, "This field is required"),
        ({"body": ""}, "This field is required"),
        ({"topic": "astrology"}, "Select a valid choice"),
        ({"language": "Spanish!"}, "language code such as es"),
        ({"questions": "x" * 301}, "at most 50 questions of 300 characters"),
    ],
)
def test_a_new_article_with_bad_input_is_refused_and_nothing_is_stored(
    editor, guide, change, reason
):
    before = (Article.objects.count(), Version.objects.count())
    response = editor.post("/console/guide/", {**GOOD_ARTICLE, **change})
    assert response.status_code == 400
    assert reason in text(response)
    assert (Article.objects.count(), Version.objects.count()) == before


# The side-by-side editor


def test_the_editor_shows_the_source_beside_the_chosen_translation(editor, guide, desk):
    desk.languages = ["es", "ar"]
    desk.save()
    page = text(editor.get("/console/guide/passport-renewal/?to=es"))
    assert side(page, "source-title") == "Renewing a passport"
    assert side(page, "target-title") == "Renovar el pasaporte"
    assert side(page, "target-questions").strip() == "pasaporte caducado"
    assert 'id="target-body"' in page and 'lang="es"' in page
    # the switcher offers the article's languages and the desk's
    assert (
        'href="/console/guide/passport-renewal/?to=ar"' in page
        and 'href="/console/guide/passport-renewal/?to=es" aria-current="page"' in page
    )
    assert 'href="/console/guide/lost-passport/"' in page  # a related article
    assert "Back to draft" in page  # it is published


def test_arabic_is_written_right_to_left_and_other_languages_as_the_text_goes(editor, guide):
    page = text(editor.get("/console/guide/passport-renewal/?to=ar"))
    target = re.search(r'<textarea[^>]*id="target-body"[^>]*>', page).group(0)
    source = re.search(r'<textarea[^>]*id="source-body"[^>]*>', page).group(0)
    assert 'dir="rtl"' in target and 'lang="ar"' in target
    assert 'dir="auto"' in source and 'lang="en"' in source
    assert side(page, "target-title") == ""  # not yet written
    practical = re.search(r'<textarea[^>]*id="practical-default-ar"[^>]*>', page).group(0)
    assert 'dir="rtl"' in practical


def test_the_editor_opens_on_the_first_outdated_translation(editor, guide):
    write("passport-renewal", {"en": Text("Renewing a passport", "Bring the fee too.")})
    page = text(editor.get("/console/guide/passport-renewal/"))
    assert (
        'href="/console/guide/passport-renewal/?to=es" aria-current="page"' in page
        and "Outdated" in page
    )


def test_saving_a_translation_makes_a_new_version_and_leaves_the_rest_as_it_was(
    editor, guide, supervisor
):
    response = editor.post(
        "/console/guide/passport-renewal/text/",
        {
            "language": "es",
            "based_on": "1",
            "to": "es",
            "title": "Renovar el pasaporte",
            "body": "Traiga su pasaporte viejo y una foto.",
            "questions": "pasaporte caducado\nnuevo pasaporte",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/console/guide/passport-renewal/?to=es"
    assert "Saved as a new version" in text(response)
    es = Translation.objects.get(article=guide, language="es")
    assert (es.version, es.body, es.questions) == (
        2,
        "Traiga su pasaporte viejo y una foto.",
        ["pasaporte caducado", "nuevo pasaporte"],
    )
    assert guide.versions.get(language="es", number=2).author == supervisor
    en = Translation.objects.get(article=guide, language="en")
    assert en.version == 1  # the other side is untouched
    assert [a.key for a in guide.related.all()] == ["lost-passport"]  # and the relations
    guide.refresh_from_db()
    assert guide.state == ReviewState.PUBLISHED


def test_saving_the_same_text_again_changes_nothing(editor, guide):
    response = editor.post(
        "/console/guide/passport-renewal/text/",
        {
            "language": "es",
            "based_on": "1",
            "title": "Renovar el pasaporte",
            "body": "Traiga su pasaporte y una foto.",
            "questions": "pasaporte caducado",
        },
        follow=True,
    )
    assert "Nothing changed." in text(response)
    assert guide.versions.filter(language="es").count() == 1


def test_a_changed_source_shows_what_changed_until_the_translation_follows_it(editor, guide):
    editor.post(
        "/console/guide/passport-renewal/text/",
        {
            "language": "en",
            "based_on": "1",
            "to": "es",
            "title": "Renewing a passport",
            "body": "Bring your old passport, a photo and the fee.\n\n{{practical}}",
            "questions": "my passport expired\nnew passport",
        },
    )
    assert outdated_languages(guide) == ["es"]
    page = text(editor.get("/console/guide/passport-renewal/?to=es"))
    assert "follows version 1 of the source text, which is now at version 2" in page
    assert "<del>Bring your old passport and a photo.</del>" in page
    assert "<ins>Bring your old passport, a photo and the fee.</ins>" in page
    assert "passport-renewal" in text(editor.get("/console/guide/?outdated=1&language=es"))

    editor.post(
        "/console/guide/passport-renewal/text/",
        {
            "language": "es",
            "based_on": "1",
            "to": "es",
            "title": "Renovar el pasaporte",
            "body": "Traiga su pasaporte, una foto y la tasa.",
        },
    )
    assert outdated_languages(guide) == []
    page = text(editor.get("/console/guide/passport-renewal/?to=es"))
    assert "which is now at version" not in page and "<ins>" not in page


def test_a_text_saved_meanwhile_by_someone_else_is_not_overwritten_unawares(editor, guide):
    write("passport-renewal", {"es": Text("Renovar el pasaporte", "Otro texto.")})
    sent = {
        "language": "es",
        "based_on": "1",
        "to": "es",
        "title": "Renovar el pasaporte",
        "body": "Mi texto.",
    }
    response = editor.post("/console/guide/passport-renewal/text/", sent)
    assert response.status_code == 409
    page = text(response)
    assert "Someone saved this text since you opened it (it is now version 2)" in page
    assert side(page, "target-body") == "Mi texto."  # kept, to save again
    assert re.search(r'name="based_on" value="2"', page)
    assert Translation.objects.get(article=guide, language="es").body == "Otro texto."
    again = editor.post("/console/guide/passport-renewal/text/", {**sent, "based_on": "2"})
    assert again.status_code == 302
    assert Translation.objects.get(article=guide, language="es").body == "Mi texto."


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"title": ""}, "This field is required"),
        ({"body": "   "}, "This field is required"),
        ({"language": "Español"}, "language code such as es"),
        ({"questions": "\n".join(f"q{i}" for i in range(51))}, "at most 50 questions"),
    ],
)
def test_a_bad_text_is_refused_and_kept_on_the_page(editor, guide, change, reason):
    sent = {"language": "es", "based_on": "1", "to": "es", "title": "T", "body": "B", **change}
    response = editor.post("/console/guide/passport-renewal/text/", sent)
    assert response.status_code == 400 and reason in text(response)
    assert guide.versions.count() == 2
    assert Translation.objects.get(article=guide, language="es").version == 1


@pytest.fixture
def libretranslate(settings):
    with FakeLibreTranslate() as fake:
        settings.TRANSLATE_URL = fake.url
        settings.TRANSLATE_API_KEY = ""
        yield fake


def test_machine_translation_fills_the_translation_side_with_a_draft_to_check(
    editor, guide, libretranslate
):
    libretranslate.learn("en", "ar", "Renewing a passport", "تجديد جواز السفر")
    libretranslate.learn(
        "en", "ar", "Bring your old passport and a photo.", "أحضر جوازك القديم وصورة."
    )
    questions = "\n".join(["انتهى جوازي", "جواز جديد"])
    libretranslate.learn("en", "ar", "my passport expired\nnew passport", questions)
    page = text(editor.get("/console/guide/passport-renewal/?to=ar"))
    assert "Machine translate" in page
    response = editor.post(
        "/console/guide/passport-renewal/machine/",
        {"language": "ar", "based_on": "0", "to": "ar", "title": "", "body": ""},
    )
    assert response.status_code == 200
    page = text(response)
    assert side(page, "target-title") == "تجديد جواز السفر"
    # the marker stays where it was, untranslated; the questions are one per line
    assert side(page, "target-body") == "أحضر جوازك القديم وصورة.\n\n{{practical}}"
    assert side(page, "target-questions").splitlines() == ["انتهى جوازي", "جواز جديد"]
    assert "Machine translation from English: a draft, not saved" in page
    assert 'href="/console/guide/passport-renewal/?to=es"' in page  # links lead back to the editor
    assert {call["source"] for call in libretranslate.translated} == {"en"}
    assert "{{practical}}" not in "".join(call["q"] for call in libretranslate.translated)
    assert not Translation.objects.filter(
        language="ar"
    ).exists()  # nothing saved until a person does


def test_a_long_text_is_sent_to_the_translation_server_in_pieces_it_takes(
    editor, libretranslate, db
):
    paragraphs = [
        f"Paragraph {i}. " + "word " * 400 for i in range(8)
    ]  # about 2,000 characters each
    write("long-one", {"en": Text("Long", "\n\n".join(paragraphs))})
    response = editor.post("/console/guide/long-one/machine/", {"language": "fr", "based_on": "0"})
    body = side(text(response), "target-body")
    assert all(len(call["q"]) <= 5000 for call in libretranslate.translated)
    assert body.count("Paragraph") == 8 and body.count("\n\n") == 7


def test_when_the_translation_server_fails_the_text_is_kept_and_the_editor_told(
    editor, guide, libretranslate
):
    libretranslate.script(error(500, "boom"))
    sent = {"language": "ar", "based_on": "0", "to": "ar", "title": "مسودتي", "body": "نص كتبته"}
    response = editor.post("/console/guide/passport-renewal/machine/", sent)
    page = text(response)
    assert response.status_code == 200
    assert "Machine translation is not available now" in page
    assert side(page, "target-title") == "مسودتي" and side(page, "target-body") == "نص كتبته"
    assert "a draft, not saved" not in page
    assert not Translation.objects.filter(language="ar").exists()


def test_without_a_translation_server_the_editor_says_so(editor, guide, settings):
    settings.TRANSLATE_URL = ""
    page = text(editor.get("/console/guide/passport-renewal/?to=ar"))
    assert "Machine translation is not set up" in page
    response = editor.post("/console/guide/passport-renewal/machine/", {"language": "ar"})
    assert "Machine translation is not available now" in text(response)


@pytest.mark.parametrize("language", ["en", "not a code", ""])
def test_machine_translation_into_the_source_or_no_language_is_refused(
    editor, guide, libretranslate, language
):
    response = editor.post("/console/guide/passport-renewal/machine/", {"language": language})
    assert response.status_code == 400
    assert libretranslate.translated == []


def test_an_article_is_published_and_taken_back_to_draft(editor, guide):
    editor.post("/console/guide/passport-renewal/state/", {"state": "draft", "to": "es"})
    guide.refresh_from_db()
    assert guide.state == ReviewState.DRAFT
    response = editor.post(
        "/console/guide/passport-renewal/state/", {"state": "published"}, follow=True
    )
    guide.refresh_from_db()
    assert guide.state == ReviewState.PUBLISHED
    assert "Published: the guide's search finds it now." in text(response)
    refused = editor.post("/console/guide/passport-renewal/state/", {"state": "archived"})
    assert refused.status_code == 400


def test_desks_practical_details_are_written_for_the_desks_one_works_at(
    editor, guide, desk, other_desk
):
    response = editor.post(
        "/console/guide/passport-renewal/practical/",
        {
            "desk": desk.slug,
            "language": "es",
            "practical": "Lunes a viernes, 9 a 14 h.",
            "to": "es",
        },
    )
    assert response.status_code == 302
    override = Override.objects.get()
    assert (override.desk, override.language, override.practical) == (
        desk,
        "es",
        "Lunes a viernes, 9 a 14 h.",
    )
    page = text(editor.get("/console/guide/passport-renewal/?to=es"))
    assert ">Lunes a viernes, 9 a 14 h.</textarea>" in page
    refused = editor.post(
        "/console/guide/passport-renewal/practical/",
        {"desk": other_desk.slug, "language": "es", "practical": "Elsewhere"},
    )
    assert refused.status_code == 400 and "no desk" in text(refused)
    editor.post(
        "/console/guide/passport-renewal/practical/",
        {"desk": desk.slug, "language": "es", "practical": ""},
    )
    assert not Override.objects.exists()


def test_the_topic_and_related_articles_are_changed_without_a_new_version(editor, guide):
    Topic.objects.create(key="travel", name="Travel")
    editor.post(
        "/console/guide/passport-renewal/about/",
        {"topic": "travel", "related": "birth-registration, lost-passport"},
    )
    guide.refresh_from_db()
    assert guide.topic.key == "travel"
    assert sorted(a.key for a in guide.related.all()) == ["birth-registration", "lost-passport"]
    assert guide.versions.count() == 2
    refused = editor.post(
        "/console/guide/passport-renewal/about/", {"topic": "travel", "related": "nowhere"}
    )
    assert refused.status_code == 400 and "no article 'nowhere'" in text(refused)
    assert guide.related.count() == 2


def test_the_versions_say_who_changed_which_language_when(editor, guide, supervisor):
    write("passport-renewal", {"en": Text("Renewing a passport", "Bring the fee too.")})
    editor.post(
        "/console/guide/passport-renewal/text/",
        {"language": "es", "based_on": "1", "title": "Renovar", "body": "Traiga la tasa."},
    )
    page = text(editor.get("/console/guide/passport-renewal/?to=es"))
    rows = re.findall(r"<tr><td>(\w+)</td><td>(\d+)</td><td>([^<]+)</td>", page)
    assert rows[0] == ("es", "2", "supervisor")
    assert ("en", "2", "—") in rows and ("en", "1", "—") in rows


def test_an_unknown_article_is_not_found(editor, guide):
    assert editor.get("/console/guide/no-such-article/").status_code == 404
    response = editor.post(
        "/console/guide/no-such-article/text/",
        {"language": "es", "title": "T", "body": "B"},
    )
    assert response.status_code == 404
    assert not Article.objects.filter(key="no-such-article").exists()


def test_a_language_code_of_a_bad_shape_is_refused_in_the_switcher(editor, guide):
    response = editor.get("/console/guide/passport-renewal/?to=<script>")
    assert response.status_code == 400
    assert (
        "is not a language code" in text(response) and "<script>" not in response.content.decode()
    )


def test_a_language_code_typed_is_offered_to_translate_into(editor, guide):
    page = text(editor.get("/console/guide/passport-renewal/?to=zgh"))
    assert 'href="/console/guide/passport-renewal/?to=zgh" aria-current="page"' in page
    assert side(page, "target-title") == ""


# Gaps

VISITORS = itertools.count(1)


@pytest.fixture
def asked(webchat, make_inbound):
    """A conversation at the desk, asking in `language`, with a gap for its question."""

    def ask(question, language="es", reply="", channel=None):
        conversation = receive(
            channel=channel or webchat,
            inbound=make_inbound(
                scheme="webchat",
                address=f"visitor-{next(VISITORS)}",
                text=question,
                language=language,
            ),
        ).message.conversation
        return record_gap(
            conversation=conversation, source=GapSource.AGENT, question=question, reply=reply
        )

    return ask


@pytest.fixture
def group(asked):
    return [
        asked("¿Cómo pido la tarjeta consular?", reply="Se pide en persona con el pasaporte."),
        asked("Quiero pedir la tarjeta consular"),
        asked("tarjeta consular pedir cita"),
    ]


def test_the_gaps_of_ones_desks_are_grouped_with_examples_and_replies(
    editor, group, asked, other_desk, make_inbound
):
    asked("¿Dónde está el registro civil?")
    elsewhere = create_channel(desk=other_desk, type="webchat", name="Chat", config={}, by=None)
    asked("Pregunta de otro consulado", channel=elsewhere)
    response = editor.get("/console/guide/gaps/")
    page = text(response)
    assert "<title>Gaps (4)" in page
    assert "Asked 3 times" in page and "Asked once" in page
    assert "Se pide en persona con el pasaporte." in page
    assert "Pregunta de otro consulado" not in page
    assert page.index("Asked 3 times") < page.index("Asked once")  # the largest group first
    # the new-article form is prefilled from the group
    assert 'value="tarjeta-consular-pedir-cita"' in page or 'value="quiero-pedir' in page


def test_a_group_of_gaps_becomes_a_draft_article_and_closes(editor, guide, group, supervisor):
    ids = [g.pk for g in group]
    response = editor.post(
        "/console/guide/gaps/article/",
        {
            "gap": ids,
            "key": "consular-card",
            "topic": "passports",
            "language": "es",
            "title": "La tarjeta consular",
            "body": "Se pide en persona con el pasaporte.",
            "questions": "Quiero pedir la tarjeta consular",
        },
    )
    assert response.status_code == 302 and response.url == "/console/guide/consular-card/"
    article = Article.objects.get(key="consular-card")
    assert article.state == ReviewState.DRAFT
    assert set(Gap.objects.values_list("article", flat=True)) == {article.pk}
    assert not Gap.objects.filter(closed_at__isnull=True).exists()
    assert "No open questions" in text(editor.get("/console/guide/gaps/"))


def test_a_bad_new_article_from_gaps_leaves_them_open_and_the_form_as_sent(editor, guide, group):
    response = editor.post(
        "/console/guide/gaps/article/",
        {
            "gap": [g.pk for g in group],
            "key": "consular-card",
            "topic": "passports",
            "language": "es",
            "title": "Mi título",
            "body": "",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "This field is required" in page and 'value="Mi título"' in page
    assert not Article.objects.filter(key="consular-card").exists()
    assert Gap.objects.filter(closed_at__isnull=True).count() == 3


def test_a_groups_questions_are_taught_to_an_article_found_for_them(editor, guide, asked):
    write(
        "consular-card",
        {"es": Text("La tarjeta consular", "Se pide en persona.")},
        source="es",
        state="published",
    )
    gaps = [
        asked("¿Cómo pido la tarjeta consular?"),
        asked("Quiero la tarjeta consular", language=""),
    ]
    page = text(editor.get("/console/guide/gaps/"))
    assert re.search(r'type="radio" name="article" value="consular-card"', page)
    response = editor.post(
        "/console/guide/gaps/question/", {"gap": [g.pk for g in gaps], "article": "consular-card"}
    )
    assert response.status_code == 302
    es = Translation.objects.get(article__key="consular-card", language="es")
    assert es.questions == ["Quiero la tarjeta consular", "¿Cómo pido la tarjeta consular?"]
    assert es.version == 3  # a version for each question
    assert set(Gap.objects.values_list("article__key", flat=True)) == {"consular-card"}


def test_questions_go_to_the_source_language_when_the_article_lacks_theirs(editor, guide, asked):
    gap = asked("ما هي الوثائق لتجديد جواز السفر؟", language="ar")
    editor.post("/console/guide/gaps/question/", {"gap": [gap.pk], "key": "passport-renewal"})
    en = Translation.objects.get(article=guide, language="en")
    assert en.questions[-1] == "ما هي الوثائق لتجديد جواز السفر؟"
    assert not Translation.objects.filter(article=guide, language="ar").exists()


def test_teaching_an_unknown_article_is_refused_and_the_gaps_stay_open(editor, guide, group):
    response = editor.post(
        "/console/guide/gaps/question/", {"gap": [g.pk for g in group], "key": "no-such-article"}
    )
    assert response.status_code == 404 and "There is no article no-such-article." in text(response)
    assert Gap.objects.filter(closed_at__isnull=True).count() == 3
    nothing = editor.post("/console/guide/gaps/question/", {"gap": [g.pk for g in group]})
    assert nothing.status_code == 400 and "Choose an article" in text(nothing)


def test_a_group_set_aside_is_closed_without_an_article(editor, group, asked):
    other = asked("¿Dónde está el registro civil?")
    response = editor.post(
        "/console/guide/gaps/aside/", {"gap": [g.pk for g in group]}, follow=True
    )
    assert "Set aside: 3 questions." in text(response)
    assert list(Gap.objects.filter(closed_at__isnull=True)) == [other]
    assert not Gap.objects.exclude(article=None).exists()


@pytest.mark.parametrize("path", ["aside", "question", "article"])
def test_gaps_of_another_desk_are_refused_and_nothing_changes(
    editor, group, other_desk, asked, path
):
    elsewhere = create_channel(desk=other_desk, type="webchat", name="Chat", config={}, by=None)
    theirs = asked("Pregunta de otro consulado", channel=elsewhere)
    sent = {
        **GOOD_ARTICLE,
        "gap": [group[0].pk, theirs.pk],
        "key": "other-card",
        "article": "lost-passport",
    }
    response = editor.post(f"/console/guide/gaps/{path}/", sent)
    assert response.status_code == 404
    assert "no longer open at your desks" in text(response)
    assert not Gap.objects.filter(closed_at__isnull=False).exists()
    assert not Article.objects.filter(key="other-card").exists()


@pytest.mark.parametrize("ids", [[], ["abc"], ["1e3"], ["99999999999999999999"], ["-1"]])
def test_gap_ids_that_are_not_ids_are_refused(editor, group, ids):
    response = editor.post("/console/guide/gaps/aside/", {"gap": ids})
    assert response.status_code == 400
    assert not Gap.objects.filter(closed_at__isnull=False).exists()


def test_gaps_already_closed_are_not_closed_again(editor, group):
    editor.post("/console/guide/gaps/aside/", {"gap": [group[0].pk]})
    response = editor.post("/console/guide/gaps/aside/", {"gap": [g.pk for g in group]})
    assert response.status_code == 404
    assert Gap.objects.filter(closed_at__isnull=True).count() == 2


# Who may


PAGES = [
    ("get", "/console/guide/"),
    ("get", "/console/guide/passport-renewal/"),
    ("get", "/console/guide/gaps/"),
    ("post", "/console/guide/passport-renewal/text/"),
    ("post", "/console/guide/passport-renewal/machine/"),
    ("post", "/console/guide/passport-renewal/state/"),
    ("post", "/console/guide/passport-renewal/practical/"),
    ("post", "/console/guide/passport-renewal/about/"),
    ("post", "/console/guide/gaps/article/"),
    ("post", "/console/guide/gaps/question/"),
    ("post", "/console/guide/gaps/aside/"),
]


@pytest.mark.parametrize("role", ["agent", "analyst"])
@pytest.mark.parametrize(("method", "path"), PAGES)
def test_only_editors_of_the_guide_open_its_pages(
    client, make_staff, guide, group, role, method, path
):
    client.force_login(make_staff(role))
    sent = {
        "gap": [g.pk for g in group],
        "state": "draft",
        "language": "es",
        "title": "T",
        "body": "B",
        "key": "x",
        "topic": "passports",
    }
    response = client.get(path) if method == "get" else client.post(path, sent)
    assert response.status_code == 403
    assert Article.objects.get(key="passport-renewal").state == ReviewState.PUBLISHED
    assert not Gap.objects.filter(closed_at__isnull=False).exists()
    assert guide.versions.count() == 2


def test_signing_in_comes_first(client, guide):
    response = client.get("/console/guide/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_top_bar_leads_editors_to_the_guide(client, supervisor, agent, db):
    client.force_login(supervisor)
    assert 'href="/console/guide/">Guide</a>' in text(client.get("/console/"))
    client.force_login(agent)
    assert 'href="/console/guide/"' not in text(client.get("/console/"))


def test_administrators_edit_the_guide_too(client, administrator, guide):
    client.force_login(administrator)
    assert client.get("/console/guide/passport-renewal/").status_code == 200
    assert client.get("/console/guide/gaps/").status_code == 200
