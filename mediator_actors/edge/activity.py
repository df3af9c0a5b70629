"""The operator's narrative in the log: one line per stage as work happens, and a summary
line every minute while anything changed.

:class:`ActivityLog` listens to the event hub (the same typed events the WebSocket carries),
gathers what arrives within ``window`` seconds per stage and logs one line each
(``intents: 20 ingested``, ``negotiations: 8 done, 5 aligned, 3 declined (price 2, timeline
1)``); every ``progress_every`` seconds it reads the store's totals (:mod:`business`) for
what no event announces (proposals and payout claims posted, fees); every
``summary_every`` seconds it logs the totals if they moved. :meth:`observe` never blocks and never raises into the publisher.
The class holds no greenlet logic of its own beyond :meth:`start`; tests drive
:meth:`flush` and :meth:`summary` directly.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

import gevent

from mediator_actors.edge.business import Business, fees_text, reason_class
from mediator_actors.monitoring import (
    ChallengeResolved,
    DisputeEscalated,
    DisputeEvidenced,
    DisputeOpened,
    DisputeResolved,
    HealthChanged,
    IntentIngested,
    MonitoringEvent,
    NegotiationAligned,
    NegotiationFailed,
    SettlementChanged,
    SettlementMined,
    SettlementProposed,
)

log = logging.getLogger("mediator.activity")


_DISPUTE_STAGES: dict[type[MonitoringEvent], str] = {
    DisputeOpened: "dispute opened",
    DisputeEvidenced: "dispute evidence",
    DisputeEscalated: "dispute escalated",
}


def _top(counter: Counter[str], n: int = 3) -> str:
    return ", ".join(f"{name} {count}" for name, count in counter.most_common(n))


def summary_line(b: Business) -> str:
    intents = sum(b.intents.values())
    kinds = ", ".join(f"{v} {k}s" for k, v in sorted(b.intents.items()))
    negotiated = sum(b.negotiations.values())
    return (
        f"summary: {intents} intents ({kinds or 'none'}), {b.candidates} candidate pairs, "
        f"{negotiated} negotiations ({b.negotiations.get('aligned', 0)} aligned), "
        f"{b.proposals} proposals, {b.acceptances} acceptances, {b.closures} closed, "
        f"{b.payouts} payouts claimed, fees {fees_text(b.fees_claimed)}"
    )


class ActivityLog:
    def __init__(
        self,
        *,
        totals: Callable[[], Business] | None = None,
        window: float = 1.0,
        summary_every: float = 60.0,
        progress_every: float = 5.0,
        logger: logging.Logger = log,
    ) -> None:
        self.totals = totals
        self.progress_every = progress_every
        self.window = window
        self.summary_every = summary_every
        self.log = logger
        self._counts: Counter[str] = Counter()
        self._declined: Counter[str] = Counter()
        self._resolved: Counter[str] = Counter()
        self._payouts = 0
        self._last_summary: Business | None = None
        self._last_progress: Business | None = None
        self._greenlets: list[gevent.Greenlet] = []

    # the hub calls this for every event, after commit

    def observe(self, event: MonitoringEvent) -> None:
        if isinstance(event, IntentIngested):
            self._counts["ingested"] += 1
        elif isinstance(event, NegotiationAligned):
            self._counts["aligned"] += 1
        elif isinstance(event, NegotiationFailed):
            self._counts["declined"] += 1
            self._declined[reason_class(event.reason)] += 1
        elif isinstance(event, SettlementProposed):
            self._counts["proposed"] += 1
        elif isinstance(event, SettlementMined) and event.own:
            self._counts["on the chain"] += 1
        elif isinstance(event, SettlementChanged) and event.own:
            self._counts[event.state] += 1
            self._payouts += event.payout_enqueued
        elif isinstance(event, ChallengeResolved):
            self._counts["challenge upheld" if event.upheld else "challenge rejected"] += 1
        elif isinstance(event, DisputeOpened | DisputeEvidenced | DisputeEscalated):
            self._counts[_DISPUTE_STAGES[type(event)]] += 1
        elif isinstance(event, DisputeResolved):
            # detail reads "resolved: <outcome>": the outcome, a bounded word, not prose
            self._resolved[event.detail.removeprefix("resolved: ")[:40]] += 1
        elif isinstance(event, HealthChanged):
            # Rare and important: at once, not batched.
            if "starting" in event.not_ready_reasons:
                # Expected, and every other reason then (index not loaded, actors starting)
                # only says the same: one calm line, no list to read.
                self.log.info("health: starting, not ready yet")
                return
            if "draining" in event.not_ready_reasons:
                # The operator asked for the stop; actors stopping is its consequence.
                self.log.info("health: draining, not ready (stopping)")
                return
            # The report's own "not ready" problem would repeat what the line already says.
            problems = [p for p in event.problems if p != "not ready"]
            detail = "; ".join(dict.fromkeys((*event.not_ready_reasons, *problems)))
            ready = "ready" if event.ready else "not ready"
            line = f"health: {event.status}, {ready}" + (f" ({detail})" if detail else "")
            level = logging.INFO if event.status == "healthy" else logging.WARNING
            self.log.log(level, "%s", line)

    def flush(self) -> list[str]:
        """Log (and return) one line per stage that saw events since the last flush."""
        c, lines = self._counts, []
        if c["ingested"]:
            lines.append(f"intents: {c['ingested']} ingested")
        done = c["aligned"] + c["declined"]
        if done:
            line = f"negotiations: {done} done, {c['aligned']} aligned, {c['declined']} declined"
            if self._declined:
                line += f" (top reasons: {_top(self._declined)})"
            lines.append(line)
        if c["proposed"]:
            lines.append(f"settlements: {c['proposed']} proposed, queued for the chain")
        if c["on the chain"]:
            lines.append(f"settlements: {c['on the chain']} proposals mined")
        for state in ("accepted", "closed", "rejected", "expired", "forfeited"):
            if c[state]:
                line = f"settlements: {c[state]} {state}"
                if state == "closed" and self._payouts:
                    line += f", {self._payouts} payout claims queued"
                lines.append(line)
        for outcome in ("challenge upheld", "challenge rejected"):
            if c[outcome]:
                lines.append(f"challenges: {c[outcome]} {outcome.split()[1]}")
        lines += self._dispute_lines(c)
        self._counts, self._declined, self._payouts = Counter(), Counter(), 0
        self._resolved = Counter()
        for line in lines:
            self.log.info("%s", line)
        return lines

    def _dispute_lines(self, c: Counter[str]) -> list[str]:
        lines = []
        if c["dispute opened"]:
            lines.append(
                f"disputes: {c['dispute opened']} opened, payout claims withheld while open"
            )
        if c["dispute evidence"]:
            lines.append(f"disputes: {c['dispute evidence']} evidence entries frozen")
        if c["dispute escalated"]:
            lines.append(f"disputes: {c['dispute escalated']} escalated, packages follow")
        if self._resolved:
            lines.append(
                f"disputes: {sum(self._resolved.values())} resolved ({_top(self._resolved)})"
            )
        return lines

    def progress(self) -> list[str]:
        """What only the store shows (no event says it): proposals and payout claims the
        chain accepted, and the fees claimed, as lines for what moved since last time."""
        if self.totals is None:
            return []
        now = self.totals()
        before, self._last_progress = self._last_progress, now
        if before is None:
            # The first reading is the baseline, not news; after a restart it is what the
            # node achieved so far, said once.
            if not now.is_empty():
                self._last_summary = now
                line = "so far: " + summary_line(now).removeprefix("summary: ")
                self.log.info("%s", line)
                return [line]
            return []
        lines = []
        posted = now.proposals_posted - before.proposals_posted
        if posted > 0:
            lines.append(f"chain: {posted} proposals posted")
        paid = now.payouts - before.payouts
        if paid > 0:
            fees = {
                currency: total - before.fees_claimed.get(currency, 0.0)
                for currency, total in now.fees_claimed.items()
            }
            new = {currency: amount for currency, amount in fees.items() if amount > 0}
            lines.append(f"payouts: {paid} claims posted, fees {fees_text(new)}")
        for line in lines:
            self.log.info("%s", line)
        return lines

    def summary(self) -> str | None:
        """The totals line, logged only when they moved since the last one."""
        if self.totals is None:
            return None
        current = self.totals()
        if current == self._last_summary:
            return None
        self._last_summary = current
        line = summary_line(current)
        self.log.info("%s", line)
        return line

    # greenlets

    def start(self) -> None:
        self._greenlets = [
            gevent.spawn(self._every, self.window, self.flush),
            gevent.spawn(self._every, self.progress_every, self.progress, now=True),
            gevent.spawn(self._every, self.summary_every, self.summary),
        ]

    def stop(self) -> None:
        for g in self._greenlets:
            g.kill(block=False)
        self._greenlets = []
        try:
            self.flush()
        except Exception:  # a last flush must never stop a shutdown
            log.debug("activity: last flush failed", exc_info=True)

    def _every(self, seconds: float, fn: Callable[[], Any], *, now: bool = False) -> None:
        if not now:
            gevent.sleep(seconds)
        while True:
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - the narrative must never stop the node
                log.debug("activity: %s failed (%s)", fn.__name__, type(exc).__name__)
            gevent.sleep(seconds)
