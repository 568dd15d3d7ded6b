"""The guide's bot: it answers people on messaging channels from the published guide, offers
the likeliest articles when unsure, and hands the conversation to people when it cannot help.

It speaks only for a desk that switched it on (BotSettings), in conversations nobody is
assigned to and no member of staff has written in since it last spoke. Where it stands (its
step, the article it answered with, the articles and menu it offered, the language it spoke,
the question it is answering) is kept in typed fields, written with each reply, or when it
passes a photo or a voice note on without a word, by conversations/automatic.py; its replies
carry only {"bot": step} in their details. "handover" leaves the conversation to people for
good; "resolved" (the person said the answer helped) lets the next message start afresh.
`respond` tells the pipeline what it did as a typed `Said`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ventanilla.channels.adapters.base import Choice, Menu
from ventanilla.conversations import automatic, services
from ventanilla.conversations.automatic import BotState
from ventanilla.conversations.models import (
    AutomaticReplies,
    BotStep,
    Conversation,
    Direction,
    Message,
    Outcome,
    Priority,
    Status,
)
from ventanilla.desks.hours import describe_opening, is_open, next_opening
from ventanilla.desks.models import RequestType
from ventanilla.desks.texts import speaking, spoken_language
from ventanilla.knowledge import bot_texts as say
from ventanilla.knowledge.gaps import record_gap
from ventanilla.knowledge.models import (
    BotSettings,
    GapSource,
    ReviewState,
    Topic,
    Translation,
)
from ventanilla.knowledge.search import Found, Hit, search
from ventanilla.knowledge.selectors import body_at
from ventanilla.lib.errors import ServiceError
from ventanilla.lib.links import isolate_web_addresses, public_url, web_addresses

logger = logging.getLogger(__name__)

# How much of an article each channel gets, in characters: a phone screen on WhatsApp and
# in the web chat, two text messages on SMS.
EXCERPT = {"whatsapp": 700, "twilio-sms": 320, "webchat": 700}
WHATSAPP_BODY = 1024  # the most an interactive message's text may hold
# Channels whose text phones show as it is: web addresses in right-to-left text are isolated
# with Unicode marks there, as HTML isolates them on the web.
PLAIN_TEXT = ("whatsapp", "twilio-sms")
OFFERED = 3  # articles offered when the bot is unsure
# Scores are shares of what a question could score at best (see search.py). Below these,
# an article shares a word or two with the question by chance: it is not offered, nor taken
# as a sign of an emergency. Measured on bench/data/kb_eval (docs/bot.md): offering from
# 0.05 keeps 94 % of the lists that hold the right article; taking only the first hit as
# the sign of an emergency catches as many as also taking close runners-up, with far fewer
# ordinary questions made urgent.
OFFER_SCORE = 0.03
SENSITIVE_SCORE = 0.03
# Kinds of message that say nothing to answer, and need nobody: a reaction, an edit...
IGNORED_KINDS = {"reaction", "revoke", "edit", "system"}

YES, NO, PERSON, ARTICLE = "bot.yes", "bot.no", "bot.person", "bot.article."
COMPLAINT = "bot.complaint"  # filed by triage (triage/complaints.py), before the bot speaks
REPORT = "bot.report"  # a rights-violation report, told question by question (referrals)
WAITING = (BotStep.ANSWERED, BotStep.OFFERED)  # steps that wait for the person's verdict


class Step(StrEnum):
    """What the bot did with a person's message."""

    SILENT = "silent"  # nothing: switched off, not its conversation, or nothing to say
    ANSWERED = "answer"  # an article, asking whether it helped
    OFFERED = "choices"  # the likeliest articles to choose from
    WELCOMED = "welcome"  # a greeting, asking what the person needs
    RESOLVED = "resolved"  # the person said the answer helped
    HANDED_OVER = "handover"  # left to people for good


@dataclass(frozen=True)
class Said:
    """The bot's typed answer to the pipeline: what it did and, on a handover, why."""

    step: Step
    reason: str = ""  # on a handover: asked, sensitive, not-helped, not-found, ... no-text
    urgent: bool = False
    language: str = ""  # the conversation's language as the guide found it, when it had none

    @property
    def holds(self) -> bool:
        """The bot keeps the conversation: people need not see it yet."""
        return self.step in (Step.ANSWERED, Step.OFFERED, Step.WELCOMED, Step.RESOLVED)

    @property
    def told_person(self) -> bool:
        """The bot wrote to the person (a handover of a photo or voice note says nothing)."""
        return self.step != Step.SILENT and self.reason != NO_TEXT


