"""Strict parsing of the settlement entries other parties and mediators write.

:func:`parse_entry` turns one chain entry into a typed value (a proposal, a response, a
challenge, a challenge resolution or a payout claim), ``None`` when the entry is not a
settlement kind at all (intents, disputes, free prose), or a :class:`Quarantined` value with
the reason it cannot be used. It never raises: one hostile entry must not stop the chain
follower. Ids are validated, never rewritten; amounts must be finite and non-negative;
signed kinds must verify against the metadata exactly as the chain returned it.

Pure and cheap: at most one Ed25519 verification (about 0.1 ms) per entry.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mediator_actors.model import (
    PROTOCOL,
    ChainEntry,
    EntryRef,
    MediatorId,
    SettlementId,
    did_key_public,
    is_digest_id,
    protocol_amount,
)
from mediator_actors.settlement.entries import (
    MAX_PARTY_CHARS,
    challenge_id_for,
    is_currency,
    parse_utc,
    settlement_id_for,
)
from mediator_actors.signing import verify_metadata

logger = logging.getLogger(__name__)

_KINDS = ("proposal", "response", "challenge", "challenge_resolution", "payout")


@dataclass(frozen=True, slots=True)
class ProposalSeen:
    settlement_id: SettlementId
    mediator_id: MediatorId
    offer_ref: EntryRef
    seek_ref: EntryRef
    offer_party: str
    seek_party: str
    terms: dict[str, Any]
    facilitation_fee: float
    facilitation_fee_percent: float
    acceptance_deadline: str
    deadline_ts: float
    consensus_mode: str
    metadata: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ResponseSeen:
    settlement_id: SettlementId
    author: str
    accept: bool


@dataclass(frozen=True, slots=True)
class ChallengeSeen:
    challenge_id: str
    settlement_id: SettlementId
    challenger: MediatorId


@dataclass(frozen=True, slots=True)
class ResolutionSeen:
    challenge_id: str
    author: str
    upheld: bool


@dataclass(frozen=True, slots=True)
class PayoutSeen:
    settlement_id: SettlementId
    mediator_id: MediatorId
    amount: float
    currency: str = "NLC"


@dataclass(frozen=True, slots=True)
class Quarantined:
    """An entry of a settlement kind that cannot be used, with the reason."""

    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class OtherProtocol:
    """An entry of a settlement kind in another protocol version: ignored (protocol.md),
    counted with its reason but never quarantined or acted on."""

    kind: str
    reason: str


Parsed = ProposalSeen | ResponseSeen | ChallengeSeen | ResolutionSeen | PayoutSeen


class _InvalidEntryError(Exception):
    """Internal: the entry fails a check; the message is the quarantine reason."""


def _digest_id(metadata: Mapping[str, Any], key: str, tag: str) -> str:
    value = metadata.get(key)
    if not is_digest_id(value, tag):
        raise _InvalidEntryError(f"{key} is not a {tag}_ digest id")
    return str(value)


def _did_key(metadata: Mapping[str, Any], key: str) -> MediatorId:
    value = metadata.get(key)
    if did_key_public(value) is None:
        raise _InvalidEntryError(f"{key} is not an Ed25519 did:key")
    return MediatorId(str(value))


def _party(value: object) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_PARTY_CHARS:
        raise _InvalidEntryError("parties must be two non-empty author names")
    return value


class _OtherProtocolError(Exception):
    """Internal: the entry speaks another protocol version; it is ignored, not quarantined."""


def _protocol(metadata: Mapping[str, Any], *, required: bool) -> None:
    """Mediator-written kinds must say ``nlc-mediator/2``; a party's response or resolution
    may leave it out (parties write by hand), but one naming another version is ignored."""
    value = metadata.get("protocol", None if required else PROTOCOL)
    if value != PROTOCOL:
        raise _OtherProtocolError(f"protocol is {str(value)[:40]!r}, not {PROTOCOL}")


def _tag(entry: ChainEntry, tag: str) -> None:
    if not isinstance(entry.content, str) or not entry.content.lstrip().startswith(tag):
        raise _InvalidEntryError(f"content does not start with {tag}")


def _signed(metadata: Mapping[str, Any]) -> None:
    if not verify_metadata(metadata):
        raise _InvalidEntryError("the mediator signature does not verify")


def _proposal(entry: ChainEntry, m: Mapping[str, Any]) -> ProposalSeen:
    _protocol(m, required=True)
    _tag(entry, "[PROPOSED SETTLEMENT]")
    settlement_id = SettlementId(_digest_id(m, "settlement_id", "stl"))
    mediator_id = _did_key(m, "mediator_id")
    if entry.author != mediator_id:
        raise _InvalidEntryError("the author is not the proposal's mediator_id")
    refs, parties = m.get("intent_refs"), m.get("parties")
    if not (
        isinstance(refs, list) and len(refs) == 2 and all(is_digest_id(r, "ent") for r in refs)
    ):
        raise _InvalidEntryError("intent_refs must be two ent_ digest ids")
    if refs[0] == refs[1]:
        raise _InvalidEntryError("intent_refs name the same intent twice")
    if not (isinstance(parties, list) and len(parties) == 2):
        raise _InvalidEntryError("parties must be two non-empty author names")
    offer_party, seek_party = _party(parties[0]), _party(parties[1])
    if offer_party == seek_party:
        raise _InvalidEntryError("both parties are the same author")
    if settlement_id != settlement_id_for(refs[0], refs[1], mediator_id):
        raise _InvalidEntryError("settlement_id does not match its intents and mediator")
    deadline = m.get("acceptance_deadline")
    deadline_ts = parse_utc(deadline)
    if deadline_ts is None:
        raise _InvalidEntryError("acceptance_deadline is not an ISO-8601 time")
    fee = protocol_amount(m.get("facilitation_fee"))
    percent = protocol_amount(m.get("facilitation_fee_percent"))
    if fee is None or percent is None or percent > 100:
        raise _InvalidEntryError("facilitation_fee or its percent is not a valid amount")
    terms = m.get("terms")
    if not isinstance(terms, dict):
        raise _InvalidEntryError("terms is not an object")
    mode = m.get("consensus_mode")
    if mode not in ("permissionless", "dpos", "poa"):
        raise _InvalidEntryError("consensus_mode is not permissionless, dpos or poa")
    _signed(m)
    return ProposalSeen(
        settlement_id=settlement_id,
        mediator_id=mediator_id,
        offer_ref=EntryRef(refs[0]),
        seek_ref=EntryRef(refs[1]),
        offer_party=offer_party,
        seek_party=seek_party,
        terms=terms,
        facilitation_fee=fee,
        facilitation_fee_percent=percent,
        acceptance_deadline=str(deadline),
        deadline_ts=deadline_ts,
        consensus_mode=str(mode),
        metadata=m,
    )


def _response(entry: ChainEntry, m: Mapping[str, Any]) -> ResponseSeen:
    _protocol(m, required=False)
    kind = m.get("response_type")
    if kind not in ("accept", "reject"):
        raise _InvalidEntryError("response_type is not accept or reject")
    _tag(entry, "[ACCEPT]" if kind == "accept" else "[REJECT]")
    settlement_id = SettlementId(_digest_id(m, "settlement_id", "stl"))
    return ResponseSeen(settlement_id, _party(entry.author), kind == "accept")


def _challenge(entry: ChainEntry, m: Mapping[str, Any]) -> ChallengeSeen:
    _protocol(m, required=True)
    _tag(entry, "[CHALLENGE]")
    challenge_id = _digest_id(m, "challenge_id", "chl")
    settlement_id = SettlementId(_digest_id(m, "settlement_id", "stl"))
    challenger = _did_key(m, "mediator_id")
    if entry.author != challenger:
        raise _InvalidEntryError("the author is not the challenge's mediator_id")
    if challenge_id != challenge_id_for(settlement_id, challenger):
        raise _InvalidEntryError("challenge_id does not match its settlement and challenger")
    confidence = m.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise _InvalidEntryError("confidence is not a number")
    if not (math.isfinite(confidence) and 0 <= confidence <= 1):
        raise _InvalidEntryError("confidence is not between 0 and 1")
    if not isinstance(m.get("violated_constraints"), list):
        raise _InvalidEntryError("violated_constraints is not a list")
    _signed(m)
    return ChallengeSeen(challenge_id, settlement_id, challenger)


def _resolution(entry: ChainEntry, m: Mapping[str, Any]) -> ResolutionSeen:
    _protocol(m, required=False)
    _tag(entry, "[CHALLENGE RESOLUTION]")
    outcome = m.get("outcome")
    if outcome not in ("upheld", "rejected"):
        raise _InvalidEntryError("outcome is not upheld or rejected")
    return ResolutionSeen(
        _digest_id(m, "challenge_id", "chl"), _party(entry.author), outcome == "upheld"
    )


def _payout(entry: ChainEntry, m: Mapping[str, Any]) -> PayoutSeen:
    _protocol(m, required=True)
    _tag(entry, "[PAYOUT]")
    settlement_id = SettlementId(_digest_id(m, "settlement_id", "stl"))
    mediator_id = _did_key(m, "mediator_id")
    if entry.author != mediator_id:
        raise _InvalidEntryError("the author is not the payout's mediator_id")
    amount = protocol_amount(m.get("amount"))
    if amount is None:
        raise _InvalidEntryError("amount is not a finite, non-negative number")
    currency = m.get("currency", "NLC")  # protocol.md: amounts are in NLC unless named
    if not isinstance(currency, str) or not is_currency(currency):
        raise _InvalidEntryError("currency is not NLC or a three-letter ISO code")
    _signed(m)
    return PayoutSeen(settlement_id, mediator_id, amount, currency)


_PARSERS: dict[str, Callable[[ChainEntry, Mapping[str, Any]], Parsed]] = {
    "proposal": _proposal,
    "response": _response,
    "challenge": _challenge,
    "challenge_resolution": _resolution,
    "payout": _payout,
}


def contract_kind(entry: ChainEntry) -> str | None:
    """The settlement kind an entry claims to be (``metadata.contract_type``), or None."""
    metadata = entry.metadata
    if not isinstance(metadata, Mapping):
        return None
    kind = metadata.get("contract_type")
    return kind if isinstance(kind, str) and kind in _KINDS else None


def parse_entry(entry: ChainEntry) -> Parsed | Quarantined | OtherProtocol | None:
    """The typed settlement value in ``entry``, None if it is no settlement kind, the
    reason it is quarantined, or :class:`OtherProtocol`. Never raises."""
    kind = contract_kind(entry)
    if kind is None:
        return None
    try:
        return _PARSERS[kind](entry, entry.metadata)
    except _OtherProtocolError as exc:
        return OtherProtocol(kind, str(exc))
    except _InvalidEntryError as exc:
        return Quarantined(kind, str(exc))
    except Exception as exc:  # noqa: BLE001 - one hostile entry must never stop the follower
        logger.warning(
            "settlement: unexpected %s while parsing a %s entry", type(exc).__name__, kind
        )
        return Quarantined(kind, f"unparseable: {type(exc).__name__}")
