from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "ventanilla.privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from ventanilla.privacy.append_only import give_function

        connection_created.connect(give_function, dispatch_uid="privacy.append_only")
