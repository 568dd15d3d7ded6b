"""The complaints register: the posts and services complaints concern, their categories,
complaints and suggestions with a number people quote, and the entries of each (filed,
amended, answered, closed), which are never changed once written."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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


# Satisfaction surveys


class SurveySettings(models.Model):
    """How a desk asks the people it served what they thought (off until a desk turns it on)."""

    desk = models.OneToOneField(
        "desks.Desk", on_delete=models.CASCADE, primary_key=True, related_name="survey_settings"
    )
    enabled = models.BooleanField(_("ask people after their question is resolved"), default=False)
    period_days = models.PositiveSmallIntegerField(
        _("at most one survey per person every (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    expire_hours = models.PositiveSmallIntegerField(
        _("an unanswered survey expires after (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    template = models.CharField(
        _("WhatsApp template that invites to the survey"),
        max_length=512,
        blank=True,
        default="",
        help_text=_(
            "An approved template, sent when the person's last message is more than 24 hours "
            "old; without one, such people are not asked."
        ),
    )
    alert_score = models.PositiveSmallIntegerField(
        _("tell the supervisors of a score at or below"),
        default=2,
        validators=[MaxValueValidator(4)],
        help_text=_("0: never. A comment is always told."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "survey settings"

    def __str__(self) -> str:
        return f"surveys of {self.desk_id}"


class SurveyState(models.TextChoices):
    INVITED = "invited", _("Invited by template, no answer yet")
    SCORE = "score", _("Asked for a score")
    SOLVED = "solved", _("Asked whether the question was solved")
    COMMENT = "comment", _("Asked for a comment")
    DONE = "done", _("Answered")
    DECLINED = "declined", _("Declined surveys")
    EXPIRED = "expired", _("Expired")
    SKIPPED = "skipped", _("Not asked")


OPEN_STATES = (SurveyState.INVITED, SurveyState.SCORE, SurveyState.SOLVED, SurveyState.COMMENT)


class Skip(models.TextChoices):
    """Why a resolved conversation's person was not asked."""

    PROTECTION = "protection", _("a protection or urgent case")
    DECLINED = "declined", _("the person declined follow-up or surveys")
    RECENT = "recent", _("asked recently")
    CHANNEL = "channel", _("the channel cannot ask")
    WINDOW = "window", _("outside the reply window, and no template")
    OUTCOME = "outcome", _("the outcome asks for no survey")
    UNSENT = "unsent", _("could not be sent")


class Survey(models.Model):
    """One person's survey about one resolution (or one call), with what they answered and
    what it is about: agent, team, request type, language, channel and post, as they stood
    when the person was asked."""

    desk = models.ForeignKey("desks.Desk", on_delete=models.CASCADE, related_name="surveys")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="surveys"
    )
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "desks.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request_type = models.ForeignKey(
        "desks.RequestType", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    language = models.CharField(max_length=16, blank=True, default="")
    call_sid = models.CharField(max_length=64, blank=True, default="")  # a keypad survey's call
    resolved_at = models.DateTimeField(null=True, blank=True)  # the resolution it is about
    outcome = models.CharField(max_length=16, blank=True, default="")
    state = models.CharField(max_length=16, choices=SurveyState.choices)
    skipped = models.CharField(max_length=16, choices=Skip.choices, blank=True, default="")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    solved = models.BooleanField(null=True, blank=True)
    comment = EncryptedTextField(blank=True, default="")
    has_comment = models.BooleanField(default=False)  # the comment is unreadable to counts
    asked_at = models.DateTimeField(auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "desk", "asked_at"]),
            models.Index(fields=["state", "expires_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "resolved_at"],
                condition=models.Q(resolved_at__isnull=False),
                name="one_survey_per_resolution",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"survey {self.pk} ({self.state})"


# Quality reviews


class Scale(models.TextChoices):
    YES_NO = "yes-no", _("Yes or no")
    ONE_TO_FIVE = "1-5", _("1 to 5")


class Criterion(NamedInLanguages):
    """One line of a desk's scorecard: correct information, empathy, the person's language,
    the procedure followed... with its weight in the review's score."""

    desk = models.ForeignKey("desks.Desk", on_delete=models.CASCADE, related_name="criteria")
    slug = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["desk", "order", "name"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["desk", "slug"], name="criterion_slug_unique_per_desk")
        ]

    def __str__(self) -> str:
        return self.name


class QualitySettings(models.Model):
    desk = models.OneToOneField(
        "desks.Desk", on_delete=models.CASCADE, primary_key=True, related_name="quality_settings"
    )
    sample_per_week = models.PositiveSmallIntegerField(
        _("conversations drawn per agent and week"),
        default=2,
        validators=[MaxValueValidator(50)],
        help_text=_(
            "At random among those each agent resolved; every conversation with a low "
            "survey score or a complaint is reviewed besides. 0: none drawn."
        ),
    )

    class Meta:
        verbose_name_plural = "quality settings"

    def __str__(self) -> str:
        return f"quality reviews of {self.desk_id}"


class ReviewReason(models.TextChoices):
    SAMPLE = "sample", _("Drawn at random")
    LOW_SCORE = "low-score", _("A low survey score")
    COMPLAINT = "complaint", _("A complaint")


class ReviewState(models.TextChoices):
    TO_REVIEW = "to-review", _("To review")
    REVIEWED = "reviewed", _("Reviewed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the agent")


class Review(models.Model):
    """A supervisor's review of one agent's work on one conversation: the scorecard's
    ratings, the weighted score and feedback the agent reads and acknowledges."""

    desk = models.ForeignKey("desks.Desk", on_delete=models.CASCADE, related_name="reviews")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="reviews"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=16, choices=ReviewReason.choices)
    week = models.DateField(help_text="The Monday of the week the conversation was resolved.")
    state = models.CharField(
        max_length=16, choices=ReviewState.choices, default=ReviewState.TO_REVIEW
    )
    score = models.FloatField(null=True, blank=True)  # 0-100, the ratings weighted
    feedback = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week", "-created_at", "-id"]
        indexes = [models.Index(fields=["desk", "state", "week"])]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "agent"], name="one_review_per_agent")
        ]

    def __str__(self) -> str:
        return f"review {self.pk} of {self.agent_id} ({self.state})"


class Rating(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField()  # yes or no: 1 or 0; otherwise 1 to 5

    class Meta:
        ordering = ["criterion__order", "criterion__name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_rating_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class ConversationPost(models.Model):
    """The consular post or service a conversation concerns, as staff set it (or its
    complaint did): what surveys and reports count it under."""

    conversation = models.OneToOneField(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="post_concerned",
    )
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.post_id}"
