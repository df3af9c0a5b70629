from pathlib import Path

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
