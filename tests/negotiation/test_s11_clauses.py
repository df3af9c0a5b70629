"""Session 11 (clauses): unread clauses the other side meets, on invented texts."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.clauses import (
    areas_listed,
    held_date,
    held_within,
    payment_accepted,
    trivial_minimum,
)
from mediator_actors.negotiation.reader import read_terms
from mediator_actors.negotiation.unread import Unread, lead_days

REF = dt.date(2026, 3, 2)
PLAIN_OFFER = "Carpet cleaning, 4 EUR per m2. Done in 2 days."


def _date(clause: str, head: str, mark: str, offer: str = PLAIN_OFFER) -> dt.date | None:
    return held_date(Unread(clause, True, (("date", head, mark, ""),)), offer, REF)


def test_a_named_day_is_held_as_the_deadline() -> None:
    assert _date("arriving 14 May", "arriving ", "14 May") == dt.date(2026, 5, 14)
    assert _date("Our dinner is 3rd October", "Our dinner is ", "3rd October") == dt.date(
        2026, 10, 3
    )
    # a day already past this year is next year's
    assert _date("on 1 February", "on ", "1 February") == dt.date(2027, 2, 1)


def test_a_range_holds_its_first_day() -> None:
    assert _date("from 6 to 9 June", "from 6 to ", "9 June") == dt.date(2026, 6, 6)
    assert _date("(12\u201314 Nov", "(12\u2013", "14 Nov") == dt.date(2026, 11, 12)


def test_no_day_is_held_when_the_offer_names_days_or_the_seek_does_not_need_it() -> None:
    assert _date("arriving 14 May", "arriving ", "14 May", "Rooms 80 EUR, closed in May.") is None
    assert _date("arriving 14 May", "arriving ", "14 May", "Open weekends only.") is None
    assert _date("not on 14 May", "not on ", "14 May") is None
    assert _date("any day after 14 May", "any day after ", "14 May") is None


def test_weekday_check() -> None:
    # 5 June 2026 is a Friday; a weekday that does not agree may mean another year
    assert _date("Fri 5 June", "Fri ", "5 June") == dt.date(2026, 6, 5)
    assert _date("Thu 5 June", "Thu ", "5 June") is None


def test_a_clause_with_more_than_a_day_is_not_held() -> None:
    marks = (("date", "on ", "14 May", ""), ("negation", "", "no", " van"))
    assert held_date(Unread("on 14 May, no van", True, marks), PLAIN_OFFER, REF) is None


@given(st.integers(1, 28), st.sampled_from(["January", "May", "Aug", "December"]))
def test_held_day_is_on_or_after_the_seek(day: int, month: str) -> None:
    got = _date(f"on {day} {month}", "on ", f"{day} {month}")
    assert got is not None
    assert REF <= got < REF + dt.timedelta(days=366)
    assert got.day == day


def test_within_days_of_the_post() -> None:
    item = Unread(
        "within 6 days of this post", True, (("amount", " within ", "6 days", " of this post"),)
    )
    assert held_within(item, lead_days(item)) == 6
    other = Unread(
        "within 6 days of delivery", True, (("amount", " within ", "6 days", " of delivery"),)
    )
    assert held_within(other, lead_days(other)) is None


def _pay(clause: str, marks: tuple[tuple[str, str, str, str], ...], seek: str) -> bool:
    return payment_accepted(Unread(clause, True, marks), seek)


def test_payment_terms_the_seek_accepts() -> None:
    marks = (("payment", " ", "Payment", ": 40% deposit on booking"),)
    assert _pay("Payment: 40% deposit on booking", marks, "Need a van. A deposit is fine.")
    assert not _pay("Payment: 40% deposit on booking", marks, "Need a van. No deposit please, ok?")
    assert not _pay("Payment: 40% deposit on booking", marks, "Need a van for Friday.")
    card = (("payment", " ", "Pay by", " card or bank wire"),)
    assert _pay("Pay by card or bank wire", card, "Paying by card is ok for us.")
    assert not _pay("Pay by card only", card, "Paying by card is ok for us.")
    net = (("payment", " ", "Payment", " 45 days from invoice"),)
    assert _pay("Payment 45 days from invoice", net, "Invoice with net 45 is fine.")


def test_a_minimum_of_one_counted_thing() -> None:
    assert trivial_minimum(Unread("Min. 1 server", True, (("bound", " ", "Min", ". 1 server"),)))
    assert not trivial_minimum(Unread("Min. 1 hour", True, (("bound", " ", "Min", ". 1 hour"),)))
    assert not trivial_minimum(
        Unread("Min. 3 servers", True, (("bound", " ", "Min", ". 3 servers"),))
    )


def test_every_place_an_area_lists() -> None:
    assert areas_listed("covers Harlow", ", Epping and Ware") == ["Harlow", "Epping", "Ware"]
    assert areas_listed("serving Gouda", " & Delft only") == ["Gouda", "Delft"]


@given(st.lists(st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True), min_size=1, max_size=5))
def test_area_list_round_trip(places: list[str]) -> None:
    tail = "".join(f", {p}" for p in places[1:])
    assert areas_listed(f"covers {places[0]}", tail) == places


def test_max_reaches_its_number_over_a_noun() -> None:
    terms = read_terms("Bouncy castle hire. Max rental 5 hours per party. 90 EUR.", offer=True)
    hours = [q for q in terms.facts.quantities if q.unit == "hour"]
    assert hours
    assert all(q.bound == "at_most" for q in hours)


def test_kva_is_an_amount_the_guard_sees() -> None:
    terms = read_terms("Generator hire, 45 kVA, 150 GBP per day.", offer=True)
    assert any("kVA" in u.clause for u in terms.unread)


def test_a_seek_leaves_out_a_priced_extra() -> None:
    from mediator_actors.negotiation.clauses import optional_extra

    offer = "Drum lessons, 40 EUR per hour. Rental kit +15 EUR. Recording session extra 60 EUR."
    assert optional_extra({"rental"}, offer, "no rental kit needed", "no rental")
    assert optional_extra({"record"}, offer, "4 lessons, no recording", "no recording")
    # the opening sentence names the service: never an extra
    assert not optional_extra({"lesson"}, offer, "no lessons", "no lessons")
    # part of every deal
    assert not optional_extra(
        {"rental"}, "Drum lessons 40 EUR. All lessons include rental kit +15 EUR.", "", ""
    )
    # a line pricing several items is no single extra
    assert not optional_extra(
        {"cake"}, "Party food.\ncake 20 EUR, cake topper 5 EUR, plates 3 EUR", "", ""
    )
    # the seek asks for the excluded words itself: the exclusion is a misreading
    assert not optional_extra(
        {"cent"},
        "Flowers.\nCentrepiece 35 EUR each.",
        "12 centrepieces, not a cent more",
        "not a cent more",
    )


def test_a_payment_time_is_not_the_work_time() -> None:
    from mediator_actors.negotiation.clauses import payment_time

    text = "Mural painting, 900 EUR. Invoice on completion, 21 days to pay."
    start = text.index("21 days")
    assert payment_time(text, start, start + len("21 days"))
    text = "Mural painting, 900 EUR. Ready in 21 days. Payment by transfer."
    start = text.index("21 days")
    assert not payment_time(text, start, start + len("21 days"))
    terms = read_terms("Logo design, 300 EUR. Payment within 10 days of invoice.", offer=True)
    assert terms.duration_days is None
    terms = read_terms("Logo design, 300 EUR, delivered in 10 days. Payment by card.", offer=True)
    assert terms.duration_days == 10


def test_per_in_the_opening_with_no_number_is_no_rate() -> None:
    terms = read_terms("Fotografo per matrimoni in Toscana. 1.200 EUR per day.", offer=True)
    assert not any("matrimoni" in u.clause for u in terms.unread)
    # past the opening, a "per" with no number still needs reading
    terms = read_terms(
        "Wedding photos in Siena. 1.200 EUR a day. Billed per started hour.", offer=True
    )
    assert any("per started hour" in u.clause for u in terms.unread)


def test_a_size_is_a_detail_against_a_seek_that_states_only_distances() -> None:
    from mediator_actors.negotiation.unread import verdict

    offer = read_terms(
        "Tent hire: 6m x 12m party tent. 900 GBP. Within 20 miles of Leeds.", offer=True
    )
    sized = [u for u in offer.unread if "6m" in u.clause]
    assert sized
    far = "Garden party in Otley (~10 mi from Leeds), 60 guests, up to 1000 GBP."
    assert verdict(sized[0], far, offer=True) == "detail"
    # a seek that states a size of its own is compared, not passed over
    wide = "Need a tent at least 8 m wide near Leeds, up to 1000 GBP."
    assert verdict(sized[0], wide, offer=True) == "open"


def test_an_abbreviated_minimum_keeps_its_bound() -> None:
    from mediator_actors.negotiation.unread import _bounded_amounts

    assert (5.5, "m", "least") in _bounded_amounts("reach height min. 5.5 m, 3 days")
    assert (5.5, "m", "most") in _bounded_amounts("reach height max. 5.5 m, 3 days")
