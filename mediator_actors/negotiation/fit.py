"""Judging a pair on what each side stated: the checks the offline negotiator and the
constraint check of an LLM's terms share.

Works on :class:`reader.Facts` read once per intent; no parsing happens here. Each check
returns a refusal (a stated constraint fails), a "cannot check" note (a stated constraint
the reader cannot evaluate: it lowers the confidence, or declines when it is one the
deal cannot be made without), or a note of what was checked. Reasons quote the span of
prose they rest on.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field, replace

from mediator_actors.negotiation import regions
from mediator_actors.negotiation.allowances import (
    WordedAllowance,
    allowance_each,
    extra_counts,
    extra_unit_rates,
    priced_per_period,
    read_worded_allowance,
)
from mediator_actors.negotiation.amounts import (
    BOOKING_UNITS as _BOOKING_UNITS,
)
from mediator_actors.negotiation.amounts import CALENDAR_MONTHS as _CALENDAR_MONTHS
from mediator_actors.negotiation.amounts import (
    CAPACITY_UNITS,
    PORTION_UNITS,
    USER_UNITS,
)
from mediator_actors.negotiation.amounts import WORK_SECONDS as _WORK_SECONDS
from mediator_actors.negotiation.amounts import stated_amounts as _amounts
from mediator_actors.negotiation.amounts import time_ratio as _time_ratio
from mediator_actors.negotiation.audit import LANGUAGE_MARK, audit
from mediator_actors.negotiation.blocks import block_of, blocks_beyond
from mediator_actors.negotiation.charges import PER_STAY, is_charge, is_order_charge, left_out_price
from mediator_actors.negotiation.clauses import optional_extra
from mediator_actors.negotiation.counting import (
    action_count,
    compound_count,
    kind_count,
    named_apart,
    names_plural,
    number_beside,
    one_named,
    seek_hours,
)
from mediator_actors.negotiation.demands import hard_minimum
from mediator_actors.negotiation.discounts import discounted_count, yearly_discount
from mediator_actors.negotiation.distance import (
    MILE_KM,
    distances_from,
    distances_stated,
    included_radius,
)
from mediator_actors.negotiation.dollars import local_dollar, unknown_dollar
from mediator_actors.negotiation.heads import (
    VISIT_UNITS,
    container_sizes,
    crew_tiers,
    each_extra_rates,
    exact_package,
    free_delivery,
    head_count,
    measure_base,
    outer_packs,
    pack_count,
    package_alternatives,
    per_order_fees,
    per_thing_count,
    plus_marked,
    same_unit,
    sized_count,
    times_each,
    volume_discount,
)
from mediator_actors.negotiation.incoterms import term_gap
from mediator_actors.negotiation.kinds import covered_by
from mediator_actors.negotiation.licences import use_conflict
from mediator_actors.negotiation.lines import is_price_list, price_list_total, same_unit_part
from mediator_actors.negotiation.measures import measured_words
from mediator_actors.negotiation.numbers import UNIT_WORDS
from mediator_actors.negotiation.once import stated_once
from mediator_actors.negotiation.party import SEAT_WORDS, SEATED_WORDS, counted_party
from mediator_actors.negotiation.periods import amount_per_period
from mediator_actors.negotiation.rand import rand_marks
from mediator_actors.negotiation.reader import (
    JOB_UNITS,
    LANGUAGES,
    SPEC_UNITS,
    TIME_DAYS,
    Facts,
    Money,
    Quantity,
    Span,
    canonical_unit,
    clause_min_age,
    own_age,
    rough_stem,
)
from mediator_actors.negotiation.returns import trips_there_and_back
from mediator_actors.negotiation.sizes import size_alternatives, space_area
from mediator_actors.negotiation.tiers import nested_tiers
from mediator_actors.negotiation.vocabulary import VARIANT_FAMILIES, fold, tokens
from mediator_actors.negotiation.waived import minimum_charges, waived_charges
from mediator_actors.negotiation.workdays import working_days


def _stem(word: str) -> str:
    return next(iter(tokens(word)), word)


def _singular(unit: str, s: Facts, seek_words: frozenset[str]) -> bool:
    """The seek names one of ``unit`` ("a simple brand kit") and no number of it."""
    # A compound unit ("gpu-hour") is never one because the seek says "48-hour".
    parts = tokens(unit.replace("-", " "))
    return (
        "-" not in unit
        # a measure is never "one": "per m2" against "the walls" states no area at all
        and unit not in MEASURE_UNITS
        and _stem(unit) in seek_words
        and not any(q.unit == unit or q.unit in parts for q in s.quantities)
    )


__all__ = [
    "Findings",
    "PriceBasis",
    "age_clause_met",
    "check_facts",
    "clear_caches",
    "price_basis",
    "seek_amount",
]

#: Units that measure a thing rather than count things: "a 12 kg cat for two nights" is
#: one cat, never twelve times the nightly rate.
MEASURE_UNITS = frozenset(
    {
        "kg",
        "g",
        "km",
        "mile",
        "cm",
        "mm",
        "m2",
        "m3",
        "cm2",
        "cm3",
        "mm2",
        "mm3",
        "sqft",
        "gb",
        "tb",
        "core",
        "second",
        "minute",
    }
)
#: Confidence cost of a stated constraint the reader cannot evaluate.
UNCHECKED_COST = 6
#: Cost of one the deal cannot be judged without: enough to decline on its own.
BLOCKING_COST = 30


@dataclass
class Findings:
    refusals: list[str] = field(default_factory=list)
    unchecked: list[tuple[str, int]] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    bonus: int = 0
    #: The readings (their spans) a check held against the other side, passed or refused:
    #: what the closing audit (audit.py) counts as compared.
    consulted: set[Span] = field(default_factory=set)

    def cannot(self, what: str, cost: int = UNCHECKED_COST) -> None:
        self.unchecked.append((f"cannot check: {what}", cost))

    def consult(self, *spans: Span) -> None:
        self.consulted.update(spans)

    @property
    def penalty(self) -> int:
        return sum(cost for _, cost in self.unchecked)


@dataclass(frozen=True, slots=True)
class PriceBasis:
    """The price both sides can be held to, in ``currency``: ``floor`` the least the
    offer accepts and ``ceiling`` the most the seek pays (None: not stated), both totals
    for ``quantity`` of ``unit`` or rates per ``per``."""

    floor: float | None
    ceiling: float | None
    currency: str | None
    per: str | None = None  # both are rates per this unit
    quantity: float | None = None
    unit: str | None = None
    note: str = ""
    #: The last step of the derivation ``note`` ends with ("3 hours at 45 GBP is 135
    #: GBP"), quoted where a total is doubted; empty when the note is one step.
    step: str = ""
    refusal: str | None = None
    unchecked: str | None = None
    at_least: bool = False  # the floor rests on the offer's minimum, not the seek's amount
    #: The count is the offer's minimum order, standing in for one the seek did not state.
    at_minimum: bool = False
    #: The count is the offer's own estimate or pack size ("estimated 25 hours", "cases of
    #: 6 bottles"), standing in for one the seek did not state in the offer's unit.
    estimated: bool = False
    #: The count is the seek's recurring need multiplied out over its periods.
    recurring: bool = False
    #: A whole order of the offer's containers with its discount and delivery applied
    #: (:func:`_pack_order`): no package price stands in for it.
    packed: bool = False
    #: A rate over the seek's amount for one occasion or period of its budget
    #: (:func:`amount_per_period`): every other price of the offer must be shown not to apply.
    tied: bool = False


def _plural(unit: str | None) -> str:
    """A unit's plural for a reason: "deliveries", "properties", "boxes", "hours"."""
    word = unit or ""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(?:s|x|ch|sh)$", word):
        return word + "es"
    return word + "s"


def _q(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _money(value: float, currency: str | None) -> str:
    return f"{_q(value)} {currency or '(no currency)'}"


#: Travel rate units and their length in km.
_DISTANCE_PER = {"km": 1.0, "mile": MILE_KM, "mi": MILE_KM}


def _in_dozens(s: Facts) -> list[Quantity]:
    """The seek's counts written in dozens ("6 dozen eggs", read as 72 eggs) as dozens,
    for a rate "per dozen"."""
    return [
        replace(q, value=q.value / 12, unit="dozen")
        for q in s.quantities
        if q.bound == "about" and q.value % 12 == 0 and re.search(r"\bdozens?\b", q.span.text, re.I)
    ]


def seek_amount(o: Facts, s: Facts, unit: str) -> Quantity | None:
    """The most of ``unit`` the seek states it needs (booking and work time convert)."""
    amounts = _amounts(s, unit)
    if not amounts and (unit in CAPACITY_UNITS or unit in PORTION_UNITS or unit in USER_UNITS):
        amounts = _amounts(s, "person")
    if not amounts and unit == "pair":
        # "15 EUR per pair" against "4 pairs of trousers" (read as 4 trousers).
        amounts = [
            q
            for q in s.quantities
            if q.bound == "about" and re.search(r"\bpairs?\b", q.span.text, re.I)
        ]
    if not amounts and unit == "dozen":
        amounts = _in_dozens(s)  # "£3.50 per dozen" against "6 dozen eggs"
    if not amounts and unit == "item":
        # "per unit" against "500 USB-C chargers": a count of a noun the offer names.
        offered = tokens(
            " ".join(q.span.text for q in o.quantities)
            + " "
            + " ".join(" ".join(m.context) for m in o.money)
        )
        amounts = [
            q
            for q in s.quantities
            if q.bound == "about"
            and q.unit not in TIME_DAYS
            # "32GB RAM" is a size of each thing, never a count of things "per unit"
            and q.unit not in MEASURE_UNITS
            and q.unit not in SPEC_UNITS
            # "IKEA PAX wardrobe 90 per piece" for "2 PAX wardrobes": a word of the count
            and (
                tokens(q.unit) & offered
                or rough_stem(q.unit) in o.positives
                or (q.unit != "person" and tokens(q.span.text) & offered)
            )
        ]
    if amounts:
        return max(amounts, key=lambda q: q.value)
    # "per GPU-hour" against "8x A100 for 48 hours"; "per delivery" against "6 envelopes
    # delivered": counts the seek states in other units.
    return compound_count(o, s, unit) or action_count(s, unit) or kind_count(s, unit)


def _blocks(s: Facts, minutes: float) -> Quantity | str | None:
    """How many blocks of ``minutes`` the seek's stated work time is ("about 1 hour" is 4
    blocks of 15 minutes), None when it states none, or why it is no whole number."""
    stated = _amounts(s, "minute")
    if not stated:
        return None
    need = max(stated, key=lambda q: q.value)
    count = need.value / minutes
    if abs(count - round(count)) > 1e-9 or round(count) < 1:
        return f"the seek's '{need.span.text}' is no whole number of {minutes:g}-minute blocks"
    return Quantity(float(round(count)), "session", "about", need.span)


def _periods(s: Facts, period: str) -> Quantity | None:
    """How many whole ``period``s the seek's request spans ("for 10 weeks" is 10 weeks; "for
    2 months" is no whole number of weeks)."""
    spans = [
        q for q in s.quantities if q.bound == "about" and q.period is None and q.unit in TIME_DAYS
    ]
    for q in sorted(spans, key=lambda q: -q.value * TIME_DAYS[q.unit]):
        if q.unit not in _BOOKING_UNITS or period not in _BOOKING_UNITS:
            continue
        count = q.value * _time_ratio(q.unit, period)
        if count >= 1 - 1e-9 and abs(count - round(count)) < 1e-9:
            return Quantity(float(round(count)), period, "about", q.span)
    return None


def _recurring_amount(  # noqa: PLR0911 - one flat pass of rules reads best
    s: Facts, unit: str, amount: Quantity | None
) -> Quantity | str | None:
    """The whole request's count of ``unit`` when the seek's need recurs ("2 hours a week for
    10 weeks" is 20 hours, "weekly cleaning for 3 months" has no whole number of visits),
    None when it does not recur, or why it cannot be totalled."""
    if amount is not None and amount.period is not None and amount.period != unit:
        nested = [
            q
            for q in s.quantities
            if q.period is not None and q is not amount and q.unit in TIME_DAYS
        ]
        if nested:
            # "3 days a week, 8 hours a day": periods within periods; precision first.
            return f"the seek needs '{amount.span.text}' a {amount.period} and '{nested[0].span.text}' a {nested[0].period}"
        periods = _periods(s, amount.period)
        if periods is None:
            return f"the seek needs '{amount.span.text}' a {amount.period} and states no whole number of {_plural(amount.period)}"
        span = Span(amount.span.start, amount.span.end, f"{amount.span.text} x {periods.span.text}")
        return Quantity(amount.value * periods.value, unit, "about", span)
    each = amount is not None and amount.span.start in s.each_starts
    if s.recurrence is None:
        occasions = [q for q in s.quantities if q.unit in _DAY_NAMES and q.bound == "about"]
        if each and amount is not None and len(occasions) == 1:
            # "5 hours each, 4 Saturdays": the amount is one occasion's.
            span = Span(
                amount.span.start, amount.span.end, f"{amount.span.text} x {occasions[0].span.text}"
            )
            return Quantity(amount.value * occasions[0].value, unit, "about", span)
        return None
    times, period, where = s.recurrence
    if each and amount is not None and times is not None and period is not None:
        # "2x a week for 5 weeks, 1hr each": one occasion's amount, times the occasions.
        periods = _periods(s, period)
        if periods is None:
            return f"the seek's '{amount.span.text}' recurs ('{where.text}') and states no whole number of {period}s"
        span = Span(
            amount.span.start,
            amount.span.end,
            f"{amount.span.text} x {where.text} x {periods.span.text}",
        )
        return Quantity(amount.value * times * periods.value, unit, "about", span)
    if amount is not None and unit not in _WORK_SECONDS:
        return None  # "10 lessons, once a week": the count is the whole request
    low, high = s.recurrence_sentence
    if amount is not None and not s.per_occasion and not low <= amount.span.start < high:
        # "a script to run daily. Estimated 15 hours": what recurs is not the work.
        return None
    if times is None or period is None:
        return f"the seek's request recurs ('{where.text}') with no count the reader can use"
    if amount is not None:
        return f"the seek's '{amount.span.text}' recurs ('{where.text}')"
    periods = _periods(s, period)
    if periods is None:
        return f"the seek's request recurs ('{where.text}') and states no whole number of {period}s"
    span = Span(where.start, where.end, f"{where.text} x {periods.span.text}")
    return Quantity(times * periods.value, unit, "about", span)


def _relevance(m: Money, s: Facts) -> tuple[int, int, float]:
    """Which of an offer's prices the seek is about: the unit it counts in, then the words
    of the price's clause ("small dogs 45 EUR" for a small dog); ties go to the higher."""
    # A total budget says nothing about which of the offer's prices applies.
    units = {b.per for b in s.money if b.per is not None} | {q.unit for q in s.quantities}
    return (int(m.per in units), len(m.context & s.positives), m.low)


def _days_of(o: Facts, s: Facts, amount: Quantity) -> Quantity | None:
    """The seek's one count of days that ``amount`` of work time a day ("8 hours per
    day") is needed on ("for 2 days"), or None. Never where the offer's least a day
    ("minimum 6 hours per day") is more than the seek's day: the minimum would bind."""
    if amount.period != "day" or amount.unit not in _WORK_SECONDS or s.recurrence is not None:
        return None
    days = [q for q in s.quantities if q.unit == "day" and q.bound == "about" and q.period is None]
    if len(days) != 1 or days[0].value < 1 or days[0].value != int(days[0].value):
        return None
    seconds = amount.value * _WORK_SECONDS[amount.unit]
    binding = [
        q
        for q in o.quantities
        if q.unit in _WORK_SECONDS and q.bound == "at_least" and q.period is not None
    ]
    if any(q.period != "day" or q.value * _WORK_SECONDS[q.unit] > seconds + 1e-9 for q in binding):
        return None
    return days[0]


def _times(o: Facts, s: Facts, ask: Money, budget: Money) -> tuple[float, str] | None:
    """Further counts the rate applies to: "per hour per guard" x "2 guards", or a rate
    by the day for "two e-bikes"."""
    if ask.per2 is not None and ask.per2 != budget.per:
        amount = seek_amount(o, s, ask.per2)
        days = None if amount is None else _days_of(o, s, amount)
        if amount is not None and days is not None:
            # "5 pickers for 2 days, 8 hours per day" at "€16 per picker per hour"
            return amount.value * days.value, (
                f"x {_q(amount.value)} {_plural(ask.per2)} a day ('{amount.span.text}') on "
                f"{_q(days.value)} days ('{days.span.text}')"
            )
        if amount is not None:
            return amount.value, f"x {_q(amount.value)} {_plural(ask.per2)} ('{amount.span.text}')"
        # "$35/hr per cleaner, we come as 2 cleaners": the offer's own one count of them
        own = [
            q for q in o.quantities if q.unit == ask.per2 and q.bound == "about" and not q.period
        ]
        people = {q.value for q in s.quantities if q.unit == "person" and q.bound == "about"}
        if (
            own
            and len({q.value for q in own}) == 1
            and ask.per2 not in TIME_DAYS
            # "it'll take 3 people": the seek's own count of workers, if it differs, rules
            and people <= {own[0].value}
        ):
            q = own[0]
            return q.value, f"x the offer's {_q(q.value)} {_plural(ask.per2)} ('{q.span.text}')"
    if ask.per in TIME_DAYS:
        # "per day, plus 1.50 per hectare" for "80 hectares": a thing with a rate of its
        # own is a line item (``_line_items``), never a multiplier of the daily rate.
        priced = {m.per for m in o.money if m.per is not None}
        for q in s.quantities:
            if (
                q.unit not in priced
                and q.bound == "about"
                and q.value >= 2
                and q.unit not in TIME_DAYS
                and q.unit != "person"
                and q.unit not in MEASURE_UNITS
                and rough_stem(q.unit) in o.positives
            ):
                return q.value, f"x {_q(q.value)} {_plural(q.unit)} ('{q.span.text}')"
    return None


#: Most characters between a package's price and its amount ("€450" ... "for up to 7 days").
_PACKAGE_GAP = 12


def _package_amount(o: Facts, m: Money, unit: str) -> Quantity | None:
    """The offer's amount of ``unit`` a flat price is written with ("a pack of 10 sessions
    for €450", "€120 for up to 7 days"), or None."""
    for q in o.quantities:
        # "a pack of 10 for €450" next to a rate per session is 10 sessions
        if q.unit not in (unit, "pack") or q.bound not in ("about", "at_most"):
            continue
        before = 0 <= m.span.start - q.span.end <= _PACKAGE_GAP
        after = 0 <= q.span.start - m.span.end <= _PACKAGE_GAP
        if before or after:
            return q
    return None


def _cheaper_package(o: Facts, basis: PriceBasis) -> PriceBasis:
    """A rate's total against the offer's package that covers the same count for less
    ("€50 per session, or a pack of 10 sessions for €450" for 10 sessions; "€35/day or
    €120 for up to 7 days" for 6 days): the package is the price. A pack of exactly N
    covers N; "up to N" covers N or fewer."""
    if basis.floor is None or basis.per is not None or basis.unit is None or basis.quantity is None:
        return basis
    if basis.refusal or basis.unchecked or basis.at_least or basis.packed:
        return basis
    best: tuple[Money, Quantity, float, int] | None = None
    for m in o.money:
        # "Setup fee $40" beside "up to 60 min" is a charge, never a package of minutes
        if m.per is not None or m.fee or m.extra or m.bound == "at_most" or is_charge(m):
            continue
        if m.currency not in (None, basis.currency) or m.low >= basis.floor - 1e-9:
            continue
        q = _package_amount(o, m, basis.unit)
        if q is None:
            continue
        # "a monthly bundle of 4 lessons for $160" for 12 lessons: three bundles
        packs = basis.quantity / q.value if q.bound == "about" and q.value > 0 else 0.0
        exact = packs >= 1 - 1e-9 and abs(packs - round(packs)) < 1e-9
        within = q.bound == "at_most" and basis.quantity <= q.value + 1e-9
        times = round(packs) if exact else 1
        price = m.low * times
        if (exact or within) and price < basis.floor - 1e-9 and (best is None or price < best[2]):
            best = (m, q, price, times)
    if best is None:
        return basis
    m, q, price, times = best
    packs_note = "" if times == 1 else f"{times} x "
    step = f"{packs_note}the offer's '{m.span.text}' for '{q.span.text}' covers the {_q(basis.quantity)} {_plural(basis.unit)} for less: {_money(price, basis.currency)}"
    return replace(basis, floor=price, note=f"{basis.note}; {step}", step=step)


#: A budget that includes tax: "incl. VAT", "including GST", "inkl. MwSt", "TTC".
_TAX_IN = re.compile(
    r"\b(?:incl(?:\.|uding|usive\s+of)?|inkl\.?|inklusive|including)\s*(?:\d{1,2}\s*%\s*)?"
    r"(?:vat|gst|hst|tax(?:es)?|mwst|ust|btw|tva|iva)\b|\bttc\b",
    re.I,
)


def price_basis(
    o: Facts, s: Facts, seek_words: frozenset[str], seek_text: str = "", offer_text: str = ""
) -> PriceBasis:
    """The offer's floor and the seek's ceiling on one basis, or why there is none; an
    offer's minimum charge ("min. charge 60 EUR") raises a lower floor to itself. A total
    that leaves out a count the seek states is never proposed (precision first). A bare
    "$" of parties in Toronto is the Canadian dollar (:func:`local_dollar`)."""
    local = local_dollar(offer_text, seek_text)
    if local is not None:
        # the reader's USD for a bare "$" is the parties' own dollar, on both sides alike
        o, s = _in_dollar(o, local), _in_dollar(s, local)
    basis = _priced_basis(o, s, seek_words, seek_text, offer_text)
    unknown = unknown_dollar(offer_text, seek_text) if local is None else None
    if unknown is not None and basis.currency == "USD" and not basis.refusal:
        # never a price in a dollar the parties may not mean (precision first)
        return replace(basis, floor=None, unchecked=unknown)
    taxed = [span for word, span in o.addons if word == "vat"]
    if taxed and basis.per is not None and basis.floor is not None and _TAX_IN.search(seek_text):
        # "€300 per month plus 19 % VAT" against "max €340 per month incl. VAT": the rates
        # compare only with the tax on both, which the reader does not add
        basis = replace(
            basis,
            floor=None,
            unchecked=f"price: the offer puts '{taxed[0].text}' on top of its rate; the seek's budget includes it",
        )
    return basis


def _allowance_counted(o: Facts, basis: PriceBasis, worded: WordedAllowance | None) -> PriceBasis:
    """``basis``, declined where the seek needs more than the amount the offer's price
    includes and no rate for the ones beyond is read: never a price for less than the seek
    asks for (precision first). A rate read by that unit is the other passes' (the extra
    left out declines there; travel past the miles included is priced as travel); a price
    per thing ("$120 per video up to 15 min") includes the amount on each, not in all."""
    if worded is None or basis.floor is None or basis.refusal or basis.unchecked:
        return basis
    unit = worded.included.unit
    if any(m.per == unit for m in o.money):
        return basis
    if any(m.per not in (None, *TIME_DAYS) for m in o.money if not m.fee and not m.extra):
        return basis
    over = [q for q in worded.needed if q.value > worded.included.value + 1e-9]
    if not over:
        return basis
    if "beyond the" in basis.note and any(f"'{q.span.text}'" in basis.note for q in over):
        return basis  # counted at the rate beyond (``_beyond_included``, ``_allowances``)
    return replace(
        basis,
        floor=None,
        unchecked=(
            f"price: the offer's price includes '{worded.included.span.text}', the seek "
            f"needs '{over[0].span.text}'; the total leaves the ones beyond out"
        ),
    )


def _in_dollar(facts: Facts, code: str) -> Facts:
    """``facts`` with the reader's USD (a bare "$") as the dollar ``code``."""
    money = tuple(replace(m, currency=code) if m.currency == "USD" else m for m in facts.money)
    return replace(facts, money=money)


def _priced_basis(
    o: Facts, s: Facts, seek_words: frozenset[str], seek_text: str, offer_text: str
) -> PriceBasis:
    # "Each extra day €1.200" is a rate on top, per day; "290 €/Monat bis 100 Belege,
    # jeder weitere Beleg 1,20 €" the amount included and the rate beyond, in any language
    o, worded = read_worded_allowance(each_extra_rates(o), s, offer_text, seek_text)
    o = plus_marked(o, offer_text)  # "Supplies +$15 per visit" is on top
    o = per_order_fees(o, offer_text)  # "+ €40 set-up per order" is a fee, due once
    o, s = crew_tiers(o, s, offer_text)  # "£45/hr van + 1 man, £65/hr van + 2 men"
    # "extra km €0,15" is a rate on top, per km; "10 h/month for $1,100" is by the month
    o = priced_per_period(extra_unit_rates(o, offer_text), s, offer_text)
    o, s = extra_counts(o, s, offer_text, seek_text)  # "2 revision rounds" ... "€80 each"
    o = size_alternatives(o, offer_text, seek_text)  # "6-yard £230, 8-yard £270" for "8 yard"
    o = nested_tiers(o, s, offer_text)  # "£60 CV only, £85 CV + cover letter" for both
    # "If you want us to move furniture it's £40 extra" against "we will move it ourselves"
    o, waived = waived_charges(o, offer_text, seek_text)
    o = minimum_charges(o, offer_text, seek_text)  # "Minimum job £600" is the least paid
    basis = _price_basis(o, s, seek_words, seek_text, offer_text)
    basis = _over_working_days(s, basis, seek_text)  # "8h days, Mon-Fri" for "2 weeks"
    basis = _count_discounted(o, basis, offer_text)  # "3+ days: 20% off"
    basis = _yearly_discounted(o, basis, offer_text, seek_text)  # "pay yearly, save 10%"
    basis = _cheaper_package(o, basis)
    o, basis = _allowances(o, s, basis, seek_text, offer_text)
    basis = _with_charges(o, s, basis, offer_text)
    # the tied parts checked, and an amount included that the seek may need more than
    basis = _allowance_counted(
        o, _tied_checked(o, s, _same_unit_parts(o, basis, offer_text)), worded
    )
    if waived and basis.floor is not None:
        basis = replace(basis, note="; ".join([basis.note, *waived]))
    if basis.floor is None or basis.per is not None or basis.refusal or basis.unchecked:
        return _rate_left_out(o, s, basis)
    counted = s
    package = exact_package(o, s, basis.note, basis.floor) if basis.unit is None else None
    if package is not None:
        # "Package of 12 lessons ¥33,000" for "12 lessons": the offer's other ways to buy
        # the same lessons are alternatives, and the seek's count is the whole request.
        price, pack, wanted = package
        alternatives = package_alternatives(o, s, package)
        o = replace(o, money=tuple(m for m in o.money if m not in alternatives))
        counted = replace(
            s,
            quantities=tuple(
                q for q in s.quantities if q is wanted or q.unit not in TIME_DAYS or q.period
            ),
        )
        step = f"the offer's '{price.span.text}' for '{pack.span.text}' is the seek's '{wanted.span.text}'"
        basis = replace(
            basis,
            quantity=wanted.value,
            unit=wanted.unit,
            note=f"{basis.note}; {step}",
            step=step,
        )
    other = _another_item(o, s, basis)
    if other is not None and other.per is None and other.low == other.high:
        # "full service 85 EUR, chain replacement 30 EUR" for "full service incl. a new
        # chain": both items, each once; the seek's request never costs less than the sum.
        # "5 pairs hemmed and 2 of them also taken in at the waist": the part's count.
        part = _part_for(s, other)
        if part is None and any(_PART.search(q.span.text) for q in s.quantities):
            # a part the reader cannot tie to one item: its count may be this item's
            return replace(
                basis,
                floor=None,
                unchecked=f"price: the seek counts a part of its request the reader cannot tie to the offer's '{other.span.text}'",
            )
        times = 1.0 if part is None else part.value
        total = (basis.floor or 0.0) + other.low * times  # not None: checked above
        named = ", ".join(sorted(other.context & s.positives - _FUNCTION_STEMS))
        count = "" if part is None else f" x {_q(times)} ('{part.span.text}')"
        step = f"plus the offer's '{other.span.text}'{count} ({named}) the seek also names is {_money(total, basis.currency)}"
        basis = replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)
        other = _another_item(o, s, basis)
    if other is not None:
        return replace(
            basis,
            floor=None,
            unchecked=f"price: the seek's request may include the offer's '{other.span.text}' ({', '.join(sorted(other.context & s.positives - _FUNCTION_STEMS))}) as well as the price the reader took ({basis.step or basis.note})",
        )
    basis = _line_items(o, s, basis)
    charge = left_out_price(o, s, basis.note, basis.currency)
    added = None if charge is None else _one_price_on_top(o, s, basis, charge, offer_text)
    if added is not None:
        basis, charge = added, None
    if charge is not None:
        return replace(
            basis,
            floor=None,
            unchecked=f"price: the offer also states '{charge.span.text}', which the total the reader derives ({basis.step or basis.note}) leaves out",
        )
    left_out = _unaccounted(o, counted, basis, seek_text)
    if left_out is not None:
        return replace(
            basis,
            floor=None,
            unchecked=f"price: the seek's request counts '{left_out.span.text}', which the total the reader derives ({basis.step or basis.note}) does not account for",
        )
    return _visit_charges(o, s, basis)


