"""The console in a real browser: Playwright driving Debian's Chromium against a live server."""

import pytest

from browsers import needs_chromium
from ventanilla.conversations.inbound import receive

PASSWORD = "a-long-browser-password"

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.fixture
def staff_member(make_staff):
    def make(role, username):
        user = make_staff(role, username)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/console/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_an_agent_signs_in_and_reads_a_conversation(
    page, live_server, staff_member, desk, make_inbound
):
    from ventanilla.channels.services import create_channel

    channel = create_channel(desk=desk, type="webchat", name="Web chat", config={}, by=None)
    text = "Hola, perdí mi pasaporte en Madrid"
    conversation = receive(channel=channel, inbound=make_inbound(text=text)).message.conversation
    staff_member("agent", "elena")
    sign_in(page, live_server, "elena")
    page.get_by_role("heading", name="Inbox").wait_for()
    page.get_by_role("link", name=conversation.reference).click()
    page.get_by_role("heading", name=conversation.reference).wait_for()
    assert page.get_by_text(text).is_visible()
    assert page.get_by_text(conversation.contact.pseudonym).first.is_visible()


@pytest.mark.django_db(transaction=True)
def test_an_analyst_is_told_the_inbox_is_not_for_their_role(page, live_server, staff_member):
    staff_member("analyst", "omar")
    sign_in(page, live_server, "omar")
    assert page.get_by_role("heading", name="Not available to your role").is_visible()


@pytest.mark.django_db(transaction=True)
def test_choosing_arabic_turns_the_page_right_to_left(page, live_server, staff_member):
    staff_member("agent", "samira")
    sign_in(page, live_server, "samira")
    page.get_by_label("Language").select_option("ar")
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    assert page.locator("html").get_attribute("lang") == "ar"
