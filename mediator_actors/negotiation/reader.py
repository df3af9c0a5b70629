"""Readings of the terms people state in prose, each with the span it came from.

:func:`read_facts` turns one intent's prose into :class:`Facts`, a frozen value: money
(amount or range, currency, per unit, bound), quantities and limits with units, places and
travel, languages and translation directions, availability, payment terms, exclusions,
certifications, ages and the stated requirements the reader does not understand. It is
read once per intent and kept; pairs are judged on it (:mod:`fit`), never re-parsed.

:func:`read_terms` reads the whole intent (its :class:`Facts` plus timeline, service
phrases, conditions and hard conditions) into :class:`StatedTerms`: the one reader both
negotiation paths use (the offline negotiator, and the constraint check of an LLM's
terms in :mod:`validation`), as do the challenge checker and the dev chain's parties.
Prices and quantities in it come from the :class:`Facts` readings, numbers from
:mod:`numbers`; there is no second parser for either.

Pure functions on text capped at 20,000 characters; no clock (relative dates resolve
against the intent's own chain timestamp, passed in as ``reference``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from mediator_actors.negotiation import langnames, literals
from mediator_actors.negotiation.clauses import payment_time
from mediator_actors.negotiation.glossary import GREETINGS
from mediator_actors.negotiation.months import (
    BEFORE_CUES,
    BY_CUES,
    DAY_MONTH_JOIN,
    DAY_ONLY_MONTHS,
    FOREIGN_MONTHS,
    FROM_CUES,
    NOT_ONLY,
    ONLY_WORDS,
    UNTIL_CUES,
)
from mediator_actors.negotiation.numbers import (
    NUMBER_SOURCE,
    WORDS_SOURCE,
    Number,
    find_numbers,
    token_numbers,
    words_value,
)
from mediator_actors.negotiation.packing import carry_minimum
from mediator_actors.negotiation.rand import rand_marks
from mediator_actors.negotiation.unread import Unread, unread_clauses
from mediator_actors.negotiation.vocabulary import HARD_PATTERNS, HardCondition, fold
from mediator_actors.safety.textsafety import detect_injection, is_bare

__all__ = [
    "CURRENCIES",
    "Facts",
    "Money",
    "Quantity",
    "Span",
    "StatedTerms",
    "add_months",
    "canonical_unit",
    "clause_min_age",
    "own_age",
    "parse_date",
    "read_facts",
    "read_terms",
    "rough_stem",
    "service_gist",
]

Bound = Literal["about", "at_most", "at_least"]
#: No intent states more than this many amounts; a hostile one is read no further.
MAX_READINGS = 60


@dataclass(frozen=True, slots=True)
class Span:
    """Where a reading came from: ``text`` is the folded prose ``[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Money:
    """An amount (or a range ``low``..``high``) in ``currency`` (None: not stated),
    ``per`` a unit (None: a total), ``bound`` how the party framed it."""

    low: float
    high: float
    currency: str | None
    per: str | None
    bound: Bound
    context: frozenset[str]  # rough stems of the clause that names the amount
    span: Span
    per2: str | None = None  # "8 EUR per pallet per week": the second unit
    #: A fixed charge added to a rate ("90 GBP call-out + 50 GBP/hour"): never the price on
    #: its own, always on top of the rate's total.
    fee: bool = False
    #: A price on top in some cases ("+100 EUR each extra hour", "home visits +20 CHF").
    extra: bool = False
    #: A price per session that is a block of minutes ("25 GBP per 15 minutes"): its length.
    block_minutes: float | None = None
    #: One of two prices offered as alternatives ("120 €/day or 450 €/week"): the other
    #: never adds to it.
    alternative: bool = False


@dataclass(frozen=True, slots=True)
class Quantity:
    """``value`` of ``unit``; ``bound`` says whether it is a limit (minimum order,
    capacity) or a stated amount; ``period`` when it recurs ("5 walks a week")."""

    value: float
    unit: str
    bound: Bound
    span: Span
    period: str | None = None
    #: Stems of the words right after a count ("two pairs of trousers hemmed" -> {"hem"}):
    #: what is to be done to the things counted.
    tail: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything :func:`read_facts` found in one intent's prose."""

    money: tuple[Money, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    places: tuple[tuple[str, Span], ...] = ()  # lower-cased place names
    place_restricted: bool = False  # "Dublin only", "ships within Canada only", "area"
    onsite: bool = False  # the work happens at a place ("at my studio", "collection only")
    remote: bool = False  # "online", "remote", "via Zoom"
    ships: bool = False  # "ships", "delivery", "worldwide", "travel": not tied to one place
    travel_km: float | None = None  # "within 15 miles of X" in km
    language_pairs: frozenset[tuple[str, str]] = frozenset()
    languages: frozenset[str] = frozenset()  # every language named
    languages_required: frozenset[str] = frozenset()  # "German-speaking", "in French"
    languages_only: bool = False  # "English only"
    #: Without a stated pair, the direction the prose implies: "translated into
    #: Portuguese", "needs Japanese subtitles" (targets); "from French", "our English
    #: website" (sources).
    language_targets: frozenset[str] = frozenset()
    language_sources: frozenset[str] = frozenset()
    slots: frozenset[str] = frozenset()  # availability / need: "wd-day", "we-eve", ...
    days: frozenset[str] = frozenset()  # named days: "Tuesdays and Thursdays" -> {...}
    slots_strict: bool = False
    event_date: dt.date | None = None  # "on 12 June 2027"
    start_date: dt.date | None = None  # "from mid-April"
    throughput: tuple[float, str, float] | None = None  # (n, unit, per days)
    payment_advance: Span | None = None
    payment_after: Span | None = None
    payment_instalments: Span | None = None  # "in 3 monthly instalments"
    payment_in_full_first: Span | None = None  # "paid in full before filing"
    exclusions: tuple[tuple[frozenset[str], Span], ...] = ()  # "no smoking" -> {smok}
    positives: frozenset[str] = frozenset()  # rough stems named without a negation
    certifications: frozenset[str] = frozenset()  # "CE marked" -> {"ce"}
    certifications_required: frozenset[str] = frozenset()
    certifications_denied: frozenset[str] = frozenset()
    min_age: int | None = None
    max_age: int | None = None  # "kids aged 5-12", "under-12s"
    until_date: dt.date | None = None  # "available until 15 March"
    places_excluded: tuple[tuple[str, Span], ...] = ()  # "not available in London"
    places_confined: tuple[tuple[str, Span], ...] = ()  # "not to be taken outside X"
    age: int | None = None
    child: bool = False  # the seek is for "my son", "our kids": a minor, age unstated or not
    levels: frozenset[str] = frozenset()  # "beginners", "advanced" -> {"beginner", ...}
    gender_only: str | None = None  # an offer's "women only": "female"
    gender: str | None = None  # a seek's own: "Male, 34", "for my husband": "male"
    countries: frozenset[str] = frozenset()  # "UK residents only", "I live in France"
    grade_range: tuple[int, int, str] | None = None  # an offer's "grades 1-5" (low, high, text)
    grade: int | None = None  # a seek's "grade 8", "B2"
    #: An offer limited to a kind of thing: "small dogs only" -> ("small", span).
    only_kinds: tuple[tuple[str, Span], ...] = ()
    levels_only: bool = False  # "beginners only", "for advanced players only"
    accents: frozenset[str] = frozenset()  # "Scottish accent", "American English" -> {...}
    requirements: tuple[Span, ...] = ()  # "must ..." sentences not read otherwise
    injection: bool = False
    #: An offer's highest floor or storey: "never above the third floor" -> (3, "floor", span).
    floor_max: tuple[int, str, Span] | None = None
    floor_max_lift: bool = False  # "... without a lift": the limit holds only with no lift
    #: A seek's floor or building height: "my 6th floor flat" -> (6, "floor", span).
    floor: tuple[int, str, Span] | None = None
    lift: bool = False  # the seek says there is a lift or elevator
    #: Units named after a number ("6 kWp", "three logos") or in the plural ("tyres"):
    #: a price per one of them is never taken as the price of one.
    counted: frozenset[str] = frozenset()
    #: A seek's request that recurs: "twice a week" -> (2, "week", span); "whenever it
    #: snows" -> (None, None, span): recurs, how often unknown.
    recurrence: tuple[float | None, str | None, Span] | None = None
    #: The sentence the recurrence is stated in, and whether an amount is said to be per
    #: occurrence ("3 hours each time"): only then does a stated amount recur with it.
    recurrence_sentence: tuple[int, int] = (0, 0)
    per_occasion: bool = False
    #: Where the amounts stated for one occasion start: "5 hours each", "1hr each".
    each_starts: frozenset[int] = frozenset()
    #: Costs stated as on top with no amount: "+ VAT", "plus materials", "travel extra"
    #: -> (("vat", span), ...). The total of the deal is then not known.
    addons: tuple[tuple[str, Span], ...] = ()
    #: Clock times on a day that runs past midnight (2am is 26.0): the offer's earliest
    #: start and latest finish ("until midnight", "9am-5pm"), the seek's start and end
    #: ("7pm to 2am", "runs until 1am"); None where not stated.
    clock_from: tuple[float, Span] | None = None
    clock_until: tuple[float, Span] | None = None
    #: An offer's discount on the first period of a rate: "First month half price!" ->
    #: ("month", 0.5, span), the share of the rate paid for that one period.
    first_discount: tuple[str, float, Span] | None = None


# --- currencies -----------------------------------------------------------------------

#: ISO 4217 codes people write, plus the chain's NLC.
CURRENCIES = frozenset(
    [
        "NLC",
        "USD",
        "EUR",
        "GBP",
        "CAD",
        "AUD",
        "NZD",
        "CHF",
        "JPY",
        "CNY",
        "INR",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "BRL",
        "MXN",
        "ZAR",
        "SGD",
        "HKD",
        "KRW",
        "TRY",
        "AED",
        "ILS",
        "RON",
        "BGN",
        "THB",
        "GHS",
    ]
)
_SYMBOLS = {
    "$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "c$": "CAD", "a$": "AUD", "¥": "JPY",
    # Dollars of other countries are never US dollars: "AU$60" is no "$60".
    "au$": "AUD", "ca$": "CAD", "nz$": "NZD", "hk$": "HKD", "s$": "SGD", "sg$": "SGD",
    "r$": "BRL", "mx$": "MXN", "reais": "BRL", "rupees": "INR", "₹": "INR", "yuan": "CNY", "rmb": "CNY",
    "zloty": "PLN", "zł": "PLN", "forint": "HUF", "koruna": "CZK", "kč": "CZK",
    "gh₵": "GHS", "gh¢": "GHS", "cedis": "GHS",
    "dollars": "USD", "dollar": "USD", "bucks": "USD", "euros": "EUR", "euro": "EUR",
    "pounds": "GBP", "quid": "GBP", "francs": "CHF", "yen": "JPY", "nlc": "NLC",
    "tokens": "NLC", "token": "NLC", "credits": "NLC",
}  # fmt: skip
_CUR_WORD = (
    # never the end of a word: the "ron" of "environ 12 km" is no Romanian leu
    r"(?<![a-zA-Z])(?:" + "|".join(sorted(CURRENCIES, key=len, reverse=True)) + r")(?![a-zA-Z])"
    r"|(?:US\$|AU\$|CA\$|NZ\$|HK\$|SG\$|MX\$|C\$|A\$|S\$|R\$|GH₵|GH¢|\$|€|£|¥|₹|zł|kč)"
    r"|(?:dollars?|bucks|euros?|pounds|quid|francs|yen|nlc|tokens?|credits|reais|rupees|"
    r"yuan|rmb|zloty|forint|koruna|cedis)\b"
)
_CUR = re.compile(_CUR_WORD, re.I)


def _currency(raw: str) -> str:
    key = raw.strip().lower()
    return _SYMBOLS.get(key, raw.strip().upper())


# --- units ----------------------------------------------------------------------------

_UNIT_ALIASES = {
    "hr": "hour", "hrs": "hour", "h": "hour", "hourly": "hour", "hour": "hour",
    "min": "minute", "mins": "minute", "minute": "minute",
    "day": "day", "working day": "day", "business day": "day", "calendar day": "day", "daily": "day",
    "night": "night", "evening": "evening", "week": "week", "wk": "week", "weekly": "week",
    "fortnight": "fortnight", "month": "month", "mo": "month", "monthly": "month", "pcm": "month",
    "pw": "week",
    "quarter": "quarter", "year": "year", "yr": "year",
    "person": "person", "people": "person", "guest": "person", "head": "person",
    "pax": "person", "pp": "person", "attendee": "person", "passenger": "person",
    "delegate": "person", "occupant": "person",
    "traveller": "person", "traveler": "person", "diner": "person", "visitor": "person",
    "student": "person", "adult": "person", "seated": "person", "standing": "person",
    "song": "track", "track": "track", "photo": "image", "picture": "image", "image": "image",
    "piece": "item", "pc": "item", "pcs": "item", "unit": "item", "item": "item",
    "lesson": "session", "class": "session", "session": "session",
    "gpu-hour": "gpu-hour", "gpu hour": "gpu-hour", "gpuh": "gpu-hour",
    "kilo": "kg", "kilogram": "kg", "kg": "kg", "gram": "g", "g": "g",
    "sq ft": "sqft", "sqft": "sqft", "square foot": "sqft", "square feet": "sqft",
    "m2": "m2", "m²": "m2", "sqm": "m2", "square metre": "m2", "square meter": "m2",
    "m3": "m3", "m³": "m3", "cbm": "m3", "cubic metre": "m3", "cubic meter": "m3",
    # "€0.85 per cm³": a volume, never a length ("42 cm³ each" is no 42 cm)
    "cm³": "cm3", "cm3": "cm3", "ccm": "cm3", "cubic centimetre": "cm3", "cubic centimeter": "cm3",
    "cm²": "cm2", "cm2": "cm2", "mm²": "mm2", "mm2": "mm2", "mm³": "mm3", "mm3": "mm3",
    "gsm": "gsm", "gb": "gb", "tb": "tb", "core": "core", "cpu": "core", "vcpu": "core",
    "mile": "mile", "km": "km", "kilometre": "km", "kilometer": "km", "cm": "cm", "mm": "mm",
    "word": "word", "page": "page", "line": "line", "second": "second", "sec": "second",
    "seat": "seat", "bed": "bed", "room": "room",
    "video": "video", "clip": "video", "post": "post",
    "article": "post", "walk": "walk", "visit": "visit", "contract": "contract",
    "tin": "tin", "box": "box", "flyer": "flyer", "card": "card", "return": "return",
    "song mix": "track", "episode": "episode", "label": "label", "document": "document",
    "tree": "tree", "kit": "kit", "stay": "night", "time": "visit", "bedroom": "room",
    "video minute": "minute", "audio minute": "minute", "finished minute": "minute",
    "participant": "person", "member": "person", "staff": "person", "employee": "person", "shirt": "shirt", "t-shirt": "shirt",
    "pallet": "pallet", "drop": "drop", "treatment": "treatment", "model": "model",
    # Units as written in German, Dutch, French and Spanish prose ("0,10 EUR pro Wort"),
    "wort": "word", "woord": "word", "mot": "word", "palabra": "word", "stunde": "hour",
    "uur": "hour", "heure": "hour", "hora": "hour", "seite": "page", "pagina": "page",
    "tag": "day", "dag": "day", "jour": "day", "nacht": "night", "nuit": "night",
    "noche": "night", "monat": "month", "maand": "month", "mois": "month", "mes": "month",
    # ... and in Italian and Portuguese ("150 €/ora", "0,08 € por palavra").
    "ora": "hour", "parola": "word", "palavra": "word", "giorno": "day", "notte": "night",
    "mese": "month", "noite": "night",
    # ... and more of them ("220€/mês", "$60 por minuto", "€90 pro Stück")
    "mês": "month", "meses": "month", "minuto": "minute",
    "stück": "item", "stk": "item", "stuk": "item", "pessoa": "person",
    # people in German, Dutch, French, Spanish and Italian ("für 60 Gäste", "voor 40 personen")
    "gäste": "person", "gaeste": "person", "gast": "person", "personen": "person",
    "gasten": "person", "personne": "person", "invité": "person", "persona": "person",
    "invitado": "person", "persone": "person", "ospiti": "person", "teilnehmer": "person",
    "deelnemer": "person", "deelnemers": "person",
    # their plurals that do not end in a plain "s" ("7 dagen", "3 Wochen", "zwei Tage")
    "dagen": "day", "tage": "day", "tagen": "day", "giorni": "day", "día": "day", "woche": "week",
    "wochen": "week", "weken": "week", "semaine": "week", "semana": "week",
    "nachten": "night", "maanden": "month", "monate": "month", "stunden": "hour",
    "uren": "hour", "ore": "hour", "woorden": "word", "wörter": "word", "worte": "word",
    "parole": "word",
    # staff counted by what they are to the buyer ("per trainee", "22 empleados")
    "trainee": "person", "empleado": "person", "mitarbeiter": "person",
    "mitarbeitende": "person", "medewerker": "person", "medewerkers": "person",
    "dipendente": "person", "dipendenti": "person", "salarié": "person", "employé": "person",
    # a photograph by its trade's name ("120 product shots", "$18 per final image")
    "shot": "image",
}  # fmt: skip
#: Units of one job ("per contract", "per treatment"): a seek that names none wants one.
JOB_UNITS = frozenset(
    {"contract", "treatment", "visit", "kit", "model", "project", "job", "repair", "return",
     "call-out", "drop", "session", "track", "video", "post", "logo", "website", "audit",
     "page", "consultation", "cake", "service", "bouquet", "package", "design", "trip",
     "ride", "transfer", "cut", "haircut"}
)  # fmt: skip
#: Units of time: their length in days, to convert "a week" into nights or days.
TIME_DAYS = {
    "minute": 1 / 1440, "hour": 1 / 24, "day": 1, "night": 1, "week": 7, "fortnight": 14,
    "month": 30, "quarter": 91, "year": 365,
}  # fmt: skip
#: Units a seek states as the least it needs of a spec ("16GB RAM", "8 cores").
SPEC_UNITS = frozenset({"gb", "tb", "core", "sqft", "m2", "bed", "gsm"})
_UNIT_WORDS = sorted(
    {*_UNIT_ALIASES, *(k + "s" for k in _UNIT_ALIASES if k[-1] not in "s"), "people", "pages"},
    key=len,
    reverse=True,
)
# never the start of a longer word, accented ones too ("de hêtre" has no "h" for hours)
# nor a letter of a model's name: "8x H100" counts H100s, never 8 hours
_UNIT_RE = (
    r"(?:" + "|".join(re.escape(u) for u in _UNIT_WORDS) + r")(?![a-zA-Z\u00c0-\u00ff²³]|\d{3})"
)


@functools.lru_cache(maxsize=4096)  # pure, and asked for the same few words all the time
def canonical_unit(word: str) -> str:
    """The unit key for a written unit ("hrs" -> "hour", "guests" -> "person"), or the
    singular of an unknown noun."""
    key = re.sub(r"\s+", " ", word.lower().strip().strip("."))
    if key in _UNIT_ALIASES:
        return _UNIT_ALIASES[key]
    for suffix, keep in (("ies", "y"), ("es", ""), ("s", "")):
        if key.endswith(suffix) and key[: -len(suffix)] + keep in _UNIT_ALIASES:
            return _UNIT_ALIASES[key[: -len(suffix)] + keep]
    if key.endswith("ies") and len(key) > 4:
        key = key[:-3] + "y"  # "deliveries" is the plural of "delivery", not "deliverie"
    elif key.endswith("s") and len(key) > 3 and not key.endswith("ss"):
        key = key[:-1]
    if key in _UNIT_ALIASES:
        return _UNIT_ALIASES[key]
    # "e-bikes" and "bikes", "t-shirts" and "shirts" are the same unit.
    return key.rsplit("-", 1)[-1] if "-" in key and key not in _UNIT_ALIASES else key


@functools.lru_cache(maxsize=16_384)  # pure, and asked for every word of every text
def rough_stem(word: str) -> str:
    """A blunt stem for exclusions: "subletting", "sublet", "sublets" -> "sublet"."""
    word = word.lower()
    for suffix in ("ing", "ers", "er", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


# --- numbers in context ---------------------------------------------------------------

_NUM = NUMBER_SOURCE
_PER = (
    r"\s*(?:/|per\b|an?\b|each\b|for\s+(?:a|an|one|each)\b|every\b)\s*"
    r"(?:(?:\d+|thirty|fifteen|sixty)[- ]?(?:min(?:ute)?s?|hours?)\s+)?"
    # "per source word", "per running metre": the word before the unit says which one
    r"(?:(?:video|audio|finished|final|edited|working|business|standard|normal|regular|basic|source|target|running|linear|additional|extra|single)[\s-]+)?"
    # "90€/stère": a unit may carry an accent
    rf"(?P<per>{_UNIT_RE}|[a-z\u00e0-\u00ff][a-z\u00e0-\u00ff-]{{2,20}})"
)
#: "£120 each fitted", "$15 each delivered": "each" with a word of what is done to the
#: thing, per thing (the "each" branch), never a unit called "fitted".
_EACH_DONE = re.compile(r"\s*each\s+[a-z]{3,}ed\b", re.I)
_PER2_RE = re.compile(
    # "29 €/Std. netto pro Person": a second unit after the first one's full stop and a
    # word of tax, in the party's own language too, keeps the per person.
    # (never a new sentence: "20 €/Std. Pro Termin ..." starts one)
    r"(?:\.(?=\s+(?-i:[a-z])))?(?:\s+(?:net|netto|brutto|gross|excl\.?|incl\.?|zzgl\.?|inkl\.?)(?=\s))?"
    rf"\s*(?:/|per\b|pro\b|je\b|par\b|an?\b|each\b)\s*(?P<per>{_UNIT_RE}|[a-z][a-z-]{{2,20}})",
    re.I,
)
_PER_RE = re.compile(_PER, re.I)
#: "pro Wort", "par mot", "por hora": the same per-unit phrase in the party's own language.
#: "95 € pro Raummeter", "3,20 € pro Laib", "12 € por caja": the word after "pro" is the
#: unit whether or not the unit table names it (issue 16: read as a flat price, a proposal
#: priced one loaf for forty).
_PER_FOREIGN = re.compile(
    rf"\s*(?:pro|je|par|por)\s+(?P<per>{_UNIT_RE}|[a-z\u00e0-\u00ff][a-z\u00e0-\u00ff-]{{2,20}})\b",
    re.I,
)
#: "0,10 EUR pro Wort (per word)": a bracket just after the amount restating its unit.
_PER_BRACKET = re.compile(
    rf"\s*(?:[^\s()]+\s+){{0,2}}\(\s*(?:per|/|a|an|each)\s*(?P<per>{_UNIT_RE})\s*\)", re.I
)
#: "18 EUR / 45 min", "per 30 minutes": a price for a block of minutes is per session
#: (a lesson, a treatment), or per hour when the block is 60 minutes.
_PER_MINUTES = re.compile(
    r"\s*(?:for\s+|/\s*|per\s+|a\s+)?(?:an?\s+)?(?P<m>\d{2,3})\s*(?:-\s*)?min(?:ute)?s?\b", re.I
)
#: "85 EUR le stere", "20 EUR la hora": the article after a price makes it per that thing.
_PER_ARTICLE = re.compile(r"\s*(?:le|la|l')\s*(?P<per>[a-z\u00e0-\u00ff]{3,20})\b", re.I)
#: "10 € à hora", "20 € à l'heure", "15 € all'ora", "300 € al mes", "80 € al día": a
#: time unit after "at the" is the period the price is charged by (only time units:
#: "€450 à Lyon" names a place).
_PER_AT_TIME = re.compile(
    r"\s*(?:à|a|al|alla|all['\u2019]|ao)\s*(?:l['\u2019]\s*|la\s+)?"
    r"(?P<per>hora|heure|ora|día|jour|giorno|semana|semaine|m[eê]s|mois|mese|"
    r"noite|nuit|notte|noche)\b",
    re.I,
)
#: "0.30 EUR/ml": a slash and a short unit the unit list does not name is still a rate.
_PER_SHORT = re.compile(r"\s*/\s*(?P<per>[a-z]{1,2})\b", re.I)
#: A cue of an hourly rate written before the amount, in English and the languages of the
#: unit table ("hourly rate 68 EUR", "Stundensatz 68 €", "uurtarief €55").
_HOURLY_BEFORE = re.compile(
    r"(?:\bhourly\s+rate|\brate\s+per\s+hour|\bper\s+hour|\bstundensatz|\bstundenlohn|"
    r"\buurtarief|\btarif\s+horaire|\btarifa\s+(?:por\s+)?hora|\btariffa\s+oraria)"
    r"\s*(?:[:=-]|\bof\b|\bis\b|\bvon\b|\bde\b|\bdi\b|\bvan\b)?\s*$",
    re.I,
)
#: A cue of a day rate written before the amount: "day rate €850", "daily rate: 600",
#: "Tagessatz 900 €", "dagtarief €600", "tarif journalier 500 €", "tarifa diaria".
_DAILY_BEFORE = re.compile(
    r"(?:\b(?:day|daily)\s+rate|\brate\s+per\s+day|\btagessatz|\bdagtarief|"
    r"\btarif\s+journalier|\btarifa\s+diaria|\btariffa\s+giornaliera)"
    r"\s*(?:[:=-]|\bof\b|\bis\b|\bvon\b|\bde\b|\bdi\b|\bvan\b)?\s*$",
    re.I,
)
_PER_SUFFIX = re.compile(
    # "£750 pcm" (per calendar month), "£180 pw": how rents are written in the UK
    r"\s*(?P<per>pp|p/?h|ph|hourly|daily|weekly|monthly|each|pcm|pw)\b",
    re.I,
)
#: "80 EUR per 1,000 words", "25 GBP per 100 flyers", "3 EUR per 2 hours": a price for a
#: block of units is a rate of a share of it per unit.
_PER_BLOCK = re.compile(
    # never "for": "200 EUR for 3 nights" is a package, not a rate to extrapolate
    r"\s*(?:/|per\b|for\s+every\b|every\b)\s*"
    r"(?P<n>\d{1,3}(?:[,.]\d{3})*(?:\.\d+)?\s*k?|a\s+hundred|a\s+thousand|hundred|thousand)\s+"
    rf"(?P<per>{_UNIT_RE}|[a-z][a-z-]{{2,20}})",
    re.I,
)
_BLOCK_WORDS = {"a hundred": 100.0, "hundred": 100.0, "a thousand": 1000.0, "thousand": 1000.0}
_MAX_CUE = re.compile(
    r"(?:budget|up\s+to|at\s+most|no\s+more\s+than|max(?:imum)?\.?|can\s+(?:pay|spend|do)|"
    r"will(?:ing to)?\s+pay|able\s+to\s+pay|pay\s+up\s+to|cap(?:ped)?\s+at|not\s+exceeding|"
    r"under|below|less\s+than|tops|happy\s+to\s+pay|afford|have|spend|ceiling)"
    r"[^.;!?\n\d]{0,25}$",
    re.I,
)
_MIN_CUE = re.compile(
    # "minimum call-out charge 120 EUR", "min. callout fee of 90": up to two words between
    # "minimum fare €40", "minimum order: €10": any noun the minimum names binds the amount
    # "up to 20 min. Setup fee $250": "min" after a number is minutes, never a minimum;
    # "M365 admin. Onboarding £300": "min" inside a word is no minimum either
    r"(?:(?:minimum|(?<!\d\s)(?<!\w)min\.?)\s+(?:[a-z-]+\s+){0,2}?(?:charge|fee|spend|price|call[- ]?outs?|order(?:\s+value)?|[a-z-]{3,})"
    r"(?:\s+(?:is|of))?\s*:?|"
    r"at\s+least|no\s+less\s+than|minimum|(?<!\d\s)(?<!\w)min\.?|not\s+below|starting\s+(?:at|from)|"
    r"from|upwards\s+of)\s*(?:of\s+|price\s+|fee\s+)?(?:just\s+)?$",
    re.I,
)
_BUDGET_BARE = re.compile(
    r"(?:budget(?:\s+(?:is|of))?|asking|price(?:\s+is)?|pay(?:\s+up\s+to)?)\s*:?\s*"
    r"(?:about\s+|around\s+|up\s+to\s+|max\.?\s+|~\s*)?$",
    re.I,
)
_BOUND_BEFORE_PER = re.compile(
    r"\s*(?:max(?:imum)?\.?|tops|at\s+most|min(?:imum)?\.?)(?=\s*(?:/|per\b|an?\s|each\b|every\b))",
    re.I,
)
#: "£90 minimum call out", "60 EUR min. charge": the least any job costs, after the amount.
_MIN_CHARGE_AFTER = re.compile(
    r"^\s*(?:min(?:imum|\.)?)\s*(?:[a-z-]+\s+){0,1}?(?:charge|fee|call[- ]?outs?|spend)\b", re.I
)
_TOPS_AFTER = re.compile(r"^\s*(?:max(?:imum)?|tops|at\s+most|or\s+less|cap)\b", re.I)
_RANGE_JOIN = re.compile(r"^\s*(?:-|\u2013|\u2014|to|and)\s*$", re.I)


def _clause_before(text: str, start: int, marks: str = ".;:!?\n,(") -> str:
    # A bounded window: a hostile run of amounts must not make this quadratic.
    low = max(0, start - 200)
    cut = max(text.rfind(c, low, start) for c in marks.replace(".", ""))
    dot = text.rfind(".", low, start)
    while (
        "." in marks
        and dot > cut
        and literals.search(_ABBREVIATION, text, max(low, dot - 6), dot + 1)
    ):
        # "wardrobes (PAX etc.) €35 each": the dot of an abbreviation ends no sentence
        dot = text.rfind(".", low, dot)
    if "." in marks:
        cut = max(cut, dot)
    return text[max(cut + 1, low) : start]


#: Abbreviations whose dot ends no sentence ("PAX etc.", "e.g.", "incl.", "approx.").
_ABBREVIATION = re.compile(r"\b(?:etc|e\.g|i\.e|incl|excl|approx|vs|ca)\.$", re.I)


_NOT_UNITS = frozenset(
    {
        "total",
        "all",
        "the",
        "full",
        "order",
        "project",
        "job",
        "engagement",
        "each",
        "one",
        "month's",
        "person's",
        "lot",
        "flat",
        "fixed",
        "head's",
        # "9 € par commande", "5 € pro Bestellung": once per order, as "per order" is
        "commande",
        "bestellung",
        "pedido",
        "ordine",
        "auftrag",
    }
) - {"each"}
_CONTEXT_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "per",
        "each",
        "from",
        "our",
        "your",
        "you",
        "can",
        "will",
        "are",
        "was",
        "this",
        "that",
        "just",
        "all",
        "about",
        "around",
        "need",
        "want",
        "looking",
        "budget",
        "price",
        "cost",
        "pay",
        "max",
    ]
)


def _noun_before(text: str, start: int) -> str | None:
    """The last plural noun of the sentence before an amount ("landing pages ... 900 each")."""
    clause = _clause_before(text, start, ".;!?\n")
    nouns = re.findall(r"\b([a-zA-Z][a-zA-Z-]{2,}s)\b", clause)
    return canonical_unit(nouns[-1]) if nouns else None


_FEE_JOIN = re.compile(
    r"\s*(?:(?:[a-z-]+,?\s+){0,3}?(?:\+|plus|and\s+then|then|&|and)|,\s*(?:plus|then))"
    r"\s*(?:an?\s+)?(?:[a-z-]+\s+){0,2}?",
    re.I,
)
#: Two prices offered as alternatives: "£30 per hour, or a block of 10 hours for £270",
#: "120 €/day or 450 €/week", "60 CHF pro Sitzung oder Paket mit 6 Sitzungen für 330 CHF".
_IN_SENTENCE = r"(?:(?!\.\s+[A-Z])[^\n;])"
_OR_JOIN = re.compile(
    rf"{_IN_SENTENCE}{{0,80}}?\b(?:or|oder|ou|o|oppure|ofwel|eller)\b{_IN_SENTENCE}{{0,80}}", re.I
)


def _mark_fees(text: str, found: list[Money]) -> list[Money]:
    """A total joined to a rate ("40 EUR call-out + 30 EUR/hour", "50/hour plus 30
    travel") is a fee on top of the rate."""
    marked = list(found)
    for i in range(len(found) - 1):
        a, b = found[i], found[i + 1]
        if (a.per is None) == (b.per is None) or a.currency != b.currency:
            continue
        gap = text[a.span.end : b.span.start]
        if len(gap) <= 30 and _FEE_JOIN.fullmatch(gap):
            j = i if a.per is None else i + 1
            marked[j] = replace(marked[j], fee=True)
    for i in range(len(found) - 1):
        a, b = marked[i], marked[i + 1]
        if a.currency == b.currency and _OR_JOIN.fullmatch(text[a.span.end : b.span.start]):
            marked[i] = replace(a, alternative=True)
            marked[i + 1] = replace(b, alternative=True)
    return marked


# A currency just before a number, after one (compiled once: the f-strings cost a hash of
# the long alternation and a cache look-up per number).
_CUR_BEFORE = re.compile(rf"(?:{_CUR_WORD})\s*$", re.I)
_CUR_AFTER = re.compile(rf"\s*(?:{_CUR_WORD})", re.I)
#: At least the longest currency word or symbol: a currency that ends the text before a
#: number (trailing spaces aside) starts no further back than this.
_CUR_REACH = 16


#: Nouns a currency word names a kind of: "euro pallets" are pallets of a standard size.
_NOT_MONEY_AFTER = re.compile(r"[\s-]*(?:pallets?|palettes?)\b", re.I)


#: Pence written after a rate's amount: "0.8p/min", "5p per word", "12 pence each"; a bare
#: "3p" with no rate after it is no price ("16 pp" is pages).
_PENCE = re.compile(r"(?:p(?![\w.])|\s*pence\b)(?=\s*(?:/\s*[a-z]|per\b|each\b|a\s+\w))", re.I)


def _read_money(text: str, offer: bool) -> list[Money]:  # noqa: PLR0912, PLR0915
    numbers = find_numbers(text)[:MAX_READINGS]
    found: list[Money] = []
    used: set[int] = set()
    for index, number in enumerate(numbers):
        if index in used:
            continue
        before = text[max(0, number.start - 60) : number.start]
        after = text[number.end : number.end + 60]
        currency = None
        end = number.end
        # Searched from where a currency ending at the trailing spaces could start: the
        # same leftmost match as a search of all 60 characters.
        pre = _CUR_BEFORE.search(before, max(0, len(before.rstrip()) - _CUR_REACH))
        post = _CUR_AFTER.match(after)
        start = number.start
        cents = None
        if post and _NOT_MONEY_AFTER.match(after, post.end()):
            continue  # "18 euro pallets", "one euro pallet": a kind of pallet, no price
        if post:
            currency = _currency(post.group(0))
            end = number.end + post.end()
        elif pre:
            currency = _currency(pre.group(0))
            start = number.start - (len(before) - pre.start())
        elif cents := re.match(r"\s*(?:cents?|ct)\b", after, re.I):
            if re.match(r"\s*\(", after[cents.end() :]):
                continue  # "fifteen cents (0.15 EUR)": the bracket is read instead
            end = number.end + cents.end()
        elif cents := _PENCE.match(after):
            currency = "GBP"  # "0.8p/min", "5 pence per word": a hundredth of a pound
            end = number.end + cents.end()
        # "twelve cents per word": a hundredth of a currency neither names here.
        low = high = number.value / 100 if cents else number.value
        # A range: "250 to 320 EUR", "€250-320", "between 2,500 and 3,500 NLC".
        if index + 1 < len(numbers) and cents is None:
            nxt = numbers[index + 1]
            gap = text[end : nxt.start]
            gap_cur = _CUR.sub("", gap)
            if _RANGE_JOIN.match(gap_cur) and nxt.value >= number.value:
                tail = _CUR_AFTER.match(text[nxt.end : nxt.end + 10])
                if currency is None and tail:
                    currency = _currency(tail.group(0))
                if currency is not None:
                    high = nxt.value
                    end = nxt.end + (tail.end() if tail else 0)
                    used.add(index + 1)
        if currency is None and cents is None:
            if not _BUDGET_BARE.search(before[-30:]):
                continue
            if re.match(
                rf"\s*(?:%|percent|{_UNIT_RE}|years?|x\b|-)", after, re.I
            ) and not _PER_RE.match(after):
                continue
        if text[end : end + 1] == ")":
            end += 1  # "fifteen cents (0.15 EUR) a word"
        tops_after = bool(_TOPS_AFTER.match(text[end : end + 15]))
        least_after = bool(_MIN_CHARGE_AFTER.match(text[end : end + 30]))
        # "1,300 EUR max per month": the bound stands between the amount and its unit.
        between = _BOUND_BEFORE_PER.match(text, end)
        if between:
            end = between.end()
        rest = text[end : end + 40]
        per = None
        bracket = _PER_BRACKET.match(rest)
        per_match = (
            _PER_FOREIGN.match(rest)
            or bracket
            or (None if _EACH_DONE.match(rest) else _PER_RE.match(rest))
            or _PER_SUFFIX.match(rest)
            or _PER_ARTICLE.match(rest)
            or _PER_AT_TIME.match(rest)
            or _PER_SHORT.match(rest)
        )
        per2 = None
        minutes = None if per_match else _PER_MINUTES.match(rest)
        block = None if per_match or minutes else _PER_BLOCK.match(rest)
        block_minutes = None
        if block is not None:
            raw = re.sub(r"\s+", " ", block.group("n").strip().lower())
            size = _BLOCK_WORDS.get(raw)
            if size is None:
                parsed = find_numbers(raw)
                size = parsed[0].value if parsed else None
            if size:
                per = canonical_unit(block.group("per"))
                low, high = low / size, high / size
                end += block.end()
        elif minutes is not None:
            per = "hour" if int(minutes.group("m")) == 60 else "session"
            if per == "session":
                block_minutes = float(minutes.group("m"))
            end += minutes.end()
        elif per_match:
            word = per_match.group("per")
            unit = canonical_unit(word)
            if unit not in _NOT_UNITS:
                per = {"pp": "person", "p/h": "hour", "ph": "hour", "each": "item"}.get(
                    word.lower(), unit
                )
                if word.lower() == "each" or per == "each":
                    per = _noun_before(text, start) or "item"
                end += per_match.end()
                second = _PER2_RE.match(text[end : end + 30])
                if second and canonical_unit(second.group("per")) not in _NOT_UNITS:
                    per2 = canonical_unit(second.group("per"))
                    end += second.end()
        elif re.match(r"\s*each\b", rest, re.I):
            per = _noun_before(text, start) or "item"
        elif re.match(
            r"\s*for\s+(?:60\s*min(?:ute)?s?|an?\s+hour|one\s+hour|1\s*h(?:ou)?r?)\b", rest, re.I
        ) or re.search(
            r"(?:60\s*min(?:ute)?s?|an?\s+hour|one\s+hour|1\s*h(?:ou)?r)\s+(?:for|at|is|costs?)\s*$",
            before,
            re.I,
        ):
            per = "hour"  # "60 minutes for 55 GBP", "60 GBP for an hour"
        elif re.match(r"\s*(?:for\s+)?(?:45|30|90|50)\s*(?:-\s*)?min", rest, re.I) or re.search(
            r"\b(?:45|30|90|50)\s*(?:-\s*)?min(?:ute)?s?\s+(?:for|at)\s*$", before, re.I
        ):
            per = "session"
        elif _HOURLY_BEFORE.search(text[max(0, start - 40) : start]):
            per = "hour"  # "Hourly rate 68 EUR", "Stundensatz 68 €", "tarif horaire : 50 €"
        elif _DAILY_BEFORE.search(text[max(0, start - 40) : start]):
            per = "day"  # "Day rate €850", "Tagessatz 900 €", "dagtarief €600"
        clause = _clause_before(text, start)
        bound: Bound = "about"
        most = _MAX_CUE.search(before[-40:])
        least = _MIN_CUE.search(before[-30:])
        if most and least and len(before[-30:]) - least.start() >= len(before[-40:]) - most.start():
            # Both cues run up to the amount: in "minimum spend 1,000" the budget cue
            # "spend" sits inside the minimum's, which wins ("budget at least" stays a budget).
            most = None
        if most or tops_after:
            bound = "at_most"
        elif least_after or least or literals.search(_MIN_CUE, text[max(0, start - 30) : start]):
            bound = "at_least"  # "minimum charge £10": the cue stands before the symbol
        if low != high:
            bound = "about"
        found.append(
            Money(
                low=low,
                high=high,
                currency=currency,
                per=per,
                bound=bound,
                context=frozenset(
                    rough_stem(w)
                    for w in re.findall(r"[a-zA-Z]{3,}", clause)
                    if w.lower() not in _CONTEXT_STOP
                ),
                span=Span(start, end, text[start:end]),
                per2=per2,
                block_minutes=block_minutes,
            )
        )
    return _mark_fees(text, found)


# --- quantities -----------------------------------------------------------------------

#: "three hundred", "two thousand": a word number scaled (its value: find_numbers).
_SCALED = r"(?:[\s-]+(?:hundred|thousand)(?:\s+and\s+[a-z]+(?:-[a-z]+)?)?)?"
#: "thirty-five", "forty two": a tens word and its unit, one number (not 30 and "five").
_TENS_UNIT = (
    r"\b(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]"
    r"(?:one|two|three|four|five|six|seven|eight|nine)\b"
)
_QTY = re.compile(
    rf"(?P<n>{_NUM}|{_TENS_UNIT}|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    rf"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    rf"sixty|seventy|eighty|ninety){_SCALED}\b|\ba couple of hundred\b)"
    r"(?:\s*(?:-|\u2013|to)\s*(?P<n2>\d{1,7}))?"
    r"(?:\s*x\s*(?P<x>\d+)(?:\s*x\s*\d+)?)?"  # 25x25x25 cm: the first side
    r"[^\S\n]*-?[^\S\n]*(?:(?P<mods>(?:[a-z0-9][\w-]*[^\S\n]){0,2}?))"
    rf"(?P<u>{_UNIT_RE})",
    re.I,
)
_QTY_MIN = re.compile(
    # "minimum commitment 100 GPU-hours": "minimum" reaches its number over any two words,
    # as far as the unread guard (unread._BOUNDED) takes a bound as read by that number;
    # "from" does not ("from April for 4 months" is no least).
    # ... and its words in other languages ("minimo 50 ospiti", "mindestens 20 Personen").
    r"(?:(?:minimum|min\.?|minimo|mínimo|minimal|mindestens|minstens)(?:\s+[a-z-]+){0,2}?|"
    r"at\s+least|au\s+moins|al\s+menos|almeno|no\s+(?:less|fewer)\s+than|from|starting\s+at)"
    r"(?:\s+(?:order|stay|rental|booking|hire|of|term|contract|lease|period))*\s*:?\s*(?:of\s+)?(?:is\s+)?$",
    re.I,
)
#: "no dogs over 25 kg", "nothing heavier than 20 kg": the most the offer takes.
_NO_OVER = re.compile(
    r"\b(?:no|nothing|not)\s+(?:[a-z][\w-]*\s+){0,3}?(?:over|above|heavier\s+than|"
    r"bigger\s+than|larger\s+than|longer\s+than|taller\s+than|more\s+than|exceeding|"
    r"wider\s+than|deeper\s+than|higher\s+than)\s*$",
    re.I,
)
_QTY_MAX = re.compile(
    # "max booking 3 hours": "max" reaches its number over two words, as "minimum" does
    # (the unread guard takes such a bound as read by that number)
    r"(?:up\s+to|max(?:imum)?\.?(?:\s+[a-z-]+){0,2}?|at\s+most|no\s+more\s+than|capacity(?:\s+of)?|sleeps|"
    # "Max occupancy 2 persons", "occupancy: 4"
    r"(?:max(?:imum)?\.?\s+)?occupancy(?:\s+of)?\s*:?|"
    r"fits|holds|for\s+up\s+to|limit(?:ed)?\s+(?:of|to)|build\s+volume(?:\s+max)?|"
    r"not\s+more\s+than|under)\s*(?:of\s+)?$",
    re.I,
)
_GROUP = re.compile(
    rf"\b(?:groups?|events?|parties|party|family|families|bands?|teams?|crews?|choirs?)\s+of\s+(?:up\s+to\s+)?"
    rf"(?P<a>{_NUM}|[a-z]+)(?:\s*(?:-|to)\s*(?P<b>{_NUM}))?(?:\s+(?P<u>guests?|people|persons?|pax|adults?))?",
    re.I,
)
#: "max 8 per group", "maximum of 12 people per class": a cap on the people in one group.
_GROUP_CAP = re.compile(
    rf"\b(?:max(?:imum)?\.?|up\s+to|at\s+most)\s+(?:of\s+)?(?P<a>{_NUM})\s+"
    rf"(?:(?:guests?|people|persons?|pax|participants?|adults?)\s+)?per\s+"
    rf"(?:group|tour|class|session|booking|boat|party|table)\b"
    # "groups of max 6", "Groepjes van max 6", "Gruppen von max. 8", "groupes de 10
    # maximum", "grupos de máximo 8": the bound on its own number caps each group.
    rf"|\b(?:groups?|groep(?:je)?s?|groepen|gruppen?|gruppi|groupes?|grupos?|classes)\s+"
    rf"(?:of|van|von|mit|de|di|da)\s+(?:(?:max(?:imum|imaal|imo)?\.?|m[aá]ximo|at\s+most|"
    rf"h[oö]chstens|hooguit|massimo)\s+(?P<b>{_NUM})|(?P<c>{_NUM})\s+(?:max(?:imum)?\b\.?|au\s+plus\b|"
    rf"m[aá]ximo\b|massimo\b))",
    re.I,
)
_PERIOD_AFTER = re.compile(
    # "5 walks a week"; "65 Mitarbeiter im Monat", "40 factures par mois", "90 al mes"
    r"^\s*(?:a|per|each|every|/|pro|je|im|par|por|al|ao|in\s+de|in\s+het)\s*"
    r"(?P<p>week|month|day|quarter|year|night|monat|woche|tag|nacht|mois|semaine|jour|nuit|"
    r"mes|semana|d[ií]a|noche|mese|settimana|giorno|notte|maand|dag|m[eê]s)\b",
    re.I,
)
_MIN_AFTER = re.compile(
    r"^\s*(?:(?:contract|stay|order|rental|term|booking|lease)\s+)?(?:minimum|min\b)|"
    # "8GB+ RAM" is a least; "4 passengers + luggage" and "500 pages +$200" add to it
    r"^\s*(?:or\s+more|or\s+longer)|^\+(?!\s*[$€£¥₹\d])|^\s+\+(?=\s*(?:$|[.,;:!?)\n]))",
    re.I,
)
_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    # every tens word: "a cake for eighty guests" is a count like "80 guests"
    "seventy": 70, "eighty": 80, "ninety": 90,
    "a couple of hundred": 200,
}  # fmt: skip
_DELIVERY_BEFORE = re.compile(
    # \b: the "in" of "min 2 hours" is no "in 2 hours"
    r"\b(?:within|in|inside|by|turnaround(?: of)?|ready in|deliver(?:ed|y)? in|takes?|after|"
    r"under|next|last|over)\s*(?:about\s+|around\s+|~\s*)?$",
    re.I,
)


