"""Literal prefilters derived from a compiled pattern: the strings one of which every match
must contain, so a reader can skip a regex scan of text that holds none of them.

The term reader runs a hundred-odd patterns over every intent, and most intents hold
none of the words most of them look for ("grade", "instalments", "accent"). A substring
test on the lower-cased text costs a fraction of a case-insensitive scan that starts with
``\\b(?:...)`` and has to be tried at every position. :func:`required_literals` reads the
pattern's parse tree (``re._parser``, the same one ``re.compile`` uses) and returns a set of
lower-cased strings with the guarantee: wherever the pattern matches, one of them is a
substring of :func:`~mediator_actors.safety.gates.fold_for_literals` of the text. It
returns None when it cannot promise that (a pattern that can match only digits, or the
empty string). Nothing is hand-written, so editing a pattern cannot leave a stale gate.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mediator_actors.safety.gates import fold_for_literals

# re's own parser and opcodes (the tree re.compile builds from): private modules, typed Any.
sre_parse: Any = importlib.import_module("re._parser")
C: Any = importlib.import_module("re._constants")

__all__ = ["finditer", "folded", "may_match", "required_literals", "search"]

#: Largest set of exact strings kept for one node; beyond it a node only constrains.
_LIMIT = 48

_EMPTY = frozenset({""})
#: A gate of more substring tests than this is no cheaper than the scan it would skip
#: (80 tests of the language names cost about 20 us a corpus text, the scan 43 us).
_MAX_TESTS = 96
#: Characters nearly every text holds: a gate on one of them skips nothing.
_COMMON = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 -.,")


@dataclass(frozen=True, slots=True)
class _Info:
    #: Every string the node can match (lower-cased), when there are few; else None.
    exact: frozenset[str] | None
    #: Strings one of which every match of the node contains; None: no such promise.
    must: frozenset[str] | None


_UNKNOWN = _Info(None, None)
_ZERO_WIDTH = _Info(_EMPTY, None)


def _char(code: int) -> str | None:
    """The folded form of a literal character, or None outside ASCII (where re's case
    folding and str.lower() may disagree)."""
    char = chr(code)
    return char.lower() if char.isascii() else None


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two candidate sets: longer shortest string, then fewer."""
    if a is None or "" in a:
        return None if b is None or "" in b else b
    if b is None or "" in b:
        return a
    key_a, key_b = (min(map(len, a)), -len(a)), (min(map(len, b)), -len(b))
    return a if key_a >= key_b else b


def _of_exact(exact: frozenset[str] | None) -> frozenset[str] | None:
    return exact if exact is not None and "" not in exact else None


def _sequence(items: Any) -> _Info:
    """A concatenation: exact strings multiply while they stay few; the best run of them
    (or the best constraint of one item) is what every match must contain."""
    run: frozenset[str] | None = _EMPTY
    best: frozenset[str] | None = None
    whole_exact = True
    for op, av in items:
        info = _node(op, av)
        if info.exact is not None and run is not None and len(run) * len(info.exact) <= _LIMIT:
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        whole_exact = False
        best = _better(best, _of_exact(run))
        if info.exact is not None and len(info.exact) <= _LIMIT:
            run = info.exact
        else:
            best = _better(best, info.must)
            run = _EMPTY
    best = _better(best, _of_exact(run))
    return _Info(run if whole_exact else None, best)


def _class(items: Any) -> _Info:
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            char = _char(av)
            if char is None:
                return _UNKNOWN
            chars.add(char)
        elif op is C.RANGE:
            low, high = av
            if high - low > _LIMIT or high > 127:
                return _UNKNOWN
            chars.update(chr(c).lower() for c in range(low, high + 1))
        else:  # NEGATE, CATEGORY (\w, \d, \s): too many characters to name
            return _UNKNOWN
    exact = frozenset(chars)
    return _Info(exact, exact) if len(exact) <= _LIMIT else _UNKNOWN


