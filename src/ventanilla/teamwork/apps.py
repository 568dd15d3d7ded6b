"""The teamwork app's configuration."""

from django.apps import AppConfig


class TeamworkConfig(AppConfig):
    name = "ventanilla.teamwork"
    verbose_name = "Teamwork"

    def ready(self) -> None:
        from ventanilla.conversations.retention import content_removed
        from ventanilla.teamwork.services import forget_handover_lines

        content_removed.connect(forget_handover_lines, dispatch_uid="teamwork")
