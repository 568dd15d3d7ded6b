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


def _judge_unjudged(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After a migration, the service-level verdicts of conversations that have none yet
    (an installation upgraded from before they were stored)."""
    from ventanilla.conversations.sla import judge_unjudged

    if using == "default":
        judge_unjudged()
