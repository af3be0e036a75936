package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/ladder"
)

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"-o", "x", "-clips", "bars,noise", "-hull-crfs", "18,30", "-vmaf-model", "m.pkl"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.out != "x" || o.preset != "medium" || len(o.only) != 2 || len(o.hullCRFs) != 2 || o.hullCRFs[1] != 30 || o.vmafModel != "m.pkl" ||
		o.maxKbps != 8000 {
		t.Errorf("options %+v", o)
	}
	for _, bad := range [][]string{{"-clips", "nope"}, {"-hull-crfs", "x"}, {"-seconds", "1"}, {"-bogus"}} {
		if _, err := parseOptions(bad, io.Discard); err == nil {
			t.Errorf("parseOptions(%v): no error", bad)
		}
	}
}

func TestClipsSplit(t *testing.T) {
	sets := map[string]int{}
	names := map[string]bool{}
	for _, c := range clips {
		sets[c.Set]++
		if names[c.Name] {
			t.Errorf("clip %s twice", c.Name)
		}
		names[c.Name] = true
		if !strings.Contains(c.Lavfi, "%d") {
			t.Errorf("clip %s: no duration in %q", c.Name, c.Lavfi)
		}
	}
	if len(clips) < 10 || sets["tuning"] == 0 || sets["check"] <= sets["tuning"] {
		t.Errorf("clips %v: want >= 10, a tuning set and a larger check set", sets)
	}
}

func TestSummariseAndReport(t *testing.T) {
	ladderAt := func(scale float64) []rendition {
		return []rendition{{BitrateKbps: 500 * scale, VMAF: 60, PSNR: 30}, {BitrateKbps: 2000 * scale, VMAF: 80, PSNR: 35},
			{BitrateKbps: 8000 * scale, VMAF: 95, PSNR: 40}}
	}
	apple := ladderAt(1)
	rep := &report{Preset: "medium", Seconds: 5, Clips: []clipResult{
		{clip: clip{Name: "a", Set: "check"}, Apple: apple, Vpack: ladderAt(0.55), HullAll: ladderAt(0.55), CPURatio: 1.2, Trials: 9},
		{clip: clip{Name: "b", Set: "check"}, Apple: apple, Vpack: ladderAt(0.8), HullAll: ladderAt(0.78), CPURatio: 1.4, Trials: 11},
		{clip: clip{Name: "c", Set: "tuning"}, Apple: apple, Vpack: ladderAt(1.1), CPURatio: 2, Trials: 10},
		// one rung at VMAF 80 for 1000 kbit/s: half of apple's rate there
		{clip: clip{Name: "d", Set: "tuning"}, Apple: apple, Vpack: []rendition{{BitrateKbps: 1000, VMAF: 80}}, CPURatio: 1, Trials: 9},
	}}
	rep.summarise()
	near := func(p *float64, want float64) bool { return p != nil && *p > want-0.5 && *p < want+0.5 }
	if !near(rep.Check.MedianBDVMAF, -32.5) || !near(rep.Check.WorstBDVMAF, -20) || !near(rep.All.WorstBDVMAF, 10) ||
		!near(rep.Clips[3].BDVMAFvsApple, -50) || rep.Tuning.Clips != 2 {
		t.Errorf("summaries: check %+v, all %+v, one-rung %v", rep.Check, rep.All, rep.Clips[3].BDVMAFvsApple)
	}
	if !rep.Met["median_bd_vmaf_vs_apple"] || !rep.Met["worst_bd_vmaf_vs_apple"] || !rep.Met["bd_vmaf_vs_hull"] || !rep.Met["cpu_ratio"] {
		t.Errorf("targets %v: want all met on the check set", rep.Met)
	}
	dir := t.TempDir()
	if err := writeReport(dir, rep, rep.markdown()); err != nil {
		t.Fatal(err)
	}
	back, err := readReport(filepath.Join(dir, "ladder.json"))
	if err != nil || len(back.Clips) != 4 || !near(back.Check.MedianBDVMAF, -32.5) {
		t.Fatalf("readReport: %+v, %v", back, err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "ladder.md"))
	for _, want := range []string{"| a | check | -45.0%", "| check | 2 | -32.5%", "(met)", "clip by clip: 2 of 2 within)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("markdown has no %q:\n%s", want, md)
		}
	}
}

