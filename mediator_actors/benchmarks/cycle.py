"""One full alignment cycle over the shared corpus, stage by stage.

The corpus's intents are mined into 100 blocks of the embedded dev chain; then, through the
same plain classes the actors own:

1. ingestion: the chain follower reads every block over loopback HTTP into the store;
2. embedding and index build: the index keeper's core embeds the open intents, stores the
   vectors and builds the HNSW index;
3. candidate pass: nearest opposite-type neighbours, at most two open negotiations per
   intent, enqueued as durable negotiation jobs;
4. negotiations: every job is claimed and negotiated by the offline negotiator, which
   answers at once (the zero-latency provider: no network, deterministic);
5. proposals: the settlement agent turns every agreement into a signed proposal in the
   chain outbox.

The embedder for the cycle is ``hash`` (character n-grams, the cost class of the reference
implementation's embedder); the local model's one-time embedding cost is measured apart.
The offline negotiator judges service fit by meaning under the same embedder (``meaning=
"index"``: under hash, words alone decide, as on a node without the model), or under the
local model as a node with the model does (``meaning="local"``; every intent's service
phrases and opening are then embedded once, in batches).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from mediator_actors.benchmarks.corpus import corpus_path, extended_corpus
from mediator_actors.benchmarks.machine import COMMON_PACKAGES, machine
from mediator_actors.benchmarks.memory import status_mb
from mediator_actors.chain.client import ChainClient
from mediator_actors.chain.devchain import DevChain
from mediator_actors.chain.follower import ChainFollower, IntakeLimit
from mediator_actors.config import Settings, load_settings
from mediator_actors.embedding.hashing import HashEmbedder
from mediator_actors.index.hnsw import IndexParams
from mediator_actors.index.keeper import CandidateSettings, IndexCore
from mediator_actors.negotiation.jobs import claim_negotiations, run_negotiation_jobs
from mediator_actors.negotiation.meaning import ServiceSimilarity
from mediator_actors.negotiation.providers import OfflineProvider
from mediator_actors.negotiation.readpool import shared_reader_pool
from mediator_actors.negotiation.service import Negotiator, build_negotiator
from mediator_actors.runtime.offload import run_blocking
from mediator_actors.safety.secrets import Secret
from mediator_actors.safety.secretscan import SecretScanner
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.proposals import ProposalPolicy, decide_pending_proposals
from mediator_actors.signing import MediatorKey, generate_seed_hex
from mediator_actors.store import Store

REFERENCE = {"first_alignment_cycle_s": 22.6, "runbook_warning_s": 60.0}
TARGET_TOTAL_S = 4.0


def _entries(count: int) -> tuple[list[dict[str, Any]], str]:
    entries = []
    for intent in extended_corpus(count):
        metadata: dict[str, Any] = {
            "is_contract": True,
            "contract_type": intent.type.value,
            "status": "open",
        }
        if intent.offered_fee is not None:
            metadata["offered_fee"] = intent.offered_fee
        if intent.branch:
            metadata["branch"] = intent.branch
        entries.append(
            {
                "author": intent.author,
                "content": intent.content,
                "intent": intent.type.value,
                "metadata": metadata,
            }
        )
    path = corpus_path()
    source = str(path) if path is not None else "generated"
    return entries, source if count <= 10_000 else f"{source} + {count - 10_000} extended"


def ingest(store: Store, count: int) -> float:
    """Mine ``count`` intents into 100 blocks of a dev chain on loopback and follow it
    into ``store``; the seconds the follower took (mining is not counted)."""
    entries, _ = _entries(count)
    return _ingest(store, entries)


def _ingest(store: Store, entries: list[dict[str, Any]]) -> float:
    chain = DevChain(rate_limits=False)
    blocks = 100 if len(entries) >= 1000 else 10
    per_block = max(1, len(entries) // blocks)
    for start in range(0, len(entries), per_block):
        chain.add_block(entries[start : start + per_block])
    url = chain.start()
    client = ChainClient(url, offload=run_blocking)
    try:
        began = time.perf_counter()
        follower = ChainFollower(
            store=store,
            client=client,
            offload=run_blocking,
            read_pending=False,
            intake=IntakeLimit(per_author=10**9),
            blocks_per_poll=blocks + 1,
        )
        while not (result := follower.poll_once()).caught_up:
            if result.error:
                raise RuntimeError(f"ingestion failed: {result.error}")
        return time.perf_counter() - began
    finally:
        client.close()
        chain.stop()


def _local_embedding_cost(texts: list[str]) -> dict[str, Any]:
    try:
        from mediator_actors.embedding.local import LocalEmbedder

        embedder = LocalEmbedder()
    except Exception as exc:  # noqa: BLE001 - reported, not fatal to the cycle figures
        return {"local_embedding": f"unavailable: {exc}"}
    began = time.perf_counter()
    run_blocking(embedder.embed, texts)
    seconds = time.perf_counter() - began
    return {
        "local_embedding_s": round(seconds, 2),
        "local_embedding_per_s": round(len(texts) / seconds, 1),
    }


def _negotiator(settings: Settings, embedder: HashEmbedder, meaning: str) -> Negotiator:
    if meaning == "local":
        return build_negotiator(settings)  # the node's: the process-wide local model
    if meaning != "index":
        raise ValueError(f"meaning must be 'index' or 'local', not {meaning!r}")
    offline = OfflineProvider(similarity=ServiceSimilarity(embedder=embedder))
    return Negotiator(
        provider=offline,
        scanner=SecretScanner(settings.secrets()),
        min_confidence=settings.min_negotiation_confidence,
    )


def run(  # noqa: PLR0915 - one straight pass through the five stages reads best
    *,
    intents: int | None = None,
    quick: bool = False,
    local: bool | None = None,
    meaning: str = "index",
) -> dict[str, object]:
    """The cycle at ``intents`` (default 10,000; 1,000 when ``quick``). ``local``: also
    time the local model over the same texts (default: only at 10,000 or fewer).
    ``meaning``: the embedder the negotiator judges service fit with (module docstring)."""
    count = intents or (1_000 if quick else 10_000)
    entries, source = _entries(count)
    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}
    memory: dict[str, float | None] = {}
    figures: dict[str, Any] = {}
    readers = shared_reader_pool()
    cpu_began = 0.0

    def cpu_now() -> float:
        # this process and the reader processes: CPU time does not stretch with the load
        return time.process_time() + readers.cpu_seconds()

    def stage(name: str, began: float) -> None:
        stages[name] = time.perf_counter() - began
        cpu[name] = cpu_now() - cpu_began
        # the kernel's high-water mark: monotonic, so this stage's peak is the first
        # stage at which it rises
        memory[name] = status_mb().get("VmHWM")

    with tempfile.TemporaryDirectory() as folder:
        from mediator_actors.wiring import ALL_MIGRATIONS

        settings = load_settings({"DATA_DIR": str(Path(folder) / "data")}, cwd=Path(folder))
        store = Store.open(settings.data_dir, migrations=ALL_MIGRATIONS)
        try:
            cpu_began = cpu_now()
            stages["ingestion"] = _ingest(store, entries)
            cpu["ingestion"] = cpu_now() - cpu_began
            memory["ingestion"] = status_mb().get("VmHWM")

            began, cpu_began = time.perf_counter(), cpu_now()
            embedder = HashEmbedder(dimensions=384)
            core = IndexCore(
                store=store,
                embedder=embedder,
                folder=settings.vector_db_path,
                params=IndexParams(dimensions=384, max_items=max(count, 10)),
                candidates=CandidateSettings(max_jobs=10**9),
            )
            core.start(max_embed=count)
            stage("embedding_and_index_build", began)
            began, cpu_began = time.perf_counter(), cpu_now()
            queued = core.candidates()
            stage("candidate_pass", began)
            figures["candidate_pairs"] = len(queued)

            began, cpu_began = time.perf_counter(), cpu_now()
            negotiator = _negotiator(settings, embedder, meaning)
            offload = run_blocking if negotiator.cpu_bound else None  # as the pool's workers
            agreed = 0
            while claimed := claim_negotiations(store, now=time.time(), limit=256):
                results = run_negotiation_jobs(store, negotiator, claimed, offload=offload)
                agreed += sum(1 for r in results if r is not None and r.success)
            stage("negotiations", began)
            figures["agreements"] = agreed
            figures["reader_processes"] = readers.processes

            began, cpu_began = time.perf_counter(), cpu_now()
            key = MediatorKey.from_seed_hex(Secret(generate_seed_hex()))
            book = SettlementBook.from_settings(settings, key)
            policy = ProposalPolicy.from_settings(settings, book)
            decided = store.write(
                lambda conn: decide_pending_proposals(
                    conn, book, policy, now=time.time(), limit=10**9
                )
            )
            stage("proposals", began)
            figures["proposals"] = sum(1 for d in decided if d.settlement_id is not None)
        finally:
            store.close()
    if local if local is not None else count <= 10_000:
        figures.update(_local_embedding_cost([e["content"] for e in entries]))
    total = sum(stages.values())
    return {
        "intents": len(entries),
        "corpus": source,
        "negotiator_meaning": meaning,
        **{f"stage_{name}_s": round(seconds, 3) for name, seconds in stages.items()},
        "total_s": round(total, 3),
        # CPU seconds (this process and its reader processes) per stage: on a shared
        # machine the wall time stretches with the load, the CPU time much less
        **{f"stage_{name}_cpu_s": round(seconds, 3) for name, seconds in cpu.items()},
        "total_cpu_s": round(sum(cpu.values()), 3),
        "target_total_s": TARGET_TOTAL_S,
        "reference": REFERENCE,
        **{f"stage_{name}_peak_mb": mb for name, mb in memory.items()},
        "peak_mb": status_mb().get("VmHWM"),
        **figures,
        "machine": machine((*COMMON_PACKAGES, "tokenizers")),
    }
