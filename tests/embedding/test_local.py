import shutil
from pathlib import Path

import numpy as np
import pytest

from mediator_actors.embedding import EmbedderUnavailableError, LocalEmbedder
from mediator_actors.embedding.local import PINNED_SHA256, default_model_path, sha256_file


def test_the_installed_model_files_match_their_pinned_hashes() -> None:
    path = default_model_path()
    assert path is not None
    assert sha256_file(path) == PINNED_SHA256["model.onnx"]


def test_it_makes_384_d_unit_vectors_that_rank_a_paraphrase_above_an_unrelated_text(
    local_embedder: LocalEmbedder,
) -> None:
    offer, seek, other = local_embedder.embed(
        [
            "I am offering professional logo design for small bakeries.",
            "Our bakery needs someone to design a new logo.",
            "Seeking a tutor for university statistics exams.",
        ]
    )
    assert offer.shape == (384,)
    assert np.isclose(np.linalg.norm(offer), 1.0, atol=1e-5)
    assert float(offer @ seek) > float(offer @ other) + 0.2


def test_batching_and_length_sorting_keep_each_text_in_its_place(
    local_embedder: LocalEmbedder,
) -> None:
    texts = ["a very long sentence about firmware for sensors " * 4, "short", "medium text here"]
    together = local_embedder.embed(texts)
    alone = np.vstack([local_embedder.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-3)
    assert local_embedder.embed([]).shape == (0, 384)


def test_a_tampered_model_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    source = default_model_path()
    assert source is not None
    copy = tmp_path / "model.onnx"
    shutil.copyfile(source, copy)
    with open(copy, "r+b") as handle:
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(EmbedderUnavailableError, match="SHA-256"):
        LocalEmbedder(model_path=copy)


def test_a_missing_model_file_is_reported_as_unavailable(tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailableError, match="not installed"):
        LocalEmbedder(model_path=tmp_path / "absent.onnx")


def test_its_vectors_equal_plain_onnxruntime_with_the_tokenizers_padding(
    local_embedder: LocalEmbedder,
) -> None:
    # the node pads per batch itself, after sorting by token count; the plain pipeline lets
    # the tokenizer pad: both must give the same vectors, in the same order
    from mediator_actors.benchmarks.localmodel import RawConfig, RawOnnx

    texts = [
        "I am offering bookkeeping for cafes, 40 EUR an hour.",
        "We need a Rust engineer for firmware on ARM sensors " * 6,
        "x",
        "Seeking French to German translation of 12 pages by Friday; deadline firm.",
        "",
        "naïve café — 日本語のテキスト",
    ] * 4
    ours = local_embedder.embed(texts)
    plain = RawOnnx(RawConfig(threads=1, batch=16, spinning=False)).embed(texts)
    assert ours.shape == plain.shape == (len(texts), 384)
    assert float(np.min(np.sum(ours * plain, axis=1))) > 0.9999


def test_the_process_loads_the_local_model_once() -> None:
    from mediator_actors.embedding.factory import make_embedder
    from mediator_actors.embedding.local import shared_local_embedder
    from mediator_actors.negotiation.meaning import shared_similarity

    embedder, degraded = make_embedder(provider="local")
    assert degraded is None
    assert embedder is shared_local_embedder()
    assert shared_similarity()._embedder is embedder  # the negotiator shares it
