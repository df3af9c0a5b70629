"""The guard against unread constraints (issue 16, item 3: precision first).

The reader understands many ways people state a limit, never all of them. What it does not
understand must not pass silently: after every reading has taken its span of the text, a
clause that still carries a constraint marker (an amount with a unit or currency, a bound
word, a negation or exclusion, a weekday or month, "per", a direction, a service area, a
licence word) that
no reading covers is returned here, and the negotiator declines with "cannot check:
'<clause>'".

Pure functions of the text and the covered character ranges; linear in the text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable

from mediator_actors.negotiation import literals

__all__ = ["MAX_UNREAD", "MODIFIERS", "SOFT", "Marker", "markers", "unread_clauses"]

#: No intent reports more unread clauses than this (one is enough to decline).
MAX_UNREAD = 4

_CURRENCY = (
    r"(?:[$€£¥₹]|\b(?:usd|eur|gbp|nzd|aud|cad|chf|nlc|quid|bucks|euros?|dollars?|pounds?)\b)"
)
_UNITS = (
    r"(?:(?:calendar|working|business)\s+days?|k?g|grams?|kilos?|kilograms?|lbs?|pounds?|oz|ml|l|litres?|liters?|cm|mm|m|km|"
    r"metres?|meters?|miles?|mi|ft|feet|inch(?:es)?|in\.|sq\s?m|m2|sqft|pcs|pieces?|items?|"
    r"units?|pages?|words?|minutes?|mins?|hours?|hrs?|h|days?|nights?|weeks?|months?|years?|"
    r"people|persons?|guests?|seats?|pax|copies|pairs?|rooms?|beds?|gb|tb|cores?|%|percent)"
)
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"
)
_NUMBER_WORD = (
    r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty)"
)
#: Kinds that qualify a reading beside them ("up to 300 EUR", "minimum 10 pallets",
#: "must be delivered by ..."): read when their clause holds a reading.
MODIFIERS = frozenset({"bound", "per", "must"})
#: Of those, the kind whose clause alone is a softer doubt: a cost, not a refusal.
SOFT = frozenset({"must"})
#: Each marker kind and its pattern. The word lists are tuned on the development sets
#: (dev, rules, dev3) only; see docs/benchmarks.md.
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "amount",
        re.compile(
            rf"{_CURRENCY}\s?\d[\d,.]*(?:k\b)?|(?<![\d,.])\d[\d,.]*(?:k\b)?\s?(?:-\s?)?"
            rf"(?:{_CURRENCY}|{_UNITS}\b)"
            # "within four days": a number word is as much an amount as a digit
            rf"|\b{_NUMBER_WORD}[\s-]+(?:(?:calendar|working|business)\s+)?"
            r"(?:days?|weeks?|months?|hours?|nights?)\b",
            re.I,
        ),
    ),
    (
        "bound",
        re.compile(
            r"\b(?:minimum|min\.?|maximum|max\.?|at\s+least|at\s+most|up\s+to|no\s+more(?:\s+than)?|"
            r"no\s+less(?:\s+than)?|not\s+more\s+than|tops|or\s+more|or\s+less|under|over|below|above|"
            r"fewer\s+than|less\s+than|more\s+than|exceed\w*)\b",
            re.I,
        ),
    ),
    (
        "negation",
        re.compile(
            r"\b(?:no|not|never|except|excluding|excluded|without|cannot|can't|won't|"
            r"don't|doesn't|do\s+not|does\s+not)\b",
            re.I,
        ),
    ),
    ("must", re.compile(r"\b(?:only|must|required|requires?|mandatory)\b", re.I)),
    (
        "date",
        re.compile(
            rf"\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|\b{_MONTH}\b\.?\s*\d{{1,2}}\b|"
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b",
            re.I,
        ),
    ),
    ("per", re.compile(r"\bper\b|(?<=\d)\s?/\s?[a-z]|\b(?:each|apiece|a\s+piece)\b", re.I)),
    (
        "direction",
        re.compile(
            r"→|->|\bfrom\s+[A-Z][\w-]+\s+to\s+[A-Z]|\bone[- ]way\b|\breturn(?:ed)?\s+to\b|"
            r"\bdrop[- ]?off\b|\bpick[- ]?up\b",
            re.I,
        ),
    ),
    (
        # "We service the Brussels-Capital Region", "covering all of Utrecht": a service
        # area; read only where a place reading takes the place it names.
        "area",
        re.compile(
            # a verb, not the noun "service" ("Cleaning service Rotterdam" names the firm)
            r"\b(?:(?:we|i)\s+(?:only\s+)?(?:serve|service|cover|operate\s+in|work\s+in)|"
            r"serv(?:es|ing|icing)|cover(?:s|ing)|operat(?:es|ing)\s+in|active\s+in|"
            r"working\s+in)\s+(?:only\s+)?(?:the\s+)?"
            r"(?:whole\s+|all\s+(?:of\s+)?|greater\s+)?(?-i:[A-Z])[\w'-]+",
            re.I,
        ),
    ),
    (
        # "payment in USDT only", "full payment is due two weeks before": how and when a
        # party pays is a term; read only where a payment reading takes it.
        "payment",
        re.compile(
            # singular: "a payments integration" is a service; "payment OK" agrees to one
            r"\b(?:payment(?!\s+(?:is\s+)?(?:ok|okay|fine)\b)|"
            r"pay(?:s|ing)?\s+(?:by|in|via|with|only|after|before|upfront|up\s+front)|"
            r"settle\s+the\s+bill|invoice|usdt|crypto(?:currency)?|bitcoin|btc)\b",
            re.I,
        ),
    ),
    (
        "licence",
        re.compile(
            r"\blicen[cs](?:e|ing)\b|\b(?:non-?)?commercial\b|\bpersonal\s+use\b|\bexclusive\b|"
            r"\broyalt(?:y|ies)\b|\bcopyright\b|\busage\s+rights?\b",
            re.I,
        ),
    ),
)

#: Markers that are chatter, not a limit ("no problem", "not sure", "only the best").
_NOISE = re.compile(
    r"\b(?:no\s+(?:problem|worries|rush|hurry|pressure|idea|stress|fuss|hassle|job\s+too)|"
    r"not\s+sure|if\s+not|or\s+not|whether\s+or\s+not|not\s+only|not\s+just|only\s+just|"
    r"no\s+matter|no-?obligation|no\s+strings|no\s+hidden|"
    # an age ("my 4-month-old puppy", "a 10 year old boy") describes, it does not limit
    r"\d+[- ](?:years?|months?|weeks?)[- ]old|"
    r"may\s+be|may\s+i|pick\s+up\s+the\s+phone)\b",
    re.I,
)

#: Clause and sentence ends; a "." or "," between digits (3,750 · 9.5) or a "." before a
#: lower-case word ("min. charge") ends neither.
_CLAUSE_END = re.compile(r"[;!?\n()]|,(?!\d)|(?<!\d),|\.(?![\d ]*[a-z\d])")
_SENTENCE_END = re.compile(r"[;!?\n]|\.(?![\d ]*[a-z\d])")
#: A preference, not a limit: its clause is not reported.
_PREFERENCE = re.compile(
    r"\b(?:prefer(?:red|ably)?|ideally|if\s+possible|nice\s+to\s+have|a\s+plus|bonus|welcome)\b",
    re.I,
)
#: The number a bound word names, a noun or two and a colon away at most ("max 8",
#: "minimum order: 100", "up to €20").
_BOUNDED = re.compile(r"\s*(?:[a-z-]+:?\s+){0,2}?:?\s*(?:[$€£¥₹]\s?)?(\d)", re.I)
#: How far a clause or sentence is looked for either side of a marker.
_REACH = 400
#: Markers looked at in one intent at most: beyond them a hostile text is read no further.
_MAX_MARKERS = 400
#: How far after a negation its reading may start ("no cats over 8 kg").
_NEGATION_REACH = 24


class Marker:
    """One constraint marker: its kind and where it sits in the text."""

    __slots__ = ("end", "kind", "start")

    def __init__(self, kind: str, start: int, end: int) -> None:
        self.kind, self.start, self.end = kind, start, end

    def __repr__(self) -> str:
        return f"Marker({self.kind!r}, {self.start}, {self.end})"


#: Every kind in one scan (the order of ``_MARKERS`` decides where two overlap).
_ANY_MARKER = re.compile(
    "|".join(f"(?P<{kind}>{pattern.pattern})" for kind, pattern in _MARKERS), re.I
)


def markers(text: str) -> list[Marker]:
    """Every constraint marker in ``text`` that is not chatter, in order (one scan)."""
    noise = _merged((m.start(), m.end()) for m in literals.finditer(_NOISE, text))
    found = []
    for match in _ANY_MARKER.finditer(text):
        if _overlaps(noise, match.start(), match.start() + 1):
            continue
        kind = match.lastgroup or ""
        found.append(Marker(kind, match.start(), match.end()))
    return found


def _merged(ranges: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for a, b in sorted(r for r in ranges if r[1] > r[0]):
        if starts and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def unread_clauses(
    text: str,
    covered: Iterable[tuple[int, int]],
    *,
    ignore: Iterable[tuple[int, int]] = (),
    more: Callable[[int, int, bool], Iterable[tuple[int, int]]] | None = None,
) -> tuple[tuple[str, bool], ...]:
    """(clause, blocking) for each clause of ``text`` holding a marker no ``covered``
    range reads (``ignore``: ranges such as the service phrase, read as neither), at
    most :data:`MAX_UNREAD`, blocking ones first. A modifier (:data:`MODIFIERS`) is read
    when its sentence holds a covered range; any other marker only when it is covered.

    ``more(start, end, every)`` gives further covered ranges in a window: it is asked
    only about the sentences whose markers ``covered`` leaves unread, with ``every``
    False when those are all soft (a bare "must"/"only"), so the costly readings run
    on a window, and most of them only where a clause would decline."""
    found_markers = markers(text)[:_MAX_MARKERS]
    if not found_markers:
        return ()
    ranges = list(covered)
    skip = _merged(ignore)
    found, windows = _judge(text, found_markers, _merged(ranges), skip)
    if found and more is not None:
        # One window from the first unread sentence to the last: each costly reading
        # runs once, on no more than the whole text; only the readers that can read a
        # bare "must"/"only" when nothing more is unread (most templated intents).
        every = any(found.values())
        ranges.extend(more(min(a for a, _ in windows), max(b for _, b in windows), every))
        found, _ = _judge(text, found_markers, _merged(ranges), skip)
    ordered = sorted(found.items(), key=lambda item: not item[1])
    return tuple(ordered[:MAX_UNREAD])


def _judge(
    text: str,
    found_markers: list[Marker],
    cover: tuple[list[int], list[int]],
    skip: tuple[list[int], list[int]],
) -> tuple[dict[str, bool], list[tuple[int, int]]]:
    """(unread clause -> blocking, the sentences they sit in)."""
    found: dict[str, bool] = {}
    windows: list[tuple[int, int]] = []
    claimed = -1  # the end of the last marker kept: a marker inside it is the same one
    for marker in found_markers:
        if marker.start < claimed:
            continue
        claimed = marker.end
        if _overlaps(skip, marker.start, marker.end) or _overlaps(cover, marker.start, marker.end):
            continue
        c_start, end, clause = _segment(text, marker.start, _CLAUSE_END)
        if not clause:
            continue
        s_start, s_end, _ = _segment(text, marker.start, _SENTENCE_END)
        bounded = _BOUNDED.match(text, marker.end, end) if marker.kind == "bound" else None
        if bounded is not None:
            # "max 8 per group", "minimum order: 100 bales": the bound names its own number,
            # so another reading in the sentence ("€40 per person") does not read it.
            if _overlaps(cover, bounded.start(1), bounded.end(1)):
                continue
        elif marker.kind in MODIFIERS and _overlaps(
            cover, *((c_start, end) if marker.kind in SOFT else (s_start, s_end))
        ):
            # "€850/month, non-smokers only": "only"/"must" closes its own clause, so a
            # price elsewhere in the sentence does not read it; a bound or "per" qualifies
            # the amount its sentence names.
            continue
        if marker.kind == "negation" and _overlaps(
            cover, marker.end, min(end, marker.end + _NEGATION_REACH)
        ):
            continue
        if _PREFERENCE.search(clause):
            continue  # a wish, not a limit: nothing the deal can break
        found[clause] = found.get(clause, False) or marker.kind not in SOFT
        windows.append((s_start, s_end))
    return found, windows


def _overlaps(merged: tuple[list[int], list[int]], start: int, end: int) -> bool:
    starts, ends = merged
    i = bisect.bisect_right(starts, end - 1) - 1
    return i >= 0 and ends[i] > start


def _segment(text: str, index: int, ends: re.Pattern[str]) -> tuple[int, int, str]:
    """(start, end, quoted text) of the clause or sentence around ``index``, looking at
    most :data:`_REACH` characters either way (linear time on hostile text)."""
    start = max(0, index - _REACH)
    for match in ends.finditer(text, start, index + 1):
        if match.start() < index:
            start = match.end()
    stop = ends.search(text, index, index + _REACH)
    end = stop.start() if stop else min(len(text), index + _REACH)
    return start, end, " ".join(text[start:end].split())[:160]
