"""Words for search: folding, Arabic normalisation, the way people write on their phones, stems.

Everything the index and the queries share, so that a question and an article meet on the
same terms: "Pasaporte", "pasaportes" and "pasporte" all come out as the stem of "pasaporte".
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import Stemmer

# PyStemmer's algorithms by language code; a language without one is searched unstemmed.
STEMMERS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fa": "persian",
    "fr": "french",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "tr": "turkish",
}

_ARABIC_STOPWORDS = """
في من على إلى الى عن مع هل ما ماذا متى كيف اين أين لماذا هذا هذه ذلك تلك التي الذي الذين
هو هي هم انا أنا انت أنت نحن او أو ثم لا لم لن قد كان يكون كل بعض عند لدي لدى عندي اريد أريد
ممكن يمكن يجب شكرا السلام عليكم مرحبا من فضلك لو سمحت و ب ل ف ك
"""
# Greetings and courtesy carry no question: they must not outweigh the words that do.
_COURTESY = """
hola buenas buenos dias tardes noches gracias favor saludos porfa porfavor
bonjour bonsoir salut merci svp stp madame monsieur
hello hi hey thanks thank please dear good morning
hallo goedemorgen goedemiddag dank bedankt alstublieft alsjeblieft
ciao buongiorno grazie salve
guten tag morgen danke bitte
salam slm salamo alaykom alikom aleikum labas shukran choukran chokran afak 3afak
"""
# bm25s's lists, by language (read when first needed: bm25s brings numpy and scipy along).
BM25S_STOPWORDS = {
    "es": "STOPWORDS_SPANISH",
    "fr": "STOPWORDS_FRENCH",
    "en": "STOPWORDS_EN",
    "nl": "STOPWORDS_DUTCH",
    "it": "STOPWORDS_ITALIAN",
    "de": "STOPWORDS_GERMAN",
    "pt": "STOPWORDS_PORTUGUESE",
}

# fmt: off
# How people shorten words in text messages, by the words they stand for.
SHORTHAND = {
    "q": "que", "k": "que", "xq": "porque", "pq": "porque", "porq": "porque", "tb": "tambien",
    "tmb": "tambien", "x": "por", "pa": "para", "d": "de", "dnd": "donde", "kiero": "quiero",
    "nesecito": "necesito", "ns": "no", "bjr": "bonjour", "slt": "salut", "cc": "coucou",
    "qd": "quand", "qnd": "quand", "pr": "pour", "ds": "dans", "jsp": "sais", "c": "c'est",
    "koi": "quoi", "kan": "quand", "keske": "est-ce", "u": "you", "ur": "your", "r": "are",
    "pls": "please", "plz": "please", "thx": "thanks", "wat": "what", "wot": "what",
    "n": "and", "y": "why", "b4": "before", "2day": "today", "tmrw": "tomorrow",
    "ff": "even", "mss": "misschien", "wrm": "waarom", "idd": "inderdaad", "nie": "niet",
    "cmq": "comunque", "nn": "non", "xke": "perche", "xche": "perche",
}

# Moroccan Darija written in Latin letters (arabizi), by the French word a guide would use.
# Darija speakers mix French freely, so French is where such a question finds its words.
DARIJA = {
    "bghit": "vouloir", "bgheet": "vouloir", "bghina": "vouloir", "baghi": "vouloir",
    "kifach": "comment", "kifash": "comment", "kif": "comment", "kifax": "comment",
    "fin": "où", "fine": "où", "finahowa": "où", "imta": "quand", "fo9ach": "quand",
    "fokach": "quand", "chhal": "combien", "ch7al": "combien", "shhal": "combien",
    "wach": "est-ce", "wash": "est-ce", "3lach": "pourquoi", "alach": "pourquoi",
    "chno": "quoi", "achno": "quoi", "ach": "quoi", "shno": "quoi",
    "njded": "renouveler", "njdded": "renouveler", "tjdid": "renouvellement",
    "tajdid": "renouvellement", "jded": "renouveler",
    "paspor": "passeport", "passpor": "passeport", "baspor": "passeport",
    "basbor": "passeport", "lpaspor": "passeport", "lbasbor": "passeport",
    "lpasspor": "passeport", "lpasseport": "passeport", "passpo": "passeport",
    "lcarte": "carte", "lakart": "carte", "lkart": "carte", "carta": "carte",
    "bitaka": "carte", "lbitaka": "carte", "wra9": "papiers", "lwra9": "papiers",
    "lwraq": "papiers", "wraq": "papiers", "lwara9": "papiers", "kaghed": "papier",
    "l9onsoliya": "consulat", "9onsoliya": "consulat", "qonsoliya": "consulat",
    "lqonsoliya": "consulat", "konsoliya": "consulat", "lkonsoliya": "consulat",
    "l9onsolia": "consulat", "9onsolia": "consulat", "konsolia": "consulat",
    "sifara": "ambassade", "sefara": "ambassade", "lmaw3id": "rendez-vous",
    "maw3id": "rendez-vous", "mw3d": "rendez-vous", "randivou": "rendez-vous",
    "rdv": "rendez-vous", "tsjil": "inscription", "nsjel": "inscrire", "tsjel": "inscrire",
    "zyada": "naissance", "lzyada": "naissance", "zwaj": "mariage", "zawaj": "mariage",
    "nzwj": "marier", "nzewej": "marier", "lmout": "décès", "mout": "décès",
    "mat": "décédé", "woulidat": "naissance", "tfl": "enfant", "drari": "enfants",
    "wlidi": "enfant", "bnti": "enfant", "weldi": "enfant", "lwlad": "enfants",
    "lkhedma": "travail", "khedma": "travail", "nkhdem": "travailler", "khdem": "travailler",
    "lkhlas": "salaire", "khlas": "salaire", "patron": "employeur", "lpatron": "employeur",
    "tbib": "médecin", "ttbib": "médecin", "sbitar": "hôpital", "lsbitar": "hôpital",
    "mrid": "malade", "mrida": "malade", "dwa": "médicament", "ddwa": "médicament",
    "dar": "logement", "ddar": "logement", "skna": "logement", "lkra": "loyer",
    "kra": "loyer", "nb9a": "rester", "nn3es": "dormir", "zn9a": "rue",
    "lhabs": "détention", "habs": "détention", "chedouni": "arrêté", "chdouni": "arrêté",
    "bolis": "police", "lbolis": "police", "lboulice": "police", "boulice": "police",
    "tard": "expulsion", "trdouni": "expulser", "rj3": "retour", "nrj3": "retourner",
    "nrje3": "retourner", "lbled": "pays", "lmghrib": "maroc", "lmaghrib": "maroc",
    "flous": "argent", "lflous": "argent", "nsift": "envoyer", "nseft": "envoyer",
    "sift": "envoyer", "tsifit": "envoi", "l7wala": "transfert", "hwala": "transfert",
    "chahada": "certificat", "chhada": "certificat", "wti9a": "document",
    "lwti9a": "document", "lwatiqa": "document", "l3a9d": "acte", "3a9d": "acte",
    "lmo7ami": "avocat", "mo7ami": "avocat", "avoka": "avocat", "lavoka": "avocat",
    "l9anoun": "loi", "9anoun": "loi", "l7o9o9": "droits", "7o9o9": "droits",
    "darbni": "frappé", "drbni": "frappé", "kaydrbni": "frappé", "t3nif": "violence",
    "3onf": "violence", "khayf": "peur", "khayfa": "peur", "msa3da": "aide",
    "3awnouni": "aide", "3awni": "aide", "mosa3ada": "aide", "wjeh": "urgence",
    "tasjil": "inscription", "lmadrasa": "école", "madrasa": "école", "9raya": "école",
    "ta9a3od": "retraite", "lcnss": "cnss", "taqa3od": "retraite", "lvisa": "visa",
    "lfiza": "visa", "fiza": "visa", "visa": "visa", "sejour": "séjour", "lsejour": "séjour",
    "lapostille": "apostille", "apostil": "apostille", "tasdi9": "légalisation",
    "tasdiq": "légalisation", "msadqa": "légalisée", "lfrais": "frais", "lprix": "prix",
    "taman": "prix", "ttaman": "prix", "katkhles": "payer", "nkhles": "payer",
    "khlss": "payer", "dyali": "mon", "dyal": "de", "dial": "de", "dialy": "mon",
    "m3a": "avec", "bla": "sans", "ila": "si", "daba": "maintenant",
    # Life events, papers, work, health, housing, the police: the guide's subjects.
    "tzad": "naissance", "tzadet": "naissance", "tzadt": "naissance", "twld": "naissance",
    "wlada": "naissance", "sjl": "inscrire", "nsjl": "inscrire", "nsjlo": "inscrire",
    "nsejjel": "inscrire", "ysjl": "inscrire", "l7ala": "état", "7ala": "état",
    "lmadaniya": "civil", "madaniya": "civil", "tarjama": "traduction", "ttarjama": "traduction",
    "ytarjem": "traduire", "ntarjem": "traduire", "mtarjem": "traducteur", "talib": "étudiant",
    "taliba": "étudiante", "kan9ra": "étudier", "n9ra": "étudier", "l9raya": "études",
    "jami3a": "université", "7amla": "enceinte", "7amel": "enceinte", "l7aml": "grossesse",
    "nchki": "plainte", "chkaya": "plainte", "chikaya": "plainte", "nchtki": "plainte",
    "ykriw": "louer", "nkri": "louer", "mol": "propriétaire", "t7t": "accident", "ti7t": "accident",
    "tay7": "accident", "7adita": "accident", "tkasret": "blessé", "tjre7t": "blessé",
    "mjrou7": "blessé", "tkasr": "blessé", "twffa": "décès", "twffat": "décès", "matet": "décès",
    "mayt": "décès", "ndfnouh": "rapatriement", "dfen": "inhumation", "ndfno": "rapatriement",
    "jutta": "corps", "ljutta": "corps", "tla9": "divorce", "tle9": "divorce", "rajli": "mari",
    "zawji": "mari", "mrati": "épouse", "kayhddedni": "menace", "kaydrebni": "violence",
    "drbo": "violence", "m7ami": "avocat", "lm7ami": "avocat", "9bdo": "arrêté",
    "9bdouni": "arrêté", "7bs": "détention", "l7bs": "détention", "sjn": "prison",
    "ykhrjouni": "expulsion", "tasri7": "autorisation", "sijour": "séjour", "karta": "carte",
    "lju2": "asile", "luju2": "asile", "lajie": "réfugié", "laji2": "réfugié",
    "jrawni": "licenciement", "jrani": "licenciement", "lwa7ouni": "licenciement",
    "tr7ouni": "licenciement", "mkhlsnich": "impayé", "makhlsnich": "impayé", "lmanda": "salaire",
    "l3onsoriya": "racisme", "3onsoriya": "racisme", "tamyiz": "discrimination",
    "nsafer": "voyager", "safar": "voyage", "nsafr": "voyager", "chahadat": "diplôme",
    "diplome": "diplôme", "mo3adala": "équivalence", "wakala": "procuration",
    "tawkil": "procuration", "tlef": "perdu", "tlfat": "perdu", "wdert": "perdu", "dya3": "perdu",
    "tsr9": "volé", "sr9o": "volé", "ser9ouli": "volé", "cin": "carte", "watania": "nationale",
    "wataniya": "nationale", "lmostachfa": "hôpital", "mosta3jalat": "urgences",
    "lurgence": "urgences", "mbit": "hébergement", "zen9a": "rue", "zenka": "rue", "lmra": "femme",
    "tfla": "enfant", "lwalidin": "parents", "bba": "père", "bbaha": "père", "mmi": "mère",
    "mzyan": "bien", "safi": "bien", "chi": "un", "wahed": "un", "3ndi": "avoir",
    "3andi": "avoir", "ma3ndich": "pas", "makaynch": "pas",
}
# The same for Darija in Arabic letters, by the Modern Standard Arabic a guide would use
# ("" where the word only says whose: "ديالي", mine). Keys are folded when read (ة, أ...).
_DARIJA_ARABIC = {
    "بغيت": "اريد", "بغيتي": "اريد", "بغينا": "اريد", "باغي": "اريد", "باغية": "اريد",
    "كيفاش": "كيف", "فين": "اين", "فاين": "اين", "شحال": "كم", "فوقاش": "متى", "امتى": "متى",
    "ايمتا": "متى", "واش": "هل", "علاش": "لماذا", "شنو": "ماذا", "اشنو": "ماذا", "شني": "ماذا",
    "نجدد": "تجديد", "نجددو": "تجديد", "تجدد": "تجديد", "يتجدد": "تجديد", "جدد": "تجديد",
    "نبدل": "تجديد", "سالا": "منتهي", "تسالا": "منتهي", "سالات": "منتهي", "سالى": "منتهي",
    "فات": "منتهي", "الباسبور": "جواز السفر", "باسبور": "جواز السفر",
    "البسبور": "جواز السفر", "البسپور": "جواز السفر",
    "الكارط": "بطاقة", "كارط": "بطاقة", "الكارت": "بطاقة", "لاكارط": "بطاقة",
    "الوراق": "وثائق", "وراق": "وثائق", "الاوراق": "وثائق", "القنصلية": "القنصلية",
    "لقنصلية": "القنصلية", "الكونصوليا": "القنصلية", "الموعد": "موعد", "الرونديفو": "موعد",
    "رونديفو": "موعد", "الخدمة": "عمل", "خدمة": "عمل", "نخدم": "عمل", "الطبيب": "طبيب",
    "الطبيبة": "طبيب", "السبيطار": "مستشفى", "سبيطار": "مستشفى", "الدار": "سكن",
    "لفلوس": "مال", "الفلوس": "مال", "فلوس": "مال", "نصيفط": "تحويل", "الحبس": "احتجاز",
    "حبسوني": "احتجاز", "شدوني": "احتجاز", "البوليس": "شرطة", "بوليس": "شرطة",
    "ضربني": "عنف", "كيضربني": "عنف", "كيضربوني": "عنف", "خايفة": "خوف", "خايف": "خوف",
    "عاونوني": "مساعدة", "عاوني": "مساعدة", "دراري": "اطفال", "ولدي": "ابن", "بنتي": "ابنة",
    "الزيادة": "ولادة", "تزاد": "ولادة", "تزادت": "ولادة", "الزواج": "زواج", "نتزوج": "زواج",
    "ضاع": "ضياع", "ضاعلي": "ضياع", "تلف": "ضياع", "تلفلي": "ضياع", "سرقوه": "سرقة",
    "تسرق": "سرقة", "تسرقلي": "سرقة", "نعرف": "معرفة", "وصل": "وصل", "الطلب": "طلب",
    "ديالي": "", "ديال": "", "ديالك": "", "ديالنا": "", "ديالو": "", "ديالها": "",
    "دابا": "الان", "عافاك": "", "شي": "", "راه": "", "راني": "", "واخا": "", "غير": "",
    "كاين": "يوجد", "كاينة": "يوجد", "ماكاينش": "لا يوجد", "مزيان": "جيد",
}
# fmt: on
# Words Darija uses and the guide's other languages do not: how a Latin-letter question is
# recognised as Darija when lingua, which does not know Darija, cannot say.
_DARIJA_MARKERS_TEXT = """
    bghit baghi kifach kifash chhal ch7al wach wash fin imta 3lach chno achno dyali dyal dial
    3afak afak 3ndi 3andi daba mzyan safi lwra9 wra9 njded bghina nkhdem khedma drari l9onsoliya
    9onsoliya ma3ndich makaynch kayn
