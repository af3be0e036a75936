package ladder

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeTrialer measures trials on the synthetic model: no ffmpeg. The
// production preset ("medium") needs 20 % fewer bits for the same quality.
type fakeTrialer struct {
	m        model
	fn       func(w, h int, crf float64) Point // replaces m when set
	dur      time.Duration
	encodes  int
	trials   []Trial
	scanErr  error
	scans    int
	failFrom int // fail Encode calls from this trial count on (0: never)
}

func (f *fakeTrialer) ID() string { return "fake" }

func (f *fakeTrialer) Scan(context.Context) (Scan, error) {
	f.scans++
	if f.scanErr != nil {
		return Scan{}, f.scanErr
	}
	return scan25(make([]float64, int(f.dur/time.Second))), nil
}

func (f *fakeTrialer) Encode(_ context.Context, _ []Window, trials []Trial) ([]Point, error) {
	f.encodes++
	if f.failFrom > 0 && len(f.trials)+len(trials) >= f.failFrom {
		return nil, errors.New("boom")
	}
	var out []Point
	for _, tr := range trials {
		f.trials = append(f.trials, tr)
		var p Point
		if f.fn != nil {
			p = f.fn(tr.Width, tr.Height, tr.CRF)
		} else {
			p = f.m.point(tr.Width, tr.Height, tr.CRF)
		}
		p.Trial = tr
		if tr.Preset == "medium" {
			p.BitrateKbps *= 0.8
		} else {
			p.Preset = "veryfast"
		}
		out = append(out, p)
	}
	return out, nil
}

func src1080() Source {
	return Source{Width: 1920, Height: 1080, FrameRate: Rate{25, 1}}
}

