"""Finding and creating contacts from the addresses they write from; what staff change of them."""

from __future__ import annotations

import secrets
from datetime import datetime

import phonenumbers
from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from ventanilla.contacts.models import Consent, ConsentPurpose, Contact, Identity
from ventanilla.desks.validators import LANGUAGE_CODE
from ventanilla.lib.addresses import Scheme, mask_phone, normalise, phone_country
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.privacy.crypto import lookup_hash
from ventanilla.privacy.services import audit

# No 0/O, 1/I: pseudonyms are read out on the phone and copied by hand.
PSEUDONYM_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def identity_hash(scheme: str, canonical_address: str) -> str:
    return lookup_hash(f"{scheme}:{canonical_address}")


def canonical(scheme: str, address: str) -> str:
    try:
        return normalise(scheme, address)
    except ValueError as error:
        raise Invalid(f"{scheme} address: {error}") from None


def find_identity(*, scheme: str, address: str) -> Identity | None:
    """The identity of an address, if anyone has written from it."""
    digest = identity_hash(scheme, canonical(scheme, address))
    return Identity.objects.select_related("contact").filter(lookup_hash=digest).first()


@transaction.atomic
def identify(*, scheme: str, address: str, name: str = "") -> Identity:
    """The identity (and contact) behind an address, created on first contact.

    Safe against two deliveries from the same new person at once: the unique look-up
    hash lets one of them create the identity and the other find it.
    """
    return identify_sender(scheme=scheme, address=address, name=name)[0]


def identify_sender(*, scheme: str, address: str, name: str = "") -> tuple[Identity, bool]:
    """As `identify`, and whether the identity was created just now (by this transaction)."""
    address = canonical(scheme, address)
    digest = identity_hash(scheme, address)
    identity = Identity.objects.select_related("contact").filter(lookup_hash=digest).first()
    if identity is None:
        try:
            with transaction.atomic():
                identity = Identity.objects.create(
                    contact=_new_contact(
                        name=name, seen_at=timezone.now(), country=phone_country(scheme, address)
                    ),
                    scheme=scheme,
                    lookup_hash=digest,
                    address=address,
                )
            return identity, True
        except IntegrityError:
            identity = Identity.objects.select_related("contact").get(lookup_hash=digest)
    contact = identity.contact
    contact.last_seen_at = timezone.now()
    fields = ["last_seen_at"]
    if name and name != contact.name:
        contact.name = name
        fields.append("name")
    contact.save(update_fields=fields)
    return identity, False


def _new_contact(*, name: str, seen_at: datetime | None = None, country: str = "") -> Contact:
    for attempt in range(12):
        length = 4 + attempt // 3  # grow only when the short space gets crowded
        pseudonym = "C-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(length))
        try:
            with transaction.atomic():
                return Contact.objects.create(
                    pseudonym=pseudonym, name=name, last_seen_at=seen_at, country=country
                )
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free pseudonym")


def check_language(language: str) -> str:
    """A contact's preferred language, tidied: a language code, or "" for none known."""
    language = language.strip()
    if language and (len(language) > 16 or not LANGUAGE_CODE.match(language)):
        raise Invalid(f"{language!r} is not a language code such as es, ar or zgh")
    return language


@transaction.atomic
def set_language(*, contact: Contact, language: str, by: User | None) -> Contact:
    """Set the language the person prefers, which a new conversation of theirs starts in."""
    contact.language = check_language(language)
    contact.save(update_fields=["language"])
    audit(actor=by, action="contact.language", target=contact, set=bool(contact.language))
    return contact


def check_country(country: str) -> str:
    """A country of residence, tidied: an ISO code such as MA, or "" for none known."""
    country = country.strip().upper()
    if country and country not in phonenumbers.SUPPORTED_REGIONS:
        raise Invalid(f"{country!r} is not a country code such as MA, ES or HN")
    return country


