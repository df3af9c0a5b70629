"""A fake LLM provider on 127.0.0.1:0 speaking the Anthropic Messages and OpenAI Chat
Completions wire formats, so tests drive the real SDKs through ``base_url``."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import gevent
import gevent.event
from gevent.pywsgi import WSGIServer


@dataclass
class Script:
    """One scripted reply: an answer text (wrapped in the provider's envelope) or a raw
    status/body, optionally delayed."""

    text: str | None = None
    status: int = 200
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stop_reason: str = "end_turn"
    drip: float = 0.0  # seconds between single bytes of the body (a dripping server)


class FakeProvider:
    """Serves scripted replies in order (the last one repeats) and records each request."""

    def __init__(self) -> None:
        self.scripts: deque[Script] = deque()
        self.requests: list[dict[str, Any]] = []
        self.release = gevent.event.Event()  # set at shutdown: slow replies end at once
        self._server = WSGIServer(("127.0.0.1", 0), self._app, log=None, error_log=None)

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def anthropic_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *scripts: Script) -> None:
        self.scripts.extend(scripts)

    def _next(self) -> Script:
        if len(self.scripts) > 1:
            return self.scripts.popleft()
        return self.scripts[0] if self.scripts else Script(status=500, body="{}")

    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        path = environ["PATH_INFO"]
        self.requests.append(
            {
                "path": path,
                "body": json.loads(raw or b"{}"),
                "headers": {k: v for k, v in environ.items() if k.startswith("HTTP_")},
            }
        )
        script = self._next()
        if script.delay:
            self.release.wait(timeout=script.delay)
        if script.body is not None:
            body = script.body
        elif path.endswith("/messages"):
            body = json.dumps(anthropic_envelope(script.text or "", script.stop_reason))
        else:
            finish = "length" if script.stop_reason == "max_tokens" else "stop"
            body = json.dumps(openai_envelope(script.text or "", finish))
        headers = [("Content-Type", "application/json"), *script.headers.items()]
        start_response(f"{script.status} Scripted", headers)
        if script.drip:
            return self._drip(body.encode(), script.drip)
        return [body.encode()]

    def _drip(self, body: bytes, pause: float) -> Iterator[bytes]:
        for index in range(len(body)):
            if self.release.wait(timeout=pause):
                return
            yield body[index : index + 1]

    def start(self) -> None:
        self._server.start()

    def refuse(self) -> None:
        """Stop listening: every connection is refused until :meth:`resume`."""
        self._port = self.port
        self._server.stop(timeout=1)

    def resume(self) -> None:
        """Listen again on the same port (the SDK clients keep their ``base_url``)."""
        self._server = WSGIServer(("127.0.0.1", self._port), self._app, log=None, error_log=None)
        self._server.start()

    def stop(self) -> None:
        self.release.set()
        self._server.stop(timeout=1)


def anthropic_envelope(text: str, stop_reason: str = "end_turn") -> dict[str, Any]:
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 1200, "output_tokens": 150},
    }


def openai_envelope(text: str, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 150, "total_tokens": 1350},
    }


@contextmanager
def fake_provider() -> Iterator[FakeProvider]:
    server = FakeProvider()
    server.start()
    try:
        yield server
    finally:
        server.stop()
