package ladder

import (
	"cmp"
	"math"
	"slices"
)

// RatePoint is a bit rate and the quality it buys: a rung of an encoded
// ladder, or a vertex of a convex hull.
type RatePoint struct {
	BitrateKbps float64 `json:"bitrate_kbps"`
	Quality     float64 `json:"quality"`
}

// Hull returns the upper convex hull of points in the (log bit rate,
// quality) plane, lowest rate first, cut after the highest quality: the
// points no mix of other points beats, which is where a ladder's rungs
// belong (the Netflix per-title "convex hull"). Points at the same rate keep
// the best quality; points with a non-positive or non-finite rate or
// quality are ignored. Any Trial fields of the result are those of the
// points chosen.
func Hull(points []Point) []Point {
	var ps []Point
	for _, p := range points {
		if p.BitrateKbps > 0 && finite(p.BitrateKbps) && finite(p.Quality) {
			ps = append(ps, p)
		}
	}
	slices.SortStableFunc(ps, func(a, b Point) int {
		return cmp.Or(cmp.Compare(a.BitrateKbps, b.BitrateKbps), cmp.Compare(b.Quality, a.Quality))
	})
	var upper []Point
	for _, p := range ps {
		if n := len(upper); n > 0 && upper[n-1].BitrateKbps == p.BitrateKbps {
			continue // same rate, lower quality
		}
		for len(upper) >= 2 && !rightTurn(upper[len(upper)-2], upper[len(upper)-1], p) {
			upper = upper[:len(upper)-1]
		}
		upper = append(upper, p)
	}
	// Past the best quality more bits buy nothing.
	best := 0
	for i, p := range upper {
		if p.Quality > upper[best].Quality {
			best = i
		}
	}
	if len(upper) > 0 {
		upper = upper[:best+1]
	}
	return upper
}

// rightTurn reports whether a → b → c turns clockwise in (log rate,
// quality), i.e. b lies strictly above the chord a–c.
func rightTurn(a, b, c Point) bool {
	ax, bx, cx := math.Log10(a.BitrateKbps), math.Log10(b.BitrateKbps), math.Log10(c.BitrateKbps)
	cross := (bx-ax)*(c.Quality-a.Quality) - (b.Quality-a.Quality)*(cx-ax)
	return cross < 0
}

// RatePoints returns the (bit rate, quality) of points.
func RatePoints(points []Point) []RatePoint {
	out := make([]RatePoint, len(points))
	for i, p := range points {
		out[i] = RatePoint{BitrateKbps: p.BitrateKbps, Quality: p.Quality}
	}
	return out
}
