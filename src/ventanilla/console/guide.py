"""The guide's pages in the console, for its editors: the articles, the side-by-side editor
where they are written and translated, and the questions the guide did not answer (gaps)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.console import guide_forms as f
from ventanilla.console.forms import form_errors
from ventanilla.console.views import console_page
from ventanilla.desks.selectors import desk_named, desks_visible_to
from ventanilla.desks.validators import LANGUAGE_CODE
from ventanilla.knowledge import services
from ventanilla.knowledge.gaps import (
    MAX_GROUPED,
    answer_with_article,
    close_gaps,
    gap_groups,
    open_gaps,
    teach_article,
)
from ventanilla.knowledge.models import Article, Gap, Translation
from ventanilla.knowledge.selectors import article_for, outdated_languages
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid, NotFound, ServiceError
from ventanilla.lib.translate import TranslationUnavailable, is_configured

PAGE_SIZE = 100
GROUPS_SHOWN = 25  # the largest groups; the others come up as these are dealt with
EXAMPLES = 3  # the questions of a group that are taught to an article
GAP_ID = re.compile(r"[0-9]{1,12}")


def guide_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A console page for those who edit the guide; everyone else is refused (403)."""

    @console_page
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        require(request.user, "knowledge.change_article")
        return view(request, *args, **kwargs)

    return wrapper


def _refused(request: HttpRequest, error: ServiceError) -> int:
    """Say why on the page; the status to answer with (bad input is a 400)."""
    messages.error(request, error.detail)
    return error.status if error.status in (403, 404, 409) else 400


def _user(request: HttpRequest) -> Any:
    return request.user


def _editor_url(article: Article, to: str = "") -> str:
    url = reverse("console:guide:article", args=[article.key])
    return f"{url}?{urlencode({'to': to})}" if to else url


def _entry(article: Article, language: str, text: services.Text, **changed: Any) -> services.Entry:
    """One language's text of an article, everything else about the article as it is."""
    related = tuple(a.key for a in article.related.all())
    fields = {"topic": article.topic.key, "related": related, **changed}
    return services.Entry(key=article.key, translations={language: text}, **fields)


def _article(user: Any, key: str) -> Article:
    try:
        return article_for(user, key)
    except NotFound:
        raise NotFound(_("There is no article %(key)s.") % {"key": key}) from None


def _source_text(article: Article) -> Translation:
    found = {t.language: t for t in article.translations.all()}.get(article.source_language)
    if found is None:
        raise Invalid(_("This article has no text in its source language yet."))
    return found


# The list of articles, and a new one


@guide_page
def articles(request: HttpRequest) -> HttpResponse:
    """The guide's articles, filtered; and a new one, written in its first language."""
    form = f.ArticleForm(request.POST or None, topics=f.topics(), auto_id="new-%s")
    if request.method != "POST":
        return _articles_page(request, form)
    require(request.user, "knowledge.add_article")
    try:
        f.valid(form)
        article, _outcome = services.save_article(entry=form.entry(), by=_user(request))
    except ServiceError as error:
        return _articles_page(request, form, status=_refused(request, error))
    messages.success(
        request, _("Draft %(key)s saved: translate it, then publish it.") % {"key": article.key}
    )
    return HttpResponseRedirect(_editor_url(article))


def _articles_page(request: HttpRequest, form: f.ArticleForm, status: int = 200) -> HttpResponse:
    known = f.topics()
    filters = f.ListForm(request.GET, topics=known)
    if not filters.is_valid():
        status = _refused(request, Invalid(form_errors(filters)))
    rows = f.article_rows(request.user, filters.cleaned_data)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    chosen = {k: v for k, v in request.GET.items() if k != "page" and v}
    desks = desks_visible_to(request.user)
    shown = {
        "page": page,
        "query": urlencode(chosen),
        "filters": filters,
        "form": form,
        "gaps": open_gaps(request.user).count(),
        "languages": list(dict.fromkeys([*f.desk_languages(desks), *dict(settings.LANGUAGES)])),
    }
    return render(request, "console/guide/articles.html", shown, status=status)


# The editor: the source text beside a translation


@guide_page
def article(request: HttpRequest, key: str) -> HttpResponse:
    """An article's source text beside its translation into `?to=`, each saved on its own."""
    return _editor(request, _article(request.user, key), request.GET.get("to", ""))


@require_POST
@guide_page
def save_text(request: HttpRequest, key: str) -> HttpResponse:
    """Save one side of the editor: that language's text alone, as its next version."""
    found = _article(request.user, key)
    form = f.TextForm(request.POST, versions=_versions(found))
    to = request.POST.get("to", "")
    try:
        language = f.valid(form)["language"]
        entry = _entry(found, language, form.text())
        _saved, outcome = services.save_article(entry=entry, by=_user(request))
    except ServiceError as error:
        return _editor(request, found, to, posted=form, status=_refused(request, error))
    if outcome == "unchanged":
        messages.info(request, _("Nothing changed."))
    else:
        messages.success(
            request, _("Saved as a new version of the %(language)s text.") % {"language": language}
        )
    return HttpResponseRedirect(_editor_url(found, to))


