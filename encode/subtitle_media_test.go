package encode

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpack-dev/vpack/internal/mediatest"
)

// A mezzanine with a French forced mov_text stream and an English SRT
// stream in Matroska: both come out as WebVTT with their cues and timing,
// and probe reports language and dispositions.
func TestExtractSubtitles(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	srt := filepath.Join(dir, "in.srt")
	if err := os.WriteFile(srt, []byte("1\n00:00:00,500 --> 00:00:01,250\nBonjour <i>tout</i> le monde\n\n2\n00:00:02,000 --> 00:00:02,750\nAu revoir\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mkv := mediatest.Generate(t, dir, "in.mkv",
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=3", "-i", srt, "-i", srt,
		"-map", "0:v", "-map", "1:s", "-map", "2:s",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-c:s:0", "ass", "-c:s:1", "subrip",
		"-metadata:s:s:0", "language=fre", "-disposition:s:0", "forced",
		"-metadata:s:s:1", "language=eng", "-metadata:s:s:1", "title=English SDH", "-disposition:s:1", "hearing_impaired")

	r := NewExecRunner(nil)
	p, err := ProbeFile(context.Background(), r, mkv)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Subtitles) != 2 {
		t.Fatalf("probe found %d subtitle streams, want 2: %+v", len(p.Subtitles), p.Subtitles)
	}
	fr, en := p.Subtitles[0], p.Subtitles[1]
	if fr.Language != "fre" || !fr.Forced || fr.Codec != "ass" {
		t.Errorf("stream 0 = %+v, want fre, forced, ass", fr)
	}
	if en.Language != "eng" || en.Title != "English SDH" || !en.HearingImpaired || en.Forced {
		t.Errorf("stream 1 = %+v, want eng, title, hearing impaired", en)
	}

	out, skipped, err := ExtractSubtitles(context.Background(), r, p, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || len(skipped) != 0 {
		t.Fatalf("extracted %d, skipped %d; want 2, 0", len(out), len(skipped))
	}
	for _, x := range out {
		b, err := os.ReadFile(x.Path)
		if err != nil {
			t.Fatal(err)
		}
		vtt := string(b)
		for _, want := range []string{"WEBVTT", "00:00.500 --> 00:01.250", "tout", "00:02.000 --> 00:02.750", "Au revoir"} {
			if !strings.Contains(vtt, want) {
				t.Errorf("%s (stream %d, %s) lacks %q:\n%s", filepath.Base(x.Path), x.Stream.Index, x.Stream.Codec, want, vtt)
			}
		}
	}
}

func TestExtractSubtitlesSkipsBitmaps(t *testing.T) {
	p := &Probe{Path: "in.mkv", Subtitles: []SubtitleStream{{Index: 2, Codec: "hdmv_pgs_subtitle"}}}
	out, skipped, err := ExtractSubtitles(context.Background(), nil, p, t.TempDir())
	if err != nil || len(out) != 0 || len(skipped) != 1 {
		t.Fatalf("got %v, %v, %v; want nothing extracted, one skipped, no ffmpeg run", out, skipped, err)
	}
}
