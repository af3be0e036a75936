package fill

import (
	"cmp"
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
)

// PlanOptions configure Model.Plan.
type PlanOptions struct {
	// Previous is what the edges hold now: the last plan applied. Its
	// edges are matched by ID; renditions and titles the catalog no longer
	// has are evicted. nil: the edges hold nothing.
	Previous *Plan
	// Hysteresis raises the value of what an edge already holds by this
	// fraction when the planner orders renditions, so that a held
	// rendition is evicted only for one that is that much better per byte
	// (0.05: 5 %): small swings in popularity then move almost nothing,
	// at most the packing of the last bytes of capacity (a ±2 % wobble
	// moves a few hundred MB of a 17 TB CDN instead of 100 GB). Zero plans
	// as if from scratch, within the budgets.
	Hysteresis float64
	// CapacityBytes, when above zero, replaces every edge's capacity: the
	// what-if of a capacity sweep.
	CapacityBytes int64
	// Workers bounds the goroutines; zero is GOMAXPROCS.
	Workers int
}

// Plan decides what each edge holds: for every edge, the set of (title,
// rendition) items that maximises the requests the edge is expected to
// serve (popularity in its region times the rendition's ABR share) subject
// to
//
//   - capacity: the bytes held, each title's base bytes (audio, manifests)
//     counted once when any of its renditions is held, are at most the
//     edge's capacity;
//   - fill window: the bytes added (items not held before, and the base of
//     titles new to the edge) are at most FillBudgetBytes;
//
// and says what that adds and evicts relative to what the edge held.
//
// # Algorithm: greedy by value density over per-title hulls
//
// Per edge this is a 0/1 knapsack in which a title's renditions share a
// setup cost (its base bytes). For each title, the renditions are sorted by
// value per byte and merged into bundles by pool-adjacent-violators, the
// base charged to the first: the bundles are the segments of the upper
// concave hull of the title's (bytes, value) curve, so a title's densities
// decrease bundle after bundle. The lowest rung of a tail title is usually
// the densest item it has (a large ABR share for few bytes), which makes it
// the cheap insurance the hull picks first. All bundles of a region are
// sorted by density once (a radix sort, O(n) for n renditions); each edge
// then takes them in that order while they fit both budgets; of a bundle
// that does not fit it takes the items that do, densest first, and skips
// the later bundles of its title; O(n) per edge.
//
// Bound: the hull bundles taken fractionally in density order solve the LP
// relaxation of the knapsack (the hull is concave per title, so the greedy
// order is the LP's), which is an upper bound U on any integer placement.
// The greedy takes every bundle before the first that does not fit (the
// critical bundle c), so for an edge that starts empty (where both budgets
// count the same bytes)
//
//	OPT - v(c) <= U - v(c) <= greedy <= OPT
//
// and v(c) is at most the value of one bundle: at CDN scale, where a title
// is a tiny fraction of an edge, a tiny fraction of the total. Each edge
// reports U as UpperBoundHitRatio. Tests check the bound against brute
// force on small instances. With held items the fill budget counts only
// new bytes and the problem has two constraints; the same greedy is used
// and U (the capacity LP) is still an upper bound, with no guarantee on
// the gap.
//
// Edges of one region with the same budgets and the same previous holdings
// get the same placement, computed once.
func (m *Model) Plan(ctx context.Context, opts PlanOptions) (*Plan, error) {
	if opts.Hysteresis < 0 || math.IsNaN(opts.Hysteresis) {
		return nil, fmt.Errorf("hysteresis %v: want zero or more", opts.Hysteresis)
	}
	workers := cmp.Or(opts.Workers, runtime.GOMAXPROCS(0))
	prev, err := m.previousStates(opts.Previous)
	if err != nil {
		return nil, err
	}
	budgets := make([]edgeBudget, len(m.edges))
	for i, e := range m.edges {
		budgets[i] = edgeBudget{capacity: int64(e.Capacity), fill: e.FillBudgetBytes()}
		if opts.CapacityBytes > 0 {
			budgets[i].capacity = opts.CapacityBytes
		}
	}
	res, err := m.placeAll(ctx, func(g int) []float64 { return m.value[g] }, budgets, prev, opts.Hysteresis, workers)
	if err != nil {
		return nil, err
	}
	return m.buildPlan(opts, budgets, prev, res), nil
}

