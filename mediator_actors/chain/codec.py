"""Strict parsing of untrusted chain JSON into model values (threats.md C).

Hostile values are answered **per entry**: a page (a block, ``/pending``) is parsed once
with hooks that turn NaN/Infinity, ``1e400`` and over-long integers into markers, then each
entry is checked on its own; a bad one becomes a :class:`Rejected` with its reason and the
rest of the page goes on. Only a page that is not JSON at all (HTML, truncated, nested
deeper than the C parser's recursion limit, invalid UTF-8) fails as a whole.

Everything here is pure and CPU-bound: ``parse_block_bytes`` on a 1 MB block takes a few
milliseconds, so callers on the hub send large bodies through ``run_blocking``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mediator_actors.errors import CodecError
from mediator_actors.model import (
    ChainEntry,
    EntryKind,
    Intent,
    IntentType,
    entry_ref,
    protocol_amount,
)
from mediator_actors.safety.textsafety import detect_injection_many, normalize_text

# Limits. The chain itself enforces content 20..10,000 and metadata 10 KB / 100 keys /
# depth 5; a hostile or buggy node may not, so we check again with a little slack.
MAX_CONTENT_CHARS = 10_000
MAX_FIELD_CHARS = 1_000  # author, intent
MAX_TIMESTAMP_CHARS = 40
MAX_METADATA_BYTES = 16_384
MAX_METADATA_KEYS = 200
MAX_METADATA_DEPTH = 8
MAX_STRING_CHARS = 10_000  # any string inside metadata
MAX_INT_DIGITS = 40
MAX_LIST_ITEMS = 100  # desires, constraints
MAX_ITEM_CHARS = 500
MIN_INTENT_CHARS = 20

_SURROGATE = re.compile("[\ud800-\udfff]")
# ISO-8601 as the node writes it (naive, optional fraction); an offset or Z is tolerated.
# The year is not range-checked: the string is kept verbatim and never compared with the
# local clock, so year 0000 and 3000 both parse (and sort as strings).
_ISO = re.compile(
    r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?"
)


class EntryError(CodecError):
    """One entry failed strict validation; ``reason`` is a short stable code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(frozen=True, slots=True)
class _Bad:
    """Marker the JSON hooks leave where a number was unacceptable."""

    reason: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """An entry that failed validation: its position, its reason, and a bounded preview."""

    position: int
    reason: str
    detail: str
    block_index: int | None
    preview: str
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class EntryPage:
    """Entries of one page (a block's entries or the pending pool)."""

    entries: tuple[ChainEntry, ...]
    rejected: tuple[Rejected, ...]


@dataclass(frozen=True, slots=True)
class Block:
    index: int
    timestamp: float
    hash: str
    previous_hash: str
    entries: tuple[ChainEntry, ...]
    rejected: tuple[Rejected, ...]


@dataclass(frozen=True, slots=True)
class LatestBlock:
    #: None when the node's secret scanner (block mode) refused to send the tip block:
    #: the length then comes from ``/stats`` and the tip's hash is not known.
    block: Block | None
    chain_length: int
    pending_entries: int

    @property
    def index(self) -> int:
        """The tip's index."""
        return self.chain_length - 1

    @property
    def hash(self) -> str | None:
        """The tip's hash, None when the tip could not be read."""
        return None if self.block is None else self.block.hash


# --- strict JSON --------------------------------------------------------------------


def _parse_constant(name: str) -> _Bad:
    return _Bad(f"non_finite_number:{name}")


def _parse_float(text: str) -> float | _Bad:
    value = float(text)
    return value if math.isfinite(value) else _Bad("number_overflow")


def _parse_int(text: str) -> int | _Bad:
    digits = len(text) - (text[0] == "-")
    return int(text) if digits <= MAX_INT_DIGITS else _Bad("integer_too_long")


