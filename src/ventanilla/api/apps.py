from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ventanilla.api"
    verbose_name = "API"
