import re
from pathlib import Path

import pytest

from mediator_actors import cli
from mediator_actors.config import SPECS, LLMProvider, known_names, load_settings, settings_fields
from mediator_actors.errors import ConfigError

KEY = "ab" * 32


def problems(env: dict[str, str], tmp_path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(env, cwd=tmp_path)
    return caught.value.problems


def test_defaults_give_dev_mode_with_the_offline_negotiator(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)
    assert settings.dev_mode is True
    assert settings.chain_endpoint is None
    assert settings.llm_provider is LLMProvider.OFFLINE
    assert (settings.health_host, settings.health_port, settings.ws_port) == (
        "127.0.0.1",
        8081,
        9000,
    )
    assert settings.facilitation_fee_percent == 0.01
    assert settings.vector_db_path == tmp_path / "data" / "vectors"


def test_every_bad_value_is_reported_at_once_naming_its_variable(tmp_path: Path) -> None:
    found = problems(
        {
            "HEALTH_PORT": "eighty",
            "FACILITATION_FEE_PERCENT": "150",
            "LOG_LEVEL": "loud",
            "EMBEDDING_PROVIDER": "magic",
            "MIN_NEGOTIATION_CONFIDENCE": "nan",
        },
        tmp_path,
    )
    text = "\n".join(found)
    for name in (
        "HEALTH_PORT",
        "FACILITATION_FEE_PERCENT",
        "LOG_LEVEL",
        "EMBEDDING_PROVIDER",
        "MIN_NEGOTIATION_CONFIDENCE",
    ):
        assert name in text
    assert len(found) == 5


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("http://169.254.169.254/latest", "link-local"),
        ("http://[::ffff:169.254.169.254]/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("file:///etc/passwd", "http:// or https://"),
        ("gopher://chain:70/", "http:// or https://"),
        ("https://user:pass@chain.example/", "must not carry credentials"),
        ("http://chain.example:5000", "plain http to a non-loopback host"),
    ],
)
def test_unsafe_chain_endpoints_are_refused_outside_dev_mode(
    endpoint: str, message: str, tmp_path: Path
) -> None:
    env = {"CHAIN_ENDPOINT": endpoint, "CHAIN_ID": "main", "MEDIATOR_PRIVATE_KEY": KEY}
    assert any(message in p for p in problems(env, tmp_path))


def test_loopback_http_and_remote_https_are_accepted(tmp_path: Path) -> None:
    for endpoint in ("http://127.0.0.1:5000", "https://chain.example"):
        env = {"CHAIN_ENDPOINT": endpoint, "CHAIN_ID": "main", "MEDIATOR_PRIVATE_KEY": KEY}
        assert load_settings(env, cwd=tmp_path).dev_mode is False


def test_production_needs_a_key_and_refuses_placeholders_and_public_binds(tmp_path: Path) -> None:
    env = {
        "CHAIN_ENDPOINT": "https://chain.example",
        "CHAIN_ID": "main",
        "LLM_PROVIDER": "anthropic",
        "LLM_API_KEY": "your-api-key-here",
        "HEALTH_HOST": "0.0.0.0",
    }
    text = "\n".join(problems(env, tmp_path))
    assert "MEDIATOR_PRIVATE_KEY is required" in text
    assert "LLM_API_KEY looks like a placeholder" in text
    assert "HEALTH_HOST=0.0.0.0 binds beyond loopback" in text


def test_secrets_never_appear_in_repr_or_errors(tmp_path: Path) -> None:
    secret = "sk-ant-api03-" + "Q" * 40
    settings = load_settings({"LLM_API_KEY": secret, "MEDIATOR_PRIVATE_KEY": KEY}, cwd=tmp_path)
    assert settings.llm_provider is LLMProvider.ANTHROPIC
    for text in (repr(settings), str(settings)):
        assert secret not in text
        assert KEY not in text
    bad = problems({"MEDIATOR_PRIVATE_KEY": "zz-not-hex-" + secret}, tmp_path)
    assert secret not in "\n".join(bad)


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text('# comment\nHEALTH_PORT=9100\nWS_PORT="9200"\n')
    settings = load_settings({"WS_PORT": "9300"}, cwd=tmp_path)
    assert (settings.health_port, settings.ws_port) == (9100, 9300)


def test_config_yaml_consensus_is_validated(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("consensusMode: dpos\nminEffectiveStake: -5\nbogus: 1\n")
    text = "\n".join(problems({}, tmp_path))
    assert "minEffectiveStake must be a non-negative number" in text
    assert "unknown key 'bogus'" in text


def _readme_table() -> dict[str, tuple[str, str]]:
    """README.md's configuration table: ``{name: (default, meaning)}``."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.fullmatch(r"\| `([A-Z0-9_]+)` \| `([^`]*)` \| (.*) \|", line)
        if match:
            rows[match[1]] = (match[2], match[3])
    return rows


def test_every_setting_is_documented_in_the_readme_and_every_documented_one_exists() -> None:
    table = _readme_table()
    declared = {
        s.name: (
            s.default if s.default is not None else "(unset)",
            s.help + (" (secret)" if s.secret else ""),
        )
        for s in SPECS
    }
    assert sorted(set(declared) - set(table)) == [], "settings missing from README.md"
    assert sorted(set(table) - set(declared)) == [], "README.md documents unknown settings"
    assert {n: table[n] for n in declared} == declared, "README.md's default or meaning differs"


def test_the_table_fills_every_settings_field_exactly_once() -> None:
    filled = [s.field for s in SPECS if s.field]
    assert len(filled) == len(set(filled))
    assert set(filled) == settings_fields()


def test_a_config_error_exits_non_zero_with_its_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in known_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEALTH_PORT", "99999")
    assert cli.main(["start"]) == cli.EXIT_CONFIG
    assert "HEALTH_PORT=99999 must be between 0 and 65535" in capsys.readouterr().err
