"""Whose dollar a bare "$" is (issue 16: a proposal's currency is the parties' own).

"$22/hr" written by a babysitter in Toronto is 22 Canadian dollars; the reader maps a bare
"$" to USD, and a proposal in USD against parties in Canada names a currency neither
party uses. Where the texts write dollars without saying whose ("$", "bucks",
"dollars"; never "USD" or "US$"), the dollar is the one the texts point to: a country,
region or larger city of exactly one dollar country other than the US, or that country's
dollar named in the same text ("$110 (CAD) budget"). A text
naming none of them keeps USD. Where the signs point to two dollars ("Toronto or
Sydney"), or only to "some dollar that is not the US one" (GST on top of "$95/hr",
Australian and New Zealand words such as "agistment", "ute", "arvo"), the dollar cannot be
told and :func:`unknown_dollar` says why: the caller declines rather than compare two
different dollars.
"""

from __future__ import annotations

import re

__all__ = ["local_dollar", "unknown_dollar"]

#: Country, states/provinces and larger cities and regions of each dollar country other
#: than the US (Statistics Canada, ABS and Stats NZ lists of population centres; names
#: shared with a US or UK place of note, "Victoria", "Hamilton", "Richmond", "Perth"
#: alone ... are left out or written with their country).
_PLACES: dict[str, tuple[str, ...]] = {
    "CAD": (
        "canada", "canadian", "ontario", "quebec", "québec", "british columbia", "alberta",
        "manitoba", "saskatchewan", "nova scotia", "new brunswick", "newfoundland",
        "prince edward island", "yukon", "nunavut", "toronto", "montreal", "montréal",
        "vancouver", "calgary", "edmonton", "ottawa", "winnipeg", "halifax", "mississauga",
        "kitchener", "gatineau", "saskatoon", "regina", "nanaimo", "kelowna", "kamloops",
        "burnaby", "abbotsford", "brampton", "markham", "oakville", "barrie", "guelph",
        "sudbury", "thunder bay", "moncton", "fredericton", "charlottetown", "lethbridge",
        "red deer", "laval", "victoria bc", "hamilton on", "hamilton, on", "okanagan",
    ),
    "AUD": (
        "australia", "australian", "new south wales", "queensland", "tasmania",
        "western australia", "south australia", "northern territory", "sydney",
        "melbourne", "brisbane", "adelaide", "canberra", "hobart", "gold coast",
        "sunshine coast", "geelong", "perth wa", "fremantle", "joondalup", "mandurah",
        "darwin nt", "cairns", "townsville", "toowoomba", "wollongong", "ballarat",
        "bendigo", "launceston", "mackay", "rockhampton", "bundaberg", "dubbo",
        "wagga wagga", "albury", "byron bay", "mornington peninsula", "alice springs",
    ),
    "NZD": (
        "new zealand", "aotearoa", "auckland", "wellington", "christchurch", "dunedin",
        "tauranga", "queenstown", "waikato", "taranaki", "new plymouth", "bay of plenty",
        "hawke's bay", "hawkes bay", "northland", "otago", "southland", "manawatu",
        "palmerston north", "rotorua", "whangarei", "invercargill", "napier", "hamilton nz",
    ),
    "SGD": ("singapore",),
    "HKD": ("hong kong", "kowloon"),
}  # fmt: skip
#: Abbreviations written in capitals only ("Bowral NSW", "Palm Beach QLD", "Nanaimo, BC").
_CAPITALS: dict[str, tuple[str, ...]] = {
    "CAD": ("BC", "B.C.", "QC", "PEI", "GTA"),
    "AUD": ("NSW", "QLD", "VIC", "TAS", "ACT"),
    "NZD": ("NZ", "Chch"),
}  # "ON", "SA", "WA", "NT", "NB" are words or US codes as well: left out

