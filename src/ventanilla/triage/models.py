"""Triage's own rows: the routing rules that send conversations to teams."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.channels.models import Channel
from ventanilla.conversations.models import Priority
from ventanilla.desks.models import Desk, RequestType, Team


class RoutingRule(models.Model):
    """Where conversations go: the first active rule (in order) whose conditions all hold
    sends the conversation to its team; an empty condition holds for every conversation."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="routing_rules")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=120)
    request_type = models.ForeignKey(
        RequestType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("request type"),
    )
    topic = models.CharField(_("topic"), max_length=64, blank=True, default="")
    language = models.CharField(_("language"), max_length=16, blank=True, default="")
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("channel"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("team")
    )
    priority = models.CharField(
        _("set priority"),
        max_length=16,
        choices=Priority.choices,
        blank=True,
        default="",
        help_text=_("Leave empty to keep the conversation's priority."),
    )
    notify = models.BooleanField(
        _("tell the team at once"),
        default=False,
        help_text=_("Every member of the team is notified when a conversation arrives."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["desk", "position", "id"]
        db_table = "conversations_routingrule"  # made there, before triage had a room

    def __str__(self) -> str:
        return self.name