def loads_lenient(body: bytes | str) -> Any:
    """Parse a page, leaving markers for bad numbers; raises CodecError only for the page.

    Use the result only through this module's parsers, which reject marked entries.
    """
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return json.loads(
            text,
            parse_constant=_parse_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except UnicodeDecodeError as exc:
        raise CodecError(f"response is not UTF-8: {exc.reason}") from exc
    except RecursionError as exc:
        raise CodecError("JSON nested deeper than the parser allows") from exc
    except ValueError as exc:  # JSONDecodeError, int() limits
        raise CodecError(f"response is not JSON: {str(exc)[:120]}") from exc


def check_value(value: Any, *, max_depth: int = 64, max_string: int = 20_000_000) -> None:
    """Raise EntryError if ``value`` holds a marker, a lone surrogate, an over-long
    string or nesting deeper than ``max_depth``. Iterative: no recursion on hostile depth."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise EntryError("too_deep", f"nesting deeper than {max_depth}")
        if isinstance(item, str):
            if len(item) > max_string:
                raise EntryError("string_too_long", f"{len(item)} characters")
            if _SURROGATE.search(item):
                raise EntryError("lone_surrogate")
        elif isinstance(item, _Bad):
            raise EntryError(item.reason)
        elif isinstance(item, dict):
            for key, sub in item.items():
                stack.append((key, depth + 1))
                stack.append((sub, depth + 1))
        elif isinstance(item, list):
            stack.extend((sub, depth + 1) for sub in item)


def loads_strict(body: bytes | str, *, max_depth: int = 64) -> Any:
    """Parse a whole document strictly: any bad value fails the document."""
    value = loads_lenient(body)
    try:
        check_value(value, max_depth=max_depth)
    except EntryError as exc:
        raise CodecError(f"response rejected: {exc}") from exc
    return value


# --- entries ------------------------------------------------------------------------


def _text(raw: Mapping[str, Any], key: str, limit: int, *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise EntryError(f"bad_{key}", f"{key} must be a string, not {type(value).__name__}")
    if len(value) > limit:
        raise EntryError(f"{key}_too_long", f"{len(value)} characters, limit {limit}")
    if _SURROGATE.search(value):
        raise EntryError("lone_surrogate", key)
    return value


def _preview(raw: object) -> str:
    try:
        text = repr(raw)
    except Exception:  # noqa: BLE001 - a preview must never fail
        text = "<unprintable>"
    return text[:200]


def unwrap_item(raw: object) -> tuple[object, int | None, str | None]:
    """``{"block_index","block_hash","entry"}`` -> (entry, block_index, block_hash)."""
    if isinstance(raw, dict) and "entry" in raw and ("block_index" in raw or "block_hash" in raw):
        index = raw.get("block_index")
        block_hash = raw.get("block_hash")
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise EntryError("bad_block_index", "wrapped item without a valid block_index")
        if not isinstance(block_hash, str) or len(block_hash) > 256:
            raise EntryError("bad_block_hash")
        return raw["entry"], index, block_hash
    return raw, None, None


_ENTRY_FIELDS = frozenset({"author", "content", "intent", "timestamp", "metadata"})


def parse_entry(raw: object, *, block_index: int | None) -> ChainEntry:
    """One ENTRY (or wrapped item) -> ChainEntry; raises EntryError with a reason."""
    raw, wrapped_index, _ = unwrap_item(raw)
    if wrapped_index is not None:
        block_index = wrapped_index
    if not isinstance(raw, dict):
        raise EntryError("not_an_object", f"entry is {type(raw).__name__}")
    author = _text(raw, "author", MAX_FIELD_CHARS)
    content = _text(raw, "content", MAX_CONTENT_CHARS)
    intent = _text(raw, "intent", MAX_FIELD_CHARS, required=False)
    timestamp = _text(raw, "timestamp", MAX_TIMESTAMP_CHARS)
    if not _ISO.fullmatch(timestamp):
        raise EntryError("invalid_timestamp", timestamp[:40])
    if not author.strip():
        raise EntryError("bad_author", "empty author")
    metadata = raw.get("metadata", {})
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise EntryError(
            "bad_metadata", f"metadata must be an object, not {type(metadata).__name__}"
        )
    check_value(metadata, max_depth=MAX_METADATA_DEPTH, max_string=MAX_STRING_CHARS)
    keys = _count_keys(metadata)
    if keys > MAX_METADATA_KEYS:
        raise EntryError("metadata_too_large", f"{keys} keys")
    size = len(json.dumps(metadata, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise EntryError("metadata_too_large", f"{size} bytes")
    for key, value in raw.items():
        if key not in _ENTRY_FIELDS:  # extras (validation_paraphrases, signature, ...)
            check_value(key, max_depth=1, max_string=MAX_FIELD_CHARS)
            check_value(value, max_depth=MAX_METADATA_DEPTH, max_string=MAX_STRING_CHARS)
    return ChainEntry(
        author=author,
        content=content,
        intent=intent,
        timestamp=timestamp,
        metadata=metadata,
        ref=entry_ref(author, content, timestamp),
        block_index=block_index,
    )


def _count_keys(value: Any) -> int:
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def parse_entries(items: object, *, block_index: int | None) -> EntryPage:
    """A list of ENTRY or wrapped items -> accepted entries and per-entry rejections."""
    if not isinstance(items, list):
        raise CodecError(f"entries must be a list, not {type(items).__name__}")
    entries: list[ChainEntry] = []
    rejected: list[Rejected] = []
    for position, raw in enumerate(items):
        try:
            entries.append(parse_entry(raw, block_index=block_index))
        except EntryError as exc:
            rejected.append(
                Rejected(position, exc.reason, exc.detail, block_index, _preview(raw), _ref_of(raw))
            )
    return EntryPage(tuple(entries), tuple(rejected))


def _ref_of(raw: object) -> str | None:
    """The entry_ref of a rejected entry when its three fields are usable (for dedupe)."""
    if isinstance(raw, dict) and isinstance(raw.get("entry"), dict):
        raw = raw["entry"]
    if not isinstance(raw, dict):
        return None
    author, content, stamp = (raw.get(k) for k in ("author", "content", "timestamp"))
    if not (isinstance(author, str) and isinstance(content, str) and isinstance(stamp, str)):
        return None
    if _SURROGATE.search(author + content + stamp):
        return None
    return entry_ref(author, content, stamp)


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CodecError(f"{what} must be a non-negative integer")
    return value


def parse_block(doc: object) -> Block:
    """A BLOCK object -> Block; block-level fields must be valid, entries are per entry."""
    if not isinstance(doc, dict):
        raise CodecError(f"block must be an object, not {type(doc).__name__}")
    index = _int(doc.get("index"), "block index")
    stamp = doc.get("timestamp")
    if not isinstance(stamp, int | float) or isinstance(stamp, bool) or not math.isfinite(stamp):
        raise CodecError("block timestamp must be a finite number")
    block_hash, previous = doc.get("hash"), doc.get("previous_hash")
    for name, value in (("hash", block_hash), ("previous_hash", previous)):
        if not isinstance(value, str) or not 0 < len(value) <= 256 or _SURROGATE.search(value):
            raise CodecError(f"block {name} must be a short string")
    assert isinstance(block_hash, str)
    assert isinstance(previous, str)
    page = parse_entries(doc.get("entries"), block_index=index)
    return Block(index, float(stamp), block_hash, previous, page.entries, page.rejected)


def parse_block_bytes(body: bytes) -> Block:
    return parse_block(loads_lenient(body))


def parse_latest(doc: object) -> LatestBlock:
    """``GET /block/latest`` -> LatestBlock."""
    if not isinstance(doc, dict):
        raise CodecError("latest block answer must be an object")
    block = parse_block(doc.get("block"))
    length = _int(doc.get("chain_length"), "chain_length")
    pending = _int(doc.get("pending_entries", 0), "pending_entries")
    if length != block.index + 1:
        raise CodecError(f"chain_length {length} disagrees with latest index {block.index}")
    return LatestBlock(block, length, pending)


def parse_stats(doc: object) -> LatestBlock:
    """``GET /stats`` -> the chain's length and pool size, without the tip block (what the
    follower reads when the node refuses to send ``/block/latest``)."""
    if not isinstance(doc, dict):
        raise CodecError("stats answer must be an object")
    length = _int(doc.get("blocks"), "blocks")
    pending = _int(doc.get("pending_entries", 0), "pending_entries")
    if length < 1:
        raise CodecError("stats answer counts no blocks (a chain has its genesis)")
    return LatestBlock(None, length, pending)


def parse_chain(doc: object, *, start: int, limit: int) -> tuple[Block, ...]:
    """``GET /chain`` (note the nesting ``chain.chain``) -> the blocks from index ``start``
    on, at most ``limit`` of them, in order. Each block is parsed as ``/block/<i>`` is."""
    if not isinstance(doc, dict):
        raise CodecError("chain answer must be an object")
    inner = doc.get("chain")
    blocks = inner.get("chain") if isinstance(inner, dict) else None
    if not isinstance(blocks, list):
        raise CodecError("chain answer has no chain.chain list")
    out: list[Block] = []
    for raw in blocks[start : start + limit]:
        block = parse_block(raw)
        expected = start + len(out)
        if block.index != expected:
            raise CodecError(f"chain answer has block {block.index} where {expected} belongs")
        out.append(block)
    return tuple(out)


def parse_pending(doc: object) -> EntryPage:
    """``GET /pending`` -> EntryPage of pending entries (block_index None)."""
    if not isinstance(doc, dict):
        raise CodecError("pending answer must be an object")
    return parse_entries(doc.get("entries"), block_index=None)


# --- kinds and intents --------------------------------------------------------------

_KINDS = {kind.value: kind for kind in EntryKind if kind not in {EntryKind.INTENT, EntryKind.OTHER}}


def classify(entry: ChainEntry) -> EntryKind:
    """The protocol kind by ``metadata.contract_type`` (protocol.md "Kinds")."""
    contract_type = entry.metadata.get("contract_type")
    if not isinstance(contract_type, str):
        return EntryKind.OTHER
    if contract_type in {"offer", "seek"}:
        return EntryKind.INTENT if entry.metadata.get("is_contract") is True else EntryKind.OTHER
    return _KINDS.get(contract_type, EntryKind.OTHER)


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")
# The same cuts, found faster: a pattern that starts with a character class lets the regex
# engine skip to the few places a cut can start (the lookbehind-first form tries every
# position). The class character is captured: a stop stays with its sentence.
_SENTENCE_CUT = re.compile(r"([.!?;\n])(?:(?<=\n)\n*|(?<=[.!?;])\s+)")


def split_sentences(text: str) -> list[str]:
    """``_SENTENCE_SPLIT.split(text)``: cut after a stop and its whitespace, and at line
    breaks."""
    parts = _SENTENCE_CUT.split(text)
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        if parts[i] != "\n":
            out[-1] += parts[i]
        out.append(parts[i + 1])
    return out


_DESIRE = re.compile(
    r"\b(need|needs|want|wants|looking for|seeking|seek|require|requires|wish|would like|"
    r"offering|offer|provide|providing|deliver|delivering|selling|sell)\b",
    re.IGNORECASE,
)
_CONSTRAINT = re.compile(
    r"\b(must|must not|mustn't|no more than|at most|at least|maximum|max|minimum|min|only|"
    r"within|before|by|deadline|budget|not exceed|no later than|cannot|can't|never|"
    r"asking|price|under|below|above)\b|\d",
    re.IGNORECASE,
)

#: Characters other than an ASCII letter's two cases that IGNORECASE matches with it
#: (tests/chain/test_ingest_identity.py checks every code point).
_CASE_EXTRAS = {"k": "\u212a", "s": "\u017f", "i": "\u0130\u0131"}


def found_by_first_letter(pattern: re.Pattern[str], *, digit: bool = False) -> re.Pattern[str]:
    """A pattern that finds something wherever ``pattern`` (``\\b(w1|w2|...)\\b``,
    IGNORECASE, words of ASCII letters, spaces and apostrophes; ``digit``: ``...|\\d``)
    does: for ``search`` only, not for the match it returns.

    The plain form starts with ``\\b``, which leaves the regex engine no first-character
    set: it tries the whole alternation at every position. Here a case-sensitive class of
    the words' first letters (both cases and their IGNORECASE look-alikes) comes first, so
    the engine skips to those letters; the boundary before the word is then read behind
    the letter, and each word's first letter is checked behind it.
    """
    body = pattern.pattern.removeprefix("\\b(")
    body = body.removesuffix(")\\b|\\d") if digit else body.removesuffix(")\\b")
    words = body.split("|")
    firsts = {w[0].lower() for w in words}
    chars = "".join(sorted({c for f in firsts for c in f + f.upper() + _CASE_EXTRAS.get(f, "")}))
    alternatives = "|".join(f"(?<={w[0]}){re.escape(w[1:])}" for w in words)
    word = f"(?<!\\w.)(?:{alternatives})\\b"
    if digit:
        return re.compile(f"(?-i:[{chars}\\d])(?:(?<=\\d)|{word})", re.IGNORECASE)
    return re.compile(f"(?-i:[{chars}]){word}", re.IGNORECASE)


_DESIRE_FOUND = found_by_first_letter(_DESIRE)
_CONSTRAINT_FOUND = found_by_first_letter(_CONSTRAINT, digit=True)


def _string_list(value: object) -> tuple[str, ...] | None:
    """A metadata list of strings, bounded; None if absent or unusable."""
    if not isinstance(value, list):
        return None
    items = [item.strip()[:MAX_ITEM_CHARS] for item in value if isinstance(item, str)]
    items = [item for item in items if item]
    return tuple(items[:MAX_LIST_ITEMS]) if items else None


def extract_from_prose(content: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Desires and constraints from prose, deterministically, sentence by sentence.

    A sentence stating a limit (a number, a deadline, "must", "at most") is a constraint;
    one stating a want or an offering is a desire. A sentence can be both.
    """
    desires: list[str] = []
    constraints: list[str] = []
    for sentence in split_sentences(normalize_text(content, fold_confusables=False)):
        clean = sentence.strip(" \t-*•").strip()
        if len(clean) < 4:
            continue
        clean = clean[:MAX_ITEM_CHARS]
        if _CONSTRAINT_FOUND.search(clean):
            constraints.append(clean)
        if _DESIRE_FOUND.search(clean):
            desires.append(clean)
    if not desires and not constraints and content.strip():
        desires.append(content.strip()[:MAX_ITEM_CHARS])
    return tuple(desires[:MAX_LIST_ITEMS]), tuple(constraints[:MAX_LIST_ITEMS])


