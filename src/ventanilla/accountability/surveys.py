"""Satisfaction surveys: asking the people served what they thought, on their own channel.

A few minutes after a conversation is resolved, its person is asked, in their language:

    score (1-5) ──> "was your question solved?" (yes / no) ──> a comment, or none ──> thanks

as buttons or a list where the channel shows them (WhatsApp inside its 24-hour window, the
web chat) and as numbered lines to answer with a digit elsewhere (SMS). Outside WhatsApp's
window, the desk's approved template invites them; their reply opens the window and the
questions follow. A phone line that enables it asks the score and "solved?" on the keypad
when the agent hangs up (`keypad_*`).

Not a nuisance: at most one survey per person per period (the desk's), never after a
protection or urgent case or to someone who declined follow-up or surveys, and a survey no
one answers expires without a word. A message that is not an answer (a new question) sets
the survey aside and is handled as any other. Answering does not take the conversation up
again: it stays resolved. A low score or a comment is in the supervisors' notifications.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ventanilla.accountability.models import (
    OPEN_STATES,
    Complaint,
    ConversationPost,
    Skip,
    Survey,
    SurveySettings,
    SurveyState,
)
from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import Choice, Menu, Template
from ventanilla.contacts.models import ConsentPurpose
from ventanilla.contacts.services import consents, record_consent
from ventanilla.conversations import automatic, services
from ventanilla.conversations.automatic import Said, to_tell
from ventanilla.conversations.models import (
    Conversation,
    Direction,
    Message,
    Outcome,
    Priority,
    Status,
)
from ventanilla.desks.models import Desk
from ventanilla.desks.texts import speaking
from ventanilla.knowledge import bot_texts as say
from ventanilla.lib.errors import Invalid, ServiceError
from ventanilla.privacy.services import audit
from ventanilla.teamwork.models import NotificationKind
from ventanilla.teamwork.services import notify, supervisors_of

logger = logging.getLogger(__name__)

DELAY = timedelta(minutes=2)  # after the resolution: a last "thank you" comes first
LOOKBACK = timedelta(hours=24)  # resolutions older than this are never surveyed
MAX_COMMENT = 1000
SCORE = "survey.score."
STOP = "survey.stop"
YES, NO = "survey.solved.yes", "survey.solved.no"
NO_COMMENT = "survey.comment.none"
NOT_SURVEYED = (Outcome.NO_REPLY, Outcome.DUPLICATE)

# The labels of the five scores, from 1 to 5 (the list rows; numbered lines on SMS).
SCORE_LABELS = (
    gettext_noop("Very dissatisfied"),
    gettext_noop("Dissatisfied"),
    gettext_noop("Neither"),
    gettext_noop("Satisfied"),
    gettext_noop("Very satisfied"),
)


# Settings


SETTINGS_FIELDS = ("enabled", "period_days", "expire_hours", "template", "alert_score")


def settings_of(desk: Desk) -> SurveySettings:
    """The desk's survey settings (the defaults, unsaved, until someone changes them)."""
    return SurveySettings.objects.filter(desk=desk).first() or SurveySettings(desk=desk)


@transaction.atomic
def save_settings(*, desk: Desk, changes: dict[str, Any], by: User | None) -> SurveySettings:
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise Invalid(f"unknown setting(s): {', '.join(sorted(unknown))}")
    found = settings_of(desk)
    for name, value in changes.items():
        setattr(found, name, value.strip() if isinstance(value, str) else value)
    try:
        found.full_clean(exclude=["desk"])
    except ValidationError as error:
        raise Invalid(
            "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.message_dict.items())
        ) from None
    found.save()
    audit(actor=by, action="survey.settings", target=desk, changed=sorted(changes))
    return found


# Asking


