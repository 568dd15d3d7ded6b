"""What staff do on a conversation page: each view parses one form and calls one service,
then returns to the page with a short message saying what happened."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.channels.adapters.base import Template
from ventanilla.console import forms as console_forms
from ventanilla.console.views import console_page
from ventanilla.conversations import retention, services
from ventanilla.conversations.access import conversation_for
from ventanilla.conversations.models import Conversation
from ventanilla.desks.models import Team
from ventanilla.knowledge.replies import answer
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, ServiceError
from ventanilla.teamwork import services as teamwork
from ventanilla.teamwork.canned import fill
from ventanilla.teamwork.selectors import canned_responses_for

Action = Callable[[HttpRequest, Conversation, Any], str]


def action(
    permission: str, form_class: type[forms.Form], anchor: str = ""
) -> Callable[[Action], Any]:
    """A POST on a conversation: check the permission, parse the form, run, and go back (to
    the form, or to `anchor`)."""

    def decorate(run: Action) -> Any:
        @require_POST
        @console_page
        @wraps(run)
        def view(request: HttpRequest, conversation_id: int) -> HttpResponse:
            require(request.user, permission)
            found = conversation_for(request.user, conversation_id, purpose="write")
            form = form_class(request.POST, request.FILES)
            try:
                if not form.is_valid():
                    raise Invalid(console_forms.form_errors(form))
                messages.success(request, run(request, found, form.cleaned_data))
            except ServiceError as error:
                messages.error(request, error.detail)
            url = reverse("console:conversation", args=[found.pk])
            return HttpResponseRedirect(url + "#" + (anchor or run.__name__))

        return view

    return decorate


def _staff_member(username: str) -> Any:
    if not username:
        return None
    found = get_user_model().objects.filter(username=username, is_active=True).first()
    if found is None:
        raise Invalid(_("There is no member of staff %(name)s.") % {"name": username})
    return found


def _team(conversation: Conversation, slug: str) -> Team:
    team = conversation.desk.teams.filter(slug=slug).first()
    if team is None:
        raise Invalid(_("This desk has no team %(team)s.") % {"team": slug})
    return team


@action("conversations.reply_conversation", console_forms.ReplyForm)
def reply(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    files = [data["file"]] if data["file"] is not None else []
    user: Any = request.user
    chosen = data["channel"]  # a phone conversation answered in writing
    channel = services.messaging_channel(conversation, chosen) if chosen else None
    source = (data["source"] or get_language()) if data["translate"] else ""
    answer(
        conversation=conversation,
        text=data["text"],
        by=user,
        files=files,
        article=data["article"],
        channel=channel,
        translate_from=source,
    )
    if source:
        return _("Reply translated and queued for sending.")
    return _("Reply queued for sending.")


@action("conversations.reply_conversation", console_forms.TemplateForm)
def template(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    name, _sep, language = data["template"].rpartition("|")
    parameters = tuple(line.strip() for line in data["parameters"].splitlines() if line.strip())
    services.send_template(
        conversation=conversation,
        template=Template(name, language, parameters),
        by=request.user,  # type: ignore[arg-type]
    )
    return _("Template queued for sending.")


@action("conversations.add_note", console_forms.NoteForm)
def note(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    written = teamwork.write_note(conversation=conversation, text=data["text"], by=request.user)  # type: ignore[arg-type]
    mentioned = teamwork.mentioned_in(written.text)
    if mentioned:
        return _("Note saved; %(names)s notified.") % {"names": ", ".join(mentioned)}
    return _("Note saved.")


@action("conversations.assign_conversation", console_forms.AssignForm)
def assign(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    username = data["assignee"]
    assignee = request.user if username == "me" else _staff_member(username)
    teamwork.assign(conversation=conversation, assignee=assignee, by=request.user)  # type: ignore[arg-type]
    if assignee is None:
        return _("The conversation is unassigned.")
    return _("Assigned to %(name)s.") % {"name": assignee.get_username()}


@action("conversations.assign_conversation", console_forms.TransferForm)
def transfer(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    team = _team(conversation, data["team"]) if data["team"] else None
    assignee = _staff_member(data["assignee"])
    teamwork.transfer(conversation=conversation, team=team, assignee=assignee, by=request.user)  # type: ignore[arg-type]
    return _("Transferred.")


@action("conversations.change_conversation", console_forms.ClassifyForm)
def classify(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    request_type = None
    if data["request_type"]:
        request_type = conversation.desk.request_types.filter(slug=data["request_type"]).first()
        if request_type is None:
            raise Invalid(
                _("This desk has no request type %(slug)s.") % {"slug": data["request_type"]}
            )
    services.classify(
        conversation=conversation,
        by=request.user,  # type: ignore[arg-type]
        request_type=request_type,
        topic=data["topic"],
        priority=data["priority"],
        language=data["language"],
    )
    return _("Saved.")


@action("conversations.change_conversation", console_forms.TagsForm)
def tags(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    names = [name for name in data["tags"].split(",") if name.strip()]
    services.set_tags(conversation=conversation, names=names, by=request.user)  # type: ignore[arg-type]
    return _("Tags saved.")


@action("conversations.close_conversation", console_forms.ResolveForm)
def resolve(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    services.resolve(conversation=conversation, by=request.user, outcome=data["outcome"])  # type: ignore[arg-type]
    return _("Resolved.")


@action("conversations.close_conversation", forms.Form)
def reopen(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    services.reopen(conversation=conversation, by=request.user)  # type: ignore[arg-type]
    return _("Reopened.")


@action("conversations.add_note", console_forms.EscalateForm)
def escalate(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    team = _team(conversation, data["to"]) if data["to"] != "supervisor" else None
    teamwork.escalate(conversation=conversation, team=team, reason=data["reason"], by=request.user)  # type: ignore[arg-type]
    return _("Escalated.")


@action(
    "conversations.change_conversation", console_forms.RestrictForm, anchor="conversation-title"
)
def restrict(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    user: Any = request.user
    services.restrict(conversation=conversation, restricted=data["restricted"], by=user)
    if data["restricted"]:
        return _(
            "Now a protection case: only the person assigned, its team and the supervisors see it."
        )
    return _("The whole desk sees this conversation again.")


@action("contacts.erase_contact", console_forms.EraseForm, anchor="conversation-title")
def erase(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    user: Any = request.user
    erased = retention.erase_contact(contact=conversation.contact, by=user, reason=data["reason"])
    return _(
        "%(pseudonym)s's data was erased: %(conversations)s conversation(s) on every channel, "
        "%(addresses)s address(es). What stays is anonymous."
    ) % {
        "pseudonym": conversation.contact.pseudonym,
        "conversations": erased["conversations"],
        "addresses": erased["addresses"],
    }


@console_page
def canned(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Canned responses matching what was typed, filled in for this conversation."""
    found = conversation_for(request.user, conversation_id, purpose="compose")
    q = request.GET.get("q", "")[:40]
    matches = canned_responses_for(request.user, found.desk, q)[:8]
    user: Any = request.user
    shown = [(c, fill(c, found, user)) for c in matches]
    return render(request, "console/parts/canned.html", {"matches": shown, "q": q})