def _rate_left_out(o: Facts, s: Facts, basis: PriceBasis) -> PriceBasis:
    """``basis`` (a rate the seek names no budget for, proposed per unit as it stands)
    unchecked where the offer states another price that may apply on top ("€90 per day;
    travel €40 flat"): the total the proposal states would leave it out. A rate compared
    with a budget per the same unit is held to that budget alone, as before."""
    if basis.floor is None or basis.per is None or basis.refusal or basis.unchecked:
        return basis
    if basis.ceiling is not None:
        return basis
    return _unchecked_if_left_out(o, s, basis, f"the rate the reader takes ({basis.note})")


def _unchecked_if_left_out(o: Facts, s: Facts, basis: PriceBasis, taken: str) -> PriceBasis:
    """``basis`` unchecked where the offer states a price that ``taken`` leaves out."""
    charge = left_out_price(o, s, basis.note, basis.currency)
    if charge is None:
        return basis
    return replace(
        basis,
        floor=None,
        unchecked=f"price: the offer also states '{charge.span.text}', which {taken} leaves out",
    )


def _same_unit_parts(o: Facts, basis: PriceBasis, offer_text: str) -> PriceBasis:
    """``basis`` unchecked where the offer charges a second rate by the unit its total
    counts ("28 per m² laying, 6 per m² removal"): a part of the work it may leave out."""
    if basis.floor is None or basis.unit is None or not offer_text:
        return basis
    part = same_unit_part(o, basis.note, basis.unit, basis.currency, offer_text)
    if part is None:
        return basis
    return replace(
        basis,
        floor=None,
        unchecked=f"price: the offer also charges '{part.span.text}' by the same unit, which the total the reader derives ({basis.step or basis.note}) leaves out",
    )


def _allowances(  # noqa: PLR0911 - one flat pass of conditions reads best
    o: Facts, s: Facts, basis: PriceBasis, seek_text: str, offer_text: str
) -> tuple[Facts, PriceBasis]:
    """``basis`` (one rate per thing times the seek's count of things) plus, on each
    thing, the units beyond what its rate includes at the offer's one rate for them
    ("$60 per episode up to 60 min, $1/min beyond that"), and ``o`` without that rate
    (it is in the total); both unchanged where :func:`allowance_each` finds no such
    reading."""
    if basis.floor is None or basis.per is not None or basis.unit is None:
        return o, basis
    if basis.quantity is None or basis.refusal or basis.unchecked or basis.packed:
        return o, basis
    if basis.estimated or basis.at_minimum or basis.at_least:
        return o, basis
    extras = [m for m in o.money if m.extra]
    rates = [m for m in o.money if m.per == basis.unit and f"'{m.span.text}'" in basis.note]
    if len(extras) != 1 or len(rates) != 1:
        return o, basis
    counts = [q for q in s.quantities if q.unit == basis.unit and q.value == basis.quantity]
    if len(counts) != 1:
        return o, basis
    found = allowance_each(
        o,
        s,
        rate=rates[0],
        thing=basis.unit,
        count=counts[0],
        extra=extras[0],
        offer_text=offer_text,
        seek_text=seek_text,
    )
    if found is None:
        return o, basis
    extra = found.extra
    total = round(basis.floor + basis.quantity * found.beyond * extra.low, 2)
    step = (
        f"each of the {_q(basis.quantity)} {_plural(basis.unit)} needs '{found.needed.span.text}', "
        f"{found.beyond} {_plural(extra.per)} beyond the '{found.included.span.text}' its rate "
        f"includes, at '{extra.span.text}': {_money(total, basis.currency)}"
    )
    o = replace(o, money=tuple(m for m in o.money if m is not extra))
    return o, replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


def _over_working_days(s: Facts, basis: PriceBasis, seek_text: str) -> PriceBasis:
    """``basis`` (a rate per hour times one day's hours, "8h days") times the working
    days the seek counts ("2 weeks ... Mon-Fri", "20 mañanas"); unchanged otherwise."""
    if basis.floor is None or basis.per is not None or basis.unit != "hour":
        return basis
    if basis.quantity is None or basis.refusal or basis.unchecked or basis.recurring:
        return basis
    if basis.estimated or basis.at_minimum or basis.at_least:
        return basis
    hours = [q for q in s.quantities if q.unit == "hour" and q.value == basis.quantity]
    if len(hours) != 1 or f"'{hours[0].span.text}'" not in basis.note:
        return basis
    found = working_days(s, hours[0], seek_text)
    if found is None:
        return basis
    days, how = found
    count = basis.quantity * days
    total = round(basis.floor * days, 2)
    step = f"'{hours[0].span.text}' a day on {_q(days)} days ({how}) is {_q(count)} hours: {_money(total, basis.currency)}"
    return replace(
        basis, floor=total, quantity=count, recurring=True, note=f"{basis.note}; {step}", step=step
    )


def _yearly_discounted(o: Facts, basis: PriceBasis, offer_text: str, seek_text: str) -> PriceBasis:
    """``basis`` (a monthly rate over a year or whole years) less the offer's discount
    for paying a year at once ("Pay yearly upfront and save 10%") where the seek says it
    pays so ("paying upfront is fine"); unchanged otherwise."""
    if basis.floor is None or basis.refusal or basis.unchecked or basis.packed:
        return basis
    rates = [m for m in o.money if f"'{m.span.text}'" in basis.note]
    if len(rates) != 1 or rates[0].per != "month" or rates[0].per2 is not None:
        return basis
    years = basis.per == "year" or (
        basis.per is None
        and basis.unit == "month"
        and basis.quantity is not None
        and basis.quantity >= 12
        and basis.quantity % 12 == 0
    )
    found = yearly_discount(offer_text, seek_text) if years else None
    if found is None:
        return basis
    share, offered, accepted = found
    total = round(basis.floor * (1 - share), 2)
    step = f"less the offer's {share:.0%} ('{offered}'), the seek states '{accepted}': {_money(total, basis.currency)}"
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


def _count_discounted(o: Facts, basis: PriceBasis, offer_text: str) -> PriceBasis:
    """``basis`` (one rate times the seek's count) less the offer's one discount for a
    count the seek's reaches ("20% off orders of 5 or more items", "3+ days: 20% off");
    unchanged where the total is anything but that one rate times the count."""
    if basis.floor is None or basis.per is not None or basis.unit is None:
        return basis
    if basis.quantity is None or basis.refusal or basis.unchecked or basis.packed:
        return basis
    if basis.estimated or basis.at_minimum or basis.at_least or o.first_discount is not None:
        return basis
    if sum(f"'{m.span.text}'" in basis.note for m in o.money) != 1:
        return basis  # the total quotes more than the one rate
    discount = discounted_count(offer_text, basis.unit, basis.quantity)
    if discount is None:
        return basis
    total = round(basis.floor * (1 - discount.share), 2)
    step = f"less the offer's {discount.share:.0%} ('{discount.text}'): {_money(total, basis.currency)}"
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


def _tied_checked(o: Facts, s: Facts, basis: PriceBasis) -> PriceBasis:
    """A rate over one occasion or period of the budget (``basis.tied``) with the offer's
    prices on each visit added; any other price it leaves out makes it unchecked ("6 kg
    every week" against "22/kg, from 5 kg 19/kg; shipping 6.90"): a rate per period is not
    checked again by :func:`_priced_basis`."""
    if not basis.tied or basis.floor is None or basis.unchecked:
        return basis
    basis = _occasion_charges(o, basis)
    return _unchecked_if_left_out(o, s, basis, f"the rate the reader derives ({basis.step})")


def _occasion_charges(o: Facts, basis: PriceBasis) -> PriceBasis:
    """A rate per visit (``basis.per``) plus each price the offer states on every visit
    ("Travel €15 per visit", "waste removal €20 per visit") that it left out."""
    for m in o.money:
        if m.per != basis.per or m.per not in VISIT_UNITS or f"'{m.span.text}'" in basis.note:
            continue
        # (never one of two alternatives: "€30/hour or €90 per visit"; adding a line that
        # may not apply only raises the floor)
        if m.alternative or m.per2 is not None:
            continue
        if m.bound != "about" or m.low != m.high or m.currency not in (None, basis.currency):
            continue
        total = (basis.floor or 0.0) + m.low
        step = f"plus '{m.span.text}' on each {m.per}: {_money(total, basis.currency)} per {m.per}"
        basis = replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)
    return basis


def _visit_charges(o: Facts, s: Facts, basis: PriceBasis) -> PriceBasis:
    """``basis`` with a charge the offer makes on each visit ("Supplies & equipment fee
    $15 per visit") that the total left out: added once to a one-off job of a day's hours
    at most (:func:`_extra_per_visit`), or the total cannot be checked: such a charge is
    due whatever the seek names."""
    if basis.floor is None or basis.per is not None:
        return basis
    charges = [
        m
        for m in o.money
        if m.per in VISIT_UNITS
        and is_charge(m)
        and not m.extra
        and m.currency in (None, basis.currency)
        and f"'{m.span.text}'" not in basis.note
    ]
    if not charges:
        return basis
    added = _extra_per_visit(s, basis, charges)
    if added is not None:
        return added
    return replace(
        basis,
        floor=None,
        unchecked=f"price: the offer charges '{charges[0].span.text}', which the total the reader derives ({basis.step or basis.note}) leaves out",
    )


#: Units a job comes in occasions of: a one-off charge may fall due on each ("£60 call-out"
#: for each of 3 visits), so it is never added once to a count of these.
_OCCASIONS = frozenset(
    {"visit", "session", "day", "week", "month", "night", "trip", "lesson", "class", "event"}
)


def _containers_of(s: Facts, unit: str) -> Quantity | None:
    """The seek's one count of ``unit`` stated as what holds its things ("2 pairs of
    pads" is 2 pairs, "3 boxes of tiles" 3 boxes), which the reader counts as the things."""
    held = re.compile(rf"\S+\s+{re.escape(unit)}(?:s|es)?\s+of\b", re.I)
    found = [
        q
        for q in s.quantities
        if q.bound == "about" and q.period is None and held.match(q.span.text)
    ]
    if len({q.value for q in found}) != 1:
        return None
    return Quantity(found[0].value, unit, "about", found[0].span)


def _one_price_on_top(
    o: Facts, s: Facts, basis: PriceBasis, charge: Money, offer_text: str = ""
) -> PriceBasis | None:
    """``basis`` with the one price it left out added as a ceiling (:func:`_flat_on_top`,
    :func:`_rate_on_top`), or None; never where a second price is still left out (it may
    be the one that applies)."""
    once = bool(offer_text) and is_order_charge(charge) and stated_once(o, charge, offer_text)
    added = (
        _flat_on_top(s, basis, charge, once=once)
        or _rate_on_top(s, basis, charge)
        or _charge_on_job(s, basis, charge)
        or _fee_per_stay(s, basis, charge)
    )
    if added is None or left_out_price(o, s, added.note, basis.currency) is not None:
        return None
    return added


def _flat_on_top(
    s: Facts, basis: PriceBasis, charge: Money, *, once: bool = False
) -> PriceBasis | None:
    """``basis`` (a rate times the seek's own count) plus the one-off ``charge`` the
    offer also states ("£150 flight & processing fee + £2 per acre", "$250 flat, add $40
    for each flight of stairs"), or None. Added once, a flat price is the most it can add
    to the total: as a fee on top it is exact, as a package holding some of the units or
    as an alternative it only overstates the cost. So the sum is a ceiling on what the
    seek pays, and only the seek's limit is held to it. Never where the charge may fall
    due more than once: a recurring request, a count of occasions, or an offer's count
    standing in for the seek's. A charge the offer says is due ``once`` ("one-time setup
    fee", "delivery €60 flat": :func:`stated_once`) is added once to days or months too."""
    one_off = charge.per is None and charge.low == charge.high and charge.bound == "about"
    counted = basis.quantity is not None and basis.unit is not None and basis.floor is not None
    stand_in = basis.estimated or basis.at_minimum or basis.recurring or basis.at_least
    # "twice a week": the request comes in occasions
    occasions = (basis.unit in _OCCASIONS and not once) or s.recurrence is not None
    if not one_off or not counted or stand_in or occasions or basis.floor is None:
        return None
    if any(q.period is not None for q in s.quantities):
        return None
    total = basis.floor + charge.low
    if basis.ceiling is None or total > basis.ceiling + 1e-9:
        return None  # a ceiling over the seek's limit shows nothing: the charge may not apply
    step = f"plus the offer's '{charge.span.text}' once is at most {_money(total, basis.currency)}"
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


