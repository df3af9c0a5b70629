"""The node's own verbs: ``init`` and ``start`` (``backup``, ``verify`` and ``restore`` live in
:mod:`mediator_actors.store.commands`)."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from mediator_actors.config import SPECS, load_settings
from mediator_actors.envfile import quote_env_value
from mediator_actors.errors import MediatorError
from mediator_actors.runtime.logs import configure_logging, install_greenlet_dump, resolve_format
from mediator_actors.safety.secretscan import SecretScanner

CONFIG_YAML = """\
# Consensus configuration (OPERATIONS runbook, "Consensus Modes").
# permissionless (default): pure proof-of-alignment.
consensusMode: permissionless
# dpos: proposals carry a stake reference; the node refuses to start below minEffectiveStake.
# consensusMode: dpos
# bondedStakeAmount: 1000
# minEffectiveStake: 100
# stakeReference: <your stake entry ref>
# poa: proposals carry an authority signature by poaAuthorityKey (default: the node's key);
# authoritySet defaults to poaAuthorityKey's public key, and must hold the signing key's.
# consensusMode: poa
# poaAuthorityKey: '<authority private key, 64 hex, quoted>'
# authoritySet: [<64-hex public key>, ...]
"""


#: Where ``init`` writes the signing key, relative to its folder: beside ``.env``, outside
#: ``data/`` (backed up, maybe shared), the file docker-compose.yml mounts as a secret.
DEFAULT_KEY_FILE = Path("secrets") / "mediator_private_key"


def register(subparsers: Any) -> None:
    init = subparsers.add_parser(
        "init", help="write the signing key to a key file (mode 600), .env and config.yaml"
    )
    init.add_argument("--dir", type=Path, default=Path.cwd(), help="where to write them")
    init.add_argument(
        "--key-file",
        type=Path,
        default=None,
        help=f"where to write the signing key (default: DIR/{DEFAULT_KEY_FILE}); never under data/",
    )
    init.add_argument(
        "--new-key",
        action="store_true",
        help="write a fresh key even where a dev-mode key exists (the node's identity changes)",
    )
    init.set_defaults(handler=cmd_init)

    start = subparsers.add_parser(
        "start", help="run the node until SIGTERM/SIGINT (dev mode without CHAIN_ENDPOINT)"
    )
    start.add_argument(
        "--rebuild-from-chain",
        action="store_true",
        help="the store is gone (missing or empty beside index snapshots): start with an "
        "empty one and read the chain again from its first block",
    )
    start.set_defaults(handler=cmd_start)


def env_template(key_file: str) -> str:
    """The ``.env`` that ``init`` writes: every variable, documented, defaults commented out;
    the signing key is named by its file, never written here."""
    lines = [
        "# mediator-node configuration. Every variable, with its default.",
        "# The signing key is in its own file (MEDIATOR_PRIVATE_KEY_FILE, mode 600).",
        "",
    ]
    for spec in SPECS:
        if spec.name == "ENV_FILE":
            continue
        lines.append(f"# {spec.help}")
        if spec.name == "MEDIATOR_PRIVATE_KEY":
            lines.append("# MEDIATOR_PRIVATE_KEY=")
            lines.append("# The same key as a file (mode 600, outside data/): what init wrote.")
            lines.append(f"MEDIATOR_PRIVATE_KEY_FILE={quote_env_value(key_file)}")
        else:
            lines.append(f"# {spec.name}={spec.default or ''}")
        lines.append("")
    return "\n".join(lines)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def cmd_init(args: argparse.Namespace) -> int:
    folder: Path = args.dir.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    env_path = folder / ".env"
    if env_path.exists():
        print(f"{env_path} exists; left as it is (init never overwrites a key)")
    else:
        key_file = _init_key_file(folder, args.key_file, new_key=args.new_key)
        # Relative to the folder when inside it: start runs there and reads ./.env.
        shown = (
            f"./{key_file.relative_to(folder)}"
            if key_file.is_relative_to(folder)
            else str(key_file)
        )
        _write_private(env_path, env_template(shown))
        print(f"wrote {env_path} (mode 600) with MEDIATOR_PRIVATE_KEY_FILE={shown}")
    config_path = folder / "config.yaml"
    if config_path.exists():
        print(f"{config_path} exists; left as it is")
    else:
        config_path.write_text(CONFIG_YAML, encoding="utf-8")
        print(f"wrote {config_path} (consensusMode: permissionless)")
    from mediator_actors.store import data_folders

    for created in data_folders(folder / "data"):
        print(f"data folder {created}")
    return 0


def _init_key_file(folder: Path, given: Path | None, *, new_key: bool) -> Path:
    """Write (or keep) the key file init points ``.env`` at; its path."""
    from mediator_actors.keyfiles import read_key_file, write_key_file
    from mediator_actors.safety.secrets import Secret
    from mediator_actors.signing import MediatorKey

    key_file = (folder / (given if given is not None else DEFAULT_KEY_FILE)).resolve()
    if key_file.is_relative_to(folder / "data"):
        raise MediatorError(
            f"--key-file {key_file} is under data/, which is backed up and may be shared; "
            "choose a path outside it"
        )
    if key_file.exists():
        # Never overwritten: it may be the only copy of this mediator's identity.
        if new_key:
            raise MediatorError(
                f"{key_file} already holds a key; `mediator-node rotate-key` replaces it and "
                "keeps the old one for its settlements"
            )
        kept = read_key_file(key_file)
        print(
            f"kept the signing key in {key_file}: the mediator identity stays "
            f"{MediatorKey.from_seed_hex(kept).mediator_id}"
        )
        return key_file
    write_key_file(key_file, Secret(_identity_for_init(folder, key_file, new_key=new_key)))
    return key_file


def _identity_for_init(folder: Path, key_file: Path, *, new_key: bool) -> str:
    """The key ``init`` writes. A node started in dev mode here already signed proposals
    with the key in ``.dev-mediator.key``; a fresh key would silently make it another
    mediator (its open settlements' payouts and its reputation belong to the old id)."""
    from mediator_actors.config import DEV_KEY_FILE
    from mediator_actors.safety.secrets import Secret
    from mediator_actors.signing import MediatorKey

    # Any 32 random bytes are a valid Ed25519 seed.
    fresh = secrets.token_hex(32)
    fresh_id = MediatorKey.from_seed_hex(Secret(fresh)).mediator_id
    dev_key = folder / DEV_KEY_FILE
    if not dev_key.is_file():
        print(f"wrote {key_file} (mode 600) with a fresh signing key: mediator {fresh_id}")
        return fresh
    try:
        kept = dev_key.read_text(encoding="ascii").strip()
        old_id = MediatorKey.from_seed_hex(Secret(kept)).mediator_id
    except (OSError, UnicodeDecodeError, MediatorError) as exc:
        raise MediatorError(
            f"{dev_key} exists but does not hold a key ({type(exc).__name__}); move it away, "
            "or run init --new-key to start as a new mediator"
        ) from exc
    if new_key:
        print(
            f"wrote {key_file} (mode 600) with a fresh signing key: the mediator identity "
            f"changes from {old_id} (the dev key in {dev_key}) to {fresh_id}"
        )
        return fresh
    print(
        f"wrote {key_file} (mode 600) with the dev-mode key from {dev_key}: the mediator "
        f"identity stays {old_id}; run init --new-key for a fresh one"
    )
    return kept


def cmd_start(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(
        level=settings.log_level,
        fmt=settings.log_format,
        redact=SecretScanner(settings.secrets()).redact,
        log_file=settings.log_file,
        max_bytes=int(settings.log_file_max_mb * 1024 * 1024),
        backups=settings.log_file_backups,
    )
    for warning in settings.warnings:
        logging.getLogger("mediator_actors.config").warning("config: %s", warning)
    install_greenlet_dump()
    from mediator_actors.wiring import build_node

    if getattr(args, "rebuild_from_chain", False):
        _create_empty_store(settings.data_dir)
    if settings.dev_mode and resolve_format(settings.log_format, sys.stderr) == "text":
        # For a person at a terminal only: in JSON a bare line would break every parser of
        # the log, and the "dev mode: embedded dev chain at ..." warning says it there.
        print(
            "*** DEV MODE: no CHAIN_ENDPOINT is set, so the node runs on its embedded dev "
            "chain on loopback. Nothing here touches a real chain. ***",
            file=sys.stderr,
        )
    return build_node(settings).run()


def _create_empty_store(data_dir: Path) -> None:
    """``start --rebuild-from-chain``: the operator said the history is gone, so create the
    empty store here; the node then opens it as any other and reads the chain from block 0."""
    from mediator_actors.runtime.datadir import DataDirLock
    from mediator_actors.store import Store
    from mediator_actors.wiring import ALL_MIGRATIONS

    # Under the DATA_DIR lock: never an empty store beneath a node that is running.
    lock = DataDirLock.acquire(data_dir)
    try:
        Store.open(data_dir, migrations=ALL_MIGRATIONS, rebuild_from_chain=True).close()
    finally:
        lock.release()
    print(
        f"--rebuild-from-chain: started an empty store in {data_dir}; the node reads the "
        "chain again from its first block",
        file=sys.stderr,
    )
