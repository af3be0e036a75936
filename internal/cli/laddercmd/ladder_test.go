package laddercmd

import (
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/ladder"
)

func TestNewCmdLadder(t *testing.T) {
	defaults := LadderOptions{Input: "movie.mov", Codec: "h264", Preset: "medium", ProbePreset: "veryfast",
		Metric: "auto", MinKbps: 150, MaxKbps: 8000, MaxRungs: 8}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(o *LadderOptions)
		wantErr string
	}{
		{name: "defaults", args: []string{"movie.mov"}},
		{
			name: "everything",
			args: []string{"movie.mov", "-o", "l.json", "--report", "l.svg", "--codec", "hevc", "--max-rungs", "6",
				"--min-kbps", "200", "--max-kbps", "6000", "--top-quality", "45dB", "--metric", "psnr", "--preset", "slow",
				"--probe-preset", "ultrafast", "--cache-dir", "c", "--no-cache"},
			want: func(o *LadderOptions) {
				o.Output, o.Report, o.Codec, o.MaxRungs, o.MinKbps, o.MaxKbps = "l.json", "l.svg", "hevc", 6, 200, 6000
				o.TopQuality, o.Metric, o.Preset, o.ProbePreset, o.CacheDir, o.NoCache = "45dB", "psnr", "slow", "ultrafast", "c", true
			},
		},
		{
			name: "vmaf from the environment",
			args: []string{"movie.mov", "--metric", "vmaf", "--top-quality", "93"},
			env:  map[string]string{"VPACK_VMAF_FFMPEG": "/opt/ffmpeg", "VPACK_VMAF_MODEL": "/opt/vmaf.pkl"},
			want: func(o *LadderOptions) {
				o.Metric, o.TopQuality, o.VMAFFFmpeg, o.VMAFModel = "vmaf", "93", "/opt/ffmpeg", "/opt/vmaf.pkl"
			},
		},
		{name: "bad codec", args: []string{"m.mov", "--codec", "vp9"}, wantErr: `--codec must be h264, hevc or av1, not "vp9"`},
		{name: "bad metric", args: []string{"m.mov", "--metric", "butteraugli"}, wantErr: "--metric must be auto, vmaf, psnr or ssim"},
		{name: "dB for vmaf", args: []string{"m.mov", "--metric", "vmaf", "--top-quality", "45dB"}, wantErr: "only --metric psnr"},
		{name: "ssim above 1", args: []string{"m.mov", "--metric", "ssim", "--top-quality", "95"}, wantErr: "SSIM is between 0 and 1"},
		{name: "not a number", args: []string{"m.mov", "--top-quality", "high"}, wantErr: "not a positive number"},
		{name: "max below min", args: []string{"m.mov", "--min-kbps", "500", "--max-kbps", "300"}, wantErr: "--max-kbps must be 0"},
		{name: "rungs", args: []string{"m.mov", "--max-rungs", "0"}, wantErr: "--max-rungs must be between 1 and 20"},
		{name: "png report", args: []string{"movie.mov", "--report", "L.PNG"}, want: func(o *LadderOptions) { o.Report = "L.PNG" }},
		{name: "gif report", args: []string{"m.mov", "--report", "l.gif"}, wantErr: "--report must name an .svg or .png file"},
		{name: "output is input", args: []string{"m.mov", "-o", "m.mov"}, wantErr: "--output must not be the input"},
		{name: "bad preset", args: []string{"m.mov", "--probe-preset", "warp"}, wantErr: "--probe-preset must be one of"},
		{name: "no input", args: []string{}, wantErr: "expected one input file, got 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("VPACK_VMAF_FFMPEG", tc.env["VPACK_VMAF_FFMPEG"])
			t.Setenv("VPACK_VMAF_MODEL", tc.env["VPACK_VMAF_MODEL"])
			ios, _, _, _ := cmdutil.Test()
			f := cmdutil.New(ios)
			var got *LadderOptions
			cmd := NewCmdLadder(f, func(_ context.Context, o *LadderOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tc.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a FlagError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := defaults
			if tc.want != nil {
				tc.want(&want)
			}
			if diff := cmp.Diff(want, *got, cmpopts.IgnoreFields(LadderOptions{}, "IO", "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseQuality(t *testing.T) {
	for _, tc := range []struct {
		in, metric string
		want       float64
	}{{"", "vmaf", 0}, {"95", "vmaf", 95}, {"45dB", "psnr", 45}, {"44.5 db", "psnr", 44.5}, {"0.985", "ssim", 0.985}, {"93", "auto", 93}} {
		got, err := ParseQuality(tc.in, tc.metric)
		if err != nil || got != tc.want {
			t.Errorf("ParseQuality(%q, %q) = %g, %v; want %g", tc.in, tc.metric, got, err, tc.want)
		}
	}
}

func TestLadderRun(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	in := mediatest.Clip(t, dir, "2")
	out := filepath.Join(dir, "ladder.json")
	report := filepath.Join(dir, "ladder.svg")

	ios, _, stdout, stderr := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Flags.Quiet = true
	cmd := NewCmdLadder(f, nil)
	cmd.SetArgs([]string{in, "-o", out, "--report", report, "--metric", "psnr", "--top-quality", "40dB",
		"--preset", "veryfast", "--no-cache"})
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if want := out + "\n" + report + "\n"; stdout.String() != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	l, err := ladder.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if l.Analysis == nil || len(l.Analysis.Points) == 0 || len(l.Analysis.Hull) == 0 || len(l.Video) == 0 {
		t.Errorf("ladder file without its analysis: %+v", l)
	}
	if l.Video[0].CRF <= 0 || l.Analysis.Metric != ladder.MetricPSNR {
		t.Errorf("rung %+v, metric %q", l.Video[0], l.Analysis.Metric)
	}
	svg, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "convex hull", "chosen rung", "320x180", "</svg>"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("report has no %q", want)
		}
	}

	// Without -o the ladder goes to stdout; a .png report is a picture.
	stdout.Reset()
	pngReport := filepath.Join(dir, "ladder.png")
	cmd = NewCmdLadder(f, nil)
	cmd.SetArgs([]string{in, "--metric", "psnr", "--top-quality", "40dB", "--preset", "veryfast", "--no-cache", "--report", pngReport})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := ladder.Parse(strings.NewReader(stdout.String()), "stdout"); err != nil {
		t.Errorf("stdout is not a ladder file: %v\n%s", err, stdout)
	}
	pic, err := os.Open(pngReport)
	if err != nil {
		t.Fatal(err)
	}
	defer pic.Close()
	if cfg, err := png.DecodeConfig(pic); err != nil || cfg.Width != 960 || cfg.Height != 600 {
		t.Errorf("png report: %+v, %v; want a 960x600 PNG", cfg, err)
	}
}
