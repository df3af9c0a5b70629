"""Keys allowed on the monitoring WebSocket.

Two sources, merged: ``WS_AUTHORIZED_KEYS`` (settings) and the key file
``DATA_DIR/ws-keys.json`` that ``mediator-node keys new|revoke`` maintain
(``{"keys": {name: public hex}, "revoked": [public hex, ...]}``). A key revoked in the file is
refused even if the environment still lists it. The file is written atomically (temp file,
fsync, ``os.replace``, directory fsync: field notes) and re-read when its mtime or size changes.

Private keys are PKCS#8 PEM files (mode 0600) the operator keeps, by default under
``~/.config/mediator-node/ws-keys/NAME.pem``; the node never holds them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mediator_actors.errors import MediatorError

KEY_FILE = "ws-keys.json"
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
PUBLIC = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_KEY_DIR = Path("~/.config/mediator-node/ws-keys")


class WsKeyError(MediatorError):
    """A key name, file or key could not be used."""


@dataclass(frozen=True, slots=True)
class KeyFile:
    keys: dict[str, str]
    revoked: frozenset[str]


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise WsKeyError("a key name is 1-64 characters of letters, digits, '.', '_' or '-'")
    return name


def read_key_file(path: Path) -> KeyFile:
    """The key file, or an empty one if it does not exist. Blocks on a small file read."""
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return KeyFile({}, frozenset())
    except (OSError, ValueError) as exc:
        raise WsKeyError(f"{path} is unreadable: {type(exc).__name__}") from exc
    keys = raw.get("keys", {}) if isinstance(raw, dict) else None
    revoked = raw.get("revoked", []) if isinstance(raw, dict) else None
    if not isinstance(keys, dict) or not isinstance(revoked, list):
        raise WsKeyError(f"{path} is not a key file")
    good = {
        str(n): str(k)
        for n, k in keys.items()
        if NAME.fullmatch(str(n)) and PUBLIC.fullmatch(str(k))
    }
    return KeyFile(good, frozenset(str(k) for k in revoked if PUBLIC.fullmatch(str(k))))


def write_key_file(path: Path, content: KeyFile) -> None:
    """Atomic replace: a crash leaves the old file or the new one, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(
        {"keys": content.keys, "revoked": sorted(content.revoked)}, indent=2, sort_keys=True
    )
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def public_hex(private: Ed25519PrivateKey) -> str:
    return private.public_key().public_bytes_raw().hex()


def write_private_key(path: Path, private: Ed25519PrivateKey) -> None:
    """PKCS#8 PEM, created 0600; refuses to overwrite an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise WsKeyError(f"{path} already exists; not overwriting a key") from exc
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise WsKeyError(f"no key file at {path}") from exc
    except (OSError, ValueError, TypeError) as exc:
        raise WsKeyError(f"{path} is not a readable private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise WsKeyError(f"{path} is not an Ed25519 key")
    return key


class KeyRing:
    """``{public hex: name}`` of every key allowed now. :meth:`current` is what ``WsApp`` calls.

    ``current`` costs one ``stat`` (and a small read when the file changed); fine on the hub.
    """

    def __init__(self, env_keys: Iterable[tuple[str, str]], key_file: Path | None) -> None:
        self.env_keys = tuple(env_keys)
        self.key_file = key_file
        self._stamp: tuple[int, int] | None = None
        self._cached: dict[str, str] = {}
        self._file = KeyFile({}, frozenset())

    def current(self) -> dict[str, str]:
        stamp = None
        if self.key_file is not None:
            try:
                st = self.key_file.stat()
                stamp = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
        if stamp != self._stamp or not self._cached:
            self._stamp = stamp
            # An unreadable key file admits nobody new and un-revokes nothing: keep the last good.
            with contextlib.suppress(WsKeyError):
                self._file = (
                    read_key_file(self.key_file)
                    if stamp is not None and self.key_file
                    else KeyFile({}, frozenset())
                )
            merged = {key: name for name, key in self.env_keys}
            merged.update({key: name for name, key in self._file.keys.items()})
            self._cached = {k: n for k, n in merged.items() if k not in self._file.revoked}
        return dict(self._cached)
