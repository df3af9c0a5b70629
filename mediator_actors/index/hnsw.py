"""``VectorIndex``: the one owner of one hnswlib index (cosine), with its label <-> ref map.

Every method that touches hnswlib is **blocking native work**; an actor calls it through
:func:`mediator_actors.runtime.offload.run_blocking` and never concurrently (hnswlib's
``add_items`` and ``knn_query`` are not safe together: one owner, one call at a time).
Blocking methods: :meth:`add`, :meth:`remove`, :meth:`knn`, :meth:`query`,
:meth:`vectors_of`, :meth:`build`, and the snapshot module's save and load. Cheap and
pure-Python: ``len``, ``in``, :meth:`refs`, :meth:`label_of`, :meth:`ref_of`.

Capacity grows by doubling with ``resize_index``. Removed intents are ``mark_deleted`` and
their slots are reused by later adds (``allow_replace_deleted``), so churn does not grow
the file.

**Eviction (``MAX_INTENTS_CACHE``).** At most ``max_items`` live vectors. When an add would
go past it, the entries that have been in the index longest (first inserted) are evicted
first, and returned so the caller can record it. Why oldest first: an intent that has been
open longest has been through the most candidate passes already, and new intents are the
ones nobody has looked at. Evicted vectors stay in the store, so the keeper can add them
back when room frees up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import hnswlib
import numpy as np
import numpy.typing as npt

from mediator_actors.embedding.base import Vectors
from mediator_actors.errors import VectorIndexError
from mediator_actors.model import EntryRef

Labels = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class IndexParams:
    """hnswlib parameters. ``ef`` is not saved in hnswlib's file: it is set again on load."""

    dimensions: int
    m: int = 16
    ef_construction: int = 200
    ef: int = 100
    initial_capacity: int = 1024
    max_items: int = 10_000
    threads: int = 2

    def __post_init__(self) -> None:
        for name in ("dimensions", "m", "ef_construction", "ef", "initial_capacity", "max_items"):
            if getattr(self, name) < 1:
                raise ValueError(f"IndexParams.{name} must be positive")


