"""The Bottle app on ``HEALTH_PORT``: probes, the ``/health`` report, ``/metrics``, the
read-only JSON API of interfaces.md and the operator's dashboard (``/dashboard/``: static
files from the package, plus ``/api/v1/overview`` and ``POST /api/v1/ws-ticket``).

Handlers read the :class:`SnapshotBox` (never an actor) and the injected :class:`ReadModel`.
Every response is JSON (or Prometheus text) with ``X-Content-Type-Options: nosniff``; JSON is
ASCII-only with ``<``, ``>``, ``&`` escaped, so hostile prose stays inert even if a browser or a
dashboard mis-renders it (threats.md E).
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import bottle

from mediator_actors.disputes.book import OUTCOMES as DISPUTE_OUTCOMES
from mediator_actors.disputes.records import DisputeState
from mediator_actors.edge.business import Business, OperatorModel
from mediator_actors.edge.overview import Overview
from mediator_actors.edge.readmodel import ApiPage, ReadModel
from mediator_actors.edge.tickets import TicketBook
from mediator_actors.health.report import (
    ActorState,
    HealthSnapshot,
    SnapshotBox,
    http_status,
    judge,
    now_millis,
    readiness,
)
from mediator_actors.model import is_did_key, is_digest_id
from mediator_actors.safety.secrets import Secret
from mediator_actors.settlement.records import SettlementState

log = logging.getLogger("mediator.edge.http")

DASHBOARD_DIR = Path(__file__).parent / "dashboard"
_ASSET_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
ASSET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}\.(html|js|css|svg)$")
HOST_HEADER = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})$")


@functools.lru_cache(maxsize=32)
def dashboard_asset(name: str) -> tuple[bytes, str] | None:
    """A static file of the dashboard by plain name (no paths: nothing outside the folder
    can be named), with its content type; ``None`` if there is no such file."""
    if not ASSET_NAME.fullmatch(name):
        return None
    path = DASHBOARD_DIR / name
    if not path.is_file():
        return None
    return path.read_bytes(), _ASSET_TYPES[path.suffix]


CURSOR = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_STATES = tuple(state.value for state in SettlementState)
_DISPUTE_STATES = tuple(state.value for state in DisputeState)
DEFAULT_LIMIT = 50
MAX_LIMIT = 500

JSON_TYPE = "application/json; charset=utf-8"
PROM_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
)

_HTML_UNSAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def dumps(value: Any) -> str:
    """JSON that is safe to embed anywhere: ASCII only, no NaN, HTML metacharacters escaped."""
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"), default=str)
    return text.translate(_HTML_UNSAFE)


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _json(status: int, value: Any) -> bottle.HTTPResponse:
    return bottle.HTTPResponse(body=dumps(value), status=status, Content_Type=JSON_TYPE)


def _limit(query: Mapping[str, str]) -> int:
    raw = query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def _cursor(query: Mapping[str, str], valid: Callable[[str], bool] = str.isdigit) -> str | None:
    """The list's cursor, as that list issues them (a row number, or the last id). One it
    could not have issued is a 400: read as "from the start", a pager would loop forever."""
    raw = query.get("cursor")
    if raw is None or raw == "":
        return None
    if not CURSOR.fullmatch(raw) or not valid(raw):
        raise ApiError(400, "invalid cursor")
    return raw


def _id_cursor(tag: str) -> Callable[[str], bool]:
    return lambda raw: is_digest_id(raw, tag)


def _page(key: str, page: ApiPage) -> dict[str, Any]:
    return {key: page.items, "nextCursor": page.next_cursor}


def _metric_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def format_sample(value: float | int | bool) -> str:
    """A sample value as Prometheus reads it, without loss: integers in full
    (``17179869184``, never ``1.71799e+10``), floats by their shortest round-trip ``repr``,
    and the spellings ``+Inf``, ``-Inf`` and ``NaN``."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 2**63:
        return str(int(value))
    return repr(value)


