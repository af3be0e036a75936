package encode

import (
	"fmt"
	"time"

	"github.com/vpack-dev/vpack/ladder"
)

// maxGOP is the longest keyframe interval vpack writes: Apple's HLS
// Authoring Specification asks for an IDR frame at least every 2 s.
const maxGOP = 2 * time.Second

// gopPlan is the keyframe cadence shared by every rung of one encode.
//
// Keyframes sit at exact multiples of dur, in media time, in every rung.
// dur is a whole number of frames at every rung's frame rate, so each rung
// has a frame at every keyframe time and the encoders' natural keyframe
// interval (keyint, in frames) lands on the same instants as the forced
// keyframes. perSegment GOPs make one segment.
type gopPlan struct {
	dur        rat // seconds
	perSegment int
	// exact is false when SegmentDuration is not a whole number of frames
	// (29.97 fps and a 4 s segment): dur is then the nearest whole number
	// of frames and a segment is perSegment*dur (4.004 s), not exactly
	// SegmentDuration.
	exact bool
}

// newGOPPlan chooses the GOP for a segment duration and the frame rates of
// all rungs.
//
// The common frame grid P is the least common multiple of the rungs' frame
// periods (1/50 s and 1/25 s give 1/25 s). When the segment is a whole
// number M of grid steps, the GOP is segment/k for the smallest k at least
// ceil(segment/2 s) that divides M, so a 4 s segment at 25 fps has 2 s GOPs
// and a 5 s one 1 s GOPs. k is searched up to twice its minimum, beyond
// which GOPs would be needlessly short; then, as when the segment is not on
// the grid, the GOP is segment/ceil(segment/2 s) rounded to the grid.
func newGOPPlan(seg time.Duration, rates []ladder.Rate) (gopPlan, error) {
	if seg <= 0 {
		return gopPlan{}, fmt.Errorf("segment duration %s is not positive", seg)
	}
	if len(rates) == 0 {
		return gopPlan{}, fmt.Errorf("no frame rates")
	}
	var grid rat
	for i, r := range rates {
		if r.Num <= 0 || r.Den <= 0 {
			return gopPlan{}, fmt.Errorf("frame rate %d/%d is not positive", r.Num, r.Den)
		}
		period := newRat(int64(r.Den), int64(r.Num))
		if i == 0 {
			grid = period
			continue
		}
		grid = lcmRat(grid, period)
	}
	segR := newRat(int64(seg), int64(time.Second))
	k0 := ceilDiv(int64(seg), int64(maxGOP))
	target := segR.div(newRat(k0, 1))
	if grid.cmp(target) > 0 {
		return gopPlan{}, fmt.Errorf("frame rates %v share no frame grid finer than %s (keyframes cannot be aligned)",
			rates, target.duration())
	}
	if m := segR.div(grid); m.den == 1 {
		for k := k0; k <= 2*k0; k++ {
			if m.num%k == 0 {
				return gopPlan{dur: segR.div(newRat(k, 1)), perSegment: int(k), exact: true}, nil
			}
		}
	}
	steps := max(1, target.div(grid).round())
	return gopPlan{dur: grid.mul(newRat(steps, 1)), perSegment: int(k0)}, nil
}

// frames returns the GOP length in frames at rate r; the plan guarantees it
// is whole for every rate it was built from.
func (g gopPlan) frames(r ladder.Rate) int {
	return int(g.dur.mul(newRat(int64(r.Num), int64(r.Den))).round())
}

// rat is an exact non-negative fraction in lowest terms.
type rat struct{ num, den int64 }

func newRat(num, den int64) rat {
	if den < 0 {
		num, den = -num, -den
	}
	g := gcd64(abs64(num), den)
	if g > 1 {
		num, den = num/g, den/g
	}
	return rat{num, den}
}

func (a rat) mul(b rat) rat { return newRat(a.num*b.num, a.den*b.den) }
func (a rat) div(b rat) rat { return newRat(a.num*b.den, a.den*b.num) }

func (a rat) cmp(b rat) int {
	l, r := a.num*b.den, b.num*a.den
	switch {
	case l < r:
		return -1
	case l > r:
		return 1
	}
	return 0
}

// round returns the nearest integer, halves rounded up.
func (a rat) round() int64 { return (2*a.num + a.den) / (2 * a.den) }

func (a rat) float() float64 { return float64(a.num) / float64(a.den) }

// duration converts seconds to a time.Duration, rounded to the nanosecond.
func (a rat) duration() time.Duration {
	return time.Duration(newRat(a.num*int64(time.Second), a.den).round())
}

// expr formats a for an ffmpeg expression: "2", or "1001/500".
func (a rat) expr() string {
	if a.den == 1 {
		return fmt.Sprint(a.num)
	}
	return fmt.Sprintf("%d/%d", a.num, a.den)
}

// lcmRat is the least common multiple of two fractions in lowest terms:
// lcm of the numerators over gcd of the denominators.
func lcmRat(a, b rat) rat {
	n := a.num / gcd64(a.num, b.num) * b.num
	return newRat(n, gcd64(a.den, b.den))
}

func gcd64(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
