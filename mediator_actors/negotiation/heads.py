"""Counts and packages the reader's units miss because of how a noun phrase is written.

A price "per archive box" is read as per "archive" (the first word after "per"), and a
count "40 bays of pallet racking" as 40 "pallet" (the noun after "of"): the reader's unit
is one word of a phrase, and the two sides pick different words. Here the seek's count
is tied to the offer's price by the phrase itself: the head noun of the seek's count (the
last word before any "of") is the offer's unit, or the offer's per-phrase continues with
it ("per archive box" ~ "40 archive boxes"). French and Spanish unit words are matched
to their English ("par visite" ~ "20 visits").

Precision first: a count is returned only when exactly one of the seek's counts is tied,
its number is the one written at its start (never a product such as "48 jars of 500g"),
and it does not recur; otherwise None, and the price stays "cannot check".
"""

from __future__ import annotations

import re
from dataclasses import replace

from mediator_actors.negotiation.charges import ADDITIVE_STEMS, CHARGE_STEMS
from mediator_actors.negotiation.periods import over_periods
from mediator_actors.negotiation.reader import (
    TIME_DAYS,
    Facts,
    Money,
    Quantity,
    Span,
    canonical_unit,
    rough_stem,
)

__all__ = [
    "VISIT_UNITS",
    "container_sizes",
    "crew_tiers",
    "each_extra_rates",
    "exact_package",
    "free_delivery",
    "head_count",
    "measure_base",
    "outer_packs",
    "pack_contents",
    "pack_count",
    "package_alternatives",
    "per_order_fees",
    "per_thing_count",
    "plus_marked",
    "same_unit",
    "sized_count",
    "times_each",
    "volume_discount",
]

#: Rough stems of words that name no item of their own ("min" of "50 min", "per").
_NAMELESS_STEMS = frozenset(
    {"und", "under", "ov", "over", "and", "the", "for", "with", "incl", "per", "from", "each"}
    | {"flat", "only", "just", "price", "pric", "rate", "cost", "min", "minimum", "charg"}
)

#: Unit words of French and Spanish prose by their English unit ("par visite").
_FOREIGN_UNITS = {
    "visite": "visit", "caja": "case", "caisse": "case", "carton": "case",
    "botella": "bottle", "bouteille": "bottle", "personne": "person", "persona": "person",
    "heure": "hour", "hora": "hour", "jour": "day", "dia": "day", "nuit": "night",
    "noche": "night", "semaine": "week", "semana": "week", "mois": "month", "mes": "month",
    "pièce": "piece", "pieza": "piece", "séance": "session", "sesión": "session",
}  # fmt: skip

#: A count written at the start of a phrase: "40", "1,200", "2.5".
_LEADING = re.compile(r"^\s*(?:about|around|approx\.?|~)?\s*(\d[\d,]*(?:\.\d+)?)\s+(.*)$", re.I)
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


def same_unit(a: str, b: str) -> bool:
    """Whether two written unit words name one unit ("boxes" and "box", "visite" and
    "visit", "cajas" and "case")."""
    ka, kb = canonical_unit(a), canonical_unit(b)
    return _FOREIGN_UNITS.get(ka, ka) == _FOREIGN_UNITS.get(kb, kb)


def _phrase(q: Quantity) -> tuple[float, list[str]] | None:
    """The number written at the start of a count and the words of its noun phrase up to
    any "of" ("40 bays of pallet" -> 40, ["bays"]), or None."""
    m = _LEADING.match(q.span.text)
    if m is None:
        return None
    try:
        value = float(m.group(1).replace(",", ""))
    except ValueError:
        return None
    words: list[str] = []
    for w in _WORD.findall(m.group(2)):
        if w.lower() in ("of", "de", "d'"):
            break
        words.append(w)
    return value, words


def _next_word(text: str, end: int) -> str | None:
    """The word right after a price's span ("£6.50 per archive| box installed": "box")."""
    m = re.match(r"\s+([^\W\d_][\w-]*)", text[end:], re.UNICODE)
    return m.group(1) if m else None


