"""Kinds of things an exclusion names by their class: "Strictly no alcohol" excludes the
"wine & beer" a seek plans to serve, "animaux non admis" the labrador a family brings,
"no pets" a dog. The reader keeps an exclusion as the stems it writes ("alcohol",
"animaux"); without this table a seek naming a member of the class and not the class
passed as if nothing were excluded (issue 16, dev_h17/h18).

One way only: a class covers its members ("no alcohol" against "wine"), a member never
its class or its siblings ("no red wine" says nothing of beer). General vocabulary in the
languages posts come in, looked up on :func:`reader.rough_stem` of the accent-folded
word; no word of it names a pair.
"""

from __future__ import annotations

import functools
import unicodedata

from mediator_actors.negotiation.reader import rough_stem

__all__ = ["covered_by", "names_a_class"]

_DOGS = (
    # a word that is also an English word of another meaning ("boxer", "pointer",
    # "cane", "chat") is left out: "happy to chat" brings no cat
    "dog puppy hound labrador retriever spaniel terrier poodle collie beagle "
    "dachshund husky bulldog chihuahua rottweiler doberman greyhound whippet "
    "schnauzer corgi sheepdog lurcher mastiff malinois "
    "hund hunde hond honden chien chiens perro perros cachorro"
)
_CATS = "cat kitten gato gatos katze katzen katten gatto gatti"
_PETS = (
    f"{_DOGS} {_CATS} pet rabbit hamster ferret parrot budgie tortoise "
    "mascota mascotas haustier haustiere huisdier huisdieren"
)
_ALCOHOL = (
    "alcohol alcoholic booze liquor wine beer champagne prosecco cava cider "
    "vodka whisky whiskey gin rum tequila brandy cognac cocktail sangria ale lager "
    "vino wein wijn bier biere cerveza birra alcool alkohol"
)
_SMOKING = (
    "smok smoker smoking vap vape vaping cigarette cigar fumeur fumeurs fumer raucher rauchen"
)

#: Each class, by the words that name it, and the words of its members.
_CLASSES: tuple[tuple[str, str], ...] = (
    ("animal animals animaux animale animali tier tiere dier dieren pet pets "
     "mascota mascotas haustier haustiere huisdier huisdieren", _PETS),
    ("dog dogs hund hunde hond honden chien chiens perro perros cane cani", _DOGS),
    ("cat cats katze katzen chat chats gato gatos gatto gatti", _CATS),
    ("alcohol alcoholic booze liquor alcool alkohol alcol", _ALCOHOL),
    ("smok smoker smoking fumeur fumeurs fumer raucher rauchen", _SMOKING),
)  # fmt: skip


def _fold(word: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return rough_stem(plain.lower())


@functools.cache
def _table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for names, members in _CLASSES:
        folded = {_fold(w) for w in members.split()}
        for name in names.split():
            table.setdefault(_fold(name), set()).update(folded | {_fold(name)})
    return {k: frozenset(v) for k, v in table.items()}


def covered_by(stem: str) -> frozenset[str]:
    """The stems ``stem`` covers when it is excluded: itself, and every member of the
    class it names ("alcohol" -> "wine", "beer", ...); just itself for any other word."""
    key = _fold(stem)
    return _table().get(key, frozenset()) | {stem, key}


def names_a_class(word: str) -> bool:
    """Whether ``word`` names a class of things this table knows the members of."""
    return _fold(word) in _table()
