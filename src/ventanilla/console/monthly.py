"""The console's monthly reports: those kept for the desks the reader sees (written on the
first of each month, or on demand), to download as PDF or XLSX, and a form to write one now
for a desk or one of its consular posts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ventanilla.accountability.models import Post
from ventanilla.console.forms import form_errors
from ventanilla.console.views import console_page
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, ServiceError
from ventanilla.lib.languages import native_name
from ventanilla.reports import monthly


class MonthlyForm(forms.Form):
    """Which report to write: a desk, or one of its posts, and a month."""

    desk = forms.ChoiceField(label=gettext_lazy("Desk"))
    post = forms.ChoiceField(label=gettext_lazy("Consular post"), required=False)
    month = forms.CharField(
        label=gettext_lazy("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"}),
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data, initial={"month": _last_month()})
        desks = list(desks_visible_to(user))
        language = get_language()
        many = len(desks) > 1
        posts = Post.objects.filter(desk__in=desks, active=True).select_related("desk")
        cast(forms.ChoiceField, self.fields["desk"]).choices = [
            (d.slug, d.name_in(language)) for d in desks
        ]
        cast(forms.ChoiceField, self.fields["post"]).choices = [
            ("", _("The whole desk")),
            *(
                (
                    p.slug,
                    f"{p.desk.name_in(language)} · {p.name_in(language)}"
                    if many
                    else p.name_in(language),
                )
                for p in posts
            ),
        ]


def _last_month() -> str:
    today = timezone.localdate()
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


@console_page
def reports(request: HttpRequest) -> HttpResponseBase:
    """The kept reports, newest month first, and the form to write one."""
    require(request.user, "conversations.view_statistics")
    form = MonthlyForm(request.POST or None, user=request.user)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise Invalid(form_errors(form))
            data = form.cleaned_data
            written = monthly.write_for(
                request.user, desk=data["desk"], post=data["post"] or None, month=data["month"]
            )
            messages.success(
                request,
                _("The report of %(month)s is written.")
                % {"month": formats.date_format(written.month, "F Y")},
            )
            return HttpResponseRedirect(
                reverse("console:monthly-reports") + f"#report-{written.pk}"
            )
        except ServiceError as error:
            messages.error(request, error.detail)
    language = get_language()
    kept = [
        {
            "report": report,
            "desk": report.desk.name_in(language),
            "post": report.post.name_in(language) if report.post else None,
            "language": native_name(report.language),
        }
        for report in monthly.kept_for(request.user).defer("pdf", "xlsx")[:200]
    ]
    shown = {"form": form, "reports": kept}
    return render(request, "console/monthly_reports.html", shown)


@console_page
def download(request: HttpRequest, monthly_id: int, form: str) -> HttpResponse:
    """A kept report as PDF or XLSX."""
    return monthly.as_file(monthly.kept_report(request.user, monthly_id), form)
