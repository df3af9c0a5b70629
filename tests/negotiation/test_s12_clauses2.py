"""Session 12 (clauses2): a cap on each group written after the group word in several
languages ("groepjes van max 5", "Gruppen von höchstens 8", "groupes de 12 maximum"), and
what a specification measures by its label before it ("outbound traffic: ~700 GB" is held
against the offer's traffic allowance, not a GPU's memory). Invented texts only;
hypothesis properties for the new readings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.discounts import count_discount
from mediator_actors.negotiation.measures import measured_words
from mediator_actors.negotiation.reader import canonical_unit, read_facts, rough_stem
from tests.negotiation.helpers import decided

# --- a cap on each group ------------------------------------------------------------------


def _caps(text: str) -> list[float]:
    return [
        q.value
        for q in read_facts(text, offer=True).quantities
        if q.unit == "person" and q.bound == "at_most"
    ]


def test_group_caps_in_several_languages_are_limits_on_people() -> None:
    assert _caps("Kochkurs in Gruppen von höchstens 8, 70 €.") == [8]
    assert _caps("Ateliers en groupes de 12 maximum, 40 €.") == [12]
    assert _caps("Clases en grupos de máximo 5, 30 €.") == [5]
    assert _caps("Corsi in gruppi di massimo 7, 25 €.") == [7]
    assert _caps("Walking tours in small groups of max 10, $25.") == [10]


def test_a_group_size_without_a_bound_word_is_no_cap() -> None:
    # "groups of 20" says how big a group is, not at most how big (read as before)
    assert _caps("Choir rehearsals for groups of 20, $300.") == []
    assert _caps("Groepjes van vrienden welkom, €15.") == []


@given(
    n=st.integers(min_value=2, max_value=99),
    form=st.sampled_from(
        [
            "groups of max {n}",
            "groepjes van max {n}",
            "Gruppen von max. {n}",
            "grupos de {n} máximo",
        ]
    ),
)
def test_any_group_cap_reads_its_number(n: int, form: str) -> None:
    assert n in _caps(f"Lessons in {form.format(n=n)}. Price 30 EUR.")


_WORKSHOP = "Pottery workshops in Utrecht, kleine groepjes van max 5. Workshop €45, zaterdag 10:00."


def test_a_single_learner_fits_a_group_cap() -> None:
    ok, why, price = decided(
        _WORKSHOP,
        "Looking for a pottery workshop in Utrecht for myself, Saturday morning is great, "
        "up to €60.",
    )
    assert ok, why
    assert price == 45


def test_a_party_larger_than_the_group_cap_is_refused() -> None:
    ok, why, _ = decided(
        _WORKSHOP, "Pottery workshop in Utrecht for our team of 9 people, Saturday, up to €500."
    )
    assert not ok
    assert "at most 5" in why


# --- what a specification measures -----------------------------------------------------------


def test_the_label_before_a_specification_names_what_it_measures() -> None:
    text = "Need a box:\n- storage: ~500 GB of photos\n- 32 GB RAM"
    facts = read_facts(text, offer=False)
    storage = next(q for q in facts.quantities if q.unit == "gb" and q.value == 500)
    ram = next(q for q in facts.quantities if q.unit == "gb" and q.value == 32)
    assert rough_stem("storage") in measured_words(text, storage)
    assert rough_stem("storage") not in measured_words(text, ram)


def test_words_of_another_text_add_nothing() -> None:
    text = "- storage: ~500 GB of photos"
    q = next(q for q in read_facts(text, offer=False).quantities if q.unit == "gb")
    assert measured_words("something else entirely, 12 GB", q) == q.tail


@given(st.text(alphabet="abcdefgh :-,.\n0123456789GB", max_size=80))
def test_measured_words_always_keep_the_tail(text: str) -> None:
    for q in read_facts(text, offer=False).quantities:
        assert q.tail <= measured_words(text, q)


_GPU = (
    "Rendering box: RTX 4090 24GB, $2.10 per GPU-hour. Outbound traffic free up to 2 TB/month. "
    "Region: US-West."
)


def test_a_traffic_need_is_held_against_the_traffic_allowance() -> None:
    ok, why, price = decided(
        _GPU,
        "Need GPU time: 1 x RTX 4090 24GB, 50 GPU-hours, outbound traffic: ~700 GB of renders. "
        "Max $120 total.",
    )
    assert ok, why
    assert price == 105


def test_a_traffic_need_over_the_allowance_is_refused() -> None:
    ok, why, _ = decided(
        _GPU,
        "Need GPU time: 1 x RTX 4090 24GB, 50 GPU-hours, outbound traffic: ~3500 GB of renders. "
        "Max $120 total.",
    )
    assert not ok
    assert "specification" in why


def test_a_traffic_need_against_an_offer_silent_on_traffic_still_declines() -> None:
    ok, _, _ = decided(
        "Rendering box: RTX 4090 24GB, $2.10 per GPU-hour. Region: US-West.",
        "Need GPU time: 1 x RTX 4090 24GB, 50 GPU-hours, outbound traffic: ~700 GB of renders. "
        "Max $120 total.",
    )
    assert not ok


# --- a discount written in other languages ---------------------------------------------------


def test_discounts_in_other_languages_are_read_with_their_threshold() -> None:
    it = count_discount("Noleggio kayak 20 €/giorno. Sconto 15% per noleggi da 4 giorni in su.")
    assert it is not None
    assert (it.share, it.least, canonical_unit(it.unit)) == (0.15, 4, "day")
    de = count_discount("Bootsverleih 40 € pro Tag, ab 5 Tagen 10 % Rabatt.")
    assert de is not None
    assert (de.share, de.least, canonical_unit(de.unit)) == (0.1, 5, "day")
    nl = count_discount("Kano huren €25 per dag. 20% korting bij 3 dagen of meer.")
    assert nl is not None
    assert (nl.share, nl.least) == (0.2, 3)


def test_a_discount_with_a_condition_besides_the_count_is_not_read() -> None:
    assert (
        count_discount("Noleggio kayak 20 €/giorno. Sconto studenti 15% da 4 giorni in su.") is None
    )
    assert (
        count_discount("Bootsverleih 40 € pro Tag, 10 % Rabatt für Neukunden ab 5 Tagen.") is None
    )
    # a bare "da 4 giorni" is also "of 4 days": no threshold
    assert count_discount("Noleggio kayak 20 €/giorno. Sconto 15% per noleggi da 4 giorni.") is None


@given(share=st.integers(min_value=5, max_value=50), days=st.integers(min_value=2, max_value=30))
def test_any_italian_discount_reads_its_share_and_count(share: int, days: int) -> None:
    got = count_discount(f"Bici 12 €/giorno. Sconto {share}% da {days} giorni in su.")
    assert got is not None
    assert (round(got.share * 100), got.least) == (share, days)


_KAYAK = "Noleggio kayak sul lago di Garda: 20 €/giorno. Pagaia e giubbotto inclusi. Sconto 15% per noleggi da 4 giorni in su."


def test_a_rental_long_enough_gets_the_discount() -> None:
    ok, why, price = decided(
        _KAYAK, "Want to rent one kayak on Lake Garda for 5 days in June, max 90 euros."
    )
    assert ok, why
    assert price == 85  # 5 x 20 = 100, less 15%


def test_a_short_rental_pays_the_full_rate() -> None:
    ok, why, _ = decided(
        _KAYAK, "Want to rent one kayak on Lake Garda for 2 days in June, max 30 euros."
    )
    assert not ok  # 2 x 20 = 40 > 30: no discount for two days
    assert "price" in why


# --- rights the work comes with ----------------------------------------------------------------

_PORTRAIT = (
    "Pet portrait illustration: one digital portrait $120, delivered as a high-res file. {x}"
)
_CAT = "Looking for a digital portrait illustration of my cat, budget $150."


def test_copyright_or_usage_rights_included_are_given_with_the_work() -> None:
    for given_right in ("Full copyright transfer included.", "Commercial usage rights included."):
        ok, why, price = decided(_PORTRAIT.format(x=given_right), _CAT)
        assert ok, why
        assert price == 120


def test_rights_kept_or_limited_still_cannot_be_checked() -> None:
    for kept in ("Copyright stays with the artist.", "Personal usage rights included."):
        ok, why, _ = decided(_PORTRAIT.format(x=kept), _CAT)
        assert not ok
        assert "cannot check" in why
