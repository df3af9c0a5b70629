"""CLI verbs ``disputes list`` and ``disputes show ID``: read the running node's API.

They read ``/api/v1/disputes[/<id>]`` on ``HEALTH_HOST:HEALTH_PORT`` (or ``--url``), so they
never open the store a running node holds. Exit 0 found, 1 not found or unreachable.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import requests

from mediator_actors.edge.server import escape_for_log as _safe

EXIT_OK = 0
EXIT_FAIL = 1


def register(subparsers: Any) -> None:
    disputes = subparsers.add_parser("disputes", help="list the node's disputes or show one")
    verbs = disputes.add_subparsers(dest="disputes_verb", metavar="list|show")
    listing = verbs.add_parser("list", help="every dispute: id, state, settlement, claimant")
    listing.add_argument("--state", choices=("open", "escalated", "resolved", "orphaned"))
    show = verbs.add_parser("show", help="one dispute with its entries and their effects")
    show.add_argument("dispute_id")
    for p in (listing, show):
        p.add_argument("--url", help="node base URL (default: http://HEALTH_HOST:HEALTH_PORT)")
        p.add_argument("--json", action="store_true", help="print the API's JSON")
        p.add_argument("--timeout", type=float, default=5.0, help=argparse.SUPPRESS)
    listing.set_defaults(handler=cmd_list)
    show.set_defaults(handler=cmd_show)
    disputes.set_defaults(handler=lambda _a: (disputes.print_help(), EXIT_FAIL)[1])


def _base(args: argparse.Namespace) -> str:
    if args.url:
        return str(args.url).rstrip("/")
    from mediator_actors.config import load_settings

    s = load_settings()
    host = f"[{s.health_host}]" if ":" in s.health_host else s.health_host
    return f"http://{host}:{s.health_port}"


def _get(url: str, timeout: float) -> tuple[int, Any] | None:
    try:
        resp = requests.get(url, timeout=timeout)
        return resp.status_code, resp.json()
    except (requests.RequestException, ValueError) as exc:
        print(f"mediator-node: {_safe(url)} unreachable ({type(exc).__name__})", file=sys.stderr)
        return None


def cmd_list(args: argparse.Namespace) -> int:
    base = _base(args)
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = "?limit=500" + (f"&state={args.state}" if args.state else "")
        query += f"&cursor={cursor}" if cursor else ""
        got = _get(f"{base}/api/v1/disputes{query}", args.timeout)
        if got is None or got[0] != 200 or not isinstance(got[1], dict):
            return EXIT_FAIL
        items += got[1].get("disputes", [])
        cursor = got[1].get("next_cursor")
        if not cursor:
            break
    if args.json:
        print(json.dumps(items, indent=2, sort_keys=True))
        return EXIT_OK
    if not items:
        print("no disputes")
    for d in items:
        print(
            f"{_safe(str(d.get('dispute_id')))}  {_safe(str(d.get('state'))):9}  "
            f"settlement {_safe(str(d.get('settlement_id')))}  "
            f"claimant {_safe(str(d.get('claimant')))}"
            + (f"  outcome {_safe(str(d['outcome']))}" if d.get("outcome") else "")
        )
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    got = _get(f"{_base(args)}/api/v1/disputes/{args.dispute_id}", args.timeout)
    if got is None:
        return EXIT_FAIL
    status, body = got
    if status != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        print(f"mediator-node: {_safe(str(error or status))}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        print(json.dumps(body, indent=2, sort_keys=True))
        return EXIT_OK
    for key in (
        "dispute_id",
        "settlement_id",
        "state",
        "claimant",
        "respondent",
        "issue",
        "authority",
        "outcome",
        "resolved_by",
        "package_digest",
    ):
        if body.get(key) is not None:
            print(f"{key}: {_safe(str(body[key]))}")
    for e in body.get("entries", []):
        print(
            f"  block {e.get('block_index')}  {_safe(str(e.get('kind'))):18} "
            f"{_safe(str(e.get('author')))[:40]:40}  {_safe(str(e.get('effect')))}"
        )
    return EXIT_OK
