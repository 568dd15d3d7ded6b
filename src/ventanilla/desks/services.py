"""Changes to desks, request types and staff: the only writers of this app's rows."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from ventanilla.desks.defaults import DEFAULT_NAMES, DEFAULT_REQUEST_TYPES
from ventanilla.desks.models import AgentProfile, Desk, RequestType, Team
from ventanilla.desks.roles import Role
from ventanilla.desks.validators import (
    validate_holidays,
    validate_special_days,
    validate_weekly_hours,
)
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.privacy.services import audit

DESK_FIELDS = (
    "name",
    "names",
    "timezone",
    "languages",
    "hours",
    "holidays",
    "special_days",
    "emergency_phone",
    "assignment",
    "content_retention_days",
    "privacy_notice",
    "two_factor_required",
    "report_language",
    "k_anonymity",
)
TEAM_FIELDS = ("name", "names", "hours", "holidays", "special_days", "interpretation", "assignment")
REQUEST_TYPE_FIELDS = (
    "name",
    "names",
    "first_response_hours",
    "resolution_hours",
    "business_hours",
    "warning_percent",
    "urgent",
    "restricted",
    "default",
    "content_retention_days",
)
# full_clean skips the validators of an empty value such as [] or {}: these run always.
CALENDAR_VALIDATORS = {
    "hours": validate_weekly_hours,
    "holidays": validate_holidays,
    "special_days": validate_special_days,
}
# A number to call, as people dial it: 112, +34 913 79 17 00, (504) 2236-0000.
PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{1,30}$")


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


def _check_calendar(changes: dict[str, Any]) -> None:
    for field, validate in CALENDAR_VALIDATORS.items():
        if field in changes and not (field == "hours" and changes[field] is None):
            try:
                validate(changes[field])
            except ValidationError as error:
                raise Invalid(f"{field}: {' '.join(error.messages)}") from None


def check_phone(value: str) -> str:
    """A phone number to tell people, tidied; Invalid unless it reads as one."""
    value = " ".join(str(value).split())
    if value and not (PHONE.match(value) and sum(c.isdigit() for c in value) >= 3):
        raise Invalid(
            f"emergency_phone: {value!r} is not a phone number such as 112 or +34 900 000 000"
        )
    return value


@transaction.atomic
def update_desk(*, desk: Desk, by: User, **changes: Any) -> Desk:
    """Change a desk's name (and its names in other languages), time zone, languages,
    calendar (weekly hours, holidays, special days), emergency number or the way new work
    reaches its agents."""
    unknown = set(changes) - set(DESK_FIELDS)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))}")
    if changes.get("hours") is None:
        changes.pop("hours", None)  # a desk always has a week, if an empty one
    _check_calendar(changes)
    if "emergency_phone" in changes:
        changes["emergency_phone"] = check_phone(changes["emergency_phone"])
    for field, value in changes.items():
        setattr(desk, field, value)
    _validated(desk, tuple(changes))
    desk.save(update_fields=list(changes))
    audit(actor=by, action="desk.update", target=desk, fields=sorted(changes))
    return desk


@transaction.atomic
def add_desk(
    *,
    by: User | None,
    slug: str,
    name: str,
    reference_prefix: str = "VT",
    default_request_types: bool = True,
    **fields: Any,
) -> Desk:
    """A new desk, with the request types every desk starts with (desks/defaults.py).

    The admin, where request types may be typed in with the new desk, asks for the defaults
    only after those (`default_request_types=False`, then `add_default_request_types`), so
    that they fill in around them by slug rather than collide with them."""
    unknown = set(fields) - set(DESK_FIELDS)
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(sorted(unknown))}")
    if fields.get("hours") is None:
        fields.pop("hours", None)  # a desk always has a week, if an empty one
    _check_calendar(fields)
    if "emergency_phone" in fields:
        fields["emergency_phone"] = check_phone(fields["emergency_phone"])
    if Desk.objects.filter(slug=slug).exists():
        raise Conflict(f"there is already a desk {slug!r}")
    desk = Desk(slug=slug, name=name, reference_prefix=reference_prefix, **fields)
    _validated(desk, ("slug", "name", "reference_prefix", *fields))
    try:
        with transaction.atomic():
            desk.save()
    except IntegrityError:
        raise Conflict(f"there is already a desk {slug!r}") from None
    audit(actor=by, action="desk.create", target=desk, slug=desk.slug)
    if default_request_types:
        add_default_request_types(desk=desk, by=by)
    return desk


def reasons_to_keep(desks: list[Desk]) -> list[str]:
    """Why these desks cannot be deleted, one line each; none when they can.

    A desk that holds conversations keeps them as the record of the people it served (they
    go by erasure, never with their desk); a desk with channels still gets work through
    them; and an installation keeps one desk at least (a fresh one starts with `default`).
    """
    reasons = []
    for desk in desks:
        conversations = desk.conversations.count()
        if conversations:
            reasons.append(
                ngettext(
                    "%(desk)s: %(count)d conversation",
                    "%(desk)s: %(count)d conversations",
                    conversations,
                )
                % {"desk": desk.name, "count": conversations}
            )
        channels = list(desk.channels.order_by("name").values_list("name", flat=True))
        if channels:
            reasons.append(
                ngettext(
                    "%(desk)s: the channel %(names)s",
                    "%(desk)s: the channels %(names)s",
                    len(channels),
                )
                % {"desk": desk.name, "names": ", ".join(channels)}
            )
    if not Desk.objects.exclude(pk__in=[desk.pk for desk in desks]).exists():
        reasons.append(gettext("the installation's last desk"))
    return reasons


@transaction.atomic
def remove_desk(*, desk: Desk, by: User | None) -> None:
    """Delete a desk that has never served anyone, with its teams, request types, texts and
    settings; Conflict when it has conversations or channels, or is the last desk."""
    # Every desk locked: two desks deleted at once must not both count on the other one.
    list(Desk.objects.select_for_update().values_list("pk"))
    reasons = reasons_to_keep([desk])
    if reasons:
        raise Conflict(f"desk {desk.slug} is kept: {'; '.join(reasons)}")
    audit(actor=by, action="desk.delete", target=desk, slug=desk.slug, name=desk.name)
    try:
        desk.delete()
    except ProtectedError:  # a first conversation arrived meanwhile
        raise Conflict(f"desk {desk.slug} is kept: it has just received work") from None


@transaction.atomic
def update_team(*, team: Team, by: User | None, **changes: Any) -> Team:
    """Change a team's name (and its names in other languages), its own calendar (hours
    None: the desk's), whether it gives interpretation support, or how new work reaches its
    members ("" : as the desk does)."""
    unknown = set(changes) - set(TEAM_FIELDS)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))}")
    if changes.get("hours") == {}:
        changes["hours"] = None  # no hours of its own: the desk's calendar
    _check_calendar(changes)
    for field, value in changes.items():
        setattr(team, field, value)
    check_team_calendar(team)
    _validated(team, tuple(changes))
    team.save(update_fields=list(changes))
    audit(actor=by, action="team.update", target=team, fields=sorted(changes))
    return team


@transaction.atomic
def add_team(*, desk: Desk, by: User | None, slug: str, name: str, **fields: Any) -> Team:
    """A new team of the desk, with its own calendar or none (the desk's)."""
    unknown = set(fields) - set(TEAM_FIELDS)
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(sorted(unknown))}")
    if fields.get("hours") == {}:
        fields["hours"] = None  # no hours of its own: the desk's calendar
    _check_calendar(fields)
    team = Team(desk=desk, slug=slug, name=name, **fields)
    check_team_calendar(team)
    _validated(team, ("slug", "name", *fields))
    if desk.teams.filter(slug=slug).exists():
        raise Conflict(f"desk {desk.slug} already has a team {slug!r}")
    team.save()
    audit(actor=by, action="team.create", target=team, desk=desk.slug)
    return team


