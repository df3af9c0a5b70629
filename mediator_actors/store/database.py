"""SQLite with one writer connection, a few reader connections, and every call off the hub.

All writes run on a single writer connection, one transaction per :meth:`Store.write`, and
return only after the commit is durable (``synchronous=FULL``). Reads use separate
connections, so they see a consistent WAL snapshot and never wait behind a commit's fsync.
Both run on the gevent hub's thread pool, so a commit never blocks the probes.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from gevent.queue import Queue

from mediator_actors.errors import StoreError, StoreRefusedError
from mediator_actors.runtime.offload import run_blocking

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Where the database lives below DATA_DIR. The settlements folder is the runbook's
#: "continuous backup" item; intents, cursor and jobs share the file so that one
#: transaction can cover all of them.
DATABASE_FILE = Path("settlements") / "mediator.db"
_RUNBOOK_FOLDERS = ("vectors", "settlements", "disputes")
_READERS = 2
#: Lines of a failed quick_check quoted in the error; the rest only make it longer.
_CHECK_LINES = 5
#: Index manifests are small; a larger file is not read for its cursor.
_MAX_MANIFEST_BYTES = 1 << 20


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


def corrupt_store_message(path: Path, detail: str) -> str:
    return (
        f"the store is corrupt; restore it (`mediator-node restore FILE`) or move it away "
        f"({path}: {detail})"
    )


def _is_corruption(exc: sqlite3.Error) -> bool:
    # SQLITE_CORRUPT ("database disk image is malformed") and SQLITE_NOTADB ("file is not
    # a database"); other errors (locked, read-only, full disk) are not the file's fault.
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    text = str(exc)
    return "malformed" in text or "not a database" in text


def integrity(conn: sqlite3.Connection, *, full: bool = False) -> list[str]:
    """``PRAGMA quick_check`` (or ``integrity_check`` when ``full``): ``[]`` when sound,
    else its first few findings. Corruption the pragma itself trips over is a finding."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}({_CHECK_LINES})").fetchall()
    except sqlite3.DatabaseError as exc:
        if _is_corruption(exc):
            return [str(exc)]
        raise
    findings = [str(row[0]) for row in rows]
    return [] if findings == ["ok"] else findings


def _one_line(findings: list[str]) -> str:
    return "; ".join(" ".join(f.split()) for f in findings)


def _is_empty_file(path: Path) -> bool:
    """Missing or zero bytes, with no write-ahead log holding its pages either."""
    wal = path.with_name(path.name + "-wal")
    for candidate in (path, wal):
        try:
            if candidate.stat().st_size > 0:
                return False
        except FileNotFoundError:
            continue
    return True


def _snapshot_cursor(manifest: Path) -> object:
    try:
        if manifest.stat().st_size > _MAX_MANIFEST_BYTES:
            return None
        data = json.loads(manifest.read_bytes())
    except (OSError, ValueError):
        return None
    return data.get("cursor") if isinstance(data, dict) else None


def history_evidence(data_dir: Path) -> list[str]:
    """What under ``data_dir`` says the node has run here before: index snapshots (with
    the chain cursor they reflect) and dispute files. Empty for a fresh folder."""
    found: list[str] = []
    vectors = data_dir / "vectors"
    manifests = sorted(vectors.glob("*/gen-*/manifest.json")) + sorted(
        vectors.glob("gen-*/manifest.json")
    )
    if manifests:
        cursors = [c for c in map(_snapshot_cursor, manifests) if c is not None]
        where = f" up to chain cursor {json.dumps(cursors[-1])[:80]}" if cursors else ""
        found.append(f"{vectors} holds {len(manifests)} index snapshot(s){where}")
    disputes = data_dir / "disputes"
    if disputes.is_dir() and any(disputes.iterdir()):
        found.append(f"{disputes} holds dispute files")
    return found


def check_history(path: Path, data_dir: Path, *, rebuild_from_chain: bool) -> None:
    """Refuse to create an empty store where the data says one existed (it was deleted,
    truncated to zero bytes, or DATA_DIR points at half a copy), unless told to rebuild."""
    if not _is_empty_file(path) or rebuild_from_chain:
        return
    evidence = history_evidence(data_dir)
    if not evidence:
        return
    state = "missing" if not path.exists() else "empty (zero bytes)"
    raise StoreRefusedError(
        f"the store {path} is {state}, but {'; '.join(evidence)}: the node's history "
        "(intents, settlements, the chain cursor) is gone. Restore it "
        "(`mediator-node restore FILE`), or run `mediator-node start --rebuild-from-chain` "
        "to start with an empty store and read the chain again from its first block"
    )


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
    def open(
        cls,
        data_dir: Path,
        *,
        migrations: Iterable[Migration] = (),
        rebuild_from_chain: bool = False,
    ) -> Store:
        """Open (creating if needed) the store under ``data_dir`` and apply ``migrations``.

        Raises :class:`StoreRefusedError` when the file fails ``PRAGMA quick_check`` (a
        corrupt page would otherwise fail some later write, crash an actor and loop), and
        when it is missing or empty while index snapshots or disputes say it held history;
        ``rebuild_from_chain`` allows that empty start. quick_check reads every page: 0.7 s
        for a 116 MB database here (warm cache), once per start.
        """
        try:
            data_folders(data_dir)
        except OSError as exc:
            raise StoreError(f"DATA_DIR {data_dir} cannot hold the data folders: {exc}") from exc
        path = data_dir / DATABASE_FILE
        check_history(path, data_dir, rebuild_from_chain=rebuild_from_chain)
        writer: sqlite3.Connection | None = None
        try:
            writer = run_blocking(_connect, path)
            findings = run_blocking(integrity, writer)
            if findings:
                raise StoreRefusedError(corrupt_store_message(path, _one_line(findings)))
            run_blocking(apply_migrations, writer, list(migrations))
            readers = [run_blocking(_connect, path) for _ in range(_READERS)]
        except sqlite3.Error as exc:
            if writer is not None:
                writer.close()
            if _is_corruption(exc):
                raise StoreRefusedError(corrupt_store_message(path, str(exc))) from exc
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        except StoreError:
            if writer is not None:
                writer.close()
            raise
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

    def quick_check(self) -> str:
        """``PRAGMA quick_check``: ``"ok"`` for a sound database."""
        return self.read(lambda conn: str(conn.execute("PRAGMA quick_check").fetchone()[0]))

    def close(self) -> None:
        """Close every connection (checkpointing the WAL). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            # Closing alone left every page in mediator.db-wal (measured): fold the log
            # into the database file so the file on its own is the whole store.
            self._all[0].execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:  # pragma: no cover - a busy reader only delays the fold
            logger.warning("store: the WAL checkpoint at close failed", exc_info=True)
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


def schema_versions(conn: sqlite3.Connection) -> dict[str, int]:
    """The newest migration applied per component (the store's schema, as a backup records
    it); empty for a database no migration has touched."""
    rows = conn.execute(
        "SELECT component, MAX(version) FROM schema_migrations GROUP BY component"
    ).fetchall()
    return {str(component): int(version) for component, version in rows}


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
    applied = schema_versions(conn)
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
        logger.debug("store: migrated %s to version %d", migration.component, migration.version)
    # One line, not one per step: a first start would otherwise open with a dozen of them.
    if done and not applied:
        logger.info("store: created (%d schema steps)", len(done))
    elif done:
        steps = ", ".join(f"{m.component} to version {m.version}" for m in done)
        logger.info("store: migrated %s", steps)
    return done
