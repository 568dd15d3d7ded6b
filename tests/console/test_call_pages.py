"""The phone line in the console: taking the next caller, the calls of a conversation with
calling back, and where the line rings each member of staff."""

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from browsers import needs_chromium
from calls import conftest as line_fixtures
from calls.conftest import Caller
from fakes.twilio import NUMBER
from ventanilla.calls.models import Call, Leg, Outcome
from ventanilla.calls.services import remove_expired_recordings, set_phone
from ventanilla.desks.models import AgentProfile

voice = line_fixtures.voice
line = line_fixtures.line

NUMBER_OF_CALLER = "+50499990001"
AGENT_PHONE = "+34600000123"
PASSWORD = "a-long-browser-password"


@pytest.fixture
def phone(post_twilio, voice):
    """A person calling the line (call ids unlike those the fake gives to calls it places)."""

    def dial(number=NUMBER_OF_CALLER):
        return Caller(post_twilio, voice, f"CA{uuid.uuid4().hex}", number)

    return dial


@pytest.fixture
def waiting(phone):
    """A person who chose Spanish, then "anything else", and waits for an agent."""
    caller = phone()
    caller.press(caller.press(caller.ring(), "1"), "5")
    return caller


@pytest.fixture
def on_the_phone(agent):
    set_phone(user=agent, phone=AGENT_PHONE, by=agent)
    return agent


def caller_call(caller):
    return Call.objects.get(call_sid=caller.sid)


def flash(response):
    return response.content.decode().split('class="flash"')[1].split("</div>")[0]


def leg_of(twilio_call, voice, post_twilio):
    """The agent's side of a call the line placed, answering as Twilio would."""
    sid = Call.objects.get(leg__in=[Leg.AGENT, Leg.CALLBACK], channel=voice).call_sid
    return Caller(post_twilio, voice, sid, NUMBER), _path(twilio_call["Url"])


