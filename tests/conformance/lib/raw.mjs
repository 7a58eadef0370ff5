// Raw `ws` clients for wire-level checks the SDK hides: exact frame shapes,
// HTTP status of refused upgrades, close codes before welcome, control pings.

import WebSocket from 'ws';
import { TimeoutError, show, withTimeout } from './util.mjs';

const DEFAULT_WAIT_MS = 3000;

export function connectUrl(server, { key, token, query } = {}) {
  let url = `${server.url}/v1`;
  if (query !== undefined) url += query;
  else if (key !== undefined) url += `?key=${encodeURIComponent(key)}`;
  else if (token !== undefined) url += `?token=${encodeURIComponent(token)}`;
  return url;
}

export class RawClient {
  constructor(ws) {
    this.ws = ws;
    this.frames = []; // parsed JSON frames (or {__text} when not JSON), with .__at (ms)
    this.cursor = 0;
    this.waiters = new Set();
    this.pings = 0;
    this.pingTimes = [];
    this.openedAt = Date.now();
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString(), at: Date.now() };
        for (const w of this.waiters) w.check();
        resolve(this.closeInfo);
      });
    });
    ws.on('error', () => {});
    ws.on('ping', () => {
      this.pings += 1;
      this.pingTimes.push(Date.now());
    });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString('utf8');
      let frame;
      try {
        frame = isBinary ? { __binary: true } : JSON.parse(text);
      } catch {
        frame = { __text: text };
      }
      if (frame === null || typeof frame !== 'object') frame = { __value: frame };
      Object.defineProperty(frame, '__at', { value: Date.now(), enumerable: false });
      Object.defineProperty(frame, '__raw', { value: text, enumerable: false });
      this.frames.push(frame);
      for (const w of this.waiters) w.check();
    });
  }

  // Opens a socket and resolves once the upgrade succeeded. Rejects with
  // err.status / err.body when the server answered the upgrade with HTTP.
  static open(url, opts = {}) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, ...opts });
      const client = new RawClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => {
          const err = new Error(`upgrade refused with HTTP ${res.statusCode}: ${body}`);
          err.status = res.statusCode;
          err.body = body;
          err.headers = res.headers;
          req.destroy();
          reject(err);
        });
      });
      ws.once('close', (code) => reject(new Error(`socket closed (${code}) before the upgrade completed`)));
      ws.once('error', (err) => reject(err));
    });
  }

  send(frame) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  // Resolves with the next frame (after the cursor) matching @pred and moves
  // the cursor past it. Frames it skips stay readable with all().
  next(pred = () => true, timeoutMs = DEFAULT_WAIT_MS, what = 'a frame') {
    if (typeof pred === 'string') {
      const type = pred;
      pred = (f) => f.type === type;
      what = `a "${type}" frame`;
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          for (let i = this.cursor; i < this.frames.length; i++) {
            if (pred(this.frames[i])) {
              this.cursor = i + 1;
              cleanup();
              resolve(this.frames[i]);
              return;
            }
          }
          if (this.closeInfo) {
            cleanup();
            reject(new Error(`socket closed (${this.closeInfo.code} ${show(this.closeInfo.reason)}) while waiting for ${what}; frames: ${this.describe()}`));
          }
        },
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new TimeoutError(`${what}; frames so far: ${this.describe()}`, timeoutMs));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      waiter.check();
    });
  }

  // Sends @frame (adding requestId) and resolves with the ack or error that echoes it.
  async request(frame, requestId, timeoutMs = DEFAULT_WAIT_MS) {
    this.send({ ...frame, requestId });
    return this.next((f) => (f.type === 'ack' || f.type === 'error') && f.requestId === requestId, timeoutMs, `the answer to requestId ${requestId}`);
  }

  // Waits @ms, then fails if a frame after the cursor matches @pred
  // (including frames that arrived before the call).
  async expectNone(pred, ms, what) {
    const start = this.cursor;
    await new Promise((r) => setTimeout(r, ms));
    const hit = this.frames.slice(start).find(pred);
    if (hit) throw new Error(`unexpected ${what}: ${show(hit)}`);
  }

  all(pred = () => true) {
    return this.frames.filter(pred);
  }

  describe() {
    return show(this.frames.map((f) => f.__raw ?? f));
  }

  waitClosed(timeoutMs = DEFAULT_WAIT_MS, what = 'the server to close the socket') {
    return withTimeout(this.closed, timeoutMs, () => `${what}; frames: ${this.describe()}`);
  }

  terminate() {
    try {
      this.ws.terminate();
    } catch {
      /* already gone */
    }
  }
}

// Opens a raw connection with a credential and waits for welcome.
export async function rawWelcome(ctx, server, cred, opts = {}) {
  const client = ctx.track(await RawClient.open(connectUrl(server, cred), opts));
  const welcome = await client.next('welcome');
  return { client, welcome };
}

// Opens a raw connection that the server must close before welcome; resolves
// with {code, reason, frames}.
export async function rawRejected(ctx, server, cred) {
  const client = ctx.track(await RawClient.open(connectUrl(server, cred)));
  const info = await client.waitClosed(3000, 'a close before welcome');
  return { code: info.code, reason: info.reason, frames: client.frames };
}

// Attempts an upgrade the server must refuse over HTTP; resolves with {status, body}.
export async function rawRefused(server, cred) {
  try {
    const client = await RawClient.open(connectUrl(server, cred));
    client.terminate();
  } catch (err) {
    if (err.status !== undefined) return { status: err.status, body: err.body, headers: err.headers };
    throw err;
  }
  throw new Error('the WebSocket upgrade succeeded; expected an HTTP refusal');
}
