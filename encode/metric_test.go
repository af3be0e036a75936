package encode

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/vpack-dev/vpack/ladder"
)

func TestParseStats(t *testing.T) {
	psnr := []byte("n:1 mse_avg:1.00 mse_y:2.00 mse_u:0.50 mse_v:0.50 psnr_avg:48.13 psnr_y:45.12 psnr_u:51.14 psnr_v:51.14\n" +
		"n:2 mse_avg:1.00 mse_y:4.00 mse_u:0.50 mse_v:0.50 psnr_avg:48.13 psnr_y:42.11 psnr_u:51.14 psnr_v:51.14\n")
	got, err := parseStats(ladder.MetricPSNR, psnr)
	if err != nil {
		t.Fatal(err)
	}
	if want := 10 * math.Log10(255*255/3.0); math.Abs(got-want) > 1e-9 {
		t.Errorf("psnr = %g, want %g (PSNR of the mean MSE)", got, want)
	}
	same, err := parseStats(ladder.MetricPSNR, []byte("n:1 mse_avg:0.00 mse_y:0.00 psnr_y:inf\n"))
	if err != nil || same != 100 {
		t.Errorf("identical pictures: %g, %v; want 100 dB", same, err)
	}
	ssim := []byte("n:1 Y:0.990000 U:0.995000 V:0.995000 All:0.992000 (20.969100)\nn:2 Y:0.970000 U:0.99 V:0.99 All:0.980000 (16.9)\n")
	got, err = parseStats(ladder.MetricSSIM, ssim)
	if err != nil || math.Abs(got-0.986) > 1e-9 {
		t.Errorf("ssim = %g, %v; want 0.986", got, err)
	}
	for _, bad := range []string{"", "garbage\n", "n:1 mse_y:abc\n"} {
		if _, err := parseStats(ladder.MetricPSNR, []byte(bad)); err == nil {
			t.Errorf("parseStats(%q): no error", bad)
		}
	}
}

func TestParseVMAFLog(t *testing.T) {
	// libvmaf 1.3 (the static ffmpeg) and 2.x both list frames with metrics.
	v1 := `{"version":"1.3.7","params":{"model":"vmaf_v0.6.1.pkl"},"metrics":["vmaf"],
	  "frames":[{"frameNum":0,"metrics":{"adm2":0.98,"vmaf":90.0}},{"frameNum":5,"metrics":{"vmaf":94.0}}]}`
	got, err := parseVMAFLog([]byte(v1))
	if err != nil || got != 92 {
		t.Errorf("libvmaf 1.3 log: %g, %v; want 92", got, err)
	}
	v2 := `{"version":"2.3.1","frames":[{"frameNum":0,"metrics":{"integer_adm2":0.9,"vmaf":80.5}}],
	  "pooled_metrics":{"vmaf":{"mean":80.5}}}`
	if got, err := parseVMAFLog([]byte(v2)); err != nil || got != 80.5 {
		t.Errorf("libvmaf 2 log: %g, %v; want 80.5", got, err)
	}
	for _, bad := range []string{"", "{", `{"frames":[]}`, `{"frames":[{"metrics":{"psnr":40}}]}`} {
		if _, err := parseVMAFLog([]byte(bad)); err == nil {
			t.Errorf("parseVMAFLog(%q): no error", bad)
		}
	}
}

func TestEscapeFilterValue(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/a/vmaf-0.log":      "/tmp/a/vmaf-0.log",
		`C:\x`:                   `C\\:\\\\x`,
		"/a,b;c[d]/it's:e.log":   `/a\,b\;c\[d\]/it\\\'s\\:e.log`,
		"/usr/share/vmaf_v0.pkl": "/usr/share/vmaf_v0.pkl",
	} {
		if got := escapeFilterValue(in); got != want {
			t.Errorf("escapeFilterValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewMetric(t *testing.T) {
	for _, name := range []string{ladder.MetricPSNR, ladder.MetricSSIM} {
		m, err := NewMetric(name, nil, nil)
		if err != nil || m.Name() != name || m.ID() != name {
			t.Errorf("NewMetric(%q) = %v, %v", name, m, err)
		}
	}
	if _, err := NewMetric(ladder.MetricVMAF, nil, nil); err == nil {
		t.Error("vmaf without a configuration: no error")
	}
	if _, err := NewMetric("butteraugli", nil, nil); err == nil {
		t.Error("unknown metric: no error")
	}
}

func TestVMAFFramesChecks(t *testing.T) {
	m := NewVMAF(VMAFConfig{}) // no runner: the checks fail before ffmpeg would run
	for _, frames := range [][]int{{0, 5}, {4, 6}, {9, 3}} {
		_, err := m.Score(context.Background(), ScoreRequest{Reference: "r.nut", Width: 2, Height: 2, FrameRate: ladder.Rate{Num: 25, Den: 1},
			Distorted: []ScoreInput{{Path: "d.h264"}}, Frames: frames})
		if err == nil || !strings.Contains(err.Error(), "at least 3 apart") {
			t.Errorf("frames %v: err = %v", frames, err)
		}
	}
	// vmafFrames returns the frames in order, whatever order the log has.
	got, err := vmafFrames([]byte(`{"frames":[{"frameNum":3,"metrics":{"vmaf":2}},{"frameNum":0,"metrics":{"vmaf":1}}]}`))
	if err != nil || len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("vmafFrames = %v, %v; want [1 2]", got, err)
	}
}
