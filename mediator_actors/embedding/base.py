"""The embedder port: text in, L2-normalised float32 vectors out.

Every implementation is blocking (model inference, an HTTP call, hashing): an actor calls
:meth:`Embedder.embed` through :func:`mediator_actors.runtime.offload.run_blocking`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from mediator_actors.errors import MediatorError

Vectors = npt.NDArray[np.float32]


class EmbedderError(MediatorError):
    """An embedder could not load or could not embed (model missing, tampered, API down)."""


class EmbedderUnavailableError(EmbedderError):
    """The embedder cannot be used at all here (files missing, hash mismatch, no runtime)."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors. ``id`` names the model and its exact weights: vectors
    with different ids never share an index."""

    @property
    def id(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Blocking: ``(len(texts), dimensions)`` float32, each row of norm 1 (or all zero
        for a text with nothing to embed)."""
        ...


def normalise(matrix: npt.NDArray[np.floating]) -> Vectors:
    """Rows scaled to unit length; all-zero rows stay zero (never NaN)."""
    vectors = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.maximum(norms, np.float32(1e-12), out=norms)
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)
