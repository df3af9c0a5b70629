"""The words of intents: normalised tokens, a light stemmer, service keywords, and the
hard conditions whose opposites rule a pair out. Pure functions on short strings."""

from __future__ import annotations

import functools
import re
import unicodedata
from enum import StrEnum

__all__ = [
    "CONFLICTS",
    "HARD_PATTERNS",
    "NOT_WHAT",
    "QUALIFICATIONS",
    "STOPWORDS",
    "SWAPPABLE",
    "VARIANT_FAMILIES",
    "HardCondition",
    "fold",
    "service_tokens",
    "tokens",
]


class HardCondition(StrEnum):
    """Conditions that rule a pair out when the other party states the opposite."""

    REMOTE_ONLY = "remote only"
    ONSITE_ONLY = "on-site only"
    NDA_REQUIRED = "NDA required"
    NO_NDA = "will not sign an NDA"
    OPEN_SOURCE_REQUIRED = "open-source license required"
    PROPRIETARY_ONLY = "proprietary license only"
    UPFRONT_PAYMENT = "full payment up front"
    PAYMENT_ON_DELIVERY = "payment only on delivery or in milestones"
    FULL_TIME = "full-time required"
    PART_TIME = "part time only"


#: Pairs of hard conditions that cannot both hold.
CONFLICTS: tuple[tuple[HardCondition, HardCondition], ...] = (
    (HardCondition.REMOTE_ONLY, HardCondition.ONSITE_ONLY),
    (HardCondition.NDA_REQUIRED, HardCondition.NO_NDA),
    (HardCondition.OPEN_SOURCE_REQUIRED, HardCondition.PROPRIETARY_ONLY),
    (HardCondition.UPFRONT_PAYMENT, HardCondition.PAYMENT_ON_DELIVERY),
    (HardCondition.FULL_TIME, HardCondition.PART_TIME),
)
HARD_PATTERNS: tuple[tuple[HardCondition, re.Pattern[str]], ...] = (
    (
        HardCondition.REMOTE_ONLY,
        re.compile(
            r"\bremote(?:ly)?(?: work)? only\b|\bonly remote\b|\bfully remote\b|\bno (?:on-?site|in[- ]person|travel)\b",
            re.I,
        ),
    ),
    (
        HardCondition.ONSITE_ONLY,
        re.compile(
            r"\b(?:on-?site|in[- ]person|in[- ]office)(?: work)? only\b|\bonly (?:on-?site|in[- ]person)\b|\bno remote\b|\bmust be (?:on-?site|in[- ]person)\b|\bwill not work remotely\b"
            r"|\b(?:on-?site|in[- ]person)\b[\w ,]{0,40}\b(?:required|mandatory|only)\b",
            re.I,
        ),
    ),
    (
        HardCondition.NDA_REQUIRED,
        re.compile(
            r"\bNDA (?:is )?(?:needed|required|mandatory)\b|\b(?:signed|sign an?) NDA\b(?! (?:is )?not)|\bmust sign an? NDA\b",
            re.I,
        ),
    ),
    (
        HardCondition.NO_NDA,
        re.compile(
            r"\bno NDAs?\b|\b(?:will not|won't|cannot|can't|do not|don't) sign (?:an? )?NDAs?\b|\bwithout (?:an? )?NDA\b",
            re.I,
        ),
    ),
    (
        HardCondition.OPEN_SOURCE_REQUIRED,
        re.compile(
            r"\b(?:must be|only|required to be) open[- ]source\b|\bopen[- ]source licen[cs]e (?:required|only|mandatory)\b",
            re.I,
        ),
    ),
    (
        HardCondition.PROPRIETARY_ONLY,
        re.compile(
            r"\bproprietary(?: licen[cs]e)? only\b|\bclosed[- ]source only\b|\bno open[- ]source\b|\bwill not open[- ]source\b|\bcode (?:stays|remains) proprietary\b",
            re.I,
        ),
    ),
    (
        HardCondition.UPFRONT_PAYMENT,
        re.compile(
            r"\b(?:full |100% )?payment (?:in full )?up ?front (?:only|required)\b|\b(?:full|100%) (?:payment )?up ?front\b|\bpaid in full before\b",
            re.I,
        ),
    ),
    (
        HardCondition.PAYMENT_ON_DELIVERY,
        re.compile(
            r"\bpayment (?:only )?(?:on|upon|after) (?:delivery|completion)\b|\bno (?:up ?front|advance) payment\b|\bpayment in (?:\w+ )?milestones\b",
            re.I,
        ),
    ),
    (
        HardCondition.FULL_TIME,
        re.compile(
            r"\bfull[- ]time (?:required|only|commitment)\b|\bmust (?:work|be available) full[- ]time\b",
            re.I,
        ),
    ),
    (
        HardCondition.PART_TIME,
        re.compile(
            r"\bpart[- ]time only\b|\bonly (?:available )?part[- ]time\b|\bavailable part time\b",
            re.I,
        ),
    ),
)

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "in",
        "on",
        "with",
        "by",
        "from",
        "at",
        "as",
        "is",
        "are",
        "be",
        "we",
        "i",
        "our",
        "my",
        "me",
        "us",
        "you",
        "your",
        "need",
        "needs",
        "needed",
        "want",
        "wants",
        "seek",
        "seeking",
        "looking",
        "offer",
        "offering",
        "offers",
        "provide",
        "providing",
        "project",
        "projects",
        "service",
        "services",
        "work",
        "help",
        "someone",
        "somebody",
        "who",
        "can",
        "will",
        "would",
        "like",
        "full",
        "engagement",
        "support",
        "professional",
        "quality",
        "experienced",
        "high",
        "expert",
        "based",
        "using",
        "via",
        "per",
        "this",
        "that",
        "it",
        "its",
        "into",
        "some",
        "any",
        "all",
        "new",
        "small",
        "large",
        "about",
        "our",
        "do",
        "does",
        "done",
        "doing",
        "get",
        "make",
        "making",
        "build",
        "building",
    ]
)
_SYNONYMS = {
    "ml": "machine", "ai": "machine", "app": "application", "apps": "application",
    "website": "web", "site": "web", "webapp": "web", "ui": "interface",
    "ux": "user", "devops": "devops", "k8s": "kubernetes", "postgres": "postgresql",
    "js": "javascript", "ts": "typescript", "golang": "go", "bookkeeper": "bookkeeping",
    "accountant": "accounting", "translator": "translation", "translate": "translation",
    "designer": "design", "developer": "development", "develop": "development",
    "audit": "auditing", "auditor": "auditing", "tester": "testing", "test": "testing",
    "editor": "editing", "edit": "editing", "label": "labeling", "labelling": "labeling",
    "analyst": "analysis", "analyze": "analysis", "analyse": "analysis", "analytics": "analysis",
    "writer": "writing", "copywriting": "writing", "write": "writing", "tune": "tuning",
    "optimize": "optimization", "optimise": "optimization", "optimisation": "optimization",
    "scraper": "scraping", "scrape": "scraping", "visualisation": "visualization",
    "modelling": "modeling", "train": "training", "mastering": "mastering", "tutor": "tutoring",
    "agreement": "contract", "agreements": "contract", "cfd": "fluid",
    "photographer": "photography", "photo": "photography", "photos": "photography",
    "shoot": "photography", "gardener": "garden", "gardening": "garden",
    "plumber": "plumbing", "electrician": "electrical", "cleaner": "cleaning",
    "mechanic": "mechanic", "tutors": "tutoring", "maths": "math", "mathematics": "math",
    "bike": "bicycle", "bikes": "bicycle", "cycle": "bicycle", "songs": "track",
    "song": "track", "tracks": "track", "interpreter": "interpreting",
    "interpretation": "interpreting", "caterer": "catering", "babysitter": "childcare",
    "nanny": "childcare", "books": "bookkeeping",
}  # fmt: skip
#: Distinguishing words a seek cannot swap for another (a Rust job is not a Go job).
_SWAPPABLE_WORDS = [
    "rust",
    "go",
    "python",
    "java",
    "javascript",
    "typescript",
    "kotlin",
    "swift",
    "ruby",
    "php",
    "scala",
    "haskell",
    "elixir",
    "c++",
    "c#",
    "solidity",
    "react",
    "vue",
    "angular",
    "django",
    "flask",
    "rails",
    "laravel",
    "wordpress",
    "shopify",
    "flutter",
    "io",
    "android",
    "aws",
    "gcp",
    "azure",
    "kubernetes",
    "docker",
    "terraform",
    "postgresql",
    "mysql",
    "mongodb",
    "redis",
    "spark",
    "unity",
    "unreal",
    "figma",
    "xero",
    "quickbooks",
    "sap",
    "salesforce",
    "excel",
    "english",
    "german",
    "french",
    "spanish",
    "italian",
    "portuguese",
    "dutch",
    "japanese",
    "korean",
    "chinese",
    "mandarin",
    "arabic",
    "russian",
    "polish",
    "swedish",
    "hindi",
    "turkish",
    "greek",
]


