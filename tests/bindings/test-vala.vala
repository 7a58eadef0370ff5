/* test-vala.vala: the libmetered round trip through the Vala binding.
 *
 * Run by with-devserver.py, which provides METERED_URL and the development
 * credentials. Alice authenticates with a token minted here by a Vala token
 * provider; Bob uses the publishable key. Exits non-zero on the first
 * failure.
 *
 * SPDX-License-Identifier: MIT
 */

const int STEP_TIMEOUT_S = 10;
const string CHANNEL = "bindings/vala";
const string ALICE = "alice-vala";

errordomain TestError {
    FAILED
}

delegate bool Condition ();

void check (bool condition, string what) throws TestError {
    if (!condition)
        throw new TestError.FAILED ("assertion failed: %s", what);
}

string env (string name) throws TestError {
    unowned string? value = Environment.get_variable (name);
    check (value != null, name + " is set");
    return value;
}

/* Waits on the main loop until done () is true. */
async void until (Condition done, string what) throws TestError {
    int64 deadline = get_monotonic_time () + STEP_TIMEOUT_S * TimeSpan.SECOND;

    while (!done ()) {
        if (get_monotonic_time () > deadline)
            throw new TestError.FAILED ("timed out waiting for %s", what);
        Timeout.add (20, until.callback);
        yield;
    }
}

class RoundTrip : Object {
    string url;
    string key_id;
    string secret;
    int token_requests = 0;
    GenericArray<Metered.PresenceEvent> alice_presence = new GenericArray<Metered.PresenceEvent> ();
    GenericArray<Metered.PresenceEvent> bob_presence = new GenericArray<Metered.PresenceEvent> ();
    GenericArray<Metered.MessageEvent> bob_messages = new GenericArray<Metered.MessageEvent> ();

    public RoundTrip () throws TestError {
        url = env ("METERED_URL");
        key_id = env ("METERED_SECRET_KEY_ID");
        secret = env ("METERED_SECRET");
    }

    /* Mints a short-lived token the way an application backend would. */
    void provide_token (Metered.Client client, Metered.TokenRequest request) {
        token_requests++;

        var builder = new Json.Builder ();
        builder.begin_object ();
        builder.set_member_name ("sub").add_string_value (ALICE);
        builder.set_member_name ("exp").add_int_value (get_real_time () / TimeSpan.SECOND + 300);
        builder.set_member_name ("channels").begin_array ();
        builder.add_string_value ("bindings/**").add_string_value ("_metered/**");
        builder.end_array ();
        builder.set_member_name ("peerMetadata").begin_object ();
        builder.set_member_name ("name").add_string_value ("Alice");
        builder.end_object ();
        builder.end_object ();

        request.return_token (Metered.Jwt.sign (key_id, secret, builder.get_root ().get_object ()));
    }

