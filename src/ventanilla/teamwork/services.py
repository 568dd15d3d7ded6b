"""What staff do for one another: notes that mention, escalations, transfers, handovers,
canned responses, and reading their notifications."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ventanilla.conversations import services as conversations
from ventanilla.conversations.access import may_see
from ventanilla.conversations.models import Conversation, Note
from ventanilla.desks.models import Desk, Team
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.lib.names import validate_names
from ventanilla.privacy.services import audit
from ventanilla.teamwork.canned import check_placeholders
from ventanilla.teamwork.models import (
    CannedResponse,
    Handover,
    HandoverLine,
    Notification,
    NotificationKind,
)

MENTION = re.compile(r"(?<![\w@])@([\w.+-]*\w)")


def mentioned_in(text: str) -> list[str]:
    """The usernames a note mentions as @username, in order, once each."""
    return list(dict.fromkeys(MENTION.findall(text)))


def staff_of(desk: Desk) -> Any:
    """Active staff who handle the desk's conversations (its members and administrators)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(agent_profile__desks=desk)
            | Q(groups__permissions__codename="access_all_desks")
            | Q(is_superuser=True)
        )
        .distinct()
    )


def supervisors_of(desk: Desk) -> Any:
    """Active staff who supervise the desk's work."""
    return staff_of(desk).filter(
        Q(groups__permissions__codename="supervise_desk") | Q(is_superuser=True)
    )


def notify(
    recipients: Any,
    *,
    kind: str,
    conversation: Conversation,
    actor: User | None,
    note: Note | None = None,
) -> list[Notification]:
    """Notify each recipient but the actor (None: ventanilla itself, which notifies all);
    of a protection case, only those who may read it."""
    return Notification.objects.bulk_create(
        Notification(recipient=r, kind=kind, conversation=conversation, actor=actor, note=note)
        for r in recipients
        if (actor is None or r.pk != actor.pk)
        and (not conversation.restricted or may_see(r, conversation))
    )


@transaction.atomic
def write_note(*, conversation: Conversation, text: str, by: User) -> Note:
    """An internal note; each colleague it mentions (@username) is notified."""
    created = conversations.note(conversation=conversation, text=text, by=by)
    names = mentioned_in(created.text)
    if names:
        # Only those who may read the conversation: an analyst mentioned learns nothing of it.
        mentioned = [
            person
            for person in staff_of(conversation.desk).filter(username__in=names)
            if person.has_perm("conversations.view_conversation")
        ]
        notify(
            mentioned,
            kind=NotificationKind.MENTION,
            conversation=conversation,
            actor=by,
            note=created,
        )
    return created


@transaction.atomic
def escalate(
    *, conversation: Conversation, team: Team | None, reason: str, by: User
) -> Conversation:
    """Escalate to the desk's supervisors, or to a specialist team; they are notified."""
    conversations.escalate(conversation=conversation, team=team, reason=reason, by=by)
    if team is not None:
        recipients = staff_of(conversation.desk).filter(agent_profile__teams=team)
    else:
        recipients = supervisors_of(conversation.desk)
    notify(
        recipients.distinct(), kind=NotificationKind.ESCALATION, conversation=conversation, actor=by
    )
    return conversation


def escalate_to(*, conversation: Conversation, to: str, reason: str, by: User) -> Conversation:
    """Escalate to "supervisor" or to the team of the desk with that slug."""
    team = None if to == "supervisor" else _team_of(conversation.desk, to)
    return escalate(conversation=conversation, team=team, reason=reason, by=by)


@transaction.atomic
def transfer(
    *, conversation: Conversation, team: Team | None, assignee: User | None, by: User
) -> Conversation:
    """Give the conversation to a team, a colleague or both; a new assignee is notified."""
    previous = conversation.assignee_id
    conversations.transfer(conversation=conversation, team=team, assignee=assignee, by=by)
    if assignee is not None and assignee.pk != previous:
        notify([assignee], kind=NotificationKind.ASSIGNMENT, conversation=conversation, actor=by)
    return conversation


@transaction.atomic
def assign(*, conversation: Conversation, assignee: User | None, by: User) -> Conversation:
    """Give the conversation to a colleague (or take it); they are notified."""
    previous = conversation.assignee_id
    conversations.assign(conversation=conversation, assignee=assignee, by=by)
    if assignee is not None and assignee.pk != previous:
        notify([assignee], kind=NotificationKind.ASSIGNMENT, conversation=conversation, actor=by)
    return conversation


