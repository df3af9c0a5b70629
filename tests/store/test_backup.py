"""Backup archives: where they may be written, what they hold, verify and restore."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

from mediator_actors import cli
from mediator_actors.index.hnsw import IndexParams, VectorIndex
from mediator_actors.index.snapshots import LoadSource, SnapshotStore
from mediator_actors.store import DATABASE_FILE, Migration, Store
from mediator_actors.store import backup as backup_module
from mediator_actors.store.backup import (
    ENV_MEMBER,
    MANIFEST_NAME,
    STORE_MEMBER,
    BackupError,
    BackupSources,
    parse_manifest,
    read_archive,
    restore,
    verify_archive,
    write_backup,
)

NOTES = Migration("notes", 1, ("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",))
PRIVATE_KEY = "9f" * 32
LLM_KEY = "sk-ant-api03-" + "Q" * 40 + "-backupAA"
POA_KEY = "4e" * 32
PARAMS = IndexParams(dimensions=8, initial_capacity=16, threads=1)
NOW = 1_796_000_000.0  # 2026-11-30 00:53:20 UTC


def _index(count: int, seed: int) -> VectorIndex:
    vectors = np.random.default_rng(seed).normal(size=(count, 8)).astype(np.float32)
    return VectorIndex.build(
        [f"ref-{seed}-{i}" for i in range(count)], vectors, embedder_id="hash:8", params=PARAMS
    )


def _node_folder(root: Path, *, notes: int = 25) -> BackupSources:
    """A data folder as a node leaves it, with config beside it holding three secrets."""
    data = root / "data"
    store = Store.open(data, migrations=[NOTES])
    store.write(
        lambda c: c.executemany(
            "INSERT INTO notes (text) VALUES (?)", [(f"note {i}",) for i in range(notes)]
        )
    )
    store.close()
    for part, seed in (("offer", 1), ("seek", 2)):
        snapshots = SnapshotStore(data / "vectors" / part)
        snapshots.save(_index(10, seed), cursor=7)
        snapshots.save(_index(12, seed), cursor=9)
    (data / "disputes" / "case-1.json").write_text('{"dispute": 1}')
    (data / "devchain.json").write_text('{"blocks": []}')
    (data / "settlements" / "stray.partial").write_text("not a member")
    config = root / "config.yaml"
    config.write_text(f"consensusMode: poa\npoaAuthorityKey: {POA_KEY}\nauthoritySet: []\n")
    env = root / ".env"
    env.write_text(
        f"MEDIATOR_PRIVATE_KEY={PRIVATE_KEY}\nLLM_API_KEY={LLM_KEY}\n"
        "# the health port\nHEALTH_PORT=8082\nexport MY_SERVICE_TOKEN=abcdefgh12345678\n"
    )
    return BackupSources(
        data_dir=data,
        vectors=data / "vectors",
        config_file=config,
        env_file=env,
        secrets=[PRIVATE_KEY, LLM_KEY, POA_KEY],
        secret_names=frozenset({"MEDIATOR_PRIVATE_KEY", "LLM_API_KEY"}),
    )


def _notes(database: Path) -> list[str]:
    conn = sqlite3.connect(database)
    try:
        return [row[0] for row in conn.execute("SELECT text FROM notes ORDER BY id")]
    finally:
        conn.close()


def _corrupt_middle(database: Path) -> None:
    pages = database.stat().st_size // 4096
    assert pages > 4
    with open(database, "r+b") as handle:
        handle.seek(pages // 2 * 4096)
        handle.write(b"\xde\xad" * 200)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- where a backup may go ----------------------------------------------------------------


@pytest.mark.parametrize(
    "inside",
    ["data/settlements/mediator.db", "data", "data/vectors/new.tar", "data/settlements"],
)
def test_a_backup_inside_data_dir_is_refused_and_the_live_store_is_untouched(
    tmp_path: Path, inside: str
) -> None:
    sources = _node_folder(tmp_path)
    live = sources.data_dir / DATABASE_FILE
    before = _sha(live)
    listing = sorted(p.name for p in (sources.data_dir / "settlements").iterdir())
    with pytest.raises(BackupError, match=r"inside .*the node's own data"):
        write_backup(sources, tmp_path / inside, clock=lambda: NOW)
    assert _sha(live) == before
    assert _notes(live) == [f"note {i}" for i in range(25)]
    assert sorted(p.name for p in (sources.data_dir / "settlements").iterdir()) == listing


def test_a_symlink_into_data_dir_is_refused(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path)
    (tmp_path / "link").symlink_to(sources.data_dir / "settlements")
    with pytest.raises(BackupError, match="inside"):
        write_backup(sources, tmp_path / "link" / "copy.tar")


def test_a_folder_gets_a_dated_file_inside_and_nothing_beside_it(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path / "node")
    folder = tmp_path / "backups"
    folder.mkdir()
    report = write_backup(sources, folder, clock=lambda: NOW)
    assert report.path == folder / "mediator-backup-20261130T005320Z.tar"
    assert [p.name for p in folder.iterdir()] == [report.path.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "node"]
    assert report.path.stat().st_mode & 0o077 == 0


def test_an_existing_file_is_not_overwritten(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path / "node")
    (tmp_path / "old.tar").write_text("keep me")
    with pytest.raises(BackupError, match="exists"):
        write_backup(sources, tmp_path / "old.tar")
    assert (tmp_path / "old.tar").read_text() == "keep me"


@pytest.mark.parametrize("where", ["missing-folder/b.tar", "a-file/b.tar"])
def test_a_destination_without_a_folder_is_a_clear_error_that_creates_nothing(
    tmp_path: Path, where: str
) -> None:
    sources = _node_folder(tmp_path / "node")
    (tmp_path / "a-file").write_text("")
    with pytest.raises(BackupError, match="does not exist"):
        write_backup(sources, tmp_path / where)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "node"]


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path / "node")
    # /proc refuses new files even to root, which ignores permission bits
    with pytest.raises(BackupError, match="cannot write a backup in /proc"):
        write_backup(sources, Path("/proc/mediator-backup.tar"))


def test_a_write_failing_midway_leaves_no_stray_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = _node_folder(tmp_path / "node")
    folder = tmp_path / "backups"
    folder.mkdir()

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup_module, "_write_tar", full)
    with pytest.raises(BackupError, match="No space left on device"):
        write_backup(sources, folder / "b.tar")
    assert list(folder.iterdir()) == []


def test_no_store_means_nothing_to_back_up_and_none_is_created(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    sources = BackupSources(data_dir=data, vectors=data / "vectors")
    with pytest.raises(BackupError, match="nothing to back up"):
        write_backup(sources, tmp_path / "b.tar")
    assert list(data.iterdir()) == []
    assert not (tmp_path / "b.tar").exists()


def test_a_corrupt_store_is_not_backed_up(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path / "node", notes=3000)
    _corrupt_middle(sources.data_dir / DATABASE_FILE)
    with pytest.raises(BackupError, match=r"the store is corrupt.*no backup written"):
        write_backup(sources, tmp_path / "b.tar")
    assert not (tmp_path / "b.tar").exists()


# -- what an archive holds --------------------------------------------------------------


def test_an_archive_holds_the_runbook_items_with_a_manifest_first_and_no_secret(
    tmp_path: Path,
) -> None:
    sources = _node_folder(tmp_path / "node")
    report = write_backup(sources, tmp_path / "b.tar", clock=lambda: NOW)
    with tarfile.open(report.path) as tar:
        names = tar.getnames()
        env_text = tar.extractfile(ENV_MEMBER).read().decode()  # type: ignore[union-attr]
        config_text = tar.extractfile("config/config.yaml").read().decode()  # type: ignore[union-attr]
    assert names[0] == MANIFEST_NAME
    assert set(names[1:]) == {
        STORE_MEMBER,
        "data/devchain.json",
        "data/disputes/case-1.json",
        "config/config.yaml",
        ENV_MEMBER,
        *(
            f"data/vectors/{part}/{name}"
            for part in ("offer", "seek")
            for name in (
                "CURRENT",
                "gen-00000002/index.bin",
                "gen-00000002/labels.json",
                "gen-00000002/manifest.json",
            )
        ),
    }
    assert report.manifest.index_generations == {"offer": 2, "seek": 2}
    assert report.manifest.schema == {"notes": 1}
    raw = report.path.read_bytes()
    for secret in (PRIVATE_KEY, LLM_KEY, POA_KEY, "abcdefgh12345678"):
        assert secret.encode() not in raw
    assert "# the health port\nHEALTH_PORT=8082\n" in env_text
    assert "# MEDIATOR_PRIVATE_KEY=*** (a secret: not in the backup)" in env_text
    assert "consensusMode: poa" in config_text
    assert "poaAuthorityKey: '***'" in config_text


def test_a_gz_name_writes_a_compressed_archive_that_verifies(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path / "node")
    report = write_backup(sources, tmp_path / "b.tar.gz")
    assert report.path.read_bytes()[:2] == b"\x1f\x8b"
    assert verify_archive(report.path).store_check == "ok"


def test_the_newest_generation_that_verifies_is_the_one_backed_up(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path / "node")
    damaged = sources.vectors / "offer" / "gen-00000002" / "index.bin"
    data = bytearray(damaged.read_bytes())
    data[40] ^= 0xFF
    damaged.write_bytes(bytes(data))
    report = write_backup(sources, tmp_path / "b.tar")
    assert report.manifest.index_generations == {"offer": 1, "seek": 2}
    assert any("offer/gen-00000002" in p for p in report.problems)
    restore(report.path, tmp_path / "restored")
    loaded = SnapshotStore(tmp_path / "restored" / "vectors" / "offer").load(
        embedder_id="hash:8", params=PARAMS
    )
    assert loaded.source is LoadSource.CURRENT
    assert loaded.generation == 1


# -- verify -------------------------------------------------------------------------------


def _rewrite(archive: Path, out: Path, edit: object) -> None:
    """Copy ``archive`` member by member through ``edit(name, data) -> [(name, data, type)]``."""
    with tarfile.open(archive) as source, tarfile.open(out, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            for name, content, kind in edit(member.name, data):  # type: ignore[operator]
                info = tarfile.TarInfo(name)
                info.type = kind
                if kind == tarfile.SYMTYPE:
                    info.linkname = "/etc/passwd"
                    target.addfile(info)
                else:
                    info.size = len(content)
                    target.addfile(info, io.BytesIO(content))


def _flip_member(wanted: str) -> object:
    def edit(name: str, data: bytes) -> list[tuple[str, bytes, bytes]]:
        if name == wanted:
            data = bytes([data[0] ^ 1]) + data[1:]
        return [(name, data, tarfile.REGTYPE)]

    return edit


def _fix_manifest_after(damage: object) -> object:
    """Damage a member, then fix its digest in the manifest: only the inner checks remain."""
    changed: dict[str, bytes] = {}

    def edit(name: str, data: bytes) -> list[tuple[str, bytes, bytes]]:
        if name == MANIFEST_NAME:
            return [(name, data, tarfile.REGTYPE)]
        new = damage(name, data)  # type: ignore[operator]
        if new != data:
            changed[name] = new
        return [(name, new, tarfile.REGTYPE)]

    return edit, changed


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_flip_member(STORE_MEMBER), "does not match its SHA-256"),
        (_flip_member("data/vectors/seek/gen-00000002/index.bin"), "does not match"),
        (
            lambda n, d: [(n, d, tarfile.REGTYPE)] if n != "data/devchain.json" else [],
            "lacks 1 listed file",
        ),
        (
            lambda n, d: (
                [(n, d, tarfile.REGTYPE), ("data/extra.txt", b"x", tarfile.REGTYPE)]
                if n == MANIFEST_NAME
                else [(n, d, tarfile.REGTYPE)]
            ),
            "not in the manifest",
        ),
        (
            lambda n, d: (
                [(n, d, tarfile.REGTYPE), ("data/../../escape", b"x", tarfile.REGTYPE)]
                if n == MANIFEST_NAME
                else [(n, d, tarfile.REGTYPE)]
            ),
            "'..'",
        ),
        (
            lambda n, d: (
                [(n, d, tarfile.REGTYPE), ("/etc/cron.d/x", b"x", tarfile.REGTYPE)]
                if n == MANIFEST_NAME
                else [(n, d, tarfile.REGTYPE)]
            ),
            "not under data/ or config/",
        ),
        (
            lambda n, d: (
                [(n, d, tarfile.SYMTYPE)]
                if n == "data/devchain.json"
                else [(n, d, tarfile.REGTYPE)]
            ),
            "not a regular file",
        ),
        (
            lambda n, d: [(n, d, tarfile.REGTYPE)] if n != MANIFEST_NAME else [],
            "does not start with MANIFEST.json",
        ),
    ],
)
def test_verify_finds_every_defect_and_restore_refuses_it(
    tmp_path: Path, edit: object, message: str
) -> None:
    sources = _node_folder(tmp_path / "node")
    good = write_backup(sources, tmp_path / "good.tar").path
    bad = tmp_path / "bad.tar"
    _rewrite(good, bad, edit)
    with pytest.raises(BackupError, match=message):
        verify_archive(bad)
    with pytest.raises(BackupError, match=message):
        restore(bad, tmp_path / "restored")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tar", "good.tar", "node"]
    assert not (tmp_path / "escape").exists()


def test_verify_runs_integrity_check_on_the_archived_store(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path / "node", notes=3000)
    good = write_backup(sources, tmp_path / "good.tar").path
    folder = tmp_path / "x"
    folder.mkdir()
    manifest = read_archive(good, folder)
    database = folder / STORE_MEMBER
    _corrupt_middle(database)
    # a consistent archive of a corrupt store: digests match, the store does not
    files = dict(manifest.files)
    files[STORE_MEMBER] = backup_module._digest_file(database)
    forged = backup_module.BackupManifest(
        manifest.created_at, manifest.node_version, files, manifest.schema, {}
    )
    bad = tmp_path / "bad.tar"
    with tarfile.open(bad, "w") as tar:
        raw = forged.to_json_bytes()
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
        for name in sorted(files):
            tar.add(folder / name, arcname=name)
    with pytest.raises(BackupError, match="the store is corrupt"):
        verify_archive(bad)


# -- restore ------------------------------------------------------------------------------


def test_restore_into_an_empty_folder_gives_back_the_store_index_and_disputes(
    tmp_path: Path,
) -> None:
    sources = _node_folder(tmp_path / "node")
    archive = write_backup(sources, tmp_path / "b.tar").path
    target = tmp_path / "elsewhere" / "data"
    report = restore(archive, target)
    assert report.target == target
    assert report.previous is None
    assert _notes(target / DATABASE_FILE) == [f"note {i}" for i in range(25)]
    assert (target / "disputes" / "case-1.json").read_text() == '{"dispute": 1}'
    assert not (target / "settlements" / "stray.partial").exists()
    for part in ("offer", "seek"):
        loaded = SnapshotStore(target / "vectors" / part).load(embedder_id="hash:8", params=PARAMS)
        assert loaded.source is LoadSource.CURRENT
        assert loaded.index is not None
        assert len(loaded.index) == 12
    assert sorted(p.name for p in target.parent.iterdir()) == ["data"]
    Store.open(target, migrations=[NOTES]).close()  # a node opens it as its own


def test_restore_over_existing_data_keeps_the_old_data_beside_it(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path / "node", notes=5)
    archive = write_backup(sources, tmp_path / "b.tar").path
    store = Store.open(sources.data_dir, migrations=[NOTES])
    store.write(lambda c: c.execute("INSERT INTO notes (text) VALUES ('after the backup')"))
    store.close()
    report = restore(archive, sources.data_dir, clock=lambda: NOW)
    assert _notes(sources.data_dir / DATABASE_FILE) == [f"note {i}" for i in range(5)]
    assert report.previous == tmp_path / "node" / "data.before-restore-20261130T005320Z"
    assert _notes(report.previous / DATABASE_FILE)[-1] == "after the backup"
    assert sorted(p.name for p in (tmp_path / "node").iterdir()) == [
        ".env",
        "config.yaml",
        "data",
        "data.before-restore-20261130T005320Z",
    ]


HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.write(fd, f"{os.getpid()}\\n".encode())
print("locked", flush=True)
sys.stdin.read()
"""


