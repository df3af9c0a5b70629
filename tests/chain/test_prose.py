"""Plain prose read as an offer or a seek only when it clearly is one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.chain.prose import MIN_CONFIDENCE, read_prose
from mediator_actors.model import IntentType


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Offering a Rust fluid-dynamics library, about 400 hours of work; 500 NLC.", "offer"),
        ("I can translate German technical manuals into English, 0.08 EUR per word.", "offer"),
        ("For sale: an oak bookshelf, two metres tall, 120 NLC, pick-up within 7 days.", "offer"),
        ("Looking for a logo designer for a small bakery; budget 200 NLC by March.", "seek"),
        ("We need a garden care service every week from April, up to 60 NLC a visit.", "seek"),
        ("Hiring a Python developer for a three month contract, 40 NLC per hour.", "seek"),
    ],
)
def test_clear_prose_is_read_with_its_type(text: str, kind: str) -> None:
    reading = read_prose(text)
    assert reading.type is IntentType(kind)
    assert reading.confidence >= MIN_CONFIDENCE


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Does anyone know a good logo designer for a bakery in town?", "a_question"),
        (
            "The weather on the chain has been lovely today, friends and neighbours.",
            "ambiguous_prose",
        ),
        ("[ACCEPT] stl_abc I accept the proposal as written, thank you.", "protocol_tagged"),
        ("hi there", "too_short"),
        (
            "Offering help, but really I am looking for a budget designer, wanted soon.",
            "ambiguous_prose",
        ),
    ],
)
def test_ambiguous_prose_is_left_alone_with_the_reason(text: str, reason: str) -> None:
    reading = read_prose(text)
    assert reading.type is None
    assert reading.reason == reason


@given(st.text(max_size=3000))
def test_any_text_gives_a_bounded_reading(text: str) -> None:
    reading = read_prose(text)
    assert 0.0 <= reading.confidence <= 1.0
    assert (reading.type is not None) == (reading.reason == "plain_prose")
    if reading.type is not None:
        assert reading.confidence >= MIN_CONFIDENCE