def _team_of(desk: Desk, slug: str | None) -> Team | None:
    if slug is None:
        return None
    found = desk.teams.filter(slug=slug).first()
    if found is None:
        raise Invalid(f"team: desk {desk.slug} has no team {slug!r}")
    return found


@transaction.atomic
def update(*, conversation: Conversation, by: User, changes: dict[str, Any]) -> Conversation:
    """Apply several changes at once (an API PATCH), all or none: a new team or assignee
    goes through `transfer` or `assign`, who notify as the console's do; the rest through
    the conversation's own `update`."""
    named = conversations.staff_named(changes["assignee"]) if "assignee" in changes else None
    if "team" in changes:
        assignee = named if "assignee" in changes else conversation.assignee
        team = _team_of(conversation.desk, changes["team"])
        transfer(conversation=conversation, team=team, assignee=assignee, by=by)
    elif "assignee" in changes:
        assign(conversation=conversation, assignee=named, by=by)
    rest = {field: value for field, value in changes.items() if field not in ("team", "assignee")}
    return conversations.update(conversation=conversation, by=by, changes=rest)


def mark_read(*, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read: these ones, or all of them."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@dataclass(frozen=True)
class Pending:
    """What is pending on one conversation, for a handover."""

    conversation: Conversation
    text: str


@transaction.atomic
def hand_over(*, desk: Desk, by: User, text: str, pending: Sequence[Pending]) -> Handover:
    """Leave the next shift a summary and a line for each conversation still pending."""
    text = text.strip()
    lines = [p for p in pending if p.text.strip()]
    if not text and not lines:
        raise Invalid("write a summary or at least one line about a pending conversation")
    if len(text) > 10_000 or any(len(p.text) > 2_000 for p in lines):
        raise Invalid("a handover's summary is at most 10,000 characters, each line 2,000")
    if any(p.conversation.desk_id != desk.pk for p in lines):
        raise Invalid("every conversation of a handover belongs to its desk")
    handover = Handover.objects.create(desk=desk, author=by, text=text)
    HandoverLine.objects.bulk_create(
        HandoverLine(handover=handover, conversation=p.conversation, text=p.text.strip())
        for p in lines
    )
    audit(actor=by, action="handover.create", target=handover, lines=len(lines))
    return handover


def _clean_canned(shortcut: str, title: str, texts: dict[str, str]) -> dict[str, str]:
    if not re.fullmatch(r"[-a-z0-9_]{1,40}", shortcut):
        raise Invalid("shortcut: 1 to 40 lower-case letters, digits, dashes or underscores")
    if not title.strip() or len(title) > 120:
        raise Invalid("title: 1 to 120 characters")
    cleaned = {lang: text.strip() for lang, text in texts.items() if text.strip()}
    if not cleaned:
        raise Invalid("texts: write the response in at least one language")
    for lang, text in cleaned.items():
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
            raise Invalid(f"texts: {lang!r} is not a language code such as es, ar or zgh")
        if len(text) > conversations.MAX_TEXT:
            raise Invalid(f"texts: the {lang} text is longer than {conversations.MAX_TEXT}")
        check_placeholders(text)
    return cleaned


@transaction.atomic
def save_canned_response(
    *,
    by: User,
    desk: Desk | None,
    shortcut: str,
    title: str,
    texts: dict[str, str],
    names: dict[str, str] | None = None,
    existing: CannedResponse | None = None,
) -> CannedResponse:
    """Create a canned response, or change `existing`; `names` are its title in other
    languages (None: those it has)."""
    cleaned = _clean_canned(shortcut, title, texts)
    canned = existing or CannedResponse()
    if names is not None:
        try:
            validate_names(names)
        except ValidationError as error:
            raise Invalid(f"names: {' '.join(error.messages)}") from None
        canned.names = {code: text.strip() for code, text in names.items()}
    canned.desk, canned.shortcut, canned.texts = desk, shortcut, cleaned
    canned.title = title.strip()
    try:
        with transaction.atomic():
            canned.save()
    except IntegrityError:
        raise Conflict(f"there is already a canned response /{shortcut} there") from None
    audit(
        actor=by,
        action="canned.update" if existing else "canned.create",
        target=canned,
        shortcut=shortcut,
    )
    return canned


@transaction.atomic
def delete_canned_response(*, canned: CannedResponse, by: User) -> None:
    audit(actor=by, action="canned.delete", target=canned, shortcut=canned.shortcut)
    canned.delete()


def forget_handover_lines(sender: Any, conversation_ids: list[int], **kwargs: Any) -> None:
    """What handovers said of conversations whose content is removed goes with it."""
    HandoverLine.objects.filter(conversation_id__in=conversation_ids).update(text="")
