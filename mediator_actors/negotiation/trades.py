"""What a trade works on: the things a seek names when it wants a trade without naming it.

"Leaking pipe under kitchen sink, need someone today" wants a plumber; "locked out at 2am"
a locksmith; "3 new sockets and a ceiling light installed" an electrician. No embedding of
the seek's clauses reaches the offer's "Emergency plumber" (0.37), but the plumber's work is
general knowledge: taps, pipes, siphons, toilets, drains, boilers. An offer whose own
phrase names a trade fits a seek that names that trade's work, and only that (a plumber
does not fit "my roof leaks", so "leak" alone is nobody's work).

Each trade is the words that name it (in the offer's phrases) and groups of words of its
work, all of which the seek must name ("bike" and "gears" for a bicycle mechanic: a seek
for a bike to rent names no repair). Texts are put into English by the glossary first
("Elektriker" is an "electrician", "fietsenmaker" a "bicycle mechanic").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from mediator_actors.negotiation.glossary import in_english

__all__ = ["TRADES", "Trade", "trade_fit"]


@dataclass(frozen=True, slots=True)
class Trade:
    name: str
    #: Matches the offer's phrase naming the trade.
    names: re.Pattern[str]
    #: Each must match the seek's text.
    work: tuple[re.Pattern[str], ...]
    #: A seek matching this wants another trade's work ("my bike's brakes" is no car's).
    unless: re.Pattern[str] | None = None
    #: An offer matching this sells something else under the trade's name ("catering
    #: equipment hire" is no caterer).
    offer_unless: re.Pattern[str] | None = None
    #: The seek must name one of these that the offer's phrases name too (a tutor's
    #: subject: a maths tutor for "IB maths sessions", not for "French sessions").
    shared: re.Pattern[str] | None = None


def _words(alternatives: str) -> re.Pattern[str]:
    """Whole words or phrases, "|"-separated, each with an optional plural ending."""
    options = "|".join(a.strip().replace(" ", r"[\s-]+") for a in alternatives.split("|"))
    return re.compile(rf"(?<![\w-])(?:{options})(?:s|es)?(?![\w-])", re.I)


def _trade(
    name: str,
    names: str,
    *work: str,
    unless: str = "",
    offer_unless: str = "",
    shared: str = "",
) -> Trade:
    return Trade(
        name,
        _words(names),
        tuple(_words(w) for w in work),
        _words(unless) if unless else None,
        _words(offer_unless) if offer_unless else None,
        _words(shared) if shared else None,
    )


def _with_names(trade: Trade, pattern: str) -> Trade:
    """``trade`` named by ``pattern`` as well (a regular expression, matched anywhere)."""
    names = re.compile(f"{trade.names.pattern}|{pattern}", re.I)
    return replace(trade, names=names)


_FIX = "fix|fixed|fixing|repair|repaired|replace|replaced|replacing|broken|leak|leaking|dripping"
_FIX_WORDS = _FIX + "|install|installed|installing|blocked|service|servicing"

_CAR_RENTAL_WORK = (
    "car|compact|hatchback|SUV|estate car|van|vehicle|people carrier|campervan",
    "day|week|month|weekend|insurance|pick up|pick-up|pickup|airport|arriving|km|mile",
)
_CAR_RENTAL_UNLESS = (
    _FIX + "|detailing|valet|valeting|wash|washed|clean|cleaning|driver|chauffeur|"
    "transfer|taxi|lift|ride|lesson|for sale|buy|buying|sell|selling|parking|transport|"
    "shipping|wrap|tint|MOT|tyre|tire|insure|policy|storage|mechanic|service|servicing|"
    "brake|clutch|engine|gearbox|exhaust|squeak|squeaking|noise|battery"
)
#: Car makes and common models a private owner names the car by.
_CAR_MAKES = (
    r"VW|Volkswagen|Golf|Polo|Passat|Toyota|Yaris|Corolla|Prius|Ford|Fiesta|Focus|Renault|"
    r"Clio|Peugeot|Citro[eë]n|Fiat|Opel|Vauxhall|Corsa|Astra|Skoda|Škoda|Octavia|Fabia|BMW|"
    r"Audi|Mercedes|Tesla|Kia|Hyundai|Honda|Civic|Nissan|Mazda|Mini|Seat|Dacia|Volvo|Suzuki"
)

TRADES: tuple[Trade, ...] = (
    _trade(
        "plumbing",
        "plumber|plumbing|emergency plumbing",
        "tap|faucet|pipe|siphon|sink|toilet|drain|cistern|boiler|radiator|water heater|shower",
        _FIX_WORDS,
    ),
    _trade(
        "electrical work",
        "electrician|electrical|electrics",
        "socket|power outlet|ceiling light|light fitting|wiring|rewire|fuse box|"
        "consumer unit|light switch|power point|switchboard|downlight|light fixture",
    ),
    _trade(
        "locksmith",
        "locksmith",
        "locked out|locked myself out|locked ourselves out|lockout|lock|door lock|lost keys|"
        "lost my keys|key snapped",
    ),
    _trade(
        "car repair",
        "mechanic|car repair|auto repair|clutch replacement",
        "brake pads|brake|brakes|clutch|gearbox|exhaust|timing belt|suspension|engine",
        _FIX + "|slipping|squeaking|grinding|worn",
        unless="bike|bicycle|cycle|scooter|motorbike|motorcycle|boat",
    ),
    _trade(
        "bicycle repair",
        "bicycle repair|bike repair|bicycle mechanic|bike mechanic|bike tune-up|bike service|"
        "cycle repair|bike workshop|bicycle workshop|bike shop|bicycle shop",
        "bike|bicycle|city bike|road bike",
        "tune-up|service|gears|brakes|puncture|chain|derailleur|squeak|squeaky|" + _FIX,
    ),
    _trade(
        "hairdressing",
        "hairdresser|hair stylist|hairstylist|barber",
        "hair|haircut|blow-dry|blowdry|updo",
    ),
    _trade(
        "welding",
        "welding|welder",
        "weld|welded|crack|cracked|craked|broken",
        "frame|trailer|gate|railing|aluminium|aluminum|alumnium|steel|bracket",
    ),
    _trade(
        "piano tuning",
        "piano tuning|piano tuner",
        "piano|upright|grand piano",
        "tune|tuned|tuning|pitch raise",
    ),
    _trade(
        "IT support",
        "IT support|computer repair|tech support|home IT",
        "wifi|wi-fi|router|mesh|laptop|printer|home network|computer|PC",
    ),
    _trade(
        "chimney sweeping",
        "chimney sweep|chimney sweeping",
        "chimney|flue|log burner|wood burner|woodburner",
    ),
    _trade(
        "gutter cleaning",
        "gutter cleaning|gutter clearing",
        "gutter",
        "clean|cleaned|cleaning|clear|cleared|blocked",
    ),
    _trade(
        "window cleaning",
        "window cleaning|window cleaner",
        "window",
        "clean|cleaned|cleaning|filthy|dirty|inside and out|inside & out|inside and outside",
    ),
    _trade(
        "solar panel cleaning",
        "solar panel cleaning|cleaning of solar panel|solar cleaning",
        "panel|pannel|solar|module",
        "clean|cleaned|cleaning|filthy|dirty",
    ),
    _trade(
        "handyman work",
        "handyman|odd jobs",
        "shelf|shelves|curtain rail|curtain pole|blinds|mirror|picture|tv|door|cabinet",
        "put up|hang|hung|mount|mounted|fit|fitted|fix|fixed|install|installed",
    ),
    _trade(
        "removals",
        "man with van|man and van|man & van|man and a van|removals|removal company|movers|"
        "moving company",
        "moving|move|removal|relocating|relocation",
        "flat|house|apartment|studio|furniture|boxes|bed flat",
    ),
    _trade(
        "3D printing",
        "3D printing|3D print service|3D printer|FDM printing|resin printing|FDM",
        "printed|print|prints|copies|copy",
        "PETG|PLA|ABS|resin|STL|3D",
    ),
    _trade(
        "embroidery",
        "embroidery|embroiderer",
        "embroidered|embroider|embroidering|stitched",
    ),
    _trade(
        "surveying",
        "topographic survey|land survey|drone survey|surveying|photogrammetry",
        "topo survey|topographic|site survey|land survey|survey of",
    ),
    _trade(
        "event venue",
        "venue|event space|function room|rooftop terrace|party room|banquet hall",
        "party|launch|reception|birthday|celebration|event|wedding",
        "people|guests|attendees",
    ),
    _trade(
        "live music",
        "band|trio|quartet|duo|musician|DJ",
        "live music|live band|music",
    ),
    _trade(
        "boat charter",
        "sailboat charter|boat charter|yacht charter|skippered",
        "sailboat|boat|yacht|sailing",
    ),
    # The trades below are named by who does the work, the seeks by the work ("my boiler
    # died" for a heating engineer, "4 blog posts" for a copywriter).
    _trade(
        "heating repair",
        "heating engineer|gas engineer|boiler engineer|boiler repair|gas safe|heating repair",
        "boiler|heating|hot water|radiator|combi",
    ),
    _trade(
        "courier",
        "courier|courier service|same-day delivery|same day delivery",
        "taken|take|delivered|deliver|delivery|picked up|collected|dropped off|sent|send",
        "parcel|package|box|document|bundle|sample|envelope|across town|door to door",
    ),
    _trade(
        "website building",
        "website|websites|web design|web designer|landing page|web agency|site builder",
        "website|web site|landing page|webshop|online shop|homepage",
        offer_unless="SEO|copy|copywriting|copywriter|hosting|audit|translation|photography|"
        "content|maintenance|accessibility|testing",
    ),
    # Subtitles are named by the file and the footage they go with, in any language
    # the glossary knows ("legendagem" is subtitling); which languages is checked apart.
    _trade(
        "subtitling",
        "subtitling|subtitler|subtitle service|captioning|closed captioning|closed captions",
        "subtitle|subtitles|subtitled|caption|captions|captioned|srt|vtt|closed captions",
        "video|videos|film|films|documentary|episode|series|clip|footage|webinar|lecture|"
        "interview|talk|vlog|short film|course|minute|minutes|min",
        unless="translate the book|book|novel|article|lesson|course in|class|tutor|teacher",
    ),
    # A developer is sought by the application to be built and what it must do ("a member
    # portal: login, order history"): the thing and one of its features or the coding.
    _with_names(
        _trade(
            "software development",
            "full-stack dev|full-stack developer|full stack developer|fullstack developer|"
            "web developer|software developer|software engineer|app developer|backend developer|"
            "frontend developer|front-end developer|back-end developer|programmer|freelance dev",
            "portal|web app|webapp|web application|mobile app|app|dashboard|backend|back end|"
            "API|admin panel|member area|booking system|CRM|intranet|SaaS|MVP|plugin",
            "login|log in|sign-up|signup|user accounts|admin|export|import|database|order history|"
            "checkout|payments|notifications|feature|features|integration|build|built|develop|"
            "developed|coded|coding|hours of work",
            unless="lesson|lessons|tutor|tutoring|course|class|mentor|mentoring|teach|bootcamp|"
            "logo|illustration|translation|copywriting|recruiter|hire full-time|job offer|salary",
        ),
        # ... or by the language or framework it is written in: a "Python developer"
        r"\b(?:python|java|javascript|typescript|php|ruby|rails|django|react|vue|angular|"
        r"node(?:\.js)?|laravel|flutter|ios|android|\.net|c#|golang|rust|kotlin|swift)\s+"
        r"(?:dev|developer|engineer|programmer)s?\b",
    ),
    # A system administrator is sought by the servers and what is to be done to them.
    _trade(
        "system administration",
        "sysadmin|system administrator|systems administrator|server administrator|"
        "linux admin|linux administrator|devops engineer|devops",
        "server|servers|VPS|Docker|container|containers|Postgres|PostgreSQL|MySQL|database|"
        "nginx|Kubernetes|hosting|cloud",
        "migrate|migrated|migration|moved|move|upgrade|upgraded|set up|setup|configure|"
        "configured|backup|backups|patch|patched|harden|monitoring|install|installed",
        unless="lesson|lessons|tutor|course|class|teach|bootcamp|salary|full-time|"
        "rack|cabling|repair|repaired|broken laptop",
    ),
    _trade(
        "copywriting",
        "copywriter|copywriting|blog content|content writer|content writing|SEO writer",
        "blog post|blog|article|copy|product description|newsletter|landing page copy",
    ),
    _trade(
        "tutoring",
        "tutor|tutoring|tuition",
        "session|lesson|tutoring|tuition|exam|revision|help with",
        shared="maths|math|physics|chemistry|biology|english|french|spanish|german|italian|"
        "SAT|ACT|GCSE|A-level|IB|history|geography|economics|statistics|calculus|"
        "programming|coding|reading|writing|essay|trig|trigonometry|algebra|geometry",
    ),
    _trade(
        "babysitting",
        "babysitter|babysitting|baby sitter|nanny|childminder|childcare",
        "sitter|babysit|babysitter|babysitting|look after|childcare|nanny|watch the kids",
        "kid|child|children|toddler|baby|son|daughter|boy|girl",
    ),
    _trade(
        "pet sitting",
        "cat sitting|cat sitter|pet sitting|pet sitter|pet care",
        "cat|kitten|pet|rabbit|guinea pig",
        "visit|come|feed|feeding|look after|sitting|sitter|pop in|check on",
    ),
    _trade(
        "tree surgery",
        "tree surgeon|tree surgery|arborist|tree felling|tree service|tree removal",
        "tree|conifer|oak|birch|leylandii|stump",
        "come down|fell|felled|felling|cut down|removed|removal|ground out|grinding|"
        "prune|pruned|pruning|lopped|taken down",
    ),
    _trade(
        "painting and decorating",
        "painter|decorator|painting and decorating|interior painting|painting de interiors|"
        "exterior painting|house painting|wall painting",
        "wall|ceiling|living room|bedroom|hallway|kitchen|fence|interior|exterior|room",
        "paint|painted|painting|repaint|repainted",
    ),
    _trade(
        "tiling",
        "tiler|tiling|floor tiling|wall tiling",
        "tile|tiles|tiling",
        "lay|laid|laying|fit|fitted|fitting|floor|wall|bathroom|kitchen|splashback",
    ),
    _trade(
        "video editing",
        "video editor|video editing|film editor|film editing",
        "footage|final cut|rough cut|edit|edited|editing",
    ),
    _trade(
        "rendering",
        "render farm|rendering service|render nodes|render service",
        "render|rendered|rendering",
    ),
    _trade(
        "image annotation",
        "image annotation|annotation team|data annotation|data labelling|data labeling",
        "image|photo|frame|picture",
        "box|boxes|bounding|label|labelled|labeled|annotate|annotated|segment|tag|tagged",
    ),
    _trade(
        "solar installation",
        "solar PV installation|solar installation|solar install|solar installer|"
        "PV installation|solar panel installation|solar fitter",
        "kWp|kW|solar|panel|PV",
        "roof|install|installed|installing|installation|fit|fitted|mount|mounted",
        unless="clean|cleaned|cleaning|wash|washed",
    ),
    _trade(
        "furniture assembly",
        "furniture assembly|flat-pack assembly|flatpack assembly|IKEA assembly|"
        "IKEA furniture assembly|furniture assembler",
        "wardrobe|bed|desk|PAX|MALM|KALLAX|chest of drawers|bookcase|shelving unit|cabinet|"
        "flat-pack|flatpack",
        "in boxes|in the box|assemble|assembled|assembly|build|built|put together|help|building",
    ),
    _trade(
        "clothing alterations",
        "alterations|tailor|tailoring|seamstress|dressmaker|clothing repairs",
        "hem|hemming|hemmed|taking in|taken in|take in|let out|shorten|shortened|zip|"
        "alter|altered|alteration",
    ),
    _trade(
        "accounting",
        "accountant|accounting|bookkeeper|bookkeeping|CPA|ACCA|tax advisor|tax adviser|"
        "tax preparer|tax preparation|chartered accountant",
        "bookkeeping|bookkeeper|tax return|self-assessment|self assessment|VAT return|"
        "year-end accounts|annual accounts|2024 return|2025 return|2026 return|2027 return|"
        "federal return|state return|file my taxes|do my taxes",
    ),
    _trade(
        "firewood",
        "firewood|logs|hardwood logs|seasoned logs|kiln dried logs|kindling",
        # the measures firewood is sold by, counted (a "charger cord" is no firewood): a
        # cord (full, half, face), a rick, a stere, a Raummeter
        r"logs|firewood|kindling|full cord|half cord|face cord|cord of|\d+ cord|\d+ rick|"
        r"\d+ stere|\d+ ster|raummeter",
    ),
    _trade(
        "marquee hire",
        "marquee|marquee hire|party tent|event tent|tent hire",
        "tent|marquee|gazebo",
    ),
    _trade(
        "GPU rental",
        "GPU|GPU node|GPU server|GPU cloud|A100|H100|V100|L40S|RTX 4090|RTX 3090",
        "GPU|A100|H100|V100|L40S|4090|3090",
        "fine-tuning|training run|training|inference|hours|hour|rent|rental|compute",
        # the seek's model is the offer's: "A100 or better" is no H100 offer's to guess
        shared="A100|H100|V100|L40S|4090|3090",
    ),
    _trade(
        "physiotherapy",
        "physiotherapist|physiotherapy|physio|physical therapist|physical therapy",
        "physio|physiotherapy|rehab|rehabilitation|physical therapy|sports injury",
    ),
    _trade(
        "wedding photography",
        "wedding photographer|wedding photography",
        "wedding|ceremony|bride",
        "shoot|photos|photographs|pictures|photographer",
    ),
    # Trades a seek names by what it needs done or had, not by the trade's name (a
    # "car for 7 days" is a car hire; "3 carpeted rooms ... wine stains" a carpet cleaning).
    # ... and "Renting out my 2019 VW Golf": a private owner names the car, not the trade
    # (never "renting out my spare room").
    _with_names(
        _trade(
            "car rental",
            "car hire|car rental|rental car|hire car|rent a car|car lease|flex lease|car leasing|"
            "van hire|van rental|campervan hire|campervan rental",
            *_CAR_RENTAL_WORK,
            unless=_CAR_RENTAL_UNLESS,
        ),
        r"\b(?:renting|rent|hiring|hire|letting|let)\s+out\s+(?:(?:my|our|a|the|an|\d{4})\s+)*"
        r"(?:car|" + _CAR_MAKES + r")\b",
    ),
    _trade(
        "carpet cleaning",
        "carpet cleaning|carpet steam cleaning|carpet cleaner|carpet shampooing|rug cleaning|"
        "upholstery cleaning",
        "carpet|carpeted|rug|upholstery",
        "clean|cleaned|cleaning|stain|stained|dirty|steam|shampoo|shampooed|spill|muddy",
        unless="fit|fitted|fitting|laid|lay|laying|install|installed|new carpet|underlay|buy",
    ),
    _trade(
        "skip hire",
        "skip hire|skip bin|skips",
        # the noun, not the verb ("can we skip the queue")
        "yard skip|yd skip|m3 skip|mini skip|midi skip|maxi skip|builders skip|skip bin|a skip|"
        "the skip|skip needed|skip for",
        "yard|yd|cubic|rubbish|waste|debris|permit|clear out|clearance|renovation",
    ),
    _trade(
        "airport transfer",
        "airport transfer|airport shuttle|airport taxi|airport pickup|airport pick-up|"
        "private transfer",
        "arrive|arriving|arrival|land|landing|flight|airport|terminal",
        "hotel|going to|get to|take us|pick us up|pick up|pickup|drop off|drop-off|transfer|"
        "ride|resort",
        unless="car hire|car rental|rent a car|rental car|self-drive|parking|lounge",
    ),
    _trade(
        "elderly care",
        "carer|caregiver|care worker|home care|elderly care|companion|companionship|home help",
        "mother|father|mum|mom|dad|grandmother|grandfather|grandma|grandpa|gran|nan|elderly|"
        "parent|aunt|uncle",
        "accompany|company|companionship|look after|looking after|sit with|visits|check on|"
        "help at home|personal care|care for",
        unless="physio|physiotherapy|nurse|nursing|medical|doctor|hairdresser|haircut|"
        "cleaning|cleaner|taxi|lift|driver|move|moving|removal|dog|cat|pet|garden|gardening",
    ),
    _trade(
        "t-shirt printing",
        "screen printing|screen printed|screenprinted|t-shirt printing|tee printing|"
        "shirt printing|DTG printing|custom tees|custom t-shirts",
        "shirt|t-shirt|tee|hoodie|jersey|tote|tote bag|sweatshirt",
        "logo|print|printed|printing|design|colour|color",
        unless="embroider|embroidered|embroidery|stitched|stitch|sublimation|heat press",
    ),
    _trade(
        "catering",
        "catering|caterer|caterers|catered|event catering|buffet catering",
        "lunch|dinner|buffet|meal|meals|food|canapes|finger food|brunch|breakfast|BBQ|"
        "barbecue|mezze|tapas",
        "people|guests|persons|attendees|pax|heads|colleagues|staff",
        unless="equipment|chafing|crockery|cutlery|hire|rental|truck|van|kitchen fitting|"
        "recipe|cooking class|cookery|lesson|course",
        offer_unless="equipment|hire|rental|crockery|chafing",
    ),
    # A brand or model line stands for its category: a "ThinkPad T14" is a laptop.
    _trade(
        "laptops",
        "laptop|notebook|ThinkPad|MacBook|MacBook Air|MacBook Pro|Latitude|EliteBook|"
        "ProBook|XPS|Zenbook|Vivobook|IdeaPad|Yoga|Surface Laptop|Chromebook|Spectre|Envy",
        "laptop|notebook",
        unless=_FIX + "|repairs|screen|keyboard|battery|charger|rent|rental|hire|lease|"
        "bag|sleeve|stand|dock|docking|monitor",
    ),
    _trade(
        "document legalisation",
        "apostille|apostille service|certified copies|certified copy|notary|notarisation|"
        "notarization|legalisation|legalization|sworn translation",
        "apostille|apostilled|notarised|notarized|legalised|legalized|certified copy|"
        "certified copies|certified",
        "diploma|degree|certificate|transcript|document|birth certificate|passport|deed|"
        "power of attorney|contract",
    ),
    _trade(
        "coach hire",
        "coach hire|coach charter|minibus hire|bus hire|bus charter|coach with driver|"
        "seat coach|seater coach|seat minibus|seater minibus|coach and driver",
        "trip|tour|excursion|outing|day out|transport|travel",
        "people|pupils|passengers|persons|guests|students|members|kids|children|players|pax",
        "km|kms|kilometres|kilometers|mile|miles|round trip|and back|return",
        unless="flight|ferry|train|car hire|car rental|van hire|self-drive|taxi|airport transfer",
    ),
    _trade(
        "holiday accommodation",
        "chalet|holiday cottage|holiday home|holiday rental|holiday apartment|holiday let|"
        "villa|cabin|lodge|gite|guesthouse|guest house",
        "trip|holiday|vacation|getaway|break|ski week|stay",
        "night|nights",
        "people|guests|persons|adults|of us|pax",
        unless="hotel room|flight|car hire|car rental|coach|minibus|bus|transfer|guide|"
        "instructor|lesson|ski hire|ski rental|lift pass|ski pass|cleaner|cleaning|catering|"
        "chef|office|storage|parking",
    ),
)


# Keys are the offers' phrases and both sides' texts: at 4,096 the 10k cycle's 7,660
# intents evicted each other's before their next pair.
@functools.lru_cache(maxsize=16_384)
def _english(text: str) -> str:
    return in_english(text[:4000])


#: A clause of the offer that excludes work: "we do not service thatched properties".
_NEGATED = re.compile(
    r"\b(?:not|no|never|don't|doesn't|won't|cannot|can't|except|excluding|excluded)\b"
    r"(?P<rest>[^.;:!?()]*)",
    re.I,
)
_CONTENT = re.compile(r"[^\W\d_]{4,}")
#: Words a clause of exclusion shares with any seek ("we do not do weekends", "no work").
_COMMON = frozenset(
    re.split(
        r"\s+",
        """work works service services visit visits site sites call calls job jobs hour hours
    days weekend weekends evening evenings more than over under with from this that only
    please need needs want""",
    )
)


def _excluded(offer_text: str, seek: str) -> bool:
    """Whether a clause of exclusion in the offer names a word the seek names (compared by
    their first five letters): the trade's work is not enough then, the exclusion decides."""
    seek_words = {w[:5] for w in _CONTENT.findall(seek.lower()) if w not in _COMMON}
    for match in _NEGATED.finditer(offer_text):
        words = {w[:5] for w in _CONTENT.findall(match.group("rest").lower()) if w not in _COMMON}
        if words & seek_words:
            return True
    return False


