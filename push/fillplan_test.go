package push_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/push"
)

// keysUnder lists the keys of m under prefix, without the prefix, the
// records left out.
func keysUnder(m *push.Mem, prefix string) []string {
	var out []string
	for _, k := range m.Keys() {
		if rest, ok := strings.CutPrefix(k, prefix); ok && !strings.HasSuffix(rest, push.RecordKey) {
			out = append(out, rest)
		}
	}
	return out
}

func videoDirs(keys []string) []string {
	var out []string
	for _, k := range keys {
		if rest, ok := strings.CutPrefix(k, "video/"); ok {
			d, _, _ := strings.Cut(rest, "/")
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// publishTitles publishes the synthetic package as origin/<path> for each
// path.
func publishTitles(t *testing.T, origin push.Store, paths ...string) {
	t.Helper()
	dir := synthetic(t)
	for _, p := range paths {
		sub, err := push.Sub(origin, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := push.Publish(context.Background(), dir, sub, push.PublishOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFillPlan executes a plan over two titles and two edges, then an
// incremental one that evicts a title and swaps a rendition.
func TestFillPlan(t *testing.T) {
	ctx := context.Background()
	origin := push.NewMem("mem://origin")
	publishTitles(t, origin, "titles/a", "titles/b")
	e1, e2 := push.NewMem("mem://e1"), push.NewMem("mem://e2")
	edges := []push.PlanEdge{{Store: e1}, {Store: e2, RateBytesPerSecond: 1 << 30}}
	titles := []push.PlanTitle{
		{Path: "titles/a", Fill: []push.PlanSelection{
			{Edges: []int{0}, Renditions: []string{"360p-730k", "720p-3000k"}},
			{Edges: []int{1}, Renditions: []string{"360p-730k"}},
		}},
		{Path: "titles/b", Fill: []push.PlanSelection{{Edges: []int{0}, Renditions: []string{"540p-2000k"}}}},
	}
	var progressed int64
	rep, err := push.FillPlan(ctx, origin, edges, titles, push.FillOptions{Progress: func(done, total int64) { progressed = done }})
	if err != nil {
		t.Fatal(err)
	}
	if got := videoDirs(keysUnder(e1, "titles/a/")); !slices.Equal(got, []string{"360p-730k", "720p-3000k"}) {
		t.Errorf("e1 a: %v", got)
	}
	if got := videoDirs(keysUnder(e1, "titles/b/")); !slices.Equal(got, []string{"540p-2000k"}) {
		t.Errorf("e1 b: %v", got)
	}
	if got := videoDirs(keysUnder(e2, "titles/a/")); !slices.Equal(got, []string{"360p-730k"}) {
		t.Errorf("e2 a: %v", got)
	}
	for _, k := range []string{"titles/a/master.m3u8", "titles/a/audio/audio-en-aac/init.mp4", "titles/a/" + push.RecordKey} {
		if e2.Bytes(k) == nil {
			t.Errorf("e2 lacks %s", k)
		}
	}
	if got := rep.Edges[0]; got.Titles != 2 || got.Copied == 0 || got.Failed != 0 || got.Bytes != progressed-rep.Edges[1].Bytes {
		t.Errorf("e1 report %+v (progress %d)", got, progressed)
	}

	// Next night: b leaves e1, e2 swaps 360p for 540p.
	titles = []push.PlanTitle{
		{Path: "titles/b", Evict: []int{0}},
		{Path: "titles/a", Fill: []push.PlanSelection{{Edges: []int{1}, Renditions: []string{"540p-2000k"}}}},
	}
	rep, err = push.FillPlan(ctx, origin, edges, titles, push.FillOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := e1.Keys(); slices.ContainsFunc(got, func(k string) bool { return strings.HasPrefix(k, "titles/b/") }) {
		t.Errorf("e1 still holds b: %v", got)
	}
	if got := videoDirs(keysUnder(e2, "titles/a/")); !slices.Equal(got, []string{"540p-2000k"}) {
		t.Errorf("e2 a after the swap: %v", got)
	}
	want := []push.PlanEdgeReport{
		{Edge: "mem://e1", Evicted: 1, Deleted: rep.Edges[0].Deleted},
		{Edge: "mem://e2", Titles: 1, Copied: rep.Edges[1].Copied, Skipped: rep.Edges[1].Skipped, Deleted: rep.Edges[1].Deleted, Bytes: rep.Edges[1].Bytes},
	}
	if diff := cmp.Diff(want, rep.Edges); diff != "" || rep.Edges[0].Deleted == 0 || rep.Edges[1].Copied == 0 {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
}

// TestFillPlanWindowAndFailures: an edge outside its window is left alone
// (and counted so); a title missing from the origin fails on its edges
// only; a dry run changes nothing.
func TestFillPlanWindowAndFailures(t *testing.T) {
	ctx := context.Background()
	origin := push.NewMem("mem://origin")
	publishTitles(t, origin, "a")
	now := time.Date(2025, 5, 4, 14, 0, 0, 0, time.UTC)
	closed, err := push.ParseWindow("02:00-06:00", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	e1, e2 := push.NewMem("mem://e1"), push.NewMem("mem://e2")
	edges := []push.PlanEdge{{Store: e1}, {Store: e2, Window: &closed}}
	titles := []push.PlanTitle{
		{Path: "missing", Fill: []push.PlanSelection{{Edges: []int{0, 1}, Renditions: []string{"360p-730k"}}}},
		{Path: "a", Fill: []push.PlanSelection{{Edges: []int{0, 1}, Renditions: []string{"360p-730k"}}}},
	}
	opts := push.FillOptions{Now: func() time.Time { return now }}
	rep, err := push.FillPlan(ctx, origin, edges, titles, opts)
	if !errors.Is(err, push.ErrFailed) || !errors.Is(err, push.ErrNoRecord) || !strings.Contains(err.Error(), "fill plan: 1 of 2 edges") {
		t.Fatalf("err = %v", err)
	}
	if r := rep.Edges[0]; r.Failed != 1 || r.Titles != 1 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0], "fill missing:") {
		t.Errorf("e1: %+v", r)
	}
	if r := rep.Edges[1]; !r.OutsideWindow || r.Titles != 0 || len(e2.Keys()) != 0 {
		t.Errorf("e2 outside its window: %+v, holds %d objects", r, len(e2.Keys()))
	}

	opts.IgnoreWindow, opts.DryRun = true, true
	titles = titles[1:]
	rep, err = push.FillPlan(ctx, origin, edges, titles, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Edges[1]; r.Titles != 1 || r.Copied == 0 || len(e2.Keys()) != 0 {
		t.Errorf("dry run: %+v, e2 holds %d objects", r, len(e2.Keys()))
	}
}

func TestSub(t *testing.T) {
	ctx := context.Background()
	m := push.NewMem("mem://base/")
	if _, err := push.Sub(m, "../up"); !errors.Is(err, push.ErrInvalidKey) {
		t.Errorf("prefix ../up: %v", err)
	}
	s, err := push.Sub(m, "titles/a")
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != "mem://base/titles/a" {
		t.Errorf("String() = %q", s.String())
	}
	if err := s.Put(ctx, push.Object{Key: "x/y", Size: 2}, strings.NewReader("hi")); err != nil {
		t.Fatal(err)
	}
	if m.Bytes("titles/a/x/y") == nil {
		t.Errorf("put landed at %v", m.Keys())
	}
	if st, err := s.Stat(ctx, "x/y"); err != nil || st.Key != "x/y" {
		t.Errorf("stat: %+v, %v", st, err)
	}
	if err := s.Put(ctx, push.Object{Key: "../b/z", Size: 2}, strings.NewReader("hi")); !errors.Is(err, push.ErrInvalidKey) {
		t.Errorf("put ../b/z: %v", err)
	}
	if _, _, err := s.Get(ctx, "nope"); !errors.Is(err, push.ErrNotFound) || !s.IsPermanent(err) {
		t.Errorf("get nope: %v", err)
	}
	if err := s.Delete(ctx, "x/y"); err != nil || len(m.Keys()) != 0 {
		t.Errorf("delete: %v, left %v", err, m.Keys())
	}
}

// TestEvict: manifests go before media, the record last; a dry run counts
// and keeps; an edge without a record is left alone.
func TestEvict(t *testing.T) {
	ctx := context.Background()
	origin := push.NewMem("mem://origin")
	publishTitles(t, origin, "a")
	src, _ := push.Sub(origin, "a")
	edge := &orderStore{Mem: push.NewMem("mem://edge")}
	if _, err := push.Fill(ctx, src, []push.Edge{{Store: edge}}, push.FillOptions{}); err != nil {
		t.Fatal(err)
	}
	n := len(edge.Keys())
	rep, err := push.Evict(ctx, edge, push.EvictOptions{DryRun: true})
	if err != nil || rep.Deleted != n || len(edge.Keys()) != n || rep.Bytes == 0 {
		t.Fatalf("dry run: %+v, %v; edge holds %d of %d", rep, err, len(edge.Keys()), n)
	}
	rep, err = push.Evict(ctx, edge, push.EvictOptions{Concurrency: 1})
	if err != nil || rep.Deleted != n || len(edge.Keys()) != 0 {
		t.Fatalf("evict: %+v, %v; left %v", rep, err, edge.Keys())
	}
	last := func(suffix string) int {
		return slices.IndexFunc(edge.deleted, func(k string) bool { return strings.HasSuffix(k, suffix) })
	}
	if !(last("master.m3u8") < last("index.m3u8") && last("index.m3u8") < last(".m4s") && edge.deleted[n-1] == push.RecordKey) {
		t.Errorf("deletion order: %v", edge.deleted)
	}
	rep, err = push.Evict(ctx, push.NewMem("mem://empty"), push.EvictOptions{})
	if err != nil || rep.Deleted != 0 {
		t.Errorf("empty edge: %+v, %v", rep, err)
	}
}

// orderStore records the order of deletions.
type orderStore struct {
	*push.Mem
	deleted []string
}

func (o *orderStore) Delete(ctx context.Context, key string) error {
	o.deleted = append(o.deleted, key)
	return o.Mem.Delete(ctx, key)
}
