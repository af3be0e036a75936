package ladder

import (
	"math"
	"testing"
)

// pt is a measured point of one picture size.
func pt(w, h int, crf, kbps, q float64) Point {
	return Point{Trial: Trial{Width: w, Height: h, FrameRate: Rate{25, 1}, Codec: H264, CRF: crf}, BitrateKbps: kbps, Quality: q}
}

func TestHullGaps(t *testing.T) {
	// Blocky content: 1080p's rate hardly falls with the CRF, so the grid
	// measured it only above the second rung, where 540p took over.
	blocky := []Point{
		pt(1920, 1080, 23, 12800, 94.7), pt(1920, 1080, 29, 10000, 82),
		pt(960, 540, 29, 7200, 54), pt(960, 540, 35, 4500, 27),
		pt(640, 360, 29, 3700, 33.5), pt(640, 360, 35, 1700, 12.5),
	}
	// Smooth content: 720p was measured only below a rung that 1080p took
	// at the bottom of its range, and reaches more there.
	smooth := []Point{
		pt(1920, 1080, 17, 889, 95.01), pt(1920, 1080, 23, 505, 93.14),
		pt(1280, 720, 17, 375, 94.15), pt(1280, 720, 23, 200, 92.58),
	}
	tests := []struct {
		name   string
		points []Point
		rungs  []Selected
		want   []gap // Gain checked to be above tol only
	}{
		{
			name:   "larger picture measured only above the rung",
			points: blocky,
			rungs:  []Selected{{Width: 1920, Height: 1080, BitrateKbps: 12282, Quality: 93}, {Width: 960, Height: 540, BitrateKbps: 7000, Quality: 52}},
			want:   []gap{{Width: 1920, Height: 1080, BitrateKbps: 7000}},
		},
		{
			name:   "smaller picture measured only below the rung",
			points: smooth,
			rungs:  []Selected{{Width: 1920, Height: 1080, BitrateKbps: 505, Quality: 93.14}},
			want:   []gap{{Width: 1280, Height: 720, BitrateKbps: 505}},
		},
		{
			// 540p's last segment is steep, but its best is well below the
			// rung's: a straight line up would promise 92 and waste a trial.
			name:   "smaller picture below, steep but worse",
			points: []Point{pt(1280, 720, 23, 1232, 84), pt(1280, 720, 29, 522, 77.5), pt(960, 540, 29, 294, 73.6), pt(960, 540, 35, 210, 63.2)},
			rungs:  []Selected{{Width: 1280, Height: 720, BitrateKbps: 543, Quality: 78.9}},
		},
		{
			name:   "too far to extrapolate",
			points: blocky,
			rungs:  []Selected{{Width: 1920, Height: 1080, BitrateKbps: 12282, Quality: 93}, {Width: 640, Height: 360, BitrateKbps: 3000, Quality: 30}},
		},
		{
			name: "pictures never grow as rates fall",
			points: []Point{
				pt(1920, 1080, 23, 12800, 75), pt(1920, 1080, 29, 10000, 71),
				pt(1280, 720, 23, 9000, 70), pt(1280, 720, 29, 8000, 60),
				pt(960, 540, 29, 7200, 54), pt(960, 540, 35, 4500, 27),
			},
			// 1080p might win at 7000 (65 against 52), but the rung above
			// is 720p; at 9000 it is no better than 720p.
			rungs: []Selected{{Width: 1280, Height: 720, BitrateKbps: 9000, Quality: 70}, {Width: 960, Height: 540, BitrateKbps: 7000, Quality: 52}},
		},
		{
			name:   "covered: best already compares them",
			points: model{complexity: 3000}.grid(appleSizes[:4], 17, 23, 29, 35, 41),
			rungs:  []Selected{{Width: 1920, Height: 1080, BitrateKbps: 2500, Quality: 90}},
		},
	}
	const tol = 1
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := hullGaps(tc.points, tc.rungs, tol)
			if len(got) != len(tc.want) {
				t.Fatalf("gaps %+v, want %+v", got, tc.want)
			}
			for i, g := range got {
				w := tc.want[i]
				if g.Width != w.Width || g.Height != w.Height || g.BitrateKbps != w.BitrateKbps || !(g.Gain > tol) {
					t.Errorf("gap %d: %+v, want %+v with a gain above %g", i, g, w, float64(tol))
				}
			}
		})
	}
}

func TestHullGapsOrder(t *testing.T) {
	// Two candidates could beat the 540p rung: the one that might win by
	// more comes first, and each appears once.
	points := []Point{
		pt(1920, 1080, 23, 12800, 94.7), pt(1920, 1080, 29, 10000, 82),
		pt(1280, 720, 23, 9500, 64), pt(1280, 720, 29, 8500, 62),
		pt(960, 540, 29, 7200, 54), pt(960, 540, 35, 4500, 27),
	}
	rungs := []Selected{
		{Width: 1920, Height: 1080, BitrateKbps: 12282, Quality: 93},
		{Width: 960, Height: 540, BitrateKbps: 7000, Quality: 52},
		{Width: 960, Height: 540, BitrateKbps: 6500, Quality: 48},
	}
	got := hullGaps(points, rungs, 1)
	if len(got) != 2 || got[0].Gain < got[1].Gain {
		t.Fatalf("gaps %+v: want two, largest gain first", got)
	}
	for _, g := range got {
		if g.Width == 960 {
			t.Errorf("gap %+v on the rung's own resolution", g)
		}
	}
}

