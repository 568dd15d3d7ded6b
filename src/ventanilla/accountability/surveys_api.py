"""API v1: a desk's survey settings, and what the surveys say (CSAT, resolution rate)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from ventanilla.accountability import survey_results, surveys
from ventanilla.accountability.models import Survey, SurveySettings
from ventanilla.desks.selectors import desk_for, desk_named, desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid

settings_router = Router(tags=["surveys"])
results_router = Router(tags=["surveys"])


class SurveySettingsOut(Schema):
    desk: str
    enabled: bool = Field(description="People are asked a few minutes after a resolution.")
    period_days: int = Field(description="At most one survey per person in this many days.")
    expire_hours: int = Field(description="An unanswered survey ends without a word after this.")
    template: str = Field(
        description="The approved WhatsApp template that invites people whose last message is "
        'older than 24 hours ("": they are not asked).'
    )
    alert_score: int = Field(description="Supervisors are told of scores at or below (0: never).")

    @staticmethod
    def resolve_desk(found: SurveySettings) -> str:
        return found.desk.slug


class SurveySettingsPatch(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt setting is refused, not ignored

    enabled: bool | None = None
    period_days: int | None = Field(None, ge=1, le=365)
    expire_hours: int | None = Field(None, ge=1, le=168)
    template: str | None = Field(None, max_length=512)
    alert_score: int | None = Field(None, ge=0, le=4)


@settings_router.get("/{slug}/survey", response=SurveySettingsOut)
def get_survey_settings(request: HttpRequest, slug: str) -> SurveySettings:
    """How the desk asks people what they thought of its answer."""
    require(request.user, "accountability.view_surveysettings")
    return surveys.settings_of(desk_for(request.user, slug))


@settings_router.patch("/{slug}/survey", response=SurveySettingsOut)
def update_survey_settings(
    request: HttpRequest, slug: str, payload: SurveySettingsPatch
) -> SurveySettings:
    require(request.user, "accountability.change_surveysettings")
    desk = desk_for(request.user, slug)
    changes = payload.dict(exclude_unset=True)
    nulls = sorted(name for name, value in changes.items() if value is None)
    if nulls:
        raise Invalid(f"{', '.join(nulls)}: must not be null")
    return surveys.save_settings(desk=desk, changes=changes, by=request.user)  # type: ignore[arg-type]


class ResultsQuery(Schema):
    desk: str = Field("", max_length=50, description="One desk, by key; all of yours if empty")
    from_: date | None = Field(None, alias="from", description="Asked on or after this day")
    to: date | None = Field(None, description="Asked on or before this day")
    group_by: Literal["desk", "team", "agent", "language", "channel", "post", "request_type"] = (
        "desk"
    )


class FiguresOut(Schema):
    key: str = Field(description='The group: a key, a username, a language code ("": none)')
    label: str
    asked: int
    answered: int
    response_rate: float | None = Field(description="Percent of those asked who answered")
    scores: int
    csat: float | None = Field(description="Percent of scores that are 4 or 5")
    average_score: float | None
    solved_answers: int
    resolution_rate: float | None = Field(description='Percent of "solved?" answered yes')
    comments: int


class ResultsOut(Schema):
    group_by: str
    groups: list[FiguresOut]
    total: FiguresOut


@results_router.get("/results", response=ResultsOut)
def get_results(request: HttpRequest, query: Query[ResultsQuery]) -> dict[str, Any]:
    """CSAT and resolution rate over a period, grouped; aggregates only."""
    require(request.user, "accountability.view_survey")
    desks = desks_visible_to(request.user)
    if query.desk.strip():
        desks = desks.filter(pk=desk_named(request.user, query.desk.strip()).pk)
    asked = survey_results.asked_between(
        Survey.objects.filter(desk__in=desks), query.from_, query.to
    )
    found = survey_results.results(asked, group_by=query.group_by)
    assert found.total is not None
    return {
        "group_by": found.group_by,
        "groups": [figures.as_dict() for figures in found.groups],
        "total": found.total.as_dict(),
    }
