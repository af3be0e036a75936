package fill

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tinyInstance is a random one-region, one-edge instance small enough for
// brute force: 2 to 4 titles of 1 to 3 renditions.
func tinyInstance(r *rng) (*Catalog, int64) {
	cat := &Catalog{}
	var total int64
	nt := 2 + int(r.next()%3)
	for t := range nt {
		title := Title{ID: fmt.Sprintf("t%d", t), BaseBytes: int64(r.next() % 40),
			Popularity: map[string]float64{"r": float64(1 + r.next()%100)}}
		total += title.BaseBytes
		bw := int64(300_000)
		for k := range 1 + int(r.next()%3) {
			bw += int64(200_000 + r.next()%4_000_000)
			rd := Rendition{ID: fmt.Sprintf("r%d", k), BandwidthBps: bw, Bytes: int64(1 + r.next()%100)}
			title.Renditions = append(title.Renditions, rd)
			total += rd.Bytes
		}
		cat.Titles = append(cat.Titles, title)
	}
	return cat, total
}

// bruteForce is the best value over every subset of items that fits: held
// bytes (renditions plus the base of every title with one) at most
// capacity, new bytes (items not in held, bases of titles not in held) at
// most budget (zero: no limit).
func bruteForce(m *Model, capacity, budget int64, held bitset) float64 {
	n := m.items()
	best := 0.0
	for mask := 0; mask < 1<<n; mask++ {
		var bytes, fill int64
		var v float64
		seen := make(map[int32]bool)
		for i := range n {
			if mask&(1<<i) == 0 {
				continue
			}
			t := m.itemTitle[i]
			c := m.itemBytes[i]
			bytes += c
			if held == nil || !held.has(int32(i)) {
				fill += c
			}
			if !seen[t] {
				seen[t] = true
				bytes += m.base[t]
				if held == nil || !titleHeld(m, held, t) {
					fill += m.base[t]
				}
			}
			v += m.value[0][i]
		}
		if bytes <= capacity && (budget == 0 || fill <= budget) {
			best = max(best, v)
		}
	}
	return best
}

func titleHeld(m *Model, held bitset, t int32) bool {
	for i := m.titleStart[t]; i < m.titleStart[t+1]; i++ {
		if held.has(i) {
			return true
		}
	}
	return false
}

// planValue checks an edge's placement against the catalog (bytes,
// budgets) and returns its value, its bytes and its fill.
func planValue(t *testing.T, m *Model, p *Plan, edge int, held bitset) (v float64, bytes, fill int64) {
	t.Helper()
	pl := p.placement(p.Edges[edge].Placement)
	for _, tr := range pl.Titles {
		ti := m.titleIdx[tr.Title]
		bytes += m.base[ti]
		if held == nil || !titleHeld(m, held, ti) {
			fill += m.base[ti]
		}
		for _, r := range tr.Renditions {
			it, err := m.item(tr.Title, r)
			if err != nil {
				t.Fatal(err)
			}
			v += m.value[m.edgeRegion[edge]][it]
			bytes += m.itemBytes[it]
			if held == nil || !held.has(it) {
				fill += m.itemBytes[it]
			}
		}
	}
	if bytes != pl.Bytes || bytes != p.Edges[edge].HeldBytes {
		t.Errorf("edge %s: placement says %d bytes, edge %d, catalog %d", p.Edges[edge].ID, pl.Bytes, p.Edges[edge].HeldBytes, bytes)
	}
	return v, bytes, fill
}

