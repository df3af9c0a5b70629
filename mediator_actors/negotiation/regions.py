"""Places the two sides write at different levels: a region and a place inside it ("Phoenix
metro" / "Scottsdale", "Georgia" / "Decatur GA", "Bristol (BS3 & BS4)" / "we're in BS4",
"Rotterdam → Northern Italy" / "to our warehouse in Bergamo").

A small gazetteer only (the node's memory budget is tight): a place counts as inside a
region only when

* the text itself says so in a form with one meaning: a US city written with its state's
  postal code ("Decatur GA", "Austin, TX": USPS Publication 28, appendix B), or the same
  UK postcode district on both sides ("BS4": Royal Mail's postcode areas);
* or the tables below name it, each with its source: metros, the larger cities of a
  country ("Italy" / "Torino"), the districts of a city ("Ghent" / "Gentbrugge"); a name
  the seek writes counts only capitalised, and names that are also common words ("Nice",
  "Reading", "Zug") are left out.

Anything else is unknown and the caller declines as before ("cannot check: place").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "GAZETTEER",
    "METROS",
    "US_STATES",
    "inside",
    "outside",
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
         "monza", "varese", "pavia", "cremona", "mantua", "mantova", "lecco", "lodi",
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

#: A country, as either side may write it (English or its own language) -> its larger
#: cities, in both spellings. Sources: each national statistics office's list of
#: municipalities by population (ISTAT, INSEE, Destatis, INE, CBS, Statbel, BFS,
#: Statistik Austria, INE Portugal, ONS, CSO, GUS, DST, SCB, SSB, Statistics Finland,
#: CZSO), the largest cities of each; the US by its 2020 census places over 500,000.
_COUNTRY_CITIES: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("italy", "italia"), frozenset(
        {"rome", "roma", "milan", "milano", "naples", "napoli", "turin", "torino", "palermo",
         "genoa", "genova", "bologna", "firenze", "bari", "catania", "venice",
         "venezia", "verona", "messina", "padua", "padova", "trieste", "brescia", "parma",
         "taranto", "prato", "modena", "reggio calabria", "reggio emilia", "perugia",
         "livorno", "ravenna", "cagliari", "foggia", "rimini", "salerno", "ferrara", "pisa",
         "bergamo", "trento", "bolzano", "vicenza", "lecce", "pescara", "monza"})),
    (("france",), frozenset(
        {"paris", "marseille", "lyon", "toulouse", "nantes", "montpellier",
         "strasbourg", "bordeaux", "lille", "rennes", "reims", "toulon", "grenoble",
         "dijon", "angers", "nîmes", "nimes", "clermont-ferrand", "le havre", "limoges", "amiens", "annecy", "perpignan", "metz", "besançon", "orléans",
         "rouen", "mulhouse", "caen", "avignon"})),
    (("germany", "deutschland"), frozenset(
        {"berlin", "hamburg", "munich", "münchen", "cologne", "köln", "frankfurt",
         "stuttgart", "düsseldorf", "dusseldorf", "leipzig", "dortmund", "bremen",
         "dresden", "hanover", "hannover", "nuremberg", "nürnberg", "duisburg", "bochum",
         "wuppertal", "bielefeld", "bonn", "münster", "mannheim", "karlsruhe", "augsburg",
         "wiesbaden", "aachen", "kiel", "freiburg", "heidelberg", "potsdam", "rostock",
         "mainz", "erfurt", "kassel", "magdeburg", "chemnitz", "regensburg"})),
    (("spain", "españa", "espana"), frozenset(
        {"madrid", "barcelona", "valencia", "seville", "sevilla", "zaragoza", "málaga",
         "malaga", "murcia", "palma", "bilbao", "alicante", "córdoba", "cordoba",
         "valladolid", "vigo", "gijón", "gijon", "granada", "a coruña", "vitoria",
         "san sebastián", "donostia", "santander", "pamplona", "salamanca", "cádiz",
         "tarragona", "girona", "ibiza", "marbella"})),
    (("netherlands", "nederland", "holland"), frozenset(
        {"amsterdam", "rotterdam", "the hague", "den haag", "utrecht", "eindhoven",
         "groningen", "tilburg", "almere", "breda", "nijmegen", "apeldoorn", "haarlem",
         "arnhem", "enschede", "amersfoort", "zaanstad", "zwolle", "leiden", "maastricht",
         "dordrecht", "zoetermeer", "delft", "alkmaar", "leeuwarden", "den bosch",
         "'s-hertogenbosch", "hilversum", "schiedam"})),
    (("belgium", "belgië", "belgie", "belgique"), frozenset(
        {"brussels", "bruxelles", "brussel", "antwerp", "antwerpen", "anvers", "ghent",
         "gent", "gand", "charleroi", "liège", "liege", "luik", "bruges", "brugge",
         "namur", "namen", "leuven", "louvain", "mons", "mechelen", "aalst",
         "hasselt", "kortrijk", "ostend", "oostende"})),
    (("switzerland", "schweiz", "suisse", "svizzera"), frozenset(
        {"zürich", "zurich", "geneva", "genève", "geneve", "genf", "basel", "bâle",
         "lausanne", "bern", "berne", "winterthur", "lucerne", "luzern", "st. gallen",
         "st gallen", "lugano", "biel", "bienne", "thun", "fribourg", "neuchâtel", "chur", "sion"})),
    (("austria", "österreich", "osterreich"), frozenset(
        {"vienna", "wien", "graz", "linz", "salzburg", "innsbruck", "klagenfurt",
         "villach", "wels", "st. pölten", "dornbirn", "bregenz"})),
    (("portugal",), frozenset(
        {"lisbon", "lisboa", "porto", "oporto", "braga", "coimbra", "funchal", "amadora",
         "almada", "setúbal", "setubal", "aveiro", "faro", "évora", "evora", "cascais",
         "sintra", "oeiras", "guimarães"})),
    (("united kingdom", "great britain", "britain"), frozenset(
        {"london", "birmingham", "manchester", "glasgow", "edinburgh", "leeds",
         "liverpool", "bristol", "sheffield", "cardiff", "belfast", "newcastle",
         "nottingham", "leicester", "brighton", "southampton", "portsmouth", "aberdeen",
         "oxford", "cambridge", "york", "coventry", "swansea", "dundee"})),
    (("england",), frozenset(
        {"london", "birmingham", "manchester", "leeds", "liverpool", "bristol",
         "sheffield", "newcastle", "nottingham", "leicester", "brighton", "southampton",
         "portsmouth", "oxford", "cambridge", "york", "coventry"})),
    (("scotland",), frozenset({"glasgow", "edinburgh", "aberdeen", "dundee", "inverness",
                               "stirling"})),
    (("ireland", "éire"), frozenset({"dublin", "cork", "limerick", "galway", "waterford",
                                     "kilkenny"})),
    (("poland", "polska"), frozenset(
        {"warsaw", "warszawa", "kraków", "krakow", "cracow", "łódź", "lodz", "wrocław",
         "wroclaw", "poznań", "poznan", "gdańsk", "gdansk", "szczecin", "bydgoszcz",
         "lublin", "katowice", "gdynia"})),
    (("denmark", "danmark"), frozenset({"copenhagen", "københavn", "kobenhavn", "aarhus",
                                        "odense", "aalborg", "esbjerg"})),
    (("sweden", "sverige"), frozenset({"stockholm", "gothenburg", "göteborg", "malmö",
                                       "malmo", "uppsala", "västerås", "örebro", "linköping"})),
    (("norway", "norge"), frozenset({"oslo", "bergen", "trondheim", "stavanger", "tromsø",
                                     "drammen", "kristiansand"})),
    (("finland", "suomi"), frozenset({"helsinki", "espoo", "tampere", "vantaa", "oulu",
                                      "turku", "jyväskylä"})),
    (("czech republic", "czechia", "česko"), frozenset({"prague", "praha", "brno",
                                                        "ostrava", "plzeň", "pilsen"})),
    (("greece",), frozenset({"athens", "thessaloniki", "patras", "heraklion"})),
)  # fmt: skip

#: A city -> its districts and neighbourhoods, as residents write them. Sources: Stad Gent,
#: "deelgemeenten" (the municipalities merged into Ghent in 1977); Statistik Stadt Zürich,
#: "Stadtkreise und Quartiere"; DC Office of Planning, "Neighborhood Clusters"; Gemeente
#: Amsterdam, "stadsdelen"; the London Government Act 1963 boroughs (Greater London).
_CITY_DISTRICTS: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("ghent", "gent", "gand"), frozenset(
        {"gentbrugge", "ledeberg", "sint-amandsberg", "mariakerke", "drongen", "wondelgem",
         "oostakker", "zwijnaarde", "sint-denijs-westrem", "afsnee", "desteldonk",
         "mendonk", "sint-kruis-winkel"})),
    (("zürich", "zurich", "stadt zürich"), frozenset(
        {"wiedikon", "aussersihl", "oerlikon", "altstetten", "wipkingen", "höngg", "hottingen",
         "hirslanden", "wollishofen", "leimbach", "fluntern", "schwamendingen", "witikon", "albisrieden", "seebach", "riesbach", "unterstrass",
         "oberstrass", "langstrasse"})),
    (("washington dc", "washington, dc", "washington d.c.", "district of columbia"), frozenset(
        {"foggy bottom", "georgetown", "capitol hill", "dupont circle", "adams morgan",
         "columbia heights", "navy yard", "logan circle", "anacostia", "petworth",
         "brookland", "tenleytown", "cleveland park", "woodley park", "penn quarter", "noma", "u street", "kalorama", "glover park",
         "southwest waterfront", "chevy chase dc"})),
    (("amsterdam",), frozenset(
        {"nieuw-west", "zuidoost", "jordaan",
         "de pijp", "oosterpark", "watergraafsmeer", "ijburg", "indische buurt",
         "de baarsjes", "oud-west", "oud-zuid", "buitenveldert"})),
    (("london", "greater london"), frozenset(
        {"camden", "greenwich", "hackney", "hammersmith", "fulham", "islington",
         "kensington", "lambeth", "lewisham", "southwark", "tower hamlets",
         "wandsworth", "westminster", "barnet", "bexley", "brent", "bromley",
         "croydon", "ealing", "enfield", "haringey", "harrow", "havering", "hillingdon",
         "hounslow", "kingston upon thames", "merton", "newham", "redbridge", "sutton", "waltham forest", "peckham", "brixton", "clapham", "shoreditch",
         "wimbledon", "walthamstow", "dalston", "battersea", "notting hill"})),
)  # fmt: skip


def _family(
    *tables: tuple[tuple[tuple[str, ...], frozenset[str]], ...],
) -> dict[str, frozenset[str]]:
    """Every name of a region -> what lies inside it; a country also holds its cities'
    districts (Wiedikon is in Switzerland as well as in Zürich)."""
    out: dict[str, frozenset[str]] = {}
    for table in tables:
        for names, members in table:
            for name in names:
                out[name] = out.get(name, frozenset()) | members
    for name, members in list(out.items()):
        out[name] = members.union(*(out.get(m, frozenset()) for m in members))
    return out


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


#: Every region the tables hold (metros, countries, cities) -> the places inside it.
GAZETTEER: dict[str, frozenset[str]] = _family(
    tuple((names, METROS[names[0]]) for names in ((k,) for k in METROS)),
    _CITY_DISTRICTS,
    _COUNTRY_CITIES,
)


def region_members(region: str) -> frozenset[str]:
    """The places the tables hold inside ``region`` (lower case); empty when unknown."""
    return GAZETTEER.get(region.lower().strip(), frozenset())


def _names(text: str, names: Iterable[str]) -> set[str]:
    """The names ``text`` writes as names: capitalised where they stand ("Porto", not the
    "porto" of an Italian sentence; "Nice" the city, not "nice" the word)."""
    found = set()
    for name in names:
        pattern = rf"(?<![\w-]){re.escape(name)}(?![\w-])"
        if any(m.group(0)[:1].isupper() for m in re.finditer(pattern, text, re.I)):
            found.add(name)
    return found


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
    for region in sorted((offered & GAZETTEER.keys()) | _names(offer_text, GAZETTEER)):
        if not _whole(region, offer_text) or _elsewhere(region, seek_text):
            continue
        members = region_members(region)
        hit = (members & sought) | _names(seek_text, members)
        if hit:
            return f"{', '.join(sorted(hit)).title()} lies in {region.title()}"
    return None


def outside(offer_places: Iterable[str], offer_text: str, seek_text: str) -> str | None:
    """A note when the seek names, as a name, a place the tables put outside every region
    the offer names as a whole ("Scotland only" / "our Newcastle site"), and none inside
    one; None when that cannot be told (a region the tables do not hold, or none)."""
    offered = {p.lower() for p in offer_places}
    held = sorted(r for r in (offered & GAZETTEER.keys()) | _names(offer_text, GAZETTEER)
                  if _whole(r, offer_text))  # fmt: skip
    if not held:
        return None
    if any(_names(seek_text, [r, *region_members(r)]) for r in held):
        return None
    away = {_elsewhere(r, seek_text) for r in held}
    if None in away:
        return None
    name = sorted(n for n in away if n)[0]
    return f"{name.title()} lies outside {', '.join(r.title() for r in held)}"


#: A part of a place the offer narrows to ("South London", "London zones 1 and 2",
#: "Ghent city centre"): the table's members of the whole place may lie outside it.
_NARROW_BEFORE = re.compile(
    r"\b(?:north|south|east|west|central|inner|outer|downtown|upper|lower|old|"
    r"(?:north|south)[- ]?(?:east|west)|northern|southern|eastern|western)[ -]$",
    re.I,
)
_NARROW_AFTER = re.compile(
    r"[\s(]*(?:zones?|city|cent(?:re|er)|proper|postcodes?|districts?|inner|old\s+town|"
    r"north|south|east|west|central|ring)\b",
    re.I,
)


def _whole(region: str, text: str) -> bool:
    """Whether ``text`` names ``region`` at least once as a whole, not narrowed to a part."""
    pattern = rf"(?<![\w-]){re.escape(region)}(?![\w-])"
    return any(
        not _NARROW_BEFORE.search(text[max(0, m.start() - 12) : m.start()])
        and not _NARROW_AFTER.match(text, m.end())
        for m in re.finditer(pattern, text, re.I)
    )


#: Every name the tables hold, of regions and of the places inside them.
_ALL_NAMES = frozenset(GAZETTEER).union(*GAZETTEER.values())


def _elsewhere(region: str, seek_text: str) -> str | None:
    """A place the seek names that the tables put outside ``region`` ("from Berlin to
    Vienna" against "within Germany"): not inside it, not another name of it, and not a
    wider place that holds it."""
    members = region_members(region)
    for name in sorted(_names(seek_text, _ALL_NAMES)):
        wider = GAZETTEER.get(name, frozenset())
        if name == region or name in members or wider == members or region in wider:
            continue
        return name
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


#: The offer works at its own place: the customer collects, drops off or comes over
#: ("Pickup only at the farm stand", "drop off at my garage", "collection from Leeds").
_AT_OFFER = re.compile(
    r"\b(?:pick-?ups?|collection|collect(?:ed)?\s+from|drop[- ]?off|bring\s+(?:it|them|your)|"
    r"(?:at|in)\s+(?:my|our)\s+(?:stand|garage|workshop|studio|shop|yard|farm|premises|store))\b",
    re.I,
)
#: The seek says it goes there: "we'll pick up at your stand", "I can collect", "happy to
#: drop it off", "can come to you".
_SEEK_COMES = re.compile(
    r"\b(?:(?:we|i)(?:'ll|\s+will|\s+can|\s+could)|can|could|happy\s+to|able\s+to|willing\s+to)\s+"
    r"(?:(?:pick|come\s+and\s+pick)\s+(?:it\s+|them\s+)?up|collect|drop\s+(?:it\s+|them\s+)?off|"
    r"come\s+to\s+you|bring\s+(?:it|them))\b",
    re.I,
)


def seek_comes(offer_text: str, seek_text: str) -> str | None:
    """The seek's words that take it to the offer's place ("we'll pick up at your stand")
    when the offer works at its own place (pickup, drop-off): where the seek is then does
    not matter. None otherwise."""
    if not _AT_OFFER.search(offer_text):
        return None
    match = _SEEK_COMES.search(seek_text)
    return match.group(0) if match else None


#: A hand-over the clause states ("Pickup only at the stand", "can drop off Saturday").
_HAND_OVER = re.compile(r"\b(?:pick[- ]?up|drop[- ]?off|collection|collect)\b", re.I)


def hand_over_met(clause: str, other: str) -> bool:
    """Whether a clause about handing the thing over at the offer's place (pickup,
    drop-off) is met by the other side: the seek says it comes ("we'll pick up at your
    stand"), or the offer works at its own place ("in my workshop")."""
    if not _HAND_OVER.search(clause):
        return False
    return _SEEK_COMES.search(other) is not None or _AT_OFFER.search(other) is not None


#: An offer that hands over only at its own place: "collection only", "no delivery",
#: "nur Abholung", "keine Lieferung", "pas de livraison", "alleen afhalen", "solo ritiro".
_NO_DELIVERY = re.compile(
    r"\b(?:(?:collection|pick[- ]?up|collect)\s+only|no\s+deliver(?:y|ies)|"
    r"(?:can'?t|cannot|can\s+not|don'?t|do\s+not|does\s+not|unable\s+to)\s+deliver|"
    r"nur\s+(?:Abholung|Selbstabholung)|keine\s+Lieferung|pas\s+de\s+livraison|"
    r"alleen\s+afhalen|geen\s+bezorging|solo\s+ritiro|sin\s+env[ií]o|solo\s+recogida)\b",
    re.I,
)
#: A seek that needs the thing brought to it: "need it delivered", "delivery required",
#: "must be delivered", "Lieferung erforderlich", "livraison obligatoire".
_NEEDS_DELIVERY = re.compile(
    r"\b(?:need(?:s|ed)?\s+(?:it\s+|them\s+)?deliver(?:ed|y)|must\s+(?:be\s+)?deliver(?:ed)?|"
    r"has\s+to\s+be\s+delivered|deliver(?:y|ed)\s+(?:is\s+)?(?:required|needed|essential|a\s+must)|"
    r"Lieferung\s+(?:erforderlich|nötig|notwendig)|livraison\s+(?:obligatoire|nécessaire|indispensable)|"
    r"levering\s+(?:vereist|nodig)|consegna\s+(?:obbligatoria|necessaria))",
    re.I,
)


def delivery_refused(offer_text: str, seek_text: str) -> tuple[str, str] | None:
    """The offer's words that rule out delivery and the seek's that need it ("collection
    only" / "need it delivered"), when both are written; None otherwise."""
    refused = _NO_DELIVERY.search(offer_text)
    needed = _NEEDS_DELIVERY.search(seek_text) if refused else None
    if refused is None or needed is None:
        return None
    return refused.group(0), needed.group(0)
