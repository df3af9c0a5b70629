"""The monitoring WebSocket on ``WS_PORT``: challenge-response Ed25519 auth, bounded frames,
per-client send queues, subscriptions with filters and heartbeats.

Protocol (JSON text frames):

1. server → ``{"type":"challenge","v":1,"challenge":<64 hex>,"server":<server id>}``
2. client → ``{"type":"auth","key":<ed25519 public key hex>,"signature":<128 hex>}``, the
   signature over :func:`auth_message` (domain ``nlc-mediator/ws-auth/v1``, the challenge's
   32 bytes, the server id); or, from the dashboard, ``{"type":"ticket","ticket":<64 hex>}``
   with a single-use ticket from ``POST /api/v1/ws-ticket`` (:mod:`tickets`). One attempt
   per connection, within ``WS_AUTH_TIMEOUT_MS``.
3. server → ``{"type":"welcome","channels":[...]}``; then the client sends
   ``{"type":"subscribe","channel":C,"filter":{"party"|"intent"|"settlement": V}}``,
   ``{"type":"unsubscribe","channel":C}`` or ``{"type":"ping"}``. A new subscription is
   answered with ``subscribed``, then ``{"type":"snapshot","channel":C,"data":{...}}`` (the
   channel's current state, so a quiet node is not a silent one), then ``event`` frames.

Anything else (no key configured, unknown key, bad or replayed signature, late answer, hostile
Origin, oversized or endless frames, floods, too many subscriptions) closes the socket with the
same frame: code 1008, reason ``refused``. The reason is logged here, never told to the peer.

Frame lengths are checked from the header, before any payload is read (gevent-websocket would
read whatever length a peer declares: field notes).
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import gevent
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from gevent.lock import Semaphore
from gevent.queue import Full, Queue
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import WebSocket

from mediator_actors.edge.hub import CHANNELS, EventHub, Filter, frame
from mediator_actors.edge.server import EdgeHandler, escape_for_log
from mediator_actors.edge.tickets import TicketBook
from mediator_actors.edge.ws_protocol import (
    AUTH_DOMAIN,
    HEX64,
    REFUSED_CODE,
    REFUSED_REASON,
    WS_KEY,
    BoundedWebSocket,
    Refused,
    TokenBucket,
    WsLimits,
    auth_message,
    is_hex,
    parse_filter,
    parse_message,
)
from mediator_actors.monitoring import MonitoringEvent

__all__ = ["AUTH_DOMAIN", "ClientConnection", "WsApp", "WsHandler", "WsLimits", "auth_message"]

log = logging.getLogger("mediator.edge.ws")


class Ticket:
    """One admitted connection's slot in the counters; :meth:`release` is idempotent."""

    def __init__(self, app: WsApp) -> None:
        self.app = app
        self.authenticated = False
        self.released = False

    def promote(self) -> bool:
        app = self.app
        if app.authenticated >= app.limits.max_connections:
            return False
        app.pending -= 1
        app.authenticated += 1
        self.authenticated = True
        return True

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        if self.authenticated:
            self.app.authenticated -= 1
        else:
            self.app.pending -= 1


