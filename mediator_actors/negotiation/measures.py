"""What a specification measures, from the words around its number.

"80GB" after "A100" is a GPU's memory, "~300 GB" after "egress:" is data moved out, "1 TB"
in "egress free up to 1 TB/month" is an allowance of the same: a seek's "egress: 300 GB"
is held against the offer's egress, never against a GPU's 80 GB (issue 16). The reader
keeps the words after a specification (``Quantity.tail``); this adds the words before it,
back to the start of its clause, so a label ("egress:", "RAM", "storage") names it too.

Pure functions of the text; the quantity's span must be the text's own (the reader folds
the prose first), or nothing is added.
"""

from __future__ import annotations

import re

from mediator_actors.negotiation.reader import Quantity, rough_stem
from mediator_actors.negotiation.vocabulary import fold

__all__ = ["measured_words"]

#: How many words before a number may label it ("egress free up to 1 TB": four back).
_HEAD_WORDS = 4
#: A clause ends at a comma, semicolon, full stop, a line or a bullet: a label is in it.
_CLAUSE_END = re.compile(r"[,;.\n(]|\s-\s|\u2022")
#: Words that bound or join a number and name nothing it measures.
_NOT_NAMES = frozenset(
    {
        "up", "to", "at", "least", "most", "max", "maximum", "min", "minimum", "of", "the",
        "and", "or", "with", "for", "per", "free", "included", "incl", "plus", "over",
        "under", "about", "approx", "around", "than", "more", "less", "total", "each",
        "need", "needs", "want", "must", "have", "has", "is", "are", "a", "an", "in", "on",
    }
)  # fmt: skip


def _words(chunk: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z0-9]*", chunk.lower()) if w not in _NOT_NAMES]


def measured_words(text: str, q: Quantity) -> frozenset[str]:
    """Stems of the words that say what ``q`` measures: its tail and up to four words
    before it in its clause ("egress: ~300 GB" -> {"egress", ...}); the tail alone when
    ``text`` is not the text ``q`` was read from."""
    folded = fold(text)
    start, end = q.span.start, q.span.end
    if not text or folded[start:end] != q.span.text:
        return q.tail
    before = folded[max(0, start - 80) : start]
    ends = list(_CLAUSE_END.finditer(before))
    head = before[ends[-1].end() :] if ends else before
    return q.tail | frozenset(rough_stem(w) for w in _words(head)[-_HEAD_WORDS:])