def fold(text: str) -> str:
    """NFKC plus format characters removed: the parser's own view of the prose. (The
    prompt uses :mod:`mediator_actors.safety.textsafety` for the full normalisation.)"""
    if text.isascii():
        return text  # NFKC leaves ASCII as it is and no ASCII character is a format (Cf) one
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


_SUFFIXES = (
    "ators",
    "ator",
    "ations",
    "ation",
    "ated",
    "ating",
    "ments",
    "ment",
    "ions",
    "ion",
    "ings",
    "ing",
    "ers",
    "er",
    "ors",
    "or",
    "ed",
)


#: Distinct words whose stems are kept: judging a pair stems the same few thousand words of
#: the pair's texts again and again (issue 15: a tenth of the judging's CPU was stemming).
STEM_MEMO = 65_536


@functools.lru_cache(maxsize=STEM_MEMO)
def _stem(word: str) -> str:
    """A light stemmer: synonyms, plurals, then common suffixes, so "translated",
    "translation" and "translator" meet at "translat" (a pure function, memoised)."""
    word = _SYNONYMS.get(word, word)
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("s", "")):
        if word.endswith(suffix) and len(word) > 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + keep
            break
    word = _SYNONYMS.get(word, word)
    for suffix in _SUFFIXES:
        short = 3 if suffix in ("ing", "ed", "ings") else 4
        if word.endswith(suffix) and len(word) - len(suffix) >= short:
            word = word[: -len(suffix)]
            # "mixing"/"mixed" -> "mix", "shipping"/"shipped" -> "ship"
            if suffix in ("ing", "ed", "ings") and len(word) > 3 and word[-1] == word[-2]:
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