def due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Resolved conversations of desks that ask, whose person has not been asked (or passed
    over) about this resolution yet."""
    now = now or timezone.now()
    surveyed = Survey.objects.filter(
        conversation=OuterRef("pk"), resolved_at=OuterRef("resolved_at")
    )
    return list(
        Conversation.objects.filter(
            status=Status.RESOLVED,
            resolved_at__lte=now - DELAY,
            resolved_at__gt=now - LOOKBACK,
            desk__survey_settings__enabled=True,
        )
        .exclude(Exists(surveyed))
        .order_by("resolved_at")
        .values_list("pk", flat=True)[:limit]
    )


def offer_due(*, now: datetime | None = None) -> int:
    """Ask the people whose conversations are due; how many were asked."""
    asked = 0
    for conversation_id in due(now=now):
        try:
            survey = offer(conversation_id=conversation_id)
        except Exception:  # one conversation's trouble does not stop the others
            logger.exception("survey: conversation %s could not be offered one", conversation_id)
            continue
        asked += survey is not None and survey.state != SurveyState.SKIPPED
    return asked


@transaction.atomic
def offer(*, conversation_id: int) -> Survey | None:
    """Ask the person of a resolved conversation, or record why they are not asked; None if
    the conversation is no longer resolved or was surveyed already."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("desk", "channel", "contact", "request_type")
        .filter(pk=conversation_id, status=Status.RESOLVED)
        .first()
    )
    if conversation is None or conversation.resolved_at is None:
        return None
    if Survey.objects.filter(
        conversation=conversation, resolved_at=conversation.resolved_at
    ).exists():
        return None
    found = settings_of(conversation.desk)
    if not found.enabled:
        return None
    survey = _new(conversation, found, state=SurveyState.SKIPPED)
    survey.resolved_at, survey.outcome = conversation.resolved_at, conversation.outcome
    survey.skipped = _reason_not_to_ask(conversation, found)
    if not survey.skipped:
        _ask(survey, conversation, found)
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError:  # offered at this very moment by another sweep
        return None
    return survey


def _new(conversation: Conversation, found: SurveySettings, *, state: str) -> Survey:
    concerned = ConversationPost.objects.filter(conversation=conversation)
    complaint_post = concerned.values_list("post", flat=True).first() or (
        Complaint.objects.filter(conversation=conversation).values_list("post", flat=True).first()
    )
    return Survey(
        desk=conversation.desk,
        conversation=conversation,
        contact=conversation.contact,
        channel=conversation.channel,
        agent_id=agent_of(conversation),
        team_id=conversation.team_id,
        request_type=conversation.request_type,
        post_id=complaint_post,
        language=to_tell(conversation),
        state=state,
        expires_at=timezone.now() + timedelta(hours=found.expire_hours),
    )


def agent_of(conversation: Conversation) -> int | None:
    """Who did the work: the person assigned, else the last member of staff who replied."""
    if conversation.assignee_id:
        return conversation.assignee_id
    return (
        Message.objects.filter(
            conversation=conversation, direction=Direction.OUT, author__isnull=False
        )
        .order_by("-created_at")
        .values_list("author", flat=True)
        .first()
    )


def _reason_not_to_ask(conversation: Conversation, found: SurveySettings) -> str:
    kind = conversation.request_type
    if (
        conversation.restricted
        or conversation.priority == Priority.URGENT
        or (kind is not None and (kind.urgent or kind.restricted))
    ):
        return Skip.PROTECTION
    if conversation.outcome in NOT_SURVEYED:
        return Skip.OUTCOME
    if declined(conversation.contact):
        return Skip.DECLINED
    if asked_recently(conversation, found):
        return Skip.RECENT
    if not adapter_for(conversation.channel.type).sends_text:
        return Skip.CHANNEL
    if not services.within_reply_window(conversation) and not (
        found.template and conversation.channel.type == "whatsapp"
    ):
        return Skip.WINDOW
    return ""


def declined(contact: Any) -> bool:
    """Whether the person's latest word on follow-up or on surveys is no."""
    stands = consents(contact)
    return any(
        (answer := stands.get(purpose)) is not None and not answer.given
        for purpose in (ConsentPurpose.FOLLOW_UP, ConsentPurpose.SURVEYS)
    )


def asked_recently(conversation: Conversation, found: SurveySettings) -> bool:
    since = timezone.now() - timedelta(days=found.period_days)
    return (
        Survey.objects.filter(contact=conversation.contact, desk=conversation.desk)
        .filter(asked_at__gt=since)
        .exclude(state=SurveyState.SKIPPED)
        .exists()
    )


def _ask(survey: Survey, conversation: Conversation, found: SurveySettings) -> None:
    try:
        if services.within_reply_window(conversation):
            _say(conversation, _score_question, survey.language)
            survey.state = SurveyState.SCORE
        else:
            template = Template(name=found.template, language=survey.language)
            sent = services.send_template(conversation=conversation, template=template, by=None)
            sent.details = {**(sent.details or {}), "auto": "survey"}
            sent.save(update_fields=["details"])
            survey.state = SurveyState.INVITED
    except ServiceError as error:
        logger.warning("survey: not sent (%s)", error.code)
        survey.state, survey.skipped = SurveyState.SKIPPED, Skip.UNSENT


