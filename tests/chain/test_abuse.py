"""Flag reasons ``coercion`` and ``spam`` (issue 12, gap 3): the rules, and the node
declining and flagging such intents once, signed, like ``unsafe``."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.chain import flags
from mediator_actors.chain.client import ChainClient
from mediator_actors.model import ChainEntry, EntryRef, IntentStatus
from mediator_actors.safety import abuse
from mediator_actors.safety.abuse import detect_coercion, detect_spam, spam_signs
from mediator_actors.safety.gates import fold_for_literals, may_match
from mediator_actors.safety.textsafety import normalize_text
from mediator_actors.settlement.entries import FlagReason
from mediator_actors.signing import MediatorKey
from mediator_actors.store import Store
from mediator_actors.store.jobs import CHAIN_OUTBOX as OUTBOX

from .conftest import FakeClock
from .test_flags import ALL, follower, offer, status

CORPUS = Path("/work/shared/data/bench-corpus.jsonl")

COERCIVE = [
    ("Seeking a driver. Pay me 500 NLC or else I will leak your photos.", "coercion:threat"),
    ("Need the files back by Friday, otherwise I will hurt your family.", "coercion:threat"),
    (
        "Offering domestic workers for hire; we keep their passports until the fee is repaid.",
        "coercion:confinement",
    ),
    (
        "We need farm hands who work off their travel debt, and they cannot leave the farm.",
        "coercion:confinement",
    ),
    ("Seeking someone to help with blackmailing my former partner.", "coercion:extortion"),
    ("\uff30\uff41\uff59 \uff4d\uff45 or else I will leak your photos.", "coercion:threat"),
    ("Pay me or else I will le\u200bak your photos.", "coercion:threat"),  # zero-width
]
HONEST_COERCION_TOPICS = [
    "Ghostwriter wanted for a thriller about blackmail and extortion, 60,000 words.",
    "Seeking a ransomware recovery expert; otherwise flexible on dates.",
    "We will publish your paper in our open journal within 30 days for 200 NLC.",
    "Offering self-defence classes: learn how attackers hurt people and how to stop them.",
    "Immigration lawyer: I help workers whose employers hold their passports get them back.",
    "If you don't need the full package, we also sell single modules.",
    "Seeking a locksmith; I cannot leave the house before noon.",
    "Seeking a film editor for our documentary about workers held against their will.",
    "Our staff cannot leave the site unattended, so we need a night guard.",
]
SPAM = [
    "BUY NOW!!! CLICK HERE http://a.xyz/ http://b.xyz/ http://c.xyz/ EARN 500 A DAY FROM HOME",
    "Earn $300 per day from home! Click here to start, 100% guaranteed income, act now: "
    "http://earn.xyz/1 http://earn.xyz/2 http://earn.xyz/3",
    "cheap cheap cheap cheap cheap cheap cheap cheap cheap cheap cheap cheap offer offer "
    "cheap cheap cheap cheap cheap cheap cheap cheap click here act now",
    "Contact me: +44 7700 900123, +44 7700 900456, sales@x.example, DM me on telegram. "
    "Free crypto giveaway for every buyer!",
]
HONEST_SPAM_SHAPES = [
    "Offering web design. Portfolio: https://a.example https://b.example https://c.example",
    "SEEKING A PLUMBER IN LEITH FOR A LEAKING RADIATOR, BUDGET 120 NLC, THIS WEEK PLEASE.",
    "Buy now, pay later is fine with me: seeking a used cargo bike under 900 NLC.",
    "Call +44 7700 900123 or +44 7700 900456 or mail me at a@b.example about the flat.",
]


@pytest.mark.parametrize(("text", "sign"), COERCIVE)
def test_coercion_is_found_with_its_sign(text: str, sign: str) -> None:
    assert sign in detect_coercion(text)


@pytest.mark.parametrize("text", HONEST_COERCION_TOPICS)
def test_a_topic_or_an_ordinary_condition_is_not_coercion(text: str) -> None:
    assert detect_coercion(text) == ()


@pytest.mark.parametrize("text", SPAM)
def test_spam_needs_two_signs_and_has_them(text: str) -> None:
    found = detect_spam(text)
    assert len(found) >= 2, spam_signs(text)


@pytest.mark.parametrize("text", HONEST_SPAM_SHAPES)
def test_one_spam_sign_alone_is_how_honest_people_write(text: str) -> None:
    assert len(spam_signs(text)) <= 1
    assert detect_spam(text) == ()


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus is not on this machine")
def test_no_intent_of_the_benchmark_corpus_is_declined() -> None:
    # 11,000 templated honest intents: 0 coercion, 0 spam (measured: 0 and 0, 0.4 ms each).
    declined = [
        d["content"]
        for d in map(json.loads, CORPUS.read_text().splitlines())
        if detect_coercion(d["content"]) or detect_spam(d["content"])
    ]
    assert declined == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3_000))
def test_any_text_gets_a_verdict_and_the_same_one_twice(text: str) -> None:
    first = (detect_coercion(text), detect_spam(text), spam_signs(text))
    assert first == (detect_coercion(text), detect_spam(text), spam_signs(text))
    assert all(list(f) == sorted(f) for f in first)
    assert set(first[1]) <= set(first[2])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "or else",
                "unless you",
                "leak your",
                "http://x.xyz/",
                "+1 555 0100 200",
                "CLICK HERE",
                "buy now",
                "a@b.example",
                "\u200b",
                "passports",
                "\n",
                " ",
                "x" * 50,
                "pay me or",
            ]
        ),
        max_size=400,
    )
)
def test_hostile_mixtures_of_the_patterns_do_not_crash(parts: list[str]) -> None:
    text = "".join(parts)
    detect_coercion(text)
    detect_spam(text)


# --- the literal gates skip a rule only where it cannot match ------------------------

# Phrases each gated rule matches: at least one per alternative of the pattern.
_GATED = [
    (
        abuse._THREAT_IF,
        abuse._THREAT_IF_GATE,
        [
            "or else",
            "otherwise",
            "unless you",
            "if they don't",
            "if you do not",
            "if you refuse",
            "if they won't",
            "if you will not",
            "if you fail to",
        ],
    ),
    (
        abuse._HARM_RE,
        abuse._HARM_GATE,
        [
            "leak your",
            "expose their",
            "publish his",
            "post her",
            "release your",
            "share their",
            "send your",
            "hurt you",
            "harm your",
            "kill them",
            "beat him",
            "ruin her",
            "destroy their",
            "dox you",
            "burn your",
            "report you to the police",
            "report them to immigration",
            "report her to authorities",
            "you'll regret",
            "they will be sorry",
            "you will pay for",
        ],
    ),
    (
        abuse._CONFINEMENT,
        abuse._CONFINEMENT_GATE,
        [
            "take their passports",
            "hold your ids",
            "keep the workers' papers",
            "confiscate employees' identity cards",
            "retain staff identity documents",
            "collect workers passport",
            "passports are held",
            "identity documents will be kept",
            "papers are retained",
            "passport will be confiscated",
            "work off the debt",
            "work off their travel debt",
            "cannot leave the premises until",
            "can't leave site until",
            "not allowed to leave the farm until",
            "may not leave the job until",
            "against their will",
        ],
    ),
    (
        abuse._EXTORTION,
        abuse._EXTORTION_GATE,
        [
            "blackmail you",
            "blackmailing him",
            "extort the",
            "extorting them",
            "pay me or",
            "pay us and I won't",
            "pay me and we won't",
            "hush money",
        ],
    ),
    (
        abuse._LINK,
        abuse._LINK_GATE,
        [
            "http://",
            "https://",
            "www.abc.",
            "abc.com/",
            "ab.net/",
            "xy.io/",
            "ab.ru/",
            "ab.xyz/",
            "ab.biz/",
        ],
    ),
    (
        re.compile("|".join(f"(?:{p.pattern})" for p, _ in abuse._PITCHES), re.I),
        tuple(groups for _, groups in abuse._PITCHES),
        [
            "click here",
            "click the link",
            "click below",
            "act now",
            "limited-time offer",
            "limited time offer",
            "100% free",
            "100 % guaranteed",
            "100% legit",
            "guaranteed income",
            "guaranteed profit",
            "guaranteed returns",
            "guaranteed results",
            "earn $500 a day",
            "make 1,000 usd per week",
            "earn 50 nlc every hour",
            "work from home",
            "earn money from home",
            "free money",
            "free gift",
            "free crypto",
            "free bitcoin",
            "crypto giveaway",
            "bitcoin airdrop",
            "nft doubling",
            "dm me on telegram",
            "message me on whatsapp",
            "contact me on signal",
            "buy now",
            "subscribe to my channel",
            "subscribe to my page",
            "no experience needed, earn",
            "no experience required for income",
        ],
    ),
]
_ALL_PHRASES = [phrase for _, _, phrases in _GATED for phrase in phrases]
# Letters that re's IGNORECASE matches with ASCII ones (or NFKC turns into them).
_LOOKALIKES = {"i": ["I", "\u0130", "\u0131"], "s": ["S", "\u017f"], "k": ["K", "\u212a"]}


def test_every_gated_rule_matches_its_phrases_and_its_gate_lets_them_through() -> None:
    for pattern, gate, phrases in _GATED:
        for phrase in phrases:
            assert pattern.search(phrase), phrase
            assert may_match(fold_for_literals(phrase), gate), phrase


@st.composite
def _disguised(draw: st.DrawFn) -> str:
    """Some rule phrases in noise, each letter perhaps in capitals or a look-alike."""
    pieces = draw(st.lists(st.sampled_from(_ALL_PHRASES), min_size=1, max_size=4))
    noise = st.text(alphabet=" \n.;-abcdefxyz0123456789", max_size=8)
    out = []
    for piece in pieces:
        out.append(draw(noise))
        for ch in piece:
            options = [ch, ch.upper(), *_LOOKALIKES.get(ch, [])]
            out.append(draw(st.sampled_from(options)))
    out.append(draw(noise))
    return "".join(out)


@settings(max_examples=500, deadline=None)
@given(_disguised())
def test_a_gate_never_skips_a_rule_that_would_match(text: str) -> None:
    s = normalize_text(text)
    folded = fold_for_literals(s)
    for pattern, gate, _ in _GATED:
        if pattern.search(s):
            assert may_match(folded, gate), (pattern.pattern[:60], s)


def _ungated_coercion(text: str) -> tuple[str, ...]:
    s = normalize_text(text[: abuse.MAX_CHARS])
    found = set()
    for sentence in abuse._SENTENCE.findall(s):
        if abuse._THREAT_IF.search(sentence) and abuse._HARM_RE.search(sentence):
            found.add("coercion:threat")
        if (
            abuse._CONFINEMENT.search(sentence)
            and abuse._FIRST_PERSON.search(sentence)
            and not abuse._NOT_THE_AUTHORS_ACT.search(sentence)
        ):
            found.add("coercion:confinement")
    if abuse._EXTORTION.search(s):
        found.add("coercion:extortion")
    return tuple(sorted(found))


@settings(max_examples=300, deadline=None)
@given(st.lists(_disguised(), max_size=6), st.sampled_from([" ", "\n", ". "]))
def test_coercion_and_spam_verdicts_are_those_of_every_rule_run(parts: list[str], sep: str) -> None:
    text = sep.join(parts)
    assert detect_coercion(text) == _ungated_coercion(text)
    signs = spam_signs(text)
    assert detect_spam(text) == (signs if len(signs) >= 2 else ())
    with mock.patch.object(abuse, "may_match", return_value=True):
        assert spam_signs(text) == signs


def test_the_coercion_and_spam_examples_match_every_rule_run() -> None:
    for text in [t for t, _ in COERCIVE] + HONEST_COERCION_TOPICS + SPAM:
        assert detect_coercion(text) == _ungated_coercion(text)


def _intent(content: str) -> Any:
    from mediator_actors.chain import codec

    entry = ChainEntry(
        ref=EntryRef("1" * 64),
        author="alice",
        content=content,
        intent="offer",
        timestamp="2026-12-02T00:00:00",
        metadata={"is_contract": True, "contract_type": "offer"},
        block_index=1,
    )
    intent = codec.to_intent(entry)
    assert intent is not None
    return intent


def test_decline_reasons_in_order_unsafe_coercion_spam() -> None:
    assert flags.decline_reason(_intent(COERCIVE[0][0])) is FlagReason.COERCION
    assert flags.decline_reason(_intent(SPAM[1])) is FlagReason.SPAM
    assert flags.decline_reason(_intent(HONEST_COERCION_TOPICS[0])) is None
    assert flags.decline_reason(_intent(HONEST_SPAM_SHAPES[0])) is None


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "data", migrations=ALL)
    yield s
    s.close()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "Offering a van and driver for 300 NLC. Pay me 500 NLC more or else I will leak your photos.",
            FlagReason.COERCION,
        ),
        (SPAM[1] + " Offering coaching sessions for 50 NLC.", FlagReason.SPAM),
    ],
)
def test_the_node_declines_and_flags_once_with_the_reason(
    devchain: Any,
    client: ChainClient,
    store: Store,
    clock: FakeClock,
    text: str,
    reason: FlagReason,
) -> None:
    key = MediatorKey.generate()

    def declined(conn: sqlite3.Connection, intent: Any, now: float) -> None:
        # As wiring does: the reason the follower declined it for.
        flags.enqueue_own_flag(
            conn, key, intent.ref, flags.decline_reason(intent) or FlagReason.UNSAFE, now=now
        )

    devchain.submit(**offer(1, text))
    f = follower(store, client, clock, on_declined=declined)
    target = f.poll_once().new_intents[0]
    devchain.mine()
    f.poll_once()  # the same intent now mined: no second flag
    assert status(store, target) is IntentStatus.ARCHIVED
    assert sum(store.read(OUTBOX.counts).values()) == 1
    job = store.read(lambda c: OUTBOX.get(c, f"flag:{target}"))
    assert job is not None
    written = ChainEntry(
        ref=EntryRef("0" * 64),
        author=job.payload["author"],
        content=job.payload["content"],
        intent=job.payload["intent"],
        timestamp="2026-12-02T00:00:00",
        metadata=job.payload["metadata"],
        block_index=3,
    )
    seen = flags.check_flag(written)
    assert isinstance(seen, flags.FlagSeen)
    assert (seen.intent_ref, seen.mediator_id, seen.reason) == (target, key.mediator_id, reason)
