"""CLI verbs ``backup --to PATH``, ``verify FILE`` and ``restore FILE [--dir DATA_DIR]``.

Exit codes: 0 done (``verify``: the archive is sound), 1 refused or failed, with one line
saying why; 2 for a configuration error. See :mod:`mediator_actors.store.backup`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediator_actors.config import SPECS, load_settings

if TYPE_CHECKING:
    from mediator_actors.store.backup import BackupManifest

__all__ = ["register"]

EXIT_OK = 0
EXIT_FAILED = 1
#: Secret variables the settings table does not list: the SDKs' own names.
_SDK_SECRETS = frozenset({"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "EMBEDDING_API_KEY"})


def register(subparsers: Any) -> None:
    backup = subparsers.add_parser(
        "backup",
        help="write one archive of the store, the newest index, disputes and the "
        "configuration without secrets, while the node runs",
    )
    backup.add_argument(
        "--to",
        type=Path,
        required=True,
        help="the archive to write (.tar, or .tar.gz to compress), or a folder to put a "
        "dated one in; never inside DATA_DIR",
    )
    backup.set_defaults(handler=cmd_backup)

    verify = subparsers.add_parser(
        "verify", help="check a backup archive: every digest and the store's integrity"
    )
    verify.add_argument("file", type=Path, help="the archive")
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.set_defaults(handler=cmd_verify)

    restore_parser = subparsers.add_parser(
        "restore",
        help="verify an archive, then make it DATA_DIR atomically (refused while a node runs)",
    )
    restore_parser.add_argument("file", type=Path, help="the archive")
    restore_parser.add_argument(
        "--dir", type=Path, help="the data folder to restore into (default: DATA_DIR)"
    )
    restore_parser.set_defaults(handler=cmd_restore)


def _summary(manifest: BackupManifest) -> str:
    size = sum(d.size for d in manifest.files.values())
    index = ", ".join(f"{part} gen {g}" for part, g in sorted(manifest.index_generations.items()))
    return (
        f"{len(manifest.files)} files, {size / 1e6:.1f} MB; index: {index or 'none'}; "
        f"taken {manifest.created_at} by mediator-node {manifest.node_version}"
    )


def cmd_backup(args: argparse.Namespace) -> int:
    # Imported here: the backup module pulls in numpy (index snapshots), and every other
    # verb, --version included, would pay for it.
    from mediator_actors.store.backup import (
        BackupError,
        BackupSources,
        write_backup,
    )

    settings = load_settings()
    env_file = Path.cwd() / os.environ.get("ENV_FILE", ".env")
    sources = BackupSources(
        data_dir=settings.data_dir,
        vectors=settings.vector_db_path,
        config_file=settings.config_file,
        env_file=env_file,
        secrets=settings.secrets(),
        secret_names=frozenset(s.name for s in SPECS if s.secret) | _SDK_SECRETS,
    )
    try:
        report = write_backup(sources, args.to)
    except BackupError as exc:
        print(f"mediator-node: backup: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for problem in report.problems:
        print(f"backup: warning: {problem}", file=sys.stderr)
    print(f"wrote {report.path} ({_summary(report.manifest)}; store integrity ok)")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    # Imported here: the backup module pulls in numpy (index snapshots), and every other
    # verb, --version included, would pay for it.
    from mediator_actors.store.backup import (
        BackupError,
        verify_archive,
    )

    try:
        report = verify_archive(args.file)
    except BackupError as exc:
        if args.json:
            print(json.dumps({"ok": False, "error": str(exc)}))
        print(f"mediator-node: verify: FAILED: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        manifest = report.manifest
        print(
            json.dumps(
                {
                    "ok": True,
                    "files": len(manifest.files),
                    "bytes": report.size,
                    "created_at": manifest.created_at,
                    "node_version": manifest.node_version,
                    "schema": dict(manifest.schema),
                    "index_generations": dict(manifest.index_generations),
                    "store_integrity": report.store_check,
                },
                indent=2,
            )
        )
    else:
        print(f"{args.file}: OK ({_summary(report.manifest)}; store integrity_check ok)")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    # Imported here: the backup module pulls in numpy (index snapshots), and every other
    # verb, --version included, would pay for it.
    from mediator_actors.store.backup import (
        BackupError,
        restore,
    )

    target: Path = args.dir if args.dir is not None else load_settings().data_dir
    try:
        report = restore(args.file, target)
    except BackupError as exc:
        print(f"mediator-node: restore: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"restored {args.file} into {report.target} ({_summary(report.manifest)})")
    if report.previous is not None:
        print(f"the data that was there is kept in {report.previous}")
    print(
        "the configuration (without secrets) stays in the archive: "
        f"tar -xf {args.file} config/ to read it"
    )
    return EXIT_OK
