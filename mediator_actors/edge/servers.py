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

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from mediator_actors.config import Settings
from mediator_actors.edge.health_app import HealthApp, Metrics
from mediator_actors.edge.hub import EventHub
from mediator_actors.edge.keys import KEY_FILE, KeyRing
from mediator_actors.edge.readmodel import ReadModel
from mediator_actors.edge.server import EdgeServer, Limits, ensure_fd_budget
from mediator_actors.edge.ws import WsApp, WsHandler, WsLimits
from mediator_actors.health.report import SnapshotBox

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

    def start(self) -> dict[str, tuple[str, int]]:
        """Bind both servers; returns their bound addresses."""
        return {"health": self.health.start(), "ws": self.ws.start()}

    def stop(self, timeout: float = 5.0) -> None:
        """Close client sockets (going away), then both listeners."""
        self.ws_app.stop()
        self.ws.stop(timeout)
        self.health.stop(timeout)


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
) -> Edge:
    """Both servers, configured from ``settings``; nothing is bound until :meth:`Edge.start`.

    ``server_id`` goes into every auth challenge (use the mediator's public key hex), so a
    signature made for one node is refused by another.
    """
    ring = KeyRing(settings.ws_authorized_keys, key_file or Path(settings.data_dir) / KEY_FILE)
    ws_limits = ws_limits_from(settings)
    ws_app = WsApp(
        hub,
        server_id=server_id,
        authorized_keys=ring.current,
        limits=ws_limits,
        allowed_origins=allowed_origins,
    )
    health_app = HealthApp(
        box,
        read_model=read_model,
        extra_metrics=ws_metrics(ws_app),
        api_token=settings.api_token,
    )
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
    return Edge(box, hub, health_app, ws_app, health, ws)