SILENT = Said(Step.SILENT)
NO_TEXT = "no-text"


@dataclass
class Turn:
    """One message from a person, and what the bot knows while it answers it."""

    conversation: Conversation
    message: Message
    state: AutomaticReplies  # where the bot stood before this message
    topics: set[str] | None  # the topics the desk lets the bot answer on; None: all
    now: datetime
    language: str = ""  # the catalogue the bot speaks from
    learnt: str = ""  # the conversation's language as the guide found it, when it had none

    @property
    def channel_type(self) -> str:
        return str(self.conversation.channel.type)


@transaction.atomic
def respond(*, message: Message) -> Said:
    """Answer a person's message from the guide if the desk lets the bot; says what it did.

    Run once the message is stored (a task); safe to run again for the same message.
    """
    bot = _switched_on(message)
    if bot is None:
        return SILENT
    conversation = (
        Conversation.objects.select_for_update(of=("self",))  # not the channel, desk, contact
        .select_related("desk", "channel", "contact")
        .get(pk=message.conversation_id)
    )
    if not _its_turn(conversation, message):
        return SILENT
    state = automatic.state_of(conversation)
    topics = set(bot.topics.values_list("key", flat=True)) or None
    turn = Turn(conversation, message, state, topics, timezone.now())
    try:
        with transaction.atomic():
            decision = replace(_decide(turn), language=turn.learnt)
    except ServiceError as error:  # the WhatsApp window closed while the message waited
        logger.info("bot: conversation %s message %s: %s", conversation.pk, message.pk, error.code)
        return SILENT
    logger.info(
        "bot: conversation %s message %s: %s %s",
        conversation.pk,
        message.pk,
        decision.step,
        decision.reason,
    )
    return decision


def _switched_on(message: Message) -> BotSettings | None:
    """The desk's bot, if on since before the message came."""
    bot = BotSettings.objects.filter(
        desk__conversations__pk=message.conversation_id, enabled=True
    ).first()
    if bot is None or (bot.enabled_at is not None and message.created_at < bot.enabled_at):
        return None
    return bot


def _its_turn(conversation: Conversation, message: Message) -> bool:
    """Whether the person's message is the bot's to answer: a channel it writes on, nobody
    assigned, not handed over, no member of staff writing since it last spoke."""
    if (
        message.direction != Direction.IN
        or conversation.channel.type not in EXCERPT
        or conversation.assignee_id is not None
        or conversation.status == Status.CLOSED
    ):
        return False
    state = automatic.state_of(conversation)
    return not (
        (state.bot_answered or 0) >= message.pk
        or state.bot_step == BotStep.HANDED_OVER
        or _staff_wrote(conversation, after=state.bot_marked or 0)
    )


def may_answer(message: Message) -> bool:
    """Whether ventanilla may answer the person's message on its own (the desk's bot is on
    and the conversation is not in people's hands): for other automatic answers."""
    if _switched_on(message) is None:
        return False
    conversation = Conversation.objects.select_related("channel").get(pk=message.conversation_id)
    return _its_turn(conversation, message)


def _staff_wrote(conversation: Conversation, *, after: int) -> bool:
    return Message.objects.filter(
        conversation=conversation, direction=Direction.OUT, author__isnull=False, pk__gt=after
    ).exists()


