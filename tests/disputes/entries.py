"""Chain entries the parties of a disputed settlement write, for the dispute tests."""

from __future__ import annotations

from typing import Any

from mediator_actors.model import PROTOCOL


def party_entry(author: str, tag: str, kind: str, **metadata: Any) -> dict[str, Any]:
    """A party's ``[DISPUTE]``/``[EVIDENCE]``/``[ESCALATION]``/… entry with ``metadata``."""
    text = metadata.get("issue") or metadata.get("description") or metadata.get("outcome") or ""
    return {
        "author": author,
        "content": f"{tag} {metadata.get('dispute_id', '')} {kind} by {author}: {text}",
        "intent": kind,
        "metadata": {"is_contract": True, "contract_type": kind, "protocol": PROTOCOL, **metadata},
    }


def accept(author: str, sid: str) -> dict[str, Any]:
    """A party's ``[ACCEPT]`` of settlement ``sid``."""
    return {
        "author": author,
        "content": f"[ACCEPT] {sid} from {author}",
        "intent": "settlement_response",
        "metadata": {
            "is_contract": True,
            "contract_type": "response",
            "response_type": "accept",
            "settlement_id": sid,
            "protocol": PROTOCOL,
        },
    }
