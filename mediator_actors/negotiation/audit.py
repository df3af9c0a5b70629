"""The closing audit of :func:`fit.check_facts`: every constraint a side's reading holds
must end compared, not applicable, or "cannot check".

Why: most unsound proposals came from a constraint the reader DID read (so the unread-
clause guard counts it handled) that no check ever held against the other side: "min order
10 birds" against "3 hens" (different nouns: the limit check found no amount in its unit
and moved on), an exclusion whose word the other side writes without the reader taking it
as asked for, a one-way language pair against the other side's pair or direction. Each
check records the spans it consulted (:meth:`Findings.consult`); the audit walks the
constraint-bearing readings of both sides and, for each one nothing consulted, asks whether
the other side states something on the same dimension. If it does, the constraint could
bite and nobody looked: "cannot check" (declines). If not, it is not applicable: the other
side states nothing it could contradict.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

from mediator_actors.negotiation.reader import (
    SPEC_UNITS,
    TIME_DAYS,
    Facts,
    Quantity,
    Span,
    rough_stem,
)

if TYPE_CHECKING:
    from collections.abc import Iterable


class _Findings(Protocol):
    consulted: set[Span]

    def cannot(self, what: str, cost: int = ...) -> None: ...


#: Measures the limit checks compare only unit for unit (a size, a weight, a spec).
_MEASURES = SPEC_UNITS | frozenset({"cm", "mm", "kg", "g", "km", "mile", "l", "ml", "percent"})


#: Counts of occasions, not of the things a bound counts ("up to 3 bedrooms" is never
#: broken by "6 visits"): compared unit for unit only.
_OCCASIONS = frozenset(
    {"visit", "session", "lesson", "class", "trip", "time", "appointment", "shift", "run",
     "occasion", "round", "event", "delivery", "clean"}
)  # fmt: skip


def _family(unit: str) -> str:
    """The dimension a quantity measures: time, a measure in its own unit, or a count of
    things or people (what "10 birds" and "3 hens" share)."""
    if unit in TIME_DAYS or unit.endswith("-hour"):  # "GPU-hours" are hours of work
        return "time"
    if unit in _MEASURES or unit in _OCCASIONS:
        return f"measure:{unit}"
    return "count"


#: After a bound, words that make it one per item: "up to 5 boxes/image", "max 3 per box";
#: not "per order" or "per household", which bound the whole order.
_PER_ITEM = re.compile(
    r"\s*(?:/|\bper\b|\beach\b|\ba\b|\ban\b|\bpro\b|\bpar\b|\bpor\b)"
    r"(?!\s*(?:order|booking|reservation|customer|client|household|purchase|delivery|event|"
    r"party|group|job|bestellung|commande|pedido)s?\b)",
    re.I,
)


def _unmet_bounds(
    mine: Facts, theirs: Facts, consulted: set[Span], text: str
) -> Iterable[tuple[Quantity, Quantity]]:
    """A minimum or maximum no check held against anything, with the other side's largest
    amount on the same dimension where it falls outside the bound. The nouns may differ
    ("10 birds" / "3 hens", "max 8 guests" / "7 lads"): the audit cannot tell whether
    they count the same things, so only a count that would break the bound costs; one
    inside it, or no amount on the dimension, leaves the bound not applicable."""
    for q in mine.quantities:
        if q.bound == "about" or q.period or q.span in consulted:
            continue  # a rate ("up to 1,000 per week") is a throughput, not a total
        if _PER_ITEM.match(text, q.span.end):
            continue  # "up to 5 boxes/image": a limit on each item, never on the count
        family = _family(q.unit)
        if family == "time":
            # times are the timeline checks' (duration, deadline); a seek's time is often
            # the length of the thing ("an 8-minute survey"), not of the work
            continue
        same = [
            a
            for a in theirs.quantities
            if a.bound == "about" and not a.period and _family(a.unit) == family
        ]
        if not same:
            continue
        need = max(same, key=lambda a: a.value)
        if (q.bound == "at_least" and need.value < q.value - 1e-9) or (
            q.bound == "at_most" and need.value > q.value + 1e-9
        ):
            yield q, need


#: Words that make an exclusion's stems alternatives ("no stallions or entires", "ni
#: chiens ni chats", "keine Hunde oder Katzen").
_ALTERNATIVES = re.compile(r"\b(?:or|nor|ou|oder|noch|o|ni|eller)\b|/|,", re.I)


def _stems_written(text: str) -> frozenset[str]:
    return frozenset(rough_stem(w) for w in re.findall(r"[^\W\d_]+", text.lower()))


def audit(o: Facts, s: Facts, found: _Findings, texts: tuple[str, str], cost: int) -> None:
    """Every constraint of ``o`` (the offer) and ``s`` (the seek) nothing consulted, which
    the other side states something against, costs a "cannot check" that declines.
    ``texts``: the two sides' folded prose; ``cost``: fit's blocking cost (fit imports
    this module, so it passes it in)."""

    sides = ((o, s, "offer", "seek", texts[1]), (s, o, "seek", "offer", texts[0]))
    for mine, theirs, who, other, their_text in sides:
        # bounded quantities: "min order 10 birds" against "3 hens", "max 20 guests"
        # against "a party of 25 kids": a limit checked only unit for unit is silent on
        # the other side's count in a different noun.
        if who == "offer":  # the seek's own bounds are the specification checks' (_specs)
            for q, a in _unmet_bounds(mine, theirs, found.consulted, texts[0]):
                found.cannot(
                    f"the offer's '{q.span.text}' is never compared with the seek's "
                    f"'{a.span.text}', which lies outside it",
                    cost,
                )
        # exclusions: what an offer refuses, written in the seek's words and not excluded
        # there too ("no stallions or entires" against "the colt is still entire"). A
        # seek's "no X needed" only leaves out what the offer may add, so offers only.
        written = _stems_written(their_text) if who == "offer" else frozenset()
        theirs_excluded = {x for stems, _ in theirs.exclusions for x in stems}
        for stems, span in mine.exclusions if who == "offer" else ():
            if span in found.consulted:
                continue
            wanted = {x for x in stems if len(x) >= 3}
            # a written word the excluded stem begins counts: "entires" stems to "entir",
            # "entire" to itself
            named = {
                x
                for x in wanted
                if x in written or (len(x) >= 4 and any(w.startswith(x) for w in written))
            } - theirs_excluded
            # "no X or Y" excludes each; "no gym in Alvalade" only the two together
            if named and (_ALTERNATIVES.search(span.text) or named == wanted):
                found.cannot(
                    f"the {who} excludes '{span.text}'; the {other} writes "
                    f"{', '.join(sorted(named))} and the reader cannot tell if it is asked for",
                    cost,
                )
        # one-way language pairs against the other side's pair or direction no check held:
        # a pair that goes the other side's way is met; only a miss costs
        if (
            mine.language_pairs
            and LANGUAGE_MARK not in found.consulted
            and not _direction_met(mine, theirs)
        ):
            pairs = ", ".join(f"{a}->{b}" for a, b in sorted(mine.language_pairs))
            found.cannot(
                f"languages: the {who} works {pairs}; no pair of it goes the {other}'s way",
                cost,
            )
        # payment terms of different kinds no check held together ("50% upfront" against
        # "paid in three instalments"); the same kind on both sides agrees
        theirs_kinds = _payments(theirs)
        for kind, span in _payments(mine).items():
            others = [
                x
                for k, x in theirs_kinds.items()
                if k != kind and x not in found.consulted and {k, kind} not in _AGREEING
            ]
            if span not in found.consulted and others and kind not in theirs_kinds:
                found.cannot(
                    f"payment terms: the {who} states '{span.text}', the {other} "
                    f"'{others[0].text}', never compared",
                    cost,
                )
                break
        # places a side excludes or confines the deal to, against the other side's places
        # (the offer's are held by _until and _confined). A seek's "not in X" bites only
        # on an offer tied to X: one that ships or travels comes to the seek.
        their_places = {p for p, _ in theirs.places}
        tied = not (theirs.ships or theirs.travel_km) if who == "seek" else True
        for place, span in (*mine.places_excluded, *mine.places_confined):
            if span in found.consulted or not tied:
                continue
            excluded = (place, span) in mine.places_excluded
            if (excluded and place in their_places) or (not excluded and their_places - {place}):
                found.cannot(
                    f"place: the {who} states '{span.text}'; the {other} names "
                    f"{theirs.places[0][1].text!r}, never compared with it",
                    cost,
                )
                break


#: Kinds of payment term that agree: a deposit first leaves the rest to be spread
#: ("30% deposit" against "in 4 monthly instalments"; test_left_out holds it).
_AGREEING = ({"advance", "instalments"},)


def _payments(facts: Facts) -> dict[str, Span]:
    """A side's payment terms by kind."""
    stated = {
        "advance": facts.payment_advance,
        "after": facts.payment_after,
        "instalments": facts.payment_instalments,
        "in full first": facts.payment_in_full_first,
    }
    return {kind: span for kind, span in stated.items() if span is not None}


#: The mark a language check leaves: pairs carry no span, so the check consults this one.
LANGUAGE_MARK = Span(-1, -1, "language direction")


def _direction_met(mine: Facts, theirs: Facts) -> bool:
    """True when the other side states no direction, or one of ``mine``'s pairs goes its
    way (its pair, or its target and source languages where it names them)."""
    targets = theirs.language_targets - theirs.language_sources
    sources = theirs.language_sources
    if theirs.language_pairs:
        return bool(mine.language_pairs & theirs.language_pairs)
    if not targets and not sources:
        return True  # nothing on this dimension: not applicable
    return any(
        (not targets or b in targets) and (not sources or a in sources)
        for a, b in mine.language_pairs
    )
