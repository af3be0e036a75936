package fill_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/vpack-dev/vpack/fill"
	"github.com/vpack-dev/vpack/push"
)

// Plan what four edges in three regions hold, from a catalog whose first
// title's sizes come from its package.json.
func ExampleModel_Plan() {
	cat, err := fill.ReadCatalog("testdata/catalog.json")
	if err != nil {
		log.Fatal(err) // a *fill.FileError naming the file and the problem
	}
	edges, err := fill.ReadEdges("testdata/edges.json")
	if err != nil {
		log.Fatal(err)
	}
	m, err := fill.NewModel(cat, edges)
	if err != nil {
		log.Fatal(err)
	}
	p, err := m.Plan(context.Background(), fill.PlanOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range p.Edges {
		fmt.Printf("%s (%s): holds %s of %s, adds %s, expects %.1f %% of its requests (at most %.1f %%)\n",
			e.ID, e.Region, push.FormatBytes(e.HeldBytes), push.FormatBytes(e.CapacityBytes),
			push.FormatBytes(e.AddBytes), 100*e.ExpectedHitRatio, 100*e.UpperBoundHitRatio)
	}
	// Output:
	// fra-1 (eu): holds 5.7 GB of 6.0 GB, adds 5.7 GB, expects 69.7 % of its requests (at most 72.3 %)
	// fra-2 (eu): holds 5.7 GB of 6.0 GB, adds 5.7 GB, expects 69.7 % of its requests (at most 72.3 %)
	// nyc-1 (us): holds 4.0 GB of 4.0 GB, adds 4.0 GB, expects 66.7 % of its requests (at most 66.8 %)
	// sin-1 (apac): holds 951.9 MB of 3.0 GB, adds 951.9 MB, expects 61.7 % of its requests (at most 65.5 %)
}

// Simulate a synthetic CDN: 2,000 titles, 16 edges holding 10 % of the
// catalog each, 100,000 requests; the plan against the hindsight optimum
// and the baselines.
func ExampleModel_Simulate() {
	cat, edges := fill.Synthetic(fill.SyntheticConfig{Titles: 2000, Edges: 16, Zipf: 0.8, CapacityFraction: 0.1, Seed: 1})
	m, err := fill.NewModel(cat, edges)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	p, err := m.Plan(ctx, fill.PlanOptions{})
	if err != nil {
		log.Fatal(err)
	}
	tr, err := m.Trace(ctx, fill.TraceConfig{Requests: 100_000, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	rep, err := m.Simulate(ctx, tr, p, fill.SimOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, pr := range rep.Policies {
		fmt.Printf("%-10s hit ratio %.1f %%\n", pr.Policy, 100*pr.HitRatio)
	}
	// Output:
	// plan       hit ratio 68.6 %
	// optimum    hit ratio 76.8 %
	// yesterday  hit ratio 62.8 %
	// popularity hit ratio 58.3 %
	// lru        hit ratio 47.7 %
}

// Draw hit ratio against capacity for a sweep of plans on one trace.
func ExampleWriteChartSVG() {
	cat, edges := fill.Synthetic(fill.SyntheticConfig{Titles: 500, Edges: 8, Seed: 1})
	m, err := fill.NewModel(cat, edges)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	tr, err := m.Trace(ctx, fill.TraceConfig{Requests: 20_000, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fractions := []float64{0.05, 0.1, 0.25, 0.5, 1}
	var reps []*fill.SimReport
	for _, f := range fractions {
		p, err := m.Plan(ctx, fill.PlanOptions{CapacityBytes: int64(f * float64(m.CatalogBytes()))})
		if err != nil {
			log.Fatal(err)
		}
		rep, err := m.Simulate(ctx, tr, p, fill.SimOptions{})
		if err != nil {
			log.Fatal(err)
		}
		reps = append(reps, rep)
	}
	chart := fill.CapacityChart("Edge hit ratio against capacity", fractions, reps)
	if err := fill.WriteChartSVG(os.Stdout, chart); err != nil {
		log.Fatal(err)
	}
}
