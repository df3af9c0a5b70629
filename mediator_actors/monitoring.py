"""Monitoring events: what actors publish after commit and the WebSocket carries.

Each kind is a frozen dataclass named for what happened, in the past tense, after its
channel's noun (``intents`` carries :class:`IntentIngested`, ``settlements``
:class:`SettlementProposed` ...). Every kind has the three fields subscription filters
look at, :attr:`~MonitoringEvent.intents`, :attr:`~MonitoringEvent.parties` and
:attr:`~MonitoringEvent.settlement_id`, filled wherever the event concerns them, so a filter
on any of them matches on every channel where it makes sense.

:func:`encode_event` is the one encoder: ``{"type": <snake_case kind>, <fields>...}``, JSON
ready. The ``disputes`` channel carries :class:`DisputeOpened`, :class:`DisputeEvidenced`,
:class:`DisputeEscalated` and :class:`DisputeResolved` (``parties``: claimant, respondent).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from enum import Enum, StrEnum
from typing import Any, ClassVar, Protocol

from mediator_actors.disputes.book import DisputeChange
from mediator_actors.settlement.interface import Transition, TransitionKind


class Channel(StrEnum):
    INTENTS = "intents"
    NEGOTIATIONS = "negotiations"
    SETTLEMENTS = "settlements"
    CHALLENGES = "challenges"
    DISPUTES = "disputes"
    REPUTATION = "reputation"
    HEALTH = "health"
    METRICS = "metrics"


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitoringEvent:
    """The fields every kind shares; empty where the event concerns no intent or party."""

    channel: ClassVar[Channel]
    intents: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    settlement_id: str | None = None

    @classmethod
    def kind(cls) -> str:
        """``SettlementProposed`` -> ``settlement_proposed``: the wire's ``type``."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class IntentIngested(MonitoringEvent):
    """A new intent is in the store (``intents``: its ref; ``parties``: its author)."""

    channel: ClassVar[Channel] = Channel.INTENTS


@dataclass(frozen=True, slots=True, kw_only=True)
class NegotiationAligned(MonitoringEvent):
    """The pair's terms fit (``confidence`` 0-100); a proposal may follow."""

    channel: ClassVar[Channel] = Channel.NEGOTIATIONS
    pair: str
    confidence: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NegotiationFailed(MonitoringEvent):
    """The pair does not fit, with the reason."""

    channel: ClassVar[Channel] = Channel.NEGOTIATIONS
    pair: str
    confidence: float | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SettlementProposed(MonitoringEvent):
    """This node recorded a signed proposal; it is queued for the chain."""

    channel: ClassVar[Channel] = Channel.SETTLEMENTS
    pair: str
    content: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _SettlementFacts(MonitoringEvent):
    mediator_id: str
    own: bool
    state: str
    previous: str | None
    reason: str
    payout_enqueued: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SettlementMined(_SettlementFacts):
    """A proposal (this node's or another's) is on the chain."""

    channel: ClassVar[Channel] = Channel.SETTLEMENTS


@dataclass(frozen=True, slots=True, kw_only=True)
class SettlementChanged(_SettlementFacts):
    """A settlement moved to ``state`` (accepted, closed, rejected, expired, forfeited)."""

    channel: ClassVar[Channel] = Channel.SETTLEMENTS


