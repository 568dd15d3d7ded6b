"""The console's pages beyond conversations: handover, notifications, the supervisors'
view, canned responses, one's own availability and language, and the analysts' figures."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.console.forms import CannedForm, HandoverForm, form_errors
from ventanilla.console.views import NO_CHANGE, back, console_page
from ventanilla.conversations.access import conversations_visible_to
from ventanilla.conversations.inbox import (
    OPEN_WORK,
    agent_loads,
    coming_breaches,
    queues,
    supervised_desks,
    way_in,
)
from ventanilla.desks.selectors import desk_named, desks_visible_to
from ventanilla.desks.services import set_console_language
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, ServiceError
from ventanilla.reports.calls import phone_lines
from ventanilla.teamwork import assignment
from ventanilla.teamwork import services as teamwork
from ventanilla.teamwork.canned import PLACEHOLDERS
from ventanilla.teamwork.selectors import (
    canned_response_for,
    canned_responses_for,
    handovers_of,
    notifications_of,
    unread_count,
)


@console_page
def handover(request: HttpRequest) -> HttpResponse:
    """End a shift: a summary, and a line for each of one's open conversations."""
    require(request.user, "teamwork.view_handover")
    user: Any = request.user
    mine = list(
        conversations_visible_to(user)
        .filter(assignee=user, status__in=OPEN_WORK)
        .order_by("desk__name", "-last_message_at")[:100]
    )
    desks = list(desks_visible_to(request.user))
    form = HandoverForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "teamwork.add_handover")
        try:
            if not form.is_valid():
                raise Invalid(form_errors(form))
            desk = desk_named(request.user, request.POST.get("desk", ""))
            pending = [
                teamwork.Pending(c, request.POST.get(f"line-{c.pk}", "")[:2000])
                for c in mine
                if c.desk_id == desk.pk
            ]
            teamwork.hand_over(desk=desk, by=user, text=form.cleaned_data["text"], pending=pending)
        except ServiceError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Handover saved: the next shift sees it in the inbox."))
            return HttpResponseRedirect(reverse("console:inbox"))
    shown = {"form": form, "mine": mine, "desks": desks, "earlier": handovers_of(request.user)}
    return render(request, "console/handover.html", shown)


@console_page
def notifications(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        teamwork.mark_read(user=user)
        return HttpResponseRedirect(reverse("console:notifications"))
    return render(request, "console/notifications.html", {"items": notifications_of(user)})


@console_page
def unread(request: HttpRequest) -> HttpResponse:
    """The badge of unread notifications, polled by every page."""
    count = unread_count(request.user)
    if request.GET.get("n") == str(count):
        return HttpResponse(status=NO_CHANGE)
    return render(request, "console/parts/unread.html", {"unread": count})


@console_page
def supervisor(request: HttpRequest) -> HttpResponse:
    """Queues, agents, coming breaches and the phone lines, for supervisors; live."""
    shown = {
        "desks": supervised_desks(request.user),
        "queues": queues(request.user),
        "agents": agent_loads(request.user),
        "breaches": coming_breaches(request.user),
        "phone_lines": phone_lines(request.user),
        "way_in": way_in(request.user),
    }
    template = "parts/supervision.html" if request.GET.get("live") == "1" else "supervisor.html"
    return render(request, f"console/{template}", shown)


@console_page
def canned_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:40]
    found = canned_responses_for(request.user, q=q)
    return render(
        request, "console/canned_list.html", {"responses": found, "q": q, "names": PLACEHOLDERS}
    )


@console_page
def canned_edit(request: HttpRequest, canned_id: int | None = None) -> HttpResponse:
    """Write or change a canned response, in every language of one's desks."""
    existing = canned_response_for(request.user, canned_id) if canned_id else None
    require(request.user, f"teamwork.{'change' if existing else 'add'}_cannedresponse")
    desks = list(desks_visible_to(request.user))
    codes = [code for desk in desks for code in desk.languages] + list(dict(settings.LANGUAGES))
    languages = list(dict.fromkeys([*(existing.texts if existing else {}), *codes]))
    initial = {}
    if existing:
        initial = {"shortcut": existing.shortcut, "title": existing.title}
        initial["names"] = existing.names
        initial["desk"] = existing.desk.slug if existing.desk else ""
        initial.update({f"text_{code}": text for code, text in existing.texts.items()})
    form = CannedForm(request.POST or None, initial=initial, languages=languages)
    if request.method == "POST":
        try:
            if request.POST.get("delete") and existing:
                require(request.user, "teamwork.delete_cannedresponse")
                teamwork.delete_canned_response(canned=existing, by=request.user)  # type: ignore[arg-type]
                return HttpResponseRedirect(reverse("console:canned"))
            if not form.is_valid():
                raise Invalid(form_errors(form))
            slug = form.cleaned_data["desk"]
            teamwork.save_canned_response(
                by=request.user,  # type: ignore[arg-type]
                desk=desk_named(request.user, slug) if slug else None,
                shortcut=form.cleaned_data["shortcut"],
                title=form.cleaned_data["title"],
                texts=form.texts(),
                names=form.cleaned_data["names"],
                existing=existing,
            )
        except ServiceError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Canned response saved."))
            return HttpResponseRedirect(reverse("console:canned"))
    shown = {"form": form, "existing": existing, "desks": desks, "names": PLACEHOLDERS}
    return render(request, "console/canned_edit.html", shown)


@require_POST
@console_page
def availability(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    assignment.set_availability(user=user, available=request.POST.get("available") == "1")
    return back(request, reverse("console:inbox"))


@require_POST
@console_page
def language(request: HttpRequest) -> HttpResponse:
    """Choose the console's language; it is remembered for the next sign-in too."""
    user: Any = request.user
    code = request.POST.get("language", "")
    set_console_language(user=user, language=code)
    translation.activate(code)
    response = back(request, reverse("console:inbox"))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax", max_age=365 * 86400)
    return response
