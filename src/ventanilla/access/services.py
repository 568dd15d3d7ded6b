"""Signing in: the second factor (enrol, verify, recovery codes, reset), sessions ended
everywhere, and one-time password-reset links. Lock-outs after failed passwords: lockout.py."""

from __future__ import annotations

import secrets
from base64 import b32encode
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.models import Device

from ventanilla.access.models import Account, Authenticator, RecoveryCodes, code_digest
from ventanilla.access.selectors import AuditFilters, audit_csv, audit_visible_to
from ventanilla.desks.models import Desk
from ventanilla.desks.roles import Role, role_of
from ventanilla.lib.errors import Forbidden, Invalid
from ventanilla.lib.links import public_url
from ventanilla.privacy.services import audit

RECOVERY_CODES = 10
GENERATION_CACHE_SECONDS = 300
RECHECK_SECONDS = 300  # a desk that starts requiring a second factor: within five minutes
ISSUER = "ventanilla"
RANK = {Role.ADMIN: 4, Role.SUPERVISOR: 3, Role.AGENT: 2, Role.VOLUNTEER: 1, Role.ANALYST: 1}


# Who must give a second factor


def requires_two_factor(user: Any) -> bool:
    """Administrators and supervisors always; others when a desk of theirs asks for it."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or role_of(user) in (Role.ADMIN, Role.SUPERVISOR):
        return True
    return Desk.objects.filter(staff__user=user, two_factor_required=True).exists()


def needs_no_second_factor(user: Any) -> bool:
    """Whether the user was found, in the last five minutes, to have no second factor and
    to need none (kept in the cache, so that each request does not ask the database)."""
    return bool(cache.get(_free_key(user.pk)))


def remember_no_second_factor(user: Any) -> None:
    cache.set(_free_key(user.pk), True, timeout=RECHECK_SECONDS)


def forget_no_second_factor(user_ids: list[int]) -> None:
    """Check these people again at their next request (their desk or role changed)."""
    cache.delete_many([_free_key(pk) for pk in user_ids])


def _free_key(user_id: int) -> str:
    return f"access:no-second-factor:{user_id}"


def has_second_factor(user: Any) -> bool:
    found: bool = Authenticator.objects.filter(user=user, confirmed=True).exists()
    return found


# Enrolment


def start_enrolment(*, user: User) -> Authenticator:
    """A new secret for an authenticator app, not in use until a code from it is given
    (confirm_enrolment); an enrolment left unfinished is replaced."""
    with transaction.atomic():
        Authenticator.objects.filter(user=user, confirmed=False).delete()
        made: Authenticator = Authenticator.objects.create(
            user=user, name="Authenticator app", confirmed=False, key=secrets.token_hex(20)
        )
    return made


def pending_enrolment(user: User) -> Authenticator | None:
    found: Authenticator | None = (
        Authenticator.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    )
    return found


def secret_of(device: Authenticator) -> str:
    """The secret as authenticator apps ask for it when typed by hand (base32, in fours)."""
    text = b32encode(bytes.fromhex(device.key)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def otpauth_url(device: Authenticator) -> str:
    """What the QR code carries (Google Authenticator's Key Uri Format)."""
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    secret = secret_of(device).replace(" ", "")
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{query}"


@dataclass(frozen=True)
class Enrolled:
    device: Authenticator
    recovery_codes: list[str]


def confirm_enrolment(*, user: User, code: str) -> Enrolled | None:
    """Turn the pending authenticator on once it gives a right code (it replaces an earlier
    one), with new recovery codes, shown once; None when the code is wrong."""
    with transaction.atomic():
        device = (
            Authenticator.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise Invalid("start the enrolment first")
        if not device.verify_token(code):
            return None
        Authenticator.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        cache.delete(_free_key(user.pk))  # from now on, every session asks for a code
        codes = _new_recovery_codes(user)
        audit(actor=user, action="two-factor.enrol", target=user)
    return Enrolled(device, codes)


def new_recovery_codes(*, user: User) -> list[str]:
    """Ten new recovery codes (the earlier ones stop working), shown once."""
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit(actor=user, action="two-factor.recovery-codes", target=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCodes.objects.filter(user=user).delete()
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
    codes = [
        "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODES)
    ]
    RecoveryCodes.objects.create(
        user=user, name="Recovery codes", confirmed=True, digests=[code_digest(c) for c in codes]
    )
    return codes


def recovery_codes_left(user: User) -> int:
    found = RecoveryCodes.objects.filter(user=user, confirmed=True).first()
    return len(found.digests) if found else 0


# Verification


@dataclass(frozen=True)
class Verification:
    device: Device | None
    retry_at: datetime | None = None  # too many wrong codes: not before then


def verify(*, user: User, code: str) -> Verification:
    """Check a code: six digits are the authenticator app's, anything else a recovery code
    (used up by this). Wrong codes make the next try wait 1, 2, 4... seconds."""
    typed = "".join(code.split())
    model: type[Authenticator] | type[RecoveryCodes] = (
        Authenticator if typed.isdigit() and len(typed) == 6 else RecoveryCodes
    )
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return Verification(None)
        allowed, why = device.verify_is_allowed()
        if not allowed:
            return Verification(None, retry_at=(why or {}).get("locked_until"))
        if not device.verify_token(typed):
            audit(actor=user, action="two-factor.refused", target=user)
            return Verification(None)
        used = "recovery-code" if model is RecoveryCodes else "authenticator"
        audit(actor=user, action="two-factor.verified", target=user, used=used)
    return Verification(device)


# Administration of others' sign-in


def may_manage(by: Any, user: User) -> bool:
    """Staff change only people below their role; a supervisor only staff of their desks."""
    if by.pk == user.pk:
        return True
    if user.is_superuser and not by.is_superuser:
        return False
    mine, theirs = role_of(by), role_of(user)
    if not by.is_superuser and RANK.get(mine, 0) <= RANK.get(theirs, 0):  # type: ignore[call-overload]
        return False
    if by.is_superuser or mine == Role.ADMIN:
        return True
    return Desk.objects.filter(staff__user=by).filter(staff__user=user).exists()


def _check(by: Any, user: User) -> None:
    if not may_manage(by, user):
        raise Forbidden("you may change only people below your role, at your desks")


def remove_second_factor(*, user: User, by: Any) -> None:
    """For a lost phone: the person enrols again at their next sign-in (their sessions end)."""
    _check(by, user)
    with transaction.atomic():
        Authenticator.objects.filter(user=user).delete()
        RecoveryCodes.objects.filter(user=user).delete()
        _end_sessions(user)
        audit(actor=by, action="two-factor.remove", target=user)


def sign_out_everywhere(*, user: User, by: Any) -> None:
    """End every session of the person, on every device, at its next request."""
    _check(by, user)
    with transaction.atomic():
        _end_sessions(user)
        audit(actor=by, action="signout.everywhere", target=user)


def _end_sessions(user: User) -> None:
    account, _ = Account.objects.get_or_create(user=user)
    Account.objects.filter(pk=account.pk).update(generation=F("generation") + 1)
    # Forgotten now, and again once committed (a read in between may have cached the old one).
    cache.delete(_generation_key(user.pk))
    transaction.on_commit(lambda: cache.delete(_generation_key(user.pk)))


def generation_of(user: Any) -> int:
    """The account's session generation, read on every staff request: from the cache (shared
    by every process), the database when the cache has none."""
    key = _generation_key(user.pk)
    found = cache.get(key)
    if found is None:
        found = (
            Account.objects.filter(user_id=user.pk).values_list("generation", flat=True).first()
            or 0
        )
        cache.set(key, found, timeout=GENERATION_CACHE_SECONDS)
    return int(found)


def _generation_key(user_id: int) -> str:
    return f"access:generation:{user_id}"


def reset_link(*, user: User, by: Any, request: HttpRequest | None = None) -> str:
    """A one-time link where the person sets a new password (valid for
    PASSWORD_RESET_TIMEOUT, and no longer once a password was set with it)."""
    _check(by, user)
    if by.pk == user.pk:
        raise Invalid("ask a colleague above your role for a link, or change your password")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    audit(actor=by, action="password.reset-link", target=user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return public_url(path, request)


def mail_configured() -> bool:
    return bool(settings.EMAIL_HOST)


# The audit log's export


def export_audit(*, user: Any, filters: AuditFilters) -> Iterator[str]:
    """The audit entries the user may read, as CSV lines; the export itself is recorded,
    with its filters."""
    found = audit_visible_to(user, filters)
    shown = {key: str(value) for key, value in asdict(filters).items() if value}
    audit(actor=user, action="audit.export", target=user, filters=shown)
    return audit_csv(found)
