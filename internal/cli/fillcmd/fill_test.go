package fillcmd

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/internal/cli/pushcmd"
	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

func TestNewCmdFill(t *testing.T) {
	def := pushcmd.StoreFlags{Retries: 4, Concurrency: 8, Verify: "hash"}
	tests := []struct {
		name    string
		args    []string
		want    FillOptions
		wantErr string
	}{
		{
			name: "issue example",
			args: []string{"--origin", "s3://bucket/titles/movie", "--edge", "https://edge1.example/movie",
				"--renditions", "top:3", "--window", "02:00-06:00", "--rate", "200MB/s"},
			want: FillOptions{Origin: "s3://bucket/titles/movie", Window: "02:00-06:00", Store: def,
				Fill: pushcmd.FillFlags{Edges: []string{"https://edge1.example/movie"}, Renditions: "top:3", Rate: "200MB/s"}},
		},
		{
			name: "now and dry run",
			args: []string{"--origin", "s3://b/m", "--edge", "https://e/m,capacity=1TB", "--now", "--dry-run", "--capacity", "20GB"},
			want: FillOptions{Origin: "s3://b/m", Now: true, DryRun: true, Store: def,
				Fill: pushcmd.FillFlags{Edges: []string{"https://e/m,capacity=1TB"}, Renditions: "all", Capacity: "20GB"}},
		},
		{name: "no origin", args: []string{"--edge", "https://e/m"}, wantErr: "--origin is required"},
		{name: "no edge", args: []string{"--origin", "s3://b/m"}, wantErr: "--edge is required"},
		{name: "bad window", args: []string{"--origin", "s3://b/m", "--edge", "https://e/m", "--window", "2-6"}, wantErr: `--window "2-6": want HH:MM-HH:MM`},
		{name: "empty window", args: []string{"--origin", "s3://b/m", "--edge", "https://e/m", "--window", "02:00-02:00"}, wantErr: "is empty"},
		{name: "missing popularity file", args: []string{"--origin", "s3://b/m", "--edge", "https://e/m", "--renditions", "nope.json"}, wantErr: "--renditions: renditions \"nope.json\" is not all, top:N or a readable popularity file"},
		{name: "args", args: []string{"out", "--origin", "s3://b/m", "--edge", "https://e/m"}, wantErr: "unknown command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			f := cmdutil.New(ios)
			var got *FillOptions
			cmd := NewCmdFill(f, func(_ context.Context, o *FillOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				var fe *cmdutil.FlagError
				if tc.name != "args" && !errors.As(err, &fe) {
					t.Fatalf("err = %T, want a FlagError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(FillOptions{}, "IO", "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

type memStores map[string]*push.Mem

func (m memStores) open(_ context.Context, url string) (push.Store, error) {
	if _, ok := m[url]; !ok {
		m[url] = push.NewMem(url)
	}
	return m[url], nil
}

func TestFillRun(t *testing.T) {
	dir := pushtest.WriteSynthetic(t, filepath.Join(t.TempDir(), "out"), pushtest.DefaultSynthetic)
	stores := memStores{}
	origin, _ := stores.open(context.Background(), "mem://origin")
	if _, err := push.Publish(context.Background(), dir, origin, push.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	run := func(now time.Time, o FillOptions) (string, string, error) {
		ios, _, out, errOut := cmdutil.Test()
		f := cmdutil.New(ios)
		f.Now = func() time.Time { return now }
		f.Flags.JSON = o.JSON
		o.IO, o.Factory, o.Origin = ios, f, "mem://origin"
		o.Store = pushcmd.StoreFlags{Retries: 0, Concurrency: 2, Verify: "hash", OpenStore: stores.open}
		if o.Fill.Renditions == "" {
			o.Fill.Renditions = "all"
		}
		err := fillRun(context.Background(), &o)
		return out.String(), errOut.String(), err
	}
	local := func(h, m int) time.Time { return time.Date(2025, 5, 4, h, m, 0, 0, time.Local) }
	edges := pushcmd.FillFlags{Edges: []string{"mem://edge1", "mem://edge2"}, Renditions: "top:1"}

	out, errOut, err := run(local(14, 3), FillOptions{Window: "02:00-06:00", Fill: edges})
	if err != nil {
		t.Fatal(err)
	}
	if out != "" || !strings.Contains(errOut, "vpack fill: outside the fill window 02:00-06:00 (now 14:03;") ||
		!strings.Contains(errOut, "use --now to fill anyway") || len(stores["mem://edge1"].Keys()) != 0 {
		t.Fatalf("outside the window: stdout %q, stderr %q", out, errOut)
	}

	out, _, err = run(local(14, 3), FillOptions{Window: "02:00-06:00", Now: true, Fill: edges})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "filled mem://edge1: ") || !strings.Contains(out, "renditions 720p-3000k") {
		t.Errorf("--now: %q", out)
	}

	out, _, err = run(local(3, 0), FillOptions{Window: "02:00-06:00", JSON: true, Fill: edges})
	if err != nil {
		t.Fatal(err)
	}
	var rep push.FillReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Edges) != 2 || rep.Edges[0].Copied != 0 || rep.Edges[0].Skipped != rep.Edges[0].Objects {
		t.Errorf("second fill in the window: %+v", rep)
	}

	out, _, err = run(local(3, 0), FillOptions{DryRun: true, Fill: pushcmd.FillFlags{Edges: []string{"mem://dry"}}})
	if err != nil || !strings.HasPrefix(out, "would fill mem://dry: 30 copied") || len(stores["mem://dry"].Keys()) != 0 {
		t.Errorf("dry run: %q, %v, edge holds %d objects", out, err, len(stores["mem://dry"].Keys()))
	}

	_, _, err = run(local(3, 0), FillOptions{Fill: pushcmd.FillFlags{Edges: []string{"mem://e3,capacity=1kB"}}})
	if !errors.Is(err, push.ErrFailed) {
		t.Errorf("edge too small: err = %v, want ErrFailed", err)
	}
}
