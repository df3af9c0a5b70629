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
from collections.abc import Callable
from enum import StrEnum

from mediator_actors.safety.gates import Gate, fold_for_literals, may_match
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


_SENTENCE_CAP = 2000
_SENTENCE = re.compile(r"[^.!?\n;]{1," + str(_SENTENCE_CAP) + "}")
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
#: Literal gates (safety/gates.py): a pattern runs only where its words occur.
_THREAT_IF_GATE: Gate = ((("else", "otherwise", "unless", "if"),),)
_HARM_GATE: Gate = (
    (
        ("leak", "expose", "publish", "post", "release", "share", "send"),
        ("your", "their", "his", "her"),
    ),
    (
        ("hurt", "harm", "kill", "beat", "ruin", "destroy", "dox", "burn"),
        ("you", "them", "their", "him", "her"),
    ),
    (("report",), ("police", "immigration", "authorities")),
    (("you", "they"), ("regret", "sorry", "pay")),
)
_CONFINEMENT_GATE: Gate = (
    (("take", "hold", "keep", "confiscate", "retain", "collect"), ("passport", "id", "papers")),
    (("passport", "identity", "papers"), ("held", "kept", "retained", "confiscated")),
    (("work",), ("off",), ("debt",)),
    (("leave",), ("until",)),
    (("against",), ("will",)),
)
_EXTORTION_GATE: Gate = ((("blackmail", "extort"),), (("pay",), ("or", "won't")), (("hush",),))


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
    # A sentence rule can match only where the whole text matches (sentences end at
    # non-word characters, so \b reads the same), unless a sentence was cut at the
    # 2,000-character cap inside a word. So one scan of short text rules most prose out.
    folded = fold_for_literals(s)
    short = len(s) <= _SENTENCE_CAP
    threats = not short or bool(
        may_match(folded, _THREAT_IF_GATE)
        and may_match(folded, _HARM_GATE)
        and _THREAT_IF.search(s)
        and _HARM_RE.search(s)
    )
    confinement = not short or bool(may_match(folded, _CONFINEMENT_GATE) and _CONFINEMENT.search(s))
    for sentence in _SENTENCE.findall(s) if threats or confinement else ():
        # A threat is a condition and a harm in one sentence: "pay, or else I leak your
        # photos". Either alone is ordinary ("otherwise flexible", "publish your paper").
        if threats and _THREAT_IF.search(sentence) and _HARM_RE.search(sentence):
            found.add(CoercionSign.THREAT)
        if (
            confinement
            and _CONFINEMENT.search(sentence)
            and _FIRST_PERSON.search(sentence)
            and not _NOT_THE_AUTHORS_ACT.search(sentence)
        ):
            found.add(CoercionSign.CONFINEMENT)
    if may_match(folded, _EXTORTION_GATE) and _EXTORTION.search(s):
        found.add(CoercionSign.EXTORTION)
    return tuple(sorted(str(f) for f in found))


_LINK = re.compile(
    r"\bhttps?://|\bwww\.[a-z0-9-]{1,63}\.|\b[a-z0-9-]{2,63}\.(?:com|net|io|ru|xyz|biz)/", re.I
)
_LINK_GATE: Gate = (
    (("http",),),
    (("www.",),),
    ((".com/", ".net/", ".io/", ".ru/", ".xyz/", ".biz/"),),
)
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}\b")
_PHONE_PLAIN = re.compile(r"(?<![\w+])\+?\d[\d ().-]{7,16}\d(?!\w)")
# The same matches, found faster: starting with a character class lets the regex engine
# skip to the digits and plus signs (the lookbehind-first form tries every position); the
# lookbehind then reads the character before the first one, and a plus needs a digit.
_PHONE = re.compile(r"[+\d](?<![\w+][+\d])(?:(?<=\+)\d|(?<=\d))[\d ().-]{7,16}\d(?!\w)")
#: Marketing phrases, each with the words that must all occur (any one of each group, in
#: the case-folded text) for it to match: most prose holds none, and a substring test is
#: far cheaper than a case-insensitive regex scan.
_PITCH_RULES: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    (r"\bclick\s+(?:here|the\s+link|below)\b", (("click",),)),
    (r"\bact\s+now\b", (("act",), ("now",))),
    (r"\blimited[- ]time\s+offer\b", (("limited",), ("offer",))),
    (r"\b100\s*%\s+(?:free|guaranteed|legit)\b", (("100",), ("%",))),
    (r"\bguaranteed\s+(?:income|profits?|returns?|results)\b", (("guaranteed",),)),
    (
        r"\b(?:earn|make)\s+\$?\d[\d,]{0,9}\s*(?:\$|usd|dollars|nlc)?\s*(?:a|per|every)\s+"
        r"(?:day|week|hour)\b",
        (("earn", "make"), ("day", "week", "hour")),
    ),
    (r"\b(?:work|earn\s+money)\s+from\s+home\b", (("from",), ("home",))),
    (r"\bfree\s+(?:money|gift|crypto|bitcoin)\b", (("free",),)),
    (
        r"\b(?:crypto|bitcoin|nft)\s+(?:giveaway|airdrop|doubling)\b",
        (("giveaway", "airdrop", "doubling"),),
    ),
    (
        r"\b(?:dm|message|contact)\s+me\s+on\s+(?:telegram|whatsapp|signal)\b",
        (("telegram", "whatsapp", "signal"),),
    ),
    (r"\bbuy\s+now\b", (("buy",), ("now",))),
    (r"\bsubscribe\s+to\s+my\s+(?:channel|page)\b", (("subscribe",),)),
    (r"\bno\s+experience\s+(?:needed|required)\b.{0,60}\b(?:earn|income|\$)", (("experience",),)),
)
_PITCHES = tuple((re.compile(p, re.I), groups) for p, groups in _PITCH_RULES)


