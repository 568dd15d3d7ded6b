"""Reading the directory and the referrals: services found by type, place and language,
closest place first, and the referrals a member of staff may see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from ventanilla.conversations.access import conversations_visible_to
from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import Desk
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.knowledge.text import fold
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, NotFound
from ventanilla.privacy.services import audit
from ventanilla.referrals.models import Referral, Service, ServiceType, Transfer

Row = TypeVar("Row", bound=Model)


@dataclass(frozen=True)
class Wanted:
    """What someone looks for in the directory; empty fields do not narrow it."""

    type: str = ""
    place: str = ""
    language: str = ""
    text: str = ""  # words of the name or the organisation
    listed_only: bool = True


# How well a service's place matches the one asked for: its city, its region, its country.
CITY, REGION, COUNTRY = 3, 2, 1


def place_match(service: Service, place: str) -> int:
    """CITY, REGION or COUNTRY when the place asked for ("Málaga", "Andalucía, ES") names the
    service's city, region or country code (accents and case aside); 0 when it names none."""
    asked = fold(place).strip()
    phrases = {asked, *(p.strip() for p in asked.split(",")), *asked.replace(",", " ").split()}
    phrases.discard("")
    for level, value in ((CITY, service.city), (REGION, service.region)):
        if value and fold(value) in phrases:
            return level
    return COUNTRY if service.country and service.country.lower() in phrases else 0


def find_services(desks: Iterable[Desk] | QuerySet[Desk], wanted: Wanted) -> list[Service]:
    """The services of `desks` that match, those of the place asked for first (its city,
    then its region, then its country), then by name. A city asked for brings the rest of
    its region after it."""
    if wanted.type and wanted.type not in ServiceType.values:
        raise NotFound(f"no type of service {wanted.type!r}")
    found: Any = Service.objects.filter(desk__in=desks).select_related("organisation", "desk")
    if wanted.listed_only:
        found = found.filter(active=True)
    if wanted.type:
        found = found.filter(type=wanted.type)
    services: Sequence[Service] = list(found)
    if wanted.language:
        code = wanted.language.lower().split("-")[0]
        services = [s for s in services if code in {c.lower().split("-")[0] for c in s.languages}]
    if wanted.text:
        words = fold(wanted.text).split()
        services = [s for s in services if all(w in _searchable(s) for w in words)]
    if not wanted.place:
        return sorted(services, key=lambda s: fold(s.name_in()))
    ranked = [(place_match(s, wanted.place), s) for s in services]
    # A city named: the rest of its region is near too, after it.
    regions = {fold(s.region) for level, s in ranked if level == CITY and s.region}
    ranked = [
        (level or (REGION if s.region and fold(s.region) in regions else 0), s)
        for level, s in ranked
    ]
    return [s for level, s in sorted(ranked, key=lambda r: (-r[0], fold(r[1].name_in()))) if level]


def _searchable(service: Service) -> str:
    texts = [service.name, *service.names.values(), service.organisation.name, service.key]
    return fold(" ".join(texts))


def services_visible_to(user: Any) -> QuerySet[Service]:
    """The services of the desks the user works at (administrators: every desk's)."""
    require(user, "referrals.view_service")
    return Service.objects.filter(desk__in=desks_visible_to(user)).select_related(
        "organisation", "desk"
    )


def one_of(visible: QuerySet[Row], key: int | str, what: str) -> Row:
    """The row of `visible` whose id `key` is (as a path names it); NotFound otherwise, the
    same for a row that exists but is hidden, so that ids cannot be probed."""
    typed = str(key).strip()
    found = visible.filter(pk=int(typed)).first() if typed.isdigit() and len(typed) <= 18 else None
    if found is None:
        raise NotFound(f"no {what} {key}")
    return found


def service_for(user: Any, service_id: int | str) -> Service:
    return one_of(services_visible_to(user), service_id, "service")


def referrals_visible_to(user: Any) -> QuerySet[Referral]:
    """The referrals of the conversations the user may see."""
    require(user, "referrals.view_referral")
    return Referral.objects.filter(
        conversation__in=conversations_visible_to(user).values("pk")
    ).select_related("service", "service__organisation", "desk", "conversation", "by")


def referral_for(user: Any, referral_id: int | str) -> Referral:
    return one_of(referrals_visible_to(user), referral_id, "referral")


def referred_from(conversation: Conversation) -> list[Referral]:
    """The conversation's referrals, latest first."""
    return list(
        Referral.objects.filter(conversation=conversation)
        .select_related("service", "service__organisation", "by")
        .order_by("-created_at", "-id")
    )


def desk_to_transfer_to(slug: str) -> Desk:
    """Any desk of the installation takes transfers, whoever works there (Invalid if none)."""
    found = Desk.objects.filter(slug=slug.strip()).first()
    if found is None:
        raise Invalid(f"desk: no desk {slug!r}")
    return found


@dataclass(frozen=True)
class Before:
    """What a desk that received a transfer reads of the conversation before it."""

    transfer: Transfer
    earlier: Conversation | None  # None: the sending desk shares only the note


def transferred_before(user: Any, conversation: Conversation) -> Before | None:
    """How the conversation came from another desk, and the conversation it came from when
    that desk shares it (the read is recorded). The user may see `conversation` already."""
    found = (
        Transfer.objects.filter(to_conversation=conversation)
        .select_related("conversation", "conversation__channel", "from_desk", "by")
        .first()
    )
    if found is None:
        return None
    if not found.shares_history:
        return Before(found, None)
    audit(actor=user, action="conversation.read", target=found.conversation, via="transfer")
    return Before(found, found.conversation)
