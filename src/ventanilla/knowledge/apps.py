"""The knowledge app's configuration."""

from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "ventanilla.knowledge"
    verbose_name = "Consular guide"
