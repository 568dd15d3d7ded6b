"""The console's forms: they parse what staff submit; services decide what it means."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ventanilla.access import lockout
from ventanilla.accountability.models import Kind as ComplaintKind
from ventanilla.accountability.models import SurveySettings
from ventanilla.conversations.models import CHOSEN_OUTCOMES, Priority
from ventanilla.conversations.services import File
from ventanilla.lib.names import NamesField, editing_languages
from ventanilla.lib.ratelimit import client_address
from ventanilla.lib.uploads import MEDIA, UploadRefused, check_upload

TEXT_LIMIT = 4096


def form_errors(form: forms.BaseForm) -> str:
    """A form's errors in one sentence, each after its field's label."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(error) for error in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply"), max_length=TEXT_LIMIT, required=False, widget=forms.Textarea
    )
    translate = forms.BooleanField(label=_("Send translated"), required=False)
    source = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)
    file = forms.FileField(label=_("Attach a file"), required=False)
    article = forms.SlugField(max_length=120, required=False, widget=forms.HiddenInput)
    channel = forms.UUIDField(required=False)  # a phone conversation: the channel to write on

    def clean_file(self) -> File | None:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        try:
            checked = check_upload(upload, allowed=MEDIA, max_bytes=settings.MAX_UPLOAD_BYTES)
        except UploadRefused as error:
            raise forms.ValidationError(str(error)) from None
        return File(checked.content, checked.mime_type, upload.name or "file")


class TemplateForm(forms.Form):
    template = forms.CharField(label=_("Template"), max_length=530)
    parameters = forms.CharField(
        label=_("Values for the placeholders, one per line"),
        required=False,
        max_length=20 * 1024,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )


class AssignForm(forms.Form):
    assignee = forms.CharField(label=_("Assign to"), max_length=150, required=False)


class TransferForm(forms.Form):
    team = forms.CharField(label=_("Team"), max_length=50, required=False)
    assignee = forms.CharField(label=_("Agent"), max_length=150, required=False)


class ClassifyForm(forms.Form):
    request_type = forms.CharField(label=_("Request type"), max_length=50, required=False)
    topic = forms.CharField(label=_("Topic"), max_length=64, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    language = forms.CharField(label=_("Language"), max_length=16, required=False)


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"),
        max_length=700,
        required=False,
        help_text=_("Separated by commas."),
    )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CHOSEN_OUTCOMES)


class RestrictForm(forms.Form):
    restricted = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


class EscalateForm(forms.Form):
    to = forms.CharField(label=_("Escalate to"), max_length=50)
    reason = forms.CharField(
        label=_("Why"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=_("I understand this cannot be undone"))


class HandoverForm(forms.Form):
    text = forms.CharField(
        label=_("Summary for the next shift"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CannedForm(forms.Form):
    shortcut = forms.SlugField(label=_("Shortcut"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=120)
    desk = forms.CharField(label=_("Desk"), max_length=50, required=False)

    def __init__(self, *args: object, languages: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        names = dict(settings.LANGUAGES)
        self.languages = languages
        self.fields["names"] = NamesField(languages=languages, label=_("Title in each language"))
        for code in languages:
            self.fields[f"text_{code}"] = forms.CharField(
                label=names.get(code, code),
                max_length=TEXT_LIMIT,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "lang": code, "dir": "auto"}),
            )

    def texts(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"text_{code}", "") for code in self.languages}


class LearnForm(forms.Form):
    """An agent's answer turned into the guide: a question of an article, or a new draft."""

    message = forms.IntegerField(min_value=1)
    article = forms.SlugField(label=_("Article"), max_length=120, required=False)
    title = forms.CharField(label=_("Title of a new article"), max_length=200, required=False)
    topic = forms.SlugField(label=_("Topic"), max_length=80, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("article") and not (data.get("title") or "").strip():
            raise forms.ValidationError(_("Choose an article, or give the new article a title."))
        return data


class SignInForm(AuthenticationForm):
    """Username and password; an account or address locked after too many failures is
    told how long to wait, and its password is not checked meanwhile."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed attempts. Signing in is paused for %(minutes)s minutes; try "
            "again later or ask an administrator."
        ),
    }

    def clean(self) -> dict[str, Any]:
        wait = lockout.locked_for(
            self.data.get("username", ""), client_address(self.request.META) if self.request else ""
        )
        if wait:
            minutes = max(1, -(-wait // 60))
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": minutes}
            )
        return super().clean()


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The administration's sign-in: staff only, with the same pause after failures."""


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What it is for"), max_length=100, required=False)
    read_only = forms.BooleanField(label=_("Read only"), required=False)
    expires_in_days = forms.TypedChoiceField(
        label=_("Works for"),
        choices=[
            ("30", _("30 days")),
            ("90", _("90 days")),
            ("365", _("a year")),
            ("", _("until revoked")),
        ],
        required=False,
        initial="90",
    )


class AuditForm(forms.Form):
    first = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(
        label=_("Who"), max_length=150, required=False, help_text=_('A username, or "system".')
    )
    action = forms.CharField(
        label=_("What"),
        max_length=64,
        required=False,
        help_text=_("For example conversation.read, signin, two-factor, token, contact.erase."),
    )


class FileComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("It is"), choices=ComplaintKind.choices)
    category = forms.CharField(label=_("Category"), max_length=50, required=False)
    post = forms.CharField(label=_("Post or service"), max_length=50, required=False)
    text = forms.CharField(label=_("What the complaint is"), max_length=TEXT_LIMIT, required=False)


class RegisterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), ("closed", _("Closed"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *ComplaintKind.choices]
    )
    category = forms.CharField(label=_("Category"), max_length=50, required=False)
    post = forms.CharField(label=_("Post or service"), max_length=50, required=False)
    first = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ComplaintEntryForm(forms.Form):
    step = forms.ChoiceField(choices=[("amend", "amend"), ("answer", "answer"), ("close", "close")])
    text = forms.CharField(max_length=TEXT_LIMIT, required=False)
    category = forms.CharField(max_length=50, required=False)
    post = forms.CharField(max_length=50, required=False)
    kind = forms.ChoiceField(choices=[("", ""), *ComplaintKind.choices], required=False)


GROUPED_BY = [
    ("desk", _("Desk")),
    ("team", _("Team")),
    ("agent", _("Agent")),
    ("language", _("Language")),
    ("channel", _("Channel")),
    ("post", _("Post or service")),
    ("request_type", _("Request type")),
]


class SurveyResultsForm(forms.Form):
    desk = forms.CharField(label=_("Desk"), max_length=50, required=False)
    first = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(label=_("Group by"), required=False, choices=GROUPED_BY)


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = SurveySettings
        fields = ["enabled", "period_days", "expire_hours", "template", "alert_score"]


class ReviewScoresForm(forms.Form):
    desk = forms.CharField(label=_("Desk"), max_length=50, required=False)
    first = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ListedForm(forms.Form):
    """A post or service of the desk, or a category of complaints: added, renamed, retired."""

    listed = forms.ChoiceField(
        label=_("List"),
        choices=[("post", _("Post or service")), ("category", _("Category"))],
    )
    slug = forms.SlugField(label=_("Key"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=200)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["names"] = NamesField(
            languages=editing_languages(languages),
            help_text=_("Left empty, the name above is shown."),
        )


class PostForm(forms.Form):
    post = forms.CharField(max_length=50, required=False)
