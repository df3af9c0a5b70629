"""A seek's trip there and back ("from the airport and back to the airport on the 28th",
"a return transfer", "both ways") against a price per trip: two trips, not the one a
seek naming no number would be held to."""

from __future__ import annotations

import re

#: Units a journey is priced by.
TRIP_UNITS = frozenset({"trip", "ride", "transfer", "journey", "way"})
#: The seek goes there and comes back.
_THERE_AND_BACK = re.compile(
    r"\band\s+back\b|\bthere\s+and\s+back\b|\bboth\s+ways\b|\bround[- ]?trip\b|"
    r"\breturn\s+(?:trip|transfer|journey|ride)s?\b|\b(?:and|then)\s+(?:the\s+)?return\b",
    re.I,
)
#: The offer prices a journey there and back as one ("€90 return", "round trip").
_PRICED_BOTH = re.compile(r"\breturn\b|\bround[- ]?trip\b|\bboth\s+ways\b|\bhin\s+und\s+zur", re.I)


def trips_there_and_back(unit: str | None, seek_text: str, offer_text: str) -> int | None:
    """2 when the seek goes there and back and the offer prices each single trip; 0 when
    the offer may price a return as one trip (the count is not known); None otherwise."""
    if unit not in TRIP_UNITS or not _THERE_AND_BACK.search(seek_text):
        return None
    return 0 if _PRICED_BOTH.search(offer_text) else 2
