"""API v1: a person's consents, and their erasure on their request."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from ventanilla.contacts import services as contacts
from ventanilla.conversations.access import contact_for
from ventanilla.conversations.retention import erase_contact
from ventanilla.lib.access import require

router = Router(tags=["contacts"])


class ErasureIn(Schema):
    reason: str = Field(
        min_length=1,
        max_length=500,
        description="Why: the person's request, when and how it came (kept in the audit log).",
    )


class ErasureOut(Schema):
    contact: str = Field(description="The pseudonym, which stays as an anonymous handle.")
    erased: dict[str, int] = Field(
        description="What was erased: conversations, messages, notes, translations, files, "
        "addresses, unsent replies."
    )


@router.post("/{pseudonym}/erase", response=ErasureOut)
def erase(request: HttpRequest, pseudonym: str, payload: ErasureIn) -> dict[str, Any]:
    """Erase a person's data on their request: every message, note, translation, file and
    recording of their conversations on every channel, their name and their addresses. The
    conversations stay, anonymous, with their dates and figures, so reports stay right; open
    ones are closed. Supervisors and administrators; written to the audit log with the reason."""
    require(request.user, "contacts.erase_contact")
    contact = contact_for(request.user, pseudonym)
    user: Any = request.user
    erased = erase_contact(contact=contact, by=user, reason=payload.reason)
    return {"contact": contact.pseudonym, "erased": erased}


Purpose = Literal["follow-up", "surveys", "referrals", "broadcasts"]  # ConsentPurpose's values


class ConsentIn(Schema):
    purpose: Purpose
    given: bool = Field(description="true: the person agrees; false: refuses or withdraws.")
    source: str = Field(
        min_length=1, max_length=32, description="How they answered: message, phone, form..."
    )


class ConsentOut(Schema):
    purpose: str
    given: bool | None = Field(description="null: never asked")
    source: str = ""
    at: datetime | None = None


@router.get("/{pseudonym}/consents", response=list[ConsentOut])
def list_consents(request: HttpRequest, pseudonym: str) -> list[dict[str, Any]]:
    """What the person agreed to, purpose by purpose (the latest answer stands)."""
    require(request.user, "conversations.view_conversation")
    contact = contact_for(request.user, pseudonym)
    return [
        {"purpose": purpose, "given": c.given, "source": c.source, "at": c.at}
        if c is not None
        else {"purpose": purpose, "given": None}
        for purpose, c in contacts.consents(contact).items()
    ]


@router.post("/{pseudonym}/consents", response={201: ConsentOut})
def add_consent(request: HttpRequest, pseudonym: str, payload: ConsentIn) -> tuple[int, Any]:
    """Record that the person agreed to, refused or withdrew one purpose."""
    require(request.user, "conversations.change_conversation")
    contact = contact_for(request.user, pseudonym)
    user: Any = request.user
    made = contacts.record_consent(
        contact=contact,
        purpose=payload.purpose,
        given=payload.given,
        source=payload.source,
        by=user,
    )
    return 201, made