def _charge_on_job(s: Facts, basis: PriceBasis, charge: Money) -> PriceBasis | None:
    """``basis`` (one flat price for one job: "Sunday £1,400") plus a one-off charge on
    the order the offer also states ("Cleaning fee £150", "delivery £40"), or None. Due
    once on a single booking, the charge makes the sum exact; where it does not apply
    the sum only overstates: a ceiling on the cost, held to the seek's limit alone. Never
    for a request that recurs or comes in counted units (the charge may fall due on each)."""
    one_off = charge.per is None and charge.low == charge.high and charge.bound == "about"
    if (
        not one_off
        or charge.extra
        or not is_order_charge(charge)
        or charge.context & {"each", "per"}
    ):
        return None  # "add £40 for each flight": a charge per something, not per order
    if basis.floor is None or basis.ceiling is None or basis.per is not None:
        return None
    if basis.unit is not None or basis.quantity is not None or basis.at_least:
        return None
    if s.recurrence is not None or any(q.period is not None for q in s.quantities):
        return None
    total = basis.floor + charge.low
    if total > basis.ceiling + 1e-9:
        return None  # a ceiling over the seek's limit shows nothing: the charge may not apply
    step = f"plus the offer's '{charge.span.text}' once is at most {_money(total, basis.currency)}"
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


def _fee_per_stay(s: Facts, basis: PriceBasis, charge: Money) -> PriceBasis | None:
    """``basis`` (a nightly rate times the seek's one count of nights) plus a charge the
    offer makes once per stay ("cleaning fee €90 per stay"), or None. One stay pays it
    once, so the sum is exact; never for a request that recurs."""
    once = PER_STAY.search(charge.span.text) is not None and is_charge(charge)
    exact = charge.low == charge.high and charge.bound == "about" and not charge.extra
    nights = basis.unit == "night" and basis.quantity is not None and basis.per is None
    single = not (basis.at_least or basis.recurring or s.recurrence is not None) and not any(
        q.period is not None for q in s.quantities
    )
    if not (once and exact and nights and single):
        return None
    if basis.floor is None or basis.ceiling is None:
        return None
    total = basis.floor + charge.low
    if total > basis.ceiling + 1e-9:
        return None
    step = f"plus the offer's '{charge.span.text}' once for the stay is {_money(total, basis.currency)}"
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


def _rate_on_top(s: Facts, basis: PriceBasis, charge: Money) -> PriceBasis | None:
    """``basis`` (a flat price for one job) plus a rate the offer also states times the
    seek's own count of the rate's unit ("full service €60; brake pads +€18 per pair" for
    "2 pairs of pads"), or None. As a charge on top the sum is exact; if the flat price
    already covers some of the units it only overstates: a ceiling on the cost, held to
    the seek's limit alone. Never for a recurring request or a count stated twice."""
    rate = charge.per is not None and charge.per2 is None and charge.low == charge.high
    if not rate or charge.bound != "about" or charge.per is None:
        return None
    if basis.floor is None or basis.unit is not None or basis.ceiling is None:
        return None
    if s.recurrence is not None or any(q.period is not None for q in s.quantities):
        return None
    count = _seek_one_amount(s, charge.per) or _containers_of(s, charge.per)
    if count is None:
        return None
    total = basis.floor + count.value * charge.low
    if total > basis.ceiling + 1e-9:
        return None  # a ceiling over the seek's limit shows nothing: the rate may not apply
    step = (
        f"plus the offer's '{charge.span.text}' for the seek's '{count.span.text}' is at "
        f"most {_money(total, basis.currency)}"
    )
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


#: Stems of words that name no item ("parts under 30 GBP" is no item called "under").
_FUNCTION_STEMS = frozenset(
    {"und", "under", "ov", "over", "and", "the", "for", "with", "incl", "per", "from", "each"}
)


def _item_count(s: Facts, unit: str, taken: str) -> Quantity | None:
    """The seek's one count of ``unit`` that the derivation ``taken`` has not used yet."""
    found = [
        q
        for q in s.quantities
        if q.unit == unit
        and q.bound == "about"
        and q.period is None
        and not _PART.search(q.span.text)
    ]
    if len(found) != 1 or f"'{found[0].span.text}'" in taken:
        return None
    return found[0]


def _line_items(o: Facts, s: Facts, basis: PriceBasis) -> PriceBasis:
    """A total over several of the offer's line items, each priced per its own thing and
    each counted by the seek ("£20 per standard item, wardrobes £45 each" for "6 normal
    items and 2 wardrobes"; "€450 per site-day, plus €0.50 per hectare" for "120
    hectares ... one day"): every other rate whose unit the seek counts once is added,
    each factor quoted. A rate the seek counts in several places, or not at all, is left
    for ``left_out_price`` to judge (precision first)."""
    if basis.unit is None or basis.quantity is None or basis.estimated or basis.at_minimum:
        return basis
    taken = [m for m in o.money if f"'{m.span.text}'" in basis.note]
    if len(taken) != 1 or taken[0].per != basis.unit:
        return basis
    for m in o.money:
        if m is taken[0] or m.per is None or m.per == basis.unit or m.per2 is not None:
            continue
        if m.per in TIME_DAYS or m.fee or m.alternative or m.bound != "about":
            continue
        if m.currency not in (None, basis.currency) or m.low != m.high:
            continue
        count = _item_count(s, m.per, basis.note)
        if count is None or basis.floor is None:
            continue
        total = basis.floor + m.low * count.value
        step = f"plus {_q(count.value)} {_plural(m.per)} ('{count.span.text}') at '{m.span.text}' is {_money(total, basis.currency)}"
        basis = replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)
    return basis


def _part_for(s: Facts, item: Money) -> Quantity | None:
    """The seek's count of a part of its things that the price ``item`` is for ("2 of
    them also taken in at the waist" against "taking in a waist 18"): the one part whose
    words name the item's own."""
    words = item.context - _FUNCTION_STEMS
    parts = [q for q in s.quantities if _PART.search(q.span.text) and q.tail & words]
    return parts[0] if len(parts) == 1 else None


#: How a part of a count reads ("2 of them"): see ``reader._subset_counts``.
_PART = re.compile(r"\bof\s+(?:them|those|these)$", re.I)


def _another_item(o: Facts, s: Facts, basis: PriceBasis) -> Money | None:
    """Another of the offer's prices whose own words the seek names, beyond those of the
    price taken: "full service 85, chain replacement 30" for "full service incl. a new
    chain" is both; "basic 40, full service 85" for "full service" is one of them."""
    taken = [m for m in o.money if f"'{m.span.text}'" in basis.note]
    if not taken:
        return None
    used = frozenset().union(*(m.context for m in taken))
    for m in o.money:
        if m in taken or m.fee or m.extra or m.bound == "at_least":
            continue
        if m.currency not in (None, basis.currency):
            continue
        if (m.context - used) & s.positives - _FUNCTION_STEMS:
            return m
    return None


#: Distances say where, never how many of what is priced.
_DISTANCE_UNITS = frozenset({"km", "mile"})
#: Occasions counted by the day they fall on: "4 Saturdays" is four times a booking.
_DAY_NAMES = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend"}
)


def _own_amounts(o: Facts) -> list[Quantity]:
    """The offer's stated amounts, less a number read again across a wider one ("twenty
    guests" overlapping "seats up to a hundred and twenty")."""
    return [
        q
        for q in o.quantities
        if not any(
            w is not q
            and w.span.start < q.span.end
            and q.span.start < w.span.end
            and len(w.span.text) > len(q.span.text)
            for w in o.quantities
        )
    ]


#: Words of a need that recurs ("weekly lessons for 8 weeks").
_CADENCE = frozenset({"weekly", "daily", "monthly", "fortnightly", "nightly", "biweekly"})


def _cadence_or_covered_span(s: Facts, basis: PriceBasis, q: Quantity) -> bool:
    """A time in the seek that the basis's count already answers: the cadence of its
    recurrence ("every two weeks ... that's 8 visits"), or the span a stated rate fills
    ("one visit per day", "20-30 July", "10 visits": ten visits fit the eleven days)."""
    if q.unit not in TIME_DAYS:
        return False
    if s.recurrence is not None:
        where = s.recurrence[2]
        if where.start <= q.span.start and q.span.end <= where.end:
            return True
    if basis.unit is None or basis.quantity is None:
        return False
    # "4-10 June" reads as 6 nights and 7 days: the span is covered if either reading is.
    readings = [r for r in s.quantities if r.span == q.span and r.unit in _BOOKING_UNITS]
    for rate in s.quantities:
        if rate.unit != basis.unit or rate.period not in _BOOKING_UNITS:
            continue
        for r in readings:
            periods = r.value * _time_ratio(r.unit, rate.period)
            if basis.quantity <= rate.value * periods + 1e-9:
                return True
    return False


def _within_package_time(o: Facts, basis: PriceBasis, q: Quantity) -> bool:
    """A work time in the seek that the flat price taken already covers: "flat $350 for 3
    hours service including up to 100 cups" for "3 hours, ~140 coffees"."""
    if q.unit not in _WORK_SECONDS or basis.unit in TIME_DAYS:
        return False
    if not any(m.per is None and f"'{m.span.text}'" in basis.note for m in o.money):
        return False
    need = q.value * _WORK_SECONDS[q.unit]
    return any(
        oq.unit in _WORK_SECONDS
        and oq.bound == "about"
        and oq.period is None
        and need <= oq.value * _WORK_SECONDS[oq.unit] + 1e-9
        for oq in _own_amounts(o)
    )


#: How far after a count the seek's "each" may stand and still be its ("three servers
#: with at least 16 GB RAM each").
_EACH_REACH = 40


def _each_counted(o: Facts, s: Facts, q: Quantity) -> bool:
    """A count of things the seek says each need the offer's rate: "each"/"per" beside it
    ("three servers with 16 GB each"), or things the offer itself names ("2 storage units"
    against "storage units 50/month"). People counted in words ("7 lads") are neither."""
    if q.unit in TIME_DAYS or q.unit in _WORK_SECONDS or q.unit in MEASURE_UNITS:
        return False
    if q.unit in _DISTANCE_UNITS or q.unit == "person":
        return False
    if q.tail & {"each", "per"}:
        return True
    for r in s.quantities:
        if r is q or not 0 <= r.span.start - q.span.end <= _EACH_REACH:
            continue
        if "each" in r.tail or {"per", rough_stem(q.unit)} <= r.tail:
            return True
    return rough_stem(q.unit) in o.positives


def _thing_counts(s: Facts) -> list[Quantity]:
    """The seek's counts of things (not of time, measure, distance or people)."""
    return [
        q
        for q in s.quantities
        if q.bound == "about"
        and q.period is None
        and q.value >= 1
        and q.unit not in TIME_DAYS
        and q.unit not in _WORK_SECONDS
        and q.unit not in MEASURE_UNITS
        and q.unit not in _DISTANCE_UNITS
        and q.unit != "person"
        and not _PART.search(q.span.text)
    ]


#: Words just before a count that make it the seek's own total of what it states before
#: ("every 2 weeks April to September = 12 visits", "once a day, so 7 visits").
_TOTALLED = re.compile(
    r"(?:=|\bso|\bthat'?s|\bthat\s+is|\bin\s+total|\ba\s+total\s+of|\bi\.e\.)\s*$", re.I
)


def _seek_totalled(s: Facts, basis: PriceBasis, seek_text: str) -> bool:
    """Whether the basis counts a number of things (not of time) that the seek itself
    gives as the total of its span or cadence ("... = 12 visits")."""
    if basis.unit is None or basis.quantity is None or basis.unit in TIME_DAYS:
        return False
    if basis.unit in _WORK_SECONDS or not seek_text:
        return False
    text = fold(seek_text)
    return any(
        q.unit == basis.unit
        and abs(q.value - basis.quantity) < 1e-9
        and f"'{q.span.text}'" in basis.note
        and _TOTALLED.search(text[max(0, q.span.start - 12) : q.span.start])
        for q in s.quantities
    )


def _unaccounted(  # noqa: PLR0911
    o: Facts, s: Facts, basis: PriceBasis, seek_text: str = ""
) -> Quantity | None:
    """A count in the seek's request that the basis's total does not multiply in: "5 hours
    each, 4 Saturdays" totalled as 5 hours, "4 GPUs for 48 hours" at the offer's minimum
    of 10 GPU-hours, "100 kg" against "sac de 25 kg = 28 EUR"."""
    for q in s.quantities:
        if q.bound != "about" or q.value < 2 - 1e-9 or q.unit in _DISTANCE_UNITS:
            continue
        if q.span.text in basis.note or (
            q.unit == basis.unit and basis.quantity is not None and not basis.at_least
        ):
            continue  # the total is for this count
        if (
            basis.unit in TIME_DAYS
            and q.unit in TIME_DAYS
            and basis.quantity is not None
            and q.value * TIME_DAYS[q.unit] <= basis.quantity * TIME_DAYS[basis.unit] + 1e-9
        ):
            continue  # "8pm to 11:45pm" inside "one night": within the time already counted
        if (
            basis.unit in TIME_DAYS
            and basis.quantity is not None
            and basis.per is None
            and _each_counted(o, s, q)
        ):
            # "three servers ... each for six months" at a monthly rate: the months are
            # multiplied in, the servers (each needing the rate) are not.
            return q
        if _cadence_or_covered_span(s, basis, q) or (
            # "every 2 weeks ... = 12 visits": the span is in the seek's own count
            q.unit in TIME_DAYS and _seek_totalled(s, basis, seek_text)
        ):
            continue
        if _within_package_time(o, basis, q):
            continue
        if basis.at_minimum or basis.estimated:
            # The offer's minimum or its own amount stood in for a count the reader did not
            # find, and the seek states one ("25 people", "4 GPUs for 48 hours", "15 cajas"
            # against "cases of 6 bottles"): the stand-in is a guess.
            return q
        if (
            basis.unit is not None
            # a recurring need's cadence and span are already in its total
            and not basis.recurring
            and ((q.unit in TIME_DAYS and q.unit not in MEASURE_UNITS) or q.unit in _DAY_NAMES)
        ):
            # A rate multiplied out once, and the seek's need lasts or recurs for more
            # ("1hr each ... for 5 weeks", "5 hours each, 4 Saturdays").
            return q
        if (
            basis.unit is None
            and q.unit in TIME_DAYS
            and q.unit not in MEASURE_UNITS
            and s.positives & _CADENCE
        ):
            # "weekly 30 min lessons for 8 weeks" against "30-minute lessons €25": a flat
            # price for one session, and the seek's need recurs over a span: the total is
            # a count the reader did not make.
            return q
        if (
            basis.unit is None
            and q in _thing_counts(s)
            and "offer's list" not in basis.note
            and is_price_list(o, basis.currency)
        ):
            # "hem 12, zip 18" against "3 pairs of trousers": the flat price taken is one
            # line of a list, and the seek counts several things it cannot tie to a line.
            return q
        if basis.unit is None and any(
            oq.unit == q.unit and oq.bound == "about" and oq.value + 1e-9 < q.value
            for oq in _own_amounts(o)
        ):
            # A price for the offer's own amount ("sac de 25 kg = 28 EUR", "90 min 70 GBP")
            # against more of it.
            return q
    return None


def _seek_one_amount(s: Facts, unit: str) -> Quantity | None:
    """The seek's one stated amount of ``unit`` (work time converts), None if several."""
    if unit == "hour":
        return seek_hours(s)
    found = [q for q in s.quantities if q.unit == unit and q.bound == "about" and q.period is None]
    if not found:
        # "additional cups 2.50 each" against "~140 coffees": a count of what fills the unit
        return kind_count(s, unit)
    return found[0] if len({q.value for q in found}) == 1 else None


def _beyond_included(
    o: Facts, s: Facts, basis: PriceBasis, extras: list[Money]
) -> PriceBasis | None:
    """A flat price for the amount it includes plus a rate for each unit beyond ("4 hours
    for 600, +100 each extra hour", "80 call-out including the first hour, then 60 per
    additional hour", "200 for up to 300 words, then 0.50 per additional word") against
    the amount the seek states: the flat price, plus each unit beyond it begun. None when
    the extra is no such rate or a count is missing."""
    if len(extras) != 1 or basis.unit is not None:
        return None
    extra = extras[0]
    unit = extra.per
    if unit is None or extra.per2 is not None or extra.currency not in (None, basis.currency):
        return None
    included = {q.value for q in o.quantities if q.unit == unit and q.bound in ("about", "at_most")}
    if basis.per is None:
        needed = _seek_one_amount(s, unit)
    elif any(m.per not in (basis.per, unit) for m in o.money if not m.fee):
        return None  # "+£45 per quarter" besides: a charge this total would leave out
    else:
        # "£120/month up to 100 transactions, then £0.90 per transaction": the seek's
        # amount recurs by the same period as both rates ("140 transactions a month")
        recurring = {
            q
            for q in s.quantities
            if q.unit == unit and q.bound == "about" and q.period == basis.per
        }
        needed = recurring.pop() if len({q.value for q in recurring}) == 1 else None
    if len(included) != 1 or needed is None or basis.floor is None:
        return None
    amount = included.pop()
    beyond = max(0, math.ceil(needed.value - amount - 1e-9))
    total = basis.floor + beyond * extra.low
    step = (
        f"the seek's '{needed.span.text}' is {_q(beyond)} {_plural(unit)} beyond the "
        f"{_q(amount)} the price includes, at '{extra.span.text}': {_money(total, basis.currency)}"
    )
    if basis.per is not None:
        return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)
    return replace(
        basis,
        floor=total,
        quantity=needed.value,
        unit=unit,
        note=f"{basis.note}; {step}",
        step=step,
    )


def _beyond_blocks(
    o: Facts, s: Facts, basis: PriceBasis, extras: list[Money], offer_text: str
) -> PriceBasis | None:
    """A flat price for the amount it includes plus a charge for each further block of
    units ("up to 500 pages: $600 ... Each additional 500 pages +$200") against the
    amount the seek states: the flat price, plus the charge for each block begun past it
    (:func:`blocks.blocks_beyond`). None when the extra is no such charge or a count is
    missing."""
    if len(extras) != 1 or basis.per is not None or basis.unit is not None:
        return None
    extra = extras[0]
    if basis.floor is None or extra.per is not None or extra.low != extra.high:
        return None
    if extra.currency not in (None, basis.currency):
        return None
    block = block_of(extra, offer_text)
    needed = None if block is None else _seek_one_amount(s, block.unit)
    found = None if needed is None else blocks_beyond(o, needed, extra, offer_text)
    if needed is None or found is None:
        return None
    count, included = found
    total = basis.floor + count * extra.low
    step = (
        f"the seek's '{needed.span.text}' begins {_q(count)} of the offer's blocks beyond "
        f"'{included.span.text}', at '{extra.span.text}' each: {_money(total, basis.currency)}"
    )
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


def _added_rates(s: Facts, basis: PriceBasis, extras: list[Money]) -> PriceBasis | None:
    """A rate plus add-on rates by the same unit that the seek asks for ("€220/day;
    skipper +€150/day" for "with a skipper for 3 days" is 3 x (220 + 150)): each add-on
    times the basis's count. None unless every extra is such a rate whose own words the
    seek names, or that names nothing at all ("£750 pcm + £60 pcm"): a charge on top of
    every booking."""
    if not extras or basis.floor is None or basis.refusal or basis.per is not None:
        return None
    if basis.unit is None or basis.quantity is None:
        return None
    rate = 0.0
    for m in extras:
        # its own words, less those of its unit ("pcm" is the month it is charged by)
        own = {w for w in m.context if canonical_unit(w) != m.per}
        own -= _FUNCTION_STEMS | _ADDITIVE_WORDS
        applies = not own or own & s.positives
        if m.per != basis.unit or m.per2 is not None or not applies or m.low != m.high:
            return None
        if m.currency not in (None, basis.currency):
            return None
        rate += m.low
    total = basis.floor + rate * basis.quantity
    quoted = " + ".join(f"'{m.span.text}'" for m in extras)
    step = f"plus the offer's {quoted} on top for each of the {_q(basis.quantity)} {_plural(basis.unit)} is {_money(total, basis.currency)}"
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


