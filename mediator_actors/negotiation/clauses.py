"""Unread clauses the other side of a pair meets in ways the echo in ``unread`` misses
(issue 16, session 11: recall without losing precision).

Each function answers one narrow question about one unread clause (an
:class:`~mediator_actors.negotiation.unread.Unread`) and the other side's text, and says
"no" whenever it is unsure, so the negotiator keeps declining with "cannot check":

- :func:`held_date`: a seek's clause that only names a day ("arriving 10 April", "Our
  wedding is 12 September") is the day the seek needs the offer by; it is held as the
  seek's deadline, so the offer's own times are checked against it, when the offer names
  no day, month, weekday or season it could be unavailable on.
- :func:`payment_accepted`: an offer's payment term ("50% upfront", "30% deposit on
  booking", "Payment 30 days from invoice", "Pay by card") the seek accepts in its own
  words ("Deposit is fine", "Anzahlung ist für uns ok", "Net 30 ok", "Card payment ok").
- :func:`trivial_minimum`: "Min. 1 GPU": a minimum of one of a counted thing, which any
  order meets.
- :func:`areas_listed`: every place an area clause lists ("Round covers Reading and
  Wokingham"), not only the first.

Pure functions of the texts; linear in them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # unread and reader import this module
    from mediator_actors.negotiation.reader import Money, Quantity
    from mediator_actors.negotiation.unread import Unread

__all__ = [
    "areas_listed",
    "counted_apart",
    "given_or_personal",
    "held_date",
    "held_within",
    "offer_names_days",
    "payment_accepted",
    "rival_rates",
    "trivial_minimum",
    "unread_amount",
]

_MONTH_NUMBER = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NUMBER.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_NUMBER["sept"] = 9
_MONTH = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
#: "10 April", "12 Sept", "8-11 Oct", "from 10 to 15 May" (the first day), "April 10th", "the 4th of July".
_DAY_MONTH = re.compile(
    rf"\b(?P<d1>\d{{1,2}}){_ORD}(?:\s*(?:[-\u2013/]|to|and|till)\s*\d{{1,2}}{_ORD})?\s+(?:of\s+)?(?P<m1>{_MONTH})\b\.?"
    rf"|\b(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}}){_ORD}(?![\d:.,])",
    re.I,
)
#: A seek's day that is not the day it needs the offer by, or not one day: a window it
#: cannot do ("not on 12 May", "except"), a day it is flexible about, a recurring day.
_NOT_A_NEED = re.compile(
    r"\b(?:not|no|except|excluding|never|flexible|or\s+later|any\s+time|anytime|every|each|"
    r"weekly|monthly|until|till|after|onwards?)\b",
    re.I,
)
#: Words by which an offer says when it can or cannot work: with any of them the seek's
#: day needs reading against the offer's, not holding as a deadline.
_OFFER_DAYS = re.compile(
    rf"\b(?:{_MONTH}|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?|weekdays?|weekends?|"
    r"summer|winter|spring|autumn|fall|season|seasonal|holidays?|christmas|easter|"
    # (a time of day is no day: "Access 6:00-22:00", "evening classes" bar no date)
    r"available|availability|booked|closed|open|until|till|from|between|today|tomorrow)\b",
    re.I,
)


_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_BEFORE = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*(?:the\s+)?$", re.I)


def _resolve(month: int, day: int, reference: dt.date) -> dt.date | None:
    """``day`` of ``month`` on or after ``reference`` (the seek's own timestamp)."""
    for year in (reference.year, reference.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            return None
        if candidate >= reference:
            return candidate
    return None


def _dates(text: str, reference: dt.date) -> list[dt.date] | None:
    found = []
    for match in _DAY_MONTH.finditer(text):
        month = _MONTH_NUMBER[(match.group("m1") or match.group("m2")).lower().rstrip(".")]
        day = _resolve(month, int(match.group("d1") or match.group("d2")), reference)
        if day is None:
            return None
        found.append(day)
    return found


def offer_names_days(offer: str) -> bool:
    """Whether an offer's text names any day, month, weekday, season, hour or
    availability word, against which a seek's day needs reading."""
    return _OFFER_DAYS.search(offer) is not None


def held_date(unread: Unread, offer: str, reference: dt.date | None) -> dt.date | None:
    """The earliest day a seek's unread clause names, to hold as the seek's deadline,
    when every unread marker in it is one such day and the offer names no day it could
    be unavailable on (:func:`offer_names_days`); None otherwise."""
    if reference is None or not unread.marks or offer_names_days(offer):
        return None
    if any(kind != "date" for kind, *_ in unread.marks):
        return None
    if _NOT_A_NEED.search(unread.clause):
        return None
    days: list[dt.date] = []
    for _, head, mark, _tail in unread.marks:
        # the marker and the range opener before it ("8-11 Oct": "8-" sits in the head)
        own = _dates(head[-16:] + mark, reference)
        if not own:
            return None
        named = _WEEKDAY_BEFORE.search(head[-12:])
        if named and own[-1].weekday() != _WEEKDAY_NAMES.index(named.group(1).lower()[:3]):
            return None  # "Sat 4 July" on a Friday: the year or the day is not the one read
        days += own
    return min(days) if days else None


#: "within 5 days of this post", "within two weeks from today": a time from now.
_WITHIN_HEAD = re.compile(r"\b(?:within|in\s+the\s+next)\s*$", re.I)
_FROM_NOW = re.compile(
    r"^\s*(?:of\s+(?:this|my|our|the)\s+(?:post|posting|message|ad)|from\s+(?:now|today|"
    r"this\s+post|posting))?\s*$",
    re.I,
)


def held_within(unread: Unread, days: float | None) -> float | None:
    """The days a seek's unread clause gives the offer from now ("Deadline: within 5
    days of this post"), when its only unread marker is that time (``days``, from
    :func:`~mediator_actors.negotiation.unread.lead_days`) right after "within" and
    before nothing but "of this post" or "from now"; None otherwise."""
    if days is None or len(unread.marks) != 1:
        return None
    _, head, _, tail = unread.marks[0]
    if _WITHIN_HEAD.search(head) is None or _FROM_NOW.match(tail) is None:
        return None
    return days


# --- payment ---------------------------------------------------------------------------

#: How an offer asks to be paid, by kind: each kind the seek must accept in its own words.
_PAY_KINDS: dict[str, re.Pattern[str]] = {
    "advance": re.compile(
        r"\b(?:up\s*front|in\s+advance|advance|deposit|prepa(?:id|y\w*)|anzahlung|vorkasse|"
        r"acompte|arras|se[ñn]al|anticipo|aanbetaling|vooruitbetaling)\b|\d\s?%\s*(?:on|at)\s+booking",
        re.I,
    ),
    "invoice": re.compile(
        r"\b(?:invoic\w*|net\s*\d+|\d+\s+days\s+(?:from|after|of)\s+(?:the\s+)?invoice|rechnung|"
        r"factur\w*|billed\s+after)\b",
        re.I,
    ),
    "card": re.compile(r"\b(?:card|credit\s+card|debit\s+card|karte|tarjeta|carte)\b", re.I),
    "transfer": re.compile(
        r"\b(?:bank\s+transfer|wire|transfer|sepa|[üu]berweisung|virement|transferencia)\b", re.I
    ),
    "cash": re.compile(r"\b(?:cash|bar|efectivo|esp[eè]ces|contant)\b", re.I),
}
#: A sentence that accepts what it names ("Deposit is fine", "Net 30 ok", "Anzahlung ist
#: für uns ok", "happy to pay upfront", "card payment accepted").
_ACCEPTS = re.compile(
    r"\b(?:ok|okay|fine|acceptable|accepted|no\s+problem|works\s+for\s+(?:me|us)|"
    r"happy\s+to|can\s+pay|will\s+pay|we\s+pay|i\s+pay|in\s+ordnung|passt|d'accord|vale)\b",
    re.I,
)
_REFUSES = re.compile(
    r"\b(?:no|not|never|don't|do\s+not|won't|cannot|can't|nicht|kein\w*|pas|sin)\b", re.I
)
#: Payment words the offer clause may hold besides its kinds ("Payment: 30% deposit on
#: booking, balance on collection"): anything else in the clause is read as a term.
_PAY_CLAUSE = re.compile(
    r"^[\s\W]*(?:payment|pay(?:able)?|terms?)?\W*(?:(?:by|in|via|with|is|due)\s+)?", re.I
)


def _kinds(text: str) -> set[str]:
    return {kind for kind, pattern in _PAY_KINDS.items() if pattern.search(text)}


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"[.;!?\n]+(?:\s|$)", text) if part.strip()]


