package fill

import (
	"cmp"
	"fmt"
	"math"
)

// SyntheticConfig describes a made-up catalog and CDN for benchmarks,
// tests and what-ifs.
type SyntheticConfig struct {
	Titles  int
	Regions int // zero is 8
	Edges   int // spread over regions by their size; zero is one per region
	// Zipf is the exponent s of popularity by rank: the title of rank k
	// gets requests in proportion to 1/k^s. Zero is 0.8.
	Zipf float64
	// RegionalSkew multiplies a local title's popularity in its home
	// region; LocalShare is the fraction of titles that have a home region
	// (the others are equally popular everywhere). Zero is 4 and 0.5.
	RegionalSkew float64
	LocalShare   float64
	// CapacityFraction is each edge's capacity as a fraction of the
	// catalog's bytes. Zero is 0.1.
	CapacityFraction float64
	// FillRate and FillWindow are every edge's; zero and "" are no limit.
	FillRate   Rate
	FillWindow string
	Seed       uint64
}

// syntheticLadder is Apple's H.264 ladder (HLS authoring specification),
// by peak kbit/s.
var syntheticLadder = []struct {
	id   string
	kbps int64
}{
	{"234p-145k", 145}, {"360p-365k", 365}, {"432p-730k", 730}, {"540p-1100k", 1100}, {"540p-2000k", 2000},
	{"720p-3000k", 3000}, {"1080p-4500k", 4500}, {"1080p-6000k", 6000}, {"1080p-7800k", 7800},
}

var syntheticRegions = []string{"eu-west", "us-east", "apac-north", "eu-central", "us-west", "latam", "apac-south", "mea"}

// Synthetic makes a catalog and edges, deterministically from cfg.Seed:
//
//   - titles: 30 % films (median 100 min) and 70 % episodes (median
//     40 min); ladders are Apple's 9 rungs (145k to 7800k) cut at 7800k
//     (45 %), 6000k (25 %), 3000k (20 %) or 1100k (10 %, old SD titles);
//     a rendition's bytes are 85 % of its peak rate times the duration
//     times a per-title complexity (log-normal, sigma 0.25); the base is
//     a 128 kbit/s audio track and 200 kB of manifests;
//   - popularity: Zipf(cfg.Zipf) over a random ranking, times the
//     regional skew in a local title's home region; regions get edges in
//     proportion to 1/sqrt(rank) and requests in proportion to their
//     edges, so every edge sees the same load;
//   - ABR: the regions' median throughputs range from 9 to 3 Mbit/s.
func Synthetic(cfg SyntheticConfig) (*Catalog, []Edge) {
	nr := cmp.Or(cfg.Regions, 8)
	ne := max(cfg.Edges, nr)
	s := cmp.Or(cfg.Zipf, 0.8)
	skew := cmp.Or(cfg.RegionalSkew, 4)
	local := cmp.Or(cfg.LocalShare, 0.5)
	frac := cmp.Or(cfg.CapacityFraction, 0.1)
	r := newRNG(cfg.Seed, 0x5157)

	regions := make([]string, nr)
	rw := make([]float64, nr)
	var rwSum float64
	for g := range nr {
		regions[g] = fmt.Sprintf("region-%d", g+1)
		if g < len(syntheticRegions) {
			regions[g] = syntheticRegions[g]
		}
		rw[g] = 1 / math.Sqrt(float64(g+1))
		rwSum += rw[g]
	}
	// Edges per region: at least one each, the rest by weight (largest
	// remainder).
	perRegion := apportion(int64(ne-nr), rw)
	for g := range perRegion {
		perRegion[g]++
	}

	cat := &Catalog{Version: CatalogVersion, ABR: &ABR{MedianKbps: 6000, Sigma: 1, Safety: 0.8},
		Regions: make(map[string]RegionConfig, nr)}
	for g, name := range regions {
		med := 9000 - 6000*float64(g)/float64(max(nr-1, 1))
		cat.Regions[name] = RegionConfig{ABR: &ABR{MedianKbps: math.Round(med)}}
	}
	// A random ranking: rank[i] is title i's popularity rank (0 best).
	rank := make([]int, cfg.Titles)
	for i := range rank {
		rank[i] = i
	}
	for i := len(rank) - 1; i > 0; i-- {
		j := int(r.next() % uint64(i+1))
		rank[i], rank[j] = rank[j], rank[i]
	}
	regionSum := make([]float64, nr)
	zipf := make([]float64, cfg.Titles)
	home := make([]int, cfg.Titles)
	cat.Titles = make([]Title, cfg.Titles)
	for i := range cat.Titles {
		t := &cat.Titles[i]
		t.ID = fmt.Sprintf("title-%06d", i+1)
		minutes := 40 * math.Exp(0.3*r.normal())
		if r.float64() < 0.3 {
			minutes = 100 * math.Exp(0.2*r.normal())
		}
		secs := math.Round(minutes * 60)
		cx := math.Exp(0.25 * r.normal())
		top := len(syntheticLadder)
		switch u := r.float64(); {
		case u < 0.10:
			top = 4
		case u < 0.30:
			top = 6
		case u < 0.55:
			top = 8
		}
		t.Renditions = make([]Rendition, top)
		for k := range top {
			l := syntheticLadder[k]
			t.Renditions[k] = Rendition{ID: l.id, BandwidthBps: l.kbps * 1000,
				Bytes: int64(float64(l.kbps) * 1000 * 0.85 * cx * secs / 8)}
		}
		t.BaseBytes = int64(128_000*secs/8) + 200_000
		zipf[i] = 1 / math.Pow(float64(rank[i]+1), s)
		home[i] = -1
		if r.float64() < local {
			home[i] = int(r.next() % uint64(nr))
		}
		for g := range nr {
			w := zipf[i]
			if home[i] == g {
				w *= skew
			}
			regionSum[g] += w
		}
	}
	// Scale each region to a million requests per edge.
	for i := range cat.Titles {
		t := &cat.Titles[i]
		t.Popularity = make(map[string]float64, nr)
		for g, name := range regions {
			w := zipf[i]
			if home[i] == g {
				w *= skew
			}
			t.Popularity[name] = roundSig(w/regionSum[g]*1e6*float64(perRegion[g]), 6)
		}
	}
	var catBytes int64
	for _, t := range cat.Titles {
		catBytes += t.BaseBytes
		for _, rd := range t.Renditions {
			catBytes += rd.Bytes
		}
	}
	var edges []Edge
	for g, name := range regions {
		for k := range perRegion[g] {
			edges = append(edges, Edge{ID: fmt.Sprintf("%s-%d", name, k+1), Region: name,
				Capacity: Size(frac * float64(catBytes)), FillRate: cfg.FillRate, FillWindow: cfg.FillWindow})
		}
	}
	return cat, edges
}

// roundSig rounds x to n significant digits: catalogs stay readable and
// survive a JSON round trip unchanged.
func roundSig(x float64, n int) float64 {
	if x == 0 {
		return 0
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}

// apportion splits n into integers in proportion to w by largest
// remainder: deterministic, sums to n exactly.
func apportion(n int64, w []float64) []int64 {
	out := make([]int64, len(w))
	var sum float64
	for _, x := range w {
		sum += x
	}
	if n <= 0 || sum <= 0 {
		return out
	}
	rem := make([]float64, len(w))
	var given int64
	for i, x := range w {
		q := float64(n) * x / sum
		out[i] = int64(q)
		rem[i] = q - float64(out[i])
		given += out[i]
	}
	for given < n {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
		given++
	}
	return out
}
