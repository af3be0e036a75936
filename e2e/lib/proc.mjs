// Child processes with a time bound: every tool the e2e run starts goes
// through run(), which kills the process it started (by its own handle) when
// the bound passes.

import { spawn } from 'node:child_process';

/**
 * Runs cmd with args and resolves with { stdout, stderr } (strings; stderr
 * keeps its last 8 KB). Rejects with an Error naming the command, its exit
 * status and stderr tail when it fails or outlives timeoutMs.
 */
export function run(cmd, args, { timeoutMs = 300_000, cwd, env } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, timeoutMs);
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr = (stderr + d).slice(-8192); });
    p.on('error', (err) => { clearTimeout(timer); reject(new Error(`${cmd}: ${err.message}`)); });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const why = timedOut ? `timed out after ${timeoutMs / 1000}s` : `exit ${code ?? signal}`;
      reject(new Error(`${cmd} ${args.join(' ')}: ${why}\n${stderr.trim()}`));
    });
  });
}
