"""Crash-safe index snapshots: generations, a SHA-256 manifest, an atomic ``CURRENT``.

Layout under the index folder (``VECTOR_DB_PATH``)::

    CURRENT                  "gen-00000042 <sha256 of its manifest.json>\\n"
    gen-00000042/index.bin   hnswlib's save_index
    gen-00000042/labels.json label <-> ref map, in insertion order
    gen-00000042/manifest.json  parameters, embedder id, counts, chain cursor, and the
                                SHA-256 and size of every other file

Saving writes a new generation into a temporary folder (each file fsynced), renames it into
place, fsyncs the folder, then switches ``CURRENT`` (temp file + fsync + ``os.replace`` +
folder fsync). A crash at any point leaves the previous generation intact and pointed to.

Loading never hands an unverified file to hnswlib: a flipped header byte can make
``load_index`` segfault or return labels never inserted (field notes), so every file's size
and SHA-256 are checked against the manifest first, and the manifest's parameters against
what the node expects. ``CURRENT``'s generation is tried first, then older ones, newest
first; when none verifies, the caller rebuilds from the stored vectors. Every failure is a
recorded problem, never an exception out of :meth:`SnapshotStore.load`.

Both :meth:`SnapshotStore.save` and :meth:`SnapshotStore.load` are blocking (file I/O,
hashing, fsync, native hnswlib): offload them with ``run_blocking``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import hnswlib
import numpy as np

from mediator_actors.errors import VectorIndexError
from mediator_actors.index.hnsw import IndexParams, VectorIndex
from mediator_actors.runtime.files import fsync_dir, fsync_file, sha256_file

logger = logging.getLogger(__name__)

FORMAT = 1
CURRENT = "CURRENT"
INDEX_FILE = "index.bin"
LABELS_FILE = "labels.json"
MANIFEST_FILE = "manifest.json"
_DATA_FILES = (INDEX_FILE, LABELS_FILE)
_GENERATION = re.compile(r"^gen-(\d{8})$")
#: Manifests and label maps are small; anything larger is not ours.
_MAX_JSON_BYTES = 64 * 1024 * 1024


class LoadSource(StrEnum):
    CURRENT = "current"  # the generation CURRENT names
    FALLBACK = "fallback"  # an older generation, because the newer ones failed to verify
    REBUILD = "rebuild"  # nothing verified: rebuilt from the stored vectors
    EMPTY = "empty"  # no snapshot at all and nothing to rebuild from


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    generation: int
    path: Path
    count: int
    cursor: Any


@dataclass(slots=True)
class LoadResult:
    """What :meth:`SnapshotStore.load` found. ``index`` is None when the caller must rebuild."""

    index: VectorIndex | None
    source: LoadSource
    generation: int | None = None
    cursor: Any = None
    problems: list[str] = field(default_factory=list)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _read_json(path: Path) -> Any:
    if path.stat().st_size > _MAX_JSON_BYTES:
        raise ValueError(f"{path.name} is too large")
    return json.loads(path.read_bytes(), parse_constant=_reject_constant)


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class SnapshotStore:
    """Generations of one index under ``folder``; keeps the newest ``keep`` of them."""

    def __init__(self, folder: Path, *, keep: int = 3, clock: Callable[[], float] = time.time):
        self.folder = folder
        self.keep = max(2, keep)
        self._clock = clock

    # -- save ---------------------------------------------------------------------------

    def save(self, index: VectorIndex, *, cursor: Any = None) -> SnapshotInfo:
        """Blocking: write a new generation and switch ``CURRENT`` to it.

        ``cursor`` is the chain cursor the index reflects (any JSON value); it comes back
        from :meth:`load`. Costs about the index file size in writes plus three fsyncs.
        A failure (disk full, permissions) raises :class:`VectorIndexError` and leaves the
        previous generation current.
        """
        try:
            return self._save(index, cursor)
        except (OSError, RuntimeError, TypeError, ValueError) as exc:
            raise VectorIndexError(f"index snapshot failed in {self.folder}: {exc}") from exc

    def _save(self, index: VectorIndex, cursor: Any) -> SnapshotInfo:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        generation = max(self.generations(), default=0) + 1
        name = f"gen-{generation:08d}"
        staging = self.folder / f".{name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700)
        index.native.save_index(str(staging / INDEX_FILE))
        fsync_file(staging / INDEX_FILE)
        _write_durably(
            staging / LABELS_FILE, json.dumps(index._label_state(), separators=(",", ":")).encode()
        )
        manifest = {
            "format": FORMAT,
            "generation": generation,
            "embedder_id": index.embedder_id,
            "space": "cosine",
            "params": asdict(index.params),
            "capacity": index.capacity,
            "count": len(index),
            "element_count": index.element_count,
            "cursor": cursor,
            "created_at": self._clock(),
            "files": {
                file: {
                    "sha256": sha256_file(staging / file),
                    "size": (staging / file).stat().st_size,
                }
                for file in _DATA_FILES
            },
        }
        manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1, allow_nan=False).encode()
        _write_durably(staging / MANIFEST_FILE, manifest_bytes)
        fsync_dir(staging)
        final = self.folder / name
        os.replace(staging, final)
        fsync_dir(self.folder)
        pointer = f"{name} {hashlib.sha256(manifest_bytes).hexdigest()}\n".encode()
        temporary = self.folder / f".{CURRENT}.tmp"
        _write_durably(temporary, pointer)
        os.replace(temporary, self.folder / CURRENT)
        fsync_dir(self.folder)
        self._prune(generation)
        return SnapshotInfo(generation=generation, path=final, count=len(index), cursor=cursor)

    def generations(self) -> list[int]:
        """Generation numbers on disk, oldest first (verified or not)."""
        if not self.folder.is_dir():
            return []
        found = []
        for entry in self.folder.iterdir():
            match = _GENERATION.match(entry.name)
            if match and entry.is_dir():
                found.append(int(match.group(1)))
        return sorted(found)

    def _prune(self, newest: int) -> None:
        for generation in self.generations():
            if generation <= newest - self.keep:
                shutil.rmtree(self.folder / f"gen-{generation:08d}", ignore_errors=True)
        for leftover in self.folder.glob(".gen-*.partial"):
            shutil.rmtree(leftover, ignore_errors=True)

    # -- load ---------------------------------------------------------------------------

    def load(self, *, embedder_id: str, params: IndexParams) -> LoadResult:
        """Blocking: the newest generation that verifies, for ``embedder_id`` and
        ``params.dimensions``; ``index`` None (source REBUILD or EMPTY) when none does.

        ``ef``, ``max_items`` and ``threads`` come from ``params`` (hnswlib does not save
        ``ef``); ``M`` and ``ef_construction`` are those the index was built with.
        """
        problems: list[str] = []
        pointed, pointed_digest = self._read_current(problems)
        order = sorted(self.generations(), reverse=True)
        if pointed is not None and pointed in order:
            order.remove(pointed)
            order.insert(0, pointed)
        elif pointed is not None:
            problems.append(f"CURRENT names gen-{pointed:08d}, which does not exist")
        for generation in order:
            digest = pointed_digest if generation == pointed else None
            try:
                index, cursor = self._load_generation(generation, digest, embedder_id, params)
            except Exception as exc:  # noqa: BLE001 - see below: any error means "next"
                # Any error, not a list of expected ones: a generation whose bytes match
                # its manifest can still hold content hnswlib rejects ("Label not found"),
                # and one escaped error here made the index keeper crash-loop on every start.
                problems.append(f"gen-{generation:08d}: {_describe(exc)}")
                logger.warning("index snapshot gen-%08d rejected: %s", generation, exc)
                continue
            source = LoadSource.CURRENT if generation == pointed else LoadSource.FALLBACK
            return LoadResult(index, source, generation, cursor, problems)
        source = LoadSource.REBUILD if order or problems else LoadSource.EMPTY
        return LoadResult(None, source, None, None, problems)

    def _read_current(self, problems: list[str]) -> tuple[int | None, str | None]:
        path = self.folder / CURRENT
        try:
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            if self.generations():
                problems.append("CURRENT is missing")
            return None, None
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"CURRENT is unreadable: {exc}")
            return None, None
        parts = text.split()
        match = _GENERATION.match(parts[0]) if len(parts) == 2 else None
        if match is None or not re.fullmatch(r"[0-9a-f]{64}", parts[1]):
            problems.append("CURRENT is malformed")
            return None, None
        return int(match.group(1)), parts[1]

    def current(self) -> tuple[int | None, str | None]:
        """The generation ``CURRENT`` names and the manifest digest it records, or Nones."""
        return self._read_current([])

    def verify_files(self, generation: int, manifest_digest: str | None = None) -> dict[str, Any]:
        """Blocking, without hnswlib: the generation's manifest (checked against
        ``manifest_digest`` when given) and every file's size and SHA-256 against it.
        Returns the manifest; raises :class:`VectorIndexError` or ``OSError``. Backups use
        it to pick the newest generation that verifies."""
        folder = self.folder / f"gen-{generation:08d}"
        manifest_path = folder / MANIFEST_FILE
        if manifest_digest is not None and sha256_file(manifest_path) != manifest_digest:
            raise VectorIndexError("manifest does not match the digest CURRENT recorded")
        try:
            manifest = _read_json(manifest_path)
        except ValueError as exc:
            raise VectorIndexError(f"manifest is not JSON: {exc}") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise VectorIndexError("manifest is not a format-1 manifest")
        if manifest.get("generation") != generation:
            raise VectorIndexError(
                f"manifest belongs to generation {manifest.get('generation')}, not {generation}"
            )
        files = manifest.get("files")
        if not isinstance(files, dict) or set(files) != set(_DATA_FILES):
            raise VectorIndexError("manifest does not list exactly the snapshot's files")
        for file in _DATA_FILES:
            expected = files[file]
            if not (
                isinstance(expected, dict)
                and isinstance(expected.get("sha256"), str)
                and type(expected.get("size")) is int
            ):
                raise VectorIndexError("manifest file entry is malformed")
            path = folder / file
            size = path.stat().st_size
            if size != expected["size"]:
                raise VectorIndexError(
                    f"{file} is {size} bytes, the manifest says {expected['size']}"
                )
            if sha256_file(path) != expected["sha256"]:
                raise VectorIndexError(f"{file} does not match its SHA-256 in the manifest")
        return manifest

    def _load_generation(
        self, generation: int, manifest_digest: str | None, embedder_id: str, params: IndexParams
    ) -> tuple[VectorIndex, Any]:
        folder = self.folder / f"gen-{generation:08d}"
        manifest = self.verify_files(generation, manifest_digest)
        built = self._check_manifest(manifest, generation, embedder_id, params)
        labels = _read_json(folder / LABELS_FILE)
        _check_labels(labels, manifest["count"])
        # Only now, with every byte verified, does hnswlib parse the file.
        native = hnswlib.Index(space="cosine", dim=built.dimensions)
        try:
            native.load_index(
                str(folder / INDEX_FILE),
                max_elements=int(manifest["capacity"]),
                allow_replace_deleted=True,
            )
        except RuntimeError as exc:
            raise VectorIndexError(f"hnswlib could not load {INDEX_FILE}: {exc}") from exc
        if native.get_current_count() != manifest["element_count"]:
            raise VectorIndexError("index element count differs from the manifest")
        known = np.asarray(native.get_ids_list(), dtype=np.int64)
        live = np.asarray([label for label, _ in labels["labels"]], dtype=np.int64)
        if not np.isin(live, known).all():
            raise VectorIndexError("label map names labels the index does not hold")
        index = VectorIndex(embedder_id=embedder_id, params=built, _native=native)
        try:
            # Reads every live label's vector, so a label hnswlib holds only as deleted
            # fails here, at load, rather than later inside the keeper.
            index._restore_labels(labels)
        except RuntimeError as exc:
            raise VectorIndexError(
                f"{INDEX_FILE} and {LABELS_FILE} disagree (hnswlib: {exc})"
            ) from exc
        return index, manifest.get("cursor")

    @staticmethod
    def _check_manifest(
        manifest: Any, generation: int, embedder_id: str, params: IndexParams
    ) -> IndexParams:
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise VectorIndexError("manifest is not a format-1 manifest")
        if manifest.get("generation") != generation:
            raise VectorIndexError(
                f"manifest belongs to generation {manifest.get('generation')}, not {generation}"
            )
        if manifest.get("embedder_id") != embedder_id:
            raise VectorIndexError(
                f"snapshot holds {manifest.get('embedder_id')!r} vectors, the node embeds with "
                f"{embedder_id!r}: embedders never share an index"
            )
        saved = manifest.get("params")
        if not isinstance(saved, dict) or saved.get("dimensions") != params.dimensions:
            raise VectorIndexError("snapshot dimensions differ from the embedder's")
        if manifest.get("space") != "cosine":
            raise VectorIndexError("snapshot is not a cosine index")
        files = manifest.get("files")
        if not isinstance(files, dict) or set(files) != set(_DATA_FILES):
            raise VectorIndexError("manifest does not list exactly the snapshot's files")
        for entry in files.values():
            if not (
                isinstance(entry, dict)
                and isinstance(entry.get("sha256"), str)
                and type(entry.get("size")) is int
            ):
                raise VectorIndexError("manifest file entry is malformed")
        for key in ("capacity", "count", "element_count"):
            if type(manifest.get(key)) is not int or manifest[key] < 0:
                raise VectorIndexError(f"manifest {key} is not a count")
        if not (manifest["count"] <= manifest["element_count"] <= manifest["capacity"]):
            raise VectorIndexError("manifest counts are inconsistent")
        m, ef_construction = saved.get("m"), saved.get("ef_construction")
        if type(m) is not int or type(ef_construction) is not int:
            raise VectorIndexError("manifest parameters are malformed")
        return IndexParams(
            dimensions=params.dimensions,
            m=m,
            ef_construction=ef_construction,
            ef=params.ef,
            initial_capacity=params.initial_capacity,
            max_items=params.max_items,
            threads=params.threads,
        )


def _describe(exc: Exception) -> str:
    if isinstance(exc, VectorIndexError | OSError | ValueError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _check_labels(labels: Any, count: int) -> None:
    if not isinstance(labels, dict) or type(labels.get("next_label")) is not int:
        raise VectorIndexError("label map is malformed")
    pairs = labels.get("labels")
    if not isinstance(pairs, list) or len(pairs) != count:
        raise VectorIndexError("label map does not hold the manifest's count")
    seen: set[int] = set()
    for pair in pairs:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or type(pair[0]) is not int
            or not 0 <= pair[0] < labels["next_label"]
            or not isinstance(pair[1], str)
            or pair[0] in seen
        ):
            raise VectorIndexError("label map entry is malformed")
        seen.add(pair[0])


def load_or_rebuild(
    snapshots: SnapshotStore,
    *,
    embedder_id: str,
    params: IndexParams,
    stored_vectors: Callable[[], tuple[list[str], np.ndarray]],
) -> LoadResult:
    """Blocking, for callers outside the hub (tools, tests): :meth:`SnapshotStore.load`,
    and when nothing verifies, a rebuild from ``stored_vectors()``. The actor does the same
    in two offloaded steps, reading the store between them."""
    result = snapshots.load(embedder_id=embedder_id, params=params)
    if result.index is not None:
        return result
    refs, vectors = stored_vectors()
    index = VectorIndex.build(refs, vectors, embedder_id=embedder_id, params=params)
    source = (
        LoadSource.REBUILD if len(refs) or result.source is LoadSource.REBUILD else LoadSource.EMPTY
    )
    return LoadResult(index, source, None, None, result.problems)
