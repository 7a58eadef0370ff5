#!/usr/bin/env -S gjs -m
// Two connections to the same app: the listener subscribes to a channel,
// the talker publishes on it, and the listener prints what arrives.
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Metered from 'gi://Metered?version=1';
import System from 'system';

// Let the async methods return promises when called without a callback.
for (const name of ['connect', 'subscribe', 'publish_text', 'close'])
    Gio._promisify(Metered.Client.prototype, `${name}_async`, `${name}_finish`);

const url = GLib.getenv('METERED_URL') ?? Metered.DEFAULT_URL;
const apiKey = GLib.getenv('METERED_API_KEY');
const channel = 'demo/room-1';

const listener = Metered.Client.new(apiKey, url);
const talker = Metered.Client.new(apiKey, url);
const received = new Promise(resolve => listener.connect('message', (client, event) => resolve(event)));

async function main() {
    await listener.connect_async(null);
    await listener.subscribe_async(channel, Metered.SubscribeFlags.NONE, null);
    await talker.connect_async(null);
    await talker.publish_text_async(channel, '{"text": "hello"}', null);

    const event = await received;
    print(`${event.channel}: ${event.data_text}`);

    await Promise.all([listener, talker].map(
        client => client.close_async(Metered.CloseCode.NORMAL, null, null)));
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
main().catch(error => {
    printerr(`error: ${error.message}`);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
