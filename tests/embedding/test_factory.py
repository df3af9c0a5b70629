import pytest

from mediator_actors.embedding import (
    EmbedderUnavailableError,
    HashEmbedder,
    make_embedder,
)
from mediator_actors.errors import ConfigError
from mediator_actors.safety.secrets import Secret


def _broken() -> HashEmbedder:
    raise EmbedderUnavailableError("model file missing")


def test_local_falls_back_to_hash_and_says_it_is_degraded() -> None:
    embedder, degraded = make_embedder(provider="local", load_local=_broken)
    assert isinstance(embedder, HashEmbedder)
    assert embedder.dimensions == 384
    assert degraded is not None
    assert "model file missing" in degraded


def test_a_working_local_model_is_not_degraded() -> None:
    embedder, degraded = make_embedder(provider="local", load_local=HashEmbedder)
    assert degraded is None
    assert embedder.dimensions == 384


def test_choosing_hash_is_not_degraded_and_follows_vector_dimensions() -> None:
    embedder, degraded = make_embedder(provider="hash", vector_dimensions=256)
    assert degraded is None
    assert embedder.dimensions == 256


def test_vector_dimensions_that_disagree_with_the_embedder_stop_the_start() -> None:
    with pytest.raises(ConfigError, match=r"VECTOR_DIMENSIONS=1536 .* 384-d"):
        make_embedder(provider="local", vector_dimensions=1536, load_local=HashEmbedder)


def test_a_fallback_does_not_hide_a_dimension_mismatch() -> None:
    with pytest.raises(ConfigError, match="VECTOR_DIMENSIONS=768"):
        make_embedder(provider="local", vector_dimensions=768, load_local=_broken)


def test_openai_without_a_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="needs an OpenAI key"):
        make_embedder(provider="openai", openai_api_key=None)


def test_an_unknown_provider_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="EMBEDDING_PROVIDER"):
        make_embedder(provider="word2vec")


def test_openai_v3_models_take_vector_dimensions_as_the_requested_size() -> None:
    embedder, degraded = make_embedder(
        provider="openai", vector_dimensions=512, openai_api_key=Secret("sk-test-123")
    )
    assert degraded is None
    assert embedder.dimensions == 512
    assert embedder.id == "openai:text-embedding-3-small/512"
