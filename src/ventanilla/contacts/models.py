"""Contacts and their channel identities."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.lib.addresses import Scheme
from ventanilla.privacy.fields import EncryptedTextField


class Contact(models.Model):
    """A person who wrote or called, known to staff by a pseudonym such as C-7QX2.

    Nothing here identifies the person: their addresses live, hashed and encrypted, in
    Identity; the name they chose on a channel is encrypted.
    """

    pseudonym = models.CharField(_("pseudonym"), max_length=16, unique=True)
    name = EncryptedTextField(_("name given"), blank=True, default="")
    language = models.CharField(_("preferred language"), max_length=16, blank=True, default="")
    country = models.CharField(
        _("country of residence"),
        max_length=2,
        blank=True,
        default="",
        db_default="",  # rows written by code of before (an upgrade under way) get none
        help_text=_(
            "Where the person lives, where known (ISO code such as MA): at first contact, the "
            "country of the phone number they wrote or called from."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("erase_contact", "Can erase a person's data on their request"),
            ("reveal_address", "Can see a person's phone number, giving a reason"),
        ]

    def __str__(self) -> str:
        return self.pseudonym


class Identity(models.Model):
    """An address a contact uses on a channel: a phone number, a web-chat visitor id...

    `lookup_hash` is a keyed HMAC of scheme and canonical address, to find the contact
    when they write again; `address` is the same value encrypted, to write back to them.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    scheme = models.CharField(max_length=32, choices=Scheme.choices)
    lookup_hash = models.CharField(max_length=64, unique=True)
    address = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"{self.scheme} identity of {self.contact}"


class ConsentPurpose(models.TextChoices):
    """What a person may agree to beyond being answered: each later feature asks for its own."""

    FOLLOW_UP = "follow-up", _("Follow-up messages about their case")
    SURVEYS = "surveys", _("Satisfaction surveys")
    REFERRALS = "referrals", _("Referral to another service, with what they told us")
    BROADCASTS = "broadcasts", _("News and alerts sent to many people")


class Consent(models.Model):
    """A person's answer about one purpose: the latest row for a purpose is what stands.
    Kept when the person is erased (anonymous, under the pseudonym): it shows that what was
    done with their data was done with their agreement."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=16, choices=ConsentPurpose.choices)
    given = models.BooleanField(help_text="True: agreed; False: refused or withdrawn.")
    source = models.CharField(
        max_length=32, help_text="How it was given: message, web form, by phone to staff..."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["contact", "purpose", "-at"])]

    def __str__(self) -> str:
        return f"{self.contact} {'agreed to' if self.given else 'refused'} {self.purpose}"
