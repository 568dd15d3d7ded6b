"""The teamwork app's configuration."""

from django.apps import AppConfig


class TeamworkConfig(AppConfig):
    name = "ventanilla.teamwork"
    verbose_name = "Teamwork"
