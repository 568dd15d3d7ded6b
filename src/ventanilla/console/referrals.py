"""Referrals in the console: services found beside the reply box, a person referred from
their conversation, what became of each referral, and the list of those to follow up."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.console import forms as console_forms
from ventanilla.console.actions import action
from ventanilla.console.directory import wanted_from
from ventanilla.console.referral_forms import (
    DirectorySearchForm,
    ReferForm,
    ReferralSettingsForm,
    ReferralStateForm,
    TransferForm,
)
from ventanilla.console.views import console_page
from ventanilla.conversations.access import conversation_for, may_see
from ventanilla.conversations.models import Conversation
from ventanilla.desks.selectors import desk_for, desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, ServiceError
from ventanilla.referrals import services, transfers
from ventanilla.referrals.models import ReferralState
from ventanilla.referrals.selectors import (
    desk_to_transfer_to,
    find_services,
    referral_for,
    referrals_visible_to,
    services_visible_to,
)


@console_page
def find(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The services that match, as a list to choose from (for the conversation's page)."""
    require(request.user, "referrals.view_service")
    found = conversation_for(request.user, conversation_id, purpose="write")
    form = DirectorySearchForm(request.GET)
    ids = [int(i) for i in request.GET.getlist("services")[:5] if i.isdigit() and len(i) < 18]
    chosen = list(services_visible_to(request.user).filter(pk__in=ids, desk=found.desk))
    matching = find_services([found.desk], wanted_from(form))[:20]
    shown = {  # what was ticked stays ticked, first, whatever the search shows now
        "conversation": found,
        "found": [*chosen, *(s for s in matching if s not in chosen)],
        "chosen": {s.pk for s in chosen},
    }
    return render(request, "console/parts/service_choices.html", shown)


@action("referrals.add_referral", ReferForm, anchor="refer")
def refer(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    chosen = list(
        services_visible_to(request.user).filter(pk__in=data["services"], desk=conversation.desk)
    )
    if len(chosen) != len(set(data["services"])):
        raise Invalid(_("A chosen service is not in this desk's directory."))
    made = services.refer(
        conversation=conversation,
        to=chosen,
        by=request.user,  # type: ignore[arg-type]
        consent=data["consent"],
        follow_up=data["follow_up"],
        note=data["note"],
        send=data["send"],
    )
    names = ", ".join(r.service.name_in() for r in made)
    if data["send"]:
        return _("Referred to %(services)s; the details were sent.") % {"services": names}
    return _("Referred to %(services)s.") % {"services": names}


@require_POST
@console_page
def transfer(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Pass the case to another desk; staff go on to the conversation it became, if they
    may see it, else back to their inbox."""
    require(request.user, "referrals.add_transfer")
    found = conversation_for(request.user, conversation_id, purpose="write")
    form = TransferForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(console_forms.form_errors(form))
        made = transfers.transfer_to_desk(
            conversation=found,
            desk=desk_to_transfer_to(form.cleaned_data["desk"]),
            note=form.cleaned_data["note"],
            consent=form.cleaned_data["consent"],
            by=request.user,  # type: ignore[arg-type]
        )
    except ServiceError as error:
        messages.error(request, error.detail)
        return HttpResponseRedirect(reverse("console:conversation", args=[found.pk]) + "#desk")
    messages.success(
        request,
        _("Transferred to %(desk)s as %(reference)s.")
        % {"desk": made.to_desk.name_in(), "reference": made.to_conversation.reference},
    )
    if may_see(request.user, made.to_conversation):
        return HttpResponseRedirect(reverse("console:conversation", args=[made.to_conversation_id]))
    return HttpResponseRedirect(reverse("console:inbox"))


@require_POST
@console_page
def follow(request: HttpRequest, referral_id: int) -> HttpResponse:
    """What became of a referral, recorded from the conversation's page or the list."""
    require(request.user, "referrals.change_referral")
    found = referral_for(request.user, referral_id)
    form = ReferralStateForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(console_forms.form_errors(form))
        services.set_state(
            referral=found,
            state=form.cleaned_data["state"],
            by=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data["note"] or None,
        )
        messages.success(request, _("Saved."))
    except ServiceError as error:
        messages.error(request, error.detail)
    back = request.POST.get("back", "")
    if back == "list":
        return HttpResponseRedirect(reverse("console:referrals") + f"#referral-{found.pk}")
    url = reverse("console:conversation", args=[found.conversation_id])
    return HttpResponseRedirect(f"{url}#referral-{found.pk}")


@console_page
def referrals(request: HttpRequest) -> HttpResponse:
    """The referrals of one's desks: those whose follow-up is due first, then by date."""
    require(request.user, "referrals.view_referral")
    state = request.GET.get("state", "pending")
    found = referrals_visible_to(request.user)
    if state in ReferralState.values:
        found = found.filter(state=state)
    else:
        state = ""
    page = Paginator(found.order_by("follow_up_at", "id"), 50).get_page(request.GET.get("page"))
    desks = list(desks_visible_to(request.user))
    shown = {
        "page": page,
        "state": state,
        "states": ReferralState.choices,
        "now": timezone.now(),
        "settings": [(d, services.settings_of(d), list(d.teams.all())) for d in desks],
    }
    return render(request, "console/referrals.html", shown)


@require_POST
@console_page
def referral_settings(request: HttpRequest, slug: str) -> HttpResponse:
    require(request.user, "referrals.change_referralsettings")
    desk = desk_for(request.user, slug)
    form = ReferralSettingsForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(console_forms.form_errors(form))
        slug = form.cleaned_data["protection_team"]
        team = desk.teams.filter(slug=slug).first() if slug else None
        if slug and team is None:
            raise Invalid(_("This desk has no team %(team)s.") % {"team": slug})
        services.save_settings(
            desk=desk,
            follow_up_days=form.cleaned_data["follow_up_days"],
            ask_person=form.cleaned_data["ask_person"],
            share_history=form.cleaned_data["share_history"],
            protection_team=team,
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, _("Saved."))
    except ServiceError as error:
        messages.error(request, error.detail)
    return HttpResponseRedirect(reverse("console:referrals") + "#settings")
