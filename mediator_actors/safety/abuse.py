"""Rules for the two flag reasons beside ``unsafe``: ``coercion`` and ``spam`` (protocol.md
section 6). Conservative on purpose: an intent this node flags leaves its mediation and
the flag counts toward archiving it everywhere, so a rule fires only on wording that
leaves no honest reading (a threat tied to a demand, held passports, a debt worked off),
never on a topic ("a thriller about blackmail", "ransomware recovery").

Pure and deterministic: the same text always gets the same findings, sorted. Linear in the
text (capped at :data:`MAX_CHARS`; every pattern is bounded, no nested repetition), so no
input can stall the follower. Text is normalised first (:func:`normalize_text`), so
zero-width characters, homoglyphs and fullwidth letters do not hide a phrase.
"""

from __future__ import annotations

import re
from collections import Counter
from enum import StrEnum

from mediator_actors.safety.textsafety import normalize_text

__all__ = [
    "MAX_CHARS",
    "CoercionSign",
    "SpamSign",
    "detect_coercion",
    "detect_spam",
]

#: Intents are at most 10,000 characters on the chain; read no more than twice that.
MAX_CHARS = 20_000


class CoercionSign(StrEnum):
    THREAT = "coercion:threat"  # a harm promised unless a demand is met
    EXTORTION = "coercion:extortion"  # the author blackmails or extorts someone
    CONFINEMENT = "coercion:confinement"  # documents held, debt bondage, "cannot leave"


class SpamSign(StrEnum):
    LINKS = "spam:links"  # three or more links
    CONTACTS = "spam:contacts"  # three or more phone numbers or e-mail addresses
    REPEATED = "spam:repeated"  # one word or line makes up most of the text
    SHOUTING = "spam:shouting"  # mostly capital letters over a long text
    PITCH = "spam:pitch"  # two or more marketing or money-making phrases


_SENTENCE = re.compile(r"[^.!?\n;]{1,2000}")
_HARM = (
    r"(?:leak|expose|publish|post|release|share|send)\s+(?:your|their|his|her)\b"
    r"|(?:hurt|harm|kill|beat|ruin|destroy|dox|burn)\s+(?:you|your|them|their|him|her)\b"
    r"|report\s+(?:you|them|him|her)\s+to\s+(?:the\s+)?(?:police|immigration|authorities)"
    r"|(?:you|they)(?:'ll|\s+will)\s+(?:regret|be\s+sorry|pay\s+for)"
)
_THREAT_IF = re.compile(
    r"\b(?:or\s+else|otherwise|unless\s+(?:you|they)|if\s+(?:you|they)\s+(?:don't|do\s+not|"
    r"refuse|won't|will\s+not|fail\s+to))\b",
    re.I,
)
_HARM_RE = re.compile(r"\b(?:" + _HARM + r")", re.I)
_EXTORTION = re.compile(
    r"\b(?:blackmail(?:ing)?|extort(?:ing)?)\s+(?:you|him|her|them|my|our|the|a|an)\b"
    r"|\bpay\s+(?:me|us)\s+(?:or|and\s+I\s+won't|and\s+we\s+won't)\b"
    r"|\bhush\s+money\b",
    re.I,
)
_CONFINEMENT = re.compile(
    r"\b(?:take|hold|keep|confiscate|retain|collect)\s+(?:their|your|the\s+workers'?|"
    r"workers'?|employees'?|staff)\s+(?:passports?|ids?|identity\s+(?:cards?|documents?)|"
    r"papers)\b"
    r"|\b(?:passports?|identity\s+documents?|papers)\s+(?:are|will\s+be)\s+(?:held|kept|"
    r"retained|confiscated)\b"
    r"|\bwork\s+off\s+(?:the|their|your|a|his|her)\s+(?:travel\s+|recruitment\s+)?debt\b"
    r"|\b(?:can(?:not|'t)|not\s+allowed\s+to|may\s+not)\s+leave\s+(?:the\s+)?(?:premises|"
    r"site|compound|farm|job|employer)\s+until\b"
    r"|\bagainst\s+(?:their|his|her|your)\s+will\b",
    re.I,
)
#: Confinement counts only where the author does it ("we keep their passports"), never
#: where someone helps against it or tells of it ("I help workers get their passports back").
_FIRST_PERSON = re.compile(r"\b(?:we|i|us|our|my)\b", re.I)
_NOT_THE_AUTHORS_ACT = re.compile(
    r"\b(?:help|helps|helping|free|freeing|rescue|recover|back|return|report|victims?|"
    r"documentary|story|novel|film|book|article|research|about|against\s+(?:this|it))\b",
    re.I,
)


