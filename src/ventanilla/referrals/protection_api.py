"""API v1: rights-violation and emergency reports, for the protection team and the desk's
supervisors; their anonymised counts (type, place, month) for analysts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from ventanilla.conversations.access import conversation_for
from ventanilla.desks.selectors import desk_for, desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid
from ventanilla.lib.tables import csv_lines
from ventanilla.privacy.services import audit
from ventanilla.referrals import protection
from ventanilla.referrals.models import ProtectionReport

router = Router(tags=["protection"])

Violations = Literal[
    "detention", "violence", "expulsion", "exploitation", "trafficking", "extortion",
    "domestic", "discrimination", "missing", "other",
]  # fmt: skip
Perpetrators = Literal[
    "police", "border", "military", "employer", "smuggler", "criminals", "family", "other",
    "unknown",
]  # fmt: skip
Urgencies = Literal["emergency", "urgent", "normal"]
COLUMNS = [
    "id", "desk", "conversation", "filed_at", "state", "source", "violation", "when",
    "happened_on", "place", "perpetrator", "perpetrator_name", "people_affected",
    "minors_affected", "urgency", "account", "wants",
]  # fmt: skip


class ReportOut(Schema):
    id: int
    desk: str
    conversation: str
    state: str
    source: str = Field(description="staff, or bot: told by the person to the bot")
    violation: str
    account: str = Field(description="What happened, in the person's words")
    when: str
    happened_on: date | None
    place: str
    perpetrator: str
    perpetrator_name: str = Field(description="Which authority or employer")
    people_affected: int
    minors_affected: bool
    urgency: str
    wants: str = Field(description="What the person wants done")
    by: str | None = Field(description="Null: the person told it to the bot")
    filed_at: datetime | None

    @staticmethod
    def resolve_desk(report: ProtectionReport) -> str:
        return report.desk.slug

    @staticmethod
    def resolve_conversation(report: ProtectionReport) -> str:
        return report.conversation.reference

    @staticmethod
    def resolve_by(report: ProtectionReport) -> str | None:
        return report.by.get_username() if report.by else None


class ReportPage(Schema):
    items: list[ReportOut]
    count: int


class ReportFields(Schema):
    model_config = ConfigDict(extra="forbid")

    violation: Violations | Literal[""] = ""
    account: str = Field("", max_length=4000)
    when: str = Field("", max_length=200, description="As the person said it: yesterday...")
    happened_on: date | None = None
    place: str = Field("", max_length=200, description="Place names: town, border post...")
    perpetrator: Perpetrators | Literal[""] = ""
    perpetrator_name: str = Field("", max_length=400)
    people_affected: int = Field(1, ge=1, le=10000)
    minors_affected: bool = False
    urgency: Urgencies = "normal"
    wants: str = Field("", max_length=4000)


class ReportIn(ReportFields):
    conversation: str = Field(max_length=32, description="Its id or reference")


class ReportPatch(ReportFields):
    state: Literal["new", "acting", "closed"]


class ReportQuery(Schema):
    desk: str = Field("", max_length=50)
    state: Literal["", "new", "acting", "closed"] = ""
    violation: Violations | Literal[""] = ""
    urgency: Urgencies | Literal[""] = ""
    format: Literal["json", "csv"] = "json"
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class CountsQuery(Schema):
    desk: str = Field("", max_length=50)
    from_: date | None = Field(None, alias="from", description="Filed on or after this day")
    to: date | None = Field(None, description="Filed on or before this day")


class CountRow(Schema):
    violation: str
    place: str | None = Field(description="Null: a place named in fewer than three reports")
    month: str
    reports: int


class Counts(Schema):
    rows: list[CountRow]


def _told(payload: ReportFields) -> protection.Told:
    fields = payload.model_dump()
    fields.pop("conversation", None)
    fields.pop("state", None)
    return protection.Told(**fields)


def _row(report: ProtectionReport) -> list[Any]:
    named = {
        "id": report.pk,
        "desk": report.desk.slug,
        "conversation": report.conversation.reference,
        "filed_at": report.filed_at.isoformat() if report.filed_at else "",
    }
    return [named[c] if c in named else getattr(report, c) for c in COLUMNS]


@router.get("", response=ReportPage)
def list_reports(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """The reports the protection team and the desk's supervisors read, latest first;
    `format=csv` downloads them all (the download is recorded)."""
    found = protection.reports_visible_to(request.user)
    if query.desk:
        found = found.filter(desk=desk_for(request.user, query.desk))
    for field in ("state", "violation", "urgency"):
        if getattr(query, field):
            found = found.filter(**{field: getattr(query, field)})
    if query.format == "csv":
        audit(actor=request.user, action="protection.export", target=request.user)  # type: ignore[arg-type]
        rows = (_row(report) for report in found.iterator())
        response = StreamingHttpResponse(csv_lines(COLUMNS, rows), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="protection-reports.csv"'
        return response
    page = list(found[query.offset : query.offset + query.limit])
    for report in page:
        audit(actor=request.user, action="protection.read", target=report.conversation,
              report=report.pk)  # fmt: skip
    return {"items": page, "count": found.count()}


@router.post("", response={201: ReportOut})
def file_report(request: HttpRequest, payload: ReportIn) -> Any:
    """File what a person told about a violation of their rights or an emergency; the
    conversation becomes a protection case in the protection team's queue."""
    require(request.user, "referrals.add_protectionreport")
    conversation = conversation_for(request.user, payload.conversation, purpose="write")
    made = protection.file_report(
        conversation=conversation,
        told=_told(payload),
        by=request.user,  # type: ignore[arg-type]
    )
    return Status(201, made)


@router.get("/counts", response=Counts)
def report_counts(request: HttpRequest, query: Query[CountsQuery]) -> Any:
    """How many reports, by type, place and month: never who, nor what they said."""
    require(request.user, "referrals.view_protection_counts")
    if query.from_ and query.to and query.from_ > query.to:
        raise Invalid("from: the first day comes after the last")
    desks = [desk_for(request.user, query.desk)] if query.desk else desks_visible_to(request.user)
    return {"rows": protection.counts(desks, first=query.from_, last=query.to)}


@router.get("/{report_id}", response=ReportOut)
def get_report(request: HttpRequest, report_id: str) -> ProtectionReport:
    return protection.report_for(request.user, report_id)


@router.patch("/{report_id}", response=ReportOut)
def update_report(request: HttpRequest, report_id: str, payload: ReportPatch) -> Any:
    """Move a report on (new, acting, closed) and correct what it says."""
    require(request.user, "referrals.change_protectionreport")
    found = protection.report_for(request.user, report_id)
    changed = payload.model_dump(exclude_unset=True)
    told = None
    if set(changed) - {"state"}:
        current = {f: getattr(found, f) for f in protection.Told.__dataclass_fields__}
        told = protection.Told(**{**current, **{k: v for k, v in changed.items() if k != "state"}})
    protection.set_state(report=found, state=payload.state, by=request.user, told=told)  # type: ignore[arg-type]
    return protection.report_for(request.user, report_id)
