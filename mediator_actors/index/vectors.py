"""The vectors table: every embedding the node paid for, kept with the embedder that made it.

The index is a cache of these rows: it can always be rebuilt from them without calling an
API again. A row is keyed by (ref, embedder_id), so vectors of different embedders live
side by side but are never read into the same index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from mediator_actors.embedding.base import Vectors
from mediator_actors.model import EntryRef, IntentType
from mediator_actors.store.database import Migration
from mediator_actors.store.intents import open_refs_and_types

MIGRATIONS = (
    Migration(
        "vectors",
        1,
        (
            """CREATE TABLE vectors (
                ref TEXT NOT NULL,
                embedder_id TEXT NOT NULL,
                dimensions INTEGER NOT NULL CHECK (dimensions > 0),
                vector BLOB NOT NULL CHECK (length(vector) = 4 * dimensions),
                created_at REAL NOT NULL,
                PRIMARY KEY (embedder_id, ref)
            )""",
        ),
    ),
)

_LE_FLOAT32 = np.dtype("<f4")


def encode_vector(vector: np.ndarray) -> bytes:
    """Little-endian float32 bytes, the same on every machine."""
    return np.ascontiguousarray(vector, dtype=_LE_FLOAT32).tobytes()


def decode_vector(blob: bytes, dimensions: int) -> Vectors:
    if len(blob) != 4 * dimensions:
        raise ValueError(f"a {dimensions}-d vector needs {4 * dimensions} bytes, got {len(blob)}")
    return np.frombuffer(blob, dtype=_LE_FLOAT32).astype(np.float32)


def save_vectors(
    conn: sqlite3.Connection,
    embedder_id: str,
    refs: Sequence[str],
    vectors: np.ndarray,
    *,
    now: float,
) -> int:
    """Store (or replace) one vector per ref; returns the number written. Refuses NaN."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != len(refs):
        raise ValueError(f"{len(refs)} refs but vectors of shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("vectors must be finite")
    dimensions = int(matrix.shape[1])
    conn.executemany(
        "INSERT OR REPLACE INTO vectors (ref, embedder_id, dimensions, vector, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (ref, embedder_id, dimensions, encode_vector(row), now)
            for ref, row in zip(refs, matrix, strict=True)
        ],
    )
    return len(refs)


def _collect(
    rows: Iterable[Sequence[Any]], dimensions: int | None
) -> tuple[list[EntryRef], Vectors]:
    refs: list[EntryRef] = []
    blobs: list[bytes] = []
    for ref, dims, blob in rows:
        if dimensions is None:
            dimensions = int(dims)
        if dims != dimensions or len(blob) != 4 * dimensions:
            # a row that cannot be read is skipped; its intent is re-embedded by the caller
            continue
        refs.append(EntryRef(ref))
        blobs.append(blob)
    if not blobs:
        return refs, np.zeros((0, dimensions or 0), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype=_LE_FLOAT32).reshape(len(blobs), dimensions or 0)
    return refs, matrix.astype(np.float32)


def load_vectors(
    conn: sqlite3.Connection,
    embedder_id: str,
    refs: Sequence[str] | None = None,
    *,
    dimensions: int | None = None,
) -> tuple[list[EntryRef], Vectors]:
    """Vectors of ``embedder_id`` (all of them, or those of ``refs`` that exist), in ref
    order; ``dimensions`` skips rows of another size."""
    if refs is None:
        rows = conn.execute(
            "SELECT ref, dimensions, vector FROM vectors WHERE embedder_id = ? ORDER BY ref",
            (embedder_id,),
        ).fetchall()
        return _collect(rows, dimensions)
    found: list[sqlite3.Row] = []
    wanted = list(dict.fromkeys(refs))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.extend(
            conn.execute(
                f"SELECT ref, dimensions, vector FROM vectors WHERE embedder_id = ? AND ref IN ({marks})",  # noqa: S608 - only placeholders are interpolated
                (embedder_id, *chunk),
            ).fetchall()
        )
    order = {ref: i for i, ref in enumerate(wanted)}
    found.sort(key=lambda row: order[row[0]])
    return _collect(found, dimensions)


def open_intent_vectors(
    conn: sqlite3.Connection, embedder_id: str, *, dimensions: int | None = None
) -> tuple[list[EntryRef], list[IntentType], Vectors]:
    """Refs, types and stored vectors of every open intent, oldest first: what a rebuilt
    index holds. Needs the ``intents`` migrations too."""
    open_intents = open_refs_and_types(conn)
    types = dict(open_intents)
    refs, vectors = load_vectors(
        conn, embedder_id, [ref for ref, _ in open_intents], dimensions=dimensions
    )
    return refs, [types[ref] for ref in refs], vectors


def refs_without_vectors(
    conn: sqlite3.Connection, embedder_id: str, *, limit: int = 1000
) -> list[EntryRef]:
    """Open intents that still need embedding with ``embedder_id``, oldest first."""
    have = {
        str(row[0])
        for row in conn.execute("SELECT ref FROM vectors WHERE embedder_id = ?", (embedder_id,))
    }
    return [ref for ref, _ in open_refs_and_types(conn) if ref not in have][:limit]


def delete_vectors(conn: sqlite3.Connection, refs: Sequence[str]) -> int:
    """Forget the vectors of ``refs`` under every embedder (e.g. intents closed long ago)."""
    cursor = conn.executemany("DELETE FROM vectors WHERE ref = ?", [(ref,) for ref in refs])
    return cursor.rowcount
