"""Fixtures for the edge: real servers on 127.0.0.1:0, real sockets, a secret canary."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mediator_actors.edge.health_app import HealthApp
from mediator_actors.edge.hub import EventHub
from mediator_actors.edge.server import EdgeServer, Limits
from mediator_actors.edge.ws import WsApp, WsHandler, WsLimits
from mediator_actors.edge.wsclient import WsClient
from mediator_actors.health.report import SnapshotBox
from tests.edge import canary
from tests.edge.fakes import MemoryReadModel

SERVER_ID = "a" * 64


@pytest.fixture(autouse=True)
def _secret_canary(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """Secrets are configured for every test; none may appear in a response, frame or log."""
    monkeypatch.setenv("LLM_API_KEY", canary.CANARIES[0])
    monkeypatch.setenv("OPENAI_API_KEY", canary.CANARIES[1])
    monkeypatch.setenv("MEDIATOR_PRIVATE_KEY", canary.CANARIES[2])
    monkeypatch.setenv("CHAIN_API_KEY", canary.CANARIES[3])
    caplog.set_level(logging.DEBUG)
    canary.SEEN.clear()
    # Record everything any test receives, however it connects: HTTP through requests and
    # every WebSocket frame through the client.
    real_request = requests.sessions.Session.request
    real_recv_frame = WsClient.recv_frame

    def request(self: Any, *args: Any, **kwargs: Any) -> requests.Response:
        resp = real_request(self, *args, **kwargs)
        canary.record(resp.content)
        canary.record(str(resp.headers))
        return resp

    def recv_frame(self: WsClient) -> tuple[int, bytes]:
        op, payload = real_recv_frame(self)
        canary.record(payload)
        return op, payload

    monkeypatch.setattr(requests.sessions.Session, "request", request)
    monkeypatch.setattr(WsClient, "recv_frame", recv_frame)
    yield
    logged = [r.getMessage() for r in caplog.records]
    assert canary.leaks(canary.SEEN + logged) == []


class Http:
    """requests against a real server, recording every body for the canary."""

    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str, **kw: Any) -> requests.Response:
        return requests.get(self.base + path, timeout=kw.pop("timeout", 5), **kw)


@pytest.fixture
def box() -> SnapshotBox:
    return SnapshotBox()


@pytest.fixture
def read_model() -> MemoryReadModel:
    return MemoryReadModel()


@pytest.fixture
def limits() -> Limits:
    return Limits(header_timeout_s=0.5, io_timeout_s=2.0, max_connections=200)


@pytest.fixture
def health_server(
    box: SnapshotBox, read_model: MemoryReadModel, limits: Limits
) -> Iterator[EdgeServer]:
    server = EdgeServer(HealthApp(box, read_model=read_model), "127.0.0.1", 0, limits=limits)
    server.start()
    yield server
    server.stop(timeout=1)


@pytest.fixture
def http(health_server: EdgeServer) -> Http:
    host, port = health_server.address
    return Http(f"http://{host}:{port}")


@pytest.fixture
def operator_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def ws_limits() -> WsLimits:
    return WsLimits(auth_timeout_s=1.0, max_unauthenticated=8, max_connections=50, heartbeat_s=30.0)


class WsEnv:
    def __init__(self, app: WsApp, server: EdgeServer, key: Ed25519PrivateKey) -> None:
        self.app, self.server, self.key = app, server, key
        host, port = server.address
        self.url = f"ws://{host}:{port}/ws"
        self.http = f"http://{host}:{port}"
        self.keys: dict[str, str] = {key.public_key().public_bytes_raw().hex(): "ops"}
        self.clients: list[WsClient] = []

    def connect(self, **kw: Any) -> WsClient:
        client = WsClient.connect(self.url, timeout=kw.pop("timeout", 5), **kw)
        self.clients.append(client)
        return client

    def authed(self, **kw: Any) -> WsClient:
        client = self.connect(**kw)
        client.authenticate(self.key)
        return client


@pytest.fixture
def ws_env(operator_key: Ed25519PrivateKey, ws_limits: WsLimits) -> Iterator[WsEnv]:
    hub = EventHub()
    holder: dict[str, WsEnv] = {}
    app = WsApp(
        hub, server_id=SERVER_ID, authorized_keys=lambda: holder["env"].keys, limits=ws_limits
    )
    server = EdgeServer(
        app, "127.0.0.1", 0, handler_class=WsHandler, limits=Limits(header_timeout_s=1.0)
    )
    server.start()
    env = WsEnv(app, server, operator_key)
    holder["env"] = env
    yield env
    for c in env.clients:
        c.close()
    app.stop()
    server.stop(timeout=1)
