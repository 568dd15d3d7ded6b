"""The knowledge app's configuration."""

from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "ventanilla.knowledge"
    verbose_name = "Consular guide"

    def ready(self) -> None:
        from ventanilla.conversations.retention import content_removed
        from ventanilla.knowledge.gaps import forget_gaps

        content_removed.connect(forget_gaps, dispatch_uid="knowledge")
