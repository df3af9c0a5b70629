"""What a person reads: the activity log's stage lines and summary, ``watch``'s lines, the
negotiation reason classes."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.edge.activity import ActivityLog
from mediator_actors.edge.business import REASON_CLASSES, Business, reason_class
from mediator_actors.edge.watchlines import describe
from mediator_actors.monitoring import (
    HealthChanged,
    IntentIngested,
    NegotiationAligned,
    NegotiationFailed,
    SettlementChanged,
    SettlementProposed,
)

CLASSES = {name for name, _ in REASON_CLASSES} | {"other"}


# reason classes


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("not compatible: price: the offer asks 900 NLC, above the seek's budget", "price"),
        ("not compatible: timeline: the seek's deadline 2026-01-01 has already passed", "timeline"),
        (
            "not compatible: different services: the offer provides 'a fee calculator', "
            "the seek needs 'a timeline'",
            "service",
        ),
        (
            "not compatible: conditions clash: the offer states 'remote', the seek 'onsite'",
            "conditions",
        ),
        ("not compatible: both intents have the same author", "pairing"),
        ("confidence 49 is below the minimum of 60", "confidence"),
        ("not compatible: the offered service reads as an instruction to a model", "unsafe"),
        ("provider timed out", "provider"),
        (None, "other"),
        ("", "other"),
        ("something new", "other"),
    ],
)
def test_reasons_fall_into_a_few_classes_by_their_opening(
    reason: str | None, expected: str
) -> None:
    assert reason_class(reason) == expected


@given(st.one_of(st.none(), st.text()))
def test_any_reason_gets_one_known_class(reason: str | None) -> None:
    assert reason_class(reason) in CLASSES


# the activity log


def _log() -> tuple[ActivityLog, list[Business]]:
    totals = [Business()]
    return ActivityLog(totals=lambda: totals[-1]), totals


def _changed(state: str, **kw: Any) -> SettlementChanged:
    return SettlementChanged(
        settlement_id="ab" * 32,
        mediator_id="cd" * 32,
        own=True,
        state=state,
        previous="proposed",
        reason="both parties accepted",
        **kw,
    )


def test_one_line_per_stage_for_what_happened_since_the_last_flush(
    caplog: pytest.LogCaptureFixture,
) -> None:
    activity, _ = _log()
    for n in range(3):
        activity.observe(IntentIngested(intents=(f"{n:064x}",)))
    activity.observe(NegotiationAligned(pair="p1", confidence=80))
    activity.observe(NegotiationFailed(pair="p2", reason="not compatible: price: too dear"))
    activity.observe(NegotiationFailed(pair="p3", reason="not compatible: price: also"))
    activity.observe(NegotiationFailed(pair="p4", reason="confidence 40 is below the minimum"))
    activity.observe(SettlementProposed(pair="p1"))
    activity.observe(_changed("closed", payout_enqueued=True))
    with caplog.at_level(logging.INFO, logger="mediator.activity"):
        lines = activity.flush()
    assert lines == [
        "intents: 3 ingested",
        "negotiations: 4 done, 1 aligned, 3 declined (top reasons: price 2, confidence 1)",
        "settlements: 1 proposed, queued for the chain",
        "settlements: 1 closed, 1 payout claims queued",
    ]
    assert [r.getMessage() for r in caplog.records if r.name == "mediator.activity"] == lines
    assert activity.flush() == []  # nothing new, nothing said


def test_disputes_are_told_by_stage_and_outcome() -> None:
    from mediator_actors.monitoring import (
        DisputeEscalated,
        DisputeEvidenced,
        DisputeOpened,
        DisputeResolved,
    )

    activity, _ = _log()
    facts: dict[str, Any] = {"dispute_id": "dsp_x", "block_index": 3}
    for event in (
        DisputeOpened(**facts, detail="opened by alice"),
        DisputeOpened(**facts, detail="opened by bob"),
        DisputeEvidenced(**facts, detail="evidence frozen"),
        DisputeEscalated(**facts, detail="escalated to Guild"),
        DisputeResolved(**facts, detail="resolved: withdrawn"),
        DisputeResolved(**facts, detail="resolved: compromise"),
        DisputeResolved(**facts, detail="resolved: withdrawn"),
    ):
        activity.observe(event)
    assert activity.flush() == [
        "disputes: 2 opened, payout claims withheld while open",
        "disputes: 1 evidence entries frozen",
        "disputes: 1 escalated, packages follow",
        "disputes: 3 resolved (withdrawn 2, compromise 1)",
    ]
    assert activity.flush() == []


def test_another_mediators_settlements_are_not_this_nodes_achievements() -> None:
    activity, _ = _log()
    activity.observe(
        SettlementChanged(
            settlement_id="ab" * 32,
            mediator_id="ef" * 32,
            own=False,
            state="closed",
            previous="accepted",
            reason="x",
        )
    )
    assert activity.flush() == []


def test_the_summary_is_logged_only_when_the_totals_moved() -> None:
    activity, totals = _log()
    first = activity.summary()
    assert first is not None
    assert first.startswith("summary: 0 intents")
    assert activity.summary() is None
    totals.append(
        Business(
            intents={"offer": 10, "seek": 10},
            negotiations={"aligned": 4},
            closures=4,
            payouts=4,
            fees_claimed={"NLC": 0.253},
            proposals=4,
            acceptances=8,
            candidates=9,
        )
    )
    assert activity.summary() == (
        "summary: 20 intents (10 offers, 10 seeks), 9 candidate pairs, 4 negotiations "
        "(4 aligned), 4 proposals, 8 acceptances, 4 closed, 4 payouts claimed, fees 0.253 NLC"
    )
    assert activity.summary() is None


def test_posted_proposals_payouts_and_fees_are_told_as_they_move() -> None:
    activity, totals = _log()
    # A fresh node's baseline: nothing to say, even with a real store's zero buckets.
    totals.append(Business(latency_buckets=((0.005, 0), (0.025, 0))))
    assert activity.progress() == []
    totals.append(Business(proposals_posted=2))
    assert activity.progress() == ["chain: 2 proposals posted"]
    assert activity.progress() == []
    totals.append(Business(proposals_posted=4, payouts=2, fees_claimed={"NLC": 0.115}))
    assert activity.progress() == [
        "chain: 2 proposals posted",
        "payouts: 2 claims posted, fees 0.115 NLC",
    ]
    assert activity.progress() == []


def test_after_a_restart_the_first_reading_says_what_was_achieved_so_far() -> None:
    activity, totals = _log()
    totals.append(Business(intents={"offer": 1}, closures=1, payouts=1, fees_claimed={"NLC": 0.5}))
    assert activity.progress() == [
        "so far: 1 intents (1 offers), 0 candidate pairs, 0 negotiations (0 aligned), "
        "0 proposals, 0 acceptances, 1 closed, 1 payouts claimed, fees 0.5 NLC"
    ]
    assert activity.summary() is None  # the same totals are not repeated a minute later


def test_starting_up_is_info_and_a_real_problem_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    activity, _ = _log()
    with caplog.at_level(logging.INFO, logger="mediator.activity"):
        activity.observe(
            HealthChanged(status="degraded", ready=False, not_ready_reasons=("starting",))
        )
        activity.observe(HealthChanged(status="degraded", ready=True, problems=("chain down",)))
        activity.observe(HealthChanged(status="healthy", ready=True))
        activity.observe(
            HealthChanged(
                status="degraded",
                ready=False,
                not_ready_reasons=("draining", "actor root/chain_listener stopped"),
            )
        )
    levels = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "mediator.activity"]
    assert levels == [
        (logging.INFO, "health: starting, not ready yet"),
        (logging.WARNING, "health: degraded, ready (chain down)"),
        (logging.INFO, "health: healthy, ready"),
        (logging.INFO, "health: draining, not ready (stopping)"),  # asked for: not a warning
    ]


def test_a_health_line_names_each_reason_once(caplog: pytest.LogCaptureFixture) -> None:
    activity, _ = _log()
    with caplog.at_level(logging.INFO, logger="mediator.activity"):
        activity.observe(
            HealthChanged(
                status="degraded",
                ready=False,
                # after start-up ("starting" alone makes one calm line, tested above)
                not_ready_reasons=("vector index not loaded",),
                problems=("vector index not loaded", "not ready", "vectorDb degraded"),
            )
        )
    (line,) = [r.getMessage() for r in caplog.records if r.name == "mediator.activity"]
    assert line == "health: degraded, not ready (vector index not loaded; vectorDb degraded)"


# watch's lines

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
KINDS = st.sampled_from(
    [
        "intent_ingested",
        "negotiation_aligned",
        "negotiation_failed",
        "settlement_proposed",
        "settlement_mined",
        "settlement_changed",
        "challenge_resolved",
        "reputation_changed",
        "health_changed",
        "metrics_sampled",
        "something_new",
    ]
)


@given(
    st.sampled_from(["event", "snapshot", "other"]),
    st.sampled_from(["intents", "settlements", "health", "metrics", "reputation", "x"]),
    KINDS,
    st.dictionaries(
        st.sampled_from(
            [
                "intents",
                "parties",
                "settlement_id",
                "state",
                "previous",
                "reason",
                "own",
                "open",
                "queues",
                "confidence",
                "upheld",
                "settlements",
            ]
        ),
        JSON,
        max_size=6,
    ),
    JSON,
)
def test_any_frame_prints_as_one_safe_line(
    frame_type: str, channel: str, kind: str, data: dict[str, Any], ts: Any
) -> None:
    message = {"type": frame_type, "channel": channel, "ts": ts, "data": {"type": kind, **data}}
    line = describe(message)
    assert line is not None
    assert "\n" not in line
    assert "\r" not in line
    assert all(c.isprintable() for c in line)


@given(JSON)
def test_any_decoded_value_prints_without_raising(value: Any) -> None:
    line = describe(value)
    assert line is None or ("\n" not in line and all(c.isprintable() for c in line))


def test_a_declined_negotiation_reads_as_a_sentence() -> None:
    line = describe(
        {
            "type": "event",
            "channel": "negotiations",
            "ts": 0,
            "data": {
                "type": "negotiation_failed",
                "intents": ["01" * 32, "02" * 32],
                "parties": ["alice", "bob\x1b[2J"],
                "reason": "price: too dear\ninjected",
            },
        }
    )
    assert line is not None
    assert line.endswith(
        "negotiations declined 010101010101… + 020202020202… (alice, bob\\x1b[2J): "
        "price: too dear\\x0ainjected"
    )
    assert json.dumps(line)  # plain text


def test_a_dispute_event_reads_as_a_sentence() -> None:
    from mediator_actors.monitoring import DisputeOpened, encode_event

    event = DisputeOpened(
        dispute_id="dsp_" + "a" * 52,
        settlement_id="stl_" + "b" * 52,
        parties=("alice", "bob"),
        detail="opened by alice\x1b[2J",
        block_index=7,
    )
    line = describe({"type": "event", "channel": "disputes", "ts": 0, "data": encode_event(event)})
    assert line is not None
    assert line.endswith(
        "disputes     dispute dsp_aaaaaaaa… on settlement stl_bbbbbbbb… (alice, bob): "
        "opened by alice\\x1b[2J"
    )
