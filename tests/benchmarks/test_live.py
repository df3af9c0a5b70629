"""The live suite's probes: /health's body is read whatever its status, and a process's
CPU seconds come from /proc."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mediator_actors.benchmarks.live import _cpu_seconds, _health, _percentile


class _Health(BaseHTTPRequestHandler):
    status = 503

    def do_GET(self) -> None:
        body = json.dumps({"index": {"size": 3}, "queues": {}}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("status", [200, 503])
def test_the_health_body_is_read_whatever_the_status(
    server: ThreadingHTTPServer, status: int
) -> None:
    _Health.status = status
    assert _health(server.server_address[1]) == {"index": {"size": 3}, "queues": {}}


def test_no_server_is_no_body() -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), _Health) as httpd:
        port = httpd.server_address[1]
    assert _health(port) is None


def test_cpu_seconds_grow_with_work_and_percentiles_pick_the_tail() -> None:
    before = _cpu_seconds(os.getpid())
    sum(i * i for i in range(2_000_000))
    assert _cpu_seconds(os.getpid()) > before
    assert _percentile([1.0, 2.0, 3.0, 10.0], 0.99) == 10.0
    assert _percentile([1.0, 2.0, 3.0], 0.5) == 2.0