class Metrics:
    """Accumulates Prometheus text; names are ours, label values are escaped."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._declared: set[str] = set()

    def add(
        self,
        name: str,
        value: float | int | bool | None,
        help_text: str,
        kind: str = "gauge",
        labels: Mapping[str, str] | None = None,
        *,
        family: str | None = None,
    ) -> None:
        """One sample. ``family`` names the metric a histogram's ``_bucket``, ``_sum`` and
        ``_count`` samples belong to: HELP and TYPE are declared once, for the family."""
        if value is None:
            return
        full = f"mediator_{name}"
        declared = f"mediator_{family}" if family is not None else full
        if declared not in self._declared:
            self._declared.add(declared)
            self.lines.append(f"# HELP {declared} {help_text}")
            self.lines.append(f"# TYPE {declared} {kind}")
        label_text = ""
        if labels:
            label_text = (
                "{" + ",".join(f'{k}="{_metric_label(v)}"' for k, v in labels.items()) + "}"
            )
        self.lines.append(f"{full}{label_text} {format_sample(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def snapshot_metrics(snapshot: HealthSnapshot, report: dict[str, Any], m: Metrics) -> None:
    s = snapshot
    m.add("up", 1, "1 while the process answers")
    m.add("ready", report["ready"], "1 when ready for work")
    m.add(
        "healthy",
        {"healthy": 2, "degraded": 1}.get(report["status"], 0),
        "2 healthy, 1 degraded, 0 unhealthy",
    )
    m.add("draining", s.draining, "1 while draining for shutdown")
    m.add("root_gave_up", s.root_gave_up, "1 when the root supervisor gave up")
    m.add("uptime_seconds", report["uptime"] / 1000.0, "seconds since start")
    m.add("start_time_seconds", s.started_at_ms / 1000.0, "process start, seconds since the epoch")
    m.add("snapshot_age_seconds", report["snapshotAgeMs"] / 1000.0, "age of the health snapshot")
    for a in s.actors:
        m.add("actor_restarts_total", a.restarts, "actor restarts", "counter", {"actor": a.name})
        for state in ActorState:
            m.add(
                "actor_state",
                a.state is state,
                "1 for the actor's current state",
                labels={"actor": a.name, "state": state.value},
            )
    for b in s.breakers:
        m.add(
            "breaker_open",
            b.state != "closed",
            "1 unless the breaker is closed",
            labels={"breaker": b.name, "state": b.state},
        )
        m.add(
            "breaker_latency_ms",
            b.latency_ms,
            "last call latency through the breaker",
            labels={"breaker": b.name},
        )
    for name, comp in s.components:
        m.add(
            "component_healthy",
            comp.status.value == "healthy",
            "1 when the component is healthy",
            labels={"component": name},
        )
        m.add(
            "component_latency_ms", comp.latency_ms, "component latency", labels={"component": name}
        )
    for name, depth in s.queue_depths:
        m.add("queue_depth", depth, "items waiting", labels={"queue": name})
    m.add("quarantine_size", s.quarantine_size, "quarantined entries")
    m.add("index_size", s.index_size, "vectors in the index")
    m.add("index_max", s.index_max, "index capacity (MAX_INTENTS_CACHE)")
    m.add("alignment_cycle_seconds", s.alignment_cycle_s, "last alignment cycle time")
    m.add("llm_latency_p99_seconds", s.llm_latency_p99_s, "LLM latency p99")
    m.add("settlement_success_ratio", s.settlement_success_rate, "settlement success rate")
    m.add(
        "embedder_degraded",
        s.embedder_degraded_reason is not None,
        "1 when the embedder runs degraded",
    )
    if s.resources is not None:
        r = s.resources
        m.add("cpu_percent", r.cpu_percent, "node process CPU, percent of cpu_limit_cores")
        m.add("cpu_limit_cores", r.cpu_cores, "cores the node may use (cgroup quota or host)")
        m.add("memory_used_bytes", _bytes(r.memory_used_mb, 2), "memory used (cgroup or host)")
        m.add("memory_total_bytes", _bytes(r.memory_total_mb, 2), "memory limit (cgroup or host)")
        for resource, basis in (("cpu", r.cpu_basis), ("memory", r.memory_basis)):
            m.add(
                "resource_basis",
                1,
                "what a resource is judged against: cgroup-v2, cgroup-v1 or host",
                labels={"resource": resource, "basis": basis.value},
            )
        m.add("process_rss_bytes", _bytes(r.process_rss_mb, 2), "process resident memory")
        m.add("disk_used_bytes", _bytes(r.disk_used_gb, 3), "data disk used")
        m.add("disk_total_bytes", _bytes(r.disk_total_gb, 3), "data disk total")


def _bytes(amount: float, power: int) -> int:
    """MB (power 2) or GB (power 3) as whole bytes: a byte count has no fraction."""
    return round(amount * float(1024**power))


def business_metrics(b: Business, m: Metrics) -> None:
    """What the node achieved, since its store was created (:mod:`business`)."""
    for kind, n in sorted(b.intents.items()):
        m.add("intents_ingested_total", n, "intents stored, by type", "counter", {"type": kind})
    m.add("candidates_total", b.candidates, "candidate pairs queued for negotiation", "counter")
    for outcome in ("aligned", "declined"):
        m.add(
            "negotiations_total",
            b.negotiations.get(outcome, 0),
            "negotiations finished, by outcome",
            "counter",
            {"outcome": outcome},
        )
    for reason, n in sorted(b.declined_by_reason.items()):
        m.add(
            "negotiations_declined_total",
            n,
            "declined negotiations, by reason class",
            "counter",
            {"reason": reason},
        )
    m.add("proposals_total", b.proposals, "settlements this node proposed", "counter")
    m.add("proposals_posted_total", b.proposals_posted, "proposals posted to the chain", "counter")
    m.add(
        "acceptances_total", b.acceptances, "party acceptances of this node's proposals", "counter"
    )
    m.add("closures_total", b.closures, "this node's settlements closed", "counter")
    m.add("payouts_total", b.payouts, "payout claims posted to the chain", "counter")
    # One sample per currency, never a sum across them; NLC always declared (at 0 before
    # any claim) so a first claim is an increase a rule can see.
    for currency, total in sorted({"NLC": 0.0, **b.fees_claimed}.items()):
        m.add(
            "fees_claimed_nlc_total",
            total,
            "facilitation fees of the posted payout claims, in each settlement's currency",
            "counter",
            {"currency": currency},
        )
    for state, n in sorted(b.settlements.items()):
        m.add(
            "own_settlements",
            n,
            "this node's settlements, by current state",
            labels={"state": state},
        )
    for outcome in ("upheld", "rejected", "open"):
        m.add(
            "challenges_total",
            b.challenges.get(outcome, 0),
            "challenges seen, by outcome",
            "counter",
            {"outcome": outcome},
        )
    # Open and escalated disputes can end, so they are a gauge; the ended ones only grow.
    # Every label pre-declared at 0: a first dispute is an increase a rule can see.
    for state in (DisputeState.OPEN, DisputeState.ESCALATED):
        m.add(
            "disputes_open",
            b.disputes.get(state.value, 0),
            "disputes about this node's settlements not resolved yet, by state",
            labels={"state": state.value},
        )
    for outcome in (*sorted(DISPUTE_OUTCOMES), DisputeState.ORPHANED.value):
        m.add(
            "disputes_total",
            b.disputes.get(outcome, 0),
            "disputes about this node's settlements that ended: how they were resolved, or"
            " orphaned by a chain reset",
            "counter",
            {"outcome": outcome},
        )
    family = "negotiation_latency_seconds"
    help_text = "negotiation latency (provider call and validation)"
    for bound, n in (*b.latency_buckets, (math.inf, b.latency_count)):
        m.add(
            f"{family}_bucket",
            n,
            help_text,
            "histogram",
            {"le": format_sample(bound)},
            family=family,
        )
    m.add(f"{family}_sum", b.latency_sum_s, help_text, "histogram", family=family)
    m.add(f"{family}_count", b.latency_count, help_text, "histogram", family=family)
    for reason, n in sorted(b.quarantined.items()):
        m.add(
            "quarantined_entries_total",
            n,
            "chain entries quarantined, by reason",
            "counter",
            {"reason": reason},
        )


def bearer_matches(header: str, token: bytes) -> bool:
    """True iff an ``Authorization`` header value is ``Bearer <token>`` (RFC 6750: the scheme
    is case-insensitive; whitespace around the credentials is dropped)."""
    scheme, _, presented = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    try:
        presented_bytes = presented.strip().encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate cannot be any token
        return False
    # Constant time: the comparison must not tell a prober how much of a guess was right.
    return hmac.compare_digest(presented_bytes, token)


class _Discard:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


_DISCARD = _Discard()


def _with_headers(app: Any) -> Callable[..., Iterable[bytes]]:
    """WSGI middleware: the security headers on every response, errors included."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            names = {h.lower() for h, _ in headers}
            extra = [h for h in SECURITY_HEADERS if h[0].lower() not in names]
            return start_response(status, headers + extra, exc_info)

        # Bottle writes a full traceback here on a 500; exception text can carry data we never
        # log (URLs, payload fragments). The error handler logs the class name instead.
        environ["wsgi.errors"] = _DISCARD
        result: Iterable[bytes] = app(environ, start)
        return result

    return wrapped


