package encode_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/ladder"
)

// TestRunKeyframeAlignment encodes small ladders and checks with ffprobe
// what a CMAF packager relies on: keyframes at the same times in every
// rung (also at half the frame rate), one at every segment boundary, closed
// GOPs, the source's duration, the target bit rate, the rung's size with
// square pixels and no rotation.
func TestRunKeyframeAlignment(t *testing.T) {
	r50 := ladder.Rate{Num: 50, Den: 1}
	r25 := ladder.Rate{Num: 25, Den: 1}
	tests := []struct {
		name     string
		rungs    []ladder.Rung
		preset   string
		seg      time.Duration
		wantKeys []float64
		// rateTolerance is how far the average bit rate may be from the
		// target. SVT-AV1's one-pass VBR undershoots on a few seconds.
		rateTolerance float64
	}{
		{
			name: "h264",
			rungs: []ladder.Rung{
				{Name: "180p", Width: 320, Height: 180, Codec: ladder.H264, BitrateKbps: 400, FrameRate: r50},
				{Name: "144p", Width: 256, Height: 144, Codec: ladder.H264, BitrateKbps: 250, FrameRate: r50},
				{Name: "90p", Width: 160, Height: 90, Codec: ladder.H264, BitrateKbps: 120, FrameRate: r25},
			},
			preset: "veryfast", seg: time.Second, wantKeys: []float64{0, 1, 2, 3}, rateTolerance: 0.15,
		},
		{
			name: "hevc",
			rungs: []ladder.Rung{
				{Name: "144p", Width: 256, Height: 144, Codec: ladder.HEVC, BitrateKbps: 250, FrameRate: r50},
				{Name: "90p", Width: 160, Height: 90, Codec: ladder.HEVC, BitrateKbps: 200, FrameRate: r25},
			},
			preset: "veryfast", seg: 2 * time.Second, wantKeys: []float64{0, 2}, rateTolerance: 0.15,
		},
		{
			name: "av1",
			rungs: []ladder.Rung{
				{Name: "144p", Width: 256, Height: 144, Codec: ladder.AV1, BitrateKbps: 250, FrameRate: r50},
				{Name: "90p", Width: 160, Height: 90, Codec: ladder.AV1, BitrateKbps: 100, FrameRate: r25},
			},
			preset: "ultrafast", seg: time.Second, wantKeys: []float64{0, 1, 2, 3}, rateTolerance: 0.30,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireFFmpeg(t)
			dir := t.TempDir()
			const seconds = 4.0
			src := mediatest.Generate(t, dir, "src.mp4", append(append([]string{
				"-f", "lavfi", "-i", noisySource("320x180", 50, seconds)}, sine(seconds, "")...), append(mezzanine,
				"-c:a", "aac", "-shortest")...)...)
			pr := probe(t, src)
			out := filepath.Join(dir, "out")
			if err := os.Mkdir(out, 0o755); err != nil {
				t.Fatal(err)
			}
			var prog progressRecorder
			res, err := encode.Run(context.Background(), &encode.ExecRunner{}, encode.Config{
				Input: src, Probe: pr, Video: tc.rungs, OutDir: out,
				SegmentDuration: tc.seg, Preset: tc.preset, Progress: prog.fn,
			})
			if err != nil {
				t.Fatal(err)
			}
			prog.check(t, pr.Duration)
			if res.GOPDuration != tc.seg || res.SegmentDuration != tc.seg {
				t.Errorf("GOP %v, segment %v; want both %v", res.GOPDuration, res.SegmentDuration, tc.seg)
			}
			if len(res.Video) != len(tc.rungs) || len(res.Audio) != 1 {
				t.Fatalf("got %d video and %d audio outputs, want %d and 1", len(res.Video), len(res.Audio), len(tc.rungs))
			}
			for i, v := range res.Video {
				rung := tc.rungs[i]
				if v.File != rung.Name+".mp4" || v.Path != filepath.Join(out, v.File) || v.SizeBytes <= 0 {
					t.Errorf("output %+v: want file %s.mp4 in %s", v, rung.Name, out)
				}
				if got := keyframes(t, v.Path); !slices.Equal(got, tc.wantKeys) {
					t.Errorf("%s: keyframes at %v s, want %v", rung.Name, got, tc.wantKeys)
				}
				if rung.Codec == ladder.H264 {
					// x264 records its settings in an SEI message.
					sei := x264Settings(t, v.Path)
					for _, want := range []string{"open_gop=0", "scenecut=0", fmt.Sprintf("keyint=%d", v.GOPFrames)} {
						if !slices.Contains(sei, want) {
							t.Errorf("%s: x264 settings %q lack %s", rung.Name, sei, want)
						}
					}
				}
				fi := info(t, v.Path)
				s := fi.Streams[0]
				if s.CodecName != string(rung.Codec) || s.Width != rung.Width || s.Height != rung.Height ||
					s.SAR != "1:1" || s.PixFmt != "yuv420p" || rotation(s) != 0 {
					t.Errorf("%s: %s %dx%d SAR %s %s rotation %v, want %s %dx%d SAR 1:1 yuv420p upright",
						rung.Name, s.CodecName, s.Width, s.Height, s.SAR, s.PixFmt, rotation(s),
						rung.Codec, rung.Width, rung.Height)
				}
				if want := rung.FrameRate.String() + "/1"; s.AvgFrameRate != want {
					t.Errorf("%s: average frame rate %s, want %s", rung.Name, s.AvgFrameRate, want)
				}
				dur := atof(t, fi.Format.Duration)
				if frame := 1 / rung.FrameRate.Float(); math.Abs(dur-pr.Duration.Seconds()) > frame+1e-6 {
					t.Errorf("%s: duration %.4f s, want %.4f s within a frame", rung.Name, dur, pr.Duration.Seconds())
				}
				kbps := atof(t, fi.Format.BitRate) / 1000
				if dev := kbps/float64(rung.BitrateKbps) - 1; math.Abs(dev) > tc.rateTolerance {
					t.Errorf("%s: %.0f kbit/s, want %d within %.0f%%", rung.Name, kbps, rung.BitrateKbps, tc.rateTolerance*100)
				}
				t.Logf("%s: %.0f kbit/s (target %d)", rung.Name, kbps, rung.BitrateKbps)
			}
			a := res.Audio[0]
			fi := info(t, a.Path)
			s := fi.Streams[0]
			// The sine source is mono, and mono stays mono.
			if a.File != "audio-und-aac.mp4" || a.Channels != 1 || s.CodecName != "aac" || s.Profile != "LC" ||
				s.Channels != 1 || s.Tags["language"] != "und" || atof(t, s.StartTime) != 0 {
				t.Errorf("audio %+v: %s %s %d ch language %q start %s, want audio-und-aac.mp4 AAC LC mono und from 0",
					a, s.CodecName, s.Profile, s.Channels, s.Tags["language"], s.StartTime)
			}
			if dur := atof(t, fi.Format.Duration); math.Abs(dur-pr.Duration.Seconds()) > 0.05 {
				t.Errorf("audio duration %.3f s, want %.3f s", dur, pr.Duration.Seconds())
			}
		})
	}
}

