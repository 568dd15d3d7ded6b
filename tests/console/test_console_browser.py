"""An agent's day in a real browser: Playwright driving Debian's Chromium against a live
server. Screenshots of the main screens go to screenshots/ (ignored by git) for review."""

import json
import os
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from browsers import needs_chromium
from fakes.graph import contact, envelope, message, sign
from fakes.libretranslate import FakeLibreTranslate
from twofactor import second_step
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Message, Status
from ventanilla.desks.models import AgentProfile, Team
from ventanilla.desks.services import add_request_type, update_desk
from ventanilla.teamwork import services as teamwork
from ventanilla.teamwork.models import Notification

PASSWORD = "a-long-browser-password"
SHOTS = Path(os.environ.get("VENTANILLA_SCREENSHOTS", Path(__file__).parents[2] / "screenshots"))

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    yield context.new_page()
    context.close()


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def staff(make_staff):
    def make(role, username, languages=()):
        user = make_staff(role, username)
        user.set_password(PASSWORD)
        user.save()
        AgentProfile.objects.filter(user=user).update(languages=list(languages))
        return user

    return make


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    second_step(page, username)
    page.get_by_role("heading", name="Inbox").wait_for()


def post_whatsapp(live_server, channel, delivery):
    body = json.dumps(delivery).encode()
    response = httpx.post(
        f"{live_server.url}{channel.webhook_path}",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)},
    )
    assert response.status_code == 200, response.text


def test_an_agent_answers_a_new_whatsapp_message_from_arrival_to_resolution(
    page, live_server, staff, desk, whatsapp, supervisor
):
    update_desk(desk=desk, by=supervisor, hours={"mon": [["08:00", "14:00"]]})
    teamwork.save_canned_response(
        by=supervisor,
        desk=desk,
        shortcut="greeting",
        title="Greeting",
        texts={"es": "Hola, le atiende {agent} de {desk}. Su referencia: {reference}."},
    )
    elena = staff("agent", "elena", ("es", "en"))
    staff("agent", "lucia", ("es",))
    sign_in(page, live_server, "elena")
    page.evaluate("window.notReloaded = true")

    post_whatsapp(
        live_server,
        whatsapp,
        envelope(
            contacts=[contact()],
            messages=[
                message("wamid.BROWSER1", "text", {"body": "Hola, necesito renovar mi pasaporte"})
            ],
        ),
    )
    conversation = Message.objects.get(provider_id="wamid.BROWSER1").conversation
    services.classify(conversation=conversation, by=elena, language="es")
    row = page.get_by_role("link", name=conversation.reference)
    row.wait_for(timeout=5_000)  # the inbox polls every 2 s
    assert page.evaluate("window.notReloaded") is True  # it came without reloading
    shoot(page, "inbox")

    row.click()
    page.get_by_role("heading", name=conversation.reference).wait_for()
    assert page.get_by_text("Hola, necesito renovar mi pasaporte").is_visible()

    # Assign to oneself with the keyboard shortcut.
    page.keyboard.press("a")
    page.get_by_text("Assigned to elena.").wait_for()

    # Reply with a canned response found by its shortcut.
    page.keyboard.press("c")
    page.keyboard.type("/gre")
    page.get_by_role("option", name="/greeting Greeting").click()
    expected = f"Hola, le atiende elena de {desk.name}. Su referencia: {conversation.reference}."
    assert page.get_by_label("Reply").input_value() == expected
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Reply queued for sending.").wait_for()
    assert page.locator(".history .message.out").last.inner_text().startswith("elena")
    sent = Message.objects.get(direction="out", author__isnull=False)  # not an automatic one
    assert sent.text == expected and sent.author == elena

    # A note that mentions a colleague.
    page.get_by_label("Internal note").fill("@lucia she may need an appointment this week")
    page.get_by_label("Internal note").press("Control+Enter")
    page.get_by_text("Note saved; lucia notified.").wait_for()
    assert Notification.objects.get().recipient.username == "lucia"
    shoot(page, "conversation")

    # Resolve with an outcome.
    page.get_by_label("Outcome").select_option("answered")
    page.get_by_role("button", name="Resolve", exact=True).click()
    page.get_by_text("Resolved.").wait_for()
    conversation.refresh_from_db()
    assert (conversation.status, conversation.outcome, conversation.assignee) == (
        Status.RESOLVED,
        "answered",
        elena,
    )


def test_a_reply_in_the_conversation_appears_live_for_a_colleague_watching(
    page, live_server, staff, desk, webchat, make_inbound
):
    watcher = staff("agent", "watcher")
    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="visitor", text="Hola")
    ).message.conversation
    sign_in(page, live_server, "watcher")
    page.goto(f"{live_server.url}/console/c/{conversation.pk}/")
    receive(
        channel=webchat,
        inbound=make_inbound(scheme="webchat", address="visitor", text="¿Hay alguien?"),
    )
    page.get_by_text("¿Hay alguien?").wait_for(timeout=5_000)
    services.note(conversation=conversation, text="Lo llevo yo", by=watcher)
    page.get_by_text("Lo llevo yo").wait_for(timeout=5_000)


