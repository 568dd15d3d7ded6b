from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "ventanilla.contacts"
    verbose_name = "Contacts"
