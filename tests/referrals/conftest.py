"""A small directory of invented services, for the tests of searching and referring."""

from __future__ import annotations

import pytest

from ventanilla.referrals.directory import save_service

SERVICES = [  # key, organisation, type, city, region, country, languages
    ("clinica-salud", "Médicos del Barrio", "health", "Málaga", "Andalucía", "ES", ["es", "ar"]),
    ("albergue-sur", "Red de Acogida", "shelter", "Sevilla", "Andalucía", "ES", ["es"]),
    ("abogados-madrid", "Abogacía Solidaria", "legal", "Madrid", "Madrid", "ES", ["es", "fr"]),
    ("legal-malaga", "Abogacía Solidaria", "legal", "Málaga", "Andalucía", "ES", ["es", "ar"]),
    ("comedor-centro", "Comedor Social", "food", "Madrid", "Madrid", "ES", ["es", "en"]),
]


@pytest.fixture
def directory(desk):
    made = {}
    for key, organisation, kind, city, region, country, languages in SERVICES:
        made[key] = save_service(
            desk=desk,
            key=key,
            values={
                "organisation": organisation,
                "name": key.replace("-", " ").title(),
                "names": {"ar": f"خدمة {key}", "fr": f"Service {key}"},
                "type": kind,
                "description": "Atención sin cita previa.",
                "descriptions": {"ar": "بدون موعد مسبق.", "fr": "Sans rendez-vous."},
                "city": city,
                "region": region,
                "country": country,
                "languages": languages,
                "address": "Calle Inventada 1",
                "hours": "L-V 9:00-14:00",
                "phone": "+34 900 000 000",
                "cost": "free",
                "accepts_undocumented": True,
            },
            by=None,
        )
    return made
