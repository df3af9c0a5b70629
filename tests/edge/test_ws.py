"""The monitoring WebSocket against threats.md section F, the slow reader, filters, heartbeats."""

from __future__ import annotations

import dataclasses
import json
import logging
import socket
import struct
import time

import gevent
import psutil
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mediator_actors.edge.hub import EventHub
from mediator_actors.edge.keys import KeyFile, KeyRing, write_key_file
from mediator_actors.edge.server import EdgeServer, Limits
from mediator_actors.edge.ws import AUTH_DOMAIN, WsApp, WsHandler, WsLimits, auth_message
from mediator_actors.edge.wsclient import (
    OP_BINARY,
    OP_CONT,
    OP_PING,
    OP_TEXT,
    WsClient,
    WsClientError,
    WsClosed,
)
from mediator_actors.model import joined_digest_id
from mediator_actors.monitoring import (
    IntentIngested,
    MetricsSampled,
    NegotiationFailed,
    ReputationChanged,
    SettlementChanged,
    SettlementProposed,
    encode_event,
)
from tests.edge import canary
from tests.edge.conftest import SERVER_ID

A1 = joined_digest_id("ent", "a1")
B2 = joined_digest_id("ent", "b2")
S1 = joined_digest_id("stl", "s1")
S2 = joined_digest_id("stl", "s2")


