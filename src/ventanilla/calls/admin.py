"""The phone line in the Django admin: each line's settings and recordings, with the prompts
it still lacks; the call records, read-only and without a phone number in sight."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ventanilla.calls import prompts, services
from ventanilla.calls.models import Call, VoiceLine, VoicePrompt
from ventanilla.channels.models import ChannelType
from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.lib.errors import Invalid
from ventanilla.privacy.admin_reads import AuditedReads

EXTENSIONS = {"mp3": "audio/mpeg", "wav": "audio/wav"}


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _may(request: HttpRequest, own: str, instead: str) -> bool:
    """The calls app's own permission, or the permission of the app it serves (the roles
    give administrators the channels' and conversations' permissions)."""
    user: Any = request.user
    return bool(user.is_active and user.is_staff and (user.has_perm(own) or user.has_perm(instead)))


class VoicePromptForm(forms.ModelForm):
    key = forms.ChoiceField(label=_("prompt"), choices=[(key, key) for key in prompts.TEXTS])

    class Meta:
        model = VoicePrompt
        fields = ["language", "key", "audio", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 50})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:  # a kept prompt stays what it is; delete it instead
            self.fields["language"].disabled = self.fields["key"].disabled = True

    def clean_audio(self) -> Any:
        audio = self.cleaned_data.get("audio")
        if audio and hasattr(audio, "content_type"):  # a file just uploaded
            if _extension(audio.name) not in EXTENSIONS:
                raise ValidationError(_("A recording must be an MP3 or WAV file."))
            if not 0 < audio.size <= services.MAX_PROMPT_BYTES:
                raise ValidationError(_("A recording must hold between 1 byte and 4 MB."))
        return audio

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        line = getattr(self.instance, "line", None)  # set by the inline formset
        language = cleaned.get("language")
        known = prompts.menu_languages(line) if line is not None and line.channel_id else None
        if language and known is not None and language not in known:
            self.add_error("language", _("Not one of the line's menu languages."))
        return cleaned


class VoicePromptInline(admin.TabularInline):
    model = VoicePrompt
    form = VoicePromptForm
    extra = 0
    readonly_fields = ["updated_at"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, "calls.view_voiceprompt", "channels.view_channel")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, "calls.add_voiceprompt", "channels.change_channel")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, "calls.change_voiceprompt", "channels.change_channel")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, "calls.delete_voiceprompt", "channels.change_channel")


class VoiceLineForm(forms.ModelForm):
    hold_music_url = forms.URLField(
        label=VoiceLine._meta.get_field("hold_music_url").verbose_name,
        help_text=VoiceLine._meta.get_field("hold_music_url").help_text,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = VoiceLine
        fields = ["channel", *sorted(services.LINE_FIELDS)]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "channel" in self.fields:
            self.fields["channel"].queryset = self.fields["channel"].queryset.filter(  # type: ignore[attr-defined]
                type=ChannelType.TWILIO_VOICE, voice_line__isnull=True
            )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if len(cleaned.get("languages") or []) > 9:
            self.add_error("languages", _("At most 9, one per key of the keypad."))
        voices = cleaned.get("voices")
        if voices is not None and not (
            isinstance(voices, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in voices.items())
        ):
            self.add_error("voices", _('Map languages to voice names: {"es": "Polly.Conchita"}.'))
        return cleaned


@admin.register(VoiceLine)
class VoiceLineAdmin(admin.ModelAdmin):
    form = VoiceLineForm
    list_display = ["channel", "desk", "menu_languages", "record_calls", "missing_count"]
    list_select_related = ["channel__desk"]
    list_filter = ["channel__desk", "record_calls"]
    inlines = [VoicePromptInline]
    readonly_fields = ["missing_prompts"]
    fieldsets = [
        (None, {"fields": ["channel", "languages", "topic_menu", "missing_prompts"]}),
        (_("Waiting"), {"fields": ["hold_music_url", "callback_after_seconds"]}),
        (_("After the call"), {"fields": ["keypad_survey"]}),
        (_("Recordings"), {"fields": ["record_calls", "recording_retention_days"]}),
        (_("Voice messages and voices"), {"fields": ["voicemail_seconds", "voices"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["channel", *self.readonly_fields] if obj is not None else self.readonly_fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may(request, "calls.view_voiceline", "channels.view_channel")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, "calls.view_voiceline", "channels.view_channel")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may(request, "calls.add_voiceline", "channels.change_channel")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, "calls.change_voiceline", "channels.change_channel")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a line goes with its channel

    @admin.display(description=_("desk"))
    def desk(self, line: VoiceLine) -> str:
        return str(line.channel.desk)

    @admin.display(description=_("menu languages"))
    def menu_languages(self, line: VoiceLine) -> str:
        return ", ".join(prompts.menu_languages(line))

    @admin.display(description=_("prompts missing"))
    def missing_count(self, line: VoiceLine) -> int:
        return len(prompts.missing_prompts(line))

    @admin.display(description=_("prompts to record"))
    def missing_prompts(self, line: VoiceLine | None) -> SafeString | str:
        """What callers would not hear in their own language, language by language, with the
        text to record."""
        if line is None or line.pk is None:
            return "—"
        missing = prompts.missing_prompts(line)
        if not missing:
            return str(_("None: callers hear every prompt in their own language."))
        groups = [
            format_html(
                "<p><strong>{}</strong></p><ul>{}</ul>",
                language,
                format_html_join(
                    "", "<li><code>{}</code>: {}</li>", ((m.key, m.text) for m in entries)
                ),
            )
            for language, entries in groupby(missing, key=lambda m: m.language)
        ]
        return format_html(
            '<div class="missing-prompts">{}</div>',
            format_html_join("", "{}", ((g,) for g in groups)),
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_line(line=obj, changes=changes, by=request.user)  # type: ignore[arg-type]
        except Invalid as error:  # the form checked the same rules: only a race lands here
            raise ValidationError(error.detail) from None

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Recordings and texts are kept through the line's service (checked and audited)."""
        formset.save(commit=False)  # only to say what changed in the page's history
        for gone in formset.deleted_objects:
            services.remove_prompt(
                line=form.instance,
                language=gone.language,
                key=gone.key,
                by=request.user,  # type: ignore[arg-type]
            )
        for one in formset.forms:
            if one in formset.deleted_forms or not one.has_changed():
                continue
            data, previous = one.cleaned_data, one.initial.get("audio")
            uploaded = data.get("audio") if hasattr(data.get("audio"), "content_type") else None
            services.keep_prompt(
                line=form.instance,
                language=data["language"],
                key=data["key"],
                by=request.user,  # type: ignore[arg-type]
                audio=uploaded.read() if uploaded else None,
                mime_type=EXTENSIONS[_extension(uploaded.name)] if uploaded else "",
                text=data.get("text") or "",
                clear_audio=data.get("audio") is False and bool(previous),  # "clear" ticked
            )