def _path(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


# Taking the next call


def test_an_agent_with_a_phone_is_put_through_to_the_caller_waiting(
    client, on_the_phone, waiting, twilio
):
    client.force_login(on_the_phone)
    part = client.get("/console/phones/queue/?next=/console/").content.decode()
    assert "Take next call" in part and "1 caller waiting" in part
    response = client.post("/console/phones/take-call/", {"next": "/console/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/console/"
    [placed] = twilio.calls
    assert placed["To"] == AGENT_PHONE and placed["From"] == NUMBER
    assert "/agent/" in placed["Url"] and "queue=vt-" in placed["Url"]
    since = timezone.localtime(caller_call(waiting).enqueued_at).strftime("%H:%M")
    assert (
        f"Your phone will ring: you will be put through to a caller waiting since {since} "
        "(Spanish)." in flash(response)
    )
    leg = Call.objects.get(leg=Leg.AGENT)
    assert leg.agent == on_the_phone and leg.call_sid.startswith("CA")


def test_without_a_phone_number_the_agent_is_told_where_to_set_one(client, agent, waiting, twilio):
    client.force_login(agent)
    response = client.post("/console/phones/take-call/", follow=True)
    said = flash(response)
    assert "no phone number to ring you on" in said
    assert 'href="/console/phones/"' in said and "ask a supervisor" in said
    assert twilio.calls == []


def test_when_nobody_waits_the_agent_is_told_so(client, on_the_phone, voice, twilio):
    client.force_login(on_the_phone)
    part = client.get("/console/phones/queue/").content.decode()
    assert "0 callers waiting" in part
    response = client.post("/console/phones/take-call/", follow=True)
    assert "Nobody is waiting on the phone line." in flash(response)
    assert twilio.calls == []


def test_the_button_is_polled_and_unchanged_counts_leave_it_as_it_is(client, agent, waiting):
    client.force_login(agent)
    assert client.get("/console/phones/queue/?n=1").status_code == 204
    assert "1 caller waiting" in client.get("/console/phones/queue/?n=0").content.decode()


def test_staff_of_a_desk_without_a_phone_line_see_no_button(client, agent, webchat):
    client.force_login(agent)
    part = client.get("/console/phones/queue/").content.decode()
    assert part == '<span id="take-call"></span>'
    page = client.get("/console/").content.decode()
    assert 'id="take-call"' in page  # the placeholder that asks for the button


def test_an_analyst_cannot_take_calls(client, analyst, waiting, twilio):
    client.force_login(analyst)
    assert client.post("/console/phones/take-call/").status_code == 403
    assert twilio.calls == []


# The calls of a conversation


def test_the_conversation_shows_an_answered_recorded_call_and_its_removed_recording(
    client, on_the_phone, line, phone, twilio, post_twilio
):
    line.record_calls = True
    line.save()
    caller = phone()
    caller.press(caller.press(caller.ring(), "1"), "5")
    client.force_login(on_the_phone)
    client.post("/console/phones/take-call/")
    agent_side, answered = leg_of(twilio.calls[0], line.channel, post_twilio)
    assert agent_side.step(answered).all("Queue")  # the agent is put through to the queue
    caller.step("connect/", DequeingCallSid=agent_side.sid, QueueTime="42")
    recording = twilio.add_recording("RE" + "1" * 32, b"ID3 a recorded call")
    agent_side.post(
        "recording/?kind=quality",
        RecordingUrl=recording,
        RecordingSid="RE" + "1" * 32,
        RecordingStatus="completed",
    )
    agent_side.step("agent-done/", DialCallStatus="completed", DialCallDuration="185")
    caller.step("queued/", QueueResult="bridged", QueueTime="42")
    caller.hang_up(240)

    call = caller_call(caller)
    assert (call.outcome, call.wait_seconds, call.talk_seconds) == (Outcome.ANSWERED, 42, 185)
    page = client.get(f"/console/c/{call.conversation_id}/").content.decode()
    panel = page.split('id="calls"')[1].split("</section>")[0]
    assert "Spanish" in panel and "other" in panel
    assert "42 s" in panel and "3 min 5 s" in panel
    assert "Answered by agent" in panel
    assert f"/files/{call.recording_id}/?inline=1" in panel and "Listen" in panel
    assert "Phone call" in page
    assert NUMBER_OF_CALLER not in page and NUMBER_OF_CALLER[1:] not in page

    remove_expired_recordings(now=timezone.now() + timedelta(days=91))
    page = client.get(f"/console/c/{call.conversation_id}/").content.decode()
    assert "Removed (retention)" in page.split('id="calls"')[1].split("</section>")[0]
    assert "Recording removed after 90 days (retention)" in page


def test_a_person_who_asked_to_be_called_back_is_called_back_from_the_page(
    client, on_the_phone, line, phone, twilio, post_twilio
):
    caller = phone()
    caller.press(caller.press(caller.ring(), "1"), "5")
    offer = caller.step("wait/", QueueTime="130")
    caller.press(offer, "1")
    caller.step("queued/", QueueResult="leave", QueueTime="130")
    caller.hang_up(140)
    call = caller_call(caller)
    assert call.callback_pending

    client.force_login(on_the_phone)
    page = client.get(f"/console/c/{call.conversation_id}/").content.decode()
    panel = page.split('id="calls"')[1].split("</section>")[0]
    assert "Asked to be called back" in panel and "Asked for" in panel
    action = f"/console/c/{call.conversation_id}/calls/{call.pk}/call-back/"
    assert f'action="{action}"' in panel

    response = client.post(action, follow=True)
    assert response.redirect_chain[-1][0] == f"/console/c/{call.conversation_id}/#calls"
    assert "when you answer, the line calls the person back" in flash(response)
    [placed] = twilio.calls
    assert placed["To"] == AGENT_PHONE and "/callback/" in placed["Url"]
    assert "1 attempt" in response.content.decode()
    assert NUMBER_OF_CALLER not in response.content.decode()

    # The agent answers; the line rings the person, who answers and talks.
    agent_side, answered = leg_of(placed, line.channel, post_twilio)
    assert agent_side.step(answered).one("Number").text == NUMBER_OF_CALLER
    agent_side.step("callback-done/", DialCallStatus="completed", DialCallDuration="60")
    page = client.get(f"/console/c/{call.conversation_id}/").content.decode()
    panel = page.split('id="calls"')[1].split("</section>")[0]
    assert "Called back by agent" in panel and "call-back/" not in panel


def test_a_withheld_number_cannot_be_called_back(client, on_the_phone, phone, twilio):
    caller = phone("anonymous")
    caller.press(caller.press(caller.ring(), "1"), "5")
    caller.hang_up(30)
    call = caller_call(caller)
    client.force_login(on_the_phone)
    page = client.get(f"/console/c/{call.conversation_id}/").content.decode()
    panel = page.split('id="calls"')[1].split("</section>")[0]
    assert "Hung up after" in panel and "call-back/" not in panel
    response = client.post(
        f"/console/c/{call.conversation_id}/calls/{call.pk}/call-back/", follow=True
    )
    assert "withheld" in flash(response)
    assert twilio.calls == []


def test_a_call_of_another_conversation_is_not_found(client, on_the_phone, phone, webchat):
    first, second = phone(), phone("+50499990002")
    for caller in (first, second):
        caller.press(caller.press(caller.ring(), "1"), "5")
    one, other = caller_call(first), caller_call(second)
    client.force_login(on_the_phone)
    response = client.post(f"/console/c/{one.conversation_id}/calls/{other.pk}/call-back/")
    assert response.status_code == 404


def test_a_conversation_without_calls_has_no_calls_panel(client, agent, webchat, make_inbound):
    from ventanilla.conversations.inbound import receive

    found = receive(channel=webchat, inbound=make_inbound()).message.conversation
    client.force_login(agent)
    assert 'id="calls"' not in client.get(f"/console/c/{found.pk}/").content.decode()


# Phone numbers


def test_a_supervisor_sets_and_removes_an_agents_number(client, supervisor, agent):
    client.force_login(supervisor)
    page = client.get("/console/phones/").content.decode()
    assert 'id="phone-agent"' in page and "not set" in page
    response = client.post(
        "/console/phones/", {"username": "agent", "phone": "+34 600 000 123"}, follow=True
    )
    assert "Phone number of agent saved." in flash(response)
    assert AgentProfile.objects.get(user=agent).phone == AGENT_PHONE
    page = response.content.decode()
    assert "ending in 123" in page and AGENT_PHONE not in page and "600 000 123" not in page

    response = client.post("/console/phones/", {"username": "agent", "phone": ""}, follow=True)
    assert "agent takes no calls." in flash(response)
    assert AgentProfile.objects.get(user=agent).phone == ""


def test_an_invalid_number_is_refused_with_a_reason(client, supervisor, agent):
    client.force_login(supervisor)
    response = client.post("/console/phones/", {"username": "agent", "phone": "12"}, follow=True)
    assert "phone:" in flash(response) and 'class="error"' in flash(response)
    assert AgentProfile.objects.get(user=agent).phone == ""


def test_an_agent_sets_their_own_number_but_not_anothers(client, agent, make_staff):
    colleague = make_staff("agent", "colleague")
    client.force_login(agent)
    page = client.get("/console/phones/").content.decode()
    assert "My phone" in page and 'id="staff-phones"' not in page
    response = client.post("/console/phones/", {"username": "colleague", "phone": AGENT_PHONE})
    assert AgentProfile.objects.get(user=colleague).phone == ""
    assert response.status_code == 302
    client.post("/console/phones/", {"username": "agent", "phone": AGENT_PHONE})
    assert AgentProfile.objects.get(user=agent).phone == AGENT_PHONE
    assert "a number ending in 123" in client.get("/console/phones/").content.decode()


def test_a_supervisor_cannot_set_the_number_of_staff_of_another_desk(
    client, supervisor, make_staff, other_desk
):
    elsewhere = make_staff("agent", "elsewhere", desks=[other_desk])
    client.force_login(supervisor)
    assert 'id="phone-elsewhere"' not in client.get("/console/phones/").content.decode()
    response = client.post(
        "/console/phones/", {"username": "elsewhere", "phone": AGENT_PHONE}, follow=True
    )
    assert "does not work at a desk you supervise" in flash(response)
    assert AgentProfile.objects.get(user=elsewhere).phone == ""


# In a browser


@needs_chromium
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_agent_takes_the_next_call_from_the_console_header(
    browser, live_server, on_the_phone, waiting, twilio
):
    on_the_phone.set_password(PASSWORD)
    on_the_phone.save()
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/console/")
        page.get_by_label("Username").fill("agent")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        button = page.get_by_role("button", name="Take next call")
        button.wait_for()
        assert "1 caller waiting" in button.inner_text()
        button.click()
        page.get_by_text("Your phone will ring").wait_for()
        assert page.url == f"{live_server.url}/console/"
        assert [c["To"] for c in twilio.calls] == [AGENT_PHONE]
        assert NUMBER_OF_CALLER not in page.content()
    finally:
        context.close()
