"""A travelling or seated party counted in parts, in several languages: "52 pupils and 4
teachers", "54 élèves + 4 accompagnateurs", "30 Schüler und 3 Lehrer" is one party of 56,
58, 33 against a coach's or a venue's seats; and the seats an offer states in its own
language ("49 places", "50 plazas", "49 Sitzplätze", "53 posti").

Precision first: a party is summed only where every part of its list is counted; a list
with an uncounted part ("40 pupils and their teachers") is no size, and the seat limit
stays "cannot check".
"""

from __future__ import annotations

import re

__all__ = ["SEATED_WORDS", "SEAT_WORDS", "counted_party"]

#: Who travels or sits, in English and the languages the reader reads: one noun of these
#: after a count is one part of a party.
SEATED_WORDS = (
    r"people|persons?|pupils?|students?|teachers?|passengers?|guests?|adults?|children|kids|"
    r"members|players|participants?|staff|colleagues|attendees|pax|chaperones?|parents|"
    r"[ée]l[èe]ves?|accompagnateurs?|accompagnatrices?|passagers?|personnes?|enfants?|"
    r"adultes?|voyageurs?|professeurs?|enseignants?|"
    r"sch[üu]ler(?:innen)?|personen|fahrg[äa]ste|kinder|erwachsene|lehrer(?:innen)?|"
    r"begleit(?:er|personen)|teilnehmer(?:innen)?|"
    r"alumnos?|pasajeros?|personas?|niños?|adultos?|profesores?|"
    r"alunni|passeggeri|persone|bambini|adulti|insegnanti|"
    r"leerlingen|passagiers|personen|kinderen|volwassenen|leraren|begeleiders"
)
#: What an offer calls its seats in other languages ("49 places", "50 plazas").
SEAT_WORDS = r"places|plazas|posti|sitzpl[äa]tze|pl[äa]tze|zitplaatsen|lugares|assentos"

_PART = rf"(?P<n>\d{{1,4}})\s+(?:[^\W\d_]+\s+)?(?P<w>{SEATED_WORDS})\b"
_JOIN = r"\s*(?:\+|&|,|\band\b|\bplus\b|\bet\b|\bund\b|\by\b|\be\b|\ben\b)\s*"
_LIST = re.compile(rf"{_PART}(?:{_JOIN}{_PART.replace('?P<n>', '').replace('?P<w>', '')})*", re.I)
_ONE = re.compile(_PART, re.I)
#: A further part of the list with no count ("+ their teachers", "et les parents").
_UNCOUNTED_AFTER = re.compile(
    rf"{_JOIN}(?:(?:the|their|our|les|leurs|nos|die|ihre|los|sus|i|de)\s+)?(?:{SEATED_WORDS})\b",
    re.I,
)

#: Another counted part of the list that is no person noun read here ("+ 2 drivers"):
#: summing without it would undercount the party.
_COUNTED_BESIDE = re.compile(rf"{_JOIN}\d")
_COUNTED_BEFORE = re.compile(rf"\d+\s+[^\W\d_]+{_JOIN}$")


def counted_party(text: str) -> tuple[int, str] | None:
    """The size of a party a text counts in parts joined in one list ("54 élèves + 4
    accompagnateurs": 58) and the list as written; None where no list of two or more
    counted parts is found, where a part goes uncounted, or where two lists disagree."""
    found: list[tuple[int, str]] = []
    for match in _LIST.finditer(text):
        parts = list(_ONE.finditer(match.group(0)))
        if len(parts) < 2:
            continue
        if _UNCOUNTED_AFTER.match(text, match.end()) or _COUNTED_BESIDE.match(text, match.end()):
            return None
        if _COUNTED_BEFORE.search(text[max(0, match.start() - 40) : match.start()]):
            return None  # "2 drivers, 27 players and 3 staff": a part the list leaves out
        found.append((sum(int(p.group("n")) for p in parts), match.group(0)))
    if len({size for size, _ in found}) != 1:
        return None
    return found[0]