@require_POST
@guide_page
def machine(request: HttpRequest, key: str) -> HttpResponse:
    """Fill the translation side with a machine translation of the source text: a draft for
    a person to check and save. When the server fails, the side is shown as it was."""
    found = _article(request.user, key)
    form = f.TextForm(request.POST, versions=_versions(found))
    into = str(request.POST.get("language", ""))
    try:
        _check_target(found, into)
        source = _source_text(found)
        draft = f.machine_draft(source, language=found.source_language, into=into)
    except TranslationUnavailable as error:
        message = _(
            "Machine translation is not available now (%(reason)s). Your text is as it was."
        )
        messages.error(request, message % {"reason": error.detail})
        return _editor(request, found, into, posted=form)
    except ServiceError as error:
        to = request.POST.get("to", "")
        return _editor(request, found, to, posted=form, status=_refused(request, error))
    return _editor(request, found, into, draft=draft)


def _check_target(article: Article, language: str) -> None:
    if len(language) > 16 or not LANGUAGE_CODE.match(language):
        raise Invalid(_("Give a language code such as es, ar or zgh."))
    if language == article.source_language:
        raise Invalid(_("Choose a language other than the source language to translate into."))


@require_POST
@guide_page
def state(request: HttpRequest, key: str) -> HttpResponse:
    """Publish an article (search, the bot and the help centre use it), or take it back."""
    found = _article(request.user, key)
    to = request.POST.get("to", "")
    try:
        chosen = f.valid(f.StateForm(request.POST))["state"]
        services.set_state(article=found, state=chosen, by=_user(request))
    except ServiceError as error:
        return _editor(request, found, to, status=_refused(request, error))
    if chosen == "published":
        messages.success(request, _("Published: the guide's search finds it now."))
    else:
        messages.success(request, _("Back to draft: only editors see it."))
    return HttpResponseRedirect(_editor_url(found, to))


@require_POST
@guide_page
def practical(request: HttpRequest, key: str) -> HttpResponse:
    """A desk's own practical details for the article in one language; empty removes them."""
    require(request.user, "knowledge.change_override")
    found = _article(request.user, key)
    to = request.POST.get("to", "")
    try:
        data = f.valid(f.OverrideForm(request.POST))
        desk = desk_named(request.user, data["desk"])
        services.set_override(
            article=found,
            desk=desk,
            language=data["language"],
            practical=data["practical"],
            by=_user(request),
        )
    except ServiceError as error:
        return _editor(request, found, to, status=_refused(request, error))
    messages.success(request, _("Practical details of %(desk)s saved.") % {"desk": desk.name})
    return HttpResponseRedirect(_editor_url(found, to))


@require_POST
@guide_page
def about(request: HttpRequest, key: str) -> HttpResponse:
    """An article's topic and related articles (its texts stay as they are)."""
    found = _article(request.user, key)
    to = request.POST.get("to", "")
    try:
        data = f.valid(f.AboutForm(request.POST, topics=f.topics()))
        source = _source_text(found)
        text = services.Text(source.title, source.body, tuple(source.questions))
        entry = _entry(found, source.language, text, topic=data["topic"], related=data["related"])
        services.save_article(entry=entry, by=_user(request))
    except ServiceError as error:
        return _editor(request, found, to, status=_refused(request, error))
    messages.success(request, _("Topic and related articles saved."))
    return HttpResponseRedirect(_editor_url(found, to))


def _versions(article: Article) -> dict[str, int]:
    return {t.language: t.version for t in article.translations.all()}


def _editor(
    request: HttpRequest,
    article: Article,
    to: str,
    *,
    posted: f.TextForm | None = None,
    draft: services.Text | None = None,
    status: int = 200,
) -> HttpResponse:
    """The editor page; `posted` is a side shown as it was sent, `draft` a machine draft."""
    texts = {t.language: t for t in article.translations.all()}
    source = article.source_language
    desks = list(desks_visible_to(request.user))
    to, status = _target(request, article, to, desks, status)
    target = texts.get(to)
    outdated = to in outdated_languages(article)
    followed = None
    if outdated and target and target.source_version:
        followed = article.versions.filter(language=source, number=target.source_version).first()
    shown = {
        "article": article,
        "to": to,
        "source": texts.get(source),
        "target": target,
        "source_form": _side(texts, source, "source", posted),
        "target_form": _side(texts, to, "target", posted, draft),
        "source_name": f.language_name(source),
        "target_name": f.language_name(to),
        "draft": draft is not None,
        "machine": is_configured(),
        "outdated": outdated,
        "followed": followed,
        "changes": f.changes(followed, texts[source]) if followed and source in texts else [],
        "choices": f.language_choices(article, texts, to, desks),
        "practical": f.practical_sides(article, desks, [source, to]),
        "about": _about_form(article),
        "versions": article.versions.select_related("author").order_by("-created_at", "-pk")[:50],
    }
    return render(request, "console/guide/article.html", shown, status=status)