class HealthApp:
    """The health/API WSGI app. Call the instance as a WSGI application.

    ``extra_metrics`` adds lines to ``/metrics`` (the WebSocket hub's counters);
    :meth:`add_metrics` adds more. With ``api_token`` set, ``/metrics`` and ``/api/v1/*``
    answer 401 unless the request carries ``Authorization: Bearer <token>``; the probes and
    ``/health`` stay open, so an orchestrator can reach them on the pod's address.

    The dashboard: ``/dashboard/`` serves the package's static files (no data in them);
    ``GET /api/v1/overview`` is everything it draws on load; ``POST /api/v1/ws-ticket``
    issues a single-use WebSocket ticket to a caller presenting ``dashboard_token`` as a
    bearer token (always required, also where the API itself is open on loopback: the
    WebSocket's authentication must be no weaker than the CLI's key). ``ws_port`` is set
    once the WebSocket server is bound.
    """

    def __init__(
        self,
        box: SnapshotBox,
        *,
        read_model: ReadModel | None = None,
        extra_metrics: Callable[[Metrics], None] | None = None,
        clock_ms: Callable[[], int] = now_millis,
        tickets: TicketBook | None = None,
        dashboard_token: Secret | None = None,
        api_token: Secret | None = None,
    ) -> None:
        self.box = box
        self.read_model = read_model
        self.extra_metrics = extra_metrics
        self._more_metrics: list[Callable[[Metrics], None]] = []
        self.clock_ms = clock_ms
        self.overview = Overview(box, read_model)
        self.tickets = tickets
        self._dashboard_token = (
            None if dashboard_token is None else dashboard_token.reveal().encode("utf-8")
        )
        self.ws_port: int | None = None
        self._token = None if api_token is None else api_token.reveal().encode("utf-8")
        app = bottle.Bottle(catchall=True)
        app.config["json.enable"] = False
        app.route("/health/live", "GET", self.live)
        app.route("/health/ready", "GET", self.ready)
        app.route("/health", "GET", self.health)
        app.route("/metrics", "GET", self._guarded(self.metrics))
        for path, fn in (
            ("/api/v1/stats", self.stats),
            ("/api/v1/intents", self.intents),
            ("/api/v1/candidates", self.candidates),
            ("/api/v1/settlements", self.settlements),
            ("/api/v1/settlements/<settlement_id>", self.settlement),
            ("/api/v1/disputes", self.disputes),
            ("/api/v1/disputes/<dispute_id>", self.dispute),
            ("/api/v1/reputation", self.reputation),
            ("/api/v1/reputation/<mediator_id>", self.reputation),
            ("/api/v1/actors", self.actors),
            ("/api/v1/overview", self.overview_api),
        ):
            app.route(path, "GET", self._guarded(self._api(fn)))
        app.route("/api/v1/ws-ticket", "POST", self.ws_ticket)
        app.route("/dashboard", "GET", self.dashboard_redirect)
        app.route("/dashboard/", "GET", self.dashboard_file)
        app.route("/dashboard/<name>", "GET", self.dashboard_file)
        for code in (400, 404, 405, 413, 500):
            app.error(code)(self._error)
        app.default_error_handler = self._error
        self.bottle = app
        self._wsgi = _with_headers(app)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        return self._wsgi(environ, start_response)

    def add_metrics(self, fn: Callable[[Metrics], None]) -> None:
        """Add a contributor of ``/metrics`` lines (called on every scrape, in order)."""
        self._more_metrics.append(fn)

    def _authorized(self) -> bool:
        if self._token is None:
            return True
        return bearer_matches(bottle.request.get_header("Authorization", ""), self._token)

    def _guarded(
        self, fn: Callable[..., bottle.HTTPResponse]
    ) -> Callable[..., bottle.HTTPResponse]:
        def handler(**kwargs: Any) -> bottle.HTTPResponse:
            if not self._authorized():
                response = _json(401, {"error": "bearer token required"})
                response.set_header("WWW-Authenticate", 'Bearer realm="mediator-node"')
                return response
            return fn(**kwargs)

        return handler

    def report(self) -> tuple[HealthSnapshot, dict[str, Any]]:
        snap = self.box.get()
        return snap, judge(snap, now_ms=self.clock_ms())

    # probes and report

    def live(self) -> bottle.HTTPResponse:
        # Root gave up: the process is about to exit with 70; let the orchestrator restart us.
        if self.box.get().root_gave_up:
            return _json(503, {"status": "dead", "reason": "root supervisor gave up"})
        return _json(200, {"status": "alive"})

    def ready(self) -> bottle.HTTPResponse:
        ok, reasons = readiness(self.box.get(), now_ms=self.clock_ms())
        return _json(200 if ok else 503, {"ready": ok, "reasons": reasons})

    def health(self) -> bottle.HTTPResponse:
        _, rep = self.report()
        return _json(http_status(rep), rep)

    def metrics(self) -> bottle.HTTPResponse:
        snap, rep = self.report()
        m = Metrics()
        snapshot_metrics(snap, rep, m)
        if self.extra_metrics is not None:
            self.extra_metrics(m)
        model = self.read_model
        if isinstance(model, OperatorModel):
            business_metrics(model.business(), m)
        for more in self._more_metrics:
            more(m)
        return bottle.HTTPResponse(body=m.text(), status=200, Content_Type=PROM_TYPE)

    # dashboard

    def dashboard_redirect(self) -> bottle.HTTPResponse:
        return bottle.HTTPResponse(status=301, Location="/dashboard/")

    def dashboard_file(self, name: str = "index.html") -> bottle.HTTPResponse:
        found = dashboard_asset(name)
        if found is None:
            return _json(404, {"error": "not found"})
        body, content_type = found
        host = bottle.request.get_header("Host", "") or ""
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        connect = "'self'"
        if self.ws_port is not None and HOST_HEADER.fullmatch(hostname):
            connect += f" ws://{hostname}:{self.ws_port}"
        csp = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            f" connect-src {connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )
        return bottle.HTTPResponse(
            body=body,
            status=200,
            Content_Type=content_type,
            Content_Security_Policy=csp,
            Referrer_Policy="no-referrer",
        )

    def ws_ticket(self) -> bottle.HTTPResponse:
        token = self._dashboard_token
        header = bottle.request.get_header("Authorization", "") or ""
        if self.tickets is None or token is None or not bearer_matches(header, token):
            response = _json(401, {"error": "bearer token required"})
            response.set_header("WWW-Authenticate", 'Bearer realm="mediator-node"')
            return response
        ticket = self.tickets.issue("dashboard")
        return _json(
            200,
            {"ticket": ticket, "expires_in": self.tickets.ttl_s, "ws_port": self.ws_port},
        )

    def overview_api(self, q: Mapping[str, str]) -> Any:
        return self.overview.dashboard()

    # read-only API

    def _model(self) -> ReadModel:
        if self.read_model is None:
            raise ApiError(503, "read model not available")
        return self.read_model

    def _api(self, fn: Callable[..., Any]) -> Callable[..., bottle.HTTPResponse]:
        def handler(**kwargs: Any) -> bottle.HTTPResponse:
            try:
                return _json(200, fn(bottle.request.query, **kwargs))
            except ApiError as exc:
                return _json(exc.status, {"error": exc.message})

        return handler

    def stats(self, q: Mapping[str, str]) -> Any:
        return self._model().stats()

    def intents(self, q: Mapping[str, str]) -> Any:
        return _page("intents", self._model().intents(_limit(q), _cursor(q)))

    def candidates(self, q: Mapping[str, str]) -> Any:
        return _page("candidates", self._model().candidates(_limit(q), _cursor(q)))

    def settlements(self, q: Mapping[str, str]) -> Any:
        state = q.get("state") or None
        if state is not None and state not in _STATES:
            # An unknown state is a caller's mistake, not an empty list.
            raise ApiError(400, "invalid state; one of: " + ", ".join(_STATES))
        cursor = _cursor(q, _id_cursor("stl"))
        return _page("settlements", self._model().settlements(state, _limit(q), cursor))

    def settlement(self, q: Mapping[str, str], settlement_id: str) -> Any:
        if not is_digest_id(settlement_id, "stl"):
            raise ApiError(400, "invalid settlement id")
        found = self._model().settlement(settlement_id)
        if found is None:
            raise ApiError(404, "settlement not found")
        return found

    def disputes(self, q: Mapping[str, str]) -> Any:
        state = q.get("state") or None
        if state is not None and state not in _DISPUTE_STATES:
            raise ApiError(400, "invalid state; one of: " + ", ".join(_DISPUTE_STATES))
        cursor = _cursor(q, _id_cursor("dsp"))
        return _page("disputes", self._model().disputes(state, _limit(q), cursor))

    def dispute(self, q: Mapping[str, str], dispute_id: str) -> Any:
        if not is_digest_id(dispute_id, "dsp"):
            raise ApiError(400, "invalid dispute id")
        found = self._model().dispute(dispute_id)
        if found is None:
            raise ApiError(404, "dispute not found")
        return found

    def reputation(self, q: Mapping[str, str], mediator_id: str | None = None) -> Any:
        if mediator_id is not None and not is_did_key(mediator_id):
            raise ApiError(400, "invalid mediator id")
        found = self._model().reputation(mediator_id)
        if found is None:
            raise ApiError(404, "mediator not found")
        return found

    def actors(self, q: Mapping[str, str]) -> Any:
        """From the snapshot, not the store: the supervisors' live view, no waiting."""
        _, rep = self.report()
        return {"actors": rep["actors"], "breakers": rep["breakers"]}

    def _error(self, err: bottle.HTTPError) -> str:
        if err.status_code >= 500:
            # The cause stays in our log as a class name; the client gets nothing from it.
            log.error("health app error %s: %s", err.status_code, type(err.exception).__name__)
        err.content_type = JSON_TYPE
        message = {404: "not found", 405: "method not allowed"}.get(err.status_code, "error")
        if err.status_code >= 500:
            message = "internal error"
        return dumps({"error": message})
