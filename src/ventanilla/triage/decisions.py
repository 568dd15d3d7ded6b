"""What each step of triage decided about a person's message: typed, never a string to parse.

A decision that `stops` ends the message's triage (it has been answered, or is waiting for
the person); the others let the next step run, which may read what came before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ventanilla.knowledge.bot import Step


@dataclass(frozen=True)
class Decision:
    stops: ClassVar[bool] = False


@dataclass(frozen=True)
class Passed(Decision):
    """The step had nothing to do with this message."""

    step: str


@dataclass(frozen=True)
class Ignored(Decision):
    """Not for triage: a call or a voice message, which the phone line answers and routes."""

    stops: ClassVar[bool] = True
    kind: str


@dataclass(frozen=True)
class LanguageDecided(Decision):
    language: str  # "" when nothing tells yet


@dataclass(frozen=True)
class StatusAnswered(Decision):
    """A question about an application's status, answered (or asked for its reference)."""

    stops: ClassVar[bool] = True


@dataclass(frozen=True)
class WaitingForPerson(Decision):
    """The bot answered, offered articles or greeted: the person's next message will say."""

    stops: ClassVar[bool] = True
    step: Step


@dataclass(frozen=True)
class HandedOver(Decision):
    """The bot left the conversation to people, saying so to the person (`told`) or not."""

    reason: str
    urgent: bool
    told: bool


@dataclass(frozen=True)
class Routed(Decision):
    team_id: int | None
    assignee_id: int | None
    interpretation: bool
    notified: int


@dataclass(frozen=True)
class ClosedNotice(Decision):
    """Out of hours: whether the person was told when the desk opens."""

    sent: bool


@dataclass(frozen=True)
class PrivacyNoticeGiven(Decision):
    """The first time the person wrote on this channel: told what is kept and how to have it
    erased (`given`: whether the notice could be sent)."""

    given: bool


@dataclass(frozen=True)
class ErasureAsked(Decision):
    """The person asked for their data to be deleted: the supervisors have it; the bot does
    not answer such a message."""


@dataclass(frozen=True)
class ComplaintFiled(Decision):
    """The message began with the word for a complaint or a suggestion: it is in the
    register under `number`, and people handle it (the bot does not answer it)."""

    number: str
    kind: str


@dataclass(frozen=True)
class SurveyAnswered(Decision):
    """The message answered the satisfaction survey the person was asked (`step`: score,
    solved, comment, no comment, declined or started): the next question or the thanks went
    out, and the conversation stays resolved."""

    stops: ClassVar[bool] = True
    survey: int
    step: str
    finished: bool


@dataclass(frozen=True)
class ReferralAnswered(Decision):
    """The message answered the follow-up of a referral: the person did (`reached`) or did
    not get help from the service; they were thanked, and the conversation stays as it was."""

    stops: ClassVar[bool] = True
    referral: int
    reached: bool


@dataclass(frozen=True)
class ReportTold(Decision):
    """The message started, answered or stopped a rights-violation report the person is
    telling the bot (`step`); once `filed`, the report is in the protection team's hands and
    its conversation is a protection case in their queue."""

    stops: ClassVar[bool] = True
    step: str
    report: int | None
    filed: bool


@dataclass(frozen=True)
class ServicesOffered(Decision):
    """The message asked where to find a kind of help: the directory's services of that
    type near the place it names were sent (`services`), or the person was asked where they
    are (`asked_where`)."""

    stops: ClassVar[bool] = True
    type: str
    services: tuple[str, ...]
    asked_where: bool


@dataclass(frozen=True)
class ComplaintFollowed(Decision):
    """The message quoted a complaint's number and was answered with where it stands
    (`found`: the complaint was the person's own)."""

    stops: ClassVar[bool] = True
    found: bool
