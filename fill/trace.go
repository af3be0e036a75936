package fill

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// TraceConfig configures Model.Trace.
type TraceConfig struct {
	// Requests is the number of requests in the trace, all regions
	// together.
	Requests int64
	// Seed makes the trace: the same seed, model and Requests give the
	// same trace, whatever Workers is.
	Seed uint64
	// Zipf, when above zero, replaces the catalog's popularity figures in
	// each region by Zipf(Zipf) over the region's popularity ranking (rank
	// k gets 1/k^Zipf), keeping each region's total: a what-if for a
	// popularity curve steeper or flatter than forecast.
	Zipf float64
	// Workers bounds the goroutines; zero is GOMAXPROCS.
	Workers int
}

// MaxTraceRequests bounds a trace (four bytes of memory per request).
const MaxTraceRequests = 1 << 30

// Trace is a synthetic request log: each request is a (title, rendition)
// item, from a region, sent to one of the region's edges. Regions draw
// requests in proportion to their total popularity, edges in proportion
// to their weight within the region; a request picks its title by the
// region's popularity and its rendition by the region's ABR model, in one
// draw from an alias table over all items. Requests of a region without
// edges go to the origin.
//
// The requests of each edge are one stream with its own random sequence
// (seeded by the trace seed and the edge), so edges are generated and
// simulated in parallel with the same result as in sequence.
type Trace struct {
	m       *Model
	cfg     TraceConfig
	region  []int   // per stream: its region
	edge    []int   // per stream: its edge, -1 for a region without edges
	start   []int64 // per stream: first request; len streams+1
	items   []int32
	tables  []*alias // per region; nil when it has no requests
	regionN []int64  // requests per region
}

