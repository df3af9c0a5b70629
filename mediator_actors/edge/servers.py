"""Wiring for the lead: both edge servers built from :class:`Settings` in one call.

    edge = build_edge(settings, box=box, hub=hub, read_model=model, server_id=mediator_id)
    edge.start()   # binds HEALTH_HOST:HEALTH_PORT and WS_HOST:WS_PORT (port 0: any free one)
    ...
    edge.stop(timeout=5)

The health reporter actor calls ``box.set(snapshot)``; actors call ``hub.publish(channel,
event)`` after commit; ``hub.redact`` is the outbound secret scanner (identity by default).
``start`` and ``stop`` only bind and close sockets: safe to call from an actor's greenlet.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mediator_actors.config import Settings
from mediator_actors.edge.activity import ActivityLog
from mediator_actors.edge.business import OperatorModel
from mediator_actors.edge.health_app import HealthApp, Metrics
from mediator_actors.edge.hub import EventHub
from mediator_actors.edge.keys import KEY_FILE, KeyRing
from mediator_actors.edge.readmodel import ReadModel
from mediator_actors.edge.server import EdgeServer, Limits, ensure_fd_budget
from mediator_actors.edge.tickets import TicketBook, load_or_create_token
from mediator_actors.edge.ws import WsApp, WsHandler, WsLimits
from mediator_actors.health.report import SnapshotBox
from mediator_actors.safety.secrets import Secret

log = logging.getLogger("mediator.edge")


def ws_metrics(app: WsApp) -> Callable[[Metrics], None]:
    """``/metrics`` lines for the monitoring WebSocket (pass as ``HealthApp(extra_metrics=)``)."""

    def add(m: Metrics) -> None:
        hub = app.hub
        m.add("ws_connections", app.pending + app.authenticated, "open monitoring sockets")
        m.add("ws_authenticated", app.authenticated, "authenticated monitoring sockets")
        m.add("ws_connection_limit", app.limits.max_connections, "WS_MAX_CONNECTIONS")
        m.add("ws_auth_failures_total", app.auth_failures, "refused authentications", "counter")
        m.add("ws_events_published_total", hub.published, "events published", "counter")
        m.add(
            "ws_frames_delivered_total", hub.delivered, "event frames handed to clients", "counter"
        )
        m.add(
            "ws_slow_clients_dropped_total",
            hub.dropped_slow,
            "frames refused by full queues",
            "counter",
        )
        m.add(
            "ws_redaction_failures_total",
            hub.redaction_failures,
            "frames dropped by redaction",
            "counter",
        )
        recent = sorted(hub.fanout_seconds)
        if recent:
            p99 = recent[min(len(recent) - 1, int(0.99 * len(recent)))]
            m.add("ws_fanout_p99_seconds", p99, "publish to last client, large fan-outs")

    return add


@dataclass
class Edge:
    box: SnapshotBox
    hub: EventHub
    health_app: HealthApp
    ws_app: WsApp
    health: EdgeServer
    ws: EdgeServer
    activity: ActivityLog | None = None
    #: Where ``mediator-node dashboard`` finds the dashboard's token (None: in memory only).
    dashboard_token_file: Path | None = None
    bound: dict[str, tuple[str, int]] = field(default_factory=dict)

    def start(self) -> dict[str, tuple[str, int]]:
        """Bind both servers, then :meth:`announce`; returns their bound addresses."""
        self.health.start()
        self.ws.start()
        self.announce()
        return self.bound

    def announce(self) -> None:
        """Once both servers are bound (by :meth:`start`, or one by one by the caller): the
        dashboard's origin is allowed on the WebSocket, the activity log starts, and the
        operator's access lines are logged."""
        self.bound = {"health": self.health.address, "ws": self.ws.address}
        host, port = self.bound["health"]
        self.health_app.ws_port = self.bound["ws"][1]
        self.ws_app.allowed_origins = self.ws_app.allowed_origins | dashboard_origins(host, port)
        self.ws_app.dashboard_port = port
        if self.activity is not None:
            self.activity.start()
        for line in self.access_lines():
            log.info("%s", line)

    def urls(self) -> dict[str, str]:
        """The health, dashboard and WebSocket URLs as a person on this machine types them."""
        (hh, hp), (wh, wp) = self.bound["health"], self.bound["ws"]
        health = f"http://{_url_host(hh)}:{hp}"
        return {
            "health": f"{health}/health",
            "dashboard": f"{health}/dashboard/",
            "metrics": f"{health}/metrics",
            "ws": f"ws://{_url_host(wh)}:{wp}/ws",
        }

    def access_lines(self) -> list[str]:
        u = self.urls()
        how = (
            "`mediator-node dashboard` prints the link with its token"
            if self.dashboard_token_file is not None
            else "sign in with the API token"
        )
        return [
            f"health: {u['health']}   metrics: {u['metrics']}",
            f"dashboard: {u['dashboard']}   ({how})",
            f"watch: mediator-node watch --url {u['ws']}   (first, once: mediator-node keys new"
            " default)",
        ]

    def stop(self, timeout: float = 5.0) -> None:
        """Close client sockets (going away), then both listeners."""
        if self.activity is not None:
            self.activity.stop()
        self.ws_app.stop()
        self.ws.stop(timeout)
        self.health.stop(timeout)


