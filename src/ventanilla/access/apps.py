from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "ventanilla.access"
    verbose_name = "Access"

    def ready(self) -> None:
        from ventanilla.access import signals  # noqa: F401 (connects the sign-in records)
