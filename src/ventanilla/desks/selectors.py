"""Which desks a member of staff works at."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from ventanilla.desks.models import Desk
from ventanilla.desks.roles import Role, role_of
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


def staff_managed_by(user: Any) -> QuerySet[User]:
    """Active staff: all of them for an administrator, those of one's desks otherwise."""
    people = User.objects.filter(is_active=True).order_by("username")
    if user.is_superuser or role_of(user) == Role.ADMIN:
        return people
    return people.filter(agent_profile__desks__in=desks_visible_to(user)).distinct()
