"""The console's Texts page: a desk's own wording of the public and automatic texts in each
of its languages, the texts missing or never reviewed by a native speaker, and a new
language added by the desk's supervisors."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ventanilla.console.views import console_page
from ventanilla.desks import text_services
from ventanilla.desks.models import Desk
from ventanilla.desks.selectors import desk_for, desks_visible_to
from ventanilla.desks.texts_catalogue import plural_forms
from ventanilla.desks.texts_selectors import STATES, TextRow, counts, desk_texts, filtered
from ventanilla.lib.access import require
from ventanilla.lib.errors import NotFound, ServiceError
from ventanilla.lib.languages import catalogue_language, is_rtl, native_name

PERMISSION = "desks.supervise_desk"
PLURAL_FIELDS = 6  # the most forms a language has (Arabic)
SHOWN = 200  # rows on one page: a search finds the others
STATE_NAMES = {
    "all": gettext_lazy("All"),
    "missing": gettext_lazy("Missing"),
    "unreviewed": gettext_lazy("Not reviewed by a native speaker"),
    "custom": gettext_lazy("The desk's own"),
    "translated": gettext_lazy("Translated by the catalogue"),
}


class LanguageForm(forms.Form):
    language = forms.CharField(
        label=gettext_lazy("Language code"),
        max_length=16,
        help_text=gettext_lazy("Such as uk (Ukrainian), prs (Dari), ps (Pashto), ti (Tigrinya)."),
    )


def _key_hash(row: TextRow) -> str:
    return hashlib.sha256(row.entry.key.encode()).hexdigest()[:16]


def _languages(desk: Desk) -> list[dict[str, Any]]:
    codes = list(dict.fromkeys([*desk.languages, "en"]))
    return [
        {"code": c, "name": native_name(c), "dir": "rtl" if is_rtl(c) else "ltr"} for c in codes
    ]


def _desk(request: HttpRequest, slug: str | None) -> Desk:
    require(request.user, PERMISSION)
    if slug:
        return desk_for(request.user, slug)
    desk = desks_visible_to(request.user).order_by("pk").first()
    if desk is None:
        raise NotFound(_("You are not a member of any desk."))
    return desk


@console_page
def texts(request: HttpRequest, slug: str | None = None, language: str = "") -> HttpResponse:
    """A desk's texts in one language, with their counts, filtered by state and words."""
    desk = _desk(request, slug)
    language = language or (desk.languages or ["en"])[0]
    text_services.check_language(desk, language)
    state = request.GET.get("state", "all")
    state = state if state in ("all", *STATES) else "all"
    q = request.GET.get("q", "").strip()[:200]
    rows = desk_texts(desk, language)
    found = filtered(rows, state=state, query=q)
    shown = {
        "desk": desk,
        "desks": list(desks_visible_to(request.user)),
        "language": language,
        "language_name": native_name(language),
        "text_dir": "rtl" if is_rtl(language) else "ltr",
        "has_catalogue": catalogue_language(language) is not None,
        "languages": _languages(desk),
        "counts": counts(rows),
        "states": [(code, STATE_NAMES[code]) for code in ("all", *STATES)],
        "state": state,
        "q": q,
        "rows": [(row, _key_hash(row)) for row in found[:SHOWN]],
        "more": max(len(found) - SHOWN, 0),
        "form": LanguageForm(),
    }
    return render(request, "console/texts.html", shown)


def _row(desk: Desk, language: str, key_hash: str) -> TextRow:
    row = next((r for r in desk_texts(desk, language) if _key_hash(r) == key_hash), None)
    if row is None:
        raise NotFound(_("No such text."))
    return row


def _typed(request: HttpRequest, row: TextRow) -> list[str]:
    """What was typed: the text, or the forms of a plural text filled in."""
    if not row.entry.plural:
        return [request.POST.get("text", "")]
    typed = (request.POST.get(f"form_{i}", "") for i in range(PLURAL_FIELDS))
    return [t for t in typed if t.strip()]


def _apply(request: HttpRequest, desk: Desk, language: str, row: TextRow) -> None:
    """Save what was typed, keep the catalogue's text as checked, or give it back."""
    action = request.POST.get("action", "save")
    common = {"desk": desk, "language": language, "by": request.user}
    common |= {"msgid": row.entry.msgid, "context": row.entry.context}
    if action == "remove":
        text_services.remove_text(**common)  # type: ignore[arg-type]
        messages.success(request, _("The desk uses the catalogue's text again."))
        return
    chosen = list(row.catalogue or ()) if action == "checked" else _typed(request, row)
    text = chosen if row.entry.plural else "".join(chosen[:1])
    text_services.set_text(text=text, **common)  # type: ignore[arg-type]
    messages.success(request, _("Text saved."))


@console_page
def text_edit(request: HttpRequest, slug: str, language: str, key_hash: str) -> HttpResponse:
    """One text side by side (English, the catalogue's, the desk's), to word or check."""
    desk = _desk(request, slug)
    text_services.check_language(desk, language)
    row = _row(desk, language, key_hash)
    count = plural_forms(language)[0] if row.entry.plural else 1
    back = reverse("console:texts-language", args=[desk.slug, language])
    current = list(row.desk or row.catalogue or ())
    status = 200
    if request.method == "POST":
        try:
            _apply(request, desk, language, row)
        except ServiceError as error:
            messages.error(request, error.detail)
            current, status = _typed(request, row), error.status
        else:
            state = urlencode({"state": request.GET.get("state", "all")})
            return HttpResponseRedirect(f"{back}?{state}")
    names = ["text"] if not row.entry.plural else [f"form_{i}" for i in range(count)]
    fields = [{"name": n, "value": (current[i : i + 1] or [""])[0]} for i, n in enumerate(names)]
    shown = {
        "desk": desk,
        "language": language,
        "language_name": native_name(language),
        "text_dir": "rtl" if is_rtl(language) else "ltr",
        "row": row,
        "fields": fields,
        "back": back,
    }
    return render(request, "console/texts_edit.html", shown, status=status)


@console_page
@require_POST
def add_language(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a language to the desk: its texts are then written here, missing ones said in
    the desk's main language."""
    desk = _desk(request, slug)
    form = LanguageForm(request.POST)
    code = form.data.get("language", "").strip().lower() if form.is_valid() else ""
    text_services.add_language(desk=desk, language=code, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Language added."))
    return HttpResponseRedirect(reverse("console:texts-language", args=[desk.slug, code]))
