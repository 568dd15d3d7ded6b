"""The request types a new desk starts with, and their service levels.

The delays follow the consular centres this was designed with: conditions for a consular
service answered within 72 hours, the status of an application within 48; a rights
violation or an emergency is urgent and answered within the hour. Each desk changes them
to its own promises (docs/service-levels.md).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

DEFAULT_REQUEST_TYPES: list[dict[str, Any]] = [
    {
        "slug": "conditions",
        "name": gettext_noop("Information on conditions"),
        "first_response_hours": 24,
        "resolution_hours": 72,
    },
    {
        "slug": "application-status",
        "name": gettext_noop("Status of an application"),
        "first_response_hours": 24,
        "resolution_hours": 48,
    },
    {
        "slug": "complaint",
        "name": gettext_noop("Complaint"),
        "first_response_hours": 48,
        "resolution_hours": 360,
    },
    {
        "slug": "suggestion",
        "name": gettext_noop("Suggestion"),
        "first_response_hours": 72,
        "resolution_hours": None,
    },
    {
        "slug": "legal",
        "name": gettext_noop("Legal or regulatory question"),
        "first_response_hours": 48,
        "resolution_hours": 240,
    },
    {
        "slug": "rights-violation",
        "name": gettext_noop("Rights violation or emergency"),
        "first_response_hours": 1,
        "resolution_hours": 24,
        "urgent": True,
        "restricted": True,
    },
    {
        "slug": "other",
        "name": gettext_noop("Other"),
        "first_response_hours": 48,
        "resolution_hours": 72,
        "default": True,
    },
]

# The default request types' names in the languages ventanilla ships, by slug: kept apart
# from the fields above, which the data migration 0005 gives to desks as they are.
DEFAULT_NAMES: dict[str, dict[str, str]] = {
    "conditions": {
        "es": "Información sobre condiciones",
        "fr": "Informations sur les conditions",
        "ar": "معلومات عن الشروط",
        "nl": "Informatie over voorwaarden",
        "en": "Information on conditions",
        "it": "Informazioni sui requisiti",
        "de": "Informationen zu den Voraussetzungen",
        "zgh": "ⵉⵏⵖⵎⵉⵙⵏ ⵅⴼ ⵜⵉⵡⵜⵉⵍⵉⵏ",
    },
    "application-status": {
        "es": "Estado de un trámite",
        "fr": "Suivi d'un dossier",
        "ar": "حالة معاملة",
        "nl": "Status van een aanvraag",
        "en": "Status of an application",
        "it": "Stato di una pratica",
        "de": "Stand eines Antrags",
        "zgh": "ⴰⴷⴷⴰⴷ ⵏ ⵓⵙⵓⵜⵔ",  # noqa: RUF001 (Tifinagh letters)
    },
    "complaint": {
        "es": "Queja",
        "fr": "Réclamation",
        "ar": "شكوى",
        "nl": "Klacht",
        "en": "Complaint",
        "it": "Reclamo",
        "de": "Beschwerde",
        "zgh": "ⴰⵙⵖⵓⵢ",
    },
    "suggestion": {
        "es": "Sugerencia",
        "fr": "Suggestion",
        "ar": "اقتراح",
        "nl": "Suggestie",
        "en": "Suggestion",
        "it": "Suggerimento",
        "de": "Vorschlag",
        "zgh": "ⴰⵙⵓⵎⵔ",
    },
    "legal": {
        "es": "Consulta jurídica o normativa",
        "fr": "Question juridique ou réglementaire",
        "ar": "سؤال قانوني أو تنظيمي",
        "nl": "Vraag over wet- of regelgeving",
        "en": "Legal or regulatory question",
        "it": "Domanda giuridica o normativa",
        "de": "Rechtliche oder behördliche Frage",
        "zgh": "ⴰⵙⵇⵙⵉ ⴰⵣⵔⴼⴰⵏ",
    },
    "rights-violation": {
        "es": "Vulneración de derechos o emergencia",
        "fr": "Violation des droits ou urgence",
        "ar": "انتهاك حقوق أو حالة طارئة",
        "nl": "Schending van rechten of noodgeval",
        "en": "Rights violation or emergency",
        "it": "Violazione dei diritti o emergenza",
        "de": "Rechtsverletzung oder Notfall",
        "zgh": "ⴰⵙⵔⵓⵖ ⵏ ⵉⵣⵔⴼⴰⵏ ⵏⵖ ⵜⴰⵣⵣⵔⴰⵢⵜ",  # noqa: RUF001 (Tifinagh letters)
    },
    "other": {
        "es": "Otro",
        "fr": "Autre",
        "ar": "أخرى",
        "nl": "Overig",
        "en": "Other",
        "it": "Altro",
        "de": "Sonstiges",
        "zgh": "ⵢⴰⴹⵏ",
    },
}
