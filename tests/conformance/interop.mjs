// Interop: libmetered's C client (through the `metered` CLI) and the official
// JavaScript SDK in one channel on metered-devserver. Presence, publish and
// direct messages are checked in both directions.
//
//   node interop.mjs --devserver PATH --metered PATH

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { DevServer, stopAllServers } from './lib/devserver.mjs';
import { mintJwt } from './lib/jwt.mjs';
import { SdkPeer } from './lib/sdk.mjs';

const { values: args } = parseArgs({ options: { devserver: { type: 'string' }, metered: { type: 'string' } } });
const CHANNEL = 'interop/room';
const WAIT_MS = 5000;

// A `metered` process whose stdout JSON Lines can be awaited one by one.
class CliPeer {
  constructor(url, token, command) {
    this.lines = [];
    this.waiters = new Set();
    this.stderr = '';
    this.proc = spawn(args.metered, ['--url', url, ...command], {
      env: { ...process.env, METERED_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (chunk) => { this.stderr += chunk; });
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      this.lines.push(JSON.parse(line));
      for (const check of this.waiters) check();
    });
  }

  next(pred, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.lines.findIndex(pred);
        if (index < 0) return;
        const [line] = this.lines.splice(index, 1);
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(line);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`C peer: no ${what} within ${WAIT_MS} ms; stderr: ${this.stderr}`));
      }, WAIT_MS);
      this.waiters.add(check);
      check();
    });
  }
}

// A one-shot `metered` command (pub, send) that must succeed.
async function runCli(url, token, command) {
  const peer = new CliPeer(url, token, command);
  const { code } = await peer.exited;
  assert.equal(code, 0, `metered ${command.join(' ')} exited ${code}: ${peer.stderr}`);
}

const token = (sub, name) => mintJwt({ sub, peerMetadata: { name } });

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const context = {};

test('presence from JS reaches C: the C snapshot lists the JS peer with its metadata', async ({ server, js }) => {
  context.cSub = new CliPeer(server.url, token('c-peer', 'C'), ['sub', CHANNEL]);
  const snapshot = await context.cSub.next((l) => l.event === 'presence', 'presence snapshot');
  assert.deepEqual(snapshot.joined, [{ peerId: 'js-peer', metadata: { name: 'JS' } }]);
  assert.deepEqual(snapshot.left, []);
});

test('presence from C reaches JS: JS sees the C peer join with its metadata', async ({ js }) => {
  const joined = await js.next('presence', (p) => p.joined.some((j) => j.peerId === 'c-peer'), WAIT_MS);
  assert.deepEqual(joined.joined, [{ peerId: 'c-peer', metadata: { name: 'C' } }]);
});

test('publish JS -> C', async ({ js }) => {
  await js.client.publish(CHANNEL, { n: 1, text: 'from JS' });
  const message = await context.cSub.next((l) => l.event === 'message', 'message');
  assert.equal(message.channel, CHANNEL);
  assert.equal(message.from, 'js-peer');
  assert.deepEqual(message.data, { n: 1, text: 'from JS' });
});

test('publish C -> JS', async ({ server, js }) => {
  await runCli(server.url, token('c-publisher', 'C publisher'), ['pub', CHANNEL, '{"n":2,"text":"from C"}']);
  const message = await js.next('message', (m) => m.from === 'c-publisher', WAIT_MS);
  assert.equal(message.channel, CHANNEL);
  assert.deepEqual(message.data, { n: 2, text: 'from C' });
});

test('direct JS -> C', async ({ js }) => {
  await js.client.send('c-peer', { d: 1 });
  const direct = await context.cSub.next((l) => l.event === 'direct', 'direct');
  assert.equal(direct.from, 'js-peer');
  assert.deepEqual(direct.data, { d: 1 });
  assert.deepEqual(direct.fromMetadata, { name: 'JS' });
});

test('direct C -> JS', async ({ server, js }) => {
  await runCli(server.url, token('c-sender', 'C sender'), ['send', 'js-peer', '{"d":2}']);
  const direct = await js.next('direct', (d) => d.from === 'c-sender', WAIT_MS);
  assert.deepEqual(direct.data, { d: 2 });
  assert.deepEqual(direct.fromMetadata, { name: 'C sender' });
});

test('C leaves: JS sees left after the C client closes', async ({ js }) => {
  context.cSub.proc.kill('SIGTERM');
  const { code } = await context.cSub.exited;
  assert.equal(code, 0, 'metered sub exits 0 on SIGTERM');
  await js.next('presence', (p) => p.left.some((l) => l.peerId === 'c-peer'), WAIT_MS);
});

let passed = 0;
let failed = 0;
let server;
let js;
try {
  if (!args.devserver || !args.metered) throw new Error('usage: interop.mjs --devserver PATH --metered PATH');
  server = await DevServer.start(args.devserver, 'interop', null);
  js = new SdkPeer(server, { token: token('js-peer', 'JS') });
  await js.client.connect();
  await js.client.subscribe(CHANNEL);
  await js.next('presence', () => true, WAIT_MS, 'the JS presence snapshot');
  for (const { name, fn } of tests) {
    try {
      await fn({ server, js });
      passed++;
      console.log(`ok - ${name}`);
    } catch (err) {
      failed++;
      console.log(`FAIL - ${name}: ${err.message}`);
    }
  }
} catch (err) {
  failed++;
  console.log(`FAIL - setup: ${err.message}`);
} finally {
  context.cSub?.proc.kill('SIGKILL');
  await js?.close();
  await stopAllServers();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
