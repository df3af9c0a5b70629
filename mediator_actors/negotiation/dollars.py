"""Whose dollar a bare "$" is (issue 16: a proposal's currency is the parties' own).

"$22/hr" written by a babysitter in Toronto is 22 Canadian dollars; the reader maps a bare
"$" to USD, and a proposal in USD against parties in Canada names a currency neither
party uses. Where the texts write dollars without saying whose ("$", "bucks",
"dollars"; never "USD" or "US$"), and the places they name lie in exactly one country
whose currency is another dollar, the proposal is in that country's dollar. The places
are the countries, their regions and their larger cities: a text naming none of them
keeps USD.
"""

from __future__ import annotations

import re

__all__ = ["local_dollar"]

#: Country, regions and larger cities of each dollar country other than the US.
_PLACES: dict[str, tuple[str, ...]] = {
    "CAD": (
        "canada", "canadian", "ontario", "quebec", "québec", "british columbia", "alberta",
        "manitoba", "saskatchewan", "nova scotia", "new brunswick", "toronto", "montreal",
        "montréal", "vancouver", "calgary", "edmonton", "ottawa", "winnipeg", "halifax",
        "mississauga", "kitchener", "gatineau", "saskatoon",
    ),
    "AUD": (
        "australia", "australian", "new south wales", "nsw", "queensland", "qld", "tasmania",
        "sydney", "melbourne", "brisbane", "adelaide", "canberra", "hobart", "gold coast",
        "geelong",
    ),
    "NZD": (
        "new zealand", "aotearoa", "auckland", "wellington", "christchurch", "dunedin",
        "tauranga", "queenstown",
    ),
    "SGD": ("singapore",),
    "HKD": ("hong kong", "kowloon"),
}  # fmt: skip

_PATTERNS = {
    code: re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])", re.I)
    for code, names in _PLACES.items()
}
#: Dollars named as US dollars, or as another country's: then "$" is not left to the place.
_NAMED_DOLLAR = re.compile(
    r"\b(?:usd|us\s?dollars?|american\s+dollars?|cad|aud|nzd|sgd|hkd)\b|"
    r"(?:us|ca|au|nz|sg|hk|c|a|s)\$",
    re.I,
)
_BARE_DOLLAR = re.compile(r"\$|\b(?:dollars?|bucks)\b", re.I)


def local_dollar(offer_text: str, seek_text: str) -> str | None:
    """The code of the dollar both texts mean by a bare "$", when their places lie in one
    country whose dollar is not the US dollar; None otherwise (USD stands)."""
    texts = (offer_text, seek_text)
    if any(_NAMED_DOLLAR.search(t) for t in texts):
        return None
    if not any(_BARE_DOLLAR.search(t) for t in texts):
        return None
    both = f"{offer_text}\n{seek_text}"
    found = [code for code, pattern in _PATTERNS.items() if pattern.search(both)]
    return found[0] if len(found) == 1 else None
