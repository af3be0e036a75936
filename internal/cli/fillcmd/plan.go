package fillcmd

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/fill"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/push"
)

// PlanOptions are the inputs of `vpack fill plan`.
type PlanOptions struct {
	IO      *cmdutil.IOStreams
	Factory *cmdutil.Factory
	JSON    bool

	Catalog    string
	Edges      string
	Output     string // plan file; "-" is stdout
	Previous   string // the last plan applied; "" none
	Hysteresis float64
	Capacity   string // overrides every edge's capacity
}

// NewCmdPlan builds `vpack fill plan`; runF replaces planRun in tests.
func NewCmdPlan(f *cmdutil.Factory, runF func(context.Context, *PlanOptions) error) *cobra.Command {
	opts := &PlanOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "plan --catalog <catalog.json> --edges <edges.json> -o <plan.json>",
		Short: "Decide what to pre-position on which edge",
		Long: `Plan decides which renditions of which titles each edge cache holds, to
serve as many requests as possible from the edges within each edge's
capacity and the bytes its fill window lets through (fill_rate times the
window). It writes the plan for vpack fill apply and vpack fill simulate.

The catalog (catalog.json) lists titles, their video renditions (sizes
from each title's package.json, or given) and their popularity per region:

  {"version": 1,
   "abr": {"median_kbps": 6000, "sigma": 1.0, "safety": 0.8},
   "titles": [
     {"id": "movie-1", "path": "titles/movie-1", "package": "movie-1/package.json",
      "popularity": {"eu": 1200, "us": 300}},
     {"id": "movie-2", "base_bytes": 90000000,
      "renditions": [{"id": "720p-3000k", "bandwidth_bps": 3300000, "bytes": 2400000000}],
      "popularity": {"eu": 40}}]}

Popularity is requests per region (only ratios matter). Which rendition a
request is for follows an ABR model: viewers' throughput is log-normal
(median_kbps, sigma), players take the highest rendition within safety
times it; "regions": {"apac": {"abr": {...}}} overrides it per region. A
title's base bytes (audio, manifests; from its package by default) come
with its first rendition on an edge.

The edges (edges.json) say where each edge is and what it can take:

  {"version": 1, "edges": [
     {"id": "fra-1", "region": "eu", "url": "https://fra-1.example/vod",
      "capacity": "40TB", "fill_rate": "10Gbit/s", "fill_window": "02:00-06:00"},
     {"id": "nyc-1", "region": "us", "capacity": 20000000000000, "weight": 2}]}

An edge serves its region's requests, shared with the region's other edges
by weight. The planner takes renditions by expected requests per byte
(each title's renditions merged along their value/bytes hull, the base with
the first), so the top rungs of popular titles and the cheap lowest rung
of the long tail go first. Each edge's expected hit ratio is within one
bundle's value of the optimum; the plan gives the LP upper bound too.

--previous names the plan applied last: what the edges hold. The new plan
then adds and evicts only what changed, and only new bytes count against
the fill window, so a small budget fills an edge over several nights.
--hysteresis 0.05 keeps held renditions unless a new one is 5 % better per
byte, so that small swings in popularity move nothing.

The plan (plan.json) has one placement per group of edges holding the same
(usually one per region), the changes (add, evict) that reach them, and per
edge its bytes, adds, evictions and expected hit ratio. stdout gets a
summary per region (--json: the plan's summary and the regions).`,
		Example: `  vpack fill plan --catalog catalog.json --edges edges.json -o plan.json
  vpack fill plan --catalog catalog.json --edges edges.json --previous plan.json -o plan-2.json --hysteresis 0.05
  vpack fill plan --catalog catalog.json --edges edges.json --capacity 50TB -o - | jq .summary`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return planRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Catalog, "catalog", "", "catalog file: titles, renditions, popularity per region (required)")
	fl.StringVar(&opts.Edges, "edges", "", "edges file: id, region, capacity, fill rate and window (required)")
	fl.StringVarP(&opts.Output, "output", "o", "", "plan file to write, - for stdout (required)")
	fl.StringVar(&opts.Previous, "previous", "", "the plan applied last (what the edges hold): plan the changes only")
	fl.Float64Var(&opts.Hysteresis, "hysteresis", 0, "keep held renditions unless a new one is this fraction better per byte (0.05)")
	fl.StringVar(&opts.Capacity, "capacity", "", "every edge's capacity instead of the edges file's, e.g. 50TB (what-if)")
	return cmd
}

func (o *PlanOptions) check() error {
	switch {
	case o.Catalog == "":
		return cmdutil.FlagErrorf("--catalog is required")
	case o.Edges == "":
		return cmdutil.FlagErrorf("--edges is required")
	case o.Output == "":
		return cmdutil.FlagErrorf("-o is required (a file, or - for stdout)")
	case o.Hysteresis < 0 || o.Hysteresis > 10 || math.IsNaN(o.Hysteresis):
		return cmdutil.FlagErrorf("--hysteresis must be between 0 and 10, not %v", o.Hysteresis)
	}
	_, err := o.capacity()
	return err
}

