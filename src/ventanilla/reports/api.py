"""API v1: reports (counts and durations, never content)."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

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


class SlaFilters(Schema):
    desk: str | None = Field(None, max_length=50)
    from_: date | None = Field(None, alias="from", description="First day, in the desk's zone.")
    to: date | None = Field(None, description="Last day (included); today when absent.")


@router.get("/sla", response=SlaReport, by_alias=True)
def service_levels(request: HttpRequest, filters: Query[SlaFilters]) -> dict[str, Any]:
    """Service levels kept for the conversations opened between `from` and `to` (the last
    30 days when absent), in total and by request type, desk, team and language."""
    return sla_report(request.user, desk=filters.desk, start=filters.from_, end=filters.to)
