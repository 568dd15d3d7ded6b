from django.apps import AppConfig


class HelpcentreConfig(AppConfig):
    name = "ventanilla.helpcentre"
    verbose_name = "Help centre"

    def ready(self) -> None:
        from ventanilla.conversations.retention import content_removed, retention_due
        from ventanilla.helpcentre.applications import forget_looked_up_references
        from ventanilla.helpcentre.services import forget_contact_details

        content_removed.connect(forget_contact_details, dispatch_uid="helpcentre")
        retention_due.connect(forget_looked_up_references, dispatch_uid="helpcentre")
