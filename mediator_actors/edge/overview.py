"""The current state of each monitoring channel, for ``watch`` and the dashboard.

A subscriber gets :meth:`Overview.channel` once, right after it subscribes, so a quiet node
is not a silent one: ``health`` its status and readiness, ``intents`` / ``negotiations``
the counts, ``settlements`` the counts and the open settlements, ``disputes`` the counts
by outcome and the open disputes, ``reputation`` this node's counters, ``metrics`` the
latest figures. :meth:`dashboard` is all of it at once
(``GET /api/v1/overview``). Reads the snapshot box and the store, never an actor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mediator_actors.edge.business import OperatorModel
from mediator_actors.edge.readmodel import ReadModel
from mediator_actors.health.report import HealthSnapshot, SnapshotBox, judge, now_millis
from mediator_actors.store.jobs import CHAIN_OUTBOX, NEGOTIATIONS

#: The job queues the node declares, for a chart with one series per queue: the snapshot's
#: depths leave idle queues out.
QUEUE_NAMES: tuple[str, ...] = (NEGOTIATIONS.kind, CHAIN_OUTBOX.kind)


class Overview:
    def __init__(self, box: SnapshotBox, model: ReadModel | None) -> None:
        self.box = box
        self.model = model
        self.operator = model if isinstance(model, OperatorModel) else None

    def _report(self) -> tuple[HealthSnapshot, dict[str, Any]]:
        snap = self.box.get()
        return snap, judge(snap, now_ms=now_millis())

    def health(self) -> dict[str, Any]:
        _, rep = self._report()
        return {
            "status": rep["status"],
            "ready": rep["ready"],
            "problems": rep.get("problems", []),
            "not_ready_reasons": rep.get("notReadyReasons", []),
        }

    def metrics(self) -> dict[str, Any]:
        s, rep = self._report()
        return {
            "queues": dict(s.queue_depths),
            "queue_names": list(QUEUE_NAMES),
            "quarantine": s.quarantine_size,
            "index_size": s.index_size,
            "index_max": s.index_max,
            "alignment_cycle_s": s.alignment_cycle_s,
            "llm_latency_p99_s": s.llm_latency_p99_s,
            "settlement_success_rate": s.settlement_success_rate,
            "actors": rep.get("actors", []),
        }

    def channel(self, channel: str) -> dict[str, Any] | None:
        """The channel's current state, or ``None`` when there is nothing to say."""
        if channel == "health":
            return self.health()
        if channel == "metrics":
            return self.metrics()
        if channel == "reputation":
            return None if self.model is None else {"reputation": self.model.reputation(None)}
        op = self.operator
        if op is None:
            return None
        b = op.business()
        views: dict[str, Callable[[], dict[str, Any]]] = {
            "intents": lambda: {"intents": b.intents, "candidates": b.candidates},
            "negotiations": lambda: {
                "negotiations": b.negotiations,
                "declined_by_reason": b.declined_by_reason,
            },
            "settlements": lambda: {
                "settlements": b.settlements,
                "payouts": b.payouts,
                "fees_claimed": b.fees_claimed,
                "open": op.open_settlements(20),
            },
            "challenges": lambda: {"challenges": b.challenges},
            "disputes": lambda: {"disputes": b.disputes, "open": self.open_disputes(20)},
        }
        view = views.get(channel)
        return None if view is None else view()

    def open_disputes(self, limit: int) -> list[dict[str, Any]]:
        """Disputes not resolved yet (open, then escalated), the fields a line needs."""
        if self.model is None:
            return []
        found: list[dict[str, Any]] = []
        for state in ("open", "escalated"):
            found += self.model.disputes(state, limit, None).items
        return [
            {k: d.get(k) for k in ("dispute_id", "settlement_id", "state", "claimant", "issue")}
            for d in found[:limit]
        ]

    def dashboard(self) -> dict[str, Any]:
        """Everything the dashboard draws on load; the WebSocket keeps it current."""
        _, rep = self._report()
        out: dict[str, Any] = {
            "health": self.health(),
            "metrics": self.metrics(),
            "actors": rep.get("actors", []),
            "breakers": rep.get("breakers", []),
        }
        op = self.operator
        if op is not None:
            b = op.business()
            out.update(
                pipeline=b.pipeline(),
                business=b.to_json(),
                open_settlements=op.open_settlements(100),
                settlements=op.recent_settlements(100),
                negotiations=op.recent_negotiations(50),
                open_disputes=self.open_disputes(50),
            )
        if self.model is not None:
            out["reputation"] = self.model.reputation(None)
        return out
