"""Charges on top that the seek's own words rule out.

An offer's price on top in some cases is due only in those cases: "If you want us to move
furniture it's £40 extra" is not due when the seek says "We will move the furniture
ourselves"; a driver's overnight charge ("Fahrerübernachtung +€90", "driver overnight
allowance €120") is not due on a trip "there and back the same day". Such a charge is
left out of the total, and the note says why.

Precision first: only a charge marked as on top in some cases (``Money.extra``) and
without a rate is waived; the seek's sentence must name every content word of the
charge and say the seek does it itself, or the words right after its "no" must name them
all ("no state return"), or the trip must be stated as one day.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mediator_actors.negotiation.reader import Facts, Money, rough_stem

__all__ = ["minimum_charges", "waived_charges"]

_SENTENCE = re.compile(r"(?:[^.;!?\n]|(?<=\d)[.,](?=\d))+")
#: The seek does the work itself ("We will move the furniture ourselves", "I'll clear it").
_SELF = re.compile(
    r"\b(?:ourselves|myself|ourself|(?:we|i)(?:'ll|\s+will|\s+can|\s+are\s+going\s+to|'re\s+going\s+to)"
    r"\s+(?:do|handle|take\s+care\s+of|move|clear|empty|remove|bring|supply|provide))\b",
    re.I,
)
#: A charge for the crew's night away, in the languages of the offers (never "overnight
#: delivery", a speed of service).
_OVERNIGHT = re.compile(
    r"übernachtung|nuitée|pernoctación|driver(?:'s)?\s+overnight|overnight\s+(?:stay|allowance|"
    r"accommodation|lodging)|night\s+out",
    re.I,
)
#: A trip stated as one day ("and back same day", "day trip", "no overnight stay").
_ONE_DAY = re.compile(r"\b(?:(?:the\s+)?same[- ]day|day[- ]trip|no\s+overnight)\b", re.I)
#: Stems that name nothing the seek could do ("if you want us to ... it's extra").
_EMPTY = frozenset(
    {"if", "you", "want", "us", "it", "extra", "plu", "addit", "additional", "charg", "fee"}
    | {"the", "and", "for", "with", "per", "each", "our", "cost", "price", "pric", "then"}
)


#: A thing the seek says it does not want: "no state return", "without the frame".
_NONE_OF = re.compile(r"\b(?:no|without)\s+((?:[^\W\d_][\w'-]*\s*){1,4})", re.I)


def _clause_of(text: str, start: int) -> str:
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < m.end():
            return m.group(0)
    return ""


def _waiver(m: Money, offer_text: str, seek_text: str) -> str | None:
    """The seek's sentence that rules out the charge ``m``, or None."""
    if _OVERNIGHT.search(_clause_of(offer_text, m.span.start)):
        one_day = _ONE_DAY.search(seek_text)
        return None if one_day is None else _clause_of(seek_text, one_day.start()).strip()
    own = {w for w in m.context if len(w) > 2} - _EMPTY
    if not own:
        return None
    for said in _NONE_OF.finditer(seek_text):
        # "no state return" against "State return +$120 if needed": the words right
        # after "no" name every word of the charge
        if own <= {rough_stem(w) for w in re.findall(r"[^\W\d_]+", said.group(1))}:
            return said.group(0).strip()
    for sentence in _SENTENCE.finditer(seek_text):
        text = sentence.group(0)
        if not _SELF.search(text) or re.search(r"\b(?:not|n't|never|no)\b", text, re.I):
            continue
        stems = {rough_stem(w) for w in re.findall(r"[^\W\d_]+", text)}
        if own <= stems:
            return text.strip()
    return None


def waived_charges(o: Facts, offer_text: str, seek_text: str) -> tuple[Facts, list[str]]:
    """``o`` without each charge on top the seek rules out, and a note for each."""
    kept: list[Money] = []
    notes: list[str] = []
    for m in o.money:
        if m.extra and m.per is None and m.low == m.high:
            waiver = _waiver(m, offer_text, seek_text)
            if waiver is not None:
                notes.append(f"the offer's '{m.span.text}' is not due: the seek states '{waiver}'")
                continue
        kept.append(m)
    if not notes:
        return o, []
    return replace(o, money=tuple(kept)), notes


#: "Minimum job £600", "mind. €600 pro Tag", "min. charge: 60 EUR": a price written as the least paid.
_MINIMUM_BEFORE = re.compile(
    r"\b(?:minimum|min\.?|mind\.?|mindestens|mínimo|minimo)\s*"
    r"(?:job|charge|order|fee|booking|price|call-?out|spend)?\s*(?:of|:)?\s*$",
    re.I,
)


def minimum_charges(o: Facts, offer_text: str, seek_text: str) -> Facts:
    """``o`` with each flat price written right after "minimum" read as the least the
    offer charges, as "min. charge 60 EUR" is; one per day ("mind. €600 pro Tag") only
    where the seek's trip is one day."""
    money = []
    changed = False
    one_day = _ONE_DAY.search(seek_text) is not None
    for m in o.money:
        before = offer_text[max(0, m.span.start - 24) : m.span.start]
        if (
            m.bound == "about"
            and not m.extra
            and not m.fee
            and m.low == m.high
            and m.per2 is None
            and (m.per is None or (m.per == "day" and one_day))
            and _MINIMUM_BEFORE.search(before)
        ):
            money.append(replace(m, bound="at_least", per=None, alternative=False))
            changed = True
            continue
        money.append(m)
    return replace(o, money=tuple(money)) if changed else o