def trade_fit(offered: Iterable[str], seek_text: str, offer_text: str = "") -> str | None:
    """The trade one of the offer's phrases names and whose work the seek's text names
    (every group of its work words), or None; None too where the offer excludes something
    the seek names ("we do not service thatched properties" and a "thatched cottage")."""
    phrases = [_english(p) for p in offered]
    seek = _english(seek_text)
    if _excluded(_english(offer_text), seek):
        return None
    for trade in TRADES:
        if trade.unless is not None and trade.unless.search(seek):
            continue
        naming = [p for p in phrases if trade.names.search(p)]
        if trade.offer_unless is not None:
            naming = [p for p in naming if not trade.offer_unless.search(p)]
        if not naming or not all(w.search(seek) for w in trade.work):
            continue
        if trade.shared is not None and not _shares(trade.shared, seek, phrases):
            continue
        return trade.name
    return None


#: A seek's topic and the subject an offer names it by ("trig" is maths): a seek naming
#: the topic wants the subject too (not the other way: "maths" names no "algebra" offer).
_SUBJECT_OF = {"trig": "math", "trigonometry": "math", "algebra": "math", "geometry": "math"}


def _shares(pattern: re.Pattern[str], seek: str, phrases: list[str]) -> bool:
    """Whether a word of ``pattern`` the seek names (or the subject of its topic) is named
    by one of the offer's phrases."""
    wanted = {m.group().lower().rstrip("s") for m in pattern.finditer(seek)}
    wanted |= {_SUBJECT_OF[w] for w in wanted if w in _SUBJECT_OF}
    offered = {m.group().lower().rstrip("s") for p in phrases for m in pattern.finditer(p)}
    return bool(wanted & offered)