_COUNT_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|a couple of hundred"
)
_COUNT_NOUN = re.compile(
    rf"(?P<n>{_NUM}|{_TENS_UNIT}|\b(?:{_COUNT_WORDS}){_SCALED}\b)\s+(?:pairs?\s+of\s+|sets?\s+of\s+)?(?:[a-zA-Z0-9][\w'-]*\s+){{0,3}}?"
    # accented letters too: "4 stères de bois" counts stères, not bois
    r"(?P<noun>[a-zA-Z\u00c0-\u00ff][a-zA-Z\u00c0-\u00ff-]{2,}s)\b",
    re.I,
)
_NOT_COUNT_NOUNS = frozenset(
    [
        "years",
        "days",
        "weeks",
        "months",
        "hours",
        "minutes",
        "nights",
        "times",
        "concepts",
        "rounds",
        "revisions",
        "options",
        "colours",
        "colors",
        "levels",
        "years'",
        "others",
        "ones",
        "is",
        "was",
        "has",
        "does",
        "this",
        "thus",
        "plus",
        "us",
        "yes",
        "less",
        "its",
        "lens",
        "across",
        "glass",
        "class",
        "sees",
        "kids",
    ]
)
_OF_US = re.compile(
    rf"\b(?P<n>{_NUM}|{_COUNT_WORDS})\s+of\s+us\b|\b(?:we\s+are|we're)\s+(?P<n2>{_NUM}|{_COUNT_WORDS})\b",
    re.I,
)
_SEATS = re.compile(
    rf"\b(?:seats|sleeps|accommodates|fits|holds|hosts|serves|feeds|caters\s+for)\s+(?P<least>at\s+least\s+)?(?:up\s+to\s+)?(?P<n>{_NUM}|{WORDS_SOURCE})\b",
    re.I,
)


_PACKS = re.compile(
    rf"\b(?:sold\s+)?(?:in|by\s+the)\s+(?:packs?|boxes|box|sets?|bundles?|lots?|multiples|cases?|"
    rf"crates?|cartons?|trays?)\s+"
    rf"of\s+(?P<n>{_NUM}|{_COUNT_WORDS})\b",
    re.I,
)


_MIN_ORDER_BARE = re.compile(
    rf"\b(?:min(?:imum|\.)?\s+order(?:\s+(?:quantity|qty))?|moq)(?:\s+(?:of|is))?\s*:?\s*"
    rf"(?P<n>{_NUM})(?!\s*(?:{_UNIT_RE}|[a-z]*\s*(?:{_CUR_WORD})|[%.,]?\d))",
    re.I,
)


def _each(text: str, found: list[Quantity]) -> list[Quantity]:
    """ "4 blog posts of about 1,500 words each" is 6,000 words; "200 items, one photo
    each" is 200 photos: an amount stated per item of an earlier count."""
    result = []
    for q in found:
        # "3 hours each time" is per visit, not per item of an earlier count
        if (
            q.bound == "about"
            # "8 GPUs with 80 GB each": a specification holds for each item, no total
            and q.unit not in SPEC_UNITS
            and (
                re.match(
                    r"\s*each\b(?!\s+(?:time|visit|session|occasion|week|day|month|night))",
                    text[q.span.end : q.span.end + 20],
                    re.I,
                )
                # "25 brackets, each is about 12 g": the same, with "each" before the amount
                or re.search(
                    r"\beach\s+(?:one\s+)?(?:is|weighs|being)\s*(?:about|around|approx\.?|roughly|~)?\s*$",
                    text[max(0, q.span.start - 30) : q.span.start],
                    re.I,
                )
            )
        ):
            sentence_start = max(text.rfind(c, 0, q.span.start) for c in ".;!?\n") + 1
            counts = [
                c
                for c in found
                if c is not q
                and c.bound == "about"
                and c.unit != q.unit
                and c.unit not in TIME_DAYS
                and sentence_start <= c.span.start < q.span.start
                and c.value >= 2
            ]
            if counts:
                count = counts[-1]
                after = re.match(r"\s*each\b", text[q.span.end : q.span.end + 20], re.I)
                end = q.span.end + (after.end() if after else 0)
                span = Span(count.span.start, end, text[count.span.start : end])
                result.append(Quantity(q.value * count.value, q.unit, "about", span, q.period))
                continue
        result.append(q)
    return result


def _num_value(raw: str | None) -> float | None:
    if raw is None:
        return None
    low = raw.lower()
    if low in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[low])
    numbers = token_numbers(raw)
    return numbers[0].value if numbers else None


_LABELLED = re.compile(
    rf"(?:^|[\n;,]|\s[-*•])\s*[-*•]?\s*(?P<u>{_UNIT_RE})\s*:\s*(?:about\s+|~\s*)?(?P<n>\d{{1,6}})\b(?!\s*[-:.,/]\s*\d)",
    re.I,
)


