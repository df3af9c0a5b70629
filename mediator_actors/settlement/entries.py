"""Builders for the entries this node writes: proposals, payout claims, unalignable flags.

Each builder returns an :class:`OutgoingEntry` that is signed and already within the chain's
limits (protocol.md, "Common rules"): content 20 to 10,000 characters starting with the
kind's tag and naming the entry's own unique id; metadata at most 10,000 bytes (measured
both as canonical UTF-8 and as Python's default ASCII-escaped ``json.dumps``, whichever is
larger), at most 100 keys counted at every level, depth at most 5, and no key the chain
strips. Text from the chain or the model is cleaned (lone surrogates replaced, control and
bidi characters dropped, which could hide text from a reader). The binding terms are never
shortened: only the reasoning steps down (2,000 to 200 characters) to fit, and a proposal
whose terms and parties alone do not fit is refused. Ids are validated, never rewritten.

Pure functions; each costs one or a few Ed25519 signatures (well under a millisecond).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import Any

from mediator_actors.chain.scanner import omit_matches
from mediator_actors.chain.writer import OutgoingEntry
from mediator_actors.errors import SettlementError
from mediator_actors.model import (
    PROTOCOL,
    EntryRef,
    Intent,
    IntentType,
    MediatorId,
    NegotiationResult,
    SettlementId,
    Terms,
    canonical_json,
    is_digest_id,
    joined_digest_id,
    parse_iso_utc,
    protocol_amount,
)
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.signing import MediatorKey

INTENT_PROPOSAL = "settlement_proposal"
INTENT_RESPONSE = "settlement_response"
INTENT_PAYOUT = "settlement_payout"
INTENT_FLAG = "intent_flag"

MAX_METADATA_BYTES = 10_000
MAX_METADATA_KEYS = 100
MAX_METADATA_DEPTH = 5
MIN_CONTENT = 20
MAX_CONTENT = 10_000
MAX_REASONING = 2_000
#: Longest author name a proposal names as a party (parsing refuses longer ones too).
MAX_PARTY_CHARS = 256
#: Largest amount we write: far above any real price, far below float precision trouble.
FORBIDDEN_KEYS = frozenset(
    {"validation_status", "validated", "verified", "trust_score", "block_hash", "entry_hash"}
    | {"chain_id"}
)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def is_currency(code: str) -> bool:
    """NLC or a three-letter ISO 4217-shaped code, as terms and payout claims carry it."""
    return _CURRENCY.fullmatch(code) is not None


class FlagReason(StrEnum):
    COERCION = "coercion"
    VAGUE = "vague"
    UNSAFE = "unsafe"
    SPAM = "spam"


@dataclass(frozen=True, slots=True)
class ProposalDraft:
    """A signed proposal and the facts :func:`lifecycle.record_proposal` stores about it."""

    settlement_id: SettlementId
    mediator_id: MediatorId
    offer_ref: EntryRef
    seek_ref: EntryRef
    offer_party: str
    seek_party: str
    terms: Terms
    facilitation_fee: float
    facilitation_fee_percent: float
    acceptance_deadline: str
    deadline_ts: float
    entry: OutgoingEntry


# ---------------------------------------------------------------- ids, amounts, times


def settlement_id_for(ref_a: str, ref_b: str, mediator_id: str) -> SettlementId:
    """``"stl_" + b32(sha256("settlement/v2" \\x00 min(ref) \\x00 max(ref) \\x00 mediator_id))``."""
    low, high = sorted((ref_a, ref_b))
    return SettlementId(joined_digest_id("stl", "settlement/v2", low, high, mediator_id))


def challenge_id_for(settlement_id: str, challenger_id: str) -> str:
    """``"chl_" + b32(sha256("challenge/v2" \\x00 settlement_id \\x00 challenger_id))``."""
    return joined_digest_id("chl", "challenge/v2", settlement_id, challenger_id)


def dispute_id_for(settlement_id: str, claimant: str) -> str:
    """``"dsp_" + b32(sha256("dispute/v2" \\x00 settlement_id \\x00 claimant))``."""
    return joined_digest_id("dsp", "dispute/v2", settlement_id, claimant)


def settlement_value(terms: Terms, offer: Intent, seek: Intent) -> float:
    """The settlement's value (interfaces.md): its agreed price, or when it has no price the
    sum of the fees both parties offered (0 when neither offered one)."""
    if terms.price is not None:
        price = protocol_amount(terms.price)
        if price is None:
            raise SettlementError("the terms' price is not a finite, non-negative amount")
        return price
    total = 0.0
    for intent in (offer, seek):
        if intent.offered_fee is not None:
            fee = protocol_amount(intent.offered_fee)
            if fee is None:
                raise SettlementError(f"intent {intent.ref} offers an invalid fee")
            total += fee
    return total


def facilitation_fee(value: float, percent: float) -> float:
    """``percent`` % of ``value``, rounded half-even to 8 decimals (computed in decimal)."""
    if protocol_amount(percent) is None or percent > 100:
        raise SettlementError("FACILITATION_FEE_PERCENT must be between 0 and 100")
    fee = Decimal(repr(float(value))) * Decimal(repr(float(percent))) / 100
    return float(fee.quantize(Decimal("0.00000001"), rounding=ROUND_HALF_EVEN))


def format_utc(epoch: float) -> str:
    """ISO-8601 UTC with a ``Z``, whole seconds (fractions are dropped)."""
    return datetime.fromtimestamp(math.floor(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


parse_utc = parse_iso_utc


def format_amount(amount: float) -> str:
    """An amount for prose: plain decimal notation, at most 8 decimals, no trailing zeros."""
    text = f"{Decimal(repr(float(amount))):.8f}".rstrip("0").rstrip(".")
    return text or "0"


# ---------------------------------------------------------------- text and limits


def clean_text(value: object, limit: int, *, single_line: bool = False) -> str:
    """Text safe to publish: lone surrogates replaced, controls and bidi marks dropped
    (newlines kept unless ``single_line``), at most ``limit`` characters."""
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    text = _CONTROL.sub("", text)
    if single_line:
        text = " ".join(text.split())
    if len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


def _shape(value: Any, depth: int) -> tuple[int, int]:
    """(keys at every level, deepest level) of a JSON value; the top object is level 1."""
    if isinstance(value, dict):
        keys, deepest = len(value), depth
        for key, inner in value.items():
            if key in FORBIDDEN_KEYS or key.startswith(("__", "_system")):
                raise SettlementError(f"metadata key {key!r} would be stripped by the chain")
            k, d = _shape(inner, depth + 1)
            keys, deepest = keys + k, max(deepest, d)
        return keys, deepest
    if isinstance(value, list):
        keys, deepest = 0, depth
        for inner in value:
            k, d = _shape(inner, depth + 1)
            keys, deepest = keys + k, max(deepest, d)
        return keys, deepest
    return 0, depth - 1


def metadata_problem(metadata: dict[str, Any]) -> str | None:
    """Why ``metadata`` would break the chain's limits, or None when it fits."""
    try:
        keys, depth = _shape(metadata, 1)
        size = max(len(canonical_json(metadata)), len(json.dumps(metadata).encode()))
    except SettlementError as exc:
        return str(exc)
    except (ValueError, TypeError) as exc:
        return f"metadata has no canonical JSON form: {exc}"
    if size > MAX_METADATA_BYTES:
        return f"metadata is {size} bytes (limit {MAX_METADATA_BYTES})"
    if keys > MAX_METADATA_KEYS:
        return f"metadata has {keys} keys (limit {MAX_METADATA_KEYS})"
    if depth > MAX_METADATA_DEPTH:
        return f"metadata is {depth} levels deep (limit {MAX_METADATA_DEPTH})"
    return None


