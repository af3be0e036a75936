package validate_test

import (
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/validate"
)

// TestForeignPackages validates what ffmpeg's own hls and dash muxers
// write (fMP4, MPEG-TS, single-file byte ranges, SegmentList, segmented
// WebVTT beside fMP4: ffmpeg writes no X-TIMESTAMP-MAP and does not repeat
// cues across segment boundaries), and
// compares the findings with testdata/golden/foreign.txt: they must be
// sensible (nothing crashes, no internal errors, only real departures
// from CMAF/HLS/DASH practice). -update rewrites the golden file.
func TestForeignPackages(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	in := mediatest.Generate(t, dir, "in.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=5",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=5",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "50", "-c:a", "aac", "-b:a", "64k", "-shortest")
	srt := filepath.Join(dir, "in.srt")
	if err := os.WriteFile(srt, []byte(foreignSRT), 0o644); err != nil {
		t.Fatal(err)
	}
	packages := []struct {
		name, out string
		args      []string
		inputs    []string // instead of in.mp4 copied
	}{
		{"hls-fmp4", "index.m3u8", []string{"-f", "hls", "-hls_segment_type", "fmp4", "-hls_time", "2", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8"}, nil},
		{"hls-ts", "index.m3u8", []string{"-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8"}, nil},
		{"hls-single-file", "index.m3u8", []string{"-f", "hls", "-hls_segment_type", "fmp4", "-hls_flags", "single_file", "-hls_time", "2", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8"}, nil},
		{"dash", "manifest.mpd", []string{"-f", "dash", "-seg_duration", "2", "-use_template", "1", "-use_timeline", "1"}, nil},
		{"dash-single-file", "manifest.mpd", []string{"-f", "dash", "-seg_duration", "2", "-single_file", "1"}, nil},
		{"hls-fmp4-webvtt", "out_%v/index.m3u8", []string{"-f", "hls", "-hls_segment_type", "fmp4", "-hls_time", "2", "-hls_playlist_type", "vod",
			"-var_stream_map", "v:0,a:0,s:0,sgroup:subs", "-master_pl_name", "master.m3u8"},
			[]string{"-i", in, "-i", srt, "-map", "0", "-map", "1", "-c:v", "copy", "-c:a", "copy", "-c:s", "webvtt"}},
	}
	var got strings.Builder
	for _, p := range packages {
		out := filepath.Join(dir, p.name)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		input := p.inputs
		if input == nil {
			input = []string{"-i", in, "-c", "copy"}
		}
		args := append(append([]string{"-hide_banner", "-loglevel", "error", "-nostdin"}, input...), p.args...)
		cmd := exec.Command("ffmpeg", append(args, filepath.Join(out, p.out))...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: ffmpeg: %v\n%s", p.name, err, b)
		}
		r, err := validate.Dir(context.Background(), out, validate.Options{})
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if len(r.ByRule("VALIDATE-INTERNAL")) > 0 {
			t.Errorf("%s: internal errors: %v", p.name, r.ByRule("VALIDATE-INTERNAL"))
		}
		got.WriteString("## " + p.name + "\n")
		for _, f := range r.Findings {
			got.WriteString(f.String() + "\n")
		}
	}
	golden := filepath.Join("testdata", "golden", "foreign.txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(strings.ReplaceAll(string(want), "\r\n", "\n"), got.String()); diff != "" {
		t.Errorf("findings differ from %s (-want +got):\n%s", golden, diff)
	}
}

// foreignSRT is the subtitle input of the WebVTT package: the second and
// third cues cross segment boundaries (2 s and 4 s).
const foreignSRT = `1
00:00:00,500 --> 00:00:01,500
Hello.

2
00:00:01,500 --> 00:00:02,600
Across the first boundary.

3
00:00:03,000 --> 00:00:04,500
Across the second.
`

// TestCleanSingleFilePackage validates a vpack package in single-file
// mode: HLS byte ranges and DASH SegmentBase with a sidx.
func TestCleanSingleFilePackage(t *testing.T) {
	genInputs(t)
	dir := filepath.Join(t.TempDir(), "single")
	_, err := packager.Run(context.Background(), packager.Config{
		Inputs:          []packager.Input{{Path: inputs.v180}, {Path: inputs.v90}, {Path: inputs.audio, Language: "en"}},
		OutDir:          dir,
		SegmentDuration: 2 * time.Second,
		SingleFile:      true,
		HLS:             &manifest.HLSOptions{},
		DASH:            &manifest.DASHOptions{},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := validateDir(t, dir, validate.Options{})
	requireSpotless(t, r)
	if r.Stats.Segments != 9 {
		t.Errorf("%d segments checked, want 9", r.Stats.Segments)
	}

	// A sidx reference that lasts longer than its fragment.
	media, err := filepath.Glob(filepath.Join(dir, "audio", "*", "media.mp4"))
	if err != nil || len(media) != 1 {
		t.Fatalf("audio media file: %v %v", media, err)
	}
	patchBox(t, media[0], "sidx", 1, func(b []byte) {
		off := 4 + 4 + 4 + 8 + 8 + 4 // version 1: reference_ID, timescale, ept, first_offset, reserved+count
		if b[0] == 0 {
			off -= 8
		}
		d := binary.BigEndian.Uint32(b[off+4:])
		binary.BigEndian.PutUint32(b[off+4:], d*2)
	})
	r = validateDir(t, dir, validate.Options{})
	if len(r.ByRule("CMAF-SIDX")) == 0 {
		var b strings.Builder
		r.WriteText(&b)
		t.Errorf("no CMAF-SIDX finding:\n%s", b.String())
	}
}
