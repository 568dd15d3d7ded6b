"""The guide's topics and articles, their translations and versions, and desks' overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.desks.models import Desk
from ventanilla.lib.names import NamedInLanguages
from ventanilla.privacy.fields import EncryptedTextField


class Topic(NamedInLanguages):
    """A subject of the guide: passports, civil registry, health, legal help..."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Abuse, detention, trafficking, emergencies: always handed to a person."),
    )
    request_type = models.SlugField(
        _("request type"),
        max_length=50,
        blank=True,
        default="",
        help_text=_(
            "The slug of the request type a conversation on this topic gets, at the desks "
            "that have one (such as rights-violation)."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReviewState(models.TextChoices):
    """draft ──publish──> published ──unpublish──> draft"""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Article(models.Model):
    """One answer of the guide, known by a stable key, written in a source language and
    translated into others."""

    key = models.SlugField(_("key"), max_length=120, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="articles")
    source_language = models.CharField(
        _("source language"),
        max_length=16,
        help_text=_("The language the article is written in first; translations follow it."),
    )
    state = models.CharField(
        _("review state"), max_length=16, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # the search's freshness

    class Meta:
        ordering = ["key"]
        permissions = [
            ("learn_from_replies", "Can turn replies into draft articles and questions"),
        ]

    def __str__(self) -> str:
        return self.key


class Translation(models.Model):
    """An article in one language, with the ways people ask for it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=16)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Markdown."))
    questions = models.JSONField(
        _("alternative questions"),
        default=list,
        blank=True,
        help_text=_("How people ask for this article, one question each."),
    )
    version = models.PositiveIntegerField(default=1)
    source_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The version of the source-language text this translation follows.",
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # the search's freshness

    class Meta:
        ordering = ["article", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="translation_unique_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article.key} [{self.language}]"


class Version(models.Model):
    """What a translation said after one change, and who made it (append-only)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=16)
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    questions = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "language", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language", "number"], name="version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article.key} [{self.language}] v{self.number}"


class Override(models.Model):
    """A desk's own practical details for an article (hours, address, fees) in a language.

    They replace the article's `{{practical}}` marker, or follow its body when it has none,
    so that a consulate does not fork the whole article.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="overrides")
    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="article_overrides")
    language = models.CharField(_("language"), max_length=16)
    practical = models.TextField(_("practical details"), help_text=_("Markdown."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "desk", "language"], name="override_unique_per_desk_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article.key} at {self.desk.slug} [{self.language}]"


class BotSettings(models.Model):
    """Whether the guide answers a desk's people on its own, and on which topics.

    Off until a desk switches it on: a desk decides when its guide is ready to speak for it.
    """

    desk = models.OneToOneField(Desk, on_delete=models.CASCADE, related_name="bot_settings")
    enabled = models.BooleanField(_("the bot answers"), default=False)
    enabled_at = models.DateTimeField(
        _("answering since"),
        null=True,
        blank=True,
        help_text=_("Messages received before the bot was switched on are left to people."),
    )
    topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="+",
        verbose_name=_("topics"),
        help_text=_("The topics the bot may answer on; none chosen means every topic."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bot settings")
        verbose_name_plural = _("bot settings")

    def __str__(self) -> str:
        return f"bot of {self.desk.slug}"


class GapSource(models.TextChoices):
    BOT = "bot", _("The bot could not answer")
    AGENT = "agent", _("An agent answered without the guide")


class Gap(models.Model):
    """A question the guide did not answer: where editors find what to write next.

    Kept with its conversation: erasing the conversation erases it too.
    """

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=16, choices=GapSource.choices)
    language = models.CharField(max_length=16, blank=True)
    question = EncryptedTextField()
    reply = EncryptedTextField(blank=True)  # what the agent answered, when an agent did
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # what the gap became: a new article, or an article that now knows the question
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["desk", "closed_at", "created_at"])]

    def __str__(self) -> str:
        return f"gap {self.pk} at {self.desk_id}"