def head_count(s: Facts, unit: str, offer_text: str = "", unit_end: int = -1) -> Quantity | None:
    """The seek's one count whose noun phrase is the offer's unit ``unit``: its head noun
    is ``unit`` ("40 bays of pallet racking" for "per bay"), or the offer's unit is a
    modifier the seek's phrase shares and the offer's next word (after ``unit_end`` in
    ``offer_text``) is the seek's head ("per archive box" for "40 archive boxes")."""
    if unit in TIME_DAYS:
        return None
    after = _next_word(offer_text, unit_end) if offer_text and unit_end >= 0 else None
    found: list[Quantity] = []
    for q in s.quantities:
        if q.bound != "about" or q.period is not None or q.unit in TIME_DAYS:
            continue
        read = _phrase(q)
        if read is None or not read[1] or abs(read[0] - q.value) > 1e-9:
            continue
        words = read[1]
        head = words[-1]
        if same_unit(head, unit) or (
            after is not None
            and len(words) >= 2
            and same_unit(head, after)
            and any(same_unit(w, unit) for w in words[:-1])
        ):
            found.append(q)
    if len({q.value for q in found}) != 1:
        return None
    q = found[0]
    return Quantity(q.value, unit, "about", q.span)


#: Most characters between a package's count and its price ("Package of 12 lessons
#: ¥33,000", "20 weekly visits for $720").
_PACKAGE_GAP = 12

#: Stems that mark a price as a charge or on top of another, never a package's alternative.
_NOT_ALTERNATIVE = ADDITIVE_STEMS | CHARGE_STEMS


def exact_package(
    o: Facts, s: Facts, note: str, floor: float
) -> tuple[Money, Quantity, Quantity] | None:
    """The flat price the total ``note`` took (at ``floor``) when it is written with the
    offer's own count ("Package of 12 lessons ¥33,000") and the seek asks for exactly that
    count ("12 lessons"): the price, the offer's count and the seek's. None otherwise, or
    when the seek states the unit twice with different counts."""
    taken = [m for m in o.money if f"'{m.span.text}'" in note]
    if len(taken) != 1:
        return None
    m = taken[0]
    if m.per is not None or m.bound != "about" or m.fee or m.extra or m.low != m.high:
        return None
    if abs(m.low - floor) > 1e-9 or m.context & _NOT_ALTERNATIVE:
        return None
    near = [
        q
        for q in o.quantities
        if q.bound == "about"
        and q.period is None
        and (
            0 <= m.span.start - q.span.end <= _PACKAGE_GAP
            or 0 <= q.span.start - m.span.end <= _PACKAGE_GAP
        )
    ]
    if len(near) != 1:
        return None
    pack = near[0]
    same = [q for q in s.quantities if q.bound == "about" and same_unit(q.unit, pack.unit)]
    # "2 sessions a week for 4 weeks" against "pack of 8 sessions": the count over its span
    wanted = (
        None if len(same) != 1 else same[0] if same[0].period is None else over_periods(s, same[0])
    )
    if wanted is None or abs(wanted.value - pack.value) > 1e-9:
        return None
    return m, pack, wanted


def package_alternatives(
    o: Facts, s: Facts, package: tuple[Money, Quantity, Quantity]
) -> frozenset[Money]:
    """The offer's other prices that are another way to buy what the package holds: a rate
    per the package's thing ("$40 per visit" beside "20 weekly visits for $720"), or a
    flat price for one of them whose own words the seek does not name ("50 min = 3,000
    yen" beside "12 lessons ¥33,000"). Fees, charges, prices on top and minimums are never
    alternatives: they may apply to the package too."""
    price, pack, _ = package
    found = set()
    for m in o.money:
        if m is price or m.fee or m.extra or m.bound != "about" or m.alternative:
            continue
        if m.context & _NOT_ALTERNATIVE or m.per2 is not None:
            continue
        if m.currency != price.currency:
            continue
        if m.per is not None:
            if same_unit(m.per, pack.unit) or rough_stem(m.per) in price.context:
                found.add(m)
            continue
        own = m.context - price.context - _NAMELESS_STEMS
        if not own & s.positives:
            found.add(m)
    return frozenset(found)


