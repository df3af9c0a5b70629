"""Settlement hot paths, each next to a baseline measured in the same run.

* ``build_proposal`` (canonical JSON, limit checks, one Ed25519 signature) against a bare
  Ed25519 signature of the same number of bytes;
* ``verify_metadata`` of a mined proposal against a bare Ed25519 verification;
* ``apply_mined_entry`` over a block of accept responses (one transaction, as the chain
  follower applies a block) against plain inserts of as many rows in the same store.

Bounded to a few seconds (``quick``: well under one). Run it off the hub: it blocks.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mediator_actors.benchmarks.machine import machine
from mediator_actors.config import ConsensusMode
from mediator_actors.model import (
    ChainEntry,
    EntryRef,
    Intent,
    IntentType,
    NegotiationResult,
    Terms,
    digest_id,
    entry_ref,
)
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import build_proposal
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.records import MIGRATIONS, count_by_state
from mediator_actors.settlement.reputation import MIGRATIONS as REPUTATION_MIGRATIONS
from mediator_actors.signing import MediatorKey, signing_bytes, verify_metadata, verify_signature
from mediator_actors.store import probe
from mediator_actors.store.database import apply_migrations
from mediator_actors.store.intents import MIGRATIONS as INTENT_MIGRATIONS
from mediator_actors.store.jobs import MIGRATIONS as JOB_MIGRATIONS

_NOW = 1_800_000_000.0


def _per_op_us(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return {
        "median_us": round(statistics.median(samples), 1),
        "p99_us": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 1),
    }


def _intent(label: str, kind: IntentType, author: str) -> Intent:
    return Intent(
        ref=EntryRef(digest_id("ent", label.encode())),
        author=author,
        type=kind,
        content=label,
        timestamp="2027-01-15T07:00:00",
    )


def _result() -> NegotiationResult:
    return NegotiationResult(
        success=True,
        confidence=80,
        reasoning="Both parties want a fluid-dynamics library delivered in 60 days. " * 10,
        model_id="bench",
        model_integrity_hash=digest_id("mih", b"bench"),
        terms=Terms(500.0, ("library", "docs", "tests"), "60 days", ("git delivery",)),
    )


def _mined(payload: dict[str, Any], block: int) -> ChainEntry:
    stamp = "2027-01-15T08:00:00"
    return ChainEntry(
        author=payload["author"],
        content=payload["content"],
        intent=payload["intent"],
        timestamp=stamp,
        metadata=payload["metadata"],
        ref=entry_ref(payload["author"], payload["content"], stamp),
        block_index=block,
    )


def _apply_block(settlements: int) -> dict[str, float]:
    rival = MediatorKey.generate()
    signer = ConsensusSigner(ConsensusMode.PERMISSIONLESS)
    proposals = [
        build_proposal(
            offer=_intent(f"o{i}", IntentType.OFFER, f"seller{i}"),
            seek=_intent(f"s{i}", IntentType.SEEK, f"buyer{i}"),
            result=_result(),
            key=rival,
            consensus=signer,
            fee_percent=1.0,
            window_hours=72,
            now=_NOW,
        )
        for i in range(settlements)
    ]
    responses = []
    for i, draft in enumerate(proposals):
        for author in (f"seller{i}", f"buyer{i}"):
            responses.append(
                {
                    "content": f"[ACCEPT] {draft.settlement_id}",
                    "author": author,
                    "intent": "settlement_response",
                    "metadata": {
                        "is_contract": True,
                        "contract_type": "response",
                        "response_type": "accept",
                        "settlement_id": draft.settlement_id,
                        "protocol": "nlc-mediator/2",
                    },
                }
            )
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(Path(folder) / "bench.db", isolation_level=None)
        conn.row_factory = sqlite3.Row
        # The store's settings: WAL, synchronous=FULL (one fsync per block's commit).
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        apply_migrations(
            conn,
            [
                *JOB_MIGRATIONS,
                *INTENT_MIGRATIONS,
                *MIGRATIONS,
                *REPUTATION_MIGRATIONS,
                *probe.MIGRATIONS,
            ],
        )
        book = SettlementBook(key=MediatorKey.generate(), clock=time.time)

        def block(entries: list[ChainEntry]) -> float:
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            for entry in entries:
                book.apply_mined_entry(conn, entry, _NOW + 60)
            conn.execute("COMMIT")
            return time.perf_counter() - start

        proposal_s = block([_mined(p.entry.payload(), 1) for p in proposals])
        response_entries = [_mined(r, 2) for r in responses]
        response_s = block(response_entries)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for entry in response_entries:
            probe.insert_probe(conn, entry.ref + "x", entry.content)
        conn.execute("COMMIT")
        baseline_s = time.perf_counter() - start
        closed = count_by_state(conn)["closed"]
        conn.close()
    return {
        "proposals_applied": settlements,
        "proposal_entry_us": round(proposal_s / settlements * 1e6, 1),
        "responses_applied": len(responses),
        "response_entry_us": round(response_s / len(responses) * 1e6, 1),
        "baseline_insert_us": round(baseline_s / len(responses) * 1e6, 1),
        "ratio_response_to_insert": round(response_s / max(baseline_s, 1e-9), 1),
        "closed": closed,
    }


def run(*, intents: int | None = None, quick: bool = False) -> dict[str, object]:
    """Measure and return the figures. ``intents`` intents make ``intents // 2`` settlements
    (each pairs two), capped at 2,000 to stay within seconds; ``quick`` uses 50."""
    repeat = 50 if quick else 300
    settlements = 50 if quick and intents is None else max(1, min((intents or 1000) // 2, 2000))
    key = MediatorKey.generate()
    signer = ConsensusSigner(ConsensusMode.PERMISSIONLESS)
    offer = _intent("offer", IntentType.OFFER, "alice")
    seek = _intent("seek", IntentType.SEEK, "bob")
    draft = build_proposal(
        offer=offer,
        seek=seek,
        result=_result(),
        key=key,
        consensus=signer,
        fee_percent=1.0,
        window_hours=72,
        now=_NOW,
    )
    message = signing_bytes(draft.entry.metadata)
    signature = draft.entry.metadata["signature"]
    figures: dict[str, object] = {
        "build_proposal": _per_op_us(
            lambda: build_proposal(
                offer=offer,
                seek=seek,
                result=_result(),
                key=key,
                consensus=signer,
                fee_percent=1.0,
                window_hours=72,
                now=_NOW,
            ),
            repeat,
        ),
        "baseline_ed25519_sign": _per_op_us(lambda: key.sign(message), repeat),
        "verify_metadata": _per_op_us(lambda: verify_metadata(draft.entry.metadata), repeat),
        "baseline_ed25519_verify": _per_op_us(
            lambda: verify_signature(key.mediator_id, signature, message), repeat
        ),
        "metadata_bytes": len(message),
        "apply_block": _apply_block(settlements),
        "machine": machine(),
        "note": "each block is one transaction on a WAL, synchronous=FULL database, as "
        "the chain follower applies it inside Store.write",
    }
    return figures