def payment_accepted(unread: Unread, seek: str) -> bool:
    """Whether an offer's unread payment clause is one the seek accepts: every kind of
    payment the clause asks for (advance, invoice, card, transfer, cash) the seek names
    in a sentence that accepts it and refuses nothing, and every unread marker in the
    clause is a payment word or a share of money. A clause with "only" or naming no kind
    is never accepted here."""
    if not unread.marks or any(kind not in ("payment", "amount") for kind, *_ in unread.marks):
        return False
    if any(kind == "amount" and "%" not in mark for kind, _, mark, _ in unread.marks):
        return False
    clause = unread.clause
    if re.search(r"\bonly\b", clause, re.I):
        return False
    asked = _kinds(clause)
    if not asked:
        return False
    accepting = [s for s in _sentences(seek) if _ACCEPTS.search(s) and not _REFUSES.search(s)]
    # "card or wire": either way the seek accepts is one the offer takes
    either = re.search(r"\bor\b", clause, re.I) is not None
    if either:
        return any(asked & _kinds(s) for s in accepting)
    return all(any(kind in _kinds(s) for s in accepting) for kind in asked)


# --- minimums and areas ------------------------------------------------------------------

_ONE = re.compile(r"^\W*(?:order\W*|of\W*)?(?:1|one)\s+(?P<unit>[a-z][\w-]*)\s*$", re.I)
#: Units in which one is not the least a deal can be ("min. 1 hour", "minimum 1 week").
_MEASURED = frozenset(
    {"hour", "hours", "hr", "hrs", "h", "day", "days", "week", "weeks", "month", "months",
     "year", "years", "night", "nights", "minute", "minutes", "min", "kg", "km", "m", "m2",
     "m3", "l", "litre", "liter", "tonne", "ton", "t", "g", "mile", "miles", "ft", "sq"}
)  # fmt: skip