def to_intent(entry: ChainEntry, *, as_type: IntentType | None = None) -> Intent | None:
    """An offer or seek as an Intent, or None when the entry is not an intent. ``as_type``
    reads an entry without intent metadata as that type (the opt-in plain-prose intake)."""
    if as_type is None and classify(entry) is not EntryKind.INTENT:
        return None
    meta = entry.metadata if as_type is None else {}
    desires = _string_list(meta.get("desires"))
    constraints = _string_list(meta.get("constraints"))
    if desires is None or constraints is None:
        prose_desires, prose_constraints = extract_from_prose(entry.content)
        desires = desires if desires is not None else prose_desires
        constraints = constraints if constraints is not None else prose_constraints
    branch = meta.get("branch")
    branch = branch[:200] if isinstance(branch, str) and branch.strip() else None
    findings = detect_injection_many(entry.content, entry.author, branch, *desires, *constraints)
    return Intent(
        ref=entry.ref,
        author=entry.author,
        type=as_type or IntentType(meta["contract_type"]),
        content=entry.content,
        timestamp=entry.timestamp,
        desires=desires,
        constraints=constraints,
        offered_fee=protocol_amount(meta.get("offered_fee")),
        branch=branch,
        block_index=entry.block_index,
        injection_findings=findings,
    )


_WORD = re.compile(r"[^\W\d_]{2,}")


def visible_chars(text: str) -> int:
    """The characters of ``text`` that are not whitespace. ``str.split()`` cuts at exactly
    the characters ``str.isspace()`` is true of, in C: a loop per character cost 0.05 ms
    an intent at ingestion."""
    return sum(map(len, text.split()))


def unalignable_reason(intent: Intent, flag_count: int, max_flags: int) -> str | None:
    """Why an intent must not be mediated, or None. Reasons: ``flagged`` (by
    ``max_flags`` distinct mediators), ``too_short``, ``no_real_sentence``."""
    if flag_count >= max_flags:
        return "flagged"
    text = normalize_text(intent.content).strip()
    if len(text) < MIN_INTENT_CHARS:
        return "too_short"
    words = _WORD.findall(text)
    letters = sum(map(len, words))
    visible = visible_chars(text)
    # A real sentence: a few words, and words make up most of what is written.
    if len(words) < 4 or letters < 0.5 * visible or len({w.casefold() for w in words}) < 3:
        return "no_real_sentence"
    return None
