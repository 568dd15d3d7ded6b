"""The phone line in the console: take the next caller, call a person back, and say where
one's phone rings (supervisors for the staff of their desks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.calls import records
from ventanilla.calls.models import Leg
from ventanilla.calls.services import call_back, set_phone, take_next_call, voice_channels_of
from ventanilla.console.forms import form_errors
from ventanilla.console.guide_forms import language_name
from ventanilla.console.views import NO_CHANGE, back, console_page
from ventanilla.conversations.access import conversation_for
from ventanilla.conversations.inbox import supervised_desks
from ventanilla.lib.access import require
from ventanilla.lib.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError

TAKES_CALLS = "conversations.reply_conversation"
SETS_PHONES = "desks.change_agentprofile"


def _no_phone() -> SafeString:
    # take_next_call and call_back refuse as Invalid only when there is no number to ring.
    return format_html(
        '{} <a href="{}">{}</a>',
        _("The line has no phone number to ring you on."),
        reverse("console:phones"),
        _("Set yours, or ask a supervisor."),
    )


@console_page
def phone_queue(request: HttpRequest) -> HttpResponse:
    """The "Take next call" button with the callers waiting, polled by every page."""
    user: Any = request.user
    lines = voice_channels_of(user) if user.has_perm(TAKES_CALLS) else []
    if not lines:  # nothing to show, and nothing to poll for
        return HttpResponse('<span id="take-call"></span>')
    waiting = sum(len(records.waiting_calls(line.pk)) for line in lines)
    if request.GET.get("n") == str(waiting):
        return HttpResponse(status=NO_CHANGE)
    shown = {"waiting": waiting, "next": request.GET.get("next", "")}
    return render(request, "console/parts/take_call.html", shown)


@require_POST
@console_page
def take_call(request: HttpRequest) -> HttpResponse:
    require(request.user, TAKES_CALLS)
    user: Any = request.user
    try:
        taken = take_next_call(agent=user)
    except Invalid:
        messages.error(request, _no_phone())
    except Conflict:
        messages.info(request, _("Nobody is waiting on the phone line."))
    except ServiceError as error:
        messages.error(request, error.detail)
    else:
        caller = taken.caller
        since = timezone.localtime(caller.enqueued_at or caller.started_at)
        said = _(
            "Your phone will ring: you will be put through to a caller waiting since "
            "%(time)s (%(language)s)."
        ) % {
            "time": dateformat.format(since, "H:i"),
            "language": language_name(caller.language) if caller.language else _("no language"),
        }
        messages.success(request, said)
    return back(request, reverse("console:inbox"))


@require_POST
@console_page
def call_person_back(request: HttpRequest, conversation_id: int, call_id: int) -> HttpResponse:
    require(request.user, TAKES_CALLS)
    found = conversation_for(request.user, conversation_id, purpose="write")
    call = found.calls.filter(leg=Leg.CALLER, pk=call_id).first()
    if call is None:
        raise NotFound("no such call")
    user: Any = request.user
    try:
        call_back(call=call, agent=user)
    except Invalid:
        messages.error(request, _no_phone())
    except ServiceError as error:
        messages.error(request, error.detail)
    else:
        messages.success(
            request, _("Your phone will ring: when you answer, the line calls the person back.")
        )
    return HttpResponseRedirect(reverse("console:conversation", args=[found.pk]) + "#calls")


class PhoneForm(forms.Form):
    username = forms.CharField(max_length=150)
    phone = forms.CharField(max_length=32, required=False)


@dataclass(frozen=True)
class Phone:
    """A member of staff and where the line rings them, never shown in full."""

    user: Any
    ends_in: str  # the number's last three digits; empty when none is set
    desks: list[str]


def _phone(user: Any) -> Phone:
    profile = getattr(user, "agent_profile", None)
    number = profile.phone if profile is not None else ""
    desks = [desk.name_in() for desk in profile.desks.all()] if profile is not None else []
    return Phone(user=user, ends_in=number[-3:] if number else "", desks=desks)


def _staff_of_supervised(user: Any) -> Any:
    return (
        get_user_model()
        .objects.filter(is_active=True, agent_profile__desks__in=supervised_desks(user))
        .distinct()
        .select_related("agent_profile")
        .prefetch_related("agent_profile__desks")
        .order_by("username")
    )


def _whose_phone(user: Any, username: str) -> Any:
    """The member of staff whose number is set: oneself, or staff of a supervised desk."""
    if username == user.get_username():
        return user
    require(user, SETS_PHONES)
    found = _staff_of_supervised(user).filter(username=username).first()
    if found is None:
        raise Forbidden(_("%(name)s does not work at a desk you supervise.") % {"name": username})
    return found


@console_page
def phones(request: HttpRequest) -> HttpResponse:
    """Where the line rings each member of staff: one's own number, and those of the staff
    of the desks one supervises."""
    require(request.user, TAKES_CALLS)
    user: Any = request.user
    if request.method == "POST":
        form = PhoneForm(request.POST)
        try:
            if not form.is_valid():
                raise Invalid(form_errors(form))
            whose = _whose_phone(user, form.cleaned_data["username"])
            number = form.cleaned_data["phone"].strip()
            set_phone(user=whose, phone=number, by=user)
        except ServiceError as error:
            messages.error(request, error.detail)
        else:
            done = _("Phone number of %(name)s saved.") if number else _("%(name)s takes no calls.")
            messages.success(request, done % {"name": whose.get_username()})
        return HttpResponseRedirect(reverse("console:phones"))
    supervises = user.has_perm(SETS_PHONES) and user.has_perm("desks.supervise_desk")
    shown = {
        "mine": _phone(user),
        "staff": [_phone(s) for s in _staff_of_supervised(user)] if supervises else [],
        "supervises": supervises,
        "takes_calls": bool(voice_channels_of(user)),
    }
    return render(request, "console/phones.html", shown)
