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

import io
import json
import logging
import logging.handlers
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from mediator_actors.errors import ConfigError
from mediator_actors.runtime.offload import native_rlock

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
    """Lines for people: local ``HH:MM:SS``, the level only when it is not ``info``, the
    message. The logger name is left out: messages start with their topic (``chain:``,
    ``settlement:``) and the JSON format keeps the name for machines."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line = _escape_controls(record.getMessage())
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        level = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        text = f"{stamp} {level}{line}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return self._redact(text)


def resolve_format(fmt: str, stream: TextIO) -> str:
    """``auto`` (the default) is text on a terminal and JSON otherwise, so a person at a
    terminal reads sentences and a log collector gets one object a line."""
    if fmt != "auto":
        return fmt
    isatty = getattr(stream, "isatty", None)
    try:
        return "text" if callable(isatty) and isatty() else "json"
    except (OSError, ValueError):  # a closed or odd stream: the machine format
        return "json"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Size-rotated log file created mode 0640, whatever the umask: log lines carry chain
    prose and ids that other local users have no business reading."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        return open(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)


def file_handler(path: Path, *, max_bytes: int, backups: int) -> logging.Handler:
    """``path`` rotated at ``max_bytes`` keeping ``backups`` old files (``app.log.1`` ...).

    Raises :class:`ConfigError` naming ``LOG_FILE`` when the file cannot be opened, so start
    exits 2 with one line instead of a traceback."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return PrivateRotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
    except OSError as exc:
        raise ConfigError(
            [f"LOG_FILE={path} cannot be opened for writing: {exc.strerror or type(exc).__name__}"]
        ) from exc


def configure_logging(
    *,
    level: str,
    fmt: str,
    redact: Redactor,
    stream: TextIO | None = None,
    log_file: Path | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    backups: int = 5,
) -> logging.Handler:
    """Install the handlers on the root logger: stderr (or ``stream``) always, plus a
    size-rotated ``log_file`` when given, both with the same format and redaction. ``fmt`` is
    ``json``, ``text`` or ``auto`` (:func:`resolve_format`, judged on the stream). Returns the
    stream handler."""
    out = stream or sys.stderr
    fmt = resolve_format(fmt, out)
    handler = logging.StreamHandler(out)
    handlers: list[logging.Handler] = [handler]
    if log_file is not None:
        handlers.append(file_handler(log_file, max_bytes=max_bytes, backups=backups))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        if isinstance(old, logging.FileHandler):
            old.close()
    for each in handlers:
        each.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact))
        # an OS lock, not gevent's: work offloaded to native threads logs too, and a gevent
        # lock contended from two native threads can hang both (issue 15)
        each.lock = native_rlock()
        root.addHandler(each)
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
