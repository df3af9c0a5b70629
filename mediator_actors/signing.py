"""Ed25519 signing of the entries a mediator writes (protocol.md, "Common rules").

A signature covers ``b"nlc-mediator/entry/v2\\x00" + canonical_json(metadata without
"signature")`` and is stored as ``metadata.signature`` (64 bytes, lowercase hex: 128
characters, which no chain scanner pattern matches); the signer is ``metadata.mediator_id``,
the ``did:key`` of its public key (a 64-hex key would be redacted by the chain). Verification works on the
metadata exactly as the chain returns it, so any key the chain adds or strips after signing
makes the signature fail, which is the point.

The private key lives only inside :class:`MediatorKey`; it never appears in ``repr``, ``str``,
pickles, errors or logs. Signing and verifying cost about 0.1 ms each (field notes: 6,000 to
10,000 verifies/s per core), so callers need not offload single calls.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any, NoReturn

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from mediator_actors.errors import SettlementError
from mediator_actors.model import MediatorId, canonical_json, did_key, did_key_public
from mediator_actors.safety.secrets import Secret

#: Domain separation for entry signatures: a signature made for anything else never verifies.
ENTRY_DOMAIN = b"nlc-mediator/entry/v2\x00"
_SEED = re.compile(r"^[0-9a-fA-F]{64}$")
_PUBLIC_KEY = re.compile(r"^[0-9a-f]{64}$")
_SIGNATURE = re.compile(r"^[0-9a-f]{128}$")


def generate_seed_hex() -> str:
    """A fresh Ed25519 seed (32 random bytes from the OS) as 64 lowercase hex characters."""
    return secrets.token_bytes(32).hex()


def signing_bytes(metadata: Mapping[str, Any]) -> bytes:
    """The exact bytes an entry signature covers. Raises ``ValueError``/``TypeError`` for
    metadata that has no canonical JSON form (NaN, Infinity, non-JSON values)."""
    unsigned = {key: value for key, value in metadata.items() if key != "signature"}
    return ENTRY_DOMAIN + canonical_json(unsigned)


class MediatorKey:
    """The node's Ed25519 identity. Build it with :meth:`from_seed_hex` or :meth:`generate`."""

    __slots__ = ("_private", "mediator_id", "public_hex")

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.mediator_id: MediatorId = did_key(public)
        #: The raw public key in hex, for configuration that lists keys that way (never on chain).
        self.public_hex = public.hex()

    @classmethod
    def from_seed_hex(cls, secret: Secret) -> MediatorKey:
        """Load the key from ``MEDIATOR_PRIVATE_KEY`` (a 32-byte seed as 64 hex characters)."""
        seed = secret.reveal().strip()
        if not _SEED.fullmatch(seed):
            # Never echo the value: it is (or is close to) a private key.
            raise SettlementError(
                "MEDIATOR_PRIVATE_KEY must be 64 hex characters (an Ed25519 seed)"
            )
        return cls(Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed)))

    @classmethod
    def generate(cls) -> MediatorKey:
        return cls(Ed25519PrivateKey.generate())

    def sign(self, message: bytes) -> str:
        """Sign raw bytes; the 64-byte signature in lowercase hex. Callers add their own domain
        prefix (see :data:`ENTRY_DOMAIN`)."""
        return self._private.sign(message).hex()

    def sign_metadata(self, metadata: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``metadata`` with ``mediator_id`` set to this key and ``signature`` added.

        Raises :class:`SettlementError` if ``metadata`` names another mediator or has no
        canonical JSON form (NaN, Infinity, non-JSON values).
        """
        claimed = metadata.get("mediator_id", self.mediator_id)
        if claimed != self.mediator_id:
            raise SettlementError("metadata names another mediator_id than the signing key")
        unsigned = {key: value for key, value in metadata.items() if key != "signature"}
        unsigned["mediator_id"] = self.mediator_id
        try:
            message = signing_bytes(unsigned)
        except (ValueError, TypeError) as exc:
            raise SettlementError(f"metadata has no canonical JSON form: {exc}") from exc
        return {**unsigned, "signature": self.sign(message)}

    def __repr__(self) -> str:
        return f"MediatorKey(mediator_id={self.mediator_id})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a MediatorKey cannot be pickled")


def public_key_bytes(public_key: object) -> bytes | None:
    """The 32 key bytes of a ``did:key`` or of 64 lowercase hex characters (how
    configuration lists keys), or None for anything else."""
    if isinstance(public_key, str) and _PUBLIC_KEY.fullmatch(public_key):
        return bytes.fromhex(public_key)
    return did_key_public(public_key)


def verify_signature(public_key: object, signature_hex: object, message: bytes) -> bool:
    """True iff ``signature_hex`` is a valid Ed25519 signature of ``message`` by the key
    (a ``did:key`` or 64 lowercase hex). Malformed keys or signatures (wrong type, length,
    case, multicodec) are simply invalid."""
    raw = public_key_bytes(public_key)
    if raw is None:
        return False
    if not isinstance(signature_hex, str) or not _SIGNATURE.fullmatch(signature_hex):
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(raw)
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_metadata(metadata: object) -> bool:
    """True iff ``metadata`` (exactly as the chain returned it) carries a valid signature by
    its own ``mediator_id`` (a ``did:key``: a raw hex key is v1 and not accepted here).
    Never raises on hostile input."""
    if not isinstance(metadata, Mapping) or did_key_public(metadata.get("mediator_id")) is None:
        return False
    try:
        message = signing_bytes(metadata)
    except (ValueError, TypeError, RecursionError):
        return False
    return verify_signature(metadata.get("mediator_id"), metadata.get("signature"), message)


class Keyring:
    """The node's current key and its retired keys (protocol.md, "Key rotation").

    New entries are signed by :attr:`current`; every entry about a settlement is signed by
    the key whose ``mediator_id`` proposed it (:meth:`for_mediator`), so a settlement
    proposed before a rotation is still claimed, clarified and recognised as ours.
    """

    __slots__ = ("_by_id", "current", "retired")

    def __init__(self, current: MediatorKey, retired: tuple[MediatorKey, ...] = ()) -> None:
        self.current = current
        # A key listed twice (a rotation interrupted between its two writes) counts once;
        # the current key is never also "retired".
        seen: dict[MediatorId, MediatorKey] = {current.mediator_id: current}
        for key in retired:
            seen.setdefault(key.mediator_id, key)
        self._by_id = seen
        self.retired: tuple[MediatorKey, ...] = tuple(
            key for ident, key in seen.items() if ident != current.mediator_id
        )

    @classmethod
    def single(cls, key: MediatorKey) -> Keyring:
        return cls(key)

    @property
    def ids(self) -> frozenset[MediatorId]:
        """Every mediator id this node signs as: the current one and the retired ones."""
        return frozenset(self._by_id)

    def owns(self, mediator_id: object) -> bool:
        return isinstance(mediator_id, str) and mediator_id in self._by_id

    def for_mediator(self, mediator_id: object) -> MediatorKey | None:
        """The key that signs as ``mediator_id``, or None when this node holds none."""
        return self._by_id.get(MediatorId(mediator_id)) if isinstance(mediator_id, str) else None

    def __repr__(self) -> str:
        retired = ", ".join(key.mediator_id for key in self.retired)
        return f"Keyring(current={self.current.mediator_id}, retired=[{retired}])"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Keyring cannot be pickled")
