package fill

import (
	"context"
	"testing"
)

// The benchmarks here run a tenth of the scale (10,000 titles,
// 100 edges, 1 million requests) so that go test -bench stays quick;
// bench/fillbench runs the full scale and reports against the targets.

func benchModel(b *testing.B) *Model {
	b.Helper()
	return synthModel(b, SyntheticConfig{Titles: 10_000, Edges: 100, CapacityFraction: 0.1, Seed: 1})
}

func BenchmarkPlan(b *testing.B) {
	m := benchModel(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Plan(context.Background(), PlanOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrace(b *testing.B) {
	m := benchModel(b)
	for b.Loop() {
		if _, err := m.Trace(context.Background(), TraceConfig{Requests: 1_000_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ns/request")
}

func BenchmarkSimulate(b *testing.B) {
	m := benchModel(b)
	ctx := context.Background()
	p, err := m.Plan(ctx, PlanOptions{})
	if err != nil {
		b.Fatal(err)
	}
	tr, err := m.Trace(ctx, TraceConfig{Requests: 1_000_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		opts SimOptions
	}{{"all", SimOptions{}}, {"nolru", SimOptions{NoLRU: true}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := m.Simulate(ctx, tr, p, bc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
