"""The demo's names in the eight languages ventanilla ships: its desk, teams, topics,
canned responses' titles and the services people apply for (request types: desks/defaults.py).

The Tamazight names are written in Tifinagh, as the help centre shows Tamazight.
"""
# ruff: noqa: RUF001 (Tifinagh and Arabic letters are the point)

from __future__ import annotations

Names = dict[str, str]

DESK: Names = {
    "es": "Línea de información consular (demo)",
    "fr": "Ligne d'information consulaire (démo)",
    "ar": "خط المعلومات القنصلية (تجريبي)",
    "nl": "Consulaire informatielijn (demo)",
    "en": "Consular information line (demo)",
    "it": "Linea di informazione consolare (demo)",
    "de": "Konsularische Auskunftsstelle (Demo)",
    "zgh": "ⵜⵉⵍⵉⵖⵜ ⵏ ⵉⵏⵖⵎⵉⵙⵏ ⵉⵇⵓⵏⵚⵓⵍⵏ (ⴷⵉⵎⵓ)",
}

TEAMS: dict[str, Names] = {
    "information": {
        "es": "Información",
        "fr": "Information",
        "ar": "الاستعلامات",
        "nl": "Informatie",
        "en": "Information",
        "it": "Informazioni",
        "de": "Auskunft",
        "zgh": "ⵉⵏⵖⵎⵉⵙⵏ",
    },
    "legal": {
        "es": "Asesoría jurídica",
        "fr": "Conseil juridique",
        "ar": "الاستشارة القانونية",
        "nl": "Juridisch advies",
        "en": "Legal advice",
        "it": "Consulenza legale",
        "de": "Rechtsberatung",
        "zgh": "ⴰⵙⵓⵔⵙ ⴰⵣⵔⴼⴰⵏ",
    },
    "protection": {
        "es": "Protección",
        "fr": "Protection",
        "ar": "الحماية",
        "nl": "Bescherming",
        "en": "Protection",
        "it": "Protezione",
        "de": "Schutz",
        "zgh": "ⴰⵙⵎⵓⵔⵙ",
    },
    "interpretation": {
        "es": "Interpretación",
        "fr": "Interprétariat",
        "ar": "الترجمة الفورية",
        "nl": "Tolken",
        "en": "Interpretation",
        "it": "Interpretariato",
        "de": "Dolmetschen",
        "zgh": "ⴰⵙⵓⵖⵍ",
    },
}

TOPICS: dict[str, Names] = {
    "passports": {
        "es": "Pasaportes",
        "fr": "Passeports",
        "ar": "جوازات السفر",
        "nl": "Paspoorten",
        "en": "Passports",
        "it": "Passaporti",
        "de": "Reisepässe",
        "zgh": "ⵉⵙⵔⴰⴳⵏ",
    },
    "health": {
        "es": "Salud",
        "fr": "Santé",
        "ar": "الصحة",
        "nl": "Gezondheid",
        "en": "Health",
        "it": "Salute",
        "de": "Gesundheit",
        "zgh": "ⵜⴰⴷⵓⵙⵉ",
    },
    "abuse-and-emergencies": {
        "es": "Abusos y emergencias",
        "fr": "Abus et urgences",
        "ar": "الإساءة وحالات الطوارئ",
        "nl": "Misbruik en noodgevallen",
        "en": "Abuse and emergencies",
        "it": "Abusi ed emergenze",
        "de": "Missbrauch und Notfälle",
        "zgh": "ⵜⵉⵔⵓⵙⵉⵏ ⴷ ⵜⵉⵎⵣⵣⵔⴰⵢⵉⵏ",
    },
}

CANNED: dict[str, Names] = {
    "greeting": {
        "es": "Saludo",
        "fr": "Salutation",
        "ar": "التحية",
        "nl": "Begroeting",
        "en": "Greeting",
        "it": "Saluto",
        "de": "Begrüßung",
        "zgh": "ⴰⵙⵏⵓⴱⴳ",
    },
    "hours": {
        "es": "Horario",
        "fr": "Horaires",
        "ar": "أوقات العمل",
        "nl": "Openingstijden",
        "en": "Opening hours",
        "it": "Orari di apertura",
        "de": "Öffnungszeiten",
        "zgh": "ⵉⴽⵓⴷⴰⵏ ⵏ ⵓⵕⵥⵥⵓⵎ",
    },
    "passport": {
        "es": "Renovación del pasaporte",
        "fr": "Renouvellement du passeport",
        "ar": "تجديد جواز السفر",
        "nl": "Paspoort vernieuwen",
        "en": "Passport renewal",
        "it": "Rinnovo del passaporto",
        "de": "Passverlängerung",
        "zgh": "ⴰⵙⵏⴼⵍ ⵏ ⵓⵙⵔⴰⴳ",
    },
}

# By the service as the demo's imported rows write it.
SERVICES: dict[str, Names] = {
    "Passport": {
        "es": "Pasaporte",
        "fr": "Passeport",
        "ar": "جواز السفر",
        "nl": "Paspoort",
        "en": "Passport",
        "it": "Passaporto",
        "de": "Reisepass",
        "zgh": "ⴰⵙⵔⴰⴳ",
    },
    "Consular card": {
        "es": "Tarjeta consular",
        "fr": "Carte consulaire",
        "ar": "البطاقة القنصلية",
        "nl": "Consulaire kaart",
        "en": "Consular card",
        "it": "Carta consolare",
        "de": "Konsularausweis",
        "zgh": "ⵜⴰⴽⴰⵔⴹⴰ ⵜⴰⵇⵓⵏⵚⵓⵍⵜ",
    },
    "Birth certificate": {
        "es": "Certificado de nacimiento",
        "fr": "Acte de naissance",
        "ar": "شهادة الميلاد",
        "nl": "Geboorteakte",
        "en": "Birth certificate",
        "it": "Certificato di nascita",
        "de": "Geburtsurkunde",
        "zgh": "ⴰⵙⵍⴽⵏ ⵏ ⵜⵍⴰⵍⵉⵜ",
    },
}

# The posts and services the demo's complaints concern (accountability).
POSTS: dict[str, Names] = {
    "madrid": {
        "es": "Consulado General en Madrid",
        "fr": "Consulat général à Madrid",
        "ar": "القنصلية العامة في مدريد",
        "nl": "Consulaat-generaal in Madrid",
        "en": "Consulate General in Madrid",
        "it": "Consolato generale a Madrid",
        "de": "Generalkonsulat in Madrid",
        "zgh": "ⵜⴰⵇⵏⵚⵓⵍⵉⵜ ⵜⴰⵎⴰⵜⵓⵜ ⴳ ⵎⴰⴷⵔⵉⴷ",
    },
    "passports": {
        "es": "Servicio de pasaportes",
        "fr": "Service des passeports",
        "ar": "مصلحة جوازات السفر",
        "nl": "Paspoortdienst",
        "en": "Passport service",
        "it": "Servizio passaporti",
        "de": "Passdienst",
        "zgh": "ⵜⴰⵏⴰⴼⵓⵜ ⵏ ⵉⵣⵔⴰⵢⵏ",
    },
}