def _pitch_count(s: str, folded: str) -> int:
    # may_match's loops inlined: thirteen calls a text cost more than their substring tests
    count = 0
    for pattern, groups in _PITCHES:
        for group in groups:
            for word in group:
                if word in folded:
                    break
            else:
                break  # no word of this group: the phrase cannot occur
        else:
            if pattern.search(s):
                count += 1
    return count


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


# ASCII bytes that are not letters / not capitals: deleting them counts the rest in C.
_NOT_LETTER = bytes(b for b in range(128) if not chr(b).isalpha())
_NOT_CAPITAL = bytes(b for b in range(128) if not chr(b).isupper())


def _shouting(s: str) -> bool:
    if s.isascii():
        raw = s.encode("ascii")
        letter_count = len(raw.translate(None, _NOT_LETTER))
        upper = len(raw.translate(None, _NOT_CAPITAL))
    else:
        letters = [c for c in s if c.isalpha()]
        letter_count = len(letters)
        upper = sum(1 for c in letters if c.isupper())
    if letter_count < MIN_LETTERS_SHOUTING:
        return False
    return upper / letter_count > 0.8


def _links(s: str, folded: str) -> bool:
    return may_match(folded, _LINK_GATE) and len(_LINK.findall(s)) >= 3


def _contacts(s: str, folded: str) -> bool:
    emails = len(_EMAIL.findall(s)) if "@" in s else 0
    return emails + len(_PHONE.findall(s)) >= 3


#: The spam checks, cheapest first, so that :func:`detect_spam` can stop once the checks
#: left could no longer make two signs.
_SPAM_CHECKS: tuple[tuple[SpamSign, Callable[[str, str], bool]], ...] = (
    (SpamSign.SHOUTING, lambda s, folded: _shouting(s)),
    (SpamSign.LINKS, _links),
    (SpamSign.PITCH, lambda s, folded: _pitch_count(s, folded) >= 2),
    (SpamSign.CONTACTS, _contacts),
    (SpamSign.REPEATED, lambda s, folded: _repeated(s)),
)


def _spam_signs(text: str, *, wanted: int) -> tuple[str, ...]:
    s = normalize_text(text[:MAX_CHARS])
    folded = fold_for_literals(s)
    found: list[str] = []
    for done, (sign, check) in enumerate(_SPAM_CHECKS):
        if len(found) + len(_SPAM_CHECKS) - done < wanted:
            break
        if check(s, folded):
            found.append(str(sign))
    return tuple(sorted(found))


def spam_signs(text: str) -> tuple[str, ...]:
    """Every spam sign in ``text``, sorted (advisory; :func:`detect_spam` decides)."""
    return _spam_signs(text, wanted=0)


def detect_spam(text: str) -> tuple[str, ...]:
    """The spam signs when there are at least two of them, else empty: one sign alone
    (a list of three links, a shouted headline, a repeated word) is how some honest
    people write; two together are how advertisements do."""
    signs = _spam_signs(text, wanted=2)
    return signs if len(signs) >= 2 else ()
