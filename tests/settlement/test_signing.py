import math
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.errors import SettlementError
from mediator_actors.safety.secrets import Secret
from mediator_actors.signing import MediatorKey, generate_seed_hex, verify_metadata
from tests.settlement import independent

SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
# RFC 8032, test 1: the public key of SEED.
PUBLIC_HEX = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
PUBLIC = "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw"


def test_the_mediator_id_is_the_did_key_of_the_rfc8032_public_key_of_the_seed():
    key = MediatorKey.from_seed_hex(Secret(SEED))
    assert key.mediator_id == PUBLIC
    assert key.public_hex == PUBLIC_HEX
    assert independent.did_key_of(bytes.fromhex(PUBLIC_HEX)) == PUBLIC
    assert independent.did_key_bytes(PUBLIC).hex() == PUBLIC_HEX


def test_a_v1_signature_or_a_hex_mediator_id_does_not_verify():
    key = MediatorKey.from_seed_hex(Secret(SEED))
    signed = key.sign_metadata({"amount": 1.0})
    assert not verify_metadata({**signed, "mediator_id": PUBLIC_HEX})
    body = {k: v for k, v in signed.items() if k != "signature"}
    v1 = key.sign(b"nlc-mediator/entry/v1\x00" + independent.canonical(body))
    assert not verify_metadata({**signed, "signature": v1})


def test_signed_metadata_verifies_independently_and_in_production():
    key = MediatorKey.from_seed_hex(Secret(SEED))
    signed = key.sign_metadata({"b": [1, "ü"], "a": {"z": None, "y": 1.5}})
    assert signed["mediator_id"] == PUBLIC
    assert len(signed["signature"]) == 128
    assert independent.signature_ok(signed)
    assert verify_metadata(signed)


def test_any_change_after_signing_breaks_the_signature():
    key = MediatorKey.from_seed_hex(Secret(SEED))
    signed = key.sign_metadata({"amount": 1.0})
    assert not verify_metadata({**signed, "amount": 2.0})
    assert not verify_metadata({**signed, "extra": True})
    assert not verify_metadata({**signed, "signature": signed["signature"].upper()})
    other = MediatorKey.from_seed_hex(Secret(generate_seed_hex()))
    assert not verify_metadata({**signed, "mediator_id": other.mediator_id})


def test_the_private_key_never_shows_in_repr_str_or_errors():
    key = MediatorKey.from_seed_hex(Secret(SEED))
    assert SEED not in repr(key)
    assert SEED not in str(key)
    with pytest.raises(TypeError):
        pickle.dumps(key)
    with pytest.raises(SettlementError) as caught:
        MediatorKey.from_seed_hex(Secret(SEED[:-1] + "z"))
    assert SEED[:-1] not in str(caught.value)


def test_signing_for_another_mediator_or_with_nan_is_refused():
    key = MediatorKey.from_seed_hex(Secret(SEED))
    with pytest.raises(SettlementError):
        key.sign_metadata({"mediator_id": "00" * 32})
    with pytest.raises(SettlementError):
        key.sign_metadata({"amount": math.nan})


def test_generated_seeds_are_distinct_64_hex_keys():
    seeds = {generate_seed_hex() for _ in range(20)}
    assert len(seeds) == 20
    assert all(len(s) == 64 and int(s, 16) >= 0 for s in seeds)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_any_json_metadata_signs_and_verifies_both_ways(metadata):
    metadata.pop("mediator_id", None)
    key = MediatorKey.from_seed_hex(Secret(SEED))
    try:
        signed = key.sign_metadata(metadata)
    except SettlementError:
        # Only metadata with no canonical form (lone surrogates, infinities) is refused.
        with pytest.raises((ValueError, TypeError)):
            independent.canonical(metadata)
        return
    assert verify_metadata(signed)
    assert independent.signature_ok(signed)


@given(st.one_of(json_values, st.dictionaries(st.text(), json_values)))
def test_verifying_hostile_metadata_never_raises(value):
    assert verify_metadata(value) is False
