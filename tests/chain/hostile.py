"""A small hostile HTTP server on 127.0.0.1:0 that writes exactly the bytes a test wants."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

import gevent
from gevent.server import StreamServer

Handler = Callable[[socket.socket], None]


def response(
    body: bytes,
    *,
    status: str = "200 OK",
    ctype: str = "application/json",
    headers: dict[str, str] | None = None,
    length: bool = True,
) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {ctype}", "Connection: close"]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send(raw: bytes) -> Handler:
    return lambda sock: sock.sendall(raw)


def send_json(doc: Any, **kw: Any) -> Handler:
    return send(response(json.dumps(doc).encode("utf-8"), **kw))


def send_text(text: str, **kw: Any) -> Handler:
    return send(response(text.encode("utf-8"), **kw))


class HostileServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: list[str] = []
        self._server = StreamServer(("127.0.0.1", 0), self._handle)
        self._server.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._server.stop(timeout=0.2)

    def _handle(self, sock: socket.socket, _addr: object) -> None:
        sock.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                data += chunk
            head = data.split(b"\r\n", 1)[0].decode("latin-1")
            path = head.split(" ")[1]
            self.hits.append(path)
            handler = self.routes.get(path) or send_json(
                {"error": "Not found"}, status="404 NOT FOUND"
            )
            handler(sock)
        except OSError:
            pass
        finally:
            sock.close()


def drip(first: bytes, byte: bytes = b" ", every: float = 0.1, times: int = 1000) -> Handler:
    def handler(sock: socket.socket) -> None:
        sock.sendall(first)
        for _ in range(times):
            gevent.sleep(every)
            sock.sendall(byte)

    return handler


def endless(first: bytes, chunk: bytes) -> Handler:
    def handler(sock: socket.socket) -> None:
        sock.sendall(first)
        while True:
            sock.sendall(chunk)

    return handler