"""
_DARIJA_MARKERS = frozenset(_DARIJA_MARKERS_TEXT.split())
# And in Arabic letters, where lingua takes Darija for Arabic, or for nothing it knows.
_DARIJA_ARABIC_MARKERS_TEXT = """
    بغيت بغيتي بغينا باغي باغية كيفاش شحال واش فين فاين علاش شنو اشنو شني فوقاش ايمتا ديالي
    ديال ديالك ديالنا ديالو ديالها دابا عافاك كاين كاينة ماكاينش مزيان واخا راه راني سالا تسالا
    سالات نجدد نجددو الباسبور باسبور البسبور الكارط لاكارط الوراق السبيطار البوليس دراري
    ضاعلي تلفلي تسرقلي نصيفط
"""

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# fmt: off
_ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "گ": "ك",
     "ڭ": "ك", "ک": "ك", "ی": "ي", "ڤ": "ف", "پ": "ب", "چ": "ج"}
)
# fmt: on
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# French and Italian elisions ("l'apostille", "dell'ambasciata") keep only the word.
_WORD = re.compile(
    r"(?:\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|dell|all|nell|sull|un)')?"
    r"([^\W_]+(?:'[^\W_]+)?)"
)
_REPEATED = re.compile(r"([^\W\d_])\1{2,}")
# Marks that NFKD splits off letters (accents), outside the Arabic and Tifinagh blocks.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_ARABIC = re.compile("[\u0600-\u06ff]")
_TIFINAGH = re.compile("[\u2d30-\u2d7f]")


def fold(text: str) -> str:
    """Lower case without accents, Arabic letter variants and diacritics made one, digits ASCII."""
    if _ARABIC.search(text):  # translating is slow: only where there is Arabic to translate
        text = _ARABIC_DIACRITICS.sub("", text.translate(_DIGITS)).translate(_ARABIC_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return _COMBINING.sub("", decomposed)


def words(text: str) -> list[str]:
    """The folded words of a text, letters repeated for emphasis ("holaaa") made single,
    elided articles ("l'apostille") left out."""
    return _WORD.findall(_REPEATED.sub(r"\1", fold(text)))


def script_of(word: str) -> str:
    if _ARABIC.search(word):
        return "arabic"
    if _TIFINAGH.search(word):
        return "tifinagh"
    return "latin"


def script_of_language(language: str) -> str:
    """The script a language's articles are written in (Tamazight: Tifinagh)."""
    if language.split("-")[0] in ("ar", "ary", "fa", "ur", "ps"):
        return "arabic"
    if language.split("-")[0] in ("zgh", "tzm", "ber", "shi", "rif"):
        return "tifinagh"
    return "latin"


