"""The complaints register: filing a complaint or a suggestion, amending it, answering it and
closing it. Every change is a new entry; the database refuses to alter or remove one
(migration 0002), but for removing its text with the conversation's content."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ventanilla.accountability.defaults import DEFAULT_CATEGORIES, main_name
from ventanilla.accountability.models import (
    Category,
    Complaint,
    ConversationPost,
    Counter,
    Entry,
    EntryKind,
    Kind,
    Post,
    Source,
)
from ventanilla.accountability.reviews import add_default_criteria
from ventanilla.accountability.selectors import (
    COLUMNS,
    ComplaintFilters,
    complaints_visible_to,
    filtered,
    register_rows,
)
from ventanilla.conversations import services as conversations
from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import Desk, RequestType
from ventanilla.lib.access import require
from ventanilla.lib.counters import next_count
from ventanilla.lib.errors import Conflict, Invalid, NotFound
from ventanilla.lib.tables import csv_lines, xlsx_bytes
from ventanilla.privacy.services import audit
from ventanilla.teamwork.models import NotificationKind
from ventanilla.teamwork.services import notify, supervisors_of

MAX_TEXT = 4000
# A complaint's number as people write it back: VT-R-2026-0042 (any case, spaces around).
NUMBER = re.compile(r"\b([A-Z]{2,5})-R-(\d{4})-(\d{4,7})\b", re.IGNORECASE)


def post_of(desk: Desk, slug: str | None) -> Post | None:
    return _listed(Post, desk, slug, "post", "a post or service of this desk")


def category_of(desk: Desk, slug: str | None) -> Category | None:
    return _listed(Category, desk, slug, "category", "a category of this desk's complaints")


Listed = TypeVar("Listed", Post, Category)


def _listed(
    model: type[Listed], desk: Desk, slug: str | None, field: str, what: str
) -> Listed | None:
    """The desk's post or category of that key, in use (none given: None); else 422."""
    if not slug:
        return None
    found = model.objects.filter(desk=desk, slug=slug, active=True).first()
    if found is None:
        raise Invalid(f"{field}: {slug!r} is not {what}")
    return found


def _text(text: str, *, required: bool, what: str) -> str:
    text = (text or "").strip()
    if required and not text:
        raise Invalid(f"text: {what}")
    if len(text) > MAX_TEXT:
        raise Invalid(f"text: at most {MAX_TEXT} characters")
    if "\x00" in text:
        raise Invalid("text: NUL characters are not allowed")
    return text


@transaction.atomic
def file_complaint(
    *,
    conversation: Conversation,
    source: str,
    kind: str = Kind.COMPLAINT,
    text: str = "",
    post: Post | None = None,
    category: Category | None = None,
    by: User | None = None,
) -> Complaint:
    """Make a conversation a complaint or a suggestion in the register, with its number. A
    conversation is one entry of the register: filing it again is a conflict."""
    if kind not in Kind.values:
        raise Invalid(f"kind: one of {', '.join(Kind.values)}")
    if source not in Source.values:
        raise Invalid(f"source: one of {', '.join(Source.values)}")
    for found in (post, category):
        if found is not None and found.desk_id != conversation.desk_id:
            raise Invalid("the post or category belongs to another desk")
    text = _text(text, required=False, what="")
    Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    existing = Complaint.objects.filter(conversation=conversation).first()
    if existing is not None:
        raise Conflict(f"this conversation is already {existing.number} in the register")
    desk = conversation.desk
    complaint = Complaint.objects.create(
        desk=desk,
        number=_next_number(desk),
        conversation=conversation,
        kind=kind,
        source=source,
        post=post,
        category=category,
    )
    Entry.objects.create(
        complaint=complaint,
        kind=EntryKind.FILED,
        text=text,
        changes=_changes(None, post, None, category, kind=[None, kind]),  # as amendments say
        by=by,
    )
    if post is not None:  # the conversation concerns the complaint's post
        set_post(conversation=conversation, post=post, by=by)
    request_type = RequestType.objects.filter(desk=desk, slug=kind).first()
    if request_type is not None and conversation.request_type_id != request_type.pk:
        conversations.classify(conversation=conversation, by=by, request_type=request_type)
    audit(actor=by, action="complaint.file", target=complaint, source=source, kind=kind)
    notify(
        supervisors_of(desk).distinct(),
        kind=NotificationKind.COMPLAINT,
        conversation=conversation,
        actor=by,
    )
    return complaint