_SMALL = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,3})"
_HALF_UNITS = r"(?P<u>hours?|days?|nights?|weeks?|months?|years?)"
#: "a week and a half", "three and a half days", "2 and a half hours", "half a day".
_HALF = re.compile(
    rf"\b(?P<n>{_SMALL})\s+{_HALF_UNITS}\s+and\s+a\s+half\b"
    rf"|\b(?P<n2>{_SMALL})\s+and\s+a\s+half\s+(?P<u2>hours?|days?|nights?|weeks?|months?|years?)\b"
    r"|\bhalf\s+an?\s+(?P<u3>hour|day|week|month|year)\b|\ba\s+half[- ](?P<u4>day|hour)\b",
    re.I,
)


_WORK_TIME = frozenset({"hour", "minute"})


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _half_durations(text: str) -> list[Quantity]:
    """Durations with a half in words: "a week and a half" (1.5 weeks), "half a day"."""
    found = []
    for match in literals.finditer(_HALF, text):
        before = text[max(0, match.start() - 40) : match.start()]
        if _DELIVERY_BEFORE.search(before):
            continue  # "within a week and a half" is a timeline, not an amount
        raw = match.group("n") or match.group("n2")
        whole = _num_value(raw) if raw else 0.0
        if whole is None:
            continue
        unit = canonical_unit(
            match.group("u") or match.group("u2") or match.group("u3") or match.group("u4")
        )
        span = Span(match.start(), match.end(), match.group(0))
        found.append(Quantity(whole + 0.5, unit, "about", span))
    return found


#: "10 one-hour sessions", "6 x 90-minute lessons", "4 two-hour visits": the work time.
_SESSION_HOURS = re.compile(
    # the count and the length are two numbers: "30-minute" is no 3 x 0 minutes
    rf"\b(?P<n>{_SMALL}|\d{{1,3}})(?:\s*x\s*|\s+)(?P<h>{_SMALL}|\d{{1,3}}(?:\.\d)?)[- ]?"
    # "ten 1hr sessions", "six 45-minute lessons", "4 x 2 hour visits"
    r"(?P<u>hour|hr|h|minute|min)s?\s+(?:long\s+)?(?:[a-z]+\s+){0,2}?(?P<noun>sessions?|lessons?|classes|class|visits?|"
    r"shifts?|calls?|meetings?|walks?|treatments?)\b",
    re.I,
)


def _session_hours(text: str) -> list[Quantity]:
    found = []
    for match in literals.finditer(_SESSION_HOURS, text):
        count, each = _num_value(match.group("n")), _num_value(match.group("h"))
        if count is None or each is None or match.group("n").lower() in ("a", "an"):
            continue
        hours = count * each / (60 if match.group("u").lower().startswith("min") else 1)
        span = Span(match.start(), match.end(), match.group(0))
        found.append(Quantity(round(hours, 4), "hour", "about", span))
    return found


#: "8x A100", "8 H100s", "2 x RTX4090": a count of a model named by letters and digits.
_DESIGNATION = re.compile(
    r"(?<![\w.,])(?P<n>\d{1,4})\s*(?:x|\u00d7)?\s*(?P<name>[A-WYZa-wyz][A-Za-z]{0,3}\d{2,5}[A-Za-z]{0,3}?)s?(?![\w-])"
)


def _designations(
    text: str, found: list[Quantity], money_spans: list[tuple[int, int]]
) -> list[Quantity]:
    """Counts of a model by its name ("8x A100" is 8 of "a100"); none where another
    reading or a price already covers the number."""
    taken = [(q.span.start, q.span.end) for q in found] + money_spans
    counts = []
    for match in _DESIGNATION.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        name = match.group("name").lower()
        if canonical_unit(name) in TIME_DAYS or int(match.group("n")) < 1:
            continue
        span = Span(match.start(), match.end(), match.group(0))
        counts.append(Quantity(float(match.group("n")), name, "about", span))
    return counts


_PACK_OF = re.compile(
    rf"(?:\b(?:pack|bundle|block|card|package)\s+of\s+(?P<n>{_SMALL})\b"
    # "10-pack R3 000", "5-session block €200": the count written before the word
    rf"|(?<![\w.,])(?P<m>\d{{1,2}})[- ](?:session[- ])?(?:pack|bundle|block|card)\b)"
    r"(?=\s*(?:for|at|=|:|,|\(|\u20ac|\$|£|R\s?\d))",
    re.I,
)
_FIRST_HOURS = re.compile(
    r"\b(?:incl(?:uding|udes|\.)?|with|covers?)\s+(?:the\s+)?first\s+"
    rf"(?:(?P<n>{_SMALL}|\d{{1,2}})\s+)?hours?\b",
    re.I,
)


def _outside_money(text: str, money_spans: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
    """The amounts of ``text`` that start outside its prices, searched again after a price
    a match started in: the "350" of "$350 for 3 hours" never swallows the "3 hours"."""
    pos = 0
    while (match := literals.search(_QTY, text, pos)) is not None:
        inside = next((e for s, e in money_spans if s <= match.start() < e), None)
        if inside is None:
            yield match
            pos = max(match.end(), match.start() + 1)
        else:
            pos = max(inside, match.start() + 1)


#: "4K PoE kit", "8K TV", "4K cameras": a picture's resolution, not 4,000 of anything.
_RESOLUTION_AFTER = re.compile(
    r"[^\S\n]*[-/]?[^\S\n]*(?:uhd|hdr\d*|ultra|hd|poe|video|tvs?|televisions?|cameras?|cams?|"
    r"monitors?|displays?|screens?|footage|projectors?|resolution|streaming|recording|cctv|"
    r"ip\b|webcams?|drones?|oled|qled|laser|blu-ray|60\s*fps|30\s*fps|kits?)\b",
    re.I,
)


#: "12 dozen eggs", "two dozen cupcakes": twelve of the thing for each one counted.
_DOZEN = re.compile(r"[^\S\n]+dozens?\b", re.I)


def _resolution(text: str, start: int, end: int) -> bool:
    """Whether the number ``text[start:end]`` is a resolution ("4K", "8K") by the word
    after it, so the reader never counts a "4K camera kit" as 4,000 kits."""
    return bool(re.fullmatch(r"[248]K", text[start:end]) and _RESOLUTION_AFTER.match(text, end))


#: "150 Belege pro Monat", "40 factures par mois", "90 facturas al mes": one noun, then the
#: word German, French, Spanish, Italian, Portuguese and Dutch join a count to its period.
_FOREIGN_PER = re.compile(
    r"(?P<w>[^\W\d_]{4,})\s+(?:pro|je|im|jede[nr]?|par|por|al|ao|al\s+mese|in\s+de|in\s+het)\s+",
    re.I,
)
#: "keine Mandate mit mehr als", "höchstens", "pas plus de", "como máximo", "niet meer dan":
#: a cap written before such a count.
_FOREIGN_CAP = re.compile(
    r"(?:\b(?:kein\w*|nicht|geen|niet|pas|ne|ningún|ninguna|no|nessun\w*)\b[^.;\n]{0,40}?"
    r"\b(?:mehr\s+als|über|plus\s+de|más\s+de|meer\s+dan|più\s+di)"
    r"|\b(?:höchstens|maximal|max\.?|bis\s+zu|au\s+plus|jusqu'à|hasta|como\s+máximo|"
    r"hoogstens|maximaal|fino\s+a|al\s+massimo|até))\s*$",
    re.I,
)
#: "mindestens", "au moins", "como mínimo", "minstens", "almeno": a least.
_FOREIGN_LEAST = re.compile(
    r"\b(?:mindestens|wenigstens|au\s+moins|minimum|como\s+m[ií]nimo|al\s+menos|minstens|"
    r"tenminste|almeno|pelo\s+menos|min\.?)\s*$",
    re.I,
)


def _foreign_bound(before: str) -> Bound:
    if _FOREIGN_CAP.search(before):
        return "at_most"
    return "at_least" if _FOREIGN_LEAST.search(before) else "about"


def _count_noun(word: str) -> str:
    """A noun's plain form across German cases and Romance plurals, so both sides' forms
    meet ("Belegen", "Belege" -> "beleg"; "factures", "facture" -> "factur")."""
    low = word.lower().removesuffix("s")
    for end in ("en", "n", "e"):
        if low.endswith(end) and len(low) - len(end) >= 4:
            return low[: -len(end)]
    return low


def _per_period_noun(word: str) -> str:
    """The unit a count per period is of: the table's unit where it names one ("40
    Mitarbeitern pro Monat" counts people, as "65 Mitarbeiter" does), else the noun."""
    noun = _count_noun(word)
    return _UNIT_ALIASES.get(noun, noun)


def _read_quantities(text: str, money: list[Money]) -> list[Quantity]:  # noqa: PLR0912, PLR0915
    money_spans = [(m.span.start, m.span.end) for m in money]
    found: list[Quantity] = []
    for match in _outside_money(text, money_spans):
        value = _num_value(match.group("n").strip())
        if value is None or _resolution(text, match.start("n"), match.end("n")):
            continue
        unit = canonical_unit(match.group("u"))
        if _DOZEN.match(text, match.end("n")):
            if unit in TIME_DAYS:
                continue  # "12 dozen eggs weekly" counts eggs (the count-noun pass below)
            value *= 12  # "3 dozen roses" is 36 roses
        if match.group("x") and unit in TIME_DAYS:
            value *= float(match.group("x"))  # "4 x 90-minute lessons" is 360 minutes
        before = text[max(0, match.start() - 40) : match.start()]
        after = text[match.end() : match.end() + 30]
        cue = _DELIVERY_BEFORE.search(before)
        effort = unit in ("hour", "minute") and cue and re.match(r"(?i)takes?\b", cue.group(0))
        if unit in TIME_DAYS and cue and not effort:
            continue  # "within 3 weeks" is a timeline, not an amount
        if re.match(r"^\s*(?:turnaround|delivery|notice|ago|old)\b|^-old\b", after, re.I):
            continue
        if unit in TIME_DAYS and re.search(
            r"\s(?:a|an|per|each|every|pro|je|im|jede[nr]?|par|por|al|ao|al\s+mese|"
            r"in\s+de|in\s+het)\s+$",
            match.group(0)[: match.start("u") - match.start()],
            re.I,
        ):
            # "60 transactions a month", "150 Belege pro Monat", "40 factures par mois"
            # count the things, not months; in another language's joint, the noun for
            # each period (English "a"/"per" nouns the table holds are read elsewhere)
            foreign = _FOREIGN_PER.fullmatch(match.group("mods") or "")
            if foreign and value >= 1:
                found.append(
                    Quantity(
                        value,
                        _per_period_noun(foreign.group("w")),
                        _foreign_bound(before),
                        Span(match.start(), match.end(), match.group(0)),
                        unit,
                    )
                )
            continue
        if re.search(r"(?:per|/|an?|each)\s*$", before, re.I) and match.group("n").lower() in {
            "a",
            "an",
        }:
            continue
        span = Span(match.start(), match.end(), match.group(0))
        period_match = _PERIOD_AFTER.match(after)
        period = canonical_unit(period_match.group("p")) if period_match else None
        if period == unit:
            period = None
        bound: Bound = "about"
        if _QTY_MIN.search(before) or _MIN_AFTER.match(after):
            bound = "at_least"
        elif _QTY_MAX.search(before) or _NO_OVER.search(before):
            bound = "at_most"
        if match.group("n2"):
            high = _num_value(match.group("n2"))
            if high is not None and high >= value:
                found.append(Quantity(value, unit, "at_least", span, period))
                found.append(Quantity(high, unit, "at_most", span, period))
                continue
        found.append(Quantity(value, unit, bound, span, period))
    for match in literals.finditer(_GROUP, text):
        a = _num_value(match.group("a"))
        if a is None:
            continue
        span = Span(match.start(), match.end(), match.group(0))
        b = _num_value(match.group("b")) if match.group("b") else None
        if b is not None and b >= a:
            found.append(Quantity(a, "person", "at_least", span))
            found.append(Quantity(b, "person", "at_most", span))
        elif "up to" in match.group(0).lower():
            found.append(Quantity(a, "person", "at_most", span))
        else:
            found.append(Quantity(a, "person", "about", span))
    for match in literals.finditer(_GROUP_CAP, text):
        cap = _num_value(match.group("a") or match.group("b") or match.group("c"))
        if cap is not None:
            found.append(
                Quantity(cap, "person", "at_most", Span(match.start(), match.end(), match.group(0)))
            )
    taken = [(q.span.start, q.span.end) for q in found] + money_spans
    for match in literals.finditer(_LABELLED, text):
        # A list as people write one: "- guests: 45", "Nights: 3".
        value = _num_value(match.group("n"))
        if value is not None and not any(a <= match.start("n") < b for a, b in taken):
            span = Span(match.start(), match.end(), match.group(0))
            found.append(Quantity(value, canonical_unit(match.group("u")), "about", span))
    taken = [(q.span.start, q.span.end) for q in found] + money_spans
    for match in literals.finditer(_COUNT_NOUN, text):
        if any(s <= match.start() < e or s < match.end() <= e for s, e in taken):
            continue
        value = _num_value(match.group("n").strip())
        noun = match.group("noun").lower()
        if value is None or value < 2 or noun in _NOT_COUNT_NOUNS:
            continue
        if _resolution(text, match.start("n"), match.end("n")):
            continue
        if _DOZEN.match(text, match.end("n")):
            value *= 12
        before = text[max(0, match.start() - 30) : match.start()]
        bound2: Bound = (
            "at_least"
            if _QTY_MIN.search(before)
            else ("at_most" if _QTY_MAX.search(before) else "about")
        )
        after = text[match.end() : match.end() + 30]
        period_match = _PERIOD_AFTER.match(after)
        found.append(
            Quantity(
                value,
                canonical_unit(noun),
                bound2,
                Span(match.start(), match.end(), match.group(0)),
                canonical_unit(period_match.group("p")) if period_match else None,
                frozenset(rough_stem(w) for w in re.findall(r"[a-zA-Z]{3,}", after)[:2]),
            )
        )
    for match in literals.finditer(_OF_US, text):
        value = _num_value(match.group("n") or match.group("n2"))
        if value is not None:
            found.append(
                Quantity(value, "person", "about", Span(match.start(), match.end(), match.group(0)))
            )
    for match in literals.finditer(_SEATS, text):
        value = _num_value(match.group("n"))
        if value is None:
            continue
        least = bool(match.group("least"))
        found.append(
            Quantity(
                value,
                "person",
                "about" if least else "at_most",
                Span(match.start(), match.end(), match.group(0)),
            )
        )
    # "minimum order 100", "MOQ: 50": a least count of what is offered, no unit written.
    taken = [(q.span.start, q.span.end) for q in found] + money_spans
    for match in literals.finditer(_MIN_ORDER_BARE, text):
        value = _num_value(match.group("n"))
        if (
            value is not None
            and value >= 2
            and not any(a <= match.start("n") < b for a, b in taken)
        ):
            found.append(
                Quantity(
                    value, "item", "at_least", Span(match.start(), match.end(), match.group(0))
                )
            )
    # "sold in packs of 25", "in multiples of 10": the least one order takes.
    for match in literals.finditer(_PACKS, text):
        value = _num_value(match.group("n"))
        if value is not None and value >= 2:
            found.append(
                Quantity(
                    value, "item", "at_least", Span(match.start(), match.end(), match.group(0))
                )
            )
    found += _designations(text, found, money_spans)
    found = _each(text, found)
    # "Minimum order: 1 pallet = 64 boxes": the conversion is the same minimum
    found = carry_minimum(text, found)
    halves = _half_durations(text)
    if halves:
        # "a week and a half" is 10.5 days, never "a week"; the half reading replaces any
        # reading inside its span.
        found = [q for q in found if not any(_overlap(h.span, q.span) for h in halves)]
        found += halves
    sessions = _session_hours(text)
    if sessions:
        # "6 x 90-minute lessons" is nine hours, not 6 minutes.
        found = [
            q
            for q in found
            if q.unit not in _WORK_TIME or not any(_overlap(h.span, q.span) for h in sessions)
        ]
        found += sessions
    # "for a week", "for 4 nights", "a 2-day meeting": how long something is booked;
    # "for the first year", "for a full month": one of them too.
    for match in re.finditer(
        r"\bfor\s+(?:a|an|one|the)\s+(?:(?:first|full|whole|entire)\s+)?"
        r"(week|month|day|night|weekend|fortnight|year)\b"
        # "our gig on Friday night": one night
        r"|\bon\s+(?:a\s+)?\w+day\s+(night)\b"
        # "First-year budget $5,000": the budget is for one year
        r"|\b(?:first|full)[\s-](year|month)(?=\s+budget\b)",
        text,
        re.I,
    ):
        unit = (match.group(1) or match.group(2) or match.group(3)).lower()
        span = Span(match.start(), match.end(), match.group(0))
        if unit == "weekend":
            found.append(Quantity(2, "day", "about", span))
        else:
            found.append(Quantity(1, canonical_unit(unit), "about", span))
    for match in literals.finditer(_PACK_OF, text):
        # "or a pack of 10 for 450 EUR": a package of the offer's own unit, unnamed.
        count = _num_value(match.group("n") or match.group("m"))
        if count is not None and count >= 2:
            span = Span(match.start(), match.end(), match.group(0))
            found.append(Quantity(count, "pack", "about", span))
    for match in literals.finditer(_FIRST_HOURS, text):
        # "80 EUR call-out including the first hour": the hours a flat price covers.
        hours = _num_value(match.group("n")) if match.group("n") else 1.0
        if hours is not None:
            span = Span(match.start(), match.end(), match.group(0))
            found.append(Quantity(hours, "hour", "about", span))
    if halves:
        found = [
            q for q in found if q in halves or not any(_overlap(h.span, q.span) for h in halves)
        ]
    if re.search(r"\blong\s+weekend\b", text, re.I) and not any(q.unit == "day" for q in found):
        m = re.search(r"\blong\s+weekend\b", text, re.I)
        assert m is not None
        found.append(Quantity(3, "day", "about", Span(m.start(), m.end(), m.group(0))))
    return found


# --- languages ------------------------------------------------------------------------

LANGUAGES = frozenset(
    [
        "english",
        "german",
        "french",
        "spanish",
        "italian",
        "portuguese",
        "dutch",
        "japanese",
        "korean",
        "chinese",
        "mandarin",
        "cantonese",
        "arabic",
        "russian",
        "polish",
        "swedish",
        "norwegian",
        "danish",
        "finnish",
        "greek",
        "turkish",
        "hebrew",
        "hindi",
        "czech",
        "hungarian",
        "romanian",
        "ukrainian",
        "vietnamese",
        "thai",
        "indonesian",
        "catalan",
    ]
)
_LANG = r"(?:" + "|".join(sorted(LANGUAGES, key=len, reverse=True)) + r")"
_PAIR = re.compile(
    rf"\b(?:from\s+)?(?P<a>{_LANG})\b\s*(?P<j>>|->|→|=>|<>|<->|↔|/|-|\u2013|\s+to\s+|\s+into\s+|"
    rf"\s+and\s+|\s+(?:\w+\s+){{1,3}}(?:in|into)\s+)\s*(?P<b>{_LANG})\b",
    re.I,
)
_LANG_REQUIRED = re.compile(
    rf"\b(?P<a>{_LANG})[- ]speak(?:ing|er)\b|\b(?:in|into)\s+(?P<b>{_LANG})\b|"
    rf"\b(?P<c>{_LANG})\s+only\b|\bspeaks?\s+(?P<d>{_LANG})\b",
    re.I,
)


#: ISO 639-1 codes as translators write pairs ("EN>FR", "DE-EN"): upper case, joined.
_LANG_CODES = {
    "EN": "english", "DE": "german", "FR": "french", "ES": "spanish", "IT": "italian",
    "PT": "portuguese", "NL": "dutch", "JA": "japanese", "JP": "japanese", "KO": "korean",
    "ZH": "chinese", "AR": "arabic", "RU": "russian", "PL": "polish", "SV": "swedish",
    "NO": "norwegian", "DA": "danish", "FI": "finnish", "EL": "greek", "TR": "turkish",
    "HE": "hebrew", "HI": "hindi", "CS": "czech", "HU": "hungarian", "RO": "romanian",
    "UK": "ukrainian", "VI": "vietnamese", "TH": "thai", "CA": "catalan",
}  # fmt: skip
_CODE_PAIR = re.compile(
    r"\b(?P<a>" + "|".join(_LANG_CODES) + r")\s*(?P<j>>|->|→|=>|<>|<->|↔|⇄|-|/|\u2013)\s*"
    r"(?P<b>" + "|".join(_LANG_CODES) + r")\b"
)


_FOREIGN_PAIR = langnames.pair_pattern(LANGUAGES)
_WORDED_PAIR = langnames.direction_pattern(LANGUAGES)


# Compiled once: built per call, each cost a hash of the long alternation and a look-up.
_LANG_NAMED = re.compile(rf"\b{_LANG}\b", re.I)
_LANG_ONLY = re.compile(rf"\b{_LANG}\s+only\b|\bonly\s+in\s+{_LANG}\b", re.I)


def _read_languages(
    text: str,
) -> tuple[frozenset[tuple[str, str]], frozenset[str], frozenset[str], bool]:
    pairs: set[tuple[str, str]] = set()
    coded: set[str] = set()
    for match in literals.finditer(_CODE_PAIR, text):
        a, b = _LANG_CODES[match.group("a")], _LANG_CODES[match.group("b")]
        if a == b:
            continue
        pairs.add((a, b))
        coded |= {a, b}
        if match.group("j") in {"<>", "<->", "↔", "⇄", "/", "-", "\u2013"}:
            pairs.add((b, a))
    for match in literals.finditer(_PAIR, text):
        a, b, joint = match.group("a").lower(), match.group("b").lower(), match.group("j")
        if a == b:
            continue
        pairs.add((a, b))
        if joint.strip().lower() in {"<>", "<->", "↔", "/", "-", "\u2013", "and"}:
            pairs.add((b, a))
    for match in literals.finditer(_FOREIGN_PAIR, text):
        # "italiano ↔ inglese", "Nederlands ⇄ Frans": names in their own languages, read
        # only as a pair (alone, "Frans" may be a first name)
        a = langnames.english_name(match.group("a")) or match.group("a").lower()
        b = langnames.english_name(match.group("b")) or match.group("b").lower()
        if a == b or a not in LANGUAGES or b not in LANGUAGES:
            continue
        pairs.add((a, b))
        coded |= {a, b}
        if match.group("j") in langnames.BOTH_WAYS:
            pairs.add((b, a))
    for match in literals.finditer(_WORDED_PAIR, text):
        # "de inglés a español", "vom Englischen ins Deutsche": one way, source first; one
        # name at least in another language (English prose is the _PAIR's)
        a_word, b_word = match.group("a"), match.group("b")
        if a_word.lower() in LANGUAGES and b_word.lower() in LANGUAGES:
            continue
        a = langnames.english_name(a_word) or a_word.lower()
        b = langnames.english_name(b_word) or b_word.lower()
        if a != b and a in LANGUAGES and b in LANGUAGES:
            pairs.add((a, b))
            coded |= {a, b}
    named = frozenset(m.group(0).lower() for m in literals.finditer(_LANG_NAMED, text)) | coded
    required = frozenset(
        next(g for g in m.groups() if g).lower() for m in literals.finditer(_LANG_REQUIRED, text)
    )
    only = bool(literals.search(_LANG_ONLY, text))
    foreign_only = langnames.only_in(text, LANGUAGES)
    return frozenset(pairs), named | foreign_only, required, only or bool(foreign_only)


_LANG_TARGET = re.compile(
    rf"\b(?:into|to)\s+(?P<a>{_LANG})\b|\b(?P<b>{_LANG})\s+(?:subtitles?|captions?|version|"
    rf"dub(?:bing)?|voice-?over|translation)\b|\btranslat\w*\b[^.;\n]{{0,40}}?\bin\s+(?P<c>{_LANG})\b"
    rf"|\bin\s+(?P<d>{_LANG})\s+(?:within|by|for|please)\b",
    re.I,
)
_LANG_SOURCE = re.compile(
    rf"\bfrom\s+(?P<a>{_LANG})\b|\b(?P<b>{_LANG})\s+(?:[\w-]+\s+){{0,2}}?(?:text|document|website|"
    rf"site|video|manual|judg(?:e)?ment|book|article|contract|letter|report|brochure|file)s?\b",
    re.I,
)


def _read_direction(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(target, source) languages the prose implies without naming a pair."""

    def found(pattern: re.Pattern[str]) -> frozenset[str]:
        return frozenset(
            next(g for g in m.groups() if g).lower() for m in literals.finditer(pattern, text)
        )

    return found(_LANG_TARGET), found(_LANG_SOURCE)


# --- places ---------------------------------------------------------------------------

_NOT_PLACES = frozenset(
    {*LANGUAGES, *(m.lower() for m in calendar.month_name if m),
     *(d.lower() for d in calendar.day_name), "the", "a", "an", "our", "my", "your", "i",
     "english", "eu", "us", "uk", "q1", "q2", "q3", "q4", "zoom", "person", "house",
     "total", "advance", "full", "good", "stock", "time", "touch", "summer", "winter",
     "spring", "autumn", "fall", "xero", "python", "rust", "go", "java", "sql", "react",
     "django", "flutter", "kotlin", "swift", "solidity", "wordpress", "shopify", "figma",
     "christmas", "easter", "mon", "fri", "sat", "sun", "ce", "pla", "petg", "x", "kubernetes",
     "covering", "serving", "around", "based", "near", "in", "within", "only", "area",
     "available", "call", "thanks", "cheers", "dm", "regards", "weekends", "weekdays",
     "evenings", "negotiable", "asap", "urgent", "pickup", "collection", "delivery", "cash",
     # a closing "Keine Klaviere." or "Geen huisdieren." refuses something; it names no place
     "keine", "kein", "nicht", "ohne", "geen", "niet", "zonder", "sans", "aucun", "aucune",
     "sin", "ningún", "senza", "nessun", "nessuna", "sem", "nenhum",
     # "the Port of Savannah": the head word of a port names no place, the name after it does
     "port", "harbour", "harbor"}
)  # fmt: skip
_DAY_NAMES = frozenset(d.lower() for d in calendar.day_name)
_PLACE_CUE = re.compile(
    r"\b(?:in|around|near|from|at|within|inside|across|throughout|covering|serving|based\s+in|"
    r"located\s+in|pick-?up(?:\s+(?:in|from))?|collection(?:\s+only)?(?:\s+(?:in|from))?|"
    r"delivered\s+to|deliver\s+to|ship(?:s|ping)?\s+(?:to|within)|move\s+to|to"
    # "solo Torino centro", "abitiamo a Ivrea", "vivo en Triana", "j'habite à Lyon": where
    # a post in another language is tied to or lives (German is left out: its nouns are
    # capitalised, "nur Barzahlung" names no place)
    r"|(?i:solo|soltanto|solamente|sólo|seulement|uniquement)(?:\s+(?:a|in|en|à))?"
    r"|(?i:abit(?:o|iamo)|viv(?:o|iamo|imos)|sono|siamo|habit(?:e|ons)|estamos|estoy)"
    r"\s+(?:a|in|en|à))\s+"
    r"(?:the\s+|and\s+around\s+)?(?P<p>[A-Z][\w'-]+(?:[ -](?:[A-Z][\w'-]+))*)"
)
#: "Port of Savannah", "Harbour of Piraeus", "Hafen Hamburg", "puerto de Valencia": a port
#: is named after its head word (English, German, Spanish, French, Italian, Dutch).
_PORT_OF = re.compile(
    r"\b(?:[Pp]ort|[Hh]arbou?r|[Hh]afen|[Pp]uerto)\s+(?:of|de|di|van|von)?\s*"
    r"(?P<p>[A-Z][\w'-]+(?: [A-Z][\w'-]+)*)"
)
_PLACE_ONLY = re.compile(
    # "Ghent city only", "Leeds centre only": the place, then what part of it
    r"\b(?P<p>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)\s+(?:(?:city|town|centre|center|proper)\s+only|only|area|zones?|postcodes?|districts?|"
    r"and\s+surroundings|metro(?:politan)?\s+area)\b"
    # "within 30 km of Lyon", "15 miles from Leeds": the place a travel radius is around.
    r"|\b(?:km|kilomet(?:re|er)s?|miles?|mi)\s+(?:of|from|around)\s+(?P<q>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
)
_RESTRICTED = re.compile(
    # (not bare "solo": an English word too, "solo traveller", "solo walk")
    r"\b(?:only|area|within|inside|around|based\s+in|local|collection|pick-?up|surroundings|"
    rf"zones?|i\s+come\s+to\s+you|mobile|{ONLY_WORDS})(?!\w)",
    re.I,
)
_ONSITE = re.compile(
    r"\b(?:on-?site|in[- ]person|at\s+my\s+(?:studio|gym|shop|workshop|office|place)|"
    r"collection|pick-?up|i\s+come\s+to\s+you|comes?\s+to\s+my|at\s+(?:my|our)\s+(?:home|house))\b",
    re.I,
)
_REMOTE = re.compile(r"\b(?:online|remote(?:ly)?|via\s+zoom|over\s+video|virtual(?:ly)?)\b", re.I)
_SHIPS = re.compile(
    r"\b(?:ships?|shipping|deliver(?:y|s)?|worldwide|nationwide|anywhere|travel(?:s|ling)?|"
    r"across|throughout|i\s+come\s+to\s+you|mobile)\b",
    re.I,
)
#: A radius served, as posts write it in English, Dutch, German, French, Spanish, Italian
#: and Portuguese ("within 15 miles", "binnen 25 km", "à moins de 10 km du centre").
_TRAVEL = re.compile(
    r"(?:\bwithin|\bbinnen|\binnerhalb(?:\s+von)?|\bim\s+umkreis\s+von|\bdans\s+un\s+rayon\s+de|"
    r"(?<!\w)[àa]\s+moins\s+de|\ben\s+un\s+radio\s+de|\ba\s+menos\s+de|\bentro|"
    r"\bnel\s+raggio\s+di|\bnum\s+raio\s+de)\s+(?:(?:ca\.?|circa|max\.?|maximal|environ)\s+)?"
    rf"(?P<n>{_NUM})\s*(?P<u>km|kilomet(?:re|er)s?|miles?|mi)\b",
    re.I,
)


_PLACE_EXCLUDED = re.compile(
    r"\b(?i:not\s+(?:available\s+|operating\s+|working\s+)?(?:in|to)|except(?:\s+in)?|excluding|"
    r"outside(?:\s+of)?|no\s+(?:work|jobs|service|deliveries|delivery)\s+(?:in|to))\s+"
    r"(?i:the\s+)?(?P<p>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
)


#: "may NOT be taken outside the Netherlands": a negated "outside" confines to the place.
_CONFINED = re.compile(
    r"\b(?i:not|never|cannot|can't|mustn't)\b[^.;\n]{0,30}?\b(?i:outside(?:\s+of)?|beyond)\s+"
    r"(?i:the\s+)?(?P<p>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
)


#: "cars may NOT leave Spain", "must stay in Austria": a negated leaving, or a staying,
#: confines to the place as well.
_LEAVE = re.compile(
    r"\b(?i:(?:may|must|can|do|does|are|is)\s*(?:not|n't)(?:\s+be\s+allowed\s+to)?|cannot|never|"
    r"not\s+allowed\s+to)\s+(?i:leave|be\s+driven\s+out\s+of|be\s+taken\s+out\s+of)\s+"
    r"(?i:the\s+)?(?P<p>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
    r"|\b(?i:must|has\s+to|have\s+to)\s+(?i:stay|remain)\s+(?i:in|within|inside)\s+"
    r"(?i:the\s+)?(?P<q>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
)


def _read_confined(text: str) -> tuple[tuple[str, Span], ...]:
    """ "Vans may not leave ... outside the Netherlands": where the thing must stay."""
    found = [
        (m.group("p").lower(), Span(m.start(), m.end(), m.group(0)))
        for m in literals.finditer(_CONFINED, text)
    ]
    for m in literals.finditer(_LEAVE, text):
        place = (m.group("p") or m.group("q")).lower()
        if all(span.start != m.start() for _, span in found):
            found.append((place, Span(m.start(), m.end(), m.group(0))))
    return tuple((p, span) for p, span in found if p not in _NOT_PLACES)


def _read_excluded_places(text: str) -> tuple[tuple[str, Span], ...]:
    """ "Not available in London", "except Paris", "no deliveries to Corsica"."""
    confined = [span for _, span in _read_confined(text)]
    return tuple(
        (m.group("p").lower(), Span(m.start(), m.end(), m.group(0)))
        for m in literals.finditer(_PLACE_EXCLUDED, text)
        if m.group("p").lower() not in _NOT_PLACES
        # "not ... outside X" is the place it stays in, never one it excludes
        and not any(c.start <= m.start() < c.end for c in confined)
    )


def _wider_places(text: str, places: list[tuple[str, Span]]) -> list[tuple[str, Span]]:
    """ "in Norrebro, Copenhagen": the name after the comma is the wider place."""
    found = []
    for _, span in places:
        wider = re.match(r",\s*(?P<p>[A-Z][a-z'-]{2,})\b", text[span.end : span.end + 40])
        if wider and wider.group("p").lower() not in _NOT_PLACES:
            start = span.end + wider.start("p")
            name = wider.group("p")
            found.append((name.lower(), Span(start, start + len(name), name)))
    return found


_CLAUSE_NAME = re.compile(
    r"(?:,|;)\s*(?P<p>[A-Z][a-z'-]{2,}(?: [A-Z][a-z'-]{2,})?)(?:\s+\w{1,3})?\s*(?=[,;.]|$)"
)


def _clause_places(text: str) -> tuple[tuple[str, Span], ...]:
    """An in-person offer's place written as a bare clause: "German lessons, Berlin, in
    person", "Collection only, Lyon 3e." (only asked when no other place was read)."""
    found = []
    for match in literals.finditer(_CLAUSE_NAME, text):
        name = match.group("p")
        if any(part.lower() in _NOT_PLACES for part in name.split()):
            continue
        found.append((name.split()[0].lower(), Span(match.start("p"), match.end("p"), name)))
    return tuple(found[:3])


def _read_places(text: str) -> tuple[tuple[tuple[str, Span], ...], bool]:
    places: list[tuple[str, Span]] = []
    for pattern in (_PLACE_CUE, _PLACE_ONLY, _PORT_OF):
        for match in literals.finditer(pattern, text):
            group = "p" if match.group("p") else "q"
            raw = match.group(group)
            # A capitalised word that opens a sentence is not a name on that count alone.
            for part in re.split(r"[ -]", raw):
                key = part.lower().strip("'")
                if key in _NOT_PLACES or len(key) < 3 or not part[:1].isupper():
                    continue
                if key.removesuffix("s") in _DAY_NAMES:
                    continue  # "Tuesdays and Thursdays only" is when, not where
                if part.isupper() and len(part) <= 4 and part.isalpha():
                    continue  # acronyms: CMS, API, EV (a road or zone, "M25", is a place)
                places.append((key, Span(match.start(group), match.end(group), raw)))
    places += _wider_places(text, places)
    # "Stockport (Greater Manchester)": the bracket names the wider place.
    for match in re.finditer(r"\b[A-Z][\w'-]+\s*\((?P<p>[A-Z][^()]{2,60})\)", text):
        if any(span.end <= match.start("p") <= span.end + 3 for _, span in places):
            for part in re.split(r"[\s/,]+", match.group("p")):
                key = part.lower()
                if key not in _NOT_PLACES and len(key) >= 3 and not part.isupper():
                    places.append((key, Span(match.start("p"), match.end("p"), match.group("p"))))
    # An advert's closing "Vienna." or "Glasgow." names where it is.
    for match in re.finditer(
        r"(?:^|[.!?]\s+)(?P<p>[A-Z][a-z'-]{2,}(?: [A-Z][a-z'-]{2,})?)\.?\s*$", text
    ):
        key = match.group("p").lower()
        if all(part not in _NOT_PLACES for part in key.split()):
            places.append(
                (key.split()[0], Span(match.start("p"), match.end("p"), match.group("p")))
            )
    # A place named only to be excluded ("not available in London") is not where it is.
    denied = [span for _, span in _read_excluded_places(text)]
    places = [(p, s) for p, s in places if not any(d.start <= s.start < d.end for d in denied)]
    restricted = bool(places) and bool(literals.search(_RESTRICTED, text))
    return tuple(dict.fromkeys(places)), restricted


# --- availability ---------------------------------------------------------------------

_ALL_SLOTS = frozenset({"wd-day", "wd-eve", "we-day", "we-eve"})
#: (pattern, slots, "days" or "times"): weekday/weekend words and day/evening words.
_SLOT_WORDS: tuple[tuple[re.Pattern[str], frozenset[str], str], ...] = (
    (re.compile(r"\bweekends?\b|\bsaturdays?\b|\bsundays?\b", re.I),
     frozenset({"we-day", "we-eve"}), "days"),
    # the same days in French, German, Italian, Spanish, Dutch, Portuguese
    (re.compile(r"\b(?:samedis?|dimanches?|week-end|samstags?|sonntags?|wochenendes?|sabato|"
                r"domenica|fine\s+settimana|sábados?|domingos?|fin(?:es)?\s+de\s+semana|"
                r"zaterdags?|zondags?|fim\s+de\s+semana)(?!\w)", re.I),
     frozenset({"we-day", "we-eve"}), "days"),
    (re.compile(r"\b(?:lundis?|mardis?|mercredis?|jeudis?|vendredis?|en\s+semaine|montags?|"
                r"dienstags?|mittwochs?|donnerstags?|freitags?|werktags?|lunedì|martedì|"
                r"mercoledì|giovedì|venerdì|lunes|martes|miércoles|jueves|viernes|maandags?|"
                r"dinsdags?|woensdags?|donderdags?|vrijdags?|doordeweeks|segunda-feira|"
                r"terça-feira|quarta-feira|quinta-feira|sexta-feira|dias\s+úteis)(?!\w)", re.I),
     frozenset({"wd-day", "wd-eve"}), "days"),
    (re.compile(r"\bweekdays?\b|\bmon(?:day)?\s*(?:-|to)\s*fri(?:day)?\b|\bbusiness\s+hours\b|"
                r"\bworking\s+hours\b|\bmondays?\b|\btuesdays?\b|\bwednesdays?\b|"
                r"\bthursdays?\b|\bfridays?\b", re.I),
     frozenset({"wd-day", "wd-eve"}), "days"),
    (re.compile(r"\bevenings?\b|\bat\s+night\b|\b\w+day\s+night\b|\bafter\s+\d{1,2}\s*pm\b|"
                r"\bafter\s+work\b", re.I),
     frozenset({"wd-eve", "we-eve"}), "times"),
    (re.compile(r"\bday\s*time\b|\bduring\s+the\s+day\b|\blunch\s*time\b|\bafternoons?\b|"
                r"\b9\s*(?:am)?\s*(?:-|to)\s*5\s*(?:pm)?\b|\b8\s*am\s*-\s*6\s*pm\b|\bmornings?\b",
                re.I),
     frozenset({"wd-day", "we-day"}), "times"),
)  # fmt: skip
_SLOT_NAME = r"(?:evenings?|weekdays?|daytime|mornings?|afternoons?|weekends?|saturdays?|sundays?)"
_SLOTS_JOINED = re.compile(rf"\b{_SLOT_NAME}\s*(?:and|or|&|/|,|\+)\s*{_SLOT_NAME}\b", re.I)


_SLOT_DENIED = re.compile(
    r"(?:\bno|\bnot|\bnever|\bexcept|\bexcluding|\bbut\s+not|n't)\s+(?:on\s+|at\s+|in\s+the\s+)?$",
    re.I,
)


_DAY_WORD = re.compile(
    r"\b(?P<d>mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?\b", re.I
)
_DAY_KEYS = {"mon": "mon", "tue": "tue", "tues": "tue", "wed": "wed", "wednes": "wed",
             "thu": "thu", "thur": "thu", "thurs": "thu", "fri": "fri", "sat": "sat",
             "satur": "sat", "sun": "sun"}  # fmt: skip


#: "Monday to Friday", "Tue-Sat", "Thursday through Sunday": every day between the two.
_DAY_RANGE = re.compile(
    _DAY_WORD.pattern.replace("?P<d>", "?P<a>")
    + r"\s*(?:-|\u2013|to|through|thru|till|until)\s*"
    + _DAY_WORD.pattern.replace("?P<d>", "?P<b>"),
    re.I,
)
_WEEK_ORDER = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _days_between(first: str, last: str) -> set[str]:
    start, stop = _WEEK_ORDER.index(first), _WEEK_ORDER.index(last)
    return {_WEEK_ORDER[(start + step) % 7] for step in range((stop - start) % 7 + 1)}


def _read_days(text: str) -> frozenset[str]:
    """The days of the week a side names, unless it names them to exclude them; a range
    of days names every day in it."""
    found = set()
    for match in literals.finditer(_DAY_RANGE, text):
        if literals.search(_SLOT_DENIED, text[max(0, match.start() - 20) : match.start()]):
            continue
        found |= _days_between(
            _DAY_KEYS[match.group("a").lower()], _DAY_KEYS[match.group("b").lower()]
        )
    for match in literals.finditer(_DAY_WORD, text):
        word = match.group(0)
        if len(word) <= 3 and not word[:1].isupper():
            continue  # "sun", "sat", "wed" in lower case are words, not days
        if literals.search(_SLOT_DENIED, text[max(0, match.start() - 20) : match.start()]):
            continue
        found.add(_DAY_KEYS[match.group("d").lower()])
    return frozenset(found)


def _read_slots(text: str) -> tuple[frozenset[str], bool]:
    """The slots (weekday/weekend x day/evening) one side names: "weekdays 8am-6pm" is
    weekday daytime; "evenings and weekends" is either."""
    days: list[frozenset[str]] = []
    times: list[frozenset[str]] = []
    denied: set[str] = set()
    for pattern, slots, kind in _SLOT_WORDS:
        for match in literals.finditer(pattern, text):
            # "no weekends", "not on Sundays", "except evenings": the slot is excluded.
            if literals.search(_SLOT_DENIED, text[max(0, match.start() - 20) : match.start()]):
                denied |= slots
            else:
                (days if kind == "days" else times).append(slots)
                break
    if denied and not days and not times:
        return _ALL_SLOTS - denied, True
    if not days and not times:
        return frozenset(), False
    if literals.search(_SLOTS_JOINED, text):
        result = frozenset().union(*days, *times)
    else:
        result = (frozenset().union(*days) if days else _ALL_SLOTS) & (
            frozenset().union(*times) if times else _ALL_SLOTS
        )
    # "nicht nur montags" names a day without limiting to it
    strict = bool(re.search(r"\bonly\b|\bavailable\b|\bavailability\b", text, re.I)) or bool(
        re.search(rf"\b(?:{ONLY_WORDS})(?!\w)", re.sub(NOT_ONLY, " ", text, flags=re.I), re.I)
    )
    return result, strict


# --- dates ----------------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
# French, German, Italian, Spanish, Dutch, Portuguese month names ("le 29 avril 2026",
# "bis zum 15. März"): none is an English word a date could be confused with
_MONTHS.update(FOREIGN_MONTHS)
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAYNAME = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?,?\s+)?"
#: A weekday that must be there ("Sat 27 June"): with a day and month it names one day.
_WEEKDAY_NAMED = r"(?P<wd>mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?,?\s+"
_EVENT = re.compile(
    # "on 30 April", and French "est le 29 avril" / "prévu le 3 mai"
    # German "am 12. September"
    # Italian "il 20 giugno", Spanish "el 3 de mayo", Dutch "op 31 oktober", Portuguese
    # "no dia 5 de julho" (not after a deadline or start word: "entro il", "desde el")
    rf"(?:(?:\b(?:on|am|(?:est|prévu|prévue|aura\s+lieu)\s+le|op|no\s+dia)"
    rf"|(?<!entro\s)\bil|(?<!hasta\s)(?<!para\s)(?<!tardar\s)(?<!desde\s)\bel)\s+(?:the\s+)?{_DAYNAME}"
    # "Office party, Friday 2 October": a weekday and date opening a clause is the day
    # itself; after "by", "from" or "until" (no clause opening) other readers take it
    rf"|(?:(?<=[,.;:(\n])|^)\s*{_WEEKDAY_NAMED})(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+|{DAY_MONTH_JOIN})?(?P<m1>{_MONTH})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)(?:,?\s+(?P<y>\d{{4}}))?",
    re.I,
)
_FROM = re.compile(
    rf"\b(?:from|starting(?:\s+in)?|available\s+from|begins?(?:\s+in)?|as\s+of)\s+"
    rf"(?P<q>mid|early|late|end\s+of)?-?\s*"
    rf"(?P<m>{_MONTH})(?:\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?)?(?:,?\s+(?P<y>\d{{4}}))?",
    re.I,
)


def _resolve(month: int, day: int, year: int | None, reference: dt.date | None) -> dt.date | None:
    try:
        if year is not None:
            return dt.date(year, month, day)
        if reference is None:
            return None
        candidate = dt.date(
            reference.year, month, min(day, calendar.monthrange(reference.year, month)[1])
        )
        if candidate < reference:
            candidate = dt.date(
                reference.year + 1,
                month,
                min(day, calendar.monthrange(reference.year + 1, month)[1]),
            )
        return candidate
    except ValueError:
        return None


_FROM_DAY_FIRST = re.compile(
    rf"\b(?:from|starting|available\s+from|as\s+of|{FROM_CUES})\s+(?:the\s+)?(?P<d>\d{{1,2}})"
    rf"(?:st|nd|rd|th|\.)?\s+(?:of\s+|{DAY_MONTH_JOIN})?(?P<m>{_MONTH})(?:,?\s+(?P<y>\d{{4}}))?",
    re.I,
)
#: "available until 15 March", "free till the end of June": the offer's last day.
_UNTIL = re.compile(
    rf"\b(?:available\s+)?(?:until|till|through|{UNTIL_CUES})\s+(?:the\s+)?(?:(?P<q>mid|end\s+of|early)-?\s*)?"
    rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+|{DAY_MONTH_JOIN})?(?P<m1>{_MONTH})|(?P<m2>{_MONTH})"
    rf"(?:\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)?)(?:,?\s+(?P<y>\d{{4}}))?",
    re.I,
)


