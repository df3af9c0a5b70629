"""Issue 15: what the offline negotiator derives from one intent is derived once (terms,
token sets, service-phrase vectors embedded in one batch), and the answers are exactly
those of deriving everything afresh for every pair."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.embedding.base import Embedder, EmbedderError, Vectors
from mediator_actors.embedding.hashing import HashEmbedder
from mediator_actors.model import Intent
from mediator_actors.negotiation import providers
from mediator_actors.negotiation.evaluation import EvalPair, load_eval
from mediator_actors.negotiation.meaning import ServiceSimilarity
from mediator_actors.negotiation.offline import assess, clear_caches, prepare
from mediator_actors.negotiation.prompt import build_prompt
from mediator_actors.negotiation.providers import OfflineProvider
from mediator_actors.negotiation.vocabulary import fold

DATA = Path(__file__).resolve().parents[1] / "data"


def _model() -> Embedder:
    try:
        from mediator_actors.embedding.local import shared_local_embedder

        return shared_local_embedder()
    except EmbedderError as exc:  # pragma: no cover - the model ships with the package
        pytest.skip(f"local model unavailable: {exc}")


class Counting:
    """An embedder port that counts calls and texts, over a real embedder."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.calls = 0
        self.texts = 0

    @property
    def id(self) -> str:
        return self.inner.id

    @property
    def dimensions(self) -> int:
        return self.inner.dimensions

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed(texts)


def _answers(pairs: list[EvalPair], *, cached: bool) -> list[str]:
    model = _model()
    clear_caches()
    similarity = ServiceSimilarity(embedder=model)
    if cached:
        prepare([i for p in pairs for i in (p.offer, p.seek)], similarity)
    out = []
    for pair in pairs:
        if not cached:
            # everything afresh: no read intent, no token memo, no phrase vector kept
            clear_caches()
            similarity = ServiceSimilarity(embedder=model)
        answer = assess(pair.offer, pair.seek, similarity=similarity)
        out.append(json.dumps(answer.to_json(), sort_keys=True))
    return out


def test_cached_judgments_equal_uncached_ones_on_the_development_set() -> None:
    pairs = load_eval(DATA / "negotiation_dev.jsonl")
    uncached = _answers(pairs, cached=False)
    cached = _answers(pairs, cached=True)
    differing = [p.id for p, a, b in zip(pairs, uncached, cached, strict=True) if a != b]
    assert differing == []
    # the comparison is not vacuous: the set has both verdicts
    verdicts = {json.loads(a)["compatible"] for a in cached}
    assert verdicts == {True, False}


def test_a_batch_embeds_its_phrases_in_one_call_and_a_second_batch_in_none() -> None:
    pairs = load_eval(DATA / "negotiation_dev.jsonl")[:30]
    intents = [i for p in pairs for i in (p.offer, p.seek)]
    counting = Counting(_model())
    clear_caches()
    similarity = ServiceSimilarity(embedder=counting)
    new = prepare(intents, similarity)
    assert counting.calls == 1
    assert counting.texts == new > len(pairs)
    for pair in pairs:
        assess(pair.offer, pair.seek, similarity=similarity)
    assert counting.calls == 1  # every phrase a pair compared was already embedded
    assert prepare(intents, similarity) == 0
    assert counting.calls == 1


def test_batched_vectors_are_the_vectors_of_one_call_per_phrase() -> None:
    phrases = ["wedding photographer", "someone to shoot our ceremony and the portraits after"]
    model = _model()
    batched = ServiceSimilarity(embedder=model)
    batched.prepare(phrases)
    single = ServiceSimilarity(embedder=model)
    assert batched.cosine(*phrases) == single.cosine(*phrases)
    assert np.isfinite(batched.cosine(*phrases))


def test_an_edited_intent_is_read_afresh() -> None:
    pair = load_eval(DATA / "negotiation_dev.jsonl")[0]
    clear_caches()
    before = assess(pair.offer, pair.seek)
    edited = Intent(
        ref=pair.offer.ref,
        author=pair.offer.author,
        type=pair.offer.type,
        content="I am offering a harp recital for children's parties, 90 EUR.",
        timestamp=pair.offer.timestamp,
    )
    after = assess(edited, pair.seek)
    assert "harp recital" in (after.reasoning + (after.refusal_reason or ""))
    assert before.to_json() != after.to_json()


def test_under_the_hash_embedder_the_provider_judges_by_words_and_embeds_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counting = Counting(HashEmbedder(dimensions=64))
    similarity = ServiceSimilarity(embedder=counting)
    assert not similarity.meaningful
    assert ServiceSimilarity(embedder=_model()).meaningful
    # the node's provider resolves the process-wide similarity: here, one without meaning
    monkeypatch.setattr(providers, "shared_similarity", lambda: similarity)
    provider = OfflineProvider()
    pairs = load_eval(DATA / "negotiation_dev.jsonl")[:20]
    assert provider.prepare(i for p in pairs for i in (p.offer, p.seek)) == 0
    for pair in pairs:
        prompt = build_prompt(pair.offer, pair.seek)
        reply = provider.complete(prompt, pair.offer, pair.seek, timeout=1)
        words = assess(pair.offer, pair.seek, similarity=None)
        assert json.loads(reply.text) == words.to_json()
    assert counting.calls == 0


@given(st.text())
def test_fold_is_nfkc_without_format_characters_on_any_text(text: str) -> None:
    full = "".join(
        ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf"
    )
    assert fold(text) == full


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_fold_keeps_ascii_text_as_it_is(text: str) -> None:
    assert fold(text) == text


def test_a_similarity_no_cosine_can_pass_is_dropped_and_the_answers_stay_those_of_words() -> None:
    # Issue 15: the cycle's hash similarity embedded every phrase and took cosines that no
    # threshold (2.0) can reach; the provider now judges by words alone, as it answers.
    hashed = ServiceSimilarity(embedder=HashEmbedder(dimensions=384))
    assert not hashed.meaningful
    provider = OfflineProvider(similarity=hashed, reader=None)
    assert provider._phrases() is None
    pairs = load_eval(DATA / "negotiation_dev.jsonl")[:40]
    clear_caches()
    by_words = [assess(p.offer, p.seek).to_json() for p in pairs]
    clear_caches()
    with_hash = [assess(p.offer, p.seek, similarity=hashed).to_json() for p in pairs]
    assert by_words == with_hash