// TestRunProgressFake runs Run against a fake ffmpeg that prints recorded
// progress and writes empty outputs: progress is forwarded, clamped to the
// source duration and ends at it.
func TestRunProgressFake(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "progress", "ladder.txt"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cfg := fakeConfig(out)
	var gotArgs []string
	r := runnerFunc(func(ctx context.Context, tool encode.Tool, args []string, stdout io.Writer) error {
		gotArgs = args
		for _, f := range outputFiles(args) {
			if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
				return err
			}
		}
		// In small writes, as a pipe would deliver them.
		for b := fixture; len(b) > 0; b = b[min(len(b), 7):] {
			if _, err := stdout.Write(b[:min(len(b), 7)]); err != nil {
				return err
			}
		}
		return nil
	})
	var prog progressRecorder
	cfg.Progress = prog.fn
	res, err := encode.Run(context.Background(), r, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := encode.Args(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, gotArgs); diff != "" {
		t.Errorf("Run ran other arguments than Args (-want +got):\n%s", diff)
	}
	prog.check(t, cfg.Probe.Duration)
	if len(prog.calls) < 3 {
		t.Errorf("progress calls %v: want one per block and the last", prog.calls)
	}
	wantRes := &encode.Result{
		GOPDuration:     2 * time.Second,
		SegmentDuration: 4 * time.Second,
	}
	for _, r := range cfg.Video {
		filled := r
		filled.MaxrateKbps, filled.BufsizeKbps = r.BitrateKbps*3/2, r.BitrateKbps*2
		wantRes.Video = append(wantRes.Video, encode.VideoOutput{
			File: r.Name + ".mp4", Path: filepath.Join(out, r.Name+".mp4"), Rung: filled,
			PixFmt: "yuv420p", GOPFrames: 2 * int(r.FrameRate.Float()), SizeBytes: 1,
		})
	}
	for _, a := range []struct {
		file  string
		index int
		lang  string
	}{{"audio-eng-aac.mp4", 1, "eng"}, {"audio-und-aac.mp4", 2, "und"}} {
		wantRes.Audio = append(wantRes.Audio, encode.AudioOutput{
			File: a.file, Path: filepath.Join(out, a.file), SourceIndex: a.index, Language: a.lang,
			Codec: ladder.AAC, Channels: 2, BitrateKbps: 128, SampleRateHz: 48000, SizeBytes: 1,
		})
	}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("Result (-want +got):\n%s", diff)
	}
}

