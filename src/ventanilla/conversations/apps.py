from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ConversationsConfig(AppConfig):
    name = "ventanilla.conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from ventanilla.channels.services import delivery_accepted

        delivery_accepted.connect(_take_in_without_consumer, dispatch_uid="conversations")
        post_migrate.connect(_judge_unjudged, sender=self, dispatch_uid="conversations-judge")


def _take_in_without_consumer(sender: Any, delivery: Any, **kwargs: Any) -> None:
    """When the queue runs its tasks at once there is no consumer to read the intake table
    (tests, a one-off command): the delivery is taken in at once. Otherwise the consumer's
    intake loop reads it; the web server does nothing more."""
    from huey.contrib.djhuey import HUEY

    from ventanilla.conversations.inbound import take_in_now

    if HUEY.immediate:
        take_in_now(delivery)


# The migrations that gave conversations their stored verdicts: a migration run applying one
# of them judges the clocks that stopped before (once, on upgrade; a fresh installation has
# none). Later runs do not look again: the services judge every clock as it stops.
VERDICT_MIGRATIONS = {("conversations", "0015_clock_verdicts")}


def _judge_unjudged(sender: Any, using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    """After the migration that added service-level verdicts, those of the conversations
    whose clocks stopped before it."""
    from ventanilla.conversations.sla import judge_unjudged

    applied = {
        (migration.app_label, migration.name)
        for migration, backwards in plan or []
        if not backwards
    }
    if using == "default" and applied & VERDICT_MIGRATIONS:
        judge_unjudged()
