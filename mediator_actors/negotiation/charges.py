"""Every price the offer states is either in the total or shown not to apply.

A total the reader derives from one of the offer's prices leaves the others out. That is
right when the others are alternatives ("120 €/day or 450 €/week") or name something the
seek does not want ("small dogs 45, large dogs 70" for a small dog), and unsound when they
are charges on top ("+€150/day for a skipper", "extra hours €150 each" beside an 8-hour
package, wardrobes at £45 beside £20 for each other item): the proposal would undercut
the offer's own terms. Precision first: a price the reader left out is harmless only when
it is offered as an alternative, is a minimum the total already clears, or its own words
name something else the seek never asks for; otherwise the total cannot be checked.
"""

from __future__ import annotations

import re

from mediator_actors.negotiation.reader import TIME_DAYS, Facts, Money, rough_stem

__all__ = [
    "CHARGE_STEMS",
    "PER_JOB",
    "PER_STAY",
    "is_charge",
    "is_order_charge",
    "left_out_price",
]

#: Rough stems that mark a price as added to another: "plus", "then", "extra hours".
#: (Spelled as ``rough_stem`` leaves them: "surcharge" but "surcharg" for "surcharges".)
ADDITIVE_STEMS = frozenset(
    {"plu", "then", "extra", "additional", "addition", "surcharge", "surcharg", "more"}
    # "a second dog sharing the kennel is £20 per night": the price of one more on top
    | {"second"}
)
#: The same in German, French and Spanish: "jede weitere Seite 20 €", "zusätzliche
#: Stunde", "heure supplémentaire", "hora adicional".
_ADDED = (
    ADDITIVE_STEMS
    | frozenset(
        rough_stem(w)
        for w in ("weitere", "weiteren", "weiterer", "zusätzlich", "zusätzliche", "supplémentaire")
    )
    | {rough_stem("adicional")}
)

#: Rough stems that name a charge on the order itself, not a thing the seek may or may
#: not ask for: "one-time setup fee $200", "call-out supplement €10", "delivery £30 flat",
#: "scaffold tower hire added as a flat £150 per job". Left out of a total, such a charge
#: is never shown not to apply by the seek's silence about it (issue 16, dev_h13/h14).
#: (Spelled as ``rough_stem`` leaves them: "frai" for "frais".)
CHARGE_STEMS = frozenset(
    {"fee", "setup", "supplement", "surcharge", "surcharg", "add", "callout", "call-out"}
    | {"delivery", "deliveri", "postage", "ship", "frai", "gebühr", "anfahrt", "livraison"}
    # "Onboarding one-off £300": the fee for taking a client on, never the service itself
    | {"onboard"}
    # the call-out in Dutch and German: "voorrijkosten €15", "Anfahrtspauschale 20 €"
    | {rough_stem(w) for w in ("voorrijkosten", "voorrijtarief", "anfahrtspauschale")}
)


#: Rough stems of what it costs to get the work to the client, or to set it up and clear
#: up after it: "Transport there and back €70", "travel £0.45/mile", "Fahrtkosten 30 €",
#: "déplacement 40 €", "desplazamiento 25 €", "trasferta 50 €", "final cleaning €60".
#: Such a price beside the service's own is a charge on the order, not an item the seek
#: picks: its silence about it never shows it does not apply. (Kept apart from
#: ``CHARGE_STEMS``, which also decides which price is the service's: a removal firm's
#: "transport of a piano £300" is its service, and stays its ask.)
ORDER_STEMS = frozenset(
    {"travel", "transport", "transportation", "mileage", "fuel", "journey", "commute"}
    | {"tol", "toll", "congestion", "park", "parking", "clean", "cleanup", "clean-up"}
    | {"packag", "packaging", "handl", "handling", "collection", "pickup", "pick-up"}
    | {"déplacement", "transporte", "desplazamiento", "viaje", "kilometraje", "envío"}
    | {"entrega", "montaje", "limpieza", "nettoyage", "ménage", "péage", "stationnement"}
    | {"trasferta", "viaggio", "trasporto", "spedizione", "consegna", "pulizia", "maut"}
    | {"fahrt", "parken", "aufbau", "abbau", "versand", "lieferung", "reinigung", "spesen"}
    # admin fees, petrol; Italian "spese", Spanish "gastos", Dutch "bezorging",
    # "verzending", "schoonmaak", Portuguese "deslocação" (read "desloca"), "frete", "taxa"
    | {"admin", "administration", "petrol", "spese", "gasto", "bezorg", "verzend"}
    | {"schoonmaak", "desloca", "frete", "limpeza", "taxa"}
)
#: "charge" as ``rough_stem`` leaves it, one or several.
_CHARGE_WORD = frozenset({"charge", "charg"})
#: The reader keeps only runs of ASCII letters of a price's clause: "déplacement" is
#: read as "placement", "Gebühr" as "geb" (so "Buchungsgebühr" ends in it).
_ASCII_PARTS = frozenset({"placement", "geb"})
#: German compounds carry the charge inside one word: "Anfahrtspauschale",
#: "Fahrtkosten", "Reisekosten", "Endreinigung", "Lieferkosten", "Servicegeb(ühr)".
_ORDER_COMPOUND = re.compile(r"(?:fahrt|reise|liefer|versand|reinigung|kosten|schoonmaak)|geb$")


def _order_words(stems: frozenset[str]) -> bool:
    """Whether ``stems`` name a charge on the order (see ``ORDER_STEMS``); "service
    charge" is one, "service" alone names the service."""
    if stems & (ORDER_STEMS | _ASCII_PARTS) or ("service" in stems and stems & _CHARGE_WORD):
        return True
    return any(len(w) > 6 and _ORDER_COMPOUND.search(w) for w in stems)