def _extras_once(s: Facts, basis: PriceBasis, extras: list[Money]) -> PriceBasis | None:
    """A flat price for one job plus every flat charge the offer puts on top in some cases
    ("home visits +20 CHF", "matching cover letter +£45"), each once: whether or not a
    charge applies, the sum is the most the job costs, so only the seek's limit is held
    to it. None where a charge may fall due more than once (the basis counts units, the
    request recurs or comes in occasions) or any charge is a rate or a range."""
    if basis.floor is None or basis.per is not None or basis.refusal or basis.unit is not None:
        return None
    if s.recurrence is not None or any(q.period is not None for q in s.quantities):
        return None
    if any(
        m.per is not None
        or m.low != m.high
        or m.bound != "about"
        or m.currency not in (None, basis.currency)
        for m in extras
    ):
        return None
    total = basis.floor + sum(m.low for m in extras)
    if basis.ceiling is None or total > basis.ceiling + 1e-9:
        return None  # a ceiling over the seek's limit shows nothing: the charge may not apply
    quoted = " + ".join(f"'{m.span.text}'" for m in extras)
    step = (
        f"plus the offer's {quoted} on top, each once, is at most {_money(total, basis.currency)}"
    )
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


#: Units a one-off job comes in one of: a charge "per visit" on it is due once.
_ONE_VISIT_UNITS = frozenset({"visit", "job", "order", "booking", "callout", "trip"})
#: The most work time one visit is taken to hold (a working day).
_ONE_VISIT_HOURS = 8.0


def _rates_on_top(s: Facts, basis: PriceBasis, extras: list[Money]) -> PriceBasis | None:
    """``basis`` (a flat job) plus each rate on top times the seek's own count of its
    unit ("New brake pads +€15 per set" for "one new set"), as :func:`_rate_on_top`
    adds a rate the total left out; None unless every extra is such a rate."""
    for m in extras:
        added = _rate_on_top(s, basis, m)
        if added is None:
            return None
        basis = added
    return basis


def _extra_per_visit(  # noqa: PLR0911 - one flat pass of conditions reads best
    s: Facts, basis: PriceBasis, extras: list[Money]
) -> PriceBasis | None:
    """A rate times the seek's hours of work ("4 hours" at "$35/hr") plus one charge per
    visit ("Supplies +$15 per visit"), once: a one-off request of at most a working day's
    hours is one visit. None where the request recurs, states any count of days, visits
    or periods, or the charge is anything but one amount per visit."""
    if len(extras) != 1 or basis.floor is None or basis.per is not None or basis.unchecked:
        return None
    m = extras[0]
    if m.per not in _ONE_VISIT_UNITS or m.per2 is not None or m.low != m.high:
        return None
    if m.bound != "about" or m.currency not in (None, basis.currency):
        return None
    if basis.unit not in _WORK_SECONDS or basis.quantity is None or basis.recurring:
        return None
    hours = basis.quantity * _WORK_SECONDS[basis.unit] / _WORK_SECONDS["hour"]
    if hours > _ONE_VISIT_HOURS + 1e-9 or basis.estimated or basis.at_minimum:
        return None
    if s.recurrence is not None or len(s.days) > 1:
        return None
    for q in s.quantities:
        if q.period is not None or q.unit == m.per or q.unit in _OCCASIONS:
            return None
        if q.unit in TIME_DAYS and q.unit not in _WORK_SECONDS and q.unit != "minute":
            return None
    total = basis.floor + m.low
    step = f"plus the offer's '{m.span.text}' for the one visit is {_money(total, basis.currency)}"
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


def _extras_each(  # noqa: PLR0911 - one flat pass of conditions reads best
    s: Facts, basis: PriceBasis, extras: list[Money]
) -> PriceBasis | None:
    """A rate times the seek's count of things ("€45 per visit" for "20 visits") plus
    flat charges on top in some cases ("+€15 for audio recording"), each taken on every
    one of the things: whether a charge is due once, on each thing or not at all, the sum
    is the most the request costs, so only the seek's limit is held to it. None where the
    count is of time (a charge per occasion may outnumber the hours), is no whole count,
    stands in for the seek's, or the request recurs; or any charge is a rate or a range."""
    if basis.floor is None or basis.per is not None or basis.refusal or basis.unchecked:
        return None
    if basis.unit is None or basis.quantity is None or basis.unit in TIME_DAYS:
        return None
    if basis.unit in _WORK_SECONDS or basis.quantity < 1 or basis.quantity != int(basis.quantity):
        return None
    if basis.estimated or basis.at_minimum or basis.at_least or basis.recurring:
        return None
    if s.recurrence is not None or any(q.period is not None for q in s.quantities):
        return None
    if any(
        m.per is not None
        or m.low != m.high
        or m.bound != "about"
        or m.currency not in (None, basis.currency)
        for m in extras
    ):
        return None
    total = basis.floor + basis.quantity * sum(m.low for m in extras)
    if basis.ceiling is None or total > basis.ceiling + 1e-9:
        return None  # a ceiling over the seek's limit shows nothing: the charge may not apply
    quoted = " + ".join(f"'{m.span.text}'" for m in extras)
    step = (
        f"plus the offer's {quoted} on top for each of the {_q(basis.quantity)} "
        f"{_plural(basis.unit)} is at most {_money(total, basis.currency)}"
    )
    return replace(basis, floor=total, note=f"{basis.note}; {step}", step=step)


#: Words that mark a price as on top, naming nothing the seek could ask for.
_ADDITIVE_WORDS = frozenset({"plu", "then", "extra", "addit", "additional", "available", "more"})


#: Words right before a price on top that make it fall due again and again: "jede weiteren
#: 500 Stk. +€290", "each additional 100 copies +£12", "per extra hour +€40".
_EACH_AGAIN = re.compile(
    r"\b(?:each|every|per|jede[nrs]?|je|pro|chaque|cada|ogni|elke|iedere?)\b", re.I
)
#: Where the clause before a price begins: a comma, a semicolon or a sentence's end ("Stk."
#: before "+€290" ends no sentence).
_CLAUSE_START = re.compile(r"[,;]|[.!?]\s+(?=[A-Z])")


def _recurring(m: Money, offer_text: str) -> bool:
    """Whether the words of the offer's clause before ``m`` say it is charged for each of
    something (so never just once)."""
    if not offer_text or m.span.start > len(offer_text):
        return False
    before = offer_text[max(0, m.span.start - 60) : m.span.start]
    clause = _CLAUSE_START.split(before)[-1]
    return _EACH_AGAIN.search(clause) is not None


def _none_beyond(o: Facts, s: Facts, basis: PriceBasis, extra: Money) -> bool:
    """Whether a rate for each unit past what a recurring price includes ("£240/month for
    up to 150 transactions, £1.20 per extra transaction") meets a seek within that amount
    ("approx. 120 transactions a month", by the price's own period or none): nothing
    past it, nothing added."""
    unit = extra.per
    # a flat price's extras past what it includes are counted by _beyond_included
    if unit is None or extra.per2 is not None or basis.per is None:
        return False
    included = {q.value for q in o.quantities if q.unit == unit and q.bound in ("about", "at_most")}
    needed = [
        q.value
        for q in s.quantities
        if q.unit == unit and q.bound == "about" and q.period in (None, basis.per)
    ]
    return len(included) == 1 and bool(needed) and max(needed) <= min(included) + 1e-9


def _with_charges(o: Facts, s: Facts, basis: PriceBasis, offer_text: str = "") -> PriceBasis:
    """``basis`` with the offer's fees, charges on top and minimum charge applied."""
    on_top = [(w, span) for w, span in o.addons if w not in {x for x, _ in s.addons}]
    if on_top and basis.floor is not None and basis.refusal is None and basis.per is None:
        # "80 per hour + VAT" against a total budget that does not say it excludes VAT:
        # the total the seek would pay is not known; precision first. (Against a budget
        # per hour the rates compare as stated.)
        return replace(
            basis,
            floor=None,
            unchecked=f"price: the offer puts '{on_top[0][1].text}' on top with no amount; the seek's budget does not say it excludes it",
        )
    fees = [
        m
        for m in o.money
        if m.fee
        and m.currency in (None, basis.currency)
        # a whole order's delivery fee is already in its total (_pack_order)
        and not (basis.packed and f"'{m.span.text}'" in basis.note)
    ]
    if fees and basis.floor is not None:
        if basis.per is not None:
            return replace(
                basis,
                floor=None,
                unchecked=f"price: the offer adds '{fees[0].span.text}' to its rate; the seek's budget is a rate",
            )
        extra = sum(m.low for m in fees)
        basis = replace(
            basis,
            floor=basis.floor + extra,
            note=f"{basis.note}; plus the offer's '{fees[0].span.text}' is {_money(basis.floor + extra, basis.currency)}",
            step=f"plus the offer's '{fees[0].span.text}' is {_money(basis.floor + extra, basis.currency)}",
        )
    extras = [m for m in o.money if m.extra and not _none_beyond(o, s, basis, m)]
    if extras and basis.floor is not None and basis.refusal is None:
        # "+100 EUR each extra hour" past the hours the price includes is counted; any
        # other price on top ("home visits +20 CHF") the basis did not add: precision first.
        added = (
            _added_rates(s, basis, extras)
            or _beyond_included(o, s, basis, extras)
            or _beyond_blocks(o, s, basis, extras, offer_text)
            or (
                None
                if any(_recurring(m, offer_text) for m in extras)
                else _extras_once(s, basis, extras)
            )
            or _extras_each(s, basis, extras)
            or _extra_per_visit(s, basis, extras)
            or _rates_on_top(s, basis, extras)
        )
        return added or replace(
            basis,
            unchecked=f"price: the offer adds '{extras[0].span.text}' on top in some cases",
        )
    if basis.floor is None or basis.per is not None:
        return basis
    minimums = [
        m.low
        for m in o.money
        if m.bound == "at_least" and m.per is None and m.currency in (None, basis.currency)
    ]
    if minimums and max(minimums) > basis.floor + 1e-9:
        return replace(
            basis,
            floor=max(minimums),
            note=f"{basis.note}; the offer's minimum charge of {_money(max(minimums), basis.currency)} applies",
            step=f"the offer's minimum charge of {_money(max(minimums), basis.currency)} applies",
        )
    return basis


#: Prices by the day a booking takes, one of them on one named day.
_ONE_DAY_UNITS = frozenset({"day", "evening", "night"})
_WEEKDAYS = {
    "mon": "monday", "tue": "tuesday", "wed": "wednesday", "thu": "thursday", "fri": "friday",
    "sat": "saturday", "sun": "sunday",
}  # fmt: skip


def _one_day(s: Facts, unit: str) -> str:
    """The one day the seek names for a booking priced per ``unit`` of a day ("party on
    saturday"), when it states no length, no recurrence and no day in the plural; else ''."""
    if unit not in _ONE_DAY_UNITS or len(s.days) != 1 or s.recurrence is not None:
        return ""
    if any(q.unit in TIME_DAYS or q.unit in _DAY_NAMES for q in s.quantities):
        return ""
    name = _WEEKDAYS.get(next(iter(s.days)), "")
    if not name or name in s.counted or rough_stem(name) not in s.positives:
        return ""
    return name


def _sentence_words(text: str, span: Span) -> frozenset[str]:
    """The rough stems of the sentence of ``text`` that holds ``span``."""
    start = max(text.rfind(mark, 0, span.start) for mark in ".!?\n") + 1
    ends = [i for i in (text.find(mark, span.end) for mark in ".!?\n") if i >= 0]
    return frozenset(
        rough_stem(w) for w in re.findall(r"[^\W\d_]+", text[start : min(ends, default=len(text))])
    )


def _flat_occasions(o: Facts, s: Facts, ask: Money, offer_text: str = "") -> Quantity | None:
    """How many times a flat price for one occasion ("30-minute lessons €25") is paid over
    a need that recurs ("weekly 30 min lessons for 8 weeks" is 8): only when the seek names
    the price line's words, states a whole number of its periods, and any length it states
    is one the offer prices."""
    if s.recurrence is None or ask.bound == "at_least":
        return None
    times, period, where = s.recurrence
    named = ask.context
    spans_days = any(q.unit in TIME_DAYS and TIME_DAYS[q.unit] >= 1 for q in o.quantities)
    if offer_text and not spans_days and not named & s.positives - _FUNCTION_STEMS:
        # "physiotherapy: half-day clinic (4 h, ~8 appointments) £320": the clause is cut
        # short by the brackets; the one price's sentence names what it is for (never
        # where the offer states days or weeks: "8-week course £320" is the whole course)
        named = _sentence_words(offer_text, ask.span)
    if times is None or period is None or not (named & s.positives - _FUNCTION_STEMS):
        return None
    own = {q.value * _WORK_SECONDS[q.unit] for q in o.quantities if q.unit in _WORK_SECONDS}
    stated = {q.value * _WORK_SECONDS[q.unit] for q in s.quantities if q.unit in _WORK_SECONDS}
    if stated - own or any(q.period is not None for q in s.quantities):
        return None
    periods = _periods(s, period)
    if periods is None:
        return None
    span = Span(where.start, where.end, f"{where.text} x {periods.span.text}")
    return Quantity(times * periods.value, "session", "about", span)


#: Amounts a price list sells by the package: session lengths and weights.
_PACKAGE_SCALE = {**_WORK_SECONDS, "kg": 1.0, "g": 0.001}
#: Most characters between a price and the amount it is for ("90 min £70", "£70 / 90 min").
_PRICE_GAP = 4


def _package(o: Facts, m: Money) -> Quantity | None:
    """The offer's own amount written right next to the price ``m``."""
    for q in o.quantities:
        if q.bound != "about" or q.unit not in _PACKAGE_SCALE or q.value <= 0:
            continue
        if (
            0 <= m.span.start - q.span.end <= _PRICE_GAP
            or 0 <= q.span.start - m.span.end <= _PRICE_GAP
        ):
            return q
    return None


def _whole_multiple(o: Facts, s: Facts, currency: str | None, budget: Money) -> PriceBasis | None:
    """A price list by amount ("60 min £50, 90 min £70") against a need that is a whole
    number of one of its amounts ("2 x 90min"): that many of it, the dearest such reading
    (precision first). None unless every price of the offer is for an amount of its own
    and the seek states one amount."""
    if any(m.extra or m.fee for m in o.money):
        return None
    prices = [m for m in o.money if m.per is None and m.currency in (None, currency)]
    packages = [(m, _package(o, m)) for m in prices]
    if not packages or any(q is None for _, q in packages):
        return None
    needs = [
        q
        for q in s.quantities
        if q.bound == "about" and q.period is None and q.unit in _PACKAGE_SCALE and q.value > 0
    ]
    if len({q.value * _PACKAGE_SCALE[q.unit] for q in needs}) != 1:
        return None
    need = needs[0]
    readings = []
    for m, q in packages:
        assert q is not None
        if (q.unit in _WORK_SECONDS) != (need.unit in _WORK_SECONDS):
            continue
        count = need.value * _PACKAGE_SCALE[need.unit] / (q.value * _PACKAGE_SCALE[q.unit])
        if count >= 1 - 1e-9 and abs(count - round(count)) < 1e-9:
            readings.append((m.low * round(count), round(count), m, q))
    if not readings:
        return None
    # "2 x 90min" names the package it is made of; otherwise the dearest reading.
    named = [
        r for r in readings if re.search(rf"(?<![\d.]){_q(r[3].value)}(?![\d.])", need.span.text)
    ]
    total, count, m, q = max(named or readings, key=lambda r: r[0])
    step = f"the seek's '{need.span.text}' is {count} x the offer's '{q.span.text}' at '{m.span.text}': {_money(total, currency)}"
    return PriceBasis(
        total,
        budget.high,
        currency,
        quantity=need.value,
        unit=need.unit,
        note=f"the offer asks '{m.span.text}' for '{q.span.text}', the seek's budget is '{budget.span.text}'; {step}",
        step=step,
    )


#: Words right after a price that say it is the delivery charge ("€15 shipping").
_DELIVERY_AFTER = re.compile(r"\s*(?:for\s+)?(?:shipping|delivery|postage|carriage)\b", re.I)
#: Words right before it ("Envío 25 € por pedido", "shipping within the EU €18 per case").
_DELIVERY_BEFORE = re.compile(
    r"\b(?:shipping|delivery|postage|carriage|env[íi]o|livraison|frais\s+de\s+port)\b[^.;:\n\d]*$",
    re.I,
)


def _pack_order(  # noqa: PLR0911, PLR0912, PLR0917 - one flat pass over an order's charges
    o: Facts, s: Facts, ask: Money, budget: Money, currency: str | None, offer_text: str, quote: str
) -> PriceBasis | None:
    """A price per container ("$96 per case" of "cases of 6 x 1kg bags") against the
    seek's count of what the containers hold ("24 kg per month"), as the whole number of
    containers, with the offer's volume discount ("10% off from 5 cases") and delivery
    ("shipping $15 per order, free over $400"; "€18 per case") applied. Against a budget
    per period the count is the period's, delivered as one order. Every price used is
    quoted in the note; None when any step cannot be read."""
    if ask.per is None or ask.per2 is not None or ask.low != ask.high:
        return None
    packs = pack_count(s, ask.per, offer_text, budget.per) or sized_count(
        s, ask.per, offer_text, budget.per
    )  # "5 L tins" for "40 litres"
    if packs is None:
        return None
    if any(
        q.unit == ask.per and q.bound == "at_least" and q.value > packs.value for q in o.quantities
    ):
        return None  # below the offer's minimum order
    used: list[str] = [ask.span.text]
    goods = ask.low * packs.value
    steps = [
        f"'{packs.span.text}' is {_q(packs.value)} {_plural(ask.per)} at {_money(ask.low, currency)}: {_money(goods, currency)}"
    ]
    discount = volume_discount(offer_text)
    if discount is None and "%" in offer_text:
        return None
    if discount is not None:
        share, least, unit, _ = discount
        if not same_unit(unit, ask.per):
            return None
        if packs.value >= least - 1e-9:
            goods *= 1 - share
            steps.append(
                f"less the offer's {share:.0%} from {_q(least)} {_plural(ask.per)}: {_money(goods, currency)}"
            )
    free = free_delivery(offer_text)
    delivery = [
        m
        for m in o.money
        if m is not ask
        and m.currency in (None, currency)
        and (free is None or not free[3][0] <= m.span.start < free[3][1])
        and (
            is_charge(m)
            or _DELIVERY_AFTER.match(offer_text, m.span.end)
            or _DELIVERY_BEFORE.search(offer_text[max(0, m.span.start - 24) : m.span.start])
        )
    ]
    total = goods
    if free is not None:
        how, value, free_unit, (start, end) = free
        used += [m.span.text for m in o.money if start <= m.span.start < end]
        if free_unit is None:
            met = goods > value + 1e-9 if how == "over" else goods >= value - 1e-9
        elif same_unit(free_unit, ask.per):
            met = packs.value > value if how == "over" else packs.value >= value - 1e-9
        else:
            return None
        if met:
            used += [m.span.text for m in delivery]
            steps.append(f"delivery is free ('{offer_text[start:end].strip()}')")
            delivery = []
    for m in delivery:
        if m.low != m.high or m.bound != "about" or m.per2 is not None:
            return None
        if m.per is None:
            times = 1.0  # a charge per order: one order
        elif same_unit(m.per, ask.per):
            times = packs.value
        elif (outer := outer_packs(offer_text, m.per, ask.per, packs.value)) is not None:
            times = outer  # "€18 per case" of "packed in cases of 4 tins"
        else:
            return None
        total += m.low * times
        used.append(m.span.text)
        steps.append(
            f"plus '{m.span.text}'{'' if times == 1 else f' x {_q(times)}'}: {_money(total, currency)}"
        )
    step = "; ".join(steps)
    quoted = ", ".join(f"'{u}'" for u in used)
    return PriceBasis(
        total,
        budget.high,
        currency,
        per=budget.per,
        quantity=packs.value,
        unit=ask.per,
        packed=True,
        note=f"{quote}; {step} (the offer's {quoted})",
        step=step,
    )