// TestPlanBruteForce compares the planner with the optimum found by
// enumerating every subset, on 600 random small instances, and checks the
// bound the planner states (Model.Plan): with v(c) the value of the
// critical bundle, OPT - v(c) <= greedy <= OPT <= U.
func TestPlanBruteForce(t *testing.T) {
	r := newRNG(42)
	exact := 0
	var sumRatio float64
	const n = 600
	for i := range n {
		cat, total := tinyInstance(&r)
		capacity := int64(r.next() % uint64(total+1))
		edge := Edge{ID: "e", Region: "r", Capacity: Size(capacity)}
		var budget int64
		if i%3 == 0 { // a fill budget that binds: 60 s at Rate bytes/s
			edge.FillWindow, edge.FillRate = "00:00-00:01", Rate(1+r.next()%uint64(total/60+2))
			budget = edge.FillBudgetBytes()
		}
		m, err := NewModel(cat, []Edge{edge})
		if err != nil {
			t.Fatal(err)
		}
		p, err := m.Plan(context.Background(), PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		opt := bruteForce(m, capacity, budget, nil)
		got, bytes, fill := planValue(t, m, p, 0, nil)
		bound := p.Edges[0].UpperBoundHitRatio * m.volume[0]
		o := m.buildOrder(m.value[0], nil, 0)
		eff := capacity
		if budget > 0 {
			eff = min(capacity, budget)
		}
		vcrit := criticalValue(o, eff)
		const eps = 1e-9
		switch {
		case bytes > capacity || (budget > 0 && fill > budget):
			t.Fatalf("instance %d: placement of %d bytes (fill %d) exceeds capacity %d or budget %d", i, bytes, fill, capacity, budget)
		case got > opt+eps:
			t.Fatalf("instance %d: greedy %v beats brute force %v: the brute force or the budgets are wrong", i, got, opt)
		case opt > bound*(1+eps)+eps:
			t.Fatalf("instance %d: optimum %v above the stated upper bound %v", i, opt, bound)
		case got < opt-vcrit-eps:
			t.Fatalf("instance %d: greedy %v below optimum %v minus the critical bundle %v", i, got, opt, vcrit)
		}
		if got >= opt-eps {
			exact++
		}
		if opt > 0 {
			sumRatio += got / opt
		} else {
			sumRatio++
		}
	}
	// These instances are the greedy's worst case: a rendition is a large
	// part of the edge. At CDN scale the critical bundle is a
	// ten-thousandth of an edge's value or less.
	t.Logf("greedy equals the optimum on %d of %d instances (%.2f %% of it on average); within the critical bundle's value on all",
		exact, n, 100*sumRatio/n)
	if exact < n*2/3 {
		t.Errorf("greedy is optimal on only %d of %d instances", exact, n)
	}
}

// criticalValue is the value of the first bundle the LP takes in part.
func criticalValue(o *order, c int64) float64 {
	for _, bd := range o.bundles {
		if bd.bytes > c {
			return bd.value
		}
		c -= bd.bytes
	}
	return 0
}

// TestPlanBruteForceIncremental does the same with something already held
// (the fill budget counts new bytes only): the plan must fit both budgets
// and cannot beat the optimum; the gap is logged, there is no bound.
func TestPlanBruteForceIncremental(t *testing.T) {
	r := newRNG(7)
	var sumRatio float64
	const n = 300
	for i := range n {
		cat, total := tinyInstance(&r)
		capacity := int64(r.next() % uint64(total+1))
		edge := Edge{ID: "e", Region: "r", Capacity: Size(capacity), FillWindow: "00:00-00:01",
			FillRate: Rate(1 + r.next()%uint64(total/60+2))}
		budget := edge.FillBudgetBytes()
		m, err := NewModel(cat, []Edge{edge})
		if err != nil {
			t.Fatal(err)
		}
		held := newBitset(m.items())
		prev := Placement{ID: "old", Region: "r"}
		for ti, title := range cat.Titles {
			tr := TitleRenditions{Title: title.ID}
			for k, rd := range title.Renditions {
				if r.next()%3 == 0 {
					held.set(m.titleStart[ti] + int32(k))
					tr.Renditions = append(tr.Renditions, rd.ID)
				}
			}
			if len(tr.Renditions) > 0 {
				prev.Titles = append(prev.Titles, tr)
			}
		}
		previous := &Plan{Version: PlanVersion, Edges: []EdgePlan{{ID: "e", Region: "r", Placement: "old"}},
			Placements: []Placement{prev}}
		p, err := m.Plan(context.Background(), PlanOptions{Previous: previous})
		if err != nil {
			t.Fatal(err)
		}
		opt := bruteForce(m, capacity, budget, held)
		got, bytes, fill := planValue(t, m, p, 0, held)
		if bytes > capacity || fill > budget {
			t.Fatalf("instance %d: %d bytes (capacity %d), %d new (budget %d)", i, bytes, capacity, fill, budget)
		}
		if got > opt+1e-9 {
			t.Fatalf("instance %d: greedy %v beats brute force %v", i, got, opt)
		}
		if p.Edges[0].AddBytes != fill {
			t.Errorf("instance %d: plan says %d bytes added, the catalog %d", i, p.Edges[0].AddBytes, fill)
		}
		if opt > 0 {
			sumRatio += got / opt
		} else {
			sumRatio++
		}
	}
	t.Logf("with held items: greedy reaches %.2f %% of the optimum on average", 100*sumRatio/n)
}

// synthModel is a synthetic model for the larger tests.
func synthModel(t testing.TB, cfg SyntheticConfig) *Model {
	t.Helper()
	cat, edges := Synthetic(cfg)
	m, err := NewModel(cat, edges)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// checkBudgets recomputes every edge's bytes, adds and evictions from the
// catalog and checks them against the plan and the budgets.
func checkBudgets(t *testing.T, m *Model, p, previous *Plan) {
	t.Helper()
	for i, e := range p.Edges {
		var held bitset
		if previous != nil {
			for _, pe := range previous.Edges {
				if pe.ID == e.ID {
					held = newBitset(m.items())
					for _, tr := range previous.placement(pe.Placement).Titles {
						for _, r := range tr.Renditions {
							if it, err := m.item(tr.Title, r); err == nil {
								held.set(it)
							}
						}
					}
				}
			}
		}
		_, bytes, fill := planValue(t, m, p, i, held)
		if bytes > e.CapacityBytes {
			t.Errorf("edge %s holds %d bytes, capacity %d", e.ID, bytes, e.CapacityBytes)
		}
		if e.FillBudgetBytes > 0 && fill > e.FillBudgetBytes {
			t.Errorf("edge %s adds %d bytes, fill budget %d", e.ID, fill, e.FillBudgetBytes)
		}
		if fill != e.AddBytes {
			t.Errorf("edge %s: plan says %d bytes added, the catalog %d", e.ID, e.AddBytes, fill)
		}
	}
}

// TestPlanBudgets: capacity and fill budgets are never exceeded, on a
// synthetic CDN with binding budgets, from scratch and night after night.
func TestPlanBudgets(t *testing.T) {
	for _, frac := range []float64{0.01, 0.05, 0.2} {
		t.Run(fmt.Sprint(frac), func(t *testing.T) {
			cat, edges := Synthetic(SyntheticConfig{Titles: 1500, Edges: 12, CapacityFraction: frac, Seed: 3})
			// A fill budget of a fifth of the capacity per night, and a
			// bigger second edge per region.
			for i := range edges {
				edges[i].FillWindow = "02:00-03:00"
				edges[i].FillRate = Rate(int64(edges[i].Capacity) / 5 / 3600)
				if i%2 == 1 {
					edges[i].Capacity = edges[i].Capacity * 3 / 2
				}
			}
			m, err := NewModel(cat, edges)
			if err != nil {
				t.Fatal(err)
			}
			var prev *Plan
			for night := range 4 {
				p, err := m.Plan(context.Background(), PlanOptions{Previous: prev})
				if err != nil {
					t.Fatal(err)
				}
				checkBudgets(t, m, p, prev)
				if night > 0 && p.Summary.ExpectedHitRatio+1e-12 < prev.Summary.ExpectedHitRatio {
					t.Errorf("night %d: expected hit ratio fell from %v to %v", night, prev.Summary.ExpectedHitRatio, p.Summary.ExpectedHitRatio)
				}
				prev = p
			}
		})
	}
}

// TestPlanIncrementalNoChange: re-planning what the edges already hold,
// from the same catalog, moves nothing.
func TestPlanIncrementalNoChange(t *testing.T) {
	m := synthModel(t, SyntheticConfig{Titles: 2000, Edges: 16, CapacityFraction: 0.1, Seed: 5})
	ctx := context.Background()
	p1, err := m.Plan(ctx, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p1.Summary.AddBytes != p1.Summary.HeldBytes || len(p1.Changes) == 0 || !p1.Changes[0].AddAll {
		t.Fatalf("a first plan adds everything: %+v", p1.Summary)
	}
	p2, err := m.Plan(ctx, PlanOptions{Previous: p1})
	if err != nil {
		t.Fatal(err)
	}
	if p2.Summary.AddBytes != 0 || p2.Summary.EvictBytes != 0 || len(p2.Changes) != 0 {
		t.Errorf("same inputs: %d bytes added, %d evicted, %d changes", p2.Summary.AddBytes, p2.Summary.EvictBytes, len(p2.Changes))
	}
	if diff := cmp.Diff(p1.Placements, p2.Placements); diff != "" {
		t.Errorf("placements changed (-first +second):\n%s", diff)
	}
}

// TestPlanIncrementalMovesOnlyWhatChanged: when one title becomes a hit,
// the fill copies that title and evicts only marginal renditions (those
// past the first bundle the greedy skips), never the valuable ones.
func TestPlanIncrementalMovesOnlyWhatChanged(t *testing.T) {
	cat, edges := Synthetic(SyntheticConfig{Titles: 2000, Regions: 1, Edges: 1, CapacityFraction: 0.1, Seed: 9})
	m1, err := NewModel(cat, edges)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p1, err := m1.Plan(ctx, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The least popular title becomes the most popular one.
	region := edges[0].Region
	var hit, top int
	for i, ti := range cat.Titles {
		if ti.Popularity[region] < cat.Titles[hit].Popularity[region] {
			hit = i
		}
		if ti.Popularity[region] > cat.Titles[top].Popularity[region] {
			top = i
		}
	}
	cat.Titles[hit].Popularity = map[string]float64{region: 2 * cat.Titles[top].Popularity[region]}
	m2, err := NewModel(cat, edges)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := m2.Plan(ctx, PlanOptions{Previous: p1})
	if err != nil {
		t.Fatal(err)
	}
	c := p2.change(p2.Edges[0].Change)
	if c == nil || len(c.Add) == 0 || c.Add[0].Title != cat.Titles[hit].ID {
		t.Fatalf("change %+v: want the new hit %s added first", c, cat.Titles[hit].ID)
	}
	checkBudgets(t, m2, p2, p1)
	// Where each item sits in the old and new density orders, and where
	// each greedy first skipped.
	cap0 := int64(edges[0].Capacity)
	posOf := func(o *order) map[int32]int {
		pos := make(map[int32]int)
		for k, bd := range o.bundles {
			start := m1.titleStart[bd.title]
			for _, it := range o.rank[start+int32(bd.lo) : start+int32(bd.hi)] {
				pos[it] = k
			}
		}
		return pos
	}
	firstSkip := func(o *order) int {
		c := cap0
		for k, bd := range o.bundles {
			if bd.bytes > c {
				return k
			}
			c -= bd.bytes
		}
		return len(o.bundles)
	}
	o1, o2 := m1.buildOrder(m1.value[0], nil, 0), m2.buildOrder(m2.value[0], nil, 0)
	pos1, pos2 := posOf(o1), posOf(o2)
	crit1, crit2 := firstSkip(o1), firstSkip(o2)
	var moved, addedHit int64
	for _, tr := range c.Add {
		for _, r := range tr.Renditions {
			it, _ := m1.item(tr.Title, r)
			if tr.Title == cat.Titles[hit].ID {
				addedHit += m1.itemBytes[it]
				continue
			}
			moved += m1.itemBytes[it]
			if pos1[it] < crit1 {
				t.Errorf("added %s/%s was before the old plan's first skip (%d < %d)", tr.Title, r, pos1[it], crit1)
			}
		}
	}
	for _, tr := range c.Evict {
		for _, r := range tr.Renditions {
			it, _ := m1.item(tr.Title, r)
			moved += m1.itemBytes[it]
			if pos2[it] < crit2 {
				t.Errorf("evicted %s/%s is before the new plan's first skip (%d < %d)", tr.Title, r, pos2[it], crit2)
			}
		}
	}
	t.Logf("new hit: %d bytes added; other renditions moved: %d bytes (%.1f %% of the edge)", addedHit, moved,
		100*float64(moved)/float64(cap0))
	if moved > 4*addedHit {
		t.Errorf("moved %d bytes of other titles for a %d-byte hit", moved, addedHit)
	}
}

// TestPlanHysteresis: with hysteresis, a popularity wobble of ±2 % moves
// almost nothing (at most the repacking of the last bytes of capacity);
// without, a lot of marginal renditions swap.
func TestPlanHysteresis(t *testing.T) {
	ctx := context.Background()
	cat, edges := Synthetic(SyntheticConfig{Titles: 3000, Edges: 8, CapacityFraction: 0.1, Seed: 11})
	m1, err := NewModel(cat, edges)
	if err != nil {
		t.Fatal(err)
	}
	r := newRNG(5)
	regions := m1.Regions()
	for i := range cat.Titles {
		pop := make(map[string]float64)
		for _, g := range regions {
			pop[g] = cat.Titles[i].Popularity[g] * (0.98 + 0.04*r.float64())
		}
		cat.Titles[i].Popularity = pop
	}
	m2, err := NewModel(cat, edges)
	if err != nil {
		t.Fatal(err)
	}
	moved := make(map[float64]int64)
	for _, h := range []float64{0, 0.05} {
		p1, err := m1.Plan(ctx, PlanOptions{Hysteresis: h})
		if err != nil {
			t.Fatal(err)
		}
		p2, err := m2.Plan(ctx, PlanOptions{Previous: p1, Hysteresis: h})
		if err != nil {
			t.Fatal(err)
		}
		checkBudgets(t, m2, p2, p1)
		moved[h] = p2.Summary.AddBytes + p2.Summary.EvictBytes
		t.Logf("hysteresis %.2f: %d bytes added, %d evicted (edges hold %d); expected hit ratio %.5f → %.5f",
			h, p2.Summary.AddBytes, p2.Summary.EvictBytes, p2.Summary.HeldBytes, p1.Summary.ExpectedHitRatio, p2.Summary.ExpectedHitRatio)
		if h > 0 && float64(moved[h]) > 1e-4*float64(p2.Summary.HeldBytes) {
			t.Errorf("hysteresis %v: a ±2 %% wobble moved %d bytes", h, moved[h])
		}
	}
	if moved[0.05]*20 > moved[0] {
		t.Errorf("hysteresis moved %d bytes, none %d: want a twentieth at most", moved[0.05], moved[0])
	}
}

// TestPlanConverges: an edge whose fill budget is smaller than its
// capacity fills up night after night, and ends where a plan without the
// budget would.
func TestPlanConverges(t *testing.T) {
	ctx := context.Background()
	cat, edges := Synthetic(SyntheticConfig{Titles: 1000, Edges: 4, Regions: 2, CapacityFraction: 0.2, Seed: 13})
	unlimited, err := NewModel(cat, edges)
	if err != nil {
		t.Fatal(err)
	}
	want, err := unlimited.Plan(ctx, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range edges {
		edges[i].FillWindow, edges[i].FillRate = "02:00-03:00", Rate(int64(edges[i].Capacity)/4/3600)
	}
	m, err := NewModel(cat, edges)
	if err != nil {
		t.Fatal(err)
	}
	var prev *Plan
	for night := 1; ; night++ {
		p, err := m.Plan(ctx, PlanOptions{Previous: prev})
		if err != nil {
			t.Fatal(err)
		}
		checkBudgets(t, m, p, prev)
		if prev != nil && len(p.Changes) == 0 {
			if diff := cmp.Diff(want.Placements, p.Placements, cmpPlacementSets()); diff != "" {
				t.Errorf("after %d nights (-without budget +night by night):\n%s", night, diff)
			}
			t.Logf("converged after %d nights", night-1)
			return
		}
		if night > 12 {
			t.Fatalf("still moving after %d nights", night)
		}
		prev = p
	}
}

// cmpPlacementSets compares placements as sets: the order titles were
// added in differs between one night and several.
func cmpPlacementSets() cmp.Option {
	return cmp.Transformer("set", func(p Placement) map[string]int64 {
		out := map[string]int64{"<bytes>": p.Bytes}
		for _, t := range p.Titles {
			for _, r := range t.Renditions {
				out[t.Title+"/"+r] = 1
			}
		}
		return out
	})
}

// TestPlanPrevious: titles and renditions the catalog dropped are evicted,
// with the bytes the previous plan gave them.
func TestPlanPrevious(t *testing.T) {
	m := testdataModel(t)
	prev := &Plan{Version: PlanVersion, Edges: []EdgePlan{{ID: "nyc-1", Placement: "x"}, {ID: "gone-edge", Placement: "x"}},
		Placements: []Placement{{ID: "x", Titles: []TitleRenditions{
			{Title: "withdrawn", Path: "old/withdrawn", Renditions: []string{"720p"}, Bytes: 123},
			{Title: "series-1-e01", Renditions: []string{"360p-730k", "4k"}},
		}}}}
	p, err := m.Plan(context.Background(), PlanOptions{Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	var nyc EdgePlan
	for _, e := range p.Edges {
		if e.ID == "nyc-1" {
			nyc = e
		}
	}
	c := p.change(nyc.Change)
	want := []TitleRenditions{
		{Title: "withdrawn", Path: "old/withdrawn", Renditions: []string{"720p"}, Bytes: 123},
		{Title: "series-1-e01", Renditions: []string{"4k"}},
	}
	if diff := cmp.Diff(want, c.Evict); diff != "" {
		t.Errorf("evictions (-want +got):\n%s", diff)
	}
	for _, a := range c.Add {
		if a.Title == "series-1-e01" && (a.Bytes != 765000000+1530000000 || len(a.Renditions) != 2) {
			t.Errorf("series-1-e01 was held at 360p: adds %+v", a)
		}
	}
	if _, err := m.Plan(context.Background(), PlanOptions{Previous: &Plan{Version: 9}}); err == nil {
		t.Error("a previous plan of another version was accepted")
	}
}

func testdataModel(t testing.TB) *Model {
	t.Helper()
	cat, err := ReadCatalog("testdata/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	edges, err := ReadEdges("testdata/edges.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(cat, edges)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPlanGolden pins the plan of testdata/catalog.json and edges.json,
// and checks that it survives a round trip through ParsePlan.
func TestPlanGolden(t *testing.T) {
	m := testdataModel(t)
	p, err := m.Plan(context.Background(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := p.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.json", data)
	back, err := ParsePlan("plan.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("round trip (-written +read):\n%s", diff)
	}
	if s := p.Summary; s.ExpectedHitRatio <= 0 || s.ExpectedHitRatio > s.UpperBoundHitRatio || s.UpperBoundHitRatio > 1 {
		t.Errorf("summary %+v", s)
	}
	for _, e := range p.Edges {
		if e.ID == "sin-1" && e.AddBytes > e.FillBudgetBytes {
			t.Errorf("sin-1 adds %d bytes, budget %d", e.AddBytes, e.FillBudgetBytes)
		}
	}
}

func TestPlanOptions(t *testing.T) {
	m := testdataModel(t)
	if _, err := m.Plan(context.Background(), PlanOptions{Hysteresis: -1}); err == nil {
		t.Error("negative hysteresis accepted")
	}
	p, err := m.Plan(context.Background(), PlanOptions{CapacityBytes: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Edges {
		if e.CapacityBytes != 1<<40 {
			t.Errorf("edge %s: capacity %d, want the override", e.ID, e.CapacityBytes)
		}
		if e.FillBudgetBytes == 0 && e.ExpectedHitRatio < 1-1e-9 {
			t.Errorf("edge %s holds the whole catalog but expects %v", e.ID, e.ExpectedHitRatio)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Plan(ctx, PlanOptions{}); err == nil {
		t.Error("a cancelled plan succeeded")
	}
}

func TestABRShares(t *testing.T) {
	a := DefaultABR
	out := make([]float64, 3)
	a.shares([]int64{6_600_000, 800_000, 3_300_000}, out)
	if s := out[0] + out[1] + out[2]; math.Abs(s-1) > 1e-12 {
		t.Errorf("shares %v sum to %v", out, s)
	}
	// Usable throughput (80 % of a median of 6 Mbit/s, sigma 1) at or above
	// 6.6 Mbit/s / 0.8: P(Z > ln(8.25/6)) = 37.5 %.
	if math.Abs(out[0]-0.3748) > 0.001 {
		t.Errorf("top rendition share %v, want 0.375", out[0])
	}
	slow := ABR{MedianKbps: 1000, Sigma: 1, Safety: 0.8}
	slow.shares([]int64{6_600_000, 800_000, 3_300_000}, out)
	if out[1] < 0.5 || out[0] > 0.05 {
		t.Errorf("slow viewers: %v, want most on the lowest rendition", out)
	}
	one := make([]float64, 1)
	a.shares([]int64{5}, one)
	if one[0] != 1 {
		t.Errorf("one rendition: share %v", one[0])
	}
}