func TestCRFForRate(t *testing.T) {
	sc := crfScale(H264)
	two := []Point{pt(1920, 1080, 29, 500, 80), pt(1920, 1080, 23, 1000, 90)}
	tests := []struct {
		name   string
		points []Point
		kbps   float64
		want   float64
		ok     bool
	}{
		{"below: one step per halving", two, 250, 35, true},
		{"between: interpolated in log rate", two, math.Sqrt(500 * 1000), 26, true},
		{"above, at most two steps", two, 8000, 11, true},
		// Blocky 1080p: 6 CRF for a 27 % lower rate; reaching 6733 kbit/s
		// takes about ten more.
		{"slope from the points", []Point{pt(1920, 1080, 23, 12849, 94.7), pt(1920, 1080, 29, 10116, 82)}, 6733, 29 + 6/math.Log2(12849.0/10116)*math.Log2(10116.0/6733), true},
		{"one point: a step per halving", two[:1], 125, 41, true},
		{"slope at most three steps per halving", []Point{pt(640, 360, 23, 1000, 80), pt(640, 360, 29, 950, 70)}, 950 / math.Sqrt2, 38, true},
		{"slope at least half a step per halving", []Point{pt(640, 360, 23, 1000, 80), pt(640, 360, 24, 500, 70)}, 250, 27, true},
		{"no points", nil, 100, 0, false},
		{"no rate", two, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := crfForRate(tc.points, tc.kbps, sc)
			if ok != tc.ok || math.Abs(got-tc.want) > 1e-6 {
				t.Errorf("crfForRate(%g) = %g, %v; want %g, %v", tc.kbps, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestNearestPrefersDominantBelow(t *testing.T) {
	// Nothing measured 400 kbit/s. 720p, measured only below it, reaches
	// more than 1080p does at the bottom of its range, for fewer bits.
	res, err := groupResolutions([]Point{
		pt(1920, 1080, 23, 900, 95), pt(1920, 1080, 29, 600, 90),
		pt(1280, 720, 23, 300, 92), pt(1280, 720, 29, 150, 85),
	})
	if err != nil {
		t.Fatal(err)
	}
	if i := nearest(res, math.Log10(400), nil); i < 0 || res[i].w != 1280 {
		t.Errorf("nearest at 400 kbit/s: %d, want 720p", i)
	}
	// When the picture below is worse, the nearest range wins: 1080p at
	// 600 is nearer 500 than 720p at 300.
	res, _ = groupResolutions([]Point{
		pt(1920, 1080, 23, 900, 95), pt(1920, 1080, 29, 600, 90),
		pt(1280, 720, 23, 300, 80), pt(1280, 720, 29, 150, 75),
	})
	if i := nearest(res, math.Log10(500), nil); i < 0 || res[i].w != 1920 {
		t.Errorf("nearest at 500 kbit/s: %d, want 1080p", i)
	}
}

func TestDefaultCandidates(t *testing.T) {
	sizes := func(rs []Rung) [][2]int {
		var out [][2]int
		for _, r := range rs {
			out = append(out, [2]int{r.Width, r.Height})
		}
		return out
	}
	tests := []struct {
		codec   Codec
		minKbps int
		want    [][2]int
	}{
		{H264, 150, [][2]int{{1920, 1080}, {1280, 720}, {960, 540}, {640, 360}}},
		// A ladder that may go down to Apple's 234p rate tries 234p.
		{H264, 145, [][2]int{{1920, 1080}, {1280, 720}, {960, 540}, {640, 360}, {416, 234}}},
		{H264, 100, [][2]int{{1920, 1080}, {1280, 720}, {960, 540}, {640, 360}, {416, 234}}},
	}
	for _, tc := range tests {
		got := sizes(DefaultCandidates(tc.codec, tc.minKbps))
		if len(got) != len(tc.want) {
			t.Errorf("DefaultCandidates(%s, %d) = %v, want %v", tc.codec, tc.minKbps, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("DefaultCandidates(%s, %d) = %v, want %v", tc.codec, tc.minKbps, got, tc.want)
				break
			}
		}
	}
}

func TestBestNear(t *testing.T) {
	// A dense texture any scaling destroys: 1080p was measured from 3853
	// kbit/s up, 720p (far worse) across 3758. A rung planned at 3758 takes
	// 1080p at 3853, 2.5 % more bits for 40 more VMAF points.
	res, err := groupResolutions([]Point{
		pt(1920, 1080, 39.5, 3853, 55.8), pt(1920, 1080, 35, 5030, 71.1), pt(1920, 1080, 29, 7403, 96),
		pt(1280, 720, 38.5, 1061, 2), pt(1280, 720, 35, 1702, 8.8), pt(1280, 720, 29, 6229, 18.2),
	})
	if err != nil {
		t.Fatal(err)
	}
	x := math.Log10(3758)
	if i := best(res, x, nil); i < 0 || res[i].w != 1280 {
		t.Fatalf("best at 3758: %d, want 720p (the only one measured there)", i)
	}
	if i := bestNear(res, x, 1, nil); i < 0 || res[i].w != 1920 {
		t.Errorf("bestNear at 3758: %d, want 1080p", i)
	}
	// 20 % off is too far; and a small gain does not move the rung.
	if i := bestNear(res, math.Log10(3853/1.2), 1, nil); i < 0 || res[i].w != 1280 {
		t.Errorf("bestNear at 3211: %d, want 720p", i)
	}
	if i := bestNear(res, x, 50, nil); i < 0 || res[i].w != 1280 {
		t.Errorf("bestNear with a 50-point tolerance: %d, want 720p", i)
	}
}
