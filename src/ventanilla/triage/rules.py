"""Routing rules written: added, changed, removed and put in order, each checked (the team,
request type and channel belong to the rule's desk) and audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ventanilla.desks.models import Desk
from ventanilla.desks.validators import LANGUAGE_CODE
from ventanilla.lib.errors import Invalid
from ventanilla.privacy.services import audit
from ventanilla.triage.models import RoutingRule

RULE_FIELDS = (
    "position", "name", "request_type", "topic", "language", "channel", "team",
    "priority", "notify", "active",
)  # fmt: skip


def _checked(rule: RoutingRule) -> None:
    for field in ("team", "request_type", "channel"):
        chosen = getattr(rule, field)
        if chosen is not None and chosen.desk_id != rule.desk_id:
            raise Invalid(f"{field}: choose one of the rule's desk")
    if rule.language and not LANGUAGE_CODE.match(rule.language):
        raise Invalid("language: a language code such as es, ar or ar-MA")
    try:
        rule.full_clean(exclude=["desk"])
    except ValidationError as error:
        raise Invalid(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        ) from None


@transaction.atomic
def add_rule(*, desk: Desk, by: User | None, name: str, **fields: Any) -> RoutingRule:
    """A new rule for the desk; without a position it goes last."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(sorted(unknown))}")
    Desk.objects.select_for_update().filter(pk=desk.pk).values_list("pk").get()
    if fields.get("position") is None:
        last = RoutingRule.objects.filter(desk=desk).aggregate(last=Max("position"))["last"]
        fields["position"] = 0 if last is None else last + 1
    rule = RoutingRule(desk=desk, name=name, **fields)
    _checked(rule)
    rule.save()
    audit(actor=by, action="routing_rule.create", target=rule, desk=desk.slug)
    return rule


@transaction.atomic
def update_rule(*, rule: RoutingRule, by: User | None, **changes: Any) -> RoutingRule:
    """Change a rule's conditions, team, order or whether it applies; its desk stays."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(rule, field, value)
    _checked(rule)
    rule.save()
    audit(
        actor=by, action="routing_rule.update", target=rule,
        desk=rule.desk.slug, fields=sorted(changes),
    )  # fmt: skip
    return rule


@transaction.atomic
def remove_rule(*, rule: RoutingRule, by: User | None) -> None:
    """Delete a rule: the next one in order applies to what it caught."""
    audit(actor=by, action="routing_rule.delete", target=rule, desk=rule.desk.slug)
    rule.delete()


@transaction.atomic
def reorder_rules(*, desk: Desk, order: list[int], by: User | None) -> list[RoutingRule]:
    """Put the desk's rules in the order of their ids; rules left out follow, as they were."""
    Desk.objects.select_for_update().filter(pk=desk.pk).values_list("pk").get()
    rules = {rule.pk: rule for rule in RoutingRule.objects.filter(desk=desk)}
    strangers = [pk for pk in order if pk not in rules]
    if strangers or len(set(order)) != len(order):
        raise Invalid("order: name each of the desk's rules once")
    ordered = [rules[pk] for pk in order] + [r for pk, r in rules.items() if pk not in order]
    for position, rule in enumerate(ordered):
        if rule.position != position:
            rule.position = position
            rule.save(update_fields=["position"])
    audit(actor=by, action="routing_rule.reorder", target=desk, order=[r.pk for r in ordered])
    return ordered
