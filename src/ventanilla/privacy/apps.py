from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "ventanilla.privacy"
    verbose_name = "Privacy"
