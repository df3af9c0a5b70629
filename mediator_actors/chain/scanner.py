"""The real NatLangChain node's outbound secret scanner, reproduced (protocol.md, "Common rules").

The node (``src/secret_scanner.py``, on by default) scans every JSON response. When any
string holds a *detection* (a pattern match of 16 or more characters; for the three run
patterns also of Shannon entropy 3.0 bits per character or more), ``redact`` mode replaces
**every** match of every pattern in every string longer than 15 characters with
``[SECRET_REDACTED]`` (its redaction pass applies no length or entropy filter), and
``block`` mode refuses the whole response. Values under the keys in :data:`SPARED_KEYS`
are left alone, at any level.

So an entry is safe to post only when no string in it has any raw match at all: that is
what :func:`chain_scan_findings` reports, and what the chain writer refuses to post. The
detection filter (:func:`would_trigger`) is what decides whether the dev chain redacts or
blocks a response.

Pure and linear in the text (each pattern is a bounded run with look-arounds).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

REDACTED = "[SECRET_REDACTED]"
SPARED_KEYS = frozenset(
    {
        "hash",
        "block_hash",
        "previous_hash",
        "entry_hash",
        "chain_id",
        "fingerprint",
        "signer_fingerprint",
        "nonce",
    }
)
#: The node stops walking deeper than this (its ``depth > 15``).
MAX_DEPTH = 15
_RUNS = frozenset({"hex_secret_64", "base64_secret", "aws_secret_key"})

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("anthropic_api_key", re.compile(r"sk-ant-[a-zA-Z0-9_-]{20,}")),
    ("openai_api_key", re.compile(r"sk-[a-zA-Z0-9]{20,}")),
    ("aws_access_key", re.compile(r"AKIA[0-9A-Z]{16}")),
    ("aws_secret_key", re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")),
    ("google_api_key", re.compile(r"AIza[0-9A-Za-z_-]{35}")),
    ("github_token", re.compile(r"gh[pousr]_[A-Za-z0-9_]{36,}")),
    ("bearer_token", re.compile(r"Bearer\s+[A-Za-z0-9_-]{20,}")),
    (
        "private_key_pem",
        re.compile(
            r"-----BEGIN\s+(RSA |EC |ED25519 |DSA )?PRIVATE KEY-----"
            r"[\s\S]*?"
            r"-----END\s+(RSA |EC |ED25519 |DSA )?PRIVATE KEY-----"
        ),
    ),
    ("hex_secret_64", re.compile(r"(?<![a-fA-F0-9])[a-fA-F0-9]{64}(?![a-fA-F0-9])")),
    ("base64_secret", re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])")),
)


#: Literals of which every match of the pattern holds one (all patterns are case-sensitive).
_LITERALS: dict[str, tuple[str, ...]] = {
    "anthropic_api_key": ("sk-ant-",),
    "openai_api_key": ("sk-",),
    "aws_access_key": ("AKIA",),
    "google_api_key": ("AIza",),
    "github_token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    "bearer_token": ("Bearer",),
    "private_key_pem": ("-----BEGIN",),
}
#: The run patterns' match lengths: a match is a run of non-whitespace that long.
_RUN_LENGTHS = {"aws_secret_key": 40, "hex_secret_64": 64, "base64_secret": 44}
_SHORTEST_RUN = min(_RUN_LENGTHS.values())
#: One of these is in every literal above: a string with none of them and no long run
#: cannot match any pattern (most prose, timestamps, ids).
_ANY_LITERAL = ("sk-", "AKIA", "AIza", "gh", "Bearer", "-----BEGIN")


class ScanMode(StrEnum):
    OFF = "off"
    REDACT = "redact"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class ChainScanFinding:
    """Where a string would be altered: the JSON path, the pattern and the span. Carries no
    part of the text, so a finding can be logged."""

    path: str
    pattern: str
    start: int
    end: int


def _entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _strings(value: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path, string) of every string the node would scan, as it walks (values only)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(key, str) and key.lower() in SPARED_KEYS:
                continue
            yield from _strings(inner, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _strings(inner, f"{path}[{i}]", depth + 1)
    elif isinstance(value, str) and len(value) > 15:
        yield path, value


def _texts(value: Any, depth: int, out: list[str]) -> None:
    """The strings of :func:`_strings`, in its order, without their paths: one call per
    container rather than a generator per value (a block of 100 intents has 3,000)."""
    if depth > MAX_DEPTH:
        return
    inners = (
        [v for k, v in value.items() if not (isinstance(k, str) and k.lower() in SPARED_KEYS)]
        if isinstance(value, dict)
        else value
    )
    for inner in inners:
        if isinstance(inner, str):
            if len(inner) > 15 and depth < MAX_DEPTH:
                out.append(inner)
        elif isinstance(inner, dict | list):
            _texts(inner, depth + 1, out)


def _longest_token(text: str) -> int:
    return max(map(len, text.split()), default=0)


def _has_any_literal(text: str) -> bool:
    # a plain loop: building a generator cost more than the substring tests
    for literal in _ANY_LITERAL:  # noqa: SIM110
        if literal in text:
            return True
    return False


def _may_match(name: str, text: str, longest: int) -> bool:
    """Whether pattern ``name`` can match in ``text`` (``longest``: its longest run of
    non-whitespace). A literal every match holds, or the length of run every match is:
    no pattern's match holds whitespace but the PEM block's, which starts with a literal."""
    literals = _LITERALS.get(name)
    if literals is not None:
        return any(literal in text for literal in literals)
    return longest >= _RUN_LENGTHS[name] and (name != "base64_secret" or "=" in text)


def string_findings(text: str, path: str = "") -> list[ChainScanFinding]:
    """Every raw match in one string: what the node's redaction pass would replace."""
    longest = _longest_token(text)
    return [
        ChainScanFinding(path, name, m.start(), m.end())
        for name, pattern in PATTERNS
        if _may_match(name, text, longest)
        for m in pattern.finditer(text)
    ]