def _price_basis(  # noqa: PLR0911, PLR0912, PLR0915
    o: Facts, s: Facts, seek_words: frozenset[str], seek_text: str = "", offer_text: str = ""
) -> PriceBasis:
    """The offer's floor and the seek's ceiling on one basis, or why there is none."""
    asks = [m for m in o.money if m.bound != "at_most" and not m.fee and not m.extra] or [
        m for m in o.money if not m.fee and not m.extra
    ]
    if any(m.per is not None for m in asks):
        # "60 per hour, minimum call-out 120": the minimum is applied to the rate's total
        # (price_basis), never chosen as the price itself.
        asks = [m for m in asks if m.per is not None or m.bound != "at_least"]
    budgets = [m for m in s.money if m.bound != "at_least"] or list(s.money)
    if budgets:
        # "Onboarding one-off £300", "Delivery £250" beside the price of the thing: a
        # charge on the order is never the price of the service itself. (Without a budget
        # a price per unit is proposed as it stands, and the charge must stay the ask.)
        asks = [m for m in asks if not is_charge(m)] or asks
    offer_cur = {m.currency for m in asks if m.currency}
    seek_cur = {m.currency for m in budgets if m.currency}
    if offer_cur and seek_cur and not offer_cur & seek_cur:
        return PriceBasis(
            None,
            None,
            None,
            refusal=(
                f"currency: the offer prices in {', '.join(sorted(offer_cur))}, the seek's "
                f"budget is in {', '.join(sorted(seek_cur))}; prices in different currencies "
                "are never compared"
            ),
        )
    if not asks and not budgets:
        return PriceBasis(None, None, None, note="neither intent names a price")
    currency = next(iter(sorted(offer_cur & seek_cur or offer_cur | seek_cur)), None)
    # "45 GBP or 50 EUR an hour" against "budget 100 EUR": only EUR amounts are compared.
    asks = [m for m in asks if m.currency in (None, currency)]
    budgets = [m for m in budgets if m.currency in (None, currency)]
    if not asks:
        b = budgets[0]
        return PriceBasis(
            None,
            b.high,
            currency,
            per=b.per,
            note=f"the seek's budget is {_money(b.high, currency)} ('{b.span.text}'); the offer names no price",
        )
    ask = max(asks, key=lambda m: _relevance(m, s))
    if not budgets:
        many = sorted(s.counted & ask.context) if ask.per is None else []
        if many:
            # "Tune-ups $60" against "2 kids bikes tuned up": the price may be for one of
            # them, and with no budget nothing bounds the total the seek owes
            return PriceBasis(
                None,
                None,
                currency,
                unchecked=f"price: the seek wants more than one {many[0]}; the offer's '{ask.span.text}' may be for one, and the seek names no budget",
            )
        return PriceBasis(
            ask.low,
            None,
            currency,
            per=ask.per,
            note=f"the offer asks {_money(ask.low, currency)} ('{ask.span.text}'); the seek names no budget",
        )
    same = [b for b in budgets if b.per == ask.per]
    budget = same[0] if same else next((b for b in budgets if b.per is None), budgets[0])
    quote = f"the offer asks '{ask.span.text}', the seek's budget is '{budget.span.text}'"
    for cand in sorted(asks, key=lambda m: m is not ask):
        if cand.per is None or cand.per == budget.per:
            continue
        # "$96 per case" of "cases of 6 x 1kg" for "24 kg": the containers the count fills
        packed = _pack_order(
            o,
            s,
            cand,
            budget,
            currency,
            offer_text,
            f"the offer asks '{cand.span.text}', the seek's budget is '{budget.span.text}'",
        )
        # a total per period is not checked again by price_basis: every other price the
        # offer states must be shown not to apply here
        if packed is not None and (
            budget.per is None or left_out_price(o, s, packed.note, currency) is None
        ):
            return packed
    if ask.per is None and budget.per is None:
        listed = price_list_total(o, s, currency, _thing_counts(s))
        if listed is not None:
            # "buttonhole 12, table centrepiece 45" for "4 buttonholes, 8 table
            # centrepieces": each line the seek names, times its count.
            step = f"the offer's list: {listed.step} is {_money(listed.total, currency)}"
            return PriceBasis(
                listed.total,
                budget.high,
                currency,
                note=f"the offer lists items, the seek's budget is '{budget.span.text}'; {step}",
                step=step,
            )
        counted = [
            q
            for q in s.quantities
            if q.bound == "about"
            and q.value >= 2
            and q.unit not in TIME_DAYS
            # "hemming 12 EUR" for "two pairs of trousers hemmed": the count's noun or
            # what is to be done to them is the price line's
            and (rough_stem(q.unit) in ask.context or q.tail & ask.context)
            # "20 sessions for 600": the offer's own count makes the price a total.
            and not any(oq.unit == q.unit for oq in o.quantities)
        ]
        if counted:
            # A price list's line ("hemming trousers 12 EUR") for several of them.
            count = max(q.value for q in counted)
            total = ask.low * count
            return PriceBasis(
                total,
                budget.high,
                currency,
                quantity=count,
                unit=counted[0].unit,
                note=f"{quote}; {_q(count)} of them ('{counted[0].span.text}') is {_money(total, currency)}",
                step=f"{_q(count)} of them ('{counted[0].span.text}') is {_money(total, currency)}",
            )
    if ask.per is None and budget.per is None and len(asks) == 1:
        occasions = _flat_occasions(o, s, ask, offer_text)
        if occasions is not None:
            total = ask.low * occasions.value
            step = f"{_q(occasions.value)} occasions ('{occasions.span.text}') at {_money(ask.low, currency)} is {_money(total, currency)}"
            return PriceBasis(
                total,
                budget.high,
                currency,
                quantity=occasions.value,
                unit="session",
                recurring=True,
                note=f"{quote}; {step}",
                step=step,
            )
    if ask.per is None and budget.per is None:
        multiple = _whole_multiple(o, s, currency, budget)
        if multiple is not None:
            return multiple
    if ask.per == budget.per:
        return PriceBasis(ask.low, budget.high, currency, per=ask.per, note=quote)
    if ask.per is not None and budget.per is None:
        extra = _times(o, s, ask, budget)
        if ask.per2 is not None and ask.per2 != budget.per and extra is None:
            # "150 per desk per month" with no number of months: never one month by default.
            return PriceBasis(
                None,
                budget.high,
                currency,
                unchecked=f"price: the offer charges per {ask.per} per {ask.per2} ('{ask.span.text}') and the seek states no number of {_plural(ask.per2)} against its total of '{budget.span.text}'",
            )
        factor, extra_note = extra if extra else (1.0, "")
        rate = ask.low * factor
        if extra_note:
            quote += f" {extra_note}"
        amount = seek_amount(o, s, ask.per)
        if amount is not None and seek_text:
            # "10 parts, each ~32 cm³": the amount is each part's
            amount = times_each(s, amount, seek_text)
        if amount is None:
            # "per archive box" for "40 archive boxes", "par visite" for "20 visits";
            # "12k images, 6 boxes per image"
            amount = head_count(s, ask.per, offer_text, ask.span.end) or per_thing_count(s, ask.per)
        # "Word count (source): 14,500", "n=250 completes": a count the reader missed
        # (never where the reader counts the unit itself, nor with a recurrence or against
        # a budget per period: "3 Std., dreimal pro Woche" is per visit)
        written = amount is None and seek_text and ask.per not in s.counted
        if written and s.recurrence is None and budget.per is None:
            amount = number_beside(seek_text, ask.per)
        if amount is None and ask.block_minutes:
            blocks = _blocks(s, ask.block_minutes)
            if isinstance(blocks, str):
                return PriceBasis(
                    None,
                    budget.high,
                    currency,
                    unchecked=f"price: the offer charges '{ask.span.text}'; {blocks}",
                )
            amount = blocks
        per_occasion = amount if amount is not None and ask.block_minutes and s.recurrence else None
        # "25 EUR per 30 min" for "30 min weekly, for 12 weeks": the blocks are one
        # occasion's, and the occasions recur.
        totalled = _recurring_amount(s, ask.per, None if per_occasion else amount)
        if per_occasion is not None and isinstance(totalled, Quantity):
            span = Span(
                per_occasion.span.start,
                per_occasion.span.end,
                f"{per_occasion.span.text} x {totalled.span.text}",
            )
            totalled = Quantity(per_occasion.value * totalled.value, ask.per, "about", span)
        if isinstance(totalled, str):
            return PriceBasis(
                None,
                budget.high,
                currency,
                unchecked=f"price: {totalled}, and the offer charges per {ask.per} ('{ask.span.text}') against the seek's total of '{budget.span.text}'",
            )
        if totalled is not None:
            amount = totalled
        if amount is not None:
            count = amount.value
            radius = included_radius(offer_text) if ask.per in _DISTANCE_PER else None
            past = ""
            if radius is not None:
                # "travel within 60 km included, beyond that €1/km": only the distance
                # past the included radius is charged, none inside it
                count = max(0.0, count - radius / _DISTANCE_PER[ask.per])
                past = f" past the {_q(radius / _DISTANCE_PER[ask.per])} included"
            total = ask.low * count * factor
            discount = o.first_discount
            if discount is not None and discount[0] == ask.per and count >= 1:
                # "59 per month, first month half price" for 4 months: 3.5 months' rate.
                total -= ask.low * factor * (1 - discount[1])
                quote += f" ('{discount[2].text}')"
            return PriceBasis(
                total,
                budget.high,
                currency,
                quantity=count,
                unit=ask.per,
                recurring=totalled is not None,
                note=f"{quote}; {_q(count)} {_plural(ask.per)}{past} ('{amount.span.text}') at {_money(ask.low, currency)} is {_money(total, currency)}",
                step=f"{_q(count)} {_plural(ask.per)}{past} ('{amount.span.text}') at {_money(ask.low, currency)} is {_money(total, currency)}",
            )
        estimate = [
            q
            for q in o.quantities
            # "about 10k items per week" is a pace, not an estimate of the work
            if q.unit == ask.per and q.bound == "about" and q.period is None
        ]
        if estimate and ask.per not in _BOOKING_UNITS:
            # "40 per hour, estimated 25 hours": the offer's own estimate of the work.
            count = max(q.value for q in estimate)
            return PriceBasis(
                rate * count,
                budget.high,
                currency,
                quantity=count,
                unit=ask.per,
                estimated=True,
                note=f"{quote}; the offer's own estimate of {_q(count)} {_plural(ask.per)} ('{estimate[0].span.text}') is {_money(rate * count, currency)}",
                step=f"the offer's own estimate of {_q(count)} {_plural(ask.per)} ('{estimate[0].span.text}') is {_money(rate * count, currency)}",
            )
        minimum = [q for q in o.quantities if q.unit == ask.per and q.bound == "at_least"]
        if minimum:
            count = max(q.value for q in minimum)
            return PriceBasis(
                rate * count,
                budget.high,
                currency,
                quantity=count,
                unit=ask.per,
                at_least=True,
                at_minimum=True,
                note=f"{quote}; at the offer's minimum of {_q(count)} {_plural(ask.per)} ('{minimum[0].span.text}') that is {_money(rate * count, currency)}",
                step=f"at the offer's minimum of {_q(count)} {_plural(ask.per)} ('{minimum[0].span.text}') that is {_money(rate * count, currency)}",
            )
        if ask.per in s.counted:
            # "1,450 per kWp" against "a 6 kWp system", "15 per tyre" against "tyres
            # fitted": more than one, and the reader found no count it can trust.
            return PriceBasis(
                None,
                budget.high,
                currency,
                unchecked=f"price: the offer charges per {ask.per} ('{ask.span.text}'); the seek wants more than one {ask.per} and the reader finds no count it can use against '{budget.span.text}'",
            )
        trips = trips_there_and_back(ask.per, seek_text, offer_text)
        if trips == 0:
            return PriceBasis(
                None,
                budget.high,
                currency,
                unchecked=f"price: the seek goes there and back; the offer's '{ask.span.text}' may be for one way or both",
            )
        if trips:
            step = f"the seek goes there and back: {trips} {_plural(ask.per)} at {_money(rate, currency)} is {_money(rate * trips, currency)}"
            return PriceBasis(
                rate * trips,
                budget.high,
                currency,
                quantity=trips,
                unit=ask.per,
                note=f"{quote}; {step}",
                step=step,
            )
        day = _one_day(s, ask.per)
        one = None
        if day:
            # "95 per day" against "party on saturday": one day, the seek states no length.
            one = f"the seek names one day ({day}) and no length: one {ask.per}"
        elif ask.per in JOB_UNITS or (
            ask.per not in TIME_DAYS
            and _singular(ask.per, s, seek_words)
            # "my car ... the other cars": a plural the reader's count of units misses
            and not names_plural(seek_text, ask.per)
            # "Anlage V + Anlage Kind": named twice over, so more than one
            and not named_apart(seek_text, ask.per)
            # "Word count (source): 14,500", "n=250 completes": a number the counts missed
            and number_beside(seek_text, ask.per) is None
        ):
            # "250 per kit" against "a logo and a simple brand kit": one of them.
            one = f"the seek names no number of {_plural(ask.per)}: one"
        elif (single := one_named(o, s, seek_text, ask.per, offer_text)) is not None:
            # "1,850 per truck" against "one full truckload", "per roof" against "our roof".
            one = f"the seek names one {ask.per} ('{single.span.text}') and no other amount: one"
        if one is not None:
            return PriceBasis(
                rate,
                budget.high,
                currency,
                quantity=1,
                unit=ask.per,
                at_least=True,
                note=f"{quote}; {one}",
                step=one,
            )
        return PriceBasis(
            None,
            budget.high,
            currency,
            unchecked=f"price: the offer charges per {ask.per} ('{ask.span.text}') and the seek states no number of {_plural(ask.per)} against its total of '{budget.span.text}'",
        )
    if ask.per is None and budget.per is not None:
        # "asking 900" against "50 per hour for about 20 hours": the seek's total.
        amounts = _amounts(s, budget.per) or _amounts(o, budget.per)
        if amounts and budget.per not in _BOOKING_UNITS:
            count = max(q.value for q in amounts)
            return PriceBasis(
                ask.low,
                budget.high * count,
                currency,
                quantity=count,
                unit=budget.per,
                note=f"{quote}; {_q(count)} {_plural(budget.per)} ('{amounts[0].span.text}') at {_money(budget.high, currency)} is {_money(budget.high * count, currency)}",
                step=f"{_q(count)} {_plural(budget.per)} ('{amounts[0].span.text}') at {_money(budget.high, currency)} is {_money(budget.high * count, currency)}",
            )
    if ask.per is not None and budget.per is not None:
        if ask.per2 == budget.per:
            amount = seek_amount(o, s, ask.per)
            if amount is not None:
                total = ask.low * amount.value
                return PriceBasis(
                    total,
                    budget.high,
                    currency,
                    per=budget.per,
                    quantity=amount.value,
                    unit=ask.per,
                    note=f"{quote}; {_q(amount.value)} {_plural(ask.per)} ('{amount.span.text}') is {_money(total, currency)} per {budget.per}",
                    step=f"{_q(amount.value)} {_plural(ask.per)} ('{amount.span.text}') is {_money(total, currency)} per {budget.per}",
                )
        if ask.per in _CALENDAR_MONTHS and budget.per in _CALENDAR_MONTHS and ask.per2 is None:
            # "15 per month" against "200 per year": the same rate over the seek's period.
            months = _time_ratio(budget.per, ask.per)
            return PriceBasis(
                ask.low * months,
                budget.high,
                currency,
                per=budget.per,
                note=f"{quote}; {_money(ask.low, currency)} per {ask.per} is {_money(ask.low * months, currency)} per {budget.per}",
                step=f"{_money(ask.low, currency)} per {ask.per} is {_money(ask.low * months, currency)} per {budget.per}",
            )
        length = seek_hours(s) if budget.per == "session" and ask.per in _WORK_SECONDS else None
        if length is not None and ask.per2 is None:
            # "30 per 60 min" against "max 50 per session" of "90 minutes": the rate over
            # one session's stated length.
            hours = length.value * _WORK_SECONDS["hour"] / _WORK_SECONDS[ask.per]
            per_session = ask.low * hours
            step = f"a session of '{length.span.text}' at {_money(ask.low, currency)} per {ask.per} is {_money(per_session, currency)} per session"
            return PriceBasis(
                per_session,
                budget.high,
                currency,
                per="session",
                note=f"{quote}; {step}",
                step=step,
            )
        # "25 per walk" against "150 weekly": the seek's count per that period.
        counted = _in_dozens(s) if ask.per == "dozen" else list(s.quantities)
        recurring = [q for q in counted if q.unit == ask.per and q.period == budget.per]
        if recurring:
            count = recurring[0].value
            return PriceBasis(
                ask.low * count,
                budget.high,
                currency,
                quantity=count,
                unit=ask.per,
                note=f"{quote}; {_q(count)} {_plural(ask.per)} per {budget.per} ('{recurring[0].span.text}') at {_money(ask.low, currency)} is {_money(ask.low * count, currency)} per {budget.per}",
                step=f"{_q(count)} {_plural(ask.per)} per {budget.per} ('{recurring[0].span.text}') at {_money(ask.low, currency)} is {_money(ask.low * count, currency)} per {budget.per}",
            )
        tied = (
            amount_per_period(s, budget, _amounts(s, ask.per), seek_text)
            if ask.per2 is None and ask.per not in _BOOKING_UNITS
            else None
        )
        least = [q.value for q in o.quantities if q.unit == ask.per and q.bound == "at_least"]
        if tied is not None and not any(tied.value < v - 1e-9 for v in least):
            # (below the offer's minimum the charge is not the rate times the amount)
            # "2 hours each visit" against "85 a visit": the rate over one occasion's amount.
            step = f"{_q(tied.value)} {_plural(ask.per)} per {budget.per} ('{tied.span.text}') at {_money(ask.low, currency)} is {_money(ask.low * tied.value, currency)} per {budget.per}"
            return PriceBasis(
                ask.low * tied.value,
                budget.high,
                currency,
                per=budget.per,
                quantity=tied.value,
                unit=ask.per,
                note=f"{quote}; {step}",
                step=step,
                tied=True,
            )
        if _once_each_period(s, ask, budget, offer_text, seek_text):
            # "weekly service $45/visit" against "a weekly pool cleaner, 50 a week"
            step = f"both sides write one {ask.per} each {budget.per}: {_money(ask.low, currency)} per {budget.per}"
            return PriceBasis(
                ask.low,
                budget.high,
                currency,
                per=budget.per,
                note=f"{quote}; {step}",
                step=step,
            )
    return PriceBasis(
        None,
        budget.high,
        currency,
        unchecked=f"price: the offer's '{ask.span.text}' and the seek's '{budget.span.text}' are on different bases",
    )


#: How people write "once each period", by the period ("weekly", "wöchentlich", "semanal").
_OFTEN = {
    "week": re.compile(
        r"\b(?:weekly|once\s+a\s+week|every\s+week|w[öo]chentlich\w*|"
        r"hebdomadaire|semanal\w*|settimanal\w*|wekelijks\w*)\b",
        re.I,
    ),
    "month": re.compile(
        r"\b(?:monthly|once\s+a\s+month|every\s+month|monatlich\w*|mensuel\w*|"
        r"mensual\w*|mensil\w*|maandelijks\w*)\b",
        re.I,
    ),
}
#: A period word that is the budget's or price's own, never how often the work comes.
_OFTEN_OF_MONEY = re.compile(r"^\s*(?:budget|rate|cost|price|fee|pay|spend|limit|cap|max)", re.I)
#: The units of a job that comes in visits.
_VISIT_UNITS = frozenset({"visit", "session", "lesson", "class", "clean", "walk"})


def _once_each_period(s: Facts, ask: Money, budget: Money, offer_text: str, seek_text: str) -> bool:
    """Whether both sides write the job as coming once each of the budget's period
    ("weekly service, $45/visit" and "a weekly pool cleaner"), the seek counting no
    visits, naming no several days: one visit per period."""
    often = _OFTEN.get(budget.per or "")
    if often is None or ask.per not in _VISIT_UNITS or ask.per2 is not None:
        return False
    if len(s.days) > 1 or any(q.unit == ask.per or q.period == budget.per for q in s.quantities):
        return False

    def once(text: str) -> bool:
        hits = list(often.finditer(text))
        return bool(hits) and all(not _OFTEN_OF_MONEY.match(text, h.end()) for h in hits)

    return once(offer_text) and once(seek_text)


def _one_count_of_people(o: Facts) -> bool:
    """The offer states one number of people, so it is the one it is for ("seats up to a
    hundred and twenty guests" is two readings, and the bounded one decides)."""
    return sum(1 for q in o.quantities if q.unit == "person") == 1


#: A cap written on each item: "videos up to 15 min", "files of max 2 GB", or the cap
#: followed by "each" / "per <item>".
_ITEM_CAP_BEFORE = re.compile(
    r"\b[a-z]{3,}s\s+(?:of\s+)?(?:up\s+to|max(?:imum)?\.?|under|no\s+longer\s+than)\s*$|"
    # "€65 per pallet (max 800 kg": a cap written into a price for each item
    r"\bper\s+(?!hour|day|week|month|year)[a-z]{3,}\s*[(:,]\s*(?:up\s+to|max(?:imum)?\.?)\s*$",
    re.I,
)
_ITEM_CAP_AFTER = re.compile(r"\s*(?:each|apiece|per\s+(?!hour|day|week|month|year)[a-z]+)\b", re.I)


