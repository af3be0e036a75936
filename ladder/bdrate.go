package ladder

import (
	"errors"
	"math"
	"slices"
)

// ErrNoOverlap is returned by BDRate when the two curves share no quality
// interval.
var ErrNoOverlap = errors.New("quality ranges do not overlap")

// BDRate is the Bjøntegaard delta rate of test against ref: the average
// difference in bit rate, in percent, for the same quality over the quality
// interval both cover (−30 means test needs 30 % fewer bits). Each curve is
// log10(rate) as a monotone function of quality (FitMonotone, PCHIP), the
// piecewise-cubic variant of the VCEG-M33 method that does not oscillate
// with few or uneven points. Each curve needs at least two points of
// different quality. Points are made monotone first: a point that costs more
// than another but is worse is dropped, since no player would pick it.
func BDRate(ref, test []RatePoint) (float64, error) {
	rc, err := bdCurve(ref)
	if err != nil {
		return 0, err
	}
	tc, err := bdCurve(test)
	if err != nil {
		return 0, err
	}
	rlo, rhi := rc.Domain()
	tlo, thi := tc.Domain()
	lo, hi := max(rlo, tlo), min(rhi, thi)
	if !(hi > lo) {
		return 0, ErrNoOverlap
	}
	const steps = 1000
	var sum float64
	for i := range steps {
		q := lo + (hi-lo)*(float64(i)+0.5)/steps
		sum += tc.At(q) - rc.At(q)
	}
	avg := sum / steps
	return (math.Pow(10, avg) - 1) * 100, nil
}

// bdCurve fits log10(rate) over quality on the efficient points.
func bdCurve(points []RatePoint) (Curve, error) {
	ps := slices.Clone(points)
	slices.SortFunc(ps, func(a, b RatePoint) int {
		switch {
		case a.BitrateKbps < b.BitrateKbps:
			return -1
		case a.BitrateKbps > b.BitrateKbps:
			return 1
		}
		return 0
	})
	var x, y []float64
	best := math.Inf(-1)
	for _, p := range ps {
		if !(p.BitrateKbps > 0) || !finite(p.Quality) || p.Quality <= best {
			continue
		}
		best = p.Quality
		x, y = append(x, p.Quality), append(y, math.Log10(p.BitrateKbps))
	}
	if len(x) < 2 {
		return Curve{}, errors.New("bd-rate: need two points of different quality")
	}
	return FitMonotone(x, y)
}
