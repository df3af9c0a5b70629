"""CLI verbs of the edge: ``status``, ``keys new|list|revoke``, ``watch``.

Register by adding ``"mediator_actors.edge.commands"`` to ``cli.COMMAND_MODULES``.
Everything printed that came from the node goes through ``json.dumps(ensure_ascii=True)`` or
:func:`_safe`, so hostile prose cannot drive the operator's terminal (threats.md E).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mediator_actors.edge.keys import (
    DEFAULT_KEY_DIR,
    KEY_FILE,
    KeyFile,
    WsKeyError,
    check_name,
    load_private_key,
    public_hex,
    read_key_file,
    write_key_file,
    write_private_key,
)
from mediator_actors.edge.server import escape_for_log as _safe

EXIT_OK, EXIT_FAIL = 0, 1


def register(subparsers: Any) -> None:
    status = subparsers.add_parser("status", help="read /health and summarise the node's state")
    status.add_argument("--json", action="store_true", help="print the report as JSON")
    status.add_argument("--url", help="health URL (default: http://HEALTH_HOST:HEALTH_PORT/health)")
    status.add_argument("--timeout", type=float, default=5.0, help=argparse.SUPPRESS)
    status.set_defaults(handler=cmd_status)

    keys = subparsers.add_parser("keys", help="manage keys allowed on the monitoring WebSocket")
    keys.add_argument(
        "--key-dir", type=Path, default=DEFAULT_KEY_DIR, help="where private keys live"
    )
    sub = keys.add_subparsers(dest="keys_verb", metavar="ACTION", required=True)
    new = sub.add_parser("new", help="generate a key pair and authorise its public key")
    new.add_argument("name")
    new.set_defaults(handler=cmd_keys_new)
    sub.add_parser("list", help="list authorised keys").set_defaults(handler=cmd_keys_list)
    revoke = sub.add_parser("revoke", help="refuse a key from now on")
    revoke.add_argument("name")
    revoke.set_defaults(handler=cmd_keys_revoke)

    dashboard = subparsers.add_parser(
        "dashboard", help="print the dashboard's link, holding its token, for this machine"
    )
    dashboard.add_argument("--url", help="the node's health base URL (default: HEALTH_HOST:PORT)")
    dashboard.set_defaults(handler=cmd_dashboard)

    watch = subparsers.add_parser("watch", help="print monitoring WebSocket events as they come")
    watch.add_argument(
        "--channels",
        default="health,intents,negotiations,settlements,challenges,disputes",
        help="comma-separated: intents, negotiations, settlements, challenges, disputes, "
        "reputation, health, metrics",
    )
    watch.add_argument("--key", default="default", help="name of a key made by `keys new`")
    watch.add_argument("--key-dir", type=Path, default=DEFAULT_KEY_DIR)
    watch.add_argument("--url", help="ws://HOST:PORT/ws (default: WS_HOST/WS_PORT)")
    watch.add_argument("--json", action="store_true", help="print raw frames, one JSON a line")
    watch.add_argument("--origin", help=argparse.SUPPRESS)
    watch.add_argument("--max-events", type=int, default=0, help=argparse.SUPPRESS)
    watch.add_argument("--timeout", type=float, default=0.0, help=argparse.SUPPRESS)
    watch.set_defaults(handler=cmd_watch)


def _settings() -> Any:
    from mediator_actors.config import load_settings

    return load_settings()


def _key_file() -> Path:
    return Path(_settings().data_dir) / KEY_FILE


# status


def cmd_status(args: argparse.Namespace) -> int:
    import requests

    url = args.url
    if url is None:
        s = _settings()
        url = f"http://{_host(s.health_host)}:{s.health_port}/health"
    elif not url.rstrip("/").endswith("/health"):
        url = url.rstrip("/") + "/health"  # the node's base URL, as the runbook's curl uses
    try:
        resp = requests.get(url, timeout=args.timeout)
        report = resp.json()
        if not isinstance(report, dict) or "status" not in report:
            raise ValueError("not a health report")
    except requests.RequestException as exc:
        print(f"mediator-node: {_safe(url)} unreachable ({type(exc).__name__})", file=sys.stderr)
        return EXIT_FAIL
    except ValueError:
        print(f"mediator-node: {_safe(url)} did not answer with a health report", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=True))
    else:
        print(_summary(report))
    return EXIT_OK if report.get("status") in ("healthy", "degraded") else EXIT_FAIL


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _summary(r: dict[str, Any]) -> str:
    uptime = int(r.get("uptime") or 0) // 1000
    lines = [
        f"status: {_safe(str(r.get('status')))}   ready: {r.get('ready')}   "
        f"uptime: {uptime // 3600}h{uptime % 3600 // 60:02d}m{uptime % 60:02d}s"
    ]
    for reason in r.get("notReadyReasons") or []:
        lines.append(f"  not ready: {_safe(str(reason))}")
    for problem in r.get("problems") or []:
        lines.append(f"  problem: {_safe(str(problem))}")
    for name, comp in (r.get("components") or {}).items():
        if isinstance(comp, dict):
            lines.append(
                f"  {_safe(str(name))}: {_safe(str(comp.get('status')))} ({comp.get('latency')} ms)"
            )
    for actor in r.get("actors") or []:
        if isinstance(actor, dict) and (actor.get("state") != "running" or actor.get("restarts")):
            lines.append(
                f"  actor {_safe(str(actor.get('name')))}: {_safe(str(actor.get('state')))}, "
                f"{actor.get('restarts')} restarts"
            )
    return "\n".join(lines)


# dashboard


def cmd_dashboard(args: argparse.Namespace) -> int:
    """The link carries the token in its fragment (``#token=``): a browser never sends a
    fragment to the server, and the page moves it out of the address bar at once."""
    from urllib.parse import quote

    from mediator_actors.edge.tickets import DASHBOARD_TOKEN_FILE

    s = _settings()
    path = Path(s.config_file).parent / DASHBOARD_TOKEN_FILE
    api_token = s.api_token
    if api_token is not None:
        token = api_token.reveal()
    elif path.exists():
        token = path.read_text(encoding="ascii").strip()
    else:
        print(
            f"mediator-node: no dashboard token yet ({path}): `mediator-node start` makes it",
            file=sys.stderr,
        )
        return EXIT_FAIL
    base = (args.url or f"http://{_host(s.health_host)}:{s.health_port}").rstrip("/")
    print(f"{base}/dashboard/#token={quote(token, safe='')}")
    return EXIT_OK


# keys


def cmd_keys_new(args: argparse.Namespace) -> int:
    name = check_name(args.name)
    path = _key_file()
    current = read_key_file(path)
    if name in current.keys:
        raise WsKeyError(f"a key named {name} exists; revoke it first or pick another name")
    pem_path = Path(args.key_dir).expanduser() / f"{name}.pem"
    if pem_path.exists():
        # The operator's key for another node (or an earlier DATA_DIR): authorise the same
        # key here rather than refuse, so one `watch --key NAME` reaches every node.
        public = public_hex(load_private_key(pem_path))
        if public in current.revoked:
            raise WsKeyError(f"the key in {pem_path} was revoked on this node; pick another name")
        told = f"private key {pem_path} exists: its public key is authorised here too"
    else:
        private = Ed25519PrivateKey.generate()
        write_private_key(pem_path, private)
        public = public_hex(private)
        told = f"private key written to {pem_path} (mode 0600): keep it; the node never needs it"
    write_key_file(path, KeyFile({**current.keys, name: public}, current.revoked))
    print(told)
    print(f"authorised in {path}; or add to WS_AUTHORIZED_KEYS:")
    print(f"{name}={public}")
    return EXIT_OK


def cmd_keys_list(args: argparse.Namespace) -> int:
    s = _settings()
    file = read_key_file(Path(s.data_dir) / KEY_FILE)
    rows = [(n, k, "env") for n, k in s.ws_authorized_keys] + [
        (n, k, "key file") for n, k in file.keys.items()
    ]
    if not rows:
        print("no keys authorised: the monitoring WebSocket refuses everyone")
    for name, key, source in sorted(rows):
        state = "revoked" if key in file.revoked else "active"
        print(f"{name}\t{key}\t{source}\t{state}")
    return EXIT_OK


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    name = check_name(args.name)
    s = _settings()
    path = Path(s.data_dir) / KEY_FILE
    current = read_key_file(path)
    targets = {k for n, k in s.ws_authorized_keys if n == name}
    if name in current.keys:
        targets.add(current.keys[name])
    if not targets:
        raise WsKeyError(f"no key named {name}")
    keys = {n: k for n, k in current.keys.items() if n != name}
    write_key_file(path, KeyFile(keys, current.revoked | targets))
    print(f"revoked {name}: new connections with it are refused")
    if any(n == name for n, _ in s.ws_authorized_keys):
        print("it is still listed in WS_AUTHORIZED_KEYS: remove it there too")
    return EXIT_OK


# watch

#: What a bare "1008 refused" most likely means at each step, and how to check it. The
#: server never says which rule refused (threats.md): the client knows where it was.
AUTH_CAUSES = (
    "the key is not authorised on this node, or was revoked: on the node's host, "
    "`mediator-node keys list` (same DATA_DIR) must show {key} active with public key {public}",
    "no key is authorised at all: `mediator-node keys new {key}` on the node's host",
    "the URL reaches another node (each challenge names its node): "
    "`mediator-node status --url http://HOST:HEALTH_PORT` should answer for the node you mean",
    "too many open sessions: `curl -s {counts}` shows connections against the limit",
)
SUBSCRIBE_CAUSES = (
    "a channel the server does not serve: it offers {offered}",
    "a filter the server refuses (party, intent or settlement: an ent_... or stl_... id)",
    "the key was revoked while connected: `mediator-node keys list` on the node's host",
)
UPGRADE_CAUSES = {
    "403": "the Origin header is not allowed (browsers send one; `watch --origin` does too): "
    "drop --origin, or use the dashboard from the node's own health port",
    "404": "the path is not /ws: use ws://HOST:WS_PORT/ws",
    "503": "the node is at its connection limit or admitting too fast: `curl -s {counts}`",
}


def _counts_url(url: str) -> str:
    return url.rsplit("/ws", 1)[0].replace("ws://", "http://", 1) + "/"


def explain_refusal(stage: str, *, url: str, key: str, public: str, offered: list[str]) -> str:
    """The likely causes of a refusal at ``stage`` (``auth`` or ``subscribe``), each with the
    command that checks it."""
    causes = AUTH_CAUSES if stage == "auth" else SUBSCRIBE_CAUSES
    values = {
        "key": key,
        "public": public,
        "counts": _counts_url(url),
        "offered": ", ".join(offered) or "(unknown)",
    }
    lines = [f"  - {cause.format(**values)}" for cause in causes]
    return "likely causes:\n" + "\n".join(lines)


def cmd_watch(args: argparse.Namespace) -> int:
    from mediator_actors.edge.watchlines import describe
    from mediator_actors.edge.wsclient import WsClient, WsClientError

    url = args.url
    if url is None:
        s = _settings()
        url = f"ws://{_host(s.ws_host)}:{s.ws_port}/ws"
    name = check_name(args.key)
    key = load_private_key(Path(args.key_dir).expanduser() / f"{name}.pem")
    public = public_hex(key)
    channels = [c.strip() for c in args.channels.split(",") if c.strip()]
    # With --json, stdout carries frames only; what watch says about itself goes to stderr.
    info = sys.stderr if args.json else sys.stdout
    seen = 0
    stage = "connect"
    offered: list[str] = []
    try:
        client = WsClient.connect(url, timeout=args.timeout or 10.0, origin=args.origin)
        stage = "auth"
        welcome = client.authenticate(key)
        offered = [str(c) for c in welcome.get("channels") or []]
        unknown = [c for c in channels if offered and c not in offered]
        if unknown:
            client.close()
            print(
                f"mediator-node: unknown channel {', '.join(map(_safe, unknown))}; "
                f"this node offers: {', '.join(map(_safe, offered))}",
                file=sys.stderr,
            )
            return EXIT_FAIL
        if not args.timeout:
            client.sock.settimeout(None)
        stage = "subscribe"
        for channel in channels:
            client.subscribe(channel)
        _emit(
            f"connected to {_safe(url)} as key {name} (channels {', '.join(channels)}); "
            "the current state first, then events as they happen. Ctrl-C to stop.",
            file=info,
        )
        while not args.max_events or seen < args.max_events:
            message = client.recv()
            if not isinstance(message, dict):
                continue
            if message.get("type") in ("event", "snapshot"):
                seen += message.get("type") == "event"
                if args.json:
                    _emit(json.dumps(message, ensure_ascii=True))
            line = None if args.json else describe(message)
            if line is not None:
                _emit(line)
        client.close()
    except KeyboardInterrupt:
        return EXIT_OK
    except _OutputClosedError:
        # `watch | head` once head is done: the CLI ends quietly, not "cannot watch".
        raise BrokenPipeError from None
    except (OSError, WsClientError) as exc:
        _explain_failure(exc, stage=stage, url=url, key=name, public=public, offered=offered)
        return EXIT_FAIL
    return EXIT_OK


class _OutputClosedError(Exception):
    """The reader of watch's output went away; not the connection's fault."""


def _emit(line: str, *, file: TextIO | None = None) -> None:
    try:
        print(line, file=file, flush=True)
    except BrokenPipeError as exc:
        raise _OutputClosedError from exc


def _explain_failure(
    exc: Exception, *, stage: str, url: str, key: str, public: str, offered: list[str]
) -> None:
    from mediator_actors.edge.wsclient import WsClosed

    if isinstance(exc, WsClosed):
        print(
            f"mediator-node: {_safe(url)} closed the connection ({exc.code} {_safe(exc.reason)})"
            f" during {stage}",
            file=sys.stderr,
        )
        if exc.code == 1008 and stage in ("auth", "subscribe"):
            print(
                explain_refusal(stage, url=url, key=key, public=public, offered=offered),
                file=sys.stderr,
            )
        return
    print(f"mediator-node: cannot watch {_safe(url)}: {_safe(str(exc))}", file=sys.stderr)
    words = str(exc).split(" ")
    for code, cause in UPGRADE_CAUSES.items():
        if code in words:
            print(f"likely cause: {cause.format(counts=_counts_url(url))}", file=sys.stderr)
    if isinstance(exc, ConnectionRefusedError):
        print(
            "likely cause: the node is not running, or WS_HOST/WS_PORT differ: "
            "`mediator-node status` checks the node",
            file=sys.stderr,
        )
