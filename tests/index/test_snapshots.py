import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediator_actors.index import snapshots
from mediator_actors.index.hnsw import IndexParams, VectorIndex
from mediator_actors.index.snapshots import LoadSource, SnapshotStore, load_or_rebuild
from mediator_actors.model import Intent

from .conftest import EMBEDDER


def _load(folder: Path, params: IndexParams) -> snapshots.LoadResult:
    return SnapshotStore(folder).load(embedder_id=EMBEDDER.id, params=params)


def test_a_snapshot_round_trip_keeps_refs_vectors_answers_and_cursor(
    tmp_path: Path, built: VectorIndex, params: IndexParams, vectors: np.ndarray
) -> None:
    built.remove([built.refs()[3]])
    info = SnapshotStore(tmp_path).save(built, cursor={"block": 41, "entry": 7})
    loaded = _load(tmp_path, params)
    assert loaded.source is LoadSource.CURRENT
    assert loaded.generation == info.generation == 1
    assert loaded.cursor == {"block": 41, "entry": 7}
    assert loaded.problems == []
    index = loaded.index
    assert index is not None
    assert index.refs() == built.refs()
    assert np.allclose(index.vectors_of(index.refs()), built.vectors_of(built.refs()), atol=1e-6)
    assert index.query(vectors[:25], 5) == built.query(vectors[:25], 5)
    index.add(["after-load"], vectors[:1])  # labels keep counting after a load
    assert index.label_of("after-load") == built._next_label


def test_ef_is_set_from_the_node_parameters_on_load_because_hnswlib_does_not_save_it(
    tmp_path: Path, built: VectorIndex, params: IndexParams
) -> None:
    SnapshotStore(tmp_path).save(built)
    wanted = IndexParams(dimensions=params.dimensions, ef=123, max_items=999, threads=1)
    index = _load(tmp_path, wanted).index
    assert index is not None
    assert index.native.ef == 123
    assert index.params.max_items == 999
    assert (index.params.m, index.params.ef_construction) == (params.m, params.ef_construction)


def test_only_the_newest_generations_are_kept(tmp_path: Path, built: VectorIndex) -> None:
    store = SnapshotStore(tmp_path, keep=2)
    for _ in range(4):
        store.save(built)
    assert store.generations() == [3, 4]
    assert (tmp_path / "CURRENT").read_text().startswith("gen-00000004 ")


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _gen(folder: Path, n: int) -> Path:
    return folder / f"gen-{n:08d}"


def _edit_manifest_and_damage(folder: Path) -> None:
    """An attacker who fixes up the manifest is caught by CURRENT's manifest digest."""
    index_file = _gen(folder, 2) / "index.bin"
    _flip(index_file, 8)
    manifest_path = _gen(folder, 2) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["index.bin"]["sha256"] = snapshots.sha256_file(index_file)
    manifest_path.write_text(json.dumps(manifest))


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "index truncated to half": lambda f: _truncate(_gen(f, 2) / "index.bin", 0.5),
    "index truncated to nothing": lambda f: _truncate(_gen(f, 2) / "index.bin", 0.0),
    "index header byte 0 flipped": lambda f: _flip(_gen(f, 2) / "index.bin", 0),
    "index header byte 8 flipped": lambda f: _flip(_gen(f, 2) / "index.bin", 8),
    "index header byte 40 flipped": lambda f: _flip(_gen(f, 2) / "index.bin", 40),
    "index last byte flipped": lambda f: _flip(_gen(f, 2) / "index.bin", -1),
    "index file missing": lambda f: (_gen(f, 2) / "index.bin").unlink(),
    "labels flipped": lambda f: _flip(_gen(f, 2) / "labels.json", 20),
    "labels truncated": lambda f: _truncate(_gen(f, 2) / "labels.json", 0.5),
    "manifest missing": lambda f: (_gen(f, 2) / "manifest.json").unlink(),
    "manifest truncated": lambda f: _truncate(_gen(f, 2) / "manifest.json", 0.5),
    "manifest not json": lambda f: (_gen(f, 2) / "manifest.json").write_text("NaN"),
    "manifest swapped with the older generation's": lambda f: shutil.copyfile(
        _gen(f, 1) / "manifest.json", _gen(f, 2) / "manifest.json"
    ),
    "manifest edited to match a damaged file": _edit_manifest_and_damage,
}


