"""API v1: the directory of services (search, add, change, import and export as CSV) and
the referrals made from conversations, their follow-up and their outcomes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from ventanilla.conversations.access import conversation_for
from ventanilla.desks.selectors import desk_for, desk_named, desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid
from ventanilla.referrals import directory, services, transfers
from ventanilla.referrals.models import Referral, Service, Transfer
from ventanilla.referrals.outcomes import outcomes
from ventanilla.referrals.selectors import (
    Wanted,
    desk_to_transfer_to,
    find_services,
    referral_for,
    referrals_visible_to,
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
States = Literal["pending", "reached", "not-reached", "declined"]


class ServiceOut(Schema):
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
    items: list[ServiceOut]
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


@services_router.post("", response={201: ServiceOut})
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


@services_router.get("/{service_id}", response=ServiceOut)
def get_service(request: HttpRequest, service_id: str) -> Service:
    return service_for(request.user, service_id)


@services_router.patch("/{service_id}", response=ServiceOut)
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


# Referrals


class ServiceRef(Schema):
    id: int
    key: str
    name: str
    type: str


class ReferralOut(Schema):
    id: int
    conversation: str
    desk: str
    service: ServiceRef
    status: str
    follow_up: bool = Field(description="The person agreed to be asked whether they got help")
    note: str
    by: str
    created_at: datetime
    follow_up_at: datetime
    reminded_at: datetime | None
    asked_at: datetime | None = Field(description="When the person was asked on their channel")
    answered_at: datetime | None = Field(description="When the person answered it")
    status_changed_at: datetime | None
    status_by: str | None = Field(description="Null: the person answered, or nobody changed it")

    @staticmethod
    def resolve_conversation(referral: Referral) -> str:
        return referral.conversation.reference

    @staticmethod
    def resolve_desk(referral: Referral) -> str:
        return referral.desk.slug

    @staticmethod
    def resolve_status(referral: Referral) -> str:
        return referral.state

    @staticmethod
    def resolve_by(referral: Referral) -> str:
        return referral.by.get_username()

    @staticmethod
    def resolve_status_changed_at(referral: Referral) -> datetime | None:
        return referral.state_changed_at

    @staticmethod
    def resolve_status_by(referral: Referral) -> str | None:
        return referral.state_by.get_username() if referral.state_by else None


class Referred(Schema):
    referrals: list[ReferralOut]
    message: int | None = Field(description="The message that gave the person the details")


class ReferralIn(Schema):
    model_config = ConfigDict(extra="forbid")

    services: list[int] = Field(min_length=1, max_length=5)
    consent: bool = Field(description="The person agreed to be referred (required: true)")
    follow_up: bool = Field(False, description="They agreed to be asked later if they got help")
    note: str = Field("", max_length=2000)
    send: bool = Field(True, description="false: the details were given another way")


class ReferralPage(Schema):
    items: list[ReferralOut]
    count: int


class ReferralQuery(Schema):
    desk: str = Field("", max_length=50)
    status: States | Literal[""] = ""
    service: str = Field("", max_length=50, description="A service's key")
    conversation: str = Field("", max_length=32, description="A conversation's reference")
    due: bool = Field(False, description="true: pending ones whose follow-up day has come")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000_000)


class ReferralPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    status: States
    note: str | None = Field(None, max_length=2000)


class OutcomeQuery(Schema):
    desk: str = Field("", max_length=50)
    from_: date | None = Field(None, alias="from", description="Referred on or after this day")
    to: date | None = Field(None, description="Referred on or before this day")
    group_by: Literal["type", "service"] = "type"


class OutcomeRow(Schema):
    key: str
    name: str
    total: int
    pending: int
    reached: int
    not_reached: int
    declined: int
    reached_rate: float | None = Field(description="Reached among those whose outcome is known")


class Outcomes(Schema):
    group_by: str
    rows: list[OutcomeRow]


@conversation_router.post("/{conversation_id}/referrals", response={201: Referred})
def refer(request: HttpRequest, conversation_id: str, payload: ReferralIn) -> Any:
    """Refer the person to one to five services of the conversation's desk, with their
    consent; the details are sent to them on their channel in their language."""
    require(request.user, "referrals.add_referral")
    conversation = conversation_for(request.user, conversation_id, purpose="write")
    chosen = list(
        services_visible_to(request.user).filter(pk__in=payload.services, desk=conversation.desk)
    )
    missing = set(payload.services) - {s.pk for s in chosen}
    if missing:
        raise Invalid(f"services: no service {sorted(missing)[0]} in this desk's directory")
    chosen.sort(key=lambda s: payload.services.index(s.pk))
    made = services.refer(
        conversation=conversation,
        to=chosen,
        by=request.user,  # type: ignore[arg-type]
        consent=payload.consent,
        follow_up=payload.follow_up,
        note=payload.note,
        send=payload.send,
    )
    found = [referral_for(request.user, r.pk) for r in made]
    return Status(201, {"referrals": found, "message": made[0].message_id if made else None})


class TransferIn(Schema):
    model_config = ConfigDict(extra="forbid")

    desk: str = Field(max_length=50, description="The desk the case goes to, by its slug")
    note: str = Field("", max_length=2000, description="What the other desk needs to know")
    consent: bool = Field(description="The person agreed (required: true)")


class TransferOut(Schema):
    id: int
    conversation: str = Field(description="The new conversation, at the receiving desk")
    conversation_id: int
    desk: str
    transferred_from: str = Field(description="The conversation that ended as transferred")
    history_shared: bool = Field(description="The receiving desk reads what was written before")
    at: datetime

    @staticmethod
    def resolve_conversation(found: Transfer) -> str:
        return found.to_conversation.reference

    @staticmethod
    def resolve_conversation_id(found: Transfer) -> int:
        return found.to_conversation_id

    @staticmethod
    def resolve_desk(found: Transfer) -> str:
        return found.to_desk.slug

    @staticmethod
    def resolve_transferred_from(found: Transfer) -> str:
        return found.conversation.reference

    @staticmethod
    def resolve_history_shared(found: Transfer) -> bool:
        return found.shares_history


@conversation_router.post("/{conversation_id}/transfer", response={201: TransferOut})
def transfer(request: HttpRequest, conversation_id: str, payload: TransferIn) -> Any:
    """Pass the person's case to another desk (a consular post, a partner organisation) with
    their consent: it goes on there as a new conversation on the same channel, and this one
    ends as transferred."""
    require(request.user, "referrals.add_transfer")
    conversation = conversation_for(request.user, conversation_id, purpose="write")
    made = transfers.transfer_to_desk(
        conversation=conversation,
        desk=desk_to_transfer_to(payload.desk),
        note=payload.note,
        consent=payload.consent,
        by=request.user,  # type: ignore[arg-type]
    )
    return Status(201, made)


@referrals_router.get("", response=ReferralPage)
def list_referrals(request: HttpRequest, query: Query[ReferralQuery]) -> Any:
    """Referrals, latest first; `due=true`: those waiting for their follow-up."""
    found = referrals_visible_to(request.user)
    if query.desk:
        found = found.filter(desk=desk_for(request.user, query.desk))
    if query.status:
        found = found.filter(state=query.status)
    if query.service:
        found = found.filter(service__key=query.service.strip())
    if query.conversation:
        found = found.filter(conversation__reference=query.conversation.strip().upper())
    if query.due:
        found = found.filter(state="pending", follow_up_at__lte=datetime.now().astimezone())
    return {"items": list(found[query.offset : query.offset + query.limit]), "count": found.count()}


@referrals_router.get("/outcomes", response=Outcomes)
def referral_outcomes(request: HttpRequest, query: Query[OutcomeQuery]) -> Any:
    """How many referrals reached their service, by type of service or by service: counts
    only, for analysts too."""
    require(request.user, "referrals.view_outcomes")
    desks = [desk_for(request.user, query.desk)] if query.desk else desks_visible_to(request.user)
    if query.from_ and query.to and query.from_ > query.to:
        raise Invalid("from: the first day comes after the last")
    rows = outcomes(
        desks, first=query.from_, last=query.to, by=query.group_by, language=get_language()
    )
    return {"group_by": query.group_by, "rows": rows}


@referrals_router.get("/{referral_id}", response=ReferralOut)
def get_referral(request: HttpRequest, referral_id: str) -> Referral:
    return referral_for(request.user, referral_id)


@referrals_router.patch("/{referral_id}", response=ReferralOut)
def update_referral(request: HttpRequest, referral_id: str, payload: ReferralPatch) -> Referral:
    """Record what became of a referral: reached, not reached, declined (or pending again)."""
    require(request.user, "referrals.change_referral")
    found = referral_for(request.user, referral_id)
    services.set_state(
        referral=found,
        state=payload.status,
        by=request.user,  # type: ignore[arg-type]
        note=payload.note,
    )
    return referral_for(request.user, referral_id)
