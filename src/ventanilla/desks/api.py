"""API v1: desks and their request types."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ventanilla.desks import services
from ventanilla.desks.models import Desk, RequestType
from ventanilla.desks.selectors import desk_for, desks_visible_to
from ventanilla.lib.access import require

router = Router(tags=["desks"])


class DeskOut(Schema):
    slug: str
    name: str
    timezone: str
    languages: list[str]
    hours: dict[str, list[list[str]]]
    reference_prefix: str


class DeskPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    timezone: str | None = None
    languages: list[str] | None = None
    hours: dict[str, list[list[str]]] | None = Field(
        None, description='Weekly opening hours: {"mon": [["08:00", "14:00"]], ..., "sun": []}'
    )


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
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    desk = services.update_desk(desk=desk_for(request.user, slug), by=request.user, **changes)  # type: ignore[arg-type]
    return desk


class RequestTypeIn(Schema):
    slug: str = Field(min_length=1, max_length=50, pattern=r"^[-a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=120)
    first_response_hours: int | None = Field(None, ge=0, le=10_000)
    resolution_hours: int | None = Field(None, ge=0, le=10_000)
    business_hours: bool = False


class RequestTypeOut(RequestTypeIn):
    pass


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
