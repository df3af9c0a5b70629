"""A small hostile HTTP server on 127.0.0.1:0 that writes exactly the bytes a test wants."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Sequence
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


# A scripted chain: blocks and a pending pool served as the real node's API returns them.

ENTRY_TS = "2027-01-15T07:00:00.000001"


def chain_entry(author: str, kind: str, text: str, *, timestamp: str = ENTRY_TS) -> dict[str, Any]:
    """An intent entry (``kind`` offer or seek) as the chain returns it."""
    return {
        "author": author,
        "content": text,
        "intent": kind,
        "timestamp": timestamp,
        "metadata": {"is_contract": True, "contract_type": kind, "status": "open"},
        "validation_status": "accepted",
    }


def chain_block(
    index: int, entries: list[dict[str, Any]], block_hash: str, prev: str
) -> dict[str, Any]:
    return {
        "index": index,
        "timestamp": 1_800_000_000.0 + index,
        "entries": entries,
        "previous_hash": prev,
        "nonce": 0,
        "hash": block_hash,
    }


def serve_chain(
    server: HostileServer, blocks: list[dict[str, Any]], pending: Sequence[dict[str, Any]] = ()
) -> None:
    """``server`` answers as a chain of ``blocks`` with ``pending`` in its pool; blocks of a
    longer chain served before are gone."""
    latest = {"block": blocks[-1], "chain_length": len(blocks), "pending_entries": len(pending)}
    server.routes["/block/latest"] = send_text(json.dumps(latest))
    for i, block in enumerate(blocks):
        server.routes[f"/block/{i}"] = send_text(json.dumps(block))
    for i in range(len(blocks), len(blocks) + 5):
        server.routes.pop(f"/block/{i}", None)
    pool = {"count": len(pending), "entries": list(pending)}
    server.routes["/pending"] = send_text(json.dumps(pool))
