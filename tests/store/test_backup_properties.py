"""Property tests for the archive's two parsers: member names and MANIFEST.json."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from hypothesis import assume, given
from hypothesis import strategies as st

from mediator_actors.safety.secretscan import SecretScanner
from mediator_actors.store.backup import (
    STORE_MEMBER,
    BackupError,
    BackupManifest,
    FileDigest,
    member_path,
    parse_manifest,
    redact_config,
    redact_env,
)

BASE = Path("/restore/target")
_part = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1,
    max_size=20,
)
names = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(["data", "config", "..", ".", "", "x", "a b", "é"]), max_size=6).map(
        "/".join
    ),
    st.lists(_part, min_size=1, max_size=6).map(lambda parts: "data/" + "/".join(parts)),
)


@given(names)
def test_a_member_name_is_refused_or_stays_inside_the_folder_it_is_joined_to(name: str) -> None:
    try:
        path = member_path(name)
    except BackupError:
        return
    assert not path.is_absolute()
    assert path.parts[0] in ("data", "config")
    assert ".." not in path.parts
    joined = os.path.normpath(BASE.joinpath(*path.parts))
    assert joined.startswith(str(BASE) + "/")
    assert str(path) == name  # nothing was silently rewritten


member_names = st.lists(
    st.text(alphabet="abcdefghij0123456789-_.", min_size=1, max_size=12).filter(
        lambda p: p not in (".", "..")
    ),
    min_size=1,
    max_size=3,
).map(lambda parts: "data/x/" + "/".join(parts))
digests = st.builds(
    FileDigest,
    sha256=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    size=st.integers(min_value=0, max_value=2**40),
)


def _no_file_is_a_folder(files: dict[str, FileDigest]) -> bool:
    return not any(str(parent) in files for name in files for parent in PurePosixPath(name).parents)


manifests = st.builds(
    BackupManifest,
    created_at=st.text(max_size=30),
    node_version=st.text(max_size=10),
    files=st.dictionaries(member_names, digests, max_size=8)
    .map(lambda files: {STORE_MEMBER: FileDigest("0" * 64, 1), **files})
    .filter(_no_file_is_a_folder),
    schema=st.dictionaries(st.text(max_size=10), st.integers(0, 1000), max_size=4),
    index_generations=st.dictionaries(
        st.sampled_from(["offer", "seek", "other-part"]), st.integers(0, 10**8), max_size=3
    ),
)


@given(manifests)
def test_every_manifest_a_backup_can_write_parses_back_equal(manifest: BackupManifest) -> None:
    assert parse_manifest(manifest.to_json_bytes()) == manifest


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.one_of(st.binary(max_size=400), json_values.map(lambda v: json.dumps(v).encode())))
def test_any_bytes_are_a_manifest_or_a_backup_error(raw: bytes) -> None:
    try:
        parsed = parse_manifest(raw)
    except BackupError:
        return
    assert STORE_MEMBER in parsed.files  # nothing else escapes, and no store means refused


@given(manifests, st.sampled_from(["files", "schema", "index_generations", "format"]), json_values)
def test_a_manifest_with_one_field_replaced_is_parsed_or_refused_never_crashes(
    manifest: BackupManifest, key: str, value: object
) -> None:
    document = json.loads(manifest.to_json_bytes())
    document[key] = value
    try:
        parsed = parse_manifest(json.dumps(document).encode())
    except BackupError:
        return
    assert STORE_MEMBER in parsed.files


secret_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\n\r"),
    min_size=8,
    max_size=60,
).filter(lambda v: v.strip() == v and "#" not in v)
plain_lines = st.lists(
    st.sampled_from(["# a comment", "", "HEALTH_PORT=8082", "LOG_LEVEL=info", "  DATA_DIR=./d"]),
    max_size=5,
)


@given(
    name=st.sampled_from(
        ["MEDIATOR_PRIVATE_KEY", "LLM_API_KEY", "OPENAI_API_KEY", "MY_TOKEN", "DB_PASSWORD"]
    ),
    value=secret_values,
    quoting=st.sampled_from(["{}", '"{}"', "'{}'"]),
    prefix=st.sampled_from(["", "export ", "  "]),
    before=plain_lines,
    after=plain_lines,
)
def test_no_secret_variable_survives_into_a_backups_env(
    name: str, value: str, quoting: str, prefix: str, before: list[str], after: list[str]
) -> None:
    # A value the plain lines or the redaction marker also hold (say "DATA_DIR") is theirs.
    marker = f"# {name}=*** (a secret: not in the backup)"
    assume(all(value not in line for line in [*before, *after, marker]))
    text = "\n".join([*before, f"{prefix}{name}={quoting.format(value)}", *after])
    out = redact_env(
        text,
        secret_names=frozenset({"MEDIATOR_PRIVATE_KEY", "LLM_API_KEY"}),
        scanner=SecretScanner(),
    )
    assert value not in out
    assert marker in out
    for line in [*before, *after]:
        if line:  # every other line is kept as it was
            assert line in out.splitlines()


@given(value=secret_values, text=st.text(max_size=200))
def test_a_configured_secret_is_masked_wherever_it_appears_in_config_yaml(
    value: str, text: str
) -> None:
    document = f"consensusMode: poa\nnote: {text}{value}{text}\npoaAuthorityKey: {value}\n"
    assert value not in redact_config(document, scanner=SecretScanner([value]))
