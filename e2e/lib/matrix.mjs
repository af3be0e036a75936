// The e2e matrix: which packages vpack makes for the test, and which player
// plays which of them. Pure data and functions; run.mjs makes and plays them.

/**
 * Packages, each made once per run. `codec`/`audio` pick the encode (one
 * vpack encode per codec); the rest are `vpack package` options applied to
 * that encode's renditions. HEVC and E-AC-3 are left out: Chromium's MSE
 * plays neither.
 */
export const PACKAGES = [
  // The clear segmented packages are what `vpack encode` wrote, with English
  // subtitles (wvtt: fMP4 WebVTT in DASH, segmented WebVTT in HLS) and
  // thumbnails; the text check looks for the cue of the picture time, the
  // thumbnail check (players that read thumbnails) for its tile and cell.
  { name: 'h264', codec: 'h264', audio: 'aac', subs: 'wvtt', thumbs: true },
  { name: 'h264-stpp', codec: 'h264', audio: 'aac', subs: 'stpp' },
  { name: 'h264-sidecar', codec: 'h264', audio: 'aac', subs: 'sidecar' },
  { name: 'h264-single', codec: 'h264', audio: 'aac', singleFile: true },
  { name: 'h264-cenc', codec: 'h264', audio: 'aac', encrypt: 'cenc', negative: true },
  { name: 'h264-cbcs', codec: 'h264', audio: 'aac', encrypt: 'cbcs', negative: true },
  { name: 'h264-cbcs-single', codec: 'h264', audio: 'aac', encrypt: 'cbcs', singleFile: true },
  { name: 'av1', codec: 'av1', audio: 'opus', subs: 'wvtt', thumbs: true },
  { name: 'av1-cenc', codec: 'av1', audio: 'opus', encrypt: 'cenc' },
  { name: 'av1-cbcs', codec: 'av1', audio: 'opus', encrypt: 'cbcs' },
  // Video only, wrong key only: with audio, a wrong key already fails at the
  // first audio frame, so these prove that the video itself is encrypted and
  // that a wrong video key is caught (decode error, stall or picture check).
  { name: 'h264-cenc-video', codec: 'h264', audio: 'aac', encrypt: 'cenc', videoOnly: true, negativeOnly: true },
  { name: 'h264-cbcs-video', codec: 'h264', audio: 'aac', encrypt: 'cbcs', videoOnly: true, negativeOnly: true },
  { name: 'av1-cbcs-video', codec: 'av1', audio: 'opus', encrypt: 'cbcs', videoOnly: true, negativeOnly: true },
];

/** Each player on the formats it supports. */
export const PLAYERS = [
  { player: 'shaka', format: 'hls' },
  { player: 'shaka', format: 'dash' },
  { player: 'hlsjs', format: 'hls' },
  { player: 'dashjs', format: 'dash' },
];

/**
 * Cases expected to fail for a known, reported reason: [{ pattern (RegExp on
 * case ids), reason }]. They still run; a failure is reported as KNOWN and
 * counted with the skipped, and a pass fails the run so that the list stays
 * true. Keep it empty unless a fix is on its way.
 */
export const KNOWN_FAILURES = [];

/** The known-failure reason for a case id, or ''. */
export function knownFailure(id, known = KNOWN_FAILURES) {
  const k = known.find((k) => k.pattern.test(id));
  return k ? k.reason : '';
}

/** Manifest of a package, relative to the package folder. */
export function manifestName(format) {
  return format === 'hls' ? 'master.m3u8' : 'manifest.mpd';
}

/**
 * Cases for the given packages: every package × every player/format, plus,
 * for packages marked `negative` or `negativeOnly`, a wrong-key case per
 * player/format that must fail to play (`negativeOnly`: only that case). Options: drm (false drops encrypted packages, reported
 * as skipped), filter (a RegExp on case ids).
 * Returns { cases, skipped } where skipped lists { id, reason }.
 */
export function buildMatrix({ packages = PACKAGES, players = PLAYERS, drm = true, filter = null } = {}) {
  const cases = [];
  const skipped = [];
  for (const pkg of packages) {
    for (const pf of players) {
      const variants = pkg.negativeOnly ? [] : [{ wrongKey: false }];
      if (pkg.encrypt && (pkg.negative || pkg.negativeOnly)) variants.push({ wrongKey: true });
      for (const v of variants) {
        const id = `${pf.player}/${pf.format}/${pkg.name}${v.wrongKey ? '/wrong-key' : ''}`;
        if (filter && !filter.test(id)) continue;
        if (pkg.encrypt && !drm) {
          skipped.push({ id, reason: 'vpack package has no --encrypt yet' });
          continue;
        }
        cases.push({ id, pkg, player: pf.player, format: pf.format, wrongKey: v.wrongKey, expect: v.wrongKey ? 'fail' : 'play' });
      }
    }
  }
  return { cases, skipped };
}

/** A file-system-safe form of a case id, for its artefact folder. */
export function caseSlug(id) {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_');
}
