"""API v1: reports (counts and durations, never content)."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

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
