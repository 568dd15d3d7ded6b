"""Desks, teams, staff profiles and request types."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.desks.validators import (
    validate_holidays,
    validate_language_codes,
    validate_special_days,
    validate_timezone,
    validate_weekly_hours,
)
from ventanilla.lib.names import NamedInLanguages
from ventanilla.privacy.fields import EncryptedTextField


class Assignment(models.TextChoices):
    """How new work reaches agents: they take it from the queue, or it is given to the
    available agent who speaks the language with the fewest open conversations, or to each
    such agent in turn."""

    MANUAL = "manual", _("Agents take work from the queue")
    LEAST_LOADED = "least-loaded", _("To the least-loaded available agent")
    ROUND_ROBIN = "round-robin", _("To each available agent in turn")


class Desk(NamedInLanguages):
    """A service point: a consulate's call centre, a ministry hotline, an NGO helpdesk."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        validators=[validate_language_codes],
        help_text=_("Language codes the desk answers in, the main one first."),
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=5,
        default="VT",
        validators=[RegexValidator(r"^[A-Z]{2,5}$", _("Two to five capital letters."))],
        help_text=_("Starts the reference numbers of this desk's conversations (VT-2026-000123)."),
    )
    hours = models.JSONField(
        _("opening hours"),
        default=dict,
        blank=True,
        validators=[validate_weekly_hours],
        help_text=_("Weekly opening hours in the desk's time zone, by day."),
    )
    holidays = models.JSONField(
        _("holidays"),
        default=list,
        blank=True,
        validators=[validate_holidays],
        help_text=_("Days the desk is closed: 2026-12-25 for one year, 01-01 for every year."),
    )
    special_days = models.JSONField(
        _("special days"),
        default=dict,
        blank=True,
        validators=[validate_special_days],
        help_text=_(
            "Exceptional closures and extended hours: that day's hours instead of the week's, "
            'such as {"2026-12-24": [["08:00", "12:00"]], "2026-03-02": []}.'
        ),
    )
    emergency_phone = models.CharField(
        _("emergency number"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("Told to people who write while the desk is closed."),
    )
    assignment = models.CharField(
        _("assignment of new work"),
        max_length=16,
        choices=Assignment.choices,
        default=Assignment.MANUAL,
    )
    content_retention_days = models.PositiveSmallIntegerField(
        _("keep content for (days after resolution)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "What people and staff wrote, files and recordings are removed this many days "
            "after a conversation is resolved or closed; dates, statuses and figures stay. "
            "Empty: kept until erased."
        ),
    )
    privacy_notice = models.BooleanField(
        _("privacy notice"),
        default=True,
        help_text=_(
            "The first time a person writes on a channel, tell them in their language that "
            "their messages are kept encrypted, for how long, and how to have them deleted."
        ),
    )
    two_factor_required = models.BooleanField(
        _("second factor for everyone"),
        default=False,
        help_text=_(
            "Agents of this desk also sign in with a code from an authenticator app "
            "(administrators and supervisors always do)."
        ),
    )
    report_language = models.CharField(
        _("reporting language"),
        max_length=8,
        blank=True,
        default="",
        db_default="",  # desks written by code of before (an upgrade under way): the default
        choices=settings.LANGUAGES,
        help_text=_(
            "The language of the desk's monthly reports; empty: the desk's main language when "
            "reports speak it, else English."
        ),
    )
    k_anonymity = models.PositiveSmallIntegerField(
        _("smallest group in anonymised data"),
        default=5,
        db_default=5,
        validators=[MinValueValidator(2)],
        help_text=_(
            "Anonymised trends for advocacy leave out every group of fewer conversations "
            "than this, so that nobody can be singled out."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("access_all_desks", "Can see the work of every desk"),
            ("supervise_desk", "Can watch queues and agents and reassign work"),
        ]

    def __str__(self) -> str:
        return self.name

    def console_language(self) -> str | None:
        """The console language closest to the desk's main one, if the console has it."""
        available = {code for code, _name in settings.LANGUAGES}
        main = self.languages[0] if self.languages else ""
        for code in (main, main.split("-")[0].lower()):
            if code in available:
                return code
        return None

    def reporting_language(self) -> str:
        """The language its reports are written in."""
        return self.report_language or self.console_language() or "en"


class Team(NamedInLanguages):
    """A group of staff within a desk, such as legal advice or protection."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=50)
    hours = models.JSONField(
        _("opening hours"),
        null=True,
        blank=True,
        validators=[validate_weekly_hours],
        help_text=_("Leave empty to keep the desk's calendar; set to give the team its own."),
    )
    holidays = models.JSONField(
        _("holidays"),
        default=list,
        blank=True,
        validators=[validate_holidays],
        help_text=_("The team's own closed days, besides the desk's."),
    )
    special_days = models.JSONField(
        _("special days"),
        default=dict,
        blank=True,
        validators=[validate_special_days],
        help_text=_("The team's own exceptional hours; they take precedence over the desk's."),
    )
    interpretation = models.BooleanField(
        _("interpretation support"),
        default=False,
        help_text=_("Receives conversations in languages no agent of the desk speaks."),
    )
    assignment = models.CharField(
        _("assignment of new work"),
        max_length=16,
        choices=Assignment.choices,
        blank=True,
        default="",
        help_text=_("Leave empty to do as the desk does."),
    )

    class Meta:
        ordering = ["desk", "name"]
        constraints = [
            models.UniqueConstraint(fields=["desk", "slug"], name="team_slug_unique_per_desk")
        ]

    def __str__(self) -> str:
        return f"{self.desk.slug}/{self.slug}"


class AgentProfile(models.Model):
    """What a member of staff brings to the desks they work at."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    desks = models.ManyToManyField(Desk, blank=True, related_name="staff")
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, validators=[validate_language_codes]
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How many open conversations this person handles at once."),
    )
    available = models.BooleanField(
        _("available"), default=True, help_text=_("Away staff get no new work.")
    )
    takes_work = models.BooleanField(
        _("takes conversations"),
        default=False,
        help_text=_(
            "Supervisors and administrators: offered and given conversations to answer, "
            "as agents always are."
        ),
    )
    ui_language = models.CharField(_("console language"), max_length=16, blank=True, default="")
    phone = EncryptedTextField(
        _("phone number"),
        blank=True,
        default="",
        help_text=_("Where the phone line rings this person to take calls (+country code)."),
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_assigned_at = models.DateTimeField(
        null=True, blank=True, help_text="When work was last given to them automatically."
    )

    def __str__(self) -> str:
        return self.user.get_username()


class RequestType(NamedInLanguages):
    """A kind of request with its service level, such as 'status of an application'."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="request_types")
    slug = models.SlugField(_("slug"), max_length=50)
    name = models.CharField(_("name"), max_length=120)
    first_response_hours = models.PositiveIntegerField(
        _("first response within (hours)"), null=True, blank=True
    )
    resolution_hours = models.PositiveIntegerField(
        _("resolution within (hours)"), null=True, blank=True
    )
    business_hours = models.BooleanField(
        _("count business hours only"),
        default=False,
        help_text=_("Count only the desk's opening hours towards the targets."),
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warn at (percentage of the target)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("The assignee and supervisors are warned when this share has passed."),
    )
    default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Given to new conversations until someone sets another (one per desk)."),
    )
    urgent = models.BooleanField(
        _("urgent"),
        default=False,
        help_text=_(
            "Rights violations, detention, abuse, medical emergencies: such conversations "
            "jump the queue and the team they are routed to is told at once."
        ),
    )
    restricted = models.BooleanField(
        _("protection case"),
        default=False,
        help_text=_(
            "Conversations of this type are seen only by the people assigned, their team and "
            "the desk's supervisors."
        ),
    )
    content_retention_days = models.PositiveSmallIntegerField(
        _("keep content for (days after resolution)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "For this kind of request, instead of the desk's: longer for rights violations "
            "that may go to court, shorter for simple questions. Empty: the desk's."
        ),
    )

    class Meta:
        ordering = ["desk", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "slug"], name="request_type_slug_unique_per_desk"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DeskText(models.Model):
    """A desk's own wording of an automatic text in one language.

    The catalogues (locale/) hold every public and automatic text in the languages ventanilla
    ships; a desk replaces one of them here (a better word for its people), confirms one that
    no native speaker had reviewed, or writes the texts of a language no catalogue has (such
    as Ukrainian in a crisis). `msgid` is the catalogue's English text the wording stands for.
    """

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=16)
    msgid_hash = models.CharField(max_length=64, editable=False)
    msgid = models.TextField(_("text in English"))
    text = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "language", "msgid_hash"], name="desk_text_unique_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.desk} [{self.language}] {self.msgid[:40]}"
