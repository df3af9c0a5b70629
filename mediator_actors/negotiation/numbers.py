"""Numbers as people write them: ``3,750`` and ``3.750``, ``9.500,75`` and ``9,500.75``,
``0,11``, ``3.5k``, ``12k``, ``fifteen``, ``twenty-five``, ``seven hundred``,
``a couple of hundred``, ``a dozen``.

Pure functions; every reading keeps the span of text it came from. Digit runs are bounded
so no pattern rescans a long run of digits (a 20,000-digit "number" once took minutes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mediator_actors.negotiation import literals

__all__ = [
    "MAX_NUMBER",
    "NUMBER_PATTERN",
    "NUMBER_SOURCE",
    "UNIT_WORDS",
    "WORDS_SOURCE",
    "Number",
    "find_numbers",
    "parse_number",
    "token_numbers",
    "words_value",
]

MAX_NUMBER = 1e12

# "1 200 €", "CHF 1 450", "5 000 mots": thousands grouped by a plain space, as French,
# German, Nordic, Polish and Swiss writers do. A plain space also just separates two
# numbers ("2 150 g jars"), so the grouping is read only beside a currency or a counted
# unit that makes it one amount; a range "1 200 - 1 500 €" carries the unit of its end.
_SPACE = r"[ \u00a0\u202f\u2009]"
_SPACED_RUN = r"\d{1,3}(?: \d{3}){1,4}"
_SPACED_UNIT = (
    r"(?:[€$£¥₹]|(?i:eur(?:os?)?|chf|francs?|kr\.?|nok|sek|dkk|isk|pln|zł|zl|czk|kč|huf|ft|"
    r"ron|lei|gbp|usd|cad|aud|nzd|words?|mots?|wörter|worte|woorden|palabras|parole|"
    r"palavras|ord|słów|km|kg|m2|m²)(?![^\W\d_]))"
)
_SPACED_BEFORE = (
    r"(?:(?<=[€$£¥₹])|(?<=[€$£¥₹] )|(?<=\bkr )|(?<=\bkr\. )"
    r"|(?<=(?i:eur|chf|nok|sek|dkk|isk|pln|czk|huf|gbp|usd|cad|aud|nzd|ron) ))"
)
_SPACED = (
    rf"{_SPACED_BEFORE}{_SPACED_RUN}(?:,\d{{1,2}})?(?![\d.,]\d)"
    rf"|{_SPACED_RUN}(?:,\d{{1,2}})?(?=(?:\s?[-\u2013]\s?{_SPACED_RUN})?{_SPACE}?{_SPACED_UNIT})"
)

# A grouped number (thousands separators, optional decimals) or a plain one, then an
# optional k/m multiplier. Grouping separators: comma, dot, apostrophe, thin or no-break
# space; the decimal mark is whichever of comma or dot comes last with 1-2 digits after.
NUMBER_PATTERN = (
    # Indian grouping first: "1,80,000" is 180000 (two-digit lakhs, then thousands)
    rf"(?<![\w.,])(?P<num>\d{{1,2}}(?:,\d{{2}}){{1,3}},\d{{3}}(?![\d,])|{_SPACED}"
    r"|\d{1,3}(?:(?P<sep>[,.'\u202f\u00a0\u2009])\d{3})(?:(?P=sep)\d{3}){0,4}"
    r"(?:[.,]\d{1,2}(?!\d))?|\d{1,15}(?:[.,]\d{1,6})?)(?![\d])"
    # "12k", "3.5k", "2M", "1.2mn"; a lone lower-case "m" is metres ("1.2m tall").
    r"(?:(?P<mult>[kK]|M|mn)(?![a-zA-Z])|\s(?P<mult2>million)\b)?"
)
_NUMBER = re.compile(NUMBER_PATTERN)
#: The same tokens without named groups, to embed in other patterns; read the matched
#: text with :func:`find_numbers`.
NUMBER_SOURCE = (
    # Indian grouping first: "1,80,000" is 180000 (lakhs of two digits, then thousands)
    rf"(?<![\w.,])(?:\d{{1,2}}(?:,\d{{2}}){{1,3}},\d{{3}}(?![\d,])|{_SPACED}"
    r"|\d{1,3}(?:[,.'\u202f\u00a0\u2009]\d{3}){1,5}(?:[.,]\d{1,2}(?!\d))?"
    r"|\d{1,15}(?:[.,]\d{1,6})?)(?!\d)(?:[kK](?![a-zA-Z]))?"
)

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
#: "zero" … "nineteen" and their values, for readers that count with words of their own.
UNIT_WORDS: dict[str, int] = _UNITS
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_WORD = "|".join(sorted([*_UNITS, *_TENS, *_SCALES, "dozen"], key=len, reverse=True))
# "a couple of hundred", "a hundred", "twenty-five", "seven hundred and fifty", "a dozen".
#: A number in words, without named groups, to embed in other patterns (read the match
#: with :func:`find_numbers`): "a hundred and twenty", "a dozen", "twenty-five".
WORDS_SOURCE = rf"(?:(?:a\s+couple\s+of|a|an)\s+)?(?:{_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_WORD}))*"
_WORDS = re.compile(
    rf"\b(?P<w>(?:(?:a\s+couple\s+of|a\s+few|a|an|couple\s+of)\s+)?(?:{_WORD})"
    rf"(?:(?:\s+and\s+|[\s-]+)(?:{_WORD}))*)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Number:
    """A number read from prose: its value and the span ``text[start:end]``."""

    value: float
    start: int
    end: int
    text: str
    words: bool = False  # written as words ("fifteen")


def parse_number(raw: str, mult: str | None = None) -> float | None:
    """The value of one digit token (``3,750``, ``3.750``, ``9.500,75``, ``0,11``, ``3.5``)
    times ``mult`` (``k``, ``m``); None when out of range."""
    text = re.sub(r"[ '\u202f\u00a0\u2009]", "", raw)
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        text = text.replace(grouping, "").replace(decimal, ".")
    elif commas or dots:
        mark = "," if commas else "."
        head, _, tail = text.rpartition(mark)
        count = commas or dots
        # One mark before exactly three digits, after a non-zero head, groups thousands
        # ("3,750", "3.750"); anything else is a decimal mark ("0,11", "1.10", "2.5").
        if count > 1 or (len(tail) == 3 and head.lstrip("0") != ""):
            text = text.replace(mark, "")
        else:
            text = head.replace(mark, "") + "." + tail
    try:
        value = float(text)
    except ValueError:
        return None
    if mult:
        value *= 1000 if mult.lower() == "k" else 1_000_000
    return value if 0 <= value <= MAX_NUMBER else None


def words_value(phrase: str) -> float | None:
    """The value of a number written in words, or None if it is not one."""
    parts = re.split(r"[\s-]+", phrase.lower().strip())
    parts = [p for p in parts if p not in {"and", "of"}]
    approximate = 1.0
    if parts[:1] == ["couple"] or parts[:2] == ["a", "couple"]:
        parts = parts[2:] if parts[0] == "a" else parts[1:]
        approximate = 2.0
    elif parts[:2] == ["a", "few"]:
        return None  # "a few hundred" names no number
    elif parts[:1] in (["a"], ["an"]):
        parts = parts[1:] or ["one"]
        if parts[0] not in _SCALES and parts[0] != "dozen":
            return None  # "a five" is not English
    total = current = 0.0
    seen = False
    for part in parts:
        if part in _UNITS:
            current += _UNITS[part]
        elif part in _TENS:
            current += _TENS[part]
        elif part == "dozen":
            current = (current or 1) * 12
        elif part == "hundred":
            current = (current or 1) * 100
        elif part in _SCALES:
            total += (current or 1) * _SCALES[part]
            current = 0
        else:
            return None
        seen = True
    if not seen:
        return None
    return (total + current) * approximate


def find_numbers(text: str) -> list[Number]:
    """Every number in ``text``, digits and words, in order of position."""
    found = []
    for match in _NUMBER.finditer(text):
        value = parse_number(match.group("num"), match.group("mult") or match.group("mult2"))
        if value is not None:
            found.append(Number(value, match.start(), match.end(), match.group(0)))
    taken = [(n.start, n.end) for n in found]
    for match in literals.finditer(_WORDS, text):  # skipped where no number word occurs
        phrase = match.group("w")
        if phrase.lower() in {"a", "an"}:
            continue
        value = words_value(phrase)
        if value is None or any(s < match.end() and match.start() < e for s, e in taken):
            continue
        found.append(Number(value, match.start(), match.end(), phrase, words=True))
    return sorted(found, key=lambda n: n.start)


_SPACED_TOKEN = re.compile(rf"{_SPACED_RUN.replace(' ', _SPACE)}(?:,\d{{1,2}})?")


def token_numbers(raw: str) -> list[Number]:
    """The numbers of a token another pattern matched with :data:`NUMBER_SOURCE`: a
    token that is one space-grouped run ("4 200", cut from "4 200 words") was grouped by
    the context that pattern saw, which ``find_numbers`` on the token alone no longer sees."""
    token = raw.strip()
    if _SPACED_TOKEN.fullmatch(token) and (value := parse_number(token)) is not None:
        start = raw.index(token)
        return [Number(value, start, start + len(token), token)]
    return find_numbers(raw)
