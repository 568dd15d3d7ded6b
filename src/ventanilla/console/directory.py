"""The directory of services in the console: searched by every member of staff, kept by
administrators (a service's page, a CSV imported whole or not at all, the CSV exported)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from ventanilla.console.referral_forms import DirectorySearchForm, ImportForm, ServiceForm
from ventanilla.console.views import console_page
from ventanilla.desks.selectors import desk_for, desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, NotFound, ServiceError
from ventanilla.referrals import directory
from ventanilla.referrals.selectors import Wanted, find_services, service_for

MAX_FILE = 2 * 1024 * 1024


def wanted_from(form: DirectorySearchForm) -> Wanted:
    """What a search form asks for (nothing, when it is not valid)."""
    if not form.is_valid():
        return Wanted()
    data = form.cleaned_data
    return Wanted(
        type=data["type"],
        place=data["place"].strip(),
        language=data["language"].strip(),
        text=data["q"].strip(),
    )


@console_page
def services(request: HttpRequest) -> HttpResponse:
    """The directories of one's desks, searched by type, place and language."""
    require(request.user, "referrals.view_service")
    form = DirectorySearchForm(request.GET)
    desks = list(desks_visible_to(request.user))
    shown = {
        "form": form,
        "found": find_services(desks, wanted_from(form)),
        "desks": desks,
        "import_form": ImportForm(),
    }
    return render(request, "console/services.html", shown)


@console_page
def service_edit(request: HttpRequest, service_id: int | None = None) -> HttpResponse:
    """Add a service to a desk's directory, or change one."""
    require(request.user, "referrals.change_service" if service_id else "referrals.add_service")
    found = service_for(request.user, service_id) if service_id else None
    desk = found.desk if found else _desk(request)
    form = ServiceForm(request.POST or None, instance=found, desk_languages=desk.languages)
    if request.method == "POST" and form.is_valid():
        try:
            saved = directory.save_service(
                desk=desk,
                key=form.cleaned_data["key"],
                values=form.values(),
                by=request.user,  # type: ignore[arg-type]
                service=found,
            )
        except ServiceError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("console:services") + f"#service-{saved.pk}")
    shown = {"form": form, "service": found, "desk": desk}
    return render(request, "console/service_edit.html", shown)


def _desk(request: HttpRequest) -> Any:
    slug = request.GET.get("desk") or request.POST.get("desk") or ""
    if slug:
        return desk_for(request.user, slug)
    first = desks_visible_to(request.user).order_by("pk").first()
    if first is None:
        raise NotFound("you work at no desk")
    return first


@console_page
def import_services(request: HttpRequest) -> HttpResponse:
    """A CSV of services for a desk: every row, or, when one is wrong, none."""
    require(request.user, "referrals.add_service")
    require(request.user, "referrals.change_service")
    if request.method != "POST":
        return HttpResponseRedirect(reverse("console:services"))
    desk = _desk(request)
    form = ImportForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise Invalid(_("Choose a CSV file."))
        upload = form.cleaned_data["file"]
        if upload.size > MAX_FILE:
            raise Invalid(_("The file is larger than 2 MB."))
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise Invalid(_("The file is not UTF-8 text: save it as CSV UTF-8.")) from error
        done = directory.import_services(desk=desk, text=text, by=request.user)  # type: ignore[arg-type]
    except ServiceError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("Imported: %(created)s new, %(updated)s changed.")
            % {"created": done.created, "updated": done.updated},
        )
    return HttpResponseRedirect(reverse("console:services"))


@console_page
def export_services(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    require(request.user, "referrals.change_service")
    desk = desk_for(request.user, slug)
    lines = directory.export_services(desk=desk, by=request.user)  # type: ignore[arg-type]
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="services-{desk.slug}.csv"'
    return response