def _per_item(s: Facts, need: Quantity, cap: Quantity, offer_text: str) -> float | None:
    """The seek's amount for each item when it wrote one for each of a count ("4 videos,
    ~12 min each" is 48 minutes in all) and the offer caps each item ("videos up to 15
    min"): the cap holds per item, not against the total. None otherwise."""
    if not offer_text or not re.search(r"\beach\b", need.span.text, re.I):
        return None
    counts = [
        c
        for c in s.quantities
        if c.span.start == need.span.start and c.unit != need.unit and c.value >= 2
    ]
    before = offer_text[max(0, cap.span.start - 40) : cap.span.start]
    per_item_cap = _ITEM_CAP_BEFORE.search(before) or _ITEM_CAP_AFTER.match(
        offer_text, cap.span.end
    )
    if len(counts) != 1 or not per_item_cap:
        return None
    return need.value / counts[0].value


def _held_each(
    s: Facts, amounts: list[Quantity], cap: Quantity, offer_text: str, found: Findings
) -> bool | None:
    """ "videos up to 15 min" against "4 videos, ~12 min each": each item held against the
    cap (True: within, False: refused); None when the cap is not one on each item."""
    each = _per_item(s, max(amounts, key=lambda a: a.value), cap, offer_text)
    if each is None:
        return None
    if each > cap.value + 1e-9:
        found.refusals.append(
            f"limit: the offer takes at most {_q(cap.value)} {cap.unit} each "
            f"('{cap.span.text}'), the seek needs {_q(each)} each"
        )
        return False
    found.checked.append(f"{cap.unit} {_q(each)} each within '{cap.span.text}'")
    return True


#: A minimum that is a pack size: "sold in cases of 12", "comes in boxes of 50".
_PACK_OF = re.compile(r"\b(?:cases?|packs?|boxes|box|crates?|cartons?|trays?)\s+of\s+\d", re.I)


def _whole_packs(minimum: Quantity, amounts: list[Quantity]) -> bool:
    """Whether the seek counts in the very packs the minimum is the size of."""
    pack = _PACK_OF.search(minimum.span.text)
    if pack is None or len(amounts) != 1:
        return False
    return canonical_unit(pack.group(0).split()[0]) == amounts[0].unit


def _packs_measured(  # noqa: PLR0911 - one flat pass of cases reads best
    o: Facts, s: Facts, minimum: Quantity, found: Findings, offer_text: str
) -> bool | None:
    """A pack minimum ("sold in cases of 6") against a seek that measures its need ("8 kg",
    "2 litres"): held in that measure when the offer states one size for what the pack holds
    ("5 kg bags", "1 litre bottles"), else "cannot check" (no pack count can be made of the
    seek's amount). True: checked; False: refused or declined; None: not such a case."""
    if minimum.bound != "at_least" or _PACK_OF.search(minimum.span.text) is None:
        return None
    wanted = [
        (a, a.value * measure[1], measure[0])
        for a in s.quantities
        if a.bound == "about" and a.period is None and (measure := measure_base(a.unit))
    ]
    if not wanted or len({(base, v) for _, v, base in wanted}) != 1:
        return None  # no one measured amount: the count checks, as before
    need_q, need, base = wanted[0]
    counted = seek_amount(o, s, minimum.unit)
    if counted is not None and counted.span != need_q.span:
        return None  # "24 jars, 500 g each": the seek counts things; the count checks
    sizes = {
        a.value * measure[1]
        for a in o.quantities
        if a.bound == "about" and (measure := measure_base(a.unit)) and measure[0] == base
    } | {size for size, unit in container_sizes(offer_text) if unit == base}
    if len(sizes) != 1:
        found.cannot(
            f"minimum: the offer sells whole packs ('{minimum.span.text}'); the seek states "
            f"'{need_q.span.text}' and the reader cannot count it in packs",
            BLOCKING_COST,
        )
        return False
    pack = minimum.value * sizes.pop()
    if need < pack - 1e-9:
        found.refusals.append(
            f"minimum: the offer sells whole packs ('{minimum.span.text}', {_q(pack)} {base} "
            f"each), the seek needs {_q(need)} {base} ('{need_q.span.text}')"
        )
        return False
    if abs(need / pack - round(need / pack)) > 1e-6:
        found.cannot(
            f"minimum: the seek's '{need_q.span.text}' is not a whole number of the offer's "
            f"packs ('{minimum.span.text}', {_q(pack)} {base} each)",
            BLOCKING_COST,
        )
        return False
    found.checked.append(f"'{need_q.span.text}' is whole packs of '{minimum.span.text}'")
    return True


def _limits(o: Facts, s: Facts, found: Findings, offer_text: str = "", seek_text: str = "") -> None:  # noqa: PLR0911, PLR0912 - one flat pass of limits reads best
    """Minimums, capacities and specifications on both sides."""
    for q in o.quantities:
        if q.bound == "about" and q.unit == "person" and _one_count_of_people(o):
            # "Boardroom for 12 pax", "dinner for 2": what is offered is for that many.
            people = _amounts(s, "person")
            need = max((a.value for a in people), default=0.0)
            if need > q.value + 1e-9:
                found.refusals.append(
                    f"limit: the offer is for {_q(q.value)} people ('{q.span.text}'), "
                    f"the seek needs {_q(need)} ('{people[0].span.text}')"
                )
                return
            continue
        if q.bound == "about":
            continue
        found.consult(q.span)  # every path below holds it against the seek, save one
        if q.bound == "at_most" and any(m.extra and m.per == q.unit for m in o.money):
            # "£450 for up to 20 pages; £20 per page beyond that": what the price includes,
            # with the rest at the extra rate (``_beyond_included``), never a cap.
            continue
        measured = _packs_measured(o, s, q, found, offer_text)
        if measured is not None:
            if measured:
                continue
            return
        amounts = _amounts(s, q.unit)
        if not amounts and q.unit in CAPACITY_UNITS:
            amounts = _amounts(s, "person")  # "up to 80 seats" against "250 attendees"
        if not amounts and q.unit == "item":
            # "min order 50 pcs" against "20 custom t-shirts": a count of what is offered.
            counted = seek_amount(o, s, "item")
            amounts = [counted] if counted is not None else []
        if q.bound == "at_least" and _whole_packs(q, amounts):
            # "sold in cases of 12" against "5 cases": whole packs meet the pack size
            found.checked.append(f"'{amounts[0].span.text}' are whole '{q.span.text}'")
            continue
        if not amounts and q.bound == "at_least" and _fewer_priced(o, s, q, offer_text, found):
            return
        if not amounts:
            least = _least_order_over_budget(o, s, q)
            if least:
                found.refusals.append(least)
                return
            found.consulted.discard(q.span)  # nothing of the seek's in its unit: the audit's
            continue
        need = max(a.value for a in amounts)
        if q.bound == "at_most" and _rate_against_total(q, amounts):
            # "up to 1,000 flyers per day" against "3,000 flyers by the 10th": a rate, held
            # against the seek's date by the throughput (``days_for``), never a cap.
            continue
        held = _held_each(s, amounts, q, offer_text, found) if q.bound == "at_most" else None
        if held is not None:
            if held:
                continue
            return
        if q.bound == "at_most" and need > q.value + 1e-9:
            found.refusals.append(
                f"limit: the offer takes at most {_q(q.value)} {q.unit} ('{q.span.text}'), "
                f"the seek needs {_q(need)} ('{amounts[0].span.text}')"
            )
            return
        # "minimum 1,000 eggs per week" holds against a weekly amount, never a one-off one.
        same_period = q.period is None or all(a.period == q.period for a in amounts)
        if q.bound == "at_least" and need < q.value - 1e-9 and same_period:
            per = f" per {q.period}" if q.period else ""
            found.refusals.append(
                f"minimum: the offer needs at least {_q(q.value)} {q.unit}{per} ('{q.span.text}'), "
                f"the seek states {_q(need)} ('{amounts[0].span.text}')"
            )
            return
        found.checked.append(f"{q.unit} {_q(need)} within '{q.span.text}'")
    _specs(o, s, found, offer_text, seek_text)


#: What a least ORDER is written after: "min order 10", "minimum of 6", "MOQ 50".
_ORDER_MINIMUM = re.compile(
    r"\b(?:min(?:imum|\.)?(?:\s+order)?(?:\s+of)?|moq|at\s+least)\s*:?\s*$", re.I
)


def _fewer_priced(o: Facts, s: Facts, q: Quantity, offer_text: str, found: Findings) -> bool:
    """ "Hens £16 each, min order 10 birds" against "3 hens": the minimum counts in a word
    the seek does not use, the seek counts what the offer prices. Whether a bird is a hen
    (or a box holds jars) takes knowledge the reader has not; fewer priced things than the
    minimum's number is never passed unread (precision first). Only a least order counts
    ("tread 5-6mm" is a size of each)."""
    if not _ORDER_MINIMUM.search(offer_text, max(0, q.span.start - 20), q.span.start):
        return False
    for unit in dict.fromkeys(m.per for m in o.money if m.per and m.per != q.unit):
        counted = _amounts(s, unit)
        if counted and max(a.value for a in counted) < q.value - 1e-9:
            found.cannot(
                f"minimum: the offer states '{q.span.text}', the seek counts "
                f"'{counted[0].span.text}' in another word",
                BLOCKING_COST,
            )
            return True
    return False


#: A part the offer names -> the words a seek uses for what it is: NVMe storage is an
#: SSD, any drive is disk or storage ("≥100GB SSD" against "160 GB NVMe").
_PART_MEETS: dict[str, frozenset[str]] = {
    rough_stem(part): frozenset(rough_stem(w) for w in words)
    for part, words in (
        ("nvme", ("ssd", "disk", "storage", "drive")),
        ("ssd", ("disk", "storage", "drive")),
        ("hdd", ("disk", "storage", "drive")),
    )
}


def _meets_part(offered: frozenset[str], sought: frozenset[str]) -> bool:
    """Whether a part the offer names is the kind of part the seek's words name."""
    return any(_PART_MEETS.get(word, frozenset()) & sought for word in offered)


def _specs(o: Facts, s: Facts, found: Findings, offer_text: str = "", seek_text: str = "") -> None:
    """The seek's specifications and minimums against what the offer states."""
    for q in s.quantities:
        # what each measures, by the words after it and its label before it (measures.py)
        sought = measured_words(seek_text, q) if q.unit in ("gb", "tb") else q.tail
        spec = q.unit in SPEC_UNITS
        if not spec and q.bound != "at_least":
            continue
        offered = [a for a in o.quantities if a.unit == q.unit and a.bound in ("about", "at_most")]
        if q.unit == "gb":
            # "1 TB SSD" against "512GB+ SSD": a terabyte is at least 1,000 GB, of the
            # part the seek names only ("80 GB VRAM" is no "2 TB NVMe")
            offered += [
                replace(a, value=a.value * 1000, unit="gb")
                for a in o.quantities
                if a.unit == "tb"
                and a.bound in ("about", "at_most")
                and measured_words(offer_text, a) & sought
            ]
        if not offered:
            if q.bound == "at_least" or spec:
                found.cannot(f"the seek needs {q.span.text!r}; the offer states no {q.unit}", 10)
            continue
        if len({a.value for a in offered}) > 1:
            # "4 GB RAM, 80 GB SSD" against "at least 8 GB RAM": the one that measures
            # what the seek names, or nothing is checked.
            named = [
                a
                for a in offered
                if (measured_words(offer_text, a) if a.unit in ("gb", "tb") else a.tail) & sought
                or _meets_part(a.tail, q.tail)
            ]
            if not named:
                found.cannot(
                    f"specification: the seek needs {q.span.text!r}; the offer states "
                    f"{', '.join(repr(a.span.text) for a in offered)} and the reader cannot tell which applies",
                    BLOCKING_COST,
                )
                continue
            offered = named
        best = max(a.value for a in offered)
        if best + 1e-9 < q.value:
            found.refusals.append(
                f"specification: the seek needs {_q(q.value)} {q.unit} ('{q.span.text}'), the "
                f"offer has {_q(best)} ('{offered[0].span.text}')"
            )
            return
        found.checked.append(f"{q.unit}: {_q(best)} >= {_q(q.value)}")


#: Sizes, weights and distances a seek caps ("no wider than 200 cm", "under 5 kg",
#: "under 120k miles" on the clock).
_SIZE_UNITS = frozenset({"cm", "mm", "kg", "g", "m2", "sqft", "mile", "km"})
#: Sizes a thing has: two different exact sizes of one are not the same thing.
_EXACT_UNITS = frozenset({"cm", "mm", "m2", "sqft"})
#: Floor areas, which a space may have more of than is needed (:func:`space_area`).
_AREA_UNITS = frozenset({"m2", "sqft"})


def _size_caps(o: Facts, s: Facts, found: Findings, texts: tuple[str, str] = ("", "")) -> None:
    """The seek's most of a size or weight against what the offer states it is; an exact
    size the seek wants against a different one the offer states cannot be judged, save
    the floor area of a space both sides measure (``texts``: their folded prose), which
    a bigger one meets."""
    for q in s.quantities:
        if q.bound == "about" and q.unit in _EXACT_UNITS:
            stated = [a for a in o.quantities if a.unit == q.unit and a.bound == "about"]
            if (
                q.unit in _AREA_UNITS
                and stated
                and space_area(texts[1], q.span, sought=True)
                and all(space_area(texts[0], a.span) for a in stated)
                and all(a.value + 1e-9 >= q.value for a in stated)
            ):
                found.checked.append(
                    f"{q.unit}: the space offered, {_q(min(a.value for a in stated))}, "
                    f"holds the {_q(q.value)} the seek needs"
                )
                continue
            if stated and all(abs(a.value - q.value) > 1e-9 for a in stated):
                found.cannot(
                    f"size: the seek wants {_q(q.value)} {q.unit} ('{q.span.text}'), the offer "
                    f"states {_q(stated[0].value)} ('{stated[0].span.text}')",
                    BLOCKING_COST,
                )
            continue
        if q.bound != "at_most" or q.unit not in _SIZE_UNITS:
            continue
        stated = [a for a in o.quantities if a.unit == q.unit and a.bound == "about"]
        if not stated:
            continue
        smallest = min(a.value for a in stated)
        if smallest > q.value + 1e-9:
            found.refusals.append(
                f"size: the seek wants at most {_q(q.value)} {q.unit} ('{q.span.text}'), the "
                f"offer states {_q(smallest)} ('{stated[0].span.text}')"
            )
            return
        found.checked.append(f"{q.unit}: {_q(smallest)} <= {_q(q.value)}")


def _implied_direction(o: Facts, s: Facts, found: Findings) -> bool:
    """The offer works one way ("Japanese into English") and the seek names both
    languages without a pair: its direction decides, or nothing is checked. False when
    the directions clash (a refusal is added)."""
    found.consult(LANGUAGE_MARK)
    targets, sources = s.language_targets - s.language_sources, s.language_sources
    have = ", ".join(f"{a}->{b}" for a, b in sorted(o.language_pairs))
    if not targets and not sources:
        found.cannot(
            f"languages: the offer works {have}; the seek's direction is not stated",
            BLOCKING_COST,
        )
        return True
    if any(
        (not targets or b in targets) and (not sources or a in sources) for a, b in o.language_pairs
    ):
        found.checked.append("language direction")
        return True
    wanted = sorted(targets) or sorted(s.languages - sources)
    found.refusals.append(
        f"languages: the seek needs {', '.join(wanted)} from {', '.join(sorted(sources)) or 'another language'}, the offer works {have}"
    )
    return False


def _languages(o: Facts, s: Facts, found: Findings) -> None:
    o_targets = o.language_targets - o.language_sources
    s_targets = s.language_targets - s.language_sources
    if not o.language_pairs and o_targets and s_targets and not o_targets & s_targets:
        # "German subtitles for English videos" against "need English subtitles": each
        # side names the language it wants out and they differ; no pair reading weighs it.
        found.consult(LANGUAGE_MARK)
        found.cannot(
            f"languages: the offer produces {', '.join(sorted(o_targets))}, the seek wants "
            f"{', '.join(sorted(s_targets))}",
            BLOCKING_COST,
        )
        return
    if s.language_pairs:
        found.consult(LANGUAGE_MARK)  # the seek's pair is held against the offer below
        if o.language_pairs:
            if not o.language_pairs & s.language_pairs:
                want = ", ".join(f"{a}->{b}" for a, b in sorted(s.language_pairs))
                have = ", ".join(f"{a}->{b}" for a, b in sorted(o.language_pairs))
                found.refusals.append(f"languages: the seek needs {want}, the offer works {have}")
                return
            found.checked.append("language direction")
        elif o.languages:
            if not any({a, b} <= o.languages for a, b in s.language_pairs):
                found.refusals.append(
                    f"languages: the seek needs {sorted(s.languages)}, the offer names {sorted(o.languages)}"
                )
                return
        else:
            found.cannot(
                "the seek names a language pair; the offer names no language", BLOCKING_COST
            )
    elif o.language_pairs and len(s.languages) >= 2 and not _implied_direction(o, s, found):
        return
    paired = {lang for pair in s.language_pairs for lang in pair}
    for lang in sorted(s.languages_required - paired):
        if o.languages and lang not in o.languages:
            found.refusals.append(
                f"languages: the seek needs {lang.title()}, the offer names {', '.join(sorted(x.title() for x in o.languages))}"
            )
            return
        if not o.languages:
            found.cannot(f"the seek needs {lang.title()}; the offer names no language")
    if o.languages_only and s.languages - o.languages:
        found.refusals.append(
            f"languages: the offer works in {', '.join(sorted(o.languages))} only, the seek "
            f"names {', '.join(sorted(s.languages - o.languages))}"
        )


def _radius(o: Facts, s: Facts, found: Findings, offer_text: str, seek_text: str) -> None:
    """The offer's radius ("within 30 km of Annecy only") against the seek's distance
    from one of the offer's places ("about 55 km from Annecy"): beyond it is a refusal,
    within it a check. A distance from another town is not compared."""
    if o.travel_km is None:
        return
    # "travel within 60 km included, beyond that €1/km": the radius is no limit but where
    # a charge per km begins, which the price counts
    charged = included_radius(offer_text) is not None and any(
        m.per in _DISTANCE_PER for m in o.money
    )
    names = {p for p, _ in o.places}
    for km, place in distances_from(seek_text):
        first = place.split()[0]
        if not any(n in (place, first) or place.startswith(n + " ") for n in names):
            continue
        if km > o.travel_km + 1e-9 and charged:
            found.checked.append(f"distance: {km:g} km, past {o.travel_km:g} km charged")
            return
        if km > o.travel_km + 1e-9:
            found.refusals.append(
                f"distance: the seek is {km:g} km from {place.title()}, the offer serves "
                f"within {o.travel_km:g} km"
            )
            return
        found.checked.append(f"distance: {km:g} km within {o.travel_km:g} km")
        return
    # No distance from the offer's own place: one the seek states beyond the radius
    # ("Eindhoven to Boxtel, approx 29 km"), or a place of the seek's the offer does not
    # name, is a distance nobody read (no gazetteer), never a pass.
    beyond = [km for km in distances_stated(seek_text) if km > o.travel_km + 1e-9]
    if beyond:
        found.cannot(
            f"distance: the seek states {beyond[0]:g} km, the offer serves within "
            f"{o.travel_km:g} km; from where is not read",
            BLOCKING_COST,
        )
        return
    stated = distances_stated(seek_text)
    if stated:
        # "I'm in Headingley, about 3 miles out of town": every distance the seek states
        # is inside the radius
        found.checked.append(f"distance: {max(stated):g} km within {o.travel_km:g} km")
        return
    elsewhere = sorted({p for p, _ in s.places} - names)
    if elsewhere and regions.inside(names, offer_text, elsewhere, seek_text) is None:
        # a place the sourced table puts inside the offer's own ("Headingley", Leeds) is
        # taken as near it, as the place check takes it; any other is not known
        found.cannot(
            f"distance: the offer serves within {o.travel_km:g} km; how far "
            f"{', '.join(x.title() for x in elsewhere)} is, is not known",
            BLOCKING_COST,
        )