CALL_FIELDS: Any = [
    "channel",
    "leg",
    "conversation",
    "caller",
    "agent",
    "status",
    "language",
    "topic",
    "urgent",
    "out_of_hours",
    "menu_errors",
    "started_at",
    "enqueued_at",
    "left_queue_at",
    "wait_seconds",
    "answered_at",
    "talk_seconds",
    "ended_at",
    "duration_seconds",
    "outcome",
    "callback_requested_at",
    "callback_done_at",
    "callback_by",
    "callback_attempts",
    "recording",
    "voicemail",
]


@admin.register(Call)
class CallAdmin(AuditedReads, ReadOnlyAdmin):
    """The line's figures, call by call. Nothing here names the caller's number."""

    list_display = [
        "started_at",
        "leg",
        "channel",
        "language",
        "topic",
        "urgent",
        "outcome",
        "wait_seconds",
        "talk_seconds",
        "agent",
        "callback_pending",
    ]
    list_filter = ["outcome", "leg", "channel", "urgent", "out_of_hours"]
    list_select_related = ["channel", "agent"]
    date_hierarchy = "started_at"
    fields = CALL_FIELDS
    readonly_fields = CALL_FIELDS

    @admin.display(boolean=True, description=_("callback pending"))
    def callback_pending(self, call: Call) -> bool:
        return call.callback_pending

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may(request, "calls.view_call", "conversations.view_conversation")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may(request, "calls.view_call", "conversations.view_conversation")


@admin.register(VoicePrompt)
class VoicePromptAdmin(ReadOnlyAdmin):
    """Every line's kept prompts at a glance; they are recorded on their line's page."""

    list_display = ["line", "language", "key", "updated_at"]
    list_filter = ["language", "key"]
    fields = readonly_fields = ("line", "language", "key", "audio", "text", "updated_at")
