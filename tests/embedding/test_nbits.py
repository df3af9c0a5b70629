"""The int8-in-memory copy of the local model (embedding/nbits.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediator_actors.embedding import nbits
from mediator_actors.embedding.local import PINNED_SHA256, LocalEmbedder, default_model_path

onnx = pytest.importorskip("onnx")  # a declared dependency; the skip only names it
ort: Any = pytest.importorskip("onnxruntime")

TEXTS = [
    "I am offering bookkeeping for cafes, 40 EUR an hour.",
    "We need a Rust engineer for firmware on ARM sensors " * 6,
    "x",
    "",
    "naïve café — 日本語のテキスト",
    "Seeking French to German translation of 12 pages by Friday; deadline firm.",
]
SOURCE_SHA = PINNED_SHA256["model.onnx"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A model cache holding the converted model (converted once for the module)."""
    folder = tmp_path_factory.mktemp("models")
    embedder = LocalEmbedder(cache_dir=folder, threads=1)
    assert embedder.converted
    return folder


def test_the_converted_model_gives_the_shipped_models_vectors(cache: Path) -> None:
    converted = LocalEmbedder(cache_dir=cache, threads=1)
    shipped = LocalEmbedder(threads=1)
    assert converted.converted
    assert not shipped.converted
    assert converted.id == shipped.id  # stored vectors and snapshots stay valid
    ours, theirs = converted.embed(TEXTS), shipped.embed(TEXTS)
    assert float(np.min(np.sum(ours * theirs, axis=1))) > 0.99999


def test_its_weights_are_read_as_int8(cache: Path) -> None:
    model = onnx.load(str(LocalEmbedder(cache_dir=cache, threads=1).model_file))
    ops = [node.op_type for node in model.graph.node]
    assert ops.count("MatMulNBits") == 36  # 6 layers x (q, k, v, out, up, down)
    weights = {i.name for i in model.graph.initializer}
    # what is left as MatMul multiplies activations (attention), never a stored weight
    assert not any(n.input[1] in weights for n in model.graph.node if n.op_type == "MatMul")
    largest_fp32 = max(
        (np.prod(i.dims) for i in model.graph.initializer if i.data_type == onnx.TensorProto.FLOAT),
    )
    assert largest_fp32 < 512 * 384  # the position table's scales and biases, no weight matrix


def test_a_valid_cache_is_used_without_converting(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(source: Path, target: Path) -> None:
        raise AssertionError("converted again although the cache was valid")

    monkeypatch.setattr(nbits, "_convert_in_child", refuse)
    assert LocalEmbedder(cache_dir=cache, threads=1).converted


def test_a_damaged_cached_model_is_rebuilt(tmp_path: Path, cache: Path) -> None:
    model, record = nbits.cache_names(cache, SOURCE_SHA)
    folder = tmp_path / "models"
    folder.mkdir()
    copy, copy_record = nbits.cache_names(folder, SOURCE_SHA)
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    copy_record.write_bytes(record.read_bytes())
    assert not nbits.valid_cached(copy, copy_record, SOURCE_SHA)
    embedder = LocalEmbedder(cache_dir=folder, threads=1)
    assert embedder.converted
    assert nbits.valid_cached(copy, copy_record, SOURCE_SHA)
    assert copy.read_bytes() == model.read_bytes()  # the conversion is deterministic


def test_a_record_for_another_source_or_runtime_is_not_valid(cache: Path) -> None:
    model, record = nbits.cache_names(cache, SOURCE_SHA)
    assert nbits.valid_cached(model, record, SOURCE_SHA)
    assert not nbits.valid_cached(model, record, "0" * 64)
    stale = nbits.parse_record(record.read_bytes())
    assert stale is not None
    stale["onnxruntime"] = "0.0.1"
    other = record.with_name("other.json")
    other.write_bytes(nbits.json.dumps(stale).encode())
    assert not nbits.valid_cached(model, other, SOURCE_SHA)


def test_a_failed_conversion_falls_back_to_the_shipped_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def fail(source: Path, target: Path) -> None:
        raise nbits.ConversionError("the model conversion failed: test")

    monkeypatch.setattr(nbits, "_convert_in_child", fail)
    with caplog.at_level(logging.WARNING, logger="mediator_actors.embedding.local"):
        embedder = LocalEmbedder(cache_dir=tmp_path, threads=1)
    assert not embedder.converted
    assert embedder.model_file == default_model_path()
    assert "as shipped" in caplog.text
    assert "conversion failed: test" in caplog.text


def test_the_child_reports_why_it_failed(tmp_path: Path) -> None:
    with pytest.raises(nbits.ConversionError, match="conversion failed: "):
        nbits._convert_in_child(tmp_path / "absent.onnx", tmp_path / "out.onnx")
    assert not (tmp_path / "out.onnx").exists()
    assert nbits.main(["only-one"]) == 2


def test_a_model_without_scaled_int8_weights_is_refused(tmp_path: Path) -> None:
    helper = onnx.helper
    weight = onnx.numpy_helper.from_array(np.ones((4, 4), np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "plain",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 4])],
        [weight],
    )
    onnx.save(helper.make_model(graph), str(tmp_path / "plain.onnx"))
    with pytest.raises(nbits.ConversionError, match="no scaled int8 weights"):
        nbits.convert(tmp_path / "plain.onnx", tmp_path / "out.onnx")