def _places(
    o: Facts,
    s: Facts,
    found: Findings,
    seek_onsite_required: bool,
    texts: tuple[str, str] = ("", ""),
) -> None:
    offer_places = {p for p, _ in o.places}
    seek_places = {p for p, _ in s.places}
    if s.remote and not s.onsite and o.onsite and not o.remote:
        found.refusals.append("place: the seek wants it remote or online, the offer is in person")
        return
    if o.remote and not o.onsite:
        if seek_onsite_required:
            found.refusals.append("place: the seek needs someone in person, the offer is online")
        return
    if offer_places and seek_places:
        if offer_places & seek_places:
            found.checked.append(f"place: {', '.join(sorted(offer_places & seek_places)).title()}")
            found.bonus += 3
            return
        quote_o = next(span.text for p, span in o.places)
        quote_s = next(span.text for p, span in s.places)
        within = regions.inside(offer_places, texts[0], seek_places, texts[1])
        comes = regions.seek_comes(texts[0], texts[1]) if not seek_onsite_required else None
        if within is None and comes is not None and not o.ships:
            # "Pickup only at the stand in X" / "we'll pick up at your stand": the seek
            # travels to the offer's place, its own place does not bear on the deal
            within = f"the seek comes to {quote_o} ('{comes}')"
        if within is not None:
            # "Phoenix metro" / "Scottsdale", "Georgia" / "Decatur GA": one place inside
            # the other, as the text writes it or a small sourced table holds it
            found.checked.append(f"place: {within}")
            return
        if o.place_restricted or o.onsite or seek_onsite_required:
            found.refusals.append(
                f"place: the offer is tied to {quote_o}, the seek is in {quote_s}"
            )
        elif o.ships:
            found.cannot(f"place: the offer names {quote_o}, the seek {quote_s}", 10)
        else:
            # No gazetteer: two different places may or may not be near each other.
            found.cannot(f"place: the offer names {quote_o}, the seek {quote_s}", BLOCKING_COST)
        return
    if seek_places and o.onsite and not o.remote and not o.ships and not offer_places:
        found.cannot(
            f"place: the offer is in person and names no place the reader can find; the seek "
            f"is in {next(span.text for _, span in s.places)}",
            BLOCKING_COST,
        )
        return
    if seek_places and seek_onsite_required and not offer_places:
        found.cannot(
            f"place: the seek needs someone on site in {next(span.text for _, span in s.places)}; "
            "the offer names no place",
            BLOCKING_COST,
        )
    _outside_region(o, s, found, texts)


def _outside_region(o: Facts, s: Facts, found: Findings, texts: tuple[str, str]) -> None:
    """ "Scotland only" / "at our Newcastle upon Tyne bakery": the seek's place is read by
    no cue, but the sourced table puts a town it names outside the offer's region."""
    if not o.places or s.places or not o.place_restricted or o.ships or o.remote:
        return  # a side that ships or works online is not held to where it is
    away = regions.outside({p for p, _ in o.places}, texts[0], texts[1])
    if away is not None:
        found.refusals.append(f"place: the offer is tied to its region; {away}")


#: "Christmas Day", "Boxing Day", "New Year's Day": days a "no bank holidays" excludes.
_HOLIDAYS = re.compile(
    r"\b(?:christmas|xmas|boxing\s+day|new\s+year'?s?\s+(?:day|eve)|easter|good\s+friday|"
    r"whit\s+monday|st\.?\s+patrick'?s\s+day|thanksgiving|independence\s+day|"
    r"king'?s\s+day|koningsdag|labou?r\s+day)\b",
    re.I,
)


def _names_a_holiday(text: str) -> str | None:
    match = _HOLIDAYS.search(text)
    return match.group(0) if match else None


def _exclusions(o: Facts, s: Facts, found: Findings, texts: tuple[str, str] = ("", "")) -> None:
    for mine, theirs, who, other in ((o, s, "offer", "seek"), (s, o, "seek", "offer")):
        their_text = texts[1] if who == "offer" else texts[0]
        for stems, span in mine.exclusions:
            holiday = "holiday" in stems and _names_a_holiday(their_text)
            if holiday:
                # "not on bank holidays" against "on Christmas Day"
                found.refusals.append(
                    f"exclusion: the {who} states '{span.text}', the {other} names {holiday}"
                )
                return
            # "no video" against "videographer": a word the excluded stem begins counts.
            hit = all(
                any(
                    a in theirs.positives
                    or (len(a) >= 4 and any(p.startswith(a) for p in theirs.positives))
                    # "no alcohol" against "wine & beer": a class covers its members
                    for a in covered_by(x)
                )
                for x in stems
            )
            if hit:
                found.consult(span)
            if hit and who == "seek" and optional_extra(stems, their_text, texts[1], span.text):
                # "no broadcast" against "Broadcast rights +30%": an extra the seek leaves out
                found.checked.append(
                    f"the seek's '{span.text}' leaves out an extra the offer prices"
                )
                hit = False
            if hit:
                found.refusals.append(
                    f"exclusion: the {who} states '{span.text}', the {other} asks for it"
                )
                return
            banned = stems & {rough_stem(c) for c in mine.countries}
            # the places the ban side names itself lie inside its country; others may not
            elsewhere = {p for p, _ in theirs.places} - {p for p, _ in mine.places}
            elsewhere |= theirs.countries - mine.countries
            if banned and elsewhere:
                found.consult(span)
                # "cars may not leave the Netherlands" against a trip via Aachen: whether
                # the other side's places lie in the country takes a gazetteer the reader
                # has not; the ban is never passed over unread.
                found.cannot(
                    f"exclusion: the {who} states '{span.text}', the {other} names "
                    f"{', '.join(sorted(elsewhere))}",
                    BLOCKING_COST,
                )


#: Words that exclude each other: an offer of one does not fit a seek of the other.
OPPOSITES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(a, re.I), re.compile(b, re.I))
    for a, b in (
        (r"\bmanual\b", r"\bautomatic\b"),
        (r"\bsame[- ]day\b", r"\bnext[- ]day\b"),
        (r"\bindoors?\b", r"\boutdoors?\b"),
        (r"\bpart[- ]time\b", r"\bfull[- ]time\b"),
        (r"\bhalal\b|\bkosher\b", r"\b(?:pork|bacon|ham|shellfish)\b"),
        # a minimum term against a single job
        (
            r"\bminimum\s+(?:contract|term)\b|\bcontract\s+(?:of\s+)?\d+\s*(?:-\s*)?months?\s+minimum\b"
            r"|\b\d+[- ]months?\s+(?:contract\s+)?minimum\b",
            r"\bone[- ](?:off|time)\b|\bjust\s+once\b",
        ),
        # a performer's voice: "female voice talent" is no "male British voice"
        (
            r"\bfemale\s+(?:[a-z]+\s+){0,2}?(?:voice|vocalist|singer|narrator|presenter|dj)\b",
            r"(?<![a-z])male\s+(?:[a-z]+\s+){0,2}?(?:voice|vocalist|singer|narrator|presenter|dj)\b",
        ),
        (
            r"\bcash\s+only\b|\bonly\s+(?:accept\s+|take\s+)?cash\b",
            r"\b(?:card|bank\s+transfer|paypal|invoice)\s+only\b|\bno\s+cash\b"
            # "we can only pay by bank transfer against an invoice"
            r"|\bonly\s+(?:pay|be\s+paid)\s+(?:by|via|with|through)\s+(?:card|bank|paypal|invoice|transfer)",
        ),
        (
            r"\bvegan\b|\bvegetarian\b|\bplant[- ]based\b",
            r"\b(?:meat|beef|pork|chicken|lamb|fish|seafood|bbq\s+ribs)\b",
        ),
    )
)


_NEGATED_BEFORE = re.compile(
    r"\b(?:no|not|never|without|can't|cannot|can\s+not|don't|won't|doesn't)\b[^.;!?\n]{0,20}$", re.I
)


def _affirmed(pattern: re.Pattern[str], text: str) -> bool:
    """``pattern`` occurs in ``text`` at least once without a negation just before it."""
    return any(
        not _NEGATED_BEFORE.search(text, max(0, m.start() - 30), m.start())
        for m in pattern.finditer(text)
    )


@functools.lru_cache(maxsize=16_384)
def _opposite_mentions(text: str) -> tuple[tuple[str | None, bool], ...]:
    """For each pattern of :data:`OPPOSITES` in order (a, b, a, b ...): its first match in
    ``text`` (None if none) and whether it is affirmed there. One scan per text, not per
    pair (issue 15): the texts are an intent's, each in ~2 of the cycle's pairs."""
    found: list[tuple[str | None, bool]] = []
    for pair in OPPOSITES:
        for pattern in pair:
            first = pattern.search(text)
            found.append(
                (None, False) if first is None else (first.group(0), _affirmed(pattern, text))
            )
    return tuple(found)


def _opposites(offer_text: str, seek_text: str, found: Findings) -> None:
    offered, sought = _opposite_mentions(offer_text), _opposite_mentions(seek_text)
    for k in range(0, len(offered), 2):
        for x, y in ((k, k + 1), (k + 1, k)):
            ox, sy = offered[x][0], sought[y][0]
            # "must be automatic (I can't drive manual)": a negated mention is no wish.
            if ox is not None and sy is not None and offered[y][0] is None and not sought[x][1]:
                found.refusals.append(f"the offer states '{ox}', the seek needs '{sy}'")
                return


def _accents(o: Facts, s: Facts, found: Findings) -> None:
    """A seek that names an accent wants that voice: another named one does not fit, and
    an offer naming none cannot be checked."""
    if not s.accents:
        return
    if o.accents and not o.accents & s.accents:
        found.refusals.append(
            f"accent: the seek needs {', '.join(sorted(s.accents))}, the offer states "
            f"{', '.join(sorted(o.accents))}"
        )
    elif not o.accents:
        found.cannot(
            f"accent: the seek needs {', '.join(sorted(s.accents))}; the offer names none", 10
        )
    else:
        found.checked.append(f"accent: {', '.join(sorted(o.accents & s.accents))}")


def _countries(o: Facts, s: Facts, found: Findings) -> None:
    """Different countries on the two sides: a local offer does not reach the seek; one
    that ships or travels may or may not (no gazetteer of where it goes); a remote one
    does."""
    if not o.countries or not s.countries or o.countries & s.countries:
        return
    if o.remote and not o.onsite:
        return
    where = f"the offer names {', '.join(sorted(o.countries))}, the seek {', '.join(sorted(s.countries))}"
    if o.ships:
        found.cannot(f"country: {where}", 10)
    else:
        found.refusals.append(f"country: {where}")


def _until(o: Facts, s: Facts, found: Findings) -> None:
    """The offer's last day ("available until 15 March") and the places it excludes ("not
    available in London") against the seek's start, event and place."""
    if o.start_date and s.start_date and s.start_date < o.start_date:
        found.refusals.append(
            f"dates: the offer is available from {o.start_date.isoformat()}, the seek starts "
            f"{s.start_date.isoformat()}"
        )
    if o.until_date and s.start_date and s.start_date > o.until_date:
        found.refusals.append(
            f"dates: the offer is available until {o.until_date.isoformat()}, the seek starts "
            f"{s.start_date.isoformat()}"
        )
    elif o.until_date and s.event_date and s.event_date > o.until_date:
        found.refusals.append(
            f"dates: the offer is available until {o.until_date.isoformat()}, the seek needs it "
            f"on {s.event_date.isoformat()}"
        )
    seek_places = {p for p, _ in s.places}
    found.consult(*(span for _, span in o.places_excluded))  # each held against the seek's places
    for place, span in o.places_excluded:
        if place in seek_places:
            found.refusals.append(
                f"place: the offer states '{span.text}', the seek is in {place.title()}"
            )
            break


#: An offer's discount for another person ("Siblings get 10% off the second child's
#: term", "each additional person half price"): its price is one person's.
_ANOTHER_PERSON = re.compile(
    r"\b(?:siblings?|brothers?\s+(?:and|or)\s+sisters?|twins|family\s+discount|"
    r"(?:second|2nd|third|3rd|each\s+additional|additional|extra|another)\s+"
    r"(?:child|kid|person|pupil|student|participant|sibling|dog|pet|cat|adult|rider|guest)s?)\b",
    re.I,
)
_DISCOUNT = re.compile(
    r"\d\s*%\s*(?:off|discount|less|cheaper)|\bdiscount|\bhalf[- ]price|\breduced\b|\bcheaper\b",
    re.I,
)
#: A seek for more than one person: "my two kids", "both children", "the twins".
_SEVERAL = re.compile(
    r"\b(?:two|three|four|five|2|3|4|5|both)\s+(?:of\s+)?(?:(?:my|our|the|little|young)\s+)*"
    r"(?:kids|children|sons|daughters|boys|girls|people|persons|students|pupils|siblings|"
    r"dogs|cats|pets|adults|riders|of\s+us)\b|\b(?:my|our|the)\s+twins\b",
    re.I,
)


def _per_person_discount(offer_text: str, seek_text: str, found: Findings) -> None:
    """A price with a discount for a second person against a seek for several: the total
    is the price per person with that discount, which the reader does not work out."""
    several = _SEVERAL.search(seek_text)
    if several is None:
        return
    for sentence in re.split(r"(?<=[.!?;])\s+|\n", offer_text):
        if _ANOTHER_PERSON.search(sentence) and _DISCOUNT.search(sentence):
            found.cannot(
                f"price: the offer prices one person with a discount for another "
                f"('{sentence.strip()}'), the seek is for '{several.group(0)}'",
                BLOCKING_COST,
            )
            return


def _confined(o: Facts, s: Facts, found: Findings, seek_text: str) -> None:
    """The offer's "may not leave Spain" against the places the seek names, its route's
    too ("Sevilla -> Lisbon"). The offer's own places lie inside its confinement."""
    confined = {p for p, _ in o.places_confined}
    if not confined:
        return
    found.consult(*(span for _, span in o.places_confined))  # held against every place below
    route = {p for leg in _legs(seek_text) for p in leg}
    named = {p for p, _ in s.places} | s.countries | route
    elsewhere = sorted(named - confined - {p for p, _ in o.places} - o.countries)
    if elsewhere:
        # No gazetteer: whether Antwerp lies inside "the Netherlands" is not known here.
        found.cannot(
            f"place: the offer states '{o.places_confined[0][1].text}'; the reader cannot tell "
            f"whether {', '.join(p.title() for p in elsewhere)} lie inside it",
            BLOCKING_COST,
        )


def _grades(o: Facts, s: Facts, found: Findings) -> None:
    if o.grade_range is None or s.grade is None:
        return
    low, high, text = o.grade_range
    if not low <= s.grade <= high:
        found.refusals.append(f"level: the offer covers '{text}', the seek names level {s.grade}")


def _only_kinds(o: Facts, s: Facts, found: Findings) -> None:
    """ "small dogs only" against "my Labrador": no way to tell from the words."""
    for kind, span in o.only_kinds:
        singular = kind[:-3] + "y" if kind.endswith("ies") else kind
        if not {rough_stem(kind), rough_stem(singular)} & s.positives:
            # Precision first: a restriction the seek does not confirm declines the pair.
            found.cannot(f"'{span.text}': the seek does not say it is {kind}", BLOCKING_COST)


#: The hour evenings begin ("after 5pm", "9-5" is daytime).
EVENING_FROM = 17.0


def _availability(o: Facts, s: Facts, found: Findings) -> None:
    """Times of day and week (slots), and named days when the offer keeps to them."""
    if o.slots and s.slots and not o.slots & s.slots:
        found.refusals.append(
            f"availability: the offer's times ({', '.join(sorted(o.slots))}) do not cover the "
            f"seek's ({', '.join(sorted(s.slots))})"
        )
    elif o.slots and s.slots:
        found.checked.append("availability")
    elif o.slots and not s.slots and s.clock_from is not None:
        # "evenings only" against "tutoring at 9am": the seek's clock time names its slot
        hour, span = s.clock_from
        part = "eve" if hour >= EVENING_FROM or hour < 5 else "day"
        if part not in {slot.split("-")[1] for slot in o.slots}:
            found.refusals.append(
                f"availability: the offer's times ({', '.join(sorted(o.slots))}) do not "
                f"cover the seek's '{span.text}'"
            )
    if o.days and s.days and o.slots_strict and not o.days & s.days:
        found.refusals.append(
            f"availability: the offer works {', '.join(sorted(o.days))} only, the seek needs "
            f"{', '.join(sorted(s.days))}"
        )
    _until(o, s, found)


def _clock(o: Facts, s: Facts, found: Findings) -> None:
    """The offer's earliest start and latest finish against the seek's ("DJ until
    midnight" against "party until 2am")."""
    if o.clock_until and s.clock_until and s.clock_until[0] > o.clock_until[0] + 1e-9:
        found.refusals.append(
            f"hours: the offer states '{o.clock_until[1].text}', the seek needs "
            f"'{s.clock_until[1].text}'"
        )
    elif o.clock_from and s.clock_from and s.clock_from[0] < o.clock_from[0] - 1e-9:
        found.refusals.append(
            f"hours: the offer states '{o.clock_from[1].text}', the seek needs "
            f"'{s.clock_from[1].text}'"
        )
    elif o.clock_until and s.clock_from and s.clock_from[0] >= o.clock_until[0] - 1e-9:
        # "8:00-13:00 only" against "after 18:00": the seek starts when the offer stops
        found.refusals.append(
            f"hours: the offer states '{o.clock_until[1].text}', the seek needs "
            f"'{s.clock_from[1].text}'"
        )
    elif o.clock_from and s.clock_until and s.clock_until[0] <= o.clock_from[0] + 1e-9:
        # "from 10am" against "before 8am": the seek is done before the offer starts
        found.refusals.append(
            f"hours: the offer states '{o.clock_from[1].text}', the seek needs "
            f"'{s.clock_until[1].text}'"
        )


def _floors(o: Facts, s: Facts, found: Findings) -> None:
    """An offer's highest floor ("never above the third floor") against the seek's floor
    or building ("my 6th floor flat", "a three-storey house"). It limits where the work is
    done, never the service itself; one the seek does not state cannot be checked."""
    if o.floor_max is None or (o.floor_max_lift and s.lift):
        return
    most, kind, span = o.floor_max
    if s.floor is None:
        found.cannot(f"'{span.text}': the seek does not say which floor", BLOCKING_COST)
        return
    value, seek_kind, seek_span = s.floor
    # Both as the highest floor number (ground is 0): a building of N storeys, or a limit
    # of N storeys, reaches floor N - 1.
    limit = most if kind == "floor" else most - 1
    top = value if seek_kind == "floor" else value - 1
    if top > limit:
        found.refusals.append(
            f"floor: the offer states '{span.text}', the seek's is '{seek_span.text}'"
        )
    else:
        found.checked.append(f"floor: '{seek_span.text}' within '{span.text}'")


#: Member states of the European Union, as the reader's gazetteer names countries.
_EU_MEMBERS = frozenset(
    {"ireland", "france", "germany", "spain", "portugal", "italy", "netherlands", "belgium",
     "austria", "poland", "czechia", "sweden", "denmark", "finland", "greece", "hungary",
     "romania", "bulgaria", "croatia", "slovakia", "slovenia", "luxembourg", "estonia",
     "latvia", "lithuania"}
)  # fmt: skip
_EU_NAMED = re.compile(r"\bEU\b|\bEuropean\s+Union\b")


def _outside_eu(o: Facts, requirement: Span) -> str:
    """The offer's countries when a seek's requirement keeps the deal inside the EU ("data
    must stay in the EU") and every country the offer names lies outside it; else ''."""
    if not _EU_NAMED.search(requirement.text) or not o.countries:
        return ""
    if o.countries & _EU_MEMBERS:
        return ""
    return ", ".join(sorted(c.upper() if len(c) == 2 else c.title() for c in o.countries))


#: People a seek names in words rather than by number ("an engineer + partner + their
#: 4-year-old", "me, my wife and our son").
_PERSON_WORD = (
    r"partner|wife|husband|spouse|girlfriend|boyfriend|fianc[eé]e?|kid|child|son|daughter|"
    r"baby|toddler|infant|teenager|friend|colleague|room-?mate|flat-?mate|parent|mum|mom|"
    r"dad|mother|father|grandparent|me|myself|\d+[- ]year[- ]old"
)
_PERSON = re.compile(rf"\b(?:{_PERSON_WORD})\b", re.I)
#: Several of them with no number ("the kids", "my parents", "family"): how many is unread.
_PEOPLE_PLURAL = re.compile(
    r"\b(?:kids|children|sons|daughters|babies|friends|colleagues|parents|grandparents|"
    r"family|families|\d+[- ]year[- ]olds)\b",
    re.I,
)
#: A party told in words counts from two ("one friend" beside "me" would count one).
_NUMBER_WORDS = {word: n for word, n in UNIT_WORDS.items() if 2 <= n <= 12}
_COUNTED_PEOPLE = re.compile(
    r"\b(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")\s+(?:[a-z-]+\s+)?"
    r"(?:people|persons|adults|kids|children|friends|guests|colleagues|travell?ers|girls|boys)\b",
    re.I,
)


