"""Candidate pairs: which open offers and seeks are worth a negotiation, best first.

Rules: an offer pairs only with a seek, never with itself or an intent of the same author,
only at or above ``threshold`` cosine similarity, and (A, B) is the same pair as (B, A).
Pairs the caller excludes (already negotiated, proposed, rejected or expired) are skipped.

Each open intent asks the *opposite type's* index for its ``k`` nearest neighbours (see
:mod:`mediator_actors.index.intents` for why there are two indexes), in one batched
``knn_query`` per side that hnswlib spreads over its threads; the rules are numpy masks.
Neighbours from the same author are dropped after the query, so an author with many
near-identical intents can crowd out up to that many slots: ``k`` has headroom for it.

Priority = similarity + ``fee_weight`` x fee score, where the fee score is
``log1p(offer fee + seek fee) / log1p(highest such sum in this pass)`` in [0, 1]: similarity
decides, and among near-equals the pair whose parties offer the mediator more goes first.
The log keeps one huge fee from drowning every other pair.

:func:`find_candidates` is blocking (native + numpy; well under a second at 10k intents on
2 cores): offload it.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from mediator_actors.index.intents import IntentIndex
from mediator_actors.model import CandidatePair, EntryRef, IntentType, pair_key
from mediator_actors.store.jobs import NEGOTIATIONS, JobQueue

IntArray = npt.NDArray[np.int64]


class CandidateIntent(Protocol):
    """What the pass reads of an intent: an :class:`Intent`, or a store ``IntentHead``."""

    @property
    def ref(self) -> EntryRef: ...
    @property
    def author(self) -> str: ...
    @property
    def type(self) -> IntentType: ...
    @property
    def offered_fee(self) -> float | None: ...


def _exclusion(
    is_excluded: Callable[[str], bool] | Collection[str] | None,
) -> Callable[[str], bool]:
    if is_excluded is None:
        return lambda _key: False
    if callable(is_excluded):
        return is_excluded
    keys = frozenset(is_excluded)
    return keys.__contains__


def _fee(intent: CandidateIntent) -> float:
    fee = intent.offered_fee or 0.0
    return fee if math.isfinite(fee) and fee > 0 else 0.0


#: Landmarks that group the queries by neighbourhood (see :func:`locality_order`).
LANDMARKS = 256
#: Order the queries only against a part this large (12 MB of 384-d vectors): a smaller
#: one stays in cache anyway (78 against 77 us a query at 5k per part, ordering excluded).
ORDER_FROM = 8192


def _landmarks(count: int) -> IntArray:
    """A fixed sample of target positions (seeded: the same pass orders the same way)."""
    rng = np.random.default_rng(0)
    return np.sort(rng.choice(count, size=min(LANDMARKS, count), replace=False))


def locality_order(
    queries: npt.NDArray[np.float32], landmarks: npt.NDArray[np.float32]
) -> IntArray:
    """An order of the query rows that keeps near queries together: by nearest landmark
    (stable, so ties keep their place). Each hnswlib query's answer does not depend on
    the others; in this order consecutive queries visit the same part of the graph, so
    its vectors stay in the CPU cache: a 25k-vector part is larger than the 32 MB L3, and
    in the given order the CPU per query rose from 78 to 175 us from 10k to 50k intents
    (118 us so ordered, ordering excluded; one thread, cycle vectors, load 3-3.9)."""
    if queries.shape[0] < 2 or landmarks.shape[0] < 2:
        return np.arange(queries.shape[0], dtype=np.int64)
    # in slices: the full product would be 25 MB at 50k intents, for one index a row
    nearest = np.concatenate(
        [
            np.argmax(queries[start : start + 4096] @ landmarks.T, axis=1)
            for start in range(0, queries.shape[0], 4096)
        ]
    )
    return np.argsort(nearest, kind="stable").astype(np.int64)


def _side(
    index: IntentIndex,
    queries: Sequence[CandidateIntent],
    targets: Sequence[CandidateIntent],
    *,
    authors: dict[str, int],
    k: int,
    threshold: float,
    ef: int | None,
) -> tuple[IntArray, IntArray, npt.NDArray[np.float64]]:
    """(query position, target position, similarity) for each kept neighbour."""
    empty = np.zeros(0, dtype=np.int64)
    if not queries or not targets:
        return empty, empty, np.zeros(0)
    own = index.part(queries[0].type)
    other = index.part(targets[0].type)
    target_labels = np.fromiter((other.label_of(t.ref) for t in targets), np.int64, len(targets))
    position = np.full(int(target_labels.max()) + 1, -1, dtype=np.int64)
    position[target_labels] = np.arange(len(targets))
    query_authors = np.fromiter((authors[q.author] for q in queries), np.int64, len(queries))
    target_authors = np.fromiter((authors[t.author] for t in targets), np.int64, len(targets))

    # headroom for neighbours dropped below (same author, not in this pass)
    matrix = own.vectors_of([q.ref for q in queries])
    if len(targets) >= ORDER_FROM:
        sample = _landmarks(len(targets))
        order = locality_order(matrix, other.vectors_of([targets[i].ref for i in sample]))
    else:
        order = np.arange(len(queries), dtype=np.int64)
    matrix = matrix[order]  # the unordered copy is dropped here
    found, similarity = other.knn(matrix, k + 8, ef=ef)
    back = np.empty_like(order)
    back[order] = np.arange(order.shape[0])
    found, similarity = found[back], similarity[back]  # each query's own row again
    in_map = found < position.shape[0]
    neighbour = np.where(in_map, position[np.where(in_map, found, 0)], -1)
    safe = np.maximum(neighbour, 0)
    keep = (
        (neighbour >= 0)
        & (target_authors[safe] != query_authors[:, None])
        & (similarity >= threshold)
    )
    keep &= np.cumsum(keep, axis=1) <= k
    rows, cols = np.nonzero(keep)
    return rows.astype(np.int64), neighbour[rows, cols], similarity[rows, cols].astype(np.float64)


def find_candidates(
    index: IntentIndex,
    intents: Iterable[CandidateIntent],
    *,
    k: int = 10,
    threshold: float = 0.5,
    fee_weight: float = 0.1,
    is_excluded: Callable[[str], bool] | Collection[str] | None = None,
    limit: int | None = None,
    ef: int | None = None,
    per_intent: int | None = None,
    occupied: Mapping[str, int] | None = None,
) -> list[CandidatePair]:
    """Blocking: candidate pairs among the open ``intents`` that are in ``index``, best first.

    Every intent contributes up to ``k`` of its nearest opposite-type neighbours from other
    authors. Intents not in the index (not yet embedded, or evicted) are left out.
    ``ef`` overrides the index's query ``ef`` for this pass (speed against recall).

    With ``per_intent``, pairs are taken best first while both intents have fewer than
    ``per_intent`` negotiations open, counting ``occupied`` (intent ref -> negotiations or
    proposals already open for it): an intent can settle only once, so negotiating all its
    neighbours at the same time would spend LLM calls on pairs that cannot all close.
    """
    excluded = _exclusion(is_excluded)
    live = [i for i in intents if index.type_of(i.ref) is i.type]
    offers = [i for i in live if i.type is IntentType.OFFER]
    seeks = [i for i in live if i.type is IntentType.SEEK]
    if not offers or not seeks or k < 1:
        return []
    authors: dict[str, int] = {}
    for intent in live:
        authors.setdefault(intent.author, len(authors))

    o_rows, o_seek, o_sim = _side(
        index, offers, seeks, authors=authors, k=k, threshold=threshold, ef=ef
    )
    s_rows, s_offer, s_sim = _side(
        index, seeks, offers, authors=authors, k=k, threshold=threshold, ef=ef
    )
    offer = np.concatenate([o_rows, s_offer])
    seek = np.concatenate([o_seek, s_rows])
    sims = np.concatenate([o_sim, s_sim])
    if offer.size == 0:
        return []
    # one entry per pair, keeping the higher of the two directions' similarities
    code = offer * len(seeks) + seek
    order = np.lexsort((-sims, code))
    code, offer, seek, sims = code[order], offer[order], seek[order], sims[order]
    first = np.ones(code.shape[0], dtype=bool)
    first[1:] = code[1:] != code[:-1]
    offer, seek, sims = offer[first], seek[first], np.clip(sims[first], -1.0, 1.0)

    offer_fees = np.fromiter((_fee(i) for i in offers), np.float64, len(offers))
    seek_fees = np.fromiter((_fee(i) for i in seeks), np.float64, len(seeks))
    fee_sum = offer_fees[offer] + seek_fees[seek]
    top = float(np.log1p(fee_sum.max()))
    fee_score = np.log1p(fee_sum) / top if top > 0 else np.zeros_like(fee_sum)
    priority = sims + fee_weight * fee_score
    best_first = np.lexsort((seek, offer, -priority))  # ties broken deterministically

    return _take_best_first(
        [i.ref for i in offers],
        [i.ref for i in seeks],
        offer[best_first].tolist(),
        seek[best_first].tolist(),
        similarities=sims[best_first].tolist(),
        priorities=priority[best_first].tolist(),
        excluded=excluded,
        limit=limit,
        per_intent=per_intent,
        occupied=occupied or {},
    )


def _slots(refs: Sequence[EntryRef], slot_of: dict[EntryRef, int]) -> list[int]:
    """Each ref's counter slot (one per distinct ref, shared by offers and seeks)."""
    return [slot_of.setdefault(ref, len(slot_of)) for ref in refs]