# The questions, in the person's language


def _score_question() -> tuple[str, Menu]:
    text = _(
        "Your question has been dealt with. How satisfied are you with our answer? "
        "Choose from 1 (very dissatisfied) to 5 (very satisfied)."
    )
    choices = tuple(
        Choice(f"{SCORE}{n}", _(label), description=f"{n}/5")
        for n, label in enumerate(SCORE_LABELS, start=1)
    )
    menu = Menu(
        choices=(*choices, Choice(STOP, _("Do not ask me again"))),
        button=_("Give a score"),
        section=_("Your score"),
    )
    return text, menu


def _solved_question() -> tuple[str, Menu]:
    choices = (Choice(YES, _("Yes")), Choice(NO, _("No")))
    return _("Thank you. Was your question solved?"), Menu(choices=choices)


def _comment_question() -> tuple[str, Menu]:
    text = _(
        "Would you like to tell us anything else about our service? Write it in one "
        "message, or choose “No comment”."
    )
    return text, Menu(choices=(Choice(NO_COMMENT, _("No comment")),))


def _thanks() -> tuple[str, None]:
    return _("Thank you for your answers: they help us serve people better."), None


def _no_more() -> tuple[str, None]:
    return _("Understood: we will not ask you again."), None


def _say(conversation: Conversation, question: Any, language: str) -> None:
    with speaking(conversation.desk, language):
        text, menu = question()
    automatic.reply(conversation=conversation, text=text, state=Said("survey"), menu=menu)


# Hearing the answers


@dataclass(frozen=True)
class Heard:
    """What a person's message did to their survey: its step answered (score, solved,
    comment, declined, started), and whether the survey is over."""

    survey: int
    step: str
    finished: bool


def open_survey(conversation: Conversation, *, now: datetime | None = None) -> Survey | None:
    return (
        Survey.objects.select_for_update()
        .filter(conversation=conversation, state__in=OPEN_STATES)
        .filter(expires_at__gt=now or timezone.now())
        .order_by("-asked_at")
        .first()
    )


@transaction.atomic
def hear(*, message: Message) -> Heard | None:
    """Take a person's message as their answer to the survey they were asked, if it is one;
    None when it is not (their survey, if any, is set aside and the message goes on)."""
    if message.direction != Direction.IN:
        return None
    conversation = Conversation.objects.select_related("desk", "channel", "contact").get(
        pk=message.conversation_id
    )
    survey = open_survey(conversation)
    if survey is None:
        return None
    step = _answer(survey, message)
    if step is None:
        survey.state = SurveyState.EXPIRED  # asked something else: the survey steps aside
        survey.save(update_fields=["state"])
        return None
    survey.answered_at = timezone.now()
    survey.save()
    if survey.resolved_at is not None:
        services.keep_resolved(
            conversation=conversation,
            resolved_at=survey.resolved_at,
            outcome=survey.outcome,
            why="survey answer",
        )
    _next_question(survey, conversation)
    if step in ("score", "comment"):
        _tell_supervisors(survey, step)
    return Heard(survey=survey.pk, step=step, finished=survey.state not in OPEN_STATES)


def _answer(survey: Survey, message: Message) -> str | None:
    """Record what the message answers in the survey's current step; which step, or None."""
    tapped, text = message.tapped, (message.text or "").strip()
    if tapped == STOP or (survey.state == SurveyState.SCORE and say.number_chosen(text) == 6):
        survey.state = SurveyState.DECLINED
        record_consent(contact=survey.contact, purpose=ConsentPurpose.SURVEYS, given=False,
                       source="survey", by=None)  # fmt: skip
        return "declined"
    if survey.state in (SurveyState.INVITED, SurveyState.SCORE):
        score = _score(tapped, text)
        if score is not None:
            survey.score, survey.state = score, SurveyState.SOLVED
            return "score"
        if survey.state == SurveyState.INVITED and (message.kind == "button" or say.says_yes(text)):
            survey.state = SurveyState.SCORE  # the template's button, or "yes": questions follow
            return "started"
        return None
    if survey.state == SurveyState.SOLVED:
        solved = _solved(tapped, text)
        if solved is None:
            return None
        survey.solved, survey.state = solved, SurveyState.COMMENT
        return "solved"
    if tapped == NO_COMMENT or (text and say.says_no(text)):
        survey.state = SurveyState.DONE
        return "no comment"
    if not text or message.kind not in ("text", "interactive"):
        return None
    survey.comment, survey.state = text[:MAX_COMMENT], SurveyState.DONE
    survey.has_comment = True
    return "comment"


