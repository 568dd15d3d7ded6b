"""Reading the complaints register: what each person may see of it, filtered, and as the
table a ministry receives."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ventanilla.accountability.models import Complaint, Entry, EntryKind
from ventanilla.conversations.access import conversations_visible_to
from ventanilla.lib.errors import Invalid
from ventanilla.lib.times import start_of_day

STATUSES = ("open", "closed")


def complaints_visible_to(user: Any) -> QuerySet[Complaint]:
    """The complaints of the conversations the person may see (their desks, protection
    cases only for those who may read them)."""
    return (
        Complaint.objects.filter(conversation__in=conversations_visible_to(user))
        .select_related("desk", "post", "category", "conversation")
        .prefetch_related(Prefetch("entries", queryset=Entry.objects.select_related("by")))
    )


@dataclass(frozen=True)
class ComplaintFilters:
    desk: str = ""
    post: str = ""
    category: str = ""
    status: str = ""
    kind: str = ""
    first: date | None = None  # opened on or after this day
    last: date | None = None  # opened on or before this day


def filtered(complaints: QuerySet[Complaint], filters: ComplaintFilters) -> QuerySet[Complaint]:
    if filters.status and filters.status not in STATUSES:
        raise Invalid(f"status: one of {', '.join(STATUSES)}")
    if filters.first and filters.last and filters.first > filters.last:
        raise Invalid("from: a day before to")
    if filters.desk:
        complaints = complaints.filter(desk__slug=filters.desk)
    if filters.post:
        complaints = complaints.filter(post__slug=filters.post)
    if filters.category:
        complaints = complaints.filter(category__slug=filters.category)
    if filters.kind:
        complaints = complaints.filter(kind=filters.kind)
    if filters.status:
        complaints = complaints.filter(closed_at__isnull=filters.status == "open")
    if filters.first:
        complaints = complaints.filter(opened_at__gte=start_of_day(filters.first))
    if filters.last:
        complaints = complaints.filter(opened_at__lt=start_of_day(filters.last + timedelta(days=1)))
    return complaints


def last_text(complaint: Complaint, kind: str) -> str:
    texts = [entry.text for entry in complaint.entries.all() if entry.kind == kind and entry.text]
    return texts[-1] if texts else ""


def where_it_stands(complaint: Complaint) -> str:
    """A complaint's state in the active language, with its answer once there is one."""
    opened = date_format(complaint.opened_at, "SHORT_DATE_FORMAT")
    answer = last_text(complaint, EntryKind.ANSWERED)
    if complaint.closed_at is not None:
        return _("Complaint %(number)s is closed. Our answer: %(answer)s") % {
            "number": complaint.number,
            "answer": answer,
        }
    if answer:
        return _("Complaint %(number)s has been answered: %(answer)s") % {
            "number": complaint.number,
            "answer": answer,
        }
    return _(
        "Complaint %(number)s, registered on %(date)s, is being looked into. We will answer "
        "you here."
    ) % {"number": complaint.number, "date": opened}


def days_open(complaint: Complaint, now: datetime | None = None) -> int:
    end = complaint.closed_at or now or timezone.now()
    return (end - complaint.opened_at).days


COLUMNS = [
    "number", "kind", "status", "desk", "post", "category", "source", "opened", "answered",
    "closed", "days open", "conversation", "complaint", "answer",
]  # fmt: skip


def register_row(complaint: Complaint, language: str) -> list[Any]:
    """One complaint as a row of the register: names in `language`, instants in the desk's
    time zone, the texts of its first entry and of its latest answer."""
    zone = timezone.get_current_timezone()

    def when(instant: datetime | None) -> str:
        return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M") if instant else ""

    return [
        complaint.number,
        complaint.kind,
        "open" if complaint.is_open else "closed",
        complaint.desk.slug,
        complaint.post.name_in(language) if complaint.post else "",
        complaint.category.name_in(language) if complaint.category else "",
        complaint.source,
        when(complaint.opened_at),
        when(complaint.answered_at),
        when(complaint.closed_at),
        days_open(complaint),
        complaint.conversation.reference,
        last_text(complaint, EntryKind.FILED),
        last_text(complaint, EntryKind.ANSWERED),
    ]


def register_rows(complaints: QuerySet[Complaint], language: str) -> Iterator[list[Any]]:
    for complaint in complaints.order_by("opened_at", "id").iterator(chunk_size=500):
        yield register_row(complaint, language)
