"""What the people served think, in the console: CSAT and resolution rate over a period,
grouped as the reader chooses, downloadable; for supervisors the latest comments and the
desk's survey settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accountability import survey_results, surveys
from ventanilla.accountability.models import Survey
from ventanilla.console import forms as console_forms
from ventanilla.console.views import console_page
from ventanilla.desks.models import Desk
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, NotFound, ServiceError
from ventanilla.lib.tables import csv_lines, xlsx_bytes
from ventanilla.privacy.services import audit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COMMENTS_SHOWN = 20
DEFAULT_DAYS = 30


@console_page
def results(request: HttpRequest) -> HttpResponseBase:
    require(request.user, "accountability.view_survey")
    user: Any = request.user
    desks = desks_visible_to(user).order_by("name")
    today = timezone.localdate()
    given = request.GET.copy()
    given.setdefault("first", (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat())
    given.setdefault("last", today.isoformat())
    given.setdefault("group_by", "desk")
    form = console_forms.SurveyResultsForm(given)
    chosen: Desk | None = desks[0] if len(desks) == 1 else None
    asked = Survey.objects.none()
    group_by, problem = "desk", ""
    if form.is_valid():
        data = form.cleaned_data
        chosen = chosen or (desks.filter(slug=data["desk"]).first() if data["desk"] else None)
        group_by = data["group_by"] or group_by
        scope = desks.filter(pk=chosen.pk) if chosen else desks
        try:
            asked = survey_results.asked_between(
                Survey.objects.filter(desk__in=scope), data["first"], data["last"]
            )
        except Invalid as error:
            problem = error.detail
    else:
        problem = console_forms.form_errors(form)
    found = survey_results.results(asked, group_by=group_by)
    wanted = request.GET.get("format")
    if wanted in ("csv", "xlsx"):
        return _download(found, wanted)
    shown: dict[str, Any] = {
        "form": form,
        "desks": desks,
        "chosen": chosen,
        "found": found,
        "group_label": dict(console_forms.GROUPED_BY)[group_by],
        "problem": problem,
        "query": request.GET.urlencode(),
    }
    if chosen is not None and user.has_perm("desks.supervise_desk"):
        shown["comments"] = list(
            asked.filter(has_comment=True).select_related("conversation")[:COMMENTS_SHOWN]
        )
        if shown["comments"]:
            audit(actor=user, action="survey.comments.read", target=chosen,
                  shown=len(shown["comments"]))  # fmt: skip
    if chosen is not None and user.has_perm("accountability.change_surveysettings"):
        shown["settings_form"] = console_forms.SurveySettingsForm(
            instance=surveys.settings_of(chosen)
        )
    return render(request, "console/surveys.html", shown)


HEADER = [
    "group", "key", "asked", "answered", "response_rate", "scores", "csat", "average_score",
    "solved_answers", "resolution_rate", "comments",
]  # fmt: skip


def _download(found: survey_results.Results, wanted: str) -> HttpResponseBase:
    rows = [
        [f.label, f.key, f.asked, f.answered, f.response_rate, f.scores, f.csat,
         f.average_score, f.solved_answers, f.resolution_rate, f.comments]
        for f in [*found.groups, *([found.total] if found.total else [])]
    ]  # fmt: skip
    cells = [["" if cell is None else cell for cell in row] for row in rows]
    response: HttpResponseBase
    if wanted == "xlsx":
        response = HttpResponse(xlsx_bytes(HEADER, cells, title=_("Surveys")), content_type=XLSX)
    else:
        response = StreamingHttpResponse(csv_lines(HEADER, cells), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="surveys-by-{found.group_by}.{wanted}"'
    return response


@console_page
def settings(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Save a desk's survey settings (the form is on the results page)."""
    require(request.user, "accountability.change_surveysettings")
    desk = desks_visible_to(request.user).filter(slug=slug).first()
    if desk is None:
        raise NotFound(_("There is no desk %(desk)s among yours.") % {"desk": slug})
    back = f"{reverse('console:surveys')}?{urlencode({'desk': slug})}"
    if request.method != "POST":
        return HttpResponseRedirect(back)
    form = console_forms.SurveySettingsForm(request.POST, instance=surveys.settings_of(desk))
    try:
        if not form.is_valid():
            raise Invalid(console_forms.form_errors(form))
        surveys.save_settings(desk=desk, changes=form.cleaned_data, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The survey settings are saved."))
    except ServiceError as error:
        messages.error(request, error.detail)
    return HttpResponseRedirect(back)
