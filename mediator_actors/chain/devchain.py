"""An embedded NatLangChain-compatible chain for development and tests. NOT a blockchain.

This is a **development and test double** of the real node described in
``natlangchain-api.md``: the same routes, shapes and rules (wrapped items, ISO entry
timestamps without ``Z`` set by the node, float block timestamps, mined-only reads, the 422
reasons, silently stripped metadata keys, ``/mine`` needing JSON, ``chain.chain`` nesting,
503 on the LLM routes, JSON 404s, optional ``X-API-Key``). It has no consensus, no
proof-of-work, no signatures and no LLM validation, and must never hold real value.

State lives in memory; with ``state_file`` it is also saved atomically (temp file, fsync,
``os.replace``, directory fsync) after every change and loaded on start.

Where the API page is silent the choices are ours and marked ``# dev choice``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import bottle

logger = logging.getLogger(__name__)
_F = TypeVar("_F", bound=Callable[..., Any])

FORBIDDEN_METADATA = frozenset(
    {
        "validation_status",
        "validated",
        "verified",
        "trust_score",
        "block_hash",
        "entry_hash",
        "chain_id",
    }
)
MIN_CONTENT, MAX_CONTENT = 20, 10_000
MAX_METADATA_BYTES, MAX_METADATA_KEYS, MAX_METADATA_DEPTH = 10_240, 100, 5
AUTHOR_PER_MINUTE, OVERALL_PER_MINUTE = 10, 100
_LLM_SEARCH = ("/search/semantic", "/search/similar")
_LLM_CONTRACT = (
    "/contract/match",
    "/contract/respond",
    "/contract/parse",
    "/contract/post",
    "/entry/validate",
)
_HTML_415 = (
    "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n"
    "<h1>Unsupported Media Type</h1>\n<p>Did not attempt to load JSON data because the request "
    "Content-Type was not &#39;application/json&#39;.</p>\n"
)


def _now_iso(clock: Callable[[], float]) -> str:
    return datetime.fromtimestamp(clock(), UTC).replace(tzinfo=None).isoformat()


def _block_hash(block: dict[str, Any]) -> str:
    body = {k: block[k] for k in ("index", "timestamp", "entries", "previous_hash", "nonce")}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _count_keys(value: Any) -> int:
    if isinstance(value, dict):
        return len(value) + sum(_count_keys(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_keys(v) for v in value)
    return 0


def _repetitive(content: str) -> bool:
    words = content.lower().split()
    return len(words) >= 10 and len(set(words)) / len(words) < 0.2  # dev choice


class DevChain:
    """The dev chain: ``start() -> url``, ``stop()``; direct helpers for tests."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        auto_mine: float | None = None,
        rate_limits: bool = True,
        state_file: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if host not in {"127.0.0.1", "::1", "localhost"}:
            raise ValueError("the dev chain binds loopback only")
        self.host, self.port = host, port
        self._api_key = api_key
        self._auto_mine = auto_mine
        self._rate_limits = rate_limits
        self._state_file = state_file
        self._clock = clock
        self._lock = threading.RLock()
        self._blocks: list[dict[str, Any]] = []
        self._pending: list[dict[str, Any]] = []
        self._seen: set[tuple[str, str, str]] = set()
        self._by_author: dict[str, deque[float]] = {}
        self._overall: deque[float] = deque()
        self._started = self._clock()
        self._server: Any = None
        self._miner: Any = None
        self.requests_served = 0
        if state_file is not None and state_file.exists():
            self._load(state_file)
        else:
            self._genesis()
        self.app = self._build_app()

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> str:
        """Serve on loopback (port 0 picks a free port); returns the base URL."""
        import gevent
        from gevent.pool import Pool
        from gevent.pywsgi import WSGIHandler, WSGIServer

        class _Handler(WSGIHandler):  # type: ignore[misc]
            def handle(self) -> None:
                # pywsgi has no header-read timeout (field notes): bound every read.
                self.socket.settimeout(10.0)
                self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                super().handle()

        # A pool bounds concurrency and lets stop() close keep-alive connections too.
        self._server = WSGIServer(
            (self.host, self.port), self.app, handler_class=_Handler, log=None, spawn=Pool(256)
        )
        self._server.start()
        self.port = self._server.server_port
        if self._auto_mine:
            self._miner = gevent.spawn(self._auto_mine_loop, self._auto_mine)
        return self.url

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        self.start()
        self._server.serve_forever()

    def stop(self) -> None:
        if self._miner is not None:
            self._miner.kill()
            self._miner = None
        if self._server is not None:
            self._server.stop(timeout=0.5)
            self._server = None

    def _auto_mine_loop(self, interval: float) -> None:
        import gevent

        while True:
            gevent.sleep(interval)
            if self._pending:
                self.mine()

    # --- state (also the direct API for tests) --------------------------------------

    def _genesis(self) -> None:
        # A random salt in the genesis makes every reset produce a different chain.
        entry = {
            "author": "system",
            "content": "Genesis block: NatLangChain development chain initialised.",
            "intent": "Initialize the blockchain",
            "metadata": {"salt": secrets.token_hex(8)},
            "timestamp": _now_iso(self._clock),
            "validation_paraphrases": [],
            "validation_status": "accepted",
        }
        block = {
            "index": 0,
            "timestamp": self._clock(),
            "entries": [entry],
            "previous_hash": "0",
            "nonce": 0,
        }
        block["hash"] = _block_hash(block)
        self._blocks = [block]
        self._pending = []
        self._seen = set()

    def reset(self) -> None:
        """Start over with a new genesis (a chain reset, as after a node wipe)."""
        with self._lock:
            self._genesis()
            self._by_author.clear()
            self._overall.clear()
            self._save()

    def truncate(self, length: int) -> None:
        """Drop blocks from ``length`` on (a fork replaced them); pending is kept."""
        with self._lock:
            del self._blocks[max(1, length) :]
            self._save()

    @property
    def length(self) -> int:
        return len(self._blocks)

    def pending_entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._pending]

    def submit(  # noqa: PLR0911 - one return per rule of POST /entry
        self,
        content: Any,
        author: Any,
        intent: Any,
        metadata: Any = None,
        *,
        check_rate: bool = True,
    ) -> tuple[int, dict[str, Any]]:
        """The rules of ``POST /entry``; returns (status, body)."""
        if not all(isinstance(v, str) for v in (content, author, intent)):
            return 400, {"error": "Missing required fields: content, author, intent"}
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            return 400, {"error": "metadata must be an object"}  # dev choice
        metadata = {
            k: v
            for k, v in metadata.items()
            if k not in FORBIDDEN_METADATA
            and not k.startswith("__")
            and not k.startswith("_system")
        }
        try:
            size = len(json.dumps(metadata, allow_nan=False).encode("utf-8"))
        except ValueError:
            return 422, self._reject("invalid_metadata", "metadata must be finite JSON")
        if size > MAX_METADATA_BYTES or _count_keys(metadata) > MAX_METADATA_KEYS:
            return 422, self._reject("metadata_too_large", "metadata over 10 KB or 100 keys")
        if _depth(metadata) > MAX_METADATA_DEPTH:
            return 422, self._reject("metadata_too_deep", "metadata deeper than 5")
        if not MIN_CONTENT <= len(content) <= MAX_CONTENT:
            return 422, self._reject(
                "quality_check_failed", f"content must be {MIN_CONTENT} to {MAX_CONTENT} characters"
            )
        if _repetitive(content):
            return 422, self._reject("quality_check_failed", "content is too repetitive")
        with self._lock:
            if (content, author, intent) in self._seen:
                return 422, self._reject("duplicate", "an identical entry already exists")
            if check_rate and self._rate_limits:
                wait = self._rate_wait(author)
                if wait is not None:
                    body = self._reject("rate_limit", "too many entries; slow down")
                    body["retry_after"] = wait
                    return 422, body
            entry = {
                "author": author,
                "content": content,
                "intent": intent,
                "metadata": metadata,
                "timestamp": _now_iso(self._clock),
                "validation_paraphrases": [],
                "validation_status": "pending",
            }
            self._pending.append(entry)
            self._seen.add((content, author, intent))
            self._save()
        body = {
            "status": "success",
            "entry": {
                "status": "pending",
                "message": "Entry added to pending queue",
                "validated": False,
                "entry": entry,
            },
            "validation": None,
        }
        return 201, body

    @staticmethod
    def _reject(reason: str, message: str) -> dict[str, Any]:
        return {"status": "rejected", "reason": reason, "message": message}

    def _rate_wait(self, author: str) -> int | None:
        now = self._clock()
        window = self._by_author.setdefault(author, deque())
        for q in (window, self._overall):
            while q and q[0] <= now - 60:
                q.popleft()
        for q, limit in ((window, AUTHOR_PER_MINUTE), (self._overall, OVERALL_PER_MINUTE)):
            if len(q) >= limit:
                return max(1, math.ceil(q[0] + 60 - now))
        window.append(now)
        self._overall.append(now)
        return None

    def mine(self) -> dict[str, Any] | None:
        """Mine every pending entry into one block; None if nothing is pending."""
        with self._lock:
            if not self._pending:
                return None
            previous = self._blocks[-1]
            entries = [dict(e, validation_status="accepted") for e in self._pending]
            block = {
                "index": len(self._blocks),
                "timestamp": self._clock(),
                "entries": entries,
                "previous_hash": previous["hash"],
                "nonce": 0,
            }
            block["hash"] = _block_hash(block)
            self._blocks.append(block)
            self._pending = []
            self._save()
            return block

    def add_block(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """Seed a mined block directly (tests, benchmarks): the entries skip the rate limit
        but not the other rules; a rejected entry raises ValueError."""
        with self._lock:
            for raw in entries:
                status, body = self.submit(
                    raw["content"],
                    raw["author"],
                    raw.get("intent", "intent"),
                    raw.get("metadata"),
                    check_rate=False,
                )
                if status != 201:
                    raise ValueError(f"seed entry rejected: {body}")
            block = self.mine()
            assert block is not None
            return block

    # --- persistence ----------------------------------------------------------------

    def _save(self) -> None:
        if self._state_file is None:
            return
        path = self._state_file
        tmp = path.with_name(path.name + ".tmp")
        data = json.dumps({"blocks": self._blocks, "pending": self._pending}).encode("utf-8")
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _load(self, path: Path) -> None:
        doc = json.loads(path.read_text("utf-8"))
        self._blocks, self._pending = doc["blocks"], doc["pending"]
        self._seen = {
            (e["content"], e["author"], e["intent"]) for b in self._blocks for e in b["entries"]
        } | {(e["content"], e["author"], e["intent"]) for e in self._pending}

    # --- HTTP -----------------------------------------------------------------------

    def _build_app(self) -> bottle.Bottle:  # noqa: PLR0915 - one route table
        app = bottle.Bottle()
        request, response = bottle.request, bottle.response

        def route(path: str, method: str = "GET") -> Callable[[_F], _F]:
            def register(fn: _F) -> _F:
                app.route(path, method, fn)
                return fn

            return register

        def hook(fn: _F) -> _F:
            app.add_hook("before_request", fn)
            return fn

        def out(doc: Any, status: int = 200) -> str:
            response.status = status
            response.content_type = "application/json"
            return json.dumps(doc, sort_keys=True)

        def denied(message: str, status: int) -> bottle.HTTPResponse:
            body = json.dumps({"error": message})
            return bottle.HTTPResponse(body, status, headers={"Content-Type": "application/json"})

        def wrapped(block: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
            return {"block_index": block["index"], "block_hash": block["hash"], "entry": entry}

        @hook
        def _auth() -> None:
            self.requests_served += 1
            path = request.path
            if self._api_key is None or path.startswith("/health") or path == "/metrics":
                return
            given = request.headers.get("X-API-Key")
            if given is None:
                raise denied("API key required", 401)
            if not hmac.compare_digest(given.encode(), self._api_key.encode()):
                raise denied("Invalid API key", 403)

        app.error_handler[404] = lambda _: out({"error": "Not found"}, 404)
        app.error_handler[405] = lambda _: out({"error": "Method not allowed"}, 405)

        @route("/health")
        def health() -> str:
            return out(
                {
                    "status": "healthy",
                    "service": "NatLangChain API",
                    "version": "0.1.0-dev",
                    "uptime_seconds": round(self._clock() - self._started, 3),
                    "checks": {
                        "blockchain": {
                            "status": "ok",
                            "blocks": len(self._blocks),
                            "pending_entries": len(self._pending),
                        },
                        "storage": {
                            "status": "ok",
                            "backend": "file" if self._state_file else "memory",
                        },
                        "llm": {"status": "unavailable", "available": False},
                    },
                }
            )

        @route("/health/live")
        def live() -> str:
            return out({"status": "alive"})

        @route("/health/ready")
        def ready() -> str:
            return out({"status": "ready"})

        @route("/metrics")
        def metrics() -> str:
            response.content_type = "text/plain; version=0.0.4"
            return f"natlangchain_blocks {len(self._blocks)}\nnatlangchain_pending_entries {len(self._pending)}\n"

        @route("/entry", "POST")
        def post_entry() -> str:
            try:
                body = json.loads(request.body.read() or b"null")
            except ValueError:
                return out({"error": "Invalid JSON"}, 400)
            if not isinstance(body, dict):
                return out({"error": "No data provided"}, 400)
            for flag in ("validate", "auto_mine"):
                if flag in body and not isinstance(body[flag], bool):
                    return out({"error": f"{flag} must be a boolean"}, 400)
            status, doc = self.submit(
                body.get("content"), body.get("author"), body.get("intent"), body.get("metadata")
            )
            if status == 201 and body.get("auto_mine"):
                self.mine()
            return out(doc, status)

        @route("/pending")
        def pending() -> str:
            with self._lock:
                return out({"count": len(self._pending), "entries": self._pending})

        @route("/mine", "POST")
        def mine() -> str:
            if request.content_type.split(";")[0].strip().lower() != "application/json":
                response.status = 415
                response.content_type = "text/html; charset=utf-8"
                return _HTML_415
            try:
                body = json.loads(request.body.read())
            except ValueError:
                return out({"error": "Invalid JSON body"}, 400)
            if not isinstance(body, dict):
                return out({"error": "Invalid JSON body"}, 400)
            block = self.mine()
            if block is None:
                return out({"error": "No pending entries to mine"}, 400)
            summary = {k: block[k] for k in ("index", "timestamp", "hash", "previous_hash")}
            summary["entries_count"] = len(block["entries"])
            return out({"status": "success", "message": "Block mined", "block": summary}, 201)

        @route("/chain")
        def chain() -> str:
            with self._lock:
                inner = {"chain": self._blocks, "pending_entries": self._pending}
                return out({"length": len(self._blocks), "valid": True, "chain": inner})

        @route("/block/latest")
        def latest() -> str:
            with self._lock:
                return out(
                    {
                        "block": self._blocks[-1],
                        "chain_length": len(self._blocks),
                        "pending_entries": len(self._pending),
                    }
                )

        @route("/block/<index:int>")
        def block(index: int) -> str:
            with self._lock:
                if not 0 <= index < len(self._blocks):
                    return out({"error": "Block not found"}, 404)
                return out(self._blocks[index])

        @route("/entries/search")
        def search() -> str:
            query = request.query.get("q") or request.query.get("query")
            if not query:
                return out({"error": "Query parameter 'q' is required"}, 400)
            try:
                limit = max(1, min(100, int(request.query.get("limit", "10"))))
            except ValueError:
                limit = 10
            needle = query.casefold()
            with self._lock:
                found = [
                    e
                    for b in self._blocks
                    for e in b["entries"]
                    if needle in e["content"].casefold()
                ]
            return out({"query": query, "count": len(found[:limit]), "entries": found[:limit]})

        @route("/entries/author/<author>")
        def by_author(author: str) -> str:
            with self._lock:
                items = [
                    wrapped(b, e)
                    for b in self._blocks
                    for e in b["entries"]
                    if e["author"] == author
                ]
            return out({"author": author, "count": len(items), "entries": items})

        @route("/contract/list")
        def contracts() -> str:
            status, ctype, author = (request.query.get(k) for k in ("status", "type", "author"))
            with self._lock:
                items = [
                    wrapped(b, e)
                    for b in self._blocks
                    for e in b["entries"]
                    if e["metadata"].get("is_contract")
                    and (status is None or e["metadata"].get("status") == status)
                    and (ctype is None or e["metadata"].get("contract_type") == ctype)
                    and (author is None or e["author"] == author)
                ]
            return out({"count": len(items), "contracts": items})

        @route("/validate/chain")
        def validate() -> str:
            return out(
                {
                    "valid": True,
                    "blocks": len(self._blocks),
                    "pending_entries": len(self._pending),
                    "signatures": {},
                }
            )

        @route("/stats")
        def stats() -> str:
            with self._lock:
                entries = [e for b in self._blocks for e in b["entries"]]
                return out(
                    {
                        "blocks": len(self._blocks),
                        "pending_entries": len(self._pending),
                        "total_entries": len(entries),
                        "unique_authors": len({e["author"] for e in entries}),
                        "chain_valid": True,
                        "features": {
                            "llm_validation": False,
                            "semantic_search": False,
                            "contracts": False,
                        },
                    }
                )

        def unavailable(message: str) -> Callable[[], str]:
            def handler() -> str:
                response.set_header("Retry-After", "30")
                return out({"error": message}, 503)

            return handler

        for path in _LLM_SEARCH:
            app.route(path, "POST", unavailable("Semantic search not available"))
        for path in _LLM_CONTRACT:
            app.route(path, "POST", unavailable("Contract features not available"))
        return app
