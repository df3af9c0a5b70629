"""Text hygiene for prose written by strangers: normalisation and injection detection.

Detection is *advisory* (threats.md A): safety comes from treating chain text as data
and from validating the model's answer. What this module guarantees is that the verdict
is deterministic, and that hiding a phrase with zero-width characters, bidi controls,
fullwidth letters or Cyrillic/Greek look-alikes does not change it.

Pure functions, no I/O; each call is linear in the input and bounded (base64 re-checks
are depth- and size-limited), so a 10 kB intent costs well under a millisecond.
"""

# ruff: noqa: RUF001  (the look-alike table below is the point of this module)
from __future__ import annotations

import base64
import binascii
import functools
import re
import sys
import unicodedata
from enum import StrEnum

from mediator_actors.safety.gates import Gate, may_match


class InjectionSign(StrEnum):
    """Closed set of advisory findings."""

    INSTRUCTION_OVERRIDE = "instruction_override"
    ROLE_IMITATION = "role_imitation"
    DELIMITER_ESCAPE = "delimiter_escape"
    ANSWER_FORMAT_IMITATION = "answer_format_imitation"
    BASE64_PAYLOAD = "base64_payload"
    HIDDEN_CHARACTERS = "hidden_characters"


# Invisible code points that are not category Cf but render as nothing (fillers,
# variation selectors, the combining grapheme joiner).
_EXTRA_INVISIBLE = frozenset(
    (
        0x034F,
        0x115F,
        0x1160,
        0x17B4,
        0x17B5,
        0x3164,
        0xFFA0,
        *range(0xFE00, 0xFE10),
        *range(0xE0100, 0xE01F0),
    )
)


def _is_hidden(ch: str) -> bool:
    cp = ord(ch)
    return unicodedata.category(ch) == "Cf" or cp in _EXTRA_INVISIBLE


# Common Latin look-alikes (a subset of Unicode's confusables.txt that matters for
# English instructions). Fullwidth and mathematical letters are handled by NFKC.
_CONFUSABLES: dict[int, str] = {
    ord(k): v
    for k, v in {
        # Cyrillic lowercase
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j",
        "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "һ": "h", "ү": "y", "ɡ": "g", "ԍ": "g",
        "ь": "b", "п": "n", "г": "r",
        # Cyrillic uppercase
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Ԛ": "Q",
        "Ԝ": "W", "Ӏ": "I", "Ү": "Y", "Ԍ": "G", "Ь": "b",
        # Greek lowercase
        "α": "a", "ο": "o", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u", "χ": "x",
        "ε": "e", "τ": "t", "ϲ": "c", "ϳ": "j", "ω": "w", "η": "n", "μ": "u",
        # Greek uppercase
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
        # Latin oddities NFKC keeps
        "ı": "i", "ɑ": "a", "ȷ": "j", "ɩ": "i", "ʏ": "y", "ᴠ": "v", "ᴡ": "w", "ꮃ": "w",
    }.items()
}  # fmt: skip


@functools.cache
def _hidden_pattern() -> re.Pattern[str]:
    # Built once (about 0.2 s): every Cf code point of this Python's Unicode version.
    hidden = [cp for cp in range(sys.maxunicode + 1) if _is_hidden(chr(cp))]
    ranges: list[tuple[int, int]] = []
    for cp in hidden:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    parts = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{parts}]")


def strip_hidden(s: str) -> str:
    """Remove format characters (zero-width, bidi controls, tags, soft hyphen) and fillers."""
    if s.isascii():  # no ASCII character is hidden: the common case costs nothing
        return s
    return _hidden_pattern().sub("", s)


def has_hidden(s: str) -> bool:
    return not s.isascii() and _hidden_pattern().search(s) is not None


