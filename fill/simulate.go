package fill

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
)

// SimOptions configure Model.Simulate.
type SimOptions struct {
	// NoLRU skips the LRU baseline, the slowest part.
	NoLRU bool
	// LRUHistory is how many traces' worth of requests each LRU cache has
	// seen before the trace (see runLRU); zero is 4.
	LRUHistory int
	// Workers bounds the goroutines; zero is GOMAXPROCS.
	Workers int
	// Phase, when set, is called as each phase starts: "optimum",
	// "yesterday", "popularity", "replay", "lru", then "done". Benchmarks
	// time them.
	Phase func(name string)
}

// Policy names in SimReport.
const (
	PolicyPlan       = "plan"
	PolicyOptimum    = "optimum"
	PolicyYesterday  = "yesterday"
	PolicyPopularity = "popularity"
	PolicyLRU        = "lru"
)

// SimReport is what a simulation found: per policy, the share of requests
// edges served (hit ratio) and of bytes (origin offload), overall and per
// region. Everything in it is a function of the model, the plan and the
// trace: the same seed gives the same report.
type SimReport struct {
	Requests     int64          `json:"requests"`
	Seed         uint64         `json:"seed"`
	Zipf         float64        `json:"zipf,omitempty"`
	Titles       int            `json:"titles"`
	Renditions   int            `json:"renditions"`
	Edges        int            `json:"edges"`
	CatalogBytes int64          `json:"catalog_bytes"`
	Policies     []PolicyReport `json:"policies"`
}

// PolicyReport is one policy's result on the trace.
type PolicyReport struct {
	Policy      string  `json:"policy"`
	Description string  `json:"description"`
	Hits        int64   `json:"hits"`
	HitRatio    float64 `json:"hit_ratio"`
	// OriginOffload is the share of requested bytes served by edges (a
	// request is for the whole rendition).
	OriginOffload float64 `json:"origin_offload"`
	BytesFromEdge int64   `json:"bytes_from_edge"`
	// HeldBytes is what the edges hold (static policies); FillBytes what
	// the fill copies to them (the pre-positioning policies), or for LRU
	// what it pulled from the origin into its caches during the trace.
	HeldBytes int64          `json:"held_bytes"`
	FillBytes int64          `json:"fill_bytes"`
	Regions   []RegionReport `json:"regions"`
}

// RegionReport is a policy's result in one region.
type RegionReport struct {
	Region        string  `json:"region"`
	Edges         int     `json:"edges"`
	Requests      int64   `json:"requests"`
	Hits          int64   `json:"hits"`
	HitRatio      float64 `json:"hit_ratio"`
	OriginOffload float64 `json:"origin_offload"`
}

// Policy returns the report of the named policy, or nil.
func (r *SimReport) Policy(name string) *PolicyReport {
	for i := range r.Policies {
		if r.Policies[i].Policy == name {
			return &r.Policies[i]
		}
	}
	return nil
}

// ErrPlanMismatch is wrapped when a plan names edges the model does not
// have.
var ErrPlanMismatch = errors.New("plan does not match the edges")

