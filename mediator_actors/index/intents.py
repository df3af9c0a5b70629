"""``IntentIndex``: the open intents' vectors, one hnswlib index per intent type.

Why two indexes: an offer's nearest neighbours in a shared index are mostly other offers
(they share phrasing: "I am offering ..."), so filtering a shared index's top-k for the
opposite type finds almost nothing. On the bench corpus, 30 nearest neighbours of a seek
in one index held no offer at all for most seeks. Querying the opposite type's own index
gives k true opposite-type neighbours for the same query cost.

``MAX_INTENTS_CACHE`` is enforced across both: when an add would exceed it, the intents
inserted longest ago (of either type) are evicted first and returned (see
:mod:`mediator_actors.index.hnsw` for why oldest first). Every method that reaches hnswlib
is blocking: :meth:`add`, :meth:`remove`, :meth:`build`, :meth:`save`, :meth:`load`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mediator_actors.errors import VectorIndexError
from mediator_actors.index.hnsw import IndexParams, VectorIndex
from mediator_actors.index.snapshots import LoadSource, SnapshotStore
from mediator_actors.model import EntryRef, IntentType


@dataclass(slots=True)
class IntentLoad:
    """What :meth:`IntentIndex.load` found; ``index`` None means: rebuild from the store."""

    index: IntentIndex | None
    sources: dict[IntentType, LoadSource]
    generations: dict[IntentType, int | None]
    cursor: Any = None
    problems: list[str] = field(default_factory=list)


class IntentIndex:
    """Offers and seeks, each in its own :class:`VectorIndex` of the same embedder."""

    def __init__(
        self,
        *,
        embedder_id: str,
        params: IndexParams,
        parts: dict[IntentType, VectorIndex] | None = None,
    ) -> None:
        self.embedder_id = embedder_id
        self.params = params
        # each part may hold everything; the global limit below is the one that binds
        self._parts = parts or {
            kind: VectorIndex(embedder_id=embedder_id, params=params) for kind in IntentType
        }
        self._type_of: dict[EntryRef, IntentType] = {}
        for kind, part in self._parts.items():
            for ref in part.refs():
                self._type_of[ref] = kind

    def __len__(self) -> int:
        return len(self._type_of)

    def __contains__(self, ref: object) -> bool:
        return ref in self._type_of

    def part(self, kind: IntentType) -> VectorIndex:
        return self._parts[kind]

    def type_of(self, ref: str) -> IntentType | None:
        return self._type_of.get(EntryRef(ref))

    def refs(self) -> list[EntryRef]:
        """Live refs, oldest first (the order eviction follows)."""
        return list(self._type_of)

    @classmethod
    def build(
        cls,
        refs: Sequence[str],
        types: Sequence[IntentType],
        vectors: np.ndarray,
        *,
        embedder_id: str,
        params: IndexParams,
    ) -> IntentIndex:
        """Blocking: a new index of ``refs`` (about 2 s for 10k x 384 on 2 cores)."""
        sized = replace(params, initial_capacity=max(params.initial_capacity, len(refs) // 2 + 1))
        index = cls(embedder_id=embedder_id, params=sized)
        index.add(refs, types, vectors)
        return index

    def add(
        self, refs: Sequence[str], types: Sequence[IntentType], vectors: np.ndarray
    ) -> list[EntryRef]:
        """Blocking: add or update intents; returns the refs evicted by the size limit."""
        if not (len(refs) == len(types) == len(vectors)):
            raise VectorIndexError("refs, types and vectors differ in length")
        latest = {
            EntryRef(ref): (IntentType(kind), row)
            for row, (ref, kind) in enumerate(zip(refs, types, strict=True))
        }
        evicted: list[EntryRef] = []
        limit = self.params.max_items
        if len(latest) > limit:
            overflow = list(latest)[: len(latest) - limit]
            for ref in overflow:
                del latest[ref]
            evicted.extend(ref for ref in overflow if ref not in self._type_of)
        moved = [
            ref for ref, (kind, _) in latest.items() if self._type_of.get(ref) not in (None, kind)
        ]
        self.remove(moved)
        new = sum(1 for ref in latest if ref not in self._type_of)
        excess = len(self._type_of) + new - limit
        if excess > 0:
            victims = [ref for ref in self._type_of if ref not in latest][:excess]
            self.remove(victims)
            evicted.extend(victims)
        matrix = np.asarray(vectors, dtype=np.float32)
        for kind in IntentType:
            chosen = [(ref, row) for ref, (k, row) in latest.items() if k is kind]
            if not chosen:
                continue
            self._parts[kind].add([ref for ref, _ in chosen], matrix[[row for _, row in chosen]])
        for ref, (kind, _) in latest.items():  # in the caller's order: eviction follows it
            self._type_of[ref] = kind
        return evicted

    def reorder(self, oldest_first: Sequence[str]) -> None:
        """Cheap: set the eviction order (e.g. the store's open intents by first sight).

        A snapshot keeps each type's order but not how the two interleave, so after a load
        the order is offers then seeks until the keeper calls this. Refs not named keep
        their place after the named ones."""
        named = [EntryRef(ref) for ref in oldest_first if ref in self._type_of]
        seen = set(named)  # once: building it per element made this quadratic (3.5 s at 10k)
        rest = [ref for ref in self._type_of if ref not in seen]
        self._type_of = {ref: self._type_of[ref] for ref in [*named, *rest]}

    def remove(self, refs: Sequence[str]) -> int:
        """Blocking (fast): mark closed or archived intents deleted; returns how many."""
        removed = 0
        for ref in refs:
            kind = self._type_of.pop(EntryRef(ref), None)
            if kind is not None:
                removed += self._parts[kind].remove([ref])
        return removed

    # -- snapshots ----------------------------------------------------------------------

    def save(self, folder: Path, *, cursor: Any = None) -> dict[IntentType, int]:
        """Blocking: one snapshot generation per part (``folder/offer``, ``folder/seek``)."""
        return {
            kind: SnapshotStore(folder / kind.value)
            .save(self._parts[kind], cursor=cursor)
            .generation
            for kind in IntentType
        }

    @classmethod
    def load(cls, folder: Path, *, embedder_id: str, params: IndexParams) -> IntentLoad:
        """Blocking: load both parts from their newest verified generations. ``index`` is
        None when either part has nothing that verifies: the caller rebuilds both from the
        stored vectors. ``cursor`` is the older of the two parts' cursors when they differ
        (the caller reconciles the index with the store's open intents anyway)."""
        results = {
            kind: SnapshotStore(folder / kind.value).load(embedder_id=embedder_id, params=params)
            for kind in IntentType
        }
        problems = [f"{kind.value}: {p}" for kind, r in results.items() for p in r.problems]
        sources = {kind: r.source for kind, r in results.items()}
        generations = {kind: r.generation for kind, r in results.items()}
        parts = {kind: r.index for kind, r in results.items()}
        if any(part is None for part in parts.values()):
            return IntentLoad(None, sources, generations, None, problems)
        cursors = [r.cursor for r in results.values()]
        cursor = cursors[0] if cursors[0] == cursors[1] else _older(cursors)
        index = cls(
            embedder_id=embedder_id,
            params=params,
            parts={kind: part for kind, part in parts.items() if part is not None},
        )
        return IntentLoad(index, sources, generations, cursor, problems)


def _older(cursors: list[Any]) -> Any:
    try:
        return min(cursors)
    except TypeError:
        return None


def load_or_rebuild(
    folder: Path,
    *,
    embedder_id: str,
    params: IndexParams,
    stored: Callable[[], tuple[Sequence[str], Sequence[IntentType], np.ndarray]],
) -> IntentLoad:
    """Blocking, for code off the hub (tools, tests): :meth:`IntentIndex.load`, else a rebuild
    from ``stored()`` (refs, types, vectors of the open intents). The actor does the same in
    two offloaded steps with a store read between them."""
    loaded = IntentIndex.load(folder, embedder_id=embedder_id, params=params)
    if loaded.index is not None:
        return loaded
    refs, types, vectors = stored()
    loaded.index = IntentIndex.build(refs, types, vectors, embedder_id=embedder_id, params=params)
    return loaded
