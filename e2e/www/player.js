// Loads one player library, plays ?src= in #video and records what happened
// in window.e2e for e2e/run.mjs. Nothing here judges playback.
'use strict';

const params = new URLSearchParams(location.search);
const e2e = (window.e2e = {
  player: params.get('player'),
  src: params.get('src'),
  licence: params.get('licence') || '',
  text: params.get('text') || '', // a subtitle language to turn on
  loaded: false,     // the player library loaded and the source was handed to it
  errors: [],        // fatal player or media errors: any one fails the case
  warnings: [],      // recoverable errors, kept for the log
  events: [],        // a short history of player/media events
});
const video = document.getElementById('video');

// Progress seen by the page itself, so that a slow poll from the runner cannot
// miss it: the furthest currentTime reached while playing, counted only in
// [from, to) (the runner sets a new window before it seeks).
e2e.watch = { from: 0, to: Infinity, reached: 0 };
video.addEventListener('timeupdate', () => {
  const w = e2e.watch;
  const t = video.currentTime;
  if (video.paused || video.seeking || t < w.from - 0.05 || t >= w.to) return;
  w.reached = Math.max(w.reached, t);
});

function note(list, what) {
  const s = typeof what === 'string' ? what : JSON.stringify(what, errorReplacer);
  list.push(s.length > 2000 ? s.slice(0, 2000) + '…' : s);
  if (list.length > 200) list.splice(0, list.length - 200);
}
function errorReplacer(key, value) {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return `<${value.byteLength} bytes>`;
  if (value instanceof Node || value instanceof Window) return undefined;
  return value;
}
function fatal(what) { note(e2e.errors, what); }
function warn(what) { note(e2e.warnings, what); }