def trivial_minimum(unread: Unread) -> bool:
    """Whether an unread clause is only a minimum of one counted thing ("Min. 1 GPU",
    "minimum 1 unit"): any order is at least one. Not a minimum of one hour, day or
    kilogram (less than one of those can be asked for)."""
    if len(unread.marks) != 1:
        return False
    kind, head, mark, tail = unread.marks[0]
    if kind != "bound" or not re.fullmatch(r"min(?:imum)?\.?|at\s+least", mark.strip(), re.I):
        return False
    if re.search(r"\w", head):
        return False
    found = _ONE.match(tail)
    return found is not None and found.group("unit").lower() not in _MEASURED


_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*)")
_LIST_PLACE = re.compile(r"(?-i:[A-Z])[\w'-]+(?:\s+(?-i:[A-Z])[\w'-]+)*")


def areas_listed(mark: str, tail: str) -> list[str]:
    """The places an area clause lists after its verb: "covers Reading and Wokingham"
    is [Reading, Wokingham]; the list ends at the first word that is neither a place
    nor "and", "or", "&" or a comma."""
    words = mark.rsplit(maxsplit=1)
    text = (words[-1] if words else "") + tail
    places: list[str] = []
    first = _LIST_PLACE.search(text, 0, len(words[-1]) if words else 0)
    pos = first.start() if first else 0
    while True:
        found = _LIST_PLACE.match(text, pos)
        if found is None:
            break
        places.append(found.group(0))
        sep = _LIST_SEP.match(text, found.end())
        if sep is None:
            break
        pos = sep.end()
    return places


# --- exclusions ----------------------------------------------------------------------------

#: A priced amount in a sentence ("£40", "$95", "+30%").
_PRICED = re.compile(r"[$€£¥₹]\s?\d|\d\s?(?:[$€£¥₹]|eur|usd|gbp)\b|\+\s?\d+(?:[.,]\d+)?\s?%", re.I)
#: A cue that a priced item is an extra one takes or leaves ("+£40", "extra", "optional").
_EXTRA_CUE = re.compile(
    r"\+|\b(?:extra|add-?on|optional|on\s+request|surcharge|supplement|plus|if\s+(?:needed|wanted|required))\b",
    re.I,
)
#: Words that make an extra part of every deal ("all cleans include the roof").
_EVERY_DEAL = re.compile(
    r"\b(?:all|always|every|each\s+job|include[sd]?|incl\.?|mandatory|required|compulsory|"
    r"must|only|standard|applies|apply)\b",
    re.I,
)
_WORD = re.compile(r"[a-z][a-z'-]*", re.I)


def _names_all(stems: frozenset[str] | set[str], text: str) -> bool:
    words = [w.lower() for w in _WORD.findall(text)]
    return all(any(w.startswith(stem) for w in words) for stem in stems)


