"""The web chat in a real browser: a visitor on another site writes, an agent answers."""

import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from browsers import needs_chromium
from ventanilla.channels.services import create_channel
from ventanilla.conversations.models import Conversation

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def consulate_site(tmp_path, live_server):
    """Another organisation's page on another origin, with the one script tag."""
    (tmp_path / "index.html").write_text("""<!doctype html><html><head><meta charset="utf-8">
        <title>Consulado</title></head><body><h1>Consulado (sitio de ejemplo)</h1>
        <script src="WIDGET" defer></script></body></html>""")

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def origin(url):
    return "/".join(url.split("/")[:3])


def test_a_visitor_writes_and_sees_the_agents_reply_without_reloading(
    browser, live_server, consulate_site, desk, agent, api_as
):
    desk.languages = ["es", "ar", "en"]
    desk.save()
    folder, site = consulate_site
    channel = create_channel(
        desk=desk, type="webchat", name="Chat", config={"allowed_origins": [origin(site)]}, by=None
    )
    page_html = (folder / "index.html").read_text()
    (folder / "index.html").write_text(
        page_html.replace("WIDGET", f"{live_server.url}/webchat/{channel.pk}/widget.js")
    )

    context = browser.new_context(locale="es-ES", viewport={"width": 390, "height": 800})  # a phone
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(site)
    page.get_by_role("button", name="Chatee con nosotros").click()  # the browser speaks Spanish
    chat = page.frame_locator("iframe[title='Chatee con nosotros']")
    chat.get_by_role("link", name="español").click()
    chat.get_by_role("textbox").fill("Hola, ¿dónde renuevo mi pasaporte?")
    chat.get_by_role("button", name="Enviar").click()
    chat.get_by_text("Hola, ¿dónde renuevo mi pasaporte?").wait_for()

    conversation = Conversation.objects.get()
    assert conversation.language == "es"
    response = api_as(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"text": "En el consulado, con cita previa."},
    )
    assert response.status_code == 201
    chat.get_by_text("En el consulado, con cita previa.").wait_for(timeout=5000)

    # Back later on the same device: the thread is still there.
    page.reload()
    page.get_by_role("button", name="Chatee con nosotros").click()
    chat.get_by_text("En el consulado, con cita previa.").wait_for(timeout=5000)
    assert Conversation.objects.count() == 1  # the same visitor, the same conversation
    assert errors == []
    context.close()


def test_arabic_is_written_right_to_left(browser, live_server, desk):
    desk.languages = ["ar", "fr"]
    desk.save()
    channel = create_channel(desk=desk, type="webchat", name="Chat", config={}, by=None)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/webchat/{channel.pk}/")
    page.get_by_role("link", name="العربيّة").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.locator("html").get_attribute("lang") == "ar"
    context.close()


def test_a_link_carrying_someone_elses_token_does_not_open_their_chat(browser, live_server, desk):
    """Token fixation: the link's token is ignored, so its sender cannot read the person."""
    import httpx

    desk.languages = ["es"]
    desk.save()
    channel = create_channel(desk=desk, type="webchat", name="Chat", config={}, by=None)
    chat = f"{live_server.url}/webchat/{channel.pk}/"
    planted = httpx.post(chat + "session").json()["token"]  # a genuine token, the sender's

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{chat}?lang=es#token={planted}&language=es")
    page.locator("#text").fill("Mi jefe me quitó el pasaporte")
    page.locator("#composer button[type=submit]").click()
    page.locator("#messages li.in").wait_for()
    context.close()

    seen = httpx.get(chat + "messages", headers={"X-Visitor-Token": planted}).json()
    assert seen["messages"] == []
    assert Conversation.objects.count() == 1  # the person's own, under a token of their own


