"""Rights-violation and emergency reports: filed by staff or told to the bot (protection_flow),
read only by the desk's protection team and supervisors, and counted for analysts without a
word of what was told.

Filing a report makes its conversation a protection case in the protection team's queue; an
urgent one tells the team and the supervisors at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ventanilla.conversations import services as conversations
from ventanilla.conversations.models import Conversation, Priority
from ventanilla.desks.models import Desk, Team
from ventanilla.desks.selectors import desks_visible_to
from ventanilla.knowledge.text import fold
from ventanilla.lib.access import require
from ventanilla.lib.errors import Forbidden, Invalid
from ventanilla.privacy.services import audit
from ventanilla.referrals.models import (
    Perpetrator,
    ProtectionReport,
    ReportState,
    Urgency,
    Violation,
)
from ventanilla.referrals.selectors import one_of
from ventanilla.referrals.services import settings_of
from ventanilla.teamwork.models import NotificationKind
from ventanilla.teamwork.services import notify, supervisors_of

MAX_TEXT = 4000
MAX_PLACE = 200
MAX_PEOPLE = 10000
SMALLEST_PLACE = 3  # a place named in fewer reports is counted as "elsewhere"


@dataclass(frozen=True, kw_only=True)
class Told:
    """What a report says; empty fields are not known (yet)."""

    violation: str = ""
    account: str = ""
    when: str = ""
    happened_on: date | None = None
    place: str = ""
    perpetrator: str = ""
    perpetrator_name: str = ""
    people_affected: int = 1
    minors_affected: bool = False
    urgency: str = Urgency.NORMAL
    wants: str = ""


def check(told: Told) -> Told:
    """The report's fields, each within bounds (Invalid naming the first that is not)."""
    if told.violation and told.violation not in Violation.values:
        raise Invalid(f"violation must be one of {', '.join(Violation.values)}")
    if told.perpetrator and told.perpetrator not in Perpetrator.values:
        raise Invalid(f"perpetrator must be one of {', '.join(Perpetrator.values)}")
    if told.urgency not in Urgency.values:
        raise Invalid(f"urgency must be one of {', '.join(Urgency.values)}")
    if not 1 <= told.people_affected <= MAX_PEOPLE:
        raise Invalid(f"people_affected: from 1 to {MAX_PEOPLE}")
    if told.happened_on and told.happened_on > timezone.localdate():
        raise Invalid("happened_on: a day that has not come yet")
    if len(told.place) > MAX_PLACE:
        raise Invalid(f"place: at most {MAX_PLACE} characters")
    for name in ("account", "when", "perpetrator_name", "wants"):
        getattr(told, name) and conversations.clean_text(getattr(told, name), limit=MAX_TEXT)
    return told


@transaction.atomic
def file_report(*, conversation: Conversation, told: Told, by: User) -> ProtectionReport:
    """Staff file what the person told them (on the phone, in writing)."""
    if not (told.violation or told.account):
        raise Invalid("violation or account: say at least what happened")
    report = ProtectionReport(
        desk=conversation.desk,
        conversation=conversation,
        source="staff",
        by=by,
        language=conversation.language or conversation.contact.language,
        **vars(check(told)),
    )
    report.save()
    return filed(report, by=by)


def filed(report: ProtectionReport, *, by: User | None) -> ProtectionReport:
    """A complete report (or one left half-told) enters the register: its conversation
    becomes a protection case in the protection team's queue, urgent work when it is."""
    report.state, report.step, report.filed_at = ReportState.NEW, "", timezone.now()
    report.save(update_fields=["state", "step", "filed_at", "changed_at"])
    conversation = report.conversation
    team = settings_of(report.desk).protection_team
    if not conversation.restricted:
        conversations.restrict(conversation=conversation, restricted=True, by=by)
    if team is not None and conversation.team_id != team.pk:
        conversations.transfer(
            conversation=conversation, team=team, assignee=conversation.assignee, by=by
        )
    if report.is_urgent and conversation.priority != Priority.URGENT:
        conversations.update(conversation=conversation, by=by, changes={"priority": "urgent"})
    audit(actor=by, action="protection.file", target=conversation, report=report.pk,
          source=report.source, urgency=report.urgency)  # fmt: skip
    if report.is_urgent:
        notify(
            _readers(report.desk, team),
            kind=NotificationKind.PROTECTION,
            conversation=conversation,
            actor=by,
        )
    return report


