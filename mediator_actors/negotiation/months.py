"""Month names of the other languages the posts are written in, the words that put a
deadline or an "until" before a date in them, and their words for "only".

The reader (dates, deadlines, an offer's last day) and the unread guard (a date no reading
took) both use these, so a date written "bis zum 15. März", "avant le 3 avril", "entro il
20 maggio", "antes del 1 de junio", "vóór 12 mei" or "até 5 de julho" is read, or at least
never passes unnoticed. Names that are English words or names ("marco", "ago", "set",
"gen", "mag", "out") are left out: a date is read only where no other reading is possible.
"""

from __future__ import annotations

__all__ = [
    "BEFORE_CUES",
    "BY_CUES",
    "DAY_MONTH_JOIN",
    "DAY_ONLY_MONTHS",
    "FOREIGN_MONTHS",
    "FROM_CUES",
    "NOT_ONLY",
    "ONLY_WORDS",
    "UNTIL_CUES",
]

FOREIGN_MONTHS: dict[str, int] = {
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "févr": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9,
    "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mär": 3, "juni": 6,
    "juli": 7, "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
    # Italian
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6,
    "luglio": 7, "settembre": 9, "ottobre": 10, "dicembre": 12,
    # Spanish
    "enero": 1, "febrero": 2, "abril": 4, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    # Dutch
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
    # Portuguese
    "janeiro": 1, "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
}  # fmt: skip

#: Between a day and its month: "1 de junio", "5 de julho" (English "of" is read apart).
DAY_MONTH_JOIN = r"(?:de\s+|del\s+)"

#: A deadline that keeps its day: "bis zum 15. März", "entro il 20 maggio", "até 5 de
#: julho", "uiterlijk 12 mei", "d'ici le 3 avril", "hasta el 1 de junio".
BY_CUES = (
    r"bis(?:\s+(?:zum|zur|spätestens(?:\s+am)?))?|spätestens(?:\s+(?:am|bis))?|"
    r"d'ici\s+(?:le|au)|au\s+plus\s+tard\s+le|jusqu'au|"
    r"entro\s+(?:e\s+non\s+oltre\s+)?(?:il|l')|fino\s+al|"
    r"hasta\s+el|a\s+más\s+tardar\s+el|para\s+el|"
    r"uiterlijk(?:\s+op)?|tot\s+en\s+met|"
    r"até(?:\s+(?:ao\s+)?dia)?|no\s+máximo\s+até"
)
#: A deadline that leaves its day out: "avant le 3 avril", "vor dem 15. März", "prima del
#: 20 maggio", "antes del 1 de junio", "vóór 12 mei", "antes de 5 de julho".
BEFORE_CUES = r"avant\s+le|vor\s+dem|prima\s+del|antes\s+del|antes\s+de|vóór"
#: An offer free until a day: "frei bis zum 15. März", "disponible jusqu'au 3 avril".
UNTIL_CUES = (
    r"bis(?:\s+(?:zum|einschließlich))?|jusqu'(?:au|à)|fino\s+al|hasta\s+el|tot(?:\s+en\s+met)?|"
    r"até(?:\s+ao)?"
)

#: Short names and names that are also people's names ("Mai", "Okt"): a month only with
#: a day number before it ("12 mei"), never alone ("photos by Mai").
DAY_ONLY_MONTHS = frozenset(
    {"mai", "mei", "maio", "mär", "okt", "dez", "avr", "juil", "déc", "févr"}
)

#: A start on a day: "desde el 1 de junio", "ab dem 3. Mai", "à partir du 2 avril",
#: "dal 5 maggio", "vanaf 1 juni", "a partir de 4 de julho".
FROM_CUES = (
    r"desde\s+el|a\s+partir\s+del?|à\s+partir\s+du|dès\s+le|ab\s+(?:dem|den)|ab|vom|dal|"
    r"vanaf|a\s+partir\s+de"
)

#: "only" in the other languages: "uniquement à Lyon", "nur montags", "solo efectivo" is
#: written "sólo" or "únicamente" (plain "solo" is also an English word, left out).
ONLY_WORDS = (
    r"uniquement|seulement|exclusivement|nur|ausschließlich|ausschliesslich|únicamente|sólo|"
    r"soltanto|esclusivamente|unicamente|alleen|uitsluitend|somente|apenas"
)
#: "non seulement", "nicht nur", "no sólo", "niet alleen", "não apenas": not a limit.
NOT_ONLY = r"non\s+seulement|nicht\s+nur|no\s+sólo|non\s+soltanto|niet\s+alleen|não\s+apenas"
