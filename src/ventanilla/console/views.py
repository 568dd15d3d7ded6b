"""The inbox and the conversation page, with the parts their live views poll."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from ventanilla.channels.services import templates_for
from ventanilla.console import context
from ventanilla.console.signin import landing_for
from ventanilla.contacts import services as contacts
from ventanilla.contacts.services import masked
from ventanilla.conversations import sla
from ventanilla.conversations.access import (
    Filters,
    attachment_of,
    conversation_for,
    histories_of,
    record_search,
    search_conversations,
    searched,
)
from ventanilla.conversations.inbox import (
    ORDERS,
    conversation_version,
    earlier_conversations,
    facets,
    inbox_version,
    longest_waiting,
    ordered,
    page_of,
)
from ventanilla.conversations.models import Priority, Status
from ventanilla.conversations.services import within_reply_window
from ventanilla.conversations.translation import (
    has_untranslated,
    needs_translation,
    reads,
    replies_need_translation,
    translate_messages,
    untranslated,
)
from ventanilla.desks.services import record_presence
from ventanilla.lib.access import require
from ventanilla.lib.errors import ProviderError, ServiceError
from ventanilla.lib.translate import TranslationUnavailable
from ventanilla.teamwork.selectors import handover_lines_of, latest_handovers

PAGE_SIZE = 50
NO_CHANGE = 204  # htmx leaves the page as it is


def back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the page a form came from (its `next`), if it is one of ours."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = default
    return HttpResponseRedirect(target or default)


def console_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in staff only; a refusal from the services becomes its error page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            record_presence(user=request.user)  # type: ignore[arg-type]
            return view(request, *args, **kwargs)
        except ServiceError as error:
            shown = {"error": error, "home": landing_for(request.user)}
            return render(request, "console/error.html", shown, status=error.status)

    return wrapper


FILTERS = ("status", "team", "language", "channel", "topic", "request_type", "assignee", "tag")


def _filters(request: HttpRequest) -> tuple[Filters, dict[str, str]]:
    """The inbox's filters from the query string; anything unknown is dropped."""
    given = {k: request.GET.get(k, "").strip()[:64] for k in (*FILTERS, "priority", "escalated")}
    given["status"] = given["status"] if given["status"] in Status.values else Status.OPEN
    if given["priority"] not in Priority.values:
        given["priority"] = ""
    try:
        channel = UUID(given["channel"]) if given["channel"] else None
    except ValueError:
        channel, given["channel"] = None, ""
    q = request.GET.get("q", "").strip()[:200]
    filters = Filters(
        status=given["status"],
        channel=channel,
        team=given["team"] or None,
        language=given["language"] or None,
        topic=given["topic"] or None,
        request_type=given["request_type"] or None,
        assignee=given["assignee"] or None,
        tag=given["tag"] or None,
        priority=given["priority"] or None,
        escalated=given["escalated"] == "1",
        q=q or None,
    )
    chosen = {k: v for k, v in given.items() if v}
    if q:
        chosen["q"] = q
    return filters, chosen


