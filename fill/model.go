package fill

import (
	"fmt"
	"slices"
	"sort"
)

// Model is a catalog and its edges compiled for planning and simulation:
// integer IDs and flat slices instead of maps and strings, so that a
// catalog of 100,000 titles and a thousand edges fits in a few tens of
// megabytes and is scanned at memory speed.
//
// Items are (title, rendition) pairs, numbered title by title in catalog
// order: the renditions of title t are items titleStart[t] up to
// titleStart[t+1]. Values are expected requests per region and item: the
// title's popularity in the region times the rendition's ABR share there.
type Model struct {
	cat   *Catalog
	edges []Edge

	titleIdx   map[string]int32
	titleStart []int32 // len titles+1
	itemBytes  []int64
	itemBW     []int64
	itemTitle  []int32
	info       []itemInfo // itemBytes and itemTitle together, for the simulator's hot loops
	base       []int64    // per title

	regions   []string
	regionIdx map[string]int
	value     [][]float64 // [region][item]
	volume    []float64   // per region: sum of value
	pop       [][]float64 // [region][title]: popularity
	share     [][]float32 // [region][item]: ABR share

	edgeRegion []int
	edgeShare  []float64 // of the region's requests
	edgeIdx    map[string]int
	regionEdge [][]int // edges of each region

	totalBytes int64 // every rendition and every title's base
	warnings   []string
}

// itemInfo is what the simulator reads of an item per request: one cache
// line instead of three.
type itemInfo struct {
	bytes int64
	base  int64 // the title's base bytes
	title int32
}

// NewModel checks cat and edges together and compiles them. Regions are
// those with popularity in the catalog or an edge, sorted; a region with
// popularity and no edge sends its requests to the origin, a region with
// edges and no popularity gets nothing placed (both are warnings).
func NewModel(cat *Catalog, edges []Edge) (*Model, error) {
	if err := cat.Validate(); err != nil {
		return nil, err
	}
	if err := ValidateEdges(edges); err != nil {
		return nil, err
	}
	m := &Model{cat: cat, edges: edges, titleIdx: make(map[string]int32, len(cat.Titles)),
		regionIdx: make(map[string]int), edgeIdx: make(map[string]int, len(edges))}
	nItems := 0
	for _, t := range cat.Titles {
		nItems += len(t.Renditions)
	}
	if nItems >= 1<<31-len(cat.Titles)-1 {
		return nil, fmt.Errorf("catalog has %d renditions, too many", nItems)
	}
	m.titleStart = make([]int32, 0, len(cat.Titles)+1)
	m.itemBytes = make([]int64, 0, nItems)
	m.itemBW = make([]int64, 0, nItems)
	m.itemTitle = make([]int32, 0, nItems)
	m.base = make([]int64, len(cat.Titles))
	popRegions := make(map[string]bool)
	for i, t := range cat.Titles {
		m.titleIdx[t.ID] = int32(i)
		m.titleStart = append(m.titleStart, int32(len(m.itemBytes)))
		m.base[i] = t.BaseBytes
		m.totalBytes += t.BaseBytes
		for _, r := range t.Renditions {
			m.itemBytes = append(m.itemBytes, r.Bytes)
			m.itemBW = append(m.itemBW, r.BandwidthBps)
			m.itemTitle = append(m.itemTitle, int32(i))
			m.totalBytes += r.Bytes
		}
		// Each size is at most a petabyte, so checking as we go keeps
		// every sum the planner makes from overflowing.
		if m.totalBytes > 1<<61 {
			return nil, fmt.Errorf("catalog holds more than 2 EB: too large to plan")
		}
		for g, p := range t.Popularity {
			if p > 0 {
				popRegions[g] = true
			}
		}
	}
	m.titleStart = append(m.titleStart, int32(len(m.itemBytes)))
	m.info = make([]itemInfo, len(m.itemBytes))
	for i := range m.info {
		m.info[i] = itemInfo{bytes: m.itemBytes[i], base: m.base[m.itemTitle[i]], title: m.itemTitle[i]}
	}
	edgeRegions := make(map[string]bool)
	for _, e := range edges {
		edgeRegions[e.Region] = true
	}
	for g := range popRegions {
		m.regions = append(m.regions, g)
	}
	for g := range edgeRegions {
		if !popRegions[g] {
			m.regions = append(m.regions, g)
		}
	}
	sort.Strings(m.regions)
	for i, g := range m.regions {
		m.regionIdx[g] = i
	}
	m.regionEdge = make([][]int, len(m.regions))
	weights := make([]float64, len(m.regions))
	for i, e := range edges {
		g := m.regionIdx[e.Region]
		m.edgeIdx[e.ID] = i
		m.edgeRegion = append(m.edgeRegion, g)
		m.regionEdge[g] = append(m.regionEdge[g], i)
		weights[g] += e.weight()
	}
	for i, e := range edges {
		m.edgeShare = append(m.edgeShare, e.weight()/weights[m.edgeRegion[i]])
	}
	m.computeValues()
	for g, name := range m.regions {
		switch {
		case !edgeRegions[name]:
			m.warnings = append(m.warnings, fmt.Sprintf("region %s has no edge: its %.1f %% of requests go to the origin",
				name, 100*m.volume[g]/m.totalVolume()))
		case !popRegions[name]:
			m.warnings = append(m.warnings, fmt.Sprintf("region %s has edges but no title is popular there: they get nothing", name))
		}
	}
	return m, nil
}