#: A clause that adds a price for something ("+€15 for a tremolo bridge", "+$20 per
#: extra pet"): the plus sign opens it.
_ADDED = re.compile(r"\s*\+\s?(?:[$€£¥₹]\s?\d|\d[\d.,]*\s?(?:[$€£¥₹]|eur|usd|gbp)\b)", re.I)


def _added_clause(stems: frozenset[str] | set[str], sentence: str) -> bool:
    """Whether the comma clause of ``sentence`` naming all ``stems`` is a later clause
    that opens with "+<price>" and prices nothing else ("..., +€15 for a Bigsby"): an
    add-on even in the sentence that names the service."""
    clauses = re.split(r"[,;]", sentence)
    for index, clause in enumerate(clauses):
        words = [w.lower() for w in _WORD.findall(clause)]
        if not all(any(w.startswith(stem) for w in words) for stem in stems):
            continue
        return (
            index > 0
            and _ADDED.match(clause) is not None
            and len(_PRICED.findall(clause)) == 1
            and not _EVERY_DEAL.search(clause)
        )
    return False


def optional_extra(
    stems: frozenset[str] | set[str], offer: str, seek: str = "", excluded: str = ""
) -> bool:
    """Whether everything a seek excludes ("no broadcast", "No conservatory", "no lock
    change") the offer names only as a priced extra the seek can leave out: every
    sentence of the offer naming all the excluded stems is past its opening sentence,
    holds its own price, is an extra by a cue ("+30%", "extra", "optional") or by being
    a short "<item> <price>" line ("Conservatory roof £40"), and says nothing that makes
    it part of every deal ("all", "included", "required"), and prices nothing else (one
    amount). The opening sentence names the service: an exclusion it hits is never
    passed over; nor one whose words the ``seek`` itself names outside the text of the
    exclusion (``excluded``) ("12 table centrepieces ... not a cent more": no exclusion at all)."""
    if not stems or _names_all(stems, seek.replace(excluded, " ") if excluded else seek):
        return False
    sentences = [part for part in re.split(r"(?<=[.!?;])\s+|\n+", offer) if part.strip()]
    hits = 0
    for index, sentence in enumerate(sentences):
        words = [w.lower() for w in _WORD.findall(sentence)]
        if not all(any(w.startswith(stem) for w in words) for stem in stems):
            continue
        hits += 1
        if _added_clause(stems, sentence):
            continue
        if index == 0 or len(_PRICED.findall(sentence)) != 1 or _EVERY_DEAL.search(sentence):
            return False
        if not (_EXTRA_CUE.search(sentence) or len(words) <= 4):
            return False
    return hits > 0


# --- times that are payment terms ----------------------------------------------------------

#: "14 days to pay", "30 days from invoice", "net 30 days", "payment within 14 days":
#: the time is how long the payer has, not how long the work takes.
_PAY_AFTER = re.compile(
    r"[ \t]{0,3}(?:(?:net|to\s+pay|for\s+payment|payment|after\s+invoic\w*|from\s+(?:the\s+)?"
    r"(?:date\s+of\s+)?invoic\w*|of\s+(?:the\s+)?invoic\w*|(?:from|after)\s+(?:the\s+)?"
    r"(?:bill|billing|statement)))\b",
    re.I,
)
_PAY_BEFORE = re.compile(
    r"\b(?:payment|pay(?:able)?|paid|net|invoices?\s+(?:are\s+)?due)(?:\s+(?:terms?|is|are|due))?"
    r"\W{0,3}(?:(?:within|in|after|of)\s+)?$",
    re.I,
)


def payment_time(text: str, start: int, end: int) -> bool:
    """Whether the time at ``text[start:end]`` is a payment term ("Invoice on delivery,
    14 days to pay", "Payment 30 days from invoice", "net 30 days"): the words right
    after or before it in its clause say who pays when."""
    before = re.split(r"[,;.!?\n()]", text[max(0, start - 30) : start])[-1]
    return _PAY_AFTER.match(text, end) is not None or _PAY_BEFORE.search(before) is not None


