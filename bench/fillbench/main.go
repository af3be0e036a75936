// Command fillbench measures the fill planner and simulator at the scale
// of the edge-fill issue and reports against its targets.
//
//	go run ./bench/fillbench -o bench/results
//
// For each popularity curve (Zipf 0.8 and 1.0) it makes a synthetic CDN
// with fill.Synthetic: 100,000 titles (films and episodes, Apple's 9-rung
// H.264 ladder cut at 7800k, 6000k, 3000k or 1100k), 1,000 edges in 8
// regions of uneven size, regional skew (half the titles are 4x as popular
// in a home region), a per-region ABR model (median throughput 9 to
// 3 Mbit/s). It draws one trace of 10 million requests (seed 1) and, for
// edges holding 5, 10, 25, 50 and 100 % of the catalog's bytes (no fill
// window limit: capacity binds), plans (fill.Model.Plan) and simulates
// (fill.Model.Simulate: the plan, the hindsight optimum, yesterday's
// counts, popularity-only, an LRU cache warm as after 4 traces' worth of
// requests). Every phase is timed in wall time and in
// process CPU time (user+system, both cores), with the load average of the
// machine, since the wall times depend on what else runs.
//
// Then, at 10 % capacity and Zipf 0.8, it shows how the hindsight
// optimum's lead over the plan shrinks as the trace grows (1, 10 and 100
// million requests, LRU skipped): the lead is the sampling noise of the
// trace's own counts, which no plan made in advance can know.
//
// Results go to fill.json and fill.md in -o (the Markdown is printed too),
// and the hit-ratio charts to fill-zipf-0.8.svg and fill-zipf-1.0.svg.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vpack-dev/vpack/fill"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// Targets of the issue.
const (
	targetGapPP   = 1.0  // plan within this many percentage points of the static optimum
	targetSeconds = 60.0 // planning + simulation of the full-size case
)

type options struct {
	out        string
	titles     int
	edges      int
	regions    int
	requests   int64
	seed       uint64
	zipfs      []float64
	fractions  []float64
	gapTraces  []int64 // trace sizes of the gap study; empty skips it
	gapCapFrac float64
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("fillbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := options{gapCapFrac: 0.1}
	var zipfs, fractions, gap string
	fs.StringVar(&o.out, "o", "bench/results", "folder for fill.json, fill.md and the charts")
	fs.IntVar(&o.titles, "titles", 100_000, "titles in the catalog")
	fs.IntVar(&o.edges, "edges", 1_000, "edges")
	fs.IntVar(&o.regions, "regions", 8, "regions")
	fs.Int64Var(&o.requests, "requests", 10_000_000, "requests in the trace")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the catalog and the trace")
	fs.StringVar(&zipfs, "zipf", "0.8,1.0", "Zipf exponents")
	fs.StringVar(&fractions, "capacities", "5,10,25,50,100", "edge capacities, percent of the catalog's bytes")
	fs.StringVar(&gap, "gap-requests", "1000000,10000000,100000000", "trace sizes of the optimum-gap study (empty: skip)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.zipfs, err = floats(zipfs, 1); err != nil {
		return o, fmt.Errorf("-zipf: %w", err)
	}
	if o.fractions, err = floats(fractions, 100); err != nil {
		return o, fmt.Errorf("-capacities: %w", err)
	}
	for i := range o.fractions {
		o.fractions[i] /= 100
	}
	if gap != "" {
		g, err := floats(gap, fill.MaxTraceRequests)
		if err != nil {
			return o, fmt.Errorf("-gap-requests: %w", err)
		}
		for _, x := range g {
			o.gapTraces = append(o.gapTraces, int64(x))
		}
	}
	if o.titles < 1 || o.edges < 1 || o.regions < 1 || o.requests < 1 || o.requests > fill.MaxTraceRequests {
		return o, errors.New("-titles, -edges, -regions and -requests must be positive")
	}
	return o, nil
}

func floats(s string, maxV float64) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v <= 0 || v > maxV {
			return nil, fmt.Errorf("%q: want numbers in (0, %g]", p, maxV)
		}
		out = append(out, v)
	}
	return out, nil
}

