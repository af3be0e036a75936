package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/ladder"
	"github.com/vpack-dev/vpack/pipeline"
)

// Per-title tests on generated clips. PSNR keeps them on the ffmpeg on
// PATH; the pictures are small (640x360 at most, 1-3 s), so the whole file
// runs in well under a minute on a quiet 2-core machine.

func perTitleOpts() pipeline.PerTitleOptions {
	return pipeline.PerTitleOptions{Metric: ladder.MetricPSNR, TopQuality: 42, NoCache: true}
}

func buildLadder(t *testing.T, input string, o pipeline.PerTitleOptions) *pipeline.LadderResult {
	t.Helper()
	res, err := pipeline.Ladder(context.Background(), encode.NewExecRunner(nil), pipeline.LadderConfig{
		Input: input, Preset: "veryfast", PerTitle: o,
	})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Ladder
	if len(l.Video) == 0 || l.Analysis == nil || l.Analysis.Trials == 0 {
		t.Fatalf("ladder %+v", l)
	}
	for i, r := range l.Video {
		t.Logf("%s %dx%d crf %g %d kbit/s", r.Name, r.Width, r.Height, r.CRF, r.BitrateKbps)
		if i > 0 && r.BitrateKbps >= l.Video[i-1].BitrateKbps {
			t.Errorf("rung %d: %d kbit/s not below rung %d's %d: rungs must be strictly increasing in bit rate",
				i, r.BitrateKbps, i-1, l.Video[i-1].BitrateKbps)
		}
	}
	return res
}

func TestPerTitleEasyVsHard(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	enc := []string{"-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", "-pix_fmt", "yuv420p"}
	easy := mediatest.Generate(t, dir, "slides.mp4", append([]string{"-f", "lavfi", "-i",
		"testsrc=size=640x360:rate=1:duration=3,fps=25"}, enc...)...)
	hard := mediatest.Generate(t, dir, "noise.mp4", append([]string{"-f", "lavfi", "-i",
		"testsrc2=size=640x360:rate=25:duration=3,noise=alls=25:allf=t+u"}, enc...)...)
	e := buildLadder(t, easy, perTitleOpts()).Ladder
	h := buildLadder(t, hard, perTitleOpts()).Ladder
	if e.Video[0].BitrateKbps >= h.Video[0].BitrateKbps {
		t.Errorf("easy clip's top rung %d kbit/s, hard clip's %d: want the easy one lower at the same target",
			e.Video[0].BitrateKbps, h.Video[0].BitrateKbps)
	}
}

func TestPerTitleBadInput(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	enc := []string{"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"}
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, l ladder.Ladder)
	}{
		{
			name: "one second",
			args: append([]string{"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=1"}, enc...),
		},
		{
			name: "still image",
			args: append([]string{"-f", "lavfi", "-i", "smptebars=size=640x360:rate=25", "-frames:v", "1"}, enc...),
		},
		{
			name: "smaller than the smallest rung",
			args: append([]string{"-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2"}, enc...),
			check: func(t *testing.T, l ladder.Ladder) {
				for _, r := range l.Video {
					if r.Width != 160 || r.Height != 90 {
						t.Errorf("rung %dx%d: want the source's 160x90, never upscaled", r.Width, r.Height)
					}
				}
			},
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := mediatest.Generate(t, dir, filepath.Base(t.Name())+string(rune('a'+i))+".mp4", tc.args...)
			res := buildLadder(t, in, perTitleOpts())
			if tc.check != nil {
				tc.check(t, res.Ladder)
			}
		})
	}
}

func TestEncodeAuto(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	in := mediatest.Clip(t, dir, "2")
	out := filepath.Join(dir, "out")
	cache := filepath.Join(dir, "cache")
	cfg := pipeline.EncodeConfig{
		Input: in, Output: out, Ladder: ladder.AutoName, Preset: "ultrafast",
		PerTitle: pipeline.PerTitleOptions{Metric: ladder.MetricPSNR, CacheDir: cache},
	}
	res, err := pipeline.Encode(context.Background(), encode.NewExecRunner(nil), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ladder.Analysis == nil || len(res.Encode.Video) != len(res.Ladder.Video) {
		t.Fatalf("ladder %+v, %d renditions", res.Ladder, len(res.Encode.Video))
	}
	for _, m := range []string{"master.m3u8", "manifest.mpd"} {
		if _, err := os.Stat(filepath.Join(out, m)); err != nil {
			t.Error(err)
		}
	}
	for _, v := range res.Encode.Video {
		if v.Rung.CRF <= 0 || v.Rung.MaxrateKbps > 2*v.Rung.BitrateKbps {
			t.Errorf("rendition %s: crf %g, peak %d for %d average: want capped CRF, peak <= 2x", v.Rung.Name, v.Rung.CRF, v.Rung.MaxrateKbps, v.Rung.BitrateKbps)
		}
	}
	// A second run reads every trial from the cache.
	cfg.Force = true
	lr, err := pipeline.Ladder(context.Background(), encode.NewExecRunner(nil), pipeline.LadderConfig{
		Input: in, Preset: "ultrafast", PerTitle: cfg.PerTitle})
	if err != nil {
		t.Fatal(err)
	}
	if lr.CacheMisses != 0 || lr.CacheHits == 0 {
		t.Errorf("second analysis: %d hits, %d misses; want all hits", lr.CacheHits, lr.CacheMisses)
	}
}

func TestPerTitleVMAFMissing(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	in := mediatest.Clip(t, t.TempDir(), "1")
	_, err := pipeline.Ladder(context.Background(), encode.NewExecRunner(nil), pipeline.LadderConfig{
		Input: in, PerTitle: pipeline.PerTitleOptions{Metric: ladder.MetricVMAF, NoCache: true,
			VMAFFFmpeg: filepath.Join(t.TempDir(), "no-such-ffmpeg")},
	})
	if !errors.Is(err, encode.ErrVMAFUnavailable) && !errors.Is(err, encode.ErrToolMissing) {
		t.Errorf("err = %v, want a clear 'vmaf is not available'", err)
	}
}