// edgeBudget is what an edge may hold and add.
type edgeBudget struct {
	capacity int64
	fill     int64 // zero: no limit
}

// heldState is what an edge holds before the fill.
type heldState struct {
	key     string // previous placement ID; "" for nothing
	items   bitset // over the model's items
	titles  bitset // titles with any item held
	unknown []TitleRenditions
	any     bool
}

// previousStates maps each edge to what the previous plan gave it; edges
// sharing a previous placement share the state.
func (m *Model) previousStates(p *Plan) ([]*heldState, error) {
	empty := &heldState{}
	out := make([]*heldState, len(m.edges))
	for i := range out {
		out[i] = empty
	}
	if p == nil {
		return out, nil
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("previous plan: %w", err)
	}
	byID := make(map[string]*heldState)
	for _, pe := range p.Edges {
		i, ok := m.edgeIdx[pe.ID]
		if !ok {
			continue
		}
		st, ok := byID[pe.Placement]
		if !ok {
			st = &heldState{key: pe.Placement, items: newBitset(m.items()), titles: newBitset(len(m.cat.Titles))}
			for _, tr := range p.placement(pe.Placement).Titles {
				t, known := m.titleIdx[tr.Title]
				var gone []string
				for _, r := range tr.Renditions {
					it, err := m.item(tr.Title, r)
					if err != nil {
						gone = append(gone, r)
						continue
					}
					st.items.set(it)
					st.titles.set(t)
					st.any = true
				}
				if len(gone) > 0 {
					u := TitleRenditions{Title: tr.Title, Path: tr.Path, Renditions: gone}
					if !known || len(gone) == len(tr.Renditions) {
						u.Bytes = tr.Bytes // the whole title goes
					}
					st.unknown = append(st.unknown, u)
					st.any = true
				}
			}
			byID[pe.Placement] = st
		}
		out[i] = st
	}
	return out, nil
}

// bundle is one segment of a title's hull: the title's items in density
// positions lo up to hi, taken together.
type bundle struct {
	value float64 // expected requests (true value)
	prio  float64 // ordering key: value per byte, held items raised by the hysteresis
	bytes int64   // capacity cost; the title's base included when lo == 0
	title int32
	lo    uint8
	hi    uint8
}

// order is a region's bundles sorted by density, and each title's items
// in density order (rank[titleStart[t]+k] is the k-th densest of t).
type order struct {
	bundles []bundle
	rank    []int32
}

// buildOrder makes the hull bundles of every title with a value in the
// region and sorts them. held and h bias the order (hysteresis); nil and
// zero give the canonical order.
func (m *Model) buildOrder(value []float64, held *heldState, h float64) *order {
	o := &order{rank: make([]int32, m.items()), bundles: make([]bundle, 0, m.items()/2)}
	type block struct {
		v, bv float64
		c     int64
		hi    int
	}
	var blocks []block
	var dens [maxRenditions]float64
	for t := range m.cat.Titles {
		lo, hi := int(m.titleStart[t]), int(m.titleStart[t+1])
		n := hi - lo
		r := o.rank[lo:hi]
		k := 0
		for i := lo; i < hi; i++ {
			if value[i] <= 0 {
				continue
			}
			bv := value[i]
			if h > 0 && held != nil && held.items != nil && held.items.has(int32(i)) {
				bv *= 1 + h
			}
			d := bv / float64(max(m.itemBytes[i], 1))
			// insertion sort by density, descending
			j := k
			for ; j > 0 && dens[j-1] < d; j-- {
				dens[j], r[j] = dens[j-1], r[j-1]
			}
			dens[j], r[j] = d, int32(i)
			k++
		}
		// Items without value go last, never bundled.
		z := k
		for i := lo; i < hi && z < n; i++ {
			if value[i] <= 0 {
				r[z] = int32(i)
				z++
			}
		}
		if k == 0 {
			continue
		}
		blocks = blocks[:0]
		for j := range k {
			it := r[j]
			v := value[it]
			bv := dens[j] * float64(max(m.itemBytes[it], 1))
			c := m.itemBytes[it]
			if j == 0 {
				c += m.base[t]
			}
			blocks = append(blocks, block{v: v, bv: bv, c: c, hi: j + 1})
			// Pool adjacent violators: merge while a block is less dense
			// than the one after it.
			for len(blocks) > 1 {
				a, b := blocks[len(blocks)-2], blocks[len(blocks)-1]
				if a.bv*float64(max(b.c, 1)) >= b.bv*float64(max(a.c, 1)) {
					break
				}
				blocks = blocks[:len(blocks)-1]
				blocks[len(blocks)-1] = block{v: a.v + b.v, bv: a.bv + b.bv, c: a.c + b.c, hi: b.hi}
			}
		}
		start := 0
		for _, b := range blocks {
			o.bundles = append(o.bundles, bundle{value: b.v, prio: b.bv / float64(max(b.c, 1)), bytes: b.c,
				title: int32(t), lo: uint8(start), hi: uint8(b.hi)})
			start = b.hi
		}
	}
	o.bundles = sortBundles(o.bundles)
	return o
}

