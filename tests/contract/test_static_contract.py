"""The contract items that need no running node: variables, verbs, flags, ``.env.example``.

The runbook (``OPERATIONS-runbook.md``) and ``interfaces.md`` live outside the repository, so
their names are written down here; docs/contract.md maps each row to its test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mediator_actors import cli
from mediator_actors.config import SPEC_BY_NAME, SPECS, load_settings
from mediator_actors.envfile import parse_env
from tests.contract.env_example import env_example

ROOT = Path(__file__).resolve().parents[2]

#: The runbook's "Environment Variables" table: name -> its stated default (None: none stated).
RUNBOOK_VARIABLES: dict[str, str | None] = {
    "CHAIN_ENDPOINT": None,
    "CHAIN_ID": None,
    "LLM_PROVIDER": None,
    "LLM_API_KEY": None,
    "MEDIATOR_PRIVATE_KEY": None,
    "FACILITATION_FEE_PERCENT": "0.01",
    "HEALTH_PORT": "8081",
    "WS_PORT": "9000",
    "LOG_LEVEL": None,
    # "Vector Database": the runbook's .env lines
    "VECTOR_DB_PATH": None,
    "VECTOR_DIMENSIONS": None,
    "MAX_INTENTS_CACHE": "10000",
}

#: interfaces.md, "Environment" and "Added in the second wave", with its stated defaults.
INTERFACES_VARIABLES: dict[str, str | None] = {
    "DATA_DIR": "./data",
    "CONFIG_FILE": "config.yaml",
    "CHAIN_API_KEY": None,
    "LLM_MODEL": None,
    "EMBEDDING_PROVIDER": "local",
    "ACCEPTANCE_WINDOW_HOURS": "72",
    "MIN_NEGOTIATION_CONFIDENCE": "60",
    "NEGOTIATOR_POOL_SIZE": None,
    "LLM_MAX_CALLS_PER_HOUR": None,
    "LLM_MAX_CALLS_PER_DAY": None,
    "HEALTH_HOST": "127.0.0.1",
    "WS_HOST": "127.0.0.1",
    "WS_AUTHORIZED_KEYS": None,
    "WS_AUTH_TIMEOUT_MS": None,
    "WS_MAX_CONNECTIONS": "1000",
    "CHALLENGE_RESOLVERS": None,
    "MAX_INTENT_FLAGS": "5",
    "LLM_FALLBACK_PROVIDER": None,
    "INTAKE_PLAIN_PROSE": "false",
    "ENABLE_CHALLENGES": "true",
    "DISPUTE_AUTHORITIES": None,
    "LOG_FILE": None,
    "LOG_FORMAT": None,
    "ANTHROPIC_API_KEY": None,
    "OPENAI_API_KEY": None,
}

#: interfaces.md: "a *_FILE form of every secret", naming these four.
FILE_FORMS = ("MEDIATOR_PRIVATE_KEY", "LLM_API_KEY", "CHAIN_API_KEY", "API_TOKEN")


@pytest.mark.parametrize(
    ("name", "default"), sorted({**RUNBOOK_VARIABLES, **INTERFACES_VARIABLES}.items())
)
def test_every_named_variable_is_a_setting_with_the_stated_default(
    name: str, default: str | None
) -> None:
    spec = SPEC_BY_NAME[name]
    if default is not None:
        assert spec.default == default


def test_the_runbooks_choices_are_accepted(tmp_path: Path) -> None:
    assert {"debug", "info", "warn", "error"} <= set(SPEC_BY_NAME["LOG_LEVEL"].choices)
    assert {"anthropic", "openai"} <= set(SPEC_BY_NAME["LLM_PROVIDER"].choices)
    # The runbook's vector lines as written: the path resolves under the working folder.
    settings = load_settings(
        {"VECTOR_DB_PATH": "./data/vectors", "MAX_INTENTS_CACHE": "10000"}, cwd=tmp_path
    )
    assert settings.vector_db_path == tmp_path / "data" / "vectors"
    assert settings.max_intents_cache == 10000


@pytest.mark.parametrize("name", FILE_FORMS)
def test_each_named_secret_also_comes_from_a_file(name: str, tmp_path: Path) -> None:
    assert SPEC_BY_NAME[name].secret
    value = "ab" * 32 if name == "MEDIATOR_PRIVATE_KEY" else "t0ken-" + "x1y2" * 6
    (tmp_path / "secret").write_text(value + "\n")
    (tmp_path / "secret").chmod(0o600)  # start refuses a key file others may read
    env = {f"{name}_FILE": str(tmp_path / "secret")}
    if name == "LLM_API_KEY":
        env["LLM_PROVIDER"] = "anthropic"
    settings = load_settings(env, cwd=tmp_path)
    field = SPEC_BY_NAME[name].field
    assert field is not None
    assert getattr(settings, field).reveal() == value


def test_the_env_example_lists_every_setting_and_is_current() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert text == env_example(), (
        ".env.example is stale: PYTHONPATH=. python -m tests.contract.env_example > .env.example"
    )
    for spec in SPECS:
        if spec.name != "ENV_FILE":
            assert f"# {spec.name}={spec.default or ''}\n" in text


def test_a_copied_env_example_changes_nothing(tmp_path: Path) -> None:
    # The runbook's Docker path: cp .env.example .env, then edit. Every line is commented,
    # so a fresh copy sets nothing, and no secret can clash with Compose's *_FILE secrets.
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    values, problems = parse_env(text)
    assert (values, problems) == ({}, [])
    without = load_settings({}, cwd=tmp_path)
    (tmp_path / ".env").write_text(text)
    assert load_settings({}, cwd=tmp_path) == without


#: Every invocation interfaces.md and the README document, flags included.
DOCUMENTED_INVOCATIONS = (
    ["init", "--dir", "D"],
    ["init", "--dir", "D", "--new-key"],
    ["start"],
    ["start", "--rebuild-from-chain"],
    ["status", "--json", "--url", "http://127.0.0.1:8081"],
    ["devchain", "--port", "0", "--auto-mine", "5", "--seed-demo"],
    ["devchain", "--secret-scan", "block", "--requests-per-minute", "100", "--rate-window", "6"],
    ["demo"],
    ["demo", "--timeout", "60", "--linger", "5"],
    ["benchmark", "--intents", "100", "--json"],
    ["benchmark", "--quick", "--suite", "index"],
    ["negotiate", "offer.txt", "seek.txt", "--json"],
    ["negotiate-eval", "--set", "pairs.jsonl", "--json"],
    ["disputes", "list", "--state", "open", "--json"],
    ["disputes", "show", "dsp_x", "--json"],
    ["keys", "new", "ops"],
    ["keys", "list"],
    ["keys", "revoke", "ops"],
    ["watch", "--channels", "health,settlements", "--key", "ops", "--json"],
    ["dashboard"],
    ["backup", "--to", "backups/"],
    ["verify", "backup.tar", "--json"],
    ["restore", "backup.tar", "--dir", "data"],
)


@pytest.mark.parametrize("argv", DOCUMENTED_INVOCATIONS, ids=" ".join)
def test_every_documented_invocation_parses(argv: list[str]) -> None:
    args = cli.build_parser().parse_args(argv)
    assert callable(args.handler)


def test_a_missing_or_unknown_verb_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    with pytest.raises(SystemExit) as caught:
        cli.main(["bogus"])
    assert caught.value.code == 2


def test_negotiate_eval_in_an_installed_node_names_set_instead_of_a_site_packages_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mediator_actors.negotiation import commands

    # What an installed package sees: the default set's path does not exist.
    monkeypatch.setattr(commands, "DEFAULT_EVAL_SET", tmp_path / "site-packages" / "x.jsonl")
    assert cli.main(["negotiate-eval"]) == 2
    err = capsys.readouterr().err
    assert "--set FILE" in err
    assert "site-packages" not in err


def test_negotiate_eval_exits_2_when_the_set_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 1 is "a target was missed"; a set that was never read is no evaluation at all.
    assert cli.main(["negotiate-eval", "--set", str(tmp_path / "missing.jsonl")]) == 2
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    assert cli.main(["negotiate-eval", "--set", str(tmp_path / "bad.jsonl")]) == 2
    assert "cannot load the evaluation set" in capsys.readouterr().err


def test_every_test_the_contract_page_names_exists() -> None:
    """docs/contract.md maps each row to tests; a renamed or deleted test fails here."""
    page = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    named = re.findall(r"`([a-z_]+/test_[a-z_]+\.py)((?:::[a-z_0-9]+)?)`", page)
    assert len(named) > 30
    # `::name` after a bare `path::a`, in the same cell, names another test of that file.
    last = ""
    for cell in re.findall(r"`([a-z_/]*(?:test_[a-z_]+\.py)?(?:::[a-z_0-9]+)?)`", page):
        if ".py" in cell:
            last = cell.split("::")[0]
        if "::" in cell:
            path, name = cell.split("::") if ".py" in cell else (last, cell[2:])
            source = (ROOT / "tests" / path).read_text(encoding="utf-8")
            assert f"def {name}(" in source, f"{path}::{name}"
    for path, _ in named:
        assert (ROOT / "tests" / path).is_file(), path
