// test-gjs.js: the libmetered round trip through GJS.
//
// Run by with-devserver.py, which provides METERED_URL and the development
// credentials. Alice authenticates with a token minted here by a JavaScript
// token provider; Bob uses the publishable key. Exits non-zero on the first
// failure.
//
// SPDX-License-Identifier: MIT

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Json from 'gi://Json?version=1.0';
import Metered from 'gi://Metered?version=1';
import System from 'system';

const STEP_TIMEOUT_MS = 10000;
const CHANNEL = 'bindings/gjs';
const ALICE = 'alice-gjs';

for (const name of ['connect', 'close', 'subscribe', 'publish', 'send_text'])
    Gio._promisify(Metered.Client.prototype, `${name}_async`, `${name}_finish`);
Gio._promisify(Metered.EventStream.prototype, 'next_async', 'next_finish');

const url = GLib.getenv('METERED_URL');
const apiKey = GLib.getenv('METERED_API_KEY');
const keyId = GLib.getenv('METERED_SECRET_KEY_ID');
const secret = GLib.getenv('METERED_SECRET');

function assert(condition, what) {
    if (!condition)
        throw new Error(`assertion failed: ${what}`);
}

function assertEqual(actual, expected, what) {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e)
        throw new Error(`${what}: expected ${e}, got ${a}`);
}

// Resolves once done() is true; rejects after STEP_TIMEOUT_MS.
function until(done, what) {
    return new Promise((resolve, reject) => {
        const deadline = GLib.get_monotonic_time() + STEP_TIMEOUT_MS * 1000;
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 20, () => {
            if (done()) {
                resolve();
                return GLib.SOURCE_REMOVE;
            }
            if (GLib.get_monotonic_time() > deadline) {
                reject(new Error(`timed out waiting for ${what}`));
                return GLib.SOURCE_REMOVE;
            }
            return GLib.SOURCE_CONTINUE;
        });
    });
}

function withTimeout(promise, what) {
    let timer = 0;
    const timeout = new Promise((resolve, reject) => {
        timer = GLib.timeout_add(GLib.PRIORITY_DEFAULT, STEP_TIMEOUT_MS, () => {
            timer = 0;
            reject(new Error(`timed out waiting for ${what}`));
            return GLib.SOURCE_REMOVE;
        });
    });
    return Promise.race([promise, timeout]).finally(() => {
        if (timer)
            GLib.source_remove(timer);
    });
}

// The arguments of every call to provideToken(), for main() to check.
const providerCalls = [];

// Mints a short-lived token the way an application backend would.
function provideToken(client, request, ...extra) {
    providerCalls.push([client, request, ...extra]);
    const claims = Json.from_string(JSON.stringify({
        sub: ALICE,
        exp: Math.floor(Date.now() / 1000) + 300,
        channels: ['bindings/**', '_metered/**'],
        peerMetadata: {name: 'Alice'},
    })).get_object();
    request.return_token(Metered.Jwt.sign(keyId, secret, claims));
}

