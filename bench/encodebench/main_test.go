package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMedian(t *testing.T) {
	id := func(f float64) float64 { return f }
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tc := range tests {
		if got := median(tc.in, id); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"-o", "x", "-variants", "vpack", "-runs", "5"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(options{out: "x", preset: "veryfast", runs: 5, seconds: 10, variants: []string{"separate", "vpack"}}, o,
		cmp.AllowUnexported(options{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range [][]string{{"-variants", "nope"}, {"-runs", "0"}, {"-bogus"}} {
		if _, err := parseOptions(bad, io.Discard); err == nil {
			t.Errorf("parseOptions(%q) succeeded", bad)
		}
	}
}

func TestWithOutputOption(t *testing.T) {
	in := []string{"-y", "-i", "in", "-filter_complex", "g", "-map", "[v0]", "-c:v", "libx264", "a.mp4", "-map", "[v1]", "b.mp4"}
	want := []string{"-y", "-g1", "1", "-i", "in", "-filter_complex", "g",
		"-t", "2", "-map", "[v0]", "-c:v", "libx264", "a.mp4", "-t", "2", "-map", "[v1]", "b.mp4"}
	if diff := cmp.Diff(want, withOutputOption(in, "-t", "2", "-g1", "1")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMarkdown(t *testing.T) {
	r := &report{Preset: "veryfast", RunsEach: 1, TargetRatio: 0.8, VpackRatio: 0.5, TargetMet: true, Best: "vpack"}
	r.Variants = []variantResult{
		{Name: "separate", Processes: 5, Runs: []measurement{{10, 20}}, MedianWall: 10, MedianCPU: 20, CPURatio: 1, WallRatio: 1, SameSettings: true},
		{Name: "vpack", Processes: 1, Runs: []measurement{{5, 10}}, MedianWall: 5, MedianCPU: 10, CPURatio: 0.5, WallRatio: 0.5, SameSettings: true},
	}
	md := r.markdown()
	for _, want := range []string{
		"| separate | 5 | 10.00 | 20.00 | 1.00x | +100% | 1.00x | yes | 20.00 |",
		"| vpack | 1 | 5.00 | 10.00 | 0.50x | +0% | 0.50x | yes | 10.00 |",
		"target <= 0.8x met",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if !slices.Contains(variantNames(), "vpack") || !slices.Contains(variantNames(), "separate") {
		t.Errorf("variants %v lack vpack or separate", variantNames())
	}
}
