"""Reading the terms a party stated in prose: prices and budgets, quantities, deadlines,
start dates, the service offered or sought, and conditions.

Pure functions over short strings (well under a millisecond per intent); no I/O, no clock:
relative durations are resolved against a reference date the caller passes (the later of
the two intents' chain timestamps, never the local clock).

The parser aims at the prose parties really write (see ``bench-corpus.jsonl``: "Asking 500
NLC for the full engagement. Can start within 15 days and deliver in 10 weeks.", "Budget of
1380 NLC. Must be delivered by April 18, 2027.") and at freer variants ("can pay up to
1,200 NLC", "between 500 and 800 NLC", "no later than 2027-03-01", "within 60 days").
It only reads; every decision lives in :mod:`offline` and :mod:`validation`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from mediator_actors.negotiation.reader import Facts, read_facts
from mediator_actors.negotiation.vocabulary import (
    CONFLICTS,
    HARD_PATTERNS,
    HardCondition,
    fold,
    service_tokens,
    tokens,
)
from mediator_actors.safety.textsafety import detect_injection

__all__ = [
    "CONFLICTS",
    "HARD_PATTERNS",
    "Facts",
    "HardCondition",
    "StatedTerms",
    "add_months",
    "fold",
    "parse_date",
    "read_terms",
    "service_gist",
    "service_tokens",
    "tokens",
]

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "ninety": 90, "hundred": 100, "fourteen": 14, "thirteen": 13, "sixteen": 16,
    "eighteen": 18, "twenty-one": 21, "forty-five": 45,
}  # fmt: skip
# Digit runs are bounded (no amount has 16 digits) so that no regex rescans a long run of
# digits from every start position: a 20,000-digit "number" once took minutes.
_NUM = r"(\d{1,3}(?:[,\u202f ]\d{3}){1,5}(?:\.\d{1,6})?|\d{1,15}(?:\.\d{1,6})?)(\s*[kK]\b)?"
_COUNT = r"(\d{1,6}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT_DAYS = {
    "day": 1, "business day": 1.4, "working day": 1.4, "week": 7, "fortnight": 14,
    "month": 30, "year": 365, "hour": 1 / 24, "h": 1 / 24,
}  # fmt: skip
_UNIT = r"(business days?|working days?|days?|weeks?|fortnights?|months?|years?)"
_CURRENCY = r"(?:NLC|nlc|tokens?|credits?)"
MAX_AMOUNT = 1e12

# Price phrases: (pattern, role). Roles: ask (offer's price), max (seek's ceiling),
# min (the lowest acceptable), range (low-high).
_RANGE = re.compile(
    rf"(?<![\w.,])(?:between\s+)?{_NUM}\s*{_CURRENCY}?\s*(?:-|\u2013|to|and)\s*{_NUM}\s*{_CURRENCY}",
    re.I,
)
_MAX_CUES = re.compile(
    r"(?:budget(?:\s+(?:is|of|:))?|up to|at most|no more than|maximum(?: of)?|max\.?|"
    r"can pay|will pay|willing to pay|able to pay|pay up to|cap(?:ped)? at|not exceeding|"
    r"under|below|less than)\s*(?:of\s+|is\s+|:\s*|about\s+|around\s+|roughly\s+|~\s*)*$",
    re.I,
)
_MIN_CUES = re.compile(
    r"(?:at least|no less than|minimum(?: of)?|min\.?|not below|starting at|from)\s*$", re.I
)
_ASK_CUES = re.compile(
    r"(?:asking|ask|price(?:\s+is)?|priced at|rate(?:\s+is)?|fee(?:\s+is)?|charge|charging|"
    r"cost(?:s)?|for|quote|flat)\s*(?:of\s+|is\s+|:\s*|about\s+|around\s+|~\s*)*$",
    re.I,
)
_AMOUNT = re.compile(rf"(?<![\w.]){_NUM}\s*{_CURRENCY}(?!\w)|{_CURRENCY}\s*{_NUM}", re.I)
_CUED_BARE = re.compile(
    r"(?:budget(?:\s+(?:is|of))?|asking|price(?:\s+is)?|pay(?:\s+up\s+to)?|rate(?:\s+is)?)"
    rf"\s*:?\s*(?:about\s+|around\s+|up\s+to\s+)?{_NUM}"
    r"(?![\d.,]*\s*(?:[kK]\s*)?(?:%|\$|\u20ac|\u00a3|usd|eur|gbp|dollars?|euros?|pounds?|percent|"
    r"(?:business\s+)?days?|weeks?|months?|years?|hours?|hrs?|minutes?|words?|pages?|items?|"
    r"images?|people|persons?|units?|nlc)\b)",
    re.I,
)
_HOURLY = re.compile(r"^\s*(?:/\s*h(?:ou)?r|per\s+hour|an\s+hour|hourly|/hour)", re.I)
#: A rate per unit other than the hour ("0.05 NLC per word"): not a total price.
_PER_UNIT = re.compile(
    r"^\s*(?:per|/|a|an|each)\s*(?:word|page|image|photo|item|unit|line|label|minute|"
    r"episode|article|post|session|day|week|month|seat|user)s?\b|^\s*each\b",
    re.I,
)

_ABS_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}})"
    rf"|(?P<y3>\d{{4}})-(?P<mo3>\d{{2}})-(?P<d3>\d{{2}})"
    rf"|(?:end of\s+|the end of\s+)?(?P<m4>{_MONTH})\s+(?P<y4>\d{{4}}))\b",
    re.I,
)
_DEADLINE_CUE = re.compile(
    r"(?:\bby|\bbefore|no later than|deadline(?: is|:)?|due(?: date)?(?: is|:)?|"
    r"delivered by|until|latest)\s*(?:the\s+)?$",
    re.I,
)
_START_CUE = re.compile(r"(?:start(?:ing)?|begin(?:ning)?|from|kick[- ]?off)\b[^.]{0,20}$", re.I)
_WITHIN = re.compile(
    rf"\b(?:within|in|inside|over|takes?|under|turnaround(?:\s+of|\s+is)?|estimated)\s+"
    rf"(?:about\s+|around\s+|roughly\s+|approximately\s+)?{_COUNT}\s+{_UNIT}\b(?!\s+of\b)",
    re.I,
)
#: A bare "8 weeks" (no "in"/"within"); years excluded ("ten years of experience").
_BARE_DURATION = re.compile(
    rf"(?:^|[,:;(]|\band\b)\s*(?:about\s+|around\s+|roughly\s+)?{_COUNT}\s+"
    r"(business days?|working days?|days?|weeks?|months?)\b(?!\s+(?:of|per|ago)\b)",
    re.I,
)
_N_UNIT_TURNAROUND = re.compile(
    rf"\b{_COUNT}\s*[- ]?(business day|working day|day|week|month|year|hours?|h)s?\s*"
    r"(?:turnaround|delivery|timeline)",
    re.I,
)
#: "by end of July", "by mid-April", "before the end of Q3 2027": against the reference.
_REL_MONTH = re.compile(
    rf"\b(?:by|before|until|no later than|deadline:?)\s+(?:the\s+)?(?P<q>end\s+of|mid-?|early|"
    rf"start\s+of|beginning\s+of)?\s*(?:the\s+)?(?P<m>{_MONTH})(?!\s*\d)",
    re.I,
)
_REL_QUARTER = re.compile(
    r"\b(?:by|before|until)?\s*(?:the\s+)?end\s+of\s+Q(?P<n>[1-4])(?:\s+(?P<y>\d{4}))?", re.I
)
_EVENT_CUE = re.compile(r"\bon\s+(?:the\s+)?(?:\w+day,?\s+)?$", re.I)
_QUANTITY = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3}){1,3}|\d{1,9})\s+((?:[a-z-]+\s){0,2}?(?:images?|photos?|pages?|words?|"
    r"logos?|videos?|articles?|posts?|hours?|episodes?|units?|licen[cs]es?|seats?|"
    r"documents?|interviews?|tests?|reports?|screens?|samples?|items?|labels?|minutes?))\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class StatedTerms:
    """What one intent states. Amounts are in NLC; durations in days."""

    service: str
    topic: str | None = None
    service_candidates: tuple[str, ...] = ()
    ask: float | None = None  # the price an offer names (its lowest acceptable)
    price_max: float | None = None  # the most this party will pay / accept
    price_min: float | None = None  # the least this party will accept / pay
    hourly: bool = False
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


def _amount(number: str, kilo: str | None) -> float | None:
    value = float(re.sub(r"[,\u202f ]", "", number)) * (1000 if kilo else 1)
    return value if 0 <= value <= MAX_AMOUNT else None


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _date_from(match: re.Match[str]) -> dt.date | None:
    g = match.groupdict()
    try:
        if g["m1"]:
            return dt.date(int(g["y1"]), MONTHS[g["m1"].lower().rstrip(".")], int(g["d1"]))
        if g["m2"]:
            return dt.date(int(g["y2"]), MONTHS[g["m2"].lower().rstrip(".")], int(g["d2"]))
        if g["y3"]:
            return dt.date(int(g["y3"]), int(g["mo3"]), int(g["d3"]))
        if g["m4"]:
            year, month = int(g["y4"]), MONTHS[g["m4"].lower().rstrip(".")]
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


def _read_prices(text: str, offer: bool) -> tuple[float | None, float | None, float | None, bool]:
    """(ask, max, min, hourly) from the prose. A total beats an hourly rate of the same
    role; ``hourly`` says the chosen main amount (an offer's ask, a seek's max) is a rate."""
    for match in _RANGE.finditer(text):
        a, b = _amount(match.group(1), match.group(2)), _amount(match.group(3), match.group(4))
        if a is not None and b is not None and a <= b:
            hourly = bool(_HOURLY.match(text[match.end() :]))
            return (a if offer else None), b, a, hourly
    found: dict[str, list[tuple[float, bool]]] = {"ask": [], "max": [], "min": []}
    matches = [
        (m.start(), m.end(), m.group(1) or m.group(3), m.group(2) if m.group(1) else m.group(4))
        for m in _AMOUNT.finditer(text)
    ]
    # "Budget: 500" or "asking 800" name an amount in NLC even without the currency.
    matches += [(m.start(1), m.end(), m.group(1), m.group(2)) for m in _CUED_BARE.finditer(text)]
    for start, end, number, kilo in sorted(matches):
        value = _amount(number, kilo)
        if value is None:
            continue
        before = text[max(0, start - 40) : start]
        after = text[end:]
        if _PER_UNIT.match(after) and not _HOURLY.match(after):
            continue
        rate = bool(_HOURLY.match(after))
        if _MAX_CUES.search(before):
            found["max"].append((value, rate))
        elif _MIN_CUES.search(before):
            found["min"].append((value, rate))
        else:
            found["ask" if offer else "max"].append((value, rate))

    def pick(role: str) -> tuple[float | None, bool]:
        totals = [v for v, rate in found[role] if not rate]
        if totals:
            return totals[0], False
        return (found[role][0][0], True) if found[role] else (None, False)

    ask, ask_hourly = pick("ask")
    high, high_hourly = pick("max")
    low, _ = pick("min")
    return ask, high, low, ask_hourly if offer else high_hourly


def _next_month_day(month: int, day: int | None, reference: dt.date) -> dt.date:
    """``day`` of the next ``month`` on or after ``reference`` (None: its last day)."""
    year = reference.year if month >= reference.month else reference.year + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day or last, last))


def _relative_deadline(text: str, reference: dt.date | None) -> dt.date | None:
    quarter = _REL_QUARTER.search(text)
    if quarter and (quarter.group("y") or reference is not None):
        month = int(quarter.group("n")) * 3
        if quarter.group("y"):
            year = int(quarter.group("y"))
        else:
            assert reference is not None
            year = reference.year + (1 if month < reference.month else 0)
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    match = _REL_MONTH.search(text)
    if match and reference is not None:
        month = MONTHS[match.group("m").lower().rstrip(".")]
        q = (match.group("q") or "").lower().replace(" ", "")
        day = {"mid": 15, "mid-": 15, "early": 7, "startof": 1, "beginningof": 1}.get(q)
        return _next_month_day(month, day, reference)
    return None


def _read_timeline(
    text: str, reference: dt.date | None = None
) -> tuple[dt.date | None, float | None, float | None, dt.date | None]:
    """(deadline, duration_days, start_within_days, start_date)."""
    deadline = start_date = None
    duration = start_within = None
    for match in _ABS_DATE.finditer(text):
        day = _date_from(match)
        if day is None:
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        if _START_CUE.search(before) and not _DEADLINE_CUE.search(before):
            start_date = start_date or day
        elif _EVENT_CUE.search(before) and not _DEADLINE_CUE.search(before):
            continue  # "on 12 June 2027": the day of the event (see Facts.event_date)
        elif deadline is None:
            deadline = day
    if deadline is None:
        deadline = _relative_deadline(text, reference)
    for match in list(_WITHIN.finditer(text)) + list(_N_UNIT_TURNAROUND.finditer(text)):
        unit = match.group(2).lower().rstrip("s")
        days = _count(match.group(1)) * _UNIT_DAYS[unit]
        before = text[max(0, match.start() - 30) : match.start()]
        if re.search(r"start|begin|available", before, re.I) and not re.search(
            r"deliver|finish|complete", before[-15:], re.I
        ):
            start_within = days if start_within is None else start_within
        elif duration is None:
            duration = days
    if duration is None:
        bare = _BARE_DURATION.search(text)
        if bare:
            duration = _count(bare.group(1)) * _UNIT_DAYS[bare.group(2).lower().rstrip("s")]
    return deadline, duration, start_within, start_date


_OFFER_SERVICE = re.compile(
    r"(?:offering|offer|provide|providing|available for|selling|sell|i do|we do|"
    r"can deliver|speciali[sz]e in|for sale:?)\s+(?P<s>(?:[^.;:!?\n]|(?<=\d)[.,:](?=\d))+)"
    # "I design logos": the verb is part of the service.
    r"|\b(?:i|we)\s+(?:can\s+)?(?P<s2>(?:build|draw|write|design|create|develop|translate|"
    r"edit|teach|fix|record|produce|paint|make|run|rent|train|teach)\s+(?:[^.;:!?\n]|(?<=\d)[.,:](?=\d))+)",
    re.I,
)
_SEEK_SERVICE = re.compile(
    r"(?:need|needs|looking for|looking to (?:buy|hire|find|get)|seeking|seeks|seek|"
    r"want(?:s|ed)?(?: to (?:buy|hire|find|get))?|require|requires|hiring|hire|buy|purchase|"
    r"searching for|in search of|in need of|would like|'d like|would love|'d love|after)"
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
        rf"\s*(?:,|\bfor\b|\bat\b|\bby\b)?\s*{_NUM}\s*{_CURRENCY}.*$", "", phrase, flags=re.I
    )
    phrase = re.sub(
        r",\s+(?:about|around|roughly|approximately|approx\.?|~|budget|\d).*$",
        "",
        phrase,
        flags=re.I,
    )
    phrase = re.sub(r"^(?:a|an|the|some)\s+", "", phrase, flags=re.I)
    return phrase[:200].strip(" ,"), topic


_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b[^.!?]{0,30}[.!?,]?$",
    re.I,
)


def service_gist(text: str) -> str:
    """The opening of the prose without amounts, for judging the service by meaning."""
    sentences = [p for p in _sentences(fold(text)) if not _GREETING.match(p)]
    gist = " ".join(sentences[:2])
    gist = re.sub(r"[$€£]?\s?\d[\d.,]*\s?(?:k\b)?", " ", gist)
    return re.sub(r"\s+", " ", gist).strip()[:240]


def _service_and_topic(text: str, offer: bool) -> tuple[str, str | None, tuple[str, ...]]:
    """(service, topic, every candidate phrase naming the service)."""
    pattern = _OFFER_SERVICE if offer else _SEEK_SERVICE
    phrases = [_phrase(m) for m in pattern.finditer(text)][:4]
    if offer:
        phrases += [m.group("s").strip() for m in _ROLE_SERVICE.finditer(text)][:2]
    if not phrases:
        other = _SEEK_SERVICE if offer else _OFFER_SERVICE
        phrases = [_phrase(m) for m in other.finditer(text)][:2]
    if not phrases:
        # A whole first sentence (greetings aside): its first word is capitalised only
        # by position.
        sentences = [p for p in _sentences(text) if not _GREETING.match(p)] or [text]
        phrase = sentences[0]
        phrases = [phrase[:1].lower() + phrase[1:] if phrase[1:2].islower() else phrase]
    # A service is a phrase, not a page: bounded before the topic pattern sees it.
    cleaned = [_clean_service(p[:300]) for p in phrases]
    service, topic = cleaned[0]
    candidates = tuple(dict.fromkeys(c for c, _ in cleaned if c))
    return service, topic, candidates


_NOT_A_CONDITION = re.compile(
    rf"{_CURRENCY}|\bbudget\b|\basking\b|\bdeliver(?:ed)? (?:by|in|within)\b|\bstart within\b|"
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

    def paren(match: re.Match[str]) -> str:
        if detect_injection(match.group(0)):
            dropped.append(match.group(0))
            return " "
        return match.group(0)

    text = _PAREN.sub(paren, text)
    kept = []
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", text):
        if detect_injection(sentence):
            dropped.append(sentence)
        else:
            kept.append(sentence)
    return " ".join(kept), tuple(d[:200] for d in dropped)


#: Every intent is read once and kept (issue 15): pairs are judged on the parsed form.
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
    service, topic, candidates = _service_and_topic(
        _without_instructions(fold(content)[:20_000])[0], offer
    )
    ask, high, low, hourly = _read_prices(text, offer)
    deadline, duration, start_within, start_date = _read_timeline(text, reference)
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
    hard = frozenset(kind for kind, pattern in HARD_PATTERNS if pattern.search(text))
    return StatedTerms(
        service=service,
        topic=topic,
        service_candidates=candidates,
        ask=ask,
        price_max=high,
        price_min=low,
        hourly=hourly,
        hours=hours,
        deadline=deadline,
        duration_days=duration,
        start_within_days=start_within,
        start_date=start_date,
        quantities=tuple(
            (int(n.replace(",", "")), unit.lower()) for n, unit in _QUANTITY.findall(text)
        )[:10],
        conditions=conditions[:20],
        hard=hard,
        negotiable=bool(re.search(r"\bnegotiable\b|\bopen to offers\b|\bflexible\b", text, re.I)),
        facts=read_facts(text, offer=offer, reference=reference),
        gist=service_gist(_without_instructions(fold(content)[:20_000])[0]),
        injection_dropped=dropped,
    )