def test_a_dutch_speaking_volunteer_reads_arabic_translated_and_answers_in_english(
    page, live_server, staff, webchat, make_inbound, settings
):
    with FakeLibreTranslate() as fake:
        settings.TRANSLATE_URL = fake.url
        fake.learn("ar", "en", "أين أجد طبيبا؟", "Where can I find a doctor?")
        fake.learn("en", "ar", "At the clinic on Main Street", "في العيادة في الشارع الرئيسي")
        staff("agent", "joris", ("nl", "en"))
        conversation = receive(
            channel=webchat,
            inbound=make_inbound(scheme="webchat", address="v-ar", text="أين أجد طبيبا؟"),
        ).message.conversation
        sign_in(page, live_server, "joris")
        page.goto(f"{live_server.url}/console/c/{conversation.pk}/")
        page.get_by_text("Where can I find a doctor?").wait_for(timeout=10_000)
        assert page.get_by_text("أين أجد طبيبا؟").is_visible()
        page.reload()  # the person's language is now known: replies can be translated
        page.get_by_label("Reply").fill("At the clinic on Main Street")
        assert page.get_by_label("Write in my language, send it translated into ar").is_checked()
        page.get_by_role("button", name="Send reply").click()
        page.get_by_text("Reply translated and queued for sending.").wait_for()
        assert page.get_by_text("في العيادة في الشارع الرئيسي").is_visible()
        assert page.get_by_text("Machine-translated from en into ar. Written:").is_visible()
        shoot(page, "translation")


def test_a_supervisor_watches_queues_and_reassigns(
    page, live_server, staff, desk, webchat, make_inbound
):
    sofia = staff("supervisor", "sofia")
    staff("agent", "amal", ("ar", "fr"))
    Team.objects.create(desk=desk, slug="protection", name="Protection")
    urgent = add_request_type(
        desk=desk, by=None, slug="sos", name="Rights violation", first_response_hours=1
    )
    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="v1", language="ar")
    ).message.conversation
    services.classify(conversation=conversation, by=sofia, request_type=urgent)
    sign_in(page, live_server, "sofia")
    page.get_by_role("link", name="Supervision").click()
    page.get_by_role("heading", name="Supervision").wait_for()
    assert page.get_by_role("link", name=conversation.reference).is_visible()
    shoot(page, "supervision")
    page.get_by_label(f"Reassign {conversation.reference}").select_option("amal")
    page.get_by_role("button", name="Reassign").click()
    page.get_by_text("Assigned to amal.").wait_for()
    conversation.refresh_from_db()
    assert conversation.assignee.username == "amal"


def test_a_shift_ends_with_a_handover_the_next_shift_sees(
    page, live_server, staff, webchat, make_inbound
):
    night = staff("agent", "night")
    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="v1")
    ).message.conversation
    services.assign(conversation=conversation, assignee=night, by=night)
    sign_in(page, live_server, "night")
    page.get_by_role("link", name="Handover").click()
    page.get_by_label("Summary for the next shift").fill("Two callbacks promised before noon")
    page.get_by_label(conversation.reference).fill("Call back about the appointment")
    shoot(page, "handover")
    page.get_by_role("button", name="Save the handover").click()
    page.get_by_text("Handover saved").wait_for()
    assert page.get_by_text("Two callbacks promised before noon").is_visible()
    assert page.get_by_text("Call back about the appointment").is_visible()


def test_the_arabic_console_is_right_to_left_and_remembered(
    page, live_server, staff, webchat, make_inbound
):
    receive(channel=webchat, inbound=make_inbound(scheme="webchat", address="v1"))
    staff("agent", "samira")
    sign_in(page, live_server, "samira")
    page.get_by_label("Language").select_option("ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert page.locator("html").get_attribute("lang") == "ar"
    # the filters sit on the right, the list on the left
    filters = page.locator("aside.filters").bounding_box()
    listing = page.locator("section.list").bounding_box()
    assert filters["x"] > listing["x"]
    shoot(page, "inbox-arabic")
    assert AgentProfile.objects.get(user__username="samira").ui_language == "ar"


ACCESSIBILITY = (Path(__file__).parent / "accessibility.js").read_text()


def test_every_control_is_labelled_and_text_has_enough_contrast(
    page, live_server, staff, webchat, make_inbound
):
    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="v1")
    ).message.conversation
    staff("supervisor", "sofia")
    sign_in(page, live_server, "sofia")
    for path in (
        "/console/",
        f"/console/c/{conversation.pk}/",
        "/console/supervisor/",
        "/console/handover/",
        "/console/texts/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        page.evaluate(
            ACCESSIBILITY
        )  # as the test, not the page: its policy allows no inline script
        assert page.evaluate("window.unlabelled()") == [], path
        assert page.evaluate("window.lowContrast()") == [], path
    # The first Tab reaches the skip link, which leads to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"


def test_an_analyst_signing_in_lands_on_the_figures(page, live_server, staff):
    staff("analyst", "omar")
    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Username").fill("omar")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Figures", exact=True).wait_for()
    assert page.url == f"{live_server.url}/console/statistics/"
    page.goto(f"{live_server.url}/console/handover/")
    page.get_by_role("heading", name="Not available to your role").wait_for()
    page.get_by_role("link", name="Back to your start page").click()
    page.get_by_role("heading", name="Figures", exact=True).wait_for()


def test_the_shortcuts_are_listed_on_question_mark(page, live_server, staff):
    staff("agent", "elena")
    sign_in(page, live_server, "elena")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.wait_for()
    assert dialog.get_by_text("Assign the conversation to yourself").is_visible()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
