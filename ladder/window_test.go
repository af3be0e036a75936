package ladder

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// scan25 is a 25 fps scan whose complexity per second is given.
func scan25(perSecond []float64, cuts ...time.Duration) Scan {
	var s Scan
	for sec, c := range perSecond {
		for f := range 25 {
			t := time.Duration(sec)*time.Second + time.Duration(f)*40*time.Millisecond
			fs := FrameStat{Time: t, SI: 30, TI: c}
			for _, cut := range cuts {
				if t == cut {
					fs.Scene = 50
				}
			}
			s.Frames = append(s.Frames, fs)
		}
	}
	s.Duration = time.Duration(len(perSecond)) * time.Second
	return s
}

func TestPickWindows(t *testing.T) {
	tests := []struct {
		name string
		scan Scan
		opts WindowOptions
		want []Window
	}{
		{name: "short title used whole", scan: scan25([]float64{5}), want: []Window{{0, time.Second}}},
		{name: "exactly one window", scan: scan25([]float64{5, 5}), want: []Window{{0, 2 * time.Second}}},
		{name: "no frames", scan: Scan{Duration: 10 * time.Second}, want: []Window{{0, 10 * time.Second}}},
		{
			// one window: the median-complexity one of 0-2, 1-3, 2-4, 3-5
			name: "median window of a short clip",
			scan: scan25([]float64{1, 2, 3, 40, 50}),
			want: []Window{{2 * time.Second, 2 * time.Second}},
		},
		{
			name: "windows do not cross a cut",
			scan: scan25([]float64{10, 10, 10, 10, 10, 10}, 3*time.Second),
			opts: WindowOptions{Duration: 2 * time.Second},
		},
		{
			name: "long title gets one window per minute up to max",
			scan: scan25(make([]float64, 200)),
			opts: WindowOptions{Max: 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PickWindows(tc.scan, tc.opts)
			if tc.want != nil {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("windows (-want +got):\n%s", diff)
				}
			}
			o := tc.opts.withDefaults()
			for i, w := range got {
				if w.Start < 0 || w.Start+w.Duration > tc.scan.Duration {
					t.Errorf("window %v outside the title (%v)", w, tc.scan.Duration)
				}
				if i > 0 && got[i-1].Start+got[i-1].Duration > w.Start {
					t.Errorf("windows overlap or are out of order: %v", got)
				}
				for _, f := range tc.scan.Frames {
					if f.Scene >= o.SceneThreshold && f.Time > w.Start && f.Time < w.Start+w.Duration {
						t.Errorf("window %v crosses the cut at %v", w, f.Time)
					}
				}
			}
			if tc.name == "long title gets one window per minute up to max" && len(got) != 3 {
				t.Errorf("%d windows, want 3", len(got))
			}
		})
	}
}