def _step(s: str, fold: bool) -> str:
    s = strip_hidden(s)
    if fold:  # before NFKC too: NFKC turns some look-alikes (lunate sigma) into others
        s = s.translate(_CONFUSABLES)
    s = unicodedata.normalize("NFKC", s)
    s = strip_hidden(s)  # NFKC can map a filler onto another invisible
    if fold:
        s = s.translate(_CONFUSABLES)
    return s


def normalize_text(s: str, *, fold_confusables: bool = True) -> str:
    """Hidden characters removed, NFKC, Latin look-alikes folded to Latin.

    Idempotent: ``normalize_text(normalize_text(s)) == normalize_text(s)``. Folding
    rewrites genuine Cyrillic/Greek words too, so use the result for comparison and
    detection; pass ``fold_confusables=False`` for text shown to people or the model.
    """
    if s.isascii():  # NFKC, stripping and folding are all identities on ASCII
        return s
    # Removing a joiner or folding a letter can let NFKC compose anew (Latin "o" +
    # U+0302 -> "ô"), so iterate to the fixed point; it is reached in two steps.
    for _ in range(4):
        nxt = _step(s, fold_confusables)
        if nxt == s:
            break
        s = nxt
    return s


# --- detection -----------------------------------------------------------------------

_WS = re.compile(r"\s+")

_OVERRIDE = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b"
    r"(?:\s+\w+){0,4}?\s+"
    r"(?:instructions?|rules?|prompts?|directions?|guidelines?|context|"
    r"everything|system\s+prompt|messages?)\b"
    r"|\bnew\s+(?:instructions?|rules?|system\s+prompt)\b"
    r"|\byou\s+are\s+now\b"
    r"|\b(?:reveal|print|show|repeat|output)\s+(?:your|the)\s+(?:system\s+)?"
    r"(?:prompt|instructions|api\s*key|secrets?)\b"
    r"|\bfrom\s+now\s+on\b.{0,40}\b(?:you|respond|answer|output)\b"
    r"|\b(?:always|must)\s+(?:answer|respond|output|return)\s+(?:with\s+)?"
    r"(?:success|true|yes|100|approved)\b"
    r"|\bjailbreak\b|\bdeveloper\s+mode\b|\bdo\s+anything\s+now\b"
)

_ROLE = re.compile(
    # [^\S\n]* rather than \s*: \s* also eats newlines, which made this quadratic in them.
    r"(?:^|\n)[^\S\n]*(?:#{1,6}\s*)?\[?(?:system|assistant|user|developer|human|ai)\]?\s*[:>]"
    r"|<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>"
    r"|<<\s*/?\s*sys\s*>>|\[/?inst\]"
)

_DELIMITER = re.compile(
    r"</\s*[a-z][a-z0-9_\-:]{0,40}\s*>"
    r"|<\s*(?:intent|intent_[a-z0-9]+|system|instructions?|prompt|context|data|document|"
    r"user|assistant|terms|answer|output|input)\b[^>]{0,80}>"
    r"|^\s*(?:```|~~~)|(?:```|~~~)\s*$"
)

_ANSWER = re.compile(
    r"[\"'](?:success|confidence|terms|proposed_terms|failure_reason|reasoning|"
    r"verdict|decision)[\"']\s*:\s*"
    r"(?:true|false|null|-?\d|\{|\[|\")"
    r"|\b(?:success|confidence)\s*[:=]\s*(?:true|false|yes|\d)"
)

