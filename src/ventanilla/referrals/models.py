"""The directory of services (organisations and what they offer, where, to whom and in
which languages) and the referrals that send people to them, each followed until the
person is known to have been helped or not."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ventanilla.desks.validators import validate_language_codes
from ventanilla.lib.names import (
    NamedInLanguages,
    name_in,
    validate_texts,
)
from ventanilla.privacy.fields import EncryptedTextField

MAX_DESCRIPTION = 1000


class ServiceType(models.TextChoices):
    HEALTH = "health", _("Health care")
    SHELTER = "shelter", _("Shelter")
    FOOD = "food", _("Food")
    LEGAL = "legal", _("Legal aid")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    EMPLOYMENT = "employment", _("Work and employment")
    REMITTANCES = "remittances", _("Sending money home")
    EDUCATION = "education", _("Education and language classes")
    PROTECTION = "protection", _("Protection from violence and trafficking")
    CONSULAR = "consular", _("Consular services")
    OTHER = "other", _("Other help")


class Cost(models.TextChoices):
    FREE = "free", _("Free")
    LOW = "low", _("Low cost")
    PAID = "paid", _("Paid")


def validate_descriptions(value: object) -> None:
    """{"es": "...", "ar": "..."}: language codes to texts of at most 1000 characters."""
    validate_texts(value, limit=MAX_DESCRIPTION, what="description")


class Organisation(NamedInLanguages):
    """An organisation a desk refers people to: a clinic, an NGO, a consular post..."""

    desk = models.ForeignKey("desks.Desk", on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True, default="")

    class Meta:
        ordering = ["desk", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "name"], name="organisation_name_unique_per_desk"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Service(NamedInLanguages):
    """One service of an organisation, as people need to know it before they go: what, where,
    when, in which languages, at what cost, and whether they will be asked for papers."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    desk = models.ForeignKey("desks.Desk", on_delete=models.CASCADE, related_name="services")
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=16, choices=ServiceType.choices)
    description = models.TextField(_("description"), blank=True, default="", max_length=1000)
    descriptions = models.JSONField(
        _("description in other languages"),
        default=dict,
        blank=True,
        validators=[validate_descriptions],
    )
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, validators=[validate_language_codes]
    )
    country = models.CharField(
        _("country"), max_length=2, blank=True, default="", help_text=_("ISO code, such as ES")
    )
    region = models.CharField(_("region"), max_length=100, blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("As people read them, such as: Mon to Fri 9:00 to 17:00"),
    )
    cost = models.CharField(_("cost"), max_length=8, choices=Cost.choices, default=Cost.FREE)
    accepts_undocumented = models.BooleanField(_("helps people without papers"), default=True)
    asks_address = models.BooleanField(_("asks for an address"), default=False)
    asks_id = models.BooleanField(_("asks for an identity document"), default=False)
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")
    verified_on = models.DateField(_("last verified on"), null=True, blank=True)
    active = models.BooleanField(_("listed"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["desk", "name"]
        constraints = [
            models.UniqueConstraint(fields=["desk", "key"], name="service_key_unique_per_desk")
        ]
        indexes = [models.Index(fields=["desk", "active", "type"])]

    def __str__(self) -> str:
        return self.name

    def description_in(self, language: str | None = None) -> str:
        return name_in(self.description, self.descriptions, language or get_language())

    def place(self) -> str:
        return ", ".join(p for p in (self.city, self.region, self.country) if p)


class ReferralSettings(models.Model):
    """How a desk follows its referrals."""

    desk = models.OneToOneField(
        "desks.Desk", on_delete=models.CASCADE, primary_key=True, related_name="referral_settings"
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow a referral up after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    ask_person = models.BooleanField(
        _("ask the person whether they got help (when they agreed)"), default=True
    )
    protection_team = models.ForeignKey(
        "desks.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("protection team"),
        help_text=_(
            "Reads the desk's rights-violation reports, with the desk's supervisors; the "
            "conversation of a report goes to its queue."
        ),
    )
    share_history = models.BooleanField(
        _("a desk a conversation is transferred to reads what was written before"),
        default=True,
        help_text=_("Off: it reads only the note that goes with the transfer."),
    )

    def __str__(self) -> str:
        return f"referral settings of {self.desk}"


class ReferralState(models.TextChoices):
    """pending ──> reached | not-reached | declined; any of them may be corrected later by
    staff (a person who was not reached may be reached after all)."""

    PENDING = "pending", _("Pending")
    REACHED = "reached", _("Reached the service")
    NOT_REACHED = "not-reached", _("Did not reach the service")
    DECLINED = "declined", _("Declined")


class Referral(models.Model):
    """A person sent to a service from a conversation, with their consent, and followed up."""

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="referrals"
    )
    desk = models.ForeignKey("desks.Desk", on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    state = models.CharField(
        max_length=16, choices=ReferralState.choices, default=ReferralState.PENDING
    )
    follow_up = models.BooleanField(
        default=False, help_text="The person agreed to be asked whether they got help."
    )
    note = EncryptedTextField(blank=True, default="")
    language = models.CharField(max_length=16, blank=True, default="")
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    follow_up_at = models.DateTimeField(db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    asked_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The conversation, resolved when the person was asked, stays so when they answer.
    asked_resolved_at = models.DateTimeField(null=True, blank=True)
    asked_outcome = models.CharField(max_length=16, blank=True, default="")
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the person answered themselves.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["desk", "state", "follow_up_at"])]
        permissions = [("view_outcomes", "See referral outcomes (counts only)")]

    def __str__(self) -> str:
        return f"referral {self.pk} to {self.service}"

    @property
    def is_pending(self) -> bool:
        return self.state == ReferralState.PENDING


class Transfer(models.Model):
    """A person's case passed to another desk (a call centre to a consular post, a hotline to
    a partner organisation), with their consent: the case goes on there as a new
    conversation, on the same channel, and the first one ends as transferred."""

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="transfers_out"
    )
    to_conversation = models.OneToOneField(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="transferred_from"
    )
    from_desk = models.ForeignKey("desks.Desk", on_delete=models.PROTECT, related_name="+")
    to_desk = models.ForeignKey("desks.Desk", on_delete=models.PROTECT, related_name="+")
    note = EncryptedTextField(blank=True, default="")
    shares_history = models.BooleanField(
        default=True, help_text="The receiving desk reads what was written before."
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"transfer {self.pk} from {self.from_desk} to {self.to_desk}"


# Rights-violation and emergency reports


class Violation(models.TextChoices):
    DETENTION = "detention", _("Arrest or detention")
    VIOLENCE = "violence", _("Violence or ill-treatment by authorities")
    EXPULSION = "expulsion", _("Expulsion or push-back at a border")
    EXPLOITATION = "exploitation", _("Labour exploitation")
    TRAFFICKING = "trafficking", _("Trafficking in people")
    EXTORTION = "extortion", _("Extortion, robbery or kidnapping")
    DOMESTIC = "domestic", _("Domestic or sexual violence")
    DISCRIMINATION = "discrimination", _("Discrimination or a service refused")
    MISSING = "missing", _("A missing person")
    OTHER = "other", _("Something else")


class Perpetrator(models.TextChoices):
    POLICE = "police", _("Police")
    BORDER = "border", _("Border or immigration officials")
    MILITARY = "military", _("Soldiers")
    EMPLOYER = "employer", _("An employer")
    SMUGGLER = "smuggler", _("Smugglers or traffickers")
    CRIMINALS = "criminals", _("A criminal group")
    FAMILY = "family", _("A partner or a relative")
    OTHER = "other", _("Someone else")
    UNKNOWN = "unknown", _("Not known")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Someone is in danger now")
    URGENT = "urgent", _("Urgent: act within a day")
    NORMAL = "normal", _("Not urgent")


class ReportState(models.TextChoices):
    """draft (the bot is still asking) ──> new ──> acting ──> closed; a draft the person
    stops is removed, one they leave half-told is filed as it stands after a day."""

    DRAFT = "draft", _("Being told")
    NEW = "new", _("New")
    ACTING = "acting", _("Being acted on")
    CLOSED = "closed", _("Closed")


class ProtectionReport(models.Model):
    """What happened to a person (an arrest, violence, exploitation...), when, where, by
    whom, to how many, how urgent, and what they want done: read only by the desk's
    protection team and supervisors. What people told is encrypted; the type, the place's
    name, the month and the urgency are what anonymised counts are made of."""

    desk = models.ForeignKey(
        "desks.Desk", on_delete=models.PROTECT, related_name="protection_reports"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.PROTECT, related_name="protection_reports"
    )
    violation = models.CharField(
        _("what happened"), max_length=16, choices=Violation.choices, blank=True, default=""
    )
    account = EncryptedTextField(_("in the person's words"), blank=True, default="")
    when = EncryptedTextField(_("when"), blank=True, default="")
    happened_on = models.DateField(_("on"), null=True, blank=True)
    place = models.CharField(_("where"), max_length=200, blank=True, default="")
    perpetrator = models.CharField(
        _("by whom"), max_length=16, choices=Perpetrator.choices, blank=True, default=""
    )
    perpetrator_name = EncryptedTextField(_("which authority or employer"), blank=True, default="")
    people_affected = models.PositiveSmallIntegerField(_("people affected"), default=1)
    minors_affected = models.BooleanField(_("children among them"), default=False)
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    wants = EncryptedTextField(_("what the person wants done"), blank=True, default="")
    source = models.CharField(max_length=8, default="staff")  # staff | bot
    state = models.CharField(
        max_length=8, choices=ReportState.choices, default=ReportState.NEW, db_index=True
    )
    step = models.CharField(max_length=16, blank=True, default="")  # the bot's next question
    language = models.CharField(max_length=16, blank=True, default="")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the person told it to the bot.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    filed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["desk", "state", "filed_at"])]
        permissions = [("view_protection_counts", "See counts of reports (no content)")]

    def __str__(self) -> str:
        return f"protection report {self.pk}"

    @property
    def is_urgent(self) -> bool:
        return self.urgency in (Urgency.EMERGENCY, Urgency.URGENT)
