package ladder

import (
	"errors"
	"math"
	"testing"
)

func TestFitMonotone(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		// at are checked to be within 1e-9 of want
		at, want []float64
	}{
		{name: "passes through monotone points", x: []float64{1, 2, 3, 4}, y: []float64{10, 20, 25, 27},
			at: []float64{1, 2, 3, 4}, want: []float64{10, 20, 25, 27}},
		{name: "unsorted input", x: []float64{3, 1, 2}, y: []float64{30, 10, 20},
			at: []float64{1, 2, 3}, want: []float64{10, 20, 30}},
		{name: "flat", x: []float64{1, 2, 3}, y: []float64{5, 5, 5}, at: []float64{0, 1.5, 9}, want: []float64{5, 5, 5}},
		{name: "single point is flat everywhere", x: []float64{2}, y: []float64{7}, at: []float64{0, 2, 5}, want: []float64{7, 7, 7}},
		{name: "noisy dip is pooled", x: []float64{1, 2, 3, 4}, y: []float64{10, 30, 20, 40},
			at: []float64{1, 2, 3, 4}, want: []float64{10, 25, 25, 40}},
		{name: "repeated x averaged", x: []float64{1, 1, 2}, y: []float64{10, 20, 30}, at: []float64{1, 2}, want: []float64{15, 30}},
		{name: "NaN and Inf dropped", x: []float64{1, math.NaN(), 2, 3}, y: []float64{1, 5, math.Inf(1), 3},
			at: []float64{1, 3}, want: []float64{1, 3}},
		{name: "flat outside the knots", x: []float64{1, 2}, y: []float64{1, 2}, at: []float64{-5, 10}, want: []float64{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FitMonotone(tc.x, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			for i, x := range tc.at {
				if got := c.At(x); math.Abs(got-tc.want[i]) > 1e-9 {
					t.Errorf("At(%g) = %g, want %g", x, got, tc.want[i])
				}
			}
			// Monotone everywhere, no overshoot past the data's range.
			lo, hi := c.Domain()
			prev := math.Inf(-1)
			for i := 0; i <= 200; i++ {
				x := lo - 1 + (hi-lo+2)*float64(i)/200
				v := c.At(x)
				if v < prev-1e-12 {
					t.Fatalf("not monotone at %g: %g < %g", x, v, prev)
				}
				if v < c.Y[0]-1e-12 || v > c.Y[len(c.Y)-1]+1e-12 {
					t.Fatalf("overshoot at %g: %g outside [%g, %g]", x, v, c.Y[0], c.Y[len(c.Y)-1])
				}
				prev = v
			}
		})
	}
}

func TestFitMonotoneNoPoints(t *testing.T) {
	for _, tc := range [][2][]float64{{nil, nil}, {{math.NaN()}, {1}}} {
		if _, err := FitMonotone(tc[0], tc[1]); !errors.Is(err, ErrNoPoints) {
			t.Errorf("FitMonotone(%v, %v): err = %v, want ErrNoPoints", tc[0], tc[1], err)
		}
	}
}

func TestCurveInverse(t *testing.T) {
	c, err := FitMonotone([]float64{1, 2, 3}, []float64{10, 20, 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		y    float64
		want float64
		ok   bool
	}{{5, 1, true}, {10, 1, true}, {20, 2, true}, {25, 2.5, true}, {30, 3, true}, {31, 0, false}} {
		got, ok := c.Inverse(tc.y)
		if ok != tc.ok || (ok && math.Abs(got-tc.want) > 1e-6) {
			t.Errorf("Inverse(%g) = %g, %v; want %g, %v", tc.y, got, ok, tc.want, tc.ok)
		}
		if ok && math.Abs(c.At(got)-math.Max(tc.y, 10)) > 1e-6 {
			t.Errorf("At(Inverse(%g)) = %g", tc.y, c.At(got))
		}
	}
}
