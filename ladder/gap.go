package ladder

import (
	"cmp"
	"math"
	"slices"
)

// Tuning of hullGaps.
const (
	// gapMaxReach is how far (log10 bit rate) beyond a resolution's
	// measured range hullGaps extrapolates it: about one CRF step (the bit
	// rate halves). Further out, a straight line says little about a
	// rate–quality curve.
	gapMaxReach = 0.35
)

// gap is a place where rung selection is unsure of its choice: a rung at
// BitrateKbps took a resolution, and another resolution that was not
// measured at that rate might be better there by Gain (quality units).
// Measuring Width x Height nearer BitrateKbps settles it.
type gap struct {
	Width, Height int
	BitrateKbps   float64
	Gain          float64
}

// hullGaps finds where the hull's crossovers are uncertain, a pure
// function of calibrated points and the rungs selected from them. For
// every rung and every resolution whose measured range stops short of the
// rung's rate (by at most gapMaxReach) there are two cases:
//
//   - measured only above the rate (a larger picture, usually): its
//     curve is extrapolated down along the slope of its two cheapest
//     points. Curves fall faster at low rates, so that is optimistic, as
//     it should be for deciding what to measure. When it beats the rung's
//     predicted quality by more than tol, the rung may be on the wrong
//     resolution: blocky or noisy content keeps a large picture best far
//     below where a fixed CRF offset stops measuring it.
//   - measured only below the rate (a smaller picture): the curve never
//     falls as the rate grows, so the quality at its dearest point is a
//     floor. When that floor already beats the rung's quality, the rung's
//     resolution is beaten for fewer bits (smooth content). A straight
//     line up would be far too hopeful: the last, cheap segments of a
//     curve are its steepest.
//
// A resolution larger than the rung above does not count: pictures never
// grow as rates fall. Gaps come back largest gain first, at most one per
// resolution.
func hullGaps(points []Point, rungs []Selected, tol float64) []gap {
	res, err := groupResolutions(points)
	if err != nil || len(rungs) == 0 {
		return nil
	}
	best := map[[2]int]gap{}
	maxPixels := math.MaxInt
	for _, s := range rungs {
		x := math.Log10(s.BitrateKbps)
		for _, r := range res {
			if (r.w == s.Width && r.h == s.Height) || r.covers(x) || r.pixels() > maxPixels {
				continue
			}
			q, ok := r.extrapolate(x)
			if !ok || (x < r.lo && q <= s.Quality+tol) || (x > r.hi && q <= s.Quality) {
				continue
			}
			k := [2]int{r.w, r.h}
			if g, seen := best[k]; !seen || q-s.Quality > g.Gain {
				best[k] = gap{Width: r.w, Height: r.h, BitrateKbps: s.BitrateKbps, Gain: q - s.Quality}
			}
		}
		maxPixels = s.Width * s.Height
	}
	out := make([]gap, 0, len(best))
	for _, g := range best {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b gap) int {
		return cmp.Or(cmp.Compare(b.Gain, a.Gain), cmp.Compare(b.Width*b.Height, a.Width*a.Height))
	})
	return out
}

// extrapolate continues the resolution's quality curve beyond its measured
// range: below it linearly, along the secant of its two cheapest knots
// (flat with one knot, never rising as the rate falls), above it flat at
// the dearest knot's quality (the floor a monotone curve guarantees). ok
// is false further than gapMaxReach out.
func (r resolution) extrapolate(x float64) (q float64, ok bool) {
	c := r.quality
	n := len(c.X)
	if n == 0 {
		return 0, false
	}
	switch {
	case x < r.lo:
		if r.lo-x > gapMaxReach {
			return 0, false
		}
		slope := 0.0
		if n > 1 {
			slope = math.Max(0, (c.Y[1]-c.Y[0])/(c.X[1]-c.X[0]))
		}
		return c.Y[0] - slope*(r.lo-x), true
	case x > r.hi:
		if x-r.hi > gapMaxReach {
			return 0, false
		}
		return c.Y[n-1], true
	}
	return c.At(x), true
}

// crfForRate estimates the CRF that gives kbps on one resolution from
// its points (of one preset): interpolated in log rate between the points
// around kbps; beyond them along the secant of the two end points, else
// (one point) a CRF step per halving of the rate. Beyond the points the
// slope is kept within half to three steps per halving, and the move from
// the end point within two steps.
func crfForRate(points []Point, kbps float64, sc codecCRF) (float64, bool) {
	ps := slices.Clone(points)
	ps = slices.DeleteFunc(ps, func(p Point) bool { return !(p.BitrateKbps > 0) || !finite(p.BitrateKbps) })
	if len(ps) == 0 || !(kbps > 0) || !finite(kbps) {
		return 0, false
	}
	slices.SortFunc(ps, func(a, b Point) int { return cmp.Compare(a.BitrateKbps, b.BitrateKbps) })
	n := len(ps)
	end, next := ps[0], ps[0]
	switch {
	case n == 1:
	case kbps <= ps[0].BitrateKbps:
		next = ps[1]
	case kbps >= ps[n-1].BitrateKbps:
		end, next = ps[n-1], ps[n-2]
	default:
		i := 0
		for ps[i+1].BitrateKbps < kbps {
			i++
		}
		a, b := ps[i], ps[i+1]
		f := math.Log(kbps/a.BitrateKbps) / math.Log(b.BitrateKbps/a.BitrateKbps)
		return a.CRF + f*(b.CRF-a.CRF), true
	}
	perOctave := sc.step
	if d := math.Abs(math.Log2(next.BitrateKbps / end.BitrateKbps)); d > 0.05 {
		perOctave = math.Abs(next.CRF-end.CRF) / d
	}
	perOctave = math.Min(math.Max(perOctave, sc.step/2), 3*sc.step)
	move := perOctave * math.Log2(end.BitrateKbps/kbps)
	move = math.Min(math.Max(move, -2*sc.step), 2*sc.step)
	return end.CRF + move, true
}
