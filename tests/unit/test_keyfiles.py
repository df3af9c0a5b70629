"""The key file and the retired keys file: their parser, rotation, dropping, permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors import cli
from mediator_actors.config import load_settings
from mediator_actors.errors import ConfigError
from mediator_actors.keyfiles import (
    default_retired_file,
    drop_retired,
    format_retired_key,
    mode_problem,
    parse_retired_keys,
    read_key_file,
    rotate_key,
    write_key_file,
)
from mediator_actors.safety.secrets import Secret
from mediator_actors.signing import MediatorKey

SEEDS = st.text("0123456789abcdef", min_size=64, max_size=64)
SEED = "5a" * 32
PROD = {"CHAIN_ENDPOINT": "https://chain.example", "CHAIN_ID": "main"}


def mediator_id(seed: str) -> str:
    return MediatorKey.from_seed_hex(Secret(seed)).mediator_id


@given(st.lists(SEEDS, max_size=5), st.floats(min_value=0, max_value=4e9))
def test_formatted_lines_parse_back_to_the_same_seeds_in_order(
    seeds: list[str], when: float
) -> None:
    text = "# retired keys\n\n" + "".join(
        format_retired_key(Secret(s), mediator_id(s), when) for s in seeds
    )
    parsed, problems = parse_retired_keys(text)
    assert problems == []
    assert [s.reveal() for s in parsed] == list(dict.fromkeys(seeds))


@given(st.text())
def test_the_parser_never_raises_and_never_quotes_a_line(text: str) -> None:
    seeds, problems = parse_retired_keys(text, "f")
    for problem in problems:
        assert problem.startswith("f:")
        number, _, why = problem[2:].partition(": ")
        assert number.isdigit()
        assert why.startswith("expected 64 hex characters")
    assert all(len(s.reveal()) == 64 for s in seeds)


def test_a_bad_line_is_named_by_its_number_only() -> None:
    secretish = "9f" * 31 + "zz"
    seeds, problems = parse_retired_keys(f"{SEED}\n\n{secretish}\n{SEED.upper()}  # again\n")
    assert [s.reveal() for s in seeds] == [SEED]
    assert problems == [
        "retired keys:3: expected 64 hex characters (an Ed25519 seed), optionally followed "
        "by a # comment"
    ]
    assert secretish not in problems[0]


def test_rotation_moves_the_key_to_the_retired_file_then_writes_a_new_one(tmp_path: Path) -> None:
    key_file = tmp_path / "secrets" / "mediator_private_key"
    write_key_file(key_file, Secret(SEED))
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    retired = default_retired_file(key_file)
    first = rotate_key(key_file, retired, now=0)
    second = rotate_key(key_file, retired, now=60)
    assert first.retired_id == mediator_id(SEED)
    assert second.retired_id == first.current_id
    assert read_key_file(key_file).reveal() not in (SEED, "")
    assert mediator_id(read_key_file(key_file).reveal()) == second.current_id
    assert stat.S_IMODE(retired.stat().st_mode) == 0o600
    seeds, problems = parse_retired_keys(retired.read_text())
    assert problems == []
    assert [mediator_id(s.reveal()) for s in seeds] == [first.retired_id, second.retired_id]
    assert f"# {first.retired_id} retired 1970-01-01T00:00:00Z" in retired.read_text()
    assert not list(tmp_path.glob("secrets/*.new"))
    assert drop_retired(retired, frozenset({first.retired_id})) == 1
    seeds, _ = parse_retired_keys(retired.read_text())
    assert [mediator_id(s.reveal()) for s in seeds] == [second.retired_id]
    assert stat.S_IMODE(retired.stat().st_mode) == 0o600


def test_a_key_file_is_never_overwritten(tmp_path: Path) -> None:
    key_file = tmp_path / "k"
    write_key_file(key_file, Secret(SEED))
    with pytest.raises(FileExistsError):
        write_key_file(key_file, Secret("00" * 32))
    assert read_key_file(key_file).reveal() == SEED


def test_permissions_the_node_user_owns_are_problems_and_others_are_warnings(
    tmp_path: Path,
) -> None:
    path = tmp_path / "k"
    path.write_text(SEED)
    path.chmod(0o640)
    problem, warning = mode_problem(path, "MEDIATOR_PRIVATE_KEY_FILE")
    assert problem is not None
    assert "chmod 600" in problem
    assert warning is None
    path.chmod(0o600)
    assert mode_problem(path, "MEDIATOR_PRIVATE_KEY_FILE") == (None, None)
    if os.geteuid() == 0:  # a file another user owns, as a container runtime mounts it
        os.chown(path, 12345, 12345)
        path.chmod(0o444)
        problem, warning = mode_problem(path, "MEDIATOR_PRIVATE_KEY_FILE")
        assert problem is None
        assert warning is not None
        path.chmod(0o440)
        assert mode_problem(path, "MEDIATOR_PRIVATE_KEY_FILE") == (None, None)


def _key_file(folder: Path, mode: int = 0o600) -> Path:
    path = folder / "secrets" / "key"
    path.parent.mkdir(exist_ok=True)
    path.write_text(SEED + "\n")
    path.chmod(mode)
    return path


def test_start_refuses_a_key_file_group_or_others_may_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _key_file(tmp_path, 0o644)
    with pytest.raises(ConfigError) as caught:
        load_settings({**PROD, "MEDIATOR_PRIVATE_KEY_FILE": "secrets/key"}, cwd=tmp_path)
    assert "can be read by group or others (mode 644)" in str(caught.value)
    assert SEED not in str(caught.value)
    (tmp_path / ".env").write_text("MEDIATOR_PRIVATE_KEY_FILE=secrets/key\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["start"]) == 2  # refused before anything starts


def test_start_refuses_key_files_under_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _key_file(data)
    with pytest.raises(ConfigError) as caught:
        load_settings({**PROD, "MEDIATOR_PRIVATE_KEY_FILE": "data/secrets/key"}, cwd=tmp_path)
    assert "is inside DATA_DIR" in str(caught.value)
    _key_file(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                **PROD,
                "MEDIATOR_PRIVATE_KEY_FILE": "secrets/key",
                "MEDIATOR_RETIRED_KEYS_FILE": "data/retired",
            },
            cwd=tmp_path,
        )
    assert "MEDIATOR_RETIRED_KEYS_FILE" in str(caught.value)


def test_retired_keys_are_read_beside_the_key_file_and_are_secrets(tmp_path: Path) -> None:
    key_file = _key_file(tmp_path)
    retired = default_retired_file(key_file)
    old = "7c" * 32
    retired.write_text(format_retired_key(Secret(old), mediator_id(old), 0))
    retired.chmod(0o600)
    settings = load_settings({**PROD, "MEDIATOR_PRIVATE_KEY_FILE": "secrets/key"}, cwd=tmp_path)
    assert settings.mediator_private_key_file == key_file
    assert settings.retired_keys_file == retired
    assert [s.reveal() for s in settings.retired_keys] == [old]
    assert old in settings.secrets()  # the outbound scanner never lets it onto the chain
    assert old not in repr(settings)
    retired.write_text("not a key\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({**PROD, "MEDIATOR_PRIVATE_KEY_FILE": "secrets/key"}, cwd=tmp_path)
    assert f"{retired}:1: expected 64 hex characters" in str(caught.value)
