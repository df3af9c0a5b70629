"""SQLite with one writer connection, a few reader connections, and every call off the hub.

All writes run on a single writer connection, one transaction per :meth:`Store.write`, and
return only after the commit is durable (``synchronous=FULL``). Reads use separate
connections, so they see a consistent WAL snapshot and never wait behind a commit's fsync.
Both run on the gevent hub's thread pool, so a commit never blocks the probes.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from gevent.queue import Queue

from mediator_actors.errors import StoreError
from mediator_actors.runtime.offload import run_blocking

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Where the database lives below DATA_DIR. The settlements folder is the runbook's
#: "continuous backup" item; intents, cursor and jobs share the file so that one
#: transaction can cover all of them.
DATABASE_FILE = Path("settlements") / "mediator.db"
_RUNBOOK_FOLDERS = ("vectors", "settlements", "disputes")
_READERS = 2


def data_folders(data_dir: Path) -> list[Path]:
    """Create the runbook's data folders (``vectors``, ``settlements``, ``disputes``)."""
    folders = [data_dir / name for name in _RUNBOOK_FOLDERS]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folders


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step of one component; components version their tables independently."""

    component: str
    version: int
    statements: tuple[str, ...]


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nothing commits implicitly.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.row_factory = sqlite3.Row
    return conn


def _transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _snapshot(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN")
    try:
        return fn(conn)
    finally:
        conn.execute("ROLLBACK")


class Store:
    """The node's single database. Open it with :meth:`open`; share the instance."""

    def __init__(
        self, path: Path, writer: sqlite3.Connection, readers: Sequence[sqlite3.Connection]
    ):
        self.path = path
        self._writer: Queue[sqlite3.Connection] = Queue()
        self._writer.put(writer)
        self._readers: Queue[sqlite3.Connection] = Queue()
        for reader in readers:
            self._readers.put(reader)
        self._all = [writer, *readers]
        self._closed = False

    @classmethod
    def open(cls, data_dir: Path, *, migrations: Iterable[Migration] = ()) -> Store:
        """Open (creating if needed) the store under ``data_dir`` and apply ``migrations``."""
        try:
            data_folders(data_dir)
        except OSError as exc:
            raise StoreError(f"DATA_DIR {data_dir} cannot hold the data folders: {exc}") from exc
        path = data_dir / DATABASE_FILE
        try:
            writer = run_blocking(_connect, path)
            run_blocking(apply_migrations, writer, list(migrations))
            readers = [run_blocking(_connect, path) for _ in range(_READERS)]
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        os.chmod(path, 0o600)
        return cls(path, writer, readers)

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(conn)`` in one write transaction; return after the commit is durable.

        Writes are serialised (one writer connection). ``fn`` runs on a pool thread, so it
        must only touch the connection and its arguments, never actors or greenlets.
        """
        conn = self._checkout(self._writer)
        try:
            return run_blocking(_transaction, conn, fn)
        finally:
            self._writer.put(conn)

    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(conn)`` on a reader connection inside one consistent snapshot."""
        conn = self._checkout(self._readers)
        try:
            return run_blocking(_snapshot, conn, fn)
        finally:
            self._readers.put(conn)

    def backup(self, destination: Path) -> Path:
        """Write an online, consistent copy of the database to ``destination``.

        Uses SQLite's backup API, so writers keep going while it runs. The copy is written
        beside the destination, fsynced, then renamed into place.
        """
        destination = destination.resolve()
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".partial")

        def copy(conn: sqlite3.Connection) -> None:
            target = sqlite3.connect(partial)
            try:
                conn.backup(target, pages=1024)
            finally:
                target.close()
            with open(partial, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, destination)
            _fsync_directory(destination.parent)

        conn = self._checkout(self._readers)
        try:
            run_blocking(copy, conn)
        finally:
            self._readers.put(conn)
        return destination

    def quick_check(self) -> str:
        """``PRAGMA quick_check``: ``"ok"`` for a sound database."""
        return self.read(lambda conn: str(conn.execute("PRAGMA quick_check").fetchone()[0]))

    def close(self) -> None:
        """Close every connection (checkpointing the WAL). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for conn in self._all:
            try:
                conn.close()
            except sqlite3.Error:  # pragma: no cover - closing is best effort
                logger.warning("store: a connection failed to close", exc_info=True)

    def _checkout(self, pool: Queue[sqlite3.Connection]) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("the store is closed")
        conn: sqlite3.Connection = pool.get()
        return conn


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    """True when the database has a table called ``name`` (its migrations ran)."""
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def apply_migrations(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> list[Migration]:
    """Apply, each in its own transaction, the migrations not yet recorded; return them.

    Refuses a database written by a newer version of a component (no silent downgrade).
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " component TEXT NOT NULL, version INTEGER NOT NULL, applied_at REAL NOT NULL,"
        " PRIMARY KEY (component, version))"
    )
    applied: dict[str, int] = {
        row[0]: row[1]
        for row in conn.execute("SELECT component, MAX(version) FROM schema_migrations GROUP BY 1")
    }
    known: dict[str, int] = {}
    for migration in migrations:
        known[migration.component] = max(known.get(migration.component, 0), migration.version)
    for component, version in applied.items():
        if component in known and version > known[component]:
            raise StoreError(
                f"the store's '{component}' schema is version {version}, newer than this "
                f"node knows ({known[component]}); run a newer mediator-node"
            )
    done: list[Migration] = []
    for migration in sorted(migrations, key=lambda m: (m.component, m.version)):
        if migration.version <= applied.get(migration.component, 0):
            continue

        def step(c: sqlite3.Connection, m: Migration = migration) -> None:
            for statement in m.statements:
                c.execute(statement)
            c.execute(
                "INSERT INTO schema_migrations (component, version, applied_at) VALUES (?, ?, ?)",
                (m.component, m.version, time.time()),
            )

        _transaction(conn, step)
        done.append(migration)
        logger.info("store: migrated %s to version %d", migration.component, migration.version)
    return done


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
