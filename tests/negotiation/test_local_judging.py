"""Issue 15, target 1: a provider that reads the intents (the offline negotiator) is given
no prompt. Nothing is built or scanned per pair, yet the decision, the reasons and the
injection findings are exactly what the prompt path records, and the integrity hash
still binds the model to what it read (recomputable from the two intents)."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.model import Intent, IntentType, is_digest_id
from mediator_actors.negotiation import prompt as prompt_module
from mediator_actors.negotiation import service as service_module
from mediator_actors.negotiation.evaluation import load_eval
from mediator_actors.negotiation.prompt import (
    MAX_CONTENT,
    MAX_FIELD,
    MAX_LIST,
    build_prompt,
    injection_findings,
    intent_digest,
    intents_integrity_hash,
    model_integrity_hash,
    verify_integrity_hash,
)
from mediator_actors.negotiation.providers import OfflineProvider, ProviderReply
from mediator_actors.negotiation.service import Negotiator
from mediator_actors.negotiation.validation import (
    Answer,
    AnswerError,
    AnswerTerms,
    checked_answer,
    parse_answer,
)
from mediator_actors.safety.secretscan import SecretScanner
from tests.negotiation.helpers import OFFER_TEXT, SEEK_TEXT, offer, seek
from tests.negotiation.test_prompt import ATTACKS

KEY = "sk-ant-api03-" + "k" * 40 + "-fakeAA"
DATA = Path(__file__).resolve().parents[1] / "data"


class PromptedOffline:
    """The offline negotiator behind the prompt path (the node before issue 15's change):
    a prompt is built, its JSON answer is scanned and parsed."""

    metered = False
    sends_prompt = True

    def __init__(self) -> None:
        self.inner = OfflineProvider(similarity=None, reader=None)
        self.model_id = self.inner.model_id

    def complete(
        self, prompt: prompt_module.Prompt, offer: Intent, seek: Intent, *, timeout: float
    ) -> ProviderReply:
        return self.inner.complete(prompt, offer, seek, timeout=timeout)


def local() -> Negotiator:
    return Negotiator(
        provider=OfflineProvider(similarity=None, reader=None), scanner=SecretScanner([KEY])
    )


def prompted() -> Negotiator:
    return Negotiator(provider=PromptedOffline(), scanner=SecretScanner([KEY]))


def same_but_hash(a: Any, b: Any) -> bool:
    return dataclasses.replace(a, model_integrity_hash="") == dataclasses.replace(
        b, model_integrity_hash=""
    )


texts = st.one_of(
    st.sampled_from(sorted(ATTACKS.values())),
    st.text(max_size=80),
    st.text(alphabet="ab \n\u200b<>&@.", max_size=40),
)


@st.composite
def hostile_intent(draw: st.DrawFn, kind: str) -> Intent:
    base = OFFER_TEXT if kind == "offer" else SEEK_TEXT
    # long enough, now and then, to cross the caps the prompt applies before scanning
    content = base + " " + draw(texts) + draw(st.sampled_from(["", "x" * (MAX_CONTENT * 2)]))
    extras = draw(st.lists(texts, max_size=3))
    long_list = draw(st.booleans())
    desires = tuple(extras) + (("y" * (MAX_FIELD * 3), *extras) * (MAX_LIST if long_list else 0))
    build = offer if kind == "offer" else seek
    return build(
        content,
        author=draw(st.one_of(st.just("alice" if kind == "offer" else "bob"), texts)) or "a",
        desires=desires,
        constraints=tuple(draw(st.lists(texts, max_size=2))),
        branch=draw(st.one_of(st.none(), st.just(""), texts)),
        offered_fee=draw(st.one_of(st.none(), st.floats(0, 100))),
    )


@settings(max_examples=150, deadline=None)
@given(hostile_intent("offer"), hostile_intent("seek"))
def test_the_findings_are_the_prompts_field_by_field(o: Intent, s: Intent) -> None:
    assert injection_findings(o, s) == build_prompt(o, s).injection_findings


def test_every_field_the_prompt_scans_is_scanned() -> None:
    for where in ("content", "desires", "constraints", "branch", "author", "timestamp"):
        value = ATTACKS["plain"]
        if where == "content":
            hostile = seek(SEEK_TEXT + " " + value)
        elif where in {"desires", "constraints"}:
            hostile = seek(**{where: (value,)})
        elif where == "timestamp":
            hostile = dataclasses.replace(seek(), timestamp=value)
        else:
            hostile = seek(**{where: value})
        found = injection_findings(offer(), hostile)
        assert found == build_prompt(offer(), hostile).injection_findings
        assert any(f.startswith(f"seek.{where}:") for f in found), (where, found)


def test_the_intents_hash_binds_the_model_the_roles_and_every_field() -> None:
    o, s = offer(), seek()
    digest = intents_integrity_hash("m", o, s)
    assert is_digest_id(digest, "mih")
    assert digest == intents_integrity_hash("m", o, s)  # deterministic, no nonce
    assert digest == model_integrity_hash(
        "m", prompt_module.INTENTS_TEMPLATE_VERSION, intent_digest(o) + "\x00" + intent_digest(s)
    )
    assert digest != intents_integrity_hash("m2", o, s)
    assert digest != intents_integrity_hash("m", s, o)
    changed = [
        dataclasses.replace(s, content=s.content + "."),
        dataclasses.replace(s, desires=("more",)),
        dataclasses.replace(s, constraints=("less",)),
        dataclasses.replace(s, author="carol"),
        dataclasses.replace(s, timestamp="2026-11-21T09:00:00"),
        dataclasses.replace(s, branch="b"),
        dataclasses.replace(s, offered_fee=1.0),
        dataclasses.replace(s, ref=o.ref),
        dataclasses.replace(s, type=IntentType.OFFER),
    ]
    hashes = {intents_integrity_hash("m", o, c) for c in changed}
    assert digest not in hashes
    assert len(hashes) == len(changed)
    # a prompt hash and an intents hash never coincide: the template versions differ
    assert digest != model_integrity_hash(
        "m", prompt_module.PROMPT_TEMPLATE_VERSION, intent_digest(o) + "\x00" + intent_digest(s)
    )


def test_the_offline_path_builds_and_scans_no_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_prompt(*args: object, **kwargs: object) -> object:
        raise AssertionError("a prompt was built")

    monkeypatch.setattr(service_module, "build_prompt", no_prompt)
    scanned: list[str] = []
    negotiator = local()
    find = negotiator.scanner.find

    def recording(text: str) -> Any:
        scanned.append(text)
        return find(text)

    monkeypatch.setattr(negotiator.scanner, "find", recording)
    hostile = seek(SEEK_TEXT + " " + ATTACKS["plain"])
    outcome = negotiator.negotiate_outcome(offer(), hostile)
    # only the answer's JSON is scanned: what the node might post
    assert len(scanned) == 1
    assert json.loads(scanned[0])["confidence"] == outcome.result.confidence
    assert outcome.prompt_nonce == ""
    assert "seek.content:instruction_override" in outcome.result.injection_findings
    assert verify_integrity_hash(
        offer(),
        hostile,
        model_id=outcome.result.model_id,
        nonce=outcome.prompt_nonce,
        expected=outcome.result.model_integrity_hash,
    )
    assert not verify_integrity_hash(
        offer(),
        seek(),
        model_id=outcome.result.model_id,
        nonce="",
        expected=outcome.result.model_integrity_hash,
    )


def test_a_prompt_record_still_verifies_through_its_nonce() -> None:
    outcome = prompted().negotiate_outcome(offer(), seek())
    assert outcome.prompt_nonce
    assert verify_integrity_hash(
        offer(),
        seek(),
        model_id=outcome.result.model_id,
        nonce=outcome.prompt_nonce,
        expected=outcome.result.model_integrity_hash,
    )


@pytest.mark.parametrize("name", ["dev", "dev6", "rules", "heldout"])
def test_decisions_are_the_prompt_paths_on_a_development_set(name: str) -> None:
    pairs = load_eval(DATA / f"negotiation_{name}.jsonl")
    new, old = local(), prompted()
    for pair in pairs:
        a = new.negotiate_outcome(pair.offer, pair.seek)
        b = old.negotiate_outcome(pair.offer, pair.seek)
        assert same_but_hash(a.result, b.result), pair.id
        assert (a.metered, a.usage) == (b.metered, b.usage)


def test_an_answer_that_echoes_a_secret_is_still_discarded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    negotiator = local()
    real = negotiator.provider.answer  # type: ignore[attr-defined]

    def leaky(o: Intent, s: Intent) -> Answer:
        return dataclasses.replace(real(o, s), reasoning=f"use {KEY}")

    monkeypatch.setattr(negotiator.provider, "answer", leaky)
    result = negotiator.negotiate(offer(), seek())
    assert not result.success
    assert "echoed a secret" in (result.failure_reason or "")
    assert KEY not in result.reasoning


# --- the answer judged as an object: checked_answer is parse_answer after a round trip


def _outcome(fn: Any) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except AnswerError as exc:
        return "error", str(exc)


short = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "x" * 300, "x" * 301, "x" * 500, "x" * 501, "\ud800", "é" * 3000]),
)
prices = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-5, 2 * 10**12),
    st.sampled_from([0.0, -0.0, 1e12, 1e12 + 1, math.nan, math.inf]),
)
item_lists = st.one_of(
    st.lists(short, max_size=3).map(tuple),
    st.just(("d",) * 21),
    st.just(("d",) * 20),
)


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    terms = draw(
        st.one_of(
            st.none(),
            st.builds(
                AnswerTerms,
                price=prices,
                currency=st.sampled_from(["NLC", "EUR", "USD", "XYZ", "eur"]),
                deliverables=item_lists,
                timeline=st.one_of(st.none(), short),
                conditions=item_lists,
            ),
        )
    )
    return Answer(
        compatible=draw(st.booleans()),
        confidence=draw(st.one_of(st.integers(-3, 103), st.booleans())),
        reasoning=draw(st.one_of(short, st.sampled_from(["r" * 2000, "r" * 2001, "é" * 2000]))),
        terms=terms,
        refusal_reason=draw(st.one_of(st.none(), short)),
    )


@settings(max_examples=400, deadline=None)
@given(answers())
def test_checked_answer_is_parse_answer_of_the_answers_json(answer: Answer) -> None:
    text = json.dumps(answer.to_json())
    assert _outcome(lambda: checked_answer(answer, text)) == _outcome(lambda: parse_answer(text))


def test_checked_answer_decodes_nothing_when_every_bound_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mediator_actors.negotiation import validation

    answer = Answer(True, 80, "fine", AnswerTerms(1290, "NLC", ("a",), None, ()), None)
    text = json.dumps(answer.to_json())
    monkeypatch.setattr(validation, "parse_answer", lambda _: pytest.fail("decoded"))
    checked = checked_answer(answer, text)
    assert checked.terms is not None
    assert type(checked.terms.price) is float  # as after JSON: every price a float
    # one bound broken: the exact parser decides, with its message
    long = dataclasses.replace(answer, reasoning="r" * 2001)
    monkeypatch.setattr(validation, "parse_answer", parse_answer)
    with pytest.raises(AnswerError, match="reasoning is longer than 2000"):
        checked_answer(long, json.dumps(long.to_json()))


# --- fit._opposites reads each text once (per intent), with the per-pair reading's verdicts


def _opposites_per_pair(offer_text: str, seek_text: str) -> list[str]:
    """fit._opposites before issue 15's change: every pattern searched on every pair."""
    from mediator_actors.negotiation.fit import OPPOSITES, _affirmed

    for a, b in OPPOSITES:
        for x, y in ((a, b), (b, a)):
            ox, sy = x.search(offer_text), y.search(seek_text)
            if ox and sy and not y.search(offer_text) and not _affirmed(x, seek_text):
                return [f"the offer states '{ox.group(0)}', the seek needs '{sy.group(0)}'"]
    return []


opposite_words = st.sampled_from(
    [
        "manual",
        "automatic",
        "same-day",
        "next day",
        "indoor",
        "outdoors",
        "part-time",
        "full time",
        "halal",
        "pork",
        "minimum contract",
        "one-off",
        "just once",
        "female voice",
        "male British voice",
        "cash only",
        "card only",
        "no cash",
        "vegan",
        "chicken",
        "not",
        "no",
        "never",
        "can't drive",
        "I",
        "want",
        "the",
        ".",
        "\n",
    ]
)
opposite_texts = st.lists(opposite_words, max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(opposite_texts, opposite_texts)
def test_opposites_are_the_per_pair_readings(offer_text: str, seek_text: str) -> None:
    from mediator_actors.negotiation.fit import Findings, _opposites

    found = Findings()
    _opposites(offer_text, seek_text, found)
    assert found.refusals == _opposites_per_pair(offer_text, seek_text)


def test_an_opposite_declines_unless_the_seek_also_affirms_the_offers_side() -> None:
    from mediator_actors.negotiation.fit import Findings, _opposites

    found = Findings()
    _opposites("manual gearbox", "automatic or manual, either is fine", found)
    assert found.refusals == []
    # "must be automatic (I can't drive manual)": a negated mention is no wish
    _opposites("manual gearbox", "must be automatic (I can't drive manual)", found)
    assert found.refusals == ["the offer states 'manual', the seek needs 'automatic'"]