#: Containers an offer sells by: "cases of 6 x 1kg bags", "cajas de 12 botellas".
_CONTAINER = r"(?P<c>case|caja|caisse|carton|box|crate|pack|bag|sack|tray|tin|jar)(?:s|es)?"
_CONTENTS = (
    re.compile(
        rf"\b{_CONTAINER}\s+(?:of|de)\s+(?P<n>\d+)\s*(?:[x\u00d7]\s*(?P<m>\d+(?:[.,]\d+)?)\s*)?(?P<u>[^\W\d_]+)",
        re.I | re.UNICODE,
    ),
    # "12 jars per case", "6 bottles to a case"
    re.compile(
        rf"\b(?P<n>\d+)\s*(?P<u>[^\W\d_]+)\s+(?:per|a|to\s+a|in\s+each|each)\s+{_CONTAINER}\b",
        re.I | re.UNICODE,
    ),
)


def pack_contents(offer_text: str, unit: str) -> list[tuple[float, str]]:
    """What one of the offer's containers ``unit`` holds, in each unit it is written in
    ("cases of 6 x 1kg bags" is 6 bags and 6 kg; "12 jars per case" is 12 jars)."""
    found: list[tuple[float, str]] = []
    for pattern in _CONTENTS:
        for m in pattern.finditer(offer_text):
            if not same_unit(m.group("c"), unit):
                continue
            n = float(m.group("n"))
            each = m.groupdict().get("m")
            if each is not None:
                found.append((n * float(each.replace(",", ".")), m.group("u")))
                found.append((n, "item"))
            else:
                found.append((n, m.group("u")))
    return found


def pack_count(s: Facts, unit: str, offer_text: str, period: str | None = None) -> Quantity | None:
    """How many of the offer's containers ``unit`` the seek's count of what they hold
    makes ("24 kg" of "cases of 6 x 1kg bags" is 4 cases), counted per ``period`` when
    given; None unless the seek states that count once, the offer states one content per
    container in that unit, and the count is a whole number of containers (a part-filled
    case may not be sold, or may not be wanted)."""
    contents = pack_contents(offer_text, unit)
    if not contents:
        return None
    found = _packs(s, unit, contents, period)
    if found is None and period is not None:
        # "~30 kg whole beans per month. Budget max €500/month": one order, whose total is
        # under the month's limit whatever span the count is for
        found = _packs(s, unit, contents, None)
    return found


def _packs(
    s: Facts, unit: str, contents: list[tuple[float, str]], period: str | None
) -> Quantity | None:
    """:func:`pack_count` for the seek's counts per ``period`` (None: not recurring)."""
    for q in s.quantities:
        if q.bound != "about" or q.period != period or q.unit in ("item",):
            continue
        held = {n for n, u in contents if same_unit(u, q.unit)}
        if len(held) != 1:
            continue
        per_pack = held.pop()
        same = {r.value for r in s.quantities if r.bound == "about" and same_unit(r.unit, q.unit)}
        if len(same) != 1 or per_pack <= 0:
            return None
        packs = q.value / per_pack
        if packs < 1 - 1e-9 or abs(packs - round(packs)) > 1e-9:
            return None
        return Quantity(float(round(packs)), unit, "about", q.span, q.period)
    return None


#: A container's own size right before its word: "5 L tins", "500 g jars", "1 kg bags".
_SIZED = re.compile(
    rf"(?<![\d.,])(?P<n>\d+(?:[.,]\d+)?)\s*(?P<u>l|litres?|liters?|ml|kg|g)\s+{_CONTAINER}\b",
    re.I | re.UNICODE,
)
#: Written measures by one base and its factor ("5 L tins" for "40 litres", "500 g jars"
#: for "12 kg").
_MEASURES = {
    "l": ("ml", 1000.0), "liter": ("ml", 1000.0), "litre": ("ml", 1000.0), "ml": ("ml", 1.0),
    "kg": ("g", 1000.0), "g": ("g", 1.0),
}  # fmt: skip


def measure_base(word: str) -> tuple[str, float] | None:
    """A written measure's base unit and factor ("kg" is 1,000 g), or None."""
    return _MEASURES.get(canonical_unit(word))


