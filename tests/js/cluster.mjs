// Starts a real `ksim up` for the JavaScript client tests, the way
// tests/harness.py does for Python: a free 127.0.0.1 port, a temp data dir
// and kubeconfig, /readyz polled with a deadline, SIGTERM then SIGKILL by
// pid, and the temp dir removed. The binary comes from $KSIM_BINARY.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const READY_TIMEOUT_MS = 30000;
const STOP_TIMEOUT_MS = 10000;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function readyz(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/readyz', timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'ok'));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Servers still running when this process ends (a failing or killed test)
// are stopped by pid, so none outlives its test.
const running = new Set();
process.on('exit', () => { for (const p of running) p.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : 15)));
}

export class Cluster {
  constructor(extraArgs = []) {
    this.extraArgs = extraArgs;
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ksim-js-'));
    this.kubeconfig = path.join(this.tmp, 'kubeconfig.yaml');
    this.logPath = path.join(this.tmp, 'ksim.log');
    this.proc = null;
  }

  // Starts the server; on failure stops it, removes the temp dir and
  // throws with the server's log tail.
  async start() {
    try {
      return await this.startOnce();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async startOnce() {
    const binary = process.env.KSIM_BINARY;
    if (!binary || !fs.existsSync(binary)) {
      throw new Error(`KSIM_BINARY=${binary} is not a ksim binary`);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      this.port = await freePort();
      const log = fs.openSync(this.logPath, 'a');
      const args = ['up', '--port', String(this.port), '--address', '127.0.0.1',
        '--data', path.join(this.tmp, 'data'), '--kubeconfig', this.kubeconfig,
        '-v', '1', ...this.extraArgs];
      this.proc = spawn(binary, args, { stdio: ['ignore', log, log],
        env: { ...process.env, HOME: this.tmp } });
      fs.closeSync(log);
      const proc = this.proc;
      running.add(proc);
      let exited = null;
      proc.once('exit', (code) => { exited = code; running.delete(proc); });
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadline && exited === null) {
        if (await readyz(this.port) && fs.existsSync(this.kubeconfig)) return this;
        await sleep(50);
      }
      if (exited === 1 && this.logTail().includes('address in use')) continue;
      await this.stop();
      throw new Error(`ksim up did not become ready (exit ${exited}):\n${this.logTail()}`);
    }
    throw new Error('ksim up could not bind a port');
  }

  logTail(lines = 30) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async stop() {
    const proc = this.proc;
    this.proc = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  async close() {
    try {
      await this.stop();
    } finally {
      fs.rmSync(this.tmp, { recursive: true, force: true });
    }
  }
}