#: "fully booked until 8 June", "away till mid-July", "closed until 3 May": the date the
#: offer is busy up to is its FIRST free day, never its last one (dev_h19).
_BUSY_BEFORE = re.compile(
    r"\b(?:booked|busy|unavailable|not|away|closed|full|on\s+(?:holiday|leave|"
    r"vacation))(?:\s+up)?\s*$",
    re.I,
)


def _busy(text: str, match: re.Match[str]) -> bool:
    """Whether an "until DATE" is preceded by a word saying the offer is busy up to it."""
    return bool(_BUSY_BEFORE.search(text, max(0, match.start() - 30), match.start()))


def _until_day(
    match: re.Match[str], reference: dt.date | None, busy: bool = False
) -> dt.date | None:
    """The day an "until" names: a bare month is its last day as an offer's last day,
    its first as the end of a busy spell ("booked until June": free from 1 June)."""
    name = (match.group("m1") or match.group("m2")).lower().rstrip(".")
    month = _MONTHS[name]
    raw = match.group("d1") or match.group("d2")
    if raw is None and name in DAY_ONLY_MONTHS:
        return None  # "bis Mai" may be a name: a short month only after a day number
    q = (match.group("q") or "").lower()
    last = calendar.monthrange(2001, month)[1]
    day = int(raw) if raw else {"mid": 15, "early": 7}.get(q, 1 if busy and not q else last)
    year = int(match.group("y")) if match.group("y") else None
    return _resolve(month, day, year, reference)


def busy_until(text: str, reference: dt.date | None) -> dt.date | None:
    """The first free day of "fully booked until 8 June" (None: no such clause)."""
    for match in literals.finditer(_UNTIL, text):
        if _busy(text, match):
            return _until_day(match, reference, busy=True)
    return None


def _read_until(text: str, reference: dt.date | None) -> dt.date | None:
    match = next((m for m in literals.finditer(_UNTIL, text) if not _busy(text, m)), None)
    return None if match is None else _until_day(match, reference)


def _weekday_agrees(weekday: str | None, day: dt.date | None) -> bool:
    """Whether a date named with its weekday ("Friday 13 March") falls on that weekday
    (no weekday named: nothing to disagree with)."""
    if weekday is None or day is None:
        return True
    return day.weekday() == _WEEKDAY_INDEX[weekday.lower()[:3]]


#: A cue word just before a weekday and date ("Starting: Friday 13 March", "Due - Mon 2
#: March"): the date is a start or a deadline, not the day of the event.
_CUE_BEFORE = re.compile(
    r"\b(?:start\w*|begin\w*|from|by|before|until|till|due|deadline|latest|return\w*)\W*$", re.I
)


def _named_event_span(
    text: str, match: re.Match[str], event: dt.date | None
) -> tuple[int, int] | None:
    """The span of an event date named by its weekday ("Office party, Friday 2 October")
    when the weekday agrees with the date and no start or deadline cue comes before it;
    None otherwise (the text then stays unread: precision first)."""
    if not match.group("wd") or event is None or not _weekday_agrees(match.group("wd"), event):
        return None
    if _CUE_BEFORE.search(text, max(0, match.start() - 30), match.start()):
        return None
    return match.span()


def _event_span(text: str, reference: dt.date | None) -> list[tuple[int, int]]:
    """The span of the weekday-named event date :func:`_read_dates` read, if any."""
    match = literals.search(_EVENT, text)
    if match is None or not match.group("wd"):
        return []
    event, _ = _read_dates(text, reference)
    found = _named_event_span(text, match, event)
    return [] if found is None else [found]


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: "Wedding is this Saturday!", "the party is this coming Friday": a seek's day this week.
#: ("Next Saturday" is left out: people mean this coming one or the one after.)
_THIS_WEEKDAY = re.compile(rf"\bthis\s+(?:coming\s+)?(?P<d>{'|'.join(_WEEKDAYS)})\b", re.I)


def _this_weekday(text: str, reference: dt.date | None) -> dt.date | None:
    """The date of the first "this <weekday>" in a seek, from its own timestamp (the
    day itself when it is that weekday)."""
    match = literals.search(_THIS_WEEKDAY, text)
    if match is None or reference is None:
        return None
    ahead = (_WEEKDAYS.index(match.group("d").lower()) - reference.weekday()) % 7
    return reference + dt.timedelta(days=ahead)


