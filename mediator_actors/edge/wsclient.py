"""A minimal RFC 6455 client for ``mediator-node watch``, the tests and the benchmark.

Why not ``websocket-client``: gevent-websocket has no client, and a dependency for ~150 lines of
framing is not worth it here; the tests also need raw control (a frame *claiming* 1 GiB, endless
fragments, unmasked frames) that a polished client refuses to produce. Plain blocking sockets:
cooperative under gevent's patching, ordinary threads otherwise. Inbound frames are bounded.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import socket
import struct
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mediator_actors.edge.ws import auth_message
from mediator_actors.errors import MediatorError

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


class WsClientError(MediatorError):
    """The monitoring WebSocket refused us, closed, or spoke something we cannot read."""


class WsClosed(WsClientError):  # noqa: N818 - a state, not a fault
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed by server ({code} {reason})".strip())
        self.code = code
        self.reason = reason


class WsClient:
    def __init__(self, sock: socket.socket, *, max_frame: int = 16 * 1024 * 1024) -> None:
        self.sock = sock
        self.max_frame = max_frame
        self._buf = b""

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        timeout: float = 10.0,
        origin: str | None = None,
        max_frame: int = 16 * 1024 * 1024,
    ) -> WsClient:
        parts = urlsplit(url)
        if parts.scheme != "ws" or not parts.hostname:
            raise WsClientError("the URL must look like ws://HOST:PORT/ws")
        port = parts.port or 80
        sock = socket.create_connection((parts.hostname, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16))
        lines = [
            f"GET {parts.path or '/'} HTTP/1.1",
            f"Host: {parts.hostname}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key.decode()}",
            "Sec-WebSocket-Version: 13",
        ]
        if origin is not None:
            lines.append(f"Origin: {origin}")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        client = cls(sock, max_frame=max_frame)
        head = client._read_until(b"\r\n\r\n", 16384)
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status + b" ":
            sock.close()
            raise WsClientError(f"upgrade refused: {status.decode('latin-1')[:80]}")
        expected = base64.b64encode(hashlib.sha1(key + GUID).digest())  # noqa: S324 - RFC 6455
        if b"sec-websocket-accept: " + expected.lower() not in head.lower():
            sock.close()
            raise WsClientError("bad Sec-WebSocket-Accept")
        return client

    def _read_until(self, marker: bytes, limit: int) -> bytes:
        while marker not in self._buf:
            if len(self._buf) > limit:
                raise WsClientError("response head too large")
            chunk = self.sock.recv(4096)
            if not chunk:
                raise WsClientError("connection closed during handshake")
            self._buf += chunk
        head, self._buf = self._buf.split(marker, 1)
        return head

    def _read_exact(self, n: int) -> bytes:
        while len(self._buf) < n:
            chunk = self.sock.recv(max(65536, n - len(self._buf)))
            if not chunk:
                raise WsClosed(None, "connection lost")
            self._buf += chunk
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    # frames

    def send_frame(
        self,
        opcode: int,
        payload: bytes,
        *,
        fin: bool = True,
        length: int | None = None,
        mask: bool = True,
    ) -> None:
        """Send one frame. ``length`` lets tests *declare* a length other than the payload's."""
        n = len(payload) if length is None else length
        head = bytes([(0x80 if fin else 0) | opcode])
        mbit = 0x80 if mask else 0
        if n < 126:
            head += bytes([mbit | n])
        elif n < 65536:
            head += bytes([mbit | 126]) + struct.pack("!H", n)
        else:
            head += bytes([mbit | 127]) + struct.pack("!Q", n)
        if mask:
            key = os.urandom(4)
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
            head += key
        self.sock.sendall(head + payload)

    def send_json(self, value: Any) -> None:
        self.send_frame(OP_TEXT, json.dumps(value).encode())

    def recv_frame(self) -> tuple[int, bytes]:
        b1, b2 = self._read_exact(2)
        opcode, n = b1 & 0x0F, b2 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read_exact(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read_exact(8))[0]
        if n > self.max_frame:
            raise WsClientError("server frame too large")
        if b2 & 0x80:
            raise WsClientError("server frames must not be masked")
        return opcode, self._read_exact(n)

    def recv(self) -> Any:
        """The next JSON message; answers pings; raises :class:`WsClosed` on close."""
        while True:
            opcode, payload = self.recv_frame()
            if opcode == OP_PING:
                self.send_frame(OP_PONG, payload)
            elif opcode == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise WsClosed(code, payload[2:].decode("utf-8", "replace"))
            elif opcode == OP_TEXT:
                return json.loads(payload)

    def authenticate(self, private_key: Ed25519PrivateKey) -> dict[str, Any]:
        """Answer the server's challenge; returns the welcome message."""
        challenge = self.recv()
        if not isinstance(challenge, dict) or challenge.get("type") != "challenge":
            raise WsClientError("expected a challenge")
        message = auth_message(bytes.fromhex(challenge["challenge"]), str(challenge["server"]))
        public = private_key.public_key().public_bytes_raw().hex()
        self.send_json(
            {"type": "auth", "key": public, "signature": private_key.sign(message).hex()}
        )
        welcome = self.recv()
        if not isinstance(welcome, dict) or welcome.get("type") != "welcome":
            raise WsClientError("expected a welcome")
        return welcome

    def subscribe(self, channel: str, filter: dict[str, str] | None = None) -> None:
        msg: dict[str, Any] = {"type": "subscribe", "channel": channel}
        if filter:
            msg["filter"] = filter
        self.send_json(msg)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.send_frame(OP_CLOSE, struct.pack("!H", 1000))
        with contextlib.suppress(OSError):
            self.sock.close()
