"""The complaints register in the console: filing a conversation from its page, and for
supervisors the register (filtered, downloaded) and each complaint's page, where it is
amended, answered and closed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ventanilla.accountability import services
from ventanilla.accountability.models import Category, Complaint, Kind, Post, Source
from ventanilla.accountability.selectors import (
    ComplaintFilters,
    complaints_visible_to,
    filtered,
    where_it_stands,
)
from ventanilla.console import forms as console_forms
from ventanilla.console.actions import action
from ventanilla.console.views import console_page
from ventanilla.conversations.models import Conversation
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, NotFound, ServiceError
from ventanilla.privacy.services import audit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@action("accountability.add_complaint", console_forms.FileComplaintForm, anchor="complaint")
def file(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    complaint = services.file_complaint(
        conversation=conversation,
        source=Source.STAFF,
        kind=data["kind"],
        text=data["text"],
        post=services.post_of(conversation.desk, data["post"]),
        category=services.category_of(conversation.desk, data["category"]),
        by=request.user,  # type: ignore[arg-type]
    )
    return _("In the register as %(number)s.") % {"number": complaint.number}


@action("conversations.change_conversation", console_forms.PostForm, anchor="post")
def concerns(request: HttpRequest, conversation: Conversation, data: dict[str, Any]) -> str:
    """The post or service the conversation concerns (what surveys and reports count it
    under)."""
    post = services.post_of(conversation.desk, data["post"]) if data["post"] else None
    services.set_post(conversation=conversation, post=post, by=request.user)  # type: ignore[arg-type]
    return _("Saved.")


def _filters(form: console_forms.RegisterForm) -> ComplaintFilters:
    if not form.is_valid():
        return ComplaintFilters(status="open")
    given = form.cleaned_data
    return ComplaintFilters(
        status=given["status"],
        kind=given["kind"],
        category=given["category"].strip(),
        post=given["post"].strip(),
        first=given["first"],
        last=given["last"],
    )


@console_page
def register(request: HttpRequest) -> HttpResponseBase:
    """The register of one's desks: open complaints first by default, oldest first, with
    their service-level clock; `?format=csv|xlsx` downloads what the filters keep."""
    require(request.user, "accountability.change_complaint")
    form = console_forms.RegisterForm(request.GET or {"status": "open"})
    filters = _filters(form)
    form_ = request.GET.get("format")
    if form_ in ("csv", "xlsx"):
        made = services.export_register(
            user=request.user, filters=filters, form=form_, language=get_language()
        )
        response: HttpResponseBase
        if form_ == "xlsx":
            response = HttpResponse(made, content_type=XLSX)
        else:
            response = StreamingHttpResponse(made, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="complaints.{form_}"'
        return response
    found = filtered(complaints_visible_to(request.user), filters).order_by("opened_at", "id")
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    desks = desks_visible_to(request.user)
    shown = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "categories": Category.objects.filter(desk__in=desks, active=True).select_related("desk"),
        "posts": Post.objects.filter(desk__in=desks, active=True).select_related("desk"),
        "now": timezone.now(),
    }
    return render(request, "console/complaints.html", shown)


@console_page
def detail(request: HttpRequest, number: str) -> HttpResponseBase:
    """One complaint: its entries, oldest first, and the forms that add one."""
    require(request.user, "accountability.change_complaint")
    complaint = complaints_visible_to(request.user).filter(number=number.upper()).first()
    if complaint is None:
        raise NotFound(_("There is no complaint %(number)s at your desks.") % {"number": number})
    if request.method == "POST":
        form = console_forms.ComplaintEntryForm(request.POST)
        try:
            if not form.is_valid():
                raise Invalid(console_forms.form_errors(form))
            _add(request, complaint, form.cleaned_data)
        except ServiceError as error:
            messages.error(request, error.detail)
        url = reverse("console:complaint", args=[complaint.number])
        return HttpResponseRedirect(url)
    audit(actor=request.user, action="complaint.read", target=complaint)
    shown = {
        "complaint": complaint,
        "entries": _entries(complaint),
        "state": where_it_stands(complaint),
        "categories": Category.objects.filter(desk=complaint.desk, active=True),
        "posts": Post.objects.filter(desk=complaint.desk, active=True),
    }
    return render(request, "console/complaint.html", shown)


CHANGED = {
    "kind": gettext_lazy("Kind"),
    "post": gettext_lazy("Post or service"),
    "category": gettext_lazy("Category"),
}


def _entries(complaint: Complaint) -> list[tuple[Any, list[tuple[str, str, str]]]]:
    """Each entry with what it changed, in the reader's words: (what, before, after), the
    posts and categories by their names (retired ones too), the kinds by theirs."""
    language = get_language()
    named = {
        "post": {p.slug: p.name_in(language) for p in Post.objects.filter(desk=complaint.desk)},
        "category": {
            c.slug: c.name_in(language) for c in Category.objects.filter(desk=complaint.desk)
        },
        "kind": {value: str(label) for value, label in Kind.choices},
    }

    def name(what: str, value: Any) -> str:
        return "" if value in (None, "") else named.get(what, {}).get(value, str(value))

    return [
        (
            entry,
            [
                (str(CHANGED.get(what, what)), name(what, change[0]), name(what, change[1]))
                for what, change in entry.changes.items()
                if isinstance(change, list) and len(change) == 2
            ],
        )
        for entry in complaint.entries.all()
    ]


def _add(request: HttpRequest, complaint: Complaint, data: dict[str, Any]) -> None:
    user: Any = request.user
    if data["step"] == "answer":
        services.answer(complaint=complaint, by=user, text=data["text"])
        messages.success(request, _("The answer is in the register."))
    elif data["step"] == "close":
        services.close(complaint=complaint, by=user, text=data["text"])
        messages.success(request, _("%(number)s is closed.") % {"number": complaint.number})
    else:
        services.amend(
            complaint=complaint,
            by=user,
            text=data["text"],
            post=services.post_of(complaint.desk, data["post"]),
            category=services.category_of(complaint.desk, data["category"]),
            kind=data["kind"] or None,
        )
        messages.success(request, _("The amendment is in the register."))


LISTS: dict[str, type[Post] | type[Category]] = {"post": Post, "category": Category}


@console_page
def lists(request: HttpRequest) -> HttpResponseBase:
    """A desk's posts and services and its categories of complaints: listed, added, renamed
    in each language, retired (never removed: complaints keep what they concerned)."""
    require(request.user, "accountability.change_post")
    require(request.user, "accountability.change_category")
    desks = desks_visible_to(request.user).order_by("name")
    chosen = desks.filter(slug=request.GET.get("desk", "")).first() or desks.first()
    if chosen is None:
        raise NotFound(_("You work at no desk."))
    here = f"{reverse('console:complaint-lists')}?{urlencode({'desk': chosen.slug})}"
    form = console_forms.ListedForm(request.POST or None, languages=list(chosen.languages))
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise Invalid(console_forms.form_errors(form))
            data = form.cleaned_data
            saved = services.save_listed(
                LISTS[data["listed"]], desk=chosen, slug=data["slug"], name=data["name"],
                names=data["names"], active=data["active"], by=request.user,  # type: ignore[arg-type]
            )  # fmt: skip
            messages.success(request, _("Saved: %(name)s.") % {"name": saved.name})
            return HttpResponseRedirect(here)
        except ServiceError as error:
            messages.error(request, error.detail)
    else:
        form = _editing(request, chosen, form)
    shown = {
        "desks": desks,
        "chosen": chosen,
        "form": form,
        "posts": Post.objects.filter(desk=chosen).order_by("-active", "name"),
        "categories": Category.objects.filter(desk=chosen).order_by("-active", "name"),
        "languages": chosen.languages,
    }
    return render(request, "console/complaint_lists.html", shown)


def _editing(
    request: HttpRequest, desk: Any, blank: console_forms.ListedForm
) -> console_forms.ListedForm:
    """The form filled with the post or category `?edit=post:<key>` names, or blank."""
    which, _sep, slug = request.GET.get("edit", "").partition(":")
    model = LISTS.get(which)
    found = model.objects.filter(desk=desk, slug=slug).first() if model else None
    if found is None:
        return blank
    initial = {"listed": which, "slug": found.slug, "name": found.name, "names": found.names,
               "active": found.active}  # fmt: skip
    return console_forms.ListedForm(initial=initial, languages=list(desk.languages))