def _read_dates(text: str, reference: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    event = start = None
    match = literals.search(_EVENT, text)
    if match:
        g = match.groupdict()
        month = _MONTHS[(g["m1"] or g["m2"]).lower().rstrip(".")]
        event = _resolve(month, int(g["d1"] or g["d2"]), int(g["y"]) if g["y"] else None, reference)
        if _named_event_span(text, match, event) is None and g["wd"]:
            event = None  # a weekday and date the reader cannot tie to the event
    match = literals.search(_FROM, text)
    if match:
        month = _MONTHS[match.group("m").lower().rstrip(".")]
        q = (match.group("q") or "").lower()
        day = (
            int(match.group("d"))
            if match.group("d")
            else {"mid": 15, "late": 20, "end of": 25}.get(q, 1)
        )
        start = _resolve(month, day, int(match.group("y")) if match.group("y") else None, reference)
    first = literals.search(_FROM_DAY_FIRST, text)
    if first and (match is None or first.start() < match.start()):
        month = _MONTHS[first.group("m").lower().rstrip(".")]
        year = int(first.group("y")) if first.group("y") else None
        start = _resolve(month, int(first.group("d")), year, reference)
    free = busy_until(text, reference)
    if free is not None and (start is None or free > start):
        start = free  # "booked until 8 June": nothing starts before then
    return event, start


_THROUGHPUT = re.compile(
    rf"(?P<n>{_NUM})\s*(?P<u>words?|pages?|boxes|items?|images?|photos?|units?)\s*"
    r"(?:a|per|each|/)\s*(?P<p>day|week|month)",
    re.I,
)


_FIRST_DISCOUNT = re.compile(
    r"\bfirst\s+(?P<u>month|week|night|day|lesson|session|class)\s+(?:is\s+|at\s+)?"
    r"(?:(?P<half>half[- ]price|50\s*%\s*off)|(?P<free>free)|(?P<pct>\d{1,2})\s*%\s*off)\b",
    re.I,
)


def _read_first_discount(text: str) -> tuple[str, float, Span] | None:
    """ "First month half price", "first lesson free", "first week 20% off": the unit and
    the share of its rate paid."""
    match = literals.search(_FIRST_DISCOUNT, text)
    if match is None:
        return None
    if match.group("half"):
        paid = 0.5
    elif match.group("free"):
        paid = 0.0
    else:
        paid = 1 - int(match.group("pct")) / 100
    span = Span(match.start(), match.end(), match.group(0))
    return canonical_unit(match.group("u")), paid, span


def _read_throughput(text: str) -> tuple[float, str, float] | None:
    match = literals.search(_THROUGHPUT, text)
    if not match:
        return None
    numbers = token_numbers(match.group("n"))
    if not numbers or numbers[0].value <= 0:
        return None
    return numbers[0].value, canonical_unit(match.group("u")), TIME_DAYS[match.group("p").lower()]


# --- payment, exclusions, certifications, ages ----------------------------------------

_ADVANCE = re.compile(
    r"\b(?:payment|paid|pay)\s+(?:\w+\s+)?(?:in\s+advance|up\s*front|before\s+(?:start|work))\b|"
    # "paid in full before filing": the whole fee before the work starts
    r"\b(?:payment|paid|pay)\s+in\s+full\s+(?:before|prior\s+to|up\s*front|in\s+advance)\b|"
    r"\b(?:pre-?payment|prepaid|advance\s+payment)\b|\b(?:full|100%)\s+(?:payment\s+)?up\s*front\b|"
    r"\b\d{1,3}\s*%\s+(?:payment\s+)?(?:up\s*front|in\s+advance|(?:non-refundable\s+)?deposit)\b",
    re.I,
)
#: The same asked by an offer in the other languages: "50% de señal por adelantado",
#: "30 % d'acompte", "Anzahlung 20 %", "caparra"; never the negated "keine Anzahlung",
#: "geen aanbetaling", "sans acompte" (paying after, below). Offers only: a seek's
#: "Anzahlung ist für uns ok" accepts one. "d'avance", "im voraus" only after a word of
#: paying ("Commande 48 h à l'avance", "Merci d'avance" pay nothing).
_ADVANCE_ASKED = re.compile(
    r"(?<!keine\s)(?<!geen\s)(?<!sin\s)(?<!sans\s)(?<!senza\s)(?<!no\s)(?<!sem\s)"
    r"\b(?:anzahlung|vorauszahlung|vorkasse|aanbetaling|vooruitbetaling|acompte|arrhes|"
    r"acconto|caparra)\b|"
    # "señal" is also a signal, "anticipo" also notice ("48h de anticipo"): only as a share
    r"\b\d{1,3}\s*%\s*(?:de\s+|d['\u2019]\s*|di\s+)?(?:se[ñn]al|sinal|anticipo|adelanto)\b|"
    r"\b(?:pago|pagar|pagad[oa]|abono|paiement|payer|pay[ée]e?|r[èe]glement|zahlung|bezahlung|"
    r"zahlbar|pagamento|pagare|pagato|betaling)\s+(?:\w+\s+){0,2}?(?:por\s+adelantado|"
    r"par\s+avance|d['\u2019]avance|[àa]\s+l['\u2019]avance|im\s+voraus|in\s+anticipo|"
    r"adiantad[oa]|vooraf)\b|\bvooraf\s+(?:te\s+)?betal\w*",
    re.I,
)
_AFTER = re.compile(
    r"\bnet\s*-?\s*\d{1,3}\b|\b(?:payment|pay|paid)\s+(?:\w+\s+)?(?:on|upon|after)\s+"
    r"(?:delivery|completion|invoice|each\s+invoice)\b|\bno\s+(?:up\s*front|advance)\s+payment\b|"
    r"\bpay\s+(?:\w+\s+){0,3}after\b|"
    r"\bno\s+(?:pre-?payment|deposit)\b|"
    # German, Dutch, French, Spanish: "Bezahlung ausschließlich nach Lieferung", "keine
    # Vorauszahlung", "betaling na levering", "paiement à la livraison", "pago tras entrega"
    r"\b(?:be)?zahlung\s+(?:\w+\s+)?nach\s+(?:lieferung|abnahme|fertigstellung)\b|"
    r"\bkeine\s+(?:voraus|an)zahlung\b|\bkeine\s+vorkasse\b|"
    r"\bbetaling\s+(?:\w+\s+)?(?:na|bij)\s+(?:levering|oplevering)\b|"
    r"\bgeen\s+(?:vooruitbetaling|aanbetaling)\b|"
    r"\bpaiement\s+(?:\w+\s+)?(?:à\s+la|après\s+(?:la\s+)?)\s*livraison\b|"
    r"\bpago\s+(?:\w+\s+)?(?:a\s+la|tras\s+la|después\s+de\s+la)\s+entrega\b",
    re.I,
)
#: Paying in parts over time: no deal with an offer that wants the whole fee first.
_INSTALMENTS = re.compile(
    r"\b(?:in\s+)?(?:\d{1,2}\s+|two\s+|three\s+|four\s+|six\s+|twelve\s+)?"
    r"(?:(?:monthly|weekly|quarterly|equal)\s+)?(?:instal(?:l)?ments?|payment\s+plan)\b|"
    r"\bspread\s+(?:the\s+)?(?:payments?|cost|fee)\b",
    re.I,
)
#: The whole fee before anything: what instalments cannot meet ("50% deposit" can).
_IN_FULL_FIRST = re.compile(
    r"\b(?:paid|payment|pay)\s+in\s+full\s+(?:before|prior\s+to|up\s*front|in\s+advance)\b|"
    r"\b(?:full|100%)\s+(?:payment\s+)?(?:up\s*front|in\s+advance)\b|\bprepaid\b|"
    r"\bfull\s+payment\s+(?:before|prior\s+to|on\s+booking)\b",
    re.I,
)
_EXCLUSION = re.compile(
    r"\b(?:no\b|non-?|not\b|never\b|without\b"
    # "Sorry can't do gluten free", "we don't take cash": a job verb after the negation
    r"|(?:can['\u2019]?t|cannot|won['\u2019]?t|don['\u2019]?t)\s+(?=(?:do|offer|take|accept|cover|provide|"
    r"handle|treat|serve)\b))\s*[- ]?(?P<x>(?:[a-z][\w-]*)(?:\s+[a-z][\w-]*){0,2})"
    r"(?:\s+(?:allowed|permitted|please|accepted))?",
    re.I,
)
_EXCLUSION_NOISE = frozenset(
    [
        "a",
        "an",
        "the",
        "more",
        "less",
        "later",
        "than",
        "longer",
        "one",
        "any",
        "longer",
        "problem",
        "worries",
        "issue",
        "hidden",
        "extra",
        "exceeding",
        "higher",
        "earlier",
        "sure",
        "fewer",
        "fuss",
        "rush",
        "way",
        "experience",
        "need",
        "matter",
        "big",
        "deal",
        "question",
        "higher",
    ]
)
#: "no dogs over 25 kg" is a limit (read as a quantity), not an exclusion of dogs.
_COMPARATIVES = frozenset(
    ["over", "above", "under", "below", "heavier", "lighter", "bigger", "larger", "smaller",
     "longer", "shorter", "taller", "older", "younger", "more", "less", "exceeding"]
)  # fmt: skip
#: "+£30 if no power", "when there is no lift": a condition a charge applies under, no
#: thing the writer refuses.
_CONDITION_BEFORE = re.compile(
    r"\b(?:if|when|where|unless|in\s+case(?:\s+of)?)\s+(?:there(?:'s|\s+is|\s+are)\s+)?$", re.I
)
#: "not tuned in 5+ yrs", "not serviced for two years", "not cleaned since 2019": how long
#: since a thing was done, a state the writer reports, not something refused.
_SINCE_AFTER = re.compile(
    r"\s*(?:in|for|since)\s+(?:over\s+|about\s+|at\s+least\s+|a\s+|the\s+last\s+)?"
    r"(?:\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|many|several|a\s+few|ages|"
    r"years?|months?|decades?)\b)",
    re.I,
)
_LIMIT_AFTER = re.compile(
    r"\b(?:" + "|".join(sorted(_COMPARATIVES)) + r")(?:\s+than)?\s+(?:about\s+)?\d", re.I
)
#: Words that close an exclusion without being excluded ("no subletting allowed",
#: "non-smokers only"): kept as a stem, no other side could ever name them.
_EXCLUSION_TAIL = frozenset(
    ["allowed", "permitted", "please", "accepted", "whatsoever", "only", "here", "inside"]
)
_NEG_BEFORE = re.compile(r"(?:\bno|\bnon|\bnot|\bnever|\bwithout|n't)[\s-]*(?:\w+[\s-]+)?$", re.I)
_ALIASES = {"pet": {"dog", "cat", "pet", "puppy"}, "smok": {"smok", "smoker", "vap"}}
_CERT = re.compile(
    r"\b(?P<c>CE|UL|FCC|RoHS|ISO\s?\d{4,5}|FDA|TÜV|TUV|GS|UKCA)\s*(?:marked|marking|certified|"
    r"certification|listed|approved|compliant|mark)?\b"
)


#: Verbs of doing a job: after a negation their object is what is excluded.
_SERVICE_VERBS = frozenset(
    ["treat", "do", "offer", "take", "accept", "cover", "service", "repair", "handle",
     "deliver", "ship", "serve", "provide", "install", "clean", "fix", "teach", "sell",
     "buy", "include", "move", "carry", "work",
     # "No se admiten mascotas", "non si accettano animali": the admitting verb, whose
     # object is what is refused (accents folded)
     "admiten", "aceptan", "permiten", "admitimos", "aceptamos", "permitimos", "accettano",
     "ammettono", "accettiamo", "ammettiamo", "acceptons", "acceptent"]
)  # fmt: skip


#: "e-bike", "x-ray", "e-scooter": a one-letter prefix makes another thing ("no e-bikes"
#: excludes no bike), so the compound is one word for exclusions and for what is named.
_LETTER_COMPOUND = re.compile(r"\b([a-zA-Z])-(?=[a-zA-Z]{2})")


#: Nouns that say what kind of thing an exclusion's first word qualifies ("thatched
#: properties", "e-bike jobs"), which the other side names in words of its own.
_EXCLUDED_KINDS = frozenset(
    rough_stem(w)
    for w in ("properties", "property", "homes", "houses", "buildings", "premises", "jobs",
              "projects", "items", "orders", "requests", "bookings", "clients", "customers")
)  # fmt: skip


#: Participles that exclude what stands before them: "Stansted/Luton not served",
#: "weekends not available", "pets not accepted" is read by the tail words instead.
_PASSIVE_NOT = frozenset(
    # ("drinks not included" names a cost, no exclusion: the seek may bring its own)
    ["served", "covered", "available", "offered", "supported", "serviced"]
)
#: Participles of admitting after a negation ("animaux non admis", "pets not allowed",
#: "mascotas no permitidas"): the thing refused is named before them. Accents folded.
_ADMITTED = frozenset(
    ["allowed", "permitted", "accepted", "admitted", "admis", "admises", "acceptes",
     "acceptees", "autorises", "autorisees", "admitidos", "admitidas", "permitidos",
     "permitidas", "aceptados", "aceptadas", "ammessi", "ammesse", "accettati", "consentiti"]
)  # fmt: skip


def _folded(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


#: A verb and a preposition after a negation: "not fly inside", "never work in", "do not
#: deliver to": the place or thing after the preposition is excluded.
_PREPOSITION_OBJECT = re.compile(
    r"[a-z]+\s+(?:inside|within|into|in|over|near|above|on|at|to)\s+(?=\S)", re.I
)
#: Where the words an exclusion names stop: punctuation or a linking word.
_PHRASE_STOP = re.compile(r"[,.;:!?()\n]|\b(?:of|for|and|or|but|unless|except|if|when)\b", re.I)


def _named_before(text: str, match: re.Match[str] | None) -> list[str]:
    """The names before a negation in its clause ("Stansted/Luton" before "not served"),
    each alone: a list joined by "/", "&", "or", "and" or commas (None: the end of
    ``text`` is the negation's start)."""
    at = len(text) if match is None else match.start()
    before = re.split(r"[.;:!?()\n]", text[max(0, at - 50) : at])[-1]
    names = [w for w in re.split(r"[\s/&,]+|\b(?:or|and)\b", before.lower()) if w]
    return [w for w in names[-4:] if len(w) > 2 and w not in _EXCLUSION_NOISE]


def _object_after(text: str, start: int) -> list[frozenset[str]]:
    """What a negated verb's preposition leads to ("the controlled airspace (CTR) of any
    airport"): the phrase's first two words, and an acronym in brackets after it alone."""
    rest = text[start : start + 60]
    stop = _PHRASE_STOP.search(rest)
    phrase = rest[: stop.start()] if stop else rest
    words = [
        w
        for w in re.split(r"[\s-]+", phrase.lower())
        if len(w) > 2 and w not in _EXCLUSION_NOISE and w not in _EXCLUSION_TAIL
    ]
    found = [frozenset(rough_stem(w) for w in words[:2])] if words else []
    acronym = re.match(r"\s*\(([A-Z]{2,6})\)", rest[len(phrase) :])
    if acronym:
        found.append(frozenset({acronym.group(1).lower()}))
    return found


#: The refusals of a job the exclusion pattern reads besides "no"/"not" ("can't do X").
_JOB_REFUSED = re.compile(r"(?:can|won|don)['\u2019]?t\b|cannot\b", re.I)
#: What may follow a whole exclusion phrase: the text's end, a mark, or a closing word.
_PHRASE_ENDS = re.compile(
    r"\s*(?:$|[.,;:!?)\]\n\u2013\u2014-]|(?:and|but|please|allowed|permitted|accepted|at|in|on)\b)",
    re.I,
)


def _excluded_stems(written: str, words: list[str], complete: bool) -> list[frozenset[str]]:
    """The stems of an exclusion, one set per alternative joined by "or"/"nor" ("no dogs
    or cats"); of ``words`` (already filtered) alone when none is, or when the phrase runs
    on past what was read (``complete`` False: "no heating or hot water" is one state, cut
    at "hot")."""
    parts = re.split(r"\s+n?or\s+", written.lower())
    kept = [[w for w in re.split(r"[\s-]+", p) if w in words] for p in parts]
    alternatives = [k for k in kept if k] if len(parts) > 1 and complete else []
    found = []
    for alternative in alternatives or [words]:
        # "we do not treat bed bugs": bed bugs are excluded, not treating
        verb = _folded(alternative[0]) in _SERVICE_VERBS and len(alternative) > 1
        stems = frozenset(rough_stem(w) for w in alternative[verb : verb + 2])
        # "we do not service thatched properties": a thatched cottage is excluded too
        found.append(stems - _EXCLUDED_KINDS or stems)
    return found


def _not_an_exclusion(text: str, match: re.Match[str]) -> bool:
    """A limit follows, or "+£30 if no power" (a condition), or "not tuned for 5+ years" (a
    history): the negation excludes nothing."""
    if literals.search(_LIMIT_AFTER, text, match.start(), min(len(text), match.end() + 24)):
        return True
    if _CONDITION_BEFORE.search(text[max(0, match.start() - 24) : match.start()]):
        return True
    written_x = match.group("x")
    # "have not been cleaned for two years": the verb after "been"
    lead = re.match(r"(?:been|being)\s+", written_x, re.I)
    rest = written_x[lead.end() :] if lead else written_x
    first = (rest.split() or [""])[0].lower()
    tail = rest[len(first) :]
    return bool(
        match.group(0)[:3].lower() == "not"
        and first.endswith("ed")
        and _SINCE_AFTER.match(tail + text[match.end() : match.end() + 30])
    )


def _read_exclusions(text: str) -> tuple[tuple[tuple[frozenset[str], Span], ...], frozenset[str]]:
    # kinds reads rough_stem from this module: imported where it is used
    from mediator_actors.negotiation.kinds import names_a_class

    written = text
    # "e_bike": one word, and the same length, so every span still points into the text
    text = _LETTER_COMPOUND.sub(r"\1_", text)
    exclusions = []
    for match in literals.finditer(_EXCLUSION, text):
        words = [w for w in re.split(r"[\s-]+", match.group("x").lower()) if w]
        if _not_an_exclusion(text, match):
            continue
        span = Span(match.start(), match.end(), written[match.start() : match.end()])
        before = (
            _named_before(re.split(r"[,;]", text[: match.start()])[-1] + " ", None)[-1:]
            if words and _folded(words[0]) in _ADMITTED
            else []
        )
        if before and names_a_class(before[0]):
            # "animaux non admis", "Pets not allowed": what is excluded stands before; read
            # only where it names a class whose members the other side may name instead
            # ("Subletting not allowed" against "I'd put the room on airbnb" stays unread)
            for w in before:
                at = text.lower().rfind(w, 0, match.start())
                at = match.start() if at < 0 else at
                whole = Span(at, match.end(), written[at : match.end()])
                exclusions.append((frozenset({rough_stem(w)}), whole))
            continue
        words = [
            w
            for w in words
            if w not in _EXCLUSION_NOISE and w not in _EXCLUSION_TAIL and len(w) > 2
        ]
        if not words or words[0] in {"only", "just", "required", "necessary", "needed"}:
            continue
        if words[0] in _PASSIVE_NOT and len(words) == 1:
            # "Stansted/Luton not served": the things excluded are named before the word
            exclusions += [(frozenset({rough_stem(w)}), span) for w in _named_before(text, match)]
            continue
        # a verb after "not"/"never" ("do not fly inside"), never "no smoking in the hall"
        verb = re.match(r"(?:not|never)\b", match.group(0), re.I) is not None
        place = _PREPOSITION_OBJECT.match(match.group("x")) if verb else None
        if place is not None:
            # "we do not fly inside the controlled airspace (CTR)": where it does not work
            exclusions += [(o, span) for o in _object_after(text, match.start("x") + place.end())]
        # "NO stallions or entires": either one is excluded, each alone
        complete = bool(_PHRASE_ENDS.match(text, match.end()))
        stated = _excluded_stems(match.group("x"), words, complete)
        if _JOB_REFUSED.match(match.group(0)) and (
            not complete or any(not stems - _EXCLUDED_KINDS for stems in stated)
        ):
            # "don't take jobs further away", "I don't do rush jobs": a refusal read only
            # whole and naming more than a kind of job; otherwise it stays unread
            continue
        exclusions += [(stems, span) for stems in stated]
    for match in re.finditer(r"\b(?P<x>[a-zA-Z]{3,})-free\b", text):
        exclusions.append(
            (
                frozenset({rough_stem(match.group("x"))}),
                Span(match.start(), match.end(), match.group(0)),
            )
        )
    positives = set()
    negations = literals.may_match(_NEG_BEFORE, text)  # none in the text: none before a word
    # each word as written ("e-bikes" names bikes) and each one-letter compound whole
    named = re.finditer(r"[a-zA-Z][\w]*", written)
    compounds = re.finditer(r"\b[a-zA-Z]_[a-zA-Z]\w*", text) if text != written else iter(())
    for found in itertools.chain(named, compounds):
        if written[found.end() : found.end() + 5].lower() == "-free":
            continue
        if negations and literals.search(
            _NEG_BEFORE, written[max(0, found.start() - 25) : found.start()]
        ):
            continue
        positives.add(rough_stem(found.group(0)))
    return tuple(exclusions), frozenset(positives)


def _read_certifications(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    stated, required, denied = set(), set(), set()
    for match in literals.finditer(_CERT, text):
        cert = match.group("c").upper().replace(" ", "")
        before = text[max(0, match.start() - 30) : match.start()]
        if re.search(r"\b(?:no|not|without|non)\b[\w\s-]{0,10}$", before, re.I):
            denied.add(cert)
        elif re.search(
            r"\b(?:must|need|needs|required|has\s+to|have\s+to|should)\b[\w\s]{0,15}$", before, re.I
        ):
            required.add(cert)
        else:
            stated.add(cert)
    return frozenset(stated), frozenset(required), frozenset(denied)


_MIN_AGE = re.compile(
    r"\b(?:(?:(?:must\s+be\s+)?over|at\s+least|aged|(?:for\s+)?ages?|minimum\s+age(?:\s+of)?)\s+"
    # "min. age: 21", "minimum age: 21"
    r"|min\.?\s+age\s*:?\s*|minimum\s+age\s*:\s*)"
    r"(?P<n>\d{1,2})(?:\+|\s+(?:and|or)\s+(?:over|above|older|up))?(?=\W|$)(?!\s*(?:min|km|kg|hours?|days?|people|guests|%))"
    # "drivers 21+.", "21+ with a licence", "(18+)": not "10+ units", "3+ days", "2+ years"
    r"|\b(?P<m>\d{1,2})\+(?=\s*(?:only\b|with\b|and\b|years?\s+old\b|[).,;!\u2014]|-\s|$))"
    # "drivers must be 25 or older", "18 years or over", "21 years old or over"
    r"|\b(?P<o>\d{1,2})\s+(?:years?\s+(?:old\s+|of\s+age\s+)?)?(?:or|and)\s+(?:older|over|above)\b"
    # "Kids 3 and up", "children 5 & up": "and up" only after who it is for
    r"|\b(?:kids|children|toddlers|teens|juniors)\s+(?P<k>\d{1,2})\s*(?:and|&)\s*up\b"
    # "no under-18s": the least age is 18, not a most of 17
    r"|\bno\s+(?:(?:children|kids)\s+under\s+|under[\s-])(?P<q>\d{1,2})s?\b",
    re.I,
)
_AGE = re.compile(
    r"\b(?:i'?m|i\s+am)\s+(?P<n>\d{1,2})\b(?!\s*(?:\w+\s+)?(?:min|km|kg|hours?|days?|people|guests|%))"
    r"|\b(?P<m>\d{1,2})[\s-]+years?[\s-]+old\b|\b(?:aged?)\s+(?P<k>\d{1,2})\b(?!\s*(?:\+|and|or))"
    # "our 8 month old", "a 10-week-old": under a year or two, counted in whole years
    r"|\b(?P<w>\d{1,2})[\s-]+(?P<u>months?|weeks?)[\s-]+old\b",
    re.I,
)
_MAX_AGE = re.compile(
    r"\b(?:aged?|ages)\s+\d{1,2}\s*(?:-|\u2013|to)\s*(?P<n>\d{1,2})\b(?!\s*(?:min|km|kg|%))"
    r"|\bup\s+to\s+(?:the\s+)?age\s+(?:of\s+)?(?P<m>\d{1,2})\b"
    # "under-12s", "children under 10": younger than N
    r"|(?<!\bno\s)\bunder[\s-](?P<u>\d{1,2})s\b|(?<!\bno\s)\b(?:children|kids|ages?)\s+under\s+(?P<v>\d{1,2})\b",
    re.I,
)
#: What a clause that states only a minimum age holds besides it ("Drivers must be", "Renters
#: aged"): any other word ("23+ with a clean licence") is a condition not read here.
_AGE_CLAUSE_REST = re.compile(
    r"\s*(?:(?:the|all|each)\s+)?(?:drivers?|renters?|hirers?|guests?|riders?|participants?|"
    r"tenants?)?\s*(?:must\s+be\s*(?:at\s+least|aged|over)?)?\s*[.!]?\s*",
    re.I,
)


def _min_age(match: re.Match[str]) -> int:
    least = match.group("n") or match.group("m") or match.group("o") or match.group("k")
    return int(least or match.group("q"))


def _age(match: re.Match[str]) -> int:
    if match.group("w"):
        per_year = 12 if match.group("u").lower().startswith("m") else 52
        return int(match.group("w")) // per_year
    return int(match.group("n") or match.group("m") or match.group("k"))


def clause_min_age(clause: str) -> int | None:
    """The least age a clause that states nothing else sets ("Driver must be 23+" is 23;
    "must be 23+ with a clean licence" is None; "Age 21" alone may be an exact age)."""
    match = literals.search(_MIN_AGE, clause)
    if match is None:
        return None
    rest = clause[: match.start()] + " " + clause[match.end() :]
    if not _AGE_CLAUSE_REST.fullmatch(rest):
        return None
    if not re.search(r"\+|\b(?:must|min(?:imum)?|over|older|above|up|least)\b", clause, re.I):
        return None
    age = _min_age(match)
    return age if 14 <= age <= 99 else None


def own_age(text: str) -> int | None:
    """The one age a writer states of themself ("I'm 31", "I am 40 years old"), or None:
    none, or another age the text states ("my son (19)", "a 20-year-old")."""
    ages = [(_age(m), bool(m.group("n"))) for m in literals.finditer(_AGE, text)]
    values = {age for age, _ in ages}
    if len(values) != 1 or not any(own for _, own in ages):
        return None
    return values.pop()


def _max_age(match: re.Match[str]) -> int:
    under = match.group("u") or match.group("v")
    return int(under) - 1 if under else int(match.group("n") or match.group("m"))


#: "grades 1-5", "levels 2 to 4", CEFR "A1-B2": the range an offer teaches or accepts.
_GRADE_RANGE = re.compile(
    r"\b(?:grades?|levels?)\s+(?P<a>\d{1,2})\s*(?:-|\u2013|to)\s*(?P<b>\d{1,2})\b"
    r"|\b(?P<c>[ABC][12])\s*(?:-|\u2013|to)\s*(?P<d>[ABC][12])\b"
)
_GRADE = re.compile(r"\b(?i:grade|level)\s+(?P<a>\d{1,2})\b|\b(?P<c>[ABC][12])\b")
_CEFR = {"A1": 1, "A2": 2, "B1": 3, "B2": 4, "C1": 5, "C2": 6}


def _read_grades(text: str, offer: bool) -> tuple[tuple[int, int, str] | None, int | None]:
    """An offer's range of grades or CEFR levels; a seek's own grade or level."""
    if offer:
        match = literals.search(_GRADE_RANGE, text)
        if match is None:
            return None, None
        if match.group("a"):
            low, high = int(match.group("a")), int(match.group("b"))
        else:
            low, high = _CEFR[match.group("c")], _CEFR[match.group("d")]
        return ((low, high, match.group(0)) if low <= high else None), None
    match = literals.search(_GRADE, text)
    if match is None:
        return None, None
    return None, int(match.group("a")) if match.group("a") else _CEFR[match.group("c")]


_ADULTS_ONLY = re.compile(r"\badults?\s+only\b|\bno\s+(?:children|kids|minors)\b", re.I)
_CHILD = re.compile(
    r"\b(?:my|our)\s+(?:\w+\s+)?(?:son|daughter|kids?|child(?:ren)?|boy|girl|toddler|"
    r"teen(?:ager)?s?|grandson|granddaughter|baby(?![\s-]+(?:grand|shower))|infant|newborn)\b"
    # "a toddler", "two toddlers", "1 infant": a young child whose age is not stated
    r"|\b(?:an?|one|two|three|\d)\s+(?:toddlers?|infants?|newborns?|bab(?:y|ies))\b(?![\s-]+(?:grand|shower))",
    re.I,
)
_ACCENT_NAMES = (
    r"american|british|english|scottish|irish|welsh|australian|canadian|kiwi|new\s+zealand|"
    r"south\s+african|indian|southern|texan|cockney|neutral|standard|received\s+pronunciation|"
    r"rp|general\s+american|castilian|latin\s+american|mexican|parisian|quebec(?:ois)?|"
    r"swiss|austrian|brazilian|european"
)
#: "a Scottish accent", "American English", "British English accent": the voice's variety.
_ACCENT = re.compile(
    rf"\b(?P<a>{_ACCENT_NAMES})\s+(?:(?:english|spanish|french|portuguese|german)\s+)?accent\b"
    rf"|\b(?P<b>american|british|scottish|irish|australian|canadian|south\s+african)\s+english\b",
    re.I,
)


_LEVEL = re.compile(
    r"\b(?P<l>beginners?|novices?|intermediate|advanced|experts?|professionals?|"
    r"complete\s+beginners?|absolute\s+beginners?)\b",
    re.I,
)
_LEVEL_KEYS = {"novice": "beginner", "expert": "advanced", "professional": "advanced"}


def _read_levels(text: str) -> tuple[frozenset[str], bool]:
    """The skill levels a side names ("beginners only", "advanced conversation")."""
    levels = set()
    only = False
    for match in literals.finditer(_LEVEL, text):
        word = match.group("l").lower().split()[-1].rstrip("s")
        levels.add(_LEVEL_KEYS.get(word, word))
        if re.match(r"\s*(?:\w+\s+)?only\b", text[match.end() : match.end() + 20], re.I):
            only = True
    return frozenset(levels), only


_GENDER_ONLY = re.compile(
    r"\b(?:(?P<f>women|ladies|females?|girls)|(?P<m>men|males?|gentlemen|guys))"
    r"(?:\s+clients)?\s+only\b",
    re.I,
)
_FEMALE_WORDS = frozenset(
    ["female", "woman", "girl", "lady", "wife", "daughter", "girlfriend", "mother", "mum", "mom"]
)
_SELF_GENDER = re.compile(
    r"(?:^|[.!?\n]\s*)(?P<a>male|female|man|woman)\s*,?\s*\d{2}\b"
    r"|\b(?:i'?m|i\s+am)\s+(?:an?\s+)?(?:\d{2}[\s-]*(?:years?[\s-]*old\s+)?)?"
    r"(?P<b>male|female|man|woman|guy|girl|lady)\b"
    r"|\bfor\s+my\s+(?P<c>husband|wife|son|daughter|boyfriend|girlfriend|father|mother|dad|mum|mom)\b",
    re.I,
)


def _read_gender(text: str, offer: bool) -> tuple[str | None, str | None]:
    if offer:
        match = literals.search(_GENDER_ONLY, text)
        return (None if match is None else ("female" if match.group("f") else "male")), None
    match = literals.search(_SELF_GENDER, text)
    if match is None:
        return None, None
    word = (match.group("a") or match.group("b") or match.group("c")).lower()
    return None, "female" if word in _FEMALE_WORDS else "male"


#: Countries by the words people use for them; a gazetteer of countries only (no cities).
_COUNTRY_WORDS = {
    "uk": "uk", "u.k.": "uk", "united kingdom": "uk", "britain": "uk", "great britain": "uk",
    "england": "uk", "scotland": "uk", "wales": "uk", "northern ireland": "uk",
    "us": "us", "usa": "us", "u.s.": "us", "united states": "us", "america": "us",
    "ireland": "ireland", "france": "france", "germany": "germany", "spain": "spain",
    "portugal": "portugal", "italy": "italy", "netherlands": "netherlands",
    "holland": "netherlands", "belgium": "belgium", "austria": "austria",
    "switzerland": "switzerland", "poland": "poland", "czechia": "czechia",
    "czech republic": "czechia", "sweden": "sweden", "norway": "norway",
    "denmark": "denmark", "finland": "finland", "greece": "greece", "hungary": "hungary",
    "romania": "romania", "bulgaria": "bulgaria", "croatia": "croatia", "slovakia": "slovakia",
    "slovenia": "slovenia", "luxembourg": "luxembourg", "canada": "canada",
    "mexico": "mexico", "brazil": "brazil", "argentina": "argentina", "chile": "chile",
    "australia": "australia", "new zealand": "new zealand", "japan": "japan",
    "china": "china", "india": "india", "singapore": "singapore", "turkey": "turkey",
    "israel": "israel", "south africa": "south africa", "nigeria": "nigeria",
    "kenya": "kenya", "egypt": "egypt", "morocco": "morocco", "thailand": "thailand",
    "vietnam": "vietnam", "indonesia": "indonesia", "philippines": "philippines",
    "south korea": "south korea", "korea": "south korea", "ukraine": "ukraine",
    "estonia": "estonia", "latvia": "latvia", "lithuania": "lithuania", "iceland": "iceland",
}  # fmt: skip
_COUNTRY = re.compile(
    r"(?<![\w.])(?P<c>"
    + "|".join(re.escape(w) for w in sorted(_COUNTRY_WORDS, key=len, reverse=True))
    + r")(?![\w])",
    re.I,
)
#: Upper-case codes only: "us" and "uk" in lower case are words ("contact us").
_CODES = frozenset({"uk", "us", "usa", "u.k.", "u.s."})


def _read_countries(text: str) -> frozenset[str]:
    found = set()
    for match in literals.finditer(_COUNTRY, text):
        word = match.group("c")
        if word.lower() in _CODES and not word.isupper():
            continue
        if not word[:1].isupper():
            continue  # a name is capitalised; "turkey" sandwiches are not Turkey
        found.add(_COUNTRY_WORDS[word.lower()])
    return frozenset(found)


_ONLY_KIND = re.compile(
    r"\b(?P<a>[a-z]{3,})\s+(?P<n>[a-z]{3,}s)\s+only\b"
    # "puppies under 6 months only", "cars up to 3.5 t only": the kind is the noun
    r"|\b(?P<k>[a-z]{3,}s)\s+(?:under|over|below|above|up\s+to)\s+[^,.;!?]{1,20}?\s+only\b"
    # ", uprights only": a clause that is one plural noun and "only"
    r"|(?:^|[,;:(]|\s[-\u2013])\s*(?P<s>[a-z]{3,}s)\s+only\b"
)
#: Words before "... only" that other readers judge (times, levels, payment) or that are
#: not a kind ("and weekends only", "pet-free homes only").
_NOT_KINDS = frozenset(
    ["and", "or", "the", "for", "with", "free", "weekday", "weekend", "evening", "morning",
     "afternoon", "beginner", "advanced", "intermediate", "female", "male", "women", "men",
     "cash", "card", "manual", "automatic", "local", "new", "existing", "our", "your"]
)  # fmt: skip


#: Plural nouns before a bare "only" that other readers judge or that are no kind of thing.
_NOT_KIND_NOUNS = frozenset(
    ["adults", "weekends", "weekdays", "evenings", "mornings", "afternoons", "nights",
     "beginners", "women", "mens", "womens", "ladies", "girls", "boys", "cards", "payments",
     "transfers", "bookings", "enquiries", "inquiries", "messages", "calls", "appointments",
     "reservations", "pickups", "collections", "deliveries", "visits", "requests", "emails",
     "texts", "referrals", "weeks", "months", "years", "hours", "minutes", "days"]
)  # fmt: skip


def _read_only_kinds(text: str) -> tuple[tuple[str, Span], ...]:
    found = []
    for match in literals.finditer(_ONLY_KIND, text):
        adjective = match.group("a") or match.group("k") or match.group("s")
        if adjective in _NOT_KINDS or adjective in LANGUAGES or adjective.endswith("day"):
            continue
        if match.group("s") and (
            adjective in _NOT_KIND_NOUNS or adjective.endswith(("days", "ends", "ings", "ours"))
        ):
            continue
        found.append((adjective, Span(match.start(), match.end(), match.group(0))))
    return tuple(found[:5])


def _read_accents(text: str) -> frozenset[str]:
    return frozenset(
        re.sub(r"\s+", " ", (m.group("a") or m.group("b")).lower())
        for m in literals.finditer(_ACCENT, text)
    )


# --- requirements ---------------------------------------------------------------------

_MUST = re.compile(
    r"\b(?:must|has\s+to|have\s+to|required|requirement|mandatory|non-negotiable|"
    r"essential|need\s+to\s+be)\b",
    re.I,
)
_UNDERSTOOD = re.compile(
    r"\b(?:deliver(?:ed)?|finished|done|ready|complete[d]?|live|budget|price|pay|NLC|"
    r"cost|within|by|before|remote|on-?site|in[- ]person|NDA|open[- ]source|full[- ]time|"
    r"part[- ]time|CE|marked|certified|over\s+\d+|years?\s+old|cannot\s+go|speak)\b",
    re.I,
)


def _read_requirements(text: str) -> tuple[Span, ...]:
    """Sentences that state a requirement none of the readers above understands."""
    found = []
    # Sentence by sentence: one pattern over the whole text would rescan it per start.
    for match in re.finditer(r"[^.;!?\n]{1,400}", text):
        sentence = match.group(0)
        if not _MUST.search(sentence) or _UNDERSTOOD.search(sentence):
            continue
        stripped = sentence.strip()
        start = match.start() + (len(sentence) - len(sentence.lstrip()))
        found.append(Span(start, start + len(stripped), stripped[:200]))
        if len(found) >= 5:
            break
    return tuple(found)


_EXTRA_AFTER = re.compile(
    # "£20 per page beyond that", "then 40 per hour thereafter": past what a package includes
    r"^[^.;,\n]{0,20}\b(?:extra|additional|surcharge|supplement|beyond|thereafter|"
    r"above\s+(?:that|this|it))\b",
    re.I,
)


#: The decimal mark of cents ("€0.80", "€0,50"), never a thousands mark ("$2,950").
_DECIMAL = re.compile(r"(?<=\d)[.,](?=\d{1,2}(?!\d))")

#: "Extra hours €150 each", "additional cups: $2.50 each": the unit beyond an included
#: amount named right before its rate.
_EXTRA_UNIT_BEFORE = re.compile(
    r"\b(?:extra|additional|further)\s+(?P<u>[a-z]+)\s*(?::|=|-|at|are|cost)?\s*$", re.I
)
#: Most characters before a rate that may name its unit as extra.
_EXTRA_REACH = 30


def _extra_unit_before(text: str, m: Money) -> bool:
    """A rate whose unit is named as extra right before it ("Extra hours €150 each")."""
    if m.per is None:
        return False
    before = _EXTRA_UNIT_BEFORE.search(text[max(0, m.span.start - _EXTRA_REACH) : m.span.start])
    return before is not None and canonical_unit(before.group("u")) == m.per


#: "each additional page €300", "for every extra guest: 15 €": an amount with no unit of
#: its own, for each unit beyond what the price includes, named right before it.
_EACH_EXTRA_BEFORE = re.compile(
    r"\b(?:each|every|per|for\s+each|for\s+every)\s+(?:extra|additional|further)\s+"
    r"(?P<u>[a-z]+)\s*(?::|=|-|at|is|costs?)?\s*$",
    re.I,
)


def _each_extra_unit(text: str, m: Money) -> str | None:
    """The unit of an amount written after "each additional <unit>", or None."""
    if m.per is not None:
        return None
    before = _EACH_EXTRA_BEFORE.search(text[max(0, m.span.start - _EXTRA_REACH) : m.span.start])
    return None if before is None else canonical_unit(before.group("u"))


#: "... up to 100 transactions, then £0.90 per transaction": a rate after "then" for the
#: same unit as the amount the clause includes, so one for each unit beyond it.
_INCLUDED_THEN = re.compile(
    r"\b(?:up\s+to|first|includ(?:es|ing|ed)|covers?)\s+\d[\d,.]*\s*(?P<u>[a-z]+)"
    r"[^.;\n\d]{0,20}\bthen\s*$",
    re.I,
)


def _then_beyond(text: str, m: Money) -> bool:
    """A rate after "then" for each unit past an amount the clause includes (a travel
    rate past the miles included is priced as travel, by the distance the seek states)."""
    if m.per is None or m.per in _DISTANCE_UNITS:
        return False
    before = _INCLUDED_THEN.search(text[max(0, m.span.start - 60) : m.span.start])
    return before is not None and canonical_unit(before.group("u")) == m.per


#: The units of a travel rate.
_DISTANCE_UNITS = frozenset({"km", "mile", "mi"})


def _price_kept(found: list[Money]) -> list[Money]:
    """ "€3.750 fixed + travel €0,50/km beyond the ring": when every amount is a fee or
    an extra, a travel rate among the extras is priced as the rate the fee comes on top
    of (rate x distance + fee), as it was before the decimal mark let "beyond" reach it."""
    if not found or any(not m.fee and not m.extra for m in found):
        return found
    return [replace(m, extra=False) if m.extra and m.per in _DISTANCE_UNITS else m for m in found]


def _mark_extras(text: str, found: list[Money]) -> list[Money]:
    """Amounts added on top of the price: a "+" before them, "extra" just after, or a
    rate for the extra units it names right before."""
    marked = []
    for m in found:
        plus = text[max(0, m.span.start - 2) : m.span.start].strip().endswith("+")
        # "90 GBP call-out + 50 GBP/hour": a rate after a "+" is the price itself, unless
        # a rate by the same unit comes before it ("€220/day; skipper +€150/day").
        plus = plus and (
            m.per is None
            or any(f.per == m.per and f.span.end <= m.span.start for f in found if f is not m)
        )
        extra = (
            not m.fee
            and (
                plus
                # the decimal mark of "€0.80 per extra minute" ends no clause
                or bool(_EXTRA_AFTER.match(_DECIMAL.sub("0", text[m.span.start : m.span.end + 20])))
                # "CHF 40 for each page beyond that": the words past a long rate's unit
                or (
                    m.per is not None
                    and bool(_EXTRA_AFTER.match(text[m.span.end : m.span.end + 20]))
                )
                or _extra_unit_before(text, m)
                or _then_beyond(text, m)
            )
        )
        unit = None if m.fee else _each_extra_unit(text, m)
        if unit is not None:
            marked.append(replace(m, per=unit, extra=True))
            continue
        marked.append(replace(m, extra=True) if extra else m)
    return marked


_CLOCK = r"(?:(?P<{n}>\d{{1,2}})(?::(?P<{n}m>[0-5]\d))?\s*(?P<{n}p>am|pm)?|(?P<{n}w>noon|midnight))"
_CLOCK_RANGE = re.compile(
    r"\b(?:from\s+)?"
    + _CLOCK.format(n="a")
    + r"\s*(?:-|\u2013|to|till|until)\s*"
    + _CLOCK.format(n="b")
    + r"(?![\w:])",
    re.I,
)


def _clock_time(match: re.Match[str], n: str, pm: bool) -> float | None:
    word = match.group(f"{n}w")
    if word:
        return 12.0 if word.lower() == "noon" else 24.0
    hour = int(match.group(n))
    minutes = int(match.group(f"{n}m") or 0) / 60  # "12:30", "13:45": never dropped
    if hour > 12:
        return hour + minutes if hour + minutes <= 24 else None
    half = (match.group(f"{n}p") or "").lower()
    if hour == 12:
        return (0.0 if half == "am" else 12.0) + minutes  # 12pm is noon, 12am midnight
    if half == "pm" or (not half and pm):
        hour += 12
    return hour + minutes


def _clock_hours(text: str) -> list[Quantity]:
    """A seek's "Saturday 7pm to midnight", "6-10pm": the hours it needs (am/pm stated
    on at least one end, or a word for the end, so "4-6" people is never a time)."""
    found = []
    for match in literals.finditer(_CLOCK_RANGE, text):
        # "9:00 to 12:30", "14:00-18:00": minutes on both ends are a clock, not a count
        both_minutes = bool(match.group("am") and match.group("bm"))
        if not (
            match.group("ap")
            or match.group("bp")
            or match.group("aw")
            or match.group("bw")
            or both_minutes
        ):
            continue
        pm = (match.group("bp") or "").lower() == "pm"
        start, end = _clock_time(match, "a", pm), _clock_time(match, "b", False)
        if start is None or end is None:
            continue
        if (match.group("aw") or "").lower() == "noon" and not match.group("bp") and end < 12:
            end += 12  # "noon to 2:00" is two hours, not fourteen
        twelve = not match.group("aw") and int(match.group("a")) <= 12
        if not (match.group("ap") or match.group("bp")) and end <= start and twelve:
            # "12:30-2:00" with no am/pm is an afternoon on a 12-hour clock or a night on
            # a 24-hour one: which, the text does not say, so no hours are counted
            continue
        hours = end - start if end > start else end + 24 - start
        if 0 < hours <= 16:
            span = Span(match.start(), match.end(), match.group(0))
            found.append(Quantity(round(hours, 2), "hour", "about", span))
    return found[:1]


#: "until midnight", "no later than 11pm", "finishes by 1am", "till 02:00", "before 8am":
#: a latest end.
_CLOCK_UNTIL = re.compile(
    r"\b(?:until|till|til|before|no\s+later\s+than|not\s+(?:past|after)|finish(?:ing|es)?\s+(?:by|at)|"
    r"ends?\s+(?:by|at)|runs?\s+(?:until|till|to))\s+" + _CLOCK.format(n="b") + r"(?![\w:])",
    re.I,
)
#: "from 9am", "not before 8am", "starting at 7pm", "after 18:00": an earliest start.
_CLOCK_FROM = re.compile(
    r"\b(?:from|after|not\s+before|starting\s+(?:at|from)|starts?\s+at|no\s+earlier\s+than)\s+"
    + _CLOCK.format(n="a")
    + r"(?![\w:])",
    re.I,
)


#: A seek's point in time: "a walk at 7pm", "pick-up at 06:30".
#: A seek's "It's 1am" or "it is now 23:30" is the time it needs the work, as it asks now.
_CLOCK_AT = re.compile(
    r"\b(?:at|it(?:'|\u2019)s(?:\s+now)?|it\s+is(?:\s+now)?|now)\s+"
    + _CLOCK.format(n="a")
    + r"(?![\w:])",
    re.I,
)


def _evening_scale(value: float, stated: bool) -> float:
    """Small hours after midnight count as the same evening's ("2am" is 26)."""
    return value + 24 if value < 6 and stated else value


def _clock_bounds(
    text: str, offer: bool
) -> tuple[tuple[float, Span] | None, tuple[float, Span] | None]:
    """The earliest start and latest end of a day's work a text states, in hours; a time
    needs am/pm, "h:mm", noon or midnight, so "until 5" (people, items) is none."""
    start: tuple[float, Span] | None = None
    end: tuple[float, Span] | None = None

    def clear(match: re.Match[str], n: str) -> bool:
        return bool(match.group(f"{n}p") or match.group(f"{n}w") or match.group(f"{n}m"))

    for match in literals.finditer(_CLOCK_RANGE, text):
        if not (clear(match, "a") or clear(match, "b")):
            continue
        pm = (match.group("bp") or "").lower() == "pm"
        a, b = _clock_time(match, "a", pm), _clock_time(match, "b", False)
        if a is None or b is None:
            continue
        span = Span(match.start(), match.end(), match.group(0))
        b = b + 24 if b <= a else b
        start = start or (a, span)
        end = end or (b, span)
    for match in literals.finditer(_CLOCK_UNTIL, text):
        b = _clock_time(match, "b", False) if clear(match, "b") else None
        if b is not None and end is None:
            end = (_evening_scale(b, True), Span(match.start(), match.end(), match.group(0)))
    for match in literals.finditer(_CLOCK_FROM, text):
        a = _clock_time(match, "a", False) if clear(match, "a") else None
        if a is not None and start is None:
            start = (a, Span(match.start(), match.end(), match.group(0)))
    if not offer and start is None and end is None:
        for match in literals.finditer(_CLOCK_AT, text):
            a = _clock_time(match, "a", False) if clear(match, "a") else None
            if a is not None:
                span = Span(match.start(), match.end(), match.group(0))
                return (a, span), (_evening_scale(a, a < 6), span)
    return start, end


# --- floors and storeys -----------------------------------------------------------------

_ORDINAL_WORDS = {
    "ground": 0, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_ORD = r"(?P<o>ground|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th))"
_STOREY_N = r"(?P<n>one|two|three|four|five|six|seven|eight|nine|ten|single|\d{1,2})"
_STOREY = r"stor(?:e)?y(?:s|ies)?|floors?|levels?"
#: "never above the third floor", "not higher than the 4th floor", "up to the 2nd floor",
#: "ground floor only", "max 3 storeys", "nothing over two storeys".
_FLOOR_LIMIT = re.compile(
    rf"\b(?:(?:never|not|no|nothing|don't|do\s+not|won't)\s+(?:[a-z']+\s+){{0,3}}?"
    rf"(?:above|higher\s+than|beyond|over)|up\s+to(?:\s+and\s+including)?|max(?:imum)?\.?)"
    rf"\s+(?:the\s+)?(?:{_ORD}[- ]floor\b|{_STOREY_N}[- ](?:{_STOREY})\b)"
    rf"|\b{_ORD.replace('?P<o>', '?P<g>')}[- ]floors?\s+only\b"
    # "single-storey homes only", "two-storey houses only": the height it works up to
    rf"|\b{_STOREY_N.replace('?P<n>', '?P<m>')}[- ]stor(?:e)?y\s+(?:(?:homes?|houses?|"
    r"buildings?|properties|dwellings?|bungalows?)\s+)?only\b",
    re.I,
)
_WITHOUT_LIFT = re.compile(r"[^.;\n]{0,12}?\bwithout\s+(?:an?\s+)?(?:lift|elevator)\b", re.I)
#: A seek's floor or building height: "my 6th floor flat", "on the sixth floor",
#: "a three-storey house", "2-storey building".
_FLOOR_STATED = re.compile(rf"\b{_ORD}[- ]floor\b|\b{_STOREY_N}[- ]stor(?:e)?y\b", re.I)
_LIFT = re.compile(r"(?<!no )(?<!without )(?<!without a )\b(?:lift|elevator)\b", re.I)


def _floor_number(match: re.Match[str], group: str) -> int | None:
    raw = match.group(group)
    if raw is None:
        return None
    raw = raw.lower()
    if raw in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[raw]
    if raw == "single":
        return 1
    digits = re.match(r"\d+", raw)
    return int(digits.group(0)) if digits else _WORD_NUMBERS.get(raw)


def _read_floor_limit(text: str) -> tuple[tuple[int, str, Span] | None, bool]:
    """The highest floor or storey an offer works at, and whether only without a lift."""
    for match in literals.finditer(_FLOOR_LIMIT, text):
        tail = _WITHOUT_LIFT.match(text, match.end())
        lift = bool(tail)
        end = tail.end() if tail else match.end()
        span = Span(match.start(), end, text[match.start() : end])
        for group, kind in (("o", "floor"), ("g", "floor"), ("n", "storey"), ("m", "storey")):
            value = _floor_number(match, group)
            if value is not None:
                # "max 3 floors" counts floors as storeys are counted: the building's height
                return (value, kind, span), lift
    return None, False


def _read_floor(text: str) -> tuple[int, str, Span] | None:
    """The floor a seek's job is on, or its building's storeys (the higher if several)."""
    best: tuple[int, str, Span] | None = None
    for match in literals.finditer(_FLOOR_STATED, text):
        span = Span(match.start(), match.end(), match.group(0))
        floor = _floor_number(match, "o")
        reading = (floor, "floor", span) if floor is not None else None
        storeys = _floor_number(match, "n")
        if storeys is not None:
            reading = (storeys, "storey", span)
        if reading is not None and (best is None or reading[0] > best[0]):
            best = reading
    return best


_COUNTED = re.compile(
    rf"(?:{_NUM}|\b(?:{_COUNT_WORDS}|sixty|several|many|multiple|some|few)\b)\s*-?\s*"
    r"(?P<u>[A-Za-z][A-Za-z-]*)",
    re.I,
)
_PLURAL = re.compile(r"\b[A-Za-z][A-Za-z-]{2,}(?:ies|[^s]s)\b")


def _read_counted(text: str) -> frozenset[str]:
    """The units a text counts or names in the plural (canonical, as prices name them)."""
    found = {canonical_unit(m.group("u")) for m in literals.finditer(_COUNTED, text)}
    found |= {canonical_unit(m.group(0)) for m in literals.finditer(_PLURAL, text)}
    return frozenset(found)


_MONTH_G = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")"
#: A stay or hire between two dates: "from 3 to 7 June", "3-7 June", "28 June - 2 July",
#: "June 3 to June 7", "from the 3rd until the 7th of June".
_DATE_RANGE = re.compile(
    rf"\b(?:from\s+)?(?:the\s+)?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(?:of\s+)?(?P<m1>{_MONTH_G})\b\.?)?"
    rf"\s*(?:-|\u2013|to|until|till|through|thru)\s*(?:the\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH_G})\b"
    rf"|\b(?:from\s+)?(?P<m3>{_MONTH_G})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|\u2013|to|until|till|through|thru)\s*"
    rf"(?:(?P<m4>{_MONTH_G})\.?\s+)?(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:{_UNIT_RE}|%|:))",
    re.I,
)


def _stay_between(text: str, reference: dt.date | None) -> list[Quantity]:
    """The nights (and, counting both ends, the days) between two dates a seek names:
    "from 3 to 7 June" is 4 nights or 5 days (the higher reading, so a price per day is
    never under the ask)."""
    found = []
    year = reference.year if reference else 2027
    for match in literals.finditer(_DATE_RANGE, text):
        d1, d2 = match.group("d1") or match.group("d3"), match.group("d2") or match.group("d4")
        m2 = match.group("m2") or match.group("m4") or match.group("m3")
        m1 = match.group("m1") or match.group("m3") or m2
        try:
            start = dt.date(year, _MONTHS[m1.lower()], int(d1))
            end = dt.date(year, _MONTHS[m2.lower()], int(d2))
        except (ValueError, KeyError):
            continue
        if end <= start:
            try:
                end = end.replace(year=year + 1)  # "28 December to 2 January"
            except ValueError:
                continue
        nights = (end - start).days
        if not 1 <= nights <= 366:
            continue
        span = Span(match.start(), match.end(), match.group(0))
        found.append(Quantity(float(nights), "night", "about", span))
        found.append(Quantity(float(nights + 1), "day", "about", span))
    return found


_TIMES = {"once": 1, "twice": 2, "thrice": 3}
_RECUR_TIMES = re.compile(
    r"\b(?P<k>once|twice|thrice|\d{1,2}|one|two|three|four|five|six|seven)(?:\s*x\b|\s+times?)?\s+"
    r"(?:a|per|each|every)\s+(?P<p>day|week|fortnight|month|year)\b",
    re.I,
)
_RECUR_WORD = re.compile(
    r"\b(?P<w>daily|weekly|fortnightly|bi-?weekly|monthly|every\s+(?:single\s+)?(?:day|week|"
    r"fortnight|month|other\s+week|two\s+weeks)|each\s+(?:day|week|month)|every\s+\w+day)\b",
    re.I,
)
_RECUR_VAGUE = re.compile(
    r"\b(?:whenever|as\s+needed|as\s+and\s+when|on\s+call|ongoing|regular(?:ly)?|recurring|"
    r"on\s+a\s+rolling\s+basis)\b",
    re.I,
)
_RECUR_PERIOD = {
    "daily": "day", "weekly": "week", "fortnightly": "fortnight", "biweekly": "fortnight",
    "bi-weekly": "fortnight", "monthly": "month",
}  # fmt: skip


_ADDON_WORDS = (
    r"(?P<w>vat|tax(?:es)?|gst|hst|mwst|ust|btw|tva|iva|materials?|parts|travel(?:\s+costs?)?|fuel|"
    r"petrol|mileage|expenses|supplies|consumables|shipping|postage|p&p)"
)
_ADDON_BEFORE = re.compile(
    rf"(?:\+|\bplus|\bexcl(?:\.|uding|usive\s+of)?|\bex\.?|\bnot\s+including|\bwithout|"
    # "zzgl. 19 % USt", "plus 20% VAT": a rate of tax between the word and the tax
    rf"\bzzgl\.?|\bzuz[uü]glich)\s*(?:\d{{1,2}}(?:[.,]\d{{1,2}})?\s*%\s*)?{_ADDON_WORDS}\b",
    re.I,
)
_ADDON_AFTER = re.compile(
    rf"\b{_ADDON_WORDS}\s+(?:costs?\s+)?(?:is\s+|are\s+)?(?:extra|additional|on\s+top|not\s+incl(?:\.|uded)?|"
    r"excluded|charged\s+separately|billed\s+separately)\b",
    re.I,
)


def _mark_addon_fees(text: str, money: list[Money]) -> list[Money]:
    """ "90 EUR plus travel 20 EUR": the amount after an add-on word is a fee on top."""
    starts = [m.end() for m in literals.finditer(_ADDON_BEFORE, text)]
    if not starts:
        return money
    return [
        replace(m, fee=True)
        if m.per is None and any(end <= m.span.start <= end + 12 for end in starts)
        else m
        for m in money
    ]


def _read_addons(text: str, money: list[Money]) -> tuple[tuple[str, Span], ...]:
    """Costs a party puts on top without an amount ("+ VAT", "fuel not included"); one
    with an amount ("plus travel 20 EUR") is a fee the money reading marks instead."""
    found = []
    for pattern in (_ADDON_BEFORE, _ADDON_AFTER):
        for match in literals.finditer(pattern, text):
            if any(match.end() <= m.span.start <= match.end() + 12 for m in money):
                continue
            word = match.group("w").lower().split()[0]
            word = {"taxes": "tax", "material": "materials", "petrol": "fuel"}.get(word, word)
            if word in ("gst", "hst", "mwst", "ust", "btw", "tva", "iva"):
                word = "vat"
            found.append((word, Span(match.start(), match.end(), match.group(0))))
    return tuple(found[:6])


_PER_OCCASION = re.compile(
    r"\b(?:each|every|per|a)\s+(?:time|visit|session|occasion|clean)\b", re.I
)


def _sentence_of(text: str, span: Span) -> tuple[int, int]:
    start = max(text.rfind(c, 0, span.start) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, span.end) for c in ".!?\n") if i >= 0]
    return start, min(ends) if ends else len(text)


#: Things built once that carry a cadence ("a weekly dashboard", "our monthly report"):
#: an adjective of frequency before them says nothing about how often the work is done.
_CADENCED_THINGS = re.compile(
    r"\s+(?:[a-z-]+\s+){0,2}?(?:dashboards?|reports?|reporting|newsletters?|digests?|summar(?:y|ies)|"
    r"updates?|backups?|exports?|invoices?|statements?|podcasts?|videos?|blogs?|posts?|"
    r"columns?|menus?|schedules?|plans?|timetables?|rota|payroll|charts?|emails?|reminders?)\b",
    re.I,
)


def _recurs_the_work(text: str, match: re.Match[str]) -> bool:
    """ "weekly cleaning", "walks daily": the work repeats; "a weekly dashboard", "our
    monthly report" is a thing's cadence, built once (precision first: anything else
    recurs)."""
    word = match.group("w").lower()
    if not re.fullmatch(r"daily|weekly|fortnightly|bi-?weekly|monthly", word):
        return True  # "every week", "each month", "every Monday" say how often it is done
    return not _CADENCED_THINGS.match(text, match.end())


def _read_recurrence(text: str) -> tuple[float | None, str | None, Span] | None:
    """How often a seek's request recurs: "twice a week" (2, week), "weekly" (1, week),
    "every Monday" (1, week), "whenever it snows" (None, None)."""
    match = literals.search(_RECUR_TIMES, text)
    if match:
        raw = match.group("k").lower()
        k = _TIMES.get(raw) or _num_value(raw)
        span = Span(match.start(), match.end(), match.group(0))
        return (float(k) if k else None), canonical_unit(match.group("p")), span
    match = next(
        (m for m in literals.finditer(_RECUR_WORD, text) if _recurs_the_work(text, m)), None
    )
    if match:
        word = re.sub(r"\s+", " ", match.group("w").lower())
        span = Span(match.start(), match.end(), match.group(0))
        if word in _RECUR_PERIOD:
            return 1.0, _RECUR_PERIOD[word], span
        if word.endswith(("other week", "two weeks")):
            return 1.0, "fortnight", span
        last = word.rsplit(" ", 1)[-1]
        return (
            1.0,
            ("week" if last.endswith("day") and last != "day" else canonical_unit(last)),
            span,
        )
    match = literals.search(_RECUR_VAGUE, text)
    if match:
        return None, None, Span(match.start(), match.end(), match.group(0))
    return None


#: "2 of them", "three of those": part of a count stated before it.
_SUBSET = re.compile(rf"\b(?P<n>{_SMALL})\s+of\s+(?:them|those|these)\b", re.I)
#: Most words after "2 of them" read as what is done to that part.
_SUBSET_WORDS = 8


def _subset_counts(text: str, found: list[Quantity]) -> list[Quantity]:
    """Parts of a count the seek states before ("5 pairs of trousers hemmed and 2 of them
    also taken in at the waist"): that many of the same unit, with the words after it
    (to the clause's end) as what is done to them."""
    parts = []
    for match in _SUBSET.finditer(text):
        value = _count(match.group("n"))
        before = [q for q in found if q.span.end <= match.start() and q.unit not in TIME_DAYS]
        if value < 1 or not before:
            continue
        whole = max(before, key=lambda q: q.span.end)
        if whole.bound != "about" or value >= whole.value:
            continue
        clause = re.split(r"[,;.!?\n]", text[match.end() : match.end() + 120])[0]
        words = re.findall(r"[a-z]+", clause.lower())[:_SUBSET_WORDS]
        span = Span(match.start(), match.end(), match.group(0))
        tail = frozenset(rough_stem(w) for w in words)
        parts.append(Quantity(value, whole.unit, "about", span, tail=tail))
    return parts


#: The words between a count of packs and the count in each: "10 boxes of 6 bottles",
#: "10 cartons de 6 bouteilles", "3 Kisten mit 12 Flaschen", "4 packs x 25".
_PACK_JOIN = re.compile(r"\s*(?:of|de|d'|à|mit|con|x|\u00d7)\s*", re.I)


def _pack_counts(text: str, found: list[Quantity]) -> list[Quantity]:
    """A seek's count of packs of a count ("10 cartons de 6 bouteilles") is that many of
    the inner unit: 60 bottles, not 6 (issue 16: a proposal priced one carton of ten).
    A time or a specification is no pack ("2 weeks of 5 sessions" stays; "2 servers of
    16 GB" is no 32 GB)."""
    out = list(found)
    ordered = sorted(found, key=lambda q: q.span.start)
    for outer, inner in itertools.pairwise(ordered):
        if outer.bound != "about" or inner.bound != "about" or outer.value < 1:
            continue
        if outer.unit in TIME_DAYS or inner.unit in TIME_DAYS or inner.unit in SPEC_UNITS:
            continue
        if outer.unit in SPEC_UNITS or outer.unit == inner.unit:
            continue
        if not _PACK_JOIN.fullmatch(text[outer.span.end : inner.span.start]):
            continue
        span = Span(outer.span.start, inner.span.end, text[outer.span.start : inner.span.end])
        out[out.index(inner)] = replace(inner, value=outer.value * inner.value, span=span)
    return out


def _read_rands(text: str, offer: bool) -> list[Money]:
    """:func:`_read_money`, with rand written "R350" read as ZAR: each such R stands in
    as "$" (one character, so every span stays the text's own), and the amounts it
    begins are then rand, not dollars."""
    marks = rand_marks(text)
    if not marks:
        return _read_money(text, offer)
    chars = list(text)
    for at, _ in marks:
        chars[at] = "$"
    starts = {at for at, _ in marks}
    return [
        replace(
            m,
            currency="ZAR" if m.span.start in starts else m.currency,
            span=Span(m.span.start, m.span.end, text[m.span.start : m.span.end]),
        )
        if any(m.span.start <= at < m.span.end for at in starts)
        else m
        for m in _read_money("".join(chars), offer)
    ]


def read_facts(text: str, *, offer: bool, reference: dt.date | None = None) -> Facts:
    """Everything this module reads from one intent's prose (already folded)."""
    text = fold(text)[:20_000]
    money = _price_kept(_mark_addon_fees(text, _mark_extras(text, _read_rands(text, offer))))
    quantities = _read_quantities(text, money)
    # "4 GB RAM, 80 GB SSD": what a specification measures is the word after it.
    quantities = [
        replace(
            q,
            tail=frozenset(
                rough_stem(w)
                for w in re.findall(
                    r"[a-z]+", re.split(r"[,;.\n]", text[q.span.end : q.span.end + 24])[0].lower()
                )[:2]
            ),
        )
        if q.unit in SPEC_UNITS and not q.tail
        else q
        for q in quantities
    ]
    if not offer:
        quantities = _pack_counts(text, quantities)
        quantities += _subset_counts(text, quantities)
    if not offer and not any(q.unit == "hour" for q in quantities):
        quantities += _clock_hours(text)
    if not offer and not any(q.unit in ("night", "day") for q in quantities):
        quantities += _stay_between(text, reference)
    places, restricted = _read_places(text)
    onsite = bool(literals.search(_ONSITE, text))
    if onsite and not places:
        places = _clause_places(text)
        restricted = restricted or bool(places)
    pairs, named, required, only = _read_languages(text)
    targets, sources = _read_direction(text) if not pairs else (frozenset(), frozenset())
    slots, strict = _read_slots(text)
    event, start = _read_dates(text, reference)
    if event is None and not offer:
        event = _this_weekday(text, reference)
    advance = literals.search(_ADVANCE, text) or (
        literals.search(_ADVANCE_ASKED, text) if offer else None
    )
    after = literals.search(_AFTER, text)
    instalments = literals.search(_INSTALMENTS, text)
    in_full = literals.search(_IN_FULL_FIRST, text)
    exclusions, positives = _read_exclusions(text)
    certs, certs_required, certs_denied = _read_certifications(text)
    travel = literals.search(_TRAVEL, text)
    travel_km = None
    if travel:
        value = token_numbers(travel.group("n"))
        if value:
            factor = 1.609 if travel.group("u").lower().startswith("mi") else 1.0
            travel_km = value[0].value * factor
    min_age = literals.search(_MIN_AGE, text)
    age = literals.search(_AGE, text)
    levels, levels_only = _read_levels(text)
    max_age = literals.search(_MAX_AGE, text)
    excluded = _read_excluded_places(text)
    gender_only, gender = _read_gender(text, offer)
    grade_range, grade = _read_grades(text, offer)
    floor_max, floor_lift = _read_floor_limit(text) if offer else (None, False)
    recurrence = None if offer else _read_recurrence(text)
    clock_from, clock_until = _clock_bounds(text, offer)
    if floor_max is not None:
        # "never above the third floor" limits where, it excludes nothing; in "... without
        # a lift" the lift is the limit's condition, not a thing excluded.
        lo, hi = floor_max[2].start, floor_max[2].end
        exclusions = tuple(e for e in exclusions if not lo <= e[1].start < hi)
    return Facts(
        money=tuple(money),
        quantities=tuple(quantities),
        places=places,
        place_restricted=restricted,
        onsite=onsite,
        remote=bool(literals.search(_REMOTE, text)),
        ships=bool(literals.search(_SHIPS, text)),
        travel_km=travel_km,
        language_pairs=pairs,
        languages=named,
        languages_required=required,
        languages_only=only,
        language_targets=targets,
        language_sources=sources,
        slots=slots,
        slots_strict=strict,
        days=_read_days(text),
        event_date=event,
        start_date=start,
        throughput=_read_throughput(text),
        first_discount=_read_first_discount(text) if offer else None,
        payment_advance=Span(advance.start(), advance.end(), advance.group(0)) if advance else None,
        payment_after=Span(after.start(), after.end(), after.group(0)) if after else None,
        payment_instalments=Span(instalments.start(), instalments.end(), instalments.group(0))
        if instalments
        else None,
        payment_in_full_first=Span(in_full.start(), in_full.end(), in_full.group(0))
        if in_full
        else None,
        exclusions=exclusions,
        positives=positives,
        certifications=certs,
        certifications_required=certs_required,
        certifications_denied=certs_denied,
        min_age=(
            _min_age(min_age) if min_age else (18 if literals.search(_ADULTS_ONLY, text) else None)
        )
        if offer
        else None,
        age=_age(age) if age and not offer else None,
        child=bool(literals.search(_CHILD, text)) and not offer,
        max_age=_max_age(max_age) if max_age and offer else None,
        until_date=_read_until(text, reference) if offer else None,
        places_excluded=excluded,
        places_confined=_read_confined(text),
        accents=_read_accents(text),
        levels=levels,
        levels_only=levels_only,
        gender_only=gender_only,
        gender=gender,
        countries=_read_countries(text),
        only_kinds=_read_only_kinds(text) if offer else (),
        grade_range=grade_range,
        grade=grade,
        requirements=_read_requirements(text) if not offer else (),
        injection=bool(detect_injection(text)),
        floor_max=floor_max,
        floor_max_lift=floor_lift,
        floor=None if offer else _read_floor(text),
        lift=bool(literals.search(_LIFT, text)) and not offer,
        counted=frozenset() if offer else _read_counted(text),
        recurrence=recurrence,
        recurrence_sentence=_sentence_of(text, recurrence[2]) if recurrence else (0, 0),
        per_occasion=bool(literals.search(_PER_OCCASION, text)) and not offer,
        each_starts=frozenset()
        if offer
        else frozenset(
            q.span.start
            for q in quantities
            if re.match(
                r"\s*,?\s*each\b(?!\s+(?:of|other))", text[q.span.end : q.span.end + 12], re.I
            )
        ),
        addons=_read_addons(text, money),
        clock_from=clock_from,
        clock_until=clock_until,
    )


def number_spans(text: str) -> list[Number]:
    """The numbers :func:`read_facts` sees (for tests and the reasoning)."""
    return find_numbers(fold(text))


# --- the whole intent: timeline, service, conditions -----------------------------------
# One reader for both negotiation paths: the offline negotiator and the constraint check
# of an LLM's terms read the same :class:`StatedTerms`, whose prices and quantities are
# the :class:`Facts` readings above (there is no second price or number parser).

#: Counts of time units in words ("within a fortnight", "in two weeks", "forty-five days").
_COUNT_WORDS_TIME = [
    "a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "eighteen", "twenty",
    "thirty", "forty", "fifty", "sixty", "ninety", "hundred", "twenty-one", "forty-five",
]  # fmt: skip
_COUNT = r"(\d{1,6}|" + "|".join(sorted(_COUNT_WORDS_TIME, key=len, reverse=True)) + r")"
#: The chain's own currency words: a service phrase is cut before "for 500 NLC".
_NLC_WORD = r"(?:NLC|nlc|tokens?|credits?)"


def _count(word: str) -> float:
    if word.isdigit():
        return float(word)
    if word.lower() in ("a", "an"):
        return 1.0  # "within a fortnight"
    value = words_value(word)
    return 0.0 if value is None else value


_UNIT_DAYS = {
    "day": 1, "business day": 1.4, "working day": 1.4, "calendar day": 1, "week": 7, "fortnight": 14,
    "month": 30, "year": 365, "hour": 1 / 24, "h": 1 / 24,
    # French: "6 semaines", "10 jours", "2 mois" (a unit's trailing "s" is cut: "moi")
    "semaine": 7, "jour": 1, "moi": 30,
}  # fmt: skip
_UNIT = (
    r"(business days?|working days?|calendar days?|days?|weeks?|fortnights?|months?|years?|"
    r"semaines?|jours?|mois)"
)
_ABS_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    # "12. September 2026": German writes the day with a full stop (not the month's end)
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+|{DAY_MONTH_JOIN})?(?P<m2>{_MONTH}),?\s+(?:de\s+)?(?P<y2>\d{{4}})"
    rf"|(?P<y3>\d{{4}})-(?P<mo3>\d{{2}})-(?P<d3>\d{{2}})"
    rf"|(?:end of\s+|the end of\s+)?(?P<m4>{_MONTH})\s+(?P<y4>\d{{4}}))\b",
    re.I,
)
_DEADLINE_CUE = re.compile(
    r"(?:\bby|\bbefore|no later than|deadline(?: is|:)?|due(?: date)?(?: is|:)?|"
    rf"delivered by|until|latest|{BY_CUES}|{BEFORE_CUES})\s*(?:on\s+)?(?:the\s+)?$",
    re.I,
)
#: A deadline cue that excludes its day ("before 15 March", "prior to the 3rd").
_EXCLUSIVE_CUE = re.compile(
    rf"(?:\bbefore|\bprior\s+to|\bearlier\s+than|(?<!\w)(?:{BEFORE_CUES}))\s*(?:on\s+)?(?:the\s+)?$",
    re.I,
)
_START_CUE = re.compile(r"(?:start(?:ing)?|begin(?:ning)?|from|kick[- ]?off)\b[^.]{0,20}$", re.I)
#: "within 3 weeks of kickoff" counts from the start; "in 3 years of practice" is no timeline.
_NOT_FROM_START = (
    r"(?!\s+(?:the\s+)?(?:kick-?off|start(?:ing)?|signing|order(?:ing)?|booking|payment|"
    r"approval|confirmation|receipt|brief(?:ing)?|deposit|contract)\b)"
)
_WITHIN = re.compile(
    rf"\b(?:within|in|inside|over|takes?|under|turnaround(?:\s+of|\s+is)?|estimated)\s+"
    # "within the next 3 weeks", "in the coming 10 days": counted from now, as "within"
    # is ("over the next 3 months" may spread a count, not bound a time: not taken)
    r"(?:(?:(?<=\bwithin\s)|(?<=\bin\s))the\s+(?:next|coming)\s+)?"
    # "in 7-10 working days": the later end, the one the offer can be held to.
    rf"(?:about\s+|around\s+|roughly\s+|approximately\s+)?(?:\d{{1,3}}\s*(?:-|\u2013|to)\s*)?"
    rf"{_COUNT}\s+{_UNIT}\b(?!\s+of\b{_NOT_FROM_START})",
    re.I,
)
#: "within two and a half weeks", "in 3 and a half days".
_WITHIN_HALF = re.compile(
    rf"\b(?:within|in|inside|takes?|turnaround(?:\s+of|\s+is)?)\s+(?:about\s+|around\s+)?"
    rf"{_COUNT}\s+and\s+a\s+half\s+{_UNIT}\b",
    re.I,
)
#: A bare "8 weeks" (no "in"/"within"); years excluded ("ten years of experience").
_BARE_DURATION = re.compile(
    rf"(?:^|[,:;(]|\band\b)\s*(?:about\s+|around\s+|roughly\s+)?{_COUNT}\s+"
    r"(business days?|working days?|calendar days?|days?|weeks?|months?)\b(?!\s+(?:of|per|ago)\b)",
    re.I,
)
_N_UNIT_TURNAROUND = re.compile(
    rf"\b{_COUNT}\s*[- ]?(business day|working day|day|week|month|year|hours?|h)s?\s*"
    r"(?:turnaround|delivery|timeline)",
    re.I,
)
#: "by end of July", "by mid-April", "before the end of Q3 2027": against the reference.
_REL_MONTH = re.compile(
    # "due 20 March", "by Friday 13 March": a weekday may name the day as well
    rf"(?<!\w)(?P<cue>by|before|until|no later than|deadline:?|due(?:\s+on)?|{BY_CUES}|{BEFORE_CUES})\s+(?:the\s+)?"
    rf"(?:{_WEEKDAY_NAMED}(?=\d|{_MONTH}))?(?P<q>end\s+of|mid-?|early|"
    # "by 20 April", "by the 1st of May": the day first, as most of Europe writes it
    rf"start\s+of|beginning\s+of|(?P<d2>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+|{DAY_MONTH_JOIN})?)?\s*(?:the\s+)?"
    rf"(?P<m>{_MONTH})(?![a-z])"
    # "by September 25": that day (the month's end only when no day is named).
    rf"(?:\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d{{4}}))?(?!\s*\d)",
    re.I,
)
_REL_QUARTER = re.compile(
    r"\b(?:by|before|until)?\s*(?:the\s+)?end\s+of\s+Q(?P<n>[1-4])(?:\s+(?P<y>\d{4}))?", re.I
)
_EVENT_CUE = re.compile(r"\bon\s+(?:the\s+)?(?:\w+day,?\s+)?$", re.I)
#: "ready for a trade fair on 15 April": what must be ready on a day is due by it.
_READY_CUE = re.compile(r"\bready\b[^.;\n]{0,30}$", re.I)
#: "at least 6 weeks' notice", "order at least 1 week ahead": an offer's lead time.
_LEAD_TIME = re.compile(
    rf"\b(?:at\s+least|min(?:imum|\.)?|give\s+us|requires?|needs?|au\s+moins)\s+{_COUNT}\s+"
    rf"{_UNIT}'?(?:'s)?\s+"
    r"(?:notice|ahead|in\s+advance|before|avant|à\s+l'avance|de\s+préavis)\b",
    re.I,
)
#: "delivery 10 weeks after kickoff": a delivery time counted from the start.
_AFTER_START = re.compile(
    rf"\b(?:deliver(?:y|ed)?|ready|done|finished|completed?)\s+(?:in\s+)?{_COUNT}\s+{_UNIT}\s+"
    r"(?:after|from)\s+(?:the\s+)?(?:kick-?off|start|signing|order|booking|payment|"
    r"approval|confirmation|briefing|brief)\b",
    re.I,
)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _date_from(match: re.Match[str]) -> dt.date | None:
    g = match.groupdict()
    try:
        if g["m1"]:
            return dt.date(int(g["y1"]), _MONTHS[g["m1"].lower().rstrip(".")], int(g["d1"]))
        if g["m2"]:
            return dt.date(int(g["y2"]), _MONTHS[g["m2"].lower().rstrip(".")], int(g["d2"]))
        if g["y3"]:
            return dt.date(int(g["y3"]), int(g["mo3"]), int(g["d3"]))
        if g["m4"]:
            year, month = int(g["y4"]), _MONTHS[g["m4"].lower().rstrip(".")]
            return dt.date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, KeyError):
        return None
    return None


