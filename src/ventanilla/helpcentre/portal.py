"""The portal form: send a request, get a reference and a private code, come back with both."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.accountability.models import Complaint
from ventanilla.accountability.selectors import where_it_stands
from ventanilla.channels.models import Channel
from ventanilla.desks.texts import speak
from ventanilla.helpcentre import selectors, services
from ventanilla.helpcentre.forms import AccessForm, FollowUpForm, RequestForm
from ventanilla.helpcentre.models import PortalAccess
from ventanilla.lib.errors import ServiceError
from ventanilla.lib.ratelimit import allow, client_address
from ventanilla.lib.uploads import DOCUMENTS, CheckedUpload, UploadRefused, check_upload

SESSION_KEY = "portal-access"
# A request stays open in a browser while it is used, and no longer: on a shared computer
# (a consulate's waiting room, an internet café) the next person must not find it open.
IDLE_SECONDS = 20 * 60
UNTIL_KEY = "portal-until"


def _channel_or_404(request: HttpRequest, desk: str) -> Channel | HttpResponse:
    channel = selectors.portal_channel(desk)
    if channel is None:
        return render(request, "helpcentre/not_found.html", status=404)
    speak(channel.desk, get_language() or "")  # the desk's own wording of the page's texts
    return channel


def _upload(form: Any) -> CheckedUpload | None:
    file = form.cleaned_data.get("attachment")
    if file is None:
        return None
    try:
        return check_upload(file, allowed=DOCUMENTS, max_bytes=settings.MAX_UPLOAD_BYTES)
    except UploadRefused as error:
        form.add_error("attachment", str(error))
        return None


@never_cache
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, desk: str) -> HttpResponse:
    channel = _channel_or_404(request, desk)
    if isinstance(channel, HttpResponse):
        return channel
    form = RequestForm(request.POST or None, request.FILES or None, desk=channel.desk)
    if request.method == "POST" and form.is_valid():
        if not allow("portal-request", client_address(request.META), limit=10, per_seconds=3600):
            return render(request, "helpcentre/slow_down.html", status=429)
        upload = _upload(form)
        if form.is_valid():
            conversation, code = services.submit_request(
                channel=channel,
                text=form.cleaned_data["text"],
                request_type=form.cleaned_data["request_type"],
                upload=upload,
                filename=getattr(form.cleaned_data["attachment"], "name", ""),
                contact_details=form.cleaned_data["contact"],
                language=get_language() or "",
            )
            complaint = Complaint.objects.filter(conversation=conversation).first()
            request.session["portal-sent"] = {
                "reference": conversation.reference,
                "code": code,
                "complaint": complaint.number if complaint else "",
            }
            _remember(request, conversation.portal_access)
            return redirect("helpcentre:portal-sent", desk=desk)
    return render(request, "helpcentre/request.html", {"form": form, "desk": channel.desk})


@never_cache
def sent(request: HttpRequest, desk: str) -> HttpResponse:
    """The reference and the code, shown once (reloading does not show the code again)."""
    channel = _channel_or_404(request, desk)
    if isinstance(channel, HttpResponse):
        return channel
    shown = request.session.pop("portal-sent", None)
    if shown is None:
        return redirect("helpcentre:portal-access", desk=desk)
    return render(request, "helpcentre/sent.html", {"desk": channel.desk, **shown})


@require_POST
def close(request: HttpRequest, desk: str) -> HttpResponse:
    """Forget the requests opened in this browser: reading one again takes the code."""
    _forget(request)
    messages.info(request, _("Your request is closed in this browser."))
    return redirect("helpcentre:portal-access", desk=desk)


@never_cache
@require_http_methods(["GET", "POST"])
def access(request: HttpRequest, desk: str) -> HttpResponse:
    channel = _channel_or_404(request, desk)
    if isinstance(channel, HttpResponse):
        return channel
    form = AccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        address = client_address(request.META)
        if not (
            allow("portal-code-ip", address, limit=5, per_seconds=900)
            and allow("portal-code-ref", reference, limit=10, per_seconds=3600)
        ):
            return render(request, "helpcentre/slow_down.html", status=429)
        found = selectors.portal_access(channel, reference, form.cleaned_data["code"])
        if found is not None:
            _remember(request, found)
            return redirect(
                "helpcentre:portal-thread", desk=desk, reference=found.conversation.reference
            )
        form.add_error(None, _("We could not find a request with this reference and this code."))
    return render(request, "helpcentre/access.html", {"form": form, "desk": channel.desk})


def _remember(request: HttpRequest, found: PortalAccess) -> None:
    request.session[SESSION_KEY] = sorted({*request.session.get(SESSION_KEY, []), found.pk})
    _keep_open(request)
    if not request.user.is_authenticated:
        request.session.set_expiry(0)  # the cookie ends with the browser, too


def _keep_open(request: HttpRequest) -> None:
    request.session[UNTIL_KEY] = int(time.time()) + IDLE_SECONDS


def _forget(request: HttpRequest) -> None:
    for key in (SESSION_KEY, UNTIL_KEY, "portal-sent"):
        request.session.pop(key, None)
    request.session.cycle_key()


def _opened(request: HttpRequest, channel: Channel, reference: str) -> PortalAccess | None:
    if request.session.get(UNTIL_KEY, 0) < time.time():
        if SESSION_KEY in request.session:
            _forget(request)
        return None
    _keep_open(request)
    for access_id in request.session.get(SESSION_KEY, []):
        found = selectors.portal_access_by_id(channel, access_id)
        if found is not None and found.conversation.reference == reference:
            return found
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, desk: str, reference: str) -> HttpResponse:
    channel = _channel_or_404(request, desk)
    if isinstance(channel, HttpResponse):
        return channel
    opened = _opened(request, channel, reference)
    if opened is None:
        return redirect("helpcentre:portal-access", desk=desk)
    form = FollowUpForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = _upload(form)
        if form.is_valid():
            try:
                services.follow_up(
                    access=opened,
                    text=form.cleaned_data["text"],
                    upload=upload,
                    filename=getattr(form.cleaned_data["attachment"], "name", ""),
                )
                return redirect("helpcentre:portal-thread", desk=desk, reference=reference)
            except ServiceError as error:
                form.add_error(None, error.detail)
    complaint = (
        Complaint.objects.filter(conversation=opened.conversation)
        .prefetch_related("entries")
        .first()
    )
    context = {
        "desk": channel.desk,
        "conversation": opened.conversation,
        "form": form,
        "messages_": selectors.portal_thread(opened),
        "complaint": where_it_stands(complaint) if complaint else "",
    }
    return render(request, "helpcentre/thread.html", context)


@never_cache
def file(request: HttpRequest, desk: str, reference: str, attachment_id: int) -> HttpResponseBase:
    channel = _channel_or_404(request, desk)
    if isinstance(channel, HttpResponse):
        return channel
    opened = _opened(request, channel, reference)
    found = selectors.portal_file(opened, attachment_id) if opened else None
    if found is None:
        return render(request, "helpcentre/not_found.html", status=404)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.filename or "file",
        content_type=found.mime_type,
    )