// Result is fill.json.
type Result struct {
	Date     string   `json:"date"`
	Command  string   `json:"command"`
	Host     Host     `json:"host"`
	Setup    Setup    `json:"setup"`
	Curves   []Curve  `json:"curves"`
	Gap      []GapRow `json:"gap,omitempty"`
	Targets  Targets  `json:"targets"`
	LoadEnd  string   `json:"load_average_end"`
	TotalS   float64  `json:"total_s"`
	TotalCPU float64  `json:"total_cpu_s"`
}

type Host struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPU        string `json:"cpu"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	Go         string `json:"go"`
	LoadStart  string `json:"load_average_start"`
}

type Setup struct {
	Titles       int     `json:"titles"`
	Renditions   int     `json:"renditions"`
	Edges        int     `json:"edges"`
	Regions      int     `json:"regions"`
	Requests     int64   `json:"requests"`
	Seed         uint64  `json:"seed"`
	CatalogBytes []int64 `json:"catalog_bytes"` // per curve
	Description  string  `json:"description"`
}

// Timing is one phase: wall and process CPU seconds.
type Timing struct {
	WallS float64 `json:"wall_s"`
	CPUS  float64 `json:"cpu_s"`
}

// Curve is one Zipf exponent.
type Curve struct {
	Zipf    float64 `json:"zipf"`
	ModelS  Timing  `json:"model"` // synthetic catalog + fill.NewModel
	TraceS  Timing  `json:"trace"`
	Points  []Point `json:"points"`
	ChartAt string  `json:"chart"`
}

// Point is one capacity: the plan's and the policies' hit ratios, and
// the time it took.
type Point struct {
	CapacityFraction float64            `json:"capacity_fraction"`
	CapacityBytes    int64              `json:"capacity_bytes"`
	Expected         float64            `json:"plan_expected_hit_ratio"`
	UpperBound       float64            `json:"plan_upper_bound_hit_ratio"`
	HitRatio         map[string]float64 `json:"hit_ratio"`
	Offload          map[string]float64 `json:"origin_offload"`
	GapPP            float64            `json:"gap_to_optimum_pp"`
	BeatsBaselines   bool               `json:"beats_baselines"`
	Plan             Timing             `json:"plan"`
	Simulate         Timing             `json:"simulate"`
	Phases           map[string]Timing  `json:"simulate_phases"`
	FullCaseS        Timing             `json:"full_case"` // model + trace + plan + simulate
	Placements       int                `json:"placements"`
	Load             string             `json:"load_average"`
}

// GapRow is the optimum's lead at one trace size.
type GapRow struct {
	Requests int64   `json:"requests"`
	Plan     float64 `json:"plan_hit_ratio"`
	Optimum  float64 `json:"optimum_hit_ratio"`
	Yester   float64 `json:"yesterday_hit_ratio"`
	GapPP    float64 `json:"gap_pp"`
}

type Targets struct {
	GapPP         float64 `json:"gap_target_pp"`
	GapMet        bool    `json:"gap_met"`
	WorstGapPP    float64 `json:"worst_gap_pp"`
	BaselinesMet  bool    `json:"beats_baselines_met"`
	Seconds       float64 `json:"time_target_s"`
	WorstFullS    float64 `json:"worst_full_case_wall_s"`
	WorstFullCPUS float64 `json:"worst_full_case_cpu_s"`
	TimeMet       bool    `json:"time_met"`
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "fillbench: %v\n", err)
		return 2
	}
	res, err := bench(context.Background(), o, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "fillbench: %v\n", err)
		return 1
	}
	md := markdown(res)
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		fmt.Fprintf(stderr, "fillbench: %v\n", err)
		return 1
	}
	data, err := json.MarshalIndent(res, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(o.out, "fill.json"), append(data, '\n'), 0o644)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(o.out, "fill.md"), []byte(md), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "fillbench: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, md)
	return 0
}

// clock measures wall and process CPU time from a start.
type clock struct {
	wall time.Time
	cpu  float64
}

func start() clock { return clock{time.Now(), cpuSeconds()} }

func (c clock) since() Timing {
	return Timing{WallS: time.Since(c.wall).Seconds(), CPUS: cpuSeconds() - c.cpu}
}

func (t Timing) add(u Timing) Timing { return Timing{t.WallS + u.WallS, t.CPUS + u.CPUS} }

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func bench(ctx context.Context, o options, log io.Writer) (*Result, error) {
	all := start()
	res := &Result{
		Date:    time.Now().UTC().Format(time.RFC3339),
		Command: "go run ./bench/fillbench -o " + o.out,
		Host: Host{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), CPU: cpuModel(), GOOS: runtime.GOOS,
			GOARCH: runtime.GOARCH, Go: runtime.Version(), LoadStart: loadavg()},
		Setup: Setup{Titles: o.titles, Edges: o.edges, Regions: o.regions, Requests: o.requests, Seed: o.seed,
			Description: "fill.Synthetic: films (30 %, median 100 min) and episodes (median 40 min), Apple's 9-rung H.264 ladder " +
				"cut at 7800k/6000k/3000k/1100k, half the titles 4x as popular in a home region, regions sized 1/sqrt(rank), " +
				"ABR medians 9 to 3 Mbit/s; no fill-window limit (capacity binds)"},
		Targets: Targets{GapPP: targetGapPP, Seconds: targetSeconds, GapMet: true, BaselinesMet: true},
	}
	for _, z := range o.zipfs {
		fmt.Fprintf(log, "zipf %.1f: catalog and model\n", z)
		c := start()
		cat, edges := fill.Synthetic(fill.SyntheticConfig{Titles: o.titles, Edges: o.edges, Regions: o.regions, Zipf: z, Seed: o.seed})
		m, err := fill.NewModel(cat, edges)
		if err != nil {
			return nil, err
		}
		cur := Curve{Zipf: z, ModelS: c.since()}
		res.Setup.Renditions = m.Renditions()
		res.Setup.CatalogBytes = append(res.Setup.CatalogBytes, m.CatalogBytes())
		fmt.Fprintf(log, "zipf %.1f: trace of %d requests\n", z, o.requests)
		c = start()
		tr, err := m.Trace(ctx, fill.TraceConfig{Requests: o.requests, Seed: o.seed})
		if err != nil {
			return nil, err
		}
		cur.TraceS = c.since()
		var reps []*fill.SimReport
		for _, f := range o.fractions {
			capBytes := int64(f * float64(m.CatalogBytes()))
			fmt.Fprintf(log, "zipf %.1f, capacity %g %%: plan and simulate (load %s)\n", z, 100*f, loadavg())
			c = start()
			p, err := m.Plan(ctx, fill.PlanOptions{CapacityBytes: capBytes})
			if err != nil {
				return nil, err
			}
			pt := Point{CapacityFraction: f, CapacityBytes: capBytes, Plan: c.since(), Placements: len(p.Placements),
				Expected: p.Summary.ExpectedHitRatio, UpperBound: p.Summary.UpperBoundHitRatio,
				HitRatio: map[string]float64{}, Offload: map[string]float64{}, Phases: map[string]Timing{}}
			var phase string
			var pc clock
			c = start()
			rep, err := m.Simulate(ctx, tr, p, fill.SimOptions{Phase: func(name string) {
				if phase != "" {
					pt.Phases[phase] = pc.since()
				}
				phase, pc = name, start()
			}})
			if err != nil {
				return nil, err
			}
			pt.Simulate = c.since()
			pt.FullCaseS = cur.ModelS.add(cur.TraceS).add(pt.Plan).add(pt.Simulate)
			pt.Load = loadavg()
			for _, pr := range rep.Policies {
				pt.HitRatio[pr.Policy] = pr.HitRatio
				pt.Offload[pr.Policy] = pr.OriginOffload
			}
			plan := pt.HitRatio[fill.PolicyPlan]
			pt.GapPP = 100 * (pt.HitRatio[fill.PolicyOptimum] - plan)
			pt.BeatsBaselines = plan >= pt.HitRatio[fill.PolicyYesterday] && plan >= pt.HitRatio[fill.PolicyPopularity] &&
				plan >= pt.HitRatio[fill.PolicyLRU]
			res.Targets.GapMet = res.Targets.GapMet && pt.GapPP <= targetGapPP
			res.Targets.WorstGapPP = max(res.Targets.WorstGapPP, pt.GapPP)
			res.Targets.BaselinesMet = res.Targets.BaselinesMet && pt.BeatsBaselines
			res.Targets.WorstFullS = max(res.Targets.WorstFullS, pt.FullCaseS.WallS)
			res.Targets.WorstFullCPUS = max(res.Targets.WorstFullCPUS, pt.FullCaseS.CPUS)
			cur.Points = append(cur.Points, pt)
			reps = append(reps, rep)
		}
		cur.ChartAt = fmt.Sprintf("fill-zipf-%.1f.svg", z)
		var b bytes.Buffer
		title := fmt.Sprintf("Edge hit ratio, %d titles, %d edges, %d requests, Zipf %.1f", o.titles, o.edges, o.requests, z)
		if err := fill.WriteChartSVG(&b, fill.CapacityChart(title, o.fractions, reps)); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(o.out, cur.ChartAt), b.Bytes(), 0o644); err != nil {
			return nil, err
		}
		res.Curves = append(res.Curves, cur)
		runtime.GC()
	}
	res.Targets.TimeMet = res.Targets.WorstFullS < targetSeconds
	if len(o.gapTraces) > 0 {
		z := o.zipfs[0]
		cat, edges := fill.Synthetic(fill.SyntheticConfig{Titles: o.titles, Edges: o.edges, Regions: o.regions, Zipf: z, Seed: o.seed})
		m, err := fill.NewModel(cat, edges)
		if err != nil {
			return nil, err
		}
		p, err := m.Plan(ctx, fill.PlanOptions{CapacityBytes: int64(o.gapCapFrac * float64(m.CatalogBytes()))})
		if err != nil {
			return nil, err
		}
		for _, n := range o.gapTraces {
			fmt.Fprintf(log, "gap study: %d requests\n", n)
			tr, err := m.Trace(ctx, fill.TraceConfig{Requests: n, Seed: o.seed})
			if err != nil {
				return nil, err
			}
			rep, err := m.Simulate(ctx, tr, p, fill.SimOptions{NoLRU: true})
			if err != nil {
				return nil, err
			}
			row := GapRow{Requests: n, Plan: rep.Policy(fill.PolicyPlan).HitRatio, Optimum: rep.Policy(fill.PolicyOptimum).HitRatio,
				Yester: rep.Policy(fill.PolicyYesterday).HitRatio}
			row.GapPP = 100 * (row.Optimum - row.Plan)
			res.Gap = append(res.Gap, row)
			tr = nil
			runtime.GC()
		}
	}
	t := all.since()
	res.TotalS, res.TotalCPU, res.LoadEnd = t.WallS, t.CPUS, loadavg()
	return res, nil
}

func pct(x float64) string { return fmt.Sprintf("%.2f", 100*x) }

func markdown(r *Result) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	met := func(ok bool) string {
		if ok {
			return "**met**"
		}
		return "**not met**"
	}
	p("# Fill benchmark: planning and simulating edge pre-positioning\n\n")
	p("%s, %d CPUs (%s), GOMAXPROCS %d, %s. `%s`.\n\n", r.Date, r.Host.CPUs, r.Host.CPU, r.Host.GOMAXPROCS, r.Host.Go, r.Command)
	p("Load average: %s at the start, %s at the end (the machine is shared: wall times stretch with the load; CPU times do not).\n\n",
		r.Host.LoadStart, r.LoadEnd)
	p("Setup: %d titles (%d renditions), %d edges in %d regions, %d requests per trace (seed %d). %s.\n\n",
		r.Setup.Titles, r.Setup.Renditions, r.Setup.Edges, r.Setup.Regions, r.Setup.Requests, r.Setup.Seed, r.Setup.Description)
	p("Policies: **plan** (fill.Model.Plan from the forecast popularity); **optimum**, the static optimum with hindsight (the planner fed the trace's own request counts per region); ")
	p("**yesterday** (the planner fed another trace's counts); **popularity** (most popular titles first, all renditions, first fit); ")
	p("**lru** (no pre-positioning, each edge an LRU cache of its capacity, warm as after 4 traces' worth of requests: beyond the capacity ")
	p("that history fills, its hit ratio stops growing). Hit ratio: requests served by the edge; offload: bytes served by the edge.\n\n")
	for _, c := range r.Curves {
		p("## Zipf %.1f\n\n", c.Zipf)
		p("Catalog and model: %.2f s (CPU %.2f s); trace: %.2f s (CPU %.2f s). Chart: `%s`.\n\n", c.ModelS.WallS, c.ModelS.CPUS,
			c.TraceS.WallS, c.TraceS.CPUS, c.ChartAt)
		p("| capacity | plan | expected | optimum | gap pp | yesterday | popularity | lru | plan offload | ≥ baselines |\n")
		p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
		for _, pt := range c.Points {
			h := pt.HitRatio
			p("| %g %% | %s %% | %s %% | %s %% | %+.2f | %s %% | %s %% | %s %% | %s %% | %v |\n", 100*pt.CapacityFraction,
				pct(h[fill.PolicyPlan]), pct(pt.Expected), pct(h[fill.PolicyOptimum]), pt.GapPP, pct(h[fill.PolicyYesterday]),
				pct(h[fill.PolicyPopularity]), pct(h[fill.PolicyLRU]), pct(pt.Offload[fill.PolicyPlan]), yes(pt.BeatsBaselines))
		}
		p("\nTimes in seconds, wall (CPU, both cores). Full case: catalog and model, trace, plan and simulation.\n\n")
		p("| capacity | plan | simulate | of which baselines but lru | of which lru | full case | load |\n|---:|---:|---:|---:|---:|---:|---|\n")
		for _, pt := range c.Points {
			var base Timing
			for _, ph := range []string{"optimum", "yesterday", "popularity"} {
				base = base.add(pt.Phases[ph])
			}
			p("| %g %% | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) | %.2f (%.2f) | %s |\n", 100*pt.CapacityFraction,
				pt.Plan.WallS, pt.Plan.CPUS, pt.Simulate.WallS, pt.Simulate.CPUS, base.WallS, base.CPUS,
				pt.Phases["lru"].WallS, pt.Phases["lru"].CPUS, pt.FullCaseS.WallS, pt.FullCaseS.CPUS, pt.Load)
		}
		p("\n")
	}
	if len(r.Gap) > 0 {
		p("## The optimum's lead is the trace's sampling noise\n\n")
		p("Zipf %.1f, edges holding 10 %% of the catalog, one plan, traces of growing size (LRU skipped):\n\n", r.Curves[0].Zipf)
		p("| requests | plan | optimum | gap pp | yesterday |\n|---:|---:|---:|---:|---:|\n")
		for _, g := range r.Gap {
			p("| %d | %s %% | %s %% | %+.2f | %s %% |\n", g.Requests, pct(g.Plan), pct(g.Optimum), g.GapPP, pct(g.Yester))
		}
		p("\nThe plan's hit ratio does not depend on the trace size (it is the forecast's expectation); the optimum keeps the renditions ")
		p("that happened to be requested, which the counts of another trace of the same size (yesterday) do not predict: yesterday's ")
		p("placement does worse than the plan at every size.\n\n")
	}
	p("## Targets\n\n")
	p("- Plan within %.0f pp of the static optimum with hindsight at every capacity: %s (worst gap %.2f pp at %d requests",
		r.Targets.GapPP, met(r.Targets.GapMet), r.Targets.WorstGapPP, r.Setup.Requests)
	if n := len(r.Gap); n > 0 {
		g := r.Gap[n-1]
		p("; %+.2f pp at 10 %% capacity with %d requests: the gap is the trace's sampling noise, see above", g.GapPP, g.Requests)
	}
	p(").\n")
	p("- Plan at least as high as every baseline at every capacity: %s.\n", met(r.Targets.BaselinesMet))
	p("- Planning + simulation of the full-size case (model, trace, plan, simulate with all baselines) under %.0f s: %s (worst %.1f s wall, %.1f s CPU over %d cores).\n",
		r.Targets.Seconds, met(r.Targets.TimeMet), r.Targets.WorstFullS, r.Targets.WorstFullCPUS, r.Host.GOMAXPROCS)
	p("\nWhole benchmark: %.1f s wall, %.1f s CPU.\n", r.TotalS, r.TotalCPU)
	return b.String()
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