@pytest.fixture
def two_generations(
    tmp_path: Path, built: VectorIndex, vectors: np.ndarray
) -> tuple[Path, list[str]]:
    store = SnapshotStore(tmp_path)
    store.save(built, cursor=1)
    first_refs = built.refs()
    built.add(["newer"], vectors[:1])
    store.save(built, cursor=2)
    return tmp_path, first_refs


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_damaged_newest_generation_falls_back_to_the_previous_one(
    corruption: str, two_generations: tuple[Path, list[str]], params: IndexParams
) -> None:
    folder, first_refs = two_generations
    CORRUPTIONS[corruption](folder)
    loaded = _load(folder, params)
    assert loaded.source is LoadSource.FALLBACK
    assert loaded.generation == 1
    assert loaded.cursor == 1
    assert loaded.index is not None
    assert loaded.index.refs() == first_refs
    assert loaded.problems


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_when_every_generation_is_damaged_the_caller_is_told_to_rebuild(
    corruption: str, two_generations: tuple[Path, list[str]], params: IndexParams
) -> None:
    folder, _ = two_generations
    CORRUPTIONS[corruption](folder)
    shutil.rmtree(_gen(folder, 1))
    loaded = _load(folder, params)
    assert loaded.index is None
    assert loaded.source is LoadSource.REBUILD


def test_a_missing_current_falls_back_to_the_newest_generation_that_verifies(
    two_generations: tuple[Path, list[str]], params: IndexParams
) -> None:
    folder, _ = two_generations
    (folder / "CURRENT").unlink()
    loaded = _load(folder, params)
    assert loaded.source is LoadSource.FALLBACK
    assert loaded.generation == 2
    assert "CURRENT is missing" in loaded.problems


@pytest.mark.parametrize("pointer", ["", "garbage", "gen-00000009 " + "0" * 64, "gen-00000002 xyz"])
def test_a_bad_current_pointer_still_finds_a_good_generation(
    pointer: str, two_generations: tuple[Path, list[str]], params: IndexParams
) -> None:
    folder, _ = two_generations
    (folder / "CURRENT").write_text(pointer)
    loaded = _load(folder, params)
    assert loaded.index is not None
    assert loaded.generation == 2


def test_a_snapshot_of_another_embedder_is_never_loaded(
    tmp_path: Path, built: VectorIndex, params: IndexParams
) -> None:
    SnapshotStore(tmp_path).save(built)
    loaded = SnapshotStore(tmp_path).load(embedder_id="local:other-model", params=params)
    assert loaded.index is None
    assert any("embedders never share an index" in p for p in loaded.problems)


def test_an_empty_folder_is_empty_not_damaged(tmp_path: Path, params: IndexParams) -> None:
    loaded = _load(tmp_path / "nothing-here", params)
    assert loaded.source is LoadSource.EMPTY
    assert loaded.problems == []


def test_unverified_bytes_never_reach_hnswlib(
    monkeypatch: pytest.MonkeyPatch, two_generations: tuple[Path, list[str]], params: IndexParams
) -> None:
    folder, _ = two_generations
    shutil.rmtree(_gen(folder, 1))
    _flip(_gen(folder, 2) / "index.bin", 8)
    opened: list[str] = []

    class Spy:
        def __init__(self, **_: object) -> None:
            pass

        def load_index(self, path: str, **_: object) -> None:
            opened.append(path)

    monkeypatch.setattr(snapshots.hnswlib, "Index", Spy)
    assert _load(folder, params).index is None
    assert opened == []


def test_rebuilding_from_stored_vectors_equals_the_original(
    tmp_path: Path,
    built: VectorIndex,
    params: IndexParams,
    intents: list[Intent],
    vectors: np.ndarray,
) -> None:
    refs = [i.ref for i in intents]
    result = load_or_rebuild(
        SnapshotStore(tmp_path),
        embedder_id=EMBEDDER.id,
        params=params,
        stored_vectors=lambda: (refs, vectors),
    )
    assert result.source is LoadSource.REBUILD
    rebuilt = result.index
    assert rebuilt is not None
    assert rebuilt.refs() == built.refs()
    assert np.allclose(rebuilt.vectors_of(refs), built.vectors_of(refs), atol=1e-6)
    assert [row[0] for row in rebuilt.query(vectors, 1)] == [
        row[0] for row in built.query(vectors, 1)
    ]


CHILD = """
import sys
from pathlib import Path
from mediator_actors.index.hnsw import IndexParams
from mediator_actors.index.snapshots import SnapshotStore
folder = Path(sys.argv[1])
index_file = folder / "gen-00000001" / "index.bin"
original = index_file.read_bytes()
outcomes = set()
for offset in range(0, 96):
    data = bytearray(original)
    data[offset] ^= 0xFF
    index_file.write_bytes(bytes(data))
    result = SnapshotStore(folder).load(embedder_id=sys.argv[2], params=IndexParams(dimensions=64))
    outcomes.add(result.source.value)
for keep in (0, 7, 8, 50, len(original) // 2, len(original) - 1):
    index_file.write_bytes(original[:keep])
    outcomes.add(SnapshotStore(folder).load(embedder_id=sys.argv[2], params=IndexParams(dimensions=64)).source.value)
print(sorted(outcomes))
"""


