from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DesksConfig(AppConfig):
    name = "ventanilla.desks"
    verbose_name = "Desks"

    def ready(self) -> None:
        from ventanilla.desks.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="ventanilla-sync-roles")
