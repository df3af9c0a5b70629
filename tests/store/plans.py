"""Record every statement a store transaction runs, and how SQLite plans each one.

For the stage tests: a statement that scans a table (no usable index) or sorts in a temporary
B-tree costs more as the table grows, so a stage run once per intent or per agreement that
issues one grows faster than its work."""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from mediator_actors.store import Store

T = TypeVar("T")

#: Statements with a plan worth reading: reads and in-place writes (an INSERT ... VALUES
#: is planned as nothing but the insert itself).
_PLANNED = re.compile(r"^\s*(SELECT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
#: A scan with no index; "SCAN t USING [COVERING] INDEX i" walks an index in order instead.
_BARE_SCAN = re.compile(r"^SCAN (\w+)$")
_LITERALS = re.compile(r"'(?:[^']|'')*'|(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b", re.IGNORECASE)


@dataclass
class Trace:
    """Each distinct statement (literals as ``?``) with how often it ran and one full text."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def record(self, sql: str) -> None:
        shape = _LITERALS.sub("?", sql)
        self.counts[shape] += 1
        self.examples.setdefault(shape, sql)

    def planned(self) -> list[str]:
        return [s for s in self.examples.values() if _PLANNED.match(s)]


def traced_write(store: Store, fn: Callable[[sqlite3.Connection], T]) -> tuple[T, Trace]:
    """``store.write(fn)`` with every statement it ran (trigger bodies excluded)."""
    trace = Trace()

    def run(conn: sqlite3.Connection) -> T:
        conn.set_trace_callback(lambda sql: None if sql.startswith("--") else trace.record(sql))
        try:
            return fn(conn)
        finally:
            conn.set_trace_callback(None)

    return store.write(run), trace


@contextlib.contextmanager
def tracing(store: Store) -> Iterator[Trace]:
    """Every statement of every ``store.write`` made inside the block (by any caller)."""
    trace = Trace()
    plain = store.write

    def write(fn: Callable[[sqlite3.Connection], T]) -> T:
        def run(conn: sqlite3.Connection) -> T:
            conn.set_trace_callback(lambda sql: None if sql.startswith("--") else trace.record(sql))
            try:
                return fn(conn)
            finally:
                conn.set_trace_callback(None)

        return plain(run)

    store.write = write  # type: ignore[method-assign]
    try:
        yield trace
    finally:
        del store.write  # the class's method again


def plan_problems(store: Store, trace: Trace, *, small: frozenset[str] = frozenset()) -> list[str]:
    """Each planned statement that scans a table not in ``small`` without an index, or sorts
    in a temporary B-tree, with its plan: [] when every one is a search on an index."""
    problems = []
    for sql in trace.planned():
        details = store.read(functools.partial(_plan, sql=sql))
        for detail in details:
            scan = _BARE_SCAN.match(detail)
            if (scan and scan.group(1) not in small) or "TEMP B-TREE" in detail:
                problems.append(f"{sql[:160]} -> {' | '.join(details)}")
                break
    return problems


def _plan(conn: sqlite3.Connection, *, sql: str) -> list[str]:
    return [str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
