"""Keep the local model's int8 weights int8 in memory: a converted copy, cached and pinned.

The shipped model stores each weight as int8 plus a float scale (``Cast`` then ``Mul``).
onnxruntime's constant folding turns every one of them into fp32 at load: 90 MB of
weights, a 270 MB high-water mark for the session and ~215 MB resident (issue 15). This
module rewrites the graph once into operators that read the int8 weights directly:

- each ``MatMul`` by a weight with one scale per output column becomes onnxruntime's
  ``MatMulNBits`` with ``bits=8`` (fp32 activations, ``accuracy_level`` 0): the column's
  scale is repeated in every block and the int8 value stored as ``q + 128`` with zero point
  128, so the dequantised weight is the same number;
- each ``Gather`` from an embedding table with one scale per row gathers the int8 rows and
  their scales and scales only the gathered rows.

Measured (2,000 corpus texts, load 4-6): the session's load high-water mark 102 MB instead
of 270, vectors equal to the shipped model's to 1.6e-7 (cosine >= 0.9999998). The
conversion needs the ``onnx`` package and runs in a child process (``python -m
mediator_actors.embedding.nbits SOURCE TARGET``) so that loading the graph never raises
the node's own high-water mark; the child also checks the converted model's vectors
against the source model's before it writes anything.

The cached file sits in the node's cache folder under a name holding the source model's
SHA-256 and the onnxruntime version, beside a JSON record of both and of the file's own
SHA-256 (checked before each load; a damaged, foreign or stale file is rebuilt).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from mediator_actors.runtime.files import sha256_file

#: bumped when the rewrite changes, so an old cache file is rebuilt
CONVERTER_VERSION = 1
#: 128 divides both inner sizes of MiniLM (384, 1536); the scales are per column anyway
BLOCK_SIZE = 128
#: the least cosine between the converted and the source model's vectors the child accepts
MIN_COSINE = 0.9999
#: what the child embeds to check the conversion (varied lengths and scripts)
CHECK_TEXTS = (
    "I am offering bookkeeping for cafes, 40 EUR an hour.",
    "We need a Rust engineer for firmware on ARM sensors, remote, by March 2027. " * 5,
    "x",
    "Seeking French to German translation of 12 pages by Friday; deadline firm.",
    "naïve café — 日本語のテキスト",
    "",
)


class ConversionError(Exception):
    """The converted model could not be built or checked (the caller uses the source)."""


def onnxruntime_version() -> str:
    import importlib.metadata

    return importlib.metadata.version("onnxruntime")


def cache_names(cache_dir: Path, source_sha256: str) -> tuple[Path, Path]:
    """The converted model's path and its record's path for this source and runtime."""
    stem = f"minilm-int8-nbits-v{CONVERTER_VERSION}-{source_sha256[:16]}-ort{onnxruntime_version()}"
    return cache_dir / f"{stem}.onnx", cache_dir / f"{stem}.json"


def parse_record(data: bytes) -> dict[str, str] | None:
    """The cache record's fields, or None when it is not a record this version wrote."""
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    keys = ("source_sha256", "onnxruntime", "converter", "sha256")
    if not isinstance(record, dict) or set(record) != set(keys):
        return None
    if not all(isinstance(record[k], str) for k in keys):
        return None
    return {k: record[k] for k in keys}


def render_record(*, source_sha256: str, sha256: str) -> bytes:
    return json.dumps(
        {
            "source_sha256": source_sha256,
            "onnxruntime": onnxruntime_version(),
            "converter": str(CONVERTER_VERSION),
            "sha256": sha256,
        },
        sort_keys=True,
    ).encode("utf-8")


def valid_cached(model: Path, record_path: Path, source_sha256: str) -> bool:
    """True when ``model`` is this source's conversion for this runtime, byte for byte."""
    try:
        record = parse_record(record_path.read_bytes())
        if record is None or not model.is_file():
            return False
        return record == {
            "source_sha256": source_sha256,
            "onnxruntime": onnxruntime_version(),
            "converter": str(CONVERTER_VERSION),
            "sha256": sha256_file(model),
        }
    except OSError:
        return False


