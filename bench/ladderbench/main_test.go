package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"-o", "x", "-clips", "bars,noise", "-hull-crfs", "18,30", "-vmaf-model", "m.pkl"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.out != "x" || o.preset != "medium" || len(o.only) != 2 || len(o.hullCRFs) != 2 || o.hullCRFs[1] != 30 || o.vmafModel != "m.pkl" {
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
	for _, want := range []string{"| a | check | -45.0%", "| check | 2 | -32.5%", "(met)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("markdown has no %q:\n%s", want, md)
		}
	}
}