func TestPerTitle(t *testing.T) {
	f := &fakeTrialer{m: model{complexity: 4000}, dur: 10 * time.Second}
	l, err := PerTitle(context.Background(), f, PerTitleConfig{Source: src1080(), Preset: "medium", ProbePreset: "veryfast"})
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "per-title" || l.Codec != H264 || l.Analysis == nil {
		t.Fatalf("ladder %q codec %q analysis %v", l.Name, l.Codec, l.Analysis)
	}
	a := l.Analysis
	if a.Trials != len(f.trials) || a.Trials > 20 {
		t.Errorf("analysis says %d trials, trialer ran %d (want at most 20)", a.Trials, len(f.trials))
	}
	if a.Calibration == nil || math.Abs(a.Calibration.RateFactor-0.8) > 0.05 {
		t.Errorf("calibration %+v, want rate factor 0.8", a.Calibration)
	}
	// The usual gap between presets (0.8x, same CRF) needs no trial at
	// the production preset on the largest picture.
	if a.Calibration != nil && a.Calibration.Top != nil {
		t.Errorf("top calibration %+v for a usual preset gap", a.Calibration.Top)
	}
	for _, tr := range f.trials {
		if tr.Preset == "medium" && tr.Width == 1920 {
			t.Errorf("production trial %+v on the largest picture", tr)
		}
	}
	for i, r := range l.Video {
		if r.CRF <= 0 || r.MaxrateKbps != 2*r.BitrateKbps || r.BufsizeKbps != 4*r.BitrateKbps || r.Name == "" {
			t.Errorf("rung %d: %+v: want capped CRF, peak 2x, a name", i, r)
		}
		if i > 0 && r.BitrateKbps >= l.Video[i-1].BitrateKbps {
			t.Errorf("rung %d: %d kbps not below %d", i, r.BitrateKbps, l.Video[i-1].BitrateKbps)
		}
	}
	// The ladder is ready for Adapt, which changes nothing.
	ad, err := Adapt(l, src1080(), AdaptOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range l.Video {
		got, want := ad.Video[i], l.Video[i]
		want.FrameRate = got.FrameRate
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Adapt changed rung %d (-want +got):\n%s", i, diff)
		}
	}
	// Written and read back, it is the same ladder with its analysis.
	var buf bytes.Buffer
	data, err := Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(data)
	back, err := Parse(&buf, "per-title.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestPerTitleEasyBelowHard(t *testing.T) {
	top := func(complexity float64) Rung {
		f := &fakeTrialer{m: model{complexity: complexity}, dur: 5 * time.Second}
		l, err := PerTitle(context.Background(), f, PerTitleConfig{Source: src1080()})
		if err != nil {
			t.Fatal(err)
		}
		return l.Video[0]
	}
	easy, hard := top(800), top(12000)
	if easy.BitrateKbps >= hard.BitrateKbps {
		t.Errorf("easy top %d kbps >= hard top %d kbps", easy.BitrateKbps, hard.BitrateKbps)
	}
}

func TestPerTitleSources(t *testing.T) {
	tests := []struct {
		name    string
		src     Source
		cfg     PerTitleConfig
		check   func(t *testing.T, l Ladder)
		wantErr error
	}{
		{
			name: "source smaller than the smallest rung: one size, the source's",
			src:  Source{Width: 320, Height: 180, FrameRate: Rate{25, 1}},
			check: func(t *testing.T, l Ladder) {
				for _, r := range l.Video {
					if r.Width != 320 || r.Height != 180 {
						t.Errorf("rung %dx%d, want 320x180", r.Width, r.Height)
					}
				}
			},
		},
		{
			name: "portrait source: landscape boxes that Adapt turns",
			src:  Source{Width: 1080, Height: 1920, FrameRate: Rate{30, 1}},
			check: func(t *testing.T, l Ladder) {
				for _, r := range l.Video {
					if r.Height > r.Width {
						t.Errorf("rung %dx%d is not a landscape box", r.Width, r.Height)
					}
				}
				ad, err := Adapt(l, Source{Width: 1080, Height: 1920, FrameRate: Rate{30, 1}}, AdaptOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if ad.Video[0].Height < ad.Video[0].Width {
					t.Errorf("adapted top rung %dx%d is not portrait", ad.Video[0].Width, ad.Video[0].Height)
				}
			},
		},
		{
			name: "hevc and max kbps",
			src:  src1080(),
			cfg:  PerTitleConfig{Codec: HEVC, MaxKbps: 1000, MaxRungs: 4},
			check: func(t *testing.T, l Ladder) {
				if len(l.Video) > 4 || l.Video[0].BitrateKbps > 1000 || l.Video[0].Codec != HEVC {
					t.Errorf("ladder %+v: want <= 4 HEVC rungs under 1000 kbps", l.Video)
				}
			},
		},
		{name: "unusable source", src: Source{Width: 0, Height: 0, FrameRate: Rate{25, 1}}, wantErr: ErrUnusableSource},
		{name: "bad metric", src: src1080(), cfg: PerTitleConfig{Metric: "butteraugli"}, wantErr: ErrBadConfig},
		{name: "max below min", src: src1080(), cfg: PerTitleConfig{MinKbps: 500, MaxKbps: 200}, wantErr: ErrBadConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Source = tc.src
			l, err := PerTitle(context.Background(), &fakeTrialer{m: model{complexity: 3000}, dur: 4 * time.Second}, cfg)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, l)
		})
	}
}

func TestPerTitleErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := PerTitle(ctx, &fakeTrialer{m: model{complexity: 3000}, dur: 4 * time.Second},
		PerTitleConfig{Source: src1080()}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	boom := errors.New("no ffmpeg")
	if _, err := PerTitle(context.Background(), &fakeTrialer{scanErr: boom}, PerTitleConfig{Source: src1080()}); !errors.Is(err, boom) {
		t.Errorf("scan error: err = %v", err)
	}
}