    public async void run () throws Error {
        var alice = new Metered.Client.with_token_provider (url, provide_token);
        check (alice.get_url () == url, "URL");
        var bob = new Metered.Client (env ("METERED_API_KEY"), url);

        alice.presence.connect ((event) => alice_presence.add (event));
        bob.presence.connect ((event) => bob_presence.add (event));
        bob.message.connect ((event) => bob_messages.add (event));
        var directs = alice.create_event_stream (typeof (Metered.DirectEvent), 8);

        check (yield alice.connect_async (null), "connect result");
        check (token_requests > 0, "the token provider was asked");
        check (alice.state == Metered.ClientState.CONNECTED, "connected");
        check (alice.peer_id == ALICE, "Alice's peer id");
        yield bob.connect_async (null);
        string bob_id = bob.get_peer_id ();
        check (bob_id != null && bob_id != ALICE, "Bob has his own peer id");

        /* Bob is first in the channel: his snapshot is empty. */
        yield bob.subscribe_async (CHANNEL, Metered.SubscribeFlags.NONE, null);
        yield until (() => bob_presence.length > 0, "Bob's presence snapshot");
        var snapshot = bob_presence[0];
        bob_presence.remove_index (0);
        check (snapshot.channel == CHANNEL, "snapshot channel");
        check (snapshot.get_joined ().length == 0 && snapshot.get_left ().length == 0, "empty snapshot");

        /* Alice's snapshot lists Bob; Bob hears that Alice joined, with her metadata. */
        yield alice.subscribe_async (CHANNEL, Metered.SubscribeFlags.INCLUDE_SENDER_METADATA, null);
        var subscriptions = alice.dup_subscriptions ();
        check (subscriptions.length == 1 && subscriptions[0] == CHANNEL, "subscriptions");
        yield until (() => alice_presence.length > 0, "Alice's presence snapshot");
        var peers = alice_presence[0].get_joined ();
        check (peers.length == 1 && peers[0].peer_id == bob_id, "Alice's snapshot lists Bob");
        yield until (() => bob_presence.length > 0, "Bob's presence delta");
        var joined = bob_presence[0].get_joined ();
        check (joined.length == 1 && joined[0].get_peer_id () == ALICE, "Alice joined");
        check (joined[0].get_metadata ().get_string_member ("name") == "Alice", "peer metadata");
        /* The same peers as a property, which is a list model. */
        var joined_list = bob_presence[0].joined;
        check (joined_list.get_n_items () == 1 && ((Metered.PresencePeer) joined_list.get_item (0)).peer_id == ALICE,
               "joined list");
        check (bob_presence[0].left.get_n_items () == 0, "left list");

        /* Alice publishes a JSON value; Bob receives it. */
        yield alice.publish_async (CHANNEL, Json.from_string ("{\"text\": \"hello from Vala\", \"n\": 1}"), null);
        yield until (() => bob_messages.length > 0, "Bob's message");
        var message = bob_messages[0];
        check (message.channel == CHANNEL, "message channel");
        check (message.sender_peer_id == ALICE, "message sender");
        check (message.get_data ().get_object ().get_string_member ("text") == "hello from Vala", "message data");
        check (message.get_data ().get_object ().get_int_member ("n") == 1, "message number");

        /* Bob sends Alice a direct message; it reaches her event stream. */
        yield bob.send_text_async (ALICE, "[\"ping\", 2]", null);
        var direct = (yield directs.next_async (null)) as Metered.DirectEvent;
        check (direct != null, "the stream yields DirectEvent");
        check (direct.sender_peer_id == bob_id, "direct sender");
        check (direct.get_data ().get_array ().get_string_element (0) == "ping", "direct data");
        check (directs.try_next () == null, "stream drained");

        /* Reserved channels are refused by the server with a typed error. */
        try {
            yield alice.subscribe_async ("_metered/secret", Metered.SubscribeFlags.NONE, null);
            throw new TestError.FAILED ("subscribing to a reserved channel succeeded");
        } catch (Metered.ServerError.CHANNEL_RESERVED error) {
            check (error.domain == Metered.ServerError.quark (), "error domain");
            check (Metered.ServerError.get_code (error) == "channel_reserved", "wire code");
            check (Metered.ServerError.describe (error.code).length > 0, "description");
        }
        check (alice.state == Metered.ClientState.CONNECTED, "still connected");

        directs.close ();
        yield alice.close_async (Metered.CloseCode.NORMAL, null, null);
        yield bob.close_async (Metered.CloseCode.NORMAL, "done", null);
        check (alice.state == Metered.ClientState.CLOSED && bob.state == Metered.ClientState.CLOSED, "closed");
    }
}

int main () {
    var loop = new MainLoop ();
    int status = 0;

    /* Bounds the whole run even if a step never completes. */
    Timeout.add_seconds (6 * STEP_TIMEOUT_S, () => {
        printerr ("FAIL: the round trip did not finish in time\n");
        status = 1;
        loop.quit ();
        return Source.REMOVE;
    });

    try {
        new RoundTrip ().run.begin ((obj, res) => {
            try {
                ((RoundTrip) obj).run.end (res);
                print ("vala round trip: ok\n");
            } catch (Error error) {
                printerr ("FAIL: %s\n", error.message);
                status = 1;
            }
            loop.quit ();
        });
    } catch (TestError error) {
        printerr ("FAIL: %s\n", error.message);
        return 1;
    }

    loop.run ();
    return status;
}
