"""Provider webhooks: verify and parse with the channel's adapter, keep, acknowledge."""

from __future__ import annotations

import logging
from uuid import UUID

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ventanilla.calls.flow import answer as answer_call
from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import CallEvent, WebhookRejected, WebhookRequest
from ventanilla.channels.selectors import active_channel
from ventanilla.channels.services import accept
from ventanilla.lib.errors import ServiceError
from ventanilla.lib.links import public_url

logger = logging.getLogger(__name__)


@csrf_exempt
def webhook(request: HttpRequest, channel_id: UUID, action: str = "") -> HttpResponse:
    channel = active_channel(channel_id)
    if channel is None:
        return HttpResponse("no such channel", status=404, content_type="text/plain")
    try:
        hook = adapter_for(channel.type).read_webhook(channel.config, _as_seen(request, action))
    except RequestDataTooBig:
        return _refused(channel.pk, WebhookRejected(413, "the body is too large"))
    except WebhookRejected as rejected:
        return _refused(channel.pk, rejected)
    calls = [event for event in hook.events if isinstance(event, CallEvent)]
    if calls:  # a phone call asks what to do next
        try:
            hook = adapter_for(channel.type).answer_call(answer_call(channel, calls[0]))
        except ServiceError as error:
            return _refused(channel.pk, WebhookRejected(error.status, error.detail))
        return HttpResponse(hook.body, status=hook.status, content_type=hook.content_type)
    accept(channel=channel, webhook=hook, body=request.body)  # one insert; the consumer reads it
    return HttpResponse(hook.body, status=hook.status, content_type=hook.content_type)


def _refused(channel_id: UUID, rejected: WebhookRejected) -> HttpResponse:
    logger.warning(
        "channel %s: webhook refused (%s): %s", channel_id, rejected.status, rejected.reason
    )
    return HttpResponse(rejected.reason, status=rejected.status, content_type="text/plain")


def _as_seen(request: HttpRequest, action: str) -> WebhookRequest:
    """The request as the provider sent it, with the URL it called (for signatures)."""
    return WebhookRequest(
        method=request.method or "",
        url=public_url(request.get_full_path(), request),
        action=action,
        query=request.GET.dict(),
        headers=dict(request.headers),
        body=request.body,
        form={key: request.POST.getlist(key) for key in request.POST}
        if request.content_type == "application/x-www-form-urlencoded"
        else {},
    )
