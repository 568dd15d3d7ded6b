"""The complaints register: the posts and services complaints concern, their categories,
complaints and suggestions with a number people quote, and the entries of each (filed,
amended, answered, closed), which are never changed once written."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.lib.names import NamedInLanguages
from ventanilla.privacy.fields import EncryptedTextField


class Post(NamedInLanguages):
    """A consular post or a service that people's complaints (and reports) concern."""

    desk = models.ForeignKey("desks.Desk", on_delete=models.CASCADE, related_name="posts")
    slug = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["desk", "name"]
        constraints = [
            models.UniqueConstraint(fields=["desk", "slug"], name="post_slug_unique_per_desk")
        ]

    def __str__(self) -> str:
        return self.name


class Category(NamedInLanguages):
    """What a complaint is about: waiting, conduct, wrong information..."""

    desk = models.ForeignKey(
        "desks.Desk", on_delete=models.CASCADE, related_name="complaint_categories"
    )
    slug = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["desk", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["desk", "slug"], name="category_slug_unique_per_desk")
        ]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")


class Source(models.TextChoices):
    PORTAL = "portal", _("the portal's form")
    MENU = "menu", _("a choice in the bot's menu")
    KEYWORD = "keyword", _("a word in a message")
    PHONE = "phone", _("the phone line's menu")
    STAFF = "staff", _("marked by staff")


class Complaint(models.Model):
    """A complaint or a suggestion, with the number the person quotes to follow it.

    Its post, category and state are those of its latest entries: the register itself is its
    entries, which are only ever added."""

    desk = models.ForeignKey("desks.Desk", on_delete=models.PROTECT, related_name="complaints")
    number = models.CharField(_("number"), max_length=24, unique=True)
    conversation = models.OneToOneField(
        "conversations.Conversation", on_delete=models.PROTECT, related_name="complaint"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.COMPLAINT)
    source = models.CharField(max_length=16, choices=Source.choices)
    post = models.ForeignKey(Post, on_delete=models.PROTECT, null=True, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["desk", "closed_at", "opened_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class EntryKind(models.TextChoices):
    FILED = "filed", _("Filed")
    AMENDED = "amended", _("Amended")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Entry(models.Model):
    """One line of the register: never changed once written (the database refuses), except
    that its text is removed with the conversation's content (retention, erasure)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    text = EncryptedTextField(blank=True, default="")
    changes = models.JSONField(default=dict, blank=True)  # {"post": [old, new], ...}
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the person or ventanilla itself wrote it.",
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.complaint.number} {self.kind}"


class Counter(models.Model):
    """The last complaint number given for a desk and year."""

    desk = models.ForeignKey("desks.Desk", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["desk", "year"], name="complaint_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.desk_id}-{self.year}: {self.last}"
