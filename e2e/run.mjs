#!/usr/bin/env node
// make e2e: vpack packages played by shaka-player, hls.js and dash.js in
// headless Debian Chromium. Makes one small source, encodes it once per
// codec with bin/vpack, packages each variant once, serves them from the Go
// test server on 127.0.0.1 and plays every case of the matrix (lib/matrix.mjs)
// with bounded concurrency. Prints one line per case and "N passed, N failed";
// failure artefacts go to a folder whose path is printed.
//
//   node run.mjs [--work DIR] [--vpack PATH] [--server PATH] [--jobs N] [--filter REGEX] [--no-drm]
//
// Environment: E2E_JOBS (default 2), E2E_FILTER, E2E_DEADLINE_SECONDS (default 900).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildMatrix, knownFailure } from './lib/matrix.mjs';
import { LADDER, makeSource, makeSubtitles, encode, packageVariant, vpackCanEncrypt, makeKeys } from './lib/media.mjs';
import { decodeSourceFrames } from './lib/picture.mjs';
import { startServer } from './lib/server.mjs';
import { run } from './lib/proc.mjs';
import { runCase, CHROMIUM } from './lib/playcase.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);

const { values: opt } = parseArgs({
  options: {
    work: { type: 'string', default: path.join(repo, '.cache', 'e2e') },
    vpack: { type: 'string', default: path.join(repo, 'bin', 'vpack') },
    server: { type: 'string', default: path.join(repo, 'bin', 'vpack-e2e-server') },
    jobs: { type: 'string', default: process.env.E2E_JOBS || '2' },
    filter: { type: 'string', default: process.env.E2E_FILTER || '' },
    'no-drm': { type: 'boolean', default: false },
  },
});

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const say = (s) => process.stdout.write(`${s}\n`);
const deadlineMs = Number(process.env.E2E_DEADLINE_SECONDS || 900) * 1000;

function need(file, hint) {
  if (!fs.existsSync(file)) {
    say(`e2e: ${file} is missing: ${hint}`);
    process.exit(2);
  }
}

