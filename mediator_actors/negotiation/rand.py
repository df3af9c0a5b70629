"""South African rand written as "R" before the amount ("R350 per session", "budget R7 500",
"R 1 850").

A capital R before digits is also a model, size or rating ("Canon R5", "R16 rims",
"R410A gas", "YZF-R1"), so it is read as money only where the amount itself says it is
one: thousands grouped as money is ("R3 000", "R1,500"), or a price cue beside it
("budget R800", "R250 per room", "R120 each", "R700 for both?"). Once one amount of a
text is so read, every R amount in it is rand; a text with none stays unread, and an
unread amount declines as "cannot check", never as a price.
"""

from __future__ import annotations

import re

__all__ = ["rand_marks"]

#: The R and its amount: never inside a word or a code ("YZF-R1", "205/55R16"), never
#: before more letters or digits ("R134a", "R1200GS"); a plain space may group thousands.
_RAND = re.compile(
    r"(?<![\w./\-])R(?P<gap> ?)(?P<n>\d{1,3}(?:(?: \d{3})+|(?:,\d{3})+)|\d{1,7})"
    r"(?:[.,]\d{2})?(?![\w,.]\d|[^\W\d_]|\d)"
)
#: A size before the R: "195/65 R15" is a tyre, not fifteen rand.
_SIZE_BEFORE = re.compile(r"\d\s$")
#: The amount grouped in thousands: no model or size is written so.
_GROUPED = re.compile(r"\d{1,3}(?: \d{3}|,\d{3})+")
#: A price cue before the R: a budget, a bound, a price word.
_CUE_BEFORE = re.compile(
    r"(?:budget|max(?:imum)?|up\s+to|under|around|about|approx\.?|~|"
    r"pay|price|prices|cost|costs|asking|fee|rate|charge)\s*:?\s*$",
    re.I,
)
#: A price cue after the amount: a rate, "each", a total for what it buys, a question.
_CUE_AFTER = re.compile(
    r"\s*(?:/\s*[a-z]|per\b|p/?h\b|pp\b|each\b|ea\b|a\s+(?:head|person|night|day|week|month|"
    r"hour|session|lesson|visit|room|load|trip|kg)\b|for\s+(?:both|all|the\s+lot|the\s+two|"
    r"two|three|\d)|all\s+in\b|incl|excl|neg\b|ono\b|obo\b|total\b|\?)",
    re.I,
)


def rand_marks(text: str) -> list[tuple[int, int]]:
    """Where ``text`` writes rand as "R" before an amount: (index of the R, index where
    the amount begins), for each such amount the cues above make money."""
    found = [m for m in _RAND.finditer(text) if not _SIZE_BEFORE.search(text, 0, m.start())]
    cued = any(
        _GROUPED.fullmatch(m.group("n"))
        or _CUE_BEFORE.search(text[max(0, m.start() - 30) : m.start()])
        or _CUE_AFTER.match(text[m.end() : m.end() + 30])
        for m in found
    )
    # Once one amount is rand, the text prices in rand: "couches R400 (3-seater)" beside
    # "R250 per room" is a price too, and an unread one would let a total leave it out.
    return [(m.start(), m.start("n")) for m in found] if cued else []
