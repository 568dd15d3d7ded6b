"""What the guide pages parse and work out for editors: their forms, a machine draft of a
translation, what changed in a source text since a translation followed it, the rows of the
list, the languages to translate into, each desk's practical details, the groups of gaps."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from ventanilla.console.forms import form_errors
from ventanilla.desks.validators import LANGUAGE_CODE
from ventanilla.knowledge.gaps import GapGroup
from ventanilla.knowledge.models import Article, Override, ReviewState, Topic, Translation, Version
from ventanilla.knowledge.search import Hit, search
from ventanilla.knowledge.selectors import articles_visible_to, outdated_languages
from ventanilla.knowledge.services import (
    KEY,
    MAX_BODY,
    MAX_QUESTION_LENGTH,
    MAX_QUESTIONS,
    PRACTICAL,
    Entry,
    Text,
)
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.lib.translate import MAX_CHARACTERS, translate

# Written right to left: their text areas say so rather than leaving it to the browser.
# Dialects such as Darija (ary) are left to "auto": they are written in Latin letters too.
RTL = frozenset({"ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})
RESERVED_KEYS = frozenset({"gaps"})  # /console/guide/gaps/ is the gaps page, not an article
QUESTION_LENGTH = MAX_QUESTION_LENGTH
QUESTIONS_LENGTH = MAX_QUESTIONS * (QUESTION_LENGTH + 1)


def direction(language: str) -> str:
    return "rtl" if language.split("-")[0].lower() in RTL else "auto"


def language_name(code: str) -> str:
    """A language's name in the console's language (Arabic for ar), else its code."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def one_line(text: str) -> str:
    return " ".join(text.split())


def topics() -> list[Topic]:
    return list(Topic.objects.order_by("name"))


def valid(form: forms.Form) -> dict[str, Any]:
    """A form's data, or the refusal its errors make: a conflict when it came too late."""
    if form.is_valid():
        return form.cleaned_data
    if form.has_error(NON_FIELD_ERRORS, "conflict"):
        raise Conflict(form_errors(form))
    raise Invalid(form_errors(form))