type runnerFunc func(ctx context.Context, tool encode.Tool, args []string, stdout io.Writer) error

func (f runnerFunc) Run(ctx context.Context, tool encode.Tool, args []string, stdout io.Writer) error {
	return f(ctx, tool, args, stdout)
}

// outputFiles returns the file: arguments after the input's.
func outputFiles(args []string) []string {
	var files []string
	for i, a := range args {
		if strings.HasPrefix(a, "file:") && (i == 0 || args[i-1] != "-i") {
			files = append(files, strings.TrimPrefix(a, "file:"))
		}
	}
	return files
}

// fakeConfig is a two-rung, two-audio-track config over a source that does
// not exist, for tests that never run ffmpeg.
func fakeConfig(out string) encode.Config {
	return encode.Config{
		Input: "in.mov",
		Probe: &encode.Probe{
			Path:     "in.mov",
			Duration: 10 * time.Second,
			Video: []encode.VideoStream{{Index: 0, Codec: "h264", Width: 1920, Height: 1080,
				FrameRate: encode.Rational{Num: 25, Den: 1}, PixFmt: "yuv420p", BitDepth: 8}},
			Audio: []encode.AudioStream{
				{Index: 1, Codec: "aac", Channels: 2, SampleRate: 48000, Language: "eng"},
				{Index: 2, Codec: "aac", Channels: 2, SampleRate: 48000},
			},
		},
		Video: []ladder.Rung{
			{Name: "720p", Width: 1280, Height: 720, Codec: ladder.H264, BitrateKbps: 3000, FrameRate: ladder.Rate{Num: 25, Den: 1}},
			{Name: "360p", Width: 640, Height: 360, Codec: ladder.H264, BitrateKbps: 730, FrameRate: ladder.Rate{Num: 25, Den: 1}},
		},
		OutDir: out,
	}
}

// TestRunCancel cancels a long encode shortly after it started: Run returns
// promptly with an error wrapping context.Canceled.
func TestRunCancel(t *testing.T) {
	requireFFmpeg(t)
	dir := t.TempDir()
	src := mediatest.Generate(t, dir, "long.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=20",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	pr := probe(t, src)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{}, 1)
	var res *encode.Result
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err = encode.Run(ctx, &encode.ExecRunner{}, encode.Config{
			Input: src, Probe: pr, OutDir: dir, Preset: "slow",
			Video: []ladder.Rung{{Name: "180p", Width: 320, Height: 180, BitrateKbps: 300}},
			Progress: func(done, total time.Duration) {
				select {
				case started <- struct{}{}:
				default:
				}
			},
		})
	}()
	select {
	case <-started:
	case <-done:
		t.Fatalf("Run ended before it was cancelled: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no progress within 30 s")
	}
	cancel()
	start := time.Now()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return within 15 s of the cancellation")
	}
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Errorf("Run = %v, %v; want an error wrapping context.Canceled", res, err)
	}
	t.Logf("returned %v after cancel: %v", time.Since(start).Round(time.Millisecond), err)
}

