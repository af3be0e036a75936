package encode

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
)

// textSubtitleCodecs are the subtitle codecs ffmpeg decodes to text, so that
// it can convert them to WebVTT. Bitmap subtitles (dvd_subtitle,
// hdmv_pgs_subtitle, dvb_subtitle) are not among them: turning pictures into
// text needs OCR.
var textSubtitleCodecs = map[string]bool{
	"mov_text": true, "subrip": true, "srt": true, "webvtt": true, "ass": true, "ssa": true,
	"text": true, "microdvd": true, "mpl2": true, "pjs": true, "realtext": true, "sami": true,
	"stl": true, "subviewer": true, "subviewer1": true, "vplayer": true, "jacosub": true,
}

// IsText reports whether the stream holds text (converted to WebVTT by
// ExtractSubtitles) rather than pictures.
func (s SubtitleStream) IsText() bool { return textSubtitleCodecs[s.Codec] }

// ExtractedSubtitle is one text stream of the source written as WebVTT.
type ExtractedSubtitle struct {
	Stream SubtitleStream
	Path   string // WebVTT file in the folder given to ExtractSubtitles
}

// ExtractSubtitles writes every text subtitle stream of the probed source to
// dir as WebVTT (sub-<index>.vtt), in one ffmpeg run, and returns them in
// stream order. Bitmap streams are returned as skipped, for the caller to
// report. A source without text streams runs nothing.
//
// ffmpeg shifts the cues by the source's start time exactly as it shifts the
// encoded video, so cue time 0 is the first frame of the renditions.
func ExtractSubtitles(ctx context.Context, r Runner, p *Probe, dir string) (out []ExtractedSubtitle, skipped []SubtitleStream, err error) {
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", "file:" + p.Path}
	for _, s := range p.Subtitles {
		if !s.IsText() {
			skipped = append(skipped, s)
			continue
		}
		path := filepath.Join(dir, "sub-"+strconv.Itoa(s.Index)+".vtt")
		args = append(args, "-map", "0:"+strconv.Itoa(s.Index), "-c:s", "webvtt", "-f", "webvtt", "file:"+path)
		out = append(out, ExtractedSubtitle{Stream: s, Path: path})
	}
	if len(out) == 0 {
		return nil, skipped, nil
	}
	if err := r.Run(ctx, FFmpeg, args, nil); err != nil {
		return nil, nil, fmt.Errorf("extract subtitles: %w", err)
	}
	return out, skipped, nil
}
