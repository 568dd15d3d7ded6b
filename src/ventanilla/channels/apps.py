from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ChannelsConfig(AppConfig):
    name = "ventanilla.channels"
    verbose_name = "Channels"

    def ready(self) -> None:
        from ventanilla.channels.models import Channel

        post_save.connect(_forget, sender=Channel, dispatch_uid="channels-forget")
        post_delete.connect(_forget, sender=Channel, dispatch_uid="channels-forget-deleted")


def _forget(sender: Any, instance: Any, **kwargs: Any) -> None:
    """However a channel was changed in this process, its webhooks see the change at once."""
    from ventanilla.channels.selectors import forget_channel

    forget_channel(instance.pk)
