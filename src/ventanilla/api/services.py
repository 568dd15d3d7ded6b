"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ventanilla.api.models import ApiToken, Scope
from ventanilla.lib.errors import Invalid
from ventanilla.privacy.services import audit

TOKEN_PREFIX = "vt_"  # noqa: S105 (a prefix, not a secret)
LAST_USED_PRECISION = timedelta(minutes=1)  # at most one write per token per minute
MAX_DAYS = 3650


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_token(
    *,
    user: User,
    by: User | None = None,
    name: str = "",
    scope: str = Scope.WRITE,
    expires_in_days: int | None = None,
) -> str:
    """Make a new token for the user and return it; only its hash is stored."""
    if scope not in Scope.values:
        raise Invalid(f"scope: one of {', '.join(Scope.values)}")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_DAYS:
        raise Invalid(f"expires_in_days: from 1 to {MAX_DAYS}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    made = ApiToken.objects.create(
        user=user,
        digest=_digest(token),
        prefix=token[:10],
        name=name.strip()[:100],
        scope=scope,
        expires_at=expires_at,
    )
    audit(actor=by, action="token.issue", target=user, prefix=made.prefix, scope=scope)
    return token


@transaction.atomic
def revoke_token(*, token: ApiToken, by: User | None) -> None:
    """Revoke a token: it stops opening the API at once. Recorded against its user, with
    the token's prefix to tell which of theirs it was."""
    audit(actor=by, action="token.revoke", target=token.user, prefix=token.prefix)
    token.delete()


def tokens_of(user: User) -> list[ApiToken]:
    """A person's tokens, newest first."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def token_named(token: str) -> ApiToken | None:
    """The stored token a bearer token is, whatever its state."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    found: ApiToken | None = (
        ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    )
    return found


def valid_token(token: str) -> ApiToken | None:
    """The token, if it opens the API now: not expired, of an active user."""
    found = token_named(token)
    now = timezone.now()
    if found is None or not found.user.is_active:
        return None
    if found.expires_at is not None and found.expires_at <= now:
        return None
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found


def user_for_token(token: str) -> User | None:
    """The active user a valid token belongs to, or None."""
    found = valid_token(token)
    return found.user if found else None
