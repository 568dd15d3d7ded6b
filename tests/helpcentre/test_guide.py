"""The public guide's pages as a reader's browser and its service worker ask for them."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ventanilla.channels.services import create_channel
from ventanilla.knowledge.formats import entries_from
from ventanilla.knowledge.models import Article
from ventanilla.knowledge.services import (
    Entry,
    Text,
    import_articles,
    save_article,
    set_override,
    set_state,
)

GUIDE = [
    {
        "key": "passport-renewal",
        "topic": "passports",
        "related": ["lost-passport", "secret-draft"],
        "translations": {
            "es": {
                "title": "Renovar el pasaporte",
                "body": "Necesita el pasaporte anterior y una foto.\n\n{{practical}}",
                "questions": ["se me venció el pasaporte"],
            },
            "ar": {
                "title": "تجديد جواز السفر",
                "body": "تحتاج إلى الجواز القديم وصورة حديثة.\n\n{{practical}}",
            },
            "en": {
                "title": "Renewing a passport",
                "body": "You need the old passport and a photo.\n\n{{practical}}",
            },
            "uk": {"title": "Оновлення паспорта", "body": "Потрібен старий паспорт і фото."},  # noqa: RUF001
        },
    },
    {
        "key": "lost-passport",
        "topic": "passports",
        "related": ["passport-renewal"],
        "translations": {
            "es": {
                "title": "Pérdida o robo del pasaporte",
                "body": "Denuncie la pérdida a la policía y pida cita con la denuncia.",
                "questions": ["he perdido el pasaporte", "me robaron el pasaporte"],
            },
            "ar": {"title": "ضياع جواز السفر", "body": "أبلغ الشرطة عن الضياع ثم احجز موعدًا."},
            "en": {"title": "A lost or stolen passport", "body": "Report the loss to the police."},
        },
    },
    {
        "key": "health-care",
        "topic": "health",
        "source_language": "es",
        "translations": {
            "es": {
                "title": "Atención sanitaria sin papeles",
                "body": "## Urgencias\n\nLos hospitales atienden urgencias, tenga o no papeles.",
            },
            "nl": {"title": "Zorg zonder papieren", "body": "Ziekenhuizen helpen bij spoed."},
        },
    },
    {
        "key": "secret-draft",
        "topic": "health",
        "state": "draft",
        "translations": {"es": {"title": "Borrador secreto", "body": "Aún no publicado."}},
    },
    {
        "key": "only-draft-topic",
        "topic": "detention",
        "state": "draft",
        "translations": {"es": {"title": "Detención (borrador)", "body": "Aún no."}},
    },
]


TIFINAGH = {"title": "ⴰⵙⵏⴼⵍ ⵏ ⵓⴰⵙⵉⵍ", "body": "ⴰⵙⵏⴼⵍ"}  # noqa: RUF001


@pytest.fixture
def guide(desk):
    desk.languages = ["es", "ar", "en"]
    desk.save()
    import_articles(entries=entries_from(GUIDE), by=None)
    return desk


def page(response):
    return response.content.decode()


def links(html):
    return re.findall(r'href="([^"]*)"', html)


# Where a reader lands.


@pytest.mark.parametrize(
    ("accepted", "lands_on"),
    [
        ("ar,en;q=0.5", "ar"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "en"),  # no French guide: the next language asked for
        ("es-MX", "es"),
        ("nl,ar;q=0.5", "ar"),  # the desk's own languages before the guide's others
        ("nl", "nl"),
        ("de", "es"),  # nothing matches: the desk's main language
        ("", "es"),
    ],
)
def test_the_desks_help_centre_opens_in_the_browsers_language(client, guide, accepted, lands_on):
    response = client.get("/help/default/", headers={"Accept-Language": accepted})
    assert response.status_code == 302
    assert response["Location"] == f"/help/default/{lands_on}/"
    assert "Accept-Language" in response["Vary"]


def test_help_goes_to_the_only_desk_and_lists_several(client, guide, other_desk):
    listed = client.get("/help/")
    assert listed.status_code == 200
    assert "/help/default/" in links(page(listed)) and "/help/elsewhere/" in links(page(listed))
    other_desk.delete()
    assert client.get("/help/")["Location"] == "/help/default/"


def test_the_home_page_lists_the_topics_with_their_articles(client, guide):
    response = client.get("/help/default/es/")
    html = page(response)
    assert response.status_code == 200
    assert '<html lang="es" dir="ltr"' in html
    assert response["Content-Language"] == "es"
    assert "/help/default/es/topics/passports/" in links(html)
    assert "Renovar el pasaporte" in html and "Pérdida o robo del pasaporte" in html
    assert "Atención sanitaria sin papeles" in html
    assert 'action="/help/default/es/search"' in html and 'type="search"' in html
    assert 'href="#main"' in html and 'id="main"' in html  # the skip link and its target
    assert 'label for="q"' in html


def test_the_home_page_titles_an_article_missing_in_the_language_in_its_own(client, guide):
    html = page(client.get("/help/default/ar/"))
    assert '<html lang="ar" dir="rtl"' in html
    assert "تجديد جواز السفر" in html
    assert 'lang="es" dir="auto">Atención sanitaria sin papeles</a>' in html


def test_the_language_switcher_lists_the_guides_languages_the_desks_first(client, guide):
    html = page(client.get("/help/default/es/"))
    switcher = html[html.index('<details class="languages">') : html.index("</details>")]
    offered = re.findall(r'href="/help/default/([^/]+)/"', switcher)
    assert offered == ["es", "ar", "en", "nl", "uk"]
    assert 'aria-current="page">español</a>' in switcher
    assert 'lang="ar" hreflang="ar">العربيّة</a>' in switcher


def test_a_topic_page_lists_its_published_articles(client, guide):
    response = client.get("/help/default/es/topics/passports/")
    html = page(response)
    assert response.status_code == 200
    assert "<h1>Passports</h1>" in html
    assert "/help/default/es/articles/passport-renewal/" in links(html)
    assert "/help/default/es/articles/lost-passport/" in links(html)
    assert "/help/default/en/topics/passports/" in links(html)  # the switcher stays on the topic


def test_an_article_is_shown_in_the_language_with_the_desks_practical_details(
    client, guide, other_desk
):
    renewal = Article.objects.get(key="passport-renewal")
    set_override(
        article=renewal,
        desk=guide,
        language="es",
        practical="**Consulado de Madrid**: de lunes a viernes. [Pida cita](https://citas.example.org/)",
        by=None,
    )
    html = page(client.get("/help/default/es/articles/passport-renewal/"))
    assert "<h1>Renovar el pasaporte</h1>" in html
    assert "<strong>Consulado de Madrid</strong>" in html
    assert '<a href="https://citas.example.org/">Pida cita</a>' in html
    assert "{{practical}}" not in html
    assert "/help/default/es/articles/lost-passport/" in links(html)  # related

    other_desk.languages = ["es"]
    other_desk.save()
    elsewhere = page(client.get("/help/elsewhere/es/articles/passport-renewal/"))
    assert "Necesita el pasaporte anterior" in elsewhere
    assert "Consulado de Madrid" not in elsewhere and "{{practical}}" not in elsewhere


def test_an_article_switches_only_between_the_languages_it_has(client, guide):
    html = page(client.get("/help/default/en/articles/lost-passport/"))
    switcher = html[html.index('<details class="languages">') : html.index("</details>")]
    offered = re.findall(r'href="/help/default/([^/]+)/articles/lost-passport/"', switcher)
    assert offered == ["es", "ar", "en"]


def test_an_article_missing_in_the_language_is_shown_in_its_source_language(client, guide):
    response = client.get("/help/default/ar/articles/health-care/")
    html = page(response)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl"' in html
    assert 'id="language-note"' in html and "español" in html
    assert '<article lang="es" dir="ltr">' in html
    assert "<h1>Atención sanitaria sin papeles</h1>" in html
    assert "<h2>Urgencias</h2>" in html  # the body's headings sit under the title


def test_arabic_pages_read_right_to_left_in_an_arabic_interface(client, guide):
    html = page(client.get("/help/default/ar/articles/passport-renewal/"))
    assert '<html lang="ar" dir="rtl"' in html
    assert "<h1>تجديد جواز السفر</h1>" in html
    assert ">بحث</button>" in html  # "Search", from the project's Arabic catalogue
    assert "<article>" in html  # in the page's own language: no lang of its own


def test_a_language_without_an_interface_keeps_the_interface_marked_as_english(client, guide):
    html = page(client.get("/help/default/uk/articles/passport-renewal/"))
    assert '<html lang="uk" dir="ltr"' in html
    assert '<button type="submit" lang="en" dir="ltr">Search</button>' in html


def test_tamazight_has_its_own_interface(client, guide):
    from ventanilla.knowledge.services import import_articles as add

    add(
        entries=entries_from(
            [{"key": "zgh-only", "topic": "passports", "translations": {"zgh": TIFINAGH}}]
        ),
        by=None,
    )
    html = page(client.get("/help/default/zgh/articles/zgh-only/"))
    assert '<html lang="zgh" dir="ltr"' in html
    with translation.override("zgh"):
        search = translation.gettext("Search")
    assert search != "Search" and f'<button type="submit">{search}</button>' in html


def test_drafts_never_appear(client, guide):
    for path in (
        "/help/default/es/",
        "/help/default/es/topics/health/",
        "/help/default/es/offline/",
    ):
        html = page(client.get(path))
        assert "Borrador secreto" not in html and "secret-draft" not in html
        assert "detention" not in html
    related = page(client.get("/help/default/es/articles/passport-renewal/"))
    assert "secret-draft" not in related
    assert client.get("/help/default/es/articles/secret-draft/").status_code == 404
    assert client.get("/help/default/es/topics/detention/").status_code == 404
    found = page(client.get("/help/default/es/search", {"q": "borrador secreto"}))
    assert "secret-draft" not in found
    listed = client.get("/help/default/es/offline.json").json()
    assert not any("secret-draft" in url for url in listed["pages"])


def test_an_unpublished_article_leaves_the_help_centre(client, guide, administrator):
    set_state(article=Article.objects.get(key="lost-passport"), state="draft", by=administrator)
    assert client.get("/help/default/es/articles/lost-passport/").status_code == 404
    assert "lost-passport" not in page(client.get("/help/default/es/"))


XSS = (
    "Texto.\n\n<script>alert('body')</script>\n\n"
    "[Pulse aquí](javascript:alert('link')) y [aquí también](JaVaScRiPt:alert(1)) "
    "y [y aquí](java&#x09;script:alert(1)) <javascript:alert(2)>\n\n"
    '<img src=x onerror="alert(3)"> <a href="javascript:alert(4)">enlace</a>\n\n'
    "![foto](javascript:alert(5)) ![mapa](https://maps.example.org/m.png)\n\n"
    "[web](https://example.org) [correo](mailto:info@example.org) [teléfono](tel:+34910000000) "
    "[datos](data:text/html;base64,PHNjcmlwdD4=)"
)


def test_markdown_cannot_put_script_in_a_page(client, guide):
    save_article(
        entry=Entry(
            key="passport-renewal",
            topic="passports",
            translations={"es": Text("Renovar el pasaporte", XSS)},
        ),
        by=None,
    )
    set_override(
        article=Article.objects.get(key="passport-renewal"),
        desk=guide,
        language="es",
        practical="<script>alert('override')</script>",
        by=None,
    )
    response = client.get("/help/default/es/articles/passport-renewal/")
    html = page(response)
    body = html[html.index('<div class="body">') : html.index("</article>")]
    assert "<script" not in body and "<img" not in body
    assert re.search(r"<[^>]*\son\w+\s*=", body) is None  # no live event handler
    assert "&lt;script&gt;alert(" in body  # shown as the text it is
    assert not [href for href in links(body) if not href.startswith(("https:", "mailto:", "tel:"))]
    assert '<a href="https://example.org">web</a>' in body
    assert '<a href="mailto:info@example.org">correo</a>' in body
    assert '<a href="tel:+34910000000">teléfono</a>' in body
    assert '<a href="https://maps.example.org/m.png">mapa</a>' in body  # a link, not a fetch
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script" not in html.replace('<script src="/static/helpcentre/guide.js" defer>', "")


# Not found.


@pytest.mark.parametrize(
    "path",
    [
        "/help/nowhere/",
        "/help/nowhere/es/",
        "/help/default/de/",  # a language the guide does not have
        "/help/default/fr/articles/passport-renewal/",
        "/help/default/es/articles/no-such-article/",
        "/help/default/es/topics/no-such-topic/",
        "/help/nowhere/es/search?q=pasaporte",
    ],
)
def test_what_is_not_in_the_guide_is_a_friendly_404(client, guide, path):
    response = client.get(path)
    assert response.status_code == 404
    assert re.search(r"<h1>(Not found|No encontrado)</h1>", page(response))


def test_a_404_in_a_known_desk_leads_back_to_the_guide(client, guide):
    response = client.get("/help/default/es/articles/no-such-article/")
    html = page(response)
    assert response.status_code == 404
    assert "<h1>No encontrado</h1>" in html
    assert "/help/default/es/" in links(html)


def test_a_desk_without_a_published_guide_has_no_help_pages(client, desk):
    assert client.get("/help/default/").status_code == 404
    assert client.get("/help/default/es/").status_code == 404


def test_the_portals_routes_are_not_taken_for_languages(client, guide):
    create_channel(desk=guide, type="portal", name="Form", config={}, by=None)
    assert client.get("/help/default/request/").status_code == 200
    assert client.get("/help/default/follow-up/").status_code == 200


# Search.


def test_a_search_finds_published_articles_in_the_pages_language(client, guide):
    response = client.get("/help/default/es/search", {"q": "he perdido el pasaporte"})
    html = page(response)
    assert response.status_code == 200
    results = html[html.index('<ol class="articles results">') :]
    assert links(results)[0] == "/help/default/es/articles/lost-passport/"
    assert 'value="he perdido el pasaporte"' in html
    assert response["Cache-Control"] == "no-store"


def test_a_search_in_arabic_finds_arabic_titles(client, guide):
    html = page(client.get("/help/default/ar/search", {"q": "ضياع جواز السفر"}))
    assert "ضياع جواز السفر</a>" in html
    assert "/help/default/ar/articles/lost-passport/" in links(html)


def test_a_search_with_no_result_says_so(client, guide):
    html = page(client.get("/help/default/es/search", {"q": "xyzzy plugh"}))
    assert 'id="no-results"' in html


@pytest.mark.parametrize(
    ("query", "status"),
    [("", 200), ("   ", 200), ("pasaporte " * 40, 400), ("¿?¡!", 200), ("<script>", 200)],
)
def test_a_bad_search_gets_a_clear_answer_not_an_error(client, guide, query, status):
    response = client.get("/help/default/es/search", {"q": query})
    assert response.status_code == status
    html = page(response)
    if status == 400:
        assert 'id="search-problem"' in html and "200" in html
    assert "<script>" not in html


def test_a_search_without_a_query_asks_for_one(client, guide):
    response = client.get("/help/default/es/search")
    assert response.status_code == 200
    assert 'id="search-problem"' in page(response)


# Ways to reach a person.


def test_the_pages_link_to_the_desks_chat_whatsapp_and_form(client, guide, graph):
    chat = create_channel(desk=guide, type="webchat", name="Chat", config={}, by=None)
    create_channel(desk=guide, type="portal", name="Form", config={}, by=None)
    config = {**graph.config(), "display_phone_number": "+34 600 11 22 33"}
    create_channel(desk=guide, type="whatsapp", name="WhatsApp", config=config, by=None)
    html = page(client.get("/help/default/es/articles/lost-passport/"))
    assert f"/webchat/{chat.pk}/?lang=es" in links(html)
    assert "https://wa.me/34600112233" in links(html)
    assert "/help/default/request/" in links(html)


def test_a_whatsapp_channel_without_a_known_number_gets_no_link(client, guide, whatsapp):
    html = page(client.get("/help/default/es/"))
    assert "wa.me" not in html and 'class="contacts"' not in html


# The app and the offline guide.


def test_the_manifest_makes_each_language_an_app(client, guide):
    response = client.get("/help/default/ar/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == manifest["scope"] == "/help/default/ar/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "ar" and manifest["dir"] == "rtl"
    assert manifest["name"] == "Default desk"
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    html = page(client.get("/help/default/ar/"))
    assert '<link rel="manifest" href="/help/default/ar/manifest.webmanifest">' in html


def test_the_service_worker_is_served_from_its_scope(client, guide):
    response = client.get("/help/default/es/sw.js")
    script = page(response)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/help/default/es/"
    assert response["Cache-Control"] == "no-cache"
    assert 'const LIST = "/help/default/es/offline.json";' in script
    assert 'const OFFLINE = "/help/default/es/offline/";' in script
    assert 'data-worker="/help/default/es/sw.js"' in page(client.get("/help/default/es/"))
    assert client.get("/help/default/de/sw.js").status_code == 404


def test_the_worker_keeps_every_page_of_the_guide_in_its_language(client, guide):
    listed = client.get("/help/default/es/offline.json").json()
    assert listed["required"][:2] == ["/help/default/es/", "/help/default/es/offline/"]
    assert "/static/helpcentre/guide.css" in listed["required"]
    assert sorted(listed["pages"]) == [
        "/help/default/es/articles/health-care/",
        "/help/default/es/articles/lost-passport/",
        "/help/default/es/articles/passport-renewal/",
        "/help/default/es/topics/health/",
        "/help/default/es/topics/passports/",
    ]
    for url in listed["required"] + listed["pages"]:
        assert client.get(url).status_code == 200, url


def cache_name(client):
    return re.search(r'const CACHE = "([^"]+)";', page(client.get("/help/default/es/sw.js")))[1]


def test_the_worker_changes_when_the_guide_changes(client, guide):
    first = cache_name(client)
    assert first.startswith("guide:/help/default/es/:")
    assert cache_name(client) == first
    set_override(
        article=Article.objects.get(key="lost-passport"),
        desk=guide,
        language="es",
        practical="Comisaría: calle Mayor 1.",
        by=None,
    )
    second = cache_name(client)
    assert second != first
    save_article(
        entry=Entry(
            key="lost-passport",
            topic="passports",
            translations={"es": Text("Pérdida del pasaporte", "Denuncie la pérdida.")},
        ),
        by=None,
    )
    assert cache_name(client) not in (first, second)


def test_the_offline_page_lists_what_can_be_read_without_a_network(client, guide):
    html = page(client.get("/help/default/es/offline/"))
    assert 'id="offline-title"' in html
    assert "/help/default/es/articles/lost-passport/" in links(html)


def test_pages_can_be_cached_briefly_and_revalidated(client, guide):
    response = client.get("/help/default/es/articles/lost-passport/")
    assert "max-age=300" in response["Cache-Control"]
    again = client.get(
        "/help/default/es/articles/lost-passport/", headers={"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 304
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.get("Vary", "")


# Weight and cost.


def weight(client, path):
    """The bytes a first visit to `path` downloads: the page, its styles, script, icons,
    manifest (and the manifest's icons) and service worker."""
    response = client.get(path)
    html = page(response)
    total = len(response.content)
    assets = re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', html)
    manifest = next(url for url in assets if url.endswith(".webmanifest"))
    assets += [icon["src"] for icon in client.get(manifest).json()["icons"]]
    assets.append(re.search(r'data-worker="([^"]+)"', html)[1])
    for url in set(assets):
        fetched = client.get(url)
        assert fetched.status_code == 200, url
        content = b"".join(fetched.streaming_content) if fetched.streaming else fetched.content
        total += len(content)
    return total


@pytest.mark.parametrize(
    "path",
    [
        "/help/default/es/",
        "/help/default/ar/articles/passport-renewal/",
        "/help/default/es/search?q=pasaporte",
    ],
)
def test_a_page_weighs_less_than_100_kb_with_everything_it_loads(client, guide, path):
    assert weight(client, path) < 100_000


def many_articles(count, topics):
    return [
        {
            "key": f"article-{n}",
            "topic": f"topic-{n % topics}",
            "related": ["lost-passport"],
            "translations": {
                "es": {"title": f"Artículo {n}", "body": "Texto. " * 200},
                "en": {"title": f"Article {n}", "body": "Text."},
            },
        }
        for n in range(count)
    ]


def test_the_home_page_costs_the_same_queries_however_many_articles(client, guide):
    client.get("/help/default/es/")  # the desk's own texts are read once, then kept
    with CaptureQueriesContext(connection) as few:
        assert client.get("/help/default/es/").status_code == 200
    import_articles(entries=entries_from(many_articles(30, topics=10)), by=None)
    with CaptureQueriesContext(connection) as many:
        html = page(client.get("/help/default/es/"))
    assert len(re.findall(r'href="/help/default/es/articles/article-\d+/"', html)) == 30
    assert len(many) == len(few) <= 7  # one of them: whether the desk lists any service


def test_the_home_page_shows_a_few_articles_of_each_topic_and_the_way_to_all(client, guide):
    import_articles(entries=entries_from(many_articles(600, topics=12)), by=None)
    html = page(client.get("/help/default/es/"))
    shelf = html[html.index('id="topic-topic-3"') :]
    shelf = shelf[: shelf.index("</section>")]
    assert len(re.findall(r"/articles/article-", shelf)) == 8
    assert "/help/default/es/topics/topic-3/" in links(shelf) and "50" in shelf
    assert weight(client, "/help/default/es/") < 100_000
    topic = page(client.get("/help/default/es/topics/topic-3/"))
    assert len(re.findall(r"/articles/article-", topic)) == 50
    listed = client.get("/help/default/es/offline.json").json()
    assert len(listed["pages"]) == 3 + 600 + 2 + 12  # every article and topic, to keep
