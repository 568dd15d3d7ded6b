"""The web chat in a real browser: a visitor on another site writes, an agent answers."""

import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

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


def test_a_visitor_writes_and_sees_the_agents_reply_without_reloading(
    browser, live_server, consulate_site, desk, agent, api_as
):
    desk.languages = ["es", "ar", "en"]
    desk.save()
    channel = create_channel(desk=desk, type="webchat", name="Chat", config={}, by=None)
    folder, site = consulate_site
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
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    assert page.locator("html").get_attribute("lang") == "ar"
    context.close()
