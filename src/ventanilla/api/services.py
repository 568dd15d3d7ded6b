"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ventanilla.api.models import ApiToken
from ventanilla.privacy.services import audit

TOKEN_PREFIX = "vt_"  # noqa: S105 (a prefix, not a secret)
LAST_USED_PRECISION = timedelta(minutes=1)  # at most one write per token per minute


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_token(*, user: User, by: User | None = None) -> str:
    """Make a new token for the user and return it; only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=_digest(token), prefix=token[:10])
    audit(actor=by, action="token.issue", target=user)
    return token


@transaction.atomic
def revoke_token(*, token: ApiToken, by: User | None) -> None:
    """Revoke a token: it stops opening the API at once. Recorded against its user, with
    the token's prefix to tell which of theirs it was."""
    audit(actor=by, action="token.revoke", target=token.user, prefix=token.prefix)
    token.delete()


def user_for_token(token: str) -> User | None:
    """The active user a token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    found = ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if found is None or not found.user.is_active:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user
