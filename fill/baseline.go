package fill

import (
	"cmp"
	"math"
	"slices"
)

// popularityOrder is the popularity-only baseline's order for region g:
// titles by popularity, most popular first (catalog order breaks ties),
// and within each title its renditions by bandwidth, highest first (what
// vpack fill --renditions all copies). Titles never requested there are
// left out.
func (m *Model) popularityOrder(g int) (titles []int32, byBW []int32) {
	pop := m.pop[g]
	for t, p := range pop {
		if p > 0 {
			titles = append(titles, int32(t))
		}
	}
	slices.SortStableFunc(titles, func(a, b int32) int { return cmp.Compare(pop[b], pop[a]) })
	byBW = make([]int32, m.items())
	for t := range m.cat.Titles {
		lo, hi := m.titleStart[t], m.titleStart[t+1]
		r := byBW[lo:hi]
		for i := range r {
			r[i] = lo + int32(i)
		}
		slices.SortStableFunc(r, func(a, b int32) int { return cmp.Compare(m.itemBW[b], m.itemBW[a]) })
	}
	return titles, byBW
}

// popularityPlace is the popularity-only baseline: it knows popularity
// but not value per byte. Titles go in popularity order with all their
// renditions, highest bandwidth first, each rendition taken when it fits
// the capacity and the fill budget (first fit); a title's base is charged
// with its first rendition.
func (m *Model) popularityPlace(titles, byBW []int32, b edgeBudget, held *heldState) greedyResult {
	var r greedyResult
	capLeft := b.capacity
	fillLeft := b.fill
	if fillLeft <= 0 {
		fillLeft = math.MaxInt64
	}
	for _, t := range titles {
		if capLeft <= 0 {
			break
		}
		titleHeld := held.any && held.titles.has(t)
		baseCap, baseFill := m.base[t], m.base[t]
		if titleHeld {
			baseFill = 0
		}
		for _, it := range byBW[m.titleStart[t]:m.titleStart[t+1]] {
			c, f := m.itemBytes[it]+baseCap, m.itemBytes[it]+baseFill
			if held.any && held.items.has(it) {
				f = baseFill
			}
			if c > capLeft || f > fillLeft {
				continue
			}
			capLeft -= c
			fillLeft -= f
			r.bytes += c
			r.fill += f
			baseCap, baseFill = 0, 0
			r.items = append(r.items, it)
		}
	}
	return r
}
