"""How a person who wrote through the portal form gets back to their request."""

from __future__ import annotations

from django.db import models

from ventanilla.conversations.models import Conversation
from ventanilla.privacy.fields import EncryptedTextField


class PortalAccess(models.Model):
    """The private access code of a request made through the portal form.

    Only a keyed hash of the code is kept; with the reference number, the code lets the
    person read the answer and write again. A reference number alone reveals nothing.
    """

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="portal_access"
    )
    code_hash = models.CharField(max_length=64)
    contact_details = EncryptedTextField(
        blank=True, default="", help_text="How the person asked to be contacted, if at all."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "portal accesses"

    def __str__(self) -> str:
        return f"access to {self.conversation}"
