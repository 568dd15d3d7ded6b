from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "ventanilla.calls"
    verbose_name = "Phone line"
