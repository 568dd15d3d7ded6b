"""API v1: referrals made from conversations, their follow-up and their outcomes, and cases
transferred to another desk."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from ventanilla.conversations.access import conversation_for
from ventanilla.desks.selectors import desk_for, desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid
from ventanilla.referrals import services, transfers
from ventanilla.referrals.models import Referral, Transfer
from ventanilla.referrals.outcomes import outcomes
from ventanilla.referrals.selectors import (
    desk_to_transfer_to,
    referral_for,
    referrals_visible_to,
    services_visible_to,
)

referrals_router = Router(tags=["referrals"])
conversation_router = Router(tags=["referrals"])
States = Literal["pending", "reached", "not-reached", "declined"]


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
        found = found.filter(state="pending", follow_up_at__lte=timezone.now())
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
