package fillcmd

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/fill"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/internal/cli/pushcmd"
	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

func TestNewCmdApply(t *testing.T) {
	def := pushcmd.StoreFlags{Retries: 4, Concurrency: 8, Verify: "hash"}
	tests := []struct {
		name    string
		args    []string
		want    ApplyOptions
		wantErr string
	}{
		{name: "issue example", args: []string{"plan.json", "--origin", "s3://bucket/titles", "--edge-map", "edges.json"},
			want: ApplyOptions{Plan: "plan.json", Origin: "s3://bucket/titles", EdgeMap: "edges.json", Store: def}},
		{name: "repair now", args: []string{"p.json", "--origin", "file:///o", "--all", "--now", "--dry-run", "--concurrency", "2"},
			want: ApplyOptions{Plan: "p.json", Origin: "file:///o", All: true, Now: true, DryRun: true,
				Store: pushcmd.StoreFlags{Retries: 4, Concurrency: 2, Verify: "hash"}}},
		{name: "no plan", args: []string{"--origin", "s3://b"}, wantErr: "expected a plan file, got 0"},
		{name: "no origin", args: []string{"p.json"}, wantErr: "--origin is required"},
		{name: "bad verify", args: []string{"p.json", "--origin", "s3://b", "--verify", "crc"}, wantErr: "--verify must be hash or size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *ApplyOptions
			cmd := NewCmdApply(cmdutil.New(ios), func(_ context.Context, o *ApplyOptions) error { got = o; return nil })
			runCmd(t, cmd, ios, tc.args, tc.wantErr)
			if tc.wantErr != "" {
				return
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(ApplyOptions{}, "IO", "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestApplyRun applies a plan to memory stores: the origin holds two
// titles at their paths; the edges get what the plan places, and a second
// plan evicts.
func TestApplyRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	pkg := pushtest.WriteSynthetic(t, filepath.Join(dir, "pkg"), pushtest.DefaultSynthetic)
	stores := memStores{}
	origin, _ := stores.open(ctx, "mem://origin")
	for _, p := range []string{"titles/a", "b"} {
		sub, _ := push.Sub(origin, p)
		if _, err := push.Publish(ctx, pkg, sub, push.PublishOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	writePlan := func(name string, p *fill.Plan) string {
		data, err := p.MarshalIndent()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	plan := &fill.Plan{Version: fill.PlanVersion,
		Edges: []fill.EdgePlan{{ID: "e1", Placement: "p1", Change: "c1"},
			{ID: "e2", URL: "mem://edge2", Placement: "p1", Change: "c1", FillWindow: "02:00-06:00"}},
		Placements: []fill.Placement{{ID: "p1", Titles: []fill.TitleRenditions{
			{Title: "a", Path: "titles/a", Renditions: []string{"360p-730k"}},
			{Title: "b", Renditions: []string{"720p-3000k", "360p-730k"}}}}},
		Changes: []fill.Change{{ID: "c1", AddAll: true}},
	}
	edgeMap := filepath.Join(dir, "map.json")
	if err := os.WriteFile(edgeMap, []byte(`{"e1": "mem://edge1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(o ApplyOptions, now time.Time) (string, string, error) {
		ios, _, out, errOut := cmdutil.Test()
		f := cmdutil.New(ios)
		f.Now = func() time.Time { return now }
		o.IO, o.Factory, o.Origin, o.EdgeMap = ios, f, "mem://origin", edgeMap
		o.Store = pushcmd.StoreFlags{Concurrency: 2, Verify: "hash", OpenStore: stores.open}
		err := applyRun(ctx, &o)
		return out.String(), errOut.String(), err
	}
	afternoon := time.Date(2025, 5, 4, 14, 0, 0, 0, time.Local)
	out, errOut, err := run(ApplyOptions{Plan: writePlan("plan.json", plan)}, afternoon)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "filled mem://edge1: 2 titles, 0 evicted; ") || !strings.Contains(out, "skipped mem://edge2: outside its fill window") ||
		!strings.Contains(errOut, "1 of 2 edges outside their fill window") {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	e1 := stores["mem://edge1"]
	if e1.Bytes("titles/a/video/360p-730k/seg-00001.m4s") == nil || e1.Bytes("b/video/720p-3000k/init.mp4") == nil ||
		e1.Bytes("titles/a/video/720p-3000k/init.mp4") != nil || len(stores["mem://edge2"].Keys()) != 0 {
		t.Errorf("edge1 holds %v", e1.Keys())
	}
	// At night, e2 too, as JSON; e1 has nothing left to copy.
	night := time.Date(2025, 5, 5, 3, 0, 0, 0, time.Local)
	out, _, err = run(ApplyOptions{Plan: writePlan("plan.json", plan), JSON: true}, night)
	if err != nil {
		t.Fatal(err)
	}
	var rep push.PlanReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Edges[0].Copied != 0 || rep.Edges[0].Skipped == 0 || rep.Edges[1].Titles != 2 || rep.Edges[1].Copied == 0 {
		t.Errorf("night run: %+v", rep)
	}
	// Next plan: b leaves e1.
	plan.Placements = append(plan.Placements, fill.Placement{ID: "p2", Titles: plan.Placements[0].Titles[:1]})
	plan.Changes = append(plan.Changes, fill.Change{ID: "c2", Evict: []fill.TitleRenditions{{Title: "b", Renditions: []string{"720p-3000k", "360p-730k"}}}})
	plan.Edges[0].Placement, plan.Edges[0].Change = "p2", "c2"
	plan.Edges[1].Change = ""
	out, _, err = run(ApplyOptions{Plan: writePlan("plan-2.json", plan)}, night)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "filled mem://edge1: 0 titles, 1 evicted; 0 copied (0 B), 0 unchanged") {
		t.Errorf("eviction: %q", out)
	}
	for _, k := range e1.Keys() {
		if strings.HasPrefix(k, "b/") {
			t.Errorf("edge1 still holds %s", k)
		}
	}
	// Errors: an edge without URL; a title the origin lacks.
	plan.Edges[0].URL = ""
	o := ApplyOptions{Plan: writePlan("plan-3.json", plan)}
	ios, _, _, _ := cmdutil.Test()
	o.IO, o.Factory, o.Origin = ios, cmdutil.New(ios), "mem://origin"
	o.Store = pushcmd.StoreFlags{Concurrency: 2, Verify: "hash", OpenStore: stores.open}
	var fe *cmdutil.FlagError
	if err := applyRun(ctx, &o); !errors.As(err, &fe) || !strings.Contains(err.Error(), "edge e1 has no URL") {
		t.Errorf("no URL: %v", err)
	}
	plan.Placements[1].Titles = []fill.TitleRenditions{{Title: "c", Renditions: []string{"360p-730k"}}}
	plan.Changes[1].Add = plan.Placements[1].Titles
	out, _, err = run(ApplyOptions{Plan: writePlan("plan-4.json", plan)}, night)
	if !errors.Is(err, push.ErrFailed) || !strings.Contains(out, "failed mem://edge1: 1 title, first: fill c: ") {
		t.Errorf("missing title: %v; %q", err, out)
	}
}