_measure = measure_base


def container_sizes(offer_text: str) -> set[tuple[float, str]]:
    """The written sizes of the offer's containers ("5 L tins", "500 g jars"), each in its
    base unit: (5000.0, "ml"), (500.0, "g")."""
    found = set()
    for m in _SIZED.finditer(offer_text):
        measure = _measure(m.group("u"))
        if measure is not None:
            found.add((float(m.group("n").replace(",", ".")) * measure[1], measure[0]))
    return found


def sized_count(s: Facts, unit: str, offer_text: str, period: str | None = None) -> Quantity | None:
    """How many of the offer's containers ``unit`` of one written size ("5 L tins") the
    seek's one amount of what they hold ("40 litres") fills: a whole number, or None."""
    sizes = set()
    for m in _SIZED.finditer(offer_text):
        measure = _measure(m.group("u"))
        if same_unit(m.group("c"), unit) and measure is not None:
            sizes.add((float(m.group("n").replace(",", ".")) * measure[1], measure[0]))
    if len(sizes) != 1:
        return None
    size, base = sizes.pop()
    if any(same_unit(q.unit, unit) for q in s.quantities):
        return None  # the seek counts the containers itself ("48 jars ... 454g size")
    amounts = [
        (q, q.value * measure[1])
        for q in s.quantities
        if q.bound == "about" and (measure := _measure(q.unit)) is not None and measure[0] == base
    ]
    if size <= 0 or len({v for _, v in amounts}) != 1 or amounts[0][0].period != period:
        return None
    packs = amounts[0][1] / size
    if abs(packs - 1) < 1e-9:
        return None  # the seek's amount is the container's size: a spec, not an order
    if packs < 1 - 1e-9 or abs(packs - round(packs)) > 1e-9:
        return None
    return Quantity(float(round(packs)), unit, "about", amounts[0][0].span, period)


def outer_packs(offer_text: str, outer: str, inner: str, count: float) -> float | None:
    """How many of the offer's containers ``outer`` ("cases of 4 tins") ``count`` of its
    containers ``inner`` fill: a whole number, or None (several contents, a part case)."""
    held = {n for n, u in pack_contents(offer_text, outer) if same_unit(u, inner)}
    if len(held) != 1:
        return None
    per = held.pop()
    packs = count / per if per > 0 else 0.0
    if packs < 1 - 1e-9 or abs(packs - round(packs)) > 1e-9:
        return None
    return float(round(packs))


#: "free over $400", "Free shipping on orders over $300", "Free delivery ... from 5 cases".
_FREE = re.compile(
    r"\bfree\b[^.;\n]{0,40}?\b(?P<how>over|above|from|for\s+orders\s+over)\s+"
    r"(?P<cur>[$€£])?\s*(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<u>[^\W\d_]+)?",
    re.I | re.UNICODE,
)


def free_delivery(offer_text: str) -> tuple[str, float, str | None, tuple[int, int]] | None:
    """The one threshold above which the offer's delivery is free: how it is compared
    ("over" is strictly more, "from" at least), the amount, its unit (None: money) and
    where it is written, or None when the offer states none or several."""
    found = list(_FREE.finditer(offer_text))
    if len(found) != 1:
        return None
    m = found[0]
    how = "from" if m.group("how").lower() == "from" else "over"
    value = float(m.group("n").replace(",", ""))
    unit = None if m.group("cur") else m.group("u")
    if unit is not None and unit.lower() in ("eur", "euro", "euros", "usd", "gbp", "dollars"):
        unit = None
    return how, value, unit, m.span()


#: "10% de descuento a partir de 5 cajas", "5% off from 10 cases".
_VOLUME_DISCOUNT = re.compile(
    r"\b(?P<p>\d+(?:[.,]\d+)?)\s*%\s*(?:off|discount|de\s+descuento|de\s+remise|remise)\b"
    r"[^.;\n]{0,20}?\b(?:from|a\s+partir\s+de|à\s+partir\s+de|dès)\s+(?P<n>\d+)\s+(?P<u>[^\W\d_]+)",
    re.I | re.UNICODE,
)


