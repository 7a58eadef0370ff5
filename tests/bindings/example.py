#!/usr/bin/env python3
# Two connections to the same app: the listener subscribes to a channel,
# the talker publishes on it, and the listener prints what arrives.
import os
import sys

import gi

gi.require_version("Metered", "1")
from gi.repository import GLib, Metered

url = os.environ.get("METERED_URL", Metered.DEFAULT_URL)
api_key = os.environ["METERED_API_KEY"]
channel = "demo/room-1"

loop = GLib.MainLoop()
errors = []
listener = Metered.Client.new(api_key, url)
talker = Metered.Client.new(api_key, url)
open_clients = {listener, talker}


def check(finish, result):
    """Finishes an async call; a failure is kept and stops the loop."""
    try:
        finish(result)
        return True
    except GLib.Error as error:
        errors.append(error.message)
        loop.quit()
        return False


def close(client):
    def on_closed(client, result):
        check(client.close_finish, result)
        open_clients.discard(client)
        if not open_clients:
            loop.quit()

    client.close_async(Metered.CloseCode.NORMAL, None, None, on_closed)


def on_message(client, event):
    print(f"{event.get_channel()}: {event.get_data_text()}")
    close(listener)


def on_published(client, result):
    if check(client.publish_text_finish, result):
        close(talker)


def on_talker_connected(client, result):
    if check(client.connect_finish, result):
        client.publish_text_async(channel, '{"text": "hello"}', None, on_published)


def on_subscribed(client, result):
    if check(client.subscribe_finish, result):
        talker.connect_async(None, on_talker_connected)


def on_listener_connected(client, result):
    if check(client.connect_finish, result):
        client.subscribe_async(channel, Metered.SubscribeFlags.NONE, None, on_subscribed)


listener.connect("message", on_message)
listener.connect_async(None, on_listener_connected)
loop.run()
sys.exit(f"error: {errors[0]}" if errors else 0)
