package encode

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/ladder"
)

func TestNewGOPPlan(t *testing.T) {
	r := func(num, den int) ladder.Rate { return ladder.Rate{Num: num, Den: den} }
	ntsc, ntscHalf := r(30000, 1001), r(15000, 1001)
	tests := []struct {
		name       string
		seg        time.Duration
		rates      []ladder.Rate
		wantGOP    time.Duration
		perSegment int
		exact      bool
		frames     []int // GOP in frames at each rate
	}{
		{"4s at 25", 4 * time.Second, []ladder.Rate{r(25, 1)}, 2 * time.Second, 2, true, []int{50}},
		{"2s at 50 and 25", 2 * time.Second, []ladder.Rate{r(50, 1), r(25, 1)}, 2 * time.Second, 1, true, []int{100, 50}},
		{"1s at 50 and 25", time.Second, []ladder.Rate{r(50, 1), r(25, 1)}, time.Second, 1, true, []int{50, 25}},
		{"6s at 24", 6 * time.Second, []ladder.Rate{r(24, 1)}, 2 * time.Second, 3, true, []int{48}},
		{"5s at 25: 3 does not divide 125, 5 does", 5 * time.Second, []ladder.Rate{r(25, 1)}, time.Second, 5, true, []int{25}},
		{"5s at 30: 3 GOPs of 50 frames", 5 * time.Second, []ladder.Rate{r(30, 1)}, 1666666667 * time.Nanosecond, 3, true, []int{50}},
		{"4s at 29.97 and 14.985: 60 frames", 4 * time.Second, []ladder.Rate{ntsc, ntscHalf}, 2002 * time.Millisecond, 2, false, []int{60, 30}},
		{"4s at 59.94 and 29.97", 4 * time.Second, []ladder.Rate{r(60000, 1001), ntsc}, 2002 * time.Millisecond, 2, false, []int{120, 60}},
		{"1s at 12.5: 2 frames of 80 ms do not fit, 12.5 rounds to 13", time.Second, []ladder.Rate{r(25, 2)}, 1040 * time.Millisecond, 1, false, []int{13}},
		{"30s at 25", 30 * time.Second, []ladder.Rate{r(25, 1)}, 2 * time.Second, 15, true, []int{50}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := newGOPPlan(tc.seg, tc.rates)
			if err != nil {
				t.Fatal(err)
			}
			var frames []int
			for _, rate := range tc.rates {
				frames = append(frames, g.frames(rate))
				// Whole frames at every rate.
				if f := g.dur.mul(newRat(int64(rate.Num), int64(rate.Den))); f.den != 1 {
					t.Errorf("GOP %v is %v frames at %v", g.dur, f, rate)
				}
			}
			got := []any{g.dur.duration(), g.perSegment, g.exact, frames}
			want := []any{tc.wantGOP, tc.perSegment, tc.exact, tc.frames}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if g.exact && g.dur.mul(newRat(int64(g.perSegment), 1)).duration() != tc.seg {
				t.Errorf("exact plan: %d x %v is not %v", g.perSegment, g.dur.duration(), tc.seg)
			}
		})
	}
}

func TestNewGOPPlanErrors(t *testing.T) {
	tests := []struct {
		name  string
		seg   time.Duration
		rates []ladder.Rate
		want  string
	}{
		{"no segment", 0, []ladder.Rate{{Num: 25, Den: 1}}, "not positive"},
		{"no rates", time.Second, nil, "no frame rates"},
		{"zero rate", time.Second, []ladder.Rate{{}}, "not positive"},
		{"25 and 29.97", 4 * time.Second, []ladder.Rate{{Num: 25, Den: 1}, {Num: 30000, Den: 1001}}, "cannot be aligned"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newGOPPlan(tc.seg, tc.rates)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("newGOPPlan = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