class ClientConnection:
    """An authenticated client: subscriptions, a bounded queue of encoded frames and its own
    sender greenlet.

    :meth:`offer` never blocks: when nothing is queued or being written it tries one
    non-blocking ``send`` on the raw socket (most frames leave here, with no greenlet switch);
    whatever does not fit goes to the queue, which the sender drains with a deadline. A full
    queue closes this client alone.
    """

    PING = frame(WebSocket.OPCODE_PING, b"")

    def __init__(
        self, app: WsApp, ws: BoundedWebSocket, sock: Any, name: str, *, key: str | None
    ) -> None:
        self.app, self.ws, self.sock, self.name = app, ws, sock, name
        #: The public key it authenticated with: revoking it closes this connection. None
        #: for a dashboard session (a ticket, issued against the API's bearer token).
        self.key = key
        # gevent keeps the real socket non-blocking underneath: a send on it never waits.
        self.raw = getattr(sock, "_sock", None)
        self.subscriptions: dict[str, set[Filter]] = {}
        self.queue: Queue[bytes] = Queue(maxsize=app.limits.send_queue)
        self.write_lock = Semaphore()
        self.busy = False
        self.closed = False
        self.last_seen = time.monotonic()
        self.sender: gevent.Greenlet | None = None

    def wants(self, channel: str, event: MonitoringEvent) -> bool:
        filters = self.subscriptions.get(channel)
        return bool(filters) and any(f.matches(event) for f in filters or ())

    def offer(self, data: bytes | None) -> bool:
        """Send or queue one encoded frame; never blocks. False if closed or now closing."""
        if self.closed or data is None:
            return False
        if (
            not self.busy
            and self.raw is not None
            and self.queue.empty()
            and not self.write_lock.locked()
        ):
            try:
                sent = self.raw.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                gevent.spawn(self.close)
                return False
            if sent == len(data):
                return True
            data = data[sent:]  # the rest goes first in the queue, so order holds
        try:
            self.queue.put_nowait(data)
            return True
        except Full:
            log.info("ws client %s closed: send queue full (slow reader)", self.name)
            gevent.spawn(self.close)
            return False

    def start(self) -> None:
        self.sender = gevent.spawn(self._send_loop)

    def _send_loop(self) -> None:
        try:
            while not self.closed:
                data = self.queue.get()
                self.busy = True
                with gevent.Timeout(self.app.limits.send_timeout_s), self.write_lock:
                    self.sock.sendall(data)
                self.busy = False
        except (gevent.Timeout, OSError):
            pass  # Timeout: a slow reader; OSError: gone
        finally:
            gevent.spawn(self.close)

    def close(self, code: int = 1000, reason: str = "") -> None:
        if self.closed:
            return
        self.closed = True
        self.app.hub.unsubscribe(self)
        if self.sender is not None and self.sender is not gevent.getcurrent():
            self.sender.kill(block=False)
        self.app.close_socket(self.ws, self.sock, code, reason, self.write_lock)


class _EscapingLogger:
    """gevent-websocket logs client header values; route them through our escaping."""

    def _emit(self, level: int, msg: str, *args: Any) -> None:
        if log.isEnabledFor(level):
            try:
                text = msg % args if args else msg
            except (TypeError, ValueError):
                text = msg
            log.log(level, "websocket: %s", escape_for_log(str(text)))

    def debug(self, msg: str, *args: Any) -> None:
        self._emit(logging.DEBUG, msg, *args)

    def info(self, msg: str, *args: Any) -> None:
        self._emit(logging.INFO, msg, *args)

    def warning(self, msg: str, *args: Any) -> None:
        self._emit(logging.WARNING, msg, *args)

    def error(self, msg: str, *args: Any) -> None:
        self._emit(logging.ERROR, msg, *args)

    def exception(self, msg: str, *args: Any) -> None:
        self._emit(logging.ERROR, msg, *args)


_WS_LOG = _EscapingLogger()


class WsHandler(EdgeHandler, WebSocketHandler):  # type: ignore[misc]
    """The edge limits plus gevent-websocket's upgrade, with our bounded WebSocket and the
    admission gate (connection caps, Origin policy, admission rate) before the 101."""

    @property
    def logger(self) -> _EscapingLogger:
        return _WS_LOG

    def upgrade_websocket(self) -> Any:
        app: WsApp = self.server.application
        if self.environ.get("HTTP_UPGRADE", "").lower() != "websocket":
            return None  # a plain request: the WSGI app answers it
        refusal = app.gate(self.environ)
        if isinstance(refusal, str):
            self.start_response(refusal, [("Content-Type", "application/json")])
            return [json.dumps({"error": REFUSED_REASON}).encode()]
        ticket = refusal
        if not WS_KEY.fullmatch(self.environ.get("HTTP_SEC_WEBSOCKET_KEY", "")):
            # gevent-websocket lets a malformed key raise binascii.Error (a 500 with a traceback).
            ticket.release()
            self.start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [json.dumps({"error": REFUSED_REASON}).encode()]
        try:
            result = super().upgrade_websocket()
        except BaseException:
            ticket.release()
            raise
        ws = getattr(self, "websocket", None)
        if ws is None:
            ticket.release()
            return result
        bounded = BoundedWebSocket(self.environ, ws.stream, self)
        bounded.limits = app.limits
        bounded.on_activity = _noop
        bounded.on_ping = _noop_ping
        ws.closed = True  # the replaced object must never write a close frame of its own
        self.websocket = bounded
        self.environ["wsgi.websocket"] = bounded
        self.environ["mediator.ws_ticket"] = ticket
        self.environ["mediator.ws_socket"] = self.socket
        self.socket.settimeout(None)  # the auth deadline and heartbeats bound reads from here on
        return result

    def run_websocket(self) -> None:
        try:
            super().run_websocket()
        finally:
            ticket = self.environ.get("mediator.ws_ticket") if self.environ else None
            if ticket is not None:
                ticket.release()