SWAPPABLE = frozenset(_stem(w) for w in _SWAPPABLE_WORDS)


def tokens(text: str) -> frozenset[str]:
    """Content words of ``text``, lower-cased, lightly stemmed, stopwords removed."""
    words = re.findall(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]", fold(text).lower())
    return frozenset(
        _stem(w) for w in words if w not in STOPWORDS and not w.isdigit() and len(w) > 1
    )


def service_tokens(service: str) -> tuple[frozenset[str], frozenset[str]]:
    """(all content tokens, the distinguishing ones): capitalised or technical words such
    as ``Rust``, ``PostgreSQL``, ``Spanish``, ``Go`` that must not be swapped for another."""
    specific = set()
    for word in re.findall(r"[A-Za-z][A-Za-z0-9+#.\-]*", fold(service)):
        if (
            word[0].isupper()
            and word.lower() not in STOPWORDS
            and word.lower() not in {"rest", "api"}
        ):
            specific.add(_stem(word.lower()))
    return tokens(service), frozenset(specific)


#: Words of a restriction ("X only", "must be X") that say how, when or how much, never
#: what: other readings own them (used by :mod:`demands`).
NOT_WHAT = tokens(
    "only exclusively must has have needs need be required requires require requirement "
    "mandatory essential non-negotiable strictly please also still really very just "
    # courtesy words name nothing a restriction limits ("licensed only pls", "cash only, ta")
    "pls plz plse thanks thx cheers ta bitte svp "
    "it this that these those they them there here what which who will would should can "
    "could do does done doing get got make made work works service services job jobs "
    "available availability deliver delivered delivery finished complete completed ready "
    "start started arrive shipped ship today tomorrow week weeks day days month months "
    "year years hour hours time times asap soon urgent urgently before after until within "
    "by latest earliest morning afternoon evening weekend weekday monday tuesday wednesday "
    "thursday friday saturday sunday price budget cost paid pay payment rate quote total "
    "max maximum min minimum least most up about around approx approximately one two "
    "three four five six seven eight nine ten end mid early late live launch launched "
    "long short term january february march april may june july august september "
    "october november december "
    # Judged by readers of their own: levels, ages, who may book, payment, where.
    "beginner beginners intermediate advanced adult adults kid kids child children teen "
    "teens student students women woman men man female male ladies girls boys member "
    "members resident residents cash card cards transfer invoice collection pickup "
    "pick-up delivery remote remotely online on-site onsite in-person local locally "
    "nationwide worldwide"
)


