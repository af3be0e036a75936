package fillcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/fill"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/push"
)

// SimulateOptions are the inputs of `vpack fill simulate`.
type SimulateOptions struct {
	IO      *cmdutil.IOStreams
	Factory *cmdutil.Factory
	JSON    bool

	Catalog    string
	Edges      string
	Plan       string // "" plans here
	Requests   int64
	Seed       uint64
	Zipf       float64
	Hysteresis float64 // for the plan made here
	NoLRU      bool
	LRUHistory int
	Chart      string    // SVG file; "" none
	Capacities []float64 // percent of the catalog's bytes, for the chart
}

// SimulateResult is what `vpack fill simulate --json` prints.
type SimulateResult struct {
	Simulation *fill.SimReport `json:"simulation"`
	// Sweep is the capacity sweep behind --chart: every edge holding a
	// fraction of the catalog, planned afresh, on the same trace.
	Sweep []SweepPoint `json:"sweep,omitempty"`
}

// SweepPoint is one capacity of the sweep.
type SweepPoint struct {
	CapacityFraction float64         `json:"capacity_fraction"`
	CapacityBytes    int64           `json:"capacity_bytes"`
	Simulation       *fill.SimReport `json:"simulation"`
}

// NewCmdSimulate builds `vpack fill simulate`; runF replaces simulateRun
// in tests.
func NewCmdSimulate(f *cmdutil.Factory, runF func(context.Context, *SimulateOptions) error) *cobra.Command {
	opts := &SimulateOptions{IO: f.IO, Factory: f}
	var capacities string
	cmd := &cobra.Command{
		Use:   "simulate --catalog <catalog.json> --edges <edges.json> [--plan <plan.json>] --requests N",
		Short: "Predict the edge hit ratio of a fill plan on a synthetic request trace",
		Long: `Simulate draws a request trace from the catalog and replays it against a
plan (--plan, or one made here as vpack fill plan would) and baselines:

  plan        what the plan pre-positions
  optimum     the static optimum with hindsight: the planner fed the trace's
              own request counts per region (no forecast can know them)
  yesterday   the planner fed another trace's counts: yesterday's log
  popularity  popularity only: most popular titles first, all renditions,
              first fit, no regard for bytes
  lru         no pre-positioning: each edge an LRU cache of its capacity,
              warm: as after --lru-history traces' worth of requests

Requests go to regions in proportion to their popularity, to the region's
edges by weight, to titles by popularity and to renditions by the ABR
model. The trace is deterministic: the same --seed gives the same figures.
--zipf S replaces each region's popularity figures by Zipf(S) over its
ranking (what if popularity is steeper or flatter than forecast).

A request is an edge hit when its edge holds its rendition. stdout gets,
per policy, the hit ratio, the origin offload (the share of bytes served
by edges), the bytes edges hold and the bytes the fill copies (for lru: the
bytes it pulled from the origin), then the hit ratios per region.
--chart FILE.svg also plans and simulates every edge holding each of
--capacities percent of the catalog's bytes, on the same trace, and draws
hit ratio against capacity.`,
		Example: `  vpack fill simulate --catalog catalog.json --edges edges.json --plan plan.json --requests 1000000
  vpack fill simulate --catalog catalog.json --edges edges.json --requests 10000000 --seed 7 --chart hit-ratio.svg
  vpack fill simulate --catalog catalog.json --edges edges.json --plan plan.json --requests 1000000 --zipf 1.0 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			caps, err := parseCapacities(capacities)
			if err != nil {
				return err
			}
			opts.Capacities = caps
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return simulateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Catalog, "catalog", "", "catalog file (required)")
	fl.StringVar(&opts.Edges, "edges", "", "edges file (required)")
	fl.StringVar(&opts.Plan, "plan", "", "plan file to simulate (default: plan here)")
	fl.Int64Var(&opts.Requests, "requests", 1_000_000, "requests in the trace")
	fl.Uint64Var(&opts.Seed, "seed", 1, "seed of the trace")
	fl.Float64Var(&opts.Zipf, "zipf", 0, "requests follow Zipf(S) over each region's popularity ranking instead of the figures")
	fl.Float64Var(&opts.Hysteresis, "hysteresis", 0, "hysteresis of the plans made here (see vpack fill plan)")
	fl.BoolVar(&opts.NoLRU, "no-lru", false, "skip the LRU baseline (the slowest)")
	fl.IntVar(&opts.LRUHistory, "lru-history", 4, "LRU caches start as after this many traces' worth of requests")
	fl.StringVar(&opts.Chart, "chart", "", "draw hit ratio against edge capacity into this SVG file")
	fl.StringVar(&capacities, "capacities", "5,10,25,50,100", "edge capacities of the chart, in percent of the catalog's bytes")
	return cmd
}

func parseCapacities(s string) ([]float64, error) {
	var out []float64
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(part), "%"), 64)
		if err != nil || v <= 0 || v > 100 || math.IsNaN(v) {
			return nil, cmdutil.FlagErrorf("--capacities: %q is not a percentage in (0, 100]", part)
		}
		out = append(out, v)
	}
	return out, nil
}

func (o *SimulateOptions) check() error {
	switch {
	case o.Catalog == "":
		return cmdutil.FlagErrorf("--catalog is required")
	case o.Edges == "":
		return cmdutil.FlagErrorf("--edges is required")
	case o.Requests < 1 || o.Requests > fill.MaxTraceRequests:
		return cmdutil.FlagErrorf("--requests must be between 1 and %d, not %d", fill.MaxTraceRequests, o.Requests)
	case o.Zipf < 0 || o.Zipf > 10 || math.IsNaN(o.Zipf):
		return cmdutil.FlagErrorf("--zipf must be between 0 and 10, not %v", o.Zipf)
	case o.Hysteresis < 0 || o.Hysteresis > 10 || math.IsNaN(o.Hysteresis):
		return cmdutil.FlagErrorf("--hysteresis must be between 0 and 10, not %v", o.Hysteresis)
	case o.LRUHistory < 0 || o.LRUHistory > 100:
		return cmdutil.FlagErrorf("--lru-history must be between 0 and 100, not %d", o.LRUHistory)
	case o.Chart != "" && !strings.HasSuffix(strings.ToLower(o.Chart), ".svg"):
		return cmdutil.FlagErrorf("--chart %s: charts are SVG, name the file .svg", o.Chart)
	}
	return nil
}

func simulateRun(ctx context.Context, opts *SimulateOptions) error {
	m, err := loadModel(opts.Factory, opts.Catalog, opts.Edges)
	if err != nil {
		return err
	}
	var p *fill.Plan
	if opts.Plan != "" {
		if p, err = fill.ReadPlan(opts.Plan); err != nil {
			return err
		}
	} else if p, err = m.Plan(ctx, fill.PlanOptions{Hysteresis: opts.Hysteresis}); err != nil {
		return err
	}
	tr, err := m.Trace(ctx, fill.TraceConfig{Requests: opts.Requests, Seed: opts.Seed, Zipf: opts.Zipf})
	if err != nil {
		return err
	}
	sopts := fill.SimOptions{NoLRU: opts.NoLRU, LRUHistory: opts.LRUHistory}
	rep, err := m.Simulate(ctx, tr, p, sopts)
	if err != nil {
		if opts.Plan != "" && (errors.Is(err, fill.ErrUnknownRendition) || errors.Is(err, fill.ErrUnknownTitle) ||
			errors.Is(err, fill.ErrPlanMismatch)) {
			return &fill.FileError{File: opts.Plan, Err: fmt.Errorf("does not fit %s and %s: %w", opts.Catalog, opts.Edges, err)}
		}
		return err
	}
	res := SimulateResult{Simulation: rep}
	if opts.Chart != "" {
		var reps []*fill.SimReport
		fractions := make([]float64, len(opts.Capacities))
		for i, pc := range opts.Capacities {
			fractions[i] = pc / 100
			c := int64(fractions[i] * float64(m.CatalogBytes()))
			sp, err := m.Plan(ctx, fill.PlanOptions{Hysteresis: opts.Hysteresis, CapacityBytes: max(c, 1)})
			if err != nil {
				return err
			}
			r, err := m.Simulate(ctx, tr, sp, sopts)
			if err != nil {
				return err
			}
			reps = append(reps, r)
			res.Sweep = append(res.Sweep, SweepPoint{CapacityFraction: fractions[i], CapacityBytes: c, Simulation: r})
		}
		title := fmt.Sprintf("Edge hit ratio against capacity (%d requests, seed %d)", opts.Requests, opts.Seed)
		var buf bytes.Buffer
		if err := fill.WriteChartSVG(&buf, fill.CapacityChart(title, fractions, reps)); err != nil {
			return err
		}
		if err := writeFileAtomic(opts.Chart, buf.Bytes()); err != nil {
			return fmt.Errorf("write chart: %w", err)
		}
	}
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, res)
	}
	printSimulation(opts.IO.Out, rep)
	if opts.Chart != "" {
		fmt.Fprintf(opts.IO.Out, "\nplan hit ratio by edge capacity (%% of the catalog's bytes):")
		for _, s := range res.Sweep {
			fmt.Fprintf(opts.IO.Out, " %g %%: %.1f %%", 100*s.CapacityFraction, 100*s.Simulation.Policy(fill.PolicyPlan).HitRatio)
		}
		fmt.Fprintf(opts.IO.Out, "\nwrote %s\n", opts.Chart)
	}
	return nil
}

// printSimulation writes the tables for people.
func printSimulation(w io.Writer, rep *fill.SimReport) {
	fmt.Fprintf(w, "%d requests (seed %d) over %d edges; %d titles, %d renditions, %s\n",
		rep.Requests, rep.Seed, rep.Edges, rep.Titles, rep.Renditions, push.FormatBytes(rep.CatalogBytes))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "policy\thit ratio\torigin offload\tedges hold\tfilled\t")
	for _, p := range rep.Policies {
		fmt.Fprintf(tw, "%s\t%.2f %%\t%.2f %%\t%s\t%s\t\n", p.Policy, 100*p.HitRatio, 100*p.OriginOffload,
			push.FormatBytes(p.HeldBytes), push.FormatBytes(p.FillBytes))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "region\tedges\trequests\t")
	for _, p := range rep.Policies {
		fmt.Fprintf(tw, "%s\t", p.Policy)
	}
	fmt.Fprintln(tw)
	if len(rep.Policies) > 0 {
		for g, r := range rep.Policies[0].Regions {
			fmt.Fprintf(tw, "%s\t%d\t%d\t", r.Region, r.Edges, r.Requests)
			for _, p := range rep.Policies {
				fmt.Fprintf(tw, "%.1f %%\t", 100*p.Regions[g].HitRatio)
			}
			fmt.Fprintln(tw)
		}
	}
	tw.Flush()
}
