// Plays one case of the matrix in a fresh headless Chromium and judges it:
// playback starts, currentTime passes 3 s, frames are shown, a seek resumes
// playback, the picture matches the source, no player error, and for
// encrypted packages a licence was requested from the test server and used.
// A wrong-key case passes only when playback fails after its licence was
// answered (with a wrong key).

import fs from 'node:fs';
import path from 'node:path';
import { MAX_MEAN_DIFF, decodeImage, matchFrame, writeRasterPNG } from './picture.mjs';
import { caseSlug, manifestName } from './matrix.mjs';
import { SOURCE, SUBTITLE_LANGUAGE, subtitleCueAt, thumbnailAt } from './media.mjs';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for Debian's Chromium in CI: no sandbox (root), no GPU, no network chatter. */
export const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
  '--disable-dev-shm-usage',
];

/** Where the checks look, in seconds of media time. */
export const PLAY_PAST = 3;
export const SEEK_TO = 5;
export const PLAY_AFTER_SEEK = 0.5;
/** Half a frame after 6 s: the frame shown is frame 150, away from a frame boundary. */
export const PICTURE_AT = 6 + 0.5 / SOURCE.fps;

/** Per-step time bounds (ms). The machine is shared: generous, never unbounded. */
export const TIMEOUTS = {
  launch: 60_000,
  goto: 30_000,
  start: 60_000,
  startWrongKey: 20_000,
  seek: 30_000,
  picture: 15_000,
  text: 10_000,
  case: 180_000,
};

class StepError extends Error {
  constructor(step, message) {
    super(message);
    this.step = step;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function videoState() {
  const v = document.getElementById('video');
  const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : { totalVideoFrames: 0, droppedVideoFrames: 0 };
  const ranges = [];
  for (let i = 0; i < v.buffered.length; i++) ranges.push(`${v.buffered.start(i).toFixed(2)}-${v.buffered.end(i).toFixed(2)}`);
  const e = window.e2e || { errors: [], warnings: [] };
  return {
    t: v.currentTime, paused: v.paused, seeking: v.seeking, ended: v.ended, readyState: v.readyState,
    width: v.videoWidth, height: v.videoHeight, frames: q.totalVideoFrames, dropped: q.droppedVideoFrames,
    mediaKeys: !!v.mediaKeys, buffered: ranges.join(','), loaded: !!e.loaded, version: e.version,
    errors: e.errors.slice(), warnings: e.warnings.length, reached: e.watch ? e.watch.reached : 0,
  };
}

function describe(st) {
  return `t=${st.t.toFixed(2)} reached=${st.reached.toFixed(2)} paused=${st.paused} readyState=${st.readyState} frames=${st.frames}/${st.dropped} dropped buffered=[${st.buffered}]`;
}

async function waitFor(page, step, pred, timeoutMs, trace) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = await page.evaluate(videoState);
    trace.push({ at: Date.now(), step, ...st });
    if (trace.length > 400) trace.splice(0, trace.length - 400);
    if (st.errors.length) throw new StepError(step, `player error: ${st.errors[0]}`);
    if (pred(st)) return st;
    if (Date.now() > deadline) throw new StepError(step, `timed out after ${timeoutMs / 1000}s: ${describe(st)}`);
    await sleep(250);
  }
}

/** Pauses, seeks to `at` and resolves once that frame is on screen, with its media time. */
async function showFrameAt(page, at, timeoutMs) {
  return page.evaluate(async ({ at, timeoutMs }) => {
    const v = document.getElementById('video');
    const wait = (p, ms) => Promise.race([p, new Promise((r) => setTimeout(() => r(undefined), ms))]);
    v.pause();
    await new Promise((r) => setTimeout(r, 150));
    const frame = new Promise((r) => v.requestVideoFrameCallback((now, md) => r(md.mediaTime)));
    const seeked = new Promise((r) => v.addEventListener('seeked', () => r(true), { once: true }));
    v.currentTime = at;
    const ok = await wait(seeked, timeoutMs);
    const mediaTime = await wait(frame, 3000);
    return { seeked: !!ok, mediaTime: mediaTime ?? null, t: v.currentTime, readyState: v.readyState };
  }, { at, timeoutMs });
}

