"""The portal's forms: a new request, and the way back to one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.desks.models import Desk, RequestType


class RequestForm(forms.Form):
    request_type = forms.ModelChoiceField(
        label=_("What is your request about?"), queryset=RequestType.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("Your message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
    )
    attachment = forms.FileField(
        label=_("A document or a photo (optional)"),
        required=False,
        help_text=_("PDF, photo or Word document."),
    )
    contact = forms.CharField(
        label=_("How can we contact you? (optional)"),
        max_length=200,
        required=False,
        help_text=_("A phone number or an e-mail address, only if you want us to."),
    )

    def __init__(self, *args: Any, desk: Desk, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = RequestType.objects.filter(desk=desk)
        field = self.fields["request_type"]
        field.queryset = types  # type: ignore[attr-defined]
        field.required = types.exists()
        # Named in the page's language, which is active when the form is shown.
        field.label_from_instance = lambda request_type: request_type.name_in()  # type: ignore[attr-defined]


class AccessForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number"),
        max_length=24,
        help_text=_("Or the number of your complaint."),
    )
    code = forms.CharField(label=_("Access code"), max_length=20)


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=_("Write again"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    attachment = forms.FileField(label=_("A document or a photo (optional)"), required=False)
