from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "ventanilla.conversations"
    verbose_name = "Conversations"