def _url_host(host: str) -> str:
    """A bound address as a URL host: a wildcard bind is reached on loopback from here."""
    if host in ("0.0.0.0", ""):  # noqa: S104 - reading a bind, not making one
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def dashboard_origins(host: str, port: int) -> frozenset[str]:
    """The ``Origin`` values a browser sends for pages served by the health server: its
    bound address, plus the loopback names when it binds loopback or every address."""
    names = {_url_host(host)}
    try:
        addr = ipaddress.ip_address(host) if host else None
    except ValueError:
        addr = None
    if addr is None or addr.is_loopback or addr.is_unspecified:
        names |= {"127.0.0.1", "localhost", "[::1]"}
    return frozenset(f"http://{name}:{port}" for name in names)


def ws_limits_from(settings: Settings) -> WsLimits:
    total = settings.ws_max_connections
    return WsLimits(
        max_connections=total,
        # Unauthenticated sockets cost a challenge each and must answer fast: a small share.
        max_unauthenticated=max(1, min(64, total // 4 or 1)),
        auth_timeout_s=settings.ws_auth_timeout_ms / 1000.0,
    )


def build_edge(
    settings: Settings,
    *,
    box: SnapshotBox,
    hub: EventHub,
    server_id: str,
    read_model: ReadModel | None = None,
    allowed_origins: Iterable[str] = (),
    key_file: Path | None = None,
    dashboard_token_file: Path | None = None,
    activity: bool = True,
) -> Edge:
    """Both servers, configured from ``settings``; nothing is bound until :meth:`Edge.start`.

    ``server_id`` goes into every auth challenge (use the mediator's public key hex), so a
    signature made for one node is refused by another.

    The dashboard's bearer token is the API token where ``settings`` has one; else it is
    read from (or created in) ``dashboard_token_file``; else a random token held in memory. ``activity``
    logs the operator's narrative (:class:`ActivityLog`) from the hub's events.
    """
    ring = KeyRing(settings.ws_authorized_keys, key_file or Path(settings.data_dir) / KEY_FILE)
    ws_limits = ws_limits_from(settings)
    tickets = TicketBook()
    # The same authentication as the API: its token where one is configured.
    api_token = settings.api_token
    if api_token is not None:
        token, dashboard_token_file = api_token, None
    elif dashboard_token_file is not None:
        token = load_or_create_token(dashboard_token_file)
    else:
        token = Secret(secrets.token_urlsafe(32))
    ws_app = WsApp(
        hub,
        server_id=server_id,
        authorized_keys=ring.current,
        limits=ws_limits,
        allowed_origins=allowed_origins,
        tickets=tickets,
    )
    health_app = HealthApp(
        box,
        read_model=read_model,
        extra_metrics=ws_metrics(ws_app),
        tickets=tickets,
        dashboard_token=token,
        api_token=settings.api_token,
    )
    ws_app.snapshot = health_app.overview.channel
    narrator = None
    if activity:
        totals = read_model.business if isinstance(read_model, OperatorModel) else None
        narrator = ActivityLog(totals=totals)
        hub.listeners.append(narrator.observe)
    health = EdgeServer(health_app, settings.health_host, settings.health_port, limits=Limits())
    ws = EdgeServer(
        ws_app,
        settings.ws_host,
        settings.ws_port,
        handler_class=WsHandler,
        limits=Limits(
            max_connections=ws_limits.max_connections + ws_limits.max_unauthenticated + 16
        ),
    )
    # Both listeners' caps, plus headroom for the store, the index and outbound clients.
    needed = health.limits.max_connections + ws.limits.max_connections + 256
    if ensure_fd_budget(needed) < needed:
        log.warning(
            "file descriptor limit below %d: raise `ulimit -n` for the connection caps", needed
        )
    return Edge(
        box,
        hub,
        health_app,
        ws_app,
        health,
        ws,
        activity=narrator,
        dashboard_token_file=dashboard_token_file,
    )
