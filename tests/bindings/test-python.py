#!/usr/bin/env python3
# test-python.py: the libmetered round trip through PyGObject.
#
# Run by with-devserver.py, which provides METERED_URL and the development
# credentials. Alice authenticates with a token minted here by a Python token
# provider; Bob uses the publishable key. Exits non-zero on the first failure.
#
# SPDX-License-Identifier: MIT

import json
import os
import sys
import time

import gi

gi.require_version("Metered", "1")
gi.require_version("Json", "1.0")
from gi.repository import Gio, GLib, Json, Metered  # noqa: E402

STEP_TIMEOUT = 10.0
CHANNEL = "bindings/python"
ALICE = "alice-python"

url = os.environ["METERED_URL"]
api_key = os.environ["METERED_API_KEY"]
key_id = os.environ["METERED_SECRET_KEY_ID"]
secret = os.environ["METERED_SECRET"]


def run_until(done, what):
    """Iterates the main context until done() is true, or fails."""
    context = GLib.MainContext.default()
    deadline = time.monotonic() + STEP_TIMEOUT
    wakeup = GLib.timeout_add(50, lambda: GLib.SOURCE_CONTINUE)
    try:
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            context.iteration(True)
    finally:
        GLib.source_remove(wakeup)


def call(obj, method, *args):
    """Calls obj.<method>_async(*args, None, callback) and returns <method>_finish()."""
    results = []
    getattr(obj, f"{method}_async")(*args, None, lambda source, result: results.append(result))
    run_until(lambda: results, method)
    return getattr(obj, f"{method}_finish")(results[0])


def json_object(text):
    return Json.from_string(text).get_object()


token_requests = []


def provide_token(*args):
    """Mints a short-lived token the way an application backend would.

    Records its arguments: main() checks that they are exactly the client
    and the request (the provider's user_data comes right after it, so
    PyGObject passes none when none is given).
    """
    token_requests.append(args)
    request = args[1]
    claims = json_object(json.dumps({
        "sub": ALICE,
        "exp": int(time.time()) + 300,
        "channels": ["bindings/**", "_metered/**"],
        "peerMetadata": {"name": "Alice"},
    }))
    request.return_token(Metered.Jwt.sign(key_id, secret, claims))


def record(events):
    return lambda client, event: events.append(event)


def main():
    alice = Metered.Client.new_with_token_provider(url, provide_token)
    assert alice.get_url() == url, alice.get_url()
    bob = Metered.Client.new(api_key, url)

    alice_presence, bob_presence, bob_messages = [], [], []
    alice.connect("presence", record(alice_presence))
    bob.connect("presence", record(bob_presence))
    bob.connect("message", record(bob_messages))
    directs = alice.create_event_stream(Metered.DirectEvent.__gtype__, 8)

    assert call(alice, "connect") is True
    assert token_requests, "the token provider was never asked"
    for args in token_requests:
        assert len(args) == 2 and args[0] is alice, args
        assert isinstance(args[1], Metered.TokenRequest), args
    assert alice.get_state() == Metered.ClientState.CONNECTED
    assert alice.get_peer_id() == ALICE, alice.get_peer_id()
    call(bob, "connect")
    bob_id = bob.get_peer_id()
    assert bob_id and bob_id != ALICE

    # Bob is first in the channel: his snapshot is empty.
    call(bob, "subscribe", CHANNEL, Metered.SubscribeFlags.NONE)
    run_until(lambda: bob_presence, "Bob's presence snapshot")
    snapshot = bob_presence.pop(0)
    assert snapshot.get_channel() == CHANNEL
    assert len(snapshot.get_joined()) == 0 and len(snapshot.get_left()) == 0
    assert snapshot.props.joined.get_n_items() == 0 and snapshot.props.left.get_n_items() == 0

    # Alice's snapshot lists Bob; Bob hears that Alice joined, with her metadata.
    call(alice, "subscribe", CHANNEL, Metered.SubscribeFlags.INCLUDE_SENDER_METADATA)
    assert alice.dup_subscriptions() == [CHANNEL]
    run_until(lambda: alice_presence, "Alice's presence snapshot")
    assert [peer.get_peer_id() for peer in alice_presence[0].get_joined()] == [bob_id]
    run_until(lambda: bob_presence, "Bob's presence delta")
    (joined,) = bob_presence[0].get_joined()
    assert joined.get_peer_id() == ALICE
    assert joined.get_metadata().get_string_member("name") == "Alice"
    # The same peers as properties, which are list models.
    joined_list = bob_presence[0].props.joined
    assert isinstance(joined_list, Gio.ListModel), joined_list
    assert joined_list.get_item_type() == Metered.PresencePeer.__gtype__
    assert [peer.props.peer_id for peer in joined_list] == [ALICE]
    assert bob_presence[0].get_joined_model().get_n_items() == 1
    assert bob_presence[0].props.left.get_n_items() == 0

    # Alice publishes a JSON value; Bob receives it.
    call(alice, "publish", CHANNEL, Json.from_string('{"text": "hello from Python", "n": 1}'))
    run_until(lambda: bob_messages, "Bob's message")
    message = bob_messages[0]
    assert message.get_channel() == CHANNEL
    assert message.get_sender_peer_id() == ALICE
    assert message.get_data().get_object().get_string_member("text") == "hello from Python"
    assert json.loads(message.get_data_text()) == {"text": "hello from Python", "n": 1}

    # Bob sends Alice a direct message; it reaches her event stream.
    call(bob, "send_text", ALICE, '["ping", 2]')
    direct = call(directs, "next")
    assert isinstance(direct, Metered.DirectEvent)
    assert direct.get_sender_peer_id() == bob_id
    assert json.loads(direct.get_data_text()) == ["ping", 2]
    assert directs.try_next() is None

    # Reserved channels are refused by the server with a typed error.
    try:
        call(alice, "subscribe", "_metered/secret", Metered.SubscribeFlags.NONE)
        raise AssertionError("subscribing to a reserved channel succeeded")
    except GLib.Error as error:
        assert error.matches(Metered.ServerError.quark(), Metered.ServerError.CHANNEL_RESERVED), error
        assert error.domain == GLib.quark_to_string(Metered.ServerError.quark())
        assert error.code == Metered.ServerError.CHANNEL_RESERVED
        assert Metered.ServerError.get_code(error) == "channel_reserved"
    assert alice.get_state() == Metered.ClientState.CONNECTED

    # A refused connect fails with the close code; the reason comes apart.
    stranger = Metered.Client.new("pk_live_unknown", url)
    try:
        call(stranger, "connect")
        raise AssertionError("connecting with an unknown key succeeded")
    except GLib.Error as error:
        assert error.matches(Metered.close_error_quark(), Metered.CloseCode.INVALID_TOKEN), error
        reason = Metered.close_error_get_reason(error)
        assert isinstance(reason, str) and reason, reason
        assert error.message.endswith(f"(close code {error.code}: {reason})"), (error.message, reason)
    assert stranger.get_state() == Metered.ClientState.CLOSED

    directs.close()
    call(alice, "close", Metered.CloseCode.NORMAL, None)
    call(bob, "close", Metered.CloseCode.NORMAL, "done")
    assert alice.get_state() == Metered.ClientState.CLOSED
    assert bob.get_state() == Metered.ClientState.CLOSED


if __name__ == "__main__":
    main()
    print("python round trip: ok")
