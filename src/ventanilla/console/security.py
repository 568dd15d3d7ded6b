"""Signing in safely: the second factor (the code at sign-in, the enrolment with its QR code
and recovery codes), one's own sign-in settings, and the staff page where supervisors and
administrators help colleagues below them (a reset link, a lost phone, sessions ended)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import (
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from ventanilla.access import services as access
from ventanilla.access.selectors import AuditFilters, audit_visible_to
from ventanilla.api.models import ApiToken, Scope
from ventanilla.api.services import issue_token, revoke_token, tokens_of
from ventanilla.console.forms import AuditForm, CodeForm, TokenForm, form_errors
from ventanilla.console.signin import landing_for
from ventanilla.console.views import console_page
from ventanilla.desks.roles import role_of
from ventanilla.desks.selectors import staff_managed_by
from ventanilla.lib.access import require
from ventanilla.lib.errors import Forbidden
from ventanilla.lib.ratelimit import allow, client_address

ROLE_NAMES = {
    "admin": pgettext_lazy("role", "Administrator"),
    "supervisor": pgettext_lazy("role", "Supervisor"),
    "agent": pgettext_lazy("role", "Agent"),
    "volunteer": pgettext_lazy("role", "Volunteer"),
    "analyst": pgettext_lazy("role", "Analyst"),
}


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return landing_for(request.user)


@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the authenticator app's code, or a recovery code."""
    user: Any = request.user
    if user.is_verified():
        return HttpResponseRedirect(_next(request))
    if not access.has_second_factor(user):
        return HttpResponseRedirect(reverse("two-factor-enrol") + f"?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        checked = access.verify(user=user, code=form.cleaned_data["code"])
        if checked.device is not None:
            otp_login(request, checked.device)
            left = access.recovery_codes_left(user)
            if checked.device.__class__.__name__ == "RecoveryCodes":
                messages.warning(
                    request,
                    _(
                        "You used a recovery code: %(left)s left. Make new ones in Sign-in "
                        "and security, and set up your authenticator app again if it is lost."
                    )
                    % {"left": left},
                )
            return HttpResponseRedirect(_next(request))
        if checked.retry_at is not None:
            wait = max(1, int((checked.retry_at - timezone.now()).total_seconds() + 0.999))
            error = _("Too many wrong codes. Wait %(seconds)s seconds, then try again.") % {
                "seconds": wait
            }
        else:
            error = _("That code is not right. Type the newest code, or a recovery code.")
    shown = {"form": form, "error": error, "next": _next(request), "signing_in": True}
    return render(request, "registration/two_factor.html", shown)


@never_cache
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), give a code; then
    the recovery codes, shown this once."""
    user: Any = request.user
    if access.has_second_factor(user) and not user.is_verified():
        return HttpResponseRedirect(reverse("two-factor") + f"?{request.GET.urlencode()}")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        enrolled = access.confirm_enrolment(user=user, code=form.cleaned_data["code"])
        if enrolled is not None:
            otp_login(request, enrolled.device)
            shown = {"codes": enrolled.recovery_codes, "next": _next(request), "new": True}
            return render(
                request, "registration/recovery_codes.html", {**shown, "signing_in": True}
            )
        error = _(
            "That code is not right. Check that the phone's clock is right and type the "
            "newest code."
        )
    # The same secret until it is confirmed: a reload shows the QR code already scanned.
    device = access.pending_enrolment(user) or access.start_enrolment(user=user)
    url = access.otpauth_url(device)
    shown = {
        "form": form,
        "error": error,
        "next": _next(request),
        "qr": segno.make(url, error="m").svg_inline(scale=5, title=_("QR code to scan")),
        "secret": access.secret_of(device),
        "required": access.requires_two_factor(user),
        "signing_in": True,
    }
    return render(request, "registration/two_factor_enrol.html", shown)


@console_page
def security(request: HttpRequest) -> HttpResponse:
    """One's own sign-in: the second factor, recovery codes, signing out everywhere."""
    user: Any = request.user
    shown = {
        "has_second_factor": access.has_second_factor(user),
        "required": access.requires_two_factor(user),
        "codes_left": access.recovery_codes_left(user),
        "tokens": tokens_of(user),
        "form": TokenForm(),
    }
    return render(request, "console/security.html", shown)


@require_POST
@console_page
def my_token_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return HttpResponseRedirect(reverse("console:security"))
    token = issue_token(
        user=user,
        by=user,
        name=form.cleaned_data["name"],
        scope=Scope.READ if form.cleaned_data["read_only"] else Scope.WRITE,
        expires_in_days=int(form.cleaned_data["expires_in_days"] or 0) or None,
    )
    return render(request, "console/new_token.html", {"token": token})


@require_POST
@console_page
def my_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user: Any = request.user
    found = get_object_or_404(ApiToken, pk=token_id, user=user)
    revoke_token(token=found, by=user)
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": found.prefix})
    return HttpResponseRedirect(reverse("console:security"))