def _decide(turn: Turn) -> Said:
    message, state = turn.message, turn.state
    text = message.text.strip()
    if message.kind in IGNORED_KINDS:
        return SILENT
    if message.kind not in ("text", "interactive") or not text or message.attachments.exists():
        return _pass_on_silently(turn)
    choice = _choice(turn, text)
    wants_person, rest = (choice == PERSON, "") if choice else say.person_request(text)
    found = None
    if choice is None and not say.says_nothing(text):
        found = search(text, hint=_language(turn.conversation), limit=5)
    _learn_language(turn, found, text)
    if wants_person:  # what else the message says may still be an emergency
        found = None
        if rest and not say.says_nothing(rest):
            found = search(rest, hint=_language(turn.conversation), limit=5)
        if found is None or not _sensitive(found):
            if state.bot_step in WAITING:  # what the bot offered was not enough
                _keep_gap(turn)
            return _hand_over(turn, reason="asked")
    if found is not None and _sensitive(found):
        return _hand_over(turn, reason="sensitive", topic=found.hits[0].topic, urgent=True)
    if state.bot_step in WAITING and (choice == NO or (not choice and say.says_no(text))):
        _keep_gap(turn)
        return _hand_over(turn, reason="not-helped", topic=state.bot_topic)
    if state.bot_step == BotStep.ANSWERED and (
        choice == YES or (not choice and say.says_yes(text))
    ):
        return _thank_and_resolve(turn)
    if choice is not None and choice.startswith(ARTICLE):
        return _answer_chosen(turn, choice.removeprefix(ARTICLE))
    if choice is not None:  # yes or no to an answer given long ago: nothing to do
        return SILENT
    if found is None:  # only greetings, thanks, yes or no
        if state.bot_resolved and (say.says_yes(text) or say.only_greets(text)):
            services.resolve(conversation=turn.conversation, by=None, outcome=Outcome.ANSWERED)
            return Said(Step.RESOLVED, reason="thanked")
        if state.bot_step == BotStep.WELCOMED:
            return _hand_over(turn, reason="unclear")
        return _welcome(turn)
    return _look_up(turn, text, found, asked=message.pk)


def _language(conversation: Conversation) -> str:
    return conversation.language or conversation.contact.language


def _learn_language(turn: Turn, found: Found | None, text: str) -> None:
    """The language to answer in: the conversation's (decided by triage before the bot
    speaks), else the one the question was found in (a word or two: "cita"; told to triage
    to keep), else the one of the article it found or the one it spoke last, else the desk's
    main language."""
    conversation = turn.conversation
    if found and found.language and not _language(conversation):
        turn.learnt = found.language
    guessed = found.hits[0].language if found and found.hits else ""
    before = turn.state.bot_language  # what the bot spoke last time
    desk_languages = conversation.desk.languages or ["en"]
    spoken = _language(conversation) or turn.learnt or guessed or before or desk_languages[0]
    turn.language = spoken_language(conversation.desk, spoken)


def _choice(turn: Turn, text: str) -> str | None:
    return _chosen(turn.message, turn.state, text)


def choice_made(message: Message) -> str | None:
    """The id of the bot's choice a person's message makes (tapped, or its number or title
    written), or None."""
    state = automatic.state_of(message.conversation)
    return _chosen(message, state, (message.text or "").strip())


def _chosen(message: Message, state: AutomaticReplies, text: str) -> str | None:
    """The id of the bot's choice the person made: tapped, or written as its number or title."""
    chosen = message.tapped
    if chosen.startswith("bot."):
        return chosen
    offered = _offered_choices(state)
    number = say.number_chosen(text)
    if number is not None and 1 <= number <= len(offered):
        return str(offered[number - 1]["id"])
    return next((str(c["id"]) for c in offered if say.same_choice(text, str(c["title"]))), None)


def _offered_choices(state: AutomaticReplies) -> list[dict[str, Any]]:
    menu = state.bot_menu
    return list(menu.get("choices", [])) if isinstance(menu, dict) else []


def _keep_gap(turn: Turn) -> None:
    """Keep the question the person first asked, which the guide did not answer well."""
    asked = Message.objects.filter(conversation=turn.conversation, pk=turn.state.bot_question or 0)
    question = asked.values_list("text", flat=True).first() or ""
    record_gap(conversation=turn.conversation, source=GapSource.BOT, question=question)


def _look_up(turn: Turn, text: str, found: Found, *, asked: int) -> Said:
    if turn.topics is not None:
        allowed = search(text, hint=_language(turn.conversation), topics=turn.topics, limit=5)
        if _worth_offering(found) and not _worth_offering(allowed):
            # The guide knows, but the desk does not let the bot speak on this topic.
            return _hand_over(turn, reason="other-topic", topic=found.hits[0].topic)
        found = allowed
    if found.confident:
        translation_ = Translation.objects.select_related("article__topic").get(
            pk=found.hits[0].translation_id
        )
        return _answer(turn, translation_, asked=asked)
    if _worth_offering(found):
        return _offer(turn, found, asked=asked)
    record_gap(conversation=turn.conversation, source=GapSource.BOT, question=text)
    return _hand_over(turn, reason="not-found")


def _worth_offering(found: Found) -> bool:
    return bool(found.hits) and found.hits[0].score >= OFFER_SCORE


def _sensitive(found: Found) -> bool:
    """Whether the question is about abuse, detention, trafficking or an emergency: the
    first hit, sure or not, is on a sensitive topic."""
    if not found.hits or found.hits[0].score < SENSITIVE_SCORE:
        return False
    return bool(_sensitive_topics({found.hits[0].topic}))


