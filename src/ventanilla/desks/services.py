"""Changes to desks, request types and staff: the only writers of this app's rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ventanilla.desks.models import AgentProfile, Desk, RequestType
from ventanilla.desks.roles import Role
from ventanilla.desks.validators import validate_weekly_hours
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.privacy.services import audit

DESK_FIELDS = ("name", "timezone", "languages", "hours")


def _validated(instance: Any, fields: tuple[str, ...]) -> None:
    try:
        instance.full_clean(exclude=[f.name for f in instance._meta.fields if f.name not in fields])
    except ValidationError as error:
        raise Invalid(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{field}: {' '.join(str(m) for m in messages)}"
        for field, messages in error.message_dict.items()
    )


@transaction.atomic
def update_desk(*, desk: Desk, by: User, **changes: Any) -> Desk:
    """Change a desk's name, time zone, languages or weekly opening hours."""
    unknown = set(changes) - set(DESK_FIELDS)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))}")
    if "hours" in changes:  # full_clean skips the validators of an empty value such as []
        try:
            validate_weekly_hours(changes["hours"])
        except ValidationError as error:
            raise Invalid(f"hours: {' '.join(error.messages)}") from None
    for field, value in changes.items():
        setattr(desk, field, value)
    _validated(desk, tuple(changes))
    desk.save(update_fields=list(changes))
    audit(actor=by, action="desk.update", target=desk, fields=sorted(changes))
    return desk


@transaction.atomic
def add_request_type(
    *,
    desk: Desk,
    by: User | None,
    slug: str,
    name: str,
    first_response_hours: int | None = None,
    resolution_hours: int | None = None,
    business_hours: bool = False,
) -> RequestType:
    request_type = RequestType(
        desk=desk,
        slug=slug,
        name=name,
        first_response_hours=first_response_hours,
        resolution_hours=resolution_hours,
        business_hours=business_hours,
    )
    _validated(
        request_type, ("slug", "name", "first_response_hours", "resolution_hours", "business_hours")
    )
    try:
        with transaction.atomic():
            request_type.save()
    except IntegrityError:
        raise Conflict(f"desk {desk.slug} already has a request type {slug!r}") from None
    audit(actor=by, action="request_type.create", target=request_type, desk=desk.slug)
    return request_type


@transaction.atomic
def enrol_staff(
    *,
    username: str,
    role: Role,
    desks: list[Desk],
    by: User | None = None,
    languages: list[str] | None = None,
) -> User:
    """Create the staff member if missing, give them exactly `role`, and add them to `desks`."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
    user.is_staff = role == Role.ADMIN  # the Django admin site is for administrators
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    profile, _ = AgentProfile.objects.get_or_create(user=user)
    profile.desks.add(*desks)
    if languages is not None:
        profile.languages = languages
        profile.save(update_fields=["languages"])
    audit(
        actor=by,
        action="staff.enrol",
        target=user,
        role=str(role),
        desks=[d.slug for d in desks],
        created=created,
    )
    return user


def _profile(user: User) -> AgentProfile:
    return AgentProfile.objects.get_or_create(user=user)[0]


@transaction.atomic
def set_availability(*, user: User, available: bool) -> AgentProfile:
    """Mark oneself available for new work, or away."""
    profile = _profile(user)
    profile.available = available
    profile.save(update_fields=["available"])
    audit(actor=user, action="staff.availability", target=user, available=available)
    return profile


def set_console_language(*, user: User, language: str) -> AgentProfile:
    """Remember the language a member of staff reads the console in."""
    if language not in dict(settings.LANGUAGES):
        raise Invalid(f"the console is not available in {language!r}")
    profile = _profile(user)
    profile.ui_language = language
    profile.save(update_fields=["ui_language"])
    return profile


PRESENCE_EVERY = timedelta(seconds=30)


def record_presence(*, user: User) -> None:
    """Note that the member of staff has the console open: at most one write per 30 s,
    so that the live views' polls stay reads."""
    key = f"presence:{user.pk}"
    if cache.get(key):
        return
    cache.set(key, True, timeout=PRESENCE_EVERY.total_seconds())
    now = timezone.now()
    if not AgentProfile.objects.filter(user=user).update(last_seen_at=now):
        AgentProfile.objects.get_or_create(user=user, defaults={"last_seen_at": now})