def test_a_site_not_allowed_cannot_frame_the_chat_nor_hear_its_token(
    browser, live_server, consulate_site, desk, refused_by_policy
):
    desk.languages = ["es"]
    desk.save()
    folder, site = consulate_site
    channel = create_channel(
        desk=desk,
        type="webchat",
        name="Chat",
        config={"allowed_origins": ["https://consulado.example"]},
        by=None,
    )
    (folder / "evil.html").write_text(f"""<!doctype html><meta charset="utf-8">
        <script>window.heard = []; addEventListener("message", e => heard.push(e.data));</script>
        <iframe id="chat" src="{live_server.url}/webchat/{channel.pk}/?lang=es"></iframe>""")
    context = browser.new_context()
    page = context.new_page()
    page.goto(site.replace("index.html", "evil.html"))
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#chat")
    assert frame.locator("#composer").count() == 0  # refused: frame-ancestors
    assert page.evaluate("window.heard") == []
    assert [r for r in refused_by_policy if "frame-ancestors 'self' https://consulado" in r]
    refused_by_policy.clear()
    context.close()


def test_the_chat_tells_its_token_only_to_the_site_that_embeds_it(
    browser, live_server, consulate_site, desk
):
    """Framed by an allowed site, the chat posts its token to that origin and no other."""
    desk.languages = ["es"]
    desk.save()
    folder, site = consulate_site
    channel = create_channel(
        desk=desk,
        type="webchat",
        name="Chat",
        config={"allowed_origins": [origin(site)]},
        by=None,
    )
    (folder / "host.html").write_text(f"""<!doctype html><meta charset="utf-8">
        <script>window.heard = []; addEventListener("message", e => heard.push(e.origin));</script>
        <iframe id="chat" src="{live_server.url}/webchat/{channel.pk}/?lang=es"></iframe>
        <script>document.getElementById("chat").addEventListener("load", e =>
          e.target.contentWindow.postMessage(
            {{ventanilla: {{channel: "{channel.pk}", token: "", language: "es"}}}},
            "{live_server.url}"));</script>""")
    context = browser.new_context()
    page = context.new_page()
    page.goto(site.replace("index.html", "host.html"))
    frame = page.frame_locator("#chat")
    frame.locator("#text").fill("Hola")
    frame.locator("#composer button[type=submit]").click()
    frame.locator("#messages li.in").wait_for()
    page.wait_for_function("window.heard.length > 0")
    assert set(page.evaluate("window.heard")) == {live_server.url}
    context.close()


def test_a_link_in_the_bots_arabic_answer_is_a_link_that_reads_left_to_right(
    browser, live_server, desk, settings
):
    from ventanilla.knowledge.formats import entries_from
    from ventanilla.knowledge.models import BotSettings
    from ventanilla.knowledge.services import import_articles

    settings.PUBLIC_URL = live_server.url  # where the answer's link leads
    desk.languages = ["ar", "es"]
    desk.save()
    guide = [
        {
            "key": "passport-renewal",
            "topic": "passports",
            "translations": {
                "ar": {
                    "title": "تجديد جواز السفر",
                    "body": "احجز موعدا: https://consulado.example/citas",
                }
            },
        }
    ]
    import_articles(entries=entries_from(guide), by=None)
    BotSettings.objects.create(desk=desk, enabled=True)
    channel = create_channel(desk=desk, type="webchat", name="Chat", config={}, by=None)
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(f"{live_server.url}/webchat/{channel.pk}/?lang=ar")
    page.locator("#text").fill("كيف أجدد جواز السفر؟")
    page.locator("#composer button[type=submit]").click()

    article = f"{live_server.url}/help/{desk.slug}/ar/articles/passport-renewal/"
    link = page.locator(f"#messages li.out a[href='{article}']")
    link.wait_for(timeout=10000)
    assert link.get_attribute("dir") == "ltr" and link.text_content() == article
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert link.get_attribute("target") == "_blank"
    assert link.evaluate("a => a.parentElement.tagName") == "BDI"
    assert link.evaluate("a => getComputedStyle(a).direction") == "ltr"
    booking = page.locator("#messages li.out a[href='https://consulado.example/citas']")
    assert booking.count() == 1
    with context.expect_page() as opened:
        link.click()  # tapped, the article opens beside the chat
    opened.value.wait_for_load_state()
    assert opened.value.url == article
    assert errors == []
    context.close()
