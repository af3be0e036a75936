package ladder

import (
	"errors"
	"math"
	"testing"
)

func curvePoints(scale float64, rates ...float64) []RatePoint {
	var out []RatePoint
	for _, r := range rates {
		// quality as a function of rate/scale: test at scale 0.5 needs half the bits
		out = append(out, RatePoint{BitrateKbps: r * scale, Quality: 20 * math.Log2(r)})
	}
	return out
}

func TestBDRate(t *testing.T) {
	ref := curvePoints(1, 100, 300, 1000, 3000, 9000)
	tests := []struct {
		name    string
		test    []RatePoint
		want    float64
		wantErr error
	}{
		{name: "same curve", test: curvePoints(1, 150, 500, 2000, 6000), want: 0},
		{name: "half the bits", test: curvePoints(0.5, 120, 400, 1500, 5000), want: -50},
		{name: "30 % more bits", test: curvePoints(1.3, 100, 1000, 9000), want: 30},
		{name: "no overlap", test: curvePoints(1, 20000, 40000), wantErr: ErrNoOverlap},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BDRate(ref, tc.test)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tc.want) > 0.5 {
				t.Errorf("BDRate = %.2f %%, want %.2f %%", got, tc.want)
			}
		})
	}
}

func TestBDRateDegenerate(t *testing.T) {
	ref := curvePoints(1, 100, 1000)
	// One point, or all points equally good, is no curve.
	for _, test := range [][]RatePoint{{{100, 50}}, {{100, 50}, {200, 50}}, nil} {
		if _, err := BDRate(ref, test); err == nil {
			t.Errorf("BDRate(%v): no error", test)
		}
	}
	// An inefficient point (more bits, less quality) is ignored.
	withBad := append(curvePoints(1, 100, 1000), RatePoint{5000, 10})
	got, err := BDRate(ref, withBad)
	if err != nil || math.Abs(got) > 0.01 {
		t.Errorf("BDRate with an inefficient point = %g, %v; want 0", got, err)
	}
}
