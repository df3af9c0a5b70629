"""Where settings come from: ``.env`` by the dotenv rules, ``*_FILE`` secrets, start warnings."""

from pathlib import Path

import pytest

from mediator_actors.config import EmbeddingProvider, LLMProvider, load_settings
from mediator_actors.embedding.factory import make_embedder_from_settings
from mediator_actors.embedding.openai_embedder import OpenAIEmbedder
from mediator_actors.errors import ConfigError

KEY = "ab" * 32
PROD = {"CHAIN_ENDPOINT": "https://chain.example", "CHAIN_ID": "main"}


def problems(env: dict[str, str], tmp_path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(env, cwd=tmp_path)
    return caught.value.problems


def test_env_file_follows_the_dotenv_rules(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "HEALTH_PORT=8082 # port\n"
        "export WS_PORT = 9100\n"
        "LLM_MODEL='model # not a comment'\n"
        'DATA_DIR="./my data"  # quoted, then a comment\n'
        "CHAIN_ID=abc#def\n"
    )
    settings = load_settings({}, cwd=tmp_path)
    assert (settings.health_port, settings.ws_port) == (8082, 9100)
    assert settings.llm_model == "model # not a comment"
    assert settings.data_dir == tmp_path / "my data"
    assert settings.chain_id == "abc#def"


def test_every_bad_env_line_is_reported_by_number_without_its_text(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f'GOOD=1\nnot a line {KEY}\nX=\'open\nY="ok" trailing\nHEALTH_PORT=eighty\n'
    )
    found = problems({}, tmp_path)
    env = str(tmp_path / ".env")
    assert found == [
        f"{env}:2: expected KEY=VALUE",
        f"{env}:3: the ' quote is never closed",
        f"{env}:4: unexpected text after the closing quote",
        "HEALTH_PORT=eighty is not a whole number",  # with the rest, not alone
    ]
    assert KEY not in "\n".join(found)


@pytest.mark.parametrize("where", ["environment", ".env"])
def test_a_likely_misspelling_is_warned_about_naming_the_setting(
    where: str, tmp_path: Path
) -> None:
    env = {"HEALT_PORT": "8082"} if where == "environment" else {}
    if where == ".env":
        (tmp_path / ".env").write_text("HEALT_PORT=8082\nLLM_APIKEY=x\n")
    warnings = "\n".join(load_settings(env, cwd=tmp_path).warnings)
    assert "HEALT_PORT" in warnings
    assert "did you mean HEALTH_PORT?" in warnings
    if where == ".env":
        assert "did you mean LLM_API_KEY?" in warnings


def test_the_usual_environment_earns_no_misspelling_warning(tmp_path: Path) -> None:
    usual = [
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "TERM",
        "LANG",
        "PWD",
        "OLDPWD",
        "HOSTNAME",
        "TMPDIR",
        "VIRTUAL_ENV",
        "PYTHONPATH",
        "PYTHONHASHSEED",
        "OPENAI_BASE_URL",
        "ANTHROPIC_BASE_URL",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "TZ",
        "LC_ALL",
        "XDG_CONFIG_HOME",
        "XDG_RUNTIME_DIR",
        "SSH_AUTH_SOCK",
        "KUBERNETES_PORT",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        "CI",
        "GITHUB_ACTIONS",
        "DEBIAN_FRONTEND",
        "MEDIATOR_PRIVATE_KEY_FILE",
        "LLM_API_KEY_FILE",
        "CHAIN_API_KEY_FILE",
    ]
    env = dict.fromkeys(usual, "/tmp")
    env["MEDIATOR_PRIVATE_KEY_FILE"] = str(tmp_path / "k")
    env["LLM_API_KEY_FILE"] = str(tmp_path / "k")
    env["CHAIN_API_KEY_FILE"] = str(tmp_path / "k")
    (tmp_path / "k").write_text(KEY + "\n")
    (tmp_path / "k").chmod(0o600)  # a readable key file is refused
    assert load_settings(env, cwd=tmp_path).warnings == ()


def test_every_secret_can_come_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "key").write_text(KEY + "\n")
    (tmp_path / "key").chmod(0o600)
    (tmp_path / "llm").write_text("sk-ant-api03-" + "Q" * 40)
    settings = load_settings(
        {**PROD, "MEDIATOR_PRIVATE_KEY_FILE": "key", "LLM_API_KEY_FILE": str(tmp_path / "llm")},
        cwd=tmp_path,
    )
    assert settings.mediator_private_key is not None
    assert settings.mediator_private_key.reveal() == KEY
    assert settings.llm_provider is LLMProvider.ANTHROPIC
    assert settings.warnings == ()


def test_a_secret_file_problem_names_the_variable_and_never_the_secret(tmp_path: Path) -> None:
    (tmp_path / "empty").write_text("\n")
    (tmp_path / "key").write_text(KEY)
    (tmp_path / "key").chmod(0o600)
    found = problems(
        {
            "CHAIN_API_KEY_FILE": "missing",
            "LLM_API_KEY_FILE": "empty",
            "MEDIATOR_PRIVATE_KEY": KEY,
            "MEDIATOR_PRIVATE_KEY_FILE": "key",
        },
        tmp_path,
    )
    text = "\n".join(found)
    assert "CHAIN_API_KEY_FILE=missing cannot be read: No such file or directory" in text
    assert "LLM_API_KEY_FILE=empty is empty" in text
    assert "MEDIATOR_PRIVATE_KEY and MEDIATOR_PRIVATE_KEY_FILE are both set" in text
    assert len(found) == 3
    assert KEY not in text


