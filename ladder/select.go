package ladder

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// SelectOptions are the constraints of SelectRungs.
type SelectOptions struct {
	// TopQuality is the quality of the top rung, in the metric's unit.
	// When no resolution reaches it, the top rung is where quality stops
	// improving (within QualityTolerance of the best measured).
	TopQuality float64
	// QualityTolerance is a difference in quality too small to pay for:
	// about 1 VMAF point, 0.2 dB PSNR, 0.001 SSIM. Default 1 % of
	// TopQuality.
	QualityTolerance float64
	MinKbps          float64 // lowest rung at least this (default 150)
	MaxKbps          float64 // top rung at most this (default: no limit)
	MaxRungs         int     // default 8
	// MinSpacing and MaxSpacing bound the bit rate ratio of neighbouring
	// rungs (default 1.5 and 2): closer rungs waste encodes and storage,
	// wider ones make players jump.
	MinSpacing, MaxSpacing float64
	// MobileMaxShortSide: the lowest rung is at most this tall (the short
	// side, so portrait too), so a phone on a poor network always has a
	// stream it can afford and decode cheaply. Default 432, the top of
	// Apple's ≤30 fps mobile tier; 0 keeps the default, -1 disables.
	MobileMaxShortSide int
}

func (o SelectOptions) withDefaults() SelectOptions {
	if o.QualityTolerance <= 0 {
		o.QualityTolerance = math.Max(math.Abs(o.TopQuality)*0.01, 1e-4)
	}
	if o.MinKbps <= 0 {
		o.MinKbps = 150
	}
	if o.MaxKbps <= 0 {
		o.MaxKbps = math.Inf(1)
	}
	o.MaxRungs = cmp.Or(o.MaxRungs, 8)
	o.MinSpacing = cmp.Or(o.MinSpacing, 1.5)
	o.MaxSpacing = cmp.Or(o.MaxSpacing, 2)
	o.MobileMaxShortSide = cmp.Or(o.MobileMaxShortSide, 432)
	return o
}

