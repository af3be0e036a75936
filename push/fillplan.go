package push

import (
	"context"
	"fmt"
	"sync"
)

// PlanEdge is one edge of a fill plan, in push's terms (vpack fill apply
// converts a fill.Plan): the store that holds its titles, each under the
// title's path, its rate limit and its daily fill window.
type PlanEdge struct {
	Store              Store
	RateBytesPerSecond int64
	Window             *Window // nil: any time
}

// PlanTitle is one title a plan changes: the renditions some edges must
// hold (copied from origin/<Path> to edge/<Path>), and the edges that must
// no longer hold it.
type PlanTitle struct {
	Path  string
	Fill  []PlanSelection
	Evict []int // indexes into the plan's edges
}

// PlanSelection is the video renditions a group of edges hold of a title,
// most valuable first. Bytes is what the plan expects one edge to get
// (for progress).
type PlanSelection struct {
	Edges      []int
	Renditions []string
	Bytes      int64
}

// PlanReport is what FillPlan did, edge by edge.
type PlanReport struct {
	Origin string           `json:"origin"`
	Edges  []PlanEdgeReport `json:"edges"`
}

// PlanEdgeReport sums up one edge's fills and evictions.
type PlanEdgeReport struct {
	Edge    string `json:"edge"`
	Titles  int    `json:"titles"`  // filled (or checked) titles
	Evicted int    `json:"evicted"` // titles removed
	Copied  int    `json:"copied"`
	Skipped int    `json:"skipped"`
	Deleted int    `json:"deleted"`
	Failed  int    `json:"failed"` // titles that failed
	Bytes   int64  `json:"bytes"`  // copied
	// OutsideWindow: the window was closed when the edge's turn came, so
	// nothing was done to it; WindowClosed: it closed during the fill, and
	// what was left waits for the next window.
	OutsideWindow bool     `json:"outside_window,omitempty"`
	WindowClosed  bool     `json:"window_closed,omitempty"`
	Errors        []string `json:"errors,omitempty"` // the first few
}

// maxPlanErrors bounds the errors kept per edge in a PlanReport.
const maxPlanErrors = 5

