"""Start-up says what the store's migrations did in one info line, or nothing."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from mediator_actors.store.database import Migration, apply_migrations, migrations_line

V1 = (
    Migration("alpha", 1, ("CREATE TABLE alpha_t (x INTEGER)",)),
    Migration("beta", 1, ("CREATE TABLE beta_t (x INTEGER)",)),
)
V2 = (
    *V1,
    Migration("alpha", 2, ("ALTER TABLE alpha_t ADD COLUMN y INTEGER",)),
    Migration("beta", 2, ("ALTER TABLE beta_t ADD COLUMN y INTEGER",)),
    Migration("beta", 3, ("ALTER TABLE beta_t ADD COLUMN z INTEGER",)),
)


def _info(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "mediator_actors.store.database" and r.levelno >= logging.INFO
    ]


def test_a_new_store_an_unchanged_one_and_an_upgrade(caplog: pytest.LogCaptureFixture) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    with caplog.at_level(logging.DEBUG, logger="mediator_actors.store.database"):
        assert len(apply_migrations(conn, V1)) == 2
        assert _info(caplog) == ["store: schema created (2 migrations)"]
        caplog.clear()
        assert apply_migrations(conn, V1) == []
        assert _info(caplog) == []  # nothing applied: nothing said
        assert len(apply_migrations(conn, V2)) == 3
        assert _info(caplog) == ["store: 3 migrations applied (alpha v2, beta v3)"]
    # Each migration is still told, at debug.
    assert "store: migrated beta to version 3" in caplog.text


def test_the_line_names_one_migration_in_the_singular() -> None:
    assert migrations_line([V2[2]], fresh=False) == "1 migration applied (alpha v2)"
    assert migrations_line([V1[0]], fresh=True) == "schema created (1 migration)"
