"""Language names as other languages write them ("italiano ↔ inglese", "Nederlands ⇄ Frans",
"Französisch → Deutsch"), mapped to the English names the reader compares.

Source of every entry: the language display names of the Unicode CLDR (common/main/<locale>.xml,
<languages>) for de, fr, es, it, nl, pt, pl, with the inflected or capitalised forms
translators write in pair headings ("Deutsch"/"Deutsche", "Polnisch"). Only the reader's
own LANGUAGES are named, so nothing here is compared that the reader did not already weigh.

Several of these words are also other words ("Frans" is a Dutch first name and means
French only as an adjective, "Engels" a surname, "italien" an adjective): the reader takes
them as languages only inside a pair written with an arrow, a dash or a slash between two
language names, never alone.
"""

from __future__ import annotations

import functools
import re

#: name as written (lower case) -> the reader's English name
FOREIGN_NAMES: dict[str, str] = {
    # German (CLDR de)
    "englisch": "english", "deutsch": "german", "deutsche": "german",
    "französisch": "french", "spanisch": "spanish", "italienisch": "italian",
    "portugiesisch": "portuguese", "niederländisch": "dutch", "polnisch": "polish",
    "russisch": "russian", "chinesisch": "chinese", "japanisch": "japanese",
    "arabisch": "arabic", "türkisch": "turkish",
    # French (CLDR fr)
    "anglais": "english", "allemand": "german", "français": "french",
    "espagnol": "spanish", "italien": "italian", "portugais": "portuguese",
    "néerlandais": "dutch", "polonais": "polish", "russe": "russian", "chinois": "chinese",
    "japonais": "japanese", "arabe": "arabic",
    # Spanish (CLDR es)
    "inglés": "english", "alemán": "german", "francés": "french", "español": "spanish",
    "castellano": "spanish", "italiano": "italian", "portugués": "portuguese",
    "neerlandés": "dutch", "polaco": "polish", "ruso": "russian", "chino": "chinese",
    "japonés": "japanese", "árabe": "arabic",
    # Italian (CLDR it)
    "inglese": "english", "tedesco": "german", "francese": "french", "spagnolo": "spanish",
    "portoghese": "portuguese", "olandese": "dutch", "polacco": "polish", "cinese": "chinese",
    "giapponese": "japanese",
    # Dutch (CLDR nl)
    "engels": "english", "duits": "german", "frans": "french", "spaans": "spanish",
    "italiaans": "italian", "portugees": "portuguese", "nederlands": "dutch", "pools": "polish",
    # Portuguese (CLDR pt)
    "inglês": "english", "alemão": "german", "francês": "french", "espanhol": "spanish",
    "português": "portuguese", "holandês": "dutch",
    # Polish (CLDR pl)
    "angielski": "english", "niemiecki": "german", "francuski": "french",
    "hiszpański": "spanish", "włoski": "italian", "polski": "polish",
    # Catalan as Spanish, Catalan and Valencian write it (CLDR es "catalán", ca "català",
    # ca-ES-valencia "valencià"/"valenciano")
    "catalán": "catalan", "català": "catalan", "valencià": "catalan", "valenciano": "catalan",
}  # fmt: skip

#: The joints of a written pair: arrows (→ ⇄ ↔ ⟷ ⇆ > -> <> <->), a dash or a slash.
PAIR_JOINTS = (">", "->", "→", "⟶", "=>", "<>", "<->", "↔", "⇄", "⇆", "⟷", "/", "-", "\u2013")
#: the joints that mean both directions
BOTH_WAYS = frozenset({"<>", "<->", "↔", "⇄", "⇆", "⟷", "/", "-", "\u2013"})