def parse_date(text: str) -> dt.date | None:
    """The first absolute date in ``text`` ("April 18, 2027", "18 April 2027",
    "2027-04-18", "March 2027" = its last day), or None."""
    match = _ABS_DATE.search(fold(text))
    return _date_from(match) if match else None


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?;])\s+|\n+", text)
    return [p.strip() for p in parts if p.strip()]


def _next_month_day(month: int, day: int | None, reference: dt.date) -> dt.date:
    """``day`` of the next ``month`` on or after ``reference`` (None: its last day)."""
    year = reference.year if month >= reference.month else reference.year + 1
    last = calendar.monthrange(year, month)[1]
    found = dt.date(year, month, min(day or last, last))
    if found < reference:
        # "by 1 March" written on 2 March: the next one, as the docstring says
        last = calendar.monthrange(year + 1, month)[1]
        found = dt.date(year + 1, month, min(day or last, last))
    return found


def _relative_deadline(text: str, reference: dt.date | None) -> dt.date | None:
    quarter = literals.search(_REL_QUARTER, text)
    if quarter and (quarter.group("y") or reference is not None):
        month = int(quarter.group("n")) * 3
        if quarter.group("y"):
            year = int(quarter.group("y"))
        else:
            assert reference is not None
            year = reference.year + (1 if month < reference.month else 0)
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    match = literals.search(_REL_MONTH, text)
    if match and match.group(0).lower().startswith("until") and _busy(text, match):
        match = None  # "fully booked until 8 June" is when the offer is free, no deadline
    if match and reference is not None:
        name = match.group("m").lower().rstrip(".")
        if name in DAY_ONLY_MONTHS and not (match.group("d") or match.group("d2")):
            return None  # "photos by Mai": a short month only after a day number
        month = _MONTHS[name]
        q = (match.group("q") or "").lower().replace(" ", "")
        day = {"mid": 15, "mid-": 15, "early": 7, "startof": 1, "beginningof": 1}.get(q)
        if match.group("d") or match.group("d2"):
            day = int(match.group("d") or match.group("d2"))
        found = _next_month_day(month, day, reference)
        if match.group("wd") and (day is None or not _weekday_agrees(match.group("wd"), found)):
            return None  # "by Friday 14 March" in a year it is a Saturday: which is meant?
        if (match.group("d") or match.group("d2")) and _EXCLUSIVE_CUE.search(
            match.group("cue") + " "
        ):
            found -= dt.timedelta(days=1)  # "before 15 March": 14 March is the last day
        return found
    return None


