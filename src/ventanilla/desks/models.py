"""Desks, teams, staff profiles and request types."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.desks.validators import (
    validate_language_codes,
    validate_timezone,
    validate_weekly_hours,
)


class Desk(models.Model):
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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("access_all_desks", "Can see the work of every desk"),
            ("supervise_desk", "Can watch queues and agents and reassign work"),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A group of staff within a desk, such as legal advice or protection."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=50)

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
    ui_language = models.CharField(_("console language"), max_length=16, blank=True, default="")
    last_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.user.get_username()


class RequestType(models.Model):
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

    class Meta:
        ordering = ["desk", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "slug"], name="request_type_slug_unique_per_desk"
            )
        ]

    def __str__(self) -> str:
        return self.name
