package pushcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

func TestNewCmdPush(t *testing.T) {
	def := StoreFlags{Retries: 4, Concurrency: 8, Verify: "hash"}
	tests := []struct {
		name    string
		args    []string
		want    PushOptions
		wantErr string
	}{
		{
			name: "defaults",
			args: []string{"out", "--origin", "s3://bucket/movie"},
			want: PushOptions{Dir: "out", Origin: "s3://bucket/movie", Store: def, Fill: FillFlags{Renditions: "all"}},
		},
		{
			name: "everything",
			args: []string{"out/", "--origin", "https://ingest.example/movie", "--delete", "--dry-run", "--retries", "2",
				"--insecure", "--netrc-file", "n", "--concurrency", "3", "--verify", "size",
				"--edge", "https://e1.example/m", "--edge", "https://e2.example/m,capacity=2GB", "--renditions", "top:2",
				"--capacity", "10GB", "--rate", "200MB/s"},
			want: PushOptions{Dir: "out/", Origin: "https://ingest.example/movie", Delete: true, DryRun: true,
				Store: StoreFlags{Retries: 2, Insecure: true, NetrcFile: "n", Concurrency: 3, Verify: "size"},
				Fill: FillFlags{Edges: []string{"https://e1.example/m", "https://e2.example/m,capacity=2GB"},
					Renditions: "top:2", Capacity: "10GB", Rate: "200MB/s"}},
		},
		{name: "no origin", args: []string{"out"}, wantErr: "--origin is required"},
		{name: "no folder", args: []string{"--origin", "s3://b/m"}, wantErr: "expected one package folder, got 0 argument(s)"},
		{name: "bad verify", args: []string{"out", "--origin", "s3://b/m", "--verify", "md5"}, wantErr: `--verify must be hash or size, not "md5"`},
		{name: "bad retries", args: []string{"out", "--origin", "s3://b/m", "--retries", "-1"}, wantErr: "--retries must be between 0 and 20"},
		{name: "bad capacity", args: []string{"out", "--origin", "s3://b/m", "--capacity", "lots"}, wantErr: "--capacity: size \"lots\""},
		{name: "bad rate", args: []string{"out", "--origin", "s3://b/m", "--rate", "0"}, wantErr: "--rate: rate \"0\""},
		{name: "bad edge capacity", args: []string{"out", "--origin", "s3://b/m", "--edge", "https://e/m,capacity=x"}, wantErr: "--edge https://e/m,capacity=x: size \"x\""},
		{name: "bad renditions", args: []string{"out", "--origin", "s3://b/m", "--renditions", "top:0"}, wantErr: "--renditions: renditions \"top:0\""},
		{name: "edge twice", args: []string{"out", "--origin", "s3://b/m", "--edge", "https://e/m", "--edge", "https://e/m,rate=1MB/s"}, wantErr: "--edge https://e/m given twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			f := cmdutil.New(ios)
			var got *PushOptions
			cmd := NewCmdPush(f, func(_ context.Context, o *PushOptions) error { got = o; return nil })
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
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(PushOptions{}, "IO", "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEdge(t *testing.T) {
	tests := []struct {
		spec string
		want EdgeSpec
	}{
		{"https://e/m", EdgeSpec{URL: "https://e/m", CapacityBytes: 5, RateBytesPerSecond: 7}},
		{"https://e/m,capacity=2GB", EdgeSpec{URL: "https://e/m", CapacityBytes: 2e9, RateBytesPerSecond: 7}},
		{"https://e/m,rate=8Mbit/s,capacity=1MB", EdgeSpec{URL: "https://e/m", CapacityBytes: 1e6, RateBytesPerSecond: 1e6}},
		{"https://e/a,b", EdgeSpec{URL: "https://e/a,b", CapacityBytes: 5, RateBytesPerSecond: 7}},
	}
	for _, tc := range tests {
		got, err := ParseEdge(tc.spec, 5, 7)
		if err != nil || got != tc.want {
			t.Errorf("ParseEdge(%q) = %+v, %v; want %+v", tc.spec, got, err, tc.want)
		}
	}
}

// memStores hands out one in-memory store per URL.
type memStores map[string]*push.Mem

func (m memStores) open(_ context.Context, url string) (push.Store, error) {
	if s, ok := m[url]; ok {
		return s, nil
	}
	if !strings.HasPrefix(url, "mem://") {
		return nil, &cmdutil.FlagError{Err: push.ErrUnknownScheme}
	}
	m[url] = push.NewMem(url)
	return m[url], nil
}

func runPush(t *testing.T, stores memStores, o PushOptions, json bool) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := cmdutil.Test()
	f := cmdutil.New(ios)
	f.Flags.JSON = json
	o.IO, o.Factory, o.JSON = ios, f, json
	if o.Store.Concurrency == 0 {
		o.Store = StoreFlags{Retries: 1, Concurrency: 4, Verify: "hash"}
	}
	if o.Fill.Renditions == "" {
		o.Fill.Renditions = "all"
	}
	o.Store.OpenStore = stores.open
	err := pushRun(context.Background(), &o)
	return out.String(), errOut.String(), err
}

func TestPushRun(t *testing.T) {
	dir := pushtest.WriteSynthetic(t, filepath.Join(t.TempDir(), "out"), pushtest.DefaultSynthetic)
	n := len(pushtest.Files(t, dir))
	stores := memStores{}

	// Dry run first: the plan, nothing stored.
	out, _, err := runPush(t, stores, PushOptions{Dir: dir, Origin: "mem://origin", DryRun: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "upload master.m3u8\n") || !strings.Contains(out, "would push") || len(stores["mem://origin"].Keys()) != 0 {
		t.Fatalf("dry run printed:\n%s", out)
	}

	out, _, err = runPush(t, stores, PushOptions{Dir: dir, Origin: "mem://origin",
		Fill: FillFlags{Edges: []string{"mem://edge1", "mem://edge2,capacity=500KB"}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], fmt.Sprintf("pushed %s to mem://origin: %d objects, %d uploaded", dir, n, n)) ||
		!strings.HasPrefix(lines[1], fmt.Sprintf("filled mem://edge1: %d copied", n)) ||
		!strings.Contains(lines[2], "renditions 540p-2000k; over capacity 720p-3000k,360p-730k") {
		t.Errorf("output:\n%s", out)
	}
	pushtest.AssertMirror(t, dir, stores["mem://origin"])
	pushtest.AssertMirror(t, dir, stores["mem://edge1"])

	out, _, err = runPush(t, stores, PushOptions{Dir: dir, Origin: "mem://origin"}, true)
	if err != nil {
		t.Fatal(err)
	}
	var res PushResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if res.Origin.Objects != n || res.Origin.Skipped != n || res.Fill != nil {
		t.Errorf("--json after a push: %+v", res)
	}
}

func TestPushRunErrors(t *testing.T) {
	dir := pushtest.WriteSynthetic(t, filepath.Join(t.TempDir(), "out"), pushtest.DefaultSynthetic)
	var pe *push.PackageError
	_, _, err := runPush(t, memStores{}, PushOptions{Dir: filepath.Join(dir, "missing"), Origin: "mem://o"}, false)
	if !errors.As(err, &pe) {
		t.Errorf("missing folder: err = %v, want a *push.PackageError", err)
	}
	var fe *cmdutil.FlagError
	_, _, err = runPush(t, memStores{}, PushOptions{Dir: dir, Origin: "gopher://o"}, false)
	if !errors.As(err, &fe) || !errors.Is(err, push.ErrUnknownScheme) {
		t.Errorf("unknown scheme: err = %v, want a FlagError", err)
	}
	// The real opener turns a bad URL into a usage error too.
	ios, _, _, _ := cmdutil.Test()
	sf := StoreFlags{Retries: 1, Concurrency: 1, Verify: "hash"}
	if _, err := sf.Open(context.Background(), cmdutil.New(ios), "gopher://o"); !errors.As(err, &fe) {
		t.Errorf("Open(gopher://o) = %v, want a FlagError", err)
	}
	t.Setenv(push.EnvHTTPToken, "secret-token")
	if _, err := sf.Open(context.Background(), cmdutil.New(ios), "http://ingest.example/m"); !errors.As(err, &fe) || !errors.Is(err, push.ErrInsecure) {
		t.Errorf("token over http: err = %v, want a FlagError wrapping ErrInsecure", err)
	}
	// A store that fails: the error wraps push.ErrFailed (exit 5).
	_, _, err = runPush(t, memStores{}, PushOptions{Dir: dir, Origin: "mem://o", Fill: FillFlags{Edges: []string{"mem://e,capacity=1kB"}}}, false)
	if !errors.Is(err, push.ErrFailed) || !errors.Is(err, push.ErrCapacity) {
		t.Errorf("edge too small: err = %v, want ErrFailed", err)
	}
}

func TestPushProgress(t *testing.T) {
	dir := pushtest.WriteSynthetic(t, filepath.Join(t.TempDir(), "out"), pushtest.DefaultSynthetic)
	ios, _, _, errOut := cmdutil.Test()
	ios.SetTTY(false, true)
	f := cmdutil.New(ios)
	stores := memStores{}
	o := &PushOptions{IO: ios, Factory: f, Dir: dir, Origin: "mem://origin",
		Store: StoreFlags{Retries: 1, Concurrency: 2, Verify: "hash", OpenStore: stores.open}, Fill: FillFlags{Renditions: "all"}}
	if err := pushRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(errOut.Bytes(), []byte("push")) {
		t.Errorf("no progress on a terminal's stderr: %q", errOut.String())
	}
}