async function main() {
  need(CHROMIUM, 'run scripts/setup-e2e.sh');
  need(path.join(here, 'node_modules', 'playwright-core'), 'run scripts/setup-e2e.sh (npm ci in e2e/)');
  need(opt.vpack, 'run make build');
  need(opt.server, 'run go build -o bin/vpack-e2e-server ./e2e/server');

  const work = path.resolve(opt.work);
  fs.rmSync(work, { recursive: true, force: true });
  const dirs = {};
  for (const d of ['www', 'media', 'pkgs', 'keys', 'failures', 'scratch']) {
    dirs[d] = path.join(work, d);
    fs.mkdirSync(dirs[d], { recursive: true });
  }
  installPages(dirs.www);

  let drm = !opt['no-drm'] && (await vpackCanEncrypt(opt.vpack));
  const filter = opt.filter ? new RegExp(opt.filter) : null;
  const { cases, skipped } = buildMatrix({ drm, filter });
  say(`e2e: ${cases.length} cases, ${skipped.length} skipped${drm ? '' : ' (DRM: vpack package has no --encrypt)'}; work folder ${work}`);
  say(`e2e: ${await versions()}`);

  // Media: one source, one encode per codec, one package per variant.
  const src = path.join(dirs.media, 'source.mov');
  await makeSource(src);
  const framesP = decodeSourceFrames(src);
  framesP.catch(() => {});
  const subtitles = path.join(dirs.media, 'subtitles.en.srt');
  makeSubtitles(subtitles);
  const ladderFile = path.join(dirs.media, 'ladder.json');
  fs.writeFileSync(ladderFile, JSON.stringify(LADDER));

  const pkgs = [...new Map(cases.map((c) => [c.pkg.name, c.pkg])).values()];
  const encodes = new Map(); // codec/audio → { dir, error }
  const made = new Map(); // package name → { rel, keyRel, error }
  for (const pkg of pkgs) {
    const ek = `${pkg.codec}-${pkg.audio}`;
    if (!encodes.has(ek)) {
      const dir = path.join(dirs.media, ek);
      const t = Date.now();
      try {
        await encode(opt.vpack, src, dir, { codec: pkg.codec, audio: pkg.audio, ladderFile, subtitles });
        encodes.set(ek, { dir });
        say(`e2e: encoded ${ek} in ${((Date.now() - t) / 1000).toFixed(1)}s`);
      } catch (err) {
        encodes.set(ek, { error: `vpack encode ${ek}: ${err.message}` });
        say(`e2e: encode ${ek} failed: ${err.message}`);
      }
    }
    const enc = encodes.get(ek);
    if (enc.error) { made.set(pkg.name, { error: enc.error }); continue; }
    if (!pkg.encrypt && !pkg.singleFile && (!pkg.subs || pkg.subs === 'wvtt')) {
      // The clear segmented package is what `vpack encode` itself wrote.
      made.set(pkg.name, { rel: path.relative(work, enc.dir) });
      continue;
    }
    const out = path.join(dirs.pkgs, pkg.name);
    const keyFile = path.join(dirs.keys, `${pkg.name}.json`);
    try {
      if (pkg.encrypt) await makeKeys(opt.vpack, keyFile);
      await packageVariant(opt.vpack, enc.dir, out, pkg, { keyFile, subtitles });
      made.set(pkg.name, { rel: path.relative(work, out), keyRel: path.relative(work, keyFile) });
    } catch (err) {
      made.set(pkg.name, { error: `vpack package ${pkg.name}: ${err.message}` });
      say(`e2e: package ${pkg.name} failed: ${err.message}`);
    }
  }
  const frames = await framesP;
  say(`e2e: media ready in ${elapsed()} (${frames.length} source frames)`);

  const server = await startServer(opt.server, { root: work, logFile: path.join(work, 'server.log'), lifetimeMs: deadlineMs + 60_000 });
  const profiles = fs.mkdtempSync(path.join(os.tmpdir(), 'vpack-e2e-chromium-'));
  const env = {
    chromium, base: server.base, frames, artefacts: dirs.failures, scratch: dirs.scratch, profiles,
    pkgPath: (c) => made.get(c.pkg.name).rel,
    keyFile: (c) => made.get(c.pkg.name).keyRel,
  };

  const results = [];
  const deadline = t0 + deadlineMs;
  let next = 0;
  const jobs = Math.max(1, Math.min(4, Number(opt.jobs) || 2));
  const width = Math.max(...cases.map((c) => c.id.length), ...skipped.map((s) => s.id.length), 10);
  async function worker() {
    while (next < cases.length) {
      const c = cases[next++];
      let r;
      if (made.get(c.pkg.name).error) {
        r = { id: c.id, ok: false, ms: 0, reason: made.get(c.pkg.name).error.split('\n')[0], details: {} };
      } else if (Date.now() > deadline) {
        r = { id: c.id, ok: false, ms: 0, reason: `not run: the run passed its ${deadlineMs / 1000}s deadline`, details: {} };
      } else {
        r = await runCaseSafely(c, env);
        if (!r.ok && r.launchFailed && Date.now() < deadline) {
          say(`e2e: ${c.id}: Chromium did not start (${r.reason}); trying once more`);
          r = await runCaseSafely(c, env);
        }
      }
      const known = knownFailure(c.id);
      if (known && r.ok) {
        r = { ...r, ok: false, reason: `listed in KNOWN_FAILURES (${known}) but passed: remove it from lib/matrix.mjs` };
      } else if (known) {
        r = { ...r, known };
      }
      results.push(r);
      say(caseLine(r, width));
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, cases.length) }, worker));
  } finally {
    await server.stop();
    await Promise.race([
      fs.promises.rm(profiles, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch(() => {}),
      new Promise((r) => setTimeout(r, 15_000)),
    ]);
  }
  fs.rmSync(dirs.scratch, { recursive: true, force: true });

  const knownFailed = results.filter((r) => !r.ok && r.known);
  const failed = results.filter((r) => !r.ok && !r.known);
  say('');
  say(`e2e: ${cases.length} cases with ${jobs} browser(s) at a time, ${elapsed()} in all`);
  for (const s of skipped) say(`SKIP  ${s.id.padEnd(width)}  ${s.reason}`);
  for (const r of knownFailed) say(`KNOWN ${r.id.padEnd(width)}  ${r.known}: ${r.reason}`);
  if (failed.length || knownFailed.length) {
    say(`e2e: failures (console log, screenshot) in ${dirs.failures}`);
    for (const r of failed) say(`FAIL  ${r.id.padEnd(width)}  ${r.reason}${r.artefacts ? `  → ${r.artefacts}` : ''}`);
  } else {
    fs.rmSync(dirs.failures, { recursive: true, force: true });
  }
  const notCounted = skipped.length + knownFailed.length; // known failures are reported above, counted as skipped
  const passed = results.filter((r) => r.ok).length;
  say(`${passed} passed, ${failed.length} failed${notCounted ? `, ${notCounted} skipped` : ''}`);
  return failed.length ? 1 : 0;
}

