package encode_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/ladder"
)

// cutClip is 2 s of testsrc2 then 2 s of colour bars: one scene cut at 2 s.
func cutClip(t *testing.T, dir string) string {
	t.Helper()
	return mediatest.Generate(t, dir, "cut.mp4",
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2",
		"-f", "lavfi", "-i", "smptebars=size=320x180:rate=25:duration=2",
		"-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
		"-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p")
}

func newTrials(t *testing.T, input string, m encode.Metric) *encode.Trials {
	t.Helper()
	r := encode.NewExecRunner(nil)
	p, err := encode.ProbeFile(context.Background(), r, input)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := encode.NewTrials(r, encode.TrialConfig{Input: input, Probe: p, Metric: m, WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func TestTrialsScan(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	tr := newTrials(t, cutClip(t, t.TempDir()), encode.NewPSNR(encode.NewExecRunner(nil)))
	s, err := tr.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Frames) != 100 || s.Duration < 3900*time.Millisecond || s.Duration > 4100*time.Millisecond {
		t.Fatalf("scan: %d frames, %v; want 100 frames, 4 s", len(s.Frames), s.Duration)
	}
	var cut time.Duration
	for _, f := range s.Frames {
		if f.Scene >= 10 {
			cut = f.Time
		}
		if f.SI <= 0 {
			t.Fatalf("frame at %v: SI %g", f.Time, f.SI)
		}
	}
	if cut != 2*time.Second {
		t.Errorf("scene cut at %v, want 2s", cut)
	}
	if w := ladder.PickWindows(s, ladder.WindowOptions{}); len(w) != 1 || w[0].Start+w[0].Duration > 4*time.Second {
		t.Errorf("windows %v", w)
	}
}

func TestTrialsEncode(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	tr := newTrials(t, cutClip(t, t.TempDir()), encode.NewPSNR(encode.NewExecRunner(nil)))
	windows := []ladder.Window{{Start: 0, Duration: time.Second}, {Start: 2 * time.Second, Duration: time.Second}}
	trials := []ladder.Trial{
		{Width: 320, Height: 180, Codec: ladder.H264, CRF: 18},
		{Width: 320, Height: 180, Codec: ladder.H264, CRF: 34},
		{Width: 160, Height: 90, Codec: ladder.H264, CRF: 34, FrameRate: ladder.Rate{Num: 25, Den: 2}},
		{Width: 320, Height: 180, Codec: ladder.H264, CRF: 34, Preset: "medium"},
	}
	pts, err := tr.Encode(context.Background(), windows, trials)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != len(trials) {
		t.Fatalf("%d points for %d trials", len(pts), len(trials))
	}
	for i, p := range pts {
		t.Logf("%dx%d@%s crf %g %s: %.0f kbit/s, %.2f dB", p.Width, p.Height, p.FrameRate, p.CRF, p.Preset, p.BitrateKbps, p.Quality)
		if p.BitrateKbps <= 0 || p.Quality < 15 || p.Quality > 100 {
			t.Errorf("trial %d: %+v", i, p)
		}
	}
	if pts[0].Preset != encode.DefaultProbePreset || pts[3].Preset != "medium" {
		t.Errorf("presets %q, %q", pts[0].Preset, pts[3].Preset)
	}
	if !(pts[0].BitrateKbps > pts[1].BitrateKbps && pts[0].Quality > pts[1].Quality) {
		t.Errorf("crf 18 (%.0f kbit/s, %.2f dB) not above crf 34 (%.0f, %.2f)", pts[0].BitrateKbps, pts[0].Quality, pts[1].BitrateKbps, pts[1].Quality)
	}
	if pts[2].Quality >= pts[1].Quality {
		t.Errorf("half size, half rate scored %.2f dB, full size %.2f: scaled up it must lose detail", pts[2].Quality, pts[1].Quality)
	}
	// The sample is cut once: a second batch reuses it.
	if _, err := tr.Encode(context.Background(), windows, trials[:1]); err != nil {
		t.Fatal(err)
	}
}

// vmafTools returns the libvmaf ffmpeg fetched by scripts/setup-vmaf.sh and
// the shared model, or skips (fails with VPACK_REQUIRE_VMAF=1).
func vmafTools(t *testing.T) (ffmpeg, model string) {
	t.Helper()
	dir, _ := os.Getwd()
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
	}
	ffmpeg = filepath.Join(dir, ".cache", "vmaf-ffmpeg", "ffmpeg")
	shared := os.Getenv("VPACK_SHARED")
	if shared == "" {
		shared = filepath.Join(filepath.Dir(dir), "shared")
	}
	model = filepath.Join(shared, "vmaf", "vmaf_v0.6.1.pkl")
	for _, p := range []string{ffmpeg, model} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("VPACK_REQUIRE_VMAF") == "1" {
				t.Fatalf("VPACK_REQUIRE_VMAF=1 but %s is missing (scripts/setup-vmaf.sh)", p)
			}
			t.Skipf("%s missing: run scripts/setup-vmaf.sh", p)
		}
	}
	return ffmpeg, model
}

