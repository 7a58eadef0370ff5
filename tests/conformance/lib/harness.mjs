// A tiny concurrent test runner: per-test timeouts, per-test cleanup,
// shared and private devservers, server logs shown only for failures.

import { DevServer, removeConfigDir, stopAllServers } from './devserver.mjs';
import { SHARED_CONFIGS } from './configs.mjs';
import { SdkPeer } from './sdk.mjs';
import { TimeoutError } from './util.mjs';

const DEFAULT_TIMEOUT_MS = 10000;

class Context {
  constructor(runner, test) {
    this.runner = runner;
    this.test = test;
    this.cleanups = [];
    this.servers = new Set();
    this.notes = [];
  }

  get exe() {
    return this.runner.exe;
  }

  // The shared server for @name (see configs.mjs), started on first use.
  async server(name = 'default') {
    const server = await this.runner.shared(name);
    this.servers.add(server);
    return server;
  }

  // A server of this test's own; killed when the test ends.
  // @config: object for --config, or null for the built-in configuration.
  async spawn(config) {
    const label = `${this.test.name}#${this.servers.size + 1}`;
    const server = await DevServer.start(this.exe, label, config);
    this.servers.add(server);
    this.defer(() => server.stop());
    return server;
  }

  defer(fn) {
    this.cleanups.push(fn);
  }

  // Registers a raw client (or anything with terminate()) for cleanup.
  track(client) {
    this.defer(() => client.terminate());
    return client;
  }

  // An SDK client (not yet connected); closed when the test ends.
  sdk(server, opts) {
    const peer = new SdkPeer(server, opts);
    this.defer(() => peer.close());
    return peer;
  }

  // An SDK client that has completed connect().
  async connect(server, opts) {
    const peer = this.sdk(server, opts);
    await peer.client.connect();
    return peer;
  }

  note(msg) {
    this.notes.push(msg);
  }

  async cleanup() {
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch {
        /* cleanup is best effort */
      }
    }
  }
}

// One line: the message, plus where in a case file it was thrown when the
// message alone would not say which check failed.
function describeError(error) {
  let text = (error && error.message ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
  if (error && (error.generatedMessage || !error.message)) {
    const m = /\/(cases\/[\w-]+\.mjs:\d+)/.exec(error.stack ?? '');
    if (m) text += ` (at ${m[1]})`;
  }
  return text;
}

export class Runner {
  constructor({ exe, filter, concurrency = 6, verbose = false, out = console.log }) {
    this.exe = exe;
    this.verbose = verbose;
    this.filter = filter;
    this.concurrency = concurrency;
    this.out = out;
    this.sharedServers = new Map();
    this.tests = [];
  }

  add(tests) {
    for (const t of tests) {
      if (this.tests.some((o) => o.name === t.name)) throw new Error(`duplicate test name ${t.name}`);
      this.tests.push(t);
    }
  }

  shared(name) {
    if (!(name in SHARED_CONFIGS)) throw new Error(`no shared server config named ${name}`);
    if (!this.sharedServers.has(name)) {
      const started = DevServer.start(this.exe, `shared:${name}`, SHARED_CONFIGS[name]);
      this.sharedServers.set(name, started);
    }
    return this.sharedServers.get(name);
  }

  async runOne(test) {
    const ctx = new Context(this, test);
    const timeoutMs = test.timeout ?? DEFAULT_TIMEOUT_MS;
    let timer;
    let error = null;
    try {
      await Promise.race([
        Promise.resolve().then(() => test.run(ctx)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new TimeoutError('the test to finish', timeoutMs)), timeoutMs);
        }),
      ]);
    } catch (err) {
      error = err;
    } finally {
      clearTimeout(timer);
    }
    await ctx.cleanup();
    if (!error) {
      this.out(`ok - ${test.name}`);
      if (this.verbose) for (const note of ctx.notes) this.out(`#   note: ${note}`);
      return true;
    }
    const reason = describeError(error);
    this.out(`FAIL - ${test.name}: ${reason}`);
    for (const note of ctx.notes) this.out(`#   note: ${note}`);
    for (const server of ctx.servers) {
      this.out(`#   --- server log (${server.label}, last lines) ---`);
      for (const line of server.logTail()) this.out(`#   ${line}`);
      if (server.exit) this.out(`#   (server exited: code ${server.exit.code}, signal ${server.exit.signal})`);
    }
    return false;
  }

  async run() {
    const selected = this.tests.filter((t) => !this.filter || t.name.includes(this.filter));
    // Long waits start first so they overlap with everything else.
    const queue = [...selected.filter((t) => t.slow), ...selected.filter((t) => !t.slow)];
    let passed = 0;
    let failed = 0;
    const worker = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) {
        if (await this.runOne(t)) passed += 1;
        else failed += 1;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length || 1) }, worker));
    } finally {
      await stopAllServers();
      removeConfigDir();
    }
    return { passed, failed };
  }
}
