package ladder

import (
	"math"
	"math/rand/v2"
	"testing"
)

// model is a synthetic rate–quality surface: quality after scaling up to
// the display resolution saturates at a ceiling that falls with the
// picture size, and reaching it costs more bits for bigger pictures and
// harder content.
type model struct {
	complexity float64 // kbps scale: bits a 1080p picture needs
	noise      float64 // quality noise amplitude
	flat       bool    // quality does not depend on rate
	smooth     bool    // pictures lose nothing scaled up (gradients, blur)
	rng        *rand.Rand
}

func (m model) point(w, h int, crf float64) Point {
	p := float64(w*h) / (1920 * 1080)
	kbps := m.complexity * math.Pow(p, 0.75) * math.Pow(2, -(crf-23)/6)
	ceiling := 100 - 45*(1-math.Sqrt(p))
	if m.smooth {
		ceiling = 99
	}
	q := ceiling * (1 - math.Exp(-kbps/(0.35*m.complexity*math.Pow(p, 0.75))))
	if m.flat {
		q = 80
	}
	if m.noise > 0 {
		q += (m.rng.Float64()*2 - 1) * m.noise
	}
	return Point{Trial: Trial{Width: w, Height: h, FrameRate: Rate{25, 1}, Codec: H264, CRF: crf}, BitrateKbps: kbps, Quality: q}
}

var appleSizes = [][2]int{{1920, 1080}, {1280, 720}, {960, 540}, {768, 432}, {640, 360}, {416, 234}}

func (m model) grid(sizes [][2]int, crfs ...float64) []Point {
	var out []Point
	for _, s := range sizes {
		for _, c := range crfs {
			out = append(out, m.point(s[0], s[1], c))
		}
	}
	return out
}

func checkRungs(t *testing.T, rungs []Selected, o SelectOptions) {
	t.Helper()
	o = o.withDefaults()
	if len(rungs) == 0 || len(rungs) > o.MaxRungs {
		t.Fatalf("%d rungs, want 1..%d", len(rungs), o.MaxRungs)
	}
	for i, r := range rungs {
		if i > 0 {
			prev := rungs[i-1]
			if r.BitrateKbps >= prev.BitrateKbps {
				t.Errorf("rung %d: %.0f kbps not below rung %d's %.0f", i, r.BitrateKbps, i-1, prev.BitrateKbps)
			}
			if r.Width*r.Height > prev.Width*prev.Height {
				t.Errorf("rung %d: %dx%d is larger than the rung above (%dx%d)", i, r.Width, r.Height, prev.Width, prev.Height)
			}
		}
		if r.CRF <= 0 || math.IsNaN(r.CRF) {
			t.Errorf("rung %d: crf %g", i, r.CRF)
		}
	}
	if top := rungs[0].BitrateKbps; top > o.MaxKbps*1.0001 {
		t.Errorf("top rung %.0f kbps above max %.0f", top, o.MaxKbps)
	}
}