@require_POST
@console_page
def my_recovery_codes(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.is_verified():
        return HttpResponseRedirect(reverse("two-factor"))
    codes = access.new_recovery_codes(user=user)
    shown = {"codes": codes, "next": reverse("console:security"), "new": False}
    return render(request, "registration/recovery_codes.html", shown)


@require_POST
@console_page
def my_second_factor_off(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if access.requires_two_factor(user):
        messages.error(request, _("Your role or your desk requires a second factor."))
    else:
        access.remove_second_factor(user=user, by=user)
        messages.success(request, _("The second factor is off."))
        return HttpResponseRedirect(reverse("login"))
    return HttpResponseRedirect(reverse("console:security"))


@require_POST
@console_page
def my_sessions_end(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.sign_out_everywhere(user=user, by=user)
    logout(request)
    messages.success(request, _("You are signed out on every device."))
    return HttpResponseRedirect(reverse("login"))


@console_page
def staff(request: HttpRequest) -> HttpResponse:
    """The people a supervisor or administrator may help sign in."""
    require(request.user, "desks.supervise_desk")
    people = [
        {
            "user": person,
            "role": ROLE_NAMES.get(role_of(person) or "", ""),
            "second_factor": access.has_second_factor(person),
            "required": access.requires_two_factor(person),
            "tokens": tokens_of(person),
        }
        for person in staff_managed_by(request.user)
        if access.may_manage(request.user, person) and person.pk != request.user.pk
    ]
    return render(request, "console/staff.html", {"people": people})


@require_POST
@console_page
def staff_action(request: HttpRequest, user_id: int) -> HttpResponse:
    require(request.user, "desks.supervise_desk")
    person = get_object_or_404(User, pk=user_id, is_active=True)
    if not access.may_manage(request.user, person):
        raise Forbidden(_("you may change only people below your role, at your desks"))
    action = request.POST.get("action", "")
    name = person.get_username()
    if action == "reset-link":
        link = access.reset_link(user=person, by=request.user, request=request)
        shown = {"person": person, "link": link}
        return render(request, "console/reset_link.html", shown)
    if action == "second-factor-off":
        access.remove_second_factor(user=person, by=request.user)
        messages.success(
            request,
            _("%(name)s sets up a second factor again at the next sign-in.") % {"name": name},
        )
    elif action == "revoke-token":
        found = get_object_or_404(ApiToken, pk=request.POST.get("token", "0") or 0, user=person)
        revoke_token(token=found, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": found.prefix})
    elif action == "sign-out":
        access.sign_out_everywhere(user=person, by=request.user)
        messages.success(request, _("%(name)s is signed out on every device.") % {"name": name})
    return HttpResponseRedirect(reverse("console:staff"))


def password_reset(request: HttpRequest) -> HttpResponseBase:
    """A link by e-mail when this installation sends e-mail; otherwise where to ask."""
    if not access.mail_configured():
        return render(request, "console/password/reset_unavailable.html")
    if request.method == "POST" and not allow(
        "password-reset", client_address(request.META), limit=5, per_seconds=3600
    ):
        return render(request, "console/password/reset_form.html", {"slow": True}, status=429)
    public = urlsplit(settings.PUBLIC_URL)
    view = PasswordResetView.as_view(
        template_name="console/password/reset_form.html",
        email_template_name="console/password/reset_email.txt",
        subject_template_name="console/password/reset_subject.txt",
        success_url=reverse("password_reset_done"),
        # the address people reach, not the one this process was asked at (a proxy's)
        extra_email_context={"domain": public.netloc, "protocol": public.scheme}
        if public.netloc
        else None,
    )
    return view(request)


RESET_PAGES = {
    "done": PasswordResetDoneView.as_view(template_name="console/password/reset_done.html"),
    "confirm": PasswordResetConfirmView.as_view(
        template_name="console/password/reset_confirm.html",
        success_url=reverse_lazy("password_reset_complete"),
    ),
    "complete": PasswordResetCompleteView.as_view(
        template_name="console/password/reset_complete.html"
    ),
}


@console_page
def audit_log(request: HttpRequest) -> HttpResponseBase:
    """The audit log as far as one may read it, filtered; `?format=csv` downloads it."""
    form = AuditForm(request.GET or None)
    filters = AuditFilters()
    if form.is_valid():
        given = form.cleaned_data
        filters = AuditFilters(
            first=given["first"],
            last=given["last"],
            actor=given["actor"].strip(),
            action=given["action"].strip(),
        )
    if request.GET.get("format") == "csv":
        lines = access.export_audit(user=request.user, filters=filters)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit.csv"'
        return response
    page = Paginator(audit_visible_to(request.user, filters), 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    shown = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "console/audit.html", shown)
