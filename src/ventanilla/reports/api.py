"""API v1: reports (counts and durations, never content)."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import create_model

from ventanilla.lib.tables import download
from ventanilla.reports import advocacy, monthly
from ventanilla.reports import kpis as dashboard
from ventanilla.reports.calls import call_report
from ventanilla.reports.sla import sla_report

router = Router(tags=["reports"])


class ClockFigures(Schema):
    met: int
    breached: int = Field(description="Missed, or still running past the target.")
    running: int = Field(description="Still counting and not late yet: not judged.")
    compliance: float | None = Field(description="met / (met + breached); null with neither.")
    average_seconds: int | None = Field(description="Counted time taken by the stopped clocks.")


class GroupFigures(Schema):
    key: str | None
    name: str | None
    names: dict[str, str] = Field(
        description="The request type's, desk's or team's name in other languages, by code"
    )
    label: str | None = Field(
        description="The name in the reader's language (Accept-Language), else `name`"
    )
    conversations: int
    first_response: ClockFigures
    resolution: ClockFigures


class SlaReport(Schema):
    desk: str | None
    from_: date = Field(alias="from")
    to: date
    timezone: str
    total: GroupFigures
    by_request_type: list[GroupFigures]
    by_desk: list[GroupFigures]
    by_team: list[GroupFigures]
    by_language: list[GroupFigures]


class PeriodFilters(Schema):
    desk: str | None = Field(None, max_length=50)
    from_: date | None = Field(None, alias="from", description="First day, in the desk's zone.")
    to: date | None = Field(None, description="Last day (included); today when absent.")


@router.get("/sla", response=SlaReport, by_alias=True)
def service_levels(request: HttpRequest, filters: Query[PeriodFilters]) -> dict[str, Any]:
    """Service levels kept for the conversations opened between `from` and `to` (the last
    30 days when absent), in total and by request type, desk, team and language."""
    return sla_report(request.user, desk=filters.desk, start=filters.from_, end=filters.to)


class HourFigures(Schema):
    hour: int = Field(description="0-23, in the desk's time zone (UTC without a desk).")
    calls: int
    answered: int


class LanguageFigures(Schema):
    language: str | None = Field(description="Chosen in the menu; null: none chosen.")
    calls: int
    answered: int
    abandoned: int
    average_wait_seconds: float | None = Field(description="Of its answered calls.")


class CallOutcomes(Schema):
    answered: int
    abandoned: int = Field(description="Hung up while waiting in the queue.")
    callback: int = Field(description="Asked to be called back (and left the queue).")
    voicemail: int = Field(description="Left a voice message.")
    closed: int = Field(description="Called out of hours and left nothing.")
    menu: int = Field(description="Hung up in the menus, before the queue.")
    failed: int = Field(description="Could not be queued.")


class CallReport(Schema):
    desk: str | None
    from_: date = Field(alias="from")
    to: date
    timezone: str
    calls_received: int = Field(description="Calls people made that started in the period.")
    answered: int = Field(description="Put through to an agent.")
    abandoned: int = Field(description="Hung up while waiting in the queue.")
    abandoned_rate: float | None = Field(description="abandoned / (answered + abandoned).")
    outcomes: CallOutcomes
    in_progress: int = Field(description="Calls without an outcome yet.")
    out_of_hours: int
    voicemails: int
    average_wait_seconds: float | None = Field(description="Time in the queue, answered calls.")
    p90_wait_seconds: int | None = Field(
        description="Nearest rank: the smallest wait with 90% of the waits at or below it."
    )
    max_wait_seconds: int | None
    average_abandon_seconds: float | None = Field(
        description="Time in the queue before hanging up."
    )
    average_talk_seconds: float | None = Field(description="Talk time of the answered calls.")
    answered_within_60s: float | None = Field(
        description="Answered after at most 60 s in the queue / (answered + abandoned)."
    )
    by_hour: list[HourFigures]
    by_language: list[LanguageFigures]
    callbacks_requested: int
    callbacks_completed: int
    callbacks_pending: int


@router.get("/calls", response=CallReport, by_alias=True)
def calls(request: HttpRequest, filters: Query[PeriodFilters]) -> dict[str, Any]:
    """The phone line's figures for the calls received between `from` and `to` (the last
    30 days when absent): answered, abandoned, waits, talk time, by hour and language,
    callbacks. Definitions: `ventanilla.reports.calls.call_report`."""
    return call_report(request.user, desk=filters.desk, start=filters.from_, end=filters.to)


def _figure_type(name: str) -> Any:
    if name in {n for family in dashboard.FAMILIES for n in family.counts}:
        return (int, ...)
    if name.endswith("_seconds"):
        return (int | None, ...)
    return (float | None, ...)


KpiFigures = create_model(  # every figure, defined in docs/reports.md
    "KpiFigures",
    __base__=Schema,
    **{name: _figure_type(name) for name in dashboard.figure_names()},
)


class KpiGroup(Schema):
    key: str | None = Field(description="null: the conversations where it is not set")
    label: str = Field(description="In the reader's language (Accept-Language)")
    names: dict[str, str] = Field(description="A named thing's names in other languages")
    figures: KpiFigures  # type: ignore[valid-type]
    previous: KpiFigures  # type: ignore[valid-type]


class PreviousPeriod(Schema):
    from_: date = Field(alias="from")
    to: date


class KpiReport(Schema):
    desk: str | None
    from_: date = Field(alias="from")
    to: date
    timezone: str
    previous: PreviousPeriod = Field(description="The as many days just before.")
    group_by: str | None
    filters: dict[str, str]
    total: KpiFigures  # type: ignore[valid-type]
    total_previous: KpiFigures  # type: ignore[valid-type]
    groups: list[KpiGroup]


class KpiQuery(PeriodFilters):
    group_by: str | None = Field(
        None, description=f"One of {', '.join(dashboard.GROUPINGS)}", max_length=20
    )
    post: str | None = Field(None, max_length=50, description="A consular post's key")
    team: str | None = Field(None, max_length=50, description="A team's key")
    channel: str | None = Field(None, max_length=20, description="A channel type")
    language: str | None = Field(None, max_length=16)
    format: Literal["json", "csv", "xlsx"] = "json"


@router.get("/kpis", response=KpiReport, by_alias=True)
def kpis(request: HttpRequest, query: Query[KpiQuery]) -> Any:
    """The dashboard's figures for the days from `from` to `to` (the last 30 days when
    absent) and for as many days before, in total and by `group_by`, narrowed by post,
    team, channel type and language. `format=csv` or `xlsx`: the same as a table.
    Definitions: docs/reports.md."""
    found = dashboard.kpis(
        request.user,
        desk=query.desk,
        start=query.from_,
        end=query.to,
        group_by=query.group_by,
        post=query.post,
        team=query.team,
        channel=query.channel,
        language=query.language,
    )
    if query.format == "json":
        return found
    header, rows = dashboard.kpi_table(found)
    name = f"kpis-{found['from']}-{found['to']}"
    return download(header, rows, form=query.format, name=name, title="KPIs")


class MonthlyQuery(Schema):
    desk: str | None = Field(
        None, max_length=50, description="The desk's key; needed when the reader sees several"
    )
    post: str | None = Field(
        None, max_length=50, description="A consular post's key: its report, not the desk's"
    )
    month: str | None = Field(
        None,
        max_length=7,
        description="YYYY-MM, in the desk's time zone; by default the last month ended",
    )
    format: Literal["pdf", "xlsx"] = "pdf"


MONTHLY_FILES = {
    monthly.TYPES["pdf"]: {"schema": {"type": "string", "format": "binary"}},
    monthly.TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/monthly",
    openapi_extra={"responses": {200: {"description": "The report", "content": MONTHLY_FILES}}},
)
def monthly_report(request: HttpRequest, query: Query[MonthlyQuery]) -> HttpResponse:
    """The month's report of a desk or one of its consular posts, in the desk's reporting
    language: the kept one, or written now (and kept once the month is over)."""
    report = monthly.report_for(request.user, desk=query.desk, post=query.post, month=query.month)
    return monthly.as_file(report, query.format)


class AdvocacyRow(Schema):
    week: date = Field(description="The week's Monday, in the desk's time zone")
    desk: str
    channel: str | None = Field(description="The channel type")
    language: str | None
    topic: str | None = Field(description="The topic's key")
    request_type: str | None = Field(description="The request type's key")
    outcome: str | None = Field(description="How the conversation ended; null while open")
    post: str | None = Field(description="The consular post's key")
    country: str | None = Field(description="The country of residence (ISO code), where known")
    conversations: int = Field(description="How many conversations are alike in all the above")


class LeftOut(Schema):
    groups: int = Field(description="Groups of fewer than k conversations, not published")
    conversations: int = Field(description="The conversations in them")


class AdvocacyReport(Schema):
    from_: date = Field(alias="from", description="The first week's Monday")
    to: date = Field(description="The last week's Sunday")
    k: dict[str, int] = Field(description="The smallest group published, desk by desk")
    columns: list[str]
    rows: list[AdvocacyRow]
    left_out: LeftOut


class AdvocacyQuery(Schema):
    desk: str | None = Field(None, max_length=50, description="One desk's key; all by default")
    from_: date | None = Field(
        None, alias="from", description="A day of the first week (the last 12 weeks by default)"
    )
    to: date | None = Field(None, description="A day of the last week")
    k: int | None = Field(
        None, ge=2, le=1000, description="The smallest group to publish: at least the desk's"
    )
    format: Literal["json", "csv"] = "json"


@router.get("/advocacy", response=AdvocacyReport, by_alias=True)
def advocacy_dataset(request: HttpRequest, query: Query[AdvocacyQuery]) -> Any:
    """Conversations counted by week, desk, channel, language, topic, request type, outcome,
    post and country: metadata only, every group of fewer than k left out, whole weeks
    (docs/reports.md#anonymised-trends-for-advocacy). `format=csv`: the same as a table."""
    found = advocacy.dataset(
        request.user, start=query.from_, end=query.to, k=query.k, desk=query.desk
    )
    if query.format == "json":
        return found
    header, rows = advocacy.table(found)
    return download(
        header, rows, form="csv", name=f"advocacy-{found['from']}-{found['to']}", title="Advocacy"
    )
