"""Literal gates: cheap substring tests that let a detector skip a regex scan.

Most prose holds none of the words a safety rule looks for, and a substring test is far
cheaper than a regex scan (above all a case-insensitive alternation that starts with
``\\b``). A gate is a superset of its pattern: wherever the pattern can match, the gate
passes, so skipping a gated pattern never changes a finding. The property tests in
tests/chain/test_abuse.py and tests/unit/test_textsafety.py hold every gate to that.
"""

from __future__ import annotations

__all__ = ["Gate", "fold_for_literals", "may_match"]

#: Branches, each a tuple of word groups: the gate passes when, for some branch, every
#: group has a word that occurs in the (folded) text.
Gate = tuple[tuple[tuple[str, ...], ...], ...]

# Characters that re's IGNORECASE matches with an ASCII letter but str.lower() does not
# turn into it (found by testing every code point against every letter).
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def fold_for_literals(text: str) -> str:
    """``text`` lower-cased so that every ASCII literal an ``re.IGNORECASE`` pattern can
    match in it is a substring of the result."""
    return text.lower() if text.isascii() else text.translate(_FOLD).lower()


def may_match(folded: str, gate: Gate) -> bool:
    """Whether the pattern behind ``gate`` may match the text ``folded`` came from."""
    # Plain loops, not nested any()/all(): building the generators cost more than the
    # substring tests on a sentence-long text.
    for branch in gate:
        for group in branch:
            for word in group:
                if word in folded:
                    break
            else:
                break  # no word of this group: the branch fails
        else:
            return True  # every group of the branch has a word
    return False
