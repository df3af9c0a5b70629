import pytest

from mediator_actors.config import ConsensusMode, load_settings
from mediator_actors.errors import ConfigError
from mediator_actors.settlement.consensus import (
    ConsensusSigner,
    admission,
    authorities,
    authority_message,
    check_can_start,
    effective_stake,
)
from mediator_actors.settlement.lifecycle import SettlementBook
from tests.settlement import factories as f

ME = f.key(f.SEED_A)
AUTHORITY = f.key(f.SEED_C)


def test_permissionless_nodes_always_start_and_admit_everything():
    settings = f.settings()
    check_can_start(settings, ME.mediator_id, mediator_key=ME)
    assert admission(settings.consensus)({}) is None


def test_dpos_refuses_to_start_below_the_minimum_effective_stake_and_says_what_to_change():
    settings = f.settings(
        mode=ConsensusMode.DPOS, bonded_stake_amount=100.0, min_effective_stake=1000.0
    )
    with pytest.raises(ConfigError) as caught:
        check_can_start(settings, ME.mediator_id, mediator_key=ME)
    message = str(caught.value)
    assert "effective stake 100 NLC is below minEffectiveStake 1000 NLC" in message
    assert "raise bondedStakeAmount in config.yaml" in message


def test_dpos_starts_at_or_above_the_minimum():
    settings = f.settings(
        mode=ConsensusMode.DPOS, bonded_stake_amount=1000.0, min_effective_stake=1000.0
    )
    check_can_start(settings, ME.mediator_id, mediator_key=ME)
    assert effective_stake(settings.consensus) == 1000.0


def test_dpos_refuses_a_stake_reference_that_is_not_an_id():
    settings = f.settings(mode=ConsensusMode.DPOS, stake_reference="../bond")
    with pytest.raises(ConfigError, match="stakeReference"):
        check_can_start(settings, ME.mediator_id, mediator_key=ME)


def test_a_configured_stake_reference_is_carried_as_is():
    settings = f.settings(mode=ConsensusMode.DPOS, bonded_stake_amount=5, stake_reference="ab" * 32)
    signer = ConsensusSigner.from_settings(settings, ME)
    assert signer.fields("cd" * 32, ME.mediator_id) == {
        "consensus_mode": "dpos",
        "stake_reference": "ab" * 32,
        "effective_stake": 5.0,
    }


def test_poa_refuses_to_start_when_the_node_key_is_not_an_authority():
    settings = f.settings(mode=ConsensusMode.POA, authority_set=(AUTHORITY.mediator_id,))
    with pytest.raises(ConfigError) as caught:
        check_can_start(settings, ME.mediator_id, mediator_key=ME)
    message = str(caught.value)
    assert f"node key (public key {ME.mediator_id}) is not in authoritySet" in message
    assert f.SEED_A not in message


def test_poa_refuses_to_start_with_no_authority_at_all():
    with pytest.raises(ConfigError, match=r"no authority; set poaAuthorityKey"):
        check_can_start(f.settings(mode=ConsensusMode.POA), ME.mediator_id, mediator_key=ME)


def test_poa_starts_when_the_authority_key_is_in_the_set_and_never_echoes_a_bad_key():
    good = f.settings(
        mode=ConsensusMode.POA,
        poa_authority_key=f.Secret(f.SEED_C),
        authority_set=(AUTHORITY.mediator_id,),
    )
    check_can_start(good, ME.mediator_id, mediator_key=ME)
    bad = f.settings(
        mode=ConsensusMode.POA,
        poa_authority_key=f.Secret("not-a-key-" + f.SEED_B[:20]),
        authority_set=(AUTHORITY.mediator_id,),
    )
    with pytest.raises(ConfigError) as caught:
        check_can_start(bad, ME.mediator_id, mediator_key=ME)
    assert f.SEED_B[:20] not in str(caught.value)


def test_poa_admits_only_proposals_signed_by_an_authority():
    config = f.settings(mode=ConsensusMode.POA, authority_set=(AUTHORITY.mediator_id,)).consensus
    admit = admission(config)
    sid, mid = "cd" * 32, ME.mediator_id
    good = AUTHORITY.sign(authority_message(sid, mid))
    base = {"consensus_mode": "poa", "settlement_id": sid, "mediator_id": mid}
    assert admit({**base, "authority_signature": good}) is None
    assert admit({**base, "authority_signature": ME.sign(authority_message(sid, mid))})
    assert admit({**base, "settlement_id": "ef" * 32, "authority_signature": good})
    assert admit({**base, "consensus_mode": "dpos", "authority_signature": good})
    assert admit({**base, "mediator_id": 7, "authority_signature": good})


@pytest.mark.parametrize("stake", [float("nan"), float("inf"), -1, "1000", True, None])
def test_dpos_admission_refuses_invalid_stakes(stake):
    admit = admission(f.settings(mode=ConsensusMode.DPOS).consensus)
    assert admit({"consensus_mode": "dpos", "stake_reference": "x", "effective_stake": stake})


def test_the_runbooks_poa_configuration_starts_with_the_authority_key_as_the_set(tmp_path):
    # OPERATIONS runbook: "consensusMode: poa" and "poaAuthorityKey: <authority-key>" only.
    (tmp_path / "config.yaml").write_text(f"consensusMode: poa\npoaAuthorityKey: '{f.SEED_C}'\n")
    settings = load_settings({}, cwd=tmp_path)
    assert settings.consensus.authority_set == ()
    assert authorities(settings.consensus) == (AUTHORITY.mediator_id,)
    check_can_start(settings, ME.mediator_id, mediator_key=ME)
    # What this node signs, its own rule admits; a proposal vouched by another key it does not.
    sid = "cd" * 32
    fields = ConsensusSigner.from_settings(settings, ME).fields(sid, ME.mediator_id)
    proposal = {**fields, "settlement_id": sid, "mediator_id": ME.mediator_id}
    admit = admission(settings.consensus)
    assert admit(proposal) is None
    forged = {**proposal, "authority_signature": ME.sign(authority_message(sid, ME.mediator_id))}
    assert admit(forged) == "authority_signature verifies with no key of the authority set"
    # The authority resolves challenges, as with an explicit set.
    book = SettlementBook.from_settings(settings, ME)
    assert book.resolvers == frozenset({AUTHORITY.mediator_id})


def test_an_explicit_authority_set_still_wins_over_the_key():
    settings = f.settings(
        mode=ConsensusMode.POA,
        poa_authority_key=f.Secret(f.SEED_C),
        authority_set=(ME.mediator_id,),
    )
    assert authorities(settings.consensus) == (ME.mediator_id,)
    with pytest.raises(ConfigError, match="poaAuthorityKey"):
        check_can_start(settings, ME.mediator_id, mediator_key=ME)