def _changes(
    old_post: Post | None,
    new_post: Post | None,
    old_category: Category | None,
    new_category: Category | None,
    **more: Any,
) -> dict[str, Any]:
    changes: dict[str, Any] = dict(more)
    if old_post != new_post:
        changes["post"] = [getattr(old_post, "slug", None), getattr(new_post, "slug", None)]
    if old_category != new_category:
        changes["category"] = [
            getattr(old_category, "slug", None),
            getattr(new_category, "slug", None),
        ]
    return changes


def _locked_open(complaint: Complaint) -> Complaint:
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not locked.is_open:
        raise Conflict(f"{locked.number} is closed: nothing more is added to it")
    return locked


@transaction.atomic
def amend(
    *,
    complaint: Complaint,
    by: User,
    text: str = "",
    post: Post | None = None,
    category: Category | None = None,
    kind: str | None = None,
) -> Entry:
    """Correct or complete a complaint by a later entry: another post, category or kind (None:
    unchanged), or a note; what was written before stays as it was."""
    locked = _locked_open(complaint)
    new_post = locked.post if post is None else post
    new_category = locked.category if category is None else category
    for found in (new_post, new_category):
        if found is not None and getattr(found, "desk_id", None) != locked.desk_id:
            raise Invalid("the post or category belongs to another desk")
    if kind is not None and kind not in Kind.values:
        raise Invalid(f"kind: one of {', '.join(Kind.values)}")
    text = _text(text, required=False, what="")
    more = {"kind": [locked.kind, kind]} if kind and kind != locked.kind else {}
    changes = _changes(locked.post, new_post, locked.category, new_category, **more)
    if not changes and not text:
        raise Invalid("an amendment changes the post, the category or the kind, or adds a text")
    locked.post, locked.category = new_post, new_category
    locked.kind = kind or locked.kind
    locked.save(update_fields=["post", "category", "kind"])
    if "post" in changes and new_post is not None:
        set_post(conversation=locked.conversation, post=new_post, by=by)
    entry = Entry.objects.create(
        complaint=locked, kind=EntryKind.AMENDED, text=text, changes=changes, by=by
    )
    audit(actor=by, action="complaint.amend", target=locked, fields=sorted(changes))
    return entry


@transaction.atomic
def answer(*, complaint: Complaint, by: User, text: str) -> Entry:
    """Record the answer given to the person (a later answer completes an earlier one)."""
    locked = _locked_open(complaint)
    text = _text(text, required=True, what="write the answer given to the person")
    entry = Entry.objects.create(complaint=locked, kind=EntryKind.ANSWERED, text=text, by=by)
    if locked.answered_at is None:
        locked.answered_at = entry.at
        locked.save(update_fields=["answered_at"])
    audit(actor=by, action="complaint.answer", target=locked)
    return entry


@transaction.atomic
def close(*, complaint: Complaint, by: User, text: str = "") -> Entry:
    """Close a complaint that has its answer; an optional last word is kept with it."""
    locked = _locked_open(complaint)
    if not locked.entries.filter(kind=EntryKind.ANSWERED).exists():
        raise Invalid("a complaint is closed only once its answer is recorded")
    text = _text(text, required=False, what="")
    entry = Entry.objects.create(complaint=locked, kind=EntryKind.CLOSED, text=text, by=by)
    locked.closed_at = entry.at
    locked.save(update_fields=["closed_at"])
    audit(actor=by, action="complaint.close", target=locked)
    return entry