@cache
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    name = STEMMERS.get(language.split("-")[0])
    return Stemmer.Stemmer(name) if name else None


@cache
def _folded_stopwords(language: str) -> frozenset[str]:
    listed = stopwords(language.split("-")[0])
    return frozenset(w for text in (*listed, _COURTESY) for w in words(text))


def stopwords(language: str) -> frozenset[str]:
    """The language's stop words as listed (unfolded); none for a language without a list."""
    if language == "ar":
        return frozenset(_ARABIC_STOPWORDS.split())
    if language not in BM25S_STOPWORDS:
        return frozenset()
    from bm25s import stopwords as listed

    return frozenset(getattr(listed, BM25S_STOPWORDS[language]))


def is_stopword(word: str, language: str) -> bool:
    return word in _folded_stopwords(language)


def stem(word: str, language: str) -> str:
    stemmer = _stemmer(language)
    if stemmer is None:
        return word
    if script_of(word) == "arabic" and language != "ar":
        return word
    return stemmer.stemWord(word)


def expand_shorthand(tokens: list[str]) -> list[str]:
    return [SHORTHAND.get(t, t) for t in tokens]


@cache
def _darija_arabic() -> dict[str, str]:
    """Darija's Arabic-letter words, folded as the words of a question are."""
    return {fold(word): said for word, said in _DARIJA_ARABIC.items()}