@transaction.atomic
def set_country(*, contact: Contact, country: str, by: User | None) -> Contact:
    """Set the country the person lives in (an ISO code such as MA; "" for not known)."""
    contact.country = country = check_country(country)
    contact.save(update_fields=["country"])
    audit(actor=by, action="contact.country", target=contact, set=bool(country))
    return contact


@transaction.atomic
def remove_identity(*, identity: Identity, by: User | None) -> None:
    """Forget an address that no conversation replies to (one written down by mistake, say):
    the person writing from it again is met as someone new. Conflict while a conversation
    replies to it: the address goes with the person's data, by erasure, never on its own."""
    if identity.conversations.exists():
        raise Conflict(f"conversations reply to this {identity.scheme} address")
    audit(
        actor=by,
        action="identity.delete",
        target=identity,
        contact=identity.contact.pseudonym,
        scheme=identity.scheme,
    )
    try:
        identity.delete()
    except ProtectedError:  # a conversation began meanwhile
        raise Conflict(f"conversations reply to this {identity.scheme} address") from None


def forget(contact: Contact) -> int:
    """Erase who the person is: the name they gave and every address, on every channel. The
    identities stay as rows (the conversations point at them) with no address and a look-up
    hash no address hashes to, so the person is not found again; the pseudonym stays, as
    the anonymous handle of the figures. Returns how many addresses were erased."""
    identities = list(contact.identities.all())
    for identity in identities:
        identity.address = ""
        identity.lookup_hash = "erased-" + secrets.token_hex(28)
        identity.save(update_fields=["address", "lookup_hash"])
    contact.name = ""
    contact.language = ""
    contact.save(update_fields=["name", "language"])
    return len(identities)


@transaction.atomic
def record_consent(
    *, contact: Contact, purpose: str, given: bool, source: str, by: User | None
) -> Consent:
    """Record a person's agreement to (or refusal or withdrawal of) one purpose."""
    if purpose not in ConsentPurpose.values:
        raise Invalid(f"purpose must be one of {', '.join(ConsentPurpose.values)}")
    source = source.strip()
    if not source or len(source) > 32:
        raise Invalid("source: say how the person answered, in at most 32 characters")
    consent = Consent.objects.create(
        contact=contact, purpose=purpose, given=given, source=source, recorded_by=by
    )
    audit(actor=by, action="contact.consent", target=contact, purpose=purpose, given=given)
    return consent


def consents(contact: Contact) -> dict[str, Consent | None]:
    """What stands for each purpose: the latest answer, None where the person was never asked."""
    latest: dict[str, Consent | None] = dict.fromkeys(ConsentPurpose.values)
    for consent in contact.consents.order_by("at", "id"):
        latest[consent.purpose] = consent
    return latest


def has_consent(contact: Contact, purpose: str) -> bool:
    """Whether the person's latest answer about `purpose` is yes (never asked: no)."""
    latest = contact.consents.filter(purpose=purpose).order_by("-at", "-id").first()
    return bool(latest and latest.given)


# Phone numbers are shown masked; seeing one whole is a recorded act with its reason.

PHONE_SCHEMES = (Scheme.TEL, Scheme.WHATSAPP_USER)


def masked(identity: Identity | None) -> str:
    """The person's phone number masked (+346•••••122); "" for an address that is not a
    phone number (a web-chat visitor, a form)."""
    if identity is None or identity.scheme not in PHONE_SCHEMES:
        return ""
    return mask_phone(identity.address)


@transaction.atomic
def reveal(*, identity: Identity, by: User, reason: str, about: models.Model) -> str:
    """The whole number, for staff who must call the person; recorded with the reason,
    against `about` (the conversation it was asked from)."""
    reason = reason.strip()
    if not reason:
        raise Invalid("reason: say why the number is needed")
    if identity.scheme not in PHONE_SCHEMES or not identity.address:
        raise Invalid("this person has no phone number here")
    audit(
        actor=by,
        action="contact.reveal",
        target=about,
        contact=identity.contact.pseudonym,
        scheme=identity.scheme,
        reason=reason[:500],
    )
    number = identity.address
    return number if number.startswith("+") else f"+{number}"
