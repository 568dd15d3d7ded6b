"""Queue entry points of assignment and service levels: each task loads rows and calls a
service; the rows say what is left to do, so the periodic pass makes a lost task harmless."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ventanilla.desks.models import Desk
from ventanilla.teamwork import assignment
from ventanilla.teamwork.service_levels import alert_service_levels


@db_task()
def assign_waiting_at(desk_id: int) -> None:
    desk = Desk.objects.filter(pk=desk_id).first()
    if desk is not None:
        assignment.assign_waiting(desk=desk)


@db_periodic_task(crontab(minute="*"))
def assign_waiting_work() -> None:
    """Every minute: work freed by closed conversations, or left by a lost task, goes out."""
    for desk in assignment.desks_with_assignment():
        assignment.assign_waiting(desk=desk)


@db_periodic_task(crontab(minute="*"))
def alert_service_levels_due() -> None:
    """Every minute: warnings before a service level is missed, escalations when it is."""
    alert_service_levels()
