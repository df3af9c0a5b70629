"""A minimum age an offer sets ("Driver must be 23+", "Drivers aged 25 or over") against
the age a seek states of the one person it is for ("I'm 31", "I am 31 years old").

Narrow on purpose: the offer's clause must say nothing but the age (another condition in
it, "23+ with 2 years' licence", is left unread), and the seek must state one age, of
itself, and name no other driver or person the age would have to hold for. Anything else
is "no", so the negotiator keeps declining with "cannot check". Pure and linear.
"""

from __future__ import annotations

import re

__all__ = ["age_met", "minimum_age", "seek_age"]

#: The whole clause: who, then the least age ("must be 23+", "aged 25 or over",
#: "minimum age 21", "min. age: 21", "must be over 21").
_MIN_AGE = re.compile(
    r"\s*(?:(?:the\s+|all\s+|each\s+)?(?:drivers?|renters?|hirers?|guests?|riders?|"
    r"participants?|tenants?)\s+)?"
    r"(?:must\s+be\s+(?:at\s+least\s+|aged\s+|over\s+)?|aged\s+|minimum\s+age(?:\s+of)?\s*:?\s*|"
    r"min\.?\s+age\s*:?\s*|age\s*:?\s*)"
    r"(?P<n>\d{2})\s*(?P<plus>\+|or\s+(?:over|older|above)|and\s+(?:over|older|above)|"
    r"years?(?:\s+old)?\s+(?:or|and)\s+(?:over|older|above)|(?:years?(?:\s+old)?)?)\s*[.!]?\s*",
    re.I,
)
#: The seek's own age: "I'm 31", "I am 31 years old", "I'm a 31-year-old", "age 31".
_OWN_AGE = re.compile(
    r"\b(?:I'?m|I\u2019m|I\s+am)\s+(?:a\s+)?(?P<a>\d{2})(?:[\s-]*(?:years?|yrs?)(?:[\s-]*old)?)?"
    r"(?=\s*(?:[.,;!)]|$|and\b|with\b|\(|-?\s*year))",
    re.I,
)
#: Any age in the seek ("my son is 19", "a 22-year-old", "aged 20"), and people besides
#: the writer who might drive or come.
_ANY_AGE = re.compile(r"\b\d{1,2}[\s-]*(?:years?|yrs?)[\s-]*old\b|\baged?\s+\d{1,2}\b", re.I)
_OTHERS = re.compile(
    r"\b(?:second|other|another|additional|extra|two|both|all)\s+drivers?\b|\bdrivers\b|"
    r"\b(?:my|our)\s+(?:son|daughter|partner|wife|husband|friend|kids?|children|brother|"
    r"sister|boyfriend|girlfriend)\b|\bwe\b|\bus\b",
    re.I,
)


def minimum_age(clause: str) -> int | None:
    """The least age a clause that states only that sets, or None ("Driver must be 23+"
    is 23; "must be 23+ with a clean licence" is None)."""
    match = _MIN_AGE.fullmatch(clause)
    if match is None:
        return None
    if not match.group("plus") and not re.search(r"\b(?:must|min(?:imum)?)\b", clause, re.I):
        return None  # "age 21" alone may be an exact age
    age = int(match.group("n"))
    return age if 14 <= age <= 99 else None


def seek_age(seek: str) -> int | None:
    """The one age a seek states of its writer, or None (no age, several, or other people
    named whom the offer's age may have to hold for)."""
    own = {int(m.group("a")) for m in _OWN_AGE.finditer(seek)}
    if len(own) != 1 or _OTHERS.search(seek):
        return None
    age = own.pop()
    others = [m.group(0) for m in _ANY_AGE.finditer(seek)]
    if any(int(re.search(r"\d+", o).group(0)) != age for o in others):  # type: ignore[union-attr]
        return None
    return age


def age_met(clause: str, seek: str) -> bool:
    """Whether an offer's clause setting a minimum age is met by the age the seek states."""
    least = minimum_age(clause)
    if least is None:
        return False
    age = seek_age(seek)
    return age is not None and age >= least
