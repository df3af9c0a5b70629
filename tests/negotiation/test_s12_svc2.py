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