def _readers(desk: Desk, team: Team | None) -> list[Any]:
    found = {user.pk: user for user in supervisors_of(desk)}
    if team is not None:
        found.update({p.user.pk: p.user for p in team.members.select_related("user")})
    return list(found.values())


@transaction.atomic
def set_state(
    *, report: ProtectionReport, state: str, by: User, told: Told | None = None
) -> ProtectionReport:
    """Move a filed report on (new, acting, closed), correcting what it says if need be."""
    if state not in (ReportState.NEW, ReportState.ACTING, ReportState.CLOSED):
        raise Invalid("state must be one of new, acting, closed")
    if report.state == ReportState.DRAFT:
        raise Invalid("the person is still telling this report")
    previous = report.state
    report.state = state
    if told is not None:
        for name, value in vars(check(told)).items():
            setattr(report, name, value)
    report.save()
    audit(actor=by, action="protection.state", target=report.conversation, report=report.pk,
          previous=previous, state=state)  # fmt: skip
    return report


# Who reads them


def protection_teams_of(user: Any) -> QuerySet[Team]:
    return Team.objects.filter(members__user=user)


def may_read_reports(user: Any) -> bool:
    """Whether the user reads some desk's reports (for the console's menu)."""
    if not user.has_perm("referrals.view_protectionreport"):
        return False
    if user.has_perm("desks.supervise_desk"):
        return True
    teams = protection_teams_of(user).values("pk")
    return desks_visible_to(user).filter(referral_settings__protection_team__in=teams).exists()


def reports_visible_to(user: Any) -> QuerySet[ProtectionReport]:
    """The filed reports of one's desks that one reads: all of them for the desk's
    supervisors (and administrators), those of desks whose protection team one is in for the
    rest; Forbidden for staff in no such team."""
    require(user, "referrals.view_protectionreport")
    if not may_read_reports(user):
        raise Forbidden("only the protection team and the desk's supervisors read reports")
    desks = desks_visible_to(user)
    found = ProtectionReport.objects.filter(desk__in=desks).exclude(state=ReportState.DRAFT)
    if not user.has_perm("desks.supervise_desk"):
        teams = protection_teams_of(user).values("pk")
        found = found.filter(desk__referral_settings__protection_team__in=teams)
    return found.select_related("desk", "conversation", "by")


def report_for(user: Any, report_id: int | str) -> ProtectionReport:
    found = one_of(reports_visible_to(user), report_id, "report")
    audit(actor=user, action="protection.read", target=found.conversation, report=found.pk)
    return found


def counts(
    desks: Iterable[Desk] | QuerySet[Desk], *, first: date | None, last: date | None
) -> list[dict[str, Any]]:
    """Reports by type, place and month: figures only. A place named in fewer than three
    reports is counted as elsewhere, so that no one is singled out by where they were."""
    found = ProtectionReport.objects.filter(desk__in=desks, filed_at__isnull=False)
    if first:
        found = found.filter(filed_at__date__gte=first)
    if last:
        found = found.filter(filed_at__date__lte=last)
    rows = list(found.order_by("filed_at").values_list("violation", "place", "filed_at"))
    spellings: dict[str, Counter[str]] = {}
    for _v, place, _at in rows:
        if place.strip():
            spellings.setdefault(fold(place).strip(), Counter())[place.strip()] += 1
    shown = {  # the most common spelling of each place names it (the earliest among equals)
        key: found_as.most_common(1)[0][0]
        for key, found_as in spellings.items()
        if found_as.total() >= SMALLEST_PLACE
    }
    tally = Counter(
        (
            violation or "unknown",
            shown.get(fold(place).strip(), ""),
            timezone.localtime(at).strftime("%Y-%m"),
        )
        for violation, place, at in rows
    )
    return [
        {"violation": v, "place": p or None, "month": m, "reports": n}
        for (v, p, m), n in sorted(tally.items())
    ]
