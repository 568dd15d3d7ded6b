"""The guide at the agent's side: articles suggested as answers, and an answer of the
agent's own turned into the guide in one step."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ventanilla.console import forms as console_forms
from ventanilla.console.actions import action
from ventanilla.console.views import console_page
from ventanilla.conversations.access import conversation_for
from ventanilla.conversations.models import Conversation
from ventanilla.knowledge import gaps
from ventanilla.knowledge.selectors import suggested_answers
from ventanilla.lib.access import require
from ventanilla.lib.errors import NotFound


@console_page
def suggestions(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The guide's best answers to what the person wrote last (loaded after the page)."""
    require(request.user, "knowledge.view_article")
    found = conversation_for(request.user, conversation_id)
    return render(
        request, "console/parts/suggestions.html", {"suggestions": suggested_answers(found)}
    )


@action("knowledge.learn_from_replies", console_forms.LearnForm)
def learn(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    message = conversation.messages.filter(pk=data["message"]).first()
    if message is None:
        raise NotFound(_("That reply is not part of this conversation."))
    article, created = gaps.learn_from_reply(
        message=message,
        by=request.user,  # type: ignore[arg-type]
        article_key=data["article"],
        title=data["title"].strip(),
        topic=data["topic"],
    )
    if created:
        return _("Draft article %(key)s written from this answer.") % {"key": article.key}
    return _("The article %(key)s now knows this question.") % {"key": article.key}
