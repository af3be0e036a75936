import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMatrix, PACKAGES, caseSlug, knownFailure, KNOWN_FAILURES } from '../lib/matrix.mjs';
import { judge, pageURL } from '../lib/playcase.mjs';
import { packageArgs } from '../lib/media.mjs';

test('every package with every player on its formats', () => {
  const { cases, skipped } = buildMatrix();
  assert.equal(skipped.length, 0);
  const negatives = PACKAGES.filter((p) => p.encrypt && p.negative).length;
  const negativeOnly = PACKAGES.filter((p) => p.negativeOnly).length;
  assert.equal(cases.length, (PACKAGES.length - negativeOnly) * 4 + (negatives + negativeOnly) * 4);
  assert.ok(!cases.some((c) => c.player === 'hlsjs' && c.format !== 'hls'));
  assert.ok(!cases.some((c) => c.player === 'dashjs' && c.format !== 'dash'));
  for (const scheme of [undefined, 'cenc', 'cbcs']) {
    for (const codec of ['h264', 'av1']) {
      for (const [player, format] of [['shaka', 'hls'], ['shaka', 'dash'], ['hlsjs', 'hls'], ['dashjs', 'dash']]) {
        assert.ok(cases.some((c) => c.pkg.encrypt === scheme && c.pkg.codec === codec && c.player === player && c.format === format && !c.wrongKey),
          `no case for ${player} ${format} ${codec} ${scheme ?? 'clear'}`);
      }
    }
  }
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'case ids are unique');
});

test('wrong-key cases only for encrypted packages, and they expect failure', () => {
  const { cases } = buildMatrix();
  for (const c of cases.filter((c) => c.wrongKey)) {
    assert.ok(c.pkg.encrypt);
    assert.equal(c.expect, 'fail');
  }
  for (const c of cases.filter((c) => c.pkg.negativeOnly)) assert.ok(c.wrongKey, c.id);
  assert.ok(cases.some((c) => c.wrongKey && c.pkg.videoOnly && c.pkg.encrypt === 'cenc'));
  assert.ok(cases.some((c) => c.wrongKey && c.pkg.videoOnly && c.pkg.encrypt === 'cbcs'));
});

test('without DRM the encrypted cases are skipped, not dropped', () => {
  const { cases, skipped } = buildMatrix({ drm: false });
  assert.ok(cases.every((c) => !c.pkg.encrypt));
  assert.equal(cases.length + skipped.length, buildMatrix().cases.length);
});

test('filter', () => {
  const { cases } = buildMatrix({ filter: /^hlsjs\/.*av1$/ });
  assert.deepEqual(cases.map((c) => c.id), ['hlsjs/hls/av1']);
  assert.equal(caseSlug('shaka/hls/h264-cenc/wrong-key'), 'shaka_hls_h264-cenc_wrong-key');
});

test('page URL: hls.js gets the clear-key prefix and a licence URL; wrong key says so', () => {
  const c = buildMatrix({ filter: /^hlsjs\/hls\/h264-cenc\/wrong-key$/ }).cases[0];
  const u = new URL(pageURL(c, { base: 'http://127.0.0.1:1', pkgPath: () => 'pkgs/h264-cenc', keyFile: () => 'keys/h264-cenc.json' }));
  assert.equal(u.searchParams.get('src'), 'http://127.0.0.1:1/ck/pkgs/h264-cenc/master.m3u8');
  const lic = new URL(u.searchParams.get('licence'));
  assert.equal(lic.pathname, '/license/hlsjs/hls/h264-cenc/wrong-key');
  assert.equal(lic.searchParams.get('mode'), 'wrong');
  const sh = buildMatrix({ filter: /^shaka\/hls\/h264-cbcs$/ }).cases[0];
  const u3 = new URL(pageURL(sh, { base: 'http://127.0.0.1:1', pkgPath: () => 'pkgs/h264-cbcs', keyFile: () => 'keys/h264-cbcs.json' }));
  const m = u3.searchParams.get('src').match(/^http:\/\/127\.0\.0\.1:1\/ik\/([A-Za-z0-9_-]+)\/pkgs\/h264-cbcs\/master\.m3u8$/);
  assert.ok(m, u3.searchParams.get('src'));
  assert.deepEqual(JSON.parse(Buffer.from(m[1], 'base64url').toString()), { case: 'shaka/hls/h264-cbcs', keys: 'keys/h264-cbcs.json', mode: 'ok' });
  assert.equal(u3.searchParams.get('licence'), null);
  const clear = buildMatrix({ filter: /^dashjs\/dash\/h264$/ }).cases[0];
  const u2 = new URL(pageURL(clear, { base: 'http://127.0.0.1:1', pkgPath: () => 'media/h264-aac' }));
  assert.equal(u2.searchParams.get('src'), 'http://127.0.0.1:1/media/h264-aac/manifest.mpd');
  assert.equal(u2.searchParams.get('licence'), null);
});

test('judge', () => {
  const enc = { pkg: { encrypt: 'cenc' }, expect: 'play' };
  const neg = { pkg: { encrypt: 'cenc' }, expect: 'fail', wrongKey: true };
  const answered = [{ status: 200, answered: ['00'] }];
  const stall = Object.assign(new Error('timed out'), { step: 'start' });
  assert.equal(judge(enc, null, answered, { mediaKeys: true }).ok, true);
  assert.equal(judge(enc, null, [], { mediaKeys: true }).ok, false, 'played without a licence');
  assert.equal(judge(enc, null, answered, { mediaKeys: false }).ok, false);
  assert.equal(judge(enc, stall, answered, {}).ok, false);
  assert.equal(judge(neg, stall, answered, {}).ok, true);
  assert.equal(judge(neg, null, answered, {}).ok, false, 'a wrong key that plays must fail the case');
  assert.equal(judge(neg, stall, [], {}).ok, false, 'a failure without a licence proves nothing');
  assert.equal(judge({ pkg: {}, expect: 'play' }, null, [], {}).ok, true);
});

test('package options', () => {
  assert.deepEqual(packageArgs({ singleFile: true }), ['--segment-duration', '2s', '--single-file']);
  assert.deepEqual(packageArgs({ encrypt: 'cbcs' }, { keyFile: 'k.json' }),
    ['--segment-duration', '2s', '--encrypt', 'cbcs', '--keys', 'k.json', '--drm', 'clearkey']);
});

test('known failures', () => {
  const known = [{ pattern: /^dashjs\/dash\/.*-(cenc|cbcs)/, reason: 'see issue' }];
  assert.equal(knownFailure('dashjs/dash/h264-cenc', known), 'see issue');
  assert.equal(knownFailure('dashjs/dash/h264', known), '');
  for (const k of KNOWN_FAILURES) {
    assert.ok(k.pattern instanceof RegExp && k.reason, 'every known failure has a pattern and a reason');
    assert.ok(buildMatrix().cases.some((c) => k.pattern.test(c.id)), `${k.pattern} matches no case`);
  }
});
