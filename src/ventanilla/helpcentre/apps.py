from django.apps import AppConfig


class HelpcentreConfig(AppConfig):
    name = "ventanilla.helpcentre"
    verbose_name = "Help centre"
