"""Consensus modes: what a proposal carries, and whether this node may mediate at all.

The mode comes from ``config.yaml`` (:class:`mediator_actors.config.Consensus`).

``permissionless``
    Any mediator may propose. Proposals carry ``consensus_mode: "permissionless"`` only.

``dpos`` (delegated proof of stake)
    Proposals carry ``stake_reference`` and ``effective_stake``.

    * ``effective_stake`` is the amount of NLC the mediator stands behind, as a finite,
      non-negative decimal number: ``bondedStakeAmount`` from ``config.yaml``, rounded to
      8 decimals. The NatLangChain node has no staking or delegation route, so this node
      knows of no delegations and no slashing: effective stake = bonded stake. It is a
      signed declaration (the mediator signature covers it), checked by the parties and by
      other nodes against ``stake_reference``.
    * ``stake_reference`` names the bond: ``stakeReference`` from ``config.yaml`` (for
      instance the entry_ref of the bonding entry on the chain) when configured, which must
      then be an ``ent_`` digest id; otherwise a self-declaration id,
      ``"doc_" + b32(sha256("stake/v2" \\x00 mediator_id \\x00 effective_stake as canonical JSON))``, which
      binds the amount to the key but is attested by nobody.
    * The node refuses to start when ``effective_stake < minEffectiveStake``; other nodes'
      proposals below that minimum (or without the fields) are not admitted.

``poa`` (proof of authority)
    Proposals carry ``authority_signature``: the 64-byte Ed25519 signature, in lowercase hex,
    by the node's **authority key** over
    ``b"nlc-mediator/authority/v1\\x00" + settlement_id + b"\\x00" + mediator_id`` (ids as
    ASCII), i.e. "authority A vouches that mediator M may propose settlement S". The
    authority key is the Ed25519 seed ``poaAuthorityKey`` from ``config.yaml`` when set,
    otherwise the mediator key itself. A signature verifies when one key of the authority set
    verifies it: ``authoritySet`` (64-hex public keys) when configured, else the public key of
    ``poaAuthorityKey`` alone (the runbook's configuration). The node refuses to start when
    its authority key's public key is not in the authority set (or there is none); other
    nodes' proposals without a verifying ``authority_signature`` are not admitted.

All functions here are pure and cheap (one Ed25519 operation at most).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mediator_actors.config import Consensus, ConsensusMode, Settings
from mediator_actors.errors import ConfigError, SettlementError
from mediator_actors.model import (
    MediatorId,
    canonical_json,
    is_digest_id,
    joined_digest_id,
    protocol_amount,
)
from mediator_actors.signing import MediatorKey, verify_signature

AUTHORITY_DOMAIN = b"nlc-mediator/authority/v1\x00"

#: Decides whether a proposal seen on the chain counts under this node's mode: ``None``
#: to admit it, or the reason it is not admitted.
Admission = Callable[[Mapping[str, Any]], str | None]


def effective_stake(consensus: Consensus) -> float:
    """The stake this node declares (see the module docstring): bonded stake, 8 decimals."""
    return round(float(consensus.bonded_stake_amount), 8)


def authority_message(settlement_id: str, mediator_id: str) -> bytes:
    return AUTHORITY_DOMAIN + settlement_id.encode("ascii") + b"\x00" + mediator_id.encode("ascii")


def _authority_key(consensus: Consensus, mediator_key: MediatorKey | None) -> MediatorKey | None:
    if consensus.poa_authority_key is not None:
        try:
            return MediatorKey.from_seed_hex(consensus.poa_authority_key)
        except SettlementError as exc:
            raise ConfigError(
                ["config.yaml poaAuthorityKey must be an Ed25519 seed of 64 hex characters"]
            ) from exc
    return mediator_key


def authorities(consensus: Consensus) -> tuple[str, ...]:
    """The authority set: ``authoritySet`` when configured, else the public key of
    ``poaAuthorityKey`` (the runbook configures poa with the key alone), else empty."""
    if consensus.authority_set or consensus.poa_authority_key is None:
        return consensus.authority_set
    key = _authority_key(consensus, None)
    return () if key is None else (key.mediator_id,)


def _stake_reference(consensus: Consensus, mediator_id: str) -> str:
    if consensus.stake_reference is not None:
        return consensus.stake_reference
    amount = canonical_json(effective_stake(consensus)).decode()
    return joined_digest_id("doc", "stake/v2", mediator_id, amount)


def check_can_start(
    settings: Settings, mediator_id: MediatorId, *, mediator_key: MediatorKey | None = None
) -> None:
    """Refuse to start (:class:`ConfigError`, naming what to change) when this node may not
    mediate under its consensus mode. ``mediator_key`` is the node's key; it is the
    authority key in poa when ``poaAuthorityKey`` is not set."""
    consensus = settings.consensus
    if consensus.mode is ConsensusMode.DPOS:
        stake = effective_stake(consensus)
        if not math.isfinite(stake) or stake < consensus.min_effective_stake:
            raise ConfigError(
                [
                    f"consensusMode dpos: effective stake {stake:g} NLC is below "
                    f"minEffectiveStake {consensus.min_effective_stake:g} NLC; raise "
                    "bondedStakeAmount in config.yaml (or lower minEffectiveStake)"
                ]
            )
        if consensus.stake_reference is not None and not is_digest_id(
            consensus.stake_reference, "ent"
        ):
            raise ConfigError(
                [
                    "consensusMode dpos: stakeReference in config.yaml must be an ent_ digest "
                    "id (the entry_ref of the bond), or left out"
                ]
            )
    elif consensus.mode is ConsensusMode.POA:
        allowed = authorities(consensus)
        if not allowed:
            raise ConfigError(
                [
                    "consensusMode poa: no authority; set poaAuthorityKey in config.yaml (the "
                    "authority set is then its public key) or list authoritySet"
                ]
            )
        authority = _authority_key(consensus, mediator_key)
        authority_id = authority.mediator_id if authority is not None else mediator_id
        if authority_id not in allowed and not (
            authority is not None and authority.public_hex in allowed
        ):
            which = "poaAuthorityKey" if consensus.poa_authority_key is not None else "node key"
            raise ConfigError(
                [
                    f"consensusMode poa: this node's {which} (public key {authority_id}) is not "
                    "in authoritySet; add it to config.yaml or use an authority's key"
                ]
            )


@dataclass(frozen=True, slots=True)
class ConsensusSigner:
    """Adds the mode's fields to a proposal's metadata (before the mediator signs it).

    Holds the authority key in poa; its ``repr`` never shows it."""

    mode: ConsensusMode
    stake_reference: str | None = None
    stake: float | None = None
    authority_key: MediatorKey | None = None

    @classmethod
    def from_settings(cls, settings: Settings, mediator_key: MediatorKey) -> ConsensusSigner:
        consensus = settings.consensus
        if consensus.mode is ConsensusMode.DPOS:
            return cls(
                consensus.mode,
                stake_reference=_stake_reference(consensus, mediator_key.mediator_id),
                stake=effective_stake(consensus),
            )
        if consensus.mode is ConsensusMode.POA:
            return cls(consensus.mode, authority_key=_authority_key(consensus, mediator_key))
        return cls(consensus.mode)

    def fields(self, settlement_id: str, mediator_id: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"consensus_mode": self.mode.value}
        if self.mode is ConsensusMode.DPOS:
            if self.stake_reference is None or self.stake is None:
                raise SettlementError("dpos proposals need a stake reference and a stake")
            fields["stake_reference"] = self.stake_reference
            fields["effective_stake"] = self.stake
        elif self.mode is ConsensusMode.POA:
            if self.authority_key is None:
                raise SettlementError("poa proposals need an authority key")
            fields["authority_signature"] = self.authority_key.sign(
                authority_message(settlement_id, mediator_id)
            )
        return fields


def _admit_dpos(consensus: Consensus, metadata: Mapping[str, Any]) -> str | None:
    stake = protocol_amount(metadata.get("effective_stake"))
    if stake is None:
        return "effective_stake is not a finite non-negative number"
    if not isinstance(metadata.get("stake_reference"), str):
        return "stake_reference is missing"
    if stake < consensus.min_effective_stake:
        return f"effective_stake {stake:g} is below minEffectiveStake"
    return None


def _admit_poa(allowed: tuple[str, ...], metadata: Mapping[str, Any]) -> str | None:
    settlement_id, mediator_id = metadata.get("settlement_id"), metadata.get("mediator_id")
    if not (isinstance(settlement_id, str) and isinstance(mediator_id, str)):
        return "settlement_id or mediator_id is missing"
    try:
        message = authority_message(settlement_id, mediator_id)
    except UnicodeEncodeError:
        return "settlement_id or mediator_id is not ASCII"
    signature = metadata.get("authority_signature")
    if any(verify_signature(key, signature, message) for key in allowed):
        return None
    return "authority_signature verifies with no key of the authority set"


def admission(consensus: Consensus) -> Admission:
    """The rule deciding which proposals seen on the chain this node follows and counts:
    all in permissionless; in dpos and poa only those of the same mode whose stake or
    authority signature passes this node's own rule."""
    mode = consensus.mode
    allowed = authorities(consensus) if mode is ConsensusMode.POA else ()

    def admit(metadata: Mapping[str, Any]) -> str | None:
        if mode is ConsensusMode.PERMISSIONLESS:
            return None
        if metadata.get("consensus_mode") != mode.value:
            return f"consensus_mode is not {mode.value}"
        if mode is ConsensusMode.DPOS:
            return _admit_dpos(consensus, metadata)
        return _admit_poa(allowed, metadata)

    return admit
