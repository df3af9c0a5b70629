from collections.abc import Iterator

import pytest

from mediator_actors.embedding import EmbedderUnavailableError, LocalEmbedder


@pytest.fixture(scope="module")
def local_embedder() -> Iterator[LocalEmbedder]:
    """The real model, loaded once per module (about 0.3 s)."""
    try:
        yield LocalEmbedder(threads=1)
    except EmbedderUnavailableError as exc:  # pragma: no cover - the dependency is declared
        pytest.fail(f"the local model should be installed with the project: {exc}")
