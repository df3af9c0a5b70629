"""Discounts an offer gives for a count of what it prices, applied to a counted total.

People write a volume discount in many word orders: "20% off orders of 5 or more items",
"blocks of 10 hours get 10% off", "3+ days: 20% off", "10+ vehicles in one visit: 15%
off", "save 15% on 4 or more sessions". The total the reader made is a rate times the
seek's count; when the offer states exactly one such discount, its count is of the same
thing (or of "items", "pieces" in general) and the seek's count reaches it, the total is
the discounted one.

Precision first: a discount is read only from a sentence with one percentage that is
"off", "discount" or "save", one count that is a threshold ("N+", "N or more", "at least
N", "from N", "over N", "blocks of N"), and no condition other than the count (students,
first orders, codes, weekdays ... are never assumed met). The offer must write no other
percentage at all. Anything else leaves the total as it was: the higher price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mediator_actors.negotiation.heads import same_unit
from mediator_actors.negotiation.reader import TIME_DAYS, canonical_unit

__all__ = ["CountDiscount", "count_discount", "discounted_count", "yearly_discount"]


@dataclass(frozen=True)
class CountDiscount:
    """A share off for a count of ``unit``: at least ``least`` (``strict``: more than
    it), or whole ``blocks`` of that many."""

    share: float
    least: float
    unit: str
    strict: bool
    blocks: bool
    text: str

    def applies(self, count: float) -> bool:
        """Whether ``count`` things earn the discount."""
        if self.blocks:
            whole = round(count / self.least)
            return whole >= 1 and abs(whole * self.least - count) < 1e-9
        return count > self.least + 1e-9 if self.strict else count >= self.least - 1e-9


#: Clauses: a full stop or comma ends one only when not between digits ("€1.500", "1,200");
#: a colon does not ("3+ days: 20% off").
_CLAUSE = re.compile(r"(?:[^.,;!?\n]|(?<=\d)[.,](?=\d))+")
#: A discount's word in Italian, German, Dutch, Spanish, French and Portuguese.
_OFF_WORD = r"(?:sconto|rabatt|korting|descuento|remise|r[ée]duction|desconto)"
#: The word before its share: "Sconto 10%", "Rabatt von 15 %", "korting van 10%",
#: "descuento del 20%", "remise de 5 %" (the share after the word: "10% di sconto").
SHARE_OFF = re.compile(
    rf"\b{_OFF_WORD}\s+(?:(?:del|de|di|van|von|do|da)\s+)?(?P<r>\d{{1,2}}(?:[.,]\d+)?)\s*%"
    rf"|(?P<s>\d{{1,2}}(?:[.,]\d+)?)\s*%\s*(?:(?:di|de)\s+)?{_OFF_WORD}\b",
    re.I,
)
_PERCENT_OFF = re.compile(
    r"(?P<p>\d{1,2}(?:[.,]\d+)?)\s*(?:%|percent)\s*(?:off|discount|de\s+descuento|de\s+remise)\b"
    r"|\bsave\s+(?P<q>\d{1,2}(?:[.,]\d+)?)\s*(?:%|percent)"
    rf"|{SHARE_OFF.pattern}",
    re.I,
)
_UNIT = r"(?P<u>[^\W\d_][\w-]*)"
#: The threshold's count, by how it compares: "N+ days", "N or more items", "from N cases".
_THRESHOLDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b(?:blocks?|bundles?|packs?)\s+of\s+(?P<n>\d+)\s+{_UNIT}", re.I), "blocks"),
    (re.compile(rf"\b(?P<n>\d+)\s*\+\s*{_UNIT}", re.I), "least"),
    (re.compile(rf"\b(?P<n>\d+)\s+(?:or|and)\s+(?:more|over|above|up)\s+{_UNIT}", re.I), "least"),
    (re.compile(rf"\b(?P<n>\d+)\s+{_UNIT}\s+or\s+more\b", re.I), "least"),
    (
        re.compile(
            rf"\b(?:from|at\s+least|min(?:imum)?\.?(?:\s+of)?|a\s+partir\s+de|à\s+partir\s+de|dès)"
            rf"\s+(?P<n>\d+)\s+{_UNIT}",
            re.I,
        ),
        "least",
    ),
    (re.compile(rf"\b(?:over|more\s+than|above)\s+(?P<n>\d+)\s+{_UNIT}", re.I), "strict"),
    # "da 3 giorni in su", "ab 3 Tagen", "vanaf 3 dagen", "3 giorni o più", "5 Tage oder
    # mehr", "4 dagen of meer", "3 jours ou plus", "3 días o más": a bare "da 3 giorni"
    # is also "of 3 days", so Italian needs its "in su"
    (re.compile(rf"\bda\s+(?P<n>\d+)\s+{_UNIT}\s+in\s+su\b", re.I), "least"),
    (re.compile(rf"\b(?:ab|vanaf)\s+(?P<n>\d+)\s+{_UNIT}", re.I), "least"),
    (
        re.compile(
            rf"\b(?P<n>\d+)\s+{_UNIT}\s+(?:o\s+pi[uù]|oder\s+mehr|of\s+meer|ou\s+plus|o\s+m[aá]s|ou\s+mais)\b",
            re.I,
        ),
        "least",
    ),
)
#: Any count at all in the sentence: a second one makes the threshold unclear.
_ANY_COUNT = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)?(?![\d.,])")
#: Conditions besides the count that a seek is never assumed to meet.
_OTHER_CONDITION = re.compile(
    r"\b(?:students?|members?|membership|seniors?|pensioners?|nhs|military|veterans?|"
    r"charit(?:y|ies)|non-?profits?|first|new\s+(?:customers?|clients?)|returning|loyal\w*|"
    r"repeat|codes?|coupons?|vouchers?|referr\w*|refer|off-?peak|weekdays?|weekends?|"
    r"mornings?|early|last[- ]minute|before|after|until|till|cash|upfront|up\s+front|prepa\w*|"
    r"annual\w*|yearly|monthly|subscri\w*|if|when|only|selected|some|up\s+to|"
    # the same conditions in other languages ("sconto studenti", "Rabatt für Neukunden")
    r"student\w*|[ée]tudiants?|estudiantes?|soci|mitglied\w*|leden|neukunden|nieuwe|nuovi|"
    r"nouveaux|nuevos|primer\w*|prim[ao]|erste\w*|eerste|premi[eè]re?|codice|gutschein\w*|"
    r"feriali|werktags?|doordeweeks|wochenend\w*|fine\s+settimana|semaine|solo|nur|alleen|"
    r"seulement|s[oó]lo|se|wenn|als|si|quando|cuando)\b",
    re.I,
)
#: Count words that stand for any thing the offer prices ("orders of 5 or more items").
_GENERIC = frozenset({"item", "piece", "unit", "article", "thing", "garment"})
#: Count words for any vehicle ("10+ vehicles" covers cars and vans).
_VEHICLES = frozenset({"car", "van", "truck", "lorry", "suv", "bike", "motorbike", "vehicle"})


def count_discount(offer_text: str) -> CountDiscount | None:
    """The offer's one discount for a count, or None (no discount, several, a second
    percentage anywhere, or a condition besides the count)."""
    if offer_text.count("%") + len(re.findall(r"\bpercent\b", offer_text, re.I)) != 1:
        return None
    found: list[CountDiscount] = []
    for sentence in _CLAUSE.finditer(offer_text):
        text = sentence.group(0)
        offs = list(_PERCENT_OFF.finditer(text))
        if not offs:
            continue
        if len(offs) != 1 or _OTHER_CONDITION.search(text):
            return None
        off = offs[0]
        raw = off.group("p") or off.group("q") or off.group("r") or off.group("s")
        share = float(raw.replace(",", ".")) / 100
        rest = text[: off.start()] + " " * (off.end() - off.start()) + text[off.end() :]
        counts = _ANY_COUNT.findall(rest)
        hits = [(m, how) for pattern, how in _THRESHOLDS for m in pattern.finditer(rest)]
        if len(counts) != 1 or len({m.start("n") for m, _ in hits}) != 1:
            return None
        m, how = hits[0]
        if any(h != how for _, h in hits):
            return None
        found.append(
            CountDiscount(
                share=share,
                least=float(m.group("n")),
                unit=m.group("u"),
                strict=how == "strict",
                blocks=how == "blocks",
                text=text.strip(),
            )
        )
    if len(found) != 1 or not 0 < found[0].share < 1:
        return None
    return found[0]


def _counts(discount_unit: str, unit: str) -> bool:
    """Whether a discount's count word counts the basis's ``unit``."""
    if same_unit(discount_unit, unit):
        return True
    key = canonical_unit(discount_unit)
    if unit in TIME_DAYS:
        return False  # "5 or more items" never counts hours
    if key in _GENERIC:
        return True
    return key == "vehicle" and canonical_unit(unit) in _VEHICLES


def discounted_count(offer_text: str, unit: str, count: float) -> CountDiscount | None:
    """The offer's discount that ``count`` of ``unit`` earns, or None."""
    discount = count_discount(offer_text)
    if discount is None or not _counts(discount.unit, unit) or not discount.applies(count):
        return None
    return discount