def _score(tapped: str, text: str) -> int | None:
    if tapped.startswith(SCORE):
        value = tapped.removeprefix(SCORE)
        return int(value) if value in ("1", "2", "3", "4", "5") else None
    if tapped:
        return None
    number = say.number_chosen(text)
    return number if number is not None and 1 <= number <= 5 else None


def _solved(tapped: str, text: str) -> bool | None:
    if tapped in (YES, NO):
        return tapped == YES
    number = say.number_chosen(text)
    if number in (1, 2):
        return number == 1
    if say.says_yes(text):
        return True
    return False if say.says_no(text) else None


def _next_question(survey: Survey, conversation: Conversation) -> None:
    question = {
        SurveyState.SCORE: _score_question,
        SurveyState.SOLVED: _solved_question,
        SurveyState.COMMENT: _comment_question,
        SurveyState.DONE: _thanks,
        SurveyState.DECLINED: _no_more,
    }[SurveyState(survey.state)]
    if services.within_reply_window(conversation):
        with contextlib.suppress(ServiceError):  # what they answered is kept all the same
            _say(conversation, question, survey.language)


def _tell_supervisors(survey: Survey, step: str) -> None:
    found = settings_of(survey.desk)
    low = survey.score is not None and survey.score <= found.alert_score
    if (step == "score" and low) or (step == "comment" and survey.comment):
        notify(
            supervisors_of(survey.desk).distinct(),
            kind=NotificationKind.SURVEY,
            conversation=survey.conversation,
            actor=None,
        )


def forget_comments(sender: Any, conversation_ids: list[int], **kwargs: Any) -> None:
    """Receiver of conversations' `content_removed`: what people wrote in their surveys goes
    with the rest of what they wrote (retention, erasure); scores and counts stay."""
    Survey.objects.filter(conversation_id__in=conversation_ids, has_comment=True).update(comment="")


# Expiry


def expire(*, now: datetime | None = None) -> int:
    """Surveys no one finished in time end without a word; how many."""
    return Survey.objects.filter(
        state__in=OPEN_STATES, expires_at__lte=now or timezone.now()
    ).update(state=SurveyState.EXPIRED)


# On the phone line's keypad


@transaction.atomic
def keypad_offer(
    *, conversation: Conversation, call_sid: str, agent_id: int | None, language: str
) -> Survey | None:
    """A caller whose call was answered may be asked on the keypad: the survey, or None
    when the desk does not ask or this caller is not to be asked."""
    found = settings_of(conversation.desk)
    if not found.enabled or Survey.objects.filter(call_sid=call_sid).exists():
        return None
    survey = _new(conversation, found, state=SurveyState.SCORE)
    survey.call_sid = call_sid[:64]
    survey.agent_id = agent_id or survey.agent_id
    survey.language = language or survey.language
    survey.expires_at = timezone.now() + timedelta(minutes=5)
    reason = _reason_not_to_ask(conversation, found)
    if reason in (Skip.PROTECTION, Skip.DECLINED, Skip.RECENT, Skip.OUTCOME):
        return None  # nothing to record: no resolution was passed over
    survey.save()
    return survey


@transaction.atomic
def keypad_answer(*, call_sid: str, step: str, digits: str) -> Survey | None:
    """Record a key pressed in a keypad survey (step "score": 1-5; "solved": 1 yes, 2 no);
    the survey, or None when the key answers nothing (it is then over)."""
    survey = (
        Survey.objects.select_for_update().filter(call_sid=call_sid, state__in=OPEN_STATES).first()
    )
    if survey is None:
        return None
    if step == "score" and digits in ("1", "2", "3", "4", "5"):
        survey.score, survey.state = int(digits), SurveyState.SOLVED
    elif step == "solved" and digits in ("1", "2"):
        survey.solved, survey.state = digits == "1", SurveyState.DONE
    else:
        survey.state = SurveyState.DONE if survey.score is not None else SurveyState.EXPIRED
        survey.save(update_fields=["state"])
        return None
    survey.answered_at = timezone.now()
    survey.save()
    if step == "score":
        _tell_supervisors(survey, "score")
    return survey
