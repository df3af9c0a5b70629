"""Actors addressed by role, so a restarted actor is found again under the same name."""

from __future__ import annotations

import threading
from typing import Any

import pykka


class RoleRegistry:
    """Role name → the ref of the actor currently playing it. Supervisors keep it current."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refs: dict[str, pykka.ActorRef[Any]] = {}

    def register(self, role: str, ref: pykka.ActorRef[Any]) -> None:
        with self._lock:
            self._refs[role] = ref

    def unregister(self, role: str, ref: pykka.ActorRef[Any] | None = None) -> None:
        """Forget ``role``; with ``ref``, only if it still points at that actor."""
        with self._lock:
            if ref is None or self._refs.get(role) is ref:
                self._refs.pop(role, None)

    def get(self, role: str) -> pykka.ActorRef[Any] | None:
        with self._lock:
            ref = self._refs.get(role)
        return ref if ref is not None and ref.is_alive() else None

    def tell(self, role: str, message: Any) -> bool:
        """Send ``message`` to the actor playing ``role``; False if none is running now.

        A mailbox is a hint, not storage: work whose loss matters is a durable row first,
        and actors rescan their rows when they (re)start.
        """
        ref = self.get(role)
        if ref is None:
            return False
        try:
            ref.tell(message)
        except pykka.ActorDeadError:
            return False
        return True

    def roles(self) -> list[str]:
        with self._lock:
            return sorted(self._refs)