#: Families of variants that exclude each other: a thing (or a skill) is one of them, so
#: an offer naming one does not fit a seek naming another ("BSL" against "ASL", "diesel"
#: against "petrol"). Each variant is a regular expression matched ignoring case, save
#: for acronyms (``(?-i:PC)``); none of the words has an everyday meaning outside it.
VARIANT_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "sign language",
        (
            r"\b(?-i:BSL)\b|\bBritish\s+Sign\s+Language\b",
            r"\b(?-i:ASL)\b|\bAmerican\s+Sign\s+Language\b",
            r"\bAuslan\b",
            r"\b(?-i:ISL)\b|\bIrish\s+Sign\s+Language\b",
            r"\b(?-i:LSF)\b|\bFrench\s+Sign\s+Language\b",
            r"\b(?-i:DGS)\b|\bGerman\s+Sign\s+Language\b",
            r"\b(?-i:NGT)\b|\bDutch\s+Sign\s+Language\b",
        ),
    ),
    ("fuel", (r"\bdiesel\b", r"\bpetrol\b|\bgasoline\b")),
    (
        "drive side",
        (r"\b(?-i:LHD)\b|\bleft[- ]hand[- ]drive\b", r"\b(?-i:RHD)\b|\bright[- ]hand[- ]drive\b"),
    ),
    (
        "plug",
        (
            r"\b(?-i:UK)[- ](?:plugs?|sockets?|3[- ]pin)\b|\b(?-i:BS)\s?1363\b",
            r"\b(?:(?-i:US|USA)|American)[- ](?:plugs?|sockets?)\b",
            r"\b(?:(?-i:EU)|Euro|European|Schuko)[- ](?:plugs?|sockets?)\b",
            r"\b(?:(?-i:AU)|Australian)[- ](?:plugs?|sockets?)\b",
        ),
    ),
    ("units", (r"\bmetric\b(?!\s+tonn?es?)", r"\bimperial\b(?!\s+college)")),
    ("handedness", (r"\bleft[- ]handed\b", r"\bright[- ]handed\b")),
    ("phone platform", (r"\biPhones?\b|\biOS\b", r"\bAndroid\b")),
    (
        "console",
        (
            r"\bPlayStation\b|\b(?-i:PS[345])\b",
            r"\bXbox\b",
            r"\bNintendo\b|\bSwitch\s+(?:console|OLED|Lite)\b",
        ),
    ),
    (
        "computer platform",
        (
            r"\bMac(?:Book|OS)?\b|\biMac\b",
            r"\bWindows\s+(?:PC|laptop|computer|machine|10|11)\b|\b(?-i:PC)\b",
        ),
    ),
    (
        "tyre season",
        (r"\bwinter\s+tyres?\b|\bwinter\s+tires?\b", r"\bsummer\s+tyres?\b|\bsummer\s+tires?\b"),
    ),
)


#: Stems of a qualification or a kind that a thing either has or has not ("licensed",
#: "Gas Safe registered", "organic"): a seek that requires one is met only by an offer
#: that states it.
QUALIFICATIONS = tokens(
    "licensed licence license certified certificate certification registered registration "
    "accredited accreditation insured insurance qualified qualification chartered vetted "
    "organic"
)
