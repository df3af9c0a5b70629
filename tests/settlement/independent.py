"""An independent reading of protocol.md, written apart from the production code.

Nothing here imports ``mediator_actors``: the tests check the node's entries against these
functions, so a mistake in the production path cannot hide behind itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def did_key_bytes(did: str) -> bytes:
    """did:key:z + base58btc(0xed 0x01 + key) -> key (a plain reading of the W3C method)."""
    assert did.startswith("did:key:z")
    n = 0
    for ch in did[len("did:key:z") :]:
        n = n * 58 + _ALPHABET.index(ch)
    raw = n.to_bytes(34, "big")
    assert raw[:2] == b"\xed\x01"
    return raw[2:]


def did_key_of(public: bytes) -> str:
    n = int.from_bytes(b"\xed\x01" + public, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _ALPHABET[r] + out
    return "did:key:z" + out


def signature_ok(metadata: dict[str, Any]) -> bool:
    body = {k: v for k, v in metadata.items() if k != "signature"}
    message = b"nlc-mediator/entry/v2\x00" + canonical(body)
    try:
        Ed25519PublicKey.from_public_bytes(did_key_bytes(metadata["mediator_id"])).verify(
            bytes.fromhex(metadata["signature"]), message
        )
    except (InvalidSignature, ValueError, KeyError, AssertionError):
        return False
    return True


def sha(tag: str, *parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return tag + "_" + base64.b32encode(digest).decode().lower().rstrip("=")


def settlement_id(ref_a: str, ref_b: str, mediator: str) -> str:
    return sha("stl", "settlement/v2", min(ref_a, ref_b), max(ref_a, ref_b), mediator)


def challenge_id(settlement: str, challenger: str) -> str:
    return sha("chl", "challenge/v2", settlement, challenger)


def entry_ref(author: str, content: str, timestamp: str) -> str:
    return sha("ent", author, content, timestamp)


FORBIDDEN = {
    "validation_status",
    "validated",
    "verified",
    "trust_score",
    "block_hash",
    "entry_hash",
    "chain_id",
}


def within_chain_limits(metadata: dict[str, Any]) -> bool:
    """10 KB, 100 keys (counted at every level), depth 5, no key the chain strips."""

    def keys(value: Any, depth: int) -> tuple[int, int]:
        if isinstance(value, dict):
            count, deepest = len(value), depth
            for key, inner in value.items():
                if key in FORBIDDEN or key.startswith(("__", "_system")):
                    raise ValueError(key)
                c, d = keys(inner, depth + 1)
                count, deepest = count + c, max(deepest, d)
            return count, deepest
        if isinstance(value, list):
            count, deepest = 0, depth
            for inner in value:
                c, d = keys(inner, depth + 1)
                count, deepest = count + c, max(deepest, d)
            return count, deepest
        return 0, depth - 1

    try:
        count, depth = keys(metadata, 1)
    except ValueError:
        return False
    size = max(len(json.dumps(metadata).encode()), len(canonical(metadata)))
    return size <= 10_000 and count <= 100 and depth <= 5
