from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ventanilla.reports"
    verbose_name = "Reports"
