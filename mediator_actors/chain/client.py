"""HTTP client for a real NatLangChain node (natlangchain-api.md), hardened for hostile peers.

Every request has a **total** deadline (the body is streamed and abandoned at the
deadline, so a dripping body cannot hold a caller), a cap on the body *after*
decompression (gzip bombs), no redirects, a JSON content-type check, retries with
jittered back-off on transient failures only, and a circuit breaker whose state and latency
the health report reads. The endpoint is checked against SSRF rules when the client is built.

Blocking: each call blocks for at most ``attempts x deadline`` plus back-off sleeps. Under
gevent's monkey patching the socket I/O yields to other greenlets; parsing of bodies larger
than ``offload_threshold`` goes through the injected ``offload`` (the node passes
:func:`mediator_actors.runtime.offload.run_blocking`).
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import socket
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from mediator_actors.chain import codec
from mediator_actors.endpoints import address_problem, url_problem
from mediator_actors.errors import ChainError, CodecError
from mediator_actors.model import ChainEntry, protocol_amount
from mediator_actors.runtime.resilience import (
    Backoff,
    BreakerSnapshot,
    CircuitBreaker,
    CircuitOpenError,
)
from mediator_actors.safety.secrets import Secret
from mediator_actors.safety.textsafety import escape_for_log

logger = logging.getLogger(__name__)
T = TypeVar("T")
Offload = Callable[..., Any]
#: Told once per attempt: (method, outcome), the outcome an HTTP status ("200") or what
#: ended it without one ("timeout", "unreachable", "oversize", "paced", "breaker_open").
RequestHook = Callable[[str, str], None]

TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
#: The longest Retry-After we honour; a longer one is taken as this (a hostile or confused
#: node must not park the writer for a day).
MAX_RETRY_AFTER = 3600.0
AUTH_PROBLEM = "the chain refuses our API key (CHAIN_API_KEY)"
#: Most blocks one ``GET /chain`` may hand the follower (the body cap bounds it too).
MAX_BULK_BLOCKS = 5000
#: Seconds a ``GET /chain`` snapshot may serve blocks before it is dropped.
BULK_MAX_AGE = 120.0
#: The span the real node counts its request and entry limits over (natlangchain-api.md).
RATE_WINDOW = 60.0


class ChainUnavailableError(ChainError):
    """The node could not be reached or kept failing; try again later (breaker, back-off).

    ``status`` is the HTTP status when the node answered (5xx), None when no answer came
    (refused, reset, timeout, or the breaker was open and nothing was sent): only an
    answer counts as an attempt at a write."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_in: float | None = None
    ) -> None:
        self.status = status
        self.retry_in = retry_in  # the breaker's remaining cool-down, when it refused
        super().__init__(message)

    @property
    def answered(self) -> bool:
        return self.status is not None


class ChainTimeoutError(ChainUnavailableError):
    """No complete answer within the request's deadline (connect, read or the whole body)."""