@transaction.atomic
def remove_team(*, team: Team, by: User | None) -> None:
    """Delete a team: its conversations go back to the desk's general queue."""
    audit(actor=by, action="team.delete", target=team, desk=team.desk.slug, slug=team.slug)
    team.delete()


def check_team_calendar(team: Team) -> None:
    """A team's holidays and special days are part of a calendar of its own: without its
    own hours it keeps the desk's calendar whole (desks/calendar.py), and they would be
    silently ignored."""
    if not team.hours and (team.holidays or team.special_days):
        raise Invalid(
            "holidays and special_days of a team apply only with opening hours of its own: "
            "set its hours too, or give the days to the desk"
        )


def _one_default(request_type: RequestType) -> None:
    """The desk's other request types stop being the default (one default per desk)."""
    Desk.objects.select_for_update().filter(pk=request_type.desk_id).values_list("pk").get()
    others = RequestType.objects.filter(desk_id=request_type.desk_id, default=True)
    others.exclude(pk=request_type.pk).update(default=False)


@transaction.atomic
def add_request_type(
    *,
    desk: Desk,
    by: User | None,
    slug: str,
    name: str,
    names: dict[str, str] | None = None,
    first_response_hours: int | None = None,
    resolution_hours: int | None = None,
    business_hours: bool = False,
    warning_percent: int = 80,
    urgent: bool = False,
    restricted: bool = False,
    default: bool = False,
    content_retention_days: int | None = None,
) -> RequestType:
    """A new kind of request with its service level; a new default replaces the old one."""
    request_type = RequestType(
        desk=desk,
        slug=slug,
        name=name,
        names=names or {},
        first_response_hours=first_response_hours,
        resolution_hours=resolution_hours,
        business_hours=business_hours,
        warning_percent=warning_percent,
        urgent=urgent,
        restricted=restricted,
        default=default,
        content_retention_days=content_retention_days,
    )
    _validated(request_type, ("slug", *REQUEST_TYPE_FIELDS))
    try:
        with transaction.atomic():
            request_type.save()
    except IntegrityError:
        raise Conflict(f"desk {desk.slug} already has a request type {slug!r}") from None
    if default:
        _one_default(request_type)
    audit(actor=by, action="request_type.create", target=request_type, desk=desk.slug)
    return request_type


