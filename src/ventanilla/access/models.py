"""Who can get in: the second factors of staff (an authenticator app, recovery codes) and
each account's sign-in state.

The second factors are django-otp devices, so its middleware knows who has given one in
this session; their secrets are encrypted and the recovery codes kept as keyed hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.db import models
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP

from ventanilla.privacy.crypto import index_subkey
from ventanilla.privacy.fields import EncryptedTextField

STEP_SECONDS = 30
DIGITS = 6
TOLERANCE = 1  # the code of the step before or after is accepted too (clocks drift)


def code_digest(code: str) -> str:
    """A recovery code's keyed hash, whatever spaces, dashes or case it was typed with."""
    typed = "".join(c for c in code.lower() if c.isalnum())
    return hmac.new(index_subkey("recovery-codes"), typed.encode(), hashlib.sha256).hexdigest()


class Authenticator(ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238: 6 digits every 30 seconds)."""

    key = EncryptedTextField(help_text="The shared secret, hex-encoded.")
    last_t = models.BigIntegerField(
        default=-1, help_text="The time step of the last code accepted: no code twice."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def get_throttle_factor(self) -> int:
        return int(settings.OTP_THROTTLE_FACTOR)

    def verify_token(self, token: str) -> bool:
        """Whether the code is the app's now (one step either way), and newer than the last
        accepted: a code seen over a shoulder cannot be used again. Failures slow down
        further tries (1, 2, 4... seconds). Called by access.services.verify."""
        if not self.verify_is_allowed()[0]:
            return False
        typed = "".join(token.split())
        totp = TOTP(bytes.fromhex(self.key), STEP_SECONDS, 0, DIGITS)
        totp.time = time.time()
        if (
            typed.isdigit()
            and len(typed) == DIGITS
            and totp.verify(int(typed), TOLERANCE, self.last_t + 1)
        ):
            self.last_t = totp.t()
            self.throttle_reset(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False


class RecoveryCodes(ThrottlingMixin, Device):
    """One-time codes for the day the phone is lost: each works once."""

    digests = models.JSONField(default=list, help_text="Keyed hashes of the unused codes.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "recovery codes"

    def get_throttle_factor(self) -> int:
        return int(settings.OTP_THROTTLE_FACTOR)

    def verify_token(self, token: str) -> bool:
        """Whether the code is one of the unused ones; it is used up by this."""
        if not self.verify_is_allowed()[0]:
            return False
        digest = code_digest(token)
        if any(hmac.compare_digest(digest, kept) for kept in self.digests):
            self.digests = [kept for kept in self.digests if kept != digest]
            self.throttle_reset(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False


class Account(models.Model):
    """A member of staff's sign-in state: signing out everywhere moves the generation on,
    and every session of an older one ends at its next request."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access"
    )
    generation = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"sign-in state of {self.user}"
