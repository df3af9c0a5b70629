"""How many units of an offer's price basis the seek asks for, when the seek does not
state that unit itself: a product of two counts ("8x A100 for 48 hours" is 384
GPU-hours), or things counted by what is to be done to them ("6 envelopes delivered" is 6
deliveries). Each count carries the spans of its factors, so a reason can quote them.

Precision first: a count is returned only when each factor is stated once, with one value;
otherwise None, and the price stays "cannot check".
"""

from __future__ import annotations

from mediator_actors.negotiation.reader import TIME_DAYS, Facts, Quantity, Span, rough_stem

__all__ = ["action_count", "compound_count", "kind_count", "product", "seek_hours"]

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

#: Work time converts between these, in seconds.
_WORK_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
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
