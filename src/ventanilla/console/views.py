"""Console pages: thin views over the access functions of conversations."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ventanilla.conversations.access import (
    Filters,
    conversation_for,
    history_of,
    search_conversations,
)
from ventanilla.conversations.models import Status
from ventanilla.lib.errors import ServiceError

PAGE_SIZE = 50


def console_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff only; a refusal from the access layer becomes its error page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ServiceError as error:
            return render(request, "console/error.html", {"error": error}, status=error.status)

    return wrapper


@console_page
def inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Status.OPEN)
    if status not in Status.values:
        status = Status.OPEN
    q = request.GET.get("q", "").strip()[:200]
    found = search_conversations(request.user, Filters(status=status, q=q or None))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "console/inbox.html",
        {"page": page, "status": status, "statuses": Status.choices, "q": q},
    )


@console_page
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    found = conversation_for(request.user, conversation_id)
    return render(
        request,
        "console/conversation.html",
        {"conversation": found, "history": history_of(found)},
    )
