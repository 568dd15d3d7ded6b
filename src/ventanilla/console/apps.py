from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "ventanilla.console"
    verbose_name = "Console"