def is_order_charge(m: Money) -> bool:
    """Whether the price's own words name a charge on the order, a fee or the cost of
    getting there and setting up alike (``is_charge`` or ``ORDER_STEMS``)."""
    return is_charge(m) or _order_words(m.context)


#: Units that are a job or an order itself: a charge "per visit" falls due on every job.
PER_JOB = frozenset(
    {"visit", "order", "job", "booking", "trip", "call", "event", "appointment", "delivery"}
)


#: A price's own words that make it due once on a booking ("cleaning fee €90 per stay",
#: "€25 per booking"), whatever its unit was read as (the reader takes a stay as a night).
PER_STAY = re.compile(r"\b(?:per|a|each)\s+(?:stay|booking|reservation)\b", re.I)


def is_charge(m: Money) -> bool:
    """Whether the price's own words name a charge on the order ("call-out" is read as
    the stems "cal" and "out")."""
    return bool(m.context & CHARGE_STEMS) or {"cal", "out"} <= m.context


#: Rough stems of words that name no item of their own ("from", "per", "flat" ...).
_NAMELESS = frozenset(
    {"und", "under", "ov", "over", "and", "the", "for", "with", "incl", "per", "from", "each"}
    # function words name nothing: the "on" of "add-on" is no "on 1 Sept"
    | {"on", "in", "at", "to", "of", "or", "a", "an"}
    | {"flat", "only", "just", "price", "pric", "rate", "cost", "min", "minimum", "charg"}
)


#: Units that name no particular thing: a price "per item" names nothing the seek could ask for.
_GENERIC_UNITS = frozenset({"item", "piece", "unit", "pc", "pcs", "one", "person", "session"})


def _names(m: Money) -> frozenset[str]:
    """What the price is for, in its own words: its clause, and a unit that is a thing
    ("- polygons: $0.10 each" is per polygon), not a length of time or "item"."""
    words = m.context - _NAMELESS - _ADDED
    if m.per is not None and m.per not in TIME_DAYS and m.per not in _GENERIC_UNITS:
        words |= {rough_stem(m.per)}
    return words


#: Stems that mark a price as an add-on the buyer may leave out ("add-on", "optional").
_OPTIONAL = frozenset({"add", rough_stem("optional"), "option"})


#: Stems of a minimum that is the whole job's, never a part's ("Minimum job £600").
_WHOLE_JOB = frozenset({"job"})


#: How a derivation's note quotes the seek's budget ("the seek's budget is '£50'").
_SEEK_BUDGET = re.compile(r"the seek's budget is [^';]*?'[^']*'")


def left_out_price(  # noqa: PLR0911 - one flat pass of rules reads best
    o: Facts, s: Facts, note: str, currency: str | None
) -> Money | None:
    """The first of the offer's prices (in ``currency``, or in none stated) that the
    total derived in ``note`` leaves out and that may apply to the seek's request, or
    None when every other price is an alternative, a minimum or names only what the
    seek does not ask for."""
    # The note quotes the seek's budget too: "£50" of the offer's "Travel £50 flat" is
    # not taken because the seek's budget is also written "£50".
    offer_note = _SEEK_BUDGET.sub("", note)
    taken = [m for m in o.money if f"'{m.span.text}'" in offer_note]
    if not taken:
        return None
    used = frozenset().union(*(_names(m) for m in taken))
    # A price taken that is itself on top of another ("extra hours €150 each") means the
    # other applies too, whatever it names.
    on_top = any(m.extra or m.context & _ADDED for m in taken)
    # A total taken from charges alone ("Delivery & set-up £25" for a cake priced per
    # portion) leaves out the price of the thing itself, whatever that price names.
    only_charges = all(is_charge(t) for t in taken)
    for m in o.money:
        if m in taken or m.bound == "at_most" or m.currency not in (None, currency):
            continue
        if m.alternative and any(t.alternative for t in taken):
            continue
        own = _names(m) - used
        if m.per2 is not None and m.per2 in {t.per for t in taken}:
            # "£19.50 per guard per hour" left out of a total taken at "£24/h": a rate of
            # each of something on the same time, which the seek's count may well be of
            return m
        if m.bound == "at_least":
            # A minimum ("minimum order €10", "from £15") binds only where the seek names
            # what it is the minimum of; the total already applies the minimum charge.
            # ("Minimum job £600" is the whole job's: the seek's "the job" names no part.)
            if (own - _WHOLE_JOB) & s.positives:
                return m
            continue
        if m.context & _OPTIONAL and any((own - _OPTIONAL) & words for words, _ in s.exclusions):
            # "LinkedIn profile add-on £25" against "No LinkedIn needed": an add-on the
            # seek declines by name is never part of its request
            continue
        if on_top or only_charges or m.fee or m.extra or m.context & _ADDED:
            return m
        if is_charge(m) or _order_words(own | (_CHARGE_WORD & m.context)):
            # a charge on the order applies whatever the seek names; where it does not
            # ("free delivery from 50 bottles") no reading says so: precision first. A
            # fee "per visit" or "per order" is one on each job, the seek's one included;
            # "setup fee $40 per show" is due on a show the seek never counts.
            return m
        if not _names(m) or own & s.positives:
            # A price that names nothing cannot be told from a charge on top; one whose
            # own words the seek names applies. (One that names only what the price taken
            # names is a tier or size of the same thing: "1000 pcs €75, 2500 pcs €150".)
            return m
    return None