func TestSelectRungs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name   string
		points []Point
		opts   SelectOptions
		check  func(t *testing.T, rungs []Selected)
	}{
		{
			name:   "ladder from the top target down to the floor",
			points: model{complexity: 4000}.grid(appleSizes, 17, 20, 23, 26, 29, 32, 35, 38, 41),
			opts:   SelectOptions{TopQuality: 95},
			check: func(t *testing.T, rungs []Selected) {
				if q := rungs[0].Quality; math.Abs(q-95) > 0.5 {
					t.Errorf("top quality %.2f, want 95", q)
				}
				if rungs[0].Width != 1920 {
					t.Errorf("top rung %dx%d, want 1080p", rungs[0].Width, rungs[0].Height)
				}
				last := rungs[len(rungs)-1]
				if last.BitrateKbps < 149 || last.BitrateKbps > 151 || min(last.Width, last.Height) > 432 {
					t.Errorf("bottom rung %dx%d at %.0f kbps, want <= 432p at 150", last.Width, last.Height, last.BitrateKbps)
				}
				for i := 1; i < len(rungs); i++ {
					if s := rungs[i-1].BitrateKbps / rungs[i].BitrateKbps; s < 1.45 || s > 2.05 {
						t.Errorf("spacing %d: %.2f, want 1.5-2", i, s)
					}
				}
			},
		},
		{
			name:   "max rungs and max kbps",
			points: model{complexity: 8000}.grid(appleSizes, 14, 18, 22, 26, 30, 34, 38, 42),
			opts:   SelectOptions{TopQuality: 99, MaxKbps: 3000, MaxRungs: 3},
			check: func(t *testing.T, rungs []Selected) {
				if len(rungs) != 3 {
					t.Errorf("%d rungs, want 3", len(rungs))
				}
				if math.Abs(rungs[0].BitrateKbps-3000) > 1 {
					t.Errorf("top %.0f kbps, want the 3000 cap", rungs[0].BitrateKbps)
				}
			},
		},
		{
			name:   "single resolution",
			points: model{complexity: 2000}.grid([][2]int{{1280, 720}}, 18, 24, 30, 36, 42),
			opts:   SelectOptions{TopQuality: 90},
			check: func(t *testing.T, rungs []Selected) {
				for _, r := range rungs {
					if r.Width != 1280 {
						t.Errorf("rung %dx%d, want only 720p", r.Width, r.Height)
					}
				}
			},
		},
		{
			name:   "flat curves: one cheap rung",
			points: model{complexity: 3000, flat: true}.grid(appleSizes, 20, 30, 40),
			opts:   SelectOptions{TopQuality: 95},
			check: func(t *testing.T, rungs []Selected) {
				if len(rungs) > 2 {
					t.Errorf("%d rungs for content whose quality never changes", len(rungs))
				}
			},
		},
		{
			name:   "noisy non-monotone points",
			points: model{complexity: 3000, noise: 3, rng: rng}.grid(appleSizes, 18, 22, 26, 30, 34, 38),
			opts:   SelectOptions{TopQuality: 93},
		},
		{
			name:   "target out of reach: top at the plateau",
			points: model{complexity: 3000}.grid(appleSizes, 30, 34, 38, 42),
			opts:   SelectOptions{TopQuality: 99.9},
			check: func(t *testing.T, rungs []Selected) {
				if rungs[0].Width != 1920 {
					t.Errorf("top %dx%d, want the best picture", rungs[0].Width, rungs[0].Height)
				}
			},
		},
		{
			name:   "easy content below the floor: one rung at min kbps",
			points: model{complexity: 100}.grid(appleSizes, 20, 26, 32),
			opts:   SelectOptions{TopQuality: 90, MinKbps: 150},
			check: func(t *testing.T, rungs []Selected) {
				if len(rungs) != 1 {
					t.Errorf("%d rungs, want 1", len(rungs))
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rungs, err := SelectRungs(tc.points, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkRungs(t, rungs, tc.opts)
			if tc.check != nil {
				tc.check(t, rungs)
			}
			if t.Failed() {
				for _, r := range rungs {
					t.Logf("%dx%d crf %.1f %.0f kbps q %.2f", r.Width, r.Height, r.CRF, r.BitrateKbps, r.Quality)
				}
			}
		})
	}
}

func TestSelectRungsEasyBelowHard(t *testing.T) {
	crfs := []float64{17, 20, 23, 26, 29, 32, 35, 38, 41}
	easy, err := SelectRungs(model{complexity: 1500}.grid(appleSizes, crfs...), SelectOptions{TopQuality: 95})
	if err != nil {
		t.Fatal(err)
	}
	hard, err := SelectRungs(model{complexity: 9000}.grid(appleSizes, crfs...), SelectOptions{TopQuality: 95})
	if err != nil {
		t.Fatal(err)
	}
	if easy[0].BitrateKbps >= hard[0].BitrateKbps {
		t.Errorf("easy top %.0f kbps, hard top %.0f: want easy lower", easy[0].BitrateKbps, hard[0].BitrateKbps)
	}
}

func TestSelectRungsErrors(t *testing.T) {
	if _, err := SelectRungs(nil, SelectOptions{TopQuality: 95}); err == nil {
		t.Error("no points: no error")
	}
	pts := model{complexity: 1000}.grid(appleSizes, 20, 30)
	if _, err := SelectRungs(pts, SelectOptions{TopQuality: 95, MinSpacing: 3, MaxSpacing: 2}); err == nil {
		t.Error("min spacing above max: no error")
	}
}

func TestSpacedRates(t *testing.T) {
	o := SelectOptions{}.withDefaults()
	for _, tc := range []struct {
		top, bottom float64
		wantN       int
	}{
		{3000, 150, 6}, // 20x: 5 steps of 1.82
		{300, 150, 2},
		{170, 150, 1},
		{8000, 100, 8}, // capped at 8
	} {
		got := spacedRates(math.Log10(tc.top), math.Log10(tc.bottom), o)
		if len(got) != tc.wantN {
			t.Errorf("spacedRates(%g, %g): %d rates, want %d", tc.top, tc.bottom, len(got), tc.wantN)
		}
	}
}

func TestSelectRungsTopWithinMaxKbps(t *testing.T) {
	// Blocky content where 720p beats 1080p, but 720p was measured only
	// from 8600 kbit/s up, 7.5 % above the cap: bestNear's slack must not
	// put the top rung there.
	pt := func(w, h int, crf, kbps, q float64) Point {
		return Point{Trial: Trial{Width: w, Height: h, FrameRate: Rate{25, 1}, Codec: H264, CRF: crf}, BitrateKbps: kbps, Quality: q}
	}
	points := []Point{
		pt(1920, 1080, 30, 12000, 58), pt(1920, 1080, 36, 6000, 45), pt(1920, 1080, 42, 3000, 30),
		pt(1280, 720, 28, 20000, 75), pt(1280, 720, 31, 8600, 61),
		pt(640, 360, 30, 3000, 30), pt(640, 360, 36, 1500, 20), pt(640, 360, 42, 150, 5),
	}
	o := SelectOptions{TopQuality: 95, QualityTolerance: 1, MinKbps: 150, MaxKbps: 8000}
	sel, err := SelectRungs(points, o)
	if err != nil {
		t.Fatal(err)
	}
	if sel[0].BitrateKbps > 8000+1e-6 {
		t.Errorf("top rung %+v: above --max-kbps 8000", sel[0])
	}
	checkRungs(t, sel, o)
}
