"""The phone line: each voice channel's settings and recorded prompts; a record of every call."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.channels.models import Channel
from ventanilla.conversations.models import Attachment, Conversation, Message
from ventanilla.desks.validators import validate_language_codes


class VoiceLine(models.Model):
    """How a voice channel answers: its menus, its queue, recording and callbacks."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="voice_line")
    languages = models.JSONField(
        _("menu languages"),
        default=list,
        blank=True,
        validators=[validate_language_codes],
        help_text=_(
            "Up to 9, in the order of the keypad menu; the first two also greet callers. "
            "Empty: the desk's languages."
        ),
    )
    topic_menu = models.BooleanField(
        _("topic menu"),
        default=True,
        help_text=_("Ask callers what their call is about before they wait for an agent."),
    )
    record_calls = models.BooleanField(
        _("record calls for quality"),
        default=False,
        help_text=_("Callers are told before they are put through."),
    )
    keypad_survey = models.BooleanField(
        _("keypad survey after the call"),
        default=False,
        help_text=_(
            "When the agent hangs up, the caller is asked two questions on the keypad "
            "(if the desk asks for surveys and the caller was not asked recently)."
        ),
    )
    recording_retention_days = models.PositiveSmallIntegerField(
        _("keep recordings for (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    callback_after_seconds = models.PositiveIntegerField(
        _("offer a callback after (seconds)"),
        default=120,
        validators=[MaxValueValidator(3600)],
        help_text=_("How long a caller waits before being offered a callback; 0: never."),
    )
    voicemail_seconds = models.PositiveSmallIntegerField(
        _("longest voice message (seconds)"),
        default=120,
        validators=[MinValueValidator(10), MaxValueValidator(600)],
    )
    hold_music_url = models.URLField(
        _("hold music"), blank=True, default="", help_text=_("An MP3 or WAV played while waiting.")
    )
    voices = models.JSONField(
        _("voices"),
        default=dict,
        blank=True,
        help_text=_(
            'Text-to-speech voices by language, instead of the defaults: {"es": '
            '"Polly.Conchita"} or {"uk": "Google.uk-UA-Standard-A"}.'
        ),
    )

    def __str__(self) -> str:
        return str(self.channel)


def _prompt_path(prompt: VoicePrompt, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "mp3"
    return f"prompts/{prompt.line_id}/{prompt.language}-{prompt.key}.{extension}"


class VoicePrompt(models.Model):
    """A prompt of the line in one language: a recording, or a text for the speech voice.

    Languages without a speech voice (Tamazight, Darija) need recordings; languages with a
    voice but no translation of ventanilla's prompts need a text or a recording.
    """

    line = models.ForeignKey(VoiceLine, on_delete=models.CASCADE, related_name="prompts")
    language = models.CharField(_("language"), max_length=16)
    key = models.CharField(_("prompt"), max_length=32)
    audio = models.FileField(_("recording"), upload_to=_prompt_path, blank=True)
    text = models.TextField(_("text to speak"), blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["line", "language", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "language", "key"], name="voice_prompt_unique_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"

    @property
    def version(self) -> int:
        """Changes with every new recording: the prompt's address changes with it."""
        return int(self.updated_at.timestamp() * 1_000_000)


class Leg(models.TextChoices):
    CALLER = "caller", _("Caller")
    AGENT = "agent", _("Agent taking a call")
    CALLBACK = "callback", _("Agent calling back")


class Outcome(models.TextChoices):
    """How a caller's call ended, for the line's figures."""

    ONGOING = "", _("In progress")
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Hung up while waiting")
    CALLBACK = "callback", _("Asked to be called back")
    VOICEMAIL = "voicemail", _("Left a voice message")
    CLOSED = "closed", _("Called out of hours")
    MENU = "menu", _("Ended in the menus")
    FAILED = "failed", _("Could not be queued")


class Call(models.Model):
    """One leg of a phone call: a person calling in, or an agent's phone ringing.

    A caller's call belongs to a conversation and carries the figures of the line: when,
    in which language, about what, how long in the queue, answered or abandoned, how
    long the talk, who answered, the recording, a voice message, a callback.
    """

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="calls")
    leg = models.CharField(max_length=16, choices=Leg.choices, default=Leg.CALLER)
    call_sid = models.CharField(max_length=64)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="calls"
    )
    caller = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agent_legs",
        help_text="For an agent's leg: the caller's call it was placed for.",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who answered the caller, or whose phone this leg rang.",
    )
    message = models.ForeignKey(
        Message,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The call in the conversation's history (its recording is attached to it).",
    )
    voicemail = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recording = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, blank=True, default="")
    language = models.CharField(max_length=16, blank=True, default="")
    topic = models.CharField(max_length=32, blank=True, default="")
    urgent = models.BooleanField(default=False)
    menu_errors = models.PositiveSmallIntegerField(default=0)
    out_of_hours = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    queue = models.CharField(max_length=64, blank=True, default="")
    enqueued_at = models.DateTimeField(null=True, blank=True)
    left_queue_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    callback_requested_at = models.DateTimeField(null=True, blank=True)
    callback_done_at = models.DateTimeField(null=True, blank=True)
    callback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    callback_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "call_sid"], name="call_sid_unique_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["channel", "leg", "started_at"]),
            models.Index(fields=["queue", "left_queue_at"]),
            models.Index(fields=["callback_requested_at", "callback_done_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.leg} call {self.pk}"

    @property
    def waiting(self) -> bool:
        return self.enqueued_at is not None and self.left_queue_at is None and self.ended_at is None

    @property
    def callback_pending(self) -> bool:
        return self.callback_requested_at is not None and self.callback_done_at is None