def test_a_raw_private_key_in_env_outside_dev_mode_earns_a_warning(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"MEDIATOR_PRIVATE_KEY={KEY}\n")
    warnings = load_settings(PROD, cwd=tmp_path).warnings
    assert any("MEDIATOR_PRIVATE_KEY_FILE" in w for w in warnings)
    assert KEY not in "\n".join(warnings)
    assert load_settings({}, cwd=tmp_path).warnings == ()  # dev mode: fine
    # From the process environment (a Kubernetes Secret as env) it is not a .env file.
    (tmp_path / ".env").unlink()
    assert load_settings({**PROD, "MEDIATOR_PRIVATE_KEY": KEY}, cwd=tmp_path).warnings == ()


def test_debug_logging_outside_dev_mode_earns_a_warning(tmp_path: Path) -> None:
    env = {**PROD, "MEDIATOR_PRIVATE_KEY": KEY, "LOG_LEVEL": "debug"}
    assert any("LOG_LEVEL=debug" in w for w in load_settings(env, cwd=tmp_path).warnings)
    assert load_settings({"LOG_LEVEL": "debug"}, cwd=tmp_path).warnings == ()


def test_log_file_settings_are_read_and_bounded(tmp_path: Path) -> None:
    settings = load_settings({"LOG_FILE": "logs/app.log"}, cwd=tmp_path)
    assert settings.log_file == tmp_path / "logs" / "app.log"
    assert (settings.log_file_max_mb, settings.log_file_backups) == (10.0, 5)
    assert load_settings({}, cwd=tmp_path).log_file is None
    found = problems({"LOG_FILE_MAX_MB": "0", "LOG_FILE_BACKUPS": "-1"}, tmp_path)
    assert [p.split("=")[0] for p in found] == ["LOG_FILE_MAX_MB", "LOG_FILE_BACKUPS"]


def test_openai_embeddings_with_an_anthropic_llm_use_the_openai_key(tmp_path: Path) -> None:
    anthropic, openai = "sk-ant-api03-" + "A" * 40, "sk-proj-" + "O" * 40
    env = {"LLM_API_KEY": anthropic, "OPENAI_API_KEY": openai, "EMBEDDING_PROVIDER": "openai"}
    settings = load_settings(env, cwd=tmp_path)
    assert settings.llm_provider is LLMProvider.ANTHROPIC
    assert settings.embedding_provider is EmbeddingProvider.OPENAI
    assert settings.llm_api_key is not None
    assert settings.llm_api_key.reveal() == anthropic
    assert settings.embedding_api_key is not None
    assert settings.embedding_api_key.reveal() == openai
    embedder, degraded = make_embedder_from_settings(settings)
    assert isinstance(embedder, OpenAIEmbedder)
    assert degraded is None
    assert embedder._client.api_key == openai
    # EMBEDDING_API_KEY, when set, wins.
    chosen = load_settings({**env, "EMBEDDING_API_KEY": "sk-emb-" + "E" * 40}, cwd=tmp_path)
    assert chosen.embedding_api_key is not None
    assert chosen.embedding_api_key.reveal() == "sk-emb-" + "E" * 40


def test_an_anthropic_key_is_never_the_embedders_key(tmp_path: Path) -> None:
    env = {"LLM_API_KEY": "sk-ant-api03-" + "A" * 40, "EMBEDDING_PROVIDER": "openai"}
    found = problems(env, tmp_path)
    assert any("EMBEDDING_PROVIDER=openai needs an OpenAI key" in p for p in found)
    openai_llm = load_settings(
        {"LLM_PROVIDER": "openai", "LLM_API_KEY": "sk-proj-" + "O" * 40}, cwd=tmp_path
    )
    assert openai_llm.embedding_api_key == openai_llm.llm_api_key


def test_a_bad_poa_authority_key_is_reported_without_echoing_it(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("consensusMode: poa\npoaAuthorityKey: <authority-key>\n")
    found = problems({}, tmp_path)
    assert any("poaAuthorityKey must be an Ed25519 seed" in p for p in found)
    assert "<authority-key>" not in "\n".join(found)


def test_a_poa_authority_key_yaml_read_as_a_number_says_to_quote_it(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("consensusMode: poa\npoaAuthorityKey: " + "3" * 64)
    assert any("quote it" in p for p in problems({}, tmp_path))


def test_start_logs_every_warning_to_stderr_and_log_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from mediator_actors import cli, wiring
    from mediator_actors.config import known_names

    class Node:
        def run(self) -> int:
            return 0

    monkeypatch.chdir(tmp_path)
    for name in known_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEALT_PORT", "8082")
    monkeypatch.setenv("LOG_FILE", "logs/app.log")
    monkeypatch.setattr(wiring, "build_node", lambda settings: Node())
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    try:
        assert cli.main(["start"]) == 0
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in saved:
            root.addHandler(handler)
        root.setLevel(level)
    expected = "HEALT_PORT in the environment is not a setting; did you mean HEALTH_PORT?"
    assert expected in capsys.readouterr().err
    assert expected in (tmp_path / "logs" / "app.log").read_text()