/**
 * Runs case c. env: { chromium (playwright-core), base (server URL),
 * pkgPath(c) (package folder relative to the server root), keyFile(c)
 * (relative to the server root), frames (source compare rasters),
 * artefacts (folder for failure artefacts), scratch (folder for temporary files),
 * profiles (folder for the fresh Chromium profiles, removed by the runner) }.
 * Resolves with { id, ok, reason, ms, details }; never rejects.
 */
export async function runCase(c, env) {
  const t0 = Date.now();
  const udd = fs.mkdtempSync(path.join(env.profiles, 'profile-'));
  const lines = [];
  const trace = [];
  const details = {};
  let context;
  let page;
  let shot = null;
  let expectedRaster = null;
  let failure = null;
  let hardTimer;

  const url = pageURL(c, env);
  lines.push(`[case] ${c.id} expect=${c.expect}`, `[url] ${url}`);
  const work = (async () => {
    context = await env.chromium.launchPersistentContext(udd, {
      executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS, timeout: TIMEOUTS.launch,
      viewport: { width: SOURCE.width, height: SOURCE.height }, deviceScaleFactor: 1,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => lines.push(`[console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
    page.on('requestfailed', (r) => lines.push(`[requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => { if (r.status() >= 400) lines.push(`[http ${r.status()}] ${r.request().method()} ${r.url()}`); });
    page.on('crash', () => lines.push('[crash] page crashed'));

    try {
      await page.goto(url, { waitUntil: 'load', timeout: TIMEOUTS.goto });
    } catch (err) {
      throw new StepError('load', err.message.split('\n')[0]);
    }
    const startTimeout = c.wrongKey ? TIMEOUTS.startWrongKey : TIMEOUTS.start;
    let st = await waitFor(page, 'start', (s) => s.reached > PLAY_PAST, startTimeout, trace);
    details.start = `${((Date.now() - t0) / 1000).toFixed(1)}s`;
    details.version = st.version;
    const shown = st.frames - st.dropped;
    details.frames = `${shown}/${st.frames}`;
    if (shown < SOURCE.fps) throw new StepError('frames', `only ${shown} of ${st.frames} frames shown by t=${st.t.toFixed(2)}`);

    // On a slow machine playback may have ended before this point; then play() after the seek.
    const ended = await page.evaluate((to) => {
      const v = document.getElementById('video');
      const wasEnded = v.ended;
      window.e2e.watch = { from: to, to: to + 2.5, reached: 0 };
      v.currentTime = to;
      if (wasEnded) v.play().catch(() => {});
      return wasEnded;
    }, SEEK_TO);
    if (ended) lines.push('[e2e] playback had ended before the seek: play() after seeking');
    st = await waitFor(page, 'seek', (s) => s.reached > SEEK_TO + PLAY_AFTER_SEEK, TIMEOUTS.seek, trace);
    details.seek = 'ok';

    const shown2 = await showFrameAt(page, PICTURE_AT, TIMEOUTS.picture);
    if (!shown2.seeked) throw new StepError('picture', `seek to ${PICTURE_AT}s while paused did not finish in ${TIMEOUTS.picture / 1000}s`);
    await sleep(300);
    shot = await page.screenshot({ clip: { x: 0, y: 0, width: SOURCE.width, height: SOURCE.height }, timeout: 30_000 });
    const at = shown2.mediaTime ?? shown2.t;
    const index = shown2.mediaTime != null ? Math.round(shown2.mediaTime * SOURCE.fps) : Math.floor(shown2.t * SOURCE.fps + 1e-6);
    const shotFile = path.join(env.scratch, `${caseSlug(c.id)}.png`);
    fs.writeFileSync(shotFile, shot);
    const raster = await decodeImage(shotFile);
    fs.rmSync(shotFile, { force: true });
    const m = matchFrame(raster, env.frames, index);
    expectedRaster = env.frames[index];
    details.picture = `diff=${m.diff.toFixed(1)} frame=${index}${m.offset >= 0 ? '+' : ''}${m.offset} at=${at.toFixed(3)}`;
    if (!m.pass) throw new StepError('picture', `screenshot differs from source frame ${index} (±1) by ${m.diff.toFixed(1)} > ${MAX_MEAN_DIFF}`);

    if (c.pkg.subs) {
      // The cue of the picture time must be on the video's text tracks: the
      // players fetched, parsed and timed the text track.
      const want = subtitleCueAt(at);
      let cues = [];
      const deadline = Date.now() + TIMEOUTS.text;
      for (;;) {
        cues = await page.evaluate((t) => window.e2eCuesAt(t), at);
        if (cues.some((q) => q.text === want) || Date.now() > deadline) break;
        await sleep(250);
      }
      details.text = JSON.stringify(cues.map((q) => q.text));
      if (!cues.some((q) => q.text === want)) {
        throw new StepError('text', `no "${want}" cue at ${at.toFixed(3)}s on the text tracks (${c.pkg.subs}); cues there: ${details.text}`);
      }
      const others = cues.filter((q) => q.text !== want);
      if (others.length) throw new StepError('text', `unexpected cues at ${at.toFixed(3)}s: ${JSON.stringify(others)}`);
    }

    if (c.pkg.thumbs && (c.player === 'shaka' || c.player === 'dashjs')) {
      const want = thumbnailAt(at);
      const th = await page.evaluate((t) => window.e2eThumbnailAt(t), at);
      details.thumbnail = th.error ? th.error : `${String(th.uri).split('/').pop()}@${th.x},${th.y}`;
      if (th.error) throw new StepError('thumbnail', th.error);
      const got = { tile: String(th.uri).split('/').pop().split('#')[0], x: th.x, y: th.y, width: th.width, height: th.height };
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new StepError('thumbnail', `thumbnail at ${at.toFixed(3)}s is ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
    }

    st = await page.evaluate(videoState);
    if (st.errors.length) throw new StepError('errors', `player error: ${st.errors[0]}`);
    details.warnings = st.warnings;
    details.mediaKeys = st.mediaKeys;
  })();

  try {
    await Promise.race([work, new Promise((_, rej) => {
      hardTimer = setTimeout(() => rej(new StepError('case', `case took over ${TIMEOUTS.case / 1000}s`)), TIMEOUTS.case);
    })]);
  } catch (err) {
    failure = err instanceof StepError ? err : new StepError('harness', err.message.split('\n')[0]);
  } finally {
    clearTimeout(hardTimer);
  }
  // After a hard timeout the work may still be launching: close its browser whenever it settles.
  work.catch(() => {}).finally(() => context?.close().catch(() => {}));

  // Licence: what the server saw for this case.
  let licences = [];
  if (c.pkg.encrypt) {
    try {
      const r = await fetch(`${env.base}/_e2e/licences/${c.id}`, { signal: AbortSignal.timeout(10_000) });
      licences = await r.json();
    } catch (err) {
      lines.push(`[licence-log] ${err.message}`);
    }
    const answered = licences.filter((l) => l.status === 200 && l.answered.length > 0);
    details.licences = `${answered.length}/${licences.length}`;
  }

  const verdict = judge(c, failure, licences, details);
  if (!verdict.ok) {
    try {
      if (page && !shot) shot = await page.screenshot({ timeout: 10_000 }).catch(() => null);
      if (page) trace.push({ at: Date.now(), step: 'final', ...(await page.evaluate(videoState).catch(() => ({}))) });
      if (page) lines.push(`[e2e] ${JSON.stringify(await page.evaluate(() => window.e2e).catch(() => null))}`);
    } catch { /* the browser may be gone */ }
    verdict.artefacts = await writeArtefacts(env.artefacts, c, { lines, trace, licences, shot, expectedRaster, verdict, details });
  }
  if (context) await context.close().catch(() => {});
  removeProfile(udd);
  // A browser that did not start says nothing about the package: the runner may retry.
  return { id: c.id, ms: Date.now() - t0, details, launchFailed: !page, ...verdict };
}

/**
 * Removes a browser profile in the background: Chromium's last writes may race
 * the removal, so it retries, without blocking the event loop (the other
 * browser's case is being timed). The runner removes what is left at the end.
 */
function removeProfile(dir) {
  fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch(() => {});
}

/**
 * The test page URL for case c. Encrypted HLS needs a key line the test server
 * adds while serving, chosen by a URL prefix that relative playlist URIs keep:
 * /ck/ for hls.js (KEYFORMAT="org.w3.clearkey", keys from the licence URL),
 * /ik/<grant>/ for shaka-player (KEYFORMAT="identity", keys from /key/<grant>/<kid>).
 * Other players and DASH take the licence URL of the page's ClearKey config.
 */
export function pageURL(c, env) {
  const keys = c.pkg.encrypt ? env.keyFile(c) : '';
  const mode = c.wrongKey ? 'wrong' : 'ok';
  let prefix = '/';
  let licence = '';
  if (c.pkg.encrypt && c.player === 'shaka' && c.format === 'hls') {
    prefix = `/ik/${grantToken({ case: c.id, keys, mode })}/`;
  } else if (c.pkg.encrypt) {
    if (c.player === 'hlsjs') prefix = '/ck/';
    const lq = new URLSearchParams({ keys });
    if (c.wrongKey) lq.set('mode', 'wrong');
    licence = `${env.base}/license/${c.id}?${lq}`;
  }
  const q = new URLSearchParams({ player: c.player, src: `${env.base}${prefix}${env.pkgPath(c)}/${manifestName(c.format)}` });
  if (licence) q.set('licence', licence);
  if (c.pkg.subs) q.set('text', SUBTITLE_LANGUAGE);
  return `${env.base}/www/player.html?${q}`;
}

/** The test server's grant token (e2e/server Grant): unpadded base64url JSON. */
export function grantToken({ case: id, keys, mode }) {
  return Buffer.from(JSON.stringify({ case: id, keys, mode })).toString('base64url');
}

/** Turns what happened into a verdict { ok, reason }. */
export function judge(c, failure, licences, details) {
  const answered = licences.filter((l) => l.status === 200 && l.answered.length > 0);
  if (c.expect === 'fail') {
    if (!failure) return { ok: false, reason: 'played with a wrong key: the checks cannot tell good from bad' };
    if (answered.length === 0) return { ok: false, reason: `failed before any licence was answered (${failure.step}: ${failure.message})` };
    return { ok: true, reason: `failed as expected at ${failure.step}: ${failure.message}` };
  }
  if (failure) return { ok: false, reason: `${failure.step}: ${failure.message}` };
  if (c.pkg.encrypt) {
    if (answered.length === 0) return { ok: false, reason: `played but the server answered no licence request (${licences.length} seen)` };
    if (!details.mediaKeys) return { ok: false, reason: 'played without MediaKeys on the video element' };
  }
  return { ok: true, reason: '' };
}

async function writeArtefacts(root, c, { lines, trace, licences, shot, expectedRaster, verdict, details }) {
  const dir = path.join(root, caseSlug(c.id));
  fs.mkdirSync(dir, { recursive: true });
  const text = [
    `case: ${c.id}`, `verdict: ${verdict.ok ? 'pass' : 'FAIL'}: ${verdict.reason}`, `details: ${JSON.stringify(details)}`, '',
    '--- console and page events', ...lines, '',
    '--- licence requests seen by the server', JSON.stringify(licences, null, 1), '',
    '--- video state trace (last 400 polls)', ...trace.map((s) => JSON.stringify(s)),
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'console.log'), text + '\n');
  if (shot) fs.writeFileSync(path.join(dir, 'screenshot.png'), shot);
  if (expectedRaster) await writeRasterPNG(expectedRaster, path.join(dir, 'expected-160x90.png')).catch(() => {});
  return dir;
}
