"""How people ask where their application stands, in the languages desks serve: a word for
the application with a word (or a few) for its status, as the guide's search folds them."""

from __future__ import annotations

from ventanilla.knowledge.text import words

MAX_WORDS = 30  # a longer message tells more than a status question: the bot reads it

# fmt: off
# By language: the words for an application (or file, request), then those for its status.
# Phrases of several words are written with underscores.
_ASKING = {
    "en": ("application applications",
           "status stage progress track tracking where_is_my how_is_my"),
    "es": ("solicitud solicitudes tramite tramites expediente peticion",
           "estado seguimiento como_va_mi como_esta_mi en_que_punto donde_esta_mi"),
    "fr": ("demande demandes dossier dossiers",
           "etat suivi avancement ou_en_est ou_en_sont"),
    "ar": ("طلب طلبي الطلب طلبات ملف ملفي الملف معاملتي المعامله",
           "حاله الحاله وضعيه اين_وصل اين_وصلت وصل وصلت متابعه"),
    "nl": ("aanvraag aanvragen dossier",
           "status stand voortgang waar_staat_mijn hoe_staat_mijn hoe_staat_het"),
    "it": ("domanda richiesta pratica pratiche",
           "stato avanzamento a_che_punto"),
    "de": ("antrag antrags antrages anfrage akte",
           "status stand bearbeitungsstand wo_ist_mein wie_steht_es"),
    "zgh": ("ⵜⵓⵜⵔⴰ ⵜⵓⵜⵔⴰⵡⵉⵏ ⵜⴰⵙⵓⵜⵔⴰ ⵜⵙⵓⵜⵔⴰ ⵜⵉⵙⵓⵜⵔⴰ",
            "ⴰⴷⴷⴰⴷ ⵎⴰⵏⵉ"),
    "ary": ("talab ttalab talabi demande dossier lmilaf milaf الطلب طلبي طلب الدوسي دوسي الملف",
            "fin_wsel fin_wslat wsel wslat l7ala 7ala halat lhala فين_وصل وصل وصلات الحاله حاله"),
}
# A civil status ("état civil", "الحالة المدنية") is a registry, not where an application stands.
_CIVIL = frozenset(words("civil civile civiles المدنيه madaniya lmadaniya"))
# fmt: on


def _read(listed: str) -> list[tuple[str, ...]]:
    return [tuple(words(item.replace("_", " "))) for item in listed.split()]


_APPLICATION = {language: _read(things) for language, (things, _) in _ASKING.items()}
_STATUS = {language: _read(status) for language, (_, status) in _ASKING.items()}


def _holds(found: list[str], phrases: list[tuple[str, ...]]) -> bool:
    return any(
        tuple(found[i : i + len(phrase)]) == phrase
        for phrase in phrases
        for i in range(len(found) - len(phrase) + 1)
    )


def asks_for_status(text: str) -> str:
    """The language of a question for an application's status ("I want to know the status of
    my application", "حالة طلبي", "fin wsel talab dyali"), or "" when the text asks none."""
    read = words(text)
    found = [word for word, after in zip(read, [*read[1:], ""], strict=True) if after not in _CIVIL]
    if not found or len(found) > MAX_WORDS:
        return ""
    for language in _ASKING:
        if _holds(found, _APPLICATION[language]) and _holds(found, _STATUS[language]):
            return language
    # The words of two languages ("el status de mi solicitud"): a question all the same,
    # in the language its application word is in.
    things = [lang for lang in _ASKING if _holds(found, _APPLICATION[lang])]
    if things and any(_holds(found, phrases) for phrases in _STATUS.values()):
        return things[0]
    return ""
