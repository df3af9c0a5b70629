"""The node's local embedder beside raw onnxruntime on the same model file, same texts,
same process, interleaved rounds (a shared machine's load changes between minutes, so the
two are measured next to each other, not one after the other).

The raw baseline is what a user of onnxruntime would write: the tokenizer pads each batch
of 16 (texts sorted by characters), the session runs with onnxruntime's defaults (memory
arena on, threads spinning) at ``threads`` intra-op threads, and the last hidden state is
mean-pooled over the mask. Its best configuration in each round is the denominator.
"""

from __future__ import annotations

import importlib
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mediator_actors.embedding.base import Vectors, normalise
from mediator_actors.embedding.local import (
    DIMENSIONS,
    MAX_TOKENS,
    VOCAB_FILE,
    LocalEmbedder,
    default_model_path,
    default_threads,
)


@dataclass(frozen=True, slots=True)
class RawConfig:
    threads: int
    batch: int
    spinning: bool

    @property
    def name(self) -> str:
        return (
            f"raw threads={self.threads} batch={self.batch} spin={'on' if self.spinning else 'off'}"
        )


class RawOnnx:
    """Plain onnxruntime + tokenizers over the installed model (no pinning, no checks)."""

    def __init__(self, config: RawConfig, *, model: Path | None = None) -> None:
        onnxruntime: Any = importlib.import_module("onnxruntime")
        from tokenizers import BertWordPieceTokenizer

        path = model or default_model_path()
        if path is None:
            raise RuntimeError("the local model package is not installed")
        self._tokenizer: Any = BertWordPieceTokenizer(str(VOCAB_FILE), lowercase=True)
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = config.threads
        options.log_severity_level = 3
        if not config.spinning:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session: Any = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._batch = config.batch

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch):
            rows = order[start : start + self._batch]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
            weights = mask[..., None].astype(np.float32)
            out[rows] = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        return normalise(out)


def _timed(embed: Any, texts: Sequence[str]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    embed(texts)
    return time.perf_counter() - wall, time.process_time() - cpu


def compare(texts: Sequence[str], *, chunk: int = 100) -> dict[str, Any]:
    """Intents/s of the node's embedder and of each raw configuration on the same chunks of
    ``chunk`` texts, each chunk run by every contender back to back (the order rotating), so
    a change of load hits all of them alike. Per chunk: node / best raw; the median of those
    is the ratio. CPU ms per text too (spinning threads cost CPU that wall time hides)."""
    cores = default_threads()
    configs = [RawConfig(cores, 16, True), RawConfig(cores, 16, False)]
    with tempfile.TemporaryDirectory() as cache:
        # the node's model as it runs it: the int8 copy converted into its cache folder
        node = LocalEmbedder(cache_dir=Path(cache))
    contenders: list[tuple[str, Any]] = [("node", node.embed)]
    if node.converted:
        contenders.append(("node_as_shipped", LocalEmbedder().embed))
    contenders += [(c.name, RawOnnx(c).embed) for c in configs]
    warm = list(texts[:32])
    for _, embed in contenders:
        embed(warm)
    walls: dict[str, float] = {name: 0.0 for name, _ in contenders}
    cpus: dict[str, float] = dict(walls)
    ratios: list[float] = []
    for number, start in enumerate(range(0, len(texts), chunk)):
        part = texts[start : start + chunk]
        rates: dict[str, float] = {}
        shift = number % len(contenders)
        for name, embed in contenders[shift:] + contenders[:shift]:
            wall, cpu = _timed(embed, part)
            walls[name] += wall
            cpus[name] += cpu
            rates[name] = len(part) / wall
        ratios.append(rates["node"] / max(rates[c.name] for c in configs))
    per_s = {name: round(len(texts) / seconds, 1) for name, seconds in walls.items()}
    best = max((c.name for c in configs), key=lambda name: per_s[name])
    return {
        "texts": len(texts),
        "node_model": "converted int8 (MatMulNBits)" if node.converted else "as shipped",
        "chunks": len(ratios),
        "threads": cores,
        "per_s": per_s,
        "cpu_ms_per_text": {n: round(c * 1000 / len(texts), 2) for n, c in cpus.items()},
        "best_raw": best,
        "ratio_overall": round(per_s["node"] / per_s[best], 3),
        "ratio_median_of_chunks": round(statistics.median(ratios), 3),
        "target_ratio": 0.95,
    }
