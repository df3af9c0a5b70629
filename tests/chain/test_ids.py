"""Protocol v2 ids (protocol.md, "Ids"): digest ids and did:keys, encoders and parsers."""

from __future__ import annotations

import base64
import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.chain.scanner import chain_scan_findings
from mediator_actors.model import (
    DIGEST_TAGS,
    b58decode,
    b58encode,
    did_key,
    did_key_public,
    digest_id,
    entry_ref,
    is_did_key,
    is_digest_id,
)
from tests.settlement import independent

DIGEST = re.compile(r"^(ent|stl|chl|dsp|mih|doc)_[a-z2-7]{52}$")
DID = re.compile(r"^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$")
tags = st.sampled_from(sorted(DIGEST_TAGS))


@given(tags, st.binary(max_size=200))
def test_digest_ids_match_the_pattern_and_decode_to_their_sha256(tag: str, data: bytes) -> None:
    value = digest_id(tag, data)
    assert DIGEST.fullmatch(value)
    assert is_digest_id(value, tag)
    assert not is_digest_id(value, "stl" if tag != "stl" else "ent")
    body = value[len(tag) + 1 :].upper() + "===="
    assert base64.b32decode(body) == hashlib.sha256(data).digest()
    assert not chain_scan_findings(value)  # the real node's scanner leaves it alone


@given(st.binary(min_size=32, max_size=32))
def test_did_keys_round_trip_and_match_the_pattern(key: bytes) -> None:
    did = did_key(key)
    assert DID.fullmatch(did)
    assert did_key_public(did) == key
    assert independent.did_key_bytes(did) == key
    assert independent.did_key_of(key) == did
    assert not chain_scan_findings(did)


@given(st.binary(max_size=64))
def test_base58_round_trips(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data


@given(st.text(max_size=80))
def test_arbitrary_text_is_never_a_did_key_or_digest_id_unless_well_formed(text: str) -> None:
    if is_did_key(text):
        assert DID.fullmatch(text)
        assert did_key(did_key_public(text) or b"") == text
    if is_digest_id(text):
        assert DIGEST.fullmatch(text)


@given(tags, st.binary(max_size=40), st.integers(min_value=0, max_value=55), st.characters())
def test_a_digest_id_with_any_character_changed_is_refused_or_another_id(
    tag: str, data: bytes, position: int, char: str
) -> None:
    value = digest_id(tag, data)
    position = min(position, len(value) - 1)
    changed = value[:position] + char + value[position + 1 :]
    if changed != value and is_digest_id(changed):
        # Still well formed: then it names another digest, never the same one twice.
        body = changed.split("_", 1)[1].upper() + "===="
        assert base64.b32decode(body) != hashlib.sha256(data).digest()


def test_malformed_ids_are_refused() -> None:
    good = entry_ref("alice", "hello", "2027-01-01T00:00:00")
    assert is_digest_id(good, "ent")
    for bad in (
        good.upper(),
        good[:-1],
        good + "a",
        good[:-1] + "b",  # padding bits set: a second spelling of another digest
        "xyz_" + good[4:],
        "ab" * 32,
        good.replace("_", "-"),
        None,
        42,
    ):
        assert not is_digest_id(bad), bad
    key = did_key(bytes(range(32)))
    for bad_did in (
        key[:-1],
        key + "1",
        key.replace("did:key:", "did:web:"),
        "did:key:z6Mk" + "0" * 44,  # 0 is not base58
        "did:key:z6LS" + key[12:],  # another multicodec
        bytes(range(32)).hex(),  # v1: a raw hex key
        None,
    ):
        assert did_key_public(bad_did) is None, bad_did