_WEEKDAY_DEADLINE = re.compile(
    r"\b(?:by|before|until|till|due(?:\s+on)?|no\s+later\s+than|latest)\s+(?:this\s+|next\s+|the\s+)?"
    r"(?P<d>mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b"
    # "by Friday, 12 June" is a date the date readers take; "by Friday, 100 EUR" is not.
    rf"(?!,?\s+\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b)",
    re.I,
)
_WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def weekday_deadline(text: str, reference: dt.date | None) -> dt.date | None:
    """ "by Friday", "due Thursday", "before next Monday": the first such day after the
    reference (the same weekday as the reference means a week later; "next" reads no further
    ahead, the earlier reading: precision first)."""
    if reference is None:
        return None
    match = literals.search(_WEEKDAY_DEADLINE, text)
    if match is None:
        return None
    wanted = _WEEKDAY_INDEX[_DAY_KEYS[match.group("d").lower()]]
    # "next Friday" may mean either; the earlier one is the stricter reading.
    ahead = (wanted - reference.weekday()) % 7 or 7
    day = reference + dt.timedelta(days=ahead)
    # "before Friday": the day before it is the last one that meets it.
    if match.group(0).lower().startswith("before"):
        day -= dt.timedelta(days=1)
    return day


def _read_timeline(  # noqa: PLR0912 - one pass over the timeline readers
    text: str, reference: dt.date | None = None, spans: list[tuple[int, int]] | None = None
) -> tuple[dt.date | None, float | None, float | None, dt.date | None]:
    """(deadline, duration_days, start_within_days, start_date); the text each reading
    came from is added to ``spans`` (for :mod:`unread`)."""
    taken: list[tuple[int, int]] = [] if spans is None else spans
    deadline = start_date = None
    duration = start_within = None
    for match in literals.finditer(_ABS_DATE, text):
        taken.append(match.span())
        day = _date_from(match)
        if day is None:
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        if _START_CUE.search(before) and not _DEADLINE_CUE.search(before):
            start_date = start_date or day
        elif (
            _EVENT_CUE.search(before)
            and not _DEADLINE_CUE.search(before)
            and not _READY_CUE.search(before)
        ):
            continue  # "on 12 June 2027": the day of the event (see Facts.event_date)
        elif deadline is None:
            # "before 15 March" leaves 14 March as the last day; "by 15 March" keeps it.
            exclusive = _EXCLUSIVE_CUE.search(before)
            deadline = day - dt.timedelta(days=1) if exclusive else day
    if deadline is None:
        deadline = _relative_deadline(text, reference)
        if deadline is not None:
            taken += [
                m.span() for p in (_REL_QUARTER, _REL_MONTH) if (m := literals.search(p, text))
            ]
    if deadline is None:
        deadline = weekday_deadline(text, reference)
        if deadline is not None and (m := literals.search(_WEEKDAY_DEADLINE, text)):
            taken.append(m.span())
    halves = list(literals.finditer(_WITHIN_HALF, text))
    readers = (_WITHIN, _N_UNIT_TURNAROUND, _AFTER_START)
    for match in [m for r in readers for m in literals.finditer(r, text)] + halves:
        if match.re is not _WITHIN_HALF and any(
            h.start() <= match.start() < h.end() for h in halves
        ):
            continue
        taken.append(match.span())
        if payment_time(text, match.start(), match.end()):
            continue  # "14 days to pay": read, but the payer's time, not the work's
        unit = match.group(2).lower().rstrip("s")
        days = _count(match.group(1)) * _UNIT_DAYS[unit]
        if match.re is _WITHIN_HALF or re.match(r"\s+and\s+a\s+half\b", text[match.end() :]):
            days += 0.5 * _UNIT_DAYS[unit]  # "within a week and a half" is 10.5 days, not 7
        before = text[max(0, match.start() - 30) : match.start()]
        if re.search(r"start|begin|available", before, re.I) and not re.search(
            r"deliver|finish|complete", before[-15:], re.I
        ):
            start_within = days if start_within is None else start_within
        elif duration is None:
            duration = days
    if duration is None:
        bare = literals.search(_BARE_DURATION, text)
        if bare:
            taken.append(bare.span())
            if not payment_time(text, bare.start(), bare.end()):
                duration = _count(bare.group(1)) * _UNIT_DAYS[bare.group(2).lower().rstrip("s")]
    return deadline, duration, start_within, start_date