# Literal gates (safety/gates.py). The patterns above run on casefolded text without
# IGNORECASE, so each gate's words are looked up in that same text.
_OVERRIDE_GATE: Gate = (
    (
        ("ignore", "disregard", "forget", "override", "bypass"),
        (
            "instruction",
            "rule",
            "prompt",
            "direction",
            "guideline",
            "context",
            "everything",
            "message",
        ),
    ),
    (("new",), ("instruction", "rule", "system")),
    (("you",), ("are",), ("now",)),
    (
        ("reveal", "print", "show", "repeat", "output"),
        ("your", "the"),
        ("prompt", "instructions", "api", "secret"),
    ),
    (("from",), ("now",), ("on",)),
    (
        ("always", "must"),
        ("answer", "respond", "output", "return"),
        ("success", "true", "yes", "100", "approved"),
    ),
    (("jailbreak",),),
    (("developer",), ("mode",)),
    (("anything",), ("now",)),
)
_ROLE_GATE: Gate = (
    (("system", "assistant", "user", "developer", "human", "ai"), (":", ">")),
    (("<|",),),
    (("<<",), ("sys",)),
    (("inst]",),),
)
_DELIMITER_GATE: Gate = ((("<", "```", "~~~"),),)
_ANSWER_GATE: Gate = (
    (
        ('"', "'"),
        ("success", "confidence", "terms", "failure_reason", "reasoning", "verdict", "decision"),
        (":",),
    ),
    (("success", "confidence"), (":", "=")),
)

_B64_RUN = re.compile(r"[A-Za-z0-9+/_\-]{24,}={0,2}")
_B64_MAX_RUN = 65_536
_B64_MAX_DEPTH = 2


_HSPACE = re.compile(r"[^\S\n]+")


def _detection_forms(normalized: str) -> tuple[str, str]:
    """(whitespace-collapsed casefolded text, the same keeping line breaks)."""
    folded = normalized.casefold()
    flat = _WS.sub(" ", folded).strip()
    lines = folded.splitlines()
    if len(lines) <= 1:  # no line break: both forms are the same
        return flat, flat
    # Role markers are line-anchored, so keep newlines while collapsing other spaces.
    lined = "\n".join(_HSPACE.sub(" ", line).strip() for line in lines)
    return flat, lined


