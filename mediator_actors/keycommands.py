"""``rotate-key`` and ``retired-keys``: the signing key's rotation (protocol.md, "Key rotation").

``rotate-key`` retires the key in ``MEDIATOR_PRIVATE_KEY_FILE`` (or the dev key) into
``MEDIATOR_RETIRED_KEYS_FILE`` and writes a fresh one; the node uses it from its next start.
``retired-keys`` reports, from the store, what each retired key still has to sign for and
``--drop`` removes the ones nothing needs any more. Neither ever prints a key, only ids.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediator_actors.config import DEV_KEY_FILE, Settings, load_settings
from mediator_actors.errors import ConfigError, MediatorError

if TYPE_CHECKING:
    from mediator_actors.signing import Keyring

__all__ = ["register"]


def register(subparsers: Any) -> None:
    rotate = subparsers.add_parser(
        "rotate-key",
        help="retire the signing key (kept for its settlements) and write a fresh one",
    )
    rotate.set_defaults(handler=cmd_rotate_key)
    retired = subparsers.add_parser(
        "retired-keys",
        help="what each retired key still signs for; --drop removes those none needs",
    )
    retired.add_argument("--json", action="store_true", help="print the report as JSON")
    retired.add_argument(
        "--drop",
        action="store_true",
        help="remove the retired keys no settlement can still close or dispute",
    )
    retired.set_defaults(handler=cmd_retired_keys)


def _key_files(settings: Settings) -> tuple[Path, Path]:
    """The key file a rotation replaces and the file its old key goes to."""
    key_file = settings.mediator_private_key_file
    if key_file is None and settings.mediator_private_key is None and settings.dev_mode:
        key_file = settings.config_file.parent / DEV_KEY_FILE
        if not key_file.is_file():
            raise MediatorError(f"no key to rotate yet: {key_file} is made by the first start")
    if key_file is None or settings.retired_keys_file is None:
        raise ConfigError(
            [
                "rotate-key needs the signing key in a file: set MEDIATOR_PRIVATE_KEY_FILE "
                "(`mediator-node init` writes one) instead of MEDIATOR_PRIVATE_KEY"
            ]
        )
    return key_file, settings.retired_keys_file


def _node_running(data_dir: Path) -> bool:
    from mediator_actors.runtime.datadir import DataDirInUseError, DataDirLock

    if not data_dir.is_dir():
        return False
    try:
        DataDirLock.acquire(data_dir).release()
    except DataDirInUseError:
        return True
    return False


def cmd_rotate_key(args: argparse.Namespace) -> int:
    from mediator_actors.keyfiles import rotate_key

    settings = load_settings()
    key_file, retired_file = _key_files(settings)
    done = rotate_key(key_file, retired_file)
    print(f"retired {done.retired_id} into {done.retired_file} (mode 600)")
    print(f"new signing key in {key_file}: mediator {done.current_id}")
    print(
        "the retired key signs only what its settlements still need (payout claims, "
        "clarifications); `mediator-node retired-keys` says when it can be dropped"
    )
    if _node_running(settings.data_dir):
        print(
            f"a node is running on {settings.data_dir}: it signs as {done.retired_id} until "
            "it is restarted"
        )
    return 0


def _keyring(settings: Settings) -> Keyring:
    from mediator_actors.keyfiles import read_key_file
    from mediator_actors.signing import Keyring, MediatorKey

    seed = settings.mediator_private_key
    if seed is None:
        seed = read_key_file(settings.config_file.parent / DEV_KEY_FILE)
    current = MediatorKey.from_seed_hex(seed)
    return Keyring(current, tuple(MediatorKey.from_seed_hex(s) for s in settings.retired_keys))


def cmd_retired_keys(args: argparse.Namespace) -> int:
    from mediator_actors.keyfiles import drop_retired
    from mediator_actors.settlement.rotation import describe, key_report
    from mediator_actors.store.database import DATABASE_FILE

    settings = load_settings()
    keyring = _keyring(settings)
    database = settings.data_dir / DATABASE_FILE
    if not database.is_file():
        # Without the store nothing says which settlements are open: never drop blindly.
        raise MediatorError(
            f"no store at {database}: cannot tell which retired keys are still needed"
        )
    try:
        # Read-only beside a running node: WAL readers never block its writer.
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
            conn.row_factory = sqlite3.Row
            report = key_report(conn, keyring)
    except sqlite3.Error as exc:
        raise MediatorError(f"the store {database} cannot be read: {exc}") from exc
    dropped = 0
    if args.drop and report.droppable and settings.retired_keys_file is not None:
        dropped = drop_retired(settings.retired_keys_file, frozenset(report.droppable))
    if args.json:
        print(json.dumps({**report.to_json(), "dropped": dropped}, indent=2, sort_keys=True))
        return 0
    print(f"current key {report.current.mediator_id}: {describe(report.current)}")
    if not report.retired:
        print(f"no retired keys ({settings.retired_keys_file or 'no retired keys file'})")
    for use in report.retired:
        state = "needed" if use.needed else "no longer needed"
        print(f"retired key {use.mediator_id}: {state}, {describe(use)}")
    for use in report.unheld:
        print(f"NO KEY for {use.mediator_id}: {describe(use)}; their payouts cannot be signed")
    if args.drop:
        print(f"dropped {dropped} retired key(s) from {settings.retired_keys_file}")
    elif report.droppable:
        print("`mediator-node retired-keys --drop` removes the keys no longer needed")
    return 0
