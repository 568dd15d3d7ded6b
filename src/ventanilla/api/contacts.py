"""API v1: a person's erasure on their request."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

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
