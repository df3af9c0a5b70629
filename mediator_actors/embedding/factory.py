"""Choose the embedder at start: the configured one, or the hash embedding as a labelled
last resort when the local model cannot load."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mediator_actors.config import EmbeddingProvider
from mediator_actors.embedding.base import Embedder, EmbedderUnavailableError
from mediator_actors.embedding.hashing import HashEmbedder
from mediator_actors.embedding.local import DIMENSIONS as LOCAL_DIMENSIONS
from mediator_actors.embedding.local import shared_local_embedder
from mediator_actors.embedding.openai_embedder import OpenAIEmbedder
from mediator_actors.errors import ConfigError
from mediator_actors.safety.secrets import Secret

if TYPE_CHECKING:
    from mediator_actors.config import Settings

logger = logging.getLogger(__name__)


def make_embedder(
    *,
    provider: EmbeddingProvider | str,
    vector_dimensions: int | None = None,
    openai_api_key: Secret | None = None,
    openai_model: str = "text-embedding-3-small",
    openai_base_url: str | None = None,
    load_local: Callable[[], Embedder] = shared_local_embedder,
) -> tuple[Embedder, str | None]:
    """Build the embedder; return it with the reason it is degraded, or None.

    Blocking (the local model loads and is hash-checked, about 0.3 s): call it at start,
    offloaded. Raises :class:`ConfigError` when ``VECTOR_DIMENSIONS`` disagrees with the
    embedder, or when ``openai`` is chosen without a key. Only ``local`` falls back, and
    only to ``hash``; that is reported as degraded so health can show it.
    """
    try:
        chosen = EmbeddingProvider(str(provider).lower())
    except ValueError as exc:
        raise ConfigError(
            [f"EMBEDDING_PROVIDER={provider!r} is not one of: local | openai | hash"]
        ) from exc
    degraded: str | None = None
    embedder: Embedder
    if chosen is EmbeddingProvider.HASH:
        embedder = HashEmbedder(dimensions=vector_dimensions or LOCAL_DIMENSIONS)
    elif chosen is EmbeddingProvider.OPENAI:
        if openai_api_key is None or not openai_api_key.reveal():
            raise ConfigError(
                [
                    "EMBEDDING_PROVIDER=openai needs an OpenAI key: EMBEDDING_API_KEY, "
                    "OPENAI_API_KEY, or LLM_API_KEY with LLM_PROVIDER=openai"
                ]
            )
        shortenable = openai_model.startswith("text-embedding-3")
        embedder = OpenAIEmbedder(
            api_key=openai_api_key,
            model=openai_model,
            dimensions=vector_dimensions if shortenable else None,
            base_url=openai_base_url,
        )
    else:
        try:
            embedder = load_local()
        except EmbedderUnavailableError as exc:
            degraded = f"local embedding model unavailable, using the hash embedding: {exc}"
            logger.warning("embedding: %s", degraded)
            embedder = HashEmbedder(dimensions=LOCAL_DIMENSIONS)
    if vector_dimensions is not None and vector_dimensions != embedder.dimensions:
        raise ConfigError(
            [
                f"VECTOR_DIMENSIONS={vector_dimensions} does not match the {embedder.id} embedder, "
                f"which makes {embedder.dimensions}-d vectors; set VECTOR_DIMENSIONS="
                f"{embedder.dimensions} or leave it unset"
            ]
        )
    return embedder, degraded


def make_embedder_from_settings(settings: Settings) -> tuple[Embedder, str | None]:
    """:func:`make_embedder` with the node's settings. The OpenAI key is
    ``settings.embedding_api_key``: ``EMBEDDING_API_KEY``, else ``OPENAI_API_KEY``, else the
    LLM key when the LLM provider is OpenAI (never an Anthropic key)."""
    return make_embedder(
        provider=settings.embedding_provider,
        vector_dimensions=settings.vector_dimensions,
        openai_api_key=settings.embedding_api_key,
        load_local=functools.partial(shared_local_embedder, cache_dir=model_cache_dir(settings)),
    )


def model_cache_dir(settings: Settings) -> Path:
    """Where the node keeps the converted local model (embedding/nbits.py)."""
    return settings.data_dir / "cache" / "models"
