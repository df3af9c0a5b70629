"""Backups of a node's data: one tar archive with a manifest of SHA-256 digests.

An archive holds, under ``data/``, what the runbook says to back up: the store (an online,
consistent copy made with SQLite's backup API while the node keeps writing), the newest
index generation of each part that verifies, ``disputes/``, and in dev mode the embedded
dev chain's state; under ``config/``, ``config.yaml`` and ``.env`` with every secret
removed. ``MANIFEST.json`` comes first and lists every other member with its size and
SHA-256, the store's schema versions and the index generations.

Nothing here trusts an archive: member names are checked before anything is written
(relative, under ``data/`` or ``config/``, no ``..``, regular files only), each member is
hashed while it is extracted, and the extracted store must pass ``PRAGMA integrity_check``
and each index generation its own manifest. :func:`restore` extracts into a sibling
folder of the target, checks it, then renames it into place (an atomic swap where Linux
offers ``renameat2``), keeping the previous data beside it. It refuses while a node holds
the target's lock file (``DATA_DIR/node.lock``, an ``fcntl.flock`` lock holding the PID).

Every function here is blocking file I/O: the CLI calls them, never an actor.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from mediator_actors import __version__
from mediator_actors.errors import MediatorError, VectorIndexError
from mediator_actors.index.snapshots import CURRENT, MANIFEST_FILE, SnapshotStore
from mediator_actors.runtime.files import fsync_dir, fsync_file
from mediator_actors.runtime.libc import process_libc
from mediator_actors.safety.secretscan import SecretScanner
from mediator_actors.store.database import (
    DATABASE_FILE,
    corrupt_store_message,
    integrity,
    schema_versions,
)

FORMAT = "mediator-node-backup/1"
MANIFEST_NAME = "MANIFEST.json"
#: The node's DATA_DIR lock: the file and the lock kind (``fcntl.flock``) that the node's
#: start-up takes, holding its PID (``runtime/datadir.py`` on the start-up branch).
LOCK_FILE = "node.lock"
STORE_MEMBER = f"data/{DATABASE_FILE.as_posix()}"
DEV_CHAIN_FILE = "devchain.json"
CONFIG_MEMBER = "config/config.yaml"
ENV_MEMBER = "config/env.without-secrets"
_ROOTS = ("data", "config")
_MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_MAX_FILES = 100_000
_MAX_NAME = 1024
_MAX_PART = 255
_MAX_DEPTH = 12
_CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PART_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Variables whose values are secrets besides those the settings mark secret: the SDKs'
#: own names, and anything named like a key, token or password.
_SECRET_NAME = re.compile(r"(?:^|_)(?:KEY|TOKEN|SECRET|PASSWORD|PASSPHRASE)$")
_ENV_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")
_POA_KEY = re.compile(r"^(\s*poaAuthorityKey\s*:).*$", re.MULTILINE)


class BackupError(MediatorError):
    """A backup could not be written, or an archive failed verification or restoring."""


@dataclass(frozen=True, slots=True)
class FileDigest:
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class BackupManifest:
    """``MANIFEST.json``: what an archive holds. ``files`` maps member names to digests."""

    created_at: str
    node_version: str
    files: Mapping[str, FileDigest]
    schema: Mapping[str, int] = field(default_factory=dict)
    index_generations: Mapping[str, int] = field(default_factory=dict)

    def to_json_bytes(self) -> bytes:
        document = {
            "format": FORMAT,
            "created_at": self.created_at,
            "node_version": self.node_version,
            "schema": dict(sorted(self.schema.items())),
            "index_generations": dict(sorted(self.index_generations.items())),
            "files": {
                name: {"sha256": d.sha256, "size": d.size} for name, d in sorted(self.files.items())
            },
        }
        return json.dumps(document, indent=1, sort_keys=True, allow_nan=False).encode("utf-8")


def member_path(name: object) -> PurePosixPath:
    """A member name from an archive, checked: relative, under ``data/`` or ``config/``,
    no ``.``/``..``/empty parts, no backslashes or control characters. Raises
    :class:`BackupError`; whatever it returns stays inside the folder it is joined to."""
    if not isinstance(name, str) or not 0 < len(name) <= _MAX_NAME:
        raise BackupError("archive member name is empty, too long or not text")
    if _CONTROL.search(name) or "\\" in name:
        raise BackupError(f"archive member name {name!r} holds control characters or '\\'")
    parts = name.split("/")
    if len(parts) < 2 or len(parts) > _MAX_DEPTH or parts[0] not in _ROOTS:
        raise BackupError(f"archive member {name!r} is not under data/ or config/")
    for part in parts:
        if part in ("", ".", "..") or len(part.encode("utf-8", "surrogatepass")) > _MAX_PART:
            raise BackupError(f"archive member {name!r} has an empty, '.', '..' or long part")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BackupError(f"archive member {name!r} is not valid UTF-8") from exc
    return PurePosixPath(name)


def _reject_constant(value: str) -> Any:
    raise ValueError(f"{value} is not valid JSON")


def _count_map(value: object, what: str, *, key: re.Pattern[str] | None = None) -> dict[str, int]:
    if not isinstance(value, dict):
        raise BackupError(f"manifest {what} is not an object")
    out: dict[str, int] = {}
    for k, v in value.items():
        if type(v) is not int or v < 0 or (key is not None and not key.fullmatch(k)):
            raise BackupError(f"manifest {what} entry {k!r} is malformed")
        out[k] = v
    return out


def _parse_files(files_doc: object) -> dict[str, FileDigest]:
    if not isinstance(files_doc, dict) or not 0 < len(files_doc) <= _MAX_FILES:
        raise BackupError("manifest files must be a non-empty object")
    files: dict[str, FileDigest] = {}
    for name, entry in files_doc.items():
        member_path(name)
        if not isinstance(entry, dict) or set(entry) != {"sha256", "size"}:
            raise BackupError(f"manifest entry for {name!r} is malformed")
        digest, size = entry["sha256"], entry["size"]
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise BackupError(f"manifest entry for {name!r} has no SHA-256")
        if type(size) is not int or size < 0:
            raise BackupError(f"manifest entry for {name!r} has no size")
        files[name] = FileDigest(digest, size)
    names = set(files)
    for name in files:
        parent = PurePosixPath(name).parent
        while str(parent) not in (".", ""):
            if str(parent) in names:
                raise BackupError(f"manifest lists {parent} as a file and a folder")
            parent = parent.parent
    return files


def parse_manifest(raw: bytes) -> BackupManifest:
    """Parse ``MANIFEST.json`` strictly; any defect is a :class:`BackupError`."""
    if len(raw) > _MAX_MANIFEST_BYTES:
        raise BackupError("MANIFEST.json is too large")
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BackupError(f"MANIFEST.json is not JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"not a {FORMAT} archive (MANIFEST.json names another format)")
    created, version = document.get("created_at"), document.get("node_version")
    if not isinstance(created, str) or not isinstance(version, str):
        raise BackupError("manifest created_at and node_version must be text")
    files = _parse_files(document.get("files"))
    if STORE_MEMBER not in files:
        raise BackupError(f"the archive holds no store ({STORE_MEMBER})")
    return BackupManifest(
        created_at=created,
        node_version=version,
        files=files,
        schema=_count_map(document.get("schema", {}), "schema"),
        index_generations=_count_map(
            document.get("index_generations", {}), "index_generations", key=_PART_NAME
        ),
    )


# -- writing ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupSources:
    """What a backup reads. ``secrets`` are the configured values scrubbed from config."""

    data_dir: Path
    vectors: Path
    config_file: Path | None = None
    env_file: Path | None = None
    secrets: Sequence[str] = ()
    secret_names: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    manifest: BackupManifest
    problems: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return sum(d.size for d in self.manifest.files.values())


def default_name(now: float) -> str:
    stamp = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"mediator-backup-{stamp}.tar"


def resolve_destination(to: Path, *, forbidden: Sequence[Path], now: float) -> Path:
    """Where ``backup --to`` writes: a folder gets a dated file inside it; a path inside
    DATA_DIR (the live database above all) or an existing file is refused."""
    target = Path(os.path.abspath(to.expanduser()))
    if target.is_dir():
        target = target / default_name(now)
    parent = target.parent
    if not parent.is_dir():
        raise BackupError(f"cannot write a backup to {target}: the folder {parent} does not exist")
    final = parent.resolve() / target.name
    if final.is_symlink():
        final = final.resolve()
    for folder in forbidden:
        root = folder.resolve()
        if final == root or final.is_relative_to(root):
            raise BackupError(
                f"refusing to write a backup to {final}: it is inside {root}, the node's own "
                "data (a backup there would overwrite live files and be backed up into "
                "itself); choose a path outside DATA_DIR"
            )
    if final.exists():
        raise BackupError(f"{final} exists; choose another file name or a folder")
    return final


def write_backup(
    sources: BackupSources,
    to: Path,
    *,
    clock: Callable[[], float] = time.time,
    version: str = __version__,
) -> BackupReport:
    """Write one archive of ``sources`` to ``to`` (a file, or a folder to put one in).

    Staging and the partial archive live beside the destination and are removed on any
    failure, so an error leaves nothing behind; the archive is read back and checked
    against its manifest before it is renamed into place.
    """
    now = clock()
    final = resolve_destination(to, forbidden=[sources.data_dir, sources.vectors], now=now)
    parent = final.parent
    staging: Path | None = None
    partial: Path | None = None
    try:
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=parent))
            fd, partial_name = tempfile.mkstemp(
                prefix=f".{final.name}.", suffix=".partial", dir=parent
            )
        except OSError as exc:
            raise BackupError(f"cannot write a backup in {parent}: {exc.strerror}") from exc
        partial = Path(partial_name)
        problems: list[str] = []
        schema = _stage_store(sources.data_dir / DATABASE_FILE, staging / STORE_MEMBER)
        generations = _stage_vectors(sources.vectors, staging / "data" / "vectors", problems)
        _stage_tree(sources.data_dir / "disputes", staging / "data" / "disputes")
        chain_state = sources.data_dir / DEV_CHAIN_FILE
        if chain_state.is_file() and not chain_state.is_symlink():
            _copy_file(chain_state, staging / "data" / DEV_CHAIN_FILE)
        _stage_config(sources, staging)
        files = {
            path.relative_to(staging).as_posix(): _digest_file(path)
            for path in sorted(staging.rglob("*"))
            if path.is_file()
        }
        manifest = BackupManifest(
            created_at=dt.datetime.fromtimestamp(now, dt.UTC).isoformat(timespec="seconds"),
            node_version=version,
            files=files,
            schema=schema,
            index_generations=generations,
        )
        with os.fdopen(fd, "wb") as handle:
            _write_tar(handle, manifest, staging, mtime=int(now), gzip=_is_gzip(final))
            handle.flush()
            os.fsync(handle.fileno())
        with tempfile.TemporaryDirectory(prefix=".check-", dir=staging) as check:
            read_archive(partial, Path(check))  # what is on disk is what the manifest says
        os.chmod(partial, 0o600)
        os.replace(partial, final)
        partial = None
        fsync_dir(parent)
        return BackupReport(final, manifest, tuple(problems))
    except OSError as exc:
        raise BackupError(f"backup to {final} failed: {exc}") from exc
    finally:
        if partial is not None:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _is_gzip(path: Path) -> bool:
    return path.name.endswith((".tar.gz", ".tgz"))


def _stage_store(database: Path, target: Path) -> dict[str, int]:
    wal = database.with_name(database.name + "-wal")
    has_wal = wal.is_file() and wal.stat().st_size > 0
    if not database.is_file() or (database.stat().st_size == 0 and not has_wal):
        raise BackupError(f"there is no store at {database}: nothing to back up")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # A plain connection (never migrations): the backup API copies every page in one step,
    # a consistent snapshot; in WAL mode it does not block the running node's writer.
    source = sqlite3.connect(database, timeout=30.0)
    copy = sqlite3.connect(target)
    try:
        source.execute("PRAGMA busy_timeout=30000")
        source.backup(copy)
        findings = integrity(copy, full=True)
        if findings:
            raise BackupError(
                corrupt_store_message(database, "; ".join(findings)) + "; no backup written"
            )
        versions = schema_versions(copy)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy the store at {database}: {exc}") from exc
    finally:
        copy.close()
        source.close()
    fsync_file(target)
    return versions


def _stage_vectors(vectors: Path, target: Path, problems: list[str]) -> dict[str, int]:
    """The newest generation of each index part that verifies after it is copied."""
    if not vectors.is_dir():
        return {}
    chosen: dict[str, int] = {}
    for part in sorted(p for p in vectors.iterdir() if p.is_dir() and not p.is_symlink()):
        if not _PART_NAME.fullmatch(part.name):
            continue
        snapshots = SnapshotStore(part)
        pointed, digest = snapshots.current()
        for generation in sorted(snapshots.generations(), reverse=True):
            name = f"gen-{generation:08d}"
            copied = target / part.name
            try:
                for file in sorted((part / name).iterdir()):
                    _copy_file(file, copied / name / file.name)
                # Verify the copy, not the source: the node may prune or replace a
                # generation while this runs.
                manifest_digest = digest if generation == pointed else None
                SnapshotStore(copied).verify_files(generation, manifest_digest)
            except (OSError, VectorIndexError) as exc:
                problems.append(f"vectors/{part.name}/{name}: {exc}; trying an older one")
                shutil.rmtree(copied, ignore_errors=True)
                continue
            manifest_sha = _digest_file(copied / name / MANIFEST_FILE).sha256
            (copied / CURRENT).write_text(f"{name} {manifest_sha}\n", encoding="ascii")
            chosen[part.name] = generation
            break
        else:
            if snapshots.generations():
                problems.append(f"vectors/{part.name}: no generation verifies; not backed up")
    return chosen


def _stage_tree(source: Path, target: Path) -> None:
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            _copy_file(path, target / path.relative_to(source))


def redact_env(text: str, *, secret_names: frozenset[str], scanner: SecretScanner) -> str:
    """``.env`` without secrets: secret variables' lines become comments without their
    values, then the scanner masks any configured secret or key-shaped value left."""
    lines = []
    for line in text.splitlines():
        match = _ENV_ASSIGNMENT.match(line)
        if match and (match.group(1) in secret_names or _SECRET_NAME.search(match.group(1))):
            lines.append(f"# {match.group(1)}=*** (a secret: not in the backup)")
        else:
            lines.append(line)
    return scanner.redact("\n".join(lines) + "\n")


def redact_config(text: str, *, scanner: SecretScanner) -> str:
    """``config.yaml`` without the PoA authority key (the one secret it may hold)."""
    return scanner.redact(_POA_KEY.sub(r"\1 '***'  # a secret: not in the backup", text))


def _stage_config(sources: BackupSources, staging: Path) -> None:
    scanner = SecretScanner(sources.secrets)

    def config(text: str) -> str:
        return redact_config(text, scanner=scanner)

    def env(text: str) -> str:
        return redact_env(text, secret_names=sources.secret_names, scanner=scanner)

    jobs: list[tuple[Path | None, str, Callable[[str], str]]] = [
        (sources.config_file, CONFIG_MEMBER, config),
        (sources.env_file, ENV_MEMBER, env),
    ]
    for source, member, redact in jobs:
        if source is None or not source.is_file():
            continue
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BackupError(f"cannot read the configuration file {source}: {exc}") from exc
        _write_private(staging / member, redact(text).encode("utf-8"))


def _write_tar(
    handle: IO[bytes], manifest: BackupManifest, staging: Path, *, mtime: int, gzip: bool
) -> None:
    def info(name: str, size: int) -> tarfile.TarInfo:
        entry = tarfile.TarInfo(name)
        entry.size, entry.mode, entry.mtime = size, 0o600, mtime
        entry.uid = entry.gid = 0
        entry.uname = entry.gname = ""
        return entry

    raw = manifest.to_json_bytes()
    with tarfile.open(
        fileobj=handle, mode="w:gz" if gzip else "w", format=tarfile.PAX_FORMAT
    ) as tar:
        tar.addfile(info(MANIFEST_NAME, len(raw)), _BytesReader(raw))
        for name, digest in sorted(manifest.files.items()):
            with open(staging / name, "rb") as member:
                tar.addfile(info(name, digest.size), member)


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data, self._offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._offset + size
        chunk = self._data[self._offset : end]
        self._offset += len(chunk)
        return chunk


# -- reading and verifying --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifyReport:
    manifest: BackupManifest
    store_check: str
    problems: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return sum(d.size for d in self.manifest.files.values())


def read_archive(archive: Path, into: Path) -> BackupManifest:
    """Extract ``archive`` into the empty folder ``into``, checking every member's name,
    type, size and SHA-256 against ``MANIFEST.json`` (which must come first) while it
    streams. Raises :class:`BackupError` at the first defect."""
    try:
        with tarfile.open(archive, mode="r|*") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST_NAME or not first.isreg():
                raise BackupError(f"{archive} does not start with {MANIFEST_NAME}")
            if first.size > _MAX_MANIFEST_BYTES:
                raise BackupError("MANIFEST.json is too large")
            source = tar.extractfile(first)
            if source is None:  # pragma: no cover - isreg() members always have content
                raise BackupError(f"{archive}: {MANIFEST_NAME} has no content")
            manifest = parse_manifest(source.read())
            seen: set[str] = set()
            while (member := tar.next()) is not None:
                name = member.name
                path = member_path(name)
                expected = manifest.files.get(name)
                if expected is None:
                    raise BackupError(f"{archive}: {name!r} is not in the manifest")
                if not member.isreg():
                    raise BackupError(f"{archive}: {name!r} is not a regular file")
                if name in seen:
                    raise BackupError(f"{archive}: {name!r} appears twice")
                if member.size != expected.size:
                    raise BackupError(
                        f"{archive}: {name} is {member.size} bytes, the manifest says "
                        f"{expected.size}"
                    )
                content = tar.extractfile(member)
                if content is None:  # pragma: no cover - see above
                    raise BackupError(f"{archive}: {name!r} has no content")
                digest = _extract(content, into.joinpath(*path.parts))
                if digest != expected.sha256:
                    raise BackupError(f"{archive}: {name} does not match its SHA-256")
                seen.add(name)
    except (tarfile.TarError, EOFError, OSError, UnicodeError) as exc:
        raise BackupError(f"cannot read {archive} as a backup archive: {exc}") from exc
    missing = sorted(set(manifest.files) - seen)
    if missing:
        raise BackupError(f"{archive} lacks {len(missing)} listed file(s), e.g. {missing[0]}")
    return manifest


def check_tree(root: Path, manifest: BackupManifest) -> VerifyReport:
    """Check an extracted archive: the store's ``integrity_check`` and schema, and each
    index generation against its own manifest and ``CURRENT``."""
    database = root / STORE_MEMBER
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            findings = integrity(conn, full=True)
            if findings:
                raise BackupError(corrupt_store_message(database, "; ".join(findings)))
            schema = schema_versions(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"the archived store cannot be read: {exc}") from exc
    if schema != dict(manifest.schema):
        raise BackupError("the archived store's schema versions differ from the manifest")
    for part, generation in manifest.index_generations.items():
        snapshots = SnapshotStore(root / "data" / "vectors" / part)
        pointed, digest = snapshots.current()
        if pointed != generation:
            raise BackupError(f"vectors/{part}/CURRENT does not name gen-{generation:08d}")
        try:
            snapshots.verify_files(generation, digest)
        except (OSError, VectorIndexError) as exc:
            raise BackupError(f"vectors/{part}/gen-{generation:08d}: {exc}") from exc
    return VerifyReport(manifest, "ok")


def verify_archive(archive: Path, *, scratch: Path | None = None) -> VerifyReport:
    """Check every digest and the archived store's ``integrity_check``; extracts into a
    temporary folder beside the archive (or under ``scratch``) and removes it."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    try:
        # Beside the archive by default: a store can be larger than a tmpfs /tmp.
        folder = tempfile.mkdtemp(prefix=".mediator-verify-", dir=scratch or archive.parent)
    except OSError:
        folder = tempfile.mkdtemp(prefix="mediator-verify-")  # a read-only archive folder
    try:
        manifest = read_archive(archive, Path(folder))
        return check_tree(Path(folder), manifest)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class RestoreReport:
    target: Path
    manifest: BackupManifest
    previous: Path | None  # where the data the restore replaced now lives


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold ``DATA_DIR/node.lock`` (``fcntl.flock``, our PID inside) for the duration, or
    refuse naming the PID of the node that holds it. A folder that does not exist has
    no node on it."""
    if not data_dir.is_dir():
        yield
        return
    path = data_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise BackupError(
                f"a node (PID {holder}) runs on {data_dir}: it holds {path}. Stop it, then restore"
            ) from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def restore(
    archive: Path, target: Path, *, clock: Callable[[], float] = time.time
) -> RestoreReport:
    """Verify ``archive`` and make its ``data/`` the folder ``target``, atomically.

    Extracts into a hidden sibling of ``target`` (same filesystem), checks it as
    :func:`verify_archive` does, then renames it into place. Data already at ``target``
    is kept as ``<target>.before-restore-<time>``, never deleted. Refuses while a node
    holds ``target``'s lock.
    """
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    target = Path(os.path.abspath(target.expanduser()))
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(f"cannot create {target.parent}: {exc.strerror}") from exc
    with data_dir_lock(target):
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.restore-", dir=target.parent))
        except OSError as exc:
            raise BackupError(f"cannot restore into {target.parent}: {exc.strerror}") from exc
        try:
            manifest = read_archive(archive, staging)
            check_tree(staging, manifest)
            restored = staging / "data"
            for folder in ("vectors", "settlements", "disputes"):
                (restored / folder).mkdir(parents=True, exist_ok=True, mode=0o700)
            _fsync_tree(restored)
            previous = _swap_into_place(restored, target, clock())
            fsync_dir(target.parent)
        except OSError as exc:
            raise BackupError(f"restore into {target} failed: {exc}") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return RestoreReport(target, manifest, previous)


def _swap_into_place(new: Path, target: Path, now: float) -> Path | None:
    if not target.exists():
        os.rename(new, target)
        return None
    if not target.is_dir() or target.is_symlink():
        raise BackupError(f"{target} exists and is not a folder")
    stamp = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = target.with_name(f"{target.name}.before-restore-{stamp}")
    if aside.exists():
        raise BackupError(f"{aside} exists; move it away and restore again")
    if _exchange(new, target):
        os.rename(new, aside)  # ``new`` now names the previous data
    else:
        os.rename(target, aside)
        os.rename(new, target)
    leftovers = [p.name for p in aside.iterdir()]
    if set(leftovers) <= {LOCK_FILE}:  # an empty folder (or only our lock): nothing to keep
        shutil.rmtree(aside)
        return None
    return aside


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system cannot, and the caller renames in two steps."""
    libc = process_libc()
    renameat2 = getattr(libc, "renameat2", None) if libc is not None else None
    if renameat2 is None:
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


# -- small file helpers -----------------------------------------------------------------


def _digest_file(path: Path) -> FileDigest:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
            size += len(block)
    return FileDigest(digest.hexdigest(), size)


def _extract(source: IO[bytes], path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        for block in iter(lambda: source.read(_CHUNK), b""):
            digest.update(block)
            handle.write(block)
    return digest.hexdigest()


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(source, "rb") as reader:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as writer:
            shutil.copyfileobj(reader, writer, _CHUNK)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file():
            fsync_file(path)
        elif path.is_dir():
            fsync_dir(path)
    fsync_dir(root)
