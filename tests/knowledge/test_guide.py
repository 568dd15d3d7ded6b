"""The guide: import/export by key, versions, outdated translations, desks' overrides, API."""

import json

import pytest
from django.core.management import CommandError, call_command

from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.models import Article, ReviewState, Topic, Translation, Version
from ventanilla.knowledge.selectors import body_at, outdated_languages
from ventanilla.knowledge.services import (
    Entry,
    Text,
    export_articles,
    import_articles,
    save_article,
    set_override,
)
from ventanilla.lib.errors import Invalid

GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "translations": {
            "en": {
                "title": "Renewing a passport",
                "body": "Bring your old passport and a photo.\n\n{{practical}}",
                "questions": ["my passport expired", "new passport"],
            },
            "es": {"title": "Renovar el pasaporte", "body": "Traiga su pasaporte y una foto."},
        },
        "related": ["lost-passport"],
    },
    {
        "key": "lost-passport",
        "topic": "passports",
        "translations": {"ar": {"title": "فقدان جواز السفر", "body": "قدّم بلاغا للشرطة."}},
    },
]


def test_an_import_creates_published_articles_and_importing_again_changes_nothing(db):
    report = import_articles(entries=entries_from(GUIDE), by=None)
    assert (report.created, report.updated) == (["passport-renewal", "lost-passport"], [])
    article = Article.objects.get(key="passport-renewal")
    assert (article.state, article.source_language, article.topic.key) == (
        "published",
        "en",
        "passports",
    )
    assert [a.key for a in article.related.all()] == ["lost-passport"]
    assert Translation.objects.get(article=article, language="en").questions == [
        "my passport expired",
        "new passport",
    ]
    assert Article.objects.get(key="lost-passport").source_language == "ar"
    assert Version.objects.count() == 3

    again = import_articles(entries=entries_from(GUIDE), by=None)
    assert (again.created, again.updated, again.unchanged) == (
        [],
        [],
        ["passport-renewal", "lost-passport"],
    )
    assert Version.objects.count() == 3


def test_a_changed_source_text_is_a_new_version_and_leaves_translations_outdated(db, administrator):
    import_articles(entries=entries_from(GUIDE), by=None)
    changed = json.loads(json.dumps(GUIDE))
    changed[0]["translations"]["en"]["body"] = "Bring your old passport, a photo and the fee."
    report = import_articles(entries=entries_from(changed), by=administrator)
    assert report.updated == ["passport-renewal"] and report.unchanged == ["lost-passport"]
    article = Article.objects.get(key="passport-renewal")
    assert [v.number for v in article.versions.filter(language="en")] == [2, 1]
    assert article.versions.get(language="en", number=2).author == administrator
    assert outdated_languages(article) == ["es"]

    changed[0]["translations"]["es"]["body"] = "Traiga su pasaporte, una foto y la tasa."
    import_articles(entries=entries_from(changed), by=administrator)
    assert outdated_languages(article) == []


def test_an_export_can_be_imported_again_unchanged(db):
    import_articles(entries=entries_from(GUIDE), by=None)
    exported = export_articles()
    assert [a["key"] for a in exported] == ["lost-passport", "passport-renewal"]
    assert exported[1]["translations"]["en"]["questions"] == ["my passport expired", "new passport"]
    report = import_articles(entries=entries_from(exported), by=None)
    assert report.unchanged == ["lost-passport", "passport-renewal"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"key": "x"}, "a JSON list"),
        ([{"key": "a", "topic": "t", "translations": {"en": {"title": "T"}}}], "title and a body"),
        (
            [{"key": "A B", "topic": "t", "translations": {"en": {"title": "T", "body": "B"}}}],
            "key must be",
        ),
        (
            [{"key": "a", "topic": "t", "translations": {"english": {"title": "T", "body": "B"}}}],
            "language code",
        ),
        ([{"key": "a", "topic": "t", "translations": {}}], "at least one translation"),
        (
            [
                {
                    "key": "a",
                    "topic": "t",
                    "translations": {"en": {"title": "T", "body": "B"}},
                    "related": ["nope"],
                }
            ],
            "no article 'nope'",
        ),
        (
            [
                {
                    "key": "a",
                    "topic": "t",
                    "translations": {"en": {"title": "T", "body": "B"}},
                    "state": "live",
                }
            ],
            "state must be",
        ),
        (
            [{"key": "a", "topic": "t", "translations": {"en": {"title": "T", "body": "B"}}}] * 2,
            "appears twice",
        ),
    ],
)
def test_a_bad_file_is_refused_whole_and_nothing_is_imported(db, data, message):
    import_articles(entries=entries_from(GUIDE[1:]), by=None)
    with pytest.raises(Invalid, match=message):
        import_articles(entries=entries_from(data), by=None)
    assert list(Article.objects.values_list("key", flat=True)) == ["lost-passport"]


