"""What of the audit log each person may read: administrators all of it, supervisors what
concerns their desks (their conversations and settings, and their staff's sign-ins)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from ventanilla.desks.selectors import desks_visible_to, staff_managed_by
from ventanilla.lib.access import require
from ventanilla.lib.tables import csv_lines
from ventanilla.lib.times import start_of_day
from ventanilla.privacy.models import AuditEntry


@dataclass(frozen=True)
class AuditFilters:
    first: date | None = None  # from this day on (the server's time zone)
    last: date | None = None  # up to this day, included
    actor: str = ""  # a username, or "system"
    action: str = ""  # "signin" finds signin, signin.refused...


def audit_visible_to(user: Any, filters: AuditFilters = AuditFilters()) -> QuerySet[AuditEntry]:
    require(user, "desks.supervise_desk")
    found = AuditEntry.objects.select_related("actor")
    if not (user.is_superuser or user.has_perm("desks.access_all_desks")):
        staff = list(staff_managed_by(user).values_list("pk", flat=True))
        found = found.filter(
            Q(desk__in=desks_visible_to(user))
            | Q(actor_id__in=staff)
            | Q(target_type="user", target_id__in=[str(pk) for pk in staff])
        )
    if filters.first:
        found = found.filter(at__gte=start_of_day(filters.first))
    if filters.last:
        found = found.filter(at__lt=start_of_day(filters.last + timedelta(days=1)))
    if filters.actor == "system":
        found = found.filter(actor__isnull=True)
    elif filters.actor:
        found = found.filter(actor__username=filters.actor)
    if filters.action:
        found = found.filter(Q(action=filters.action) | Q(action__startswith=f"{filters.action}."))
    return found.order_by("-at", "-pk")


COLUMNS = ["at", "actor", "action", "desk", "target_type", "target_id", "detail"]


def audit_row(entry: AuditEntry) -> list[str]:
    return [
        entry.at.isoformat(),
        entry.actor.get_username() if entry.actor else "system",
        entry.action,
        str(entry.desk_id or ""),
        entry.target_type,
        entry.target_id,
        _detail(entry.detail),
    ]


def _detail(detail: Any) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""


def audit_csv(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    """The entries as CSV lines, header first, read in chunks."""
    return csv_lines(COLUMNS, (audit_row(entry) for entry in entries.iterator(chunk_size=2000)))