// FillPlan executes a fill plan: first every eviction (push's Evict on
// edge/<path>), then every title's fill (push's Fill from origin/<path>
// to the edges that hold it, Selection the plan's renditions in order, no
// capacity: the plan fitted it), titles in the given order, which should
// be most valuable first. Each edge is worked on only inside its window
// (unless opts.IgnoreWindow); once it closes, the edge's remaining work
// waits for the next run, which does it (fills and evictions are
// idempotent). opts.Selection and opts.Window are ignored: they come from
// the plan. A title failing on an edge does not stop the others; the error
// (wrapping ErrFailed) names the edges that failed.
func FillPlan(ctx context.Context, origin Store, edges []PlanEdge, titles []PlanTitle, opts FillOptions) (*PlanReport, error) {
	opts = opts.withDefaults()
	rep := &PlanReport{Origin: origin.String(), Edges: make([]PlanEdgeReport, len(edges))}
	for i, e := range edges {
		rep.Edges[i].Edge = e.Store.String()
	}
	var total int64
	for _, t := range titles {
		for _, s := range t.Fill {
			total += s.Bytes * int64(len(s.Edges))
		}
	}
	var done int64
	progress := func(d int64) {
		if opts.Progress != nil {
			opts.Progress(done+d, max(total, done+d))
		}
	}
	stopped := make([]bool, len(edges))
	// open reports whether edge i may be worked on now, and notes why not.
	open := func(i int) bool {
		e := &rep.Edges[i]
		if stopped[i] {
			return false
		}
		w := edges[i].Window
		if w == nil || opts.IgnoreWindow || w.Contains(opts.Now()) {
			return true
		}
		stopped[i] = true
		if e.Titles == 0 && e.Evicted == 0 && e.Failed == 0 {
			e.OutsideWindow = true
		} else {
			e.WindowClosed = true
		}
		return false
	}
	first := make([]error, len(edges)) // each edge's first failure
	fail := func(i int, err error) {
		e := &rep.Edges[i]
		if first[i] == nil {
			first[i] = err
		}
		e.Failed++
		if len(e.Errors) < maxPlanErrors {
			e.Errors = append(e.Errors, err.Error())
		}
	}
	for _, t := range titles {
		for _, i := range t.Evict {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			if !open(i) {
				continue
			}
			sub, err := Sub(edges[i].Store, t.Path)
			if err != nil {
				fail(i, fmt.Errorf("title %s: %w", t.Path, err))
				continue
			}
			er, err := Evict(ctx, sub, EvictOptions{DryRun: opts.DryRun, Concurrency: opts.Concurrency, Log: opts.Log, Now: opts.Now})
			rep.Edges[i].Deleted += er.Deleted
			if err != nil {
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
				fail(i, fmt.Errorf("evict %s: %w", t.Path, err))
				continue
			}
			rep.Edges[i].Evicted++
		}
	}
	src := make(map[string]Store)
	for _, t := range titles {
		for _, sel := range t.Fill {
			// One Fill per window among the selection's open edges.
			groups := make(map[string][]int)
			var order []string
			for _, i := range sel.Edges {
				if !open(i) {
					continue
				}
				k := ""
				if w := edges[i].Window; w != nil {
					k = w.String() + "@" + w.Loc.String()
				}
				if _, ok := groups[k]; !ok {
					order = append(order, k)
				}
				groups[k] = append(groups[k], i)
			}
			for _, k := range order {
				if err := ctx.Err(); err != nil {
					return rep, err
				}
				idx := groups[k]
				org, ok := src[t.Path]
				if !ok {
					var err error
					if org, err = Sub(origin, t.Path); err != nil {
						for _, i := range idx {
							fail(i, fmt.Errorf("title %s: %w", t.Path, err))
						}
						continue
					}
					src[t.Path] = org
				}
				fe := make([]Edge, len(idx))
				var subErr error
				for j, i := range idx {
					s, err := Sub(edges[i].Store, t.Path)
					if err != nil {
						subErr = err
						break
					}
					fe[j] = Edge{Store: s, RateBytesPerSecond: edges[i].RateBytesPerSecond}
				}
				if subErr != nil {
					for _, i := range idx {
						fail(i, fmt.Errorf("title %s: %w", t.Path, subErr))
					}
					continue
				}
				fo := opts
				fo.Selection = planSelection(sel.Renditions)
				fo.Window = edges[idx[0]].Window
				var mu sync.Mutex
				fo.Progress = func(d, _ int64) {
					mu.Lock()
					defer mu.Unlock()
					progress(d)
				}
				fr, err := Fill(ctx, org, fe, fo)
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
				for j, i := range idx {
					e := &rep.Edges[i]
					var er EdgeReport
					if fr != nil && j < len(fr.Edges) {
						er = fr.Edges[j]
					}
					e.Copied += er.Copied
					e.Skipped += er.Skipped
					e.Deleted += er.Deleted
					e.Bytes += er.Bytes
					done += er.Bytes
					switch {
					case er.Error != "":
						// Fill's error names every edge of the call; keep
						// it whole only when it is this edge's alone.
						ferr := err
						if len(idx) > 1 || err == nil {
							ferr = fmt.Errorf("%s: %w", er.Error, ErrFailed)
						}
						fail(i, fmt.Errorf("fill %s: %w", t.Path, ferr))
					case fr != nil && fr.OutsideWindow:
						stopped[i], e.WindowClosed = true, true
					case err != nil && (fr == nil || j >= len(fr.Edges)):
						// Fill failed before any edge (no record on the
						// origin, say).
						fail(i, fmt.Errorf("fill %s: %w", t.Path, err))
					default:
						e.Titles++
						if er.WindowClosed {
							stopped[i], e.WindowClosed = true, true
						}
					}
				}
			}
		}
	}
	var failedEdges []error
	for i, e := range rep.Edges {
		if e.Failed > 0 {
			failedEdges = append(failedEdges, fmt.Errorf("edge %s: %d titles failed, first: %w", e.Edge, e.Failed, first[i]))
		}
	}
	if len(failedEdges) > 0 {
		return rep, failed(ctx, fmt.Sprintf("fill plan: %d of %d edges", len(failedEdges), len(edges)), joinErrors(failedEdges))
	}
	return rep, nil
}

// planSelection selects renditions in the plan's order (the first the
// most valuable): a popularity selection with falling weights.
func planSelection(ids []string) Selection {
	w := make(map[string]float64, len(ids))
	for i, id := range ids {
		w[id] = float64(len(ids) - i)
	}
	return Selection{Mode: "popularity", Weights: w}
}
