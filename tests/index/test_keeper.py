from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mediator_actors.embedding import HashEmbedder
from mediator_actors.index import keeper as keeper_module
from mediator_actors.index.hnsw import IndexParams
from mediator_actors.index.keeper import CandidateSettings, IndexCore, SyncReport
from mediator_actors.index.vectors import load_vectors
from mediator_actors.model import Intent, IntentStatus, IntentType
from mediator_actors.store import JobQueue, Store
from mediator_actors.store import intents as intents_table
from mediator_actors.store.intents import save_intent, set_intent_status

from .conftest import DIM


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting every text it is paid to embed."""

    def __init__(self) -> None:
        super().__init__(dimensions=DIM)
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return super().embed(texts)


def _core(store: Store, folder: Path, embedder: CountingEmbedder) -> IndexCore:
    params = IndexParams(dimensions=DIM, m=8, ef_construction=64, ef=64, threads=1)
    settings = CandidateSettings(threshold=0.3, max_jobs=50)
    return IndexCore(
        store=store, embedder=embedder, folder=folder, params=params, candidates=settings
    )


def _add(store: Store, intents: list[Intent]) -> None:
    def write(conn):
        for n, intent in enumerate(intents):
            save_intent(conn, intent, now=float(n))

    store.write(write)


def test_start_embeds_open_intents_once_and_is_ready_afterwards(
    full_store: Store, tmp_path: Path, intents: list[Intent]
) -> None:
    _add(full_store, intents[:40])
    embedder = CountingEmbedder()
    core = _core(full_store, tmp_path / "vectors", embedder)
    assert not core.ready
    report = core.start()
    assert core.ready
    assert report.source == "rebuild"
    assert report.sync.embedded == 40
    assert len(core.index) == 40
    assert core.health()["intents"] == 40
    assert core.sync().added == 0
    assert embedder.texts == 40


def test_sync_removes_closed_intents_and_embeds_only_new_ones(
    full_store: Store, tmp_path: Path, intents: list[Intent]
) -> None:
    _add(full_store, intents[:20])
    embedder = CountingEmbedder()
    core = _core(full_store, tmp_path / "vectors", embedder)
    core.start()
    full_store.write(
        lambda c: set_intent_status(
            c, intents[0].ref, IntentStatus.CLOSED, reason="settled", now=50.0
        )
    )
    _add(full_store, intents[20:25])
    report = core.sync(max_embed=3)
    assert (report.removed, report.embedded, report.pending) == (1, 3, 2)
    assert intents[0].ref not in core.index
    assert core.sync().embedded == 2
    assert embedder.texts == 25


def test_a_restart_loads_the_snapshot_and_pays_for_no_embedding(
    full_store: Store, tmp_path: Path, intents: list[Intent]
) -> None:
    _add(full_store, intents[:30])
    first = _core(full_store, tmp_path / "vectors", CountingEmbedder())
    first.start()
    assert first.snapshot(cursor={"block": 9}) == {"offer": 1, "seek": 1}
    embedder = CountingEmbedder()
    second = _core(full_store, tmp_path / "vectors", embedder)
    report = second.start()
    assert report.source == "snapshot"
    assert report.cursor == {"block": 9}
    assert embedder.texts == 0
    assert sorted(second.index.refs()) == sorted(first.index.refs())


def test_a_corrupted_snapshot_rebuilds_from_stored_vectors_without_embedding_again(
    full_store: Store, tmp_path: Path, intents: list[Intent]
) -> None:
    _add(full_store, intents[:30])
    first = _core(full_store, tmp_path / "vectors", CountingEmbedder())
    first.start()
    first.snapshot()
    (tmp_path / "vectors" / "offer" / "gen-00000001" / "index.bin").write_bytes(b"broken")
    embedder = CountingEmbedder()
    second = _core(full_store, tmp_path / "vectors", embedder)
    report = second.start()
    assert report.source == "rebuild"
    assert report.problems
    assert embedder.texts == 0
    assert len(second.index) == 30


def test_a_snapshot_hnswlib_rejects_after_its_digests_match_rebuilds_at_start(
    full_store: Store, tmp_path: Path, intents: list[Intent]
) -> None:
    """The keeper's start used to raise ``RuntimeError: Label not found`` on every restart."""
    _add(full_store, intents[:30])
    first = _core(full_store, tmp_path / "vectors", CountingEmbedder())
    first.start()
    offers = first.index.part(IntentType.OFFER)
    label = offers.label_of(offers.refs()[0])
    offers.native.mark_deleted(label)  # hnswlib deletes it, the label map keeps it
    first.snapshot()
    second = _core(full_store, tmp_path / "vectors", CountingEmbedder())
    report = second.start()
    assert report.source == "rebuild"
    assert any("Label not found" in p for p in report.problems)
    assert sorted(second.index.refs()) == sorted(first.index.refs())


