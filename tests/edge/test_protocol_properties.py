"""Property tests for every parser on the edge: client messages, filters, frames, key files."""

from __future__ import annotations

import contextlib
import io
import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mediator_actors.edge.hub import Filter
from mediator_actors.edge.keys import WsKeyError, read_key_file
from mediator_actors.edge.ws_protocol import (
    BoundedWebSocket,
    Refused,
    WebSocketError,
    WsLimits,
    parse_filter,
    parse_message,
)

LIMITS = WsLimits(max_frame_bytes=256, max_message_bytes=512, max_fragments=4)


class CountingStream:
    """A byte stream that records the largest single read asked of it."""

    def __init__(self, data: bytes) -> None:
        self.buf = io.BytesIO(data)
        self.largest = 0

    def read(self, n: int) -> bytes:
        self.largest = max(self.largest, n)
        return self.buf.read(n)

    def write(self, data: bytes) -> None:
        pass


def socket_for(data: bytes) -> tuple[BoundedWebSocket, CountingStream]:
    stream = CountingStream(data)
    ws = BoundedWebSocket({}, stream, None)
    ws.limits = LIMITS
    ws.on_activity = lambda: None
    ws.on_ping = lambda payload: None
    return ws, stream


def client_frame(
    opcode: int, payload: bytes, *, fin: bool = True, length: int | None = None
) -> bytes:
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    return head + b"\x00\x00\x00\x00" + payload  # zero mask: payload as is


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_any_byte_stream_reads_as_a_message_or_a_refusal_and_no_read_exceeds_the_bound(data):
    ws, stream = socket_for(data)
    try:
        result = ws.read_message()
    except (Refused, WebSocketError):
        result = None
    assert result is None or isinstance(result, str)
    assert stream.largest <= LIMITS.max_frame_bytes


@given(st.integers(min_value=LIMITS.max_frame_bytes + 1, max_value=2**63 - 1))
def test_any_declared_length_over_the_bound_is_refused_before_reading_it(length):
    ws, stream = socket_for(client_frame(0x1, b"", length=length))
    with pytest.raises(Refused):
        ws.read_message()
    assert stream.largest <= 8


@given(st.lists(st.binary(max_size=100), min_size=1, max_size=12))
def test_fragmented_messages_are_joined_or_refused_past_their_bounds(parts):
    text_parts = [p.hex().encode()[:100] for p in parts]
    frames = client_frame(0x1, text_parts[0], fin=len(text_parts) == 1)
    for i, p in enumerate(text_parts[1:], start=2):
        frames += client_frame(0x0, p, fin=i == len(text_parts))
    ws, _ = socket_for(frames)
    joined = b"".join(text_parts)
    if len(text_parts) > LIMITS.max_fragments or len(joined) > LIMITS.max_message_bytes:
        with pytest.raises(Refused):
            ws.read_message()
    else:
        assert ws.read_message() == joined.decode()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parse_message_returns_a_dict_or_refuses(text):
    with contextlib.suppress(Refused):
        assert isinstance(parse_message(text), dict)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=300),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=10), c, max_size=4),
        max_leaves=8,
    )
)
def test_parse_filter_returns_a_filter_or_refuses(raw):
    with contextlib.suppress(Refused):
        assert isinstance(parse_filter(raw), Filter)


@pytest.mark.parametrize("text", ["NaN", '{"a": Infinity}', '{"a": -Infinity}', "[" * 100_000])
def test_non_finite_numbers_and_deep_nesting_are_refused(text):
    with pytest.raises(Refused):
        parse_message(text)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.builds(
            lambda v: json.dumps(v).encode(),
            st.dictionaries(
                st.sampled_from(["keys", "revoked", "x"]),
                st.one_of(
                    st.lists(st.text(max_size=70)),
                    st.dictionaries(st.text(max_size=70), st.text(max_size=70)),
                    st.text(),
                ),
            ),
        ),
    )
)
def test_key_files_read_as_keys_or_a_clear_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("k") / "ws-keys.json"
    path.write_bytes(data)
    try:
        content = read_key_file(path)
    except WsKeyError:
        return
    assert all(len(k) == 64 for k in content.keys.values())
