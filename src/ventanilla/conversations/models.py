"""Conversations (the cases), their messages, attachments and internal notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.channels.models import Channel
from ventanilla.contacts.models import Contact, Identity
from ventanilla.desks.models import Desk, RequestType, Team
from ventanilla.privacy.fields import EncryptedJSONField, EncryptedTextField


class Status(models.TextChoices):
    """Where a conversation stands.

    open ──reply/wait──> pending ──person writes──> open
    open/pending ──resolve──> resolved ──person writes or reopen──> open
    any ──close──> closed  (final: the person's next message opens a new conversation)
    """

    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Outcome(models.TextChoices):
    """How a resolved conversation ended, for the desk's figures."""

    ANSWERED = "answered", _("Answered")
    REFERRED = "referred", _("Referred to another service")
    NO_REPLY = "no-reply", _("No reply from the person")
    OUT_OF_SCOPE = "out-of-scope", _("Outside the desk's remit")
    DUPLICATE = "duplicate", _("Duplicate")
    TRANSFERRED = "transferred", _("Transferred to another desk")  # by the transfer alone
    OTHER = "other", _("Other outcome")


# The outcomes staff choose when they resolve: a transfer sets its own.
CHOSEN_OUTCOMES = [(value, label) for value, label in Outcome.choices if value != "transferred"]


class Escalation(models.TextChoices):
    NONE = "", _("Not escalated")
    SUPERVISOR = "supervisor", _("Escalated to a supervisor")
    TEAM = "team", _("Escalated to a specialist team")


class Tag(models.Model):
    """A free label a desk puts on conversations ("family", "visa", "follow-up")."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=32)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["desk", "name"], name="tag_name_unique_per_desk")
        ]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    """A case: one person's request to a desk over one channel, from first message to closing."""

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="conversations")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="conversations")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    identity = models.ForeignKey(
        Identity,
        on_delete=models.PROTECT,
        related_name="conversations",
        help_text="The address replies go to.",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    request_type = models.ForeignKey(
        RequestType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=64, blank=True, default="")
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    language = models.CharField(_("language"), max_length=16, blank=True, default="")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_conversations",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    escalation = models.CharField(
        _("escalation"), max_length=16, choices=Escalation.choices, blank=True, default=""
    )
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_(
            "A protection case: seen only by the person assigned, its team and the desk's "
            "supervisors."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(
        default=timezone.now, help_text="Last change of any kind: what live views watch."
    )
    waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="The person's oldest message no one has answered yet."
    )
    due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The next service-level deadline: the first response, then the resolution.",
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_pauses = models.JSONField(
        default=list,
        blank=True,
        help_text="When the service-level clocks stood still (pending or resolved): "
        "[[from, until or null], ...] as ISO instants.",
    )
    sla_alerts = models.JSONField(
        default=list,
        blank=True,
        help_text='Warnings and escalations already sent, such as "first_response:warning".',
    )
    sla_alert_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next warning or escalation is due."
    )
    bot_spoke = models.BooleanField(
        default=False, help_text="The guide's bot spoke (or passed a message on) in it."
    )
    handed_over_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the bot first handed it to people: from then on the person waits for "
        "a person.",
    )
    first_response_met = models.BooleanField(
        null=True,
        blank=True,
        help_text="The first-response clock's verdict: met or not once it stopped, not met "
        "once past its target; empty while it may still be met (or has no target).",
    )
    first_response_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Counted time the first response took, once given."
    )
    resolution_met = models.BooleanField(
        null=True, blank=True, help_text="The resolution clock's verdict, as the first's."
    )
    resolution_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Counted time the (last) resolution took."
    )
    interpretation = models.BooleanField(
        _("needs interpretation"),
        default=False,
        help_text=_("No agent of the desk speaks the person's language."),
    )
    routed_at = models.DateTimeField(null=True, blank=True)
    closed_notice_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The desk's opening that the last out-of-hours notice announced: no "
        "second notice before then.",
    )
    erasure_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the person asked, in a message, for their data to be erased.",
    )
    content_removed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When what was written, sent and recorded in it was removed (retention or "
        "erasure); its dates, statuses and figures stay.",
    )

    class Meta:
        ordering = ["-last_message_at", "-id"]
        permissions = [
            ("reply_conversation", "Can reply to conversations"),
            ("add_note", "Can write internal notes"),
            ("assign_conversation", "Can assign conversations"),
            ("close_conversation", "Can resolve, close and reopen conversations"),
            ("view_statistics", "Can view aggregate statistics"),
        ]
        indexes = [
            models.Index(fields=["desk", "status", "-last_message_at"]),
            models.Index(fields=["desk", "status", "waiting_since"]),
            models.Index(fields=["desk", "status", "due_at"]),
            models.Index(fields=["desk", "status", "assignee"]),
            models.Index(fields=["desk", "status", "language"]),
            models.Index(fields=["desk", "status", "changed_at"]),
            models.Index(fields=["contact", "channel", "status"]),
            models.Index(fields=["sla_alert_at"]),
            models.Index(fields=["desk", "created_at"]),  # the reports' periods
        ]

    def __str__(self) -> str:
        return self.reference


