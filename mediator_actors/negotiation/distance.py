"""How far the seek says it is from a place ("about 55 km from Annecy", "we're 8 miles
from Ludlow"), held against the radius an offer serves ("within 30 km of Annecy only").

The reader reads the offer's radius (``Facts.travel_km``); without this check a seek
beyond it passed on the town's name alone (issue 16, dev_h14: two proposals of pairs
labelled incompatible). The distance counts only when it is from one of the offer's own
places: a distance from another town says nothing about the offer's radius.
"""

from __future__ import annotations

import re

from mediator_actors.negotiation.numbers import NUMBER_SOURCE, token_numbers

__all__ = ["MILE_KM", "distances_from", "distances_stated"]

MILE_KM = 1.609

_DISTANCE = re.compile(
    rf"(?P<n>{NUMBER_SOURCE})\s*(?P<u>km|kms|kilomet(?:re|er)s?|miles?|mi)\b\.?\s+"
    r"(?:away\s+)?(?:from|outside(?:\s+of)?|of|out\s+of|von|vom|de|da|du)\s+(?:central\s+|the\s+centre\s+of\s+)?"
    r"(?P<p>[^\W\d_][\w'\u2019-]*(?:\s+[A-Z][\w'-]*)?)",
    re.I,
)


def distances_from(text: str) -> list[tuple[float, str]]:
    """(km, place as written, lower case) for each "N km/miles from PLACE" in ``text``."""
    found: list[tuple[float, str]] = []
    for match in _DISTANCE.finditer(text):
        numbers = token_numbers(match.group("n"))
        if not numbers:
            continue
        factor = MILE_KM if match.group("u").lower().startswith("mi") else 1.0
        found.append((numbers[0].value * factor, match.group("p").lower()))
    return found


#: Any distance written as an amount ("approx 29 km", "12 miles"), from wherever.
_AMOUNT = re.compile(
    rf"(?P<n>{NUMBER_SOURCE})\s*(?P<u>km|kms|kilomet(?:re|er)s?|miles?|mi)\b", re.I
)


def distances_stated(text: str) -> list[float]:
    """Every distance ``text`` writes, in km, whatever it is measured from."""
    found: list[float] = []
    for match in _AMOUNT.finditer(text):
        numbers = token_numbers(match.group("n"))
        if numbers:
            factor = MILE_KM if match.group("u").lower().startswith("mi") else 1.0
            found.append(numbers[0].value * factor)
    return found
