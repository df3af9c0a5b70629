import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from gevent.pywsgi import WSGIServer

from mediator_actors.embedding import EmbedderError, OpenAIEmbedder
from mediator_actors.safety.secrets import Secret

KEY = "sk-test-loopback-secret-0001"


class FakeOpenAI:
    """Speaks POST /v1/embeddings on 127.0.0.1:0; answers in reverse index order."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[str] = []
        self.status = 200
        self.size: int | None = None
        self.server = WSGIServer(("127.0.0.1", 0), self.app, log=None, error_log=None)
        self.server.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def app(self, environ: dict[str, Any], start: Callable[..., Any]) -> list[bytes]:
        body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        self.requests.append(body)
        self.headers.append(environ.get("HTTP_AUTHORIZATION", ""))
        if self.status != 200:
            start(f"{self.status} Error", [("Content-Type", "application/json")])
            return [json.dumps({"error": {"message": "down", "type": "server_error"}}).encode()]
        size = self.size or body.get("dimensions", 8)
        data = [
            {"object": "embedding", "index": i, "embedding": [float(i + 1)] * size}
            for i in range(len(body["input"]))
        ]
        payload = {
            "object": "list",
            "data": list(reversed(data)),
            "model": body["model"],
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        }
        start("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(payload).encode()]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.server.stop(timeout=1)


def test_vectors_come_back_normalised_and_in_input_order_through_the_real_sdk(
    fake: FakeOpenAI,
) -> None:
    embedder = OpenAIEmbedder(
        api_key=Secret(KEY), model="custom-model", dimensions=8, base_url=fake.url, max_retries=0
    )
    vectors = embedder.embed(["first", "second", "third"])
    assert vectors.shape == (3, 8)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert fake.requests[0]["input"] == ["first", "second", "third"]
    assert fake.headers[0] == f"Bearer {KEY}"
    assert embedder.id == "openai:custom-model/8"


def test_a_shortened_v3_vector_is_requested_with_its_dimensions(fake: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder(
        api_key=Secret(KEY), dimensions=16, base_url=fake.url, max_retries=0, batch_size=2
    )
    vectors = embedder.embed(["a", "b", "c"])
    assert vectors.shape == (3, 16)
    assert [r["dimensions"] for r in fake.requests] == [16, 16]
    assert [len(r["input"]) for r in fake.requests] == [2, 1]


def test_a_server_error_is_an_embedder_error_that_never_shows_the_key(fake: FakeOpenAI) -> None:
    fake.status = 500
    embedder = OpenAIEmbedder(
        api_key=Secret(KEY), model="custom-model", dimensions=8, base_url=fake.url, max_retries=0
    )
    with pytest.raises(EmbedderError) as caught:
        embedder.embed(["x"])
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)


def test_a_vector_of_the_wrong_size_is_refused(fake: FakeOpenAI) -> None:
    fake.size = 3
    embedder = OpenAIEmbedder(
        api_key=Secret(KEY), model="custom-model", dimensions=4, base_url=fake.url, max_retries=0
    )
    with pytest.raises(EmbedderError, match="expected 4-d"):
        embedder.embed(["x"])
