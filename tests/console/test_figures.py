"""The analysts' figures read in words, in the reader's language, never as stored keys."""

from ventanilla.channels.services import create_channel
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Outcome

VOICE = {"account_sid": "AC" + "1" * 32, "auth_token": "t", "number": "+447700900100"}


def test_figures_name_channels_and_desks_in_words(
    client, analyst, agent, desk, webchat, make_inbound
):
    voice = create_channel(desk=desk, type="twilio-voice", name="Line", config=VOICE, by=None)
    receive(channel=voice, inbound=make_inbound())
    answered = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="visitor-1")
    ).message.conversation
    services.resolve(conversation=answered, by=agent, outcome=Outcome.REFERRED)
    client.force_login(analyst)
    page = client.get("/console/statistics/").content.decode()
    for raw in (">twilio-voice<", ">webchat<", ">default<"):
        assert raw not in page
    for label in ("Phone calls", "Web chat"):  # rows of the table by channel
        assert f'<th scope="row" dir="auto">{label}</th>' in page
    assert f">{desk.name}<" in page


def test_figures_are_labelled_in_the_readers_language(client, analyst, desk, webchat, make_inbound):
    receive(channel=webchat, inbound=make_inbound(scheme="webchat", address="visitor-2"))
    client.force_login(analyst)
    page = client.get("/console/statistics/", headers={"accept-language": "es"}).content
    assert '<th scope="row" dir="auto">Chat web</th>' in page.decode()


def test_the_inbox_names_channel_types_in_words(client, agent, desk, make_inbound):
    voice = create_channel(desk=desk, type="twilio-voice", name="Line", config=VOICE, by=None)
    receive(channel=voice, inbound=make_inbound())
    client.force_login(agent)
    page = client.get("/console/").content.decode()
    assert "<td>Phone calls</td>" in page and "Twilio Voice" not in page
