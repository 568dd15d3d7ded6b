"""ventanilla: a contact centre and helpdesk for migrant information services."""

__version__ = "0.1.0"
