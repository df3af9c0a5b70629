"""The ``probe`` table: a scratch table for measuring the store itself.

The benchmarks judge the real write paths beside the cost of a plain durable insert into
a two-column table (``mediator-node benchmark --suite supervision`` and ``settlement``).
The node never creates it: only a benchmark's own temporary store applies
:data:`MIGRATIONS`.
"""

from __future__ import annotations

import sqlite3

from mediator_actors.store.database import Migration

MIGRATIONS = (
    Migration("probe", 1, ("CREATE TABLE probe (key TEXT PRIMARY KEY, body TEXT NOT NULL)",)),
)


def insert_probe(conn: sqlite3.Connection, key: str, body: str) -> None:
    conn.execute("INSERT INTO probe (key, body) VALUES (?, ?)", (key, body))