def party_size(text: str) -> int | None:
    """How many people a seek's words name: counted ("4 friends", "2 adults and 2 kids"),
    or listed, each item of a list that holds a person one person ("me and my partner": 2,
    "an engineer + partner + their 4-year-old": 3). None where several go uncounted ("my
    partner and the kids") or no person is named."""
    counted = [
        int(m.group(1)) if m.group(1).isdigit() else _NUMBER_WORDS[m.group(1).lower()]
        for m in _COUNTED_PEOPLE.finditer(text)
    ]
    if counted:
        return sum(counted)
    total = 0
    for part in re.split(r"[,.;:!?()\n]", text):
        if not _PERSON.search(part):
            continue
        if _PEOPLE_PLURAL.search(part):
            return None
        items = [i for i in re.split(r"\+|&|\band\b|\bwith\b", part, flags=re.I) if i.strip()]
        # every item of a list that holds a person is one ("an engineer + partner"): a
        # count too high declines a fit, one too low would pass a cap unchecked
        total += len(items)
    return total or None


#: Who travels or sits in a seek: any of them makes a coach's or a venue's seats a limit.
_SEATED = re.compile(
    r"\b(?:people|persons?|pupils?|students?|teachers?|passengers?|guests?|adults?|children|"
    r"kids|members|players|participants|staff|colleagues|attendees|pax|group|team|class|"
    r"party|club|choir|we|us)\b",
    re.I,
)


#: Seats an offer writes in its own language ("49 places"), and who sits in the seek's.
_SEATS_ABROAD = re.compile(rf"\d{{1,4}}\s+(?:{SEAT_WORDS})", re.I)
_SEATED_ABROAD = re.compile(rf"\b(?:{SEATED_WORDS})\b", re.I)


def _party_against(o: Facts, s: Facts, found: Findings, seek_text: str) -> None:
    """An offer's seats ("49 seats", "49-seat coach hire") and its cap on people ("max
    occupancy 2 persons") against the seek's party: its count of persons, or its party
    told in words (:func:`party_size`, "engineer + partner + their 4-year-old"). Where the
    size cannot be told the limit was never checked (precision first): a seek that names
    who comes but not how many in a way the reader counts ("52 pupils and their
    teachers"); a party counted in parts ("52 pupils and 4 teachers") is their sum
    (:func:`party.counted_party`).
    A cap on people is held only to a party in words: counted persons meet it in
    :func:`_limits`."""
    persons = _amounts(s, "person")
    others = [q for q in s.quantities if q.unit in ("pupil", "teacher", "passenger", "member")]
    for unit, bounds in (("seat", ("about", "at_most")), ("person", ("at_most",))):
        limits = [
            q
            for q in o.quantities
            if q.bound in bounds
            and (q.unit == unit or (unit == "seat" and _SEATS_ABROAD.fullmatch(q.span.text)))
        ]
        if not limits or (unit == "person" and persons):
            continue
        if unit == "seat":
            named = _SEATED.search(seek_text) or _SEATED_ABROAD.search(seek_text)
            has = f"has {_q(min(q.value for q in limits))} seats"
            unsized = "the seek's party ('{}') is not counted in persons the reader can add up"
        else:
            named = _PERSON.search(seek_text) or _PEOPLE_PLURAL.search(seek_text)
            has = f"takes at most {_q(min(q.value for q in limits))} people"
            unsized = "the seek names its party ('{}') but no number"
        if named is None:
            continue
        size: float | None = None
        if unit == "person" or not others:
            size = max(q.value for q in persons) if persons else party_size(seek_text)
        if unit == "seat" and (parts := counted_party(seek_text)) is not None:
            # "54 élèves + 4 accompagnateurs" all take a seat: the whole list is the party
            size = max(size or 0, parts[0])
        said = f"the offer {has} ('{limits[0].span.text}')"
        if size is None:
            found.cannot(f"{said}; {unsized.format(named.group(0))}", BLOCKING_COST)
        elif size > min(q.value for q in limits) + 1e-9:
            found.refusals.append(f"limit: {said}, the seek's party is {_q(size)}")
        else:
            found.checked.append(f"a party of {_q(size)} within '{limits[0].span.text}'")


def _age_short(age: int | None, least: int | None, most: int | None) -> str:
    """How a stated age falls outside an offer's ages ("the offer requires 8+, the seek
    states 5"), or '' where it does not or no age is stated: every age comparison."""
    if age is None:
        return ""
    stated = str(age) if age else "under 1 year"  # "our 8 month old"
    if least is not None and age < least:
        return f"the offer requires {least}+, the seek states {stated}"
    if most is not None and age > most:
        return f"the offer is for ages up to {most}, the seek states {stated}"
    return ""


def _ages(o: Facts, s: Facts, found: Findings) -> None:
    """The offer's ages against the seek's: a stated age outside them is refused; a child
    whose age is unstated ("my son", "our toddler") cannot be checked against them."""
    short = _age_short(s.age, o.min_age, o.max_age)
    if short:
        found.refusals.append(f"age: {short}")
    elif s.age is None and s.child and (o.min_age is not None or o.max_age is not None):
        # "children under 10" against "my son": he may be 4 or 14
        ages = f"{o.min_age} and over" if o.min_age is not None else f"up to {o.max_age}"
        found.cannot(
            f"age: the offer is for ages {ages}, the seek is for a child whose age it does "
            "not state",
            BLOCKING_COST,
        )
    elif s.age is None and not s.child and o.min_age is not None and o.min_age > _ADULT:
        # "Drivers 25+" against a seek that gives no age: an adult may be 19
        found.cannot(f"age: the offer requires {o.min_age}+, the seek states no age", BLOCKING_COST)


#: The age a seek that names no child is taken to have reached: "adults only" and "18+"
#: hold for it; a higher least age ("Drivers 25+") needs an age the seek states.
_ADULT = 18


#: Others a seek names whom an offer's age may have to hold for ("my son", "a second
#: driver", "we"): the writer's own age then answers for no one but the writer.
_OTHER_PEOPLE = re.compile(
    rf"\b(?:my|our|their)\s+(?:\w+\s+)?(?:{_PERSON_WORD}|brother|sister)s?\b|"
    r"\b(?:second|other|another|additional|extra|two|both|all)\s+drivers?\b|\bdrivers\b|"
    r"\bwe\b|\bus\b",
    re.I,
)


def age_clause_met(clause: str, seek_text: str) -> bool:
    """Whether an offer's clause that states only a minimum age ("Driver must be 23+") is
    met by the one age the seek's writer states of themself, naming no one else ("I'm
    31"). Anything else is False, so the clause stays a "cannot check"."""
    least = clause_min_age(clause)
    age = own_age(seek_text)
    if least is None or age is None or _OTHER_PEOPLE.search(seek_text):
        return False
    return not _age_short(age, least, None)


def _incoterms(offer_text: str, seek_text: str, found: Findings) -> None:
    """ "EXW only" against "DDP Warsaw": a delivery term that carries less of the way than
    the seek's leaves freight or duties out of the price; with the offer's "only" it is a
    refusal, else the seller might quote the other term, which nobody read."""
    gap = term_gap(offer_text, seek_text)
    if gap is None:
        return
    note, only = gap
    if only:
        found.refusals.append(f"delivery terms: {note}, and no other")
    else:
        found.cannot(f"delivery terms: {note}", BLOCKING_COST)


def _start_and_payment(o: Facts, s: Facts, found: Findings) -> None:
    """An event before the offer starts; payment in advance against payment after (or in
    full against instalments)."""
    if o.start_date and s.event_date and s.event_date < o.start_date:
        found.refusals.append(
            f"dates: the offer starts {o.start_date.isoformat()}, the seek needs it on "
            f"{s.event_date.isoformat()}"
        )
    if (o.payment_advance and s.payment_after) or (o.payment_after and s.payment_advance):
        found.consult(
            *(
                x
                for x in (o.payment_advance, o.payment_after, s.payment_after, s.payment_advance)
                if x
            )
        )
        first = o.payment_advance or o.payment_after
        second = s.payment_after or s.payment_advance
        assert first is not None
        assert second is not None
        found.refusals.append(
            f"payment terms: the offer states '{first.text}', the seek '{second.text}'"
        )
    if o.payment_in_full_first and s.payment_instalments:
        found.consult(o.payment_in_full_first, s.payment_instalments)
        found.refusals.append(
            f"payment terms: the offer wants '{o.payment_in_full_first.text}', the seek "
            f"'{s.payment_instalments.text}'"
        )


def check_facts(
    o: Facts, s: Facts, *, seek_onsite_required: bool, offer_text: str = "", seek_text: str = ""
) -> Findings:
    """Every non-price check on the two sides' facts."""
    found = Findings()
    _limits(o, s, found, offer_text, seek_text)
    _party_against(o, s, found, seek_text)
    _size_caps(o, s, found, (fold(offer_text), fold(seek_text)))
    _languages(o, s, found)
    refused = regions.delivery_refused(offer_text, seek_text)
    if refused is not None:
        # "collection only, no delivery" / "need it delivered": wherever both are
        found.refusals.append(f"place: the offer states '{refused[0]}', the seek '{refused[1]}'")
    else:
        _places(o, s, found, seek_onsite_required, (offer_text, seek_text))
    _radius(o, s, found, offer_text, seek_text)
    _confined(o, s, found, seek_text)
    _per_person_discount(offer_text, seek_text, found)
    _incoterms(offer_text, seek_text, found)
    _availability(o, s, found)
    _start_and_payment(o, s, found)
    _exclusions(o, s, found, (offer_text, seek_text))
    refused_use = use_conflict(offer_text, seek_text)
    if refused_use is not None:
        found.refusals.append(refused_use)
    denied = s.certifications_required & o.certifications_denied
    if denied:
        found.refusals.append(
            f"certification: the seek needs {', '.join(sorted(denied))}, the offer states it has none"
        )
    for cert in sorted(s.certifications_required - o.certifications - o.certifications_denied):
        found.cannot(f"the seek needs {cert} certification; the offer does not say", BLOCKING_COST)
    _ages(o, s, found)
    _accents(o, s, found)
    if o.gender_only and s.gender and s.gender != o.gender_only:
        found.refusals.append(
            f"the offer serves {o.gender_only} clients only, the seek is for a {s.gender} client"
        )
    _countries(o, s, found)
    _only_kinds(o, s, found)
    _grades(o, s, found)
    _floors(o, s, found)
    _clock(o, s, found)
    if o.levels_only and s.levels and not o.levels & s.levels:
        found.refusals.append(
            f"level: the offer is for {', '.join(sorted(o.levels))} only, the seek names "
            f"{', '.join(sorted(s.levels))}"
        )
    for span in s.requirements:
        outside = _outside_eu(o, span)
        if outside:
            found.refusals.append(
                f"place: the seek states '{span.text}', the offer is in {outside}, outside the EU"
            )
            return found
        # a requirement with its own number nobody compared declines (precision first)
        found.cannot(f"'{span.text}'", BLOCKING_COST if hard_minimum(span.text) else UNCHECKED_COST)
    _opposites(offer_text, seek_text, found)
    _variants(offer_text, seek_text, found)
    _model_codes(offer_text, seek_text, found)
    _tyre_sizes(offer_text, seek_text, found)
    _directions(offer_text, seek_text, found)
    # last: every constraint read on either side that no check above consulted
    audit(o, s, found, (fold(offer_text), fold(seek_text)), BLOCKING_COST)
    return found


#: "from Lyon to Geneva airport", "Lyon → Geneva", "Rotterdam to Hamburg": a one-way leg
#: between two named places.
_LEG = re.compile(
    r"(?:\bfrom\s+)?\b(?P<a>[A-Z][\w'-]+)(?:\s+(?:airport|station|port|centre|center))?"
    r"\s*(?:\bto\b|\binto\b|→|->)\s*(?:the\s+)?(?P<b>[A-Z][\w'-]+)"
)
#: Words that make a leg go both ways.
_BOTH_WAYS = re.compile(r"\b(?:return|round[- ]trip|both\s+ways|and\s+back|vice\s+versa)\b", re.I)
_NOT_PLACES = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon",
     "tue", "wed", "thu", "fri", "sat", "sun", "jan", "feb", "mar", "apr", "may", "jun",
     "jul", "aug", "sep", "oct", "nov", "dec", "i", "we", "from", "need", "up"}
    | set(LANGUAGES)
)  # fmt: skip


def _legs(text: str) -> set[tuple[str, str]]:
    legs = set()
    for m in _LEG.finditer(text):
        a, b = m.group("a").lower(), m.group("b").lower()
        if a != b and a not in _NOT_PLACES and b not in _NOT_PLACES:
            legs.add((a, b))
    return legs


def _directions(offer_text: str, seek_text: str, found: Findings) -> None:
    """The offer goes one way between two places and the seek the other ("from Lyon to
    Geneva" against "from Geneva airport to Lyon"), with no return on offer."""
    if found.refusals or _BOTH_WAYS.search(offer_text):
        return
    offered, wanted = _legs(offer_text), _legs(seek_text)
    for a, b in sorted(wanted):
        if (b, a) in offered and (a, b) not in offered:
            found.refusals.append(
                f"direction: the offer goes {b.title()} -> {a.title()}, the seek needs "
                f"{a.title()} -> {b.title()}"
            )
            return


#: Each family of variants, compiled: (family, ((variant pattern), ...)).
_VARIANTS = tuple(
    (family, tuple(re.compile(v, re.I) for v in variants)) for family, variants in VARIANT_FAMILIES
)


def _first_affirmed(pattern: re.Pattern[str], text: str) -> str | None:
    """The first mention of ``pattern`` in ``text`` with no negation just before it."""
    for m in pattern.finditer(text):
        if not _NEGATED_BEFORE.search(text, max(0, m.start() - 30), m.start()):
            return m.group(0)
    return None


@functools.lru_cache(maxsize=16_384)
def _variant_mentions(text: str) -> tuple[dict[int, str | None], ...]:
    """Per family of :data:`_VARIANTS`, each variant's first affirmed mention in ``text``:
    one side's, so it is found once per intent, not once per pair it is in."""
    return tuple(
        {i: _first_affirmed(v, text) for i, v in enumerate(variants)} for _, variants in _VARIANTS
    )


def clear_caches() -> None:
    """Forget what this module memoised per text (the offline negotiator's clear_caches)."""
    _variant_mentions.cache_clear()
    _opposite_mentions.cache_clear()


def _variants(offer_text: str, seek_text: str, found: Findings) -> None:
    """The offer names one variant of a family and the seek another, each without
    naming the other's ("BSL interpreting" against "need an ASL interpreter")."""
    if found.refusals:
        return
    for (family, _), offered, wanted in zip(
        _VARIANTS, _variant_mentions(offer_text), _variant_mentions(seek_text), strict=True
    ):
        mine = {i for i, text in offered.items() if text}
        theirs = {i for i, text in wanted.items() if text}
        if mine and theirs and not mine & theirs:
            a, b = min(mine), min(theirs)
            found.refusals.append(
                f"{family}: the offer states '{offered[a]}', the seek needs '{wanted[b]}'"
            )
            return


#: A model or standard number: capitals then digits ("M404", "RTX 4090", "ISO 14001").
_MODEL_CODE = re.compile(r"\b([A-Z]{1,4})[- ]?(\d{3,5})([A-Z]{0,2})\b")


#: Capitals before a number that make it an amount or a reference, not a model
#: ("CHF 600", "ref 1234").
_NOT_A_SERIES = frozenset(
    ["USD", "EUR", "GBP", "CHF", "NZD", "AUD", "CAD", "NLC", "SEK", "NOK", "DKK", "PLN",
     "CZK", "HUF", "JPY", "CNY", "INR", "ZAR", "BRL", "MXN", "SGD", "HKD", "AED", "TRY",
     "NO", "NR", "REF", "PO"]
)  # fmt: skip


def _codes(text: str) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {}
    rands = {at for at, _ in rand_marks(text)}
    for m in _MODEL_CODE.finditer(text):
        if m.group(1) in _NOT_A_SERIES or m.start() in rands:
            continue  # "CHF 600", "R3 500" (rand): an amount
        if m.group(0)[len(m.group(1))] == " " and 1900 <= int(m.group(2)) <= 2099:
            continue  # "UK 2027": a year, not a model
        codes.setdefault(m.group(1), set()).add(m.group(2) + m.group(3))
    return codes


def _model_codes(offer_text: str, seek_text: str, found: Findings) -> None:
    """Both sides name a model of one series ("LaserJet M404" against "M428") and none
    of the seek's is among the offer's: another model, not the one wanted."""
    if found.refusals:
        return
    offered, wanted = _codes(offer_text), _codes(seek_text)
    for series in sorted(offered.keys() & wanted.keys()):
        if not offered[series] & wanted[series]:
            found.refusals.append(
                f"model: the offer names {series}{min(offered[series])}, the seek needs "
                f"{series}{min(wanted[series])}"
            )
            return


#: A tyre size: width / aspect, construction and rim ("195/65 R15", "205/55R16",
#: "225/45 ZR17"), read as one designation whatever the spacing.
_TYRE_SIZE = re.compile(r"(?<![\d/])(\d{3})\s?/\s?(\d{2})\s?Z?R\s?(\d{2})(?!\d)", re.I)


def _tyre_sizes(offer_text: str, seek_text: str, found: Findings) -> None:
    """Both sides name tyre sizes and none of the seek's is among the offer's: tyres of
    another size do not fit the car."""
    if found.refusals:
        return
    offered = {m.groups(): m.group(0) for m in _TYRE_SIZE.finditer(offer_text)}
    wanted = {m.groups(): m.group(0) for m in _TYRE_SIZE.finditer(seek_text)}
    if offered and wanted and not offered.keys() & wanted.keys():
        found.refusals.append(
            f"size: the offer's tyres are '{next(iter(offered.values()))}', the seek needs "
            f"'{next(iter(wanted.values()))}'"
        )


def _least_order_over_budget(o: Facts, s: Facts, q: Quantity) -> str | None:
    """A minimum in the unit the offer prices by ("£110 per cubic metre ... minimum order
    2 m³") against a seek that states no amount of it: the least order already costs
    more than the seek's whole budget. None when it fits, or nothing says."""
    if q.bound != "at_least" or q.period is not None or q.value <= 1:
        return None
    rates = [m for m in o.money if m.per == q.unit and not m.fee and not m.extra]
    budgets = [m for m in s.money if m.per is None and not m.fee and not m.extra]
    if not rates or not budgets:
        return None
    rate, budget = min(rates, key=lambda m: m.low), max(budgets, key=lambda m: m.high)
    if rate.currency and budget.currency and rate.currency != budget.currency:
        return None
    least = rate.low * q.value
    if least <= budget.high + 1e-9:
        return None
    return (
        f"minimum: the offer needs at least {_q(q.value)} {q.unit} ('{q.span.text}') at "
        f"'{rate.span.text}', {_money(least, rate.currency)}, above the seek's budget "
        f"'{budget.span.text}'"
    )


def _rate_against_total(q: Quantity, amounts: list[Quantity]) -> bool:
    """An offer's most per period ("200 loaves per week") against amounts the seek
    wants once, with no period of their own."""
    once = all(a.period is None for a in amounts)
    return q.period in TIME_DAYS and q.unit not in TIME_DAYS and once


#: Units that count whatever the other side names ("20k items per week" against
#: "100k sentences").
_ANY_COUNT = frozenset({"item", "unit", "piece", "pc"})


def _throughput(o: Facts) -> tuple[float, str, float] | None:
    """(n, unit, per days) the offer can do: its stated throughput, or a most (or an
    amount) of a count per period ("up to 1,000 flyers per day", "20k items a week")."""
    if o.throughput is not None:
        return o.throughput
    for q in o.quantities:
        counted = q.unit not in TIME_DAYS and q.unit not in MEASURE_UNITS
        if q.bound in ("at_most", "about") and q.period in TIME_DAYS and q.value > 0 and counted:
            return q.value, q.unit, float(TIME_DAYS[q.period])
    return None


_PERIOD_NAMES = {1.0: "day", 7.0: "week", 30.0: "month"}


def capacity_note(o: Facts, s: Facts) -> str | None:
    """The offer's rate the time ``days_for`` gives rests on, for a reason to quote."""
    throughput = _throughput(o)
    if throughput is None or days_for(o, s) is None:
        return None
    per, unit, days = throughput
    period = _PERIOD_NAMES.get(days, f"{days:g} days")
    return f"capacity: the offer does {_q(per)} {unit} per {period}"


def days_for(o: Facts, s: Facts) -> float | None:
    """Days the offer needs for the seek's amount at its stated throughput (whole
    periods: 300 loaves at 200 a week take two weeks)."""
    throughput = _throughput(o)
    if throughput is None:
        return None
    per, unit, days = throughput
    wanted = [q for q in s.quantities if q.bound == "about" and q.period is None]
    amounts = [q.value for q in wanted if q.unit == unit]
    if not amounts and unit in _ANY_COUNT:
        amounts = [
            q.value
            for q in wanted
            if q.unit not in TIME_DAYS and q.unit not in MEASURE_UNITS and q.unit != "person"
        ]
    if not amounts:
        return None
    return math.ceil(max(amounts) / per - 1e-9) * days