class Direction(models.TextChoices):
    IN = "in", _("Inbound")
    OUT = "out", _("Outbound")


class MessageStatus(models.TextChoices):
    """Delivery state of a message.

    Inbound messages are `received`. Outbound ones move forward only:

        queued ──send task claims──> sending ──provider accepts──> sent ──> delivered ──> read
           ^                            │
           └──── temporary failure ─────┤ (retried with backoff; the sweeper re-enqueues)
                                        └── permanent failure ──> failed

    Providers report statuses in any order; a later state is never replaced by an
    earlier one, and failed is final.
    """

    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One message in a conversation, either way, with its delivery state."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=32, default="text")
    text = EncryptedTextField(blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The member of staff who wrote an outbound message.",
    )
    # NULL, not "": messages without a provider id (ours, before sending) are all distinct.
    provider_id = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_title = models.CharField(max_length=255, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    details = EncryptedJSONField(
        null=True,
        blank=True,
        help_text="What the text alone does not say: a location, a chosen button, a template.",
    )
    raw = EncryptedJSONField(null=True, blank=True, help_text="The provider's payload, encrypted.")
    created_at = models.DateTimeField(auto_now_add=True)
    provider_sent_at = models.DateTimeField(null=True, blank=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # A person's message waits for triage (bot, routing, notices) until this is set, in the
    # same transaction as everything triage did: a lost task or a killed consumer leaves it
    # unset, and the sweeper takes the message up again.
    triaged_at = models.DateTimeField(null=True, blank=True)
    triage_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_id"],
                condition=models.Q(provider_id__isnull=False),
                name="message_provider_id_unique_per_channel",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(
                fields=["created_at"],
                condition=models.Q(direction="in", triaged_at__isnull=True),
                name="message_awaiting_triage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} message {self.pk} of {self.conversation_id}"

    @property
    def tapped(self) -> str:
        """The id of the choice the person tapped (a WhatsApp button or list row, a web chat
        button), or "" when they wrote."""
        interactive = (self.details or {}).get("interactive")
        if not isinstance(interactive, dict):
            return ""
        reply = interactive.get(str(interactive.get("type", "")), interactive)
        chosen = reply.get("id") if isinstance(reply, dict) else None
        return chosen if isinstance(chosen, str) else ""


class Attachment(models.Model):
    """A file sent with a message: a photo of a document, a voice note, a PDF."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    provider_ref = models.CharField(max_length=512, blank=True, default="")
    mime_type = models.CharField(max_length=128, blank=True, default="")
    filename = EncryptedTextField(blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    size = models.PositiveBigIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="attachments/%Y/%m/", blank=True)
    fetch_attempts = models.PositiveSmallIntegerField(default=0)
    fetch_error = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the file was deleted under a retention rule."
    )

    def __str__(self) -> str:
        return self.filename or self.mime_type or f"attachment {self.pk}"

    @property
    def is_fetched(self) -> bool:
        return bool(self.file)


class Note(models.Model):
    """An internal note on a conversation, seen by staff only."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.conversation_id}"


class MessageTranslation(models.Model):
    """A machine translation of a person's message, kept so it is asked for only once."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=16, help_text="The language translated into.")
    source = models.CharField(max_length=16, help_text="The language translated from.")
    text = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "language"], name="message_translation_unique_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}->{self.language} of message {self.message_id}"


class PrivacyNotice(models.Model):
    """The privacy notice was given to an address on a channel: once, the first time the
    person wrote there."""

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    given_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["identity", "channel"], name="privacy_notice_once_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"privacy notice to {self.identity_id} on {self.channel_id}"


class SearchEntry(models.Model):
    """The keyed hashes of a message's words, what the word search looks up instead of the
    encrypted text (ventanilla.conversations.search). SQLite keeps them in an FTS5 index of
    their own, PostgreSQL in a GIN index; both are made by this app's migrations."""

    message = models.OneToOneField(
        Message, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    terms = models.TextField()

    def __str__(self) -> str:
        return f"search entry of message {self.message_id}"


class PendingStatus(models.Model):
    """A provider's status report for a message id ventanilla does not know yet.

    A status can overtake the answer to the send call that would have named the message;
    it waits here until the send is recorded, then applies. Reports about messages sent
    by other tools never match and are pruned after a week.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    provider_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_title = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "pending statuses"
        indexes = [models.Index(fields=["channel", "provider_id"])]

    def __str__(self) -> str:
        return f"{self.status} for {self.provider_id}"


class ReferenceCounter(models.Model):
    """The last reference number given for a prefix and year (VT-2026-000123)."""

    prefix = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class BotStep(models.TextChoices):
    """Where the guide's bot stands in a conversation (knowledge/bot.py).

    (none) ──question──> answer / choices / welcome ──yes──> resolved ──next question──> ...
    any ──asked for a person, not helped, not found, a photo──> handover  (final: people answer)
    """

    NONE = "", _("Not spoken")
    ANSWERED = "answer", _("Answered from the guide")
    OFFERED = "choices", _("Offered articles")
    WELCOMED = "welcome", _("Welcomed")
    RESOLVED = "resolved", _("Resolved")
    HANDED_OVER = "handover", _("Handed over to people")


class AutomaticReplies(models.Model):
    """Where ventanilla's own responders stand in a conversation: the guide's bot and the
    status look-up in chat (the out-of-hours notice keeps `Conversation.closed_notice_until`).

    Written only by conversations/automatic.py, in the transaction that queues the reply;
    message ids are plain numbers, compared for order, never followed.
    """

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, primary_key=True, related_name="automatic_replies"
    )
    bot_step = models.CharField(max_length=16, choices=BotStep.choices, blank=True, default="")
    bot_answered = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The person's message the bot last dealt with."
    )
    bot_marked = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="The message that carries the bot's step (its reply, or the person's message "
        "it passed on without a word): staff who wrote after it have taken over.",
    )
    bot_question = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The person's message with the question being answered."
    )
    bot_article = models.CharField(max_length=120, blank=True, default="")
    bot_topic = models.CharField(max_length=64, blank=True, default="")
    bot_offered = models.JSONField(
        default=list, blank=True, help_text="The keys of the articles offered, in order."
    )
    bot_menu = models.JSONField(
        null=True, blank=True, help_text="The choices offered with the last reply, as sent."
    )
    bot_language = models.CharField(max_length=16, blank=True, default="")
    bot_reason = models.CharField(
        max_length=32, blank=True, default="", help_text="Why the bot handed over."
    )
    bot_handed_over_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the bot told the person that people will answer (and, out of hours, when).",
    )
    status_answered = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The person's message the status look-up last answered."
    )
    status_reference = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="The keyed hash of the reference whose date of birth the look-up asked for.",
    )
    status_asked = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The reply that asked for the date of birth."
    )
    status_asked_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "automatic replies"

    def __str__(self) -> str:
        return f"automatic replies of {self.conversation_id}"

    @property
    def bot_resolved(self) -> bool:
        """The person said the bot's last answer helped: their next message starts afresh."""
        return self.bot_step == BotStep.RESOLVED