def rival_rates(
    money: Iterable[Money],
    unit: str | None,
    note: str,
    currency: str | None,
    *,
    sought: frozenset[str] = frozenset(),
    offer_text: str = "",
) -> tuple[str, ...]:
    """The offer's rates per ``unit`` (in ``currency``) when the total in ``note`` took
    one and another may add to it ("$4.75 per sq ft installed. Tear-off of old layer
    $0.90/sq ft" for a roof with an old layer to tear off): a rate left out that names
    nothing, or names what the seek names (``sought``: its rough stems), cannot be told
    from one on top. One that names only other things is a tier the seek did not pick
    ("£45/hr van + 1 man, £65/hr van + 2 men"), and so is one in the same sentence as the
    rate taken: tiers are listed together, add-ons stated apart. Empty when there is no
    such rival."""
    if not unit:
        return ()
    rates = [
        m
        for m in money
        if m.per == unit
        and m.currency in (None, currency)
        and not (m.fee or m.extra or m.alternative)
    ]
    taken = [m for m in rates if f"'{m.span.text}'" in note]
    rivals = [
        m
        for m in rates
        if m not in taken
        and (m.low, m.high) not in {(t.low, t.high) for t in taken}
        and (not m.context or m.context & sought or _names(m.context, sought))
        and (
            not any(_one_sentence(offer_text, m, t) for t in taken)
            or any(_both_named(t, m, sought) for t in taken)
        )
    ]
    if not taken or not rivals:
        return ()
    return tuple(m.span.text for m in [*taken, *rivals])


#: Context words that tell no item from another ("new heels", "full resole").
_PLAIN_CONTEXT = frozenset({"new", "ful", "full", "old", "extra", "each", "one", "per", "and"})


def _names(context: frozenset[str], sought: frozenset[str]) -> frozenset[str]:
    """The words of a rate's ``context`` the seek names, a stem inside another counting
    ("resole" for the seek's "soles")."""
    return frozenset(
        c
        for c in context - _PLAIN_CONTEXT
        if any(c == p or (len(p) >= 3 and len(c) > len(p) and p in c) for p in sought)
    )


def _both_named(taken: Money, rival: Money, sought: frozenset[str]) -> bool:
    """Whether the seek names what each of two rates listed together names, each by a
    word of its own ("full resole €45 per pair, new heels €18 per pair" against "new soles
    AND heels"): it wants both, so they may add up rather than be tiers to pick from."""
    mine = _names(taken.context, sought) - rival.context
    theirs = _names(rival.context, sought) - taken.context
    return bool(mine and theirs)


def _one_sentence(text: str, a: Money, b: Money) -> bool:
    """Whether two amounts of ``text`` stand in one sentence (no . ; ! ? or line between)."""
    low, high = sorted(
        (a.span.end, b.span.start) if a.span.start < b.span.start else (b.span.end, a.span.start)
    )
    return re.search(r"[.;!?\n](?:\s|$)", text[low:high]) is None


#: An offer's "Music licence included", "software licences included": a licence it gives
#: with the work for a named thing; never one that limits use ("personal use licence",
#: "non-commercial licence included" say what is not given).
_LICENCE_INCLUDED = re.compile(
    r"(?:[a-z]+\s+){0,2}?(?:(?P<w>[a-z-]+)\s+licen[cs]es?|"
    # "Full copyright transfer included", "commercial usage rights included": rights the
    # work comes with, given to whoever buys it
    r"copyright(?:\s+(?:transfer|assignment|ownership))?|(?:usage|commercial)\s+rights)"
    r"\s+(?:is\s+|are\s+)?(?:included|incl\.?)",
    re.I,
)
_LIMITING_USE = frozenset(
    {"personal", "private", "non-commercial", "noncommercial", "limited", "standard",
     "single", "basic", "editorial", "one-time", "web"}
)  # fmt: skip

#: A seek's "we don't have a car", "I don't drive": how it gets about, which an offer meets
#: unless it speaks of collecting, driving, parking or transport itself.
_NO_CAR = re.compile(
    r"(?:(?:and|but|as|since|because|sadly|unfortunately|also|note)\s+)?(?:we|i)\s+(?:don't|do\s+not|don\u2019t|won't|will\s+not|won\u2019t)"
    r"\s+(?:have\s+a\s+car|drive|be\s+driving)",
    re.I,
)
_NEEDS_CAR = re.compile(
    r"\b(?:collect\w*|pick[- ]?up|cars?|driv\w*|vehicles?|parking|transport\w*|"
    r"bus|train|taxi|travel\w*|remote|rural|countryside|outside\s+town)\b",
    re.I,
)


