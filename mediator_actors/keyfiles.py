"""The signing key's files: the key file ``init`` writes, the retired keys a rotation keeps.

protocol.md, "Key rotation": every entry about a settlement is signed by the key whose
``mediator_id`` proposed it, so a node keeps its retired keys (never on the chain, never under
``data/``) for as long as any of their settlements can still close or be disputed.

- The key file holds one Ed25519 seed, 64 hex characters (``MEDIATOR_PRIVATE_KEY_FILE``).
- The retired keys file (``MEDIATOR_RETIRED_KEYS_FILE``, by default the key file's name plus
  ``.retired``) holds one retired seed a line, each followed by a comment naming its
  ``did:key`` and when it was retired; blank lines and ``#`` lines are skipped.

Both are private: created with mode 600 in a folder of mode 700, and start refuses either when
it is the node user's own and group or others may read it. Problems name the file and the line
number, never the line's text (it is, or is close to, a private key).
"""

from __future__ import annotations

import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from mediator_actors.errors import MediatorError
from mediator_actors.runtime.files import fsync_dir
from mediator_actors.safety.secrets import Secret

__all__ = [
    "RETIRED_SUFFIX",
    "Rotation",
    "default_retired_file",
    "drop_retired",
    "format_retired_key",
    "mode_problem",
    "parse_retired_keys",
    "read_key_file",
    "rotate_key",
    "write_key_file",
]

#: ``secrets/mediator_private_key`` keeps its retired keys in ``secrets/mediator_private_key.retired``.
RETIRED_SUFFIX = ".retired"
_SEED = re.compile(r"[0-9a-fA-F]{64}")
_LINE = re.compile(r"([0-9a-fA-F]{64})(?:[ \t]+#[^\n]*)?")


def default_retired_file(key_file: Path) -> Path:
    return key_file.with_name(key_file.name + RETIRED_SUFFIX)


def parse_retired_keys(text: str, source: str = "retired keys") -> tuple[list[Secret], list[str]]:
    """The retired seeds in ``text`` (in file order, repeats dropped) and the problems of its
    bad lines (``source:line: why``). Never raises, never quotes a line."""
    seeds: list[Secret] = []
    seen: set[str] = set()
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            problems.append(
                f"{source}:{number}: expected 64 hex characters (an Ed25519 seed), "
                "optionally followed by a # comment"
            )
            continue
        seed = match.group(1).lower()
        if seed not in seen:
            seen.add(seed)
            seeds.append(Secret(seed))
    return seeds, problems


def format_retired_key(seed: Secret, mediator_id: str, retired_at: float) -> str:
    """One line of the retired keys file, which :func:`parse_retired_keys` reads back."""
    text = seed.reveal().strip().lower()
    if not _SEED.fullmatch(text):
        raise MediatorError("a retired key must be 64 hex characters (an Ed25519 seed)")
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(retired_at))
    # The comment is for the operator; the did:key has no '#' or newline in it.
    shown = re.sub(r"[^A-Za-z0-9:._-]", "", mediator_id)[:120]
    return f"{text}  # {shown} retired {when}\n"


def mode_problem(path: Path, variable: str) -> tuple[str | None, str | None]:
    """(problem, warning) for a private file's permissions. The node user's own file that
    group or others may read is a problem (``chmod 600`` fixes it); one owned by another user
    (a secret a container runtime mounted) that anyone may read is a warning, since only its
    owner can change it."""
    try:
        info = path.stat()
    except OSError:
        return None, None  # whether it can be read is reported where it is read
    mode = stat.S_IMODE(info.st_mode)
    if info.st_uid == os.geteuid():
        if mode & 0o077:
            return (
                f"{variable}={path} can be read by group or others (mode {mode:o}): "
                f"`chmod 600 {path}`",
                None,
            )
        return None, None
    if mode & 0o007:
        return None, f"{variable}={path} can be read by every user (mode {mode:o}); make it 400"
    return None, None


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` (never replace it) with mode 600 and make it durable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _private_folder(folder: Path) -> None:
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)


def write_key_file(path: Path, seed: Secret) -> None:
    """Write a new key file (mode 600; its folder, if new, mode 700). Never overwrites."""
    text = seed.reveal().strip().lower()
    if not _SEED.fullmatch(text):
        raise MediatorError("a signing key must be 64 hex characters (an Ed25519 seed)")
    _private_folder(path.parent)
    _write_private(path, text + "\n")
    fsync_dir(path.parent)


def read_key_file(path: Path) -> Secret:
    """The seed in a key file. Errors name the file, never its content."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise MediatorError(f"{path} cannot be read ({type(exc).__name__})") from None
    if not _SEED.fullmatch(text):
        raise MediatorError(f"{path} does not hold a key (64 hex characters)")
    return Secret(text.lower())


@dataclass(frozen=True, slots=True)
class Rotation:
    retired_id: str
    current_id: str
    retired_file: Path


def rotate_key(key_file: Path, retired_file: Path, *, now: float | None = None) -> Rotation:
    """Retire the key in ``key_file`` and put a fresh one in its place.

    The old key is appended to ``retired_file`` and made durable *before* the key file is
    replaced (a new file renamed over it), so a crash between the two leaves the old key in
    both files, never in neither. A running node goes on with the key it started with; the
    next start signs new entries with the new key and its old settlements' with the old."""
    from mediator_actors.signing import MediatorKey, generate_seed_hex

    old = read_key_file(key_file)
    old_id = MediatorKey.from_seed_hex(old).mediator_id
    if retired_file.exists():
        problem, _ = mode_problem(retired_file, "MEDIATOR_RETIRED_KEYS_FILE")
        if problem is not None:
            raise MediatorError(problem)
    fresh = Secret(generate_seed_hex())
    new_id = MediatorKey.from_seed_hex(fresh).mediator_id
    _private_folder(retired_file.parent)
    line = format_retired_key(old, old_id, time.time() if now is None else now)
    fd = os.open(retired_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    fsync_dir(retired_file.parent)
    staging = key_file.with_name(key_file.name + ".new")
    staging.unlink(missing_ok=True)
    _write_private(staging, fresh.reveal() + "\n")
    os.replace(staging, key_file)
    fsync_dir(key_file.parent)
    return Rotation(retired_id=old_id, current_id=new_id, retired_file=retired_file)


def drop_retired(retired_file: Path, drop: frozenset[str]) -> int:
    """Rewrite ``retired_file`` without the keys whose mediator ids are in ``drop`` (atomically,
    mode 600); the number of keys removed. Comments and other keys stay as they were."""
    from mediator_actors.signing import MediatorKey

    text = retired_file.read_text(encoding="ascii")
    kept: list[str] = []
    removed = 0
    for raw in text.splitlines(keepends=True):
        match = _LINE.fullmatch(raw.strip())
        if match is not None:
            ident = MediatorKey.from_seed_hex(Secret(match.group(1))).mediator_id
            if ident in drop:
                removed += 1
                continue
        kept.append(raw)
    if removed:
        staging = retired_file.with_name(retired_file.name + ".new")
        staging.unlink(missing_ok=True)
        _write_private(staging, "".join(kept))
        os.replace(staging, retired_file)
        fsync_dir(retired_file.parent)
    return removed
