"""Which of this node's keys its settlements still need (protocol.md, "Key rotation").

A retired key is needed while any settlement it proposed can still close (the payout claim is
signed when it closes) or can still be disputed (the clarification is signed when a dispute
opens, up to ``DISPUTE_WINDOW`` after the acceptance deadline, chain time). Once neither holds
it can be dropped. A mediator id of ours whose settlements still need a key this node no longer
holds is reported too: those payouts cannot be claimed until the key is put back.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from mediator_actors.disputes.book import DISPUTE_WINDOW
from mediator_actors.settlement import events, records
from mediator_actors.settlement.records import KeyUse
from mediator_actors.signing import Keyring

__all__ = ["KeyReport", "KeyUse", "key_report", "start_lines"]


@dataclass(frozen=True, slots=True)
class KeyReport:
    current: KeyUse
    retired: tuple[KeyUse, ...]
    #: Our settlements' mediator ids that still need a key this node does not hold.
    unheld: tuple[KeyUse, ...]
    chain_time: float

    @property
    def droppable(self) -> tuple[str, ...]:
        return tuple(use.mediator_id for use in self.retired if not use.needed)

    def to_json(self) -> dict[str, object]:
        def one(use: KeyUse) -> dict[str, object]:
            return {
                "mediator_id": use.mediator_id,
                "open_settlements": use.open,
                "disputable_settlements": use.disputable,
                "disputable_until": _utc(use.disputable_until),
                "needed": use.needed,
            }

        return {
            "current": one(self.current),
            "retired": [one(use) for use in self.retired],
            "unheld": [one(use) for use in self.unheld],
            "droppable": list(self.droppable),
            "chain_time": _utc(self.chain_time) if self.chain_time > 0 else None,
        }


def _utc(moment: float | None) -> str | None:
    if moment is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def key_report(
    conn: sqlite3.Connection, keyring: Keyring, *, window: float = DISPUTE_WINDOW
) -> KeyReport:
    """What each key in ``keyring``, and each mediator id our settlements were proposed under,
    still has to sign for, at the chain time the store has reached."""
    chain_time = events.chain_clock(conn)
    ids = sorted(set(keyring.ids) | set(records.own_mediator_ids(conn)))
    uses = records.key_uses(conn, ids, chain_time=chain_time, window=window)
    return KeyReport(
        current=uses[keyring.current.mediator_id],
        retired=tuple(uses[key.mediator_id] for key in keyring.retired),
        unheld=tuple(use for ident, use in uses.items() if not keyring.owns(ident) and use.needed),
        chain_time=chain_time,
    )


def describe(use: KeyUse) -> str:
    parts = []
    if use.open:
        parts.append(f"{use.open} settlement(s) that can still close")
    if use.disputable:
        parts.append(f"{use.disputable} that can be disputed until {_utc(use.disputable_until)}")
    return " and ".join(parts) or "no settlement that can still close or be disputed"


def start_lines(report: KeyReport) -> list[tuple[bool, str]]:
    """What start logs about the keys: (is_warning, line), never a key, only ids."""
    lines: list[tuple[bool, str]] = []
    for use in report.retired:
        if use.needed:
            lines.append((False, f"keys: retired key {use.mediator_id} kept for {describe(use)}"))
        else:
            lines.append(
                (
                    False,
                    f"keys: retired key {use.mediator_id} is no longer needed ({describe(use)});"
                    " `mediator-node retired-keys --drop` removes it",
                )
            )
    for use in report.unheld:
        lines.append(
            (
                True,
                f"keys: {describe(use)} were proposed as {use.mediator_id}, whose key is neither "
                "MEDIATOR_PRIVATE_KEY nor in MEDIATOR_RETIRED_KEYS_FILE: their payout claims "
                "and clarifications cannot be signed until it is put back",
            )
        )
    return lines
