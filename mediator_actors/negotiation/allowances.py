"""An amount each priced thing includes, and the rate for each unit beyond it.

"$60 per episode up to 60 min, $1/min beyond that" against "4 episodes a month ...
Episodes run ~75 minutes"; "£45 per entry, up to 5 commodity lines, £3 per extra line"
against "8 entries per month, each about 8 commodity lines"; "1.500 km/month included,
extra km €0,15. €549/month" against "4 months, around 1.200 km per month". The total
is each thing's rate plus its units beyond the allowance, times the count of things.

Precision first: the allowance must be the offer's one amount of the extra's unit, written
in the rate's own sentence or stated per the thing counted ("per month"); the seek's
amount must be its one amount of that unit and be each thing's: stated per it, beside
"each", or in a sentence about the things that does not count them. Anything else is left
to the callers' other readings (or "cannot check").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from mediator_actors.negotiation.reader import (
    TIME_DAYS,
    Bound,
    Facts,
    Money,
    Quantity,
    Span,
    canonical_unit,
)

__all__ = [
    "Allowance",
    "WordedAllowance",
    "allowance_each",
    "extra_counts",
    "extra_unit_rates",
    "priced_per_period",
    "read_worded_allowance",
    "with_worded_allowance",
    "worded_allowance",
]


@dataclass(frozen=True)
class Allowance:
    """``beyond`` units of ``extra.per`` past ``included`` on each of the things counted."""

    extra: Money
    included: Quantity
    needed: Quantity
    beyond: int


_SENTENCE = re.compile(r"(?:[^.;!?\n]|(?<=\d)[.,](?=\d))+")


def _sentence_of(text: str, start: int) -> tuple[int, int]:
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < m.end():
            return m.span()
    return 0, len(text)


def _each_thing(seek_text: str, q: Quantity, thing: str, thing_span: tuple[int, int]) -> bool:
    """Whether the seek's amount ``q`` is written as each thing's ("each about 8 lines",
    "~55 min each", "8 lines per entry", "Episodes run ~75 minutes")."""
    start, end = q.span.start, q.span.end
    before = seek_text[max(0, start - 24) : start]
    after = seek_text[end : end + 24]
    if re.search(r"\beach\s*(?:about|around|approx\.?|roughly|~)?\s*$", before, re.I):
        return True
    if re.match(r"\s*(?:each|apiece)\b", after, re.I):
        return True
    per = re.match(r"\s*(?:per|a|an|each|every)\s+([^\W\d_][\w-]*)", after, re.I)
    if per and canonical_unit(per.group(1)) == thing:
        return True
    lo, hi = _sentence_of(seek_text, start)
    if lo <= thing_span[0] < hi:
        return False  # the sentence counts the things: the amount may be all of theirs
    words = {canonical_unit(w) for w in re.findall(r"[^\W\d_][\w-]*", seek_text[lo:start])}
    return thing in words


def allowance_each(
    o: Facts,
    s: Facts,
    *,
    rate: Money,
    thing: str,
    count: Quantity,
    extra: Money,
    offer_text: str,
    seek_text: str,
) -> Allowance | None:
    """The units beyond the allowance on each of ``count`` things priced by ``rate``
    (per ``thing``), at the one ``extra`` rate; None when anything is unclear."""
    unit = extra.per
    if unit is None or unit == thing or extra.per2 is not None or extra.low != extra.high:
        return None
    lo, hi = _sentence_of(offer_text, rate.span.start)
    included = [
        q
        for q in o.quantities
        if q.unit == unit
        and q.bound in ("about", "at_most")
        and (q.period == thing or (q.period is None and lo <= q.span.start < hi))
    ]
    if len({q.value for q in included}) != 1 or any(
        q.unit == unit and q not in included for q in o.quantities
    ):
        return None
    amounts = [q for q in s.quantities if q.unit == unit]
    if len(amounts) != 1 or amounts[0].bound != "about":
        return None
    needed = amounts[0]
    if needed.period is not None:
        if needed.period != thing:
            return None
    elif not _each_thing(seek_text, needed, thing, (count.span.start, count.span.end)):
        return None
    beyond = max(0, math.ceil(needed.value - included[0].value - 1e-9))
    return Allowance(extra, included[0], needed, beyond)


#: "extra km €0,15", "additional page: $20": a price right after a word of "extra" and a unit.
_EXTRA_UNIT_BEFORE = re.compile(
    r"\b(?:extra|additional|each\s+extra|each\s+additional|further)\s+([^\W\d_][\w-]*)\s*[:=]?\s*$",
    re.I,
)


def extra_unit_rates(o: Facts, offer_text: str) -> Facts:
    """``o`` with each bare price written right after "extra <unit>" ("extra km €0,15")
    read as the rate on top it is, per that unit: only where the offer also states an
    amount of that unit (what the price includes)."""
    money = []
    changed = False
    units = {q.unit for q in o.quantities}
    for m in o.money:
        if m.per is None and not m.extra and not m.fee and m.low == m.high:
            hit = _EXTRA_UNIT_BEFORE.search(offer_text[max(0, m.span.start - 30) : m.span.start])
            unit = canonical_unit(hit.group(1)) if hit else None
            if unit is not None and unit in units:
                money.append(replace(m, per=unit, extra=True, alternative=False))
                changed = True
                continue
        money.append(m)
    return replace(o, money=tuple(money)) if changed else o


#: Written forms of a unit the reader's vocabulary keys apart ("60 ft", "75 feet").
_ALIASES = {"ft": "foot", "feet": "foot"}
_BEYOND = frozenset({"extra", "addit", "additional", "further"})
_NUMBER = re.compile(r"(?P<lead>\bup\s+to\s+)?(?<![\d.,])(?P<n>\d+)(?![\d.,]\d)", re.I)
_WORDS = re.compile(r"\s+([^\W\d_][\w-]*)")


def _unit_of(word: str) -> str:
    key = canonical_unit(word)
    return _ALIASES.get(key, key)


def _counts_of(text: str, unit: str, skip: tuple[int, int] | None = None) -> list[Quantity]:
    """Every "N unit" (up to two words between: "2 revision rounds") in ``text``."""
    found = []
    for m in _NUMBER.finditer(text):
        if skip is not None and skip[0] <= m.start("n") < skip[1]:
            continue
        at = m.end()
        for _ in range(3):  # the unit among the next three words: "2 revision rounds"
            w = _WORDS.match(text, at)
            if w is None:
                break
            at = w.end()
            if _unit_of(w.group(1)) == unit:
                span = Span(m.start("n"), at, text[m.start("n") : at])
                bound: Bound = "at_most" if m.group("lead") else "about"
                found.append(Quantity(float(m.group("n")), unit, bound, span))
                break
    return found


def extra_counts(o: Facts, s: Facts, offer_text: str, seek_text: str) -> tuple[Facts, Facts]:
    """``o`` and ``s`` with the one count each side writes of the unit of the offer's
    one rate for each extra unit ("2 revision rounds" included, "Extra revision rounds
    €80 each"; "driveways up to 60 ft, +$5 per extra foot") where the reader read no
    count of that unit on either side, the rate marked as on top: the flat price's
    allowance and the seek's amount for :func:`_beyond_included`. Unchanged where either
    side writes no such count or several."""
    rates = [
        m
        for m in o.money
        if m.per is not None
        and m.per2 is None
        and m.low == m.high
        and m.per not in TIME_DAYS
        and (m.extra or m.context & _BEYOND)
    ]
    if len(rates) != 1:
        return o, s
    rate = rates[0]
    unit = _ALIASES.get(rate.per or "", rate.per or "")
    if any(_ALIASES.get(q.unit, q.unit) == unit for q in (*o.quantities, *s.quantities)):
        return o, s
    offered = _counts_of(offer_text, unit, (rate.span.start, rate.span.end))
    wanted = _counts_of(seek_text, unit)
    if len(offered) != 1 or len(wanted) != 1:
        return o, s
    money = tuple(
        replace(m, per=unit, extra=True, alternative=False) if m is rate else m for m in o.money
    )
    return (
        replace(o, money=money, quantities=(*o.quantities, offered[0])),
        replace(s, quantities=(*s.quantities, wanted[0])),
    )


# --- allowances written in words, in several languages ---------------------------------

#: "up to 100 receipts", "bis 100 Belege", "inkl. 100 Belege", "jusqu'à 40 pages",
#: "hasta 30 páginas", "fino a 50 pagine", "tot 100 bonnen": the amount a price includes.
_INCLUDED = re.compile(
    r"\b(?:up\s+to|includ(?:es|ing|ed)|incl\.?|covers?|first|bis(?:\s+zu)?|inkl\.?|inklusive|"
    r"einschlie(?:ß|ss)lich|jusqu['\u2019]\s*(?:à|a)|(?:y\s+)?compris|inclu(?:ant|s|ye|yendo|idos?|idas?)|"
    r"hasta|fino\s+a|incluse?|compres[io]|tot(?:\s+en\s+met)?|inclusief)\s+"
    r"(?P<n>\d{1,6})\s+(?P<u>[^\W\d_][\w-]*)",
    re.I,
)
#: A word for "each one beyond": before the unit ("each further receipt", "jeder weitere
#: Beleg", "elke extra bon", "additional receipts") or after it ("chaque page
#: supplémentaire", "cada página adicional", "ogni pagina in più").
_EACH_BEYOND = re.compile(
    r"\b(?:(?:(?:each|every|per|for\s+each|for\s+every)\s+)?(?:extra|additional|further)|"
    r"(?:(?:jede[rsn]?|je|pro|für\s+jede[rsn]?)\s+)?(?:weitere[nrsm]?|zusätzliche[nrsm]?)|"
    r"(?:elke|per|iedere)\s+(?:extra|bijkomende|volgende))\s+(?P<u>[^\W\d_][\w-]*)"
    r"|\b(?:chaque|par|pour\s+chaque|cada|por|para\s+cada|ogni|per\s+ogni)\s+"
    r"(?P<v>[^\W\d_][\w-]*)\s+(?:suppl[ée]mentaire|en\s+plus|adicional|extra|m[áa]s|"
    r"in\s+pi[uù]|aggiuntiv[oaie]|ulteriore)\b",
    re.I,
)


def _same_noun(a: str, b: str) -> bool:
    """Whether two written forms name one thing ("Beleg"/"Belege", "pagina"/"pagine",
    "receipt"/"receipts"): the same unit, or all but the shorter's last letter shared."""
    a, b = a.lower(), b.lower()
    if canonical_unit(a) == canonical_unit(b):
        return True
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared >= max(4, min(len(a), len(b)) - 1)


@dataclass(frozen=True)
class WordedAllowance:
    """The amount ``included`` of the seek's ``needed`` unit the offer's price covers, and
    its rate for each one beyond when one is written beside it (else None)."""

    included: Quantity
    needed: tuple[Quantity, ...]
    extra: Money | None


#: What may stand between "jeder weitere Beleg" and its rate: "jeder weitere Beleg: 1,20 €".
_BESIDE = re.compile(r"\s*(?::|=|-|à|a|at|je|kostet|costs?|cuesta|coûte|costa|kost)?\s*", re.I)


def _rate_beside(o: Facts, offer_text: str, start: int, end: int) -> Money | None:
    """The one single amount written right before or right after a "for each one beyond"
    phrase at ``start``:``end`` ("1,20 € je weiterer Beleg", "jeder weitere Beleg 1,20 €")."""
    near = [
        m
        for m in o.money
        if m.low == m.high
        and not m.fee
        and (
            0 <= start - m.span.end <= 3
            or (
                m.span.start >= end
                and _BESIDE.fullmatch(offer_text[end : m.span.start]) is not None
            )
        )
    ]
    return near[0] if len(near) == 1 else None


#: "70 bonnen", "about 120 Belege": a count and the word after it.
_COUNT = re.compile(r"(?<![\d.,])(?P<n>\d{1,6})(?![\d.,]\d)\s+(?P<u>[^\W\d_][\w-]*)")


def _written_counts(seek_text: str, word: str) -> tuple[Quantity, ...]:
    """Every "N <word>" of the offer's allowance noun the seek writes where the reader
    read none ("70 bonnen per maand"): an amount the price may not cover."""
    return tuple(
        Quantity(float(c.group("n")), canonical_unit(word), "about", Span(*c.span(), c.group(0)))
        for c in _COUNT.finditer(seek_text)
        if _same_noun(c.group("u"), word)
    )


def worded_allowance(o: Facts, s: Facts, offer_text: str, seek_text: str) -> WordedAllowance | None:
    """The offer's one written allowance of a unit the seek counts, with its rate beyond
    when written in the same sentence; None where the offer writes none or several. The
    seek's amounts are the reader's, or else its written "N <noun>" of that noun."""
    found: list[WordedAllowance] = []
    for m in _INCLUDED.finditer(offer_text):
        # from the price's sentence to the amount's ("inkl." ends no sentence)
        lo, hi = _sentence_of(offer_text, m.start())[0], _sentence_of(offer_text, m.start("n"))[1]
        if not any(lo <= p.span.start < hi for p in o.money):
            continue  # "for up to 100 guests" with no price beside it is a capacity
        word = m.group("u")
        needed = tuple(
            q for q in s.quantities if q.bound in ("about", "at_least") and _same_noun(q.unit, word)
        )
        if not needed:
            needed = _written_counts(seek_text, word)
        if not needed:
            continue
        unit = needed[0].unit
        span = Span(m.start("n"), m.end("u"), offer_text[m.start("n") : m.end("u")])
        included = Quantity(float(m.group("n")), unit, "at_most", span)
        rates = []
        for e in _EACH_BEYOND.finditer(offer_text, lo, hi):
            if e.start() < m.end() or not _same_noun(e.group("u") or e.group("v"), word):
                continue
            rate = _rate_beside(o, offer_text, e.start(), e.end())
            if rate is not None and rate.per in (None, unit) and rate.per2 is None:
                rates.append(rate)
        extra = rates[0] if len(rates) == 1 else None
        found.append(WordedAllowance(included, needed, extra))
    return found[0] if len(found) == 1 else None


def read_worded_allowance(
    o: Facts, s: Facts, offer_text: str, seek_text: str
) -> tuple[Facts, WordedAllowance | None]:
    """``o`` with its one worded allowance read (:func:`with_worded_allowance`), and it."""
    found = worded_allowance(o, s, offer_text, seek_text)
    return (o, None) if found is None else (with_worded_allowance(o, found), found)


def with_worded_allowance(o: Facts, found: WordedAllowance) -> Facts:
    """``o`` with the allowance's amount and its rate beyond read as the reader reads
    English ones ("up to 100 receipts", "each further receipt 1.20"): the amount at most,
    the rate on top per the unit."""
    unit = found.included.unit
    quantities = o.quantities
    if not any(q.unit == unit and q.value == found.included.value for q in quantities):
        quantities = (*quantities, found.included)
    extra = found.extra
    money = tuple(
        replace(m, per=unit, extra=True, alternative=False) if m is extra else m for m in o.money
    )
    return replace(o, money=money, quantities=quantities)


def priced_per_period(o: Facts, s: Facts, offer_text: str) -> Facts:
    """``o`` with a flat price written beside an amount by a period ("10 h/month for
    $1,100", "20 Stunden im Monat für 900 €") read as charged by that period, where the
    seek's budget is by it too: the price of what each period includes. Unchanged where
    the sentence states amounts by several periods, or the offer writes other prices."""
    asks = [m for m in o.money if not m.extra and not m.fee]
    if len(asks) != 1 or asks[0].per is not None or asks[0].low != asks[0].high:
        return o
    ask = asks[0]
    lo, hi = _sentence_of(offer_text, ask.span.start)
    periods = {q.period for q in o.quantities if lo <= q.span.start < hi and q.period}
    if len(periods) != 1:
        return o
    period = periods.pop()
    if period not in TIME_DAYS or not any(m.per == period for m in s.money):
        return o
    return replace(o, money=tuple(replace(m, per=period) if m is ask else m for m in o.money))
