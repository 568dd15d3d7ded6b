"""The schemes of the addresses people write from, and the one canonical form of each.

Phone numbers become E.164 (+31612345678) whichever channel they came by, so the same
person calling, texting or writing on WhatsApp from one number is one contact.
"""

from __future__ import annotations

import re

import phonenumbers
from django.db import models


class Scheme(models.TextChoices):
    TEL = "tel", "Phone number"
    WHATSAPP_USER = "whatsapp-user", "WhatsApp user id"
    WEBCHAT = "webchat", "Web chat visitor"
    PORTAL = "portal", "Web form requester"
    WITHHELD = "withheld", "Caller with a withheld number"  # one per call: its call id


_PUNCTUATION = re.compile(r"[\s().\-/]")


def normalise_phone(value: str) -> str:
    """E.164 form of an international number written with '+', '00' or bare digits.

    Providers give numbers as '+31612345678' (Twilio) or '31612345678' (WhatsApp);
    both become '+31612345678'. Raises ValueError for anything that cannot be a number.
    """
    digits = _PUNCTUATION.sub("", value.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif not digits.startswith("+"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, None)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number in international form (+country code)") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise(scheme: str, value: str) -> str:
    """The canonical form of an address; ValueError when it has none."""
    if scheme == Scheme.TEL:
        return normalise_phone(value)
    if scheme not in Scheme.values:
        raise ValueError(f"unknown address scheme {scheme!r}")
    value = value.strip()
    if not value or len(value) > 200 or any(ch.isspace() for ch in value):
        raise ValueError(f"not a valid {scheme} address")
    return value


def phone_country(scheme: str, address: str) -> str:
    """The country (ISO 3166 code, such as "MA") of the phone number an address is, or ""
    when it is none or its number belongs to no one country."""
    if scheme == Scheme.WHATSAPP_USER and address.isdigit():
        address = "+" + address  # a WhatsApp user id is the number's digits, where it is one
    elif scheme != Scheme.TEL:
        return ""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(address, None))
    except phonenumbers.NumberParseException:
        return ""
    return region if region and region != "001" else ""  # 001: satellite, international


def mask_phone(number: str) -> str:
    """A phone number with all but its country code's first digits and its last three
    hidden: +504•••••567; "" for none."""
    if not number:
        return ""
    number = number if number.startswith("+") else f"+{number}"
    return f"{number[:4]}{'•' * max(len(number) - 7, 0)}{number[-3:]}"