func TestTrialCache(t *testing.T) {
	dir := t.TempDir()
	cfg := PerTitleConfig{Source: src1080(), Preset: "medium", ProbePreset: "veryfast"}

	// An interrupted run keeps what it measured ...
	f1 := &fakeTrialer{m: model{complexity: 4000}, dur: 6 * time.Second, failFrom: 8}
	if _, err := PerTitle(context.Background(), NewTrialCache(f1, dir, nil), cfg); err == nil {
		t.Fatal("want the failing trialer's error")
	}
	done := len(f1.trials)
	// ... a re-run resumes: it measures only the rest ...
	f2 := &fakeTrialer{m: model{complexity: 4000}, dur: 6 * time.Second}
	c2 := NewTrialCache(f2, dir, nil)
	want, err := PerTitle(context.Background(), c2, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Hits != done || f2.scans != 0 {
		t.Errorf("resume: %d hits (want %d), %d scans (want 0)", c2.Hits, done, f2.scans)
	}
	// ... and a third run is all hits, with the same ladder.
	f3 := &fakeTrialer{m: model{complexity: 4000}, dur: 6 * time.Second}
	c3 := NewTrialCache(f3, dir, nil)
	got, err := PerTitle(context.Background(), c3, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(f3.trials) != 0 || c3.Misses != 0 {
		t.Errorf("re-run ran %d trials", len(f3.trials))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cached ladder differs (-want +got):\n%s", diff)
	}
	// Another source (another ID) does not share entries.
	if matches, _ := filepath.Glob(filepath.Join(dir, "*", "trial-*.json")); len(matches) == 0 {
		t.Error("no cache entries written")
	}
}

func TestPerTitleStillPicture(t *testing.T) {
	// Content that reaches the top quality below MinKbps: one rung, no
	// trials of smaller pictures, and a rate budget of MinKbps so the VBV
	// buffer holds its keyframe.
	f := &fakeTrialer{m: model{complexity: 50}, dur: 4 * time.Second}
	l, err := PerTitle(context.Background(), f, PerTitleConfig{Source: src1080(), Preset: "medium", ProbePreset: "veryfast"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Video) != 1 || l.Video[0].Width != 1920 || l.Video[0].BitrateKbps != 150 {
		t.Errorf("ladder %+v: want one 1080p rung with a 150 kbit/s budget", l.Video)
	}
	for _, tr := range f.trials {
		if tr.Width != 1920 {
			t.Errorf("trial of %dx%d: a one-rung ladder needs no smaller pictures", tr.Width, tr.Height)
		}
	}
	if len(f.trials) > 5 {
		t.Errorf("%d trials for a still picture", len(f.trials))
	}
}

func TestPerTitleSmoothContent(t *testing.T) {
	// When small pictures scaled up look as good as large ones, a small
	// picture gets the chance to be the top rung (refineTop).
	f := &fakeTrialer{m: model{complexity: 3000, smooth: true}, dur: 4 * time.Second}
	l, err := PerTitle(context.Background(), f, PerTitleConfig{Source: src1080()})
	if err != nil {
		t.Fatal(err)
	}
	if top := l.Video[0]; top.Width >= 1920 {
		t.Errorf("top rung %dx%d at %d kbit/s: want a smaller picture for smooth content", top.Width, top.Height, top.BitrateKbps)
	}
}

// blocky is content like a game of life scaled up by pixel repetition:
// at 1080p the bit rate hardly falls with the CRF while quality drops fast,
// and any smaller picture blurs the blocks away.
func blocky(w, h int, crf float64) Point {
	p := float64(w*h) / (1920 * 1080)
	if p >= 1 {
		return pt(w, h, crf, 12000*math.Pow(2, -(crf-23)/18), math.Max(0, 95-2.5*(crf-23)))
	}
	kbps := 12000 * p * math.Pow(2, -(crf-23)/6)
	return pt(w, h, crf, kbps, 30*math.Sqrt(p)*(1-math.Exp(-kbps/(3000*p))))
}

func TestPerTitleRefineHull(t *testing.T) {
	// The grid measures 1080p two CRF steps from c* only; on blocky content
	// it stays the best picture far below that, and refineHull finds out.
	f := &fakeTrialer{fn: blocky, dur: 4 * time.Second}
	l, err := PerTitle(context.Background(), f, PerTitleConfig{Source: src1080()})
	if err != nil {
		t.Fatal(err)
	}
	var deep int
	for _, tr := range f.trials {
		if tr.Width == 1920 && tr.CRF > 29.5 {
			deep++
		}
	}
	if deep == 0 || deep > refineHullMaxTrials {
		t.Errorf("%d 1080p trials beyond the grid's CRFs, want 1..%d: %+v", deep, refineHullMaxTrials, f.trials)
	}
	if len(l.Video) < 2 || l.Video[1].Width != 1920 {
		t.Errorf("rungs %+v: want the second on 1080p too", l.Video)
	}
	// Without the extra trials the second rung would be a blurred smaller
	// picture: the same points minus the refinement select one.
	var grid []Point
	for _, p := range l.Analysis.Points {
		if !(p.Width == 1920 && p.CRF > 29.5) {
			grid = append(grid, p)
		}
	}
	sel, err := SelectRungs(grid, SelectOptions{TopQuality: 95, QualityTolerance: 1, MinKbps: 150})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel) < 2 || sel[1].Width == 1920 {
		t.Errorf("grid-only rungs %+v: want a smaller second rung (the test shows nothing)", sel)
	}
}

func TestPerTitleCalibrationFlatCandidate(t *testing.T) {
	// Smaller pictures score 0 at every rate (a texture scaling destroys):
	// the quarter-size picture cannot calibrate equal quality, so a picture
	// whose probes differ calibrates (the fake's presets differ by 0.8x).
	f := &fakeTrialer{fn: func(w, h int, crf float64) Point {
		p := model{complexity: 4000}.point(w, h, crf)
		if w < 1920 {
			p.Quality = 0
		}
		return p
	}, dur: 4 * time.Second}
	l, err := PerTitle(context.Background(), f, PerTitleConfig{Source: src1080(), Preset: "medium", ProbePreset: "veryfast"})
	if err != nil {
		t.Fatal(err)
	}
	c := l.Analysis.Calibration
	if c == nil || c.Width != 1920 || math.Abs(c.RateFactor-0.8) > 0.05 {
		t.Errorf("calibration %+v: want 1080p, rate factor 0.8", c)
	}
}

// presetSizeTrialer is a fake whose presets part differently by picture
// size, as x264's do on hard-edged content: at 1080p the production preset
// reaches a probe CRF's quality 2 CRF higher with 1.2x the bits, at 540p
// 6 CRF higher with 0.7x the bits (log-interpolated in between).
type presetSizeTrialer struct {
	m      model
	trials []Trial
}

func (f *presetSizeTrialer) ID() string { return "preset-size" }
func (f *presetSizeTrialer) Scan(context.Context) (Scan, error) {
	return scan25(make([]float64, 10)), nil
}

// production returns what the production preset measures at crf.
func (f *presetSizeTrialer) production(w, h int, crf float64) Point {
	t := math.Log(float64(w*h)/(960*540)) / math.Log(4)
	t = math.Min(math.Max(t, 0), 1)
	off, factor := 6-4*t, math.Exp(math.Log(0.7)+t*(math.Log(1.2)-math.Log(0.7)))
	p := f.m.point(w, h, crf-off)
	p.CRF, p.BitrateKbps = crf, p.BitrateKbps*factor
	return p
}

func (f *presetSizeTrialer) Encode(_ context.Context, _ []Window, trials []Trial) ([]Point, error) {
	var out []Point
	for _, tr := range trials {
		f.trials = append(f.trials, tr)
		p := f.m.point(tr.Width, tr.Height, tr.CRF)
		if tr.Preset == "medium" {
			p = f.production(tr.Width, tr.Height, tr.CRF)
		}
		p.Trial = tr
		out = append(out, p)
	}
	return out, nil
}

func TestPerTitleCalibratesTheTop(t *testing.T) {
	f := &presetSizeTrialer{m: model{complexity: 4000}}
	l, err := PerTitle(context.Background(), f, PerTitleConfig{Source: src1080(), Preset: "medium", ProbePreset: "veryfast"})
	if err != nil {
		t.Fatal(err)
	}
	top := l.Video[0]
	if top.Width != 1920 {
		t.Fatalf("top rung %+v: want 1080p", top)
	}
	// Encoded at the production preset, the top rung comes near the
	// target, for about the bits the ladder says. The quarter-size
	// calibration alone (CRF offset 4.4: unusual) puts it at VMAF 87.7;
	// with the top calibration it is at 93.3 (the rest is the probe
	// curve's fit).
	got := f.production(top.Width, top.Height, top.CRF)
	if got.Quality < 92.5 || got.Quality > 96.5 {
		t.Errorf("top rung crf %g: production quality %.1f, want 95 (92.5-96.5)", top.CRF, got.Quality)
	}
	if r := got.BitrateKbps / float64(top.BitrateKbps); r < 0.8 || r > 1.25 {
		t.Errorf("top rung: ladder says %d kbit/s, production measures %.0f", top.BitrateKbps, got.BitrateKbps)
	}
	c := l.Analysis.Calibration
	if c == nil || c.Top == nil || c.Top.Width != 1920 || math.Abs(c.Top.RateFactor-1.2) > 0.15 || math.Abs(c.Top.CRFOffset-2) > 1 {
		t.Fatalf("calibration %+v: want a 1080p top calibration, rate factor 1.2, CRF offset 2", c)
	}
	// The quarter-size calibration holds below it.
	if r, off := c.At(960 * 540); r != c.RateFactor || off != c.CRFOffset {
		t.Errorf("At(540p) = %g, %g: want the first calibration's %g, %g", r, off, c.RateFactor, c.CRFOffset)
	}
}

func TestCalibrationAt(t *testing.T) {
	c := &Calibration{Width: 960, Height: 540, RateFactor: 0.5, CRFOffset: 6,
		Top: &Calibration{Width: 1920, Height: 1080, RateFactor: 2, CRFOffset: 2}}
	for _, tc := range []struct {
		pixels    int
		rate, off float64
	}{
		{640 * 360, 0.5, 6},
		{960 * 540, 0.5, 6},
		{1920 * 540, 1, 4}, // half way in log pixels
		{1920 * 1080, 2, 2},
		{3840 * 2160, 2, 2},
	} {
		r, off := c.At(tc.pixels)
		if math.Abs(r-tc.rate) > 1e-9 || math.Abs(off-tc.off) > 1e-9 {
			t.Errorf("At(%d) = %g, %g; want %g, %g", tc.pixels, r, off, tc.rate, tc.off)
		}
	}
	if r, off := (*Calibration)(nil).At(100); r != 1 || off != 0 {
		t.Errorf("nil At = %g, %g; want 1, 0", r, off)
	}
	one := &Calibration{Width: 960, Height: 540, RateFactor: 0.5, CRFOffset: 6}
	if r, off := one.At(1920 * 1080); r != 0.5 || off != 6 {
		t.Errorf("without Top At = %g, %g; want 0.5, 6", r, off)
	}
}

func TestEqualQualityCeilingTies(t *testing.T) {
	// Sierpinski's 1080p probes: VMAF 100 at CRF 23 and 29. Whatever order
	// they come in, quality 91.9 lies between CRF 35 and 29, not 23.
	pt := func(crf, kbps, q float64) Point {
		return Point{Trial: Trial{Width: 1920, Height: 1080, CRF: crf}, BitrateKbps: kbps, Quality: q}
	}
	for _, curve := range [][]Point{
		{pt(23, 3042, 100), pt(29, 2322, 100), pt(35, 1597, 90.9), pt(38.5, 1214, 68.1)},
		{pt(29, 2322, 100), pt(23, 3042, 100), pt(38.5, 1214, 68.1), pt(35, 1597, 90.9)},
	} {
		_, crf := equalQuality(curve, 91.9)
		if want := 35 - 6*(1/9.1); math.Abs(crf-want) > 0.01 {
			t.Errorf("equalQuality(91.9) crf %.2f, want %.2f", crf, want)
		}
	}
	// At the floor, the dearest point of the floor quality is the one below.
	floor := []Point{pt(46, 100, 0), pt(40, 300, 0), pt(34, 900, 40)}
	if _, crf := equalQuality(floor, 20); math.Abs(crf-37) > 0.01 {
		t.Errorf("equalQuality(20) at the floor: crf %.2f, want 37", crf)
	}
}

func TestPerTitlePeaksWithinMaxKbps(t *testing.T) {
	// Hard content that wants more than --max-kbps 3000 at the top: no
	// rung's peak goes above 3000 unless its average is there already, so
	// a title harder than its windows cannot average above the cap.
	f := &fakeTrialer{m: model{complexity: 12000}, dur: 10 * time.Second}
	l, err := PerTitle(context.Background(), f, PerTitleConfig{Source: src1080(), Preset: "medium", ProbePreset: "veryfast", MaxKbps: 3000})
	if err != nil {
		t.Fatal(err)
	}
	if l.Video[0].BitrateKbps > 3000 {
		t.Errorf("top rung %+v above --max-kbps 3000", l.Video[0])
	}
	capped := false
	for _, r := range l.Video {
		if r.MaxrateKbps < r.BitrateKbps || r.MaxrateKbps > max(3000, r.BitrateKbps) || r.MaxrateKbps > 2*r.BitrateKbps {
			t.Errorf("rung %s: peak %d for average %d, --max-kbps 3000", r.Name, r.MaxrateKbps, r.BitrateKbps)
		}
		capped = capped || r.MaxrateKbps < 2*r.BitrateKbps
	}
	if !capped {
		t.Errorf("no rung's peak was held under 2x by --max-kbps: the test shows nothing (%+v)", l.Video)
	}
	if field, problem := check(l); problem != "" {
		t.Errorf("ladder check: %s: %s", field, problem)
	}
}

func TestCalibrationRateFactorBounds(t *testing.T) {
	s := &search{cfg: PerTitleConfig{Metric: MetricVMAF}, log: slog.New(slog.DiscardHandler), crf: crfScale(H264)}
	pt := func(crf, kbps, q float64) Point {
		return Point{Trial: Trial{Width: 1280, Height: 720, CRF: crf}, BitrateKbps: kbps, Quality: q}
	}
	// cellauto's 720p: VMAF 9-18 at veryfast, 25 at medium: equal quality
	// extrapolated off the flat curve says 0.3x.
	curve := []Point{pt(29, 3474, 18.2), pt(35, 949, 8.7)}
	tr := Trial{Width: 1280, Height: 720, CRF: 29, Preset: "medium"}
	c, err := s.calibration(curve, tr, Point{Trial: tr, BitrateKbps: 2644, Quality: 25.06})
	if err != nil {
		t.Fatal(err)
	}
	if c.RateFactor != minRateFactor {
		t.Errorf("rate factor %g, want the bound %g", c.RateFactor, minRateFactor)
	}
	// Inside the bounds a measurement stands.
	c, err = s.calibration(curve, tr, Point{Trial: tr, BitrateKbps: 0.8 * 3474, Quality: 18.2})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.RateFactor-0.8) > 1e-9 || math.Abs(c.CRFOffset) > 1e-9 {
		t.Errorf("rate factor %g, CRF offset %g: want 0.8, 0", c.RateFactor, c.CRFOffset)
	}
}
