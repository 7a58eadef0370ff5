// The official @metered-ca/realtime SignallingClient, driven over `ws`,
// with every event recorded so tests can wait for and count them.

import { SignallingClient } from '@metered-ca/realtime';
import WebSocket from 'ws';
import { TimeoutError, show, withTimeout } from './util.mjs';

const EVENTS = ['connected', 'disconnected', 'state-change', 'message', 'direct', 'presence', 'server-error', 'going-away', 'token-provider-error'];
const DEFAULT_WAIT_MS = 3000;
// Shorter than a test's timeout and than the SDK's own 10 s welcome / 15 s
// ack timeouts, so a stuck request fails with a message that says which.
const REQUEST_WAIT_MS = 4000;

// Fast reconnects keep reconnect tests short.
const FAST_RECONNECT = { initialDelayMs: 50, multiplier: 2, maxDelayMs: 400, jitterRatio: 0, maxAttempts: 50 };

export class SdkPeer {
  constructor(server, opts) {
    this.sockets = []; // every `ws` the factory made, newest last
    this.events = []; // {event, payload, at}
    this.cursors = new Map();
    this.waiters = new Set();
    this.logs = []; // the SDK's warnings, e.g. frames its strict parser dropped
    const record = (level) => (msg, extra) => this.logs.push(`${level}: ${msg}${extra ? ` ${show(extra)}` : ''}`);
    const clientOpts = {
      logger: { debug() {}, info() {}, warn: record('warn'), error: record('error') },
      url: server.url,
      webSocketFactory: (u) => {
        const ws = opts.wsOptions ? new WebSocket(u, opts.wsOptions) : new WebSocket(u);
        this.sockets.push(ws);
        return ws;
      },
      reconnect: FAST_RECONNECT,
    };
    if (opts.apiKey !== undefined) clientOpts.apiKey = opts.apiKey;
    if (opts.token !== undefined) clientOpts.tokenProvider = async () => opts.token;
    if (opts.tokenProvider !== undefined) clientOpts.tokenProvider = opts.tokenProvider;
    if (opts.inactivityTimeoutMs !== undefined) clientOpts.inactivityTimeoutMs = opts.inactivityTimeoutMs;
    const real = new SignallingClient(clientOpts);
    this.real = real;
    const within = (promise, what) => withTimeout(promise, REQUEST_WAIT_MS, () => `${what}; events: ${this.describe()}`);
    // The SDK's API, with every request bounded in time.
    this.client = {
      get state() {
        return real.state;
      },
      connect: () => within(real.connect(), 'SDK connect() to finish'),
      close: (code, reason) => real.close(code, reason),
      subscribe: (channel, opts) => within(real.subscribe(channel, opts), `the answer to SDK subscribe(${show(channel)})`),
      unsubscribe: (channel) => within(real.unsubscribe(channel), `the answer to SDK unsubscribe(${show(channel)})`),
      publish: (channel, data) => within(real.publish(channel, data), `the answer to SDK publish(${show(channel)})`),
      send: (to, data) => within(real.send(to, data), `the answer to SDK send(${show(to)})`),
    };
    for (const event of EVENTS) {
      real.on(event, (payload) => {
        this.events.push({ event, payload, at: Date.now() });
        for (const w of this.waiters) w.check();
      });
    }
  }

  get peerId() {
    const c = this.all('connected');
    return c.length ? c[c.length - 1].peerId : undefined;
  }

  get socket() {
    return this.sockets[this.sockets.length - 1];
  }

  all(event, pred = () => true) {
    return this.events.filter((e) => e.event === event && pred(e.payload)).map((e) => e.payload);
  }

  // Resolves with the next @event payload matching @pred after this event
  // type's cursor, and moves the cursor past it.
  next(event, pred = () => true, timeoutMs = DEFAULT_WAIT_MS, what = `a "${event}" event`) {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          const from = this.cursors.get(event) ?? 0;
          for (let i = from; i < this.events.length; i++) {
            const e = this.events[i];
            if (e.event === event && pred(e.payload)) {
              this.cursors.set(event, i + 1);
              cleanup();
              resolve(e.payload);
              return;
            }
          }
        },
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new TimeoutError(`${what}; events so far: ${this.describe()}`, timeoutMs));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  // Waits @ms, then fails if an @event matching @pred was recorded after
  // this event type's cursor (including ones that arrived before the call).
  async expectNone(event, pred, ms, what = `"${event}" event`) {
    const start = this.cursors.get(event) ?? 0;
    await new Promise((r) => setTimeout(r, ms));
    const hit = this.events.slice(start).find((e) => e.event === event && pred(e.payload));
    if (hit) throw new Error(`unexpected ${what}: ${show(hit.payload)}`);
  }

  describe() {
    const events = show(this.events.filter((e) => e.event !== 'state-change').map((e) => [e.event, e.payload]));
    return this.logs.length ? `${events}; SDK log: ${show(this.logs)}` : events;
  }

  async close() {
    try {
      await this.real.close();
    } catch {
      /* best effort */
    }
    for (const ws of this.sockets) {
      try {
        ws.terminate();
      } catch {
        /* already gone */
      }
    }
  }
}
