"""``mediator-node watch``'s lines for people: one line per frame, whatever the frame holds.

:func:`describe` takes any decoded frame (the server's, or anything a hostile or newer
server sends) and returns one printable line, or ``None`` for protocol chatter. It never
raises: unknown kinds and missing or odd fields print as what they are. Every value that
came from the node is escaped (no control characters, no newlines), so chain prose cannot
drive the operator's terminal (threats.md E).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from mediator_actors.edge.server import escape_for_log


def _printable(text: str) -> str:
    # escape_for_log covers CR/LF, ANSI and bidi; anything else a terminal would not print
    # as itself (format characters, unassigned code points) is escaped here too.
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def _s(value: object, limit: int = 120) -> str:
    text = _printable(escape_for_log(str(value)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short(value: object) -> str:
    text = _s(value, 200)
    return text[:12] + "…" if len(text) > 13 else text


def _pair(data: Mapping[str, Any]) -> str:
    intents = data.get("intents")
    if isinstance(intents, list) and intents:
        return " + ".join(_short(i) for i in intents[:2])
    return _short(data.get("pair", "?"))


def _parties(data: Mapping[str, Any]) -> str:
    parties = data.get("parties")
    if isinstance(parties, list) and parties:
        return " (" + ", ".join(_s(p, 40) for p in parties[:2]) + ")"
    return ""


def _num(value: object, fmt: str = "{:.2f}") -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    return fmt.format(value)


def _counts(value: object) -> str:
    if not isinstance(value, Mapping) or not value:
        return "none"
    return ", ".join(f"{_s(k, 30)} {_s(v, 20)}" for k, v in value.items())


def _fees(value: object) -> str:
    """``{currency: total}`` as ``0.25 NLC, 12 EUR`` (a bare number: a node that summed)."""
    if not isinstance(value, Mapping):
        return f"{_s(value, 20)} NLC"
    if not value:
        return "0 NLC"
    return ", ".join(f"{_num(v, '{:.6g}')} {_s(k, 12)}" for k, v in list(value.items())[:8])


def _event_text(kind: str, d: Mapping[str, Any]) -> str:  # noqa: PLR0911, PLR0912 - a line per kind
    if kind == "intent_ingested":
        return f"intent {_pair(d)} ingested{_parties(d)}"
    if kind == "negotiation_aligned":
        return f"aligned {_pair(d)}{_parties(d)}, confidence {_num(d.get('confidence'), '{:g}')}"
    if kind == "negotiation_failed":
        return f"declined {_pair(d)}{_parties(d)}: {_s(d.get('reason') or 'no reason given')}"
    if kind == "settlement_proposed":
        return f"proposed settlement {_short(d.get('settlement_id'))} for {_pair(d)}{_parties(d)}"
    if kind in ("settlement_mined", "settlement_changed"):
        whose = "ours" if d.get("own") else f"mediator {_short(d.get('mediator_id'))}"
        moved = (
            f"{_s(d.get('previous'), 20)} -> {_s(d.get('state'), 20)}"
            if d.get("previous")
            else _s(d.get("state"), 20)
        )
        verb = "on the chain" if kind == "settlement_mined" else moved
        line = f"settlement {_short(d.get('settlement_id'))} {verb} ({whose})"
        if kind == "settlement_mined" and d.get("state") != "proposed":
            line += f", {_s(d.get('state'), 20)}"
        if d.get("reason"):
            line += f": {_s(d.get('reason'))}"
        if d.get("payout_enqueued"):
            line += "; payout claim queued"
        return line
    if kind == "challenge_resolved":
        verdict = {True: "upheld", False: "rejected"}.get(d.get("upheld"), "resolved")  # type: ignore[arg-type]
        return (
            f"challenge {_short(d.get('challenge_id'))} on settlement "
            f"{_short(d.get('settlement_id'))} {verdict}: {_s(d.get('reason') or '')}"
        )
    if kind in ("dispute_opened", "dispute_evidenced", "dispute_escalated", "dispute_resolved"):
        # detail reads "opened by alice", "evidence frozen", "escalated to Guild", "resolved: X"
        return (
            f"dispute {_short(d.get('dispute_id'))} on settlement "
            f"{_short(d.get('settlement_id'))}{_parties(d)}: {_s(d.get('detail') or kind)}"
        )
    if kind == "reputation_changed":
        return (
            f"reputation of mediator {_short(d.get('mediator_id'))} changed"
            f" (settlement {_short(d.get('settlement_id'))})"
        )
    if kind == "health_changed":
        return _health(d)
    if kind == "metrics_sampled":
        return (
            f"queues {_counts(d.get('queues'))}; index {_s(d.get('index_size'), 12)}/"
            f"{_s(d.get('index_max'), 12)}; cycle {_num(d.get('alignment_cycle_s'))}s; "
            f"LLM p99 {_num(d.get('llm_latency_p99_s'))}s; settlement success "
            f"{_num(d.get('settlement_success_rate'), '{:.0%}')}; quarantine "
            f"{_s(d.get('quarantine'), 12)}"
        )
    fields = ", ".join(f"{_s(k, 30)}={_s(v, 40)}" for k, v in d.items() if k != "type")
    return f"{_s(kind, 40)} {fields}"


def _health(d: Mapping[str, Any]) -> str:
    ready = "ready" if d.get("ready") else "not ready"
    line = f"{_s(d.get('status'), 20)}, {ready}"
    reasons = [*(d.get("not_ready_reasons") or []), *(d.get("problems") or [])]
    if isinstance(reasons, list) and reasons:
        line += ": " + "; ".join(_s(r, 80) for r in reasons[:5])
    return line


def _open_list(d: Mapping[str, Any], describe: Callable[[Mapping[str, Any]], str]) -> str:
    """``d["open"]`` as "N open: a, b, … and M more", the first five described."""
    items = d.get("open")
    if not isinstance(items, list) or not items:
        return "none open"
    shown = [describe(i) for i in items[:5] if isinstance(i, Mapping)]
    more = f" and {len(items) - 5} more" if len(items) > 5 else ""
    return f"{len(items)} open: " + ", ".join(shown) + more


def _open_settlements(d: Mapping[str, Any]) -> str:
    return _open_list(
        d,
        lambda i: (
            f"{_short(i.get('settlement_id'))} {_s(i.get('state'), 12)} until "
            f"{_s(i.get('acceptance_deadline'), 32)}"
        ),
    )


def _open_disputes(d: Mapping[str, Any]) -> str:
    return _open_list(
        d,
        lambda i: (
            f"{_short(i.get('dispute_id'))} {_s(i.get('state'), 12)} on settlement "
            f"{_short(i.get('settlement_id'))}"
        ),
    )


_SNAPSHOTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "health": _health,
    "intents": lambda d: (
        f"{_counts(d.get('intents'))} intents; {_s(d.get('candidates'), 12)} candidate pairs"
    ),
    "negotiations": lambda d: (
        f"{_counts(d.get('negotiations'))}; declined by reason: "
        f"{_counts(d.get('declined_by_reason'))}"
    ),
    "settlements": lambda d: (
        f"{_counts(d.get('settlements'))}; payouts "
        f"{_s(d.get('payouts'), 12)}, fees {_fees(d.get('fees_claimed'))}; "
        f"{_open_settlements(d)}"
    ),
    "challenges": lambda d: f"{_counts(d.get('challenges'))}",
    "reputation": lambda d: _reputation(d.get("reputation")),
    "metrics": lambda d: _event_text("metrics_sampled", d),
    "disputes": lambda d: f"{_counts(d.get('disputes'))}; {_open_disputes(d)}",
}


def _reputation(r: object) -> str:
    if not isinstance(r, Mapping):
        return "unknown"
    fields = ", ".join(
        f"{_s(k, 30)} {_s(v, 30)}" for k, v in r.items() if not isinstance(v, Mapping | list)
    )
    return fields or "unknown"


def _clock(ms: object) -> str:
    if isinstance(ms, bool) or not isinstance(ms, int | float) or not 0 <= ms < 2**53:
        return time.strftime("%H:%M:%S")
    return time.strftime("%H:%M:%S", time.localtime(ms / 1000))


def describe(message: object) -> str | None:
    """One line for a frame; ``None`` for protocol replies (``subscribed``, ``pong``)."""
    try:
        if not isinstance(message, Mapping):
            return f"{time.strftime('%H:%M:%S')} ? {_s(message)}"
        kind = message.get("type")
        channel = _s(message.get("channel", "?"), 20)
        data = message.get("data")
        if not isinstance(data, Mapping):
            data = {}
        if kind == "event":
            text = _event_text(_s(data.get("type", "?"), 40), data)
            return f"{_clock(message.get('ts'))} {channel:<12} {text}"
        if kind == "snapshot":
            view = _SNAPSHOTS.get(channel)
            text = view(data) if view is not None else _counts(data)
            return f"{time.strftime('%H:%M:%S')} {channel:<12} now: {text}"
        if kind in ("subscribed", "pong", "welcome"):
            return None
        return f"{time.strftime('%H:%M:%S')} {_s(kind, 20)} {_s(message)}"
    except Exception as exc:  # noqa: BLE001 - a frame we cannot read prints, never crashes watch
        return f"{time.strftime('%H:%M:%S')} unreadable frame ({type(exc).__name__})"
