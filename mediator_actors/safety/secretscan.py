"""The outbound secret scanner: prompts, chain entries, WebSocket frames and log records
pass through it before they leave the node.

What counts as a secret (threats.md section H):

- provider keys: Anthropic ``sk-ant-…``, OpenAI ``sk-proj-…``/``sk-svcacct-…``/``sk-…``,
  AWS access key ids (``AKIA…``/``ASIA…``) and secret access keys (40 characters next to
  an AWS/secret label), GitHub (``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_``,
  ``github_pat_``), Slack ``xox?-``, Stripe ``sk_live_``, Google ``AIza…``;
- JWTs; PEM private keys of every kind (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP blocks),
  also when the END line is missing;
- bearer tokens, ``password=…``-style assignments, credentials in URLs (``user:pass@``);
- the node's own configured secrets, as exact values, also embedded in other text and in
  either letter case when they are hex.

Deliberately **not** flagged: a bare 64-hex string. Entry refs, settlement ids and
mediator public keys are 64 lowercase hex characters and are legitimate protocol values.
Raw hex is a secret only when it equals a known secret or sits in a private-key context
("private key: <hex>", ``MEDIATOR_PRIVATE_KEY=<hex>``, "seed <hex>").

Email addresses are not secrets; :func:`redact_emails` masks them in prompts.

Everything here is pure CPU, linear in the text: about 0.3-1 ms per 1,000 characters when
the patterns' literals occur (a 100 kB hostile string takes 50-150 ms: offload texts that
large), far less for prose, where a literal pre-check skips most patterns. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mediator_actors.safety.gates import fold_for_literals
from mediator_actors.safety.secrets import MASK, Secret

__all__ = ["SecretKind", "SecretScanner", "SecretSpan", "redact_emails"]

#: Known secrets shorter than this are ignored: masking every "abc" would wreck the text
#: and a secret that short is not worth protecting this way (config rejects them anyway).
MIN_KNOWN_SECRET_LENGTH = 8
#: Nesting deeper than this is replaced wholesale rather than walked.
MAX_DEPTH = 64


class SecretKind(StrEnum):
    KNOWN = "configured-secret"
    ANTHROPIC = "anthropic-key"
    OPENAI = "openai-key"
    AWS_ACCESS_KEY = "aws-access-key-id"
    AWS_SECRET = "aws-secret-key"  # noqa: S105 - a label, not a password
    GITHUB = "github-token"
    SLACK = "slack-token"
    STRIPE = "stripe-key"
    GOOGLE = "google-api-key"
    JWT = "jwt"
    PEM = "pem-private-key"
    HEX_PRIVATE_KEY = "hex-private-key"
    BEARER = "bearer-token"
    URL_CREDENTIALS = "url-credentials"
    ASSIGNMENT = "credential-assignment"


@dataclass(frozen=True, slots=True)
class SecretSpan:
    """Where a secret is: a kind and a span. Never carries the value itself, so a finding
    can be logged safely."""

    kind: SecretKind
    start: int
    end: int


# (kind, pattern, group): the group of the match that is the secret (0: all of it).
# Every pattern is linear-time on hostile input: token patterns may only start where a
# token starts (a lookbehind on the token's own alphabet), and every run that must be
# followed by a literal is bounded, so no start position rescans a long run (a 100 kB
# "sk-aaaa..." or "eyJeyJ..." once took 20 s).
_T = r"(?<![A-Za-z0-9_\-])"
_PATTERNS: tuple[tuple[SecretKind, re.Pattern[str], int], ...] = (
    (
        SecretKind.PEM,
        re.compile(
            r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[\s\S]{0,65536}?-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----"
            r"|[A-Za-z0-9+/=:\s,\-]{0,65536})"
        ),
        0,
    ),
    (SecretKind.ANTHROPIC, re.compile(_T + r"sk-ant-[A-Za-z0-9]{2,12}-[A-Za-z0-9_\-]{16,4096}"), 0),
    (
        SecretKind.OPENAI,
        re.compile(_T + r"sk-(?!ant-)(?:[A-Za-z0-9]{1,20}-)?[A-Za-z0-9_\-]{20,4096}"),
        0,
    ),
    (SecretKind.AWS_ACCESS_KEY, re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA)[A-Z0-9]{16}"), 0),
    (
        SecretKind.AWS_SECRET,
        re.compile(
            r"(?i:aws|secret[_ ]?access[_ ]?key|secret)[\w\s\"':=]{0,30}?"
            r"(?<![A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
        ),
        1,
    ),
    (
        SecretKind.GITHUB,
        re.compile(_T + r"(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})"),
        0,
    ),
    (SecretKind.SLACK, re.compile(_T + r"xox[abposr]-[A-Za-z0-9\-]{10,255}"), 0),
    (SecretKind.STRIPE, re.compile(_T + r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,255}"), 0),
    (SecretKind.GOOGLE, re.compile(_T + r"AIza[0-9A-Za-z_\-]{35}"), 0),
    (
        SecretKind.JWT,
        re.compile(
            _T + r"eyJ[A-Za-z0-9_\-]{4,8192}\.eyJ[A-Za-z0-9_\-]{4,65536}\.[A-Za-z0-9_\-]{4,8192}"
        ),
        0,
    ),
    (
        SecretKind.HEX_PRIVATE_KEY,
        re.compile(
            r"(?i:private[_\s-]?key|secret[_\s-]?key|signing[_\s-]?key|priv[_\s-]?key|"
            r"seed|secret)[\s\"'`:=]{0,6}(?:is\s+|was\s+)?(?:0x)?"
            r"([0-9a-fA-F]{128}|[0-9a-fA-F]{64})(?![0-9a-fA-F])"
        ),
        1,
    ),
    (SecretKind.BEARER, re.compile(r"(?i:bearer)\s{1,10}([A-Za-z0-9._~+/\-]{16,4096}=*)"), 1),
    (
        SecretKind.URL_CREDENTIALS,
        re.compile(
            r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{0,30}://"
            r"[^\s/:@]{1,256}:([^\s/@]{1,256})@"
        ),
        1,
    ),
    (
        SecretKind.ASSIGNMENT,
        re.compile(
            r"(?i:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|password|passwd|pwd|"
            r"client[_-]?secret|x-api-key)\s{0,5}[\"']?\s{0,5}[:=]\s{0,5}[\"']?"
            r"((?=[^\s\"']{0,255}[0-9])(?=[^\s\"']{0,255}[A-Za-z])[^\s\"',;]{8,255})"
        ),
        1,
    ),
)

# The literal pre-check: for each pattern (in _PATTERNS' order), literals of which at
# least one must occur in any text the pattern matches, and whether they are looked up in
# the case-folded text (the pattern's literals sit in ``(?i:...)``). A pattern none of
# whose literals occurs is skipped: most text (prose, a prompt's template) holds no "sk-",
# "eyJ" or "-----BEGIN", and a substring test is ~100x cheaper than a regex scan.
_LITERALS: tuple[tuple[tuple[str, ...], bool], ...] = (
    (("-----BEGIN",), False),
    (("sk-ant-",), False),
    (("sk-",), False),
    (("AKIA", "ASIA", "AGPA", "AIDA"), False),
    (("aws", "secret"), True),
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), False),
    (("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"), False),
    (("_live_", "_test_"), False),
    (("AIza",), False),
    (("eyJ",), False),
    (("key", "seed", "secret"), True),
    (("bearer",), True),
    (("://",), False),
    (("api", "token", "passw", "pwd", "secret"), True),
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@"
    r"[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z])"
)
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def redact_emails(text: str) -> str:
    """Replace email addresses with ``[email]`` (they are personal data, not secrets)."""
    return _EMAIL.sub("[email]", text)


def _marker(kind: SecretKind) -> str:
    return f"[REDACTED:{kind.value}]"


class SecretScanner:
    """Finds and redacts secrets. Build one per node with :meth:`Settings.secrets` as
    ``known_secrets``; it is immutable after construction and safe to share."""

    def __init__(self, known_secrets: Iterable[str | Secret] = ()) -> None:
        values: set[str] = set()
        for item in known_secrets:
            value = item.reveal() if isinstance(item, Secret) else item
            if isinstance(value, str) and len(value) >= MIN_KNOWN_SECRET_LENGTH:
                values.add(value)
        parts = []
        # Longest first, so a secret that contains another is masked as a whole.
        for value in sorted(values, key=len, reverse=True):
            escaped = re.escape(value)
            parts.append(f"(?i:{escaped})" if _HEX.match(value) else escaped)
        self._known = re.compile("|".join(parts)) if parts else None
        self._count = len(values)

    def __repr__(self) -> str:
        return f"SecretScanner(known_secrets={self._count} x {MASK})"

    def find(self, text: str) -> list[SecretSpan]:
        """Every secret span in ``text``, sorted and merged so spans never overlap."""
        spans: list[SecretSpan] = []
        if self._known is not None:
            spans.extend(
                SecretSpan(SecretKind.KNOWN, m.start(), m.end()) for m in self._known.finditer(text)
            )
        folded: str | None = None
        for (kind, pattern, group), (literals, fold) in zip(_PATTERNS, _LITERALS, strict=True):
            if fold:
                if folded is None:
                    folded = fold_for_literals(text)
                haystack = folded
            else:
                haystack = text
            if not any(literal in haystack for literal in literals):
                continue
            for match in pattern.finditer(text):
                start, end = match.span(group)
                if end > start:
                    spans.append(SecretSpan(kind, start, end))
        spans.sort(key=lambda f: (f.start, -f.end))
        merged: list[SecretSpan] = []
        for finding in spans:
            if merged and finding.start < merged[-1].end:
                last = merged[-1]
                if finding.end > last.end:
                    merged[-1] = SecretSpan(last.kind, last.start, finding.end)
                continue
            merged.append(finding)
        return merged

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``[REDACTED:<kind>]``."""
        findings = self.find(text)
        if not findings:
            return text
        out: list[str] = []
        cursor = 0
        for finding in findings:
            out.append(text[cursor : finding.start])
            out.append(_marker(finding.kind))
            cursor = finding.end
        out.append(text[cursor:])
        return "".join(out)

    def redact_value(self, value: Any) -> Any:
        """A copy of ``value`` with every string (dict keys too) redacted, at any depth.

        Dicts, lists, tuples, sets and :class:`Secret` are walked or masked; other leaves
        (numbers, None, bools) are returned as they are; anything else is turned into its
        redacted ``str``. Cycles and nesting beyond :data:`MAX_DEPTH` become a marker.
        """
        return self._redact(value, 0, set())

    def _redact(self, value: Any, depth: int, seen: set[int]) -> Any:  # noqa: PLR0911
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Secret):
            return MASK
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, bytes | bytearray):
            return self.redact(bytes(value).decode("utf-8", "replace"))
        if depth >= MAX_DEPTH or id(value) in seen:
            return "[REDACTED:too-deep]"
        seen = seen | {id(value)}
        if isinstance(value, dict):
            return {
                self._redact(k, depth + 1, seen): self._redact(v, depth + 1, seen)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self._redact(v, depth + 1, seen) for v in value]
        if isinstance(value, tuple):
            return tuple(self._redact(v, depth + 1, seen) for v in value)
        if isinstance(value, set | frozenset):
            return [self._redact(v, depth + 1, seen) for v in value]
        return self.redact(str(value))

    def contains_secret(self, value: Any) -> bool:
        """True if any string anywhere in ``value`` holds a secret (or ``value`` holds a
        :class:`Secret`, or nesting is too deep to be sure)."""
        stack: list[tuple[Any, int]] = [(value, 0)]
        seen: set[int] = set()
        while stack:
            item, depth = stack.pop()
            if isinstance(item, str):
                if self.find(item):
                    return True
            elif isinstance(item, Secret):
                return True
            elif isinstance(item, bytes | bytearray):
                if self.find(bytes(item).decode("utf-8", "replace")):
                    return True
            elif isinstance(item, dict | list | tuple | set | frozenset):
                if depth >= MAX_DEPTH:
                    return True
                if id(item) in seen:
                    continue
                seen.add(id(item))
                children = [*item.keys(), *item.values()] if isinstance(item, dict) else list(item)
                stack.extend((child, depth + 1) for child in children)
            elif (
                item is not None
                and not isinstance(item, bool | int | float)
                and self.find(str(item))
            ):
                return True
        return False