// sortBundles sorts by density, densest first, ties in title and
// position order (the order bundles are made in). It is an LSD radix sort
// of 64-bit keys (the bits of a non-negative float order like the float;
// inverted for descending), stable, so ties keep their order: 8 linear
// passes instead of n log n comparisons of a sort with a comparator.
func sortBundles(bs []bundle) []bundle {
	type key struct {
		k   uint64
		idx uint32
	}
	if len(bs) == 0 {
		return bs
	}
	keys := make([]key, len(bs))
	tmp := make([]key, len(bs))
	for i, b := range bs {
		keys[i] = key{^math.Float64bits(b.prio), uint32(i)}
	}
	var count [256]int
	for shift := uint(0); shift < 64; shift += 8 {
		clear(count[:])
		for _, k := range keys {
			count[byte(k.k>>shift)]++
		}
		if count[byte(keys[0].k>>shift)] == len(keys) {
			continue // every key has this digit
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for _, k := range keys {
			d := byte(k.k >> shift)
			tmp[count[d]] = k
			count[d]++
		}
		keys, tmp = tmp, keys
	}
	out := make([]bundle, len(bs))
	for i, k := range keys {
		out[i] = bs[k.idx]
	}
	return out
}

// greedyResult is one edge's placement.
type greedyResult struct {
	items []int32 // in the order taken
	value float64 // expected requests
	bytes int64
	fill  int64
	bound float64 // LP upper bound on value
	same  int     // the first edge with this very result (itself if none)
}

// greedy takes bundles in order while they fit the capacity and the fill
// budget (zero: none); items held cost no fill. A bundle that does not fit
// is taken in part, its items in density order while they fit, and the
// title's later bundles are skipped (they need the whole bundle first).
// value is the items' true values; next is scratch, one byte per title,
// all zero.
func (m *Model) greedy(o *order, value []float64, b edgeBudget, held *heldState, next []uint8) greedyResult {
	var r greedyResult
	capLeft := b.capacity
	fillLeft := b.fill
	if fillLeft <= 0 {
		fillLeft = math.MaxInt64
	}
	const blocked = 255
	for _, bd := range o.bundles {
		if bd.value <= 0 || capLeft <= 0 {
			break
		}
		t := bd.title
		if next[t] != bd.lo {
			continue
		}
		start := m.titleStart[t]
		items := o.rank[start+int32(bd.lo) : start+int32(bd.hi)]
		titleHeld := held.any && held.titles.has(t)
		fc := bd.bytes
		if held.any {
			fc = 0
			if bd.lo == 0 && !titleHeld {
				fc = m.base[t]
			}
			for _, it := range items {
				if !held.items.has(it) {
					fc += m.itemBytes[it]
				}
			}
		}
		if bd.bytes <= capLeft && fc <= fillLeft {
			capLeft -= bd.bytes
			fillLeft -= fc
			r.fill += fc
			r.bytes += bd.bytes
			r.value += bd.value
			next[t] = bd.hi
			r.items = append(r.items, items...)
			continue
		}
		next[t] = blocked
		for k, it := range items {
			c, f := m.itemBytes[it], m.itemBytes[it]
			if held.any && held.items.has(it) {
				f = 0
			}
			if bd.lo == 0 && k == 0 {
				c += m.base[t]
				if !titleHeld {
					f += m.base[t]
				}
			}
			if c > capLeft || f > fillLeft {
				break
			}
			capLeft -= c
			fillLeft -= f
			r.fill += f
			r.bytes += c
			r.value += value[it]
			r.items = append(r.items, it)
		}
	}
	clear(next)
	return r
}

// lpBound is the LP relaxation's value with capacity c over the canonical
// order: bundles in density order, the first that does not fit taken in
// part.
func lpBound(o *order, c int64) float64 {
	var v float64
	for _, bd := range o.bundles {
		if bd.value <= 0 || c <= 0 {
			break
		}
		if bd.bytes <= c {
			v += bd.value
			c -= bd.bytes
			continue
		}
		return v + bd.value*float64(c)/float64(bd.bytes)
	}
	return v
}

// placeAll places every edge with the values values(region) gives, in
// parallel over groups of edges that share an order (a region, and with
// hysteresis a previous placement).
func (m *Model) placeAll(ctx context.Context, values func(g int) []float64, budgets []edgeBudget,
	prev []*heldState, h float64, workers int) ([]greedyResult, error) {
	type groupKey struct {
		region int
		held   *heldState
	}
	var keys []groupKey
	groups := make(map[groupKey][]int)
	for i := range m.edges {
		k := groupKey{region: m.edgeRegion[i]}
		if h > 0 {
			k.held = prev[i]
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	res := make([]greedyResult, len(m.edges))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var canonMu sync.Mutex
	canon := make(map[int]*order) // per region, for bounds under hysteresis
	for _, k := range keys {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			val := values(k.region)
			o := m.buildOrder(val, k.held, h)
			bo := o
			if h > 0 {
				canonMu.Lock()
				bo = canon[k.region]
				if bo == nil {
					bo = m.buildOrder(val, nil, 0)
					canon[k.region] = bo
				}
				canonMu.Unlock()
			}
			next := make([]uint8, len(m.cat.Titles))
			type memoKey struct {
				b    edgeBudget
				held *heldState
			}
			memo := make(map[memoKey]int)
			for _, i := range groups[k] {
				if err := gctx.Err(); err != nil {
					return err
				}
				mk := memoKey{budgets[i], prev[i]}
				if j, ok := memo[mk]; ok {
					res[i] = res[j]
					continue
				}
				memo[mk] = i
				res[i] = m.greedy(o, val, budgets[i], prev[i], next)
				res[i].same = i
				c := budgets[i].capacity
				if !prev[i].any && budgets[i].fill > 0 {
					c = min(c, budgets[i].fill)
				}
				res[i].bound = max(lpBound(bo, c), res[i].value)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return res, nil
}

// buildPlan turns the edges' placements into a Plan: placements and
// changes shared between edges, in the order edges first use them.
func (m *Model) buildPlan(opts PlanOptions, budgets []edgeBudget, prev []*heldState, res []greedyResult) *Plan {
	p := &Plan{Version: PlanVersion, Summary: PlanSummary{
		Titles: len(m.cat.Titles), Renditions: m.items(), CatalogBytes: m.totalBytes, Edges: len(m.edges),
		Hysteresis: opts.Hysteresis, Warnings: m.Warnings(),
	}}
	seed := maphash.MakeSeed()
	type placed struct {
		id    string
		items []int32
		set   bitset
	}
	byHash := make(map[uint64][]*placed)
	byEdge := make([]*placed, len(m.edges))
	changes := make(map[[2]string]string)
	var expected, bound float64
	for i, e := range m.edges {
		r := &res[i]
		g := m.edgeRegion[i]
		pl := byEdge[r.same]
		if pl == nil {
			h := maphash.Comparable(seed, g)
			for _, it := range r.items {
				h = h*31 + uint64(it) + 1
			}
			for _, c := range byHash[h] {
				if slices.Equal(c.items, r.items) {
					pl = c
					break
				}
			}
			if pl == nil {
				pl = &placed{id: fmt.Sprintf("p%d", len(p.Placements)+1), items: r.items, set: newBitset(m.items())}
				for _, it := range r.items {
					pl.set.set(it)
				}
				byHash[h] = append(byHash[h], pl)
				p.Placements = append(p.Placements, Placement{ID: pl.id, Region: m.regions[g], Bytes: r.bytes,
					Titles: m.titleList(r.items, nil)})
			}
			byEdge[r.same] = pl
		}
		ep := EdgePlan{ID: e.ID, Region: e.Region, URL: e.URL, CapacityBytes: budgets[i].capacity,
			FillBudgetBytes: budgets[i].fill, FillRateBytesPerSecond: int64(e.FillRate), FillWindow: e.FillWindow,
			Placement: pl.id, HeldBytes: r.bytes}
		if m.volume[g] > 0 {
			ep.ExpectedHitRatio = r.value / m.volume[g]
			ep.UpperBoundHitRatio = r.bound / m.volume[g]
		}
		ck := [2]string{pl.id, prev[i].key}
		cid, seen := changes[ck]
		if !seen {
			c := m.change(prev[i], pl.items, pl.set, r.bytes)
			if c.AddAll || len(c.Add) > 0 || len(c.Evict) > 0 {
				c.ID = fmt.Sprintf("c%d", len(p.Changes)+1)
				cid = c.ID
				p.Changes = append(p.Changes, c)
			}
			changes[ck] = cid
		}
		if c := p.change(cid); c != nil {
			ep.Change, ep.AddBytes, ep.EvictBytes = cid, c.AddBytes, c.EvictBytes
		}
		p.Summary.HeldBytes += ep.HeldBytes
		p.Summary.AddBytes += ep.AddBytes
		p.Summary.EvictBytes += ep.EvictBytes
		w := m.volume[g] * m.edgeShare[i]
		expected += ep.ExpectedHitRatio * w
		bound += ep.UpperBoundHitRatio * w
		p.Edges = append(p.Edges, ep)
	}
	if tv := m.totalVolume(); tv > 0 {
		p.Summary.ExpectedHitRatio = expected / tv
		p.Summary.UpperBoundHitRatio = bound / tv
	}
	return p
}

// titleList groups items by title, titles in the order of their first
// item; with held set, a title's base counts only when the title is new.
func (m *Model) titleList(items []int32, heldTitles bitset) []TitleRenditions {
	// Two passes: count the renditions of each title, then fill one
	// backing array of IDs (a placement can list a million renditions).
	pos := make([]int32, len(m.cat.Titles)) // 1 + index in out; 0: not yet
	var count []int32
	for _, it := range items {
		t := m.itemTitle[it]
		if pos[t] == 0 {
			count = append(count, 0)
			pos[t] = int32(len(count))
		}
		count[pos[t]-1]++
	}
	out := make([]TitleRenditions, len(count))
	ids := make([]string, len(items))
	off := 0
	for j, n := range count {
		out[j].Renditions = ids[off : off : off+int(n)]
		off += int(n)
	}
	for _, it := range items {
		t := m.itemTitle[it]
		tr := &out[pos[t]-1]
		if tr.Title == "" {
			title := &m.cat.Titles[t]
			tr.Title = title.ID
			if title.Path != "" && title.Path != title.ID {
				tr.Path = title.Path
			}
			if heldTitles == nil || !heldTitles.has(t) {
				tr.Bytes = m.base[t]
			}
		}
		tr.Renditions = append(tr.Renditions, m.rendID(it))
		tr.Bytes += m.itemBytes[it]
	}
	return out
}

// change is what takes an edge from held to the placement items/set.
func (m *Model) change(held *heldState, items []int32, set bitset, bytes int64) Change {
	var c Change
	if !held.any {
		// Everything is new: the placement says it once.
		c.AddAll, c.AddBytes = len(items) > 0, bytes
		return c
	}
	var add []int32
	for _, it := range items {
		if !held.any || held.items == nil || !held.items.has(it) {
			add = append(add, it)
		}
	}
	var heldTitles bitset
	if held.any && held.titles != nil {
		heldTitles = held.titles
	}
	c.Add = m.titleList(add, heldTitles)
	if held.any && held.items != nil {
		newTitles := newBitset(len(m.cat.Titles))
		for _, it := range items {
			newTitles.set(m.itemTitle[it])
		}
		var evict []int32
		for w, word := range held.items {
			for word != 0 {
				b := int32(w*64) + int32(bits.TrailingZeros64(word))
				word &= word - 1
				if !set.has(b) {
					evict = append(evict, b)
				}
			}
		}
		// A title that leaves the edge takes its base with it.
		c.Evict = m.titleList(evict, newTitles)
	}
	c.Evict = append(c.Evict, held.unknown...)
	for _, t := range c.Add {
		c.AddBytes += t.Bytes
	}
	for _, t := range c.Evict {
		c.EvictBytes += t.Bytes
	}
	return c
}