class LanguageField(forms.RegexField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Language"))
        message = _("Give a language code such as es, ar or zgh.")
        super().__init__(
            LANGUAGE_CODE, max_length=16, error_messages={"invalid": message}, **kwargs
        )


class KeyField(forms.RegexField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Key"))
        message = _("Use lower-case letters, digits, - or _ (passport-renewal).")
        super().__init__(KEY, max_length=120, error_messages={"invalid": message}, **kwargs)


class TextForm(forms.Form):
    """An article's text in one language, as one side of the editor sends it."""

    language = LanguageField(widget=forms.HiddenInput)
    based_on = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Markdown. {{practical}} marks where a desk's practical details go."),
    )
    questions = forms.CharField(
        label=_("How people ask for it, one question per line"),
        max_length=QUESTIONS_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args: Any, versions: Mapping[str, int], shown: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.versions = versions  # the version of each language's text today
        language = shown or str(self["language"].value() or "")
        for name in ("title", "body", "questions"):
            self.fields[name].widget.attrs.update({"lang": language, "dir": direction(language)})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        language, based_on = data.get("language"), data.get("based_on")
        current = self.versions.get(language or "", 0)
        if language and based_on is not None and based_on != current:
            # Shown again with the writer's text, now based on the version they overwrite.
            given: Any = self.data
            sent = given.copy()
            sent["based_on"] = str(current)
            self.data = sent
            message = _(
                "Someone saved this text since you opened it (it is now version %(version)s). "
                "Your text is kept here: save again to replace theirs, or reload to see it."
            )
            raise forms.ValidationError(message, code="conflict", params={"version": current})
        return data

    def text(self) -> Text:
        data = self.cleaned_data
        return Text(data["title"], data["body"], lines(data["questions"]))


def text_initial(translation: Translation | Text | None, language: str) -> dict[str, Any]:
    if translation is None:
        return {"language": language, "based_on": 0}
    return {
        "language": language,
        "based_on": getattr(translation, "version", None),
        "title": translation.title,
        "body": translation.body,
        "questions": "\n".join(translation.questions),
    }


class ArticleForm(forms.Form):
    """A new article: its key, topic and first text, in the language it is written in."""

    key = KeyField(help_text=_("How the guide names it for good; it cannot change later."))
    topic = forms.ChoiceField(label=_("Topic"))
    language = LanguageField(help_text=_("The language it is written in first."))
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    body = forms.CharField(
        label=_("Text"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"dir": "auto"})
    )
    questions = forms.CharField(
        label=_("How people ask for it, one question per line"),
        max_length=QUESTIONS_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def __init__(self, *args: Any, topics: Iterable[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["topic"]
        field.choices = [("", "—"), *((t.key, t.name_in()) for t in topics)]

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        if key in RESERVED_KEYS:
            raise forms.ValidationError(
                _("%(key)s is kept for a page of the console."), params={"key": key}
            )
        if Article.objects.filter(key=key).exists():
            raise forms.ValidationError(
                _("There is an article %(key)s already: choose another key."), params={"key": key}
            )
        return key

    def entry(self) -> Entry:
        data = self.cleaned_data
        text = Text(data["title"], data["body"], lines(data["questions"]))
        return Entry(
            key=data["key"],
            topic=data["topic"],
            translations={data["language"]: text},
            source_language=data["language"],
        )


def gap_initial(questions: list[str], reply: str, language: str, first_id: int) -> dict[str, Any]:
    """A new article prefilled from a group of gaps: its first question, the agent's reply."""
    title = one_line(questions[0])[:200]
    asked = [one_line(q) for q in questions]
    others = [q for q in dict.fromkeys(asked) if q != title and len(q) <= QUESTION_LENGTH]
    return {
        "key": slugify(title)[:120].strip("-") or f"gap-{first_id}",
        "language": language,
        "title": title,
        "body": reply,
        "questions": "\n".join(others[:MAX_QUESTIONS]),
    }


class QuestionForm(forms.Form):
    """Which article should know a group's questions: one of those found, or a key typed."""

    article = KeyField(label=_("Article"), required=False)
    key = KeyField(label=_("Or an article's key"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("key") or data.get("article")):
            raise forms.ValidationError(_("Choose an article, or type its key."))
        return data

    @property
    def chosen(self) -> str:
        return str(self.cleaned_data.get("key") or self.cleaned_data["article"])


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("Review state"), choices=ReviewState.choices)


class OverrideForm(forms.Form):
    desk = forms.SlugField(label=_("Desk"), max_length=50)
    language = LanguageField()
    practical = forms.CharField(
        label=_("Practical details"), max_length=10_000, required=False, widget=forms.Textarea
    )


class AboutForm(forms.Form):
    """An article's topic and the articles it leads to."""

    topic = forms.ChoiceField(label=_("Topic"))
    related = forms.CharField(
        label=_("Related articles"),
        max_length=2000,
        required=False,
        help_text=_("Their keys, separated by spaces or commas."),
    )

    def __init__(self, *args: Any, topics: Iterable[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["topic"]
        field.choices = [(t.key, t.name_in()) for t in topics]

    def clean_related(self) -> tuple[str, ...]:
        keys = tuple(dict.fromkeys(re.split(r"[\s,]+", self.cleaned_data["related"].strip())))
        keys = tuple(k for k in keys if k)
        wrong = [k for k in keys if not KEY.match(k)]
        if wrong:
            raise forms.ValidationError(
                _("%(key)s is not an article key."), params={"key": wrong[0]}
            )
        return keys


class ListForm(forms.Form):
    """The list's filters, from the query string."""

    topic = forms.ChoiceField(label=_("Topic"), required=False)
    state = forms.ChoiceField(
        label=_("Review state"), required=False, choices=[("", "—"), *ReviewState.choices]
    )
    language = LanguageField(required=False)
    untranslated = forms.BooleanField(label=_("Not yet in this language"), required=False)
    outdated = forms.BooleanField(label=_("Outdated translations"), required=False)
    q = forms.CharField(label=_("Key or title"), max_length=200, required=False)

    def __init__(self, *args: Any, topics: Iterable[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["topic"]
        field.choices = [("", "—"), *((t.key, t.name_in()) for t in topics)]


def machine_draft(source: Translation, *, language: str, into: str) -> Text:
    """The source text machine-translated into `into`, for a person to check before saving.
    The {{practical}} marker is kept out of the server's hands, the text sent in pieces of
    the size it takes; TranslationUnavailable when it cannot."""

    def translated(text: str) -> str:
        return translate(text, source=language, target=into).text if text.strip() else text

    body = PRACTICAL.join(
        "".join(_kept_spaces(piece, translated) for piece in _pieces(part))
        for part in source.body.split(PRACTICAL)
    )
    questions = lines(translated("\n".join(source.questions))) if source.questions else ()
    return Text(translated(source.title), body, questions)


def _pieces(text: str) -> list[str]:
    """Paragraphs gathered up to the server's limit; a longer paragraph cut at its lines,
    a longer line wherever it must be."""
    pieces: list[str] = []
    for paragraph in re.split(r"(?<=\n\n)", text):
        parts = [paragraph] if len(paragraph) <= MAX_CHARACTERS else paragraph.splitlines(True)
        for part in parts:
            while len(part) > MAX_CHARACTERS:
                pieces.append(part[:MAX_CHARACTERS])
                part = part[MAX_CHARACTERS:]
            if pieces and len(pieces[-1]) + len(part) <= MAX_CHARACTERS:
                pieces[-1] += part
            else:
                pieces.append(part)
    return pieces


def _kept_spaces(piece: str, translated: Any) -> str:
    """The piece translated, with the blank lines around it as they were."""
    start = len(piece) - len(piece.lstrip())
    end = len(piece.rstrip())
    return piece[:start] + translated(piece[start:end]) + piece[end:]


@dataclass(frozen=True)
class Change:
    kind: str  # "same", "removed" or "added"
    text: str


CONTEXT = 2  # unchanged lines shown around a change


def changes(before: Version | None, now: Translation) -> list[Change]:
    """What changed in a text since `before`, line by line, a few unchanged lines around
    each change and an ellipsis for the rest."""
    if before is None:
        return []
    old, new = _lines_of(before), _lines_of(now)
    shown: list[Change] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag == "equal":
            same = old[i1:i2]
            if len(same) > 2 * CONTEXT + 1:
                head = same[:CONTEXT] if shown else []
                tail = same[-CONTEXT:] if i2 < len(old) else []
                same = [*head, "…", *tail]
            shown.extend(Change("same", line) for line in same)
            continue
        shown.extend(Change("removed", line) for line in old[i1:i2])
        shown.extend(Change("added", line) for line in new[j1:j2])
    return shown


def _lines_of(text: Version | Translation) -> list[str]:
    questions = [f"? {q}" for q in text.questions]
    return [f"# {text.title}", *text.body.splitlines(), *questions]


def desk_languages(desks: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys([code for desk in desks for code in desk.languages]))


def main_language(desk: Any) -> str:
    return desk.languages[0] if desk.languages else settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Row:
    """An article as the list shows it."""

    article: Article
    languages: list[str]
    outdated: list[str]
    updated: datetime


def article_rows(user: Any, chosen: dict[str, Any]) -> list[Row]:
    """The articles the list shows, by the filters chosen."""
    found = articles_visible_to(user).order_by("key")
    if chosen.get("topic"):
        found = found.filter(topic__key=chosen["topic"])
    if chosen.get("state"):
        found = found.filter(state=chosen["state"])
    if q := chosen.get("q"):
        found = found.filter(Q(key__icontains=q) | Q(translations__title__icontains=q)).distinct()
    rows = [_row(article) for article in found]
    language = chosen.get("language")
    if language:
        missing = bool(chosen.get("untranslated"))
        rows = [row for row in rows if (language not in row.languages) == missing]
    if chosen.get("outdated"):
        rows = [row for row in rows if (language in row.outdated if language else row.outdated)]
    return rows


def _row(article: Article) -> Row:
    translations = list(article.translations.all())
    updated = max([article.updated_at, *(t.updated_at for t in translations)])
    languages = sorted(t.language for t in translations)
    return Row(article, languages, outdated_languages(article), updated)


def language_choices(
    article: Article, texts: dict[str, Translation], to: str, desks: list[Any]
) -> list[dict[str, Any]]:
    """The languages the switcher offers: the article's, the desks', and the one shown."""
    outdated = outdated_languages(article)
    codes = dict.fromkeys([*sorted(texts), *desk_languages(desks), to])
    return [
        {
            "code": code,
            "name": language_name(code),
            "present": code in texts,
            "outdated": code in outdated,
        }
        for code in codes
        if code != article.source_language
    ]


def practical_sides(
    article: Article, desks: list[Any], languages: list[str]
) -> list[dict[str, Any]]:
    """Each desk's practical details, in the source language and the one translated into."""
    found = Override.objects.filter(article=article, desk__in=desks, language__in=languages)
    texts = {(o.desk_id, o.language): o.practical for o in found}
    return [
        {
            "desk": desk,
            "sides": [
                {
                    "language": code,
                    "name": language_name(code),
                    "dir": direction(code),
                    "text": texts.get((desk.pk, code), ""),
                }
                for code in languages
            ],
        }
        for desk in desks
    ]


@dataclass
class Card:
    """A group of gaps on the page, with what its actions offer."""

    number: int
    group: GapGroup
    ids: list[int]
    article_form: ArticleForm
    question_form: QuestionForm
    found: list[Hit]


def gap_card(number: int, group: GapGroup, known: list[Any], posted: forms.Form | None) -> Card:
    """A group with its forms, prefilled (or as sent back with an error), and the published
    articles that answer its latest question best."""
    first = group.gaps[0]
    language = group.languages[0] if group.languages else main_language(first.desk)
    questions = [g.question for g in group.gaps]
    initial = gap_initial(questions, group.reply, language, first.pk)
    article_form = ArticleForm(initial=initial, topics=known)
    question_form = QuestionForm()
    if isinstance(posted, ArticleForm):
        article_form = posted
    elif isinstance(posted, QuestionForm):
        question_form = posted
    article_form.auto_id = f"group-{number}-new-%s"
    question_form.auto_id = f"group-{number}-teach-%s"
    found = search(first.question, hint=first.language, limit=5).hits
    return Card(number, group, [g.pk for g in group.gaps], article_form, question_form, found)