// Selected is one rung SelectRungs chose: a measured resolution, the CRF
// that gives BitrateKbps on that resolution's fitted curve, and the
// quality the curve predicts there.
type Selected struct {
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	FrameRate   Rate    `json:"frame_rate"`
	CRF         float64 `json:"crf"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	Quality     float64 `json:"quality"`
}

// resolution is the points of one picture size and frame rate with their
// fitted curves over log10(kbps): quality (non-decreasing) and -CRF (CRF
// falls as the rate grows).
type resolution struct {
	w, h    int
	rate    Rate
	quality Curve
	negCRF  Curve
	lo, hi  float64 // log10 kbps range measured
}

func (r resolution) pixels() int    { return r.w * r.h }
func (r resolution) shortSide() int { return min(r.w, r.h) }
func (r resolution) covers(x float64) bool {
	const eps = 1e-9
	return x >= r.lo-eps && x <= r.hi+eps
}

// groupResolutions fits the curves of every picture size in points.
func groupResolutions(points []Point) ([]resolution, error) {
	type key struct {
		w, h int
		rate Rate
	}
	groups := map[key][]Point{}
	var order []key
	for _, p := range points {
		if !(p.BitrateKbps > 0) || !finite(p.BitrateKbps) || !finite(p.Quality) {
			continue
		}
		k := key{p.Width, p.Height, p.FrameRate.reduced()}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], p)
	}
	if len(order) == 0 {
		return nil, ErrNoPoints
	}
	var out []resolution
	for _, k := range order {
		var x, q, c []float64
		for _, p := range groups[k] {
			x = append(x, math.Log10(p.BitrateKbps))
			q = append(q, p.Quality)
			c = append(c, -p.CRF)
		}
		qc, err := FitMonotone(x, q)
		if err != nil {
			return nil, err
		}
		cc, err := FitMonotone(x, c)
		if err != nil {
			return nil, err
		}
		lo, hi := qc.Domain()
		out = append(out, resolution{w: k.w, h: k.h, rate: k.rate, quality: qc, negCRF: cc, lo: lo, hi: hi})
	}
	// Largest first, so ties in quality go to the larger picture.
	slices.SortStableFunc(out, func(a, b resolution) int { return cmp.Compare(b.pixels(), a.pixels()) })
	return out, nil
}

// best returns the resolution with the highest fitted quality at x among
// those that measured x and pass ok, or -1.
func best(res []resolution, x float64, ok func(resolution) bool) int {
	bi := -1
	bq := math.Inf(-1)
	for i, r := range res {
		if !r.covers(x) || (ok != nil && !ok(r)) {
			continue
		}
		if q := r.quality.At(x); q > bq+1e-9 {
			bi, bq = i, q
		}
	}
	return bi
}

// coverSlack is how far (log10 rate, 15 %) beyond its measured range a
// resolution still competes for a rung in bestNear.
var coverSlack = math.Log10(1.15)

// bestNear is best, except that a resolution measured within coverSlack
// of x but not at x also competes, at the end of its range nearest x, and
// wins when it beats the best that measured x by more than tol: a rung a
// few percent off its planned rate on a much better picture beats one on
// plan on a worse picture. Without a resolution that measured x, the best
// within the slack wins.
func bestNear(res []resolution, x, tol float64, ok func(resolution) bool) int {
	bi := best(res, x, ok)
	bq := math.Inf(-1)
	if bi >= 0 {
		bq = res[bi].quality.At(x) + tol
	}
	for i, r := range res {
		if r.covers(x) || (ok != nil && !ok(r)) || x < r.lo-coverSlack || x > r.hi+coverSlack {
			continue
		}
		if q := r.quality.At(math.Min(math.Max(x, r.lo), r.hi)); q > bq+1e-9 {
			bi, bq = i, q
		}
	}
	return bi
}

// nearest returns the resolution passing ok whose measured range is closest
// to x, or -1. A resolution measured only below x whose best quality is at
// least what the cheapest of those measured only above x reaches goes
// first, however far: it is both cheaper and no worse.
func nearest(res []resolution, x float64, ok func(resolution) bool) int {
	below, above := -1, -1
	for i, r := range res {
		if ok != nil && !ok(r) {
			continue
		}
		if r.hi < x && (below < 0 || r.quality.At(r.hi) > res[below].quality.At(res[below].hi)) {
			below = i
		}
		if r.lo > x && (above < 0 || r.lo < res[above].lo) {
			above = i
		}
	}
	if below >= 0 && above >= 0 && res[below].quality.At(res[below].hi) >= res[above].quality.At(res[above].lo) {
		return below
	}
	bi, bd := -1, math.Inf(1)
	for i, r := range res {
		if ok != nil && !ok(r) {
			continue
		}
		d := math.Max(0, math.Max(r.lo-x, x-r.hi))
		if d < bd {
			bi, bd = i, d
		}
	}
	return bi
}

// SelectRungs picks a ladder's rungs from measured points (in the
// production encoder's terms: calibrated). It is a pure function: the
// same points and options give the same rungs.
//
//  1. Per resolution (size and frame rate), quality and CRF are fitted as
//     monotone curves (FitMonotone) of log bit rate; the envelope is the
//     best resolution at each rate, within the rates it measured.
//  2. The top rung is the lowest rate whose envelope quality reaches
//     TopQuality (or the quality plateau when nothing reaches it), then
//     clamped to [MinKbps, MaxKbps] and the measured range.
//  3. The bottom rung is at MinKbps, or the lowest measured rate when
//     that is higher. Between them rungs are spaced evenly in log rate by
//     a ratio as close to [MinSpacing, MaxSpacing] as MaxRungs allows;
//     when the two are less than MinSpacing apart there is one rung.
//  4. Walking down, each rung takes the best resolution at its rate that is
//     no larger than the rung above (pictures never grow as rates fall)
//     and measured at or below MaxKbps,
//     or one measured up to 15 % beside the rate, at that end of its range,
//     when it is better by more than QualityTolerance; when none measured
//     near the rate, the nearest measured one, or one measured only below
//     it that is at least as good as the nearest above;
//     the lowest rung is at most MobileMaxShortSide tall when a measured
//     resolution allows it. Its CRF is read off that resolution's curve.
//
// Rungs come back highest rate first, with strictly decreasing rates. The
// error is ErrNoPoints when no point is usable.
func SelectRungs(points []Point, opts SelectOptions) ([]Selected, error) {
	o := opts.withDefaults()
	if o.MinSpacing < 1 || o.MaxSpacing < o.MinSpacing || o.MaxRungs < 1 {
		return nil, fmt.Errorf("select rungs: bad spacing %g-%g or max rungs %d", o.MinSpacing, o.MaxSpacing, o.MaxRungs)
	}
	res, err := groupResolutions(points)
	if err != nil {
		return nil, err
	}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for _, r := range res {
		xlo, xhi = math.Min(xlo, r.lo), math.Max(xhi, r.hi)
	}

	top := topRate(res, xlo, xhi, o)
	top = math.Min(top, math.Log10(o.MaxKbps))
	top = math.Max(top, math.Log10(o.MinKbps))
	top = math.Min(math.Max(top, xlo), xhi)
	bottom := math.Min(math.Max(math.Log10(o.MinKbps), xlo), top)

	rates := spacedRates(top, bottom, o)
	var out []Selected
	maxPixels := math.MaxInt
	// A resolution measured only above MaxKbps cannot make a rung within
	// it (bestNear's slack would take one up to 15 % above).
	maxX := math.Log10(o.MaxKbps)
	for i, x := range rates {
		last := i == len(rates)-1 && len(rates) > 1
		fits := func(r resolution) bool { return r.pixels() <= maxPixels && r.lo <= maxX+1e-9 }
		mobile := func(r resolution) bool {
			return fits(r) && (o.MobileMaxShortSide < 0 || r.shortSide() <= o.MobileMaxShortSide)
		}
		pick := -1
		if last && slices.ContainsFunc(res, mobile) {
			if pick = bestNear(res, x, o.QualityTolerance, mobile); pick < 0 {
				pick = nearest(res, x, mobile)
			}
		}
		if pick < 0 {
			pick = bestNear(res, x, o.QualityTolerance, fits)
		}
		if pick < 0 {
			pick = nearest(res, x, fits)
		}
		if pick < 0 {
			pick = nearest(res, x, nil)
		}
		r := res[pick]
		xr := min(math.Max(x, r.lo), r.hi, maxX)
		s := Selected{
			Width: r.w, Height: r.h, FrameRate: r.rate,
			CRF:         math.Round(-r.negCRF.At(xr)*10) / 10,
			BitrateKbps: math.Pow(10, xr),
			Quality:     r.quality.At(xr),
		}
		if n := len(out); n > 0 {
			prev := out[n-1]
			// Same picture, (nearly) same CRF: the same encode twice.
			if (prev.Width == s.Width && prev.Height == s.Height && math.Abs(prev.CRF-s.CRF) < 0.5) ||
				s.BitrateKbps >= prev.BitrateKbps {
				continue
			}
		}
		maxPixels = r.pixels()
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, errors.New("select rungs: no rung fits the measured range")
	}
	return out, nil
}

// topRate is the log rate of the top rung before clamping.
func topRate(res []resolution, xlo, xhi float64, o SelectOptions) float64 {
	const steps = 512
	env := func(x float64) float64 {
		if i := best(res, x, nil); i >= 0 {
			return res[i].quality.At(x)
		}
		return math.Inf(-1)
	}
	bestQ := math.Inf(-1)
	for i := 0; i <= steps; i++ {
		bestQ = math.Max(bestQ, env(xlo+(xhi-xlo)*float64(i)/steps))
	}
	target := o.TopQuality
	if bestQ < target {
		target = bestQ - o.QualityTolerance
	}
	for i := 0; i <= steps; i++ {
		x := xlo + (xhi-xlo)*float64(i)/steps
		if env(x) >= target {
			if i == 0 {
				return x
			}
			// Refine between the previous grid step and this one.
			a, b := xlo+(xhi-xlo)*float64(i-1)/steps, x
			for range 40 {
				m := (a + b) / 2
				if env(m) >= target {
					b = m
				} else {
					a = m
				}
			}
			return b
		}
	}
	return xhi
}

// spacedRates returns log rates from top down to bottom, evenly spaced.
func spacedRates(top, bottom float64, o SelectOptions) []float64 {
	span := top - bottom
	lmin, lmax := math.Log10(o.MinSpacing), math.Log10(o.MaxSpacing)
	if span < lmin/2 || o.MaxRungs == 1 {
		return []float64{top}
	}
	// Fewest rungs whose spacing is at most MaxSpacing ...
	n := 1 + int(math.Ceil(span/lmax-1e-9))
	// ... unless one fewer is nearer the allowed band (in log ratio).
	if n > 2 {
		over := span/float64(n-2) - lmax
		under := lmin - span/float64(n-1)
		if under > 0 && over < under {
			n--
		}
	}
	n = max(2, min(n, o.MaxRungs))
	step := span / float64(n-1)
	out := make([]float64, n)
	for i := range out {
		out[i] = top - step*float64(i)
	}
	out[n-1] = bottom
	return out
}