def test_restore_refuses_while_a_node_holds_the_data_dir_lock(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path / "node", notes=5)
    archive = write_backup(sources, tmp_path / "b.tar").path
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(sources.data_dir / "node.lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        before = _sha(sources.data_dir / DATABASE_FILE)
        with pytest.raises(BackupError, match=rf"a node \(PID {holder.pid}\) runs on"):
            restore(archive, sources.data_dir)
        assert _sha(sources.data_dir / DATABASE_FILE) == before
        assert sorted(p.name for p in (tmp_path / "node").iterdir()) == [
            ".env",
            "config.yaml",
            "data",
        ]
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    restore(archive, sources.data_dir)  # the node is gone: now it restores


# -- the verbs ----------------------------------------------------------------------------


def _cli_env(monkeypatch: pytest.MonkeyPatch, sources: BackupSources) -> None:
    monkeypatch.chdir(sources.data_dir.parent)
    monkeypatch.setenv("DATA_DIR", str(sources.data_dir))
    for name in ("CHAIN_ENDPOINT", "DEV_MODE", "VECTOR_DB_PATH", "CONFIG_FILE", "ENV_FILE"):
        monkeypatch.delenv(name, raising=False)


def test_the_verbs_back_up_verify_and_restore_with_their_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = _node_folder(tmp_path / "node")
    (sources.config_file or Path()).write_text("consensusMode: permissionless\n")
    _cli_env(monkeypatch, sources)
    live = sources.data_dir / DATABASE_FILE
    assert cli.main(["backup", "--to", str(live)]) == 1
    assert "refusing to write a backup" in capsys.readouterr().err
    assert _notes(live) == [f"note {i}" for i in range(25)]

    folder = tmp_path / "backups"
    folder.mkdir()
    assert cli.main(["backup", "--to", str(folder)]) == 0
    out = capsys.readouterr().out
    (archive,) = folder.iterdir()
    assert f"wrote {archive}" in out
    assert PRIVATE_KEY.encode() not in archive.read_bytes()
    assert LLM_KEY.encode() not in archive.read_bytes()

    assert cli.main(["verify", str(archive), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True
    assert result["store_integrity"] == "ok"
    assert result["index_generations"] == {"offer": 2, "seek": 2}

    damaged = tmp_path / "damaged.tar"
    data = bytearray(archive.read_bytes())
    data[-20000] ^= 0xFF
    damaged.write_bytes(bytes(data))
    assert cli.main(["verify", str(damaged)]) == 1
    assert "verify: FAILED" in capsys.readouterr().err

    assert cli.main(["restore", str(archive), "--dir", str(tmp_path / "new" / "data")]) == 0
    assert _notes(tmp_path / "new" / "data" / DATABASE_FILE) == [f"note {i}" for i in range(25)]


# -- parsers ------------------------------------------------------------------------------


def test_parse_manifest_round_trips_what_a_backup_writes(tmp_path: Path) -> None:
    sources = _node_folder(tmp_path / "node")
    report = write_backup(sources, tmp_path / "b.tar")
    assert parse_manifest(report.manifest.to_json_bytes()) == report.manifest


# -- online -------------------------------------------------------------------------------


def test_a_backup_taken_while_another_process_commits_is_one_consistent_moment(
    tmp_path: Path,
) -> None:
    """crash_writer.py commits a row and a job per transaction and prints each number after
    the commit: the archived store must hold rows 1..n and jobs 1..n for one n, no gap."""
    data = tmp_path / "data"
    writer = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_writer.py")), str(data)],
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"},
    )
    try:
        assert writer.stdout is not None
        while int(writer.stdout.readline()) < 300:
            pass
        started = int(writer.stdout.readline())
        report = write_backup(
            BackupSources(data_dir=data, vectors=data / "vectors"), tmp_path / "b"
        )
        extracted = tmp_path / "x"
        extracted.mkdir()
        read_archive(report.path, extracted)
        conn = sqlite3.connect(extracted / STORE_MEMBER)
        seqs = [row[0] for row in conn.execute("SELECT seq FROM rows ORDER BY seq")]
        jobs = conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
        conn.close()
        count = len(seqs)
        assert seqs == list(range(1, count + 1))
        assert jobs == count
        assert count >= started
        # the writer kept committing: it passed the backup's moment
        while int(writer.stdout.readline()) <= count:
            pass
    finally:
        writer.kill()
        writer.wait(timeout=30)


def test_exchange_swaps_two_directories_without_running_ldconfig(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # find_library forks ldconfig, which fails in gevent's native threads: the swap must
    # find renameat2 through the process's own symbols instead.
    import ctypes.util

    def no_ldconfig(name: str) -> str:
        raise AssertionError(f"find_library({name!r}) called")

    monkeypatch.setattr(ctypes.util, "find_library", no_ldconfig)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "mark").write_text("first")
    (second / "mark").write_text("second")
    swapped = backup_module._exchange(first, second)
    if not swapped:
        pytest.skip("this kernel or filesystem has no renameat2(RENAME_EXCHANGE)")
    assert (first / "mark").read_text() == "second"
    assert (second / "mark").read_text() == "first"