def _scaled_model(q: np.ndarray, scale: np.ndarray, table: np.ndarray, rows: np.ndarray) -> Any:
    """x @ (q * scale) + gathered rows of (table * row scale), as the shipped model spells it."""
    helper, types = onnx.helper, onnx.TensorProto
    inits = [
        onnx.numpy_helper.from_array(q, "w_q"),
        onnx.numpy_helper.from_array(scale, "w_scale"),
        onnx.numpy_helper.from_array(table, "e_q"),
        onnx.numpy_helper.from_array(rows, "e_scale"),
    ]
    nodes = [
        helper.make_node("Cast", ["w_q"], ["w_f"], to=types.FLOAT),
        helper.make_node("Mul", ["w_f", "w_scale"], ["w"]),
        helper.make_node("MatMul", ["x", "w"], ["y"]),
        helper.make_node("Cast", ["e_q"], ["e_f"], to=types.FLOAT),
        helper.make_node("Mul", ["e_f", "e_scale"], ["e"]),
        helper.make_node("Gather", ["e", "ids"], ["g"], axis=0),
    ]
    graph = helper.make_graph(
        nodes,
        "scaled",
        [
            helper.make_tensor_value_info("x", types.FLOAT, [None, q.shape[0]]),
            helper.make_tensor_value_info("ids", types.INT64, [None]),
        ],
        [
            helper.make_tensor_value_info("y", types.FLOAT, [None, q.shape[1]]),
            helper.make_tensor_value_info("g", types.FLOAT, [None, table.shape[1]]),
        ],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    blocks=st.integers(1, 3),
    columns=st.integers(1, 40),
    vocabulary=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_rewrite_computes_the_same_numbers(
    tmp_path: Path, blocks: int, columns: int, vocabulary: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    inner = 16 * blocks
    q = rng.integers(-128, 128, (inner, columns), dtype=np.int8)  # -128 and 127 included
    scale = rng.uniform(1e-4, 0.1, (1, columns)).astype(np.float32)
    table = rng.integers(-128, 128, (vocabulary, 8), dtype=np.int8)
    rows = rng.uniform(1e-4, 0.1, (vocabulary, 1)).astype(np.float32)
    source, target = tmp_path / f"s{seed}.onnx", tmp_path / f"t{seed}.onnx"
    onnx.save(_scaled_model(q, scale, table, rows), str(source))
    nbits.convert(source, target, block_size=16)
    feeds = {
        "x": rng.normal(size=(3, inner)).astype(np.float32),
        "ids": rng.integers(0, vocabulary, 5).astype(np.int64),
    }
    options = ort.SessionOptions()
    options.log_severity_level = 3
    run = {
        p: ort.InferenceSession(str(p), options, providers=["CPUExecutionProvider"]).run(
            None, feeds
        )
        for p in (source, target)
    }
    rewritten = onnx.load(str(target))
    assert [n.op_type for n in rewritten.graph.node].count("MatMulNBits") == 1
    for want, got in zip(run[source], run[target], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@given(st.binary(max_size=300))
def test_any_record_bytes_parse_to_a_record_or_none(data: bytes) -> None:
    record = nbits.parse_record(data)
    assert record is None or set(record) == {"source_sha256", "onnxruntime", "converter", "sha256"}


@given(
    source=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    digest=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_a_rendered_record_parses_back(source: str, digest: str) -> None:
    record = nbits.parse_record(nbits.render_record(source_sha256=source, sha256=digest))
    assert record is not None
    assert record["source_sha256"] == source
    assert record["sha256"] == digest
    assert record["converter"] == str(nbits.CONVERTER_VERSION)


def test_the_node_keeps_the_converted_model_in_its_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediator_actors.config import load_settings
    from mediator_actors.embedding import local
    from mediator_actors.embedding.factory import make_embedder_from_settings

    monkeypatch.setattr(local, "_shared", {})  # as in a fresh process
    settings = load_settings(
        {"DATA_DIR": str(tmp_path / "data"), "EMBEDDING_PROVIDER": "local"}, cwd=tmp_path
    )
    embedder, degraded = make_embedder_from_settings(settings)
    assert degraded is None
    assert isinstance(embedder, LocalEmbedder)
    assert embedder.converted
    assert embedder.model_file.parent == tmp_path / "data" / "cache" / "models"
    assert local.shared_local_embedder() is embedder  # the negotiator's later call shares it


def test_tokenising_in_chunks_gives_the_same_vectors(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediator_actors.embedding import local

    embedder = LocalEmbedder(cache_dir=cache, threads=1)
    texts = TEXTS * 3
    whole = embedder.embed(texts)
    monkeypatch.setattr(local, "TOKENIZE_CHUNK", 4)  # 18 texts: five chunks, one short
    assert np.array_equal(embedder.embed(texts), whole)
