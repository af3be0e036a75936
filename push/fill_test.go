package push_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

// edgeFiles lists what an nginx edge holds on disk (its record aside).
func edgeFiles(t *testing.T, dir string) []string {
	t.Helper()
	var keys []string
	for k := range onDisk(t, dir) {
		if k != push.RecordKey {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// TestFillNginxEdges pushes to an S3 origin (versitygw) and fills two
// nginx edges whose capacities fit only some renditions: each edge gets the
// highest renditions that fit, verified, byte-identical to the origin; a
// second fill copies nothing; a narrower selection frees the edge.
func TestFillNginxEdges(t *testing.T) {
	ctx := context.Background()
	dir := synthetic(t)
	gw := pushtest.StartVersityGW(t)
	gw.CreateBucket(t, "origin")
	origin := push.WithRetry(newS3(t, gw, "s3://origin/titles/movie", push.S3Options{}), fastRetry)
	if _, err := push.Publish(ctx, dir, origin, push.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	e1 := pushtest.StartNginx(t, pushtest.NginxOptions{})
	e2 := pushtest.StartNginx(t, pushtest.NginxOptions{CreateFullPutPath: true})
	// Edge 1 sits behind the fault proxy: fills survive faults too.
	f := allFaults
	f.Seed, f.Max = 3, 15
	proxy := pushtest.NewFaultProxy(t, e1.URL, f)
	edge1 := push.WithRetry(newHTTP(t, proxy.URL+"/movie", push.HTTPOptions{}), faultRetry)
	edge2 := push.WithRetry(newHTTP(t, e2.URL+"/cache/movie", push.HTTPOptions{}), fastRetry)
	edges := []push.Edge{
		{Store: edge1, CapacityBytes: 1_100_000},
		{Store: edge2, CapacityBytes: 500_000, RateBytesPerSecond: 50 << 20},
	}
	rep, err := push.Fill(ctx, origin, edges, push.FillOptions{Selection: push.Selection{Mode: "top", N: 3}})
	if err != nil {
		t.Fatalf("fill: %v", err)
	}
	type got struct{ Renditions, Excluded []string }
	want := []got{
		{[]string{"720p-3000k", "540p-2000k"}, []string{"360p-730k"}},
		{[]string{"540p-2000k"}, []string{"720p-3000k", "360p-730k"}},
	}
	disks := []string{filepath.Join(e1.Root, "movie"), filepath.Join(e2.Root, "cache", "movie")}
	all := pushtest.Files(t, dir)
	for i, er := range rep.Edges {
		if diff := cmp.Diff(want[i], got{er.Renditions, er.Excluded}); diff != "" {
			t.Errorf("edge %d renditions (-want +got):\n%s", i+1, diff)
		}
		var wantFiles []string
		for _, k := range all {
			if !slices.ContainsFunc(want[i].Excluded, func(id string) bool { return strings.Contains(k, "/"+id+"/") }) {
				wantFiles = append(wantFiles, k)
			}
		}
		if diff := cmp.Diff(wantFiles, edgeFiles(t, disks[i])); diff != "" {
			t.Errorf("edge %d holds (-want +got):\n%s", i+1, diff)
		}
		var onEdge int64
		for _, k := range wantFiles {
			want, _ := os.ReadFile(filepath.Join(dir, k))
			got, err := os.ReadFile(filepath.Join(disks[i], k))
			if err != nil || pushtest.SHA256(got) != pushtest.SHA256(want) {
				t.Errorf("edge %d: %s differs from the origin (%v)", i+1, k, err)
			}
			onEdge += int64(len(got))
		}
		if onEdge > edges[i].CapacityBytes || er.PlannedBytes != onEdge {
			t.Errorf("edge %d holds %d bytes, planned %d, capacity %d", i+1, onEdge, er.PlannedBytes, edges[i].CapacityBytes)
		}
		if er.Copied != len(wantFiles) || er.Failed != 0 || er.Objects != len(wantFiles) {
			t.Errorf("edge %d report %+v, want %d objects copied", i+1, er, len(wantFiles))
		}
	}
	injected, _ := proxy.Injected()
	t.Logf("faults on edge 1: %v", injected)

	// Again: everything is there.
	rep, err = push.Fill(ctx, origin, edges, push.FillOptions{Selection: push.Selection{Mode: "top", N: 3}})
	if err != nil {
		t.Fatal(err)
	}
	for i, er := range rep.Edges {
		if er.Copied != 0 || er.Skipped != er.Objects {
			t.Errorf("second fill, edge %d: %+v, want everything skipped", i+1, er)
		}
	}
	// top:1 on edge 1: 720p only; 540p is deleted to free the space.
	rep, err = push.Fill(ctx, origin, edges[:1], push.FillOptions{Selection: push.Selection{Mode: "top", N: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(edgeFiles(t, disks[0]), func(k string) bool { return strings.Contains(k, "540p") }) || rep.Edges[0].Deleted != 7 {
		t.Errorf("after top:1, edge 1 still holds 540p objects, or deleted %d, want 7", rep.Edges[0].Deleted)
	}
}

// fakeClock is a clock that only moves when someone sleeps on it.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	return ctx.Err()
}

func pushedMem(t *testing.T, dir string) *push.Mem {
	t.Helper()
	origin := push.NewMem("mem://origin")
	if _, err := push.Publish(context.Background(), dir, origin, push.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	return origin
}

// TestFillWindow: outside the window nothing moves and the report says
// when it opens; --now fills anyway; a window closing mid-fill stops new
// objects and leaves no manifest naming what was not copied.
func TestFillWindow(t *testing.T) {
	ctx := context.Background()
	dir := synthetic(t)
	origin := pushedMem(t, dir)
	w, err := push.ParseWindow("02:00-06:00", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	noon := func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }

	edge := push.NewMem("mem://edge")
	rep, err := push.Fill(ctx, origin, []push.Edge{{Store: edge}}, push.FillOptions{Window: &w, Now: noon})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OutsideWindow || len(edge.Keys()) != 0 {
		t.Fatalf("outside the window: report %+v, edge holds %d objects; want nothing copied", rep, len(edge.Keys()))
	}
	if want := "outside the fill window 02:00-06:00 (now 12:00; it opens 2025-03-02 02:00 UTC, in 14h0m0s)"; !strings.HasPrefix(rep.Message, want) {
		t.Errorf("message %q, want it to start with %q", rep.Message, want)
	}

	rep, err = push.Fill(ctx, origin, []push.Edge{{Store: edge}}, push.FillOptions{Window: &w, Now: noon, IgnoreWindow: true})
	if err != nil || rep.OutsideWindow {
		t.Fatalf("--now: %+v, %v", rep, err)
	}
	pushtest.AssertMirror(t, dir, edge)

	// The window closes after a few objects.
	var calls int
	var mu sync.Mutex
	closing := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls > 8 {
			return time.Date(2025, 3, 1, 6, 0, 0, 0, time.UTC)
		}
		return time.Date(2025, 3, 1, 5, 59, 0, 0, time.UTC)
	}
	edge2 := push.NewMem("mem://edge2")
	rep, err = push.Fill(ctx, origin, []push.Edge{{Store: edge2}}, push.FillOptions{Window: &w, Now: closing, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	er := rep.Edges[0]
	if !er.WindowClosed || er.Copied == 0 || er.Copied >= er.Objects {
		t.Fatalf("window closing mid-fill: %+v, want some objects copied, not all", er)
	}
	for _, k := range edge2.Keys() {
		if strings.HasSuffix(k, ".m3u8") || strings.HasSuffix(k, ".mpd") {
			t.Errorf("%s on the edge after the window closed among the media", k)
		}
	}
	// The next window finishes the job.
	rep, err = push.Fill(ctx, origin, []push.Edge{{Store: edge2}}, push.FillOptions{Window: &w,
		Now: func() time.Time { return time.Date(2025, 3, 2, 3, 0, 0, 0, time.UTC) }})
	if err != nil || rep.Edges[0].WindowClosed {
		t.Fatalf("next window: %+v, %v", rep, err)
	}
	pushtest.AssertMirror(t, dir, edge2)
}

// TestFillRateLimit fills through a rate limit on a fake clock: the time
// the limiter makes the fill wait is the bytes over the rate, less one
// burst.
func TestFillRateLimit(t *testing.T) {
	ctx := context.Background()
	dir := synthetic(t)
	origin := pushedMem(t, dir)
	const rate = 100_000 // bytes per second
	clock := &fakeClock{now: time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)}
	edge := push.NewMem("mem://edge")
	rep, err := push.Fill(ctx, origin, []push.Edge{{Store: edge, RateBytesPerSecond: rate}},
		push.FillOptions{Now: clock.Now, Sleep: clock.Sleep, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	pushtest.AssertMirror(t, dir, edge)
	bytes := rep.Edges[0].Bytes
	lo := time.Duration(float64(bytes-32<<10) / rate * float64(time.Second))
	hi := time.Duration(float64(bytes)/rate*float64(time.Second)) + time.Second
	if clock.slept < lo || clock.slept > hi {
		t.Errorf("%d bytes at %d B/s waited %s, want between %s and %s", bytes, rate, clock.slept, lo, hi)
	}
	if rep.Edges[0].DurationMs < lo.Milliseconds() {
		t.Errorf("reported duration %dms, less than the %s waited", rep.Edges[0].DurationMs, lo)
	}
}

// TestFillSelection: popularity files and top:N choose the renditions.
func TestFillSelection(t *testing.T) {
	ctx := context.Background()
	dir := synthetic(t)
	origin := pushedMem(t, dir)
	popJSON := filepath.Join(t.TempDir(), "pop.json")
	os.WriteFile(popJSON, []byte(`{"360p-730k": 900, "540p-2000k": 50, "4k-hdr": 3}`), 0o644)
	popText := filepath.Join(t.TempDir(), "pop.txt")
	os.WriteFile(popText, []byte("# most watched first\n540p-2000k\n720p-3000k\n"), 0o644)
	tests := []struct {
		spec string
		want []string
	}{
		{"all", []string{"720p-3000k", "540p-2000k", "360p-730k"}},
		{"top:2", []string{"720p-3000k", "540p-2000k"}},
		{"top:9", []string{"720p-3000k", "540p-2000k", "360p-730k"}},
		{popJSON, []string{"360p-730k", "540p-2000k"}},
		{popText, []string{"540p-2000k", "720p-3000k"}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.spec), func(t *testing.T) {
			sel, err := push.ParseSelection(tc.spec, os.ReadFile)
			if err != nil {
				t.Fatal(err)
			}
			edge := push.NewMem("mem://edge")
			rep, err := push.Fill(ctx, origin, []push.Edge{{Store: edge}}, push.FillOptions{Selection: sel})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rep.Edges[0].Renditions); diff != "" {
				t.Errorf("renditions (-want +got):\n%s", diff)
			}
			for _, k := range edge.Keys() {
				if strings.HasPrefix(k, "audio/") || k == "master.m3u8" {
					continue
				}
				if strings.HasPrefix(k, "video/") && !slices.Contains(tc.want, strings.Split(k, "/")[1]) {
					t.Errorf("%s on the edge, not selected", k)
				}
			}
			if !slices.Contains(edge.Keys(), "audio/audio-en-aac/seg-00001.m4s") {
				t.Error("audio not filled")
			}
		})
	}
	for _, bad := range []string{"top:0", "top:x", "nosuchfile.json"} {
		if _, err := push.ParseSelection(bad, os.ReadFile); err == nil {
			t.Errorf("ParseSelection(%q) accepted", bad)
		}
	}
}

// TestFillErrors: no record on the origin, an edge too small for the
// manifests and audio, an origin object that no longer matches its record.
func TestFillErrors(t *testing.T) {
	ctx := context.Background()
	dir := synthetic(t)
	_, err := push.Fill(ctx, push.NewMem("mem://empty"), []push.Edge{{Store: push.NewMem("mem://e")}}, push.FillOptions{})
	if !errors.Is(err, push.ErrNoRecord) || !errors.Is(err, push.ErrFailed) {
		t.Errorf("empty origin: err = %v, want ErrNoRecord and ErrFailed", err)
	}

	origin := pushedMem(t, dir)
	small, ok := push.NewMem("mem://small"), push.NewMem("mem://ok")
	rep, err := push.Fill(ctx, origin, []push.Edge{{Store: small, CapacityBytes: 10_000}, {Store: ok}}, push.FillOptions{})
	if !errors.Is(err, push.ErrCapacity) || !errors.Is(err, push.ErrFailed) {
		t.Errorf("tiny edge: err = %v, want ErrCapacity and ErrFailed", err)
	}
	if rep.Edges[0].Error == "" || rep.Edges[1].Error != "" || len(ok.Keys()) == 0 {
		t.Errorf("one edge failing stops no other: %+v", rep.Edges)
	}

	// Corrupt the origin behind its record's back.
	fileOrigin := filepath.Join(t.TempDir(), "origin")
	fo, err := push.Open(ctx, "file://"+fileOrigin, push.OpenOptions{Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := push.Publish(ctx, dir, fo, push.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(fileOrigin, "video", "360p-730k", "seg-00003.m4s"), []byte("garbage"), 0o644)
	edge := push.NewMem("mem://edge")
	_, err = push.Fill(ctx, fo, []push.Edge{{Store: edge}}, push.FillOptions{})
	if !errors.Is(err, push.ErrChanged) || !errors.Is(err, push.ErrFailed) {
		t.Errorf("corrupt origin: err = %v, want ErrChanged and ErrFailed", err)
	}
	if slices.Contains(edge.Keys(), "video/360p-730k/seg-00003.m4s") || slices.Contains(edge.Keys(), "master.m3u8") {
		t.Error("a corrupt object or the manifests reached the edge")
	}
}
