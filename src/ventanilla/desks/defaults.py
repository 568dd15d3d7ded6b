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
    },
    {
        "slug": "other",
        "name": gettext_noop("Other"),
        "first_response_hours": 48,
        "resolution_hours": 72,
        "default": True,
    },
]
