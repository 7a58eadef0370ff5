// bench-js.mjs: the official JavaScript SDK side of the client benchmarks.
//
// The same measurements as bench-client.c, with @metered-ca/realtime's
// SignallingClient on Node.js over `ws` (the pinned versions installed in
// tests/conformance/node_modules by `npm ci`):
//   node bench-js.mjs receive --url URL --channel C --count N
//   node bench-js.mjs publish --url URL --channel C --count N --inflight K
// Prints "ready" when subscribed (receive) or connected (publish), then one
// JSON line with the figures.
//
// SPDX-License-Identifier: MIT

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const conformance = join(here, '..', 'conformance');
const require = createRequire(join(conformance, 'package.json'));
const WebSocket = require('ws');
const { SignallingClient } = await import(pathToFileURL(require.resolve('@metered-ca/realtime')).href);

const STALL_TIMEOUT_MS = 15000;

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    channel: { type: 'string', default: 'bench/flood' },
    count: { type: 'string', default: '100000' },
    inflight: { type: 'string', default: '1' },
    'payload-size': { type: 'string', default: '200' },
  },
});
const mode = positionals[0];
const count = Number(opts.count);
const inflight = Number(opts.inflight);

function fail(what) {
  process.stderr.write(`bench-js: ${what}\n`);
  process.exit(1);
}

if (!opts.url || !['receive', 'publish'].includes(mode) || !(count >= 2) || !(inflight >= 1)) {
  fail('usage: bench-js.mjs receive|publish --url URL [--channel C] [--count N] [--inflight K]');
}

const silent = { debug() {}, info() {}, warn() {}, error: (msg) => process.stderr.write(`bench-js: SDK: ${msg}\n`) };
const client = new SignallingClient({
  apiKey: 'pk_live_dev',
  url: opts.url,
  logger: silent,
  webSocketFactory: (u) => new WebSocket(u),
});

function mark() {
  const cpu = process.cpuUsage();
  return { wall: process.hrtime.bigint(), cpu: cpu.user + cpu.system };
}

function seconds(start, end) {
  return Number(end.wall - start.wall) / 1e9;
}

function maxRssKb() {
  return process.resourceUsage().maxRSS;
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.round(fraction * (sorted.length - 1)))];
}

let progress = 0;
let lastProgress = -1;
setInterval(() => {
  if (progress === lastProgress) fail(`no progress for ${STALL_TIMEOUT_MS / 1000} s (at ${progress})`);
  lastProgress = progress;
}, STALL_TIMEOUT_MS).unref();

function done(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // No goodbye: the figures are out, and a close handshake is not measured.
  process.exit(0);
}

await client.connect().catch((e) => fail(`connect: ${e.message}`));

if (mode === 'receive') {
  let received = 0;
  let nextSeq = 0;
  let outOfOrder = 0;
  let start = null;
  client.on('message', ({ data }) => {
    // What an application does at the least: look into the payload.
    const seq = data !== null && typeof data === 'object' ? data.seq : -1;
    if (received > 0 && seq !== nextSeq) outOfOrder++;
    nextSeq = seq + 1;
    progress++;
    if (received++ === 0) start = mark();
    if (received === count) {
      const end = mark();
      const s = seconds(start, end);
      done({
        impl: 'js',
        messages: received - 1,
        seconds: s,
        rate: (received - 1) / s,
        cpuSeconds: (end.cpu - start.cpu) / 1e6,
        maxRssKb: maxRssKb(),
        outOfOrder,
      });
    }
  });
  await client.subscribe(opts.channel).catch((e) => fail(`subscribe: ${e.message}`));
  process.stdout.write('ready\n');
} else {
  const payload = JSON.parse(`{"seq":0,"pad":"${'x'.repeat(Math.max(0, Number(opts['payload-size']) - 18))}"}`);
  const warmup = Math.min(Math.floor(count / 10), 1000);
  const rtts = [];
  let issued = 0;
  let acked = 0;
  let start = null;
  process.stdout.write('ready\n');
  await new Promise((resolve) => {
    const issue = () => {
      issued++;
      const sentAt = process.hrtime.bigint();
      client.publish(opts.channel, payload).then(
        () => {
          const now = process.hrtime.bigint();
          if (acked >= warmup) {
            rtts.push(Number(now - sentAt) / 1000);
            if (acked === warmup) start = mark();
          }
          acked++;
          progress++;
          if (acked === count) resolve();
          else if (issued < count) issue();
        },
        (e) => fail(`publish: ${e.message}`),
      );
    };
    while (issued < count && issued < inflight) issue();
  });
  const end = mark();
  const s = seconds(start, end);
  rtts.sort((a, b) => a - b);
  done({
    impl: 'js',
    inflight,
    acked: count - warmup,
    seconds: s,
    rate: (count - warmup - 1) / s,
    p50Us: percentile(rtts, 0.5),
    p99Us: percentile(rtts, 0.99),
    cpuSeconds: (end.cpu - start.cpu) / 1e6,
    maxRssKb: maxRssKb(),
  });
}
