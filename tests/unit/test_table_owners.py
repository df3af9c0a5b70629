"""Every SQL table has one owning module, and SQL on a table appears only in its owner.

The check reads the package's source (no import): every string literal that is an SQL
statement (implicitly concatenated pieces and f-strings included) must name only tables
its own module owns. A new table must be added to ``OWNERS``; a query on another module's
table must become a typed function in that module.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mediator_actors"

#: table -> the one module (path below mediator_actors/) that declares and queries it
OWNERS: dict[str, str] = {
    "schema_migrations": "store/database.py",
    "sqlite_master": "store/database.py",
    "jobs": "store/jobs.py",
    "intents": "store/intents.py",
    "intents_version": "store/intents.py",
    "probe": "store/probe.py",
    "chain_cursor": "chain/tables.py",
    "chain_blocks": "chain/tables.py",
    "chain_events": "chain/tables.py",
    "chain_quarantine": "chain/tables.py",
    "chain_deferred": "chain/tables.py",
    "chain_skipped": "chain/tables.py",
    "chain_lost": "chain/tables.py",
    "vectors": "index/vectors.py",
    "negotiations": "negotiation/records.py",
    "proposal_decisions": "negotiation/records.py",
    "settlements": "settlement/records.py",
    "settlements_v2": "settlement/records.py",  # the v2 rebuild (a CHECK cannot change)
    "challenges": "settlement/records.py",
    "settlement_events": "settlement/events.py",
    "settlement_quarantine": "settlement/events.py",
    "settlement_clock": "settlement/events.py",
    "reputation": "settlement/reputation.py",
    "intent_flags": "chain/flags.py",
    "disputes": "disputes/records.py",
    "dispute_entries": "disputes/records.py",
}

_STATEMENT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|REPLACE|WITH)\s")
_TABLE = re.compile(
    # "AFTER UPDATE ON t" first: a trigger's table, not "ON"
    r"\b(?:(?:INSERT|UPDATE|DELETE) ON|FROM|JOIN|INTO|UPDATE|TABLE(?: IF NOT EXISTS)?|INDEX \w+ ON|EXISTS)\s+\(?\s*([\w?]+)"
)
#: words that follow the keywords above without naming a table
_NOT_TABLES = {"SELECT", "SET", "json_extract", "IF"}


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "?" for v in node.values)
    return None


def sql_statements(source: str) -> list[tuple[int, str]]:
    """(line, text) of every SQL statement written as a literal in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        text = _literal(node)
        if text is not None and _STATEMENT.match(text):
            found.append((getattr(node, "lineno", 0), text))
    return found


def tables_of(statement: str) -> set[str]:
    return {t for t in _TABLE.findall(statement) if t not in _NOT_TABLES}


def violations(module: str, source: str) -> list[str]:
    """Why ``source`` (the module at ``module``) breaks the rule; empty when it does not."""
    problems = []
    for line, statement in sql_statements(source):
        for table in sorted(tables_of(statement)):
            owner = OWNERS.get(table)
            if owner is None:
                problems.append(f"{module}:{line}: table {table!r} has no owner in OWNERS")
            elif owner != module:
                problems.append(f"{module}:{line}: SQL on {table!r}, which {owner} owns")
    return problems


def test_sql_on_a_table_appears_only_in_the_module_that_owns_it() -> None:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        problems += violations(module, path.read_text(encoding="utf-8"))
    assert problems == []


def test_every_owner_declares_its_tables() -> None:
    created: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        for _line, statement in sql_statements(path.read_text(encoding="utf-8")):
            match = re.match(r"\s*CREATE TABLE (?:IF NOT EXISTS )?(\w+)", statement)
            if match:
                created[match.group(1)] = module
    assert created == {t: m for t, m in OWNERS.items() if t != "sqlite_master"}


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "actors/settlement_agent.py",
            'rows = conn.execute("SELECT * FROM negotiations n WHERE n.success = 1")',
            [
                "actors/settlement_agent.py:1: SQL on 'negotiations', which negotiation/records.py owns"
            ],
        ),
        (
            "index/keeper.py",
            'conn.execute("SELECT offer_ref FROM jobs j"\n " JOIN settlements s ON 1")',
            [
                "index/keeper.py:1: SQL on 'jobs', which store/jobs.py owns",
                "index/keeper.py:1: SQL on 'settlements', which settlement/records.py owns",
            ],
        ),
        (
            "demo.py",
            'conn.execute(f"UPDATE {table} SET x = 1")\nconn.execute("DELETE FROM mystery")',
            [
                "demo.py:1: table '?' has no owner in OWNERS",
                "demo.py:2: table 'mystery' has no owner in OWNERS",
            ],
        ),
        ("store/jobs.py", 'conn.execute("SELECT COUNT(*) FROM jobs WHERE kind = ?")', []),
        ("chain/follower.py", '"""Select the next block FROM the chain."""', []),
    ],
)
def test_the_check_names_each_query_outside_its_owner(
    module: str, source: str, expected: list[str]
) -> None:
    assert violations(module, source) == expected


def test_job_queues_are_declared_once_in_store_jobs() -> None:
    constructed = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "JobQueue"
            ):
                constructed.append(path.relative_to(PACKAGE).as_posix())
    assert constructed == ["store/jobs.py", "store/jobs.py", "store/jobs.py"]