@console_page
def inbox(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("conversations.view_conversation"):
        home = landing_for(request.user)
        if home != request.path:  # analysts: the figures they may see, not a refusal
            return HttpResponseRedirect(home)
    filters, chosen = _filters(request)
    # A team's queue, or the unassigned work, reads in queue order unless told otherwise.
    queue = "team" in chosen or chosen.get("assignee") == "none"
    chosen_order = request.GET.get("order", "")
    chosen_order = chosen_order if chosen_order in ORDERS else ""
    order = chosen_order or ("queue" if queue else "recent")
    filters, more_found = searched(request.user, filters)
    if request.GET.get("live") != "1":
        record_search(request.user, filters.q)
    found = search_conversations(request.user, filters)
    version = inbox_version(found)
    live = request.GET.get("live") == "1"
    if live and request.GET.get("v") == version:
        return HttpResponse(status=NO_CHANGE)
    ids = ordered(found, order).values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({**chosen, "order": order})
    waiting = longest_waiting(request.user)
    shown: dict[str, Any] = {
        "page": page,
        "rows": page_of(found, page),
        "more_found": more_found,
        "version": version,
        "query": query,
        "chosen": chosen,
        "order": order,
        "chosen_order": chosen_order,
        "facets": facets(request.user, filters),
        "waiting_longest": {c.pk for c in waiting if c.waiting_since},
        "oldest_wait": waiting[0] if waiting else None,
        "orders": context.ORDER_LABELS,
        "statuses": Status.choices,
        "live": live,
    }
    if live:  # the list, and the filters' counts swapped in beside it
        return render(request, "console/parts/inbox_live.html", shown)
    shown["handovers"] = latest_handovers(request.user)
    return render(request, "console/inbox.html", shown)


@console_page
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    found = conversation_for(request.user, conversation_id)
    earlier = earlier_conversations(request.user, found)
    histories = histories_of([found, *earlier])
    user: Any = request.user
    reader = reads(user, get_language())
    shown = {
        **history_context(found, histories[found.pk], reader),
        "earlier": [(c, histories[c.pk]) for c in earlier],
        "handover_lines": handover_lines_of(found),
        "window_open": within_reply_window(found),
        "translate_replies": replies_need_translation(found, reader),
        "last_reply": _last_staff_reply(histories[found.pk]),
        "clocks": list(sla.clocks(found).values()),
        "number": masked(found.identity),
        **context.conversation_choices(found),
        **context.written_replies(found),
        **context.complaint_part(found),
        **context.referral_part(user, found),
    }
    if not shown["window_open"]:
        shown.update(_templates(found))
    return render(request, "console/conversation.html", shown)


@require_POST
@console_page
def reveal(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The person's whole number, shown on a page of its own (never kept in the session),
    for staff allowed to see it; the reveal and its reason are recorded."""
    require(request.user, "contacts.reveal_address")
    found = conversation_for(request.user, conversation_id, purpose="write")
    user: Any = request.user
    reason = request.POST.get("reason", "")[:500]
    number = contacts.reveal(identity=found.identity, by=user, reason=reason, about=found)
    shown = {"conversation": found, "number": number}
    response = render(request, "console/revealed.html", shown)
    response["Cache-Control"] = "no-store"
    return response


def _last_staff_reply(entries: list[Any]) -> Any:
    """The latest reply written by staff: the answer an agent may add to the guide."""
    return next(
        (
            e.item
            for e in reversed(entries)
            if not e.is_note and e.item.direction == "out" and e.item.author_id
        ),
        None,
    )


def history_context(found: Any, entries: list[Any], reader: set[str]) -> dict[str, Any]:
    """What the history part shows, and whether it should ask for translations."""
    language = get_language()
    return {
        "conversation": found,
        "history": entries,
        "version": conversation_version(found),
        "reader_language": language,
        "translate": needs_translation(found, reader) and has_untranslated(entries, language),
    }


def _templates(found: Any) -> dict[str, Any]:
    try:
        return {"templates": templates_for(channel=found.channel)}
    except ProviderError as error:
        return {"templates": [], "templates_error": error.detail}


@console_page
def history(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The live part of a conversation page: its history, when it changed."""
    found = conversation_for(request.user, conversation_id, purpose="watch")
    version = conversation_version(found)
    if request.GET.get("v") == version:
        return HttpResponse(status=NO_CHANGE)
    user: Any = request.user
    shown = history_context(found, histories_of([found])[found.pk], reads(user, get_language()))
    return render(request, "console/parts/history.html", shown)


@require_POST
@console_page
def translations(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Translate the person's latest messages into the reader's language and keep the
    translations (asked by the page once it has loaded: a POST, since it writes)."""
    found = conversation_for(request.user, conversation_id, purpose="translate")
    language = get_language()
    done, failed = [], False
    try:
        done = translate_messages(
            conversation=found, messages=untranslated(found, language), language=language
        )
    except TranslationUnavailable:
        failed = True
    user: Any = request.user
    found.refresh_from_db()  # the translation may have found the person's language
    shown = history_context(found, histories_of([found])[found.pk], reads(user, language))
    # Ask again only after progress: more than one batch waits, not messages that never go.
    shown["translate"] = shown["translate"] and (failed or bool(done))
    shown["translation_failed"] = failed
    return render(request, "console/parts/history.html", shown)


@console_page
def attachment(request: HttpRequest, conversation_id: int, attachment_id: int) -> FileResponse:
    found = attachment_of(conversation_for(request.user, conversation_id), attachment_id)
    playable = found.mime_type.split("/")[0] in ("image", "audio", "video")
    shown_inline = request.GET.get("inline") == "1" and playable
    response = FileResponse(
        found.file.open("rb"),
        content_type=found.mime_type or "application/octet-stream",
        as_attachment=not shown_inline,
        filename=found.filename or f"attachment-{found.pk}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
