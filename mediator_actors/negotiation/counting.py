"""How many units of an offer's price basis the seek asks for, when the seek does not
state that unit itself: a product of two counts ("8x A100 for 48 hours" is 384
GPU-hours), or things counted by what is to be done to them ("6 envelopes delivered" is 6
deliveries). Each count carries the spans of its factors, so a reason can quote them.

Precision first: a count is returned only when each factor is stated once, with one value;
otherwise None, and the price stays "cannot check".
"""

from __future__ import annotations

import re

from mediator_actors.negotiation.amounts import WORK_SECONDS as _WORK_SECONDS
from mediator_actors.negotiation.numbers import parse_number
from mediator_actors.negotiation.reader import (
    TIME_DAYS,
    Facts,
    Quantity,
    Span,
    canonical_unit,
    rough_stem,
)
from mediator_actors.negotiation.vocabulary import tokens

__all__ = [
    "action_count",
    "compound_count",
    "kind_count",
    "listed_kinds",
    "named_apart",
    "names_plural",
    "number_beside",
    "one_named",
    "product",
    "seek_hours",
    "singly_named",
]

#: Animals by the word for one of their kind: "350 ewes" are 350 sheep to a price per sheep.
KINDS = {
    "ewe": "sheep", "ram": "sheep", "lamb": "sheep", "wether": "sheep", "hogget": "sheep",
    "puppy": "dog", "puppie": "dog", "kitten": "cat", "heifer": "cow", "calf": "cow",
    "calve": "cow", "steer": "cow", "bullock": "cow", "foal": "horse", "pony": "horse",
    "ponie": "horse", "mare": "horse", "gelding": "horse", "hen": "chicken",
}  # fmt: skip

#: Drinks by the cup they are served in: "140 coffees" are 140 cups to a price per cup.
SERVED_BY = {
    "coffee": "cup", "espresso": "cup", "latte": "cup", "cappuccino": "cup", "tea": "cup",
    "flat white": "cup", "americano": "cup", "hot drink": "cup", "drink": "cup",
}  # fmt: skip

#: Shortest stem an action noun and its verb must share ("deliver" in "delivery").
_MIN_STEM = 4


def product(factors: list[Quantity], unit: str) -> Quantity:
    """The product of ``factors`` as one count of ``unit``, its span quoting each factor
    ("8x A100 x 48-hour") and running from the first to the last."""
    value = 1.0
    for q in factors:
        value *= q.value
    start = min(q.span.start for q in factors)
    end = max(q.span.end for q in factors)
    text = " x ".join(q.span.text for q in factors)
    return Quantity(round(value, 6), unit, "about", Span(start, end, text))


def _one(found: list[Quantity]) -> Quantity | None:
    """The one stated amount, or None when there is none or they disagree."""
    values = {round(q.value, 9) for q in found}
    return found[0] if len(values) == 1 else None


def _time_amount(s: Facts, unit: str) -> Quantity | None:
    """The seek's one stated (non-recurring) amount of work time in ``unit``."""
    if unit not in _WORK_SECONDS:
        return None
    found = [
        Quantity(q.value * _WORK_SECONDS[q.unit] / _WORK_SECONDS[unit], unit, "about", q.span)
        for q in s.quantities
        if q.bound == "about" and q.period is None and q.unit in _WORK_SECONDS
    ]
    return _one(found)


def seek_hours(s: Facts) -> Quantity | None:
    """The seek's one stated amount of work time, in hours ("two hours", "90 minutes")."""
    return _time_amount(s, "hour")


def _named_model(unit: str) -> bool:
    """A unit that is a model's name of letters and digits ("a100", "h100")."""
    return any(c.isdigit() for c in unit) and any(c.isalpha() for c in unit)


def _thing_count(o: Facts, s: Facts, thing: str) -> Quantity | None:
    """The seek's one count of ``thing`` ("4 GPUs"), or of a model the offer names
    ("8x A100" against an offer of "A100 80GB nodes")."""
    stated = [q for q in s.quantities if q.bound == "about" and q.period is None]
    found = [q for q in stated if q.unit == thing]
    if not found:
        found = [q for q in stated if _named_model(q.unit) and rough_stem(q.unit) in o.positives]
    return _one(found)


def compound_count(o: Facts, s: Facts, unit: str) -> Quantity | None:
    """How many of a compound unit of a thing and a time ("gpu-hour") the seek asks for:
    its count of the thing times its stated time, each stated once."""
    if unit.count("-") != 1:
        return None
    thing, time = unit.split("-")
    if thing in TIME_DAYS or time not in _WORK_SECONDS:
        return None
    things = _thing_count(o, s, thing)
    hours = _time_amount(s, time)
    if things is None or hours is None or things.span == hours.span:
        return None
    return product([things, hours], unit)


def _shares_stem(word: str, unit: str) -> bool:
    """``word`` (a rough stem) is the verb of the action noun ``unit``: "deliver" and
    "delivery", "wash" and "wash"."""
    stem = rough_stem(unit)
    short, long = sorted((word, stem), key=len)
    return len(short) >= _MIN_STEM and long.startswith(short) and len(long) - len(short) <= 2


