package ladder

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func rp(kbps, q float64) Point { return Point{BitrateKbps: kbps, Quality: q} }

func TestHull(t *testing.T) {
	tests := []struct {
		name string
		in   []Point
		want []RatePoint
	}{
		{name: "empty", in: nil, want: []RatePoint{}},
		{name: "single", in: []Point{rp(100, 50)}, want: []RatePoint{{100, 50}}},
		{
			name: "point under the chord is dropped",
			in:   []Point{rp(100, 50), rp(1000, 60), rp(10000, 90)},
			want: []RatePoint{{100, 50}, {10000, 90}},
		},
		{
			name: "concave points all kept, any order",
			in:   []Point{rp(10000, 95), rp(100, 50), rp(1000, 85)},
			want: []RatePoint{{100, 50}, {1000, 85}, {10000, 95}},
		},
		{
			name: "cut after the best quality",
			in:   []Point{rp(100, 50), rp(1000, 90), rp(10000, 89)},
			want: []RatePoint{{100, 50}, {1000, 90}},
		},
		{
			name: "flat curve keeps the cheapest",
			in:   []Point{rp(100, 70), rp(1000, 70), rp(5000, 70)},
			want: []RatePoint{{100, 70}},
		},
		{
			name: "same rate keeps the best quality, bad points ignored",
			in:   []Point{rp(100, 40), rp(100, 50), rp(0, 99), rp(math.NaN(), 99), rp(1000, math.Inf(1)), rp(1000, 80)},
			want: []RatePoint{{100, 50}, {1000, 80}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RatePoints(Hull(tc.in))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Hull (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHullAcrossResolutions(t *testing.T) {
	// Two resolutions: the small one wins at low rates, the large one at
	// high rates; the hull switches once.
	var pts []Point
	for _, kbps := range []float64{200, 400, 800, 1600, 3200, 6400} {
		pts = append(pts, Point{Trial: Trial{Width: 640, Height: 360}, BitrateKbps: kbps, Quality: 80 * (1 - math.Exp(-kbps/300))})
		pts = append(pts, Point{Trial: Trial{Width: 1920, Height: 1080}, BitrateKbps: kbps, Quality: 100 * (1 - math.Exp(-kbps/1500))})
	}
	h := Hull(pts)
	switched := false
	for i, p := range h {
		if i > 0 && p.BitrateKbps <= h[i-1].BitrateKbps {
			t.Fatalf("hull rates not increasing: %v", RatePoints(h))
		}
		if p.Width == 1920 {
			switched = true
		} else if switched {
			t.Fatalf("hull goes back to 360p after 1080p: %+v", h)
		}
	}
	if h[0].Width != 640 || h[len(h)-1].Width != 1920 {
		t.Errorf("hull = %+v, want 360p at the bottom and 1080p at the top", h)
	}
}
