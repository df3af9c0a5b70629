"""The environment a test's child node starts from."""

from __future__ import annotations

import os
from pathlib import Path

from mediator_actors.config import SPECS

ROOT = Path(__file__).resolve().parents[1]
#: A developer's shell may hold real keys: a child node must never see them.
PROVIDER_KEYS = {"ANTHROPIC_API_KEY", "OPENAI_API_KEY"}


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment without any node setting or provider key, with the
    repository importable, and ``extra`` on top."""
    names = {s.name for s in SPECS} | PROVIDER_KEYS
    env = {k: v for k, v in os.environ.items() if k not in names}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def quiet_node_env(**extra: str) -> dict[str, str]:
    """:func:`child_env` for a node on loopback port 0 that polls fast and logs text."""
    settings = {"LOG_FORMAT": "text", "HEALTH_PORT": "0", "WS_PORT": "0"}
    return child_env(**{**settings, "POLL_INTERVAL_SECONDS": "0.2", **extra})