func TestFrontAndConvexHull(t *testing.T) {
	// A curve that is not concave in log rate (VMAF collapsing): the
	// convex hull jumps from the cheapest to the dearest encodes, the
	// frontier keeps every encode no cheaper one matches.
	grid := []rendition{
		{Name: "a", BitrateKbps: 300, VMAF: 1}, {Name: "b", BitrateKbps: 2000, VMAF: 17}, {Name: "c", BitrateKbps: 5000, VMAF: 44},
		{Name: "d", BitrateKbps: 8000, VMAF: 62}, {Name: "e", BitrateKbps: 10000, VMAF: 94}, {Name: "f", BitrateKbps: 14000, VMAF: 99},
		{Name: "worse", BitrateKbps: 9000, VMAF: 50}, {Name: "same", BitrateKbps: 12000, VMAF: 94},
	}
	names := func(rs []rendition) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Name)
		}
		return strings.Join(s, ",")
	}
	if got := names(frontOf(grid)); got != "a,b,c,d,e,f" {
		t.Errorf("front %s, want a,b,c,d,e,f", got)
	}
	if got := names(hullOf(grid)); got != "a,e,f" {
		t.Errorf("convex hull %s, want a,e,f", got)
	}
	// A ladder made of the frontier's own encodes is 0 % from it, and
	// far "worse" than the convex hull's chords.
	c := clipResult{Apple: grid[:3], Vpack: []rendition{grid[1], grid[2], grid[3], grid[4]}, HullAll: grid}
	c.computeBD()
	if c.BDVMAFvsHull == nil || *c.BDVMAFvsHull > 0.5 || *c.BDVMAFvsHull < -0.5 {
		t.Errorf("vs hull %v, want 0", pct(c.BDVMAFvsHull))
	}
	if c.BDVMAFvsConvex == nil || *c.BDVMAFvsConvex < 20 {
		t.Errorf("vs convex hull %v, want well above 0", pct(c.BDVMAFvsConvex))
	}
	// The vs-hull BD-rate integrates over VMAF 17-94.
	if c.SpanVsHull == nil || *c.SpanVsHull != 77 || spanNote(c.SpanVsHull) != "77.0" {
		t.Errorf("span vs hull %v", spanNote(c.SpanVsHull))
	}
}

func TestSharedSpan(t *testing.T) {
	q := func(r rendition) float64 { return r.VMAF }
	flat := []rendition{{BitrateKbps: 100, VMAF: 92}, {BitrateKbps: 800, VMAF: 95}}
	wide := []rendition{{BitrateKbps: 50, VMAF: 40}, {BitrateKbps: 5000, VMAF: 99}}
	if w := sharedSpan(wide, flat, q); w == nil || *w != 3 || spanNote(w) != "3.0 (ill-conditioned)" {
		t.Errorf("flat ladder: span %v", spanNote(w))
	}
	if w := sharedSpan(wide, []rendition{{VMAF: 120}}, q); w != nil {
		t.Errorf("no overlap: span %v, want none", spanNote(w))
	}
	if w := sharedSpan(nil, flat, q); w != nil {
		t.Errorf("no reference: span %v, want none", spanNote(w))
	}
}

