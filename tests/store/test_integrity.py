"""The store refuses to open corrupt, and refuses to start empty where it held history."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mediator_actors.errors import StoreRefusedError
from mediator_actors.store import DATABASE_FILE, Migration, Store
from mediator_actors.store.database import history_evidence, integrity

NOTES = Migration(
    "notes",
    1,
    (
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",
        "CREATE INDEX notes_text ON notes (text)",
    ),
)
PAGE = 4096


def _filled(data_dir: Path, rows: int = 3000) -> Path:
    store = Store.open(data_dir, migrations=[NOTES])
    store.write(
        lambda c: c.executemany(
            "INSERT INTO notes (text) VALUES (?)", [(f"note {i} " * 20,) for i in range(rows)]
        )
    )
    store.close()
    return data_dir / DATABASE_FILE


def _overwrite_page(path: Path, page: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek(page * PAGE)
        handle.write(b"\xde\xad\xbe\xef" * 64)


def _snapshot(data_dir: Path, cursor: object = 41) -> None:
    generation = data_dir / "vectors" / "offer" / "gen-00000003"
    generation.mkdir(parents=True)
    (generation / "manifest.json").write_text(json.dumps({"cursor": cursor}))


def test_close_folds_the_log_into_the_file_so_the_file_alone_is_the_store(
    tmp_path: Path,
) -> None:
    path = _filled(tmp_path / "data", rows=500)
    alone = tmp_path / "alone.db"
    shutil.copyfile(path, alone)  # without -wal and -shm
    conn = sqlite3.connect(alone)
    try:
        assert conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 500
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("page", "detail"),
    [
        (0, "file is not a database"),
        (2, "btreeInitPage"),
        (100, "malformed"),
        (200, "malformed"),
    ],
)
def test_a_corrupt_page_is_one_clear_refusal_at_open(
    tmp_path: Path, page: int, detail: str
) -> None:
    path = _filled(tmp_path)
    _overwrite_page(path, page)
    with pytest.raises(StoreRefusedError) as raised:
        Store.open(tmp_path, migrations=[NOTES])
    message = str(raised.value)
    assert message.startswith("the store is corrupt; restore it (`mediator-node restore FILE`)")
    assert "or move it away" in message
    assert detail in message
    assert "\n" not in message


def test_integrity_is_empty_for_a_sound_store_and_names_the_damage_otherwise(
    tmp_path: Path,
) -> None:
    path = _filled(tmp_path)
    conn = sqlite3.connect(path)
    assert integrity(conn) == integrity(conn, full=True) == []
    conn.close()
    _overwrite_page(path, 2)
    conn = sqlite3.connect(path)
    try:
        assert integrity(conn)
        assert integrity(conn, full=True)
    finally:
        conn.close()


@pytest.mark.parametrize("state", ["missing", "zero bytes"])
def test_an_empty_store_beside_index_snapshots_is_refused(tmp_path: Path, state: str) -> None:
    path = _filled(tmp_path)
    _snapshot(tmp_path, cursor={"block": 41})
    path.unlink()
    if state == "zero bytes":
        path.write_bytes(b"")
    with pytest.raises(StoreRefusedError) as raised:
        Store.open(tmp_path, migrations=[NOTES])
    message = str(raised.value)
    assert "history" in message
    assert "--rebuild-from-chain" in message
    assert "mediator-node restore" in message
    assert '{"block": 41}' in message
    # nothing was created in its place
    assert not path.exists() or path.stat().st_size == 0


def test_an_empty_store_beside_dispute_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "disputes").mkdir()
    (tmp_path / "disputes" / "d1.json").write_text("{}")
    with pytest.raises(StoreRefusedError, match="dispute files"):
        Store.open(tmp_path, migrations=[NOTES])


def test_rebuild_from_chain_starts_empty_beside_old_snapshots(tmp_path: Path) -> None:
    _snapshot(tmp_path)
    store = Store.open(tmp_path, migrations=[NOTES], rebuild_from_chain=True)
    try:
        assert store.read(lambda c: c.execute("SELECT COUNT(*) FROM notes").fetchone()[0]) == 0
    finally:
        store.close()
    # once created, the store is the history: a plain open works from then on
    Store.open(tmp_path, migrations=[NOTES]).close()


def test_a_fresh_folder_has_no_history_and_opens(tmp_path: Path) -> None:
    assert history_evidence(tmp_path) == []
    Store.open(tmp_path, migrations=[NOTES]).close()
    assert history_evidence(tmp_path) == []


def _start(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DATA_DIR": str(data_dir),
        "CONFIG_FILE": str(data_dir.parent / "config.yaml"),
        "ENV_FILE": str(data_dir.parent / "none.env"),
        "HEALTH_PORT": "0",
        "WS_PORT": "0",
        "EMBEDDING_PROVIDER": "hash",
    }
    return subprocess.run(
        [sys.executable, "-m", "mediator_actors", "start", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_start_on_a_corrupt_store_exits_2_with_the_message(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _overwrite_page(_filled(data), 100)
    done = _start(data)
    assert done.returncode == 2, done.stderr[-3000:]
    assert "the store is corrupt; restore it (`mediator-node restore FILE`)" in done.stderr
    assert "Traceback" not in done.stderr


def test_start_on_a_missing_store_beside_snapshots_exits_2_and_names_the_flag(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    _snapshot(data)
    done = _start(data)
    assert done.returncode == 2, done.stderr[-3000:]
    assert "--rebuild-from-chain" in done.stderr
    assert not (data / DATABASE_FILE).exists()


def test_start_rebuild_from_chain_creates_the_empty_store_before_the_node_opens_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediator_actors import cli, wiring

    data = tmp_path / "data"
    _snapshot(data)
    for name, value in {
        "DATA_DIR": str(data),
        "CONFIG_FILE": str(tmp_path / "config.yaml"),
        "ENV_FILE": str(tmp_path / "none.env"),
        "EMBEDDING_PROVIDER": "hash",
    }.items():
        monkeypatch.setenv(name, value)
    opened: list[bool] = []

    class FakeNode:
        def run(self) -> int:
            # what Node.start does first: a plain open, which must now succeed
            Store.open(data, migrations=wiring.ALL_MIGRATIONS).close()
            opened.append(True)
            return 0

    monkeypatch.setattr(wiring, "build_node", lambda settings: FakeNode())
    assert cli.main(["start", "--rebuild-from-chain"]) == 0
    assert opened == [True]
    conn = sqlite3.connect(data / DATABASE_FILE)
    try:
        assert conn.execute("SELECT COUNT(*) FROM chain_cursor").fetchone()[0] == 0
    finally:
        conn.close()
