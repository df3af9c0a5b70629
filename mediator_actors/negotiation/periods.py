"""Amounts tied to the period or occasion a budget is for.

A seek writes "about 2 hours each visit ... up to 85 a visit" or "6 kg every week ... max
120 per week": the amount is one occasion's (or one period's), so the offer's rate times
it compares with the budget for that occasion or period as it stands. "Once a week 4
hours ... 220 a month (4 visits)" counts the occasions in the budget's period itself. When
the tie is not written (two amounts, several occasions a period with no "each", a month
of weeks), nothing is read and the price stays unchecked (precision first).
"""

from __future__ import annotations

import re

from mediator_actors.negotiation.reader import TIME_DAYS, Facts, Money, Quantity, Span
from mediator_actors.negotiation.vocabulary import fold

#: Budgets per one occasion of the work, not per a stretch of time.
OCCASIONS = frozenset({"visit", "session", "lesson", "walk", "trip", "clean", "shift", "call"})

#: Most characters between a budget and the count of occasions it covers ("220 a month
#: (4 visits)", "300/month for 4 sessions").
_COUNT_GAP = 8


def _tied_to(text: str, q: Quantity, budget: Money) -> bool:
    """Whether ``q`` is written for each of the budget's period right after it ("2 hours
    each visit", "6 kg of beans every week"), in the budget's own word ("a lesson" is read
    as per session)."""
    names = {str(budget.per)}
    written = re.search(r"([a-z]+)\W*$", budget.span.text, re.I)
    if written:
        names.add(written.group(1).lower())
    words = "|".join(re.escape(n) for n in sorted(names))
    after = text[q.span.end : q.span.end + 50]
    return bool(
        re.match(
            rf"(?:\s+[a-z]+){{0,3}}?\s*(?:,\s*)?(?:each|per|every|a|an)\s+(?:{words})s?\b",
            after,
            re.I,
        )
    )


def _one(amounts: list[Quantity]) -> Quantity | None:
    """The seek's one amount of the unit without a period of its own, or None."""
    plain = [q for q in amounts if q.period is None]
    if len(plain) != len(amounts) or len({q.value for q in plain}) != 1:
        return None
    return plain[0]


def _occasions_in(s: Facts, budget: Money, text: str) -> Quantity | None:
    """The count of occasions written right beside the budget ("220 a month (4 visits)")."""
    for q in s.quantities:
        if q.unit not in OCCASIONS or q.bound != "about" or q.period is not None:
            continue
        gap = text[budget.span.end : q.span.start]
        if 0 <= q.span.start - budget.span.end <= _COUNT_GAP and re.fullmatch(
            r"[\s(,:=]*(?:for\s+)?", gap, re.I
        ):
            return q
    return None


def amount_per_period(  # noqa: PLR0911 - one flat pass of rules reads best
    s: Facts, budget: Money, amounts: list[Quantity], seek_text: str
) -> Quantity | None:
    """The seek's amount of the offer's unit for one ``budget.per`` (an occasion or a
    period), or None when the text does not tie it so."""
    period = budget.per
    if period is None or not seek_text:
        return None
    text = fold(seek_text)
    amount = _one(amounts)
    if amount is None:
        return None
    if _tied_to(text, amount, budget):
        return amount
    if s.recurrence is None or any(q.period is not None for q in s.quantities):
        return None
    times, every, _ = s.recurrence
    low, high = s.recurrence_sentence
    if times != 1 or not low <= amount.span.start < high:
        # "twice a week, 3 hours": per visit or per week is not written
        return None
    if every == period:
        # "6 kg every week ... 120 per week": one occasion a period, the amount is its
        return amount
    visits = _occasions_in(s, budget, text)
    if visits is None or every in OCCASIONS:
        return None
    # "once a week 4 hours ... 220 a month (4 visits)": the seek counts the occasions
    span = Span(amount.span.start, amount.span.end, f"{amount.span.text} x {visits.span.text}")
    return Quantity(amount.value * visits.value, amount.unit, "about", span)


def over_periods(s: Facts, q: Quantity) -> Quantity | None:
    """The whole request's count of ``q`` when it is a count per period ("2 sessions a
    week") and the seek states one span that is a whole number of those periods ("for 4
    weeks" is 8 sessions); None when there is no such one span (precision first)."""
    if q.period is None or q.period not in TIME_DAYS:
        return None
    spans = [
        p for p in s.quantities if p.bound == "about" and p.period is None and p.unit in TIME_DAYS
    ]
    if len(spans) != 1 or any(p is not q and p.period is not None for p in s.quantities):
        return None
    span = spans[0]
    if span.unit == q.period:
        periods = span.value
    elif span.unit in ("day", "week", "fortnight") and q.period in ("day", "week", "fortnight"):
        periods = span.value * TIME_DAYS[span.unit] / TIME_DAYS[q.period]
    else:
        return None  # a month of weeks is no whole number
    if periods < 1 - 1e-9 or abs(periods - round(periods)) > 1e-9:
        return None
    text = f"{q.span.text} x {span.span.text}"
    return Quantity(q.value * round(periods), q.unit, "about", Span(q.span.start, q.span.end, text))