def _node(op: Any, av: Any) -> _Info:  # noqa: PLR0911 - one case per opcode
    if op is C.LITERAL:
        char = _char(av)
        return _UNKNOWN if char is None else _Info(frozenset({char}), frozenset({char}))
    if op is C.IN:
        return _class(av)
    if op is C.SUBPATTERN:
        return _sequence(av[-1])
    if op is C.ATOMIC_GROUP:
        return _sequence(av)
    if op is C.BRANCH:
        alternatives = [_sequence(alt) for alt in av[1]]
        exact: frozenset[str] | None = None
        if all(a.exact is not None for a in alternatives):
            union = frozenset().union(*(a.exact for a in alternatives if a.exact is not None))
            exact = union if len(union) <= _LIMIT else None
        musts = [a.must for a in alternatives]
        must = None
        if all(m is not None for m in musts):
            must = frozenset().union(*(m for m in musts if m is not None))
        return _Info(exact, must)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        low, high, inner_items = av
        inner = _sequence(inner_items)
        if low == 0:
            if high == 1 and inner.exact is not None:
                return _Info(inner.exact | _EMPTY, None)
            return _ZERO_WIDTH if high == 0 else _Info(None, None)
        must = inner.must if inner.must is not None else _of_exact(inner.exact)
        return _Info(inner.exact if low == high == 1 else None, must)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return _ZERO_WIDTH  # consumes nothing: the text either side stays adjacent
    return _UNKNOWN  # ANY, NOT_LITERAL, CATEGORY, GROUPREF ...


@functools.cache
def _literals(source: str, flags: int) -> frozenset[str] | None:
    info = _sequence(sre_parse.parse(source, flags))
    must = info.must if info.must is not None else _of_exact(info.exact)
    if must is None or "" in must:
        return None
    # Where "apr" occurs so does ... nothing new: "april" holding "apr" needs no own test.
    least = frozenset(a for a in must if not any(b != a and b in a for b in must))
    if len(least) > _MAX_TESTS or any(len(a) == 1 and a in _COMMON for a in least):
        return None  # the tests would cost about what the scan does, and nearly always pass
    return least


def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lower-cased strings one of which occurs in the folded text wherever ``pattern``
    matches (None: no such set could be derived)."""
    return _literals(pattern.pattern, pattern.flags)


#: Off only in tests: every gated scan then runs, the reference the gated reader is held to.
GATES = True

# The last two texts folded, each with its folded form and the gates already decided on
# it: a reader gates a hundred patterns on one text, with slices of it in between.
_Seen = tuple[str, str, dict[int, bool]]
_last: tuple[_Seen, _Seen] = (("", "", {}), ("", "", {}))
#: The required literals of each pattern gated so far, by id: hashing a compiled pattern
#: hashes its whole program. The entry holds the pattern, so the id is never reused.
_gates: dict[int, tuple[re.Pattern[str], frozenset[str] | None]] = {}


def _seen(text: str) -> _Seen:
    last = _last  # one read of the pair: safe beside other threads
    if last[0][0] is text:
        return last[0]
    if last[1][0] is text:
        globals()["_last"] = (last[1], last[0])
        return last[1]
    seen: _Seen = (text, fold_for_literals(text), {})
    globals()["_last"] = (seen, last[0])
    return seen


def folded(text: str) -> str:
    """``text`` folded for literal tests (the last two are kept: readers ask per pattern)."""
    return _seen(text)[1]


def may_match(pattern: re.Pattern[str], text: str) -> bool:
    """False only where ``pattern`` cannot match anywhere in ``text`` (nor in any slice of
    it), because none of its required literals occurs there."""
    if not GATES:
        return True
    _, low, decided = _seen(text)
    key = id(pattern)
    known = decided.get(key)
    if known is not None:
        return known
    entry = _gates.get(key)
    if entry is None:
        entry = _gates[key] = (pattern, _literals(pattern.pattern, pattern.flags))
    literals = entry[1]
    result = True
    if literals is not None:
        result = False
        for literal in literals:
            if literal in low:
                result = True
                break
    decided[key] = result
    return result


def search(pattern: re.Pattern[str], text: str, *bounds: int) -> re.Match[str] | None:
    """``pattern.search(text, *bounds)``, skipped where it cannot match."""
    return pattern.search(text, *bounds) if may_match(pattern, text) else None


def finditer(pattern: re.Pattern[str], text: str, *bounds: int) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, *bounds)``, skipped where it cannot match."""
    return pattern.finditer(text, *bounds) if may_match(pattern, text) else iter(())