@transaction.atomic
def update_request_type(
    *, request_type: RequestType, by: User | None, **changes: Any
) -> RequestType:
    """Change a request type's name, its names in other languages or its service level; its
    slug stays what it is."""
    unknown = set(changes) - set(REQUEST_TYPE_FIELDS)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(request_type, field, value)
    _validated(request_type, tuple(changes))
    request_type.save(update_fields=list(changes))
    if changes.get("default"):
        _one_default(request_type)
    audit(
        actor=by,
        action="request_type.update",
        target=request_type,
        desk=request_type.desk.slug,
        fields=sorted(changes),
    )
    return request_type


@transaction.atomic
def remove_request_type(*, request_type: RequestType, by: User | None) -> None:
    """Delete a request type; its conversations keep going without one (and their clocks)."""
    audit(
        actor=by,
        action="request_type.delete",
        target=request_type,
        desk=request_type.desk.slug,
        slug=request_type.slug,
    )
    request_type.delete()


def _default_name(slug: str, english: str, desk: Desk) -> str:
    """A default request type's name in the desk's main language: as shipped in
    desks/defaults.py, else from the console's catalogue, else in English."""
    main = desk.languages[0] if desk.languages else ""
    names = DEFAULT_NAMES.get(slug, {})
    for code in (main, main.split("-")[0].lower()):
        if names.get(code):
            return names[code]
    language = desk.console_language()
    if language is None:
        return english
    with translation.override(language):
        return gettext(english)


@transaction.atomic
def add_default_request_types(*, desk: Desk, by: User | None) -> list[RequestType]:
    """Give the desk the request types every desk starts with (desks/defaults.py), named in
    its main language and, beside it, in each language ventanilla ships; those it has (by
    slug) are left alone, and so is a default it already has."""
    Desk.objects.select_for_update().filter(pk=desk.pk).values_list("pk").get()
    existing = set(desk.request_types.values_list("slug", flat=True))
    has_default = desk.request_types.filter(default=True).exists()
    created = []
    for fields in DEFAULT_REQUEST_TYPES:
        if fields["slug"] in existing:
            continue
        values = {**fields, "name": _default_name(fields["slug"], fields["name"], desk)}
        values["names"] = dict(DEFAULT_NAMES.get(fields["slug"], {}))
        if has_default:
            values["default"] = False
        created.append(RequestType.objects.create(desk=desk, **values))
    if created:
        audit(
            actor=by,
            action="request_type.create_defaults",
            target=desk,
            slugs=[request_type.slug for request_type in created],
        )
    return created


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
