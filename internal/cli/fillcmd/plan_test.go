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
	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/fill"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
)

// runCmd executes cmd with args and returns its error; wantErr checks it
// is a FlagError containing the text.
func runCmd(t *testing.T, cmd *cobra.Command, ios *cmdutil.IOStreams, args []string, wantErr string) {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	err := cmd.Execute()
	if wantErr == "" {
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	var fe *cmdutil.FlagError
	if err == nil || !strings.Contains(err.Error(), wantErr) || !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a FlagError containing %q", err, wantErr)
	}
}

func TestNewCmdPlan(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    PlanOptions
		wantErr string
	}{
		{name: "issue example", args: []string{"--catalog", "catalog.json", "--edges", "edges.json", "-o", "plan.json"},
			want: PlanOptions{Catalog: "catalog.json", Edges: "edges.json", Output: "plan.json"}},
		{name: "incremental", args: []string{"--catalog", "c", "--edges", "e", "--output", "-", "--previous", "p.json",
			"--hysteresis", "0.05", "--capacity", "50TB"},
			want: PlanOptions{Catalog: "c", Edges: "e", Output: "-", Previous: "p.json", Hysteresis: 0.05, Capacity: "50TB"}},
		{name: "no catalog", args: []string{"--edges", "e", "-o", "p"}, wantErr: "--catalog is required"},
		{name: "no edges", args: []string{"--catalog", "c", "-o", "p"}, wantErr: "--edges is required"},
		{name: "no output", args: []string{"--catalog", "c", "--edges", "e"}, wantErr: "-o is required"},
		{name: "bad capacity", args: []string{"--catalog", "c", "--edges", "e", "-o", "p", "--capacity", "-1TB"}, wantErr: "--capacity"},
		{name: "bad hysteresis", args: []string{"--catalog", "c", "--edges", "e", "-o", "p", "--hysteresis", "-1"}, wantErr: "--hysteresis"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *PlanOptions
			cmd := NewCmdPlan(cmdutil.New(ios), func(_ context.Context, o *PlanOptions) error { got = o; return nil })
			runCmd(t, cmd, ios, tc.args, tc.wantErr)
			if tc.wantErr != "" {
				return
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(PlanOptions{}, "IO", "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// testdata copies the fill package's catalog and edges into a temporary
// folder.
func testdata(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "..", "fill", "testdata")
	for _, name := range []string{"catalog.json", "edges.json", "pkg/movie-1/package.json"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPlanRun(t *testing.T) {
	dir := testdata(t)
	ios, _, out, _ := cmdutil.Test()
	f := cmdutil.New(ios)
	opts := &PlanOptions{IO: ios, Factory: f, Catalog: filepath.Join(dir, "catalog.json"), Edges: filepath.Join(dir, "edges.json"),
		Output: filepath.Join(dir, "plan.json")}
	if err := planRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "wrote "+opts.Output+": 4 edges, 3 placements; expected edge hit ratio 67.1 %") ||
		!strings.Contains(out.String(), "eu      2   11.4 GB") {
		t.Errorf("stdout:\n%s", out)
	}
	p, err := fill.ReadPlan(opts.Output)
	if err != nil {
		t.Fatal(err)
	}
	// Incremental, as JSON: nothing moves but sin-1, whose small fill
	// window filled it only in part on the first night.
	out.Reset()
	opts.Previous, opts.Output, opts.JSON = opts.Output, filepath.Join(dir, "plan-2.json"), true
	if err := planRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Summary fill.PlanSummary `json:"summary"`
		Regions []regionSummary  `json:"regions"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Summary.AddBytes == 0 || res.Summary.AddBytes > p.Edges[3].FillBudgetBytes || len(res.Regions) != 3 ||
		res.Regions[0].Region != "apac" || res.Regions[0].AddBytes != res.Summary.AddBytes {
		t.Errorf("second night: %+v", res)
	}
	// To stdout.
	out.Reset()
	opts.Output, opts.JSON, opts.Previous = "-", false, ""
	if err := planRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := fill.ParsePlan("stdout", out.Bytes()); err != nil {
		t.Errorf("plan on stdout: %v", err)
	}
	// Bad input names the file.
	opts.Edges = filepath.Join(dir, "catalog.json")
	err = planRun(context.Background(), opts)
	var ie interface{ InputFile() string }
	if !errors.As(err, &ie) || ie.InputFile() != opts.Edges || !strings.Contains(err.Error(), `unknown field "abr"`) {
		t.Errorf("catalog as edges: %v", err)
	}
}