def action_count(s: Facts, unit: str) -> Quantity | None:
    """The seek's one count of things the priced action is done to: "per delivery"
    against "6 envelopes delivered" is 6 deliveries (one each)."""
    if unit in TIME_DAYS or unit in _WORK_SECONDS:
        return None
    found = [
        q
        for q in s.quantities
        if q.bound == "about"
        and q.period is None
        and q.unit not in TIME_DAYS
        and any(_shares_stem(w, unit) for w in q.tail)
    ]
    counted = _one(found)
    if counted is None:
        return None
    return Quantity(counted.value, unit, "about", counted.span)


def kind_count(s: Facts, unit: str) -> Quantity | None:
    """The seek's one count of animals of the kind ``unit`` names ("per sheep" against
    "350 merino ewes" is 350 sheep), or of drinks served by it ("per cup", "140 coffees")."""
    found = [
        q
        for q in s.quantities
        if q.bound == "about"
        and q.period is None
        and unit in (KINDS.get(q.unit), SERVED_BY.get(q.unit))
    ]
    counted = _one(found)
    return None if counted is None else Quantity(counted.value, unit, "about", counted.span)


#: Words that make the noun after them one thing: a possessive, an article, "one".
_SINGLE_DETERMINERS = r"(?i:my|our|your|his|her|their|a|an|one|the|this|that)"
#: A load named by what carries it: "a truckload", "one vanload" is one truck, one van.
_LOAD = re.compile(r"^(?P<carrier>[a-z]{3,})-?load$")
#: Words that end a determiner's phrase before its noun: "the price per roof" names the
#: price, "the one I want" no unit at all.
_PHRASE_ENDS = frozenset(
    {"of", "for", "and", "or", "with", "to", "from", "in", "on", "at", "per", "plus", "by"}
    | {"one", "few", "lot", "couple", "pair", "dozen", "number", "bit", "some", "i", "we"}
)
#: Words before a noun that make it more than one, or one more: "the other car", "another
#: roof", "both flats", "two piano" (misspelt). Any of them before the unit declines.
_MORE_THAN_ONE = frozenset(
    {"another", "other", "second", "both", "each", "every", "all", "several", "multiple"}
    | {"many", "few", "more", "two", "three", "four", "five", "six", "seven", "eight"}
    | {"nine", "ten", "couple", "pair", "per", "extra", "additional"}
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _noun_unit(noun: str) -> str:
    """The unit a singular noun names ("truckload" is "truck"), or the noun itself."""
    word = noun.lower()
    load = _LOAD.match(word)
    return load.group("carrier") if load else word


def names_plural(text: str, unit: str) -> bool:
    """Whether a word of ``text`` names ``unit`` in the plural or another spelling
    ("cars" for "car"): the reader's ``counted`` misses plurals of four letters or fewer."""
    return any(
        w != unit and _noun_unit(w) != unit and canonical_unit(w) == unit
        for w in (m.group(0).lower() for m in re.finditer(_WORD, text))
    )


#: Words beside a noun that say nothing of which one it is.
_FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "my",
        "our",
        "your",
        "their",
        "his",
        "her",
        "its",
        "this",
        "that",
        "these",
        "those",
        "is",
        "are",
        "was",
        "be",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "at",
        "from",
        "as",
        "it",
    ]
)


def named_apart(text: str, unit: str) -> bool:
    """Whether ``text`` names ``unit`` two or more times with different words beside it
    ("Anlage V + Anlage Kind", "the front wall and the back wall"): more than one of
    them, though no number says so."""
    words = [m.group(0).lower() for m in re.finditer(r"\w[\w'-]*", text)]
    unit = unit.lower()

    def own(i: int) -> str:
        # a function word ("the wall ... the wall is") tells no two of them apart
        return words[i] if 0 <= i < len(words) and words[i] not in _FUNCTION_WORDS else ""

    beside = {(own(i - 1), own(i + 1)) for i, w in enumerate(words) if w == unit}
    return len(beside) >= 2


def singly_named(text: str, unit: str) -> Span | None:
    """Where ``text`` names one ``unit`` in the singular after a possessive, an article or
    "one" ("our roof", "one full truckload" for "truck", "the flat"). None when it never
    does, or may mean more than one: a plural or other spelling of the unit anywhere
    ("the flat ... both flats"), a word of more before it ("another roof", "each car"), or
    two phrases that name it with different words ("the main roof and the garage roof").
    """
    if not unit.isalpha() or unit in _PHRASE_ENDS or unit in _MORE_THAN_ONE:
        return None
    if names_plural(text, unit):
        return None  # the plural ("roofs") or another spelling that may count several
    words = list(re.finditer(_WORD, text))
    found: list[tuple[Span, frozenset[str]]] = []
    for i, match in enumerate(words):
        w = match.group(0).lower()
        if _noun_unit(w) != unit:
            continue
        before = [m.group(0).lower() for m in words[max(0, i - 4) : i]]
        if _MORE_THAN_ONE & set(before):
            return None
        # the determiner nearest before the noun, with only modifier words between
        for back in range(len(before) - 1, -1, -1):
            word = words[i - len(before) + back]
            between = text[word.end() : match.start()]
            if re.search(r"[^A-Za-z'\s-]", between):
                break  # a number, comma or other mark between: not one phrase
            if re.fullmatch(_SINGLE_DETERMINERS, before[back]):
                span = Span(word.start(), match.end(), text[word.start() : match.end()])
                found.append((span, frozenset(before[back + 1 :])))
                break
            if before[back] in _PHRASE_ENDS:
                break
    if not found or len({mods for _, mods in found if mods}) > 1:
        return None
    return found[0][0]