class ChainBusyError(ChainError):
    """The node asked us to slow down (429): back-pressure, not a fault. ``retry_after`` is
    its ``Retry-After`` in seconds, or None when it gave none (back off on our own)."""

    def __init__(self, message: str, *, retry_after: float | None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class ChainProtocolError(ChainError):
    """The node answered something unusable: redirect, wrong content type, oversize, 4xx."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class ChainAuthError(ChainProtocolError):
    """401/403: the node refuses our API key. Nothing is read until the key is fixed."""


class ChainBlockedError(ChainProtocolError):
    """The node's outbound secret scanner, in ``block`` mode, refused to send this answer
    because something in it (usually a stranger's entry) looks like a credential. The node
    is up and the same request will be refused again: not a fault, not worth a retry."""


#: What the real node's block mode answers (HTTP 500, JSON): its ``error`` text.
BLOCKED_MARKER = "blocked by secret scanner"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), clamped to
    0..MAX_RETRY_AFTER; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    if text.isascii() and text.isdigit():  # "²".isdigit() is True too
        return min(float(text), MAX_RETRY_AFTER)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    delta = moment.timestamp() - (time.time() if now is None else now)
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


class PostOutcome(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    RATE_LIMIT = "rate_limit"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class PostResult:
    outcome: PostOutcome
    entry: ChainEntry | None = None
    retry_after: float | None = None
    reason: str | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class MinedBlock:
    index: int
    hash: str
    entries_count: int


@dataclass(frozen=True, slots=True)
class ClientLimits:
    deadline: float = 15.0  # seconds per request, body included
    connect_timeout: float = 3.0
    max_response_bytes: int = 16 * 1024 * 1024  # after decompression
    attempts: int = 3
    backoff: Backoff = field(default_factory=lambda: Backoff(minimum=0.2, maximum=5.0))
    offload_threshold: int = 64 * 1024


class RequestPacer:
    """The node's own share of the chain's request limit, shared by all its clients (the
    chain counts per client address): at most ``per_minute`` requests in any 60 s, of which
    reads may use at most ``read_share`` so writes always find room (natlangchain-api.md:
    100 per minute per client). Asking costs nothing; a refusal says how long to wait.
    ``window`` is the span the chain counts over (60 s; shorter only against a dev chain
    that counts over a shorter window)."""

    def __init__(
        self,
        *,
        per_minute: int = 100,
        read_share: float = 0.5,
        headroom: int = 5,
        clock: Callable[[], float] = time.monotonic,
        window: float = RATE_WINDOW,
    ) -> None:
        # A little headroom: the chain's window and ours do not start at the same instant.
        self.limit = max(1, per_minute - headroom)
        self.read_limit = max(1, int(per_minute * read_share) - headroom)
        self.window = window
        self._clock = clock
        self._all: deque[float] = deque()
        self._reads: deque[float] = deque()
        self.refused = 0

    def wait_for(self, *, write: bool) -> float:
        """0 and the request counted, or the seconds until one may go (not counted)."""
        now, span = self._clock(), self.window
        for window in (self._all, self._reads):
            while window and window[0] <= now - span:
                window.popleft()
        if len(self._all) >= self.limit:
            self.refused += 1
            return self._all[0] + span - now
        if not write and len(self._reads) >= self.read_limit:
            self.refused += 1
            return self._reads[0] + span - now
        self._all.append(now)
        if not write:
            self._reads.append(now)
        return 0.0


def check_endpoint(url: str, *, allow_private: bool = True, resolve: bool = False) -> str:
    """Validate the chain endpoint against the SSRF rules (:mod:`mediator_actors.endpoints`);
    return it without a trailing slash. ``allow_private=False`` also refuses private ranges;
    ``resolve=True`` also checks every address the host name resolves to (re-run it before
    reconnecting to catch DNS rebinding)."""
    parts, problem = url_problem(url)
    if problem is not None:
        raise ChainError(f"chain endpoint {problem}")
    host = (parts.hostname or "").lower()
    addresses = [host]
    if resolve:
        try:
            addresses += [str(info[4][0]) for info in socket.getaddrinfo(host, parts.port or 80)]
        except OSError as exc:
            raise ChainUnavailableError(f"cannot resolve chain host {host}: {exc}") from exc
    for address in addresses:
        problem = address_problem(address, allow_private=allow_private)
        if problem is not None:
            raise ChainError(f"chain endpoint {problem}")
    return url.rstrip("/")


def _identity(doc: Any) -> Any:
    return doc


def _inline(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)


class ChainClient:
    """Typed calls on one NatLangChain node. Thread-safe enough for one actor; not shared."""

    def __init__(
        self,
        endpoint: str,
        *,
        api_key: Secret | None = None,
        limits: ClientLimits | None = None,
        breaker: CircuitBreaker | None = None,
        offload: Offload = _inline,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        session: requests.Session | None = None,
        allow_private: bool = True,
        rng: random.Random | None = None,
        recheck_every: float = 300.0,
        pacer: RequestPacer | None = None,
        bulk_threshold: int = 20,
        on_request: RequestHook | None = None,
    ) -> None:
        self.endpoint = check_endpoint(endpoint, allow_private=allow_private)
        self._allow_private = allow_private
        self._recheck_every = recheck_every
        self._checked_at: float | None = None
        self._api_key = api_key
        self.limits = limits or ClientLimits()
        self.breaker = breaker or CircuitBreaker("chain", clock=clock)
        self._offload = offload
        self._sleep = sleep
        self._clock = clock
        self._session = session or requests.Session()
        self._session.trust_env = False  # no proxies or netrc from the environment
        self._rng = rng or random.Random()
        self._pacer = pacer
        self._on_request = on_request
        # Catching up: one GET /chain instead of a /block/<i> per block, served from here.
        self._bulk_threshold = bulk_threshold
        self._bulk: dict[int, codec.Block] = {}
        self._bulk_retry_at = 0.0
        self._bulk_at = 0.0
        self._latest_index: int | None = None
        self.last_latency_ms: float | None = None
        #: When the node last refused our key (monotonic clock), None once it accepts it.
        self.auth_refused_since: float | None = None

    def __repr__(self) -> str:
        return f"ChainClient({self.endpoint!r}, api_key={'set' if self._api_key else 'unset'})"

    def close(self) -> None:
        self._session.close()

    def health_snapshot(self) -> BreakerSnapshot:
        """Breaker state and last latency for the health report (never blocks)."""
        return self.breaker.snapshot()

    def auth_problem(self) -> str | None:
        """The health problem while the node refuses our API key (401/403), else None."""
        return None if self.auth_refused_since is None else AUTH_PROBLEM

    # --- typed routes ---------------------------------------------------------------

    def latest_block(self) -> codec.LatestBlock:
        """``/block/latest``; when the node's scanner refuses the tip block, the length and
        pool size from ``/stats`` (``block`` None: the tip's hash is unknown)."""
        try:
            latest = self._get("/block/latest", codec.parse_latest)
        except ChainBlockedError:
            latest = self._get("/stats", codec.parse_stats)
        cached = self._bulk.get(latest.index)
        if (cached is not None and latest.hash is not None and cached.hash != latest.hash) or any(
            i > latest.index for i in self._bulk
        ):
            self._bulk.clear()  # the chain was reset or forked since: never serve old blocks
        self._latest_index = latest.index
        return latest

    def block(self, index: int) -> codec.Block:
        """``/block/<index>``; while far behind, blocks come from one ``GET /chain``."""
        index = int(index)
        if self._bulk and self._clock() - self._bulk_at > BULK_MAX_AGE:
            self._bulk.clear()  # an old snapshot: the chain may have forked since
        cached = self._bulk.pop(index, None)
        if cached is not None:
            return cached
        behind = None if self._latest_index is None else self._latest_index - index
        if (
            behind is not None
            and behind >= self._bulk_threshold
            and self._clock() >= self._bulk_retry_at
        ):
            try:
                blocks = self._get(
                    "/chain", lambda doc: codec.parse_chain(doc, start=index, limit=MAX_BULK_BLOCKS)
                )
            except (ChainProtocolError, CodecError) as exc:
                # Too large or unreadable: fall back to block by block for a while.
                logger.info("chain: GET /chain unusable (%s); reading block by block", exc)
                self._bulk_retry_at = self._clock() + 600.0
            else:
                self._bulk = {b.index: b for b in blocks}
                self._bulk_at = self._clock()
                cached = self._bulk.pop(index, None)
                if cached is not None:
                    return cached
        return self._get(f"/block/{index}", codec.parse_block)

    def pending(self) -> codec.EntryPage:
        return self._get("/pending", codec.parse_pending)

    def health(self) -> dict[str, Any]:
        def parse(doc: object) -> dict[str, Any]:
            if not isinstance(doc, dict):
                raise CodecError("health answer must be an object")
            return doc

        return self._get("/health", parse, strict=True)

    def entries_by_author(self, author: str) -> codec.EntryPage:
        def parse(doc: object) -> codec.EntryPage:
            if not isinstance(doc, dict):
                raise CodecError("author answer must be an object")
            return codec.parse_entries(doc.get("entries"), block_index=None)

        return self._get(f"/entries/author/{quote(author, safe='')}", parse)

    def post_entry(
        self, *, content: str, author: str, intent: str, metadata: Mapping[str, Any]
    ) -> PostResult:
        """``POST /entry``; 422 answers become typed results, not exceptions."""
        body = {"content": content, "author": author, "intent": intent, "metadata": metadata}
        status, raw = self._call("POST", "/entry", body, ok={201, 422})
        doc = self._decode(raw, _identity, strict=False)
        if status == 201:
            wrapper = doc.get("entry") if isinstance(doc, dict) else None
            echoed = wrapper.get("entry") if isinstance(wrapper, dict) else None
            entry = None
            if echoed is not None:
                try:
                    entry = codec.parse_entry(echoed, block_index=None)
                except codec.EntryError as exc:
                    logger.warning("chain: created entry echoed back unparseable: %s", exc)
            return PostResult(PostOutcome.CREATED, entry=entry)
        if not isinstance(doc, dict):
            return PostResult(PostOutcome.REJECTED, reason="unreadable_422")
        reason = doc.get("reason") if isinstance(doc.get("reason"), str) else None
        message = escape_for_log(str(doc.get("message", "")), limit=300)
        if reason == "duplicate":
            return PostResult(PostOutcome.DUPLICATE, reason=reason, message=message)
        if reason == "rate_limit":
            retry = protocol_amount(doc.get("retry_after"))
            retry = min(retry, 3600.0) if retry is not None else 60.0
            return PostResult(
                PostOutcome.RATE_LIMIT, retry_after=retry, reason=reason, message=message
            )
        status_text = doc.get("status") if isinstance(doc.get("status"), str) else None
        return PostResult(
            PostOutcome.REJECTED,
            reason=escape_for_log(reason or status_text or "rejected", limit=80),
            message=message,
        )

    def mine(self) -> MinedBlock | None:
        """``POST /mine`` with a JSON body (the node insists); None if nothing was pending."""
        status, raw = self._call("POST", "/mine", {}, ok={201, 400})
        doc = self._decode(raw, _identity, strict=True)
        if status == 400:
            return None
        block = doc.get("block") if isinstance(doc, dict) else None
        if not isinstance(block, dict):
            raise ChainProtocolError("mine answer has no block")
        index, block_hash, count = block.get("index"), block.get("hash"), block.get("entries_count")
        if (
            not isinstance(index, int)
            or not isinstance(block_hash, str)
            or not isinstance(count, int)
        ):
            raise ChainProtocolError("mine answer block has wrong types")
        return MinedBlock(index, block_hash, count)

    # --- transport ------------------------------------------------------------------

    def _get(self, path: str, parse: Callable[[Any], T], *, strict: bool = False) -> T:
        _, raw = self._call("GET", path, None, ok={200})
        return self._decode(raw, parse, strict=strict)

    def _decode(self, raw: bytes, parse: Callable[[Any], T], *, strict: bool) -> T:
        """JSON + codec, off the hub when the body is large. Raises CodecError."""
        loads = codec.loads_strict if strict else codec.loads_lenient

        def work() -> T:
            return parse(loads(raw))

        if len(raw) >= self.limits.offload_threshold:
            return self._offload(work)  # type: ignore[no-any-return]
        return work()

    def _call(self, method: str, path: str, body: Any, *, ok: set[int]) -> tuple[int, bytes]:
        """One logical request with retries on transient failures; returns (status, body)."""
        failures = 0
        self._recheck_endpoint()
        # Serialise before the breaker lets us in: a ValueError here (NaN in metadata) must
        # not leave a half-open trial "in flight" for ever.
        data = (
            None if body is None else json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
        )
        while True:
            if self._pacer is not None:
                wait = self._pacer.wait_for(write=method != "GET")
                if wait > 0:
                    # Our own share of the chain's limit is used up: back-pressure, not sent.
                    self._tell(method, "paced")
                    raise ChainBusyError(
                        f"{method} {path}: not sent; our request budget is used up for {wait:.0f}s",
                        retry_after=wait,
                    )
            try:
                self.breaker.before_call()
            except CircuitOpenError as exc:
                self._tell(method, "breaker_open")
                raise ChainUnavailableError(
                    f"not sent: {exc}", retry_in=max(exc.retry_in, 0.5)
                ) from exc
            started = self._clock()
            try:
                status, raw = self._counted(method, path, data)
            except ChainUnavailableError as exc:
                latency = (self._clock() - started) * 1000
                self.breaker.record_failure(str(exc), latency)
                failures += 1
                if failures >= self.limits.attempts:
                    raise
                self._sleep(self.limits.backoff.delay(failures, self._rng))
                continue
            except (ChainProtocolError, ChainBusyError) as exc:
                # The node is up but answered badly, or asked us to slow down: not a reason
                # to open the breaker for the next caller, and not worth retrying here.
                self.breaker.record_success((self._clock() - started) * 1000)
                if isinstance(exc, ChainAuthError):
                    if self.auth_refused_since is None:
                        self.auth_refused_since = self._clock()
                elif isinstance(exc, ChainBusyError) or (exc.status or 0) >= 400:
                    # Any other answer to a route that needs the key: the key was taken.
                    self.auth_refused_since = None
                raise exc from None
            except BaseException as exc:  # anything unforeseen still ends the breaker's call
                self.breaker.record_failure(type(exc).__name__, (self._clock() - started) * 1000)
                raise
            latency = (self._clock() - started) * 1000
            self.last_latency_ms = latency
            self.breaker.record_success(latency)
            self.auth_refused_since = None
            if status not in ok:
                raise ChainProtocolError(f"{method} {path} answered HTTP {status}", status=status)
            return status, raw

    def _recheck_endpoint(self) -> None:
        """Re-run the SSRF rules on what the host name resolves to now (DNS rebinding),
        at most every ``recheck_every`` seconds. Residual risk: requests resolves again
        when it connects, so a rebinding inside that window is not caught here."""
        now = self._clock()
        if self._checked_at is not None and now - self._checked_at < self._recheck_every:
            return
        check_endpoint(self.endpoint, allow_private=self._allow_private, resolve=True)
        self._checked_at = now

    def _tell(self, method: str, outcome: str) -> None:
        if self._on_request is not None:
            self._on_request(method, outcome)

    def _counted(self, method: str, path: str, data: bytes | None) -> tuple[int, bytes]:
        """One attempt (:meth:`_once`), its outcome told to ``on_request``."""
        try:
            status, raw = self._once(method, path, data)
        except Exception as exc:
            self._tell(method, attempt_outcome(exc))
            raise
        self._tell(method, str(status))
        return status, raw

    def _once(self, method: str, path: str, data: bytes | None) -> tuple[int, bytes]:
        limits = self.limits
        deadline = self._clock() + limits.deadline
        headers = {"Accept": "application/json", "User-Agent": "nlc-mediator/2"}
        if self._api_key is not None:
            headers["X-API-Key"] = self._api_key.reveal()
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self._session.request(
                method,
                self.endpoint + path,
                data=data,
                headers=headers,
                timeout=(limits.connect_timeout, min(limits.deadline, limits.connect_timeout * 2)),
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as exc:
            error = (
                ChainTimeoutError if isinstance(exc, requests.Timeout) else ChainUnavailableError
            )
            raise error(f"{method} {path}: {type(exc).__name__}") from None
        with response:
            status = response.status_code
            if 300 <= status < 400:
                raise ChainProtocolError(
                    f"{method} {path}: redirect refused ({status})", status=status
                )
            if status == 429:
                retry = parse_retry_after(response.headers.get("Retry-After"))
                raise ChainBusyError(
                    f"{method} {path}: HTTP 429 (rate limited"
                    + (f", retry after {retry:.0f}s)" if retry is not None else ")"),
                    retry_after=retry,
                )
            if status == 500 and self._scanner_refused(response, deadline, f"{method} {path}"):
                raise ChainBlockedError(
                    f"{method} {path}: the chain's secret scanner (block mode) refused to send it",
                    status=status,
                )
            if status in TRANSIENT_STATUS:
                raise ChainUnavailableError(f"{method} {path}: HTTP {status}", status=status)
            if status in {401, 403}:
                raise ChainAuthError(
                    f"{method} {path}: HTTP {status}; {AUTH_PROBLEM}", status=status
                )
            ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                raise ChainProtocolError(
                    f"{method} {path}: content type {escape_for_log(ctype, limit=60)!r}, not JSON",
                    status=status,
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limits.max_response_bytes:
                raise ChainProtocolError(f"{method} {path}: body of {declared} bytes refused")
            return status, self._read_body(response, deadline, f"{method} {path}")

    def _scanner_refused(self, response: requests.Response, deadline: float, what: str) -> bool:
        """True when a 500 is the node's secret scanner refusing the answer (block mode):
        a small JSON body whose ``error`` names it. Anything else stays a server error."""
        ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return False
        try:
            body = self._read_body(response, deadline, what, cap=4096)
            doc = json.loads(body)
        except (ChainError, ValueError):
            return False
        error = doc.get("error") if isinstance(doc, dict) else None
        return isinstance(error, str) and BLOCKED_MARKER in error.lower()

    def _read_body(
        self, response: requests.Response, deadline: float, what: str, *, cap: int | None = None
    ) -> bytes:
        cap = self.limits.max_response_bytes if cap is None else cap
        chunks: list[bytes] = []
        size = 0
        try:
            _shrink_read_timeout(response, max(0.001, deadline - self._clock()))
            while True:
                # read1: at most one socket read per call (read(amt) would wait for amt
                # bytes), and urllib3 bounds the *decoded* size of each piece.
                chunk = response.raw.read1(65_536, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise ChainProtocolError(f"{what}: body over {cap} bytes (after decompression)")
                chunks.append(chunk)
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise ChainTimeoutError(f"{what}: body not complete within the deadline")
                _shrink_read_timeout(response, remaining)
        except (requests.RequestException, OSError, ValueError) as exc:
            if isinstance(exc, requests.Timeout | TimeoutError):
                raise ChainTimeoutError(f"{what}: body not complete within the deadline") from None
            raise ChainUnavailableError(
                f"{what}: reading the body failed: {type(exc).__name__}"
            ) from None
        except Exception as exc:  # urllib3 errors (ProtocolError, DecodeError, ReadTimeout)
            if isinstance(exc, ChainError):
                raise
            if "timeout" in type(exc).__name__.lower():  # urllib3's ReadTimeoutError
                raise ChainTimeoutError(f"{what}: body not complete within the deadline") from None
            raise ChainUnavailableError(
                f"{what}: reading the body failed: {type(exc).__name__}"
            ) from None
        return b"".join(chunks)


def attempt_outcome(exc: BaseException) -> str:
    """What one failed attempt ended in, for :data:`RequestHook`: the status the node
    answered, or ``timeout``, ``unreachable``, ``oversize`` (a body over the cap), ``error``."""
    if isinstance(exc, ChainBusyError):
        return "429"
    if isinstance(exc, ChainTimeoutError):
        return "timeout"
    if isinstance(exc, ChainUnavailableError | ChainProtocolError):
        if exc.status is not None:
            return str(exc.status)
        return "unreachable" if isinstance(exc, ChainUnavailableError) else "oversize"
    return "error"


def _shrink_read_timeout(response: requests.Response, remaining: float) -> None:
    """Make the next socket read wait no longer than the request's remaining deadline."""
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            current = sock.gettimeout()
            sock.settimeout(remaining if current is None else min(current, remaining))
        except OSError:  # pragma: no cover - socket already closed
            pass
