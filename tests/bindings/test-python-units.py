#!/usr/bin/env python3
# test-python-units.py: the shared units of libmetered through PyGObject.
#
# No server involved: this checks that the introspection annotations of the
# pure units (arrays, nullability, ownership, error domains, boxed types)
# give usable Python without overrides. Exits non-zero on the first failure.
#
# SPDX-License-Identifier: MIT


import gi

gi.require_version("Metered", "1")
gi.require_version("Json", "1.0")
from gi.repository import GLib, Json, Metered  # noqa: E402


def raises(domain, code, func, *args):
    try:
        func(*args)
    except GLib.Error as error:
        assert error.matches(domain, code), error
        return error
    raise AssertionError(f"{func.__name__} did not fail")


def test_jwt():
    claims = Json.from_string('{"sub": "alice", "exp": 4102444800}').get_object()
    token = Metered.Jwt.sign("sk_id_test", "sk_secret_test", claims)
    jwt = Metered.Jwt.parse(token)
    assert jwt.get_algorithm() == "HS256"
    assert jwt.get_key_id() == "sk_id_test"
    assert jwt.get_claims().get_string_member("sub") == "alice"
    assert jwt.verify("sk_secret_test", 1700000000)
    raises(Metered.JwtError.quark(), Metered.JwtError.BAD_SIGNATURE, jwt.verify, "wrong", 1700000000)
    raises(Metered.JwtError.quark(), Metered.JwtError.EXPIRED, jwt.verify, "sk_secret_test", 4102444800)
    raises(Metered.JwtError.quark(), Metered.JwtError.MALFORMED, Metered.Jwt.parse, "not.a-token")


def test_base64url():
    data = bytes(range(256))
    text = Metered.base64url_encode(data)
    assert "=" not in text and "+" not in text and "/" not in text
    assert Metered.base64url_decode(text.encode()) == data
    assert Metered.base64url_encode(b"") == ""
    assert Metered.base64url_decode(b"") == b""
    raises(Metered.JwtError.quark(), Metered.JwtError.MALFORMED, Metered.base64url_decode, b"a")


def test_channels():
    assert Metered.channel_validate("app/room-1")
    raises(Metered.ServerError.quark(), Metered.ServerError.INVALID_CHANNEL, Metered.channel_validate, "")
    raises(Metered.ServerError.quark(), Metered.ServerError.INVALID_CHANNEL, Metered.channel_validate, None)
    assert Metered.channel_is_reserved("_system/x")
    assert not Metered.channel_is_reserved(None)
    assert Metered.peer_id_validate("peer-1")
    raises(Metered.ServerError.quark(), Metered.ServerError.INVALID_PEER_ID, Metered.peer_id_validate, "bad\tid")
    assert Metered.request_id_is_valid("req-1")
    assert Metered.channel_pattern_match("app/*", "app/room-1")
    assert not Metered.channel_pattern_match("app/*", "app/sub/deep")
    assert Metered.channel_patterns_match(["other/**", "app/**"], "app/sub/deep")
    assert not Metered.channel_patterns_match(None, "app/room-1")
    assert Metered.CHANNEL_MAX_BYTES == 256


def test_urls():
    assert Metered.url_validate_base(Metered.DEFAULT_URL)
    raises(Metered.ClientError.quark(), Metered.ClientError.INVALID_URL,
           Metered.url_validate_base, "ws://example.com")
    url = Metered.url_build_connect("ws://127.0.0.1:8787", "key", "pk_live_a b")
    assert url == "ws://127.0.0.1:8787/v1?key=pk_live_a%20b", url
    assert "pk_live" not in Metered.url_redact(url)
    assert Metered.url_redact(None) is None


def test_errors():
    error = Metered.ServerError.new("channel_reserved", "no")
    assert error.matches(Metered.ServerError.quark(), Metered.ServerError.CHANNEL_RESERVED)
    assert Metered.ServerError.get_code(error) == "channel_reserved"
    assert Metered.ServerError.to_string(Metered.ServerError.PEER_NOT_FOUND) == "peer_not_found"
    assert Metered.ServerError.to_string(Metered.ServerError.UNKNOWN) is None
    assert Metered.ServerError.from_string("backend_error") == Metered.ServerError.BACKEND_ERROR
    assert Metered.ServerError.from_string(None) == Metered.ServerError.UNKNOWN
    assert Metered.ServerError.describe(Metered.ServerError.MISSING_DATA)
    unknown = Metered.ServerError.new("brand_new_code", None)
    assert unknown.code == Metered.ServerError.UNKNOWN
    assert GLib.quark_to_string(Metered.close_error_quark()) == "MeteredCloseError"
    assert Metered.close_error_get_reason(error) is None
    assert GLib.quark_to_string(Metered.ClientError.quark()) == "metered-client-error-quark"


def test_close_codes():
    code = Metered.CloseCode.INVALID_TOKEN
    assert code == 4001
    assert Metered.CloseCode.get_name(code) == "invalid-token"
    assert Metered.CloseCode.get_name(4999) is None
    assert Metered.CloseCode.describe(4999)
    assert Metered.CloseCode.get_reconnect_policy(code) == Metered.ReconnectPolicy.TERMINAL
    assert Metered.CloseCode.get_backoff_floor(Metered.CloseCode.OVER_CONCURRENT_LIMIT) >= 30


def test_reconnect_options():
    options = Metered.ReconnectOptions.new()
    assert (options.initial_delay, options.multiplier, options.max_delay) == (0.5, 2, 30)
    copy = options.copy()
    copy.max_attempts = float("inf")
    assert copy.validate() and options.max_attempts == 100
    assert copy.get_delay(3, 0, 0.5) == 2.0
    copy.multiplier = 0.5
    raises(Metered.ClientError.quark(), Metered.ClientError.INVALID_ARGUMENT, copy.validate)


def test_client_construction():
    raises(Metered.ClientError.quark(), Metered.ClientError.INVALID_URL,
           Metered.Client.new, "pk_live_dev", "http://example.com")
    client = Metered.Client.new("pk_live_dev", "ws://127.0.0.1:1")
    assert client.get_state() == Metered.ClientState.IDLE
    assert client.get_peer_id() is None
    assert client.dup_subscriptions() == []
    assert client.props.url == "ws://127.0.0.1:1"
    stream = client.create_event_stream(Metered.MessageEvent.__gtype__, 0)
    assert stream.get_event_type() == Metered.MessageEvent.__gtype__
    assert stream.try_next() is None
    stream.close()
    assert stream.is_closed()


if __name__ == "__main__":
    for name, test in list(globals().items()):
        if name.startswith("test_"):
            test()
    print("python units: ok")
