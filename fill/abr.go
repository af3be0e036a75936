package fill

import (
	"fmt"
	"math"
)

// ABR is the model of which rendition viewers play: each viewer's
// throughput is log-normal (MedianKbps, Sigma: the standard deviation of
// its natural log), and the player picks the highest rendition whose
// bandwidth is at most Safety times the throughput, or the lowest
// rendition when none is. A rendition's share of a title's requests is the
// probability of that choice. Zero fields take the catalog's or
// DefaultABR's values (a nearly fixed throughput is a tiny Sigma, 0.01).
type ABR struct {
	MedianKbps float64 `json:"median_kbps,omitempty"`
	Sigma      float64 `json:"sigma,omitempty"`
	Safety     float64 `json:"safety,omitempty"`
}

// DefaultABR is a broadband mix: median 6 Mbit/s, sigma 1 (a fifth of
// viewers below 2.6 Mbit/s, a fifth above 14 Mbit/s), players using 80 %
// of it.
var DefaultABR = ABR{MedianKbps: 6000, Sigma: 1, Safety: 0.8}

func (a *ABR) check(what string) error {
	if a == nil {
		return nil
	}
	switch {
	case a.MedianKbps < 0 || math.IsNaN(a.MedianKbps) || math.IsInf(a.MedianKbps, 0):
		return fmt.Errorf("%s: median_kbps %v: want a positive throughput", what, a.MedianKbps)
	case a.Sigma < 0 || a.Sigma > 10 || math.IsNaN(a.Sigma):
		return fmt.Errorf("%s: sigma %v: want 0 to 10", what, a.Sigma)
	case a.Safety < 0 || a.Safety > 1 || math.IsNaN(a.Safety):
		return fmt.Errorf("%s: safety %v: want a fraction in (0, 1]", what, a.Safety)
	}
	return nil
}

// withDefaults fills zero fields from def (a region's model from the
// catalog's, the catalog's from DefaultABR).
func (a *ABR) withDefaults(def ABR) ABR {
	if a == nil {
		return def
	}
	r := *a
	if r.MedianKbps == 0 {
		r.MedianKbps = def.MedianKbps
	}
	if r.Sigma == 0 {
		r.Sigma = def.Sigma
	}
	if r.Safety == 0 {
		r.Safety = def.Safety
	}
	return r
}

// cdf is the probability that a viewer's usable throughput (Safety times
// throughput) is below bps.
func (a ABR) cdf(bps float64) float64 {
	x := bps / a.Safety / (a.MedianKbps * 1000)
	if a.Sigma == 0 {
		if x <= 1 {
			return 0
		}
		return 1
	}
	return 0.5 * math.Erfc(-math.Log(x)/(a.Sigma*math.Sqrt2))
}

// shares writes into out the share of requests of each rendition, whose
// bandwidths are bw (any order). Shares sum to 1. Renditions with equal
// bandwidth: the first listed gets the share.
func (a ABR) shares(bw []int64, out []float64) {
	n := len(bw)
	// Sort positions by bandwidth, ascending, with an insertion sort: a
	// title has a handful of renditions.
	var idx [maxRenditions]int
	for i := range n {
		idx[i] = i
		for j := i; j > 0 && bw[idx[j]] < bw[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	prev := 0.0 // the lowest rendition also gets everyone below it
	for k := range n {
		hi := 1.0
		if k+1 < n {
			hi = a.cdf(float64(bw[idx[k+1]]))
		}
		out[idx[k]] = max(hi-prev, 0)
		prev = max(prev, hi)
	}
}
