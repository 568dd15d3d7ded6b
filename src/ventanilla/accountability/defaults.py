"""The categories of complaints a desk starts with, named in each language ventanilla ships
(the Tamazight names are unreviewed by a native speaker, as the catalogue's are marked).
A desk renames them, adds its own and its posts and services (docs/accountability.md)."""

from __future__ import annotations

DEFAULT_CATEGORIES: dict[str, dict[str, str]] = {
    "waiting": {
        "en": "Waiting times and delays",
        "es": "Esperas y retrasos",
        "fr": "Attente et retards",
        "ar": "الانتظار والتأخير",
        "nl": "Wachttijden en vertraging",
        "it": "Attese e ritardi",
        "de": "Wartezeiten und Verzögerungen",
        "zgh": "ⴰⵔⴰⵊⵓ ⴷ ⵓⵄⴹⵍ",
    },
    "conduct": {
        "en": "How staff treated the person",
        "es": "Trato del personal",
        "fr": "Comportement du personnel",
        "ar": "تعامل الموظفين",
        "nl": "Bejegening door medewerkers",
        "it": "Comportamento del personale",
        "de": "Verhalten des Personals",
        "zgh": "ⵜⵉⵎⵙⵙⴰ ⵏ ⵉⵎⵙⵅⴷⴰⵎⵏ",  # noqa: RUF001 (Tifinagh letters)
    },
    "information": {
        "en": "Wrong or incomplete information",
        "es": "Información errónea o incompleta",
        "fr": "Information erronée ou incomplète",
        "ar": "معلومات خاطئة أو ناقصة",
        "nl": "Onjuiste of onvolledige informatie",
        "it": "Informazioni errate o incomplete",
        "de": "Falsche oder unvollständige Auskunft",
        "zgh": "ⵉⵏⵖⵎⵉⵙⵏ ⵓⵔ ⵉⵚⵃⵉⵃⵏ",
    },
    "procedure": {
        "en": "A procedure or a document",
        "es": "Un trámite o un documento",
        "fr": "Une démarche ou un document",
        "ar": "إجراء أو وثيقة",
        "nl": "Een procedure of een document",
        "it": "Una pratica o un documento",
        "de": "Ein Verfahren oder ein Dokument",
        "zgh": "ⴰⵙⵓⵜⵔ ⵏⵖ ⵜⴰⵙⴷⵍⵉⵙⵜ",
    },
    "access": {
        "en": "Access: opening hours, language, disability",
        "es": "Acceso: horario, idioma, discapacidad",
        "fr": "Accès : horaires, langue, handicap",
        "ar": "الولوج: أوقات العمل، اللغة، الإعاقة",
        "nl": "Toegang: openingstijden, taal, beperking",
        "it": "Accesso: orari, lingua, disabilità",
        "de": "Zugang: Öffnungszeiten, Sprache, Behinderung",
        "zgh": "ⴰⴽⵛⵛⵓⵎ: ⵜⵉⵙⵔⴰⴳⵉⵏ, ⵜⵓⵜⵍⴰⵢⵜ",
    },
    "other": {
        "en": "Other",
        "es": "Otro",
        "fr": "Autre",
        "ar": "أخرى",
        "nl": "Overig",
        "it": "Altro",
        "de": "Sonstiges",
        "zgh": "ⵢⴰⴹⵏ",
    },
}


def main_name(names: dict[str, str], languages: list[str]) -> str:
    """The name in the desk's main language, else in English."""
    main = languages[0] if languages else ""
    for code in (main, main.split("-")[0].lower()):
        if names.get(code):
            return names[code]
    return names["en"]


# The scorecard a desk starts with: key -> (scale, weight, names).
DEFAULT_CRITERIA: dict[str, tuple[str, int, dict[str, str]]] = {
    "correct": ("1-5", 3, {
        "en": "Correct and complete information",
        "es": "Información correcta y completa",
        "fr": "Information correcte et complète",
        "ar": "معلومات صحيحة وكاملة",
        "nl": "Juiste en volledige informatie",
        "it": "Informazioni corrette e complete",
        "de": "Richtige und vollständige Auskunft",
        "zgh": "ⵉⵏⵖⵎⵉⵙⵏ ⵉⵚⵃⵉⵃⵏ ⵉⵎⴷⵏ",
    }),
    "empathy": ("1-5", 2, {
        "en": "Empathy and respect",
        "es": "Empatía y respeto",
        "fr": "Empathie et respect",
        "ar": "التعاطف والاحترام",
        "nl": "Empathie en respect",
        "it": "Empatia e rispetto",
        "de": "Einfühlung und Respekt",
        "zgh": "ⴰⵙⵏⵎⵎⵔ ⴷ ⵓⵙⵏⵓⵎⵎⵔ",
    }),
    "language": ("yes-no", 1, {
        "en": "In the person's language",
        "es": "En el idioma de la persona",
        "fr": "Dans la langue de la personne",
        "ar": "بلغة الشخص",
        "nl": "In de taal van de persoon",
        "it": "Nella lingua della persona",
        "de": "In der Sprache der Person",
        "zgh": "ⵙ ⵜⵓⵜⵍⴰⵢⵜ ⵏ ⵓⴼⴳⴰⵏ",  # noqa: RUF001 (Tifinagh letters)
    }),
    "procedure": ("yes-no", 2, {
        "en": "Procedure followed",
        "es": "Procedimiento seguido",
        "fr": "Procédure suivie",
        "ar": "اتباع الإجراء",
        "nl": "Procedure gevolgd",
        "it": "Procedura seguita",
        "de": "Verfahren eingehalten",
        "zgh": "ⴰⵙⵓⵜⵔ ⵉⵜⵜⵓⴹⴼⵕⵏ",
    }),
}  # fmt: skip
