// Spawns metered-devserver, learns its URL from the first stdout line,
// keeps its stderr (the server log) and speaks the --test-hooks protocol
// over stdin/stdout.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { withTimeout } from './util.mjs';

const LISTENING_RE = /^metered-devserver listening on (ws:\/\/([^:/\s]+|\[[^\]]+\]):(\d+))$/;
const START_TIMEOUT_MS = 5000;
const HOOK_TIMEOUT_MS = 3000;
const LOG_LIMIT = 256 * 1024;

let configDir = null;
let configCounter = 0;

function writeConfig(config) {
  if (configDir === null) configDir = mkdtempSync(join(tmpdir(), 'metered-conformance-'));
  const path = join(configDir, `config-${++configCounter}.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

export function removeConfigDir() {
  if (configDir !== null) rmSync(configDir, { recursive: true, force: true });
  configDir = null;
}

const live = new Set();

export class DevServer {
  constructor(label) {
    this.label = label;
    this.log = '';
    this.url = null;
    this.httpUrl = null;
    this.port = 0;
    this.proc = null;
    this.exit = null; // {code, signal} once the process is gone
    this.exited = null; // promise of the above
    this.pendingHooks = [];
  }

  // @exe: path to metered-devserver; @config: object for --config, or null
  // for the built-in configuration. Test hooks are always on.
  static async start(exe, label, config) {
    const server = new DevServer(label);
    const args = ['--host', '127.0.0.1', '--port', '0', '--test-hooks'];
    if (config) args.push('--config', writeConfig(config));
    await server.#spawn(exe, args);
    return server;
  }

  async #spawn(exe, args) {
    const proc = spawn(exe, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc = proc;
    live.add(this);
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        live.delete(this);
        for (const pending of this.pendingHooks.splice(0)) {
          pending.reject(new Error(`devserver exited (code ${code}, signal ${signal}) before answering a hook`));
        }
        resolve(this.exit);
      });
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      this.log += chunk;
      if (this.log.length > LOG_LIMIT) this.log = this.log.slice(-LOG_LIMIT);
    });
    proc.stdin.on('error', () => {}); // the server may be gone when we write
    const lines = createInterface({ input: proc.stdout });
    let sawListening = false;
    const listening = new Promise((resolve, reject) => {
      proc.on('error', (err) => reject(new Error(`cannot run ${exe}: ${err.message}`)));
      this.exited.then(({ code, signal }) => {
        if (!sawListening) reject(new Error(`devserver exited (code ${code}, signal ${signal}) before listening`));
      });
      lines.on('line', (line) => {
        if (!sawListening) {
          sawListening = true;
          const m = LISTENING_RE.exec(line);
          if (!m) {
            reject(new Error(`first stdout line is not "metered-devserver listening on ws://HOST:PORT": ${JSON.stringify(line)}`));
            return;
          }
          resolve(m);
          return;
        }
        this.#onHookLine(line);
      });
    });
    let m;
    try {
      m = await withTimeout(listening, START_TIMEOUT_MS, 'the devserver listening line');
    } catch (err) {
      this.kill('SIGKILL');
      throw err;
    }
    this.url = m[1];
    this.port = Number(m[3]);
    this.httpUrl = this.url.replace(/^ws:/, 'http:');
  }

  #onHookLine(line) {
    const pending = this.pendingHooks.shift();
    if (!pending) {
      this.log += `[conformance] unexpected stdout line: ${line}\n`;
      return;
    }
    try {
      pending.resolve(JSON.parse(line));
    } catch {
      pending.reject(new Error(`hook answer is not JSON: ${JSON.stringify(line)}`));
    }
  }

  // Sends one hook request (object, or a raw line when @raw) and resolves
  // with the server's one-line JSON answer.
  hookRaw(line) {
    if (this.exit) return Promise.reject(new Error('devserver is not running'));
    const answer = new Promise((resolve, reject) => this.pendingHooks.push({ resolve, reject }));
    this.proc.stdin.write(`${line}\n`);
    return withTimeout(answer, HOOK_TIMEOUT_MS, `the answer to hook ${line}`);
  }

  // Like hookRaw, but for a request object, and it fails on an `error` answer
  // or an answer for a different hook.
  async hook(request) {
    const answer = await this.hookRaw(JSON.stringify(request));
    if (answer.hook !== request.hook) {
      throw new Error(`hook ${request.hook}: answer names hook ${JSON.stringify(answer.hook)}: ${JSON.stringify(answer)}`);
    }
    if ('error' in answer) throw new Error(`hook ${request.hook} failed: ${JSON.stringify(answer)}`);
    if (!Number.isInteger(answer.affected)) {
      throw new Error(`hook ${request.hook}: answer has no integer "affected": ${JSON.stringify(answer)}`);
    }
    return answer;
  }

  kill(signal = 'SIGKILL') {
    if (this.proc && !this.exit) {
      try {
        this.proc.kill(signal);
      } catch {
        /* already gone */
      }
    }
  }

  async stop() {
    if (!this.proc || this.exit) return;
    this.kill('SIGKILL');
    await withTimeout(this.exited, 3000, `devserver ${this.label} to exit`).catch(() => {});
  }

  logTail(lines = 40) {
    const all = this.log.split('\n');
    if (all.length && all[all.length - 1] === '') all.pop();
    return all.slice(-lines);
  }
}

export async function stopAllServers() {
  await Promise.all([...live].map((s) => s.stop()));
}

// Last-resort cleanup if the runner dies or is interrupted (meson's timeout
// sends SIGTERM).
process.on('exit', () => {
  for (const server of live) server.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.log(`# interrupted by ${signal}`);
    process.exit(1);
  });
}