def cached_model(source: Path, source_sha256: str, cache_dir: Path) -> Path:
    """The converted model for ``source`` (already verified by the caller), built in a
    child process when the cache has no valid one. Blocking: seconds on a first start.

    Raises :class:`ConversionError` with the reason when it cannot be built.
    """
    model, record_path = cache_names(cache_dir, source_sha256)
    if valid_cached(model, record_path, source_sha256):
        return model
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConversionError(f"cannot create the model cache {cache_dir}: {exc}") from exc
    partial = model.with_suffix(f".{os.getpid()}.partial")
    try:
        _convert_in_child(source, partial)
        digest = sha256_file(partial)
        os.replace(partial, model)
        from mediator_actors.runtime.files import write_atomically

        write_atomically(record_path, render_record(source_sha256=source_sha256, sha256=digest))
    except OSError as exc:
        raise ConversionError(f"cannot write the converted model to {cache_dir}: {exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
    if not valid_cached(model, record_path, source_sha256):
        raise ConversionError(f"the converted model in {cache_dir} changed while it was written")
    return model


def _original(module: str, name: str) -> Any:
    """The function before gevent patched it (this runs on native threads)."""
    try:
        from gevent import monkey

        return monkey.get_original(module, name)
    except ImportError:  # pragma: no cover - gevent is a dependency
        return getattr(__import__(module), name)


def _convert_in_child(source: Path, target: Path) -> None:
    log = target.with_suffix(".log")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        with open(log, "wb") as errors:
            pid = _original("os", "posix_spawn")(
                sys.executable,
                [sys.executable, "-m", "mediator_actors.embedding.nbits", str(source), str(target)],
                env,
                file_actions=[(os.POSIX_SPAWN_DUP2, errors.fileno(), 2)],
            )
        # ChildProcessError: gevent's child watcher reaped it, so it has exited too; the
        # file and its check decide, not the exit status
        with contextlib.suppress(ChildProcessError):
            _original("os", "waitpid")(pid, 0)
        message = log.read_bytes()
    finally:
        with contextlib.suppress(OSError):
            log.unlink()
    if not target.is_file():
        tail = message.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise ConversionError(f"the model conversion failed: {tail[0][:300]}")


def convert(source: Path, target: Path, *, block_size: int = BLOCK_SIZE) -> None:
    """Rewrite ``source``'s scaled int8 weights as described above into ``target``."""
    try:
        import onnx
    except ImportError as exc:
        raise ConversionError(f"converting the model needs the onnx package: {exc}") from exc
    model = onnx.load(str(source))
    rewrite = _Rewrite(model.graph, block_size)
    for node in rewrite.nodes:
        rewrite.visit(node)
    if not rewrite.replacement:
        raise ConversionError(f"{source} has no scaled int8 weights to convert")
    rewrite.apply()
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(onnx.helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(target))


class _Rewrite:
    """The graph's ``Cast(int8) -> Mul(scale)`` weights and what replaces their users."""

    def __init__(self, graph: Any, block_size: int) -> None:
        self.graph = graph
        self.block_size = block_size
        # one list of wrappers, held for the whole rewrite, so id() names a node stably
        self.nodes = list(graph.node)
        self.initializers = {i.name: i for i in graph.initializer}
        self.producer = {out: node for node in graph.node for out in node.output}
        self.consumers: defaultdict[str, list[Any]] = defaultdict(list)
        for node in graph.node:
            for name in node.input:
                self.consumers[name].append(node)
        self.dropped: set[int] = set()  # ids of the Cast and Mul nodes that go
        self.unused: set[str] = set()  # initializers nothing reads any more
        self.added: list[Any] = []
        self.replacement: dict[int, list[Any]] = {}

    def visit(self, node: Any) -> None:
        from onnx import TensorProto, numpy_helper

        if node.op_type != "Mul" or len(node.input) != 2:
            return
        cast = self.producer.get(node.input[0])
        scale_name = node.input[1]
        if cast is None or cast.op_type != "Cast" or scale_name not in self.initializers:
            return
        q_name = cast.input[0]
        initializer = self.initializers.get(q_name)
        if initializer is None or initializer.data_type != TensorProto.INT8:
            return
        q = numpy_helper.to_array(initializer)
        scale = numpy_helper.to_array(self.initializers[scale_name]).astype(np.float32)
        weight = node.output[0]
        users = self.consumers[weight]
        if q.ndim != 2 or not users or len(self.consumers[cast.output[0]]) != 1:
            return
        rows, columns = q.shape
        if (
            scale.shape == (1, columns)
            and rows % self.block_size == 0
            and all(u.op_type == "MatMul" and list(u.input)[1:] == [weight] for u in users)
        ):
            self._matmuls(weight, q, scale, users)
            self.unused |= {q_name, scale_name}
        elif scale.shape == (rows, 1) and all(
            u.op_type == "Gather" and u.input[0] == weight and _axis(u) == 0 for u in users
        ):
            self._gathers(q_name, scale_name, users)
        else:
            return
        self.dropped |= {id(cast), id(node)}

    def _matmuls(self, weight: str, q: Any, scale: Any, users: list[Any]) -> None:
        from onnx import helper, numpy_helper

        rows, columns = q.shape
        blocks = rows // self.block_size
        # MatMulNBits wants B as [N, blocks, block] unsigned with a zero point: q + 128
        packed = (q.astype(np.int16) + 128).astype(np.uint8).T
        self.added += [
            numpy_helper.from_array(
                np.ascontiguousarray(packed.reshape(columns, blocks, self.block_size)),
                f"{weight}_nbits_b",
            ),
            numpy_helper.from_array(
                np.repeat(scale.reshape(columns, 1), blocks, axis=1).reshape(-1),
                f"{weight}_nbits_s",
            ),
            numpy_helper.from_array(np.full(columns * blocks, 128, np.uint8), f"{weight}_nbits_z"),
        ]
        for user in users:
            self.replacement[id(user)] = [
                helper.make_node(
                    "MatMulNBits",
                    [user.input[0], f"{weight}_nbits_b", f"{weight}_nbits_s", f"{weight}_nbits_z"],
                    list(user.output),
                    name=f"{user.name}_nbits",
                    domain="com.microsoft",
                    K=rows,
                    N=columns,
                    bits=8,
                    block_size=self.block_size,
                    accuracy_level=0,  # fp32 arithmetic: the same vectors
                )
            ]

    def _gathers(self, q_name: str, scale_name: str, users: list[Any]) -> None:
        from onnx import TensorProto, helper

        for user in users:
            out = user.output[0]
            self.replacement[id(user)] = [
                helper.make_node("Gather", [q_name, user.input[1]], [f"{out}_q"], axis=0),
                helper.make_node("Gather", [scale_name, user.input[1]], [f"{out}_s"], axis=0),
                helper.make_node("Cast", [f"{out}_q"], [f"{out}_f"], to=TensorProto.FLOAT),
                helper.make_node("Mul", [f"{out}_f", f"{out}_s"], [out]),
            ]

    def apply(self) -> None:
        rewritten: list[Any] = []
        for node in self.nodes:
            if id(node) not in self.dropped:
                rewritten.extend(self.replacement.get(id(node), [node]))
        del self.graph.node[:]
        self.graph.node.extend(rewritten)
        kept = [i for i in self.graph.initializer if i.name not in self.unused]
        del self.graph.initializer[:]
        self.graph.initializer.extend(kept + self.added)


def _axis(node: Any) -> int:
    return next((int(a.i) for a in node.attribute if a.name == "axis"), 0)


def check(source: Path, target: Path) -> float:
    """The least cosine between both models' vectors on :data:`CHECK_TEXTS`."""
    from mediator_actors.embedding.local import MODEL_FILE, PINNED_SHA256, LocalEmbedder

    texts = list(CHECK_TEXTS)
    theirs = LocalEmbedder(model_path=source, threads=1).embed(texts)  # the pinned source
    pinned = {**PINNED_SHA256, MODEL_FILE: sha256_file(target)}
    ours = LocalEmbedder(model_path=target, pinned=pinned, threads=1).embed(texts)
    return float(np.min(np.sum(ours * theirs, axis=1)))


def main(argv: list[str]) -> int:
    """``python -m mediator_actors.embedding.nbits SOURCE TARGET``: convert, check, write."""
    if len(argv) != 2:
        print("usage: python -m mediator_actors.embedding.nbits SOURCE TARGET", file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    unchecked = target.with_suffix(".unchecked")
    try:
        convert(source, unchecked)
        cosine = check(source, unchecked)
        if cosine < MIN_COSINE:
            raise ConversionError(
                f"the converted model's vectors differ (least cosine {cosine:.6f} < {MIN_COSINE})"
            )
        os.replace(unchecked, target)
    except Exception as exc:  # noqa: BLE001 - any failure is reported, the parent reads it
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(OSError):
            unchecked.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