def _sensitive_topics(keys: set[str]) -> set[str]:
    return set(Topic.objects.filter(key__in=keys, sensitive=True).values_list("key", flat=True))


def _answer_chosen(turn: Turn, key: str) -> Said:
    wanted = [turn.state.bot_language, turn.conversation.language, turn.language]
    found = (
        Translation.objects.filter(article__key=key, article__state=ReviewState.PUBLISHED)
        .select_related("article__topic")
        .order_by("pk")
    )
    if turn.topics is not None:
        found = found.filter(article__topic__key__in=turn.topics)
    translations = list(found)
    if not translations:
        return _hand_over(turn, reason="not-found")
    topic = translations[0].article.topic
    if topic.sensitive:  # always for a person, however it was reached
        return _hand_over(turn, reason="sensitive", topic=topic.key, urgent=True)
    chosen = next(
        (t for language in wanted for t in translations if language and t.language == language),
        next(
            (t for t in translations if t.language == t.article.source_language),
            translations[0],
        ),
    )
    return _answer(turn, chosen, asked=turn.state.bot_question or turn.message.pk)


def _answer(turn: Turn, translation_: Translation, *, asked: int) -> Said:
    """The article, short, with a link to all of it, and whether it answered the question."""
    conversation, article = turn.conversation, translation_.article
    place = {"desk": conversation.desk.slug, "lang": translation_.language, "key": article.key}
    link = public_url(reverse("helpcentre:guide-article", kwargs=place))
    body = say.plain_text(body_at(translation_, conversation.desk))
    with speaking(turn.conversation.desk, turn.language):
        ending = [say.read_all(link), say.did_it_help()]
        title = translation_.title
        if turn.channel_type == "whatsapp":
            title = f"*{title}*"  # bold on WhatsApp
        elif turn.channel_type == "twilio-sms":
            ending[-1] += " " + say.reply_with_number()
        frame = len(title) + sum(len(part) for part in ending) + 8
        if turn.channel_type in PLAIN_TEXT:  # room for the marks that isolate addresses
            frame += 2 * (len(list(web_addresses(body))) + 1)
        room = EXCERPT[turn.channel_type]
        if turn.channel_type == "whatsapp":
            room = min(room, WHATSAPP_BODY - frame)
        text = "\n\n".join([title, say.shorten(body, max(room, 0)), *ending])
        if turn.channel_type in PLAIN_TEXT:
            text = isolate_web_addresses(text)
        menu = Menu(
            choices=(
                Choice(YES, say.yes_label()),
                Choice(NO, say.no_label()),
                Choice(PERSON, say.person_label()),
            )
        )
    _classify(conversation, article.topic.key)
    state = BotState(
        step=BotStep.ANSWERED,
        answered=turn.message.pk,
        article=article.key,
        topic=article.topic.key,
        language=translation_.language,
        question=asked,
    )
    _send(turn, text, menu, state, article=article.key)
    services.wait_for_person(conversation=conversation, by=None)
    return Said(Step.ANSWERED)


def _offer(turn: Turn, found: Found, *, asked: int) -> Said:
    """The likeliest articles as a list to choose from, and a person as the last choice."""
    sensitive = _sensitive_topics({hit.topic for hit in found.hits})
    hits = [hit for hit in found.hits if hit.topic not in sensitive][:OFFERED]
    if not hits:
        return _hand_over(turn, reason="sensitive", topic=found.hits[0].topic, urgent=True)
    titles = _titles_to_offer(turn, hits)
    with speaking(turn.conversation.desk, turn.language):
        rows = [
            Choice(ARTICLE + hit.key, say.titled(title, language, speaking=turn.language))
            for hit, (title, language) in zip(hits, titles, strict=True)
        ]
        rows.append(Choice(PERSON, say.person_label()))
        text = say.is_it_one_of_these()
        if turn.channel_type == "twilio-sms":
            text += " " + say.reply_with_number()
        menu = Menu(choices=tuple(rows), button=say.list_button(), section=say.list_section())
    keys = [hit.key for hit in hits]
    state = BotState(
        step=BotStep.OFFERED,
        answered=turn.message.pk,
        offered=keys,
        language=titles[0][1],
        question=asked,
    )
    _send(turn, text, menu, state)
    services.wait_for_person(conversation=turn.conversation, by=None)
    return Said(Step.OFFERED)


