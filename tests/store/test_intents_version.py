"""The intents table's change counter: every write moves it, reads do not."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.benchmarks.corpus import generate_intents
from mediator_actors.model import IntentStatus
from mediator_actors.store import Store
from mediator_actors.store import intents as table

INTENTS = generate_intents(8, seed=5)
_OPS = st.lists(
    st.tuples(
        st.sampled_from(["save", "status", "archive", "unmine", "read"]),
        st.integers(0, len(INTENTS) - 1),
        st.sampled_from(list(IntentStatus)),
    ),
    max_size=20,
)


@settings(max_examples=30, deadline=None)
@given(ops=_OPS)
def test_the_counter_moves_exactly_when_a_write_changes_a_row(tmp_path_factory, ops) -> None:
    store = Store.open(Path(tmp_path_factory.mktemp("v")) / "data", migrations=table.MIGRATIONS)
    try:
        for op, n, status in ops:
            intent = INTENTS[n]
            before = store.read(table.intents_version)

            def write(c, op=op, intent=intent, status=status) -> int:
                changes = c.total_changes
                if op == "save":
                    table.save_intent(c, intent, now=0.0)
                elif op == "status":
                    table.set_intent_status(c, intent.ref, status, reason="r", now=0.0)
                elif op == "archive":
                    table.archive_intents(c, [intent.ref], "fork", now=0.0)
                elif op == "unmine":
                    table.unmine_after(c, -1, now=0.0)
                else:
                    list(table.iter_intents(c, status=None))
                return int(c.total_changes - changes)

            changed = store.write(write)
            after = store.read(table.intents_version)
            # the same clock reading every time: a timestamp could not tell these apart
            assert (after > before) == (changed > 0), (op, before, after, changed)
    finally:
        store.close()


@settings(max_examples=20, deadline=None)
@given(ops=_OPS)
def test_open_intent_heads_are_the_open_intents_in_the_same_order(tmp_path_factory, ops) -> None:
    store = Store.open(Path(tmp_path_factory.mktemp("h")) / "data", migrations=table.MIGRATIONS)
    try:
        for op, n, status in ops:
            intent = INTENTS[n]

            def write(c, op=op, intent=intent, status=status, n=n) -> None:
                if op in ("save", "read"):
                    table.save_intent(c, intent, now=float(n))
                elif op == "status":
                    table.set_intent_status(c, intent.ref, status, reason="r", now=0.0)
                elif op == "archive":
                    table.archive_intents(c, [intent.ref], "fork", now=0.0)

            store.write(write)
            heads, full = store.read(
                lambda c: (table.open_intent_heads(c), list(table.iter_intents(c)))
            )
            assert heads == [table.IntentHead(i.ref, i.author, i.type, i.offered_fee) for i in full]
    finally:
        store.close()
