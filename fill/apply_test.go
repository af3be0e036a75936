package fill

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/push"
)

func TestPushTitles(t *testing.T) {
	p := &Plan{Version: PlanVersion,
		Edges: []EdgePlan{
			{ID: "a", Placement: "p1", Change: "c1"},
			{ID: "b", Placement: "p1", Change: "c1"},
			{ID: "c", Placement: "p2", Change: "c2"},
			{ID: "d", Placement: "p2"}, // nothing moves
		},
		Placements: []Placement{
			{ID: "p1", Titles: []TitleRenditions{
				{Title: "hit", Renditions: []string{"360p", "720p"}, Bytes: 30},
				{Title: "old", Path: "vod/old", Renditions: []string{"360p"}, Bytes: 10},
			}},
			{ID: "p2", Titles: []TitleRenditions{
				{Title: "old", Path: "vod/old", Renditions: []string{"360p"}, Bytes: 10},
				{Title: "hit", Renditions: []string{"360p", "720p"}, Bytes: 30},
			}},
		},
		Changes: []Change{
			{ID: "c1", AddAll: true},
			{ID: "c2", Add: []TitleRenditions{{Title: "hit", Renditions: []string{"720p"}}},
				Evict: []TitleRenditions{{Title: "gone", Path: "vod/gone", Renditions: []string{"1080p"}},
					{Title: "old", Path: "vod/old", Renditions: []string{"1080p"}}}},
		},
	}
	want := []push.PlanTitle{
		{Path: "hit", Fill: []push.PlanSelection{{Edges: []int{0, 1, 2}, Renditions: []string{"360p", "720p"}, Bytes: 30}}},
		{Path: "vod/old", Fill: []push.PlanSelection{{Edges: []int{0, 1, 2}, Renditions: []string{"360p"}, Bytes: 10}}},
		{Path: "vod/gone", Evict: []int{2}},
	}
	if diff := cmp.Diff(want, p.PushTitles(false)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	all := p.PushTitles(true)
	if len(all) != 3 || !cmp.Equal(all[0].Fill[0].Edges, []int{0, 1, 2, 3}) {
		t.Errorf("all: %+v", all)
	}
}

// TestPushTitlesOfPlan: a first plan fills every placed title on every
// edge, once per group of edges holding the same renditions.
func TestPushTitlesOfPlan(t *testing.T) {
	m := testdataModel(t)
	p, err := m.Plan(context.Background(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	held := make(map[[2]string]bool)
	for _, pt := range p.PushTitles(false) {
		for _, s := range pt.Fill {
			for _, e := range s.Edges {
				for _, r := range s.Renditions {
					held[[2]string{p.Edges[e].ID, pt.Path + "/" + r}] = true
				}
			}
		}
	}
	n := 0
	for _, e := range p.Edges {
		for _, tr := range p.placement(e.Placement).Titles {
			for _, r := range tr.Renditions {
				n++
				if !held[[2]string{e.ID, tr.TitlePath() + "/" + r}] {
					t.Errorf("edge %s: %s/%s not filled", e.ID, tr.Title, r)
				}
			}
		}
	}
	if n != len(held) {
		t.Errorf("%d renditions filled, the plan places %d", len(held), n)
	}
}