def _noop() -> None:
    pass


def _noop_ping(payload: bytes) -> None:
    pass  # before auth nobody answers pings: the peer has one job, to answer the challenge


class WsApp:
    """The WSGI app on ``WS_PORT``: ``GET /`` counts, ``/ws`` the socket.

    ``authorized_keys()`` returns ``{public key hex: name}`` and is called on every auth attempt,
    so a revoked key stops working for new connections at once; every ``key_check_s`` while
    clients are connected it is called again and the sessions of a key no longer in it are
    closed (:meth:`close_revoked`). Nothing here blocks the hub.
    """

    def __init__(
        self,
        hub: EventHub,
        *,
        server_id: str,
        authorized_keys: Callable[[], Mapping[str, str]],
        limits: WsLimits | None = None,
        allowed_origins: Iterable[str] = (),
        key_check_s: float = 1.0,
        tickets: TicketBook | None = None,
        snapshot: Callable[[str], Mapping[str, Any] | None] | None = None,
    ) -> None:
        self.hub = hub
        self.tickets = tickets
        #: The channel's current state, sent once after each new subscription.
        self.snapshot = snapshot
        self.key_check_s = key_check_s
        self.server_id = server_id
        self.authorized_keys = authorized_keys
        self.limits = limits or WsLimits()
        self.allowed_origins = frozenset(allowed_origins)
        #: The health server's port once bound: pages it serves may open the socket.
        self.dashboard_port: int | None = None
        self.pending = 0
        self.authenticated = 0
        self.auth_failures = 0
        self.clients: set[ClientConnection] = set()
        self._admit = TokenBucket(self.limits.admit_rate, self.limits.admit_burst)
        self._heartbeat: gevent.Greenlet | None = None
        self._key_watch: gevent.Greenlet | None = None
        self.revoked_closed = 0
        self._refusal_window = 0.0
        self._refusals_logged = 0
        self._refusals_hidden = 0

    def _log_refusal(self, reason: str) -> None:
        """At most 20 refusal lines per 10 s, then one line with the count: a flood of bogus
        attempts must not become a flood of log lines."""
        now = time.monotonic()
        if now - self._refusal_window >= 10.0:
            if self._refusals_hidden:
                log.info("ws refused %d more connections in the last window", self._refusals_hidden)
            self._refusal_window, self._refusals_logged, self._refusals_hidden = now, 0, 0
        if self._refusals_logged < 20:
            self._refusals_logged += 1
            log.info("ws refused: %s", reason)
        else:
            self._refusals_hidden += 1

    # admission

    def origin_allowed(self, origin: str, host_header: object) -> bool:
        """A listed origin, or the dashboard's own page: ``http://`` + the host this request
        was addressed to + the health port (:attr:`dashboard_port`), so a node bound to
        every address serves its dashboard to whatever name a browser reached it by. A
        browser cannot forge either header; the ticket is the authentication, this only
        keeps other sites' pages out."""
        if origin in self.allowed_origins:
            return True
        if self.dashboard_port is None or not isinstance(host_header, str):
            return False
        host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
        return bool(host) and origin == f"http://{host}:{self.dashboard_port}"

    def gate(self, environ: Mapping[str, Any]) -> Ticket | str:
        origin = environ.get("HTTP_ORIGIN")
        if environ.get("PATH_INFO") != "/ws":
            return "404 Not Found"
        if origin is not None and not self.origin_allowed(origin, environ.get("HTTP_HOST")):
            self._log_refusal("origin not allowed")
            return "403 Forbidden"
        busy = (
            self.pending >= self.limits.max_unauthenticated
            or self.pending + self.authenticated >= self.limits.max_connections
            or not self._admit.take()
        )
        if busy:
            return "503 Service Unavailable"
        self.pending += 1
        return Ticket(self)

    # WSGI

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        ws = environ.get("wsgi.websocket")
        if ws is not None:
            self.serve(ws, environ["mediator.ws_ticket"], environ["mediator.ws_socket"])
            return []
        path = environ.get("PATH_INFO")
        if path == "/" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return _json(start_response, "200 OK", self.counts())
        if path == "/ws":
            return _json(start_response, "400 Bad Request", {"error": "websocket upgrade required"})
        return _json(start_response, "404 Not Found", {"error": "not found"})

    def counts(self) -> dict[str, int]:
        return {
            "connections": self.pending + self.authenticated,
            "authenticated": self.authenticated,
            "limit": self.limits.max_connections,
        }

    # one connection

    def serve(self, ws: BoundedWebSocket, ticket: Ticket, sock: Any) -> None:
        try:
            name, key = self._authenticate(ws)
        except (Refused, gevent.Timeout) as exc:
            self.auth_failures += 1
            self._log_refusal(f"auth refused: {_why(exc)}")
            self.close_socket(ws, sock, REFUSED_CODE, REFUSED_REASON, None)
            return
        except OSError:
            self.close_socket(ws, sock, 1000, "", None)
            return
        except Exception as exc:  # noqa: BLE001 - a bug here must close one socket, not leak
            log.error("ws auth failed unexpectedly: %s", type(exc).__name__)
            self.close_socket(ws, sock, REFUSED_CODE, REFUSED_REASON, None)
            return
        if not ticket.promote():
            self._log_refusal("authenticated connection limit")
            self.close_socket(ws, sock, REFUSED_CODE, REFUSED_REASON, None)
            return
        client = ClientConnection(self, ws, sock, name, key=key)
        ws.on_activity = lambda: setattr(client, "last_seen", time.monotonic())
        ws.on_ping = lambda payload: client.offer(frame(WebSocket.OPCODE_PONG, bytes(payload)))
        self.clients.add(client)
        self._ensure_heartbeat()
        try:
            client.offer(self.hub.encode_frame({"type": "welcome", "channels": sorted(CHANNELS)}))
            client.start()
            self._client_loop(client)
        except Refused as exc:
            log.info("ws client %s refused: %s", name, exc)
            client.close(REFUSED_CODE, REFUSED_REASON)
        except (OSError, gevent.Timeout):
            pass  # the peer went away, or a send deadline passed
        except Exception as exc:  # noqa: BLE001 - a bug here must close one client, not leak
            log.error("ws client %s failed unexpectedly: %s", name, type(exc).__name__)
        finally:
            self.clients.discard(client)
            client.close()

    def _authenticate(self, ws: BoundedWebSocket) -> tuple[str, str | None]:
        """The authenticated key's name and public key hex (``None`` for a dashboard
        ticket), or :class:`Refused`."""
        challenge = secrets.token_bytes(32)
        keys = self.authorized_keys()
        with gevent.Timeout(self.limits.auth_timeout_s):
            challenge_text = self.hub.encode(
                {
                    "type": "challenge",
                    "v": 1,
                    "challenge": challenge.hex(),
                    "server": self.server_id,
                }
            )
            if challenge_text is None:
                raise Refused("challenge could not be encoded")
            ws.send_frame(challenge_text, WebSocket.OPCODE_TEXT)
            text = ws.read_message()
        msg = parse_message(text)
        if msg.get("type") == "ticket":
            holder = None if self.tickets is None else self.tickets.redeem(msg.get("ticket"))
            if holder is None:
                raise Refused("unknown, spent or expired ticket")
            log.info("ws client authenticated as %s (dashboard ticket)", holder)
            return holder, None
        if not keys:
            raise Refused("no authorised keys configured")  # fail closed, after the same exchange
        key_hex, sig_hex = msg.get("key"), msg.get("signature")
        if msg.get("type") != "auth" or not is_hex(key_hex, HEX64) or not is_hex(sig_hex, 128):
            raise Refused("malformed auth message")
        # Verify before looking the key up, so an unknown key and a bad signature cost the same
        # and answer the same: the peer learns nothing about which keys are authorised.
        try:
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(str(key_hex)))
            key.verify(bytes.fromhex(str(sig_hex)), auth_message(challenge, self.server_id))
            valid = True
        except (InvalidSignature, ValueError):
            valid = False
        name = keys.get(str(key_hex))
        if name is None:
            raise Refused("unknown key")
        if not valid:
            raise Refused(f"bad signature for key {name}")
        log.info("ws client authenticated as %s", name)
        return name, str(key_hex)

    def _client_loop(self, client: ClientConnection) -> None:
        bucket = TokenBucket(self.limits.message_rate, self.limits.message_burst)
        while not client.closed:
            text = client.ws.read_message()
            if text is None:
                return
            if not bucket.take():
                raise Refused("message flood")
            self._handle(client, parse_message(text))

    def _handle(self, client: ClientConnection, msg: Mapping[str, Any]) -> None:
        kind, channel = msg.get("type"), msg.get("channel")
        if kind == "ping":
            client.offer(self.hub.encode_frame({"type": "pong"}))
            return
        if kind not in ("subscribe", "unsubscribe") or channel not in CHANNELS:
            raise Refused("invalid request")
        fresh = False
        if kind == "unsubscribe":
            client.subscriptions.pop(str(channel), None)
            self.hub.unsubscribe(client, str(channel))
        else:
            flt = parse_filter(msg.get("filter"))
            total = sum(len(f) for f in client.subscriptions.values())
            fresh = str(channel) not in client.subscriptions
            filters = client.subscriptions.setdefault(str(channel), set())
            if flt not in filters and total >= self.limits.max_subscriptions:
                raise Refused("too many subscriptions")
            filters.add(flt)
            self.hub.subscribe(client, str(channel))
        client.offer(
            self.hub.encode_frame({"type": "subscribed", "channels": sorted(client.subscriptions)})
        )
        if fresh:
            self._send_snapshot(client, str(channel))

    def _send_snapshot(self, client: ClientConnection, channel: str) -> None:
        if self.snapshot is None:
            return
        try:
            data = self.snapshot(channel)
        except Exception as exc:  # noqa: BLE001 - a failed read costs the snapshot, not the client
            log.warning("ws snapshot of %s failed: %s", channel, type(exc).__name__)
            return
        if data is not None:
            client.offer(
                self.hub.encode_frame({"type": "snapshot", "channel": channel, "data": dict(data)})
            )

    # heartbeats and closing

    def _ensure_heartbeat(self) -> None:
        if self._heartbeat is None or self._heartbeat.dead:
            self._heartbeat = gevent.spawn(self._heartbeat_loop)
        if self._key_watch is None or self._key_watch.dead:
            self._key_watch = gevent.spawn(self._key_watch_loop)

    def close_revoked(self) -> int:
        """Close every session whose key is no longer authorised (revoked, or removed from
        ``WS_AUTHORIZED_KEYS``), with the one refusal frame; returns how many."""
        keys = self.authorized_keys()
        closed = 0
        for client in list(self.clients):
            if not client.closed and client.key is not None and client.key not in keys:
                log.info("ws client %s closed: its key was revoked", client.name)
                gevent.spawn(client.close, REFUSED_CODE, REFUSED_REASON)
                closed += 1
        self.revoked_closed += closed
        return closed

    def _key_watch_loop(self) -> None:
        """While anyone is connected, look for revoked keys every ``key_check_s`` (a ``stat``
        of the key file each time: cheap)."""
        while self.clients:
            gevent.sleep(self.key_check_s)
            try:
                self.close_revoked()
            except Exception as exc:  # noqa: BLE001 - a broken key source must not end the watch
                log.error("ws key check failed: %s", type(exc).__name__)

    def _heartbeat_loop(self) -> None:
        """One greenlet for every client: ping each, close those silent for two beats."""
        beat = self.limits.heartbeat_s
        while self.clients:
            gevent.sleep(beat)
            now = time.monotonic()
            for client in list(self.clients):
                if now - client.last_seen > 2 * beat:
                    log.info("ws client %s closed: no heartbeat", client.name)
                    gevent.spawn(client.close)
                else:
                    client.offer(ClientConnection.PING)

    def close_socket(
        self, ws: Any, sock: Any, code: int, reason: str, lock: Semaphore | None
    ) -> None:
        """Best-effort close frame (bounded wait), then shut the socket so the reader wakes."""
        payload = code.to_bytes(2, "big") + reason.encode()
        try:
            with gevent.Timeout(1.0):
                if lock is not None:
                    with lock:
                        ws.send_frame(payload, WebSocket.OPCODE_CLOSE)
                else:
                    ws.send_frame(payload, WebSocket.OPCODE_CLOSE)
        except (gevent.Timeout, OSError, AttributeError):
            pass
        ws.closed = True
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        for client in list(self.clients):
            client.close(1001, "going away")
        for watcher in (self._heartbeat, self._key_watch):
            if watcher is not None:
                watcher.kill(block=False)


def _why(exc: BaseException) -> str:
    return "auth timeout" if isinstance(exc, gevent.Timeout) else str(exc)


def _json(start_response: Callable[..., Any], status: str, value: Any) -> list[bytes]:
    body = json.dumps(value).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]
