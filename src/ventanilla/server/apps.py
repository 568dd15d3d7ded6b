from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "ventanilla.server"
    verbose_name = "Server"
