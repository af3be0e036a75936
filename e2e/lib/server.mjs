// Starts and stops the Go test server (e2e/server) for one run.

import { spawn } from 'node:child_process';
import fs from 'node:fs';

/**
 * Starts the server binary on a loopback port serving root and resolves with
 * { base, stop }, base being "http://127.0.0.1:PORT". The server stops by
 * itself after lifetimeMs or maxRequests, or when stop() closes its stdin.
 * Its stderr goes to logFile.
 */
export function startServer(bin, { root, logFile, lifetimeMs = 20 * 60_000, maxRequests = 200_000, logLevel = 'info' }) {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(logFile, 'a');
    const args = ['-root', root, '-addr', '127.0.0.1:0', '-lifetime', `${Math.ceil(lifetimeMs / 1000)}s`,
      '-max-requests', String(maxRequests), '-log-level', logLevel];
    const p = spawn(bin, args, { stdio: ['pipe', 'pipe', log] });
    fs.closeSync(log);
    let out = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error('server did not say where it listens within 15s')), 15_000);
    function fail(err) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      p.kill('SIGKILL');
      reject(err);
    }
    p.on('error', (err) => fail(new Error(`server ${bin}: ${err.message}`)));
    p.on('exit', (code, signal) => fail(new Error(`server exited (${code ?? signal}) before listening; see ${logFile}`)));
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/^listening (http:\/\/127\.0\.0\.1:\d+)\n/);
      if (!m || settled) return;
      settled = true;
      clearTimeout(timer);
      const exited = new Promise((res) => p.once('exit', res));
      resolve({
        base: m[1],
        async stop() {
          p.stdin.end();
          const t = setTimeout(() => p.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(t);
        },
      });
    });
  });
}