@dataclass(frozen=True, slots=True, kw_only=True)
class ChallengeResolved(_SettlementFacts):
    channel: ClassVar[Channel] = Channel.CHALLENGES
    challenge_id: str | None
    upheld: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReputationChanged(MonitoringEvent):
    """``mediator_id``'s counters moved, because of the settlement named."""

    channel: ClassVar[Channel] = Channel.REPUTATION
    mediator_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthChanged(MonitoringEvent):
    """The judged status or readiness changed."""

    channel: ClassVar[Channel] = Channel.HEALTH
    status: str
    ready: bool
    problems: tuple[str, ...] = ()
    not_ready_reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricsSampled(MonitoringEvent):
    """The periodic figures (every 10 s by default); ``taken_at`` in epoch seconds."""

    channel: ClassVar[Channel] = Channel.METRICS
    taken_at: float
    queues: Mapping[str, int] = dataclass_field(default_factory=dict)
    quarantine: int = 0
    index_size: int = 0
    index_max: int = 0
    alignment_cycle_s: float | None = None
    llm_latency_p99_s: float | None = None
    settlement_success_rate: float | None = None
    resources: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _DisputeFacts(MonitoringEvent):
    channel: ClassVar[Channel] = Channel.DISPUTES
    dispute_id: str
    detail: str
    block_index: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DisputeOpened(_DisputeFacts):
    """A party of one of our settlements opened a dispute; its payout is withheld."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DisputeEvidenced(_DisputeFacts):
    """An ``[EVIDENCE]`` entry was frozen (its entry ref and hashes kept)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DisputeEscalated(_DisputeFacts):
    """A party escalated to a configured authority; the package follows."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DisputeResolved(_DisputeFacts):
    """The authority resolved it, or the claimant withdrew; ``detail`` names the outcome."""


#: Every kind, for tests and docs.
EVENT_KINDS: tuple[type[MonitoringEvent], ...] = (
    IntentIngested,
    NegotiationAligned,
    NegotiationFailed,
    SettlementProposed,
    SettlementMined,
    SettlementChanged,
    ChallengeResolved,
    ReputationChanged,
    HealthChanged,
    MetricsSampled,
    DisputeOpened,
    DisputeEvidenced,
    DisputeEscalated,
    DisputeResolved,
)


class EventSink(Protocol):
    """Where actors publish monitoring events after commit (the WebSocket hub)."""

    def publish(self, event: MonitoringEvent) -> int: ...


def encode_event(event: MonitoringEvent) -> dict[str, Any]:
    """The event as JSON-ready data: ``type`` first, then its fields in declaration order
    (the shared ones first); tuples become lists, enums their values."""
    data: dict[str, Any] = {"type": event.kind()}
    for f in fields(event):
        data[f.name] = _plain(getattr(event, f.name))
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def transition_events(t: Transition) -> Iterator[MonitoringEvent]:
    """What a committed settlement transition announces: the settlement or challenge
    event, then one :class:`ReputationChanged` per mediator whose counters moved."""
    about: dict[str, Any] = {
        "intents": t.intents,
        "parties": t.parties,
        "settlement_id": t.settlement_id,
    }
    facts: dict[str, Any] = {
        **about,
        "mediator_id": t.mediator_id,
        "own": t.own,
        "state": t.state.value,
        "previous": None if t.previous is None else t.previous.value,
        "reason": t.reason,
        "payout_enqueued": t.payout_enqueued,
    }
    if t.kind is TransitionKind.CHALLENGE_RESOLVED:
        yield ChallengeResolved(**facts, challenge_id=t.challenge_id, upheld=t.upheld)
    elif t.kind is TransitionKind.PROPOSAL_MINED:
        yield SettlementMined(**facts)
    else:
        yield SettlementChanged(**facts)
    for mediator in t.reputation_changed:
        yield ReputationChanged(**about, mediator_id=mediator)


_DISPUTE_EVENTS: dict[str, type[_DisputeFacts]] = {
    "opened": DisputeOpened,
    "evidence": DisputeEvidenced,
    "escalated": DisputeEscalated,
    "resolved": DisputeResolved,
}


def dispute_event(change: DisputeChange) -> MonitoringEvent:
    """What a committed dispute change announces on the ``disputes`` channel."""
    return _DISPUTE_EVENTS[change.kind.value](
        intents=change.intents,
        parties=change.parties,
        settlement_id=change.settlement_id,
        dispute_id=change.dispute_id,
        detail=change.detail,
        block_index=change.block_index,
    )
