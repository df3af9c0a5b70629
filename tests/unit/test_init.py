import stat
from pathlib import Path

import pytest

from mediator_actors import cli
from mediator_actors.config import load_settings

KEY_FILE = Path("secrets") / "mediator_private_key"


def test_init_writes_the_key_to_a_private_file_and_never_overwrites_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["init", "--dir", str(tmp_path)]) == 0
    env, key_file = tmp_path / ".env", tmp_path / KEY_FILE
    assert env.stat().st_mode & 0o077 == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    seed = key_file.read_text().strip()
    assert len(seed) == 64
    first = env.read_text()
    assert 'MEDIATOR_PRIVATE_KEY_FILE="./secrets/mediator_private_key"' in first
    assert seed not in first  # the key is not in .env
    assert seed not in capsys.readouterr().out  # nor printed
    assert cli.main(["init", "--dir", str(tmp_path)]) == 0
    assert env.read_text() == first
    assert key_file.read_text().strip() == seed
    settings = load_settings({}, cwd=tmp_path)
    assert settings.mediator_private_key is not None
    assert settings.mediator_private_key.reveal() == seed
    assert settings.mediator_private_key_file == key_file
    # Outside dev mode it starts without the raw-key warning.
    prod = {"CHAIN_ENDPOINT": "https://chain.example", "CHAIN_ID": "main"}
    assert load_settings(prod, cwd=tmp_path).warnings == ()
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


def test_init_keeps_an_existing_key_file_and_names_its_identity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["init", "--dir", str(tmp_path)]) == 0
    before = _identity(tmp_path)
    (tmp_path / ".env").unlink()
    assert cli.main(["init", "--dir", str(tmp_path)]) == 0
    assert _identity(tmp_path) == before
    assert f"identity stays {before}" in capsys.readouterr().out
    assert cli.main(["init", "--dir", str(tmp_path), "--new-key"]) == 0  # .env exists: no-op
    (tmp_path / ".env").unlink()
    assert cli.main(["init", "--dir", str(tmp_path), "--new-key"]) == 1
    assert "rotate-key" in capsys.readouterr().err
    assert not (tmp_path / ".env").exists()
    assert cli.main(["init", "--dir", str(tmp_path)]) == 0
    assert _identity(tmp_path) == before  # the refused --new-key changed nothing


def test_init_writes_the_key_file_where_asked_but_never_under_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "config-home" / "mediator.key"
    assert cli.main(["init", "--dir", str(tmp_path / "n"), "--key-file", str(elsewhere)]) == 0
    assert f'MEDIATOR_PRIVATE_KEY_FILE="{elsewhere}"' in (tmp_path / "n" / ".env").read_text()
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o600
    assert cli.main(["init", "--dir", str(tmp_path / "m"), "--key-file", "data/k"]) == 1
    assert "under data/" in capsys.readouterr().err
    assert not (tmp_path / "m" / ".env").exists()
