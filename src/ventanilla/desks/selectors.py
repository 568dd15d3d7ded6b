"""Which desks a member of staff works at."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ventanilla.desks.models import Desk
from ventanilla.lib.errors import Invalid, NotFound


def desks_visible_to(user: Any) -> QuerySet[Desk]:
    """Administrators see every desk; everyone else the desks they are a member of."""
    if user.has_perm("desks.access_all_desks"):
        return Desk.objects.all()
    return Desk.objects.filter(staff__user=user)


def desk_for(user: Any, slug: str) -> Desk:
    """A desk named in a URL: NotFound when the user does not work there."""
    desk = desks_visible_to(user).filter(slug=slug).first()
    if desk is None:
        raise NotFound(f"no desk {slug!r}")
    return desk


def desk_named(user: Any, slug: str) -> Desk:
    """A desk named in a request body: Invalid when the user does not work there."""
    desk = desks_visible_to(user).filter(slug=slug).first()
    if desk is None:
        raise Invalid(f"desk: no desk {slug!r}")
    return desk
