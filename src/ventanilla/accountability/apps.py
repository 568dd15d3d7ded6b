from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "ventanilla.accountability"
    verbose_name = "Accountability"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from ventanilla.accountability.services import desk_created, forget_complaint_texts
        from ventanilla.accountability.surveys import forget_comments
        from ventanilla.conversations.retention import content_removed
        from ventanilla.desks.models import Desk

        content_removed.connect(forget_complaint_texts, dispatch_uid="accountability")
        content_removed.connect(forget_comments, dispatch_uid="accountability-surveys")
        post_save.connect(desk_created, sender=Desk, dispatch_uid="accountability")
