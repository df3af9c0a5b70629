"""Service fit, session 12 (slice "svc2"): trades a seek names by the work it describes
(subtitles for footage, an application to build, servers to move), in the languages the
glossary covers, with the languages of the work held apart. All texts are invented."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.negotiation.trades import trade_fit
from tests.negotiation.helpers import decided

# --- trades named by their work -----------------------------------------------------------


def test_subtitling_is_sought_by_the_subtitles_and_the_footage() -> None:
    assert trade_fit(["Subtitling EN > DE"], "need German captions for a 40-minute webinar")
    # put into English by the glossary first
    assert trade_fit(["Legendagem ES → PT"], "Portuguese .srt file for my short film")


def test_subtitles_without_footage_or_a_class_are_not_subtitling_work() -> None:
    assert trade_fit(["Subtitling EN > DE"], "need a caption for my wedding photo") is None
    assert trade_fit(["Subtitling EN > DE"], "a tutor for German film lessons") is None


def test_a_developer_is_sought_by_the_application_and_its_features() -> None:
    assert (
        trade_fit(["Freelance web developer (Django)"], "a booking system with login for our gym")
        == "software development"
    )


def test_an_application_without_work_on_it_or_a_course_is_no_developer_job() -> None:
    assert trade_fit(["Freelance web developer (Django)"], "recommend me a fitness app") is None
    assert (
        trade_fit(["Freelance web developer (Django)"], "coding lessons: build an app with me")
        is None
    )


def test_a_sysadmin_is_sought_by_the_servers_and_what_is_done_to_them() -> None:
    assert (
        trade_fit(["Linux administrator, remote"], "our MySQL database migrated to a new VPS")
        == "system administration"
    )
    assert trade_fit(["Linux administrator, remote"], "my server rack needs cabling") is None
    assert trade_fit(["Linux administrator, remote"], "a VPS with 4 cores for rent") is None


_TEXTS = st.text(alphabet=st.sampled_from("abcdeilmnoprstuvw .,-"), max_size=60) | st.sampled_from(
    ["subtitles for my video", "an app with login", "server migration to a VPS", "lessons"]
)  # fmt: skip


@given(_TEXTS)
def test_no_trade_fits_an_offer_that_names_none(seek_text: str) -> None:
    assert trade_fit(["fresh sourdough bread"], seek_text) is None


# --- end to end ---------------------------------------------------------------------------


def test_a_subtitler_is_proposed_for_subtitles_in_its_languages() -> None:
    ok, why, price = decided(
        "Subtitling FR → EN, 3€ per minute of video, .srt delivered in 4 days.",
        "Need English subtitles for my 60-min French lecture recording. Budget 200€.",
    )
    assert ok, why
    assert price == 180


def test_a_subtitler_naming_no_language_cannot_be_held_to_the_seeks() -> None:
    ok, why, _ = decided(
        "Subtitling, 3€ per minute of video, .srt delivered in 4 days.",
        "Need Japanese subtitles for my 60-min lecture recording. Budget 200€.",
    )
    assert not ok
    assert "language" in why


def test_a_developer_is_proposed_for_an_application_to_build() -> None:
    ok, why, price = decided(
        "Freelance Python developer (Django / Vue). 50 GBP per hour, invoiced weekly.",
        "Our choir needs a booking system: login, seat map, admin export. "
        "A friend estimated 30 hours of work. Budget 1,600 GBP.",
    )
    assert ok, why
    assert price == 1500


def test_a_developer_is_not_proposed_for_coding_lessons() -> None:
    ok, _, _ = decided(
        "Freelance Python developer (Django / Vue). 50 GBP per hour, invoiced weekly.",
        "Want weekly coding lessons so I can build my own app with login. 30 GBP per hour.",
    )
    assert not ok


# --- a space let for a use, and its floor area --------------------------------------------


def test_the_area_of_a_space_is_told_from_the_size_of_a_thing() -> None:
    from mediator_actors.negotiation.reader import Span
    from mediator_actors.negotiation.sizes import names_space, space_area

    unit = "heated lock-up unit, 9 m2, for boxes"
    rug = "wool rug of 9 m2 for the lounge"
    assert space_area(unit, Span(21, 25, "9 m2"))
    assert not space_area(rug, Span(12, 16, "9 m2"))
    # a span that is not where the prose says is never taken as a space
    assert not space_area(unit, Span(0, 4, "9 m2"))
    assert names_space("spare cellar room")
    assert not names_space("steel shelving")


def test_a_bigger_space_for_the_use_sought_is_proposed() -> None:
    ok, why, price = decided(
        "Heated cellar room for storage, 15 m², £60/month, min 2 months. Leeds LS6.",
        "need storage ~8 m² for boxes and a bike for 3 months, Leeds. up to £200 total",
    )
    assert ok, why
    assert price == 180


def test_a_smaller_space_is_not_proposed_for_the_area_sought() -> None:
    ok, why, _ = decided(
        "Heated cellar room for storage, 5 m², £60/month, min 2 months. Leeds LS6.",
        "need storage ~8 m² for boxes and a bike for 3 months, Leeds. up to £200 total",
    )
    assert not ok
    assert "5" in why


def test_a_thing_for_a_use_is_no_space_for_it() -> None:
    # steel shelving sold "for storage" is not the storage space sought
    ok, _, _ = decided(
        "Steel shelving for storage, 15 m² of shelf, £60/month hire. Leeds LS6.",
        "need storage ~8 m² for boxes and a bike for 3 months, Leeds. up to £200 total",
    )
    assert not ok


def test_a_rug_of_another_size_is_not_the_rug_sought() -> None:
    ok, why, _ = decided(
        "Hand-knotted wool rug, 12 m², £300.",
        "looking for a wool rug of 10 m² for our hall, up to £350",
    )
    assert not ok
    assert "size" in why or "m2" in why


# --- a Dutch handyman and the call-out fee ------------------------------------------------

_KLUSJESMAN = "Klusjesman Utrecht: €35 per uur, voorrijkosten €10. Spiegels, planken, deuren."


def test_a_dutch_handyman_is_proposed_with_the_call_out_fee() -> None:
    ok, why, price = decided(
        _KLUSJESMAN,
        "Need a mirror and two shelves put up in my Utrecht flat, about 2 hours. Max €90.",
    )
    assert ok, why
    assert price == 80  # 2 h x 35 and the call-out once


def test_the_dutch_call_out_fee_is_not_left_out_of_the_total() -> None:
    ok, why, _ = decided(
        _KLUSJESMAN,
        "Need a mirror and two shelves put up in my Utrecht flat, about 2 hours. Max €75.",
    )
    assert not ok
    assert "80" in why or "cannot check" in why


def test_the_call_out_in_dutch_and_german_is_a_charge_on_the_order() -> None:
    from mediator_actors.negotiation.charges import CHARGE_STEMS
    from mediator_actors.negotiation.reader import rough_stem

    assert rough_stem("voorrijkosten") in CHARGE_STEMS
    assert rough_stem("Anfahrtspauschale".lower()) in CHARGE_STEMS
    assert rough_stem("planken") not in CHARGE_STEMS


def test_the_languages_an_offer_names_in_its_own_words_are_read() -> None:
    from mediator_actors.negotiation.offline import _languages_named

    assert _languages_named("Nederlandse les voor expats, Leiden") == {"dutch"}
    assert _languages_named("Lezioni di italiano online") == {"italian"}
    assert _languages_named("voice actor, warm British accent") == {"english"}
    assert _languages_named("Subtitling, 3€ per minute of video") == frozenset()