@pytest.mark.slow
def test_no_flipped_header_byte_or_truncation_crashes_the_loading_process(
    tmp_path: Path, built: VectorIndex
) -> None:
    SnapshotStore(tmp_path).save(built)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), EMBEDDER.id],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['rebuild']"


def test_a_failed_save_is_an_index_error_and_keeps_the_previous_generation(
    tmp_path: Path, built: VectorIndex, params: IndexParams
) -> None:
    store = SnapshotStore(tmp_path)
    store.save(built, cursor=1)
    with pytest.raises(snapshots.VectorIndexError, match="snapshot failed"):
        store.save(built, cursor={"not": float("nan")})
    loaded = _load(tmp_path, params)
    assert loaded.source is LoadSource.CURRENT
    assert loaded.cursor == 1


def test_an_empty_index_round_trips(tmp_path: Path, params: IndexParams) -> None:
    SnapshotStore(tmp_path).save(VectorIndex(embedder_id=EMBEDDER.id, params=params))
    loaded = _load(tmp_path, params)
    assert loaded.index is not None
    assert len(loaded.index) == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    target=st.sampled_from(["manifest.json", "labels.json", "CURRENT"]),
    content=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=12), inner, max_size=4)
            ),
            max_leaves=12,
        ).map(lambda value: json.dumps(value).encode()),
    ),
)
def test_any_bytes_in_a_snapshot_file_end_in_a_fallback_or_a_rebuild(
    tmp_path_factory: pytest.TempPathFactory,
    built: VectorIndex,
    params: IndexParams,
    target: str,
    content: bytes,
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    SnapshotStore(folder).save(built, cursor=1)
    path = folder / "CURRENT" if target == "CURRENT" else _gen(folder, 1) / target
    path.write_bytes(content)
    loaded = _load(folder, params)
    assert loaded.source in {LoadSource.FALLBACK, LoadSource.REBUILD, LoadSource.CURRENT}
    if loaded.index is not None:
        assert loaded.index.refs() == built.refs()


def _save_disagreeing(store: SnapshotStore, index: VectorIndex, cursor: int) -> None:
    """A generation whose files all match its manifest (and CURRENT its manifest) while
    hnswlib holds one of the label map's live labels only as deleted: the snapshot that
    made hnswlib raise ``RuntimeError: Label not found`` at load and crash the keeper."""
    label = index.label_of(index.refs()[0])
    index.native.mark_deleted(label)
    store.save(index, cursor=cursor)
    index.native.unmark_deleted(label)


def test_a_generation_that_verifies_but_hnswlib_rejects_falls_back_to_the_older_one(
    tmp_path: Path, built: VectorIndex, params: IndexParams
) -> None:
    store = SnapshotStore(tmp_path)
    store.save(built, cursor=1)
    _save_disagreeing(store, built, cursor=2)
    loaded = _load(tmp_path, params)
    assert loaded.source is LoadSource.FALLBACK
    assert loaded.generation == 1
    assert loaded.cursor == 1
    assert loaded.index is not None
    assert loaded.index.refs() == built.refs()
    assert any("gen-00000002" in p and "Label not found" in p for p in loaded.problems)


def test_a_lone_generation_that_hnswlib_rejects_is_rebuilt_from_the_stored_vectors(
    tmp_path: Path, built: VectorIndex, params: IndexParams, vectors: np.ndarray
) -> None:
    store = SnapshotStore(tmp_path)
    _save_disagreeing(store, built, cursor=1)
    result = load_or_rebuild(
        store,
        embedder_id=EMBEDDER.id,
        params=params,
        stored_vectors=lambda: (built.refs(), vectors),
    )
    assert result.source is LoadSource.REBUILD
    assert result.index is not None
    assert result.index.refs() == built.refs()


def test_any_error_while_loading_a_verified_generation_is_a_problem_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, two_generations: tuple[Path, list[str]], params: IndexParams
) -> None:
    folder, first_refs = two_generations
    real = snapshots.SnapshotStore._load_generation
    calls: list[int] = []

    def flaky(self: SnapshotStore, generation: int, *args: object) -> object:
        calls.append(generation)
        if generation == 2:
            raise IndexError("an error nobody listed")
        return real(self, generation, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(snapshots.SnapshotStore, "_load_generation", flaky)
    loaded = _load(folder, params)
    assert calls == [2, 1]
    assert loaded.source is LoadSource.FALLBACK
    assert loaded.index is not None
    assert loaded.index.refs() == first_refs
    assert loaded.problems == ["gen-00000002: IndexError: an error nobody listed"]
