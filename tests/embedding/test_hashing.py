import hashlib
import os
import re
import subprocess
import sys
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.embedding import HashEmbedder, hashing


def test_the_same_text_gives_the_same_vector_in_another_process_with_another_hash_seed() -> None:
    text = "We need logo design for a community garden."
    here = HashEmbedder().embed([text])[0].tobytes().hex()
    code = (
        "from mediator_actors.embedding import HashEmbedder;"
        f"print(HashEmbedder().embed([{text!r}])[0].tobytes().hex())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    there = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert here == there


def test_vectors_are_unit_length_float32_and_empty_text_is_a_zero_row() -> None:
    vectors = HashEmbedder(dimensions=64).embed(["web design", "", "   "])
    assert vectors.shape == (3, 64)
    assert vectors.dtype == np.float32
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-5)
    assert not vectors[1].any()
    assert not vectors[2].any()


def test_a_paraphrase_is_closer_than_an_unrelated_text() -> None:
    a, b, c = HashEmbedder().embed(
        [
            "I am offering logo design for small bakeries.",
            "Offering logo designs for a small bakery.",
            "We need a database migration for a medical research lab.",
        ]
    )
    assert float(a @ b) > float(a @ c)


def test_the_id_names_the_scheme_and_dimension() -> None:
    assert HashEmbedder(dimensions=128).id == "hash:blake2b-char345-w/128"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=5))
def test_any_text_embeds_to_a_finite_unit_or_zero_vector(texts: list[str]) -> None:
    vectors = HashEmbedder(dimensions=32).embed(texts)
    assert vectors.shape == (len(texts), 32)
    assert np.all(np.isfinite(vectors))
    for norm in np.linalg.norm(vectors, axis=1):
        assert np.isclose(norm, 1.0, atol=1e-5) or norm == 0.0


# Vectors already stored by running nodes must stay valid: any change to how the hash
# embedder computes them (not only to the scheme its id names) fails here.
PINNED_TEXTS = [
    "I am offering logo design for small bakeries, 300 NLC.",
    "Seeking a plumber in Lyon for a leaking kitchen tap, budget 120 EUR, weekdays only.",
    "Offering 500 GPU-hours on A100s at 1.20 USD/hour; minimum order 50 hours.",
    "Need our 8,000-word manual translated German -> French by the end of Q3.",
    "\u00c9COLE  stra\u00dfe \ufb01 \uff26\uff55\uff4c\uff4c \u0414\u041e\u041c",
    "\u00dcn\u00efc\u00f6d\u00e9\n\ttabs  and   spaces",
    "",
    "   ",
    "a",
    "ab",
    "x" * 5000,
    "word " * 400,
]
PINNED_SHA256 = {
    384: "13f2650655f1b46d2d2345e96a46b7f0d678d4787d842503ce2d56791e4b6c42",
    64: "18a60cba223d30999ee0d4e929123fea7768cd2ba6589074d239a40b859c013f",
}


def test_the_vectors_are_those_earlier_versions_stored() -> None:
    for dimensions, digest in PINNED_SHA256.items():
        vectors = HashEmbedder(dimensions=dimensions).embed(PINNED_TEXTS)
        assert hashlib.sha256(vectors.tobytes()).hexdigest() == digest


def test_a_batch_gives_each_text_the_vector_it_gets_alone() -> None:
    embedder = HashEmbedder(dimensions=64)
    texts = PINNED_TEXTS * 30  # more than one pass of rows
    together = embedder.embed(texts)
    for i in (0, 4, 11, 200, len(texts) - 1):
        assert np.array_equal(together[i], HashEmbedder(dimensions=64).embed([texts[i]])[0])


def _reference_embed(texts: list[str], dimensions: int) -> np.ndarray:
    """The embedder as it was before the packed-gram lookup: every gram and word hashed
    with blake2b on its own, summed one by one."""
    out = np.zeros((len(texts), dimensions), dtype=np.float64)
    for row, text in enumerate(texts):
        folded = unicodedata.normalize("NFKC", text).casefold()
        padded = " " + re.sub(r"\s+", " ", folded).strip() + " "
        grams = [padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]
        grams += ["w:" + word for word in padded.split()]
        for gram in grams:
            code = int.from_bytes(
                hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "little"
            )
            out[row, code % dimensions] += -1.0 if code >> 63 else 1.0
    vectors = out.astype(np.float32)
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), np.float32(1e-12))
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


# prose-like text: words from a small vocabulary (grams repeat across texts, as in the
# corpus), with accents, ligatures, wide forms, CJK and emoji mixed in
_WORDS = st.sampled_from(
    [
        "logo",
        "design",
        "Lyon",
        "stra\u00dfe",
        "\ufb01le",
        "\uff26ull",
        "\u0414\u041e\u041c",
        "\u6771\u4eac",
        "\U0001f600",
        "a",
        "ab",
        "\u00e9t\u00e9",
        "300",
        "NLC.",
        "\t\n",
        "",
    ]
)
_PROSE = st.lists(_WORDS, max_size=30).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(_PROSE, st.text(max_size=120)), max_size=12), st.sampled_from([8, 64, 384])
)
def test_the_vectors_are_bit_identical_to_hashing_each_gram_alone(
    texts: list[str], dimensions: int
) -> None:
    embedder = HashEmbedder(dimensions=dimensions)
    expected = _reference_embed(texts, dimensions)
    assert embedder.embed(texts).tobytes() == expected.tobytes()
    # and again from the embedder's caches
    assert embedder.embed(texts).tobytes() == expected.tobytes()


def test_the_gram_tables_stay_bounded_and_give_the_same_vectors_when_refilled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hashing, "_CACHE_LIMIT", 300)
    monkeypatch.setattr(hashing, "_ROWS_PER_PASS", 2)
    embedder = HashEmbedder(dimensions=64)
    texts = PINNED_TEXTS[:6] * 3
    first = embedder.embed(texts)
    assert embedder._table.count <= 300
    assert first.tobytes() == _reference_embed(texts, 64).tobytes()
    assert embedder.embed(texts).tobytes() == first.tobytes()


def test_a_lone_surrogate_fails_as_it_did() -> None:
    with pytest.raises(UnicodeEncodeError):
        HashEmbedder(dimensions=64).embed(["fine text", "bad \ud800 text"])


def test_the_gram_table_grows_past_its_first_size_and_keeps_every_code() -> None:
    # ~12,000 distinct grams: the table doubles several times between and within passes
    texts = ["".join(chr(0x400 + (i * 37 + j * j) % 3000) for j in range(40)) for i in range(100)]
    embedder = HashEmbedder(dimensions=64)
    assert embedder.embed(texts).tobytes() == _reference_embed(texts, 64).tobytes()
    assert embedder._table.count > 4096
    assert embedder.embed(texts[::-1]).tobytes() == _reference_embed(texts[::-1], 64).tobytes()
