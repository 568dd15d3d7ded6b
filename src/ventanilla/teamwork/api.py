"""API v1: one's own availability for new work."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from ventanilla.desks.models import AgentProfile
from ventanilla.teamwork import assignment

router = Router(tags=["staff"])


class AvailabilityIn(Schema):
    available: bool = Field(description="True: give me new work; false: away.")


class AvailabilityOut(AvailabilityIn):
    capacity: int = Field(description="How many open conversations I handle at once.")
    languages: list[str]


def _shown(profile: AgentProfile | None) -> dict[str, Any]:
    profile = profile or AgentProfile()  # the defaults of someone never given a profile
    return {
        "available": profile.available,
        "capacity": profile.capacity,
        "languages": list(profile.languages),
    }


@router.get("/availability", response=AvailabilityOut)
def get_availability(request: HttpRequest) -> dict[str, Any]:
    return _shown(AgentProfile.objects.filter(user=request.user.pk).first())


@router.put("/availability", response=AvailabilityOut)
def set_availability(request: HttpRequest, payload: AvailabilityIn) -> dict[str, Any]:
    """Become available (waiting work of your desks is given out at once) or away."""
    user: Any = request.user
    return _shown(assignment.set_availability(user=user, available=payload.available))