#: "Pay yearly upfront and save 10%", "15% off annual billing", "annual plan: 20% off".
_YEARLY_OFF = re.compile(
    r"\b(?:pay(?:ing)?\s+(?:yearly|annually|for\s+a\s+year|for\s+the\s+year)(?:\s+(?:upfront|up\s+front|in\s+advance))?"
    r"\s+(?:and\s+)?(?:save|get)\s+(?P<p>\d{1,2}(?:[.,]\d+)?)\s*%"
    r"|(?P<q>\d{1,2}(?:[.,]\d+)?)\s*%\s*(?:off|discount)\s+(?:for\s+|on\s+|with\s+)?"
    r"(?:annual|yearly)\s+(?:billing|payment|prepayment|plans?|contracts?|upfront))",
    re.I,
)
#: The seek pays a year at once: "paying upfront is fine", "we pay annually".
_PAYS_YEARLY = re.compile(
    r"\b(?:upfront|up[- ]front|in\s+advance|prepay\w*|pay(?:ing)?\s+(?:yearly|annually)|"
    r"annual\s+(?:billing|payment))\b",
    re.I,
)
_NEGATION = re.compile(r"\b(?:no|not|never|cannot|can't|won't|n't|without|only\s+after)\b", re.I)


def yearly_discount(offer_text: str, seek_text: str) -> tuple[float, str, str] | None:
    """The offer's one discount for paying a year at once and the seek's clause that
    accepts paying so: the share off, the offer's words, the seek's; None unless the
    offer writes exactly one percentage, it is that discount, and the seek's clause says
    it pays upfront or yearly with no negation."""
    if offer_text.count("%") != 1:
        return None
    found = list(_YEARLY_OFF.finditer(offer_text))
    if len(found) != 1:
        return None
    m = found[0]
    share = float((m.group("p") or m.group("q")).replace(",", ".")) / 100
    accepts = [
        c.group(0).strip()
        for c in _CLAUSE.finditer(seek_text)
        if _PAYS_YEARLY.search(c.group(0)) and not _NEGATION.search(c.group(0))
    ]
    if len(accepts) != 1 or not 0 < share < 1:
        return None
    return share, m.group(0), accepts[0]
