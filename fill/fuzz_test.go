package fill

import (
	"context"
	"os"
	"testing"
)

func seed(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzParseCatalog: no catalog, however malformed, panics the parser, and
// one it accepts compiles into a model and plans.
func FuzzParseCatalog(f *testing.F) {
	seed(f, "testdata/catalog.json")
	f.Add([]byte(`{"titles": [{"id": "t", "renditions": [{"id": "r", "bandwidth_bps": 1, "bytes": 9}], "popularity": {"x": 1}}]}`))
	f.Add([]byte(`{"titles": [{"id": "t", "package": "p.json"}]}`))
	pkg, err := os.ReadFile("testdata/pkg/movie-1/package.json")
	if err != nil {
		f.Fatal(err)
	}
	read := func(string) ([]byte, error) { return pkg, nil }
	edges := []Edge{{ID: "e", Region: "x", Capacity: 1 << 40}}
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := ParseCatalog("catalog.json", data, read)
		if err != nil {
			return
		}
		m, err := NewModel(cat, edges)
		if err != nil {
			t.Fatalf("parsed catalog does not compile: %v", err)
		}
		if _, err := m.Plan(context.Background(), PlanOptions{Workers: 1}); err != nil {
			t.Fatalf("parsed catalog does not plan: %v", err)
		}
	})
}

// FuzzParseEdges: no edges file panics the parser; accepted edges have no
// negative budget.
func FuzzParseEdges(f *testing.F) {
	seed(f, "testdata/edges.json")
	f.Add([]byte(`{"edges": [{"id": "a", "region": "r", "capacity": "-1TB", "fill_rate": "9Gbps", "fill_window": "23:00-01:00"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		edges, err := ParseEdges("edges.json", data)
		if err != nil {
			return
		}
		for _, e := range edges {
			if e.Capacity < 0 || e.FillRate < 0 || e.FillBudgetBytes() < 0 {
				t.Fatalf("accepted %+v", e)
			}
		}
	})
}

// FuzzParsePlan: no plan panics the parser; an accepted plan's references
// resolve.
func FuzzParsePlan(f *testing.F) {
	seed(f, "testdata/golden/plan.json")
	f.Add([]byte(`{"version": 1, "edges": [{"id": "e", "placement": "p"}], "placements": [{"id": "p", "titles": [{"title": "t", "path": "../x"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePlan("plan.json", data)
		if err != nil {
			return
		}
		for _, e := range p.Edges {
			if p.placement(e.Placement) == nil || (e.Change != "" && p.change(e.Change) == nil) {
				t.Fatalf("edge %q: dangling reference", e.ID)
			}
		}
	})
}