def _titles_to_offer(turn: Turn, hits: list[Hit]) -> list[tuple[str, str]]:
    """Each article's title and its language: in the conversation's language (Darija's in
    Arabic) where the article has it, else as the search found it."""
    spoken = _language(turn.conversation)
    wanted = [lang for lang in (spoken, "ar" if spoken == "ary" else "", turn.language) if lang]
    found = Translation.objects.filter(
        article__key__in=[hit.key for hit in hits], language__in=wanted
    ).values_list("article__key", "language", "title")
    titles: dict[str, tuple[str, str]] = {}
    for language in reversed(wanted):  # the first wanted language wins
        titles.update({key: (title, lang) for key, lang, title in found if lang == language})
    return [titles.get(hit.key, (hit.title, hit.language)) for hit in hits]


def _welcome(turn: Turn) -> Said:
    with speaking(turn.conversation.desk, turn.language):
        text = say.welcome(turn.conversation.desk.name_in(turn.language))
        menu = Menu(
            choices=(
                Choice(PERSON, say.person_label()),
                Choice(REPORT, say.report_label()),
                Choice(COMPLAINT, say.complaint_label()),
            )
        )
    _send(turn, text, menu, BotState(step=BotStep.WELCOMED, answered=turn.message.pk))
    services.wait_for_person(conversation=turn.conversation, by=None)
    return Said(Step.WELCOMED)


def _thank_and_resolve(turn: Turn) -> Said:
    with speaking(turn.conversation.desk, turn.language):
        text = say.thanks()
    state = BotState(
        step=BotStep.RESOLVED, answered=turn.message.pk, article=turn.state.bot_article
    )
    _send(turn, text, None, state)
    services.resolve(conversation=turn.conversation, by=None, outcome=Outcome.ANSWERED)
    return Said(Step.RESOLVED)


def _hand_over(turn: Turn, *, reason: str, topic: str = "", urgent: bool = False) -> Said:
    """Tell the person a person will answer (and when, out of hours); leave the
    conversation to the desk's people, labelled with its topic."""
    conversation, desk = turn.conversation, turn.conversation.desk
    closed = not is_open(desk, turn.now)
    opening = next_opening(desk, turn.now) if closed else None
    with speaking(turn.conversation.desk, turn.language):
        opens = describe_opening(desk, opening, now=turn.now) if opening else None
        text = say.person_will_answer(
            urgent=urgent, opens=opens, closed=closed, emergency_phone=desk.emergency_phone
        )
    if topic:
        _classify(conversation, topic)
    if urgent:
        services.classify(conversation=conversation, by=None, priority=Priority.URGENT)
    state = BotState(step=BotStep.HANDED_OVER, answered=turn.message.pk, topic=topic, reason=reason)
    _send(turn, text, None, state)
    return Said(Step.HANDED_OVER, reason=reason, urgent=urgent)


def _pass_on_silently(turn: Turn) -> Said:
    """A photo, a voice note, a location: for a person to look at; the bot steps back."""
    state = BotState(step=BotStep.HANDED_OVER, answered=turn.message.pk, reason=NO_TEXT)
    automatic.mark(conversation=turn.conversation, state=state)
    return Said(Step.HANDED_OVER, reason=NO_TEXT)


def _classify(conversation: Conversation, topic: str) -> None:
    """The conversation's topic, the request type the topic names (unless someone chose
    another than the desk's default), and the topic as one of its tags (the others kept)."""
    changes: dict[str, Any] = {}
    if len(topic) <= 64 and conversation.topic != topic:
        changes["topic"] = topic
    current = conversation.request_type
    if current is None or current.default:
        slug = Topic.objects.filter(key=topic).values_list("request_type", flat=True).first()
        found = RequestType.objects.filter(desk=conversation.desk_id, slug=slug).first()
        if slug and found is not None and found != current:
            changes["request_type"] = found
    if changes:
        services.classify(conversation=conversation, by=None, **changes)
    names = [tag.name for tag in conversation.tags.all()]
    if services.TAG_NAME.match(topic) and topic not in names:
        services.set_tags(conversation=conversation, names=[*names, topic], by=None)


def _send(
    turn: Turn, text: str, menu: Menu | None, state: BotState, *, article: str = ""
) -> Message:
    """Queue the bot's reply, and where the bot stands once it is sent."""
    return automatic.reply(
        conversation=turn.conversation, text=text, state=state, menu=menu, article=article
    )
