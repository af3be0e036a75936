#!/usr/bin/env bash
# make demo: generate a 10 s 1080p mezzanine (picture + tone) and run the
# main job on it. Prints where the output is.
set -euo pipefail
out=${DEMO_OUT:-demo-out}
vpack=${VPACK:-bin/vpack}
mkdir -p "$out"
mezz="$out/mezzanine.mov"
if [ ! -s "$mezz" ]; then
  echo "demo: generating $mezz (10 s 1920x1080 25 fps, 1 kHz tone)" >&2
  ffmpeg -hide_banner -loglevel error -nostdin -y \
    -f lavfi -i "testsrc2=size=1920x1080:rate=25:duration=10" \
    -f lavfi -i "sine=frequency=1000:sample_rate=48000:duration=10" \
    -c:v libx264 -preset veryfast -crf 12 -pix_fmt yuv420p -g 25 \
    -c:a pcm_s16le -ac 2 -metadata:s:a:0 language=eng -shortest "$mezz.tmp.mov"
  mv "$mezz.tmp.mov" "$mezz"
fi
subs="$out/mezzanine.en.srt"
if [ ! -s "$subs" ]; then
  for i in 0 1 2 3 4 5 6 7 8 9; do
    printf '%d\n00:00:%02d,000 --> 00:00:%02d,900\nvpack demo: second %d\n\n' $((i + 1)) "$i" "$i" "$i"
  done > "$subs"
fi
"$vpack" encode "$mezz" -o "$out/package" --force --preset veryfast --subtitles "en=$subs" --thumbnails 2s
pkg="$out/package"
cat <<MSG

demo: output is in $pkg
  $pkg/master.m3u8     HLS multivariant playlist
  $pkg/manifest.mpd    DASH MPD
  $pkg/package.json    what was made (rungs, codecs, measured bandwidths)
  $pkg/text/           English subtitles (fMP4 WebVTT for DASH, WebVTT segments for HLS)
  $pkg/images/         thumbnail tiles every 2 s, and images/thumbnails.vtt
play it:
  ffplay $pkg/master.m3u8
or serve it and open the URL in any HLS/DASH player (Safari, shaka-player, hls.js, dash.js):
  python3 -m http.server --directory $pkg 8000    # http://127.0.0.1:8000/master.m3u8
MSG
