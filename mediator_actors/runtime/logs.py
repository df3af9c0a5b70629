"""Structured logs at LOG_LEVEL, with every line redacted before it leaves the process
(the node passes its :class:`~mediator_actors.safety.secretscan.SecretScanner`).

Levels mean:
- ``DEBUG``: detail for developers; off in production (the runbook's security checklist);
- ``INFO``: state changes an operator may want to see (started, proposed, closed);
- ``WARNING``: something failed and the node is recovering on its own (retry, restart);
- ``ERROR``: needs an operator (a supervisor gave up, an entry was quarantined).

JSON lines escape CR/LF and control characters by construction; text lines escape them
explicitly, so chain prose cannot forge a log line (threats.md E).
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

Redactor = Callable[[str], str]

_WATCHERS: list[Any] = []
_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def _escape_controls(text: str) -> str:
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, msg, any ``extra`` fields, exc."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return self._redact(json.dumps(entry, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line = _escape_controls(record.getMessage())
        text = f"{self.formatTime(record)} {record.levelname:<7} {record.name}: {line}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return self._redact(text)


def configure_logging(
    *, level: str, fmt: str, redact: Redactor, stream: TextIO | None = None
) -> logging.Handler:
    """Install one handler on the root logger; returns it so callers can swap redactors."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Libraries that log request URLs or bodies at DEBUG stay at WARNING.
    for noisy in ("urllib3", "httpx", "httpcore", "anthropic", "openai", "hnswlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler


def install_greenlet_dump() -> None:
    """SIGUSR1 logs every greenlet's stack (pykka's own dump shows no actor frames under
    gevent; ``gevent.util.format_run_info`` does)."""
    import gevent
    import gevent.util

    def dump() -> None:
        logging.getLogger("mediator_actors.debug").warning(
            "greenlet dump:\n%s", "\n".join(gevent.util.format_run_info())
        )

    # gevent cancels a signal watcher that is garbage collected: keep it for the process.
    _WATCHERS.append(gevent.signal_handler(signal.SIGUSR1, dump))