def _decode_b64(run: str) -> str | None:
    if len(run) > _B64_MAX_RUN:
        return None
    body = run.rstrip("=")
    padded = body + "=" * (-len(body) % 4)
    alt = "-_" if ("-" in body or "_" in body) else None
    try:
        raw = base64.urlsafe_b64decode(padded) if alt else base64.b64decode(padded, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    printable = sum(ch.isprintable() or ch.isspace() for ch in text)
    return text if text and printable >= 0.9 * len(text) else None


def _scan(s: str, depth: int) -> tuple[set[InjectionSign], bool]:
    """The findings of ``s`` but hidden characters, and whether ``s`` is *bare*: no gate
    passes and no base64 run occurs, so no ASCII substring of an ASCII ``s`` has a finding.

    The gates are tested on the casefolded text before it is collapsed: gate words hold no
    whitespace, so a word occurs in the collapsed forms exactly where it occurs in it, and
    the forms are built only for text a gate lets through (about one intent in a thousand).
    """
    found: set[InjectionSign] = set()
    normalized = normalize_text(s)
    folded = normalized.casefold()
    override = may_match(folded, _OVERRIDE_GATE)
    role = may_match(folded, _ROLE_GATE)
    delimiter = may_match(folded, _DELIMITER_GATE)
    answer = may_match(folded, _ANSWER_GATE)
    if override or role or delimiter or answer:
        flat, lined = _detection_forms(normalized)
        if override and _OVERRIDE.search(flat):
            found.add(InjectionSign.INSTRUCTION_OVERRIDE)
        if role and _ROLE.search(lined):
            found.add(InjectionSign.ROLE_IMITATION)
        if delimiter and (
            any(_DELIMITER.search(line) for line in lined.splitlines()) or _DELIMITER.search(flat)
        ):
            found.add(InjectionSign.DELIMITER_ESCAPE)
        if answer and _ANSWER.search(flat):
            found.add(InjectionSign.ANSWER_FORMAT_IMITATION)
    runs = False
    if depth < _B64_MAX_DEPTH:
        # Case matters for base64: scan the normalised (not casefolded) text.
        for match in _B64_RUN.finditer(normalized):
            runs = True
            decoded = _decode_b64(match.group(0))
            if decoded is not None and _findings(decoded, depth + 1) - {
                InjectionSign.HIDDEN_CHARACTERS
            }:
                found.add(InjectionSign.BASE64_PAYLOAD)
                break
    else:
        runs = _B64_RUN.search(normalized) is not None
    bare = not (override or role or delimiter or answer or runs)
    return found, bare


def _findings(s: str, depth: int) -> set[InjectionSign]:
    return _scan(s, depth)[0]


#: Short fields (author, branch) repeat across a chain's intents: their verdicts are kept.
_SHORT = 256


@functools.lru_cache(maxsize=4096)
def _scan_short(s: str) -> tuple[frozenset[InjectionSign], bool]:
    found, bare = _scan(s, 0)
    if has_hidden(s):
        found.add(InjectionSign.HIDDEN_CHARACTERS)
    return frozenset(found), bare


def is_bare(s: str) -> bool:
    """Whether ``s`` is ASCII and *bare* (no gate passes, no base64 run): then no piece of
    it (a sentence, a bracket) has a finding, the same reasoning as
    :func:`detect_injection_many`'s, so a reader can skip scanning its pieces."""
    if not s.isascii():
        return False
    return _scan_short(s)[1] if len(s) <= _SHORT else _scan(s, 0)[1]


def detect_injection(s: str) -> tuple[str, ...]:
    """Advisory findings for one piece of untrusted text, sorted, deterministic.

    Hidden characters only add ``hidden_characters``: every other finding is computed on
    the normalised text, so inserting zero-width or bidi characters cannot hide a phrase.
    """
    found = _findings(s, 0)
    if has_hidden(s):
        found.add(InjectionSign.HIDDEN_CHARACTERS)
    return tuple(sorted(str(f) for f in found))


def detect_injection_many(*texts: str | None) -> tuple[str, ...]:
    """The union of findings over several fields (content, desires, author, ...).

    The desires and constraints of an intent are mostly its own sentences: an ASCII text
    found inside an earlier ASCII text that is bare (no gate passed, no base64 run) has no
    finding either (normalisation is the identity on ASCII, casefolding and substrings
    commute there, and a substring holds no word or run its whole lacks), so it is not
    scanned again.
    """
    out: set[str] = set()
    bare: list[str] = []
    for text in dict.fromkeys(texts):  # a sentence can be both a desire and a constraint
        if not text:
            continue
        ascii_text = text.isascii()
        if ascii_text and any(text in outer for outer in bare):
            continue
        if len(text) <= _SHORT:
            found, text_bare = _scan_short(text)
        else:
            scanned, text_bare = _scan(text, 0)
            if not ascii_text and has_hidden(text):
                scanned.add(InjectionSign.HIDDEN_CHARACTERS)
            found = frozenset(scanned)
        out.update(str(f) for f in found)
        if ascii_text and text_bare:
            bare.append(text)
    return tuple(sorted(out))


# --- display and logs ----------------------------------------------------------------

_LOG_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def escape_for_log(s: str, *, limit: int = 500) -> str:
    """One safe log line: CR/LF/ANSI/control/bidi/format characters made visible as
    escapes (no forged log lines, no terminal tricks), truncated to ``limit`` chars."""
    out: list[str] = []
    for ch in s[:limit]:
        if ch in _LOG_ESCAPES:
            out.append(_LOG_ESCAPES[ch])
        elif unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} or (
            ord(ch) in _EXTRA_INVISIBLE
        ):
            cp = ord(ch)
            out.append(
                f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"
            )
        else:
            out.append(ch)
    if len(s) > limit:
        out.append(f"...(+{len(s) - limit} chars)")
    return "".join(out)


def one_line(s: str, *, limit: int = 200) -> str:
    """Normalised, whitespace-collapsed, escaped: for short summaries of stranger prose."""
    return escape_for_log(
        _WS.sub(" ", normalize_text(s, fold_confusables=False)).strip(), limit=limit
    )