func (o *PlanOptions) capacity() (int64, error) {
	if o.Capacity == "" {
		return 0, nil
	}
	c, err := push.ParseSize(o.Capacity)
	if err != nil || c <= 0 {
		return 0, cmdutil.FlagErrorf("--capacity: size %q: want a size above zero like 50TB", o.Capacity)
	}
	return c, nil
}

// loadModel reads the catalog and edges files and compiles them; warnings
// go to the log.
func loadModel(f *cmdutil.Factory, catalog, edges string) (*fill.Model, error) {
	cat, err := fill.ReadCatalog(catalog)
	if err != nil {
		return nil, err
	}
	es, err := fill.ReadEdges(edges)
	if err != nil {
		return nil, err
	}
	m, err := fill.NewModel(cat, es)
	if err != nil {
		return nil, fmt.Errorf("%s with %s: %w", catalog, edges, err)
	}
	for _, w := range m.Warnings() {
		f.Logger().Warn(w)
	}
	return m, nil
}

func planRun(ctx context.Context, opts *PlanOptions) error {
	m, err := loadModel(opts.Factory, opts.Catalog, opts.Edges)
	if err != nil {
		return err
	}
	var prev *fill.Plan
	if opts.Previous != "" {
		if prev, err = fill.ReadPlan(opts.Previous); err != nil {
			return err
		}
	}
	capacity, _ := opts.capacity()
	p, err := m.Plan(ctx, fill.PlanOptions{Previous: prev, Hysteresis: opts.Hysteresis, CapacityBytes: capacity})
	if err != nil {
		return err
	}
	data, err := p.MarshalIndent()
	if err != nil {
		return err
	}
	if opts.Output == "-" {
		_, err = opts.IO.Out.Write(data)
		return err
	}
	if err := writeFileAtomic(opts.Output, data); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	regions := regionSummaries(p)
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, struct {
			Plan    string           `json:"plan"`
			Summary fill.PlanSummary `json:"summary"`
			Regions []regionSummary  `json:"regions"`
		}{opts.Output, p.Summary, regions})
	}
	s := p.Summary
	fmt.Fprintf(opts.IO.Out, "wrote %s: %d edges, %d placements; expected edge hit ratio %.1f %% (at most %.1f %%); fill adds %s, evicts %s\n",
		opts.Output, s.Edges, len(p.Placements), 100*s.ExpectedHitRatio, 100*s.UpperBoundHitRatio,
		push.FormatBytes(s.AddBytes), push.FormatBytes(s.EvictBytes))
	printRegions(opts.IO.Out, regions)
	return nil
}

// regionSummary sums up a plan's edges in one region.
type regionSummary struct {
	Region           string  `json:"region"`
	Edges            int     `json:"edges"`
	HeldBytes        int64   `json:"held_bytes"`
	CapacityBytes    int64   `json:"capacity_bytes"`
	AddBytes         int64   `json:"add_bytes"`
	EvictBytes       int64   `json:"evict_bytes"`
	ExpectedHitRatio float64 `json:"expected_hit_ratio"` // mean over the region's edges
	UpperBound       float64 `json:"upper_bound_hit_ratio"`
}

func regionSummaries(p *fill.Plan) []regionSummary {
	by := make(map[string]*regionSummary)
	for _, e := range p.Edges {
		r, ok := by[e.Region]
		if !ok {
			r = &regionSummary{Region: e.Region}
			by[e.Region] = r
		}
		r.Edges++
		r.HeldBytes += e.HeldBytes
		r.CapacityBytes += e.CapacityBytes
		r.AddBytes += e.AddBytes
		r.EvictBytes += e.EvictBytes
		r.ExpectedHitRatio += e.ExpectedHitRatio
		r.UpperBound += e.UpperBoundHitRatio
	}
	out := make([]regionSummary, 0, len(by))
	for _, r := range by {
		r.ExpectedHitRatio /= float64(r.Edges)
		r.UpperBound /= float64(r.Edges)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Region < out[j].Region })
	return out
}

func printRegions(w io.Writer, regions []regionSummary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "region\tedges\tholds\tof capacity\tadds\tevicts\texpected hit ratio\tbound\t")
	for _, r := range regions {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%.1f %%\t%.1f %%\t\n", r.Region, r.Edges, push.FormatBytes(r.HeldBytes),
			push.FormatBytes(r.CapacityBytes), push.FormatBytes(r.AddBytes), push.FormatBytes(r.EvictBytes),
			100*r.ExpectedHitRatio, 100*r.UpperBound)
	}
	tw.Flush()
}

// writeFileAtomic writes data to a temporary file beside name and renames
// it into place: a reader never sees half a plan.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".vpack-tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
