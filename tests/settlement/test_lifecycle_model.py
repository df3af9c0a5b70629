"""The lifecycle against an independent model of protocol.md's rules, on random histories.

The model below is written from the protocol text alone; hypothesis draws histories of
responses (by parties and strangers, in and out of time), challenges and resolutions
(by allowed and other authors), and the node must end every settlement in the model's
state, with reputation counters equal to a recomputation from scratch.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.config import ConsensusMode
from mediator_actors.settlement.consensus import ConsensusSigner
from mediator_actors.settlement.entries import build_proposal, challenge_id_for
from mediator_actors.settlement.lifecycle import SettlementBook
from mediator_actors.settlement.records import get_settlement
from mediator_actors.settlement.reputation import get_reputation, recompute
from tests.settlement import factories as f
from tests.settlement.chainsim import Chain, challenge, open_store, resolution, response

HOUR = 3600.0
WINDOW = 10.0  # hours
MEDIATORS = [f.key(f.SEED_A), f.key(f.SEED_B), f.key(f.SEED_C)]
RESOLVER = "ab" * 20
PAIRS = [("alice", "bob"), ("carol", "dave"), ("erin", "frank")]
AUTHORS = ["alice", "bob", "carol", "dave", "erin", "frank", "mallory", RESOLVER]


def drafts():
    out = []
    for i, (seller, buyer) in enumerate(PAIRS):
        out.append(
            build_proposal(
                offer=f.offer(f"o{i}", seller),
                seek=f.seek(f"s{i}", buyer),
                result=f.result(),
                key=MEDIATORS[i],
                consensus=ConsensusSigner(ConsensusMode.PERMISSIONLESS),
                fee_percent=1.0,
                window_hours=WINDOW,
                now=f.NOW,
            )
        )
    return out


action = st.one_of(
    st.tuples(st.just("respond"), st.integers(0, 2), st.sampled_from(AUTHORS), st.booleans()),
    st.tuples(st.just("challenge"), st.integers(0, 2), st.integers(0, 2), st.just(None)),
    st.tuples(
        st.just("resolve"),
        st.integers(0, 2),
        st.integers(0, 2),
        st.sampled_from([*AUTHORS, "up", "down"]),
    ),
)
step = st.tuples(action, st.floats(min_value=0, max_value=3 * HOUR))


class Model:
    def __init__(self, proposals):
        self.s = {
            d.settlement_id: {
                "state": "proposed",
                "parties": {d.offer_party, d.seek_party},
                "latest": {},
                "deadline": d.deadline_ts,
                "mediator": d.mediator_id,
            }
            for d in proposals
        }
        self.challenges = {}  # cid -> [sid, challenger, outcome]
        self.waiting = {}  # cid -> [(author, upheld)] mined before the challenge
        self.rep = {}
        self.clock = 0.0

    def bump(self, who, field):
        self.rep.setdefault(who, dict.fromkeys(["c", "us", "ua", "f"], 0))[field] += 1

    def respond(self, sid, author, accept, t):
        s = self.s[sid]
        if (
            s["state"] not in ("proposed", "accepted")
            or author not in s["parties"]
            or t >= s["deadline"]
        ):
            return
        s["latest"][author] = accept
        if False in s["latest"].values():
            s["state"] = "rejected"
            self.bump(s["mediator"], "f")
        elif all(s["latest"].get(p) is True for p in s["parties"]):
            s["state"] = "closed"
            self.bump(s["mediator"], "c")
        else:
            s["state"] = "accepted"

    def challenge(self, cid, sid, challenger):
        if cid in self.challenges:
            return
        self.challenges[cid] = [sid, challenger, None]
        # Resolutions mined before their challenge wait for it, then count in chain order.
        for author, upheld in self.waiting.pop(cid, []):
            self.resolve(cid, author, upheld)

    def resolve(self, cid, author, upheld):
        if cid not in self.challenges:
            self.waiting.setdefault(cid, []).append((author, upheld))
            return
        sid, challenger, outcome = self.challenges[cid]
        s = self.s[sid]
        if outcome is not None or challenger == s["mediator"]:
            return
        if author not in s["parties"] and author != RESOLVER:
            return
        self.challenges[cid][2] = "upheld" if upheld else "rejected"
        if upheld:
            self.bump(challenger, "us")
            self.bump(s["mediator"], "ua")
            if s["state"] in ("proposed", "accepted"):
                s["state"] = "forfeited"
                self.bump(s["mediator"], "f")

    def end_block(self, t):
        self.clock = max(self.clock, t)
        for s in self.s.values():
            if s["state"] in ("proposed", "accepted") and s["deadline"] <= self.clock:
                s["state"] = "expired"


@settings(max_examples=25, deadline=None)
@given(steps=st.lists(step, min_size=1, max_size=25))
def test_random_histories_end_where_the_protocol_says(tmp_path_factory, steps):
    store = open_store(tmp_path_factory.mktemp("data"))
    try:
        book = SettlementBook(key=MEDIATORS[0], resolvers=[RESOLVER], clock=lambda: f.NOW)
        chain = Chain(store, book)
        proposals = drafts()
        model = Model(proposals)
        sids = [d.settlement_id for d in proposals]
        chain.mine(*(d.entry for d in proposals), at=f.NOW)
        model.end_block(f.NOW)
        t = f.NOW
        for n, ((kind, i, who, extra), dt) in enumerate(steps):
            t += dt
            sid = sids[i]
            if kind == "respond":
                payload = response(who, sid, extra, note=f"#{n}")
                model.respond(sid, who, extra, t)
            elif kind == "challenge":
                challenger = MEDIATORS[who]
                cid = challenge_id_for(sid, challenger.mediator_id)
                payload = challenge(challenger, sid, cid)
                model.challenge(cid, sid, challenger.mediator_id)
            else:
                challenger = MEDIATORS[who]
                cid = challenge_id_for(sid, challenger.mediator_id)
                author = {"up": PAIRS[i][0], "down": PAIRS[i][1]}.get(extra, extra)
                upheld = (n % 2 == 0) if extra not in ("up", "down") else extra == "up"
                payload = resolution(author, cid, upheld)
                payload["content"] += f" #{n}"
                model.resolve(cid, author, upheld)
            chain.mine(payload, at=t)
            model.end_block(t)

        def final(conn):
            states = {sid: get_settlement(conn, sid).state.value for sid in sids}
            fresh = recompute(conn)
            kept = {m: get_reputation(conn, m) for m in fresh}
            return states, fresh, kept

        states, fresh, kept = store.read(final)
        assert states == {sid: model.s[sid]["state"] for sid in sids}
        assert fresh == kept
        for mediator, counts in model.rep.items():
            rep = kept[mediator]
            assert (rep.closures, rep.upheld_submitted, rep.upheld_against, rep.forfeited) == (
                counts["c"],
                counts["us"],
                counts["ua"],
                counts["f"],
            )
    finally:
        store.close()