func TestReuseHull(t *testing.T) {
	opts, err := parseOptions([]string{"-hull-crfs", "20,30", "-seconds", "5"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var grid []rendition
	for _, crf := range []float64{20, 30} {
		for _, s := range ladder.AppleSizes(ladder.H264) {
			grid = append(grid, rendition{Width: s.Width, Height: s.Height, CRF: crf, BitrateKbps: 100, VMAF: 50})
		}
	}
	prev := &report{Seconds: 5, Preset: "medium", Eval: evaluation(opts), Clips: []clipResult{
		{clip: clip{Name: "bars", Lavfi: "x"}, HullAll: grid, CPUHull: 42, HullFrom: "old.json"},
		{clip: clip{Name: "noise", Lavfi: "y"}, HullAll: grid[:5]},
	}}
	cr := &clipResult{clip: clip{Name: "bars", Lavfi: "x"}}
	if from, have, lack := findHull([]*report{prev}, cr, opts); from == nil || from.CPUHull != 42 || len(have) != len(grid) || len(lack) != 0 {
		t.Errorf("findHull(bars) = %v, %d renditions, lacking %v; want the whole earlier grid", from, len(have), lack)
	}
	// More CRFs: the earlier grid's, and the rest to encode.
	more := opts
	more.hullCRFs = []float64{20, 25, 30, 35}
	if from, have, lack := findHull([]*report{prev}, cr, more); from == nil || len(have) != len(grid) || fmt.Sprint(lack) != "[25 35]" {
		t.Errorf("findHull(bars, 4 CRFs) = %v, %d renditions, lacking %v; want the grid and [25 35]", from, len(have), lack)
	}
	for _, tc := range []struct {
		name string
		cr   *clipResult
		opts func(*options)
	}{
		{"other source graph", &clipResult{clip: clip{Name: "bars", Lavfi: "z"}}, nil},
		{"no CRF at every size", &clipResult{clip: clip{Name: "noise", Lavfi: "y"}}, nil},
		{"other CRFs", cr, func(o *options) { o.hullCRFs = []float64{22, 32} }},
		{"other preset", cr, func(o *options) { o.preset = "slow" }},
		{"other evaluation", cr, func(o *options) { o.evalSubFrame = 3 }},
	} {
		o := opts
		if tc.opts != nil {
			tc.opts(&o)
		}
		if from, _, lack := findHull([]*report{prev}, tc.cr, o); from != nil || len(lack) != len(o.hullCRFs) {
			t.Errorf("%s: findHull found %+v, lacking %v", tc.name, from, lack)
		}
	}
}

func TestReadReportsMerges(t *testing.T) {
	dir := t.TempDir()
	apple := []rendition{{BitrateKbps: 500, VMAF: 60}, {BitrateKbps: 2000, VMAF: 80}}
	a := &report{Command: "run a", Clips: []clipResult{{clip: clip{Name: "noise", Set: "tuning"}, Apple: apple, Vpack: apple}}}
	b := &report{Command: "run b", Clips: []clipResult{{clip: clip{Name: "bars", Set: "check"}, Apple: apple, Vpack: apple}}}
	for name, r := range map[string]*report{"a": a, "b": b} {
		if err := writeReport(filepath.Join(dir, name), r, ""); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readReports([]string{filepath.Join(dir, "a", "ladder.json"), filepath.Join(dir, "b", "ladder.json")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Clips) != 2 || got.Clips[0].Name != "bars" || got.Clips[1].Name != "noise" || got.Check.Clips != 1 ||
		!strings.Contains(got.Command, "run a") || !strings.Contains(got.Command, "run b") {
		t.Errorf("merged: %d clips (%v), check %d, command %q", len(got.Clips), got.Clips, got.Check.Clips, got.Command)
	}
}

func TestClipsDeterministic(t *testing.T) {
	mediatest.RequireFFmpeg(t) // fails instead of skipping under VPACK_REQUIRE_FFMPEG=1 (CI)
	// Two renders of every clip's first frames are the same picture: a
	// grid reused from an earlier run (-reuse-hull) measured this source.
	for _, c := range clips {
		frames := func() string {
			out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", fmt.Sprintf(c.Lavfi, 1),
				"-frames:v", "3", "-pix_fmt", "yuv420p", "-f", "framemd5", "-").Output()
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			var sums []string
			for _, l := range strings.Split(string(out), "\n") {
				if l != "" && !strings.HasPrefix(l, "#") {
					sums = append(sums, l)
				}
			}
			return strings.Join(sums, "\n")
		}
		if a, b := frames(), frames(); a != b || a == "" {
			t.Errorf("%s: two renders differ (a random source without a seed?)", c.Name)
		}
	}
}