def complaint_numbered(desk: Desk, number: str) -> Complaint:
    found = Complaint.objects.filter(desk=desk, number=number.strip().upper()).first()
    if found is None:
        raise NotFound(f"no complaint {number!r} at this desk")
    return found


def forget_complaint_texts(sender: Any, conversation_ids: list[int], **kwargs: Any) -> None:
    """Receiver of conversations' `content_removed`: the register's texts go with the rest
    of what was written (retention, erasure); its dates, kinds and figures stay."""
    Entry.objects.filter(complaint__conversation_id__in=conversation_ids).exclude(text="").update(
        text=""
    )


def _next_number(desk: Desk) -> str:
    """The desk's next complaint number for the year in its time zone: VT-R-2026-0042."""
    year = timezone.now().astimezone(ZoneInfo(desk.timezone)).year
    return f"{desk.reference_prefix}-R-{year}-{next_count(Counter, desk=desk, year=year):04d}"


# The desk's lists: its posts and services, and the categories of complaints


def _add_default_categories(desk: Desk) -> list[Category]:
    """The categories every desk starts with, named in its main language and in each
    language ventanilla ships; those it has (by key) are left alone."""
    existing = set(Category.objects.filter(desk=desk).values_list("slug", flat=True))
    return [
        Category.objects.create(
            desk=desk, slug=slug, name=main_name(names, desk.languages), names=dict(names)
        )
        for slug, names in DEFAULT_CATEGORIES.items()
        if slug not in existing
    ]


def desk_created(
    sender: Any, instance: Desk, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """Receiver of the desk's post_save: a new desk starts with the default categories, as
    part of its making (which its own service records)."""
    if created and not raw:
        _add_default_categories(instance)
        add_default_criteria(instance)


@transaction.atomic
def save_listed(
    model: type[Post] | type[Category],
    *,
    desk: Desk,
    slug: str,
    name: str,
    names: dict[str, str] | None = None,
    active: bool = True,
    by: User | None,
) -> Post | Category:
    """Add a post or service (or a category) of the desk, or rename or retire one, by its
    key. Nothing is ever removed: complaints keep what they concerned."""
    found, created = model.objects.get_or_create(desk=desk, slug=slug, defaults={"name": name})
    found.name, found.names, found.active = name, names or {}, active
    found.full_clean(validate_constraints=False)
    found.save()
    kind = model._meta.model_name
    audit(actor=by, action=f"{kind}.create" if created else f"{kind}.update", target=found)
    return found


@transaction.atomic
def set_post(*, conversation: Conversation, post: Post | None, by: User | None) -> None:
    """Say which post or service of its desk a conversation concerns (None: none)."""
    if post is not None and post.desk_id != conversation.desk_id:
        raise Invalid("the post belongs to another desk")
    current = ConversationPost.objects.filter(conversation=conversation).first()
    if getattr(current, "post_id", None) == getattr(post, "pk", None):
        return
    if post is None:
        ConversationPost.objects.filter(conversation=conversation).delete()
    else:
        ConversationPost.objects.update_or_create(
            conversation=conversation, defaults={"post": post, "set_by": by}
        )
    audit(actor=by, action="conversation.post", target=conversation,
          post=post.slug if post else None)  # fmt: skip


def save_post(
    *, desk: Desk, slug: str, name: str, names: dict[str, str] | None = None, by: User | None
) -> Post:
    return save_listed(Post, desk=desk, slug=slug, name=name, names=names, by=by)  # type: ignore[return-value]


def export_register(*, user: Any, filters: ComplaintFilters, form: str, language: str) -> Any:
    """The register as the user may read it, as CSV lines or an XLSX file; the export itself
    is recorded with its filters."""
    require(user, "accountability.change_complaint")
    found = filtered(complaints_visible_to(user), filters)
    shown = {key: str(value) for key, value in asdict(filters).items() if value}
    audit(actor=user, action="complaint.export", target=user, format=form, filters=shown)
    rows = register_rows(found, language)
    if form == "xlsx":
        return xlsx_bytes(COLUMNS, rows, title="complaints")
    return csv_lines(COLUMNS, rows)