def test_candidates_become_negotiation_jobs_once_and_respect_exclusions(
    full_store: Store, tmp_path: Path, intents: list[Intent]
) -> None:
    _add(full_store, intents[:80])
    core = _core(full_store, tmp_path / "vectors", CountingEmbedder())
    core.start()
    first = core.candidates()
    assert 0 < len(first) <= 50
    assert core.candidates(is_excluded=lambda key: True) == []
    second = core.candidates()
    assert second
    assert not {p.key for p in first} & {p.key for p in second}
    counts = full_store.read(lambda c: JobQueue("negotiation").counts(c))
    assert sum(counts.values()) == len(first) + len(second)


def test_the_node_settings_place_and_size_the_index(full_store: Store, tmp_path: Path) -> None:
    from mediator_actors.config import load_settings
    from mediator_actors.embedding import make_embedder_from_settings
    from mediator_actors.index.keeper import make_index_core

    settings = load_settings(
        {
            "DATA_DIR": str(tmp_path / "data"),
            "MAX_INTENTS_CACHE": "1234",
            "EMBEDDING_PROVIDER": "hash",
            "VECTOR_DIMENSIONS": str(DIM),
        },
        cwd=tmp_path,
    )
    embedder, degraded = make_embedder_from_settings(settings)
    core = make_index_core(settings, store=full_store, embedder=embedder, degraded=degraded)
    assert core.params.max_items == 1234
    assert core.params.dimensions == DIM
    assert core.folder == settings.vector_db_path
    assert core.health() == {
        "ready": False,
        "embedder": embedder.id,
        "degraded": None,
        "intents": 0,
    }


def test_a_pass_is_skipped_until_the_index_changes_once_every_pair_is_queued(
    full_store: Store, tmp_path: Path, intents: list[Intent]
) -> None:
    _add(full_store, intents[:30])
    core = _core(full_store, tmp_path / "vectors", CountingEmbedder())
    core.start()
    core.settings = CandidateSettings(threshold=0.3, max_jobs=10_000)
    assert core.candidates()
    assert core.candidates() == []  # skipped: nothing changed, everything queued
    _add(full_store, intents[30:60])
    assert core.sync().added == 30
    assert core.candidates()


def test_a_drain_interrupts_sync_between_embedding_batches(
    full_store: Store, tmp_path: Path, intents: list[Intent]
) -> None:
    _add(full_store, intents[:100])
    embedder = CountingEmbedder()
    params = IndexParams(dimensions=DIM, m=8, ef_construction=64, ef=64, threads=1)
    # Draining begins once the first batch of 16 is embedded.
    core = IndexCore(
        store=full_store,
        embedder=embedder,
        folder=tmp_path / "vectors",
        params=params,
        embed_batch=16,
        interrupted=lambda: embedder.texts >= 16,
    )
    report = core.start(max_embed=512)
    assert (report.sync.embedded, report.sync.pending) == (16, 84)
    assert embedder.texts == 16
    assert len(core.index) == 16  # what was embedded is stored and indexed, nothing lost