async function main() {
    const alice = Metered.Client.new_with_token_provider(url, provideToken);
    assertEqual(alice.url, url, 'URL');
    const bob = Metered.Client.new(apiKey, url);

    const alicePresence = [], bobPresence = [], bobMessages = [], aliceConnected = [];
    alice.connect('connected', (client, event) => aliceConnected.push(event));
    alice.connect('presence', (client, event) => alicePresence.push(event));
    bob.connect('presence', (client, event) => bobPresence.push(event));
    bob.connect('message', (client, event) => bobMessages.push(event));
    const directs = alice.create_event_stream(Metered.DirectEvent.$gtype, 8);

    assertEqual(await withTimeout(alice.connect_async(null), 'connect'), true, 'connect result');
    assert(providerCalls.length > 0, 'the token provider was asked');
    assertEqual(aliceConnected.length, 1, 'connected events');
    // A list model, or null like the array getter when there are none.
    const iceServers = aliceConnected[0].ice_servers;
    const iceArray = aliceConnected[0].get_ice_servers();
    assertEqual(iceServers === null ? null : iceServers.get_n_items(),
        iceArray === null ? null : iceArray.length, 'ICE servers');
    for (const args of providerCalls) {
        assertEqual(args.length, 2, 'provider arguments: the client and the request');
        assert(args[0] === alice && args[1] instanceof Metered.TokenRequest, `provider arguments: ${args}`);
    }
    assertEqual(alice.state, Metered.ClientState.CONNECTED, 'state');
    assertEqual(alice.peer_id, ALICE, 'peer id');
    await withTimeout(bob.connect_async(null), 'connect');
    const bobId = bob.get_peer_id();
    assert(bobId && bobId !== ALICE, 'Bob has his own peer id');

    // Bob is first in the channel: his snapshot is empty.
    await withTimeout(bob.subscribe_async(CHANNEL, Metered.SubscribeFlags.NONE, null), 'subscribe');
    await until(() => bobPresence.length > 0, "Bob's presence snapshot");
    const snapshot = bobPresence.shift();
    assertEqual(snapshot.channel, CHANNEL, 'snapshot channel');
    assertEqual([snapshot.get_joined().length, snapshot.get_left().length], [0, 0], 'empty snapshot');
    assertEqual([snapshot.joined.get_n_items(), snapshot.left.get_n_items()], [0, 0], 'empty snapshot lists');

    // Alice's snapshot lists Bob; Bob hears that Alice joined, with her metadata.
    await withTimeout(alice.subscribe_async(CHANNEL,
        Metered.SubscribeFlags.INCLUDE_SENDER_METADATA, null), 'subscribe');
    assertEqual(alice.dup_subscriptions(), [CHANNEL], 'subscriptions');
    await until(() => alicePresence.length > 0, "Alice's presence snapshot");
    assertEqual(alicePresence[0].get_joined().map(peer => peer.peer_id), [bobId], "Alice's snapshot");
    await until(() => bobPresence.length > 0, "Bob's presence delta");
    const joined = bobPresence[0].get_joined();
    assertEqual(joined.map(peer => peer.get_peer_id()), [ALICE], 'joined');
    assertEqual(joined[0].get_metadata().get_string_member('name'), 'Alice', 'peer metadata');
    // The same peers as properties, which are list models.
    const joinedList = bobPresence[0].joined;
    assert(joinedList instanceof Gio.ListModel, `a Gio.ListModel, got ${joinedList}`);
    assertEqual(joinedList.get_item_type(), Metered.PresencePeer.$gtype, 'joined item type');
    assertEqual(joinedList.get_n_items(), 1, 'joined list length');
    assertEqual(joinedList.get_item(0).peer_id, ALICE, 'joined list item');
    assertEqual(bobPresence[0].left.get_n_items(), 0, 'left list length');

    // Alice publishes a JSON value; Bob receives it.
    await withTimeout(alice.publish_async(CHANNEL,
        Json.from_string('{"text": "hello from GJS", "n": 1}'), null), 'publish');
    await until(() => bobMessages.length > 0, "Bob's message");
    const message = bobMessages[0];
    assertEqual(message.channel, CHANNEL, 'message channel');
    assertEqual(message.sender_peer_id, ALICE, 'message sender');
    assertEqual(message.get_data().get_object().get_string_member('text'), 'hello from GJS', 'message data');
    assertEqual(JSON.parse(message.data_text), {text: 'hello from GJS', n: 1}, 'message text');

    // Bob sends Alice a direct message; it reaches her event stream.
    await withTimeout(bob.send_text_async(ALICE, '["ping", 2]', null), 'send');
    const direct = await withTimeout(directs.next_async(null), 'direct message');
    assert(direct instanceof Metered.DirectEvent, 'the stream yields DirectEvent');
    assertEqual(direct.sender_peer_id, bobId, 'direct sender');
    assertEqual(JSON.parse(direct.get_data_text()), ['ping', 2], 'direct data');
    assertEqual(directs.try_next(), null, 'stream drained');

    // Reserved channels are refused by the server with a typed error.
    let refused = null;
    try {
        await withTimeout(alice.subscribe_async('_metered/secret', Metered.SubscribeFlags.NONE, null),
            'subscribe');
    } catch (error) {
        refused = error;
    }
    assert(refused instanceof GLib.Error, `a GLib.Error, got ${refused}`);
    assert(refused.matches(Metered.ServerError, Metered.ServerError.CHANNEL_RESERVED),
        `channel_reserved, got ${refused}`);
    assertEqual(refused.domain, Metered.ServerError.quark(), 'error domain');
    assertEqual(refused.code, Metered.ServerError.CHANNEL_RESERVED, 'error code');
    assertEqual(Metered.ServerError.get_code(refused), 'channel_reserved', 'wire code');
    assertEqual(alice.state, Metered.ClientState.CONNECTED, 'still connected');

    // A refused connect fails with the close code; the reason comes apart.
    const stranger = Metered.Client.new('pk_live_unknown', url);
    refused = null;
    try {
        await withTimeout(stranger.connect_async(null), 'connect');
    } catch (error) {
        refused = error;
    }
    assert(refused instanceof GLib.Error, `a GLib.Error, got ${refused}`);
    assert(refused.matches(Metered.close_error_quark(), Metered.CloseCode.INVALID_TOKEN),
        `invalid-token, got ${refused}`);
    const reason = Metered.close_error_get_reason(refused);
    assert(typeof reason === 'string' && reason.length > 0, `a close reason, got ${reason}`);
    assert(refused.message.endsWith(`(close code ${refused.code}: ${reason})`), `the reason in ${refused.message}`);
    assertEqual(stranger.state, Metered.ClientState.CLOSED, 'refused client closed');

    directs.close();
    await withTimeout(alice.close_async(Metered.CloseCode.NORMAL, null, null), 'close');
    await withTimeout(bob.close_async(Metered.CloseCode.NORMAL, 'done', null), 'close');
    assertEqual([alice.state, bob.state],
        [Metered.ClientState.CLOSED, Metered.ClientState.CLOSED], 'closed');
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
main().then(() => print('gjs round trip: ok')).catch(error => {
    printerr(`FAIL: ${error.message}\n${error.stack ?? ''}`);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
