"""Embedders: the local model (default), OpenAI, and the hashed n-gram last resort."""

from mediator_actors.embedding.base import (
    Embedder,
    EmbedderError,
    EmbedderUnavailableError,
    Vectors,
    normalise,
)
from mediator_actors.embedding.factory import make_embedder, make_embedder_from_settings
from mediator_actors.embedding.hashing import HashEmbedder
from mediator_actors.embedding.local import LocalEmbedder
from mediator_actors.embedding.openai_embedder import OpenAIEmbedder

__all__ = [
    "Embedder",
    "EmbedderError",
    "EmbedderUnavailableError",
    "HashEmbedder",
    "LocalEmbedder",
    "OpenAIEmbedder",
    "Vectors",
    "make_embedder",
    "make_embedder_from_settings",
    "normalise",
]
