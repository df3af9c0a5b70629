from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mediator_actors.edge.hub import EventHub, frame
from mediator_actors.monitoring import HealthChanged, MetricsSampled
from tests.waiting import wait_until


class FakeClient:
    def __init__(self, accept: bool = True) -> None:
        self.frames: list[bytes] = []
        self.accept = accept

    def wants(self, channel, event) -> bool:
        return True

    def offer(self, data) -> bool:
        if self.accept:
            self.frames.append(data)
        return self.accept


def test_a_large_fan_out_reaches_every_client_in_publish_order():
    hub = EventHub(chunk=16)
    clients = [FakeClient() for _ in range(200)]
    for c in clients:
        hub.subscribe(c, "metrics")
    for i in range(5):
        assert hub.publish(MetricsSampled(taken_at=i)) == 200
    wait_until(lambda: not hub._fanout_jobs, what="the fan-out finished")
    for c in clients:
        assert [f.split(b'"taken_at":')[1][:1] for f in c.frames] == [
            b"0",
            b"1",
            b"2",
            b"3",
            b"4",
        ]
    assert hub.delivered == 1000


def test_publish_returns_before_a_large_fan_out_finishes():
    hub = EventHub(chunk=10)
    clients = [FakeClient() for _ in range(100)]
    for c in clients:
        hub.subscribe(c, "metrics")
    hub.publish(MetricsSampled(taken_at=1.0))
    assert sum(len(c.frames) for c in clients) == 10
    wait_until(lambda: not hub._fanout_jobs, what="the fan-out finished")
    assert sum(len(c.frames) for c in clients) == 100


def test_a_client_that_refuses_a_frame_is_counted_and_the_rest_still_get_it():
    hub = EventHub()
    good, full = FakeClient(), FakeClient(accept=False)
    hub.subscribe(good, "health")
    hub.subscribe(full, "health")
    assert hub.publish(HealthChanged(status="healthy", ready=True)) == 2
    assert len(good.frames) == 1
    assert hub.dropped_slow == 1


@given(st.binary(max_size=70_000), st.sampled_from([1, 9, 10]))
def test_server_frames_encode_the_length_the_rfc_way(payload, opcode):
    data = frame(opcode, payload)
    assert data[0] == 0x80 | opcode
    n = data[1] & 0x7F
    assert not data[1] & 0x80
    if n == 126:
        assert int.from_bytes(data[2:4], "big") == len(payload)
        assert data[4:] == payload
    elif n == 127:
        assert int.from_bytes(data[2:10], "big") == len(payload)
        assert data[10:] == payload
    else:
        assert n == len(payload)
        assert data[2:] == payload