#: A plural noun and the kinds of it listed in brackets after it: "documents (diplomas,
#: birth certificates)", "vehicles (cars, vans)".
_KINDS_LISTED = re.compile(r"\b(?P<noun>[A-Za-z][A-Za-z-]{2,})\s*\((?P<kinds>[^()]{1,120})\)")


def listed_kinds(offer_text: str, unit: str) -> frozenset[str]:
    """The kinds of ``unit`` the offer lists in brackets after the unit's plural: "public
    documents (diplomas, birth certificates)" against "per document" are "diploma" and
    "certificate" (each item's last word, as a unit)."""
    kinds: set[str] = set()
    for match in re.finditer(_KINDS_LISTED, offer_text):
        noun = match.group("noun").lower()
        if noun == unit or canonical_unit(noun) != unit:
            continue  # only the plural names a kind of the unit: "document (PDF)" does not
        for item in re.split(r",|;|/|\band\b|\bor\b|\betc\b", match.group("kinds"), flags=re.I):
            last = re.findall(r"[A-Za-z][A-Za-z-]*", item)
            if last:
                kinds.add(canonical_unit(last[-1]))
    return frozenset(kinds - {unit})


def one_named(o: Facts, s: Facts, text: str, unit: str, offer_text: str = "") -> Quantity | None:
    """One ``unit`` when the seek's ``text`` names a single one of it ("€180 per roof"
    against "want our roof checked"), or of a kind of it the offer lists ("€75 per
    document" for "documents (diplomas, ...)" against "my university diploma"), and
    nothing else it says could be what the rate is per. Precision first, None when: the
    seek states any amount (a duration, a count of items: the rate may be per those),
    recurs, counts or names the unit in the plural, or the offer's least order of the unit
    is more than one."""
    if unit in TIME_DAYS or unit in _WORK_SECONDS or unit in s.counted:
        return None
    if s.quantities or s.recurrence is not None:
        return None
    if any(q.unit == unit and q.bound == "at_least" and q.value > 1 for q in o.quantities):
        return None
    if names_plural(text, unit):
        return None
    named = [singly_named(text, noun) for noun in sorted({unit} | listed_kinds(offer_text, unit))]
    found = [span for span in named if span is not None]
    if len(found) != 1:
        return None  # none, or two kinds named ("my diploma and my birth certificate")
    return Quantity(1.0, unit, "about", found[0])


#: A number as written in a count: "14,500", "14.500", "250", "1 200".
_COUNT_NUMBER = r"\d[\d,.]*(?:\s\d{3})*"
#: A range or a product goes on after the number ("500-800 words", "3 x 200 pages").
_JOIN = r"(?:-|\u2013|to\b|x\b|\u00d7)"
_GOES_ON = re.compile(rf"\s*{_JOIN}\s*\d", re.I)


def number_beside(text: str, unit: str) -> Quantity | None:
    """The number of ``unit`` that ``text`` writes in a form the reader's counts may miss:
    right before a word of the unit ("n=250 completes", "250 completed interviews"), or
    after it as a field ("Word count (source): 14,500", "pages: 40"); None when the text
    writes none, or a range or product of them. A seek that writes one is never asking
    for one."""
    stem = tokens(unit)
    for word in re.finditer(r"[^\W\d_]+", text):
        if not stem or tokens(word.group(0)) != stem:
            continue
        start = max(0, word.start() - 16)
        before = re.search(rf"(?<![\d,.])({_COUNT_NUMBER})\s*$", text[start : word.start()])
        after = re.match(
            rf"(?:\s+count)?\s*(?:\([^()]{{1,20}}\))?\s*[:=]\s*({_COUNT_NUMBER})",
            text[word.end() :],
            re.I,
        )
        if before is not None:
            first, last, number = start + before.start(), word.end(), before.group(1)
            if re.search(rf"\d\s*{_JOIN}\s*{re.escape(number)}\s*$", text[: start + before.end()]):
                return None  # "500-800 words"
        elif after is not None:
            first, last, number = word.start(), word.end() + after.end(), after.group(1)
            if _GOES_ON.match(text, last):
                return None
        else:
            continue
        number = number.rstrip(".,")
        value = parse_number(number)
        if value is None or value <= 0:
            return None
        span = Span(first, last, text[first:last].rstrip(".,"))
        return Quantity(value, unit, "about", span)
    return None