@cache
def _darija_arabic_markers() -> frozenset[str]:
    return frozenset(fold(word) for word in _DARIJA_ARABIC_MARKERS_TEXT.split())


def _arabic_darija_word(token: str) -> str | None:
    """What a Darija word in Arabic letters says in MSA, with its article "ل" ("لباسبور") or
    the plural ending "و" of a verb ("نجددو") taken off when only that makes it known."""
    known = _darija_arabic()
    for form in (token, token[1:] if token.startswith("ل") else "", token.removesuffix("و")):
        if form in known:
            return known[form]
    return None


def looks_like_darija(tokens: list[str]) -> bool:
    """Darija: in Latin letters, two of its own words, or one and a digit used as a letter;
    in Arabic letters, two of its own words ("ديالي", "كيفاش"), which MSA does not use."""
    markers = sum(t in _DARIJA_MARKERS for t in tokens)
    arabizi = sum(bool(re.search(r"[a-z][379]|[379][a-z]", t)) for t in tokens)
    arabic = sum(t in _darija_arabic_markers() for t in tokens)
    return markers >= 2 or (markers >= 1 and arabizi >= 1) or arabizi >= 2 or arabic >= 2


def from_darija(tokens: list[str]) -> list[str]:
    """Darija words as a guide would say them: French for Latin letters, MSA for Arabic."""
    out = []
    for token in tokens:
        if token in DARIJA:
            out.extend(words(DARIJA[token]))
        elif script_of(token) == "arabic" and (said := _arabic_darija_word(token)) is not None:
            out.extend(words(said))
        elif token.startswith("l") and token[1:] in DARIJA:  # "l" is Darija's article
            out.extend(words(DARIJA[token[1:]]))
        else:
            out.append(token)
    return out


def terms(text: str, language: str) -> list[str]:
    """The search terms of an article's text in its language: folded, no stop words, stems."""
    return [stem(w, language) for w in words(text) if not is_stopword(w, language)]
