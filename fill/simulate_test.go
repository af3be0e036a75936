package fill

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func simulate(t *testing.T, m *Model, p *Plan, cfg TraceConfig, opts SimOptions) *SimReport {
	t.Helper()
	tr, err := m.Trace(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := m.Simulate(context.Background(), tr, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestSimulateDeterministic: the same seed gives the same report, however
// many workers draw and replay; another seed gives another trace.
func TestSimulateDeterministic(t *testing.T) {
	m := synthModel(t, SyntheticConfig{Titles: 1500, Edges: 20, CapacityFraction: 0.05, Seed: 1})
	p, err := m.Plan(context.Background(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := TraceConfig{Requests: 60_000, Seed: 7}
	a := simulate(t, m, p, TraceConfig{Requests: cfg.Requests, Seed: cfg.Seed, Workers: 1}, SimOptions{Workers: 1})
	b := simulate(t, m, p, TraceConfig{Requests: cfg.Requests, Seed: cfg.Seed, Workers: 4}, SimOptions{Workers: 3})
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, other workers (-1 worker +several):\n%s", diff)
	}
	c := simulate(t, m, p, TraceConfig{Requests: cfg.Requests, Seed: 8}, SimOptions{})
	if a.Policies[0].Hits == c.Policies[0].Hits && a.Policies[3].Hits == c.Policies[3].Hits {
		t.Errorf("seeds 7 and 8 gave the same hits: %d", a.Policies[0].Hits)
	}
	tr1, _ := m.Trace(context.Background(), TraceConfig{Requests: 1000, Seed: 3})
	tr2, _ := m.Trace(context.Background(), TraceConfig{Requests: 1000, Seed: 3, Workers: 5})
	if diff := cmp.Diff(tr1.EdgeRequests(4), tr2.EdgeRequests(4)); diff != "" || len(tr1.EdgeRequests(4)) == 0 {
		t.Errorf("edge 4's requests differ between runs:\n%s", diff)
	}
}

// TestPlanBeatsBaselines: on the same trace the plan serves at least as
// many requests as every baseline, at every capacity, for two popularity
// curves; the hindsight optimum is at least the plan's.
func TestPlanBeatsBaselines(t *testing.T) {
	for _, zipf := range []float64{0.8, 1.0} {
		m := synthModel(t, SyntheticConfig{Titles: 3000, Edges: 16, Zipf: zipf, Seed: 2})
		tr, err := m.Trace(context.Background(), TraceConfig{Requests: 200_000, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, frac := range []float64{0.05, 0.1, 0.25, 0.5, 1} {
			t.Run(fmt.Sprintf("zipf %v capacity %v", zipf, frac), func(t *testing.T) {
				p, err := m.Plan(context.Background(), PlanOptions{CapacityBytes: int64(frac * float64(m.CatalogBytes()))})
				if err != nil {
					t.Fatal(err)
				}
				rep, err := m.Simulate(context.Background(), tr, p, SimOptions{})
				if err != nil {
					t.Fatal(err)
				}
				plan := rep.Policy(PolicyPlan)
				var line []string
				for _, pr := range rep.Policies {
					line = append(line, fmt.Sprintf("%s %.4f", pr.Policy, pr.HitRatio))
					if pr.Policy != PolicyPlan && pr.Policy != PolicyOptimum && pr.HitRatio > plan.HitRatio {
						t.Errorf("%s hit ratio %.4f above the plan's %.4f", pr.Policy, pr.HitRatio, plan.HitRatio)
					}
				}
				if opt := rep.Policy(PolicyOptimum); opt.HitRatio < plan.HitRatio {
					t.Errorf("hindsight optimum %.4f below the plan %.4f", opt.HitRatio, plan.HitRatio)
				}
				if math.Abs(plan.HitRatio-p.Summary.ExpectedHitRatio) > 0.01 {
					t.Errorf("plan: %.4f on the trace, %.4f expected", plan.HitRatio, p.Summary.ExpectedHitRatio)
				}
				t.Log(strings.Join(line, ", "))
			})
		}
	}
}

// TestTraceFollowsModel: request shares follow popularity and ABR shares
// (within five standard errors), regions without edges are counted, and
// the Zipf option reshapes popularity.
func TestTraceFollowsModel(t *testing.T) {
	m := testdataModel(t)
	const n = 400_000
	tr, err := m.Trace(context.Background(), TraceConfig{Requests: n, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	counts, err := tr.counts(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	total := m.totalVolume()
	for g := range m.regions {
		for it, c := range counts[g] {
			p := m.value[g][it] / total
			want := p * n
			if sd := math.Sqrt(n * p * (1 - p)); math.Abs(c-want) > 5*sd+1 {
				t.Errorf("region %s item %d: %v requests, want %.0f ± %.0f", m.regions[g], it, c, want, sd)
			}
		}
	}
	// Zipf 1 over each region's ranking: the top title gets twice the
	// second's requests.
	ztr, err := m.Trace(context.Background(), TraceConfig{Requests: n, Seed: 5, Zipf: 1})
	if err != nil {
		t.Fatal(err)
	}
	zc, _ := ztr.counts(context.Background(), 2)
	g := m.regionIdx["us"]
	perTitle := func(t int) (s float64) {
		for it := m.titleStart[t]; it < m.titleStart[t+1]; it++ {
			s += zc[g][it]
		}
		return s
	}
	// us ranks series-1-e01 (4000) then movie-1 (3000).
	if r := perTitle(1) / perTitle(0); math.Abs(r-2) > 0.05 {
		t.Errorf("zipf 1: first/second title = %.3f, want 2", r)
	}
	for _, bad := range []TraceConfig{{Requests: 0}, {Requests: 10, Zipf: -1}, {Requests: MaxTraceRequests + 1}} {
		if _, err := m.Trace(context.Background(), bad); err == nil {
			t.Errorf("trace %+v accepted", bad)
		}
	}
}

// TestSimulateRegions: a region without edges is all misses; per-region
// figures add up.
func TestSimulateRegions(t *testing.T) {
	cat, err := ReadCatalog("testdata/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	edges, err := ReadEdges("testdata/edges.json")
	if err != nil {
		t.Fatal(err)
	}
	edges = edges[:3] // no apac edge
	m, err := NewModel(cat, edges)
	if err != nil {
		t.Fatal(err)
	}
	if w := m.Warnings(); len(w) != 1 || !strings.Contains(w[0], "region apac has no edge") {
		t.Errorf("warnings %q", w)
	}
	p, err := m.Plan(context.Background(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep := simulate(t, m, p, TraceConfig{Requests: 50_000, Seed: 1}, SimOptions{})
	for _, pr := range rep.Policies {
		var req, hits int64
		for _, r := range pr.Regions {
			req += r.Requests
			hits += r.Hits
			if r.Region == "apac" && (r.Hits != 0 || r.Requests == 0 || r.Edges != 0) {
				t.Errorf("%s: apac %+v, want requests and no hits", pr.Policy, r)
			}
		}
		if req != rep.Requests || hits != pr.Hits {
			t.Errorf("%s: regions sum to %d requests, %d hits; total %d, %d", pr.Policy, req, hits, rep.Requests, pr.Hits)
		}
	}
}

// TestSimulatePlanMismatch: a plan naming an edge, a title or a rendition
// the model lacks is refused with an error saying which.
func TestSimulatePlanMismatch(t *testing.T) {
	m := testdataModel(t)
	tr, err := m.Trace(context.Background(), TraceConfig{Requests: 100, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	base := func() *Plan {
		p, err := m.Plan(context.Background(), PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := base()
	p.Placements[0].Titles[0].Renditions = append(p.Placements[0].Titles[0].Renditions, "4k")
	if _, err := m.Simulate(context.Background(), tr, p, SimOptions{}); !errors.Is(err, ErrUnknownRendition) ||
		!strings.Contains(err.Error(), `placement p1: title "series-1-e01": rendition "4k": unknown rendition`) {
		t.Errorf("unknown rendition: %v", err)
	}
	p = base()
	p.Placements[0].Titles[0].Title = "nope"
	if _, err := m.Simulate(context.Background(), tr, p, SimOptions{}); !errors.Is(err, ErrUnknownTitle) {
		t.Errorf("unknown title: %v", err)
	}
	p = base()
	p.Edges[0].ID = "elsewhere"
	if _, err := m.Simulate(context.Background(), tr, p, SimOptions{}); !errors.Is(err, ErrPlanMismatch) {
		t.Errorf("unknown edge: %v", err)
	}
	other := testdataModel(t)
	if _, err := other.Simulate(context.Background(), tr, base(), SimOptions{}); err == nil {
		t.Error("a trace of another model was accepted")
	}
}

// TestSimulateIncrementalPlan: the optimum and the popularity baseline get
// the plan's starting point (what the edges held before its changes).
func TestSimulateIncrementalPlan(t *testing.T) {
	m := testdataModel(t)
	ctx := context.Background()
	p1, err := m.Plan(ctx, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := m.Plan(ctx, PlanOptions{Previous: p1})
	if err != nil {
		t.Fatal(err)
	}
	_, _, prev, err := m.planSets(p2)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range p2.Edges {
		if e.ID == "sin-1" { // budget-bound: the second night adds to the first
			if !prev[i].any || e.AddBytes == 0 {
				t.Errorf("sin-1: held before %v, adds %d", prev[i].any, e.AddBytes)
			}
		}
	}
	rep := simulate(t, m, p2, TraceConfig{Requests: 20_000, Seed: 2}, SimOptions{NoLRU: true})
	if rep.Policy(PolicyLRU) != nil || len(rep.Policies) != 4 {
		t.Errorf("NoLRU: policies %d", len(rep.Policies))
	}
}

func TestLRU(t *testing.T) {
	c := newLRU(10)
	c.reset(10)
	steps := []struct {
		key      int32
		size     int64
		hit      bool
		admitted int64
	}{
		{1, 4, false, 4}, {2, 4, false, 4}, {1, 4, true, 0}, // 1 is now the most recent
		{3, 4, false, 4}, // evicts 2, the least recent
		{2, 4, false, 4}, // evicts 1
		{3, 4, true, 0},
		{9, 11, false, 0}, // larger than the cache: never admitted
	}
	for i, s := range steps {
		hit, adm := c.access(s.key, s.size)
		if hit != s.hit || adm != s.admitted {
			t.Fatalf("step %d (key %d): hit %v admitted %d, want %v %d", i, s.key, hit, adm, s.hit, s.admitted)
		}
	}
	if c.used != 8 || c.slot[1] != -1 || c.slot[2] < 0 || c.slot[3] < 0 {
		t.Errorf("used %d, slots %v", c.used, c.slot[:4])
	}
	c.reset(4)
	c.pushBack(5, 2)
	c.pushBack(6, 2)
	if hit, _ := c.access(6, 2); !hit || c.head != c.slot[6] {
		t.Errorf("warm keys not found")
	}
	if hit, _ := c.access(7, 2); hit || c.slot[5] != -1 {
		t.Errorf("the least recent warm key should go first")
	}
}

func TestAlias(t *testing.T) {
	w := []float64{0, 1, 2, 3, 4, 0, 10}
	a := newAlias(w)
	r := newRNG(1)
	const n = 2_000_000
	got := make([]float64, len(w))
	for range n {
		got[a.draw(&r)]++
	}
	for i := range w {
		p := w[i] / 20
		if sd := math.Sqrt(n * p * (1 - p)); math.Abs(got[i]-p*n) > 5*sd+0.5 {
			t.Errorf("outcome %d: %v draws, want %.0f", i, got[i], p*n)
		}
	}
}

func TestApportion(t *testing.T) {
	got := apportion(10, []float64{1, 1, 1})
	if diff := cmp.Diff([]int64{4, 3, 3}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := apportion(5, []float64{0, 0}); got[0]+got[1] != 0 {
		t.Errorf("no weight: %v", got)
	}
}