_PATTERNS = {
    code: re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])", re.I)
    for code, names in _PLACES.items()
}
_CAPITAL_PATTERNS = {
    code: re.compile(
        r"(?<![\w.-])(?:"
        + "|".join(map(re.escape, names))
        + r")(?![\w$-]|\.\w)"  # "NZ$" names a dollar, not a place
    )
    for code, names in _CAPITALS.items()
}
#: A two-letter code ("BC", "NZ") only after a place name and a comma or space ("Nanaimo,
#: BC", "Hamilton NZ"), never alone in a clause.
_AFTER_NAME = re.compile(r"[A-Z][a-z'-]+,?\s$")
#: Dollars named as US dollars, or as another country's: then "$" is not left to the place.
_US_DOLLAR = re.compile(r"\b(?:usd|us\s?dollars?|american\s+dollars?)\b|\bus\$", re.I)
_OTHER_DOLLAR = {
    "CAD": re.compile(r"\bcad\b|(?<![\w$])(?:ca|c)\$|canadian\s+dollars?", re.I),
    "AUD": re.compile(r"\baud\b|(?<![\w$])(?:au|a)\$|australian\s+dollars?", re.I),
    "NZD": re.compile(r"\bnzd\b|(?<![\w$])nz\$|new\s+zealand\s+dollars?|\bkiwi\s+dollars?", re.I),
    "SGD": re.compile(r"\bsgd\b|(?<![\w$])(?:sg|s)\$", re.I),
    "HKD": re.compile(r"\bhkd\b|(?<![\w$])hk\$", re.I),
}
_BARE_DOLLAR = re.compile(r"(?<![a-zA-Z])\$|\b(?:dollars?|bucks)\b", re.I)
#: Signs of a dollar that is not the US one without saying whose: goods and services tax
#: (Canada, Australia, New Zealand, Singapore; the US has none), and words of Australian
#: and New Zealand English that US English does not use for these things.
#: A dollar rate per week written "pw" ("$280pw") is Australian or New Zealand usage too.
_NOT_US = re.compile(
    r"\b(?:gst|hst|agistment|agist(?:ed|ing)?|arvo|servo|tradies?|sparky|utes?|"
    r"wof|rego|chocka|bottle-?o)\b|\$\s?\d[\d,.]*\s?p/?w\b",
    re.I,
)


def _codes(texts: tuple[str, str]) -> set[str]:
    """The non-US dollars the texts point to by place or by name."""
    both = "\n".join(texts)
    found = {code for code, pattern in _PATTERNS.items() if pattern.search(both)}
    # a dollar named ("$110 (CAD)") speaks for its own text's "$" only: "$250" against
    # "budget 300 CAD" is two currencies unless a place says otherwise
    bare = [t for t in texts if _BARE_DOLLAR.search(t)]
    found |= {
        code for code, pattern in _OTHER_DOLLAR.items() if all(pattern.search(t) for t in bare)
    }
    for code, pattern in _CAPITAL_PATTERNS.items():
        for match in pattern.finditer(both):
            word = match.group(0)
            before = both[max(0, match.start() - 30) : match.start()]
            if len(word) > 2 or word == "NZ" or _AFTER_NAME.search(before):
                found.add(code)
    return found


def _bare_dollar_countries(texts: tuple[str, str]) -> set[str] | None:
    """The dollar codes the texts' places point to when a bare "$" is written and no US
    dollar is named; None when there is nothing to decide."""
    if any(_US_DOLLAR.search(t) for t in texts):
        return None
    if not any(_BARE_DOLLAR.search(t) for t in texts):
        return None
    return _codes(texts)


def local_dollar(offer_text: str, seek_text: str) -> str | None:
    """The code of the dollar both texts mean by a bare "$", when their places (or a
    dollar named in each text that writes "$") point to exactly one country whose dollar is not the US
    dollar; None otherwise (USD stands, or :func:`unknown_dollar` says why it cannot)."""
    found = _bare_dollar_countries((offer_text, seek_text))
    return next(iter(found)) if found is not None and len(found) == 1 else None


def unknown_dollar(offer_text: str, seek_text: str) -> str | None:
    """Why a bare "$" of the texts is a dollar the reader cannot name: the texts point to
    two dollar countries, or to some dollar that is not the US one without saying whose.
    None when the dollar is known (USD, or :func:`local_dollar`'s)."""
    texts = (offer_text, seek_text)
    found = _bare_dollar_countries(texts)
    if found is None:
        return None
    if len(found) > 1:
        return f"currency: the texts write '$' and point to {' and '.join(sorted(found))}; whose dollar is meant cannot be told"
    if found:
        return None
    sign = _NOT_US.search("\n".join(texts))
    if sign is not None:
        return f"currency: the texts write '$' beside '{sign.group(0)}', which is not US usage; whose dollar is meant cannot be told"
    return None