def pair_pattern(english: frozenset[str]) -> re.Pattern[str]:
    """A pair of language names, at least one written in another language, joined by an
    arrow, dash or slash: "italiano ↔ inglese", "Polnisch-Deutsch" (or an en dash)."""
    alt = _names_alternation(english)
    joint = "|".join(re.escape(j) for j in sorted(PAIR_JOINTS, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?P<a>{alt})\s*(?P<j>{joint})\s*(?P<b>{alt})(?![\w-])", re.I)


def english_name(word: str) -> str | None:
    """The reader's English name of ``word`` (any case), or None; a German name declined
    after an article ("vom Englischen ins Deutsche") counts as its plain form."""
    low = word.lower()
    for form in (low, low.removesuffix("n"), low.removesuffix("en")):
        if form in FOREIGN_NAMES:
            return FOREIGN_NAMES[form]
    return None


#: A one-way direction written in words, "from" before the source and "to/into" before
#: the target, as Spanish, French, Italian, German, Dutch and Portuguese translators write
#: it: "de inglés a español", "del español al inglés", "de l'anglais vers le français",
#: "dall'inglese all'italiano", "vom Englischen ins Deutsche", "van het Engels naar het
#: Nederlands", "do inglês para o português".
_FROM_WORDS = (
    r"(?:del|de\s+la|de\s+l'|de|du|des|dall'|dallo|dalla|dal|da|aus\s+dem|aus\s+der|aus|vom|"
    r"von|van\s+het|van|uit\s+het|uit|do|desde\s+el|desde)"
)
_TO_WORDS = (
    r"(?:al|a\s+la|a\s+l'|a|au|aux|à\s+l'|à|vers\s+le|vers\s+la|vers\s+l'|vers|en|all'|allo|"
    r"alla|al|in|ins|nach|naar\s+het|naar|in\s+het|para\s+o|para\s+a|para|ao|em)"
)


def _names_alternation(english: frozenset[str]) -> str:
    """Every language name, foreign and English, longest first, as a regex alternation."""
    names = sorted({*FOREIGN_NAMES, *english}, key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


@functools.cache
def direction_pattern(english: frozenset[str]) -> re.Pattern[str]:
    """A one-way pair written with words ("de inglés a español"): groups a (source) and b
    (target); a German name may carry its case ending ("Englischen")."""
    alt = _names_alternation(english)
    return re.compile(
        rf"(?<![\w-]){_FROM_WORDS}\s*(?P<a>(?:{alt})(?:en|n)?)\s+{_TO_WORDS}\s*"
        rf"(?P<b>(?:{alt})(?:en|n)?)(?![\w-])",
        re.I,
    )


#: "solo en castellano o valenciano", "uniquement en français", "nur auf Deutsch",
#: "alleen in het Nederlands": a restriction to languages named in the post's own tongue
#: (a name here follows a word of "only" and "in", so "Frans" the first name never does).
_ONLY_IN = (
    r"\b(?:solo|s[oó]lo|solamente|[uú]nicamente|exclusivamente|seulement|uniquement|"
    r"exclusivement|nur|ausschlie(?:ss|ß)lich|alleen|uitsluitend|soltanto|s[oó]|apenas)\s+"
    r"(?:en|in|auf|em|op)\s+(?:het\s+|el\s+|o\s+)?"
)


@functools.cache
def _only_pattern(english: frozenset[str]) -> re.Pattern[str]:
    alt = _names_alternation(english)
    return re.compile(
        rf"{_ONLY_IN}(?P<a>{alt})(?:\s*(?:,|\bo\b|\by\b|\bou\b|\bet\b|\boder\b|\bund\b|"
        rf"\bof\b|\ben\b|\be\b)\s*(?P<b>{alt}))?(?![\w-])",
        re.I,
    )


def only_in(text: str, english: frozenset[str]) -> frozenset[str]:
    """The languages ``text`` restricts itself to in another language's words ("solo en
    castellano o valenciano" -> spanish, catalan), as the reader's English names."""
    found: set[str] = set()
    for match in _only_pattern(english).finditer(text):
        for name in (match.group("a"), match.group("b")):
            if name:
                found.add(english_name(name) or name.lower())
    return frozenset(found & english)
