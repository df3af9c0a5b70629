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
from dataclasses import dataclass

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


def _words(alternatives: str) -> re.Pattern[str]:
    """Whole words or phrases, "|"-separated, each with an optional plural ending."""
    options = "|".join(a.strip().replace(" ", r"[\s-]+") for a in alternatives.split("|"))
    return re.compile(rf"(?<![\w-])(?:{options})(?:s|es)?(?![\w-])", re.I)


def _trade(name: str, names: str, *work: str, unless: str = "") -> Trade:
    return Trade(
        name, _words(names), tuple(_words(w) for w in work), _words(unless) if unless else None
    )


_FIX = "fix|fixed|fixing|repair|repaired|replace|replaced|replacing|broken|leak|leaking|dripping"
_FIX_WORDS = _FIX + "|install|installed|installing|blocked|service|servicing"

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
        "consumer unit|light switch",
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
        "cycle repair",
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
        "clean|cleaned|cleaning|filthy|dirty",
    ),
    _trade(
        "solar panel cleaning",
        "solar panel cleaning",
        "panel|pannel|solar",
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
        "man with van|man and van|removals|removal company|movers|moving company",
        "moving|move|removal|relocating|relocation",
        "flat|house|apartment|studio|furniture|boxes|bed flat",
    ),
    _trade(
        "3D printing",
        "3D printing|3D print service|3D printer",
        "printed|print|prints",
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
    _trade(
        "wedding photography",
        "wedding photographer|wedding photography",
        "wedding|ceremony|bride",
        "shoot|photos|photographs|pictures|photographer",
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
        if any(trade.names.search(p) for p in phrases) and all(w.search(seek) for w in trade.work):
            return trade.name
    return None
