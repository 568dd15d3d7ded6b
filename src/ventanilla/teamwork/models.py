"""Canned responses, notifications to staff and shift handovers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.conversations.models import Conversation, Note
from ventanilla.desks.models import Desk
from ventanilla.lib.names import NamedInLanguages, validate_names
from ventanilla.privacy.fields import EncryptedTextField


class CannedResponse(NamedInLanguages):
    """A prepared answer in several languages, found by its shortcut ("/passport").

    Its texts may hold placeholders filled in when it is used: {desk}, {hours},
    {reference} and {agent}. Its title, which staff pick it by, has a text per language
    too (`names`), shown in the reader's console language.
    """

    desk = models.ForeignKey(
        Desk,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
        help_text=_("Leave empty for a response every desk can use."),
    )
    shortcut = models.SlugField(_("shortcut"), max_length=40)
    title = models.CharField(_("title"), max_length=120)
    names = models.JSONField(
        _("title in other languages"),
        default=dict,
        blank=True,
        validators=[validate_names],
        help_text=_('The title in each language staff read it in, such as {"ar": "..."}.'),
    )
    texts = models.JSONField(
        _("texts"), default=dict, help_text=_("The text in each language, by language code.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shortcut"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "shortcut"], name="canned_response_shortcut_unique_per_desk"
            ),
            models.UniqueConstraint(
                fields=["shortcut"],
                condition=models.Q(desk__isnull=True),
                name="canned_response_shortcut_unique_for_all_desks",
            ),
        ]

    def __str__(self) -> str:
        return f"/{self.shortcut}"

    @property
    def name(self) -> str:
        """The title, as other named things call it (lib/names.py)."""
        return self.title


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("Mentioned in a note")
    ESCALATION = "escalation", _("Escalation")
    ASSIGNMENT = "assignment", _("Assigned to you")
    URGENT = "urgent", _("Urgent conversation for your team")
    TEAM = "team", _("New conversation for your team")
    SLA_WARNING = "sla-warning", _("Service level about to be missed")
    SLA_BREACH = "sla-breach", _("Service level missed")
    ERASURE = "erasure", _("A person asked for their data to be erased")
    COMPLAINT = "complaint", _("A new complaint or suggestion")
    SURVEY = "survey", _("A low score or a comment in a satisfaction survey")
    REVIEW = "review", _("A review of your work")
    REFERRAL = "referral", _("A referral to follow up")
    TRANSFER = "transfer", _("A conversation transferred from another desk")
    PROTECTION = "protection", _("An urgent rights-violation report")


class Notification(models.Model):
    """Something a member of staff should look at: a mention, an escalation, new work."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="notifications"
    )
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} on {self.conversation_id}"


class Handover(models.Model):
    """What a member of staff ending a shift leaves for the next one."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="handovers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("summary"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["desk", "-created_at"])]

    def __str__(self) -> str:
        return f"handover {self.pk} at {self.desk.slug}"


class HandoverLine(models.Model):
    """What is pending on one conversation, in a handover."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="lines")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="handover_lines"
    )
    text = EncryptedTextField(_("what is pending"))

    class Meta:
        ordering = ["handover", "id"]

    def __str__(self) -> str:
        return f"line {self.pk} of handover {self.handover_id}"
