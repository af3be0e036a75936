package fill

import (
	"cmp"
	"slices"
	"strings"

	"github.com/vpack-dev/vpack/push"
)

// PushTitles turns the plan into the titles push.FillPlan executes, with
// edges numbered as in p.Edges: for every title a change adds or trims,
// the renditions each edge holds of it after the fill (edges holding the
// same ones grouped), and the edges it leaves. With all, every title of
// every placement is filled again (push skips what is already there):
// a repair after a fill that went wrong, or of edges whose content is
// unknown. Titles come most valuable first (their best position in any
// placement), so a fill window that closes early leaves out the least.
func (p *Plan) PushTitles(all bool) []push.PlanTitle {
	type job struct {
		title push.PlanTitle
		rank  int
		sel   map[string]int // renditions key -> index in title.Fill
	}
	jobs := make(map[string]*job)
	get := func(tr *TitleRenditions, rank int) *job {
		j, ok := jobs[tr.Title]
		if !ok {
			j = &job{title: push.PlanTitle{Path: tr.TitlePath()}, rank: rank, sel: make(map[string]int)}
			jobs[tr.Title] = j
		}
		j.rank = min(j.rank, rank)
		return j
	}
	type pair struct{ placement, change string }
	var pairs []pair
	edgesOf := make(map[pair][]int)
	for i, e := range p.Edges {
		k := pair{e.Placement, e.Change}
		if _, ok := edgesOf[k]; !ok {
			pairs = append(pairs, k)
		}
		edgesOf[k] = append(edgesOf[k], i)
	}
	for _, k := range pairs {
		edges := edgesOf[k]
		pl := p.placement(k.placement)
		ch := p.change(k.change)
		if ch == nil && !all {
			continue
		}
		inPlacement := make(map[string]int, len(pl.Titles))
		for r, tr := range pl.Titles {
			inPlacement[tr.Title] = r
		}
		touched := make(map[string]bool)
		if all || ch.AddAll {
			for _, tr := range pl.Titles {
				touched[tr.Title] = true
			}
		}
		if ch != nil {
			for _, tr := range ch.Add {
				touched[tr.Title] = true
			}
			for i := range ch.Evict {
				tr := &ch.Evict[i]
				if _, kept := inPlacement[tr.Title]; kept {
					touched[tr.Title] = true // some renditions go, the title stays
					continue
				}
				j := get(tr, len(pl.Titles))
				j.title.Evict = append(j.title.Evict, edges...)
			}
		}
		for r := range pl.Titles {
			tr := &pl.Titles[r]
			if !touched[tr.Title] {
				continue
			}
			j := get(tr, r)
			key := strings.Join(tr.Renditions, "\x00")
			s, ok := j.sel[key]
			if !ok {
				s = len(j.title.Fill)
				j.sel[key] = s
				j.title.Fill = append(j.title.Fill, push.PlanSelection{Renditions: tr.Renditions, Bytes: tr.Bytes})
			}
			j.title.Fill[s].Edges = append(j.title.Fill[s].Edges, edges...)
		}
	}
	names := make([]string, 0, len(jobs))
	for name := range jobs {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(jobs[a].rank, jobs[b].rank), strings.Compare(a, b))
	})
	out := make([]push.PlanTitle, len(names))
	for i, name := range names {
		out[i] = jobs[name].title
		for _, s := range out[i].Fill {
			slices.Sort(s.Edges)
		}
		slices.Sort(out[i].Evict)
	}
	return out
}