// computeValues fills pop, share, value and volume.
func (m *Model) computeValues() {
	R, T, I := len(m.regions), len(m.cat.Titles), len(m.itemBytes)
	catABR := m.cat.ABR.withDefaults(DefaultABR)
	m.pop = make([][]float64, R)
	for g := range m.pop {
		m.pop[g] = make([]float64, T)
	}
	for t := range m.cat.Titles {
		for name, p := range m.cat.Titles[t].Popularity {
			m.pop[m.regionIdx[name]][t] = p
		}
	}
	m.share = make([][]float32, R)
	m.value = make([][]float64, R)
	m.volume = make([]float64, R)
	out := make([]float64, maxRenditions)
	for g, name := range m.regions {
		abr := catABR
		if rc, ok := m.cat.Regions[name]; ok {
			abr = rc.ABR.withDefaults(catABR)
		}
		pop := m.pop[g]
		share := make([]float32, I)
		value := make([]float64, I)
		for t := range m.cat.Titles {
			lo, hi := m.titleStart[t], m.titleStart[t+1]
			abr.shares(m.itemBW[lo:hi], out)
			for k := lo; k < hi; k++ {
				share[k] = float32(out[k-lo])
				value[k] = pop[t] * out[k-lo]
				m.volume[g] += value[k]
			}
		}
		m.share[g], m.value[g] = share, value
	}
}

func (m *Model) totalVolume() float64 {
	var v float64
	for _, x := range m.volume {
		v += x
	}
	return v
}

// Warnings are what NewModel noticed that is not an error: regions without
// edges or without popularity.
func (m *Model) Warnings() []string { return slices.Clone(m.warnings) }

// CatalogBytes is the bytes of every rendition and every title's base: what
// an edge holding the whole catalog holds.
func (m *Model) CatalogBytes() int64 { return m.totalBytes }

// Titles is the number of titles; Renditions the number of (title,
// rendition) items.
func (m *Model) Titles() int     { return len(m.cat.Titles) }
func (m *Model) Renditions() int { return len(m.itemBytes) }

// Regions are the model's regions, sorted.
func (m *Model) Regions() []string { return slices.Clone(m.regions) }

func (m *Model) items() int { return len(m.itemBytes) }

// item finds the item of a title's rendition.
func (m *Model) item(title, rendition string) (int32, error) {
	t, ok := m.titleIdx[title]
	if !ok {
		return 0, fmt.Errorf("title %q: %w", title, ErrUnknownTitle)
	}
	rs := m.cat.Titles[t].Renditions
	for k := range rs {
		if rs[k].ID == rendition {
			return m.titleStart[t] + int32(k), nil
		}
	}
	return 0, fmt.Errorf("title %q: rendition %q: %w", title, rendition, ErrUnknownRendition)
}

func (m *Model) rendID(item int32) string {
	t := m.itemTitle[item]
	return m.cat.Titles[t].Renditions[item-m.titleStart[t]].ID
}
