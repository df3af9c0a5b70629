import logging
import sqlite3
from pathlib import Path

import gevent
import pytest

from mediator_actors.errors import StoreError
from mediator_actors.store import DATABASE_FILE, Migration, Store

NOTES = Migration("notes", 1, ("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT UNIQUE)",))
NOTES_V2 = Migration("notes", 2, ("ALTER TABLE notes ADD COLUMN author TEXT",))


def test_open_creates_the_runbook_folders_and_a_private_database(tmp_path: Path) -> None:
    store = Store.open(tmp_path, migrations=[NOTES])
    try:
        for folder in ("vectors", "settlements", "disputes"):
            assert (tmp_path / folder).is_dir()
        assert (tmp_path / DATABASE_FILE).stat().st_mode & 0o077 == 0
        assert store.quick_check() == "ok"
    finally:
        store.close()


def test_a_failed_write_rolls_back_everything_it_did(tmp_path: Path) -> None:
    store = Store.open(tmp_path, migrations=[NOTES])

    def insert_then_fail(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO notes (text) VALUES ('kept?')")
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        store.write(insert_then_fail)
    assert store.read(lambda c: c.execute("SELECT COUNT(*) FROM notes").fetchone()[0]) == 0
    store.close()


def test_migrations_apply_once_and_in_order_across_reopens(tmp_path: Path) -> None:
    Store.open(tmp_path, migrations=[NOTES]).close()
    store = Store.open(tmp_path, migrations=[NOTES_V2, NOTES])
    store.write(lambda c: c.execute("INSERT INTO notes (text, author) VALUES ('a', 'b')"))
    versions = store.read(
        lambda c: c.execute(
            "SELECT version FROM schema_migrations WHERE component='notes' ORDER BY version"
        ).fetchall()
    )
    assert [row[0] for row in versions] == [1, 2]
    store.close()


def test_a_new_store_and_an_upgrade_each_log_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mediator_actors.store.database")
    Store.open(tmp_path, migrations=[NOTES]).close()
    Store.open(tmp_path, migrations=[NOTES, NOTES_V2]).close()
    Store.open(tmp_path, migrations=[NOTES, NOTES_V2]).close()  # nothing to do: no line
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert lines == ["store: created (1 schema steps)", "store: migrated notes to version 2"]


def test_a_database_from_a_newer_node_is_refused(tmp_path: Path) -> None:
    Store.open(tmp_path, migrations=[NOTES, NOTES_V2]).close()
    with pytest.raises(StoreError, match="newer than this node knows"):
        Store.open(tmp_path, migrations=[NOTES])


def test_concurrent_writers_are_serialised_and_all_land(tmp_path: Path) -> None:
    store = Store.open(tmp_path, migrations=[NOTES])
    jobs = [
        gevent.spawn(
            store.write, lambda c, i=i: c.execute("INSERT INTO notes (text) VALUES (?)", (f"n{i}",))
        )
        for i in range(50)
    ]
    gevent.joinall(jobs, raise_error=True)
    assert store.read(lambda c: c.execute("SELECT COUNT(*) FROM notes").fetchone()[0]) == 50
    store.close()


def test_a_closed_store_refuses_work(tmp_path: Path) -> None:
    store = Store.open(tmp_path, migrations=[NOTES])
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.read(lambda c: None)
