package fill

import (
	"math"
	"math/bits"
	"slices"
)

// rng is wyrand (Wang Yi's generator): one 64-bit add and one 128-bit
// multiply per number, 2^64 period, passes BigCrush and PractRand. It is
// inlined in the simulator's hot loops, which a math/rand/v2 Source behind
// an interface would not be.
type rng struct{ s uint64 }

// newRNG seeds a stream from the run's seed and a stream number (an edge,
// a phase), so that every edge's requests are the same whichever worker
// draws them and however many there are.
func newRNG(seed uint64, stream ...uint64) rng {
	s := splitmix(seed)
	for _, x := range stream {
		s = splitmix(s ^ splitmix(x+0x632be59bd9b4e019))
	}
	return rng{s: s}
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (r *rng) next() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// float64 is uniform in [0, 1).
func (r *rng) float64() float64 { return float64(r.next()>>11) / (1 << 53) }

// normal is a standard normal deviate (Box-Muller; used only to build
// synthetic catalogs, never per request).
func (r *rng) normal() float64 {
	u1 := 1 - r.float64()
	u2 := r.float64()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// alias is Walker's alias table (Vose's construction) over n outcomes: one
// draw is one random number, an index and a comparison, whatever n.
type alias struct {
	cols []aliasCol
}

// aliasCol is one column: keep it when the low 32 bits of the draw are
// below prob, else take alias. Together, so a draw touches one cache line.
type aliasCol struct {
	prob  uint32
	alias int32
}

// newAlias builds the table for weights w (not all zero, none negative).
func newAlias(w []float64) alias {
	n := len(w)
	a := alias{cols: make([]aliasCol, n)}
	var sum float64
	for _, x := range w {
		sum += x
	}
	scaled := make([]float64, n)
	small := make([]int32, 0, n)
	large := make([]int32, 0, n)
	for i, x := range w {
		scaled[i] = x * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.cols[s] = aliasCol{toThreshold(scaled[s]), l}
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// What is left has probability 1 up to rounding.
	for _, i := range large {
		a.cols[i] = aliasCol{1<<32 - 1, i}
	}
	for _, i := range small {
		if scaled[i] <= 0 {
			// A zero weight left over by rounding: never keep it.
			a.cols[i] = aliasCol{0, largestOr(large, i, w)}
			continue
		}
		a.cols[i] = aliasCol{1<<32 - 1, i}
	}
	return a
}

// largestOr picks an outcome with weight for a zero-weight leftover.
func largestOr(large []int32, i int32, w []float64) int32 {
	if len(large) > 0 {
		return large[0]
	}
	best := i
	for j, x := range w {
		if x > w[best] {
			best = int32(j)
		}
	}
	return best
}

func toThreshold(p float64) uint32 {
	if p >= 1 {
		return 1<<32 - 1
	}
	if p <= 0 {
		return 0
	}
	return uint32(p * (1 << 32))
}

// draw picks an outcome: the high 32 bits choose a column, the low 32 bits
// decide between it and its alias.
func (a *alias) draw(r *rng) int32 {
	x := r.next()
	i := int32((x >> 32) * uint64(len(a.cols)) >> 32)
	if c := a.cols[i]; uint32(x) >= c.prob {
		return c.alias
	}
	return i
}

// bitset is a set of items.
type bitset []uint64

func newBitset(n int) bitset         { return make(bitset, (n+63)/64) }
func (b bitset) has(i int32) bool    { return b[i>>6]&(1<<(uint(i)&63)) != 0 }
func (b bitset) set(i int32)         { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) equal(c bitset) bool { return slices.Equal(b, c) }
