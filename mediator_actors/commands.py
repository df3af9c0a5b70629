"""The node's own verbs: ``init``, ``start`` and ``backup``."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from mediator_actors.config import SPECS, load_settings
from mediator_actors.runtime.logs import configure_logging, install_greenlet_dump
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


def register(subparsers: Any) -> None:
    init = subparsers.add_parser("init", help="write .env (with a fresh key) and config.yaml")
    init.add_argument("--dir", type=Path, default=Path.cwd(), help="where to write them")
    init.set_defaults(handler=cmd_init)

    start = subparsers.add_parser(
        "start", help="run the node until SIGTERM/SIGINT (dev mode without CHAIN_ENDPOINT)"
    )
    start.set_defaults(handler=cmd_start)

    backup = subparsers.add_parser("backup", help="write an online, consistent copy of the store")
    backup.add_argument("--to", type=Path, required=True, help="the backup file to write")
    backup.set_defaults(handler=cmd_backup)


def env_template(private_key_hex: str) -> str:
    """The ``.env`` that ``init`` writes: every variable, documented, defaults commented out."""
    lines = [
        "# mediator-node configuration. Every variable, with its default.",
        "# Keep this file private: it holds the node's signing key.",
        "",
    ]
    for spec in SPECS:
        if spec.name == "ENV_FILE":
            continue
        lines.append(f"# {spec.help}")
        if spec.name == "MEDIATOR_PRIVATE_KEY":
            lines.append(f"MEDIATOR_PRIVATE_KEY={private_key_hex}")
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
        # Any 32 random bytes are a valid Ed25519 seed.
        _write_private(env_path, env_template(secrets.token_hex(32)))
        print(f"wrote {env_path} with a fresh MEDIATOR_PRIVATE_KEY (mode 600)")
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

    if settings.dev_mode:
        print(
            "*** DEV MODE: no CHAIN_ENDPOINT is set, so the node runs on its embedded dev "
            "chain on loopback. Nothing here touches a real chain. ***",
            file=sys.stderr,
        )
    return build_node(settings).run()


def cmd_backup(args: argparse.Namespace) -> int:
    settings = load_settings()
    from mediator_actors.store import Store
    from mediator_actors.wiring import ALL_MIGRATIONS

    store = Store.open(settings.data_dir, migrations=ALL_MIGRATIONS)
    try:
        written = store.backup(args.to)
    finally:
        store.close()
    print(f"wrote a consistent copy of the store to {written}")
    return 0