func TestVMAF(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	ctx := context.Background()
	// Debian's ffmpeg has no libvmaf: a clear error, not a crash.
	if _, err := encode.FindVMAF(ctx, encode.NewExecRunner(nil), ""); !errors.Is(err, encode.ErrVMAFUnavailable) {
		t.Logf("ffmpeg on PATH: FindVMAF err = %v (has libvmaf?)", err)
	}
	ffmpeg, model := vmafTools(t)
	vr := &encode.ExecRunner{FFmpegPath: ffmpeg}
	if _, err := encode.FindVMAF(ctx, vr, ""); !errors.Is(err, encode.ErrVMAFUnavailable) {
		t.Errorf("libvmaf 1.3 without a model: err = %v, want ErrVMAFUnavailable", err)
	}
	if _, err := encode.FindVMAF(ctx, vr, filepath.Join(t.TempDir(), "missing.pkl")); !errors.Is(err, encode.ErrVMAFUnavailable) {
		t.Errorf("missing model: err = %v, want ErrVMAFUnavailable", err)
	}
	vc, err := encode.FindVMAF(ctx, vr, model)
	if err != nil {
		t.Fatal(err)
	}
	tr := newTrials(t, cutClip(t, t.TempDir()), encode.NewVMAF(*vc))
	pts, err := tr.Encode(ctx, []ladder.Window{{Start: 0, Duration: time.Second}}, []ladder.Trial{
		{Width: 320, Height: 180, Codec: ladder.H264, CRF: 16},
		{Width: 160, Height: 90, Codec: ladder.H264, CRF: 40},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("vmaf: crf 16 %.2f, 90p crf 40 %.2f", pts[0].Quality, pts[1].Quality)
	if pts[0].Quality < 80 || pts[1].Quality >= pts[0].Quality {
		t.Errorf("vmaf %.2f (crf 16) and %.2f (90p crf 40): want the first high and above the second", pts[0].Quality, pts[1].Quality)
	}
}

func TestVMAFFrames(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	ffmpeg, model := vmafTools(t)
	ctx := context.Background()
	dir := t.TempDir()
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	ref := filepath.Join(dir, "ref.nut")
	run("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2.4",
		"-pix_fmt", "yuv420p", "-c:v", "rawvideo", "-f", "nut", ref)
	dist := []encode.ScoreInput{
		{Path: filepath.Join(dir, "a.h264"), Format: "h264"},
		{Path: filepath.Join(dir, "b.h264"), Format: "h264"},
		{Path: filepath.Join(dir, "short.h264"), Format: "h264"},
	}
	run("ffmpeg", "-hide_banner", "-loglevel", "error", "-i", ref, "-c:v", "libx264", "-crf", "30", dist[0].Path)
	run("ffmpeg", "-hide_banner", "-loglevel", "error", "-i", ref, "-vf", "scale=160:90", "-c:v", "libx264", "-crf", "36", dist[1].Path)
	run("ffmpeg", "-hide_banner", "-loglevel", "error", "-i", ref, "-frames:v", "30", "-c:v", "libx264", "-crf", "30", dist[2].Path)

	// What libvmaf says of every frame, one run per video.
	perFrame := func(d encode.ScoreInput) []float64 {
		t.Helper()
		logPath := filepath.Join(dir, "all.json")
		run(ffmpeg, "-hide_banner", "-loglevel", "error", "-i", ref, "-f", "h264", "-framerate", "25", "-i", d.Path, "-filter_complex",
			"[0:v]settb=AVTB,setpts=N/(25)/TB[r];[1:v]settb=AVTB,setpts=N/(25)/TB,scale=320:180:flags=bicubic,setsar=1,format=yuv420p[d];"+
				"[d][r]libvmaf=log_fmt=json:n_threads=1:model_path="+model+":log_path="+logPath, "-f", "null", "-")
		b, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		var log struct {
			Frames []struct {
				Metrics map[string]float64 `json:"metrics"`
			} `json:"frames"`
		}
		if err := json.Unmarshal(b, &log); err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, f := range log.Frames {
			out = append(out, f.Metrics["vmaf"])
		}
		return out
	}
	frames := encode.ScoreFrames(60, 3)
	if len(frames) != 3 || frames[0] != 10 || frames[2] != 50 {
		t.Fatalf("ScoreFrames(60, 3) = %v, want [10 30 50]", frames)
	}
	m := encode.NewVMAF(encode.VMAFConfig{Runner: &encode.ExecRunner{FFmpegPath: ffmpeg}, Model: model})
	req := encode.ScoreRequest{Reference: ref, Width: 320, Height: 180, FrameRate: ladder.Rate{Num: 25, Den: 1},
		Frames: frames, StatsDir: dir}
	req.Distorted = dist[:2]
	got, err := m.Score(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range dist[:2] {
		all := perFrame(d)
		want := (all[10] + all[30] + all[50]) / 3
		if math.Abs(got[i]-want) > 1e-3 {
			t.Errorf("%s: %.4f with the frames and their neighbours, want %.4f (frames 10, 30, 50 of a full run)", filepath.Base(d.Path), got[i], want)
		}
	}
	// A distorted video shorter than the frames asked for is scored the
	// slow way rather than misread.
	req.Distorted = dist[1:]
	got2, err := m.Score(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got2[0]-got[1]) < 1e-9 || !(got2[1] > 0) {
		t.Errorf("with a short video: %v, want the slow way's means (not %g) and a score for the short one", got2, got[1])
	}
}

func TestScoreFrames(t *testing.T) {
	for n := 0; n < 200; n++ {
		for want := 1; want < 15; want++ {
			fs := encode.ScoreFrames(n, want)
			if n < 3 {
				if fs != nil {
					t.Errorf("ScoreFrames(%d, %d) = %v, want nil", n, want, fs)
				}
				continue
			}
			if len(fs) != min(want, n/3) {
				t.Errorf("ScoreFrames(%d, %d) = %v: want %d frames", n, want, fs, min(want, n/3))
			}
			for i, f := range fs {
				if f < 1 || f > n-2 || (i > 0 && f-fs[i-1] < 3) {
					t.Errorf("ScoreFrames(%d, %d) = %v: frame %d not inside or too close", n, want, fs, f)
				}
			}
		}
	}
}