def _target(
    request: HttpRequest, article: Article, to: str, desks: list[Any], status: int
) -> tuple[str, int]:
    """The language to translate into: the one asked for, else the most needed one."""
    to = to.strip()
    if to and (len(to) > 16 or not LANGUAGE_CODE.match(to)):
        message = _("%(code)s is not a language code such as es, ar or zgh.") % {"code": to[:20]}
        status = _refused(request, Invalid(message))
        to = ""
    if to and to != article.source_language:
        return to, status
    present = sorted(t.language for t in article.translations.all())
    wanted = [
        *outdated_languages(article),
        *present,
        *f.desk_languages(desks),
        *dict(settings.LANGUAGES),
    ]
    return next(code for code in wanted if code != article.source_language), status


def _side(
    texts: dict[str, Translation],
    language: str,
    side: str,
    posted: f.TextForm | None,
    draft: services.Text | None = None,
) -> f.TextForm:
    versions = {code: t.version for code, t in texts.items()}
    if posted is not None and posted["language"].value() == language:
        posted.auto_id = f"{side}-%s"
        return posted
    initial = f.text_initial(texts.get(language), language)
    if draft is not None:
        initial = {**f.text_initial(draft, language), "based_on": versions.get(language, 0)}
    return f.TextForm(initial=initial, versions=versions, shown=language, auto_id=f"{side}-%s")


def _about_form(article: Article) -> f.AboutForm:
    related = " ".join(sorted(a.key for a in article.related.all()))
    initial = {"topic": article.topic.key, "related": related}
    return f.AboutForm(initial=initial, topics=f.topics(), auto_id="about-%s")


# The questions the guide did not answer


@guide_page
def gaps(request: HttpRequest) -> HttpResponse:
    """Open gaps of one's desks grouped by likeness, each group with what to do with it."""
    return _gaps_page(request)


@require_POST
@guide_page
def gap_article(request: HttpRequest) -> HttpResponse:
    """A new draft article from a group of gaps, which close with it as their answer."""
    require(request.user, "knowledge.add_article")
    form = f.ArticleForm(request.POST, topics=f.topics())
    try:
        found = _posted_gaps(request)
        f.valid(form)
        article = answer_with_article(entry=form.entry(), gaps=found, by=_user(request))
    except ServiceError as error:
        return _gaps_page(request, posted=form, status=_refused(request, error))
    message = _("Draft %(key)s saved; %(count)s questions closed with it.")
    messages.success(request, message % {"key": article.key, "count": len(found)})
    return HttpResponseRedirect(_editor_url(article))


@require_POST
@guide_page
def gap_question(request: HttpRequest) -> HttpResponse:
    """Teach an article a group's questions, as more ways people ask for it."""
    form = f.QuestionForm(request.POST)
    try:
        found = _posted_gaps(request)
        f.valid(form)
        article = _article(request.user, form.chosen)
        added = teach_article(article=article, gaps=found, by=_user(request), examples=EXAMPLES)
    except ServiceError as error:
        return _gaps_page(request, posted=form, status=_refused(request, error))
    message = _("Questions added to %(key)s: %(added)s. Gaps closed: %(closed)s.")
    messages.success(request, message % {"key": article.key, "added": added, "closed": len(found)})
    return HttpResponseRedirect(reverse("console:guide:gaps"))


@require_POST
@guide_page
def gap_aside(request: HttpRequest) -> HttpResponse:
    """Close a group of gaps the guide need not answer."""
    try:
        closed = close_gaps(gaps=_posted_gaps(request), by=_user(request))
    except ServiceError as error:
        return _gaps_page(request, status=_refused(request, error))
    messages.success(request, _("Set aside: %(closed)s questions.") % {"closed": closed})
    return HttpResponseRedirect(reverse("console:guide:gaps"))


def _posted_ids(request: HttpRequest) -> set[int]:
    values = request.POST.getlist("gap")
    if not values or len(values) > MAX_GROUPED or not all(GAP_ID.fullmatch(v) for v in values):
        raise Invalid(_("These questions could not be read: reload the page and try again."))
    return {int(v) for v in values}


def _posted_gaps(request: HttpRequest) -> list[Gap]:
    """The open gaps posted, all of them of the user's desks, or a refusal."""
    ids = _posted_ids(request)
    found = list(open_gaps(request.user).filter(pk__in=ids))
    if len(found) != len(ids):
        raise NotFound(
            _("Some of these questions are no longer open at your desks: nothing was changed.")
        )
    return found


def _gaps_page(
    request: HttpRequest, *, posted: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    """The gaps page; a form sent back with an error is shown again in its group."""
    waiting = open_gaps(request.user)
    groups = gap_groups(waiting.select_related("desk")[:MAX_GROUPED])
    try:
        posted_ids = _posted_ids(request) if posted is not None else set()
    except Invalid:
        posted_ids = set()
    known = f.topics()
    cards = [
        f.gap_card(
            number, group, known, posted if {g.pk for g in group.gaps} == posted_ids else None
        )
        for number, group in enumerate(groups[:GROUPS_SHOWN], start=1)
    ]
    shown = {"cards": cards, "count": waiting.count(), "more": max(len(groups) - GROUPS_SHOWN, 0)}
    return render(request, "console/guide/gaps.html", shown, status=status)