def _take_best_first(
    offer_refs: Sequence[EntryRef],
    seek_refs: Sequence[EntryRef],
    offers: Sequence[int],
    seeks: Sequence[int],
    *,
    similarities: Sequence[float],
    priorities: Sequence[float],
    excluded: Callable[[str], bool],
    limit: int | None,
    per_intent: int | None,
    occupied: Mapping[str, int],
) -> list[CandidatePair]:
    """The pairs (positions into ``offer_refs`` / ``seek_refs``, best first) that pass the
    cap and the exclusions, in that order. Loads are counted in a list by slot, not in a
    dict by ref: this loop runs once per distinct pair found (170k at 20k intents), and a
    list index costs less than a string-keyed lookup and store."""
    slot_of: dict[EntryRef, int] = {}
    offer_slot, seek_slot = _slots(offer_refs, slot_of), _slots(seek_refs, slot_of)
    load = [0] * len(slot_of)
    for ref, slot in slot_of.items():
        load[slot] = occupied.get(ref, 0)
    cap = per_intent
    pairs: list[CandidatePair] = []
    for o, s, similarity, priority in zip(offers, seeks, similarities, priorities, strict=True):
        a, b = offer_slot[o], seek_slot[s]
        # The cap first: it rejects most pairs (each intent takes two of ~13) and costs two
        # list reads, the exclusion a key; either skip leaves ``load`` as it was.
        if cap is not None:
            offer_load, seek_load = load[a], load[b]
            if offer_load >= cap or seek_load >= cap:
                continue
        offer_ref, seek_ref = offer_refs[o], seek_refs[s]
        if excluded(pair_key(offer_ref, seek_ref)):
            continue
        if cap is not None:
            load[a] = offer_load + 1
            load[b] = seek_load + 1
        pairs.append(CandidatePair(offer_ref, seek_ref, similarity, priority))
        if limit is not None and len(pairs) >= limit:
            break
    return pairs


def enqueue_negotiations(
    conn: sqlite3.Connection,
    pairs: Sequence[CandidatePair],
    *,
    now: float,
    queue: JobQueue | None = None,
) -> list[CandidatePair]:
    """Turn candidates into durable ``negotiation`` jobs (call inside ``Store.write``).

    The job's dedupe key is the pair's order-free key, so a pair is queued at most once in
    its life, whatever state its job reaches. Returns the pairs whose job was added.
    """
    jobs = queue or NEGOTIATIONS
    added: list[CandidatePair] = []
    for pair in pairs:
        payload = {
            "offer_ref": pair.offer_ref,
            "seek_ref": pair.seek_ref,
            "similarity": pair.similarity,
        }
        if jobs.enqueue(conn, pair.key, payload, priority=pair.priority, now=now):
            added.append(pair)
    return added
