"""What one side states it needs (or has) of a unit, with time units converted, and the
unit families that stand for a count of people.

Both fit.py (every amount check) and tiers.py (which range tier a seek's amount picks)
read amounts this way; it lives here so neither imports the other for it.
"""

from __future__ import annotations

import math

from mediator_actors.negotiation.reader import TIME_DAYS, Facts, Quantity

__all__ = [
    "BOOKING_UNITS",
    "CALENDAR_MONTHS",
    "CAPACITY_UNITS",
    "PORTION_UNITS",
    "USER_UNITS",
    "WORK_SECONDS",
    "stated_amounts",
    "time_ratio",
]

#: Rental-like time units that convert into each other ("a week" is seven nights).
BOOKING_UNITS = frozenset({"day", "night", "week", "fortnight", "month", "quarter", "year"})
#: Work time converts between these, in seconds.
WORK_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}

#: Prices per place a person takes: "9 EUR per seat" for "50 people" is 50 seats; a cap
#: of such places is a cap of people ("max 12 mats in the room" against "20 participants").
CAPACITY_UNITS = frozenset(
    {"seat", "desk", "place", "ticket", "cover", "spot", "pass", "mat", "chair", "berth", "bunk"}
)

#: Prices per share of food one person eats: "4.50 EUR per portion" for "~25 people".
PORTION_UNITS = frozenset({"portion", "serving", "plate", "meal", "slice", "menu"})

#: Prices per person who uses a service: "45 per user per month" for "18 staff".
USER_UNITS = frozenset({"user", "employee", "staff", "mailbox", "licence", "license"})

#: Calendar units counted in months: a year is 12 months, not 365 / 30 of them.
CALENDAR_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def time_ratio(unit: str, into: str) -> float:
    """How many ``into`` one ``unit`` is: exact between months, quarters and years (so
    "2 years" at a monthly rate is 24 months), by their length in days otherwise."""
    if unit in CALENDAR_MONTHS and into in CALENDAR_MONTHS:
        return CALENDAR_MONTHS[unit] / CALENDAR_MONTHS[into]
    return TIME_DAYS[unit] / TIME_DAYS[into]


def stated_amounts(facts: Facts, unit: str) -> list[Quantity]:
    """What one side states it needs (or has) of ``unit``; booking time units convert."""
    found = [q for q in facts.quantities if q.unit == unit and q.bound == "about"]
    if not found and unit in WORK_SECONDS:
        # Work time converts between seconds, minutes and hours, never into days.
        found = [
            Quantity(
                q.value * WORK_SECONDS[q.unit] / WORK_SECONDS[unit],
                unit,
                "about",
                q.span,
                q.period,
            )
            for q in facts.quantities
            if q.unit in WORK_SECONDS and q.unit != unit and q.bound == "about"
        ]
    if found or unit not in BOOKING_UNITS:
        return found
    converted = []
    for q in facts.quantities:
        if q.bound == "about" and q.unit in BOOKING_UNITS and q.unit != unit:
            ratio = time_ratio(q.unit, unit)
            value = q.value * ratio
            if value >= 1 - 1e-9:
                if ratio < 1 and abs(value - round(value)) > 1e-6:
                    # "10 days" at a weekly rate is 2 weeks, never 1.43: a rate per larger
                    # unit is charged by the whole unit, so a share is never under the ask.
                    value = math.ceil(value)
                converted.append(Quantity(round(value, 3), unit, "about", q.span, q.period))
    return converted
