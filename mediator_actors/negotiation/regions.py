"""Places the two sides write at different levels: a region and a place inside it ("Phoenix
metro" / "Scottsdale", "Georgia" / "Decatur GA", "Bristol (BS3 & BS4)" / "we're in BS4",
"Rotterdam → Northern Italy" / "to our warehouse in Bergamo").

No gazetteer (the node's memory budget is tight): a place counts as inside a region only
when

* the text itself says so in a form with one meaning: a US city written with its state's
  postal code ("Decatur GA", "Austin, TX": USPS Publication 28, appendix B), or the same
  UK postcode district on both sides ("BS4": Royal Mail's postcode areas);
* or the small table below names it, each entry with its source.

Anything else is unknown and the caller declines as before ("cannot check: place").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "METROS",
    "US_STATES",
    "inside",
    "postcode_districts",
    "region_members",
    "states_written",
]

#: USPS Publication 28, appendix B: the two-letter codes of the 50 states and DC.
US_STATES: dict[str, str] = {
    "AL": "alabama", "AK": "alaska", "AZ": "arizona", "AR": "arkansas", "CA": "california",
    "CO": "colorado", "CT": "connecticut", "DE": "delaware", "DC": "district of columbia",
    "FL": "florida", "GA": "georgia", "HI": "hawaii", "ID": "idaho", "IL": "illinois",
    "IN": "indiana", "IA": "iowa", "KS": "kansas", "KY": "kentucky", "LA": "louisiana",
    "ME": "maine", "MD": "maryland", "MA": "massachusetts", "MI": "michigan",
    "MN": "minnesota", "MS": "mississippi", "MO": "missouri", "MT": "montana",
    "NE": "nebraska", "NV": "nevada", "NH": "new hampshire", "NJ": "new jersey",
    "NM": "new mexico", "NY": "new york", "NC": "north carolina", "ND": "north dakota",
    "OH": "ohio", "OK": "oklahoma", "OR": "oregon", "PA": "pennsylvania",
    "RI": "rhode island", "SC": "south carolina", "SD": "south dakota", "TN": "tennessee",
    "TX": "texas", "UT": "utah", "VT": "vermont", "VA": "virginia", "WA": "washington",
    "WV": "west virginia", "WI": "wisconsin", "WY": "wyoming",
}  # fmt: skip

#: Region (lower case, as the reader keeps a place) -> places inside it.
METROS: dict[str, frozenset[str]] = {
    # US Census Bureau, Phoenix-Mesa-Chandler, AZ Metropolitan Statistical Area (OMB
    # bulletin 23-01): its principal cities and largest suburbs.
    "phoenix": frozenset(
        {"scottsdale", "mesa", "chandler", "tempe", "gilbert", "glendale", "peoria",
         "surprise", "goodyear", "avondale", "buckeye"}
    ),
    # Ghana Statistical Service, Greater Accra Region; Wikipedia "East Legon" ("a
    # suburb of Accra"), "Osu, Accra", "Cantonments, Accra", "Labone", "Airport
    # Residential Area": neighbourhoods of the city, written with or without "Accra".
    "accra": frozenset({"east legon", "legon", "osu", "cantonments", "labone", "airport residential"}),
    # Eurostat NUTS 2021, ITC (Nord-Ovest) and ITH (Nord-Est): the regions of Northern
    # Italy and their capitals, with the Lombard provincial capitals (ISTAT).
    "northern italy": frozenset(
        {"lombardy", "lombardia", "piedmont", "piemonte", "liguria", "veneto",
         "emilia-romagna", "trentino", "friuli", "milan", "milano", "bergamo", "brescia",
         "como", "monza", "varese", "pavia", "cremona", "mantua", "mantova", "lecco", "lodi",
         "sondrio", "verona", "venice", "venezia", "padua", "padova", "vicenza", "treviso",
         "turin", "torino", "genoa", "genova", "bologna", "modena", "parma", "trento",
         "bolzano", "trieste", "udine", "aosta"}
    ),
    # Planbureau voor de Leefomgeving, "De Randstad" (2006/2016): the four big cities
    # and the towns between them.
    "randstad": frozenset(
        {"amsterdam", "rotterdam", "the hague", "den haag", "utrecht", "haarlem", "leiden",
         "delft", "dordrecht", "zoetermeer", "amersfoort", "almere", "schiedam"}
    ),
}  # fmt: skip

#: Royal Mail postcode areas (the letters of an outward code).
_UK_AREAS = frozenset(
    {
        "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF",
        "CH", "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT",
        "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "HA", "HD", "HG", "HP",
        "HR", "HS", "HU", "HX", "IG", "IP", "IV", "KA", "KT", "KW", "KY", "L", "LA", "LD", "LE",
        "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW",
        "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG",
        "SK", "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN",
        "TQ", "TR", "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO",
        "ZE"
    }
)  # fmt: skip
#: A district: area letters and one or two digits (a letter after them only in central
#: London, "EC1A", "W1D"), written in capitals.
_DISTRICT = re.compile(r"(?<![\w-])(?P<d>(?P<a>[A-Z]{1,2})\d{1,2}(?P<l>[A-Z])?)(?![\w-])")
_LONDON_LETTERED = frozenset({"E", "EC", "N", "NW", "SE", "SW", "W", "WC"})
#: A district is a place only where a place is written: after "in", "near", "around",
#: "covering", "serving", in brackets after a name, or after a name and a comma.
_DISTRICT_CUE = re.compile(
    r"(?:\b(?:in|near|around|covering|cover|serving|serve|within|based\s+in)\s+"
    r"|[A-Z][a-z]+\s*\(\s*|[A-Z][a-z]+,\s*)$"
)
_LIST_JOINT = re.compile(r"\s*(?:&|,|and|/|or)\s*$")


def postcode_districts(text: str) -> frozenset[str]:
    """UK postcode districts ``text`` writes as places ("in BS4", "Bristol (BS3 & BS4)");
    a list continues a cue ("in BS3, BS4 and BS5"). "A4 paper", "Moto G5" are none."""
    found: list[str] = []
    last_end = -1
    for match in _DISTRICT.finditer(text):
        area, letter = match.group("a"), match.group("l")
        if area not in _UK_AREAS or (letter and area not in _LONDON_LETTERED):
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        listed = last_end >= 0 and _LIST_JOINT.fullmatch(text[last_end : match.start()])
        if listed or _DISTRICT_CUE.search(before):
            found.append(match.group("d"))
            last_end = match.end()
    return frozenset(found)


#: "Decatur GA", "Austin, TX", "Decatur, Georgia": a city written with its state.
_CITY_STATE = re.compile(
    r"\b[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?,?\s+(?P<c>" + "|".join(US_STATES) + r")\b(?![\w-])"
)


def states_written(text: str) -> frozenset[str]:
    """The US states a text writes beside a city by postal code ("Decatur GA")."""
    return frozenset(US_STATES[m.group("c")] for m in _CITY_STATE.finditer(text))


def region_members(region: str) -> frozenset[str]:
    """The places the table holds inside ``region`` (lower case); empty when unknown."""
    return METROS.get(region.lower().strip(), frozenset())


def _names(text: str, names: Iterable[str]) -> set[str]:
    low = text.lower()
    return {n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", low)}


def inside(
    offer_places: Iterable[str], offer_text: str, seek_places: Iterable[str], seek_text: str
) -> str | None:
    """Why the seek's place lies inside a place the offer names (a short note), or None
    when that cannot be told. Only the seek-inside-offer direction: a seek anywhere in
    Georgia is not met by an offer in Decatur."""
    offered = {p.lower() for p in offer_places}
    sought = {p.lower() for p in seek_places}
    common = postcode_districts(offer_text) & postcode_districts(seek_text)
    if common:
        return f"postcode district {', '.join(sorted(common))} on both sides"
    for state in states_written(seek_text):
        if state in offered or _names(offer_text, [state]):
            return f"the seek's place is in {state.title()}, which the offer names"
    for region in sorted(offered | _names(offer_text, METROS)):
        members = region_members(region)
        hit = (members & sought) | _names(seek_text, members)
        if hit:
            return f"{', '.join(sorted(hit)).title()} lies in {region.title()}"
    return None


#: The end of a route as written after its arrow: up to three capitalised words, and the
#: places a bracket after them lists ("Northern Italy (Milan, Bergamo, Brescia, Verona)").
_ROUTE_END = re.compile(
    r"\s*(?P<e>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})(?:\s*\((?P<l>[^()]{2,120})\))?"
)


def route_end_places(tail: str) -> frozenset[str]:
    """The places a route's written end covers (lower case): the end itself, the places
    its bracket lists, and those the table holds inside it; empty when no end is read."""
    match = _ROUTE_END.match(tail)
    if match is None:
        return frozenset()
    end = match.group("e").lower()
    listed = {
        part.strip().lower()
        for part in re.split(r",|/|\band\b|&", match.group("l") or "")
        if part.strip()[:1].isupper()
    }
    return frozenset({end, *listed, *region_members(end)})
