"""What the help centre shows of a desk's directory: its listed services, found by type and
place, each with what a reader needs to know before going, in the reader's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max
from django.utils import translation
from django.utils.functional import Promise

from ventanilla.desks.models import Desk
from ventanilla.desks.texts import main_language
from ventanilla.lib.languages import is_rtl
from ventanilla.lib.names import language_label, name_in
from ventanilla.referrals.models import Cost, Organisation, Service, ServiceType
from ventanilla.referrals.selectors import Wanted, find_services


@dataclass(frozen=True)
class Text:
    """A text and the language it is in: the reader's, or the desk's main one when the
    service has none in the reader's."""

    text: str
    language: str

    @property
    def dir(self) -> str:
        return "rtl" if is_rtl(self.language) else "ltr"


@dataclass(frozen=True)
class Shown:
    """A listed service as the help centre shows it. `type` and `cost` are labels that
    gettext translates when the page is made, in the page's interface language."""

    key: str
    name: Text
    organisation: Text
    description: Text
    type: str | Promise
    cost: str | Promise
    address: str
    city: str
    hours: str
    phone: str
    phone_link: str
    email: str
    website: str
    accepts_undocumented: bool
    asks_id: bool
    asks_address: bool
    languages: list[Text]  # each language's own name, in that language
    verified_on: date | None

    @property
    def website_text(self) -> str:
        """The website as people read it: no https://, no www., no closing slash."""
        return re.sub(r"^https?://(www\.)?", "", self.website).rstrip("/")


def has_listed_services(desk: Desk) -> bool:
    return Service.objects.filter(desk=desk, active=True).exists()


def listed_services(desk: Desk, language: str, *, type: str = "", place: str = "") -> list[Shown]:
    """The desk's listed services of `type` near `place` (its city first, then its region,
    then its country), as find_services ranks them, by their names in `language`. Raises
    NotFound for an unknown type."""
    with translation.override(language):
        found = find_services([desk], Wanted(type=type, place=place))
    return [_shown(service, language, main_language(desk)) for service in found]


def _shown(service: Service, language: str, main: str) -> Shown:
    organisation = service.organisation
    website = service.website or organisation.website
    return Shown(
        key=service.key,
        name=_text_in(service.name, service.names, language, main),
        organisation=_text_in(organisation.name, organisation.names, language, main),
        description=_text_in(service.description, service.descriptions, language, main),
        type=ServiceType(service.type).label,
        cost=Cost(service.cost).label,
        address=service.address,
        city=service.city,
        hours=service.hours,
        phone=service.phone,
        phone_link=_tel(service.phone),
        email=service.email,
        website=website if website.startswith(("https://", "http://")) else "",
        accepts_undocumented=service.accepts_undocumented,
        asks_id=service.asks_id,
        asks_address=service.asks_address,
        languages=[Text(language_label(code), code) for code in service.languages],
        verified_on=service.verified_on,
    )


def _text_in(main_text: str, texts: dict[str, str], language: str, main: str) -> Text:
    own = name_in("", texts, language)
    return Text(own, language) if own else Text(main_text, main)


def _tel(phone: str) -> str:
    """A tel: link's number: its digits, with the + of an international number."""
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return ""
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


def directory_version(desk: Desk) -> tuple[int, datetime | None, list[tuple[str, str, str]]]:
    """What changes when the desk's directory as the help centre shows it changes: its
    services (any saved one moves updated_at; a removed one, the count) and organisations."""
    services = Service.objects.filter(desk=desk).aggregate(
        count=Count("id"), changed=Max("updated_at")
    )
    organisations = [
        (name, repr(sorted(names.items())), website)
        for name, names, website in Organisation.objects.filter(desk=desk)
        .order_by("pk")
        .values_list("name", "names", "website")
    ]
    return services["count"], services["changed"], organisations
