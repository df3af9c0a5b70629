"""What is done to the thing a service names.

"Window cleaning" and "replace 5 old windows with double glazing" share the windows, not
the service; so do "laptop repairs" and "rent 20 laptops", "piano tuning" and "move a
piano to the 3rd floor", "photo printing" and "a photographer for headshots". Their words
(and their cosine: the object carries most of it) say they fit; the verbs say they do not.

Each action is the words of one kind of work in the languages the glossary covers (the
phrases are matched folded, without accents). Two service phrases that both name an action
and no action in common, nor two related ones (a fitter who repairs also replaces; a tuner
also makes small repairs), are different services. "Hire" is left out: people hire a
plumber as much as a van.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["ACTIONS", "actions", "other_action"]


def _pattern(words: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.I)


ACTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "repairs",
        _pattern(
            r"repair(?:s|ing|ed)?|fix(?:es|ing)?|mend(?:s|ing)?|reparations?|"
            r"\w*reparatur(?:en)?|reparacion(?:es)?|riparazion[ei]|reparaties?|reparacao"
        ),
    ),
    (
        "installs",
        _pattern(
            r"install(?:s|ed|ing|ation|ations|er|ers)?|replac(?:e|es|ed|ing|ement|ements)|"
            r"fitted|fitting|fitter|fitters|installateur|einbau|instalacion|"
            r"installazione|remplacement|remplacer|vervangen|substituicao"
        ),
    ),
    (
        "cleans",
        _pattern(
            r"clean(?:s|ed|ing|er|ers)?|wash(?:es|ed|ing)?(?![\s-]+(?:machines?|basins?))|valeting|nettoyage|"
            r"menage|\w*reinigung|putzen|limpieza|pulizi[ae]|schoonmaak\w*|limpeza"
        ),
    ),
    (
        "moves",
        # "move in on 1 May" is a tenant's date, not a removal
        _pattern(
            r"mov(?:ers?)|mov(?:e|es|ed|ing)(?![\s-]+in\b)|removals|relocat(?:e|es|ed|ing|ion)|"
            r"demenag\w*|umzug\w*|mudanzas?|trasloc\w*|verhuiz\w*|mudancas?"
        ),
    ),
    (
        "tunes",
        # "fine-tuning" a model is what GPU hours are for, not a tuner's work
        _pattern(
            r"(?<!fine[-\s])tun(?:e|es|ed|ing|er|ers)|accord(?:er|eur|euse|age)s?|accord\s+d[eu]|"
            r"\w+stimmung|\w*stimmer|afinacion|afinar|accordatura|accordare"
        ),
    ),
    (
        "prints",
        _pattern(r"print(?:s|ed|ing)?|\w*druck(?:en|erei)?|imprimer\w*|imprenta|stampa"),
    ),
    (
        "photographs",
        _pattern(
            r"photograph(?:s|er|ers|y|ing)?|photo\s*shoots?|headshots?|fotograf\w*|"
            r"photographe"
        ),
    ),
    ("rents out", _pattern(r"rent(?:s|al|als|ing|ed)?|leas(?:e|es|ing)")),
    # a trainer, not "training": "GPU-hours for a training run" names a purpose
    ("trains", _pattern(r"trainers?|behaviou?r(?:al)?|obedience")),
    ("grooms", _pattern(r"groom(?:s|ing|ers?)?")),
)

#: Actions one trade does together: whoever repairs a thing also replaces its parts
#: ("boiler repair" for "replace the boiler's pump"), a tuner makes the small repairs, a
#: van rented is for moving ("renting a Transit" for "a van to move my stuff").
RELATED: frozenset[frozenset[str]] = frozenset(
    {
        frozenset({"repairs", "installs"}),
        frozenset({"repairs", "tunes"}),
        frozenset({"rents out", "moves"}),
    }
)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=16_384)
def actions(phrase: str) -> frozenset[str]:
    """The actions a service phrase names."""
    folded = _folded(phrase)
    return frozenset(name for name, pattern in ACTIONS if pattern.search(folded))


def other_action(offered: str, sought: str) -> str | None:
    """A refusal when both service phrases name what is done and nothing in common (nor
    related): the same object under another service verb."""
    mine, theirs = actions(offered), actions(sought)
    if not mine or not theirs or mine & theirs:
        return None
    if any(frozenset({a, b}) in RELATED for a in mine for b in theirs):
        return None
    return (
        f"different services: the offer {' and '.join(sorted(mine))} ('{offered}'), the seek "
        f"wants what {' and '.join(sorted(theirs))} ('{sought}')"
    )
