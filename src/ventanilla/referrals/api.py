"""API v1: the directory of services: searched, added, changed, imported and exported as
CSV."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from ventanilla.desks.selectors import desk_for, desk_named, desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid
from ventanilla.referrals import directory
from ventanilla.referrals.models import Service
from ventanilla.referrals.selectors import (
    Wanted,
    find_services,
    service_for,
    services_visible_to,
)

services_router = Router(tags=["referrals"])
referrals_router = Router(tags=["referrals"])
conversation_router = Router(tags=["referrals"])

ServiceTypes = Literal[
    "health", "shelter", "food", "legal", "psychosocial", "employment", "remittances",
    "education", "protection", "consular", "other",
]  # fmt: skip
Costs = Literal["free", "low", "paid"]


class DirectoryServiceOut(Schema):
    id: int
    key: str
    desk: str
    organisation: str
    name: str
    names: dict[str, str]
    type: str
    type_name: str = Field(description="The type as the reader's language names it")
    description: str
    descriptions: dict[str, str]
    languages: list[str]
    country: str
    region: str
    city: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    hours: str
    cost: str
    accepts_undocumented: bool
    asks_address: bool
    asks_id: bool
    phone: str
    email: str
    website: str
    verified_on: date | None
    active: bool = Field(description="Listed: false keeps it for the referrals made to it")
    updated_at: datetime

    @staticmethod
    def resolve_desk(service: Service) -> str:
        return service.desk.slug

    @staticmethod
    def resolve_organisation(service: Service) -> str:
        return service.organisation.name

    @staticmethod
    def resolve_type_name(service: Service) -> str:
        return str(service.get_type_display())


class ServicePage(Schema):
    items: list[DirectoryServiceOut]
    count: int


class DirectoryQuery(Schema):
    desk: str = Field("", max_length=50)
    type: ServiceTypes | Literal[""] = ""
    place: str = Field("", max_length=100, description="A city, region or country code")
    language: str = Field("", max_length=16, description="A language spoken there")
    q: str = Field("", max_length=100, description="Words of its name or its organisation's")
    listed: bool = Field(True, description="false: the services taken off the list too")
    format: Literal["json", "csv"] = Field(
        "json", description="csv: the desk's whole directory, in the import's columns"
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class ServiceFields(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is refused, not ignored

    organisation: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=200)
    names: dict[str, str] | None = None
    type: ServiceTypes | None = None
    description: str | None = Field(None, max_length=1000)
    descriptions: dict[str, str] | None = None
    languages: list[str] | None = Field(None, max_length=40)
    country: str | None = Field(None, max_length=2)
    region: str | None = Field(None, max_length=100)
    city: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=300)
    latitude: Decimal | None = Field(None, ge=-90, le=90, decimal_places=5)
    longitude: Decimal | None = Field(None, ge=-180, le=180, decimal_places=5)
    hours: str | None = Field(None, max_length=200)
    cost: Costs | None = None
    accepts_undocumented: bool | None = None
    asks_address: bool | None = None
    asks_id: bool | None = None
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    website: str | None = Field(None, max_length=200)
    verified_on: date | None = None
    active: bool | None = None


class ServiceIn(ServiceFields):
    desk: str = Field(max_length=50)
    key: str = Field(max_length=50, description="Unique in the desk: letters, digits, dashes")
    organisation: str = Field(max_length=200)
    name: str = Field(max_length=200)
    type: ServiceTypes


class ServicePatch(ServiceFields):
    key: str | None = Field(None, max_length=50)


class Imported(Schema):
    created: int
    updated: int


def _changes(payload: Schema, *skip: str) -> dict[str, Any]:
    values = payload.model_dump(exclude_unset=True)
    for name in skip:
        values.pop(name, None)
    if values.get("country"):
        values["country"] = values["country"].upper()
    return {k: v for k, v in values.items() if v is not None or k in ("latitude", "longitude")}


@services_router.get("", response=ServicePage)
def list_services(request: HttpRequest, query: Query[DirectoryQuery]) -> Any:
    """The directory: services of a type, near a place (its city, then its region, then its
    country first), where a language is spoken. `format=csv`: a desk's whole directory."""
    require(request.user, "referrals.view_service")
    if query.format == "csv":
        require(request.user, "referrals.change_service")
        if not query.desk:
            raise Invalid("desk: say which desk's directory to download")
        desk = desk_for(request.user, query.desk)
        response = StreamingHttpResponse(
            directory.export_services(desk=desk, by=request.user),  # type: ignore[arg-type]
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="services-{desk.slug}.csv"'
        return response
    desks = [desk_for(request.user, query.desk)] if query.desk else desks_visible_to(request.user)
    wanted = Wanted(
        type=query.type,
        place=query.place.strip(),
        language=query.language.strip(),
        text=query.q.strip(),
        listed_only=query.listed,
    )
    found = find_services(desks, wanted)
    return {"items": found[query.offset : query.offset + query.limit], "count": len(found)}


@services_router.post("", response={201: DirectoryServiceOut})
def add_service(request: HttpRequest, payload: ServiceIn) -> Any:
    """Add a service to a desk's directory (its organisation is made when new)."""
    require(request.user, "referrals.add_service")
    desk = desk_named(request.user, payload.desk)
    if services_visible_to(request.user).filter(desk=desk, key=payload.key).exists():
        raise Invalid(f"key: the desk already lists a service {payload.key}")
    made = directory.save_service(
        desk=desk,
        key=payload.key,
        values=_changes(payload, "desk", "key"),
        by=request.user,  # type: ignore[arg-type]
    )
    return Status(201, service_for(request.user, made.pk))


@services_router.post("/import", response=Imported)
def import_services(request: HttpRequest, desk: str = "") -> Any:
    """A CSV of services (the body, as text/csv, or a form's `file`): every row added or
    changed by its key, or, when a row is wrong, none (422 naming each wrong row)."""
    require(request.user, "referrals.add_service")
    require(request.user, "referrals.change_service")
    if not desk.strip():
        raise Invalid("desk: say which desk's directory the file is for (?desk=slug)")
    found = desk_for(request.user, desk.strip())
    imported = directory.import_services(
        desk=found,
        text=_csv_text(request),
        by=request.user,  # type: ignore[arg-type]
    )
    return {"created": imported.created, "updated": imported.updated}


def _csv_text(request: HttpRequest) -> str:
    kind = (request.content_type or "").lower()
    if kind != "multipart/form-data" and not request.body:
        raise Invalid("the file is empty: its first line names the columns")
    if kind == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise Invalid("file: send the CSV as the form's file")
        content = upload.read()
    elif kind in ("text/csv", "text/plain", "application/csv"):
        content = request.body
    else:
        raise Invalid("send the CSV as text/csv, or as a form's file")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Invalid("the file is not UTF-8 text: save it as CSV UTF-8") from error


@services_router.get("/{service_id}", response=DirectoryServiceOut)
def get_service(request: HttpRequest, service_id: str) -> Service:
    return service_for(request.user, service_id)


@services_router.patch("/{service_id}", response=DirectoryServiceOut)
def update_service(request: HttpRequest, service_id: str, payload: ServicePatch) -> Service:
    """Change a service; `"active": false` takes it off the list (its referrals stay)."""
    require(request.user, "referrals.change_service")
    found = service_for(request.user, service_id)
    changes = _changes(payload, "key")
    directory.save_service(
        desk=found.desk,
        key=payload.key or found.key,
        values=changes,
        by=request.user,  # type: ignore[arg-type]
        service=found,
    )
    return service_for(request.user, service_id)
