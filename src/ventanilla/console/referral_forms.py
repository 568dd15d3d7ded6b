"""The console's forms for the directory of services and the referrals made from it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.lib.names import NamesField, editing_languages
from ventanilla.referrals.models import (
    MAX_DESCRIPTION,
    Perpetrator,
    ReferralState,
    ReportState,
    Service,
    ServiceType,
    Urgency,
    Violation,
)
from ventanilla.referrals.protection import Told

TYPES = [("", _("Any type")), *ServiceType.choices]


class DirectorySearchForm(forms.Form):
    type = forms.ChoiceField(label=_("Type of service"), choices=TYPES, required=False)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    language = forms.CharField(label=_("Language spoken"), max_length=16, required=False)
    q = forms.CharField(label=_("Name"), max_length=100, required=False)


class ServiceIds(forms.Field):
    """The ids of the services chosen (the referral's service checks each is listed)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, (list, tuple)) else [value] if value else []
        if not all(str(v).isdigit() and len(str(v)) < 18 for v in values):
            raise forms.ValidationError(_("Choose services of the list."))
        return [int(v) for v in values]


class ReferForm(forms.Form):
    services = ServiceIds(
        label=_("Services"), error_messages={"required": _("Choose at least one service.")}
    )
    consent = forms.BooleanField(
        label=_("The person agrees to be referred"),
        required=True,
        error_messages={"required": _("A referral needs the person's agreement.")},
    )
    follow_up = forms.BooleanField(
        label=_("The person agrees to be asked later whether they got help"), required=False
    )
    send = forms.BooleanField(label=_("Send them the details now"), required=False)
    note = forms.CharField(label=_("Note for staff"), max_length=2000, required=False)


class TransferForm(forms.Form):
    desk = forms.SlugField(label=_("Desk"), max_length=50)
    note = forms.CharField(label=_("What the other desk needs to know"), max_length=2000)
    consent = forms.BooleanField(
        label=_("The person agrees to their case going to this desk"),
        error_messages={"required": _("A transfer needs the person's agreement.")},
    )


class ReferralStateForm(forms.Form):
    state = forms.ChoiceField(label=_("What became of it"), choices=ReferralState.choices)
    note = forms.CharField(label=_("Note for staff"), max_length=2000, required=False)


class ReferralSettingsForm(forms.Form):
    follow_up_days = forms.IntegerField(
        label=_("Follow a referral up after (days)"), min_value=1, max_value=90
    )
    ask_person = forms.BooleanField(
        label=_("Ask the person whether they got help (when they agreed)"), required=False
    )
    share_history = forms.BooleanField(
        label=_("A desk a conversation is transferred to reads what was written before"),
        required=False,
    )
    protection_team = forms.SlugField(label=_("Protection team"), required=False)


class ServiceForm(forms.ModelForm):
    """A service of the directory, its name and description typed in each language."""

    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    languages = forms.CharField(
        label=_("Languages spoken"),
        max_length=200,
        required=False,
        help_text=_("Language codes separated by spaces, such as: es ar fr"),
    )

    class Meta:
        model = Service
        fields = [
            "key", "name", "names", "type", "description", "descriptions", "country", "region",
            "city", "address", "latitude", "longitude", "hours", "cost", "accepts_undocumented",
            "asks_address", "asks_id", "phone", "email", "website", "verified_on", "active",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "verified_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, desk_languages: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        languages = editing_languages(desk_languages or [])
        self.fields["names"] = NamesField(languages=languages, label=_("Name in each language"))
        self.fields["descriptions"] = NamesField(
            languages=languages,
            limit=MAX_DESCRIPTION,
            rows=2,
            what="description",
            label=_("Description in each language"),
        )
        if self.instance.pk:
            self.initial["organisation"] = self.instance.organisation.name
            self.initial["languages"] = " ".join(self.instance.languages)

    def clean_languages(self) -> list[str]:
        text = self.cleaned_data.get("languages") or ""
        return [code.strip() for code in text.replace(",", " ").split() if code.strip()]

    def values(self) -> dict[str, Any]:
        """What the directory's service saves: every field but the key."""
        return {name: value for name, value in self.cleaned_data.items() if name != "key"}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


class ReportForm(forms.Form):
    """What the person told about a violation of their rights or an emergency."""

    violation = forms.ChoiceField(
        label=_("What happened"), choices=[("", "—"), *Violation.choices], required=False
    )
    account = forms.CharField(
        label=_("In the person's words"), max_length=4000, required=False, widget=forms.Textarea
    )
    when = forms.CharField(label=_("When"), max_length=200, required=False)
    happened_on = forms.DateField(
        label=_("On (if known)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=_("Where (place names)"), max_length=200, required=False)
    perpetrator = forms.ChoiceField(
        label=_("By whom"), choices=[("", "—"), *Perpetrator.choices], required=False
    )
    perpetrator_name = forms.CharField(
        label=_("Which authority or employer"), max_length=400, required=False
    )
    people_affected = forms.IntegerField(
        label=_("People affected"), min_value=1, max_value=10000, initial=1
    )
    minors_affected = forms.BooleanField(label=_("Children among them"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="normal")
    wants = forms.CharField(
        label=_("What the person wants done"), max_length=4000, required=False,
        widget=forms.Textarea,
    )  # fmt: skip

    def told(self) -> Told:
        return told_from(self.cleaned_data)


def told_from(data: dict[str, Any]) -> Told:
    """A report's fields from a report form's cleaned data ("" where nothing was chosen)."""
    return Told(**{k: v for k, v in data.items() if k in Told.__dataclass_fields__})


class ReportStateForm(ReportForm):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[(v, label) for v, label in ReportState.choices if v != ReportState.DRAFT],
    )