def detect_coercion(text: str) -> tuple[str, ...]:
    """Signs that an intent coerces someone, sorted; empty for ordinary prose."""
    s = normalize_text(text[:MAX_CHARS])
    found: set[str] = set()
    for sentence in _SENTENCE.findall(s):
        # A threat is a condition and a harm in one sentence: "pay, or else I leak your
        # photos". Either alone is ordinary ("otherwise flexible", "publish your paper").
        if _THREAT_IF.search(sentence) and _HARM_RE.search(sentence):
            found.add(CoercionSign.THREAT)
        if (
            _CONFINEMENT.search(sentence)
            and _FIRST_PERSON.search(sentence)
            and not _NOT_THE_AUTHORS_ACT.search(sentence)
        ):
            found.add(CoercionSign.CONFINEMENT)
    if _EXTORTION.search(s):
        found.add(CoercionSign.EXTORTION)
    return tuple(sorted(str(f) for f in found))


_LINK = re.compile(
    r"\bhttps?://|\bwww\.[a-z0-9-]{1,63}\.|\b[a-z0-9-]{2,63}\.(?:com|net|io|ru|xyz|biz)/", re.I
)
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}\b")
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{7,16}\d(?!\w)")
_PITCHES = tuple(
    re.compile(p, re.I)
    for p in (
        r"\bclick\s+(?:here|the\s+link|below)\b",
        r"\bact\s+now\b",
        r"\blimited[- ]time\s+offer\b",
        r"\b100\s*%\s+(?:free|guaranteed|legit)\b",
        r"\bguaranteed\s+(?:income|profits?|returns?|results)\b",
        r"\b(?:earn|make)\s+\$?\d[\d,]{0,9}\s*(?:\$|usd|dollars|nlc)?\s*(?:a|per|every)\s+(?:day|week|hour)\b",
        r"\b(?:work|earn\s+money)\s+from\s+home\b",
        r"\bfree\s+(?:money|gift|crypto|bitcoin)\b",
        r"\b(?:crypto|bitcoin|nft)\s+(?:giveaway|airdrop|doubling)\b",
        r"\b(?:dm|message|contact)\s+me\s+on\s+(?:telegram|whatsapp|signal)\b",
        r"\bbuy\s+now\b",
        r"\bsubscribe\s+to\s+my\s+(?:channel|page)\b",
        r"\bno\s+experience\s+(?:needed|required)\b.{0,60}\b(?:earn|income|\$)",
    )
)
_WORD = re.compile(r"[^\W\d_]{3,30}")
#: Below these sizes no ratio means anything: a short intent is never spam by shape.
MIN_WORDS_REPEATED = 20
MIN_LETTERS_SHOUTING = 60


def _repeated(s: str) -> bool:
    words = [w.lower() for w in _WORD.findall(s)]
    if len(words) >= MIN_WORDS_REPEATED:
        _, top = Counter(words).most_common(1)[0]
        if top / len(words) > 0.4:
            return True
    lines = [ln.strip().lower() for ln in s.splitlines() if len(ln.strip()) >= 10]
    return bool(lines) and Counter(lines).most_common(1)[0][1] >= 4


def _shouting(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    if len(letters) < MIN_LETTERS_SHOUTING:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) > 0.8


def spam_signs(text: str) -> tuple[str, ...]:
    """Every spam sign in ``text``, sorted (advisory; :func:`detect_spam` decides)."""
    s = normalize_text(text[:MAX_CHARS])
    found: set[str] = set()
    if len(_LINK.findall(s)) >= 3:
        found.add(SpamSign.LINKS)
    if len(_EMAIL.findall(s)) + len(_PHONE.findall(s)) >= 3:
        found.add(SpamSign.CONTACTS)
    if _repeated(s):
        found.add(SpamSign.REPEATED)
    if _shouting(s):
        found.add(SpamSign.SHOUTING)
    if sum(1 for p in _PITCHES if p.search(s)) >= 2:
        found.add(SpamSign.PITCH)
    return tuple(sorted(str(f) for f in found))


def detect_spam(text: str) -> tuple[str, ...]:
    """The spam signs when there are at least two of them, else empty: one sign alone
    (a list of three links, a shouted headline, a repeated word) is how some honest
    people write; two together are how advertisements do."""
    signs = spam_signs(text)
    return signs if len(signs) >= 2 else ()
