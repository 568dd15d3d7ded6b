"""Rights-violation reports in the console: taken by an agent from a conversation, read and
moved on by the protection team and the desk's supervisors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from ventanilla.console.actions import action
from ventanilla.console.referral_forms import ReportForm, ReportStateForm, told_from
from ventanilla.console.views import console_page
from ventanilla.conversations.models import Conversation
from ventanilla.lib.access import require
from ventanilla.lib.errors import ServiceError
from ventanilla.referrals import protection
from ventanilla.referrals.models import ReportState, Urgency, Violation


@action("referrals.add_protectionreport", ReportForm, anchor="report")
def take(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    made = protection.file_report(
        conversation=conversation,
        told=told_from(data),
        by=request.user,  # type: ignore[arg-type]
    )
    return _("Report %(number)s filed: the protection team reads it.") % {"number": made.pk}


@console_page
def reports(request: HttpRequest) -> HttpResponse:
    """The reports one reads: the newest and most urgent first."""
    found = protection.reports_visible_to(request.user)
    state = request.GET.get("state", "open")
    if state == "open":
        found = found.exclude(state=ReportState.CLOSED)
    elif state in (ReportState.NEW, ReportState.ACTING, ReportState.CLOSED):
        found = found.filter(state=state)
    violation = request.GET.get("violation", "")
    if violation in Violation.values:
        found = found.filter(violation=violation)
    emergency_first = Case(When(urgency=Urgency.EMERGENCY, then=0), default=1)
    ordered = found.order_by(emergency_first, "-filed_at", "-pk")  # a page at a time
    shown = {
        "page": Paginator(ordered, 50).get_page(request.GET.get("page")),
        "state": state,
        "violation": violation,
        "violations": Violation.choices,
    }
    return render(request, "console/protection_reports.html", shown)


@console_page
def report(request: HttpRequest, report_id: int) -> HttpResponse:
    """One report, as told, and the form that moves it on and corrects it."""
    found = protection.report_for(request.user, report_id)
    initial = {f.name: getattr(found, f.name) for f in found._meta.fields}
    form = ReportStateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(request.user, "referrals.change_protectionreport")
        if form.is_valid():
            try:
                protection.set_state(
                    report=found,
                    state=form.cleaned_data["state"],
                    by=request.user,  # type: ignore[arg-type]
                    told=form.told(),
                )
            except ServiceError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(reverse("console:protection-report", args=[found.pk]))
    return render(request, "console/protection_report.html", {"report": found, "form": form})