def _entry(
    content: str,
    author: str,
    intent: str,
    metadata: dict[str, Any],
    *,
    metadata_checked: bool = False,
) -> OutgoingEntry:
    """The entry, refused when the chain would refuse it. ``metadata_checked``: the caller
    has just had :func:`metadata_problem` pass this very dict (the check is a third of a
    proposal's CPU: it walks and serialises the metadata twice)."""
    if not MIN_CONTENT <= len(content) <= MAX_CONTENT:
        raise SettlementError(f"content is {len(content)} characters (20 to 10,000 allowed)")
    problem = None if metadata_checked else metadata_problem(metadata)
    if problem is not None:
        raise SettlementError(problem)
    return OutgoingEntry(content, author, intent, metadata)


def _cap_content(text: str) -> str:
    return text if len(text) <= MAX_CONTENT else text[: MAX_CONTENT - 1] + "…"


# ---------------------------------------------------------------- proposal


#: Reasoning lengths tried, longest first, until the metadata fits. The reasoning is
#: explanation; the terms are what the parties accept and are never shortened.
_REASONING_STEPS = (MAX_REASONING, 1_000, 500, 200)


def _clean_terms(terms: Terms) -> Terms:
    """The terms with controls and bidi marks removed (they could hide text from a reader);
    never shortened: a proposal whose terms do not fit is refused, not truncated."""

    def items(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(clean_text(v, MAX_CONTENT) for v in values)

    return Terms(
        price=terms.price,
        deliverables=items(terms.deliverables),
        timeline=None if terms.timeline is None else clean_text(terms.timeline, MAX_CONTENT),
        conditions=items(terms.conditions),
        currency=terms.currency,
    )


def _proposal_prose(draft: ProposalDraft, offer: Intent, seek: Intent, reasoning: str) -> str:
    """The readable entry. What a party must know to answer (fee, deadline, how) comes
    before the terms and the reasoning, so the 10,000-character cap can only cut the tail,
    and the metadata's terms are named as the binding ones."""
    terms = draft.terms
    price = (
        f"{format_amount(terms.price)} {terms.currency}"
        if terms.price is not None
        else "none agreed (the fee is computed on the parties' offered fees)"
    )
    lines = [
        f"[PROPOSED SETTLEMENT] {draft.settlement_id}",
        "",
        f"Mediator {draft.mediator_id} proposes a settlement between two intents:",
        f"- Offer {draft.offer_ref} by {clean_text(offer.author, 128, single_line=True)}",
        f"- Seek {draft.seek_ref} by {clean_text(seek.author, 128, single_line=True)}",
        "",
        f"Facilitation fee: {format_amount(draft.facilitation_fee)} {terms.currency} "
        f"({format_amount(draft.facilitation_fee_percent)}% of the settlement's value), "
        "claimed only if both parties accept in time.",
        f"Acceptance deadline: {draft.acceptance_deadline}. Each party answers with an entry "
        f'"[ACCEPT] {draft.settlement_id}" or "[REJECT] {draft.settlement_id}" '
        f'(intent "{INTENT_RESPONSE}") mined before the deadline.',
        "",
        "Proposed terms (binding as written in this entry's metadata):",
        f"- Price: {price}",
        f"- Deliverables: {'; '.join(terms.deliverables) or 'none stated'}",
        f"- Timeline: {terms.timeline or 'none stated'}",
        f"- Conditions: {'; '.join(terms.conditions) or 'none stated'}",
        "",
        f"Reasoning: {reasoning}",
    ]
    return _cap_content("\n".join(lines))


def build_proposal(
    *,
    offer: Intent,
    seek: Intent,
    result: NegotiationResult,
    key: MediatorKey,
    consensus: ConsensusSigner,
    fee_percent: float,
    window_hours: float,
    now: float,
) -> ProposalDraft:
    """The signed ``[PROPOSED SETTLEMENT]`` entry for a successful negotiation
    (protocol.md section 2). ``now`` is epoch seconds; the deadline is ``now`` plus
    ``window_hours``, in whole seconds. Raises :class:`SettlementError` for inputs that must
    not become a proposal (wrong intent types, invalid ids or amounts, a failed result)."""
    if offer.type is not IntentType.OFFER or seek.type is not IntentType.SEEK:
        raise SettlementError("a proposal pairs one offer with one seek")
    if not (is_digest_id(offer.ref, "ent") and is_digest_id(seek.ref, "ent")) or (
        offer.ref == seek.ref
    ):
        raise SettlementError("the intents' refs must be two distinct protocol ids")
    if offer.author == seek.author:
        raise SettlementError("the offer and the seek have the same author")
    if not all(0 < len(a) <= MAX_PARTY_CHARS for a in (offer.author, seek.author)):
        raise SettlementError(f"party names must be 1 to {MAX_PARTY_CHARS} characters")
    if not result.success or result.terms is None:
        raise SettlementError("only a successful negotiation with terms becomes a proposal")
    if not _CURRENCY.fullmatch(result.terms.currency):
        # The stated currency is binding: never replaced by a default.
        raise SettlementError("the terms' currency must be NLC or a three-letter ISO code")
    if not is_digest_id(result.model_integrity_hash, "mih"):
        raise SettlementError("model_integrity_hash must be a mih_ digest id")
    if not (math.isfinite(window_hours) and window_hours > 0 and math.isfinite(now)):
        raise SettlementError("the acceptance window and the time must be finite")
    value = settlement_value(result.terms, offer, seek)
    fee = facilitation_fee(value, fee_percent)
    mediator_id = key.mediator_id
    settlement_id = settlement_id_for(offer.ref, seek.ref, mediator_id)
    deadline_ts = float(math.floor(now + window_hours * 3600))
    deadline = format_utc(deadline_ts)
    consensus_fields = consensus.fields(settlement_id, mediator_id)

    terms = _clean_terms(result.terms)
    for limit in _REASONING_STEPS:
        # The reasoning is our prose: fragments the chain would redact are omitted.
        reasoning = omit_matches(clean_text(result.reasoning, limit))
        metadata = key.sign_metadata(
            {
                "is_contract": True,
                "contract_type": "proposal",
                "status": "open",
                "protocol": PROTOCOL,
                "settlement_id": settlement_id,
                "intent_refs": [offer.ref, seek.ref],
                "parties": [offer.author, seek.author],
                "terms": terms.to_json(),
                "reasoning": reasoning,
                "facilitation_fee": fee,
                "facilitation_fee_percent": float(fee_percent),
                "acceptance_deadline": deadline,
                "model_integrity_hash": result.model_integrity_hash,
                **consensus_fields,
                "mediator_id": mediator_id,
            }
        )
        problem = metadata_problem(metadata)
        if problem is None:
            break
    else:
        raise SettlementError(
            f"the proposal does not fit the chain's metadata limits ({problem}); "
            "its terms are never shortened"
        )
    draft = ProposalDraft(
        settlement_id=settlement_id,
        mediator_id=mediator_id,
        offer_ref=offer.ref,
        seek_ref=seek.ref,
        offer_party=offer.author,
        seek_party=seek.author,
        terms=terms,
        facilitation_fee=fee,
        facilitation_fee_percent=float(fee_percent),
        acceptance_deadline=deadline,
        deadline_ts=deadline_ts,
        entry=OutgoingEntry("", mediator_id, INTENT_PROPOSAL, metadata),
    )
    content = _proposal_prose(draft, offer, seek, reasoning)
    # the loop above checked this metadata and nothing has changed it since
    entry = _entry(content, mediator_id, INTENT_PROPOSAL, metadata, metadata_checked=True)
    return replace(draft, entry=entry)


# ---------------------------------------------------------------- payout and flag


def build_payout(
    *, settlement_id: str, amount: float, currency: str, key: MediatorKey
) -> OutgoingEntry:
    """The ``[PAYOUT]`` claim for a closed settlement this node proposed (section 5).
    ``currency`` is the settlement's (its terms'): the fee was computed in it, so the claim
    names it in the prose and in ``metadata.currency``, never a default."""
    if not is_digest_id(settlement_id, "stl"):
        raise SettlementError("settlement_id is not a stl_ digest id")
    checked = protocol_amount(amount)
    if checked is None:
        raise SettlementError("the payout amount is not a finite, non-negative amount")
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise SettlementError("the payout currency must be NLC or a three-letter ISO code")
    metadata = key.sign_metadata(
        {
            "is_contract": True,
            "contract_type": "payout",
            "protocol": PROTOCOL,
            "settlement_id": settlement_id,
            "amount": checked,
            "currency": currency,
            "mediator_id": key.mediator_id,
        }
    )
    content = (
        f"[PAYOUT] settlement {settlement_id} closed; claiming {format_amount(checked)} {currency} "
        "as the facilitation fee of the proposal both parties accepted in time, "
        f"by mediator {key.mediator_id}."
    )
    return _entry(content, key.mediator_id, INTENT_PAYOUT, metadata)


def build_flag(
    *, intent_ref: str, reason: FlagReason, key: MediatorKey, detail: str = ""
) -> OutgoingEntry:
    """The ``[UNALIGNABLE]`` flag on an intent (section 6). ``detail`` is optional prose."""
    if not is_digest_id(intent_ref, "ent"):
        raise SettlementError("intent_ref is not an ent_ digest id")
    reason = FlagReason(reason)
    metadata = key.sign_metadata(
        {
            "is_contract": True,
            "contract_type": "flag",
            "protocol": PROTOCOL,
            "intent_ref": intent_ref,
            "reason": reason.value,
            "mediator_id": key.mediator_id,
        }
    )
    content = f"[UNALIGNABLE] intent {intent_ref}: {reason.value}"
    extra = omit_matches(clean_text(detail, 2_000))
    if extra:
        content += f". {extra}"
    return _entry(_cap_content(content), key.mediator_id, INTENT_FLAG, metadata)