class VectorIndex:
    """An hnswlib cosine index of intents, addressed by :class:`EntryRef`."""

    def __init__(self, *, embedder_id: str, params: IndexParams, _native: Any = None) -> None:
        self.embedder_id = embedder_id
        self.params = params
        if _native is None:
            _native = hnswlib.Index(space="cosine", dim=params.dimensions)
            _native.init_index(
                max_elements=params.initial_capacity,
                ef_construction=params.ef_construction,
                M=params.m,
                allow_replace_deleted=True,
            )
        _native.set_ef(params.ef)
        _native.set_num_threads(max(1, params.threads))
        self._native = _native
        # insertion-ordered: the first keys are the eviction candidates
        self._label_of: dict[EntryRef, int] = {}
        self._ref_of: dict[int, EntryRef] = {}
        self._next_label = 0
        # No vector cache of its own: hnswlib keeps every (normalised) vector in its level-0
        # memory, and a second copy here held ~15 MB at 10k intents through the embedding
        # peak (issue 15, target 3). vectors_of reads hnswlib's copy (stored_vectors).

    # -- cheap, pure Python -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._label_of)

    def __contains__(self, ref: object) -> bool:
        return ref in self._label_of

    def refs(self) -> list[EntryRef]:
        """Live refs, oldest first."""
        return list(self._label_of)

    def label_of(self, ref: str) -> int | None:
        return self._label_of.get(EntryRef(ref))

    def ref_of(self, label: int) -> EntryRef | None:
        return self._ref_of.get(int(label))

    @property
    def capacity(self) -> int:
        return int(self._native.get_max_elements())

    @property
    def element_count(self) -> int:
        """Slots in use in hnswlib, deleted ones included."""
        return int(self._native.get_current_count())

    # -- blocking -----------------------------------------------------------------------

    @classmethod
    def build(
        cls, refs: Sequence[str], vectors: np.ndarray, *, embedder_id: str, params: IndexParams
    ) -> VectorIndex:
        """Blocking: a new index holding ``refs`` (about 1-3 s for 10k x 384 on 2 cores)."""
        capacity = max(params.initial_capacity, min(len(refs), params.max_items))
        index = cls(embedder_id=embedder_id, params=replace(params, initial_capacity=capacity))
        index.add(refs, vectors)
        return index

    def add(self, refs: Sequence[str], vectors: np.ndarray) -> list[EntryRef]:
        """Blocking: add or update ``refs``; returns the refs evicted to respect
        ``max_items`` (possibly some of ``refs`` themselves when the batch alone is larger)."""
        matrix = self._check(vectors, len(refs))
        # last write wins for a ref given twice in one batch
        latest = {EntryRef(ref): row for row, ref in enumerate(refs)}
        evicted: list[EntryRef] = []
        if len(latest) > self.params.max_items:
            overflow = list(latest)[: len(latest) - self.params.max_items]
            for ref in overflow:
                del latest[ref]
            evicted.extend(ref for ref in overflow if ref not in self._label_of)
        new = [ref for ref in latest if ref not in self._label_of]
        excess = len(self._label_of) + len(new) - self.params.max_items
        if excess > 0:
            keep = set(latest)
            victims = [ref for ref in self._label_of if ref not in keep][:excess]
            self.remove(victims)
            evicted.extend(victims)
        if not latest:
            return evicted
        labels = np.empty(len(latest), dtype=np.int64)
        for i, ref in enumerate(latest):
            label = self._label_of.get(ref)
            if label is None:
                label = self._next_label
                self._next_label += 1
            labels[i] = label
        # deleted slots are reused first (replace_deleted), so only the rest needs room
        vacant = self.element_count - len(self._label_of)
        needed = self.element_count + max(0, len(new) - vacant)
        if needed > self.capacity:
            self._native.resize_index(max(needed, 2 * self.capacity))
        rows = matrix[list(latest.values())]
        fresh = np.fromiter(
            (ref not in self._label_of for ref in latest), dtype=bool, count=len(latest)
        )
        try:
            # Updates must not use replace_deleted: hnswlib would move a live label into a
            # vacant slot and leave its old slot live too, a duplicate in every answer.
            if (~fresh).any():
                self._native.add_items(rows[~fresh], labels[~fresh], replace_deleted=False)
            if fresh.any():
                self._native.add_items(rows[fresh], labels[fresh], replace_deleted=True)
        except RuntimeError as exc:
            raise VectorIndexError(f"hnswlib add_items failed: {exc}") from exc
        for ref, label in zip(latest, labels.tolist(), strict=True):
            self._label_of[ref] = label
            self._ref_of[label] = ref
        return evicted

    def remove(self, refs: Sequence[str]) -> int:
        """Blocking (fast): mark ``refs`` deleted (closed or archived intents). Unknown refs
        are ignored; returns how many were removed."""
        removed = 0
        for ref in refs:
            label = self._label_of.pop(EntryRef(ref), None)
            if label is None:
                continue
            del self._ref_of[label]
            self._native.mark_deleted(label)
            removed += 1
        return removed

    def knn(
        self, vectors: np.ndarray, k: int, *, ef: int | None = None
    ) -> tuple[Labels, npt.NDArray[np.float32]]:
        """Blocking: labels and cosine similarities of the ``k`` nearest live items for each
        row (``k`` is capped at the live count). Batch many rows in one call: hnswlib spreads
        them over ``params.threads``. ``ef`` overrides ``params.ef`` for this call."""
        matrix = self._check(vectors, None)
        k = min(k, len(self))
        if k <= 0 or matrix.shape[0] == 0:
            return (
                np.zeros((matrix.shape[0], 0), dtype=np.int64),
                np.zeros((matrix.shape[0], 0), dtype=np.float32),
            )
        self._native.set_ef(max(ef or self.params.ef, k))
        try:
            labels, distances = self._native.knn_query(matrix, k=k)
        except RuntimeError as exc:
            raise VectorIndexError(f"hnswlib knn_query failed: {exc}") from exc
        finally:
            self._native.set_ef(self.params.ef)
        similarities = (1.0 - distances).astype(np.float32)
        return labels.astype(np.int64), similarities

    def query(self, vectors: np.ndarray, k: int) -> list[list[tuple[EntryRef, float]]]:
        """Blocking: like :meth:`knn`, as (ref, similarity) lists, most similar first."""
        labels, similarities = self.knn(vectors, k)
        return [
            [
                (self._ref_of[label], float(sim))
                for label, sim in zip(row_labels.tolist(), row_sims.tolist(), strict=True)
                if label in self._ref_of
            ]
            for row_labels, row_sims in zip(labels, similarities, strict=True)
        ]

    def vectors_of(self, refs: Sequence[str]) -> Vectors:
        """Blocking: the unit vectors hnswlib holds for live ``refs``, in that order (one
        copy of its level-0 memory and a gather: ~8 MB transient and a few ms for 5k
        vectors of 384; ``get_items`` one item at a time when the layout is unknown)."""
        labels = np.fromiter(
            (self._label_of[EntryRef(ref)] for ref in refs), dtype=np.int64, count=len(refs)
        )
        if labels.size == 0:
            return np.zeros((0, self.params.dimensions), dtype=np.float32)
        rows = stored_vectors(self._native, labels)
        if rows is None:  # not the layout read_level0 knows: one item at a time
            rows = np.asarray(self._native.get_items(labels, return_type="numpy"), np.float32)
        return np.ascontiguousarray(rows, dtype=np.float32)

    # -- used by the snapshot module ----------------------------------------------------

    def _check(self, vectors: np.ndarray, count: int | None) -> Vectors:
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim == 1:
            matrix = matrix.reshape(1, -1)
        if matrix.ndim != 2 or matrix.shape[1] != self.params.dimensions:
            raise VectorIndexError(
                f"vectors of shape {matrix.shape} do not fit a {self.params.dimensions}-d index"
            )
        if count is not None and matrix.shape[0] != count:
            raise VectorIndexError(f"{count} refs but {matrix.shape[0]} vectors")
        if not np.all(np.isfinite(matrix)):
            raise VectorIndexError("vectors must be finite")
        return matrix

    def _label_state(self) -> dict[str, Any]:
        return {
            "next_label": self._next_label,
            "labels": [[label, ref] for ref, label in self._label_of.items()],
        }

    def _restore_labels(self, state: dict[str, Any]) -> None:
        """Blocking: the label map from a verified snapshot. Reads every live label's
        vector once (and drops them), so it raises here, at load, when a label is one
        hnswlib does not hold or holds only as deleted."""
        self._next_label = int(state["next_label"])
        for label, ref in state["labels"]:
            self._label_of[EntryRef(ref)] = int(label)
            self._ref_of[int(label)] = EntryRef(ref)
        labels = np.fromiter(self._ref_of, dtype=np.int64, count=len(self._ref_of))
        # not the layout read_level0 knows: get_items raises for such a label too
        if labels.size and stored_vectors(self._native, labels) is None:
            self._native.get_items(labels, return_type="numpy")

    @property
    def native(self) -> Any:
        """The hnswlib object, for the snapshot module only."""
        return self._native


