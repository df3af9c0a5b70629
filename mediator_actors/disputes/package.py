"""Escalation packages: ``<data>/disputes/<dispute_id>/package.json``, written atomically.

One JSON document: the dispute, the settlement, both intents, every entry of the dispute up
to its escalation (in chain order, as mined) and the evidence hashes, with ``digest`` =
``sha256`` of the canonical JSON of everything else. Built from the store alone, which is
built from the chain alone, so a node that lost ``data/`` and read the chain again writes
the same bytes. Written after the follower's commit (files are not transactional): temp
file, fsync, ``os.replace``, folder fsync; :func:`write_due` also rewrites a package whose
file is missing or does not match its recorded digest.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from mediator_actors.disputes import book, records
from mediator_actors.model import canonical_json
from mediator_actors.runtime.files import write_atomically
from mediator_actors.settlement.records import get_settlement
from mediator_actors.store import Store
from mediator_actors.store.intents import get_intent

FORMAT = "nlc-mediator/escalation-package/1"
FILE = "package.json"
_SAFE_ID = re.compile(r"^[0-9a-z_]{16,80}$")


def package_path(data_dir: Path, dispute_id: str) -> Path:
    if not _SAFE_ID.fullmatch(dispute_id):  # ids are validated before; never a path trick
        raise ValueError("dispute_id is not a safe folder name")
    return data_dir / "disputes" / dispute_id / FILE


def _intent_json(conn: sqlite3.Connection, ref: str) -> dict[str, Any] | None:
    intent = get_intent(conn, ref)
    if intent is None:
        return None
    return {
        "ref": intent.ref,
        "author": intent.author,
        "type": intent.type.value,
        "content": intent.content,
        "timestamp": intent.timestamp,
        "desires": list(intent.desires),
        "constraints": list(intent.constraints),
        "block_index": intent.block_index,
    }


def build_package(
    conn: sqlite3.Connection, dispute_id: str, authorities: dict[str, str]
) -> dict[str, Any]:
    """The package document for an escalated dispute (raises LookupError otherwise)."""
    record = records.get_dispute(conn, dispute_id)
    if record is None or record.escalated_seq is None:
        raise LookupError(f"dispute {dispute_id} is not escalated")
    settlement = get_settlement(conn, record.settlement_id)
    if settlement is None:
        raise LookupError(f"settlement {record.settlement_id} is unknown")
    entries = records.escalated_entries(conn, record)
    dispute = record.to_json()
    # Only what the chain fixed at escalation: the later state would change the digest.
    for key in ("state", "outcome", "resolved_by", "resolved_block", "package_digest"):
        dispute.pop(key, None)
    body: dict[str, Any] = {
        "format": FORMAT,
        "dispute": dispute,
        "authority": {
            "id": record.authority,
            "name": authorities.get(record.authority or "", record.authority),
        },
        "settlement": {
            "settlement_id": settlement.settlement_id,
            "mediator_id": settlement.mediator_id,
            "offer_ref": settlement.offer_ref,
            "seek_ref": settlement.seek_ref,
            "parties": [settlement.offer_party, settlement.seek_party],
            "terms": settlement.terms,
            "facilitation_fee": settlement.facilitation_fee,
            "acceptance_deadline": settlement.acceptance_deadline,
            "proposal_entry_ref": settlement.proposal_entry_ref,
            "proposal_block": settlement.proposal_block,
        },
        "intents": {
            "offer": _intent_json(conn, settlement.offer_ref),
            "seek": _intent_json(conn, settlement.seek_ref),
        },
        "entries": [
            {
                k: e[k]
                for k in (
                    "entry_ref",
                    "kind",
                    "author",
                    "block_index",
                    "entry_hash",
                    "entry",
                    "effect",
                )
            }
            for e in entries
        ],
        "evidence": [
            {
                "entry_ref": e["entry_ref"],
                "entry_hash": e["entry_hash"],
                "content_hash": e["content_hash"],
                "evidence_type": e["entry"]["metadata"].get("evidence_type"),
                "description": e["entry"]["metadata"].get("description"),
            }
            for e in entries
            if e["kind"] == "evidence" and e["effect"] == book.COUNTED
        ],
    }
    return {**body, "digest": "sha256:" + hashlib.sha256(canonical_json(body)).hexdigest()}


def verify_package(doc: dict[str, Any]) -> bool:
    """True when the document's ``digest`` matches the rest of it."""
    body = {k: v for k, v in doc.items() if k != "digest"}
    return doc.get("digest") == "sha256:" + hashlib.sha256(canonical_json(body)).hexdigest()


def _on_disk_digest(path: Path) -> str | None:
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return doc.get("digest") if isinstance(doc, dict) and verify_package(doc) else None


def write_due(store: Store, data_dir: Path, authorities: dict[str, str]) -> list[str]:
    """Write every escalated dispute's package that is missing, stale or not recorded;
    the dispute ids written. Idempotent: a sound file with the recorded digest is kept."""
    written: list[str] = []
    for dispute_id in store.read(records.escalated_ids):
        if _write_one(store, data_dir, authorities, dispute_id):
            written.append(dispute_id)
    return written


def _write_one(store: Store, data_dir: Path, authorities: dict[str, str], dispute_id: str) -> bool:
    def build(conn: sqlite3.Connection) -> tuple[dict[str, Any], str | None]:
        record = records.get_dispute(conn, dispute_id)
        return build_package(conn, dispute_id, authorities), (
            None if record is None else record.package_digest
        )

    doc, recorded = store.read(build)
    digest = str(doc["digest"])
    path = package_path(data_dir, dispute_id)
    fresh = _on_disk_digest(path) != digest
    if fresh:
        data = json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False).encode("utf-8")
        write_atomically(path, data)
    if recorded != digest:

        def note(conn: sqlite3.Connection) -> None:
            records.set_package_digest(conn, dispute_id, digest)

        store.write(note)
    return fresh
