"""The chain tables' codec: a waiting intent survives its round trip through chain_deferred."""

import json

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.chain.tables import intent_from_json, intent_to_json
from mediator_actors.model import EntryRef, Intent, IntentType

texts = st.text(max_size=40)
intents = st.builds(
    Intent,
    ref=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64).map(EntryRef),
    author=texts,
    type=st.sampled_from(IntentType),
    content=texts,
    timestamp=texts,
    desires=st.tuples(texts, texts),
    constraints=st.tuples(texts),
    offered_fee=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    branch=st.none() | texts,
    block_index=st.none() | st.integers(min_value=0),
    injection_findings=st.tuples(texts),
)


@given(intents)
def test_a_deferred_intent_reads_back_as_it_was_written(intent: Intent) -> None:
    stored = json.dumps(intent_to_json(intent))  # what chain_deferred.raw holds
    assert intent_from_json(json.loads(stored)) == intent
