"""A hardened gevent ``WSGIServer`` for the node's edge (health/API and monitoring WebSocket).

gevent's pywsgi has no header-read timeout (ten half-sent requests locked a pool and
``/health`` timed out: field notes), Nagle plus delayed ACK costs 44 ms per keep-alive
request, and the request line, headers and body are bounded only loosely. This module adds:

- a *total* deadline for the request line and headers (a slowloris dripping one byte at a time
  cannot reset it), also the keep-alive idle limit between requests;
- ``TCP_NODELAY`` on every accepted socket;
- request-line, header-count, header-bytes and body-size limits, answered with 414/431/413;
- a connection cap answered with an immediate 503 (the accept loop never stalls);
- port 0 with the bound port readable after :meth:`EdgeServer.start`.

Everything here runs on the gevent hub; nothing blocks it.
"""

from __future__ import annotations

import json
import logging
import re
import socket
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import gevent
from gevent import pywsgi
from gevent.pywsgi import WSGIHandler, WSGIServer

log = logging.getLogger("mediator.edge")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_for_log(text: str, limit: int = 300) -> str:
    """Client-controlled text made safe for one log line (threats.md E): no CR/LF, ANSI, bidi."""
    cut = text[:limit]
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", cut) + (
        "..." if len(text) > limit else ""
    )


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-server request limits. Defaults suit a loopback monitoring endpoint."""

    header_timeout_s: float = 5.0
    max_request_line: int = 4096
    max_header_count: int = 64
    max_header_bytes: int = 16 * 1024
    max_body_bytes: int = 64 * 1024
    max_connections: int = 1024
    #: Socket timeout while the application runs (slow body, slow reader of a response).
    io_timeout_s: float = 10.0


def _response(status: str, reason: str) -> bytes:
    body = json.dumps({"error": reason}).encode("ascii")
    return (
        f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"X-Content-Type-Options: nosniff\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("ascii") + body


_BUSY = _response("503 Service Unavailable", "busy")


class RequestRefusedError(ValueError):
    """A request broke a limit; carries the canned response. A ValueError so pywsgi logs it
    as a client error, never a traceback."""

    def __init__(self, code: str, response: bytes) -> None:
        super().__init__(code)
        self.code = code
        self.response = response


class _SlowRequest(socket.timeout):
    """The header deadline fired. A socket error, so pywsgi treats it as the peer going away."""


def _read_headers(rfile: Any, limits: Limits) -> Any:
    """Read header lines with our own bounds, then let the stdlib parse the bounded bytes."""
    buf = BytesIO()
    total = 0
    for count in range(limits.max_header_count + 1):
        line = rfile.readline(limits.max_header_bytes - total + 1)
        total += len(line)
        if total > limits.max_header_bytes or count == limits.max_header_count:
            raise RequestRefusedError(
                "431", _response("431 Request Header Fields Too Large", "headers too large")
            )
        if line in (b"\r\n", b"\n", b""):
            buf.write(line)
            break
        if line[:1] in (b" ", b"\t"):
            # obs-fold (RFC 9112 5.2): would splice CR/LF into a header value; refuse it.
            raise RequestRefusedError("400", _response("400 Bad Request", "bad header"))
        buf.write(line)
    buf.seek(0)
    return pywsgi.headers_factory(buf)


class EdgeHandler(WSGIHandler):  # type: ignore[misc]
    """pywsgi handler with the limits of :class:`Limits` (``self.server.limits``)."""

    _deadline: gevent.Timeout | None = None

    def MessageClass(self, fp: Any, *args: Any) -> Any:  # noqa: N802 - pywsgi's name
        return _read_headers(fp, self.server.limits)

    def handle_one_request(self) -> Any:
        limits: Limits = self.server.limits
        if self.socket is not None:
            self.socket.settimeout(limits.io_timeout_s)
        self._deadline = gevent.Timeout(limits.header_timeout_s, _SlowRequest("header timeout"))
        self._deadline.start()
        try:
            return super().handle_one_request()
        except _SlowRequest:
            return None
        finally:
            self._deadline.cancel()

    def read_requestline(self) -> str:
        limits: Limits = self.server.limits
        raw = self.rfile.readline(limits.max_request_line + 1)
        if len(raw) > limits.max_request_line:
            # pywsgi answers 414 for a line at or over its own (larger) limit.
            return "x" * int(pywsgi.MAX_REQUEST_LINE)
        return str(raw.decode("latin-1"))

    def read_request(self, raw_requestline: str) -> bool:
        try:
            ok: bool = super().read_request(raw_requestline)
        finally:
            if self._deadline is not None:
                self._deadline.cancel()
        limits: Limits = self.server.limits
        chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        if chunked or (self.content_length or 0) > limits.max_body_bytes:
            raise RequestRefusedError("413", _response("413 Payload Too Large", "body too large"))
        return ok

    def _handle_client_error(self, ex: BaseException) -> Any:
        if isinstance(ex, RequestRefusedError):
            return (ex.code, ex.response)
        if isinstance(ex, _SlowRequest):
            return None
        return super()._handle_client_error(ex)

    def log_error(self, msg: str, *args: Any) -> None:
        try:
            text = msg % args if args else msg
        except (TypeError, ValueError):
            text = msg
        log.info("edge client error: %s", escape_for_log(str(text)))

    def log_request(self) -> None:
        """No access log: request lines are client-controlled and the probes are frequent."""


class _EscapingLog:
    """pywsgi's error_log, routed to logging with client text escaped."""

    def write(self, text: str) -> None:
        if text.strip():
            log.warning("edge: %s", escape_for_log(text.strip()))

    def flush(self) -> None:
        pass


