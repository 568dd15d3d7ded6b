"""API v1: desks, their calendars, teams and request types."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from ventanilla.desks import services
from ventanilla.desks.calendar import calendar_for, desk_calendar
from ventanilla.desks.hours import open_periods
from ventanilla.desks.models import Desk, RequestType, Team
from ventanilla.desks.selectors import desk_for, desks_visible_to
from ventanilla.desks.texts_api import router as texts_router
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, NotFound

router = Router(tags=["desks"])

HOURS = 'Weekly opening hours: {"mon": [["08:00", "14:00"]], ..., "sun": []}'
HOLIDAYS = 'Closed days: "2026-12-25" for that date, "01-01" for every year'
SPECIAL_DAYS = (
    'That day\'s hours instead of the week\'s: {"2026-12-24": [["08:00", "12:00"]]} for '
    'extended or shorter hours, {"2026-05-02": []} for an exceptional closure'
)
ASSIGNMENT = '"manual", "least-loaded" or "round-robin"'
NAMES = (
    'The name in other languages, by language code: {"ar": "...", "fr": "..."}; `name` '
    "stays the desk's main language's and is shown where a language has none"
)
NAMES_PATCH = NAMES + "; replaces them all ({} removes them)"
CALENDAR_DAYS = 62  # the most one look at a calendar covers
PRIVACY_NOTICE = (
    "Whether a person writing for the first time on a channel is told what is kept, for how "
    "long and how to have it deleted (the text is a desk text: /console/texts/)"
)
TWO_FACTOR = (
    "Whether agents of the desk sign in with a second factor too (administrators and "
    "supervisors always do)"
)
RETENTION = (
    "Days after a conversation is resolved or closed when what people and staff wrote, files "
    "and recordings are removed (dates, statuses and figures stay); null: kept until erased"
)

REPORT_LANGUAGE = (
    "The language of the desk's monthly reports (es, fr, ar, nl, en, it, de, zgh); empty: the "
    "desk's main language when reports speak it, else English"
)
K_ANONYMITY = (
    "Anonymised trends for advocacy leave out every group of fewer conversations than this"
)


class DeskOut(Schema):
    slug: str
    name: str
    names: dict[str, str] = Field(description=NAMES)
    timezone: str
    languages: list[str]
    hours: dict[str, list[list[str]]]
    holidays: list[str]
    special_days: dict[str, list[list[str]]]
    emergency_phone: str
    assignment: str
    content_retention_days: int | None = Field(description=RETENTION)
    privacy_notice: bool = Field(description=PRIVACY_NOTICE)
    two_factor_required: bool = Field(description=TWO_FACTOR)
    reference_prefix: str
    report_language: str = Field(description=REPORT_LANGUAGE)
    k_anonymity: int = Field(description=K_ANONYMITY)
    open_now: bool = Field(description="Whether the desk is open at this moment")
    next_opening: datetime | None = Field(
        description="When the desk next opens (its local time): null while it is open or "
        "when no opening is foreseen"
    )
    next_closing: datetime | None = Field(
        description="When the desk closes (its local time): null while it is closed or when "
        "no closing is foreseen"
    )

    @staticmethod
    def resolve_open_now(desk: Desk) -> bool:
        return desk_calendar(desk).is_open(timezone.now())

    @staticmethod
    def resolve_next_opening(desk: Desk) -> datetime | None:
        calendar, now = desk_calendar(desk), timezone.now()
        opening = None if calendar.is_open(now) else calendar.next_opening(now)
        return opening.astimezone(calendar.zone) if opening else None

    @staticmethod
    def resolve_next_closing(desk: Desk) -> datetime | None:
        calendar = desk_calendar(desk)
        closing = calendar.next_closing(timezone.now())
        return closing.astimezone(calendar.zone) if closing else None


class DeskPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    names: dict[str, str] | None = Field(None, description=NAMES_PATCH)
    timezone: str | None = None
    languages: list[str] | None = None
    hours: dict[str, list[list[str]]] | None = Field(None, description=HOURS)
    holidays: list[str] | None = Field(None, description=HOLIDAYS)
    special_days: dict[str, list[list[str]]] | None = Field(None, description=SPECIAL_DAYS)
    emergency_phone: str | None = Field(None, max_length=32)
    assignment: str | None = Field(None, description=ASSIGNMENT)
    content_retention_days: int | None = Field(None, ge=1, le=32_767, description=RETENTION)
    privacy_notice: bool | None = Field(None, description=PRIVACY_NOTICE)
    two_factor_required: bool | None = Field(None, description=TWO_FACTOR)
    report_language: str | None = Field(None, description=REPORT_LANGUAGE)
    k_anonymity: int | None = Field(None, ge=2, le=1000, description=K_ANONYMITY)


@router.get("", response=list[DeskOut])
def list_desks(request: HttpRequest) -> QuerySet[Desk]:
    require(request.user, "desks.view_desk")
    return desks_visible_to(request.user)


@router.get("/{slug}", response=DeskOut)
def get_desk(request: HttpRequest, slug: str) -> Desk:
    require(request.user, "desks.view_desk")
    return desk_for(request.user, slug)


@router.patch("/{slug}", response=DeskOut)
def update_desk(request: HttpRequest, slug: str, payload: DeskPatch) -> Desk:
    require(request.user, "desks.change_desk")
    given = payload.dict(exclude_unset=True)
    changes = {k: v for k, v in given.items() if v is not None or k == "content_retention_days"}
    desk = services.update_desk(desk=desk_for(request.user, slug), by=request.user, **changes)  # type: ignore[arg-type]
    return desk


class CalendarQuery(Schema):
    first: date = Field(alias="from", description="The first day, in the desk's time zone")
    last: date = Field(alias="to", description="The last day, included (62 days at most)")
    team: str | None = Field(None, description="A team's calendar rather than the desk's")


class PeriodOut(Schema):
    opens: datetime
    closes: datetime


class CalendarOut(Schema):
    timezone: str
    team: str | None
    periods: list[PeriodOut]
    open_hours: float


@router.get("/{slug}/calendar", response=CalendarOut)
def get_calendar(
    request: HttpRequest, slug: str, params: Query[CalendarQuery]
) -> dict[str, object]:
    """The open periods from one day to another, in the desk's local time: to check what a
    calendar (weekly hours, holidays, special days, a team's own) comes to."""
    require(request.user, "desks.view_desk")
    desk = desk_for(request.user, slug)
    if params.last < params.first:
        raise Invalid("to: must not be before from")
    if (params.last - params.first).days + 1 > CALENDAR_DAYS:
        raise Invalid(f"from, to: at most {CALENDAR_DAYS} days at a time")
    team = None
    if params.team is not None:
        team = desk.teams.filter(slug=params.team).first()
        if team is None:
            raise Invalid(f"team: desk {desk.slug} has no team {params.team!r}")
    periods = open_periods(calendar_for(desk, team), params.first, params.last)
    seconds = sum((closes - opens).total_seconds() for opens, closes in periods)
    zone = ZoneInfo(desk.timezone)
    return {
        "timezone": desk.timezone,
        "team": team.slug if team else None,
        "periods": [
            {"opens": opens.astimezone(zone), "closes": closes.astimezone(zone)}
            for opens, closes in periods
        ],
        "open_hours": round(seconds / 3600, 2),
    }


class TeamOut(Schema):
    slug: str
    name: str
    names: dict[str, str] = Field(description=NAMES)
    hours: dict[str, list[list[str]]] | None = Field(
        description="The team's own weekly hours; null: the desk's calendar"
    )
    holidays: list[str]
    special_days: dict[str, list[list[str]]]
    interpretation: bool
    assignment: str = Field(description=f'{ASSIGNMENT}, or "" to do as the desk does')


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    names: dict[str, str] | None = Field(None, description=NAMES_PATCH)
    hours: dict[str, list[list[str]]] | None = Field(
        None, description=HOURS + "; {} for the desk's calendar"
    )
    holidays: list[str] | None = Field(None, description=HOLIDAYS + ", besides the desk's")
    special_days: dict[str, list[list[str]]] | None = Field(None, description=SPECIAL_DAYS)
    interpretation: bool | None = None
    assignment: str | None = None


def _team(desk: Desk, slug: str) -> Team:
    team = desk.teams.select_related("desk").filter(slug=slug).first()
    if team is None:
        raise NotFound(f"desk {desk.slug} has no team {slug!r}")
    return team


@router.get("/{slug}/teams", response=list[TeamOut])
def list_teams(request: HttpRequest, slug: str) -> QuerySet[Team]:
    require(request.user, "desks.view_team")
    return desk_for(request.user, slug).teams.all()


@router.patch("/{slug}/teams/{team_slug}", response=TeamOut)
def update_team(request: HttpRequest, slug: str, team_slug: str, payload: TeamPatch) -> Team:
    require(request.user, "desks.change_team")
    team = _team(desk_for(request.user, slug), team_slug)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_team(team=team, by=request.user, **changes)  # type: ignore[arg-type]


class RequestTypeIn(Schema):
    slug: str = Field(min_length=1, max_length=50, pattern=r"^[-a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=120)
    names: dict[str, str] = Field(default_factory=dict, description=NAMES)
    first_response_hours: int | None = Field(None, ge=0, le=10_000)
    resolution_hours: int | None = Field(None, ge=0, le=10_000)
    business_hours: bool = False
    warning_percent: int = Field(
        80, ge=1, le=99, description="Warn when this share of a target has passed"
    )
    urgent: bool = False
    restricted: bool = Field(
        False,
        description="A protection case: its conversations are seen only by the person "
        "assigned, its team and the desk's supervisors",
    )
    default: bool = Field(
        False, description="Given to new conversations; one per desk (setting it moves it here)"
    )
    content_retention_days: int | None = Field(
        None, ge=1, le=32_767, description=RETENTION + "; null: the desk's"
    )


class RequestTypeOut(RequestTypeIn):
    pass


class RequestTypePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    names: dict[str, str] | None = Field(None, description=NAMES_PATCH)
    first_response_hours: int | None = Field(None, ge=0, le=10_000, description="null: no target")
    resolution_hours: int | None = Field(None, ge=0, le=10_000, description="null: no target")
    business_hours: bool | None = None
    warning_percent: int | None = Field(None, ge=1, le=99)
    urgent: bool | None = None
    restricted: bool | None = None
    default: bool | None = None
    content_retention_days: int | None = Field(
        None, ge=1, le=32_767, description=RETENTION + "; null: the desk's"
    )


NULLABLE = {"first_response_hours", "resolution_hours", "content_retention_days"}  # null clears


def _request_type(desk: Desk, slug: str) -> RequestType:
    found = desk.request_types.select_related("desk").filter(slug=slug).first()
    if found is None:
        raise NotFound(f"desk {desk.slug} has no request type {slug!r}")
    return found


@router.get("/{slug}/request-types", response=list[RequestTypeOut])
def list_request_types(request: HttpRequest, slug: str) -> QuerySet[RequestType]:
    require(request.user, "desks.view_requesttype")
    return desk_for(request.user, slug).request_types.all()


@router.post("/{slug}/request-types", response={201: RequestTypeOut})
def add_request_type(
    request: HttpRequest, slug: str, payload: RequestTypeIn
) -> Status[RequestType]:
    require(request.user, "desks.add_requesttype")
    desk = desk_for(request.user, slug)
    created = services.add_request_type(desk=desk, by=request.user, **payload.dict())  # type: ignore[arg-type]
    return Status(201, created)


@router.patch("/{slug}/request-types/{type_slug}", response=RequestTypeOut)
def update_request_type(
    request: HttpRequest, slug: str, type_slug: str, payload: RequestTypePatch
) -> RequestType:
    require(request.user, "desks.change_requesttype")
    found = _request_type(desk_for(request.user, slug), type_slug)
    changes = {
        k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k in NULLABLE
    }
    return services.update_request_type(request_type=found, by=request.user, **changes)  # type: ignore[arg-type]


@router.delete("/{slug}/request-types/{type_slug}", response={204: None})
def remove_request_type(request: HttpRequest, slug: str, type_slug: str) -> Status[None]:
    require(request.user, "desks.delete_requesttype")
    found = _request_type(desk_for(request.user, slug), type_slug)
    services.remove_request_type(request_type=found, by=request.user)  # type: ignore[arg-type]
    return Status(204, None)


# A desk's own wording of the public texts: desks/texts_api.py.
router.add_router("", texts_router)