_OFFER_SERVICE = re.compile(
    # \b: "sell" is not in "Russell", nor "hire" in "Yorkshire".
    # "we do not work on e-bikes" names what is excluded, never the service.
    r"\b(?:offering|offer|provide|providing|available for|selling|sell|"
    r"(?:i|we) do(?!\s+not\b)|"
    r"can deliver|speciali[sz]e in|for sale:?)\s+(?P<s>(?:[^.;:!?\n]|(?<=\d)[.,:](?=\d))+)"
    # "I design logos": the verb is part of the service.
    r"|\b(?:i|we)\s+(?:can\s+)?(?P<s2>(?:build|draw|write|design|create|develop|translate|"
    r"edit|teach|fix|record|produce|paint|make|run|rent|train|teach)\s+(?:[^.;:!?\n]|(?<=\d)[.,:](?=\d))+)",
    re.I,
)
_SEEK_SERVICE = re.compile(
    r"\b(?:need|needs|looking for|looking to (?:buy|hire|find|get)|seeking|seeks|seek|"
    r"want(?:s|ed)?(?: to (?:buy|hire|find|get))?|require|requires|hiring|hire|buy|purchase|"
    # "I'm after a plumber" seeks; "we pay after the event" does not
    r"searching for|in search of|in need of|would like|'d like|would love|'d love|"
    r"(?:i'?m|i\s+am|we'?re|we\s+are|is|are)\s+(?:\w+\s+)?after)"
    r"\s+(?:to (?:get|have|book|find|hire) )?(?:a |an |some |someone to |help with |help )?"
    r"(?P<s>(?:[^.;:!?\n]|(?<=\d)[.,:](?=\d))+)",
    re.I,
)
#: "I am a freelance illustrator": the role names the service too.
_ROLE_SERVICE = re.compile(
    r"\b(?:i am|i'm|we are|we're)\s+(?:an?\s+)?(?P<s>[^.;:!?\n,]{3,80})", re.I
)
# Greedy prefix: the topic follows the *last* "for" ("curriculum design for an online
# course for a ocean current simulation project").
_TOPIC = re.compile(
    r"^(?P<head>.*)\s+for\s+(?:an?\s+|the\s+|our\s+|my\s+)?(?P<t>[^,]+?)\s+"
    r"(?:projects?|teams?|organi[sz]ations?|companies|company|startups?)\b",
    re.I,
)


def _phrase(match: re.Match[str]) -> str:
    return str(match.group("s") or match.groupdict().get("s2") or "").strip()


#: _TOPIC backtracks over every "for" in a phrase: quadratic in its length. The service is
#: cut to 200 characters anyway, so the patterns only ever see the first 400.
_PHRASE_SCAN = 400


def _clean_service(phrase: str) -> tuple[str, str | None]:
    phrase = phrase[:_PHRASE_SCAN]
    topic_match = _TOPIC.search(phrase)
    topic = None
    if topic_match:
        topic = topic_match.group("t").strip()
        phrase = topic_match.group("head").strip()
    phrase = re.sub(
        rf"\s*(?:,|\bfor\b|\bat\b|\bby\b)?\s*{_NUM}\s*{_NLC_WORD}.*$", "", phrase, flags=re.I
    )
    phrase = re.sub(
        r",\s+(?:about|around|roughly|approximately|approx\.?|~|budget|\d).*$",
        "",
        phrase,
        flags=re.I,
    )
    phrase = re.sub(r"^(?:a|an|the|some)\s+", "", phrase, flags=re.I)
    return phrase[:200].strip(" ,"), topic


_GREETING = re.compile(rf"^(?:{GREETINGS})\b[^.!?]{{0,30}}[.!?,]?$", re.I)
#: A greeting that opens the first sentence ("Guten Abend, unsere Tochter ...", "Ahoj,
#: hledám ..."): the service is named after it.
_GREETING_LEAD = re.compile(rf"^(?:{GREETINGS})\b(?:\s+[^\s,.!?]+){{0,2}}\s*[,!]\s+(?=\S)", re.I)


def _ungreeted(sentences: list[str]) -> list[str]:
    """``sentences`` without the greetings that open them."""
    kept = [p for p in sentences if not _GREETING.match(p)]
    if kept:
        kept[0] = _GREETING_LEAD.sub("", kept[0])
    return kept


def service_gist(text: str) -> str:
    """The opening of the prose without amounts, for judging the service by meaning."""
    sentences = _ungreeted(_sentences(fold(text)))
    gist = " ".join(sentences[:2])
    gist = re.sub(r"[$€£]?\s?\d[\d.,]*\s?(?:k\b)?", " ", gist)
    return re.sub(r"\s+", " ", gist).strip()[:240]


#: What "want it", "need them" name: the thing said before, never a service of its own
#: ("Stacking $40/cord if you want it" left the firewood offer with the service "it").
_PRONOUN = re.compile(r"\W*(?:it|them|this|that|these|those|one|some|any)\W*", re.I)


def _service_and_topic(text: str, offer: bool) -> tuple[str, str | None, tuple[str, ...]]:
    """(service, topic, every candidate phrase naming the service)."""
    pattern = _OFFER_SERVICE if offer else _SEEK_SERVICE
    phrases = [_phrase(m) for m in literals.finditer(pattern, text)][:4]
    if offer:
        phrases += [m.group("s").strip() for m in literals.finditer(_ROLE_SERVICE, text)][:2]
    phrases = [p for p in phrases if not _PRONOUN.fullmatch(p)]
    if not phrases:
        other = _SEEK_SERVICE if offer else _OFFER_SERVICE
        phrases = [_phrase(m) for m in literals.finditer(other, text)][:2]
        phrases = [p for p in phrases if not _PRONOUN.fullmatch(p)]
    if not phrases:
        # A whole first sentence (greetings aside): its first word is capitalised only
        # by position.
        sentences = _ungreeted(_sentences(text)) or [text]
        phrase = sentences[0]
        phrases = [phrase[:1].lower() + phrase[1:] if phrase[1:2].islower() else phrase]
    # A service is a phrase, not a page: bounded before the topic pattern sees it.
    cleaned = [_clean_service(p[:300]) for p in phrases]
    service, topic = cleaned[0]
    candidates = tuple(dict.fromkeys(c for c, _ in cleaned if c))
    return service, topic, candidates


_NOT_A_CONDITION = re.compile(
    rf"{_NLC_WORD}|\bbudget\b|\basking\b|\bdeliver(?:ed)? (?:by|in|within)\b|\bstart within\b|"
    r"\b(?:within|in)\s+\w+\s+(?:days?|weeks?|months?)\b|\bhours of work\b|"
    r"^(?:i am offering|we are offering|offering|we need|i need|i offer|we offer|looking for|seeking)\b|"
    r"^(?:hi|hello|i am an?|i'm an?|we are an?)\b",
    re.I,
)


_PAREN = re.compile(r"\([^()]{0,300}\)")


def _without_instructions(text: str) -> tuple[str, tuple[str, ...]]:
    """The prose minus sentences (and brackets) that read as instructions to a model:
    text addressed to a model is not a party's term, so it can change nothing."""
    dropped: list[str] = []
    # A bare text (textsafety.is_bare) has no piece that reads as one: none is scanned.
    bare = is_bare(text)

    def paren(match: re.Match[str]) -> str:
        if not bare and detect_injection(match.group(0)):
            dropped.append(match.group(0))
            return " "
        return match.group(0)

    text = _PAREN.sub(paren, text)
    kept = []
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", text):
        if not bare and detect_injection(sentence):
            dropped.append(sentence)
        else:
            kept.append(sentence)
    return " ".join(kept), tuple(d[:200] for d in dropped)


#: Every intent is read once and kept (issue 15): pairs are judged on the parsed form.


_TOMORROW = re.compile(
    r"\b(?:by|for|until|before)\s+tomorrow\b|\b(?:need(?:ed)?|want(?:ed)?)\b[^.;!?\n]{0,40}\b(?:today|tonight)\b",
    re.I,
)

#: Units a seek counts as deliverables ("12,000 words", "40 photos", "3 minutes").
_DELIVERABLE_UNITS = frozenset(
    ["image", "page", "word", "logo", "video", "post", "episode", "item", "seat", "document",
     "interview", "test", "report", "screen", "sample", "label", "minute", "licence",
     "license", "track", "article"]
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class StatedTerms:
    """What one intent states. Durations are in days; amounts are in ``currency`` (None:
    not stated, as in "Budget: 500")."""

    service: str
    topic: str | None = None
    service_candidates: tuple[str, ...] = ()
    ask: float | None = None  # the price an offer names (its lowest acceptable)
    price_max: float | None = None  # the most this party will pay / accept
    price_min: float | None = None  # the least this party will accept / pay
    #: The main amount (an offer's ask, a seek's budget) is a rate per ``per`` (hour, word,
    #: night ...), not a total: it cannot be compared with a total price as it stands.
    hourly: bool = False
    per: str | None = None
    currency: str | None = None
    hours: float | None = None
    deadline: dt.date | None = None  # deliver by this date
    duration_days: float | None = None  # deliver within this many days (of start)
    start_within_days: float | None = None
    start_date: dt.date | None = None
    quantities: tuple[tuple[int, str], ...] = ()
    conditions: tuple[str, ...] = ()
    hard: frozenset[HardCondition] = field(default_factory=frozenset)
    negotiable: bool = False
    facts: Facts = field(default_factory=Facts)
    gist: str = ""  # the opening prose without amounts, for service fit by meaning
    injection_dropped: tuple[str, ...] = ()  # sentences read as instructions, not terms
    #: Clauses with a constraint marker no reading covers (:mod:`unread`): "cannot check".
    unread: tuple[Unread, ...] = ()  # (clause, blocking), with the markers left unread


def _stated_prices(
    money: tuple[Money, ...], offer: bool
) -> tuple[float | None, float | None, float | None, Money | None]:
    """(ask, max, min, the main amount) from the money readings. A total beats a rate of
    the same role; a range is its own min and max (and an offer's ask is its low end)."""
    totals = [m for m in money if m.per is None]

    def first(bounds: set[str], pool: list[Money]) -> Money | None:
        return next((m for m in pool if m.bound in bounds), None)

    ranged = next((m for m in totals if m.low != m.high), None)
    if ranged is not None:
        return (ranged.low if offer else None), ranged.high, ranged.low, ranged
    main_bounds = {"about"} if offer else {"about", "at_most"}
    main = first(main_bounds, totals) or first(main_bounds, list(money))
    high = first({"at_most"}, totals) if offer else main
    low = first({"at_least"}, totals)
    return (
        (main.low if offer and main is not None else None),
        None if high is None else high.high,
        None if low is None else low.low,
        main,
    )


def _stated_quantities(quantities: tuple[Quantity, ...]) -> tuple[tuple[int, str], ...]:
    counted = [
        # The unit as the party wrote it ("12 min", "8 videos"): a deliverable quotes them.
        (int(q.value), q.span.text.split()[-1])
        for q in quantities
        if q.bound == "about"
        and q.unit in _DELIVERABLE_UNITS
        and float(q.value).is_integer()
        # "a 12-minute film" describes one thing; "12 minutes" counts them.
        and "-" not in q.span.text
        and len(q.span.text.split()) > 1
    ]
    return tuple(dict.fromkeys(counted))[:10]


#: Every intent is read once and kept (issue 15): pairs are judged on the parsed form.
@functools.cache
def _covering() -> tuple[re.Pattern[str], ...]:
    """The patterns whose matches some reading evaluates and that can hold a marker
    (:mod:`unread`): text they match is read. Readers whose matches hold no marker
    (remote, on-site, accents ...) are left out: each costs a scan."""
    # "Sconto 10% per ...": a discount only lowers a price; unapplied (discounts.py) the
    # total stays the higher one, so its share is read either way
    from mediator_actors.negotiation.discounts import SHARE_OFF  # here: discounts imports reader

    return (
        SHARE_OFF, _ABS_DATE, _WITHIN, _BARE_DURATION, _N_UNIT_TURNAROUND, _REL_MONTH, _REL_QUARTER,
        _WEEKDAY_DEADLINE, _TOMORROW, _EVENT, _FROM, _FROM_DAY_FIRST, _UNTIL, _THROUGHPUT,
        _ADVANCE, _AFTER, _TRAVEL, _MIN_AGE, _AGE, _MAX_AGE, _ADULTS_ONLY, _CHILD,
        _GENDER_ONLY, _LEVEL, _COUNTRY, _CERT, _SLOTS_JOINED, _SLOT_DENIED, _PAIR,
        _LANG_REQUIRED, _CODE_PAIR, _PLACE_ONLY, _RESTRICTED, _PLACE_EXCLUDED, _GRADE_RANGE,
        _ONLY_KIND,
        *(pattern for pattern, _, _ in _SLOT_WORDS),
        *(pattern for _, pattern in HARD_PATTERNS),
    )  # fmt: skip


@functools.cache
def _covering_only() -> tuple[re.Pattern[str], ...]:
    """The readers of "only" and "must" conditions ("remote only", "UK residents only")."""
    return (
        _ONLY_KIND, _LANG_REQUIRED, _COUNTRY, _PLACE_ONLY, _RESTRICTED, _GENDER_ONLY,
        *(pattern for _, pattern in HARD_PATTERNS),
    )  # fmt: skip


#: A negation just before a match: "may not leave the Netherlands" is a limit on the
#: country that the country reader (where a party is) never weighs.
_NEGATED_BEFORE = re.compile(
    r"\b(?:no|not|never|cannot|can't|won't|don't|doesn't|mustn't)\b[^,.;:!?]{0,20}$", re.I
)


def _judged(
    pattern: re.Pattern[str], match: re.Match[str], text: str, places: list[tuple[int, int]]
) -> bool:
    """Whether ``match`` is text a reading weighs, not only a cue beside one. "only" or
    "area" (:data:`_RESTRICTED`) qualify a place and "X only" (:data:`_PLACE_ONLY`) names
    one: either is read only where the place reader took a place in it ("USDT only",
    "non-smokers only" are no place); a country after a negation is a ban, not a place."""
    if pattern is _RESTRICTED or pattern is _PLACE_ONLY:
        lo, hi = _segment_bounds(text, match.start())
        return any(a < hi and b > lo for a, b in places)
    if pattern is _EVENT or pattern is _REL_MONTH:
        # a date named with its weekday is read only where the weekday agrees with it,
        # which needs the reference date: the reading adds its own span when it does
        return not match.group("wd")
    if pattern is _COUNTRY:
        return not literals.search(_NEGATED_BEFORE, text, max(0, match.start() - 40), match.start())
    return True


def _segment_bounds(text: str, index: int) -> tuple[int, int]:
    """The clause around ``index`` (commas, semicolons and sentence ends bound it)."""
    lo = max((text.rfind(c, 0, index) for c in ",;.!?\n"), default=-1) + 1
    his = [i for i in (text.find(c, index) for c in ",;.!?\n") if i >= 0]
    return lo, min(his, default=len(text))


def _unread(
    text: str, facts: Facts, timeline: list[tuple[int, int]], *, offer: bool = True
) -> tuple[Unread, ...]:
    """Clauses with a constraint marker that no reading of ``facts`` or the ``timeline``
    (or, asked only where those leave some unread, the other pattern readers) covers."""
    spans: list[tuple[int, int]] = [*timeline]
    spans += [(m.span.start, m.span.end) for m in facts.money]
    # a count read as "about" reads no bound written on it ("2 kayaks max")
    spans += [(q.span.start, q.span.end) for q in facts.quantities if q.bound != "about"]
    loose = [(q.span.start, q.span.end) for q in facts.quantities if q.bound == "about"]
    spans += [
        (sp.start, sp.end)
        for _, sp in (*facts.places, *facts.places_excluded, *facts.places_confined)
    ]
    spans += [(sp.start, sp.end) for _, sp in (*facts.exclusions, *facts.only_kinds)]
    spans += [(sp.start, sp.end) for sp in facts.requirements]
    spans += [(f[2].start, f[2].end) for f in (facts.floor_max, facts.floor) if f is not None]
    spans += [(sp.start, sp.end) for _, sp in facts.addons]
    spans += [
        (sp.start, sp.end)
        for sp in (
            facts.payment_advance,
            facts.payment_after,
            facts.payment_instalments,
            facts.payment_in_full_first,
        )
        if sp is not None
    ]

    def more(start: int, end: int, every: bool) -> list[tuple[int, int]]:
        # The pattern readers, on the sentences the readings above left unread (and a
        # little either side, for cues such as "deliver by" before a date).
        lo, hi = max(0, start - 40), min(len(text), end + 40)
        patterns = _covering() if every else _covering_only()
        places = [(sp.start, sp.end) for _, sp in facts.places]
        return [
            m.span()
            for pattern in patterns
            for m in literals.finditer(pattern, text, lo, hi)
            if _judged(pattern, m, text, places)
        ]

    # The service phrase is not skipped: "bed bugs" in "we do not treat bed bugs" is
    # read as a service, yet the negation is a limit.
    # a seek's "3 hrs tops" or "150 max" caps its own need, which its reading prices at
    # the most; its "16 GB minimum" demands of the offer as an offer's "2 canoes max" limits
    return unread_clauses(text, spans, loose=loose, ceilings=offer, more=more)


@functools.lru_cache(maxsize=16_384)
def read_terms(
    content: str,
    *,
    offer: bool,
    desires: tuple[str, ...] = (),
    constraints: tuple[str, ...] = (),
    reference: dt.date | None = None,
) -> StatedTerms:
    """Read what an intent states from its prose plus its ``desires``/``constraints``.

    ``reference`` is the intent's own chain timestamp: relative dates ("by end of July")
    resolve against it. Linear in the text (capped at 20,000 characters): about 1-3 ms
    for a typical intent, more for a hostile 20 kB one."""
    raw = fold("\n".join([content, *desires, *constraints]))[:20_000]
    text, dropped = _without_instructions(raw)
    folded = fold(content)[:20_000]
    # Without desires or constraints the opening is the same text: not read twice.
    opening = text if folded == raw else _without_instructions(folded)[0]
    service, topic, candidates = _service_and_topic(opening, offer)
    facts = read_facts(text, offer=offer, reference=reference)
    ask, high, low, main = _stated_prices(facts.money, offer)
    timeline_spans: list[tuple[int, int]] = []
    deadline, duration, start_within, start_date = _read_timeline(text, reference, timeline_spans)
    timeline_spans += _event_span(text, reference)
    lead = literals.search(_LEAD_TIME, text) if offer else None
    if lead is not None:
        # "orders need at least 6 weeks' notice": nothing is ready sooner than that.
        days = _count(lead.group(1)) * _UNIT_DAYS[lead.group(2).lower().rstrip("s")]
        duration = days if duration is None else max(duration, days)
        timeline_spans.append(lead.span())
    if duration is None and deadline is None and not offer and literals.search(_TOMORROW, text):
        duration = 1.0  # "by tomorrow", "needed today": within a day of the chain time
    hours = None
    hours_match = re.search(
        r"\b(?:about |around |roughly |~)?(\d{1,5})\s+hours\b(?! per)", text, re.I
    )
    if hours_match:
        hours = float(hours_match.group(1))
    conditions = tuple(
        dict.fromkeys(
            s.rstrip(".")
            for s in _sentences(text)
            if not _NOT_A_CONDITION.search(s) and len(s) < 300 and (not service or service not in s)
        )
    )
    return StatedTerms(
        service=service,
        topic=topic,
        service_candidates=candidates,
        ask=ask,
        price_max=high,
        price_min=low,
        hourly=main is not None and main.per is not None,
        per=None if main is None else main.per,
        currency=None if main is None else main.currency,
        hours=hours,
        deadline=deadline,
        duration_days=duration,
        start_within_days=start_within,
        # "from mid-April": the offer's start, when no absolute start date is stated.
        start_date=start_date or (facts.start_date if offer else None),
        quantities=_stated_quantities(facts.quantities),
        conditions=conditions[:20],
        hard=frozenset(kind for kind, pattern in HARD_PATTERNS if literals.search(pattern, text)),
        negotiable=bool(re.search(r"\bnegotiable\b|\bopen to offers\b|\bflexible\b", text, re.I)),
        unread=_unread(text, facts, timeline_spans, offer=offer),
        facts=facts,
        gist=service_gist(opening),
        injection_dropped=dropped,
    )