#: hnswlib's ``isMarkedDeleted``: bit 0 of the third byte of an element's level-0 links.
_DELETE_MARK = 0x01
_DELETE_BYTE = 2
#: How many rows :func:`stored_vectors` compares with ``get_items`` before trusting the layout.
_SPOT_CHECKS = 8


def stored_vectors(native: Any, labels: Labels) -> Vectors | None:
    """Blocking: the vectors hnswlib holds for ``labels``, in that order, bit for bit what
    ``get_items`` returns, from one copy of its level-0 memory (``__getstate__``) instead of
    one call per item (0.35 s of CPU for 10k x 384 against 0.02 s).

    Raises :class:`VectorIndexError` for a label hnswlib does not hold or holds only as
    deleted (where ``get_items`` raises "Label not found"). Returns None when the state is
    not laid out as this reader expects (another hnswlib version): the caller then asks
    ``get_items``. A few rows are compared with ``get_items`` before the rest is trusted."""
    try:
        level0 = read_level0(native.__getstate__()[0], native.dim)
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if level0 is None:
        return None
    internal_of, ids, vectors, deleted = level0
    order = np.argsort(ids, kind="stable")
    at = np.searchsorted(ids, labels, sorter=order)
    at = np.minimum(at, max(ids.size - 1, 0))
    if ids.size == 0 or not np.array_equal(ids[order[at]], labels):
        raise VectorIndexError("Label not found: the index does not hold every label")
    internal = internal_of[order[at]]
    if deleted[internal].any():
        raise VectorIndexError("Label not found: a label is held only as deleted")
    rows = vectors[internal]
    picks = np.unique(
        np.linspace(0, len(labels) - 1, num=min(_SPOT_CHECKS, len(labels))).astype(int)
    )
    expected = np.asarray(native.get_items(labels[picks], return_type="numpy"), np.float32)
    if not np.array_equal(expected, rows[picks]):
        return None
    return rows


def read_level0(
    state: dict[str, Any], dimensions: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Vectors, npt.NDArray[np.bool_]] | None:
    """hnswlib's serialised state (``Index.__getstate__()[0]``) as arrays: for each label in
    its lookup (deleted ones included) the element's internal id, and for each element
    its vector and deleted flag. None when the fields do not describe the layout of
    hnswlib 0.6-0.8 (links, then the vector, then the 8-byte label, per element)."""
    count = int(state["cur_element_count"])
    size = int(state["size_data_per_element"])
    offset_data = int(state["offset_data"])
    label_offset = int(state["label_offset"])
    offset_links = int(state["offset_level0"])
    data = np.asarray(state["data_level0"]).view(np.uint8)
    if (
        int(state.get("ser_version", 0)) != 1
        or int(state["dim"]) != dimensions
        or label_offset != offset_data + 4 * dimensions
        or size != label_offset + 8
        or not 0 <= offset_links + _DELETE_BYTE < offset_data
        or data.size != count * size
    ):
        return None
    elements = data.reshape(count, size)
    # a strided view, not a copy: the caller's gather makes the one copy it keeps
    vectors = elements[:, offset_data:label_offset].view(np.float32)
    stored_labels = np.ascontiguousarray(elements[:, label_offset:size]).view(np.uint64).ravel()
    deleted = (elements[:, offset_links + _DELETE_BYTE] & _DELETE_MARK).astype(bool)
    ids = np.asarray(state["label_lookup_external"]).astype(np.int64)
    internal = np.asarray(state["label_lookup_internal"]).astype(np.int64)
    if ids.shape != internal.shape or (internal.size and not (internal >= 0).all()):
        return None
    if internal.size and (internal.max() >= count):
        return None
    if not np.array_equal(stored_labels[internal].astype(np.int64), ids):
        return None  # the lookup and the elements' own labels disagree: not our layout
    return internal, ids, vectors, deleted