// Simulate replays the trace against the plan and the baselines:
//
//   - plan: each edge holds its placement;
//   - optimum: the static optimum with hindsight: the same planner and
//     budgets (and previous holdings) with the trace's own request counts
//     per region instead of the forecast; the best a pre-positioning could
//     do knowing the requests in advance (edges of a region share their
//     counts: one edge's 0.1 % of them would be noise no plan can know);
//   - yesterday: the same planner fed the request counts of another trace
//     of the same size (yesterday's log) instead of the forecast: what
//     the optimum's hindsight is worth when it does not carry over;
//   - popularity: popularity-only pre-positioning, without regard for
//     bytes (titles by popularity, all renditions, first fit);
//   - lru: no pre-positioning, each edge an LRU cache of its capacity,
//     starting warm: as after LRUHistory traces' worth of requests (see
//     runLRU).
//
// A request is a hit when its edge holds its rendition. Budgets are the
// plan's: capacity, fill budget and, for the optimum and popularity, the
// holdings the plan started from.
func (m *Model) Simulate(ctx context.Context, tr *Trace, p *Plan, opts SimOptions) (*SimReport, error) {
	if tr.m != m {
		return nil, errors.New("simulate: the trace is of another model")
	}
	workers := cmp.Or(opts.Workers, runtime.GOMAXPROCS(0))
	phase := opts.Phase
	if phase == nil {
		phase = func(string) {}
	}
	sets, budgets, prev, err := m.planSets(p)
	if err != nil {
		return nil, err
	}
	rep := &SimReport{Requests: tr.Requests(), Seed: tr.cfg.Seed, Zipf: tr.cfg.Zipf, Titles: len(m.cat.Titles),
		Renditions: m.items(), Edges: len(m.edges), CatalogBytes: m.totalBytes}

	phase("optimum")
	counts, err := tr.counts(ctx, workers)
	if err != nil {
		return nil, err
	}
	opt, err := m.placeAll(ctx, func(g int) []float64 { return counts[g] }, budgets, prev, 0, workers)
	if err != nil {
		return nil, err
	}
	optSets := resultSets(m, opt)
	phase("yesterday")
	counts, err = tr.otherCounts(ctx, workers)
	if err != nil {
		return nil, err
	}
	yest, err := m.placeAll(ctx, func(g int) []float64 { return counts[g] }, budgets, prev, 0, workers)
	if err != nil {
		return nil, err
	}
	counts = nil
	yestSets := resultSets(m, yest)

	phase("popularity")
	pop := make([]greedyResult, len(m.edges))
	type popKey struct {
		region int
		b      edgeBudget
		held   *heldState
	}
	popMemo := make(map[popKey]int)
	popOrders := make(map[int][2][]int32)
	for i := range m.edges {
		g := m.edgeRegion[i]
		k := popKey{g, budgets[i], prev[i]}
		if j, ok := popMemo[k]; ok {
			pop[i] = pop[j]
			continue
		}
		popMemo[k] = i
		o, ok := popOrders[g]
		if !ok {
			ts, bw := m.popularityOrder(g)
			o = [2][]int32{ts, bw}
			popOrders[g] = o
		}
		pop[i] = m.popularityPlace(o[0], o[1], budgets[i], prev[i])
		pop[i].same = i
	}
	popSets := resultSets(m, pop)

	// Replay: one tally per stream, summed per region afterwards.
	const nStatic = 4
	type tally struct {
		requests, bytes int64
		hits, hitBytes  [nStatic + 1]int64
		lruFill         int64
	}
	phase("replay")
	tallies := make([]tally, len(tr.edge))
	err = forStreams(ctx, len(tr.edge), workers, func(s int) {
		e := tr.edge[s]
		t := &tallies[s]
		var ss [nStatic]bitset
		if e >= 0 {
			ss = [nStatic]bitset{sets[e], optSets[e], yestSets[e], popSets[e]}
		}
		for _, it := range tr.items[tr.start[s]:tr.start[s+1]] {
			b := m.info[it].bytes
			t.requests++
			t.bytes += b
			for k, set := range ss {
				if set != nil && set.has(it) {
					t.hits[k]++
					t.hitBytes[k] += b
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	if !opts.NoLRU {
		phase("lru")
		history := cmp.Or(opts.LRUHistory, defaultLRUHistory)
		pool := make(chan *lru, workers)
		for range workers {
			pool <- newLRU(m.items() + len(m.cat.Titles))
		}
		err = forStreams(ctx, len(tr.edge), workers, func(s int) {
			e := tr.edge[s]
			if e < 0 {
				return
			}
			c := <-pool
			defer func() { pool <- c }()
			t := &tallies[s]
			t.hits[nStatic], t.hitBytes[nStatic], t.lruFill = m.runLRU(c, tr, s, budgets[e].capacity, history)
		})
		if err != nil {
			return nil, err
		}
	}

	phase("done")
	names := []string{PolicyPlan, PolicyOptimum, PolicyYesterday, PolicyPopularity, PolicyLRU}
	descs := []string{
		"the plan: renditions pre-positioned by expected requests per byte",
		"static optimum: the planner with hindsight (the trace's own request counts per region)",
		"the planner fed yesterday's counts (another trace of the same size) instead of the forecast",
		"popularity only: most popular titles first, all renditions, first fit, no regard for bytes",
		"LRU only: no pre-positioning; edges cache what they are asked for (warmed up first)",
	}
	held := [nStatic][]greedyResult{nil, opt, yest, pop}
	for k, name := range names {
		if name == PolicyLRU && opts.NoLRU {
			continue
		}
		pr := PolicyReport{Policy: name, Description: descs[k]}
		regs := make([]RegionReport, len(m.regions))
		var regBytes, regHitBytes = make([]int64, len(m.regions)), make([]int64, len(m.regions))
		var totalBytes int64
		for g, name := range m.regions {
			regs[g] = RegionReport{Region: name, Edges: len(m.regionEdge[g])}
		}
		for s := range tr.edge {
			t := &tallies[s]
			g := tr.region[s]
			regs[g].Requests += t.requests
			regs[g].Hits += t.hits[k]
			regBytes[g] += t.bytes
			regHitBytes[g] += t.hitBytes[k]
			pr.Hits += t.hits[k]
			pr.BytesFromEdge += t.hitBytes[k]
			totalBytes += t.bytes
			if name == PolicyLRU {
				pr.FillBytes += t.lruFill
			}
		}
		for g := range regs {
			regs[g].HitRatio = ratio(regs[g].Hits, regs[g].Requests)
			regs[g].OriginOffload = ratio(regHitBytes[g], regBytes[g])
		}
		pr.Regions = regs
		pr.HitRatio = ratio(pr.Hits, rep.Requests)
		pr.OriginOffload = ratio(pr.BytesFromEdge, totalBytes)
		switch name {
		case PolicyPlan:
			for _, e := range p.Edges {
				pr.HeldBytes += e.HeldBytes
				pr.FillBytes += e.AddBytes
			}
		case PolicyOptimum, PolicyYesterday, PolicyPopularity:
			for _, r := range held[k] {
				pr.HeldBytes += r.bytes
				pr.FillBytes += r.fill
			}
		case PolicyLRU:
			for i := range m.edges {
				pr.HeldBytes += budgets[i].capacity
			}
		}
		rep.Policies = append(rep.Policies, pr)
	}
	return rep, nil
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// defaultLRUHistory bounds the history runLRU samples to warm a cache:
// this many times the edge's requests in the trace.
const defaultLRUHistory = 4

// runLRU runs stream s through an LRU cache of the capacity and counts its
// hits. Each request touches the title's base (audio, manifests) too,
// which takes room as it does on a real edge.
//
// The cache starts warm, as an edge that has run for long: requests are
// independent draws, so the content of an LRU cache after a long history
// is the most recently requested distinct items, as many as fit. runLRU
// draws that history backwards (its own random stream) and fills the cache
// in recency order until the next distinct item does not fit, or until it
// has drawn history times the edge's requests (large caches then start
// part full, as after that much history: with popularity that changes, an
// edge never has an unbounded history of the same popularity).
func (m *Model) runLRU(c *lru, tr *Trace, s int, capacity int64, history int) (hits, hitBytes, filled int64) {
	c.reset(capacity)
	n := int32(m.items())
	a := tr.tables[tr.region[s]]
	rg := newRNG(tr.cfg.Seed, 2, uint64(s))
	warm := int64(history) * (tr.start[s+1] - tr.start[s])
	info := m.info
warmup:
	for range warm {
		it := a.draw(&rg)
		if c.slot[it] >= 0 {
			continue // and so is its base, pushed with its first rendition
		}
		in := info[it]
		// Backwards in time, a request's rendition is more recent than
		// its base.
		if in.bytes <= capacity {
			if c.used+in.bytes > capacity {
				break
			}
			c.pushBack(it, in.bytes)
		}
		if b := n + in.title; c.slot[b] < 0 && in.base <= capacity {
			if c.used+in.base > capacity {
				break warmup
			}
			c.pushBack(b, in.base)
		}
	}
	for _, it := range tr.items[tr.start[s]:tr.start[s+1]] {
		in := info[it]
		_, fb := c.access(n+in.title, in.base)
		hit, fi := c.access(it, in.bytes)
		filled += fb + fi
		if hit {
			hits++
			hitBytes += in.bytes
		}
	}
	return hits, hitBytes, filled
}

// resultSets turns placements into item sets, shared between edges with
// the same result.
func resultSets(m *Model, res []greedyResult) []bitset {
	out := make([]bitset, len(res))
	for i := range res {
		if j := res[i].same; j != i && out[j] != nil {
			out[i] = out[j]
			continue
		}
		b := newBitset(m.items())
		for _, it := range res[i].items {
			b.set(it)
		}
		out[i] = b
	}
	return out
}

// planSets maps a plan onto the model: each edge's placement as an item
// set, its budgets, and what it held before the plan's changes (placement
// minus adds plus evictions). Model edges the plan lacks hold nothing.
func (m *Model) planSets(p *Plan) ([]bitset, []edgeBudget, []*heldState, error) {
	if err := p.Validate(); err != nil {
		return nil, nil, nil, err
	}
	sets := make([]bitset, len(m.edges))
	budgets := make([]edgeBudget, len(m.edges))
	prev := make([]*heldState, len(m.edges))
	empty := &heldState{}
	for i, e := range m.edges {
		budgets[i] = edgeBudget{capacity: int64(e.Capacity), fill: e.FillBudgetBytes()}
		prev[i] = empty
	}
	placements := make(map[string]bitset)
	helds := make(map[[2]string]*heldState)
	for _, pe := range p.Edges {
		i, ok := m.edgeIdx[pe.ID]
		if !ok {
			return nil, nil, nil, fmt.Errorf("edge %q is not in the edges file: %w", pe.ID, ErrPlanMismatch)
		}
		budgets[i] = edgeBudget{capacity: pe.CapacityBytes, fill: pe.FillBudgetBytes}
		set, ok := placements[pe.Placement]
		if !ok {
			set = newBitset(m.items())
			for _, tr := range p.placement(pe.Placement).Titles {
				for _, r := range tr.Renditions {
					it, err := m.item(tr.Title, r)
					if err != nil {
						return nil, nil, nil, fmt.Errorf("placement %s: %w", pe.Placement, err)
					}
					set.set(it)
				}
			}
			placements[pe.Placement] = set
		}
		sets[i] = set
		if pe.Change == "" {
			continue
		}
		k := [2]string{pe.Placement, pe.Change}
		h, ok := helds[k]
		if !ok {
			h = &heldState{key: pe.Placement + "/" + pe.Change, items: append(bitset(nil), set...),
				titles: newBitset(len(m.cat.Titles))}
			c := p.change(pe.Change)
			if c.AddAll {
				clear(h.items)
			}
			for _, tr := range c.Add {
				for _, r := range tr.Renditions {
					if it, err := m.item(tr.Title, r); err == nil {
						h.items[it>>6] &^= 1 << (uint(it) & 63)
					}
				}
			}
			for _, tr := range c.Evict {
				for _, r := range tr.Renditions {
					if it, err := m.item(tr.Title, r); err == nil {
						h.items.set(it)
					}
				}
			}
			for w, word := range h.items {
				if word == 0 {
					continue
				}
				for b := range 64 {
					if word&(1<<b) != 0 {
						h.titles.set(m.itemTitle[w*64+b])
						h.any = true
					}
				}
			}
			helds[k] = h
		}
		prev[i] = h
	}
	return sets, budgets, prev, nil
}
