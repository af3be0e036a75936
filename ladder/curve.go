package ladder

import (
	"errors"
	"math"
	"slices"
)

// ErrNoPoints is returned when a fit or a hull gets no usable points.
var ErrNoPoints = errors.New("no measured points")

// Curve is a monotone (non-decreasing) piecewise cubic through knots: the
// PCHIP interpolant of Fritsch and Carlson, which never overshoots the data,
// so a rate–quality curve fitted with it never promises quality between
// two measurements that neither measured. Outside the knots it is flat.
type Curve struct {
	X, Y []float64 // knots, X strictly increasing, Y non-decreasing
	m    []float64 // slopes at the knots
}

// FitMonotone fits a non-decreasing Curve to (x, y), which may be in any
// order, repeat x values (their y are averaged) and be noisy: y is first
// made non-decreasing by isotonic regression (pool adjacent violators), the
// least-squares monotone fit, so one bad measurement bends the curve
// locally instead of making it go down. NaN and infinite values are
// dropped; with no point left it returns ErrNoPoints.
func FitMonotone(x, y []float64) (Curve, error) {
	type xy struct{ x, y float64 }
	var pts []xy
	for i := range min(len(x), len(y)) {
		if finite(x[i]) && finite(y[i]) {
			pts = append(pts, xy{x[i], y[i]})
		}
	}
	if len(pts) == 0 {
		return Curve{}, ErrNoPoints
	}
	slices.SortStableFunc(pts, func(a, b xy) int {
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})
	// Merge equal x, then pool adjacent violators with weights.
	var xs, ys, ws []float64
	for _, p := range pts {
		if n := len(xs); n > 0 && xs[n-1] == p.x {
			ys[n-1] = (ys[n-1]*ws[n-1] + p.y) / (ws[n-1] + 1)
			ws[n-1]++
			continue
		}
		xs, ys, ws = append(xs, p.x), append(ys, p.y), append(ws, 1)
	}
	ys = isotonic(ys, ws)
	return newPCHIP(xs, ys), nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// isotonic returns the weighted least-squares non-decreasing fit of y.
func isotonic(y, w []float64) []float64 {
	type block struct {
		v, w float64
		n    int
	}
	var bs []block
	for i := range y {
		bs = append(bs, block{y[i], w[i], 1})
		for len(bs) > 1 && bs[len(bs)-2].v > bs[len(bs)-1].v {
			a, b := bs[len(bs)-2], bs[len(bs)-1]
			bs = bs[:len(bs)-2]
			bs = append(bs, block{(a.v*a.w + b.v*b.w) / (a.w + b.w), a.w + b.w, a.n + b.n})
		}
	}
	out := make([]float64, 0, len(y))
	for _, b := range bs {
		for range b.n {
			out = append(out, b.v)
		}
	}
	return out
}

// newPCHIP builds the curve through strictly increasing xs; ys must be
// non-decreasing.
func newPCHIP(xs, ys []float64) Curve {
	n := len(xs)
	c := Curve{X: xs, Y: ys, m: make([]float64, n)}
	if n < 2 {
		return c
	}
	d := make([]float64, n-1) // secant slopes
	for i := range n - 1 {
		d[i] = (ys[i+1] - ys[i]) / (xs[i+1] - xs[i])
	}
	if n == 2 {
		c.m[0], c.m[1] = d[0], d[0]
		return c
	}
	for i := 1; i < n-1; i++ {
		if d[i-1] == 0 || d[i] == 0 || (d[i-1] > 0) != (d[i] > 0) {
			continue
		}
		h0, h1 := xs[i]-xs[i-1], xs[i+1]-xs[i]
		w1, w2 := 2*h1+h0, h1+2*h0
		c.m[i] = (w1 + w2) / (w1/d[i-1] + w2/d[i])
	}
	c.m[0] = pchipEnd(xs[1]-xs[0], xs[2]-xs[1], d[0], d[1])
	c.m[n-1] = pchipEnd(xs[n-1]-xs[n-2], xs[n-2]-xs[n-3], d[n-2], d[n-3])
	return c
}

// pchipEnd is the shape-preserving three-point end slope.
func pchipEnd(h0, h1, d0, d1 float64) float64 {
	m := ((2*h0+h1)*d0 - h0*d1) / (h0 + h1)
	switch {
	case (m > 0) != (d0 > 0) || m == 0:
		return 0
	case (d0 > 0) != (d1 > 0) && math.Abs(m) > math.Abs(3*d0):
		return 3 * d0
	}
	return m
}

// At evaluates the curve; outside [X[0], X[last]] it is flat.
func (c Curve) At(x float64) float64 {
	n := len(c.X)
	switch {
	case n == 0:
		return math.NaN()
	case x <= c.X[0]:
		return c.Y[0]
	case x >= c.X[n-1]:
		return c.Y[n-1]
	}
	i, _ := slices.BinarySearch(c.X, x)
	i-- // c.X[i] < x <= c.X[i+1]
	h := c.X[i+1] - c.X[i]
	t := (x - c.X[i]) / h
	t2, t3 := t*t, t*t*t
	return (2*t3-3*t2+1)*c.Y[i] + (t3-2*t2+t)*h*c.m[i] + (-2*t3+3*t2)*c.Y[i+1] + (t3-t2)*h*c.m[i+1]
}

// Inverse returns the smallest x in the knots' range where the curve
// reaches y, and false when it never does (y above the last knot). y below
// the first knot returns X[0].
func (c Curve) Inverse(y float64) (float64, bool) {
	n := len(c.X)
	if n == 0 || y > c.Y[n-1] {
		return 0, false
	}
	if y <= c.Y[0] {
		return c.X[0], true
	}
	i := 0
	for i < n-1 && c.Y[i+1] < y {
		i++
	}
	lo, hi := c.X[i], c.X[i+1]
	for range 60 {
		mid := (lo + hi) / 2
		if c.At(mid) >= y {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
}

// Domain returns the range of the knots.
func (c Curve) Domain() (lo, hi float64) {
	if len(c.X) == 0 {
		return math.NaN(), math.NaN()
	}
	return c.X[0], c.X[len(c.X)-1]
}