// Trace draws a request trace over the model's catalog and edges.
func (m *Model) Trace(ctx context.Context, cfg TraceConfig) (*Trace, error) {
	if cfg.Requests <= 0 || cfg.Requests > MaxTraceRequests {
		return nil, fmt.Errorf("requests %d: want 1 to %d", cfg.Requests, MaxTraceRequests)
	}
	if cfg.Zipf < 0 || math.IsNaN(cfg.Zipf) || cfg.Zipf > 10 {
		return nil, fmt.Errorf("zipf exponent %v: want 0 to 10", cfg.Zipf)
	}
	if m.totalVolume() <= 0 {
		return nil, fmt.Errorf("no title has any popularity: nothing to request")
	}
	workers := cmp.Or(cfg.Workers, runtime.GOMAXPROCS(0))
	tr := &Trace{m: m, cfg: cfg, tables: make([]*alias, len(m.regions)), regionN: make([]int64, len(m.regions))}
	var weights []float64
	for i := range m.edges {
		g := m.edgeRegion[i]
		tr.region = append(tr.region, g)
		tr.edge = append(tr.edge, i)
		weights = append(weights, m.volume[g]*m.edgeShare[i])
	}
	for g := range m.regions {
		if len(m.regionEdge[g]) == 0 {
			tr.region = append(tr.region, g)
			tr.edge = append(tr.edge, -1)
			weights = append(weights, m.volume[g])
		}
	}
	quota := apportion(cfg.Requests, weights)
	tr.start = make([]int64, len(quota)+1)
	for s, q := range quota {
		tr.start[s+1] = tr.start[s] + q
		tr.regionN[tr.region[s]] += q
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for r := range m.regions {
		if tr.regionN[r] == 0 {
			continue
		}
		g.Go(func() error {
			a := newAlias(m.traceValues(r, cfg.Zipf))
			tr.tables[r] = &a
			return gctx.Err()
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	tr.items = make([]int32, cfg.Requests)
	err := forStreams(ctx, len(quota), workers, func(s int) {
		rg := newRNG(cfg.Seed, 1, uint64(s))
		a := tr.tables[tr.region[s]]
		for k := tr.start[s]; k < tr.start[s+1]; k++ {
			tr.items[k] = a.draw(&rg)
		}
	})
	if err != nil {
		return nil, err
	}
	return tr, nil
}

// traceValues are the request weights of region g's items: the model's,
// or with zipf > 0 Zipf weights over the region's title ranking times the
// ABR shares, scaled to the region's total.
func (m *Model) traceValues(g int, zipf float64) []float64 {
	if zipf == 0 {
		return m.value[g]
	}
	pop := m.pop[g]
	titles := make([]int32, len(pop))
	for t := range titles {
		titles[t] = int32(t)
	}
	slices.SortStableFunc(titles, func(a, b int32) int { return cmp.Compare(pop[b], pop[a]) })
	w := make([]float64, m.items())
	var sum float64
	for k, t := range titles {
		z := 1 / math.Pow(float64(k+1), zipf)
		for it := m.titleStart[t]; it < m.titleStart[t+1]; it++ {
			w[it] = z * float64(m.share[g][it])
			sum += w[it]
		}
	}
	for i := range w {
		w[i] *= m.volume[g] / sum
	}
	return w
}

// forStreams calls fn for streams 0..n-1 on workers goroutines, which
// take the next stream as they finish one (edges differ in load).
func forStreams(ctx context.Context, n, workers int, fn func(s int)) error {
	var next atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	for range min(workers, n) {
		g.Go(func() error {
			for {
				s := int(next.Add(1) - 1)
				if s >= n {
					return nil
				}
				if err := gctx.Err(); err != nil {
					return err
				}
				fn(s)
			}
		})
	}
	return g.Wait()
}

// Requests is the number of requests in the trace.
func (tr *Trace) Requests() int64 { return int64(len(tr.items)) }

// Seed is the trace's seed.
func (tr *Trace) Seed() uint64 { return tr.cfg.Seed }

// EdgeRequests returns the (title, rendition) items edge i of the model
// was asked for, in order (i in edges order). For tests and tools.
func (tr *Trace) EdgeRequests(i int) [][2]string {
	var out [][2]string
	for s, e := range tr.edge {
		if e != i {
			continue
		}
		for _, it := range tr.items[tr.start[s]:tr.start[s+1]] {
			out = append(out, [2]string{tr.m.cat.Titles[tr.m.itemTitle[it]].ID, tr.m.rendID(it)})
		}
	}
	return out
}

// counts are the requests per item of each region.
func (tr *Trace) counts(ctx context.Context, workers int) ([][]float64, error) {
	m := tr.m
	out := make([][]float64, len(m.regions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for r := range m.regions {
		g.Go(func() error {
			c := make([]float64, m.items())
			for s := range tr.edge {
				if tr.region[s] != r {
					continue
				}
				for _, it := range tr.items[tr.start[s]:tr.start[s+1]] {
					c[it]++
				}
			}
			out[r] = c
			return gctx.Err()
		})
	}
	return out, g.Wait()
}

// otherCounts are the requests per item of each region in another trace
// of the same size and model (its own random streams): yesterday's log.
// Every item gets a millionth of a request on top, so that what nobody
// asked for yesterday still fills spare capacity, smallest first.
func (tr *Trace) otherCounts(ctx context.Context, workers int) ([][]float64, error) {
	m := tr.m
	out := make([][]float64, len(m.regions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for r := range m.regions {
		g.Go(func() error {
			c := make([]float64, m.items())
			if tr.regionN[r] == 0 {
				out[r] = c
				return nil
			}
			for i := range c {
				c[i] = 1e-6
			}
			for s := range tr.edge {
				if tr.region[s] != r {
					continue
				}
				a := tr.tables[r]
				rg := newRNG(tr.cfg.Seed, 3, uint64(s))
				for range tr.start[s+1] - tr.start[s] {
					c[a.draw(&rg)]++
				}
			}
			out[r] = c
			return gctx.Err()
		})
	}
	return out, g.Wait()
}