def volume_discount(offer_text: str) -> tuple[float, float, str, tuple[int, int]] | None:
    """The offer's one discount for an order of at least a count ("10% off from 5
    cases"): the share off, the count, its unit and where it is written; None when the
    offer states none or several, or writes a percentage the reader does not tie to one."""
    found = list(_VOLUME_DISCOUNT.finditer(offer_text))
    if len(found) != 1 or offer_text.count("%") != 1:
        return None
    m = found[0]
    share = float(m.group("p").replace(",", ".")) / 100
    return share, float(m.group("n")), m.group("u"), m.span()


#: Stems that mark a price as one more unit beyond what another includes.
_BEYOND_STEMS = frozenset({"extra", "additional", "addit", "further"})
#: Lengths of time an "each extra day €1,200" is a rate for.
_EXTRA_TIME_UNITS = frozenset({"hour", "day", "night", "week", "month"})


def each_extra_rates(o: Facts) -> Facts:
    """``o`` with each flat price written as one more unit of time ("Each extra day
    €1.200", "additional night: €80") read as the rate on top it is: per that unit, an
    extra. Only where the price's clause names one such unit and a word of "extra"."""
    changed = False
    money = []
    for m in o.money:
        if m.per is None and not m.extra and not m.fee and m.context & _BEYOND_STEMS:
            units = {canonical_unit(w) for w in m.context} & _EXTRA_TIME_UNITS
            if len(units) == 1 and m.low == m.high and m.bound == "about":
                money.append(replace(m, per=units.pop(), extra=True, alternative=False))
                changed = True
                continue
        money.append(m)
    return replace(o, money=tuple(money)) if changed else o


#: Units of a visit: a charge on each visit is never the price of the work itself.
VISIT_UNITS = frozenset({"visit", "callout", "trip", "job"})


def plus_marked(o: Facts, offer_text: str) -> Facts:
    """``o`` with each charge per visit written right after a "+" ("Supplies +$15 per
    visit") marked as on top, as "plus" would mark it: never a price on its own. (A "+"
    price per a thing, "brake pads +€15 per set", may be the line the seek asks for.)"""
    if "+" not in offer_text:
        return o
    money = []
    changed = False
    for m in o.money:
        start = m.span.start
        plus = start > 0 and offer_text[start - 1 : start] == "+"
        if plus and not m.extra and not m.fee and m.per in VISIT_UNITS:
            money.append(replace(m, extra=True))
            changed = True
        else:
            money.append(m)
    return replace(o, money=tuple(money)) if changed else o


#: What may stand between a count of things and the amount each needs ("10 parts, each
#: ~32 cm³", "4 rooms of about 12 m2 each" is read elsewhere).
_EACH_BETWEEN = re.compile(
    r"^[\s,;(]*(?:each|per\s+piece|apiece)\s*(?:~|about|approx\.?|around|of)?\s*$", re.I
)
#: "6 boxes per image": an amount for each of another count.
_PER_THING = re.compile(
    r"^\s*(\d[\d,]*(?:\.\d+)?)\s+([^\W\d_][\w-]*)\s+(?:per|a|each)\s+([^\W\d_][\w-]*)\s*$", re.I
)


def times_each(s: Facts, amount: Quantity, seek_text: str) -> Quantity:
    """``amount`` times the count of things it is for, where the seek writes it as each
    one's ("10 parts, each ~32 cm³" is 320 cm³); ``amount`` itself otherwise."""
    before = [
        q
        for q in s.quantities
        if q.bound == "about"
        and q.period is None
        and q.span.end <= amount.span.start
        and _EACH_BETWEEN.match(seek_text[q.span.end : amount.span.start])
    ]
    if len(before) != 1 or before[0].unit == amount.unit or before[0].unit in TIME_DAYS:
        return amount
    q = before[0]
    span = Span(q.span.start, amount.span.end, f"{q.span.text} x {amount.span.text}")
    return Quantity(q.value * amount.value, amount.unit, "about", span)


