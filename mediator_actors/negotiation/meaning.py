"""Service fit by meaning: the cosine of the two service phrases under an embedder.

The local model (all-MiniLM-L6-v2, int8) places "wedding photographer" near "someone to
shoot our ceremony and the portraits after" (0.64) and "plumbing repair" far from
"kitchen design" (0.20). Thresholds were calibrated on ``tests/data/negotiation_dev.jsonl``
(see docs/benchmarks.md); the hash embedder carries no meaning, so under it only the
words decide (its threshold is out of reach).

Where the reader's phrases miss ("fixing by Friday 13 March please" is no service), the
phrases derived from the prose (:func:`service_phrases`: the reader's phrase without
amounts, places or topic, and the opening clause without its "We need" framing) are
judged by meaning alone at a stricter threshold (:data:`DERIVED_THRESHOLDS`).

Each phrase is embedded once and kept (bounded), so judging a pair costs two lookups; a
batch of pairs embeds its missing phrases in one call (:meth:`ServiceSimilarity.prepare`),
which gives the same vectors as one call per phrase (padding is masked out) at a fraction
of the per-call overhead.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterable
from typing import Protocol

import numpy as np

from mediator_actors.embedding.base import Embedder, EmbedderError
from mediator_actors.negotiation.glossary import GREETING_WORDS, GREETINGS, in_english
from mediator_actors.runtime.offload import native_lock

__all__ = [
    "PhraseSimilarity",
    "ServiceSimilarity",
    "phrase_key",
    "place_words",
    "service_clauses",
    "service_phrases",
    "shared_similarity",
    "sought_phrases",
    "without_words",
]

logger = logging.getLogger(__name__)

#: Cosine at or above which two service phrases fit on meaning alone, per embedder family.
THRESHOLDS = {"local": 0.5, "hash": 2.0}
#: For the openings of two intents (more context, so higher cosines between unrelated ones).
GIST_THRESHOLDS = {"local": 0.6, "hash": 2.0}
#: For phrases derived from the prose rather than read as the service (the reader's phrase
#: without amounts or places, an opening clause: :func:`service_phrases`). Calibrated on
#: the development sets' pairs that the reader's phrases decline as "different services":
#: the highest such incompatible pair of services that are truly different scores 0.489
#: ("catering equipment hire" ~ "someone to cook and serve food"), the compatible ones
#: above it 0.538-0.643; the 2,000 corpus pairs of different services at most 0.309.
DERIVED_THRESHOLDS = {"local": 0.52, "hash": 2.0}
#: Cosine that, with a shared distinguishing word, is enough ("dashboard" in both).
WITH_SHARED_WORD = {"local": 0.35, "hash": 2.0}
CACHE_SIZE = 20_000


#: Where a clause ends: sentence marks, commas, colons, brackets, a spaced dash or arrow.
_CLAUSE_SPLIT = re.compile(r"[.!?;:()\[\]{}\n]+|,\s|\s[-\u2013\u2014\u2022*+/|]\s|\s\u2192\s")
#: Amounts, prices, times and dates carry no service ("€65 per hour", "19 Sept").
#: (An "x" belongs to the amount only between digits, "2x90": in "0Xa" it is a letter.)
#: A number glued to letters is a name, not an amount: "3D printing", "A100 nodes", "B2B",
#: "5-frame nucs", "7th district" keep it (cut, "FDM D printing" named nothing).
_AMOUNT = re.compile(
    r"(?<!\w)[$€£¥]?\s?\d[\d.,:/\u2013-]*(?:x\d[\d.,:/\u2013-]*)*"
    r"(?:\s?(?:k\b|%|€|\$|£|am\b|pm\b|h\b|x\b))?(?![-\u2013]?[^\W\d_]|\d)",
    re.I,
)
#: Words of logistics and chatter: a clause made only of these names no service.
_CHATTER = (
    frozenset(
        re.split(
            r"\s+",
            """hi hello hey hiya hoi dear thanks thank please pls plz lol tbh asap ok okay cheers
    budget max maximum min minimum total all in up to about around roughly approx approx.
    eur euro euros usd gbp quid dollars nlc per hour hours hr hrs h day days night nights
    week weeks month months year years minute minutes job work price rate fee fees flat
    included incl including only available from to until by before after within at on
    the a an and or of for with my our your me us we i you it them someone somebody anyone
    is are be can could would will need needs want wants looking also just so very really
    today tomorrow tmrw tonight now soon monday tuesday wednesday thursday friday saturday
    sunday mon tue wed thu fri sat sun january february march april may june july august
    september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    weekday weekdays weekend weekends morning evening evenings afternoon next this that
    people persons guests person pax fine happy think guess prob probably it's i'm we're
    pay spend spending paying cost costs charge charges any call-out""",
        )
    )
    | GREETING_WORDS
)
MAX_CLAUSES = 8
#: The framing of an opening clause ("We need", "I am offering"): shared by unrelated
#: intents of one kind, it lifts their cosine ("I am offering load testing" and "We need
#: penetration testing" are closer than the services).
_FRAMING = re.compile(
    rf"^(?:(?:{GREETINGS})\W+)?(?:(?:i|we)(?:\s+am|\s+are|'m|'re)?\s+)?"
    r"(?:(?:really\s+)?(?:offering|offer|provide|providing|selling|sell|need|needs|want|wants|"
    r"looking\s+for|seeking|searching\s+for|require|hiring)\s+)"
    r"(?:(?:a|an|some|the|our|my)\s+)?",
    re.I,
)


def service_clauses(text: str, drop: Iterable[str] = ()) -> tuple[str, ...]:
    """The clauses of ``text`` that may name a service: each sentence and clause with
    amounts, dates and the ``drop`` phrases (the places the reader found) taken out,
    kept only when a word other than logistics and chatter is left; at most
    :data:`MAX_CLAUSES`, in order, without repeats."""
    text = _without(text, drop)
    found: list[str] = []
    for part in _CLAUSE_SPLIT.split(text[:4000]):
        clause = _bare(part)
        words = re.findall(r"[^\W\d_][\w'&-]*", clause.lower())
        if any(len(w) >= 3 and w not in _CHATTER for w in words):
            found.append(clause[:200])
    return tuple(dict.fromkeys(found))[:MAX_CLAUSES]


def _without(text: str, drop: Iterable[str]) -> str:
    for phrase in sorted({d for d in drop if d.strip()}, key=len, reverse=True):
        text = re.sub(rf"(?i)\b{re.escape(phrase)}\b", " ", text)
    return text


#: What is left of "for ocean current simulation projects" or "covering Utrecht and 20 km
#: around" once the topic, the place and the amount are out: the frame alone.
_DANGLING = re.compile(
    r"(?<![\w-])(?:for|in|at|of|on|near|around|covering|based in|from)\s*"
    r"(?:(?:a|an|the|our|my)\s+)?"
    r"(?:projects?|teams?|organi[sz]ations?|compan(?:y|ies)|startups?|area|region)?\s*"
    r"(?:and\s+(?:km|miles?)?\s*around\s*)?(?=$|[,.;:!?()])",
    re.I,
)


def _bare(phrase: str) -> str:
    bare = re.sub(r"\s+", " ", _AMOUNT.sub(" ", phrase)).strip(" ,.;:-/&+~'\"")
    return _DANGLING.sub("", bare).strip(" ,.;:-/&+~'\"")


def service_phrases(
    candidates: Iterable[str], opening: str, drop: Iterable[str] = ()
) -> tuple[str, ...]:
    """The phrases that may name an intent's service, for judging fit by meaning: the
    reader's candidates as they are and without amounts or the ``drop`` phrases (its
    places: "plumber covering Utrecht and 20 km around" is a "plumber"), then the first
    clause of the ``opening`` that names anything (a seek's "need ..." clause is often
    about the date or the budget; its first clause says what is wrong: "Kitchen tap is
    dripping"). In order, without repeats."""
    drop = tuple(drop)
    found: list[str] = []
    for phrase in candidates:
        found.append(phrase)
        bare = _bare(_without(phrase, drop))
        if re.search(r"[^\W\d_]{3,}", bare):
            found.append(bare)
    found.extend(_FRAMING.sub("", c) for c in service_clauses(opening, drop)[:1])
    kept: dict[str, str] = {}
    for phrase in found:
        if phrase:
            kept.setdefault(phrase_key(phrase), phrase)
    return tuple(kept.values())


#: A clause that states a condition on the work, not the work: "Accessibility required",
#: "Source code must be auditable", "Remote work only" (their words name other services).
_REQUIREMENT = re.compile(
    r"\b(?:must|required|requires?|requirement|prefer|preferred|preferably|expected|mandatory|"
    r"should|only|needed\s+before|a\s+plus)\b",
    re.I,
)


def sought_phrases(
    candidates: Iterable[str], text: str, drop: Iterable[str] = ()
) -> tuple[str, ...]:
    """:func:`service_phrases` and then every other clause of ``text`` without its framing:
    a seek names its need in any clause ("Terraced house, roughly 15 m of gutter to clean")
    while its "need ..." clause is often about the date, the budget or the place (not
    the clauses that state a condition: "Accessibility required" is no service). Judged
    against the offer's own phrases only (an offer names its service in its phrase), so
    two clauses of logistics ("no pets" ~ "no pets") are never compared."""
    drop = tuple(drop)
    found = [*service_phrases(candidates, text, drop)]
    found.extend(
        _FRAMING.sub("", c) for c in service_clauses(text, drop) if not _REQUIREMENT.search(c)
    )
    kept: dict[str, str] = {}
    for phrase in found:
        if phrase:
            kept.setdefault(phrase_key(phrase), phrase)
    return tuple(kept.values())


#: A name after a word of place ("in Birmingham", "covering Utrecht", "based in Gent").
_PLACE_CUE = re.compile(
    r"\b(?:in|near|around|covering|based in|from|to|at|across|throughout)\s+"
    r"(?P<p>[A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019-]+){0,2})"
)
_NAME = re.compile(r"[A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019-]+){0,2}")


def place_words(text: str, known: Iterable[str] = (), keep: Iterable[str] = ()) -> frozenset[str]:
    """Lower-cased words of ``text`` that name a place: the ``known`` places (the reader's),
    names after a word of place ("in Birmingham") and names standing alone as a later
    clause ("..., Birmingham."), less the ``keep`` words (languages: "in English" is no place).
    Two intents in one town are no closer in service: these words are masked before a
    derived phrase is judged by meaning."""
    found = {w for k in known for w in k.lower().split()}
    for match in _PLACE_CUE.finditer(text[:4000]):
        found.update(match.group("p").lower().split())
    # Not the first clause: "Babysitter." or "MVP" opening an intent names its service.
    for part in _CLAUSE_SPLIT.split(text[:4000])[1:]:
        if _NAME.fullmatch(part.strip()):
            found.update(part.lower().split())
    return frozenset(found - {k.lower() for k in keep} - _CHATTER)


def without_words(phrase: str, words: Iterable[str]) -> str:
    """``phrase`` with each of ``words`` (whole words, any case) taken out."""
    return re.sub(r"\s+", " ", _without(phrase, words)).strip(" ,.;:-")


def phrase_key(phrase: str) -> str:
    """The form a phrase is embedded and cached under: in English where the glossary
    knows its words (the local model is English: "avvocato" is a "lawyer")."""
    return in_english(phrase.strip().lower())[:300]


class PhraseSimilarity(Protocol):
    def cosine(self, a: str, b: str) -> float: ...

    def fits(
        self, cosine: float, *, shared_word: bool, gist: bool = False, derived: bool = False
    ) -> bool: ...


class ServiceSimilarity:
    """Cosines of service phrases under ``embedder``, each phrase embedded once."""

    def __init__(self, *, embedder: Embedder) -> None:
        self._embedder = embedder
        family = "hash" if embedder.id.startswith("hash") else "local"
        self._threshold = THRESHOLDS[family]
        self._with_word = WITH_SHARED_WORD[family]
        self._gist = GIST_THRESHOLDS[family]
        self._derived = DERIVED_THRESHOLDS[family]
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = native_lock()  # shared with run_blocking threads

    @property
    def embedder_id(self) -> str:
        return self._embedder.id

    @property
    def meaningful(self) -> bool:
        """False when no cosine can reach a threshold (a cosine is at most 1): the hash
        embedder carries no meaning, so embedding phrases under it decides nothing."""
        return min(self._threshold, self._with_word, self._gist, self._derived) <= 1.0

    def prepare(self, phrases: Iterable[str]) -> int:
        """Embed the phrases not yet kept, all in one embedder call; how many were new."""
        with self._lock:
            missing = list(
                dict.fromkeys(k for k in map(phrase_key, phrases) if k not in self._cache)
            )
        missing = missing[-CACHE_SIZE:]
        if not missing:
            return 0
        try:
            vectors = np.asarray(self._embedder.embed(missing), dtype=np.float32)
        except EmbedderError as exc:
            logger.warning("negotiation: service embedding failed, words only: %s", exc)
            return 0
        with self._lock:
            for key, vector in zip(missing, vectors, strict=True):
                self._cache[key] = vector
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return len(missing)

    def _vector(self, phrase: str) -> np.ndarray | None:
        key = phrase_key(phrase)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        try:
            vector = np.asarray(self._embedder.embed([key])[0], dtype=np.float32)
        except EmbedderError as exc:
            logger.warning("negotiation: service embedding failed, words only: %s", exc)
            return None
        with self._lock:
            self._cache[key] = vector
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def cosine(self, a: str, b: str) -> float:
        va, vb = self._vector(a), self._vector(b)
        if va is None or vb is None:
            return 0.0
        return float(np.clip(va @ vb, -1.0, 1.0))

    def fits(
        self, cosine: float, *, shared_word: bool, gist: bool = False, derived: bool = False
    ) -> bool:
        if gist:
            return cosine >= self._gist
        if derived:
            return cosine >= self._derived
        return cosine >= self._threshold or (shared_word and cosine >= self._with_word)


_shared: dict[str, ServiceSimilarity] = {}
_shared_lock = native_lock()  # shared with run_blocking threads


def shared_similarity() -> ServiceSimilarity:
    """One process-wide similarity over the local model (hash embedder if it is missing),
    loaded on first use (about 0.3 s)."""
    with _shared_lock:
        if "local" not in _shared:
            from mediator_actors.embedding.hashing import HashEmbedder
            from mediator_actors.embedding.local import shared_local_embedder

            embedder: Embedder
            try:
                embedder = shared_local_embedder()  # the keeper's model, not a second
            except EmbedderError as exc:
                logger.warning(
                    "negotiation: local model unavailable, service fit by words: %s", exc
                )
                embedder = HashEmbedder()
            _shared["local"] = ServiceSimilarity(embedder=embedder)
        return _shared["local"]