def chain_scan_findings(value: Any) -> list[ChainScanFinding]:
    """Every place in ``value`` (an entry, or any JSON value) the real node could alter."""
    return [f for path, text in _strings(value) for f in string_findings(text, path)]


def would_trigger(value: Any) -> bool:
    """True when the node's detection fires on ``value`` (then it redacts or blocks).
    Patterns that cannot match a string are not run on it (``_may_match``)."""
    texts: list[str] = []
    if isinstance(value, dict | list):
        _texts(value, 0, texts)
    elif isinstance(value, str) and len(value) > 15:
        texts.append(value)
    for text in texts:
        longest = _longest_token(text) if len(text) >= _SHORTEST_RUN else 0
        if longest < _SHORTEST_RUN and not _has_any_literal(text):
            continue
        for name, pattern in PATTERNS:
            if not _may_match(name, text, longest):
                continue
            for m in pattern.finditer(text):
                matched = m.group(0)
                if len(matched) < 16:
                    continue
                if name in _RUNS and _entropy(matched) < 3.0:
                    continue
                return True
    return False


def redact_value(value: Any, depth: int = 0) -> Any:
    """The node's redaction pass: every match in every string over 15 characters replaced."""
    if depth > MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {
            k: v if isinstance(k, str) and k.lower() in SPARED_KEYS else redact_value(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_value(v, depth + 1) for v in value]
    if isinstance(value, str) and len(value) > 15:
        for _, pattern in PATTERNS:
            value = pattern.sub(REDACTED, value)
        return value
    return value


def scan_response(doc: Any, mode: ScanMode) -> tuple[Any, bool]:
    """What the node sends for ``doc`` in ``mode``: (document, blocked)."""
    if mode is ScanMode.OFF or not would_trigger(doc):
        return doc, False
    if mode is ScanMode.BLOCK:
        return None, True
    return redact_value(doc), False


OMITTED = "[omitted]"


def omit_matches(text: str) -> str:
    """``text`` with every raw scanner match replaced by ``[omitted]``: how the node rewrites
    prose it generated (reasoning, notes) so the chain has nothing to alter. Never use it on
    binding terms or ids: those fail the entry instead."""
    for _ in range(3):  # a replacement can join two runs into one new match; rarely twice
        findings = string_findings(text)
        if not findings:
            return text
        spans = sorted((f.start, f.end) for f in findings)
        out, cursor = [], 0
        for first, end in spans:
            start = max(first, cursor)
            if end <= start:
                continue
            out.append(text[cursor:start])
            out.append(OMITTED)
            cursor = end
        out.append(text[cursor:])
        text = "".join(out)
    return text if not string_findings(text) else OMITTED
