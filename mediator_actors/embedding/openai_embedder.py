"""OpenAI embeddings through the official SDK (``base_url`` injectable for loopback tests)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mediator_actors.embedding.base import EmbedderError, Vectors, normalise
from mediator_actors.safety.secrets import Secret

#: Native sizes of OpenAI's embedding models (the v3 models can be shortened on request).
KNOWN_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


class OpenAIEmbedder:
    """Blocking HTTP calls, one per ``batch_size`` texts; offload :meth:`embed`.

    Explicit timeout and retries (the SDK's defaults are 600 s and 2). The API key is a
    :class:`Secret` and is revealed only to the SDK client.
    """

    def __init__(
        self,
        *,
        api_key: Secret,
        model: str = "text-embedding-3-small",
        dimensions: int | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        batch_size: int = 256,
        client: Any = None,
    ) -> None:
        native = KNOWN_DIMENSIONS.get(model)
        if dimensions is None and native is None:
            raise EmbedderError(f"unknown OpenAI embedding model {model!r}: give its dimensions")
        self._model = model
        self._dimensions = int(dimensions or native or 0)
        # Ask for a shortened vector only when it differs from the model's native size.
        self._request_dimensions = dimensions if dimensions and dimensions != native else None
        self._batch_size = max(1, batch_size)
        if client is None:
            import openai

            client = openai.OpenAI(
                api_key=api_key.reveal(),
                base_url=base_url,
                timeout=timeout,
                max_retries=max_retries,
            )
        self._client = client

    @property
    def id(self) -> str:
        return f"openai:{self._model}/{self._dimensions}"

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self._dimensions), dtype=np.float32)
        for start in range(0, len(texts), self._batch_size):
            batch = [t if t.strip() else " " for t in texts[start : start + self._batch_size]]
            extra: dict[str, Any] = {}
            if self._request_dimensions is not None:
                extra["dimensions"] = self._request_dimensions
            try:
                response = self._client.embeddings.create(model=self._model, input=batch, **extra)
            except Exception as exc:  # the SDK's errors: connection, status, timeout
                raise EmbedderError(f"OpenAI embeddings failed: {type(exc).__name__}") from exc
            data = sorted(response.data, key=lambda item: item.index)
            if len(data) != len(batch):
                raise EmbedderError(
                    f"OpenAI returned {len(data)} embeddings for {len(batch)} texts"
                )
            for offset, item in enumerate(data):
                vector = np.asarray(item.embedding, dtype=np.float32)
                if vector.shape != (self._dimensions,) or not np.all(np.isfinite(vector)):
                    raise EmbedderError(
                        f"OpenAI returned a {vector.shape[0]}-d or non-finite vector; "
                        f"expected {self._dimensions}-d"
                    )
                out[start + offset] = vector
        return normalise(out)