class _Server(WSGIServer):  # type: ignore[misc]
    def __init__(self, *args: Any, limits: Limits, **kwargs: Any) -> None:
        self.limits = limits
        self.active = 0
        super().__init__(*args, log=None, error_log=_EscapingLog(), **kwargs)

    def handle(self, sock: socket.socket, address: Any) -> None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            return
        if self.active >= self.limits.max_connections:
            # Refuse at once rather than stop accepting: a full pool would also lock out probes.
            try:
                sock.settimeout(0.5)
                sock.sendall(_BUSY)
                # Half-close and drain a little: closing with unread input sends RST, which can
                # destroy the 503 before the peer reads it.
                sock.shutdown(socket.SHUT_WR)
                sock.recv(4096)
            except OSError:
                pass
            return
        self.active += 1
        try:
            super().handle(sock, address)
        finally:
            self.active -= 1


def ensure_fd_budget(needed: int) -> int:
    """Raise the soft file-descriptor limit toward the hard one so ``needed`` sockets fit.

    Returns the soft limit now in force; the caller warns if it is still below ``needed``
    (running out of descriptors makes ``accept`` fail for probes too: threats.md G).
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            soft = want
        except (ValueError, OSError):
            pass
    return int(soft)


class EdgeServer:
    """Serves a WSGI ``app`` on ``host:port`` with :class:`Limits`.

    ``start()`` binds and returns the bound ``(host, port)`` (port 0 picks a free one);
    ``stop(timeout)`` closes the listener and waits up to ``timeout`` s for handlers.
    Neither blocks the hub for more than a bind/close.
    """

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        limits: Limits | None = None,
        handler_class: type[WSGIHandler] = EdgeHandler,
        backlog: int = 1024,
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.limits = limits or Limits()
        self.handler_class = handler_class
        self.backlog = backlog
        self._server: _Server | None = None

    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("server not started")
        host, port = self._server.address[:2]
        return (str(host), int(port))

    @property
    def active_connections(self) -> int:
        return self._server.active if self._server is not None else 0

    def start(self) -> tuple[str, int]:
        if self._server is not None:
            return self.address
        server = _Server(
            (self.host, self.port),
            self.app,
            limits=self.limits,
            handler_class=self.handler_class,
            backlog=self.backlog,
        )
        server.start()
        self._server = server
        return self.address

    def stop(self, timeout: float = 5.0) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop(timeout=timeout)