for (const ev of ['loadedmetadata', 'canplay', 'playing', 'waiting', 'seeking', 'seeked', 'pause', 'ended', 'encrypted']) {
  video.addEventListener(ev, () => note(e2e.events, `${ev} @${video.currentTime.toFixed(3)}`));
}
video.addEventListener('error', () => {
  const err = video.error;
  fatal({ source: 'video', code: err && err.code, message: err && err.message });
});

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = url;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${url}`));
    document.head.appendChild(s);
  });
}

// Every player gets the same ClearKey set-up: the licence URL of the test
// server, which answers W3C ClearKey requests. Keys are never given to the
// player directly, so that a passing DRM case proves a licence was used.
const players = {
  async shaka() {
    await loadScript('lib/shaka-player.compiled.js');
    shaka.polyfill.installAll();
    if (!shaka.Player.isBrowserSupported()) throw new Error('shaka: browser not supported');
    const player = new shaka.Player();
    await player.attach(video);
    const config = { streaming: { retryParameters: { maxAttempts: 3, timeout: 20000 } } };
    if (e2e.licence) config.drm = { servers: { 'org.w3.clearkey': e2e.licence } };
    if (e2e.text) config.preferredTextLanguage = e2e.text;
    player.configure(config);
    player.addEventListener('error', (ev) => {
      const d = ev.detail || {};
      const rec = { source: 'shaka', severity: d.severity, category: d.category, code: d.code, data: d.data };
      if (d.severity === shaka.util.Error.Severity.CRITICAL) fatal(rec); else warn(rec);
    });
    window.e2ePlayer = player;
    e2e.version = shaka.Player.version;
    await player.load(e2e.src);
    if (e2e.text) {
      const t = player.getTextTracks().find((t) => t.language === e2e.text && !t.forced);
      if (!t) throw new Error(`shaka: no ${e2e.text} text track in ${JSON.stringify(player.getTextTracks().map((t) => t.language))}`);
      player.selectTextTrack(t); // shaka 5 shows a selected track; 4.x also needed setTextTrackVisibility
      if (player.setTextTrackVisibility) await player.setTextTrackVisibility(true);
    }
  },
  async hlsjs() {
    await loadScript('lib/hls.min.js');
    if (!Hls.isSupported()) throw new Error('hls.js: MSE not supported');
    const config = { debug: false, enableWorker: true };
    if (e2e.text) Object.assign(config, { subtitlePreference: { lang: e2e.text, forced: false }, subtitleDisplay: true, renderTextTracksNatively: true });
    if (e2e.licence) {
      config.emeEnabled = true;
      config.drmSystems = { 'org.w3.clearkey': { licenseUrl: e2e.licence } };
    }
    const hls = new Hls(config);
    hls.on(Hls.Events.ERROR, (_, d) => {
      const rec = { source: 'hls.js', type: d.type, details: d.details, fatal: d.fatal, reason: d.reason, error: d.error && String(d.error) };
      if (d.fatal) fatal(rec); else warn(rec);
    });
    hls.on(Hls.Events.KEY_LOADED, () => note(e2e.events, 'hls.js key loaded'));
    if (e2e.text) {
      hls.on(Hls.Events.SUBTITLE_TRACK_SWITCH, (_, d) => note(e2e.events, `hls.js subtitle track switch ${d.id}`));
      hls.on(Hls.Events.SUBTITLE_FRAG_PROCESSED, (_, d) => note(e2e.events, `hls.js subtitle fragment ${d.frag && d.frag.sn} ${d.success}`));
    }
    window.e2ePlayer = hls;
    e2e.version = Hls.version;
    hls.loadSource(e2e.src);
    hls.attachMedia(video);
  },
  async dashjs() {
    await loadScript('lib/dash.all.min.js');
    const player = dashjs.MediaPlayer().create();
    player.updateSettings({ debug: { logLevel: dashjs.Debug.LOG_LEVEL_WARNING } });
    player.initialize(video, undefined, true);
    if (e2e.text) {
      player.updateSettings({ streaming: { text: { defaultEnabled: true } } });
      player.setInitialMediaSettingsFor('text', { lang: e2e.text });
      player.attachTTMLRenderingDiv(document.getElementById('ttml')); // dash.js needs one for TTML (stpp)
    }
    if (e2e.licence) player.setProtectionData({ 'org.w3.clearkey': { serverURL: e2e.licence } });
    const E = dashjs.MediaPlayer.events;
    player.on(E.ERROR, (ev) => fatal({ source: 'dash.js', error: ev.error }));
    player.on(E.PLAYBACK_ERROR, (ev) => fatal({ source: 'dash.js playback', error: ev.error }));
    if (E.KEY_SESSION_UPDATED) player.on(E.KEY_SESSION_UPDATED, () => note(e2e.events, 'dash.js key session updated'));
    window.e2ePlayer = player;
    e2e.version = player.getVersion();
    player.attachSource(e2e.src);
  },
};

// The text of an imscJS intermediate document (dash.js keeps TTML cues so,
// rendering them into the TTML div only while they are active).
function isdText(node) {
  if (!node || typeof node !== 'object') return '';
  let s = typeof node.text === 'string' ? node.text : '';
  for (const c of node.contents || []) s += isdText(c);
  return s;
}

// The text of the cues of showing or hidden text tracks that cover time t,
// whoever rendered them (shaka, hls.js and dash.js all use the video's
// native text tracks; dash.js keeps TTML as an ISD on the cue).
window.e2eCuesAt = (t) => {
  const out = [];
  for (const track of video.textTracks) {
    if (track.mode === 'disabled' || !track.cues) continue;
    for (const cue of track.cues) {
      if (cue.startTime <= t && t < cue.endTime) {
        const html = cue.cueHTMLElement ? cue.cueHTMLElement.textContent : isdText(cue.isd);
        out.push({ track: track.label || track.language || track.kind, lang: track.language, text: (cue.text || html || '').trim() });
      }
    }
  }
  return out;
};

// The thumbnail the player offers for time t, from the package's image
// track (DASH thumbnail_tile AdaptationSet or HLS image playlist), in one
// form for both players that read them.
window.e2eThumbnailAt = async (t) => {
  const p = window.e2ePlayer;
  if (e2e.player === 'shaka') {
    const tracks = p.getImageTracks();
    if (!tracks.length) return { error: 'shaka lists no image track' };
    const th = await p.getThumbnails(tracks[0].id, t);
    if (!th) return { error: `shaka has no thumbnail at ${t}` };
    return { uri: th.uris[0], x: th.positionX, y: th.positionY, width: th.width, height: th.height };
  }
  if (e2e.player === 'dashjs') {
    const th = await new Promise((resolve) => p.provideThumbnail(t, resolve));
    if (!th) return { error: `dash.js has no thumbnail at ${t}` };
    return { uri: th.url, x: th.x, y: th.y, width: th.width, height: th.height };
  }
  return { error: `${e2e.player} reads no thumbnails` };
};

(async () => {
  try {
    const start = players[e2e.player];
    if (!start) throw new Error(`unknown player ${e2e.player}`);
    video.autoplay = true; // muted autoplay: no play() promise to race with the players' own loads
    await start();
    e2e.loaded = true;
  } catch (err) {
    fatal({ source: 'page', message: String(err && err.message || err), code: err && err.code, data: err && err.data });
  }
})();
