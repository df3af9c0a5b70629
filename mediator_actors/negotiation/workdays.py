"""Hours a day over working days: "2 weeks ... (8h days, Mon-Fri)" is 2 x 5 x 8 hours.

A seek for cover or care by the hour often states the hours of one day ("8h days", "4
horas por la mañana", "6 hours a day") and the days apart: a count of weeks with the
weekdays named ("Mon-Fri"), or a count of the days themselves ("20 mañanas", "12
mornings"). The hours to pay are the day's hours times the days.

Precision first: the hour amount must be written as one day's; the days must be one
count of day-parts, or one count of weeks with the weekdays named; where both are stated
they must agree. Otherwise None.
"""

from __future__ import annotations

import re

from mediator_actors.negotiation.reader import Facts, Quantity

__all__ = ["working_days"]

#: Right after an amount of hours: it is one day's ("8h days", "4 horas por la mañana").
_PER_DAY_AFTER = re.compile(
    r"\s*(?:days?\b|a\s+day\b|per\s+day\b|each\s+day\b|daily\b|every\s+day\b|"
    r"por\s+(?:d[ií]a|la\s+(?:mañana|tarde|noche))\b|al\s+d[ií]a\b|par\s+jour\b|pro\s+tag\b|"
    r"(?:in\s+the|each|every|per|a)\s+(?:morning|afternoon|evening)\b)",
    re.I,
)
#: Weekdays written as a weekly pattern: a range ("Mon-Fri", "Monday to Friday"), plural
#: day names ("Tuesdays and Thursdays"); never one date's day ("Monday 5 May").
_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
_WEEKLY = re.compile(
    rf"\b{_DAY}\s*(?:[-\u2013\u2014/]|to\b|through\b|thru\b)\s*{_DAY}"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days\b",
    re.I,
)
#: Units of a count of working days or parts of them.
_DAY_PARTS = frozenset(
    {"day", "morning", "afternoon", "evening", "shift", "mañana", "tarde", "jour", "matin", "tag"}
)


def working_days(  # noqa: PLR0911 - one flat pass of conditions reads best
    s: Facts, hours: Quantity, seek_text: str
) -> tuple[float, str] | None:
    """The number of days the seek's one day's ``hours`` are needed on, and how it was
    counted; None unless ``hours`` is written as one day's and the days are counted."""
    if not _PER_DAY_AFTER.match(seek_text, hours.span.end):
        return None
    if s.recurrence is not None or hours.period is not None:
        return None
    parts = [
        q for q in s.quantities if q.unit in _DAY_PARTS and q.bound == "about" and q.period is None
    ]
    weeks = [
        q for q in s.quantities if q.unit == "week" and q.bound == "about" and q.period is None
    ]
    if len(parts) > 1 or len(weeks) > 1:
        return None
    weekly = None
    if weeks and len(s.days) >= 2 and _WEEKLY.search(seek_text):
        weekly = (
            weeks[0].value * len(s.days),
            f"{len(s.days)} weekdays a week for '{weeks[0].span.text}'",
        )
    if parts:
        counted = parts[0].value
        if weekly is not None and abs(weekly[0] - counted) > 1e-9:
            return None
        if counted != int(counted) or counted < 1:
            return None
        return counted, f"'{parts[0].span.text}'"
    return weekly
