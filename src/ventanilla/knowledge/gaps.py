"""What the guide did not answer: questions the bot could not, replies agents wrote without
it; kept, grouped by likeness for editors, and closed when the guide has learnt them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.knowledge import services, text
from ventanilla.knowledge.models import Article, Gap, GapSource
from ventanilla.lib.access import require
from ventanilla.lib.errors import Invalid
from ventanilla.privacy.services import audit

MAX_QUESTION = 1000
LIKENESS = 0.5  # share of words two questions have in common to be one group
MAX_GROUPED = 2000  # the most recent open gaps grouped at once


def record_gap(
    *, conversation: Conversation, source: str, question: str, reply: str = ""
) -> Gap | None:
    """Keep a question the guide did not answer (blank questions are not kept)."""
    question = question.strip()[:MAX_QUESTION]
    if not question:
        return None
    return Gap.objects.create(
        desk_id=conversation.desk_id,
        conversation=conversation,
        source=source,
        language=conversation.language,
        question=question,
        reply=reply.strip()[: MAX_QUESTION * 5],
    )


def record_agent_reply(*, message: Message) -> Gap | None:
    """An agent's first answer in a conversation, not drawn from the guide, is a gap: the
    question it answers is one the guide could learn. When the bot already kept the question
    as a gap, the answer completes that one."""
    if message.direction != Direction.OUT or message.author_id is None:
        return None
    if (message.details or {}).get("article"):
        return None
    earlier = Message.objects.filter(conversation_id=message.conversation_id, pk__lt=message.pk)
    outbound = earlier.filter(direction=Direction.OUT)
    if outbound.filter(author__isnull=False).exists():
        return None
    waiting = Gap.objects.filter(
        conversation_id=message.conversation_id, closed_at__isnull=True, reply=""
    ).first()
    if waiting is not None:  # the bot's gap for this question: the answer completes it
        waiting.reply = message.text.strip()[: MAX_QUESTION * 5]
        waiting.save(update_fields=["reply"])
        return waiting
    asked = [m.text for m in earlier.filter(direction=Direction.IN).order_by("pk") if m.text]
    if not asked:
        return None
    return record_gap(
        conversation=message.conversation,
        source=GapSource.AGENT,
        question="\n".join(asked[-3:]),
        reply=message.text,
    )


@transaction.atomic
def close_gaps(*, gaps: Iterable[Gap], by: User | None, article: Article | None = None) -> int:
    """The guide has learnt these questions (in `article`), or an editor set them aside."""
    ids = [gap.pk for gap in gaps]
    closed = Gap.objects.filter(pk__in=ids, closed_at__isnull=True).update(
        closed_at=timezone.now(), article=article
    )
    if closed:
        target = article or Gap.objects.get(pk=ids[0])
        audit(actor=by, action="gap.close", target=target, gaps=closed)
    return closed


@dataclass
class GapGroup:
    """Questions alike enough to be answered by one article."""

    words: set[str]  # those of its first question, which the others are like
    gaps: list[Gap] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.gaps)

    @property
    def examples(self) -> list[Gap]:
        return self.gaps[:3]

    @property
    def languages(self) -> list[str]:
        return sorted({g.language for g in self.gaps if g.language})

    @property
    def last_seen(self) -> datetime:
        return max(g.created_at for g in self.gaps)

    @property
    def reply(self) -> str:
        """An agent's answer to one of them, the start of an article."""
        return next((g.reply for g in self.gaps if g.reply), "")


def open_gaps(user: Any) -> QuerySet[Gap]:
    """The unanswered questions of the desks the user works at, for those who edit the guide."""
    require(user, "knowledge.change_article")
    return Gap.objects.filter(desk__in=desks_visible_to(user), closed_at__isnull=True).order_by(
        "-created_at"
    )


def gap_groups(gaps: Iterable[Gap]) -> list[GapGroup]:
    """Open gaps grouped by the words their questions share (stems, in their language),
    largest group first. Greedy: each question joins the first group it is like enough."""
    groups: list[GapGroup] = []
    for gap in gaps:
        words = set(text.terms(gap.question, gap.language or ""))
        home = next((g for g in groups if _likeness(words, g.words) >= LIKENESS), None)
        if home is None:
            home = GapGroup(words)
            groups.append(home)
        home.gaps.append(gap)
    return sorted(groups, key=lambda g: (-g.count, -g.last_seen.timestamp()))


def _likeness(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@transaction.atomic
def learn_from_reply(
    *, message: Message, by: User, article_key: str = "", title: str = "", topic: str = ""
) -> tuple[Article, bool]:
    """Turn an agent's answer into the guide in one step: the person's question becomes a
    question of `article_key`, or the question and the answer a new draft article titled
    `title`. The conversation's open gaps close with it. Says whether the article is new."""
    if message.direction != Direction.OUT or message.author_id is None:
        raise Invalid("only a reply written by staff can teach the guide")
    conversation = message.conversation
    asked = (
        Message.objects.filter(conversation=conversation, direction=Direction.IN, pk__lt=message.pk)
        .exclude(text="")
        .order_by("-pk")
        .first()
    )
    if asked is None:
        raise Invalid("no question of the person comes before this reply")
    language = conversation.language
    if not language:
        raise Invalid("the conversation's language is not known: set it first")
    if article_key:
        article = Article.objects.filter(key=article_key).first()
        if article is None:
            raise Invalid(f"there is no article {article_key!r}")
        services.add_question(article=article, language=language, question=asked.text, by=by)
        created = False
    else:
        article, _ = services.save_article(
            entry=services.Entry(
                key=_free_key(title),
                topic=topic or conversation.topic or "general",
                translations={language: services.Text(title, message.text, (asked.text[:300],))},
                source_language=language,
            ),
            by=by,
        )
        created = True
    open_here = Gap.objects.filter(conversation=conversation, closed_at__isnull=True)
    close_gaps(gaps=list(open_here), by=by, article=article)
    return article, created


def _free_key(title: str) -> str:
    base = (slugify(title)[:100] or "article").strip("-")
    key, n = base, 1
    while Article.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


@transaction.atomic
def answer_with_article(*, entry: services.Entry, gaps: list[Gap], by: User) -> Article:
    """A new article (a draft) written for a group of gaps, which close with it."""
    article, _ = services.save_article(entry=entry, by=by)
    close_gaps(gaps=gaps, by=by, article=article)
    return article


@transaction.atomic
def teach_article(*, article: Article, gaps: list[Gap], by: User, examples: int = 3) -> int:
    """Add the first questions of a group of gaps to an article, each in the gap's language
    when the article has it (else its source language), then close them. How many were new;
    a question too long to be one is left out."""
    languages = set(article.translations.values_list("language", flat=True))
    asked = dict.fromkeys((" ".join(g.question.split()), g.language) for g in gaps[:examples])
    added = 0
    for question, language in asked:
        if len(question) <= services.MAX_QUESTION_LENGTH:
            where = language if language in languages else article.source_language
            added += services.add_question(
                article=article, language=where, question=question, by=by
            )
    close_gaps(gaps=gaps, by=by, article=article)
    return added


def forget_gaps(sender: Any, conversation_ids: list[int], **kwargs: Any) -> None:
    """The gaps copied from conversations whose content is removed go with it."""
    Gap.objects.filter(conversation_id__in=conversation_ids).delete()
