"""API v1: the complaints register. List, file, read, amend or answer, close, download."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from ventanilla.accountability import services
from ventanilla.accountability.models import Complaint
from ventanilla.accountability.selectors import (
    ComplaintFilters,
    complaints_visible_to,
    days_open,
    filtered,
)
from ventanilla.conversations.access import conversation_for
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, NotFound
from ventanilla.privacy.services import audit

router = Router(tags=["complaints"])


class RegisterQuery(Schema):
    desk: str = Field("", max_length=50)
    post: str = Field("", max_length=50)
    category: str = Field("", max_length=50)
    status: Literal["", "open", "closed"] = ""
    kind: Literal["", "complaint", "suggestion"] = ""
    from_: date | None = Field(None, alias="from", description="Opened on or after this day")
    to: date | None = Field(None, description="Opened on or before this day")
    format: Literal["json", "csv", "xlsx"] = "json"
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class RegisterEntryOut(Schema):
    kind: str
    text: str
    changes: dict[str, Any]
    by: str | None = Field(description="Null: the person, or ventanilla itself")
    at: datetime

    @staticmethod
    def resolve_by(entry: Any) -> str | None:
        return entry.by.get_username() if entry.by else None


class ComplaintOut(Schema):
    number: str
    kind: str
    source: str
    status: str
    desk: str
    post: str | None
    category: str | None
    conversation: str
    opened_at: datetime
    answered_at: datetime | None
    closed_at: datetime | None
    days_open: int

    @staticmethod
    def resolve_status(complaint: Complaint) -> str:
        return "open" if complaint.is_open else "closed"

    @staticmethod
    def resolve_desk(complaint: Complaint) -> str:
        return complaint.desk.slug

    @staticmethod
    def resolve_post(complaint: Complaint) -> str | None:
        return complaint.post.slug if complaint.post else None

    @staticmethod
    def resolve_category(complaint: Complaint) -> str | None:
        return complaint.category.slug if complaint.category else None

    @staticmethod
    def resolve_conversation(complaint: Complaint) -> str:
        return complaint.conversation.reference

    @staticmethod
    def resolve_days_open(complaint: Complaint) -> int:
        return days_open(complaint)


class ComplaintDetail(ComplaintOut):
    entries: list[RegisterEntryOut]

    @staticmethod
    def resolve_entries(complaint: Complaint) -> list[Any]:
        return list(complaint.entries.all())


class RegisterPage(Schema):
    items: list[ComplaintOut]
    count: int


class ComplaintIn(Schema):
    conversation: str = Field(max_length=32, description="Its id or reference")
    kind: Literal["complaint", "suggestion"] = "complaint"
    post: str = Field("", max_length=50, description="A post or service of the desk, by key")
    category: str = Field("", max_length=50, description="A category of the desk, by key")
    text: str = Field("", max_length=4000, description="What the complaint is, in a few words")


class EntryIn(Schema):
    kind: Literal["amendment", "answer"]
    text: str = Field("", max_length=4000)
    post: str = Field("", max_length=50, description="Amendment: another post, by key")
    category: str = Field("", max_length=50, description="Amendment: another category")
    complaint_kind: Literal["", "complaint", "suggestion"] = Field(
        "", description="Amendment: a complaint that is a suggestion, or the reverse"
    )


class CloseIn(Schema):
    text: str = Field("", max_length=4000, description="A last word, kept with the closing")


def _filters(query: RegisterQuery) -> ComplaintFilters:
    return ComplaintFilters(
        desk=query.desk.strip(),
        post=query.post.strip(),
        category=query.category.strip(),
        status=query.status,
        kind=query.kind,
        first=query.from_,
        last=query.to,
    )


def _complaint(request: HttpRequest, number: str, *, write: bool = False) -> Complaint:
    require(
        request.user,
        "accountability.change_complaint" if write else "accountability.view_complaint",
    )
    found = complaints_visible_to(request.user).filter(number=number.strip().upper()).first()
    if found is None:
        raise NotFound(f"no complaint {number}")
    return found


@router.get("", response=RegisterPage)
def list_complaints(request: HttpRequest, query: Query[RegisterQuery]) -> Any:
    """The register, latest first, `limit` at a time from `offset`. `format=csv` or `xlsx`:
    every matching complaint as a file for the ministry (the download is recorded)."""
    require(request.user, "accountability.view_complaint")
    if query.format != "json":
        made = services.export_register(
            user=request.user, filters=_filters(query), form=query.format, language=get_language()
        )
        if query.format == "xlsx":
            response: HttpResponseBase = HttpResponse(
                made,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            response = StreamingHttpResponse(made, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="complaints.{query.format}"'
        return response
    found = filtered(complaints_visible_to(request.user), _filters(query))
    return {"items": list(found[query.offset : query.offset + query.limit]), "count": found.count()}


@router.post("", response={201: ComplaintDetail})
def file_complaint(request: HttpRequest, payload: ComplaintIn) -> Any:
    """Make a conversation a complaint or a suggestion in the register (409 if it is one)."""
    require(request.user, "accountability.add_complaint")
    conversation = conversation_for(request.user, payload.conversation, purpose="write")
    complaint = services.file_complaint(
        conversation=conversation,
        source="staff",
        kind=payload.kind,
        text=payload.text,
        post=services.post_of(conversation.desk, payload.post),
        category=services.category_of(conversation.desk, payload.category),
        by=request.user,  # type: ignore[arg-type]
    )
    return Status(201, _complaint(request, complaint.number))


@router.get("/{number}", response=ComplaintDetail)
def get_complaint(request: HttpRequest, number: str) -> Complaint:
    """A complaint with every entry of it, oldest first (the reading is recorded)."""
    found = _complaint(request, number)
    audit(actor=request.user, action="complaint.read", target=found)
    return found


@router.post("/{number}/entries", response={201: ComplaintDetail})
def add_entry(request: HttpRequest, number: str, payload: EntryIn) -> Any:
    """An amendment (another post, category or kind, or a note) or the answer given to the
    person; what was written before is never changed."""
    found = _complaint(request, number, write=True)
    user: Any = request.user
    if payload.kind == "answer":
        if payload.post or payload.category or payload.complaint_kind:
            raise Invalid("an answer changes nothing else: amend the complaint for that")
        services.answer(complaint=found, by=user, text=payload.text)
    else:
        services.amend(
            complaint=found,
            by=user,
            text=payload.text,
            post=services.post_of(found.desk, payload.post),
            category=services.category_of(found.desk, payload.category),
            kind=payload.complaint_kind or None,
        )
    return Status(201, _complaint(request, number))


@router.post("/{number}/close", response=ComplaintDetail)
def close_complaint(request: HttpRequest, number: str, payload: CloseIn) -> Any:
    """Close a complaint whose answer is recorded (422 otherwise)."""
    found = _complaint(request, number, write=True)
    services.close(complaint=found, by=request.user, text=payload.text)  # type: ignore[arg-type]
    return _complaint(request, number)