// TestRunToolError: a failing ffmpeg is a *ToolError with its stderr.
func TestRunToolError(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	t.Run("script", func(t *testing.T) {
		dir := t.TempDir()
		script := filepath.Join(dir, "ffmpeg")
		if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'Unknown encoder libnonsense' >&2\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := encode.Run(context.Background(), &encode.ExecRunner{FFmpegPath: script}, fakeConfig(dir))
		var te *encode.ToolError
		if !errors.As(err, &te) || te.ExitCode != 1 || !strings.Contains(te.StderrTail, "Unknown encoder libnonsense") {
			t.Fatalf("Run = %v, want a *ToolError with exit code 1 and the stderr", err)
		}
	})
	t.Run("not media", func(t *testing.T) {
		dir := t.TempDir()
		cfg := fakeConfig(dir)
		cfg.Input = filepath.Join(dir, "in.mov")
		if err := os.WriteFile(cfg.Input, []byte("this is not a movie"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := encode.Run(context.Background(), &encode.ExecRunner{}, cfg)
		var te *encode.ToolError
		if !errors.As(err, &te) || te.Tool != encode.FFmpeg || !strings.Contains(te.StderrTail, "Invalid data") {
			t.Fatalf("Run = %v, want a *ToolError from ffmpeg saying invalid data", err)
		}
	})
}

// TestRunOddInputs encodes inputs that real mezzanines and phone videos
// bring: every one must give upright, square-pixel, constant-rate outputs
// of the rung's size, and the audio the config asks for.
func TestRunOddInputs(t *testing.T) {
	rung := func(name string, w, h int, codec ladder.Codec, kbps int) ladder.Rung {
		return ladder.Rung{Name: name, Width: w, Height: h, Codec: codec, BitrateKbps: kbps}
	}
	stereoAndSurround := []ladder.Audio{{Codec: ladder.AAC, BitrateKbps: 128, Channels: 2}, {Codec: ladder.EAC3, BitrateKbps: 384, Channels: 6}}
	testsrc := []string{"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2"}
	x264 := []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"}
	type audioWant struct {
		File     string
		Codec    string
		Channels int
		Language string
	}
	tests := []struct {
		name  string
		gen   func(t *testing.T, dir string) string
		rungs []ladder.Rung
		audio []ladder.Audio
		// wantAudio lists the audio outputs in order.
		wantAudio []audioWant
		check     func(t *testing.T, res *encode.Result, pr *encode.Probe)
	}{
		{
			name: "odd size 641x361",
			gen: func(t *testing.T, dir string) string {
				return mediatest.Generate(t, dir, "odd.mp4", "-f", "lavfi", "-i", "testsrc2=size=641x361:rate=25:duration=2,format=yuv444p",
					"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p")
			},
			rungs: []ladder.Rung{rung("360p", 640, 360, ladder.H264, 500), rung("180p", 320, 180, ladder.H264, 200)},
		},
		{
			name: "variable frame rate",
			gen: func(t *testing.T, dir string) string {
				return mediatest.Generate(t, dir, "vfr.mp4", "-f", "lavfi", "-i",
					`testsrc2=size=320x180:rate=25:duration=2,select=lt(t\,1)+not(mod(n\,3))`,
					"-c:v", "libx264", "-preset", "ultrafast", "-fps_mode", "passthrough")
			},
			rungs: []ladder.Rung{{Name: "180p", Width: 320, Height: 180, BitrateKbps: 300, FrameRate: ladder.Rate{Num: 25, Den: 1}}},
			check: func(t *testing.T, res *encode.Result, pr *encode.Probe) {
				if !pr.Video[0].VariableFrameRate {
					t.Errorf("source not variable rate: %+v", pr.Video[0])
				}
				// The source's last frame ends at 1.96 s.
				ps := packets(t, res.Video[0].Path)
				if want := int(math.Round(pr.Duration.Seconds() * 25)); len(ps) != want {
					t.Errorf("%d frames, want %d (%v at 25 fps)", len(ps), want, pr.Duration)
				}
				var pts []float64
				for _, p := range ps {
					pts = append(pts, p.pts)
				}
				slices.Sort(pts)
				for i := 1; i < len(pts); i++ {
					if d := pts[i] - pts[i-1]; math.Abs(d-0.04) > 1e-6 {
						t.Errorf("frame %d lasts %.4f s, want 0.04 s", i-1, d)
						break
					}
				}
			},
		},
		{
			name: "10-bit HDR10: hevc and av1 keep it, h264 is tone-mapped",
			gen: func(t *testing.T, dir string) string {
				return mediatest.Generate(t, dir, "hdr.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2",
					"-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p10le",
					"-color_trc", "smpte2084", "-color_primaries", "bt2020", "-colorspace", "bt2020nc", "-tag:v", "hvc1")
			},
			rungs: []ladder.Rung{rung("hevc", 320, 180, ladder.HEVC, 300), rung("av1", 256, 144, ladder.AV1, 200), rung("h264", 256, 144, ladder.H264, 300)},
			check: func(t *testing.T, res *encode.Result, pr *encode.Probe) {
				want := map[string][4]string{
					"hevc": {"yuv420p10le", "bt2020", "smpte2084", "bt2020nc"},
					"av1":  {"yuv420p10le", "bt2020", "smpte2084", "bt2020nc"},
					"h264": {"yuv420p", "bt709", "bt709", "bt709"},
				}
				for _, v := range res.Video {
					s := info(t, v.Path).Streams[0]
					if got := [4]string{s.PixFmt, s.ColorPrimaries, s.ColorTransfer, s.ColorSpace}; got != want[v.Rung.Name] {
						t.Errorf("%s: pix_fmt, primaries, transfer, matrix = %q, want %q", v.Rung.Name, got, want[v.Rung.Name])
					}
					if v.Rung.Name == "hevc" && s.CodecTag != "hvc1" {
						t.Errorf("hevc tagged %q, want hvc1", s.CodecTag)
					}
				}
			},
		},
		{
			name: "5.1: AAC stereo downmix and E-AC-3 5.1",
			gen: func(t *testing.T, dir string) string {
				return mediatest.Generate(t, dir, "surround.mp4", slices.Concat(testsrc, sine(2, ""), x264,
					[]string{"-c:a", "aac", "-ac", "6", "-metadata:s:a:0", "language=deu", "-shortest"})...)
			},
			rungs: []ladder.Rung{rung("180p", 320, 180, ladder.H264, 300)},
			audio: stereoAndSurround,
			wantAudio: []audioWant{
				{"audio-deu-aac.mp4", "aac", 2, "deu"},
				{"audio-deu-eac3.mp4", "eac3", 6, "deu"},
			},
		},
		{
			name: "no audio",
			gen: func(t *testing.T, dir string) string {
				return mediatest.Generate(t, dir, "silent.mp4", slices.Concat(testsrc, x264)...)
			},
			rungs: []ladder.Rung{rung("180p", 320, 180, ladder.H264, 300)},
		},
		{
			// The picture shows a white top-left quarter on black, upright
			// in a 180x320 portrait frame; the file stores it turned a
			// quarter counter-clockwise (320x180) with a display matrix
			// that turns it back, as a phone held upright does.
			name: "rotated phone video",
			gen: func(t *testing.T, dir string) string {
				stored := mediatest.Generate(t, dir, "stored.mp4", "-f", "lavfi", "-i",
					"color=c=black:size=180x320:rate=25:duration=2,drawbox=x=0:y=0:w=90:h=160:color=white:t=fill,transpose=cclock",
					"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
				return mediatest.Generate(t, dir, "rotated.mp4", "-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=270")
			},
			rungs: []ladder.Rung{rung("320p", 180, 320, ladder.H264, 300), rung("160p", 90, 160, ladder.H264, 100)},
			check: func(t *testing.T, res *encode.Result, pr *encode.Probe) {
				if pr.Video[0].Rotation != 90 {
					t.Fatalf("source rotation %d, want 90", pr.Video[0].Rotation)
				}
				isUpright := func(name string, c []byte) {
					t.Helper()
					if c[0] < 200 || c[1] > 60 || c[2] > 60 || c[3] > 60 {
						t.Errorf("%s corners TL TR BL BR = %v, want white top-left only", name, c)
					}
				}
				isUpright("source as ffmpeg shows it", corners(t, pr.Path))
				for _, v := range res.Video {
					isUpright(v.Rung.Name, corners(t, v.Path))
				}
			},
		},
		{
			name: "two languages, one twice, stereo only: no E-AC-3, no upmix",
			gen: func(t *testing.T, dir string) string {
				return mediatest.Generate(t, dir, "langs.mkv", slices.Concat(testsrc,
					sine(2, ",aformat=channel_layouts=stereo"), sine(2, ",aformat=channel_layouts=stereo"), sine(2, ""),
					[]string{"-map", "0", "-map", "1", "-map", "2", "-map", "3"}, x264,
					[]string{"-c:a", "aac", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra",
						"-metadata:s:a:2", "language=eng"})...)
			},
			rungs: []ladder.Rung{rung("180p", 320, 180, ladder.H264, 300)},
			audio: stereoAndSurround,
			wantAudio: []audioWant{
				{"audio-eng-aac.mp4", "aac", 2, "eng"},
				{"audio-fra-aac.mp4", "aac", 2, "fra"},
				{"audio-eng-aac-2.mp4", "aac", 1, "eng"},
			},
		},
		{
			name: "audio starting late is padded to start at 0",
			gen: func(t *testing.T, dir string) string {
				return mediatest.Generate(t, dir, "late.mp4", slices.Concat(testsrc, []string{"-itsoffset", "0.5"},
					sine(1.5, ""), x264, []string{"-c:a", "aac"})...)
			},
			rungs:     []ladder.Rung{rung("180p", 320, 180, ladder.H264, 300)},
			wantAudio: []audioWant{{"audio-und-aac.mp4", "aac", 1, "und"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireFFmpeg(t)
			dir := t.TempDir()
			src := tc.gen(t, dir)
			pr := probe(t, src)
			out := filepath.Join(dir, "out")
			if err := os.Mkdir(out, 0o755); err != nil {
				t.Fatal(err)
			}
			res, err := encode.Run(context.Background(), &encode.ExecRunner{}, encode.Config{
				Input: src, Probe: pr, Video: tc.rungs, Audio: tc.audio, OutDir: out,
				SegmentDuration: time.Second, Preset: "ultrafast",
			})
			if err != nil {
				t.Fatal(err)
			}
			srcDur := pr.Duration.Seconds()
			for i, v := range res.Video {
				want := tc.rungs[i]
				fi := info(t, v.Path)
				s := fi.Streams[0]
				if s.Width != want.Width || s.Height != want.Height || s.SAR != "1:1" || rotation(s) != 0 {
					t.Errorf("%s: %dx%d SAR %s rotation %v, want %dx%d SAR 1:1 and no rotation",
						want.Name, s.Width, s.Height, s.SAR, rotation(s), want.Width, want.Height)
				}
				if s.AvgFrameRate != "25/1" || s.RFrameRate != "25/1" {
					t.Errorf("%s: frame rate %s (average %s), want 25/1", want.Name, s.RFrameRate, s.AvgFrameRate)
				}
				dur := atof(t, fi.Format.Duration)
				if math.Abs(dur-srcDur) > 0.04+1e-6 {
					t.Errorf("%s: duration %.3f s, want %.3f s within a frame", want.Name, dur, srcDur)
				}
				// One keyframe a second (SegmentDuration), up to the last
				// frame: a source whose video starts a little late (AAC
				// priming in Matroska) is padded to start at 0 and may end
				// with a frame at 2 s.
				var wantKeys []float64
				for k := 0.0; k < dur-0.02; k++ {
					wantKeys = append(wantKeys, k)
				}
				if got := keyframes(t, v.Path); !slices.Equal(got, wantKeys) {
					t.Errorf("%s: keyframes at %v s, want %v", want.Name, got, wantKeys)
				}
			}
			var gotAudio []audioWant
			for _, a := range res.Audio {
				fi := info(t, a.Path)
				s := fi.Streams[0]
				gotAudio = append(gotAudio, audioWant{a.File, s.CodecName, s.Channels, s.Tags["language"]})
				if start := atof(t, s.StartTime); start != 0 {
					t.Errorf("%s starts at %v s, want 0", a.File, start)
				}
				if dur := atof(t, fi.Format.Duration); math.Abs(dur-srcDur) > 0.05 {
					t.Errorf("%s: duration %.3f s, want %.3f s", a.File, dur, srcDur)
				}
				if s.SampleRate != "48000" || a.Channels != s.Channels {
					t.Errorf("%s: %s Hz %d channels, want 48000 Hz and %d", a.File, s.SampleRate, s.Channels, a.Channels)
				}
			}
			if diff := cmp.Diff(tc.wantAudio, gotAudio); diff != "" {
				t.Errorf("audio outputs (-want +got):\n%s", diff)
			}
			if tc.check != nil {
				tc.check(t, res, pr)
			}
		})
	}
}
