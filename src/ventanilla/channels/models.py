"""Channels: the endpoints a desk is reached through."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.desks.models import Desk
from ventanilla.privacy.fields import EncryptedJSONField, EncryptedTextField


class ChannelType(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    TWILIO_SMS = "twilio-sms", "SMS (Twilio)"
    TWILIO_VOICE = "twilio-voice", "Phone (Twilio Voice)"
    WEBCHAT = "webchat", "Web chat"
    PORTAL = "portal", "Web form"


# Channel types as people call them (the choices' labels name the providers, untranslated);
# types to come are named already.
TYPE_NAMES = {
    "whatsapp": _("WhatsApp"),
    "twilio-sms": _("SMS"),
    "twilio-voice": _("Phone calls"),
    "webchat": _("Web chat"),
    "portal": _("Web form"),
    "email": _("Email"),
    "telegram": _("Telegram"),
    "messenger": _("Messenger"),
    "instagram": _("Instagram"),
}


class Channel(models.Model):
    """A configured endpoint of a desk: a WhatsApp number, an SMS number, a web chat.

    The id is random and forms the webhook URL, so channels cannot be enumerated.
    `config` holds provider credentials and is encrypted; `address` is the channel's own
    public number or account id, kept in clear to refuse two active channels for it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="channels")
    type = models.CharField(_("type"), max_length=32, choices=ChannelType.choices)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=64, blank=True, default="")
    config = EncryptedJSONField(default=dict)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["desk", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "address"],
                condition=~models.Q(address="") & models.Q(is_active=True),
                name="channel_address_unique_per_type",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_type_display()})"

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{self.id}/"


class Delivery(models.Model):
    """A verified delivery from a provider, waiting to be turned into messages and statuses.

    The webhook acknowledges a delivery with this one insert; the consumer reads it, stores
    what it holds (idempotent on the provider's ids) and deletes it. What people wrote is
    encrypted here as everywhere, and is kept no longer than it takes to process it.

    On SQLite the table is in a database file of its own (ventanilla.channels.databases), so
    its channel is named without a constraint; a delivery whose channel was deleted is
    dropped by the consumer.
    """

    channel = models.ForeignKey(
        Channel, on_delete=models.DO_NOTHING, db_constraint=False, related_name="deliveries"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    events = EncryptedTextField()  # the parsed events, as ventanilla.channels.intake writes them
    ids = models.JSONField(default=list)  # the provider's ids of the messages it holds
    leased_until = models.DateTimeField(null=True, blank=True)  # a consumer is reading it
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"delivery {self.pk} on {self.channel_id}"


class UnreadDelivery(models.Model):
    """A genuine (signed) delivery, or part of one, that ventanilla could not read.

    It was acknowledged so the provider does not send it again for days; it is kept,
    encrypted, so that nothing a person wrote is lost while the cause is looked into.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="unread")
    received_at = models.DateTimeField(auto_now_add=True)
    reasons = models.JSONField(default=list)
    body = EncryptedTextField()

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "unread deliveries"

    def __str__(self) -> str:
        return f"{self.channel}: {'; '.join(self.reasons)[:80]}"


class Reconciliation(models.Model):
    """How far a channel's received messages have been checked against the provider's list.

    Twilio never sends a failed webhook again; a periodic job lists the messages the number
    received and imports those ventanilla lacks. Every message sent before `checked_until`
    has been compared, so after an outage the next pass starts there. `failure` is the
    provider's error code from the last pass ("" when it worked); no personal data is kept.
    """

    channel = models.OneToOneField(
        Channel, on_delete=models.CASCADE, primary_key=True, related_name="reconciliation"
    )
    checked_until = models.DateTimeField(null=True)
    tried_at = models.DateTimeField(null=True)
    failure = models.CharField(max_length=64, blank=True, default="")
    imported = models.PositiveIntegerField(default=0)  # messages imported in all

    def __str__(self) -> str:
        return f"{self.channel}: checked until {self.checked_until}"
