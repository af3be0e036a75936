package fillcmd

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/fill"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
)

func TestNewCmdSimulate(t *testing.T) {
	def := []float64{5, 10, 25, 50, 100}
	tests := []struct {
		name    string
		args    []string
		want    SimulateOptions
		wantErr string
	}{
		{name: "issue example", args: []string{"--catalog", "catalog.json", "--edges", "edges.json", "--plan", "plan.json", "--requests", "1000000", "--seed", "1"},
			want: SimulateOptions{Catalog: "catalog.json", Edges: "edges.json", Plan: "plan.json", Requests: 1000000, Seed: 1, LRUHistory: 4, Capacities: def}},
		{name: "chart", args: []string{"--catalog", "c", "--edges", "e", "--chart", "hit.svg", "--capacities", "1,2.5%,100", "--zipf", "1", "--no-lru"},
			want: SimulateOptions{Catalog: "c", Edges: "e", Requests: 1000000, Seed: 1, Chart: "hit.svg", Capacities: []float64{1, 2.5, 100}, Zipf: 1, NoLRU: true, LRUHistory: 4}},
		{name: "bad lru history", args: []string{"--catalog", "c", "--edges", "e", "--lru-history", "-1"}, wantErr: "--lru-history"},
		{name: "png chart", args: []string{"--catalog", "c", "--edges", "e", "--chart", "hit.png"}, wantErr: "charts are SVG"},
		{name: "bad capacities", args: []string{"--catalog", "c", "--edges", "e", "--capacities", "5,200"}, wantErr: `--capacities: "200" is not a percentage`},
		{name: "no requests", args: []string{"--catalog", "c", "--edges", "e", "--requests", "0"}, wantErr: "--requests must be between 1"},
		{name: "bad zipf", args: []string{"--catalog", "c", "--edges", "e", "--zipf", "-2"}, wantErr: "--zipf"},
		{name: "no catalog", args: []string{"--edges", "e"}, wantErr: "--catalog is required"},
		{name: "no edges", args: []string{"--catalog", "c"}, wantErr: "--edges is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *SimulateOptions
			cmd := NewCmdSimulate(cmdutil.New(ios), func(_ context.Context, o *SimulateOptions) error { got = o; return nil })
			runCmd(t, cmd, ios, tc.args, tc.wantErr)
			if tc.wantErr != "" {
				return
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(SimulateOptions{}, "IO", "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSimulateRun(t *testing.T) {
	dir := testdata(t)
	ios, _, out, _ := cmdutil.Test()
	opts := &SimulateOptions{IO: ios, Factory: cmdutil.New(ios), Catalog: filepath.Join(dir, "catalog.json"),
		Edges: filepath.Join(dir, "edges.json"), Requests: 20_000, Seed: 3, Capacities: []float64{10, 100},
		Chart: filepath.Join(dir, "hit.svg")}
	if err := simulateRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"20000 requests (seed 3) over 4 edges; 5 titles, 14 renditions, 17.8 GB",
		"policy  hit ratio  origin offload", "plan  ", "optimum", "lru", "region  edges  requests", "wrote " + opts.Chart} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	svg, err := os.ReadFile(opts.Chart)
	if err != nil || !strings.Contains(string(svg), "<svg") || !strings.Contains(string(svg), "popularity") {
		t.Errorf("chart: %v, %.100s", err, svg)
	}
	// JSON, twice with the same seed: the same figures.
	opts.JSON, opts.Chart = true, ""
	var runs [2]SimulateResult
	for i := range runs {
		out.Reset()
		if err := simulateRun(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out.Bytes(), &runs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(runs[0], runs[1]); diff != "" || len(runs[0].Simulation.Policies) != 5 {
		t.Errorf("two runs, seed 3 (-first +second):\n%s", diff)
	}
	// A plan that does not fit the catalog is a bad input file.
	planPath := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(planPath, []byte(`{"version": 1, "edges": [{"id": "fra-1", "region": "eu", "placement": "p1"}],
	  "placements": [{"id": "p1", "titles": [{"title": "movie-1", "renditions": ["4k"]}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.Plan = planPath
	err = simulateRun(context.Background(), opts)
	var ie interface{ InputFile() string }
	if !errors.As(err, &ie) || ie.InputFile() != planPath || !errors.Is(err, fill.ErrUnknownRendition) {
		t.Errorf("unknown rendition in the plan: %v", err)
	}
}
