// Picture check: compare a screenshot of the playing video with the source
// frame at the same media time. Both are reduced with ffmpeg to a small RGB
// raster (area averaging removes scaling and coding noise, keeps the picture),
// then compared by mean absolute difference per channel on a 0-255 scale.
// Source frames are converted from Y'CbCr with the BT.709 matrix and limited
// range, as Chromium renders untagged HD-style video.

import { spawn } from 'node:child_process';

/** Compare size: 160x90 keeps a 16:9 picture's layout and drops codec noise. */
export const COMPARE_WIDTH = 160;
export const COMPARE_HEIGHT = 90;

/**
 * A mean absolute difference at or below this passes. Calibrated on the e2e
 * source (testsrc2): a screenshot of the right frame from the 180p or 360p rung
 * differs by about 2-6; a frame 1 s away, a wrong-key picture, grey or noise
 * by 15 or more.
 */
export const MAX_MEAN_DIFF = 7;

function runFFmpeg(args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => { err = (err + d).slice(-4000); });
    p.on('error', (e) => { clearTimeout(timer); reject(e); });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`ffmpeg ${args.join(' ')}: exit ${code ?? signal}: ${err.trim()}`));
      else resolve(Buffer.concat(out));
    });
  });
}

const frameBytes = COMPARE_WIDTH * COMPARE_HEIGHT * 3;

/**
 * Decodes every frame of a video file to COMPARE_WIDTH x COMPARE_HEIGHT RGB24
 * with the BT.709 matrix. Returns an array of Buffers, one per frame, in
 * presentation order; frame n is at n / fps.
 */
export async function decodeSourceFrames(file, { matrix = 'bt709' } = {}) {
  const vf = `scale=w=${COMPARE_WIDTH}:h=${COMPARE_HEIGHT}:flags=area:in_color_matrix=${matrix}:in_range=tv:out_range=pc,format=rgb24`;
  const raw = await runFFmpeg(['-i', file, '-map', '0:v:0', '-vf', vf, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  if (raw.length === 0 || raw.length % frameBytes !== 0) throw new Error(`decode ${file}: ${raw.length} bytes is not a whole number of frames`);
  const frames = [];
  for (let off = 0; off < raw.length; off += frameBytes) frames.push(raw.subarray(off, off + frameBytes));
  return frames;
}

/** Reduces an RGB image file (a PNG screenshot) to the compare raster. */
export async function decodeImage(file) {
  const vf = `scale=w=${COMPARE_WIDTH}:h=${COMPARE_HEIGHT}:flags=area,format=rgb24`;
  const raw = await runFFmpeg(['-i', file, '-vf', vf, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  if (raw.length !== frameBytes) throw new Error(`decode ${file}: got ${raw.length} bytes, want ${frameBytes}`);
  return raw;
}

/** Mean absolute difference per channel sample, 0 (same) to 255. */
export function meanAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`rasters differ in size: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/**
 * Finds the source frame nearest in picture to shot among frames
 * index-window .. index+window (a player's frame timing may differ from the
 * source's by a frame or two), and says whether it is close enough.
 * Returns { pass, diff, index, offset }.
 */
export function matchFrame(shot, frames, index, { window = 1, maxDiff = MAX_MEAN_DIFF } = {}) {
  let best = { diff: Infinity, index: -1 };
  for (let i = Math.max(0, index - window); i <= Math.min(frames.length - 1, index + window); i++) {
    const diff = meanAbsDiff(shot, frames[i]);
    if (diff < best.diff) best = { diff, index: i };
  }
  if (best.index < 0) throw new Error(`frame ${index} is outside the source's ${frames.length} frames`);
  return { pass: best.diff <= maxDiff, diff: best.diff, index: best.index, offset: best.index - index };
}

/** Writes a compare raster as a PNG (for failure artefacts). */
export async function writeRasterPNG(raster, file) {
  await new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24',
      '-s', `${COMPARE_WIDTH}x${COMPARE_HEIGHT}`, '-i', '-', '-frames:v', '1', file], { stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('error', reject);
    p.on('close', (code) => { clearTimeout(timer); code === 0 ? resolve() : reject(new Error(`ffmpeg png: exit ${code}`)); });
    p.stdin.on('error', () => {});
    p.stdin.end(raster);
  });
}
