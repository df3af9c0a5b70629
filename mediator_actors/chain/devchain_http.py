"""The dev chain's HTTP surface: the real node's routes and shapes (natlangchain-api.md).

Part of the development and test double in :mod:`mediator_actors.chain.devchain`.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import bottle

from mediator_actors.chain.scanner import chain_scan_findings, scan_response

if TYPE_CHECKING:
    from mediator_actors.chain.devchain import DevChain

_F = TypeVar("_F", bound=Callable[..., Any])
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


def build_app(chain: DevChain) -> bottle.Bottle:  # noqa: PLR0915 - one route table
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
        # The real node's outbound scanner runs over every JSON answer below 400 (on by
        # default); in block mode it answers 500 with this body (its src/api/__init__.py).
        scanned, blocked = (doc, False) if status >= 400 else scan_response(doc, chain.secret_scan)
        if blocked:
            chain.responses_blocked += 1
            status = 500
            scanned = {
                "error": "Response blocked by secret scanner",
                "message": "The response contained potentially sensitive credentials and has"
                " been blocked.",
                "detections_count": len(chain_scan_findings(doc)),
            }
        elif scanned is not doc:
            chain.responses_redacted += 1
        response.status = status
        response.content_type = "application/json"
        return json.dumps(scanned, sort_keys=True)

    def denied(message: str, status: int) -> bottle.HTTPResponse:
        body = json.dumps({"error": message})
        return bottle.HTTPResponse(body, status, headers={"Content-Type": "application/json"})

    def wrapped(block: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
        return {"block_index": block["index"], "block_hash": block["hash"], "entry": entry}

    @hook
    def _auth() -> None:
        chain.requests_served += 1
        wait = chain.request_wait(request.remote_addr or "?")
        if wait is not None:
            body = json.dumps({"error": "Rate limit exceeded", "retry_after": wait})
            raise bottle.HTTPResponse(
                body,
                429,
                headers={"Content-Type": "application/json", "Retry-After": str(wait)},
            )
        path = request.path
        if chain.api_key is None or path.startswith("/health") or path == "/metrics":
            return
        given = request.headers.get("X-API-Key")
        if given is None:
            raise denied("API key required", 401)
        if not hmac.compare_digest(given.encode(), chain.api_key.encode()):
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
                "uptime_seconds": round(chain.uptime(), 3),
                "checks": {
                    "blockchain": {
                        "status": "ok",
                        "blocks": len(chain.blocks),
                        "pending_entries": len(chain.pending),
                    },
                    "storage": {
                        "status": "ok",
                        "backend": "file" if chain.persistent else "memory",
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
        return f"natlangchain_blocks {len(chain.blocks)}\nnatlangchain_pending_entries {len(chain.pending)}\n"

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
        status, doc = chain.submit(
            body.get("content"), body.get("author"), body.get("intent"), body.get("metadata")
        )
        if status == 201 and body.get("auto_mine"):
            chain.mine()
        return out(doc, status)

    @route("/pending")
    def pending() -> str:
        with chain.lock:
            return out({"count": len(chain.pending), "entries": chain.pending})

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
        block = chain.mine()
        if block is None:
            return out({"error": "No pending entries to mine"}, 400)
        summary = {k: block[k] for k in ("index", "timestamp", "hash", "previous_hash")}
        summary["entries_count"] = len(block["entries"])
        return out({"status": "success", "message": "Block mined", "block": summary}, 201)

    @route("/chain")
    def whole_chain() -> str:
        with chain.lock:
            inner = {"chain": chain.blocks, "pending_entries": chain.pending}
            return out({"length": len(chain.blocks), "valid": True, "chain": inner})

    @route("/block/latest")
    def latest() -> str:
        with chain.lock:
            return out(
                {
                    "block": chain.blocks[-1],
                    "chain_length": len(chain.blocks),
                    "pending_entries": len(chain.pending),
                }
            )

    @route("/block/<index:int>")
    def block(index: int) -> str:
        with chain.lock:
            if not 0 <= index < len(chain.blocks):
                return out({"error": "Block not found"}, 404)
            return out(chain.blocks[index])

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
        with chain.lock:
            found = [
                e for b in chain.blocks for e in b["entries"] if needle in e["content"].casefold()
            ]
        return out({"query": query, "count": len(found[:limit]), "entries": found[:limit]})

    @route("/entries/author/<author>")
    def by_author(author: str) -> str:
        with chain.lock:
            items = [
                wrapped(b, e) for b in chain.blocks for e in b["entries"] if e["author"] == author
            ]
        return out({"author": author, "count": len(items), "entries": items})

    @route("/contract/list")
    def contracts() -> str:
        status, ctype, author = (request.query.get(k) for k in ("status", "type", "author"))
        with chain.lock:
            items = [
                wrapped(b, e)
                for b in chain.blocks
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
                "blocks": len(chain.blocks),
                "pending_entries": len(chain.pending),
                "signatures": {},
            }
        )

    @route("/stats")
    def stats() -> str:
        with chain.lock:
            entries = [e for b in chain.blocks for e in b["entries"]]
            return out(
                {
                    "blocks": len(chain.blocks),
                    "pending_entries": len(chain.pending),
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
