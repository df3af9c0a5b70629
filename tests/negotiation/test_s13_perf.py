"""The per-word memos of the stemmer and the glossary's folding (issue 15): memoised
answers are the plain function's answers, and a cleared memo answers the same."""

from __future__ import annotations

from mediator_actors.negotiation import glossary, vocabulary
from mediator_actors.negotiation.vocabulary import _stem, tokens

WORDS = (
    "translated", "translation", "translator", "mixing", "shipped", "libraries",
    "classes", "glass", "website", "apps", "Übersetzung", "crème", "k8s", "ux", "a",
)  # fmt: skip


def test_stem_memo_matches_the_plain_stemmer() -> None:
    plain = _stem.__wrapped__
    assert [_stem(w) for w in WORDS] == [plain(w) for w in WORDS]
    assert _stem("translated") == _stem("translation") == _stem("translator") == "transl"
    assert _stem("mixing") == "mix"
    assert _stem("shipped") == "ship"
    assert _stem.cache_info().maxsize == vocabulary.STEM_MEMO


def test_tokens_are_the_same_after_the_memo_is_cleared() -> None:
    text = "We offer translated brochures and shipping labels for small libraries."
    first = tokens(text)
    _stem.cache_clear()
    assert tokens(text) == first
    assert {"transl", "brochur", "ship", "library"} <= first


def test_folded_memo_matches_the_plain_folding() -> None:
    plain = glossary._folded.__wrapped__
    assert [glossary._folded(w) for w in WORDS] == [plain(w) for w in WORDS]
    assert glossary._folded("Übersetzung") == "ubersetzung"
    glossary._folded.cache_clear()
    assert glossary._folded("Crème") == "creme"
