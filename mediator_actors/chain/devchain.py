"""An embedded NatLangChain-compatible chain for development and tests. NOT a blockchain.

This is a **development and test double** of the real node described in
``natlangchain-api.md``: the same routes, shapes and rules (wrapped items, ISO entry
timestamps without ``Z`` set by the node, float block timestamps, mined-only reads, the 422
reasons, silently stripped metadata keys, ``/mine`` needing JSON, ``chain.chain`` nesting,
503 on the LLM routes, JSON 404s, optional ``X-API-Key``). It has no consensus, no
proof-of-work, no signatures and no LLM validation, and must never hold real value.

State lives in memory; with ``state_file`` it is also saved atomically (temp file, fsync,
``os.replace``, directory fsync) after every change and loaded on start.

By default it runs with the real node's defaults (natlangchain-api.md, protocol.md): the
outbound secret scanner on in ``redact`` mode (:mod:`mediator_actors.chain.scanner`), 10
entries per author and 100 in total per minute (422 ``rate_limit``), and 100 requests per
minute per client address (429 with ``Retry-After``). The counts are the real node's; the
window they are counted over (``rate_window``, 60 s) is injectable so that tests can keep
the real counts on a shorter window (a node in dev mode paces its writes and requests to
the dev chain's window).

Where the API page is silent the choices are ours and marked ``# dev choice``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mediator_actors.chain.scanner import ScanMode
from mediator_actors.runtime.files import write_atomically

logger = logging.getLogger(__name__)

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
REQUESTS_PER_MINUTE = 100
#: The window the real node counts its limits over, in seconds.
RATE_WINDOW = 60.0


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
        secret_scan: ScanMode | str = ScanMode.REDACT,
        requests_per_minute: int | None = REQUESTS_PER_MINUTE,
        rate_window: float = RATE_WINDOW,
    ) -> None:
        if host not in {"127.0.0.1", "::1", "localhost"}:
            raise ValueError("the dev chain binds loopback only")
        if not (math.isfinite(rate_window) and rate_window > 0):
            raise ValueError("rate_window must be a positive number of seconds")
        #: Seconds each limit is counted over (the real node: 60); the counts stay real.
        self.rate_window = float(rate_window)
        self.host, self.port = host, port
        self._api_key = api_key
        self._auto_mine = auto_mine
        self._rate_limits = rate_limits
        self.secret_scan = ScanMode(secret_scan)
        #: Requests per minute per client address (429 beyond); None turns the limit off.
        self.requests_per_minute = requests_per_minute if rate_limits else None
        self._requests: dict[str, deque[float]] = {}
        self.requests_refused = 0
        self.responses_blocked = 0
        self.responses_redacted = 0
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
        from mediator_actors.chain.devchain_http import build_app

        self.app = build_app(self)

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

    def truncate(self, length: int, *, requeue: bool = False) -> None:
        """Drop blocks from ``length`` on (a fork replaced them); pending is kept. With
        ``requeue`` the dropped blocks' entries go back to the pending pool first, exactly
        as they were (so the same entry refs), to be mined again into the new branch."""
        with self._lock:
            dropped = self._blocks[max(1, length) :]
            del self._blocks[max(1, length) :]
            if requeue:
                back = [dict(e, validation_status="pending") for b in dropped for e in b["entries"]]
                self._pending = back + self._pending
            self._save()

    @property
    def length(self) -> int:
        return len(self._blocks)

    # Read access for the HTTP layer (devchain_http): live lists, read under ``lock``.
    @property
    def lock(self) -> threading.RLock:
        return self._lock

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return self._blocks

    @property
    def pending(self) -> list[dict[str, Any]]:
        return self._pending

    @property
    def api_key(self) -> str | None:
        return self._api_key

    @property
    def persistent(self) -> bool:
        return self._state_file is not None

    def uptime(self) -> float:
        return self._clock() - self._started

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

    def request_wait(self, client: str) -> int | None:
        """Count one request from ``client``; seconds to wait when it is over the limit."""
        if self.requests_per_minute is None:
            return None
        span = self.rate_window
        with self._lock:
            now = self._clock()
            window = self._requests.setdefault(client, deque())
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= self.requests_per_minute:
                self.requests_refused += 1
                return max(1, math.ceil(window[0] + span - now))
            window.append(now)
            return None

    def _rate_wait(self, author: str) -> int | None:
        now, span = self._clock(), self.rate_window
        window = self._by_author.setdefault(author, deque())
        for q in (window, self._overall):
            while q and q[0] <= now - span:
                q.popleft()
        for q, limit in ((window, AUTHOR_PER_MINUTE), (self._overall, OVERALL_PER_MINUTE)):
            if len(q) >= limit:
                return max(1, math.ceil(q[0] + span - now))
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
        data = json.dumps({"blocks": self._blocks, "pending": self._pending}).encode("utf-8")
        write_atomically(self._state_file, data)

    def _load(self, path: Path) -> None:
        doc = json.loads(path.read_text("utf-8"))
        self._blocks, self._pending = doc["blocks"], doc["pending"]
        self._seen = {
            (e["content"], e["author"], e["intent"]) for b in self._blocks for e in b["entries"]
        } | {(e["content"], e["author"], e["intent"]) for e in self._pending}
