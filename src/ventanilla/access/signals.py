"""What signing in and out leaves behind: the audit log, the failure counts, and the
session's generation (ended everywhere when it moves on)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from ventanilla.access import lockout
from ventanilla.access.services import forget_no_second_factor, generation_of
from ventanilla.desks.models import Desk
from ventanilla.lib.ratelimit import client_address
from ventanilla.privacy.services import audit

logger = logging.getLogger(__name__)
GENERATION = "access.generation"


@receiver(user_logged_in)
def signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    lockout.succeeded(user.get_username())
    if request is not None:
        request.session[GENERATION] = generation_of(user)
    audit(actor=user, action="signin", target=user, address=_address(request))


@receiver(user_logged_out)
def signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit(actor=user, action="signout", target=user)


@receiver(user_login_failed)
def refused(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")
    address = _address(request)
    if lockout.locked_for(username, address):
        return  # refused while locked: not counted again, not a new failure
    locked = lockout.failed(username, address)
    user = User.objects.filter(username=username).first()
    logger.warning("sign-in refused%s", ", now locked" if locked else "")
    if user is not None:
        audit(actor=None, action="signin.refused", target=user, address=address, locked=locked)


def _address(request: HttpRequest | None) -> str:
    return client_address(request.META) if request is not None else ""


@receiver(post_save, sender=Desk)
def desk_changed(sender: Any, instance: Desk, **kwargs: Any) -> None:
    """A desk that now asks its staff for a second factor asks at their next request."""
    forget_no_second_factor(
        list(instance.staff.values_list("user_id", flat=True)) if instance.pk else []
    )


@receiver(m2m_changed, sender=User.groups.through)
def role_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Someone who becomes a supervisor or an administrator is asked at their next request."""
    if isinstance(instance, User):
        forget_no_second_factor([instance.pk])
