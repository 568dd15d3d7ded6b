"""Driving the phone line as Twilio does: signed Voice webhooks in, TwiML read back."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest

from fakes.twilio import FakeTwilio, voice_params
from ventanilla.calls.flow import line_of
from ventanilla.calls.models import VoiceLine
from ventanilla.channels.models import Channel
from ventanilla.channels.services import create_channel
from ventanilla.desks.models import Desk


class Twiml:
    """A TwiML answer, parsed."""

    def __init__(self, response: Any) -> None:
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/xml")
        self.root = ET.fromstring(response.content)  # noqa: S314 (our own answer)
        assert self.root.tag == "Response"

    def all(self, tag: str) -> list[ET.Element]:
        return list(self.root.iter(tag))

    def one(self, tag: str) -> ET.Element:
        found = self.all(tag)
        assert len(found) == 1, f"{len(found)} <{tag}> in {self}"
        return found[0]

    @property
    def verbs(self) -> list[str]:
        return [child.tag for child in self.root]

    @property
    def said(self) -> list[tuple[str, str]]:
        """(language, text) of every <Say>, in order, nested ones included."""
        return [(say.get("language", ""), say.text or "") for say in self.root.iter("Say")]

    def text(self) -> str:
        return " ".join(text for _lang, text in self.said)

    def __str__(self) -> str:
        return ET.tostring(self.root, encoding="unicode")


class Caller:
    """One incoming call: each step posts what Twilio would post for it."""

    def __init__(self, post: Callable[..., Any], channel: Channel, sid: str, number: str) -> None:
        self.post_signed, self.channel, self.sid, self.number = post, channel, sid, number

    def post(self, url: str, **params: str) -> Any:
        path = url if url.startswith("/") else f"{self.channel.webhook_path}{url}"
        return self.post_signed(path, voice_params(self.sid, caller=self.number, **params))

    def step(self, url: str, **params: str) -> Twiml:
        return Twiml(self.post(url, **params))

    def ring(self) -> Twiml:
        return self.step(self.channel.webhook_path, CallStatus="ringing")

    def press(self, twiml: Twiml, digits: str) -> Twiml:
        """Press keys during the answer's <Gather>."""
        return self.step(twiml.one("Gather").get("action", ""), Digits=digits)

    def silent(self, twiml: Twiml) -> Twiml:
        """Press nothing: the call goes on to the answer's <Redirect>."""
        return self.step(twiml.one("Redirect").text or "")

    def hang_up(self, duration: int = 60) -> Any:
        return self.post("status/", CallStatus="completed", CallDuration=str(duration))


@pytest.fixture
def voice(desk: Desk, twilio: FakeTwilio) -> Channel:
    desk.languages = ["es", "en", "ar"]
    desk.save()
    return create_channel(
        desk=desk, type="twilio-voice", name="ALHO VOZ", config=twilio.config(), by=None
    )


@pytest.fixture
def line(voice: Channel) -> VoiceLine:
    return line_of(voice)


@pytest.fixture
def phone(post_twilio: Callable[..., Any], voice: Channel) -> Callable[..., Caller]:
    def dial(number: str = "+50499990001") -> Caller:
        return Caller(post_twilio, voice, "CA" + secrets.token_hex(16), number)

    return dial