def given_or_personal(unread: Unread, other: str, *, offer: bool) -> bool:
    """Whether an unread clause is no condition the other side could fail: an offer's
    licence included with the work ("Music licence included"), or a seek's own way of
    getting about ("we don't have a car") against an offer that says nothing of
    collecting, driving or transport."""
    clause = unread[0].strip().rstrip(".!")
    kinds = {kind for kind, *_ in unread.marks}
    if offer:
        found = _LICENCE_INCLUDED.fullmatch(clause)
        return (
            kinds == {"licence"}
            and found is not None
            and not (set(clause.lower().split()) & _LIMITING_USE)
        )
    return (
        kinds <= {"negation"}
        and _NO_CAR.fullmatch(clause) is not None
        and _NEEDS_CAR.search(other) is None
    )


#: Rough stems of a rate for what goes beyond an allowance ("per extra transaction",
#: "each additional hour", "overtime", "straordinari"): priced only past it.
_BEYOND = re.compile(
    r"\b(?:extra|additional|overtime|straordinari|overage|further|excess|beyond|"
    r"thereafter|after\s+that)\b",
    re.I,
)


def counted_apart(
    money: Iterable[Money],
    quantities: Iterable[Quantity],
    note: str,
    *,
    offer_text: str = "",
    currency: str | None = None,
    unit: str | None = None,
) -> tuple[Money, Quantity] | None:
    """An offer's rate per a unit the seek counts ("editing €450 per finished minute"
    against "a 2-minute video") that the total derived in ``note`` leaves out: the seek's
    count buys that rate too, so the total is short of it. None when every such rate is
    in the total, or is an extra, an alternative or a ceiling."""
    counts = {q.unit: q for q in quantities if q.value > 0}
    money = list(money)
    for m in money:
        if m.per is None or m.extra or m.alternative or m.bound == "at_most":
            continue
        near = offer_text[max(0, m.span.start - 30) : m.span.end + 20]
        if m.currency not in (None, currency) or _BEYOND.search(near):
            continue  # "¥18 per word, or USD 0.13/word"; "£1.20 per extra transaction"
        if f"'{m.span.text}'" in note or m.per not in counts or m.per == unit:
            continue  # a second rate per the unit the total counts: rival_rates
        count = counts[m.per]
        if count.period is not None and _within_period(money, count, offer_text, note):
            continue  # "8 hrs/day" inside "€420/giorno (8h)": no hour beyond the day's
        return m, count
    return None


#: The hours a day rate states beside it: "€420/giorno (8h)", "£300/day (7 hours)".
_DAY_HOURS = re.compile(
    r"\s*\(?\s*(\d{1,2}(?:[.,]5)?)\s*(?:h|hrs?|hours?|ore|Std\.?|uur)\b\)?", re.I
)


def _within_period(money: list[Money], count: Quantity, offer_text: str, note: str) -> bool:
    """Whether the seek's hours per day are inside the hours of a day rate the total
    took ("8 hrs/day" against "€420/day (8h)")."""
    if count.unit != "hour" or count.period != "day":
        return False
    for m in money:
        if m.per != "day" or f"'{m.span.text}'" not in note:
            continue
        stated = _DAY_HOURS.match(offer_text, m.span.end)
        if stated and float(stated.group(1).replace(",", ".")) >= count.value:
            return True
    return False


#: An amount written with a currency the reader may not know: a code or sign right before
#: the number ("GH₵ 1,500", "GHS 3,000", "₦45,000", "KSh 2,000"), or a number beside a word
#: of price ("budget 3,000", "fee: 450"), a one-letter sign glued to it included ("budget
#: R2k": the South African rand, "Rs500").
_MONEY_LIKE = re.compile(
    r"(?<![\w])(?:(?:[A-Z]{2,3}|[A-Z][a-z][A-Z])[^\w\s\d]?|[^\w\s\d.,;:!?()\[\]'\"&+/%*#@=<>~-])"
    r"\s?\d"
    r"|(?i:\b(?:budget|price|cost|costs|fee|rate|pay|paying|charge)\b\W{0,3}(?:\w+\W+){0,2}?"
    r"(?:[a-z]{1,2}\.?)?\d)"
)


def unread_amount(*texts: str) -> str | None:
    """The first amount any of ``texts`` writes like money ("GH₵ 1,500", "budget 3,000"),
    for a pair on which the reader read no price at all: proposing then would settle on a
    price nobody checked. None when no text writes one."""
    for text in texts:
        found = _MONEY_LIKE.search(text)
        if found is not None:
            return text[found.start() : found.end() + 12].split("\n")[0].strip()
    return None
