from pathlib import Path

import pytest

from mediator_actors import cli
from mediator_actors.config import load_settings


def test_init_writes_a_private_env_with_a_fresh_key_and_never_overwrites_it(tmp_path: Path) -> None:
    assert cli.main(["init", "--dir", str(tmp_path)]) == 0
    env = tmp_path / ".env"
    assert env.stat().st_mode & 0o077 == 0
    first = env.read_text()
    assert cli.main(["init", "--dir", str(tmp_path)]) == 0
    assert env.read_text() == first
    settings = load_settings({}, cwd=tmp_path)
    assert settings.mediator_private_key is not None
    assert len(settings.mediator_private_key.reveal()) == 64
    assert (tmp_path / "config.yaml").is_file()
    for folder in ("vectors", "settlements", "disputes"):
        assert (tmp_path / "data" / folder).is_dir()


def test_two_inits_write_two_different_keys(tmp_path: Path) -> None:
    keys = []
    for name in ("a", "b"):
        cli.main(["init", "--dir", str(tmp_path / name)])
        key = load_settings({}, cwd=tmp_path / name).mediator_private_key
        assert key is not None
        keys.append(key.reveal())
    assert keys[0] != keys[1]


def _dev_start(folder: Path) -> str:
    """What ``start`` in dev mode leaves beside config.yaml: the dev key; its mediator id."""
    from mediator_actors.signing import MediatorKey
    from mediator_actors.wiring import dev_private_key

    return MediatorKey.from_seed_hex(dev_private_key(folder)).mediator_id


def _identity(folder: Path) -> str:
    from mediator_actors.signing import MediatorKey

    key = load_settings({}, cwd=folder).mediator_private_key
    assert key is not None
    return MediatorKey.from_seed_hex(key).mediator_id


def test_init_after_a_dev_mode_start_keeps_the_mediator_identity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _dev_start(tmp_path)
    assert cli.main(["init", "--dir", str(tmp_path)]) == 0
    assert _identity(tmp_path) == before
    out = capsys.readouterr().out
    assert f"identity stays {before}" in out
    assert "--new-key" in out
    assert (tmp_path / ".env").stat().st_mode & 0o077 == 0


def test_init_new_key_after_a_dev_mode_start_says_the_identity_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _dev_start(tmp_path)
    assert cli.main(["init", "--dir", str(tmp_path), "--new-key"]) == 0
    after = _identity(tmp_path)
    assert after != before
    assert f"changes from {before}" in capsys.readouterr().out


def test_init_beside_a_damaged_dev_key_is_a_clear_error_that_never_prints_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".dev-mediator.key").write_text("not-a-key-but-secret-looking")
    assert cli.main(["init", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "does not hold a key" in err
    assert "not-a-key-but-secret-looking" not in err
    assert not (tmp_path / ".env").exists()