def wait_for(condition, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        gevent.sleep(0.01)


def assert_refused(client: WsClient) -> None:
    """The one generic answer: close code 1008, reason 'refused'."""
    with pytest.raises(WsClosed) as info:
        drain(client)
    assert (info.value.code, info.value.reason) == (1008, "refused")


def drain(client: WsClient) -> None:
    while True:
        client.recv()


def challenge_of(client: WsClient) -> dict:
    msg = client.recv()
    assert msg["type"] == "challenge"
    assert msg["server"] == SERVER_ID
    assert len(bytes.fromhex(msg["challenge"])) == 32
    return msg


def auth_reply(key: Ed25519PrivateKey, message: bytes) -> dict:
    return {
        "type": "auth",
        "key": key.public_key().public_bytes_raw().hex(),
        "signature": key.sign(message).hex(),
    }


# the happy path


def test_an_authorised_key_authenticates_subscribes_and_receives_events(ws_env):
    client = ws_env.authed()
    client.subscribe("settlements")
    assert client.recv() == {"type": "subscribed", "channels": ["settlements"]}
    proposed = SettlementProposed(
        settlement_id="ab" * 8, intents=("i1", "i2"), parties=("alice", "bob"), pair="i1:i2"
    )
    assert ws_env.app.hub.publish(proposed) == 1
    event = client.recv()
    assert event["type"] == "event"
    assert event["channel"] == "settlements"
    assert event["data"] == encode_event(proposed)
    assert event["data"]["type"] == "settlement_proposed"


def test_the_root_page_answers_the_runbooks_check(ws_env):
    ws_env.authed()
    resp = requests.get(ws_env.http + "/", timeout=5)
    assert resp.json() == {"connections": 1, "authenticated": 1, "limit": 50}
    assert requests.get(ws_env.http + "/ws", timeout=5).status_code == 400


def test_filters_deliver_only_matching_events(ws_env):
    client = ws_env.authed()
    client.subscribe("negotiations", {"party": "alice"})
    client.recv()
    hub = ws_env.app.hub
    assert hub.publish(NegotiationFailed(pair="1", parties=("bob", "carol"))) == 0
    assert hub.publish(NegotiationFailed(pair="2", parties=("alice", "bob"))) == 1
    assert hub.publish(IntentIngested(parties=("alice",))) == 0  # not subscribed to intents
    assert client.recv()["data"]["pair"] == "2"


def test_an_intent_filter_on_intents_and_a_party_filter_on_settlements_match(ws_env):
    # Both never matched: intent events carried intent_ref, settlement events no parties.
    client = ws_env.authed()
    client.subscribe("intents", {"intent": A1})
    client.recv()
    client.subscribe("settlements", {"party": "alice"})
    client.recv()
    hub = ws_env.app.hub
    assert hub.publish(IntentIngested(intents=(B2,), parties=("alice",))) == 0
    assert hub.publish(IntentIngested(intents=(A1,), parties=("alice",))) == 1
    assert client.recv()["data"]["intents"] == [A1]
    changed = SettlementChanged(
        intents=(A1, B2),
        parties=("alice", "bob"),
        settlement_id=S1,
        mediator_id="m",
        own=True,
        state="closed",
        previous="accepted",
        reason="both accepted",
    )
    assert hub.publish(changed) == 1
    assert hub.publish(dataclasses.replace(changed, parties=("carol", "bob"))) == 0
    assert client.recv()["data"]["type"] == "settlement_changed"


def test_a_settlement_filter_takes_the_v2_id_the_api_and_events_carry(ws_env):
    # The filter once took only lower-case hex, so no v2 id (stl_<base32>) could be named.
    client = ws_env.authed()
    client.subscribe("settlements", {"settlement": S1})
    assert client.recv() == {"type": "subscribed", "channels": ["settlements"]}
    changed = SettlementChanged(
        intents=(A1, B2),
        parties=("alice", "bob"),
        settlement_id=S1,
        mediator_id="m",
        own=True,
        state="closed",
        previous="accepted",
        reason="both accepted",
    )
    assert ws_env.app.hub.publish(dataclasses.replace(changed, settlement_id=S2)) == 0
    assert ws_env.app.hub.publish(changed) == 1
    assert client.recv()["data"]["settlement_id"] == S1


def test_every_outbound_frame_passes_through_the_redaction_hook(ws_env):
    secret = canary.CANARIES[0]
    ws_env.app.hub.redact = lambda v: json.loads(json.dumps(v).replace(secret, "[redacted]"))
    client = ws_env.authed()
    client.subscribe("negotiations")
    client.recv()
    ws_env.app.hub.publish(NegotiationFailed(pair="p", reason=f"the key is {secret}"))
    assert client.recv()["data"]["reason"] == "the key is [redacted]"


def test_a_broken_redaction_hook_drops_the_frame_and_never_raises_into_the_publisher(ws_env):
    client = ws_env.authed()
    client.subscribe("reputation")
    client.recv()

    def broken(value):
        raise ValueError("nope")

    ws_env.app.hub.redact = broken
    assert ws_env.app.hub.publish(ReputationChanged(mediator_id="m")) == 0
    assert ws_env.app.hub.redaction_failures == 1


def test_pings_are_answered_with_pongs_through_the_send_queue(ws_env):
    client = ws_env.authed()
    client.send_frame(OP_PING, b"hb")
    assert client.recv_frame() == (0x0A, b"hb")
    client.send_json({"type": "ping"})
    assert client.recv() == {"type": "pong"}


def test_a_silent_client_is_closed_after_two_missed_heartbeats(operator_key):
    hub = EventHub()
    pub = operator_key.public_key().public_bytes_raw().hex()
    app = WsApp(
        hub,
        server_id=SERVER_ID,
        authorized_keys=lambda: {pub: "ops"},
        limits=WsLimits(heartbeat_s=0.1),
    )
    server = EdgeServer(app, "127.0.0.1", 0, handler_class=WsHandler)
    server.start()
    try:
        host, port = server.address
        silent = WsClient.connect(f"ws://{host}:{port}/ws", timeout=5)
        silent.authenticate(operator_key)
        wait_for(lambda: app.authenticated == 1)
        wait_for(lambda: app.authenticated == 0, timeout=3)
        silent.close()
    finally:
        app.stop()
        server.stop(timeout=1)


# section F: authentication


def test_no_auth_at_all_is_refused(ws_env):
    client = ws_env.connect()
    challenge_of(client)
    client.subscribe("intents")
    assert_refused(client)


def test_silence_until_the_auth_timeout_is_refused(ws_env):
    client = ws_env.connect()
    challenge_of(client)
    assert_refused(client)


def test_a_bad_signature_is_refused(ws_env, operator_key):
    client = ws_env.connect()
    msg = challenge_of(client)
    reply = auth_reply(operator_key, auth_message(bytes.fromhex(msg["challenge"]), SERVER_ID))
    sig = bytearray(bytes.fromhex(reply["signature"]))
    sig[5] ^= 1
    reply["signature"] = sig.hex()
    client.send_json(reply)
    assert_refused(client)


def test_an_unknown_key_is_refused(ws_env):
    stranger = Ed25519PrivateKey.generate()
    client = ws_env.connect()
    with pytest.raises(WsClosed) as info:
        client.authenticate(stranger)
    assert (info.value.code, info.value.reason) == (1008, "refused")


def test_a_revoked_key_is_refused_on_the_next_connection(ws_env):
    ws_env.authed()
    ws_env.keys.clear()
    with pytest.raises(WsClosed):
        ws_env.connect().authenticate(ws_env.key)


def test_a_revoked_keys_open_sessions_are_closed_and_other_keys_stay(ws_env):
    other = Ed25519PrivateKey.generate()
    ws_env.keys[other.public_key().public_bytes_raw().hex()] = "other"
    ws_env.app.key_check_s = 0.05
    revoked, kept = ws_env.authed(), ws_env.connect()
    kept.authenticate(other)
    for client in (revoked, kept):
        client.subscribe("metrics")
        assert client.recv()["type"] == "subscribed"
    del ws_env.keys[ws_env.key.public_key().public_bytes_raw().hex()]
    assert_refused(revoked)  # within the client's 5 s timeout
    wait_for(lambda: ws_env.app.authenticated == 1)
    assert ws_env.app.revoked_closed == 1
    assert ws_env.app.hub.publish(MetricsSampled(taken_at=1.0)) == 1
    assert kept.recv()["data"]["taken_at"] == 1.0


def test_keys_revoke_in_the_key_file_closes_the_running_session(operator_key, tmp_path):
    pub = operator_key.public_key().public_bytes_raw().hex()
    key_file = tmp_path / "ws-keys.json"
    write_key_file(key_file, KeyFile({"ops": pub}, frozenset()))
    ring = KeyRing((), key_file)
    app = WsApp(EventHub(), server_id=SERVER_ID, authorized_keys=ring.current, key_check_s=0.05)
    server = EdgeServer(app, "127.0.0.1", 0, handler_class=WsHandler)
    host, port = server.start()
    try:
        client = WsClient.connect(f"ws://{host}:{port}/ws", timeout=5)
        client.authenticate(operator_key)
        # What `mediator-node keys revoke ops` writes, from another process.
        write_key_file(key_file, KeyFile({}, frozenset({pub})))
        assert_refused(client)
        wait_for(lambda: app.authenticated == 0)
    finally:
        app.stop()
        server.stop(timeout=1)


def test_a_replayed_auth_message_is_refused_on_a_new_connection(ws_env, operator_key):
    first = ws_env.connect()
    msg = challenge_of(first)
    reply = auth_reply(operator_key, auth_message(bytes.fromhex(msg["challenge"]), SERVER_ID))
    first.send_json(reply)
    assert first.recv()["type"] == "welcome"
    second = ws_env.connect()
    assert challenge_of(second)["challenge"] != msg["challenge"]
    second.send_json(reply)
    assert_refused(second)


def test_a_second_auth_on_the_same_connection_is_refused(ws_env, operator_key):
    client = ws_env.connect()
    msg = challenge_of(client)
    reply = auth_reply(operator_key, auth_message(bytes.fromhex(msg["challenge"]), SERVER_ID))
    client.send_json(reply)
    assert client.recv()["type"] == "welcome"
    client.send_json(reply)
    assert_refused(client)


def test_a_replayed_auth_message_is_refused_after_a_restart(operator_key):
    pub = operator_key.public_key().public_bytes_raw().hex()

    def serve() -> tuple[WsApp, EdgeServer, str]:
        app = WsApp(EventHub(), server_id=SERVER_ID, authorized_keys=lambda: {pub: "ops"})
        server = EdgeServer(app, "127.0.0.1", 0, handler_class=WsHandler)
        host, port = server.start()
        return app, server, f"ws://{host}:{port}/ws"

    app, server, url = serve()
    client = WsClient.connect(url, timeout=5)
    msg = client.recv()
    reply = auth_reply(operator_key, auth_message(bytes.fromhex(msg["challenge"]), SERVER_ID))
    client.send_json(reply)
    assert client.recv()["type"] == "welcome"
    client.close()
    app.stop()
    server.stop(timeout=1)

    app, server, url = serve()
    try:
        again = WsClient.connect(url, timeout=5)
        again.recv()
        again.send_json(reply)
        assert_refused(again)
    finally:
        app.stop()
        server.stop(timeout=1)


def test_a_late_answer_to_the_challenge_is_refused(ws_env, operator_key):
    client = ws_env.connect()
    msg = challenge_of(client)
    # Answer only once the server's auth deadline has passed and it has refused the client.
    wait_for(lambda: ws_env.app.auth_failures == 1, timeout=10)
    try:
        client.send_json(
            auth_reply(operator_key, auth_message(bytes.fromhex(msg["challenge"]), SERVER_ID))
        )
    except OSError:
        return  # already closed: refused before the answer even arrived
    assert_refused(client)


@pytest.mark.parametrize(
    "purpose",
    [
        lambda ch: ch,  # the bare challenge, no domain
        lambda ch: b"nlc-mediator/entry/v1\x00" + ch + SERVER_ID.encode(),  # another domain
        lambda ch: AUTH_DOMAIN + ch + b"another-server",  # another server
        lambda ch: AUTH_DOMAIN + ch,  # no server id
    ],
)
def test_a_signature_made_for_another_purpose_is_refused(ws_env, operator_key, purpose):
    client = ws_env.connect()
    msg = challenge_of(client)
    client.send_json(auth_reply(operator_key, purpose(bytes.fromhex(msg["challenge"]))))
    assert_refused(client)


def test_with_no_authorised_keys_everyone_is_refused(ws_env, operator_key):
    ws_env.keys.clear()
    client = ws_env.connect()
    msg = challenge_of(client)
    client.send_json(
        auth_reply(operator_key, auth_message(bytes.fromhex(msg["challenge"]), SERVER_ID))
    )
    assert_refused(client)


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1"])
def test_a_browser_origin_that_is_not_allowed_is_refused_before_the_upgrade(ws_env, origin):
    with pytest.raises(WsClientError, match="403"):
        ws_env.connect(origin=origin)


def test_an_allowed_origin_may_connect(operator_key):
    pub = operator_key.public_key().public_bytes_raw().hex()
    app = WsApp(
        EventHub(),
        server_id=SERVER_ID,
        authorized_keys=lambda: {pub: "ops"},
        allowed_origins=["https://ops.example"],
    )
    server = EdgeServer(app, "127.0.0.1", 0, handler_class=WsHandler)
    host, port = server.start()
    try:
        client = WsClient.connect(f"ws://{host}:{port}/ws", timeout=5, origin="https://ops.example")
        client.authenticate(operator_key)
        client.close()
    finally:
        app.stop()
        server.stop(timeout=1)


@pytest.mark.parametrize(
    "reply",
    [
        "not json",
        "[]",
        '{"type":"auth"}',
        '{"type":"auth","key":"zz","signature":"00"}',
        '{"type":"auth","key":1e400,"signature":NaN}',
        "[" * 5000,
        '{"type":"auth","key":"' + "0" * 64 + '","signature":"' + "0" * 128 + '"}',
    ],
)
def test_malformed_auth_messages_are_refused(ws_env, reply):
    client = ws_env.connect()
    challenge_of(client)
    client.send_frame(OP_TEXT, reply.encode())
    assert_refused(client)


def test_thousands_of_bogus_attempts_are_bounded_and_the_node_keeps_answering(ws_env):
    refused = 0
    for _ in range(300):
        try:
            client = WsClient.connect(ws_env.url, timeout=5)
        except WsClientError:
            refused += 1  # admission rate or pending cap: refused before the upgrade
            continue
        try:
            client.recv()
            client.send_json({"type": "auth", "key": "0" * 64, "signature": "0" * 128})
            assert_refused(client)
            refused += 1
        finally:
            client.sock.close()
    assert refused == 300
    assert ws_env.app.auth_failures > 0
    wait_for(lambda: ws_env.app.pending == 0)
    ws_env.authed()  # a real operator still gets in


def test_unauthenticated_sockets_have_their_own_smaller_limit(ws_env):
    limit = ws_env.app.limits.max_unauthenticated
    waiting = [ws_env.connect() for _ in range(limit)]
    with pytest.raises(WsClientError, match="503"):
        WsClient.connect(ws_env.url, timeout=5)
    for c in waiting:
        c.sock.close()
    wait_for(lambda: ws_env.app.pending == 0)
    ws_env.authed()


def test_authenticated_connections_are_capped_at_ws_max_connections(operator_key):
    pub = operator_key.public_key().public_bytes_raw().hex()
    app = WsApp(
        EventHub(),
        server_id=SERVER_ID,
        authorized_keys=lambda: {pub: "ops"},
        limits=WsLimits(max_connections=3, max_unauthenticated=3),
    )
    server = EdgeServer(app, "127.0.0.1", 0, handler_class=WsHandler)
    host, port = server.start()
    url = f"ws://{host}:{port}/ws"
    clients = []
    try:
        for _ in range(3):
            clients.append(WsClient.connect(url, timeout=5))
            clients[-1].authenticate(operator_key)
        with pytest.raises(WsClientError, match="503"):
            WsClient.connect(url, timeout=5)
    finally:
        for c in clients:
            c.close()
        app.stop()
        server.stop(timeout=1)


# section F: frames


def test_a_frame_claiming_a_gibibyte_is_refused_from_its_header(ws_env):
    rss_before = psutil.Process().memory_info().rss
    client = ws_env.connect()
    challenge_of(client)
    client.send_frame(OP_TEXT, b"x" * 1024, length=1 << 30)  # declares 1 GiB, sends 1 KiB
    assert_refused(client)
    assert psutil.Process().memory_info().rss - rss_before < 50 * 1024 * 1024


def test_a_frame_claiming_a_gibibyte_after_auth_is_refused_too(ws_env):
    client = ws_env.authed()
    client.sock.sendall(bytes([0x81, 0xFF]) + struct.pack("!Q", 1 << 30) + b"\x00\x00\x00\x00")
    assert_refused(client)


def test_endless_fragments_are_refused(ws_env):
    client = ws_env.authed()
    client.send_frame(OP_TEXT, b"{", fin=False)

    def fragments() -> None:
        for _ in range(10_000):
            client.send_frame(OP_CONT, b" " * 100, fin=False)
            client.sock.settimeout(0.001)
            try:
                client.recv()
            except TimeoutError:
                pass
            finally:
                client.sock.settimeout(5)

    with pytest.raises(WsClosed) as info:
        fragments()
    assert info.value.code == 1008


def test_binary_and_unmasked_frames_are_refused(ws_env):
    binary = ws_env.authed()
    binary.send_frame(OP_BINARY, b"\x00\x01")
    assert_refused(binary)
    unmasked = ws_env.authed()
    unmasked.send_frame(OP_TEXT, b'{"type":"ping"}', mask=False)
    assert_refused(unmasked)


def test_thousands_of_subscriptions_are_refused_past_the_bound(ws_env):
    client = ws_env.authed()
    limit = ws_env.app.limits.max_subscriptions
    accepted = []

    def subscribe_many() -> None:
        for i in range(limit + 10):
            client.subscribe("intents", {"party": f"p{i}"})
            client.recv()
            accepted.append(i)
            gevent.sleep(0.06)  # stay under the message rate: this test is about the count

    with pytest.raises(WsClosed) as info:
        subscribe_many()
    assert info.value.code == 1008
    assert len(accepted) == limit


def test_a_message_flood_is_refused(ws_env, caplog):
    client = ws_env.authed()

    def flood() -> None:
        for _ in range(1000):
            try:
                client.send_json({"type": "ping"})
            except OSError:
                # The server refused mid-flood and closed with our pings unread, so the
                # kernel reset the connection; its close frame is still in our buffer.
                break
        drain(client)

    caplog.set_level(logging.INFO, logger="mediator.edge.ws")
    with pytest.raises((WsClosed, ConnectionResetError)) as info:
        flood()
    if isinstance(info.value, WsClosed):
        assert (info.value.code, info.value.reason) == (1008, "refused")
    else:
        # On a loaded machine the server's close frame can meet our unread pings: its write
        # fails ("Failed to write closing frame") and the kernel resets the connection. The
        # refusal must still be the server's, for the flood.
        assert any("refused: message flood" in r.getMessage() for r in caplog.records)


def test_unknown_channels_and_bad_filters_are_refused(ws_env):
    for msg in (
        {"type": "subscribe", "channel": "secrets"},
        {"type": "subscribe", "channel": "intents", "filter": {"sql": "1"}},
        {"type": "subscribe", "channel": "intents", "filter": {"intent": "../../etc"}},
        {"type": "subscribe", "channel": "intents", "filter": {"intent": "ab" * 32}},
        {"type": "subscribe", "channel": "intents", "filter": {"intent": S1}},
        {"type": "subscribe", "channel": "settlements", "filter": {"settlement": A1}},
        {"type": "subscribe", "channel": "intents", "filter": {"party": "x" * 1000}},
    ):
        client = ws_env.authed()
        client.send_json(msg)
        assert_refused(client)


# slow readers


def test_a_slow_reader_is_closed_without_slowing_the_others(operator_key):
    pub = operator_key.public_key().public_bytes_raw().hex()
    hub = EventHub()
    app = WsApp(
        hub,
        server_id=SERVER_ID,
        authorized_keys=lambda: {pub: "ops"},
        limits=WsLimits(send_queue=32, send_timeout_s=1.0),
    )
    server = EdgeServer(app, "127.0.0.1", 0, handler_class=WsHandler, limits=Limits())
    host, port = server.start()
    url = f"ws://{host}:{port}/ws"
    try:
        slow = WsClient.connect(url, timeout=5)
        slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.authenticate(operator_key)
        slow.subscribe("metrics")
        fast = WsClient.connect(url, timeout=5)
        fast.authenticate(operator_key)
        fast.subscribe("metrics")
        wait_for(lambda: hub.subscriber_count("metrics") == 2)
        fast.recv()
        received: list[float] = []

        def read_fast() -> None:
            while len(received) < 400:
                msg = fast.recv()
                if msg.get("type") == "event":
                    received.append(time.time() - msg["data"]["taken_at"])

        reader = gevent.spawn(read_fast)
        blob = "x" * 16_000
        for _ in range(400):
            hub.publish(MetricsSampled(taken_at=time.time(), resources={"blob": blob}))
            gevent.sleep(0.001)
        reader.join(timeout=10)
        assert len(received) == 400
        assert hub.dropped_slow >= 1
        wait_for(lambda: hub.subscriber_count("metrics") == 1)
        wait_for(lambda: app.authenticated == 1)  # its handler has finished and released its slot
        assert max(received) < 1.0
        slow.sock.close()
        fast.close()
    finally:
        app.stop()
        server.stop(timeout=1)


def test_client_header_values_reach_the_log_escaped(ws_env, caplog):
    host, port = ws_env.server.address
    for key in ("\x1b[31mAAAAAAAAAAAAAAAAAAAAAA==", "QUFBQUFBQUFBQUFB\x1b[0m"):
        request = (
            "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n"
        ).encode()
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(request)
            assert s.recv(100).startswith(b"HTTP/1.1 400")
    assert all("\x1b" not in r.getMessage() for r in caplog.records)
    wait_for(lambda: ws_env.app.pending == 0)


def test_a_flood_of_refusals_is_logged_as_a_bounded_number_of_lines(ws_env, caplog):
    for _ in range(40):
        ws_env.app._log_refusal("bogus")
    assert sum("ws refused: bogus" in r.getMessage() for r in caplog.records) == 20
    assert ws_env.app._refusals_hidden == 20
