from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "ventanilla.channels"
    verbose_name = "Channels"