/** runCase, with a harness bug reported as that case's failure rather than ending the run. */
async function runCaseSafely(c, env) {
  const t = Date.now();
  try {
    return await runCase(c, env);
  } catch (err) {
    return { id: c.id, ok: false, ms: Date.now() - t, reason: `harness: ${err.message.split('\n')[0]}`, details: {} };
  }
}

/** The players' and Chromium's versions, for the log. */
async function versions() {
  const v = (p) => JSON.parse(fs.readFileSync(path.join(here, 'node_modules', p, 'package.json'), 'utf8')).version;
  let chromiumVersion = 'unknown';
  try {
    chromiumVersion = (await run(CHROMIUM, ['--version'], { timeoutMs: 30_000 })).stdout.trim();
  } catch { /* reported by the cases */ }
  return `shaka-player ${v('shaka-player')}, hls.js ${v('hls.js')}, dash.js ${v('dashjs')}, playwright-core ${v('playwright-core')}; ${chromiumVersion}`;
}

function caseLine(r, width) {
  const d = r.details || {};
  const facts = [d.start && `start ${d.start}`, d.frames && `frames ${d.frames}`, d.seek && `seek ${d.seek}`,
    d.picture && `picture ${d.picture}`, d.text && `text ${d.text}`, d.thumbnail && `thumbnail ${d.thumbnail}`, d.licences && `licences ${d.licences}`, d.warnings && `${d.warnings} player warnings`].filter(Boolean).join(', ');
  const tail = r.reason ? `${r.reason}${facts ? ` [${facts}]` : ''}` : facts;
  return `${(r.ok ? 'PASS' : r.known ? 'KNOWN' : 'FAIL').padEnd(5)} ${r.id.padEnd(width)}  ${(r.ms / 1000).toFixed(1).padStart(5)}s  ${tail}`;
}

/** Copies the test page and the pinned players' builds into the served folder. */
function installPages(www) {
  for (const f of ['player.html', 'player.js']) fs.copyFileSync(path.join(here, 'www', f), path.join(www, f));
  const lib = path.join(www, 'lib');
  fs.mkdirSync(lib);
  const nm = path.join(here, 'node_modules');
  fs.copyFileSync(path.join(nm, 'shaka-player', 'dist', 'shaka-player.compiled.js'), path.join(lib, 'shaka-player.compiled.js'));
  fs.copyFileSync(path.join(nm, 'hls.js', 'dist', 'hls.min.js'), path.join(lib, 'hls.min.js'));
  fs.copyFileSync(path.join(nm, 'dashjs', 'dist', 'modern', 'umd', 'dash.all.min.js'), path.join(lib, 'dash.all.min.js'));
}

process.on('SIGINT', () => { say('e2e: interrupted'); process.exit(130); });
process.on('SIGTERM', () => { say('e2e: terminated'); process.exit(143); });

main().then((code) => process.exit(code), (err) => {
  say(`e2e: ${err.stack || err.message}`);
  say('0 passed, 1 failed');
  process.exit(1);
});
