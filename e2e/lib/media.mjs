// Makes the e2e media: one small generated source, one `vpack encode` per
// codec, then one `vpack package` per package variant. Nothing is committed;
// all of it is made at run time in the run's work folder.

import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from './proc.mjs';

/** The source: long enough to pass 3 s, seek to 5 s and look at 6 s. */
export const SOURCE = { width: 640, height: 360, fps: 25, seconds: 8 };

/** A two-rung ladder: players may show either rung; the picture check allows both. */
export const LADDER = {
  name: 'e2e',
  video: [
    { width: 640, height: 360, bitrate_kbps: 800 },
    { width: 320, height: 180, bitrate_kbps: 300 },
  ],
};

const SEGMENT = '2s';

/**
 * Subtitles: one cue per second, "vpack cue N" from N s to N+0.95 s, so the
 * cue on screen at a media time says which second it is. Cue 3 runs to 4.5 s,
 * across the 4 s segment boundary, so it must be repeated (WebVTT) or split
 * (wvtt, stpp) correctly.
 */
export const SUBTITLE_LANGUAGE = 'en';
export function subtitleCueAt(t) {
  const n = Math.floor(t);
  return t - n < (n === 3 ? 1.5 : 0.95) ? `vpack cue ${n}` : '';
}

function vttTime(s) {
  const ms = Math.round(s * 1000);
  const p = (n, w) => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 60000), 2)}:${p(Math.floor(ms / 1000) % 60, 2)}.${p(ms % 1000, 3)}`;
}

/**
 * Thumbnails of the encodes: one every 2 s, 320x180 (half the source), 5x5
 * per tile image. thumbnailAt(t) is where a player must find the thumbnail
 * of time t.
 */
export const THUMBNAILS = { interval: 2, width: 320, height: 180, cols: 5, rows: 5 };
export function thumbnailAt(t) {
  const { interval, width, height, cols, rows } = THUMBNAILS;
  const k = Math.floor(t / interval);
  const tile = Math.floor(k / (cols * rows)) + 1;
  const cell = k % (cols * rows);
  return { tile: `tile-${String(tile).padStart(5, '0')}.jpg`, x: (cell % cols) * width, y: Math.floor(cell / cols) * height, width, height };
}

/** Writes the subtitle source as SRT (so the conversion is exercised too). */
export function makeSubtitles(file) {
  const cues = [];
  for (let n = 0; n < SOURCE.seconds; n++) {
    if (n === 4) continue; // cue 3 covers 4.0-4.5
    const end = n === 3 ? 4.5 : n + 0.95;
    const srt = (s) => vttTime(s).replace('.', ',');
    cues.push(`${cues.length + 1}\n00:${srt(n)} --> 00:${srt(end)}\nvpack cue ${n}\n`);
  }
  fs.writeFileSync(file, cues.join('\n'));
}

/** Generates the source: testsrc2 (its clock and frame counter make a wrong frame obvious) and a stereo tone. */
export async function makeSource(file) {
  const { width, height, fps, seconds } = SOURCE;
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=1000:sample_rate=48000:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '12', '-pix_fmt', 'yuv420p', '-g', String(fps),
    '-c:a', 'pcm_s16le', '-ac', '2', '-shortest', file], { timeoutMs: 120_000 });
}

/**
 * Encodes src with vpack into out (a playable package, the renditions kept in
 * out/renditions) with the given video and audio codecs.
 */
export async function encode(vpack, src, out, { codec, audio, ladderFile, subtitles }) {
  const { interval, width, height, cols, rows } = THUMBNAILS;
  const extra = subtitles ? ['--subtitles', `${SUBTITLE_LANGUAGE}=${subtitles}`, '--thumbnails', `${interval}s`,
    '--thumbnail-size', `${width}x${height}`, '--thumbnail-grid', `${cols}x${rows}`] : [];
  await run(vpack, ['encode', src, '-o', out, '--ladder', ladderFile, '--preset', 'veryfast',
    '--segment-duration', SEGMENT, '--codec', codec, '--audio-codec', audio, '--keep-renditions', '--force', '--quiet', ...extra],
  { timeoutMs: 300_000 });
}

/** The rendition files an encode kept, for `vpack package`. */
export function renditions(encodeDir) {
  const dir = path.join(encodeDir, 'renditions');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.mp4')).sort().map((f) => path.join(dir, f));
}

/** Options of `vpack package` for a package variant (see matrix.PACKAGES). */
export function packageArgs(pkg, { keyFile, subtitles } = {}) {
  const args = ['--segment-duration', SEGMENT];
  if (pkg.subs) args.push('--subtitles', `${SUBTITLE_LANGUAGE}=${subtitles}`, '--subtitle-format', pkg.subs);
  if (pkg.singleFile) args.push('--single-file');
  if (pkg.encrypt) args.push('--encrypt', pkg.encrypt, '--keys', keyFile, '--drm', 'clearkey');
  return args;
}

/** Packages the renditions of encodeDir into out (without the audio ones for a videoOnly package). */
export async function packageVariant(vpack, encodeDir, out, pkg, opts = {}) {
  const files = renditions(encodeDir).filter((f) => !pkg.videoOnly || !path.basename(f).startsWith('audio-'));
  await run(vpack, ['package', ...files, '-o', out, ...packageArgs(pkg, opts), '--force', '--quiet'],
    { timeoutMs: 120_000 });
}

/** Whether this vpack can encrypt: `vpack package --help` lists --encrypt. */
export async function vpackCanEncrypt(vpack) {
  const { stdout } = await run(vpack, ['package', '--help'], { timeoutMs: 30_000 });
  return /--encrypt\b/.test(stdout);
}

/**
 * Writes a fresh key file: with `vpack keys generate` when this vpack has it,
 * else a random one-key file in vpack's key file format (version 1).
 */
export async function makeKeys(vpack, file) {
  const { stdout } = await run(vpack, ['--help'], { timeoutMs: 30_000 });
  if (/^\s+keys\s/m.test(stdout)) {
    await run(vpack, ['keys', 'generate', '-o', file], { timeoutMs: 30_000 });
    return;
  }
  const doc = { version: 1, keys: [{ kid: randomBytes(16).toString('hex'), key: randomBytes(16).toString('hex') }] };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
}