def per_thing_count(s: Facts, unit: str) -> Quantity | None:
    """The seek's amount of ``unit`` for each of its things times their count ("12k
    images, on average 6 boxes per image" is 72,000 boxes), or None unless each is stated
    once."""
    found = []
    for r in s.quantities:
        m = _PER_THING.match(r.span.text)
        if m is None or r.bound != "about" or not same_unit(m.group(2), unit):
            continue
        if abs(float(m.group(1).replace(",", "")) - r.value) > 1e-9:
            continue
        things = [
            q
            for q in s.quantities
            if q is not r
            and q.bound == "about"
            and q.period is None
            and same_unit(q.unit, m.group(3))
            and q.span != r.span
        ]
        if len({q.value for q in things}) != 1:
            return None
        q = things[0]
        span = Span(q.span.start, r.span.end, f"{q.span.text} x {r.span.text}")
        found.append(Quantity(q.value * r.value, unit, "about", span))
    return found[0] if len(found) == 1 else None


#: Words after a flat price that make it a fee on each order ("€40 set-up per order").
_PER_ORDER_AFTER = re.compile(
    r"^\s*(?:[^\W\d_][\w-]*\s+){0,2}(?:per|each|a)\s+(?:order|job|project|booking)\b", re.I
)


def per_order_fees(o: Facts, offer_text: str) -> Facts:
    """``o`` with each flat price whose own words say it is charged per order ("+ €40
    set-up per order", "£25 admin fee per booking") marked as the fee it is: added once
    to the total, never the price on its own."""
    money = []
    changed = False
    for m in o.money:
        if (
            m.per is None
            and not m.fee
            and m.low == m.high
            and m.bound == "about"
            and _PER_ORDER_AFTER.match(offer_text[m.span.end :])
        ):
            money.append(replace(m, fee=True, extra=False, alternative=False))
            changed = True
        else:
            money.append(m)
    return replace(o, money=tuple(money)) if changed else o


#: Words for the people a crew is counted in ("van + 2 men", "need 2 guys").
_CREW = r"(?:men|man|guys?|movers?|porters?|helpers?|people|persons?|cleaners?|workers?|staff)"
_CREW_AFTER = re.compile(
    rf"^\s*(?:[^\W\d_]+\s*)?(?:\+|with|and|&)\s*(\d+)\s*{_CREW}\b|^\s*\(\s*(\d+)\s*{_CREW}\b",
    re.I | re.UNICODE,
)
_CREW_UNITS = frozenset(
    {"man", "men", "guy", "mover", "porter", "helper", "person", "cleaner", "worker", "staff"}
)


def crew_tiers(o: Facts, s: Facts, offer_text: str) -> tuple[Facts, Facts]:
    """``o`` with only the rate for the seek's crew where the offer prices by the size of
    the crew ("£45/hr van + 1 man, £65/hr van + 2 men" for "need 2 guys"): the other
    sizes are alternatives, never charges on top; and ``s`` without its count of crew,
    which the rate already prices. Both unchanged unless every rate of that unit names a
    different crew size and the seek states one count of crew."""
    crews: dict[int, float] = {}
    for i, m in enumerate(o.money):
        hit = _CREW_AFTER.match(offer_text[m.span.end :]) if m.per is not None else None
        if hit is not None:
            crews[i] = float(hit.group(1) or hit.group(2))
    if len(crews) < 2 or len(set(crews.values())) != len(crews):
        return o, s
    units = {o.money[i].per for i in crews}
    if len(units) != 1 or any(m.per in units for i, m in enumerate(o.money) if i not in crews):
        return o, s
    crew = [q for q in s.quantities if q.bound == "about" and canonical_unit(q.unit) in _CREW_UNITS]
    wanted = {q.value for q in crew}
    if len(wanted) != 1:
        return o, s
    n = wanted.pop()
    keep = [i for i, v in crews.items() if v == n]
    if len(keep) != 1:
        return o, s
    drop = {i for i in crews if i != keep[0]}
    o = replace(o, money=tuple(m for i, m in enumerate(o.money) if i not in drop))
    return o, replace(s, quantities=tuple(q for q in s.quantities if q not in crew))
