"""Simulated parties: they answer the proposals mined on the embedded dev chain.

A development double, like the dev chain itself: they run only against the embedded dev
chain (dev mode and ``mediator-node demo``), never a real one. Each party accepts terms
that fit what it stated (an offer's ask, a seek's budget) and rejects the rest.
"""

from __future__ import annotations

import logging
from typing import Any

import gevent

from mediator_actors.chain.demo import DEMO_INTENTS
from mediator_actors.chain.devchain import DevChain
from mediator_actors.model import PROTOCOL
from mediator_actors.negotiation.reader import read_terms

logger = logging.getLogger(__name__)

DEMO_PARTIES = {author: (kind, content) for author, kind, _b, content, _f in DEMO_INTENTS}


def fits(party_kind: str, party_prose: str, price: float | None) -> bool:
    """Whether a proposed price fits what the party stated (no price: nothing to object to)."""
    if price is None:
        return True
    stated = read_terms(party_prose, offer=party_kind == "offer")
    if stated.hourly:
        return True  # per-hour prices against totals: the party reads the prose and agrees
    if party_kind == "offer":
        floor = stated.ask if stated.ask is not None else stated.price_min
        return floor is None or price >= floor
    return stated.price_max is None or price <= stated.price_max


class SimulatedParties:
    """Answers mined proposals on the dev chain on behalf of the demo's parties."""

    def __init__(self, chain: DevChain, parties: dict[str, tuple[str, str]] | None = None) -> None:
        self.chain = chain
        self.parties = DEMO_PARTIES if parties is None else parties
        self._next_block = 0
        self._answered: set[tuple[str, str]] = set()
        #: Answers found already on the chain (after a restart), counted, logged once a scan.
        self.already_answered = 0
        self._greenlet: gevent.Greenlet | None = None

    def start(self, interval: float = 0.5) -> None:
        self._greenlet = gevent.spawn(self._run, interval)

    def stop(self) -> None:
        if self._greenlet is not None:
            self._greenlet.kill(block=False)

    def _run(self, interval: float) -> None:
        while True:
            self.answer_new_proposals()
            gevent.sleep(interval)

    def answer_new_proposals(self) -> int:
        with self.chain.lock:
            blocks = list(self.chain.blocks[self._next_block :])
        answered = 0
        before = self.already_answered
        for block in blocks:
            self._next_block = block["index"] + 1
            for entry in block["entries"]:
                metadata = entry.get("metadata") or {}
                if metadata.get("contract_type") != "proposal":
                    continue
                answered += self._answer(metadata)
        if self.already_answered > before:
            logger.info(
                "demo: the parties had already answered %d proposals (a restart re-reads"
                " the chain)",
                self.already_answered - before,
            )
        return answered

    def _answer(self, proposal: dict[str, Any]) -> int:
        settlement_id = str(proposal.get("settlement_id"))
        price = (proposal.get("terms") or {}).get("price")
        answered = 0
        for party in proposal.get("parties") or []:
            if party not in self.parties or (settlement_id, party) in self._answered:
                continue
            kind, prose = self.parties[party]
            verdict = "accept" if fits(kind, prose, price) else "reject"
            reason = (
                "the terms fit what I stated"
                if verdict == "accept"
                else "the price does not fit what I stated"
            )
            status, body = self.chain.submit(
                f"[{verdict.upper()}] {settlement_id} {party}: {reason}.",
                party,
                "settlement_response",
                {
                    "is_contract": True,
                    "contract_type": "response",
                    "response_type": verdict,
                    "settlement_id": settlement_id,
                    "protocol": PROTOCOL,
                },
                check_rate=False,
            )
            if status == 201:
                self._answered.add((settlement_id, party))
                answered += 1
            elif isinstance(body, dict) and body.get("reason") == "duplicate":
                # After a restart the parties re-read the chain from block 0: their earlier
                # answers are already there. Expected, so not a warning.
                self._answered.add((settlement_id, party))
                self.already_answered += 1
            else:
                logger.warning("demo: %s could not answer %s: %s", party, settlement_id, body)
        return answered