def test_a_desks_practical_details_replace_the_marker_or_follow_the_body(db, desk, other_desk):
    import_articles(entries=entries_from(GUIDE), by=None)
    article = Article.objects.get(key="passport-renewal")
    english = article.translations.get(language="en")
    spanish = article.translations.get(language="es")
    set_override(
        article=article, desk=desk, language="en", practical="Mon-Fri 9-13, fee 30 EUR", by=None
    )
    set_override(article=article, desk=desk, language="es", practical="Lun-Vie 9-13", by=None)
    assert (
        body_at(english, desk) == "Bring your old passport and a photo.\n\nMon-Fri 9-13, fee 30 EUR"
    )
    assert body_at(english, other_desk) == "Bring your old passport and a photo."
    assert body_at(spanish, desk) == "Traiga su pasaporte y una foto.\n\nLun-Vie 9-13"
    set_override(article=article, desk=desk, language="en", practical=" ", by=None)
    assert body_at(english, desk) == "Bring your old passport and a photo."


def test_a_new_article_saved_alone_starts_as_a_draft(db):
    article, outcome = save_article(
        entry=Entry("visa", "visas", {"fr": Text("Visa", "Les conditions du visa.")}), by=None
    )
    assert (outcome, article.state, article.source_language) == ("created", ReviewState.DRAFT, "fr")
    assert Topic.objects.get(key="visas").name == "Visas"


def test_the_command_imports_and_exports(db, tmp_path, capsys):
    path = tmp_path / "guide.json"
    path.write_text(json.dumps(GUIDE, ensure_ascii=False), encoding="utf-8")
    call_command("kb", "import", str(path))
    assert capsys.readouterr().out.strip() == "2 created, 0 updated, 0 unchanged"
    call_command("kb", "import", str(path))
    assert capsys.readouterr().out.strip() == "0 created, 0 updated, 2 unchanged"
    call_command("kb", "export")
    assert [a["key"] for a in json.loads(capsys.readouterr().out)] == [
        "lost-passport",
        "passport-renewal",
    ]
    out = tmp_path / "export.json"
    call_command("kb", "export", "--output", str(out))
    assert (
        json.loads(out.read_text(encoding="utf-8"))[0]["translations"]["ar"]["title"]
        == "فقدان جواز السفر"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ("{not json", "is not JSON"), ('[{"key": 1}]', "key is missing")],
)
def test_the_command_explains_a_bad_file(db, tmp_path, content, message):
    path = tmp_path / "guide.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("kb", "import", str(path))
    assert not Article.objects.exists()


def test_editors_save_articles_through_the_api(api_as, supervisor, agent, analyst):
    api = api_as(supervisor)
    article = {
        "key": "consular-id",
        "topic": "documents",
        "translations": {"es": {"title": "Matrícula consular", "body": "Requisitos."}},
    }
    created = api.post("/api/v1/kb/articles", article)
    assert created.status_code == 201, created.content
    assert created.json()["state"] == "draft" and created.json()["outdated"] == []
    same = api.post("/api/v1/kb/articles", {**article, "state": "published"})
    assert same.status_code == 200 and same.json()["state"] == "published"
    got = api_as(agent).get("/api/v1/kb/articles/consular-id")
    assert got.status_code == 200 and got.json()["translations"][0]["title"] == "Matrícula consular"
    assert api_as(agent).get("/api/v1/kb/articles", state="published").json()["count"] == 1
    assert api_as(agent).post("/api/v1/kb/articles", article).status_code == 403
    assert api_as(analyst).get("/api/v1/kb/articles").status_code == 403
    assert api_as(agent).get("/api/v1/kb/articles/nope").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"key": "Bad Key", "topic": "t", "translations": {"en": {"title": "T", "body": "B"}}},
        {"key": "k", "topic": "t", "translations": {"english": {"title": "T", "body": "B"}}},
        {"key": "k", "topic": "t", "translations": {"en": {"title": "", "body": "B"}}},
        {
            "key": "k",
            "topic": "t",
            "translations": {"en": {"title": "T", "body": "B"}},
            "related": ["nope"],
        },
    ],
)
def test_a_bad_article_is_refused_by_the_api_and_nothing_is_stored(api_as, supervisor, body):
    response = api_as(supervisor).post("/api/v1/kb/articles", body)
    assert response.status_code == 422, response.content
    assert response.json()["error"] == "invalid"
    assert not Article.objects.exists()
