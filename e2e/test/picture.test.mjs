// The picture check must be able to fail: the right frame passes, while a
// frame a little or a lot later, a BT.601 decode, grey and noise all fail.
// The "screenshot" here is a frame of a low-bitrate re-encode converted to RGB
// the way Chromium shows it (BT.709), so no browser is needed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../lib/proc.mjs';
import { COMPARE_WIDTH, COMPARE_HEIGHT, MAX_MEAN_DIFF, decodeImage, decodeSourceFrames, matchFrame, meanAbsDiff } from '../lib/picture.mjs';

let dir;
let frames;
let shot; // compare raster of frame SHOT_AT of the re-encode

const SHOT_AT = 30;
const ff = (...args) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { timeoutMs: 120_000 });

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpack-e2e-picture-'));
  const src = path.join(dir, 'src.mp4');
  const low = path.join(dir, 'low.mp4');
  const png = path.join(dir, 'shot.png');
  await ff('-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=2', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '12', '-pix_fmt', 'yuv420p', src);
  // The lower rung a player may show: 320x180 at a low bitrate, shown at 640x360.
  await ff('-i', src, '-vf', 'scale=320:180', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '300k', '-pix_fmt', 'yuv420p', low);
  await ff('-i', low, '-vf', `select=eq(n\\,${SHOT_AT}),scale=640:360:flags=bicubic:in_color_matrix=bt709:in_range=tv:out_range=pc,format=rgb24`, '-frames:v', '1', png);
  frames = await decodeSourceFrames(src);
  shot = await decodeImage(png);
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('source decodes to one raster per frame', () => {
  assert.equal(frames.length, 50);
  assert.equal(frames[0].length, COMPARE_WIDTH * COMPARE_HEIGHT * 3);
});

test('the right frame passes', () => {
  const m = matchFrame(shot, frames, SHOT_AT);
  assert.ok(m.pass, `diff ${m.diff}`);
  assert.equal(m.offset, 0);
  assert.ok(m.diff < MAX_MEAN_DIFF);
});

test('a timing one frame off still finds the right frame', () => {
  const m = matchFrame(shot, frames, SHOT_AT + 1);
  assert.ok(m.pass);
  assert.equal(m.offset, -1);
  assert.ok(meanAbsDiff(shot, frames[SHOT_AT + 1]) > m.diff, 'the neighbouring frame is a worse match');
});

test('frames 0.2 s and more away fail', () => {
  for (const off of [-25, -10, -5, 5, 10, 15]) {
    const m = matchFrame(shot, frames, SHOT_AT + off, { window: 0 });
    assert.ok(!m.pass, `frame ${SHOT_AT + off} passed for frame ${SHOT_AT} with diff ${m.diff}`);
  }
});

test('the wrong colour matrix fails', async () => {
  const bt601 = await decodeSourceFrames(path.join(dir, 'src.mp4'), { matrix: 'bt601' });
  const m = matchFrame(shot, bt601, SHOT_AT);
  assert.ok(!m.pass, `BT.601 decode passed with diff ${m.diff}`);
});

test('grey, black and noise fail', () => {
  const grey = Buffer.alloc(shot.length, 128);
  const black = Buffer.alloc(shot.length, 0);
  const noise = Buffer.alloc(shot.length);
  let x = 12345;
  for (let i = 0; i < noise.length; i++) { x = (x * 1103515245 + 12345) >>> 0; noise[i] = x >>> 24; }
  for (const [name, r] of Object.entries({ grey, black, noise })) {
    const m = matchFrame(r, frames, SHOT_AT);
    assert.ok(!m.pass, `${name} passed with diff ${m.diff}`);
    assert.ok(m.diff > 2 * MAX_MEAN_DIFF, `${name}: diff ${m.diff}`);
  }
});

test('meanAbsDiff', () => {
  assert.equal(meanAbsDiff(Buffer.from([0, 10, 20]), Buffer.from([0, 20, 0])), 10);
  assert.throws(() => meanAbsDiff(Buffer.alloc(3), Buffer.alloc(6)));
});
