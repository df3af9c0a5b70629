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

__all__ = ["MILE_KM", "distances_from", "distances_stated", "included_radius"]

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


#: "Travel within 60 km included", "free travel up to 20 miles", "Anfahrt bis 25 km
#: inklusive", "déplacement gratuit dans un rayon de 30 km": a distance whose travel the
#: price includes, so a rate per km or mile is due only on the distance past it.
_INCLUDED_WORD = re.compile(
    r"\b(?:includ\w*|inclus\w*|inklusive|inkl\.?|inbegrepen|compris\w*|free|gratis|"
    r"gratuit\w*|kostenlos)(?!\w)",
    re.I,
)
_RADIUS = re.compile(
    r"(?:\bwithin|\bup\s+to|\bfirst|\bbis|\bbinnen|\binnerhalb(?:\s+von)?|\bim\s+umkreis\s+von|"
    r"\bdans\s+un\s+rayon\s+de|\bjusqu'(?:à|a)|\ben\s+un\s+radio\s+de|\bhasta|\bentro|"
    r"\bnel\s+raggio\s+di|\bfino\s+a)\s+(?:(?:ca\.?|circa|the\s+first)\s+)?"
    rf"(?P<n>{NUMBER_SOURCE})\s*(?P<u>km|kms|kilomet(?:re|er)s?|miles?|mi)\b",
    re.I,
)
#: Clause ends: a comma or sentence end, never a decimal mark ("0,60 €/km", "2.5 km").
_CLAUSE_END = re.compile(r"[;!?\n]|[.,](?!\d)")


def included_radius(text: str) -> float | None:
    """The distance in km whose travel ``text`` includes in its price, when one clause
    names both the distance ("within 60 km") and that it is included; None otherwise."""
    for part in _CLAUSE_END.split(text):
        radius = _RADIUS.search(part)
        if radius is None or _INCLUDED_WORD.search(part) is None:
            continue
        numbers = token_numbers(radius.group("n"))
        if numbers:
            factor = MILE_KM if radius.group("u").lower().startswith("mi") else 1.0
            return numbers[0].value * factor
    return None