class _CountedReads:
    """Counts the keeper's reads of every open intent (``open_refs_and_types`` calls)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, conn, **kwargs):
        self.calls += 1
        return intents_table.open_refs_and_types(conn, **kwargs)


def _started_with_counted_reads(full_store, tmp_path, intents, monkeypatch):
    """A core started over 20 intents, its reads of the open intents counted from now on."""
    _add(full_store, intents[:20])
    core = _core(full_store, tmp_path / "vectors", CountingEmbedder())
    core.start()
    reads = _CountedReads()
    monkeypatch.setattr(keeper_module, "open_refs_and_types", reads)
    return core, reads


def test_an_idle_sync_reads_only_the_change_counter(
    full_store: Store, tmp_path: Path, intents: list[Intent], monkeypatch
) -> None:
    core, reads = _started_with_counted_reads(full_store, tmp_path, intents, monkeypatch)
    for _ in range(3):
        assert core.sync() == SyncReport()
    assert reads.calls == 0
    core.sync(force=True)
    assert reads.calls == 1


def test_changes_after_an_idle_sync_are_picked_up_in_the_next(
    full_store: Store, tmp_path: Path, intents: list[Intent], monkeypatch
) -> None:
    core, reads = _started_with_counted_reads(full_store, tmp_path, intents, monkeypatch)
    assert core.sync() == SyncReport()

    _add(full_store, intents[20:21])  # added
    assert core.sync().added == 1
    assert intents[20].ref in core.index
    assert core.sync() == SyncReport()

    # changed, at the same clock reading as its insert (a timestamp marker would miss it)
    full_store.write(
        lambda c: set_intent_status(c, intents[1].ref, IntentStatus.CLOSED, reason="x", now=1.0)
    )
    assert core.sync().removed == 1
    assert intents[1].ref not in core.index
    assert core.sync() == SyncReport()

    full_store.write(lambda c: intents_table.archive_intents(c, [intents[2].ref], "fork", now=2.0))
    assert core.sync().removed == 1
    assert intents[2].ref not in core.index
    assert core.sync() == SyncReport()

    # reopened: the open set's size is what it was, its members are not
    full_store.write(
        lambda c: set_intent_status(c, intents[1].ref, IntentStatus.OPEN, reason="y", now=1.0)
    )
    full_store.write(
        lambda c: set_intent_status(c, intents[3].ref, IntentStatus.CLOSED, reason="z", now=1.0)
    )
    report = core.sync()
    assert (report.added, report.removed) == (1, 1)
    assert intents[1].ref in core.index
    assert intents[3].ref not in core.index
    assert reads.calls == 4


def test_a_sync_with_work_left_reads_again_next_round(
    full_store: Store, tmp_path: Path, intents: list[Intent]
) -> None:
    _add(full_store, intents[:10])
    core = _core(full_store, tmp_path / "vectors", CountingEmbedder())
    core.start(max_embed=4)
    assert core.sync(max_embed=4).embedded == 4  # nothing was written in between
    assert core.sync().embedded == 2
    assert len(core.index) == 10
    assert core.sync() == SyncReport()


def test_start_and_sync_embed_from_contents_without_decoding_every_intent(
    full_store: Store, tmp_path: Path, intents: list[Intent], monkeypatch
) -> None:
    """A restart reads refs and types, and the contents of only what it embeds (decoding
    10k intents was 0.15-0.24 s of CPU before readiness)."""

    def refuse(*args, **kwargs):
        raise AssertionError("sync decoded every open intent")

    # the keeper reads whole intents nowhere now; sync must not read the pass's heads either
    monkeypatch.setattr(keeper_module, "open_intent_heads", refuse)
    monkeypatch.setattr(intents_table, "iter_intents", refuse)
    _add(full_store, intents[:30])
    embedder = CountingEmbedder()
    core = _core(full_store, tmp_path / "vectors", embedder)
    report = core.start(max_embed=10)
    assert (report.sync.embedded, report.sync.pending) == (10, 20)
    assert core.sync(max_embed=100).embedded == 20
    assert embedder.texts == 30
    wanted = {i.ref: i.content for i in intents[:30]}
    stored_refs, stored = full_store.read(
        lambda c: load_vectors(c, embedder.id, list(wanted), dimensions=DIM)
    )
    assert sorted(stored_refs) == sorted(wanted)
    assert np.allclose(stored, embedder.embed([wanted[r] for r in stored_refs]), atol=1e-6)
