package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"-o", "x", "-titles", "10", "-zipf", "0.9", "-capacities", "50,100", "-gap-requests", ""}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := options{out: "x", titles: 10, edges: 1000, regions: 8, requests: 10_000_000, seed: 1, zipfs: []float64{0.9},
		fractions: []float64{0.5, 1}, gapCapFrac: 0.1}
	if diff := cmp.Diff(want, o, cmp.AllowUnexported(options{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range [][]string{{"-capacities", "0"}, {"-zipf", "x"}, {"-titles", "0"}, {"-bogus"}} {
		if _, err := parseOptions(bad, io.Discard); err == nil {
			t.Errorf("parseOptions(%q) succeeded", bad)
		}
	}
}

// TestRunSmall runs the whole benchmark at a small scale.
func TestRunSmall(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	code := run([]string{"-o", dir, "-titles", "300", "-edges", "8", "-requests", "20000", "-capacities", "10,100",
		"-gap-requests", "10000,40000"}, &out, io.Discard)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	data, err := os.ReadFile(filepath.Join(dir, "fill.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Curves) != 2 || len(res.Curves[0].Points) != 2 || len(res.Gap) != 2 || !res.Targets.BaselinesMet {
		t.Errorf("result: %+v", res)
	}
	if p := res.Curves[0].Points[1]; p.HitRatio["plan"] != 1 || p.HitRatio["optimum"] != 1 {
		t.Errorf("all of the catalog on every edge: %+v", p.HitRatio)
	}
	for _, name := range []string{"fill.md", "fill-zipf-0.8.svg", "fill-zipf-1.0.svg"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out.String(), "## Targets") {
		t.Errorf("markdown:\n%s", out.String())
	}
}
