"""Finding and creating contacts from the addresses they write from."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from ventanilla.contacts.models import Contact, Identity
from ventanilla.lib.addresses import normalise
from ventanilla.lib.errors import Invalid
from ventanilla.privacy.crypto import lookup_hash

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
    address = canonical(scheme, address)
    digest = identity_hash(scheme, address)
    identity = Identity.objects.select_related("contact").filter(lookup_hash=digest).first()
    if identity is None:
        try:
            with transaction.atomic():
                identity = Identity.objects.create(
                    contact=_new_contact(name=name),
                    scheme=scheme,
                    lookup_hash=digest,
                    address=address,
                )
        except IntegrityError:
            identity = Identity.objects.select_related("contact").get(lookup_hash=digest)
    contact = identity.contact
    contact.last_seen_at = timezone.now()
    fields = ["last_seen_at"]
    if name and name != contact.name:
        contact.name = name
        fields.append("name")
    contact.save(update_fields=fields)
    return identity


def _new_contact(*, name: str) -> Contact:
    for attempt in range(12):
        length = 4 + attempt // 3  # grow only when the short space gets crowded
        pseudonym = "C-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(length))
        try:
            with transaction.atomic():
                return Contact.objects.create(pseudonym=pseudonym, name=name)
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free pseudonym")
