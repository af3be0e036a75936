package ladder

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"
)

// Quality metrics per-title analysis can target. The metric itself is
// measured by the Trialer (package encode); ladder only needs its scale.
const (
	MetricVMAF = "vmaf" // VMAF 0-100 (model vmaf_v0.6.1)
	MetricPSNR = "psnr" // PSNR of luma, dB
	MetricSSIM = "ssim" // SSIM (all planes), 0-1
)

// MetricNames lists the metrics PerTitle understands.
var MetricNames = []string{MetricVMAF, MetricPSNR, MetricSSIM}

// DefaultTopQuality is the default quality of a per-title ladder's top
// rung: VMAF 95 (transparent to most viewers on a TV at 1080p), PSNR-Y
// 45 dB, SSIM 0.99.
func DefaultTopQuality(metric string) float64 {
	switch metric {
	case MetricPSNR:
		return 45
	case MetricSSIM:
		return 0.99
	}
	return 95
}

// qualityTolerance is a quality difference not worth bits, per metric.
func qualityTolerance(metric string) float64 {
	switch metric {
	case MetricPSNR:
		return 0.25
	case MetricSSIM:
		return 0.001
	}
	return 1
}

// ErrBadConfig is wrapped by PerTitle for configurations it cannot use.
var ErrBadConfig = errors.New("bad per-title configuration")

// PerTitleConfig is the input of PerTitle.
type PerTitleConfig struct {
	Source Source
	// Duration of the title, when the caller knows it (from its probe).
	// A title no longer than three sample windows is not scanned: its
	// middle window is the sample, since there is little to choose from and
	// the scan would decode the whole title once more.
	Duration time.Duration
	// Codec of every rung; default H.264.
	Codec Codec
	// Candidates are the resolutions to try, as landscape boxes (only
	// Width, Height and MaxFrameRate are used). Default: DefaultCandidates,
	// fitted to the source as Adapt fits a ladder: no upscaling, the
	// source's own size when it is between two boxes.
	Candidates []Rung
	// Metric names the scale the Trialer scores in (MetricVMAF, ...);
	// default VMAF.
	Metric string
	// TopQuality is the target of the top rung; default
	// DefaultTopQuality(Metric).
	TopQuality float64
	MinKbps    int // lowest rung at least this; default 150
	MaxKbps    int // top rung at most this, and no rung's peak above it unless its average is; default 0: no limit
	MaxRungs   int // default 8
	// Preset is the production preset the rungs will be encoded with;
	// ProbePreset the Trialer's. When they differ, one trial encode at
	// Preset calibrates the probe points (see Calibration).
	Preset, ProbePreset string
	Windows             WindowOptions
	// Audio of the resulting ladder; nil means DefaultAudio.
	Audio []Audio
	Log   *slog.Logger
	// Progress, when set, is called after each batch of trial encodes with
	// the trials done and the current estimate of the total.
	Progress func(done, total int)
}

// Analysis is how a per-title ladder was chosen, kept in the ladder (and
// its file) so a user can see why each rung is where it is.
type Analysis struct {
	Metric      string  `json:"metric"`
	TopQuality  float64 `json:"top_quality"`
	ProbePreset string  `json:"probe_preset,omitempty"`
	Preset      string  `json:"preset,omitempty"`
	// Windows are the parts of the source the trials encoded.
	Windows []Window `json:"windows"`
	// Trials is the number of trial encodes (cached ones included).
	Trials int `json:"trials"`
	// Calibration maps probe-preset points to the production preset.
	Calibration *Calibration `json:"calibration,omitempty"`
	// Points are the trials as measured, at the probe preset.
	Points []Point `json:"points"`
	// Hull is the upper convex hull of the calibrated points.
	Hull []Point `json:"hull"`
	// Rungs are the selected rungs with the quality their curve predicts.
	Rungs []Selected `json:"rungs"`
}

// Calibration maps trial points from the fast probe preset to the
// production preset. One trial is encoded at the production preset too and
// compared with the probe curve of the same picture size at equal quality:
// the production preset reaches a quality at RateFactor times the probe's
// bit rate, with a CRF CRFOffset higher. Modelling the presets as equal in quality at a shifted
// rate and CRF (rather than equal in CRF) holds across the CRF range:
// presets differ in how they spend bits (x264's ultrafast has no
// deblocking, AQ or macroblock tree), so at one CRF their qualities part
// more and more as the CRF grows, while their rate ratio at equal quality
// stays nearly constant.
type Calibration struct {
	Width  int     `json:"width"`
	Height int     `json:"height"`
	CRF    float64 `json:"crf"` // production-preset CRF of the calibration trial
	// Quality and BitrateKbps are what the production trial measured.
	Quality     float64 `json:"quality"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	RateFactor  float64 `json:"rate_factor"`
	CRFOffset   float64 `json:"crf_offset"`
	// Top is a second production trial, on the largest picture near the
	// top rung's CRF, when the first one is on a smaller picture. Presets
	// do not differ by the same factor at every size and quality: on
	// hard-edged content x264's medium needs 0.7x veryfast's bits at
	// 540p and VMAF 50 but 1.2x at 1080p and VMAF 95, so a single
	// quarter-size trial put 1080p top rungs 7 VMAF points under their
	// target. Between the two picture sizes, rate factor (in log) and CRF
	// offset are interpolated in log pixels; beyond them the nearer one
	// holds. When the first trial on the largest picture missed the top
	// quality and a second one was needed, Top describes the second, and
	// when the two straddle the top quality its factor and offset are the
	// two trials' interpolated there.
	Top *Calibration `json:"top,omitempty"`
}

// Apply maps a probe point to the production preset: same quality,
// the calibrated rate factor times the bit rate, the CRF moved by the
// calibrated offset (kept in the codec's range).
func (c *Calibration) Apply(p Point, preset string) Point {
	if c == nil {
		return p
	}
	sc := crfScale(p.Codec)
	rate, off := c.At(p.Width * p.Height)
	p.BitrateKbps *= rate
	p.CRF = math.Min(math.Max(p.CRF+off, 1), sc.max)
	p.Preset = preset
	return p
}

// At returns the rate factor and CRF offset for a picture of the given
// number of pixels (see Top). A nil Calibration maps nothing: 1 and 0.
func (c *Calibration) At(pixels int) (rateFactor, crfOffset float64) {
	if c == nil {
		return 1, 0
	}
	lo, t := c.Width*c.Height, c.Top
	if t == nil || pixels <= lo || t.Width*t.Height <= lo || !(c.RateFactor > 0) || !(t.RateFactor > 0) {
		return c.RateFactor, c.CRFOffset
	}
	hi := t.Width * t.Height
	if pixels >= hi {
		return t.RateFactor, t.CRFOffset
	}
	f := math.Log(float64(pixels)/float64(lo)) / math.Log(float64(hi)/float64(lo))
	return math.Exp(math.Log(c.RateFactor) + f*(math.Log(t.RateFactor)-math.Log(c.RateFactor))),
		c.CRFOffset + f*(t.CRFOffset-c.CRFOffset)
}

// codecCRF is the CRF scale of a codec's encoder: where searches start, the
// step that roughly halves the bit rate, and the range worth trying.
type codecCRF struct{ start, step, lo, hi, max float64 }

func crfScale(c Codec) codecCRF {
	switch c {
	case AV1:
		return codecCRF{start: 35, step: 8, lo: 15, hi: 60, max: maxCRFAV1}
	case HEVC:
		return codecCRF{start: 26, step: 6, lo: 12, hi: 45, max: maxCRFX26x}
	}
	return codecCRF{start: 23, step: 6, lo: 12, hi: 45, max: maxCRFX26x}
}

// perTitleBufsizeFactor sizes the VBV buffer of per-title rungs: 4x the
// average, two seconds (one GOP) at the 2x peak. A buffer of 2x the
// average starves the keyframes of content whose keyframes carry most of
// the bits (sharp still or slow pictures): measured on a moving fractal,
// capped CRF 34 lost 5 VMAF points against the same CRF uncapped. The peak
// (MaxrateKbps) stays at 2x the average.
const perTitleBufsizeFactor = 4

// candidate is one resolution to probe.
type candidate struct {
	w, h   int
	rate   Rate
	maxFPS float64
}

func (c candidate) pixels() int { return c.w * c.h }

// PerTitle builds a content-adaptive ladder for one source from trial
// encodes run by t. The steps:
//
//  1. Scan the title (t.Scan) and pick sample windows (PickWindows); a
//     title of at most three windows (Duration) uses its middle window.
//  2. Find the CRF c* that gives TopQuality on the largest candidate
//     resolution: a start CRF, then secant steps on (CRF, quality), at
//     most 3 trials.
//  3. Unless the largest picture reaches TopQuality within MinKbps (a
//     one-rung ladder: a still picture, slides), probe every other
//     candidate at a few CRFs relative to c*: large
//     pictures (at least 40 % of the largest's pixels) at c* and c*+step,
//     smaller ones at c*+step and c*+2 step, where step roughly halves the
//     bit rate (6 for x264/x265).
//     If the lowest rate measured is still above MinKbps the smallest
//     picture gets up to two more, higher CRFs.
//     Then smaller pictures that nearly reach TopQuality at their lowest
//     CRF, for much less than the top costs, get one lower CRF each
//     (refineTop: smooth and soft content look as good scaled up), in one
//     batch with the calibration trial.
//  4. Calibrate: when Preset differs from ProbePreset, the probed candidate
//     nearest a quarter of the largest picture (of those whose probes are
//     not all of one quality) is encoded at Preset too, at its lowest
//     probed CRF, and every point is mapped with the resulting Calibration
//     (equal quality: rate factor and CRF offset). When that picture is not
//     the largest and the calibration is unusual for the encoder (a CRF
//     offset beyond half a step, a rate factor beyond [0.6, 1.5]: the
//     presets part differently on this content), the largest is encoded at
//     Preset too, at c* plus that offset (about the top rung's CRF), and
//     once more at the CRF that predicts when the trial missed TopQuality
//     by over two tolerances; sizes in between interpolate the two
//     calibrations (Calibration.Top).
//  5. Refine the hull (refineHull): rungs are selected from the calibrated
//     points, and where a resolution not measured at a rung's rate might
//     beat the rung's resolution there (hullGaps), it gets a trial at that
//     rate; at most 3 trials, in at most two batches.
//  6. Select rungs from the calibrated points (SelectRungs) and turn them
//     into capped-CRF rungs: BitrateKbps is the predicted average (at
//     least MinKbps), peak (MaxrateKbps) twice that but not above MaxKbps
//     (unless the average is), the VBV buffer four times the average (two
//     seconds at a 2x peak, room for a keyframe).
//
// The ladder's rungs are exact sizes for this source (landscape boxes:
// for a portrait source width and height are swapped, and Adapt turns them
// back), named like Adapt names them; Adapt leaves them as they are.
// Analysis holds the points, hull and calibration.
func PerTitle(ctx context.Context, t Trialer, cfg PerTitleConfig) (Ladder, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Source.check(); err != nil {
		return Ladder{}, err
	}
	cfg.Codec = cmp.Or(cfg.Codec, H264)
	cfg.Metric = cmp.Or(cfg.Metric, MetricVMAF)
	if !cfg.Codec.IsVideo() {
		return Ladder{}, fmt.Errorf("%w: %s", ErrBadConfig, unknownCodec(cfg.Codec, "a video codec", videoCodecs))
	}
	if !slices.Contains(MetricNames, cfg.Metric) {
		return Ladder{}, fmt.Errorf("%w: metric %q: want one of %v", ErrBadConfig, cfg.Metric, MetricNames)
	}
	if cfg.TopQuality == 0 {
		cfg.TopQuality = DefaultTopQuality(cfg.Metric)
	}
	cfg.MinKbps = cmp.Or(cfg.MinKbps, 150)
	cfg.MaxRungs = cmp.Or(cfg.MaxRungs, 8)
	if cfg.MinKbps < 0 || cfg.MaxKbps < 0 || cfg.MaxRungs < 1 || (cfg.MaxKbps > 0 && cfg.MaxKbps < cfg.MinKbps) {
		return Ladder{}, fmt.Errorf("%w: min %d kbit/s, max %d kbit/s, max rungs %d", ErrBadConfig, cfg.MinKbps, cfg.MaxKbps, cfg.MaxRungs)
	}
	cands, err := candidates(cfg)
	if err != nil {
		return Ladder{}, err
	}

	s := &search{t: t, cfg: cfg, log: log, crf: crfScale(cfg.Codec)}
	wo := cfg.Windows.withDefaults()
	if d := cfg.Duration; d > 0 && d <= 3*wo.Duration {
		w := min(wo.Duration, d)
		s.windows = []Window{{Start: (d - w) / 2, Duration: w}}
	} else {
		scan, err := t.Scan(ctx)
		if err != nil {
			return Ladder{}, fmt.Errorf("scan: %w", err)
		}
		if scan.Duration <= 0 {
			return Ladder{}, fmt.Errorf("scan: %w: duration unknown", ErrUnusableSource)
		}
		s.windows = PickWindows(scan, cfg.Windows)
	}
	log.Info("per-title sample", "windows", len(s.windows), "candidates", len(cands), "metric", cfg.Metric)
	s.total = 3 + 2*len(cands) + 1

	cstar, err := s.topSearch(ctx, cands[0])
	if err != nil {
		return Ladder{}, err
	}
	oneRung := s.oneRung(cands[0], cstar)
	if oneRung {
		// Even the largest picture at the top quality costs no more than
		// the lowest rung may: the ladder is one rung, and smaller
		// pictures would only be worse at the same rate.
		log.Info("per-title: content needs less than --min-kbps at the top quality; one rung")
	} else if err := s.grid(ctx, cands, cstar); err != nil {
		return Ladder{}, err
	}
	var refine []Trial
	if !oneRung {
		refine = s.refineTop(cands)
	}
	calib, err := s.calibrate(ctx, cands, cstar, oneRung, refine)
	if err != nil {
		return Ladder{}, err
	}
	if !oneRung {
		if err := s.refineHull(ctx, cands, calib); err != nil {
			return Ladder{}, err
		}
	}
	prod := s.calibrated(calib)
	sel, err := SelectRungs(prod, s.selectOptions())
	if err != nil {
		return Ladder{}, err
	}
	if cfg.Progress != nil {
		cfg.Progress(s.done, s.done)
	}
	l := Ladder{Name: "per-title", Codec: cfg.Codec, Audio: slices.Clone(cfg.Audio)}
	if l.Audio == nil {
		l.Audio = DefaultAudio()
	}
	dw, dh := cfg.Source.displayAspect()
	for _, r := range sel {
		// The rate budget is at least MinKbps: on content that needs less
		// (a still picture) the prediction is tiny, and a VBV buffer of
		// twice a tiny average cannot hold the keyframe that carries
		// nearly all of its bits; CRF still spends only what it needs.
		kbps := roundKbps(math.Max(r.BitrateKbps, float64(cfg.MinKbps)))
		// The bit rate is CRF's predicted average, and a capped CRF
		// encode spends what the CRF asks up to the peak: with MaxKbps
		// the peak stays within it (and at least the average), so that a
		// title harder than its sample windows cannot average above
		// --max-kbps (life: 9.7 Mbit/s for a rung at 8000 kbit/s).
		peak := maxMaxrateFactor * kbps
		if cfg.MaxKbps > 0 {
			peak = max(kbps, min(peak, cfg.MaxKbps))
		}
		rung := Rung{
			Width: r.Width, Height: r.Height, Codec: cfg.Codec, CRF: math.Max(r.CRF, 1),
			BitrateKbps: kbps, MaxrateKbps: peak, BufsizeKbps: perTitleBufsizeFactor * kbps,
			MaxFrameRate: maxFPSOf(cands, r),
		}
		if dh > dw {
			rung.Width, rung.Height = rung.Height, rung.Width
		}
		l.Video = append(l.Video, rung)
	}
	nameRungs(l.Video)
	l.Analysis = &Analysis{
		Metric: cfg.Metric, TopQuality: cfg.TopQuality, ProbePreset: cfg.ProbePreset, Preset: cfg.Preset,
		Windows: s.windows, Trials: s.done, Calibration: calib, Points: s.points, Hull: Hull(prod), Rungs: sel,
	}
	log.Info("per-title ladder", "rungs", len(l.Video), "trials", s.done,
		"top_kbps", l.Video[0].BitrateKbps, "top", fmt.Sprintf("%dx%d", l.Video[0].Width, l.Video[0].Height))
	return l, nil
}

func maxFPSOf(cands []candidate, s Selected) float64 {
	for _, c := range cands {
		if c.w == s.Width && c.h == s.Height {
			return c.maxFPS
		}
	}
	return 0
}

// AppleSizes returns the distinct picture sizes of Apple's ladder for a
// codec (apple-h264 for H.264, apple-hevc for HEVC and AV1), largest
// first: the resolutions an exhaustive per-title search would try.
func AppleSizes(c Codec) []Rung {
	name := AppleH264
	if c == HEVC || c == AV1 {
		name = AppleHEVC
	}
	l, _ := Builtin(name)
	var out []Rung
	seen := map[[2]int]bool{}
	for _, r := range l.Video {
		k := [2]int{r.Width, r.Height}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, Rung{Width: r.Width, Height: r.Height, MaxFrameRate: r.MaxFrameRate, BitrateKbps: r.BitrateKbps})
	}
	slices.SortStableFunc(out, func(a, b Rung) int { return cmp.Compare(b.Width*b.Height, a.Width*a.Height) })
	return out
}

// Tuning of DefaultCandidates.
const (
	// candidateMinStep: neighbouring candidates differ by at least this
	// pixel ratio. Closer sizes (Apple's 768x432 between 960x540 and
	// 640x360) cost two trials for a hull that moves by a fraction of a
	// rung.
	candidateMinStep = 1.7
	// candidateMinShort: no candidate below 360 lines unless the ladder
	// may go as low as Apple uses it for. Scaled up to the display,
	// smaller pictures lose more than their bits save at the rates a
	// ladder goes down to by default (150 kbit/s), and 360p serves phones.
	candidateMinShort = 360
)

// DefaultCandidates returns the candidate boxes PerTitle tries by default:
// AppleSizes thinned so that neighbours differ by at least 1.7x in pixels,
// down to 360 lines, and below that the sizes whose Apple bit rate is at
// least minKbps (the lowest rung's): Apple's 416x234 at 145 kbit/s for
// --min-kbps 145 or less. For H.264 at the default 150 kbit/s that is
// 1080p, 720p, 540p and 360p.
func DefaultCandidates(c Codec, minKbps int) []Rung {
	var out []Rung
	for _, r := range AppleSizes(c) {
		if min(r.Width, r.Height) < candidateMinShort && minKbps > r.BitrateKbps {
			continue
		}
		if n := len(out); n > 0 && float64(out[n-1].Width*out[n-1].Height) < candidateMinStep*float64(r.Width*r.Height) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// candidates fits the candidate boxes to the source (Adapt's rules) and
// returns distinct sizes, largest first.
func candidates(cfg PerTitleConfig) ([]candidate, error) {
	boxes := cfg.Candidates
	if len(boxes) == 0 {
		boxes = DefaultCandidates(cfg.Codec, cfg.MinKbps)
	}
	l := Ladder{Name: "candidates", Codec: cfg.Codec, Audio: []Audio{}}
	for i, b := range boxes {
		// Adapt needs a bit rate (and uses it to order and interpolate);
		// give boxes without one a rate that grows with their size.
		kbps := cmp.Or(b.BitrateKbps, max(1, b.Width*b.Height/500+i))
		l.Video = append(l.Video, Rung{Width: b.Width, Height: b.Height, BitrateKbps: kbps, MaxFrameRate: b.MaxFrameRate})
	}
	a, err := Adapt(l, cfg.Source, AdaptOptions{Codec: cfg.Codec})
	if err != nil {
		return nil, err
	}
	var out []candidate
	seen := map[[2]int]bool{}
	for _, r := range a.Video {
		k := [2]int{r.Width, r.Height}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, candidate{w: r.Width, h: r.Height, rate: r.FrameRate, maxFPS: r.MaxFrameRate})
	}
	slices.SortStableFunc(out, func(a, b candidate) int { return cmp.Compare(b.pixels(), a.pixels()) })
	return out, nil
}

// search holds the state of one PerTitle run.
type search struct {
	t       Trialer
	cfg     PerTitleConfig
	log     *slog.Logger
	crf     codecCRF
	windows []Window
	points  []Point
	done    int
	total   int
}

func (s *search) trial(c candidate, crf float64, preset string) Trial {
	crf = math.Min(math.Max(math.Round(crf*2)/2, s.crf.lo), s.crf.hi)
	return Trial{Width: c.w, Height: c.h, FrameRate: c.rate, Codec: s.cfg.Codec, CRF: crf, Preset: preset}
}

// run encodes trials and records their points (except calibration ones).
func (s *search) run(ctx context.Context, trials []Trial, record bool) ([]Point, error) {
	if len(trials) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	pts, err := s.t.Encode(ctx, s.windows, trials)
	if err != nil {
		return nil, fmt.Errorf("trial encodes: %w", err)
	}
	if len(pts) != len(trials) {
		return nil, fmt.Errorf("trial encodes: %d points for %d trials", len(pts), len(trials))
	}
	for i, p := range pts {
		s.log.Debug("trial", "size", fmt.Sprintf("%dx%d", p.Width, p.Height), "crf", trials[i].CRF,
			"preset", p.Preset, "bitrate_kbps", math.Round(p.BitrateKbps), "quality", p.Quality)
	}
	s.log.Debug("trial batch", "trials", len(trials), "elapsed", time.Since(start).Round(time.Millisecond))
	s.done += len(trials)
	s.total = max(s.total, s.done)
	if s.cfg.Progress != nil {
		s.cfg.Progress(s.done, s.total)
	}
	if record {
		s.points = append(s.points, pts...)
	}
	return pts, nil
}

// probed reports whether candidate c already has a point within half a CRF
// step of crf.
func (s *search) probed(c candidate, crf float64) bool {
	for _, p := range s.points {
		if p.Width == c.w && p.Height == c.h && math.Abs(p.CRF-crf) < 1 {
			return true
		}
	}
	return false
}

// topSearch finds the CRF c* of TopQuality on the largest candidate.
func (s *search) topSearch(ctx context.Context, top candidate) (float64, error) {
	target := s.cfg.TopQuality
	tol := qualityTolerance(s.cfg.Metric)
	crf := s.crf.start
	var pts []Point
	for range 3 {
		p, err := s.run(ctx, []Trial{s.trial(top, crf, "")}, true)
		if err != nil {
			return 0, err
		}
		pts = append(pts, p[0])
		if math.Abs(p[0].Quality-target) <= tol {
			break
		}
		next, ok := nextCRF(pts, target, s.crf)
		if !ok {
			break
		}
		crf = next
	}
	return crfFor(pts, target), nil
}

// nextCRF is the next CRF of the top search: interpolated between the
// nearest points on either side of the target, else one step further in
// the direction of the target. ok is false when that was already tried or
// is out of range.
func nextCRF(pts []Point, target float64, sc codecCRF) (float64, bool) {
	var above, below *Point // quality >= target at the highest CRF; < target at the lowest
	for i := range pts {
		p := &pts[i]
		if p.Quality >= target && (above == nil || p.CRF > above.CRF) {
			above = p
		}
		if p.Quality < target && (below == nil || p.CRF < below.CRF) {
			below = p
		}
	}
	var next float64
	switch {
	case above != nil && below != nil:
		if below.CRF-above.CRF <= 1 {
			return 0, false
		}
		f := (above.Quality - target) / (above.Quality - below.Quality)
		next = above.CRF + f*(below.CRF-above.CRF)
	case above != nil: // everything is better than needed
		next = above.CRF + sc.step
	default:
		next = below.CRF - sc.step
	}
	next = math.Min(math.Max(math.Round(next*2)/2, sc.lo), sc.hi)
	for _, p := range pts {
		if math.Abs(p.CRF-next) < 0.5 {
			return 0, false
		}
	}
	return next, true
}

// crfFor interpolates the CRF at which quality reaches target.
func crfFor(pts []Point, target float64) float64 {
	var above, below *Point
	for i := range pts {
		p := &pts[i]
		if p.Quality >= target && (above == nil || p.CRF > above.CRF) {
			above = p
		}
		if p.Quality < target && (below == nil || p.CRF < below.CRF) {
			below = p
		}
	}
	switch {
	case above != nil && below != nil && below.CRF > above.CRF && above.Quality > below.Quality:
		f := (above.Quality - target) / (above.Quality - below.Quality)
		return above.CRF + f*(below.CRF-above.CRF)
	case above != nil:
		return above.CRF
	}
	return below.CRF
}

// oneRung reports whether the top search shows a one-rung ladder: the
// largest picture reaches the top quality (at c*) within MinKbps.
func (s *search) oneRung(top candidate, cstar float64) bool {
	for _, p := range s.points {
		if p.Width == top.w && p.Height == top.h && p.CRF <= cstar && p.Quality >= s.cfg.TopQuality-qualityTolerance(s.cfg.Metric) &&
			p.BitrateKbps <= float64(s.cfg.MinKbps) {
			return true
		}
	}
	return false
}

// grid probes every candidate at CRFs relative to c* (step 3 of PerTitle).
func (s *search) grid(ctx context.Context, cands []candidate, cstar float64) error {
	step := s.crf.step
	top := cands[0].pixels()
	// One batch: the trialer encodes and scores a batch in one go, which
	// costs less than the same trials one candidate at a time.
	var batch []Trial
	for i, c := range cands {
		var offs []float64
		switch {
		case i == 0:
			offs = []float64{step}
		case float64(c.pixels()) >= 0.4*float64(top):
			offs = []float64{0, step}
		default:
			offs = []float64{step, 2 * step}
		}
		for _, o := range offs {
			tr := s.trial(c, cstar+o, "")
			if !s.probed(c, tr.CRF) && !slices.Contains(batch, tr) {
				batch = append(batch, tr)
			}
		}
	}
	s.total = s.done + len(batch) + 1
	if _, err := s.run(ctx, batch, true); err != nil {
		return err
	}
	// Reach down to MinKbps on the smallest picture.
	small := cands[len(cands)-1]
	for range 2 {
		lowest, hiCRF := math.Inf(1), s.crf.lo
		for _, p := range s.points {
			lowest = math.Min(lowest, p.BitrateKbps)
			if p.Width == small.w && p.Height == small.h {
				hiCRF = math.Max(hiCRF, p.CRF)
			}
		}
		if lowest <= float64(s.cfg.MinKbps) || hiCRF >= s.crf.hi {
			break
		}
		s.total++
		if _, err := s.run(ctx, []Trial{s.trial(small, hiCRF+step, "")}, true); err != nil {
			return err
		}
	}
	return nil
}

// calibrated returns the points in the production preset's terms.
func (s *search) calibrated(calib *Calibration) []Point {
	prod := make([]Point, len(s.points))
	for i, p := range s.points {
		prod[i] = calib.Apply(p, s.cfg.Preset)
	}
	return prod
}

func (s *search) selectOptions() SelectOptions {
	return SelectOptions{
		TopQuality:       s.cfg.TopQuality,
		QualityTolerance: qualityTolerance(s.cfg.Metric),
		MinKbps:          float64(s.cfg.MinKbps),
		MaxKbps:          float64(s.cfg.MaxKbps),
		MaxRungs:         s.cfg.MaxRungs,
	}
}

// Tuning of refineHull.
const (
	refineHullMaxTrials = 3 // in all
	refineHullRounds    = 2 // batches, each at most refineHullMaxTrials
)

// refineHull measures where the hull is unsure (step 5 of PerTitle):
// the rungs are selected from the calibrated points, and a resolution that
// was not measured at a rung's rate but, extrapolated, might beat the
// rung's resolution there (hullGaps) gets a trial at the CRF its points
// say gives that rate. That is where fixed CRF offsets go wrong: a large
// picture whose rate hardly falls with the CRF (blocky or noisy content)
// stays best far lower than two CRF steps reach, and on smooth content a
// smaller picture at a low CRF beats a larger one at a high CRF. At most
// refineHullMaxTrials trials in refineHullRounds batches, largest gain
// first; it stops as soon as no gap is left.
func (s *search) refineHull(ctx context.Context, cands []candidate, calib *Calibration) error {
	used := 0
	for range refineHullRounds {
		if used >= refineHullMaxTrials {
			break
		}
		sel, err := SelectRungs(s.calibrated(calib), s.selectOptions())
		if err != nil {
			return nil // SelectRungs fails again, with the error, in PerTitle
		}
		var batch []Trial
		for _, g := range hullGaps(s.calibrated(calib), sel, qualityTolerance(s.cfg.Metric)) {
			if used+len(batch) >= refineHullMaxTrials {
				break
			}
			i := slices.IndexFunc(cands, func(c candidate) bool { return c.w == g.Width && c.h == g.Height })
			if i < 0 {
				continue
			}
			c := cands[i]
			rate, _ := calib.At(c.pixels())
			crf, ok := crfForRate(s.pointsOf(c), g.BitrateKbps/rate, s.crf)
			if !ok {
				continue
			}
			tr := s.trial(c, crf, "")
			if s.probed(c, tr.CRF) {
				continue
			}
			s.log.Debug("hull gap", "size", fmt.Sprintf("%dx%d", c.w, c.h), "bitrate_kbps", math.Round(g.BitrateKbps),
				"gain", math.Round(g.Gain*100)/100, "crf", tr.CRF)
			batch = append(batch, tr)
		}
		if len(batch) == 0 {
			break
		}
		s.total += len(batch)
		if _, err := s.run(ctx, batch, true); err != nil {
			return err
		}
		used += len(batch)
	}
	return nil
}

// Tuning of refineTop.
const (
	refineMaxTrials = 2
	// refineCloseTol: a smaller picture within this many quality
	// tolerances of the top target at its lowest CRF may reach it.
	refineCloseTol = 3
)

// refineTop returns the trials that give smaller pictures a chance at the
// top rung (end of step 3 of PerTitle; calibrate runs them). The grid
// probes them at high CRFs, where they usually lose to larger pictures; on
// smooth or soft content a small picture scaled up reaches the top quality
// too, for a fraction of the bits. A candidate
// whose lowest-CRF point is within refineCloseTol tolerances of
// TopQuality, at under 2/3 of the rate the top quality costs so far, is
// probed one step lower (or at the bottom of the CRF range, when that is
// still half a step lower); at most refineMaxTrials, cheapest first.
func (s *search) refineTop(cands []candidate) []Trial {
	target, tol := s.cfg.TopQuality, qualityTolerance(s.cfg.Metric)
	rTop := math.Inf(1)
	for _, p := range s.points {
		if p.Quality >= target {
			rTop = math.Min(rTop, p.BitrateKbps)
		}
	}
	type want struct {
		tr   Trial
		kbps float64
	}
	var ws []want
	for _, c := range cands[1:] {
		var low *Point
		for i, p := range s.points {
			if p.Width == c.w && p.Height == c.h && (low == nil || p.CRF < low.CRF) {
				low = &s.points[i]
			}
		}
		if low == nil || low.Quality >= target || low.Quality < target-refineCloseTol*tol ||
			low.BitrateKbps*1.5 >= rTop {
			continue
		}
		// One step lower, or as low as the CRF range goes when that is
		// still half a step.
		crf := math.Max(low.CRF-s.crf.step, s.crf.lo)
		if low.CRF-crf < s.crf.step/2 {
			continue
		}
		ws = append(ws, want{s.trial(c, crf, ""), low.BitrateKbps})
	}
	slices.SortFunc(ws, func(a, b want) int { return cmp.Compare(a.kbps, b.kbps) })
	var batch []Trial
	for _, w := range ws[:min(len(ws), refineMaxTrials)] {
		batch = append(batch, w.tr)
	}
	return batch
}

// calibrate runs step 4 of PerTitle, in one batch with the probe trials
// extra (refineTop's), which it records; the Calibration is nil when none
// is needed.
func (s *search) calibrate(ctx context.Context, cands []candidate, cstar float64, oneRung bool, extra []Trial) (*Calibration, error) {
	s.total += len(extra)
	if s.cfg.Preset == "" || s.cfg.Preset == s.cfg.ProbePreset {
		_, err := s.run(ctx, extra, true)
		return nil, err
	}
	// A picture of about a quarter of the largest: cheap, and in the
	// middle of the ladder. Its probe curve must not be flat: equal
	// quality means nothing on a picture that scores the same at every
	// rate (a texture that any scaling destroys scores 0 throughout), so
	// pictures whose probes differ by at least two quality tolerances go
	// first.
	want := float64(cands[0].pixels()) / 4
	var probed, varied []candidate
	for _, c := range cands {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range s.points {
			if p.Width == c.w && p.Height == c.h {
				lo, hi = math.Min(lo, p.Quality), math.Max(hi, p.Quality)
			}
		}
		if hi >= lo {
			probed = append(probed, c)
			if hi-lo >= 2*qualityTolerance(s.cfg.Metric) {
				varied = append(varied, c)
			}
		}
	}
	if len(varied) > 0 {
		probed = varied
	}
	if len(probed) == 0 {
		_, err := s.run(ctx, extra, true)
		return nil, err
	}
	c := slices.MinFunc(probed, func(a, b candidate) int {
		return cmp.Compare(math.Abs(math.Log(float64(a.pixels())/want)), math.Abs(math.Log(float64(b.pixels())/want)))
	})
	curve := s.pointsOf(c)
	// The production trial at the lowest CRF probed on this picture: the
	// production preset's quality there usually falls inside the probe
	// curve.
	lowest := slices.MinFunc(curve, func(a, b Point) int { return cmp.Compare(a.CRF, b.CRF) })
	tr := s.trial(c, lowest.CRF, s.cfg.Preset)
	pts, err := s.run(ctx, append(slices.Clone(extra), tr), false)
	if err != nil {
		return nil, err
	}
	s.points = append(s.points, pts[:len(extra)]...)
	for _, p := range pts[:len(extra)] {
		if p.Width == c.w && p.Height == c.h {
			curve = append(curve, p)
		}
	}
	cal, err := s.calibration(curve, tr, pts[len(extra)])
	if err != nil {
		return nil, err
	}
	// When the presets part unusually on this content, the gap at a
	// quarter of the pixels and a middling quality says little about the
	// top rung, which viewers see most of: the largest picture gets a
	// production trial too, near the top rung's CRF.
	top := cands[0]
	if c == top || oneRung || !slices.Contains(varied, top) || s.usualCalibration(cal) {
		return cal, nil
	}
	if cal.Top, err = s.calibrateTop(ctx, top, cstar, cal.CRFOffset); err != nil {
		return nil, err
	}
	return cal, nil
}

// calibrateTop calibrates on the largest picture with a production trial
// at c* plus offset (the first calibration's prediction of the top rung's
// CRF), and a second one when that trial missed TopQuality by more than
// two tolerances.
func (s *search) calibrateTop(ctx context.Context, top candidate, cstar, offset float64) (*Calibration, error) {
	curve := s.pointsOf(top)
	tr := s.trial(top, cstar+offset, s.cfg.Preset)
	s.total++
	pts, err := s.run(ctx, []Trial{tr}, false)
	if err != nil {
		return nil, err
	}
	first := pts[0]
	cal, err := s.calibration(curve, tr, first)
	if err != nil || math.Abs(first.Quality-s.cfg.TopQuality) <= 2*qualityTolerance(s.cfg.Metric) {
		return cal, err
	}
	// The trial landed well away from the top quality (where the metric
	// may saturate: VMAF 99 for a target of 95, or fall steeply): one
	// more at the CRF it predicts. When the two straddle the top quality,
	// the production CRF and rate there are interpolated between them,
	// two CRF apart, rather than read off probes a whole step apart.
	next := s.trial(top, cstar+cal.CRFOffset, s.cfg.Preset)
	if math.Abs(next.CRF-tr.CRF) < 1 {
		return cal, nil
	}
	s.total++
	if pts, err = s.run(ctx, []Trial{next}, false); err != nil {
		return nil, err
	}
	second := pts[0]
	if cal, err = s.calibration(curve, next, second); err != nil {
		return nil, err
	}
	lo, hi := math.Min(first.Quality, second.Quality), math.Max(first.Quality, second.Quality)
	if q := s.cfg.TopQuality; q >= lo && q <= hi && hi > lo {
		lp, cp := equalQuality([]Point{first, second}, q)
		lq, cq := equalQuality(curve, q)
		cal.RateFactor = clampRateFactor(math.Pow(10, lp-lq))
		cal.CRFOffset = clampCRFOffset(cp - cq)
		s.log.Info("calibration", "size", fmt.Sprintf("%dx%d", top.w, top.h), "at_quality", q,
			"rate_factor", math.Round(cal.RateFactor*1000)/1000, "crf_offset", math.Round(cal.CRFOffset*10)/10)
	}
	return cal, nil
}

// pointsOf returns the probe points of one candidate's picture size.
func (s *search) pointsOf(c candidate) []Point {
	var out []Point
	for _, p := range s.points {
		if p.Width == c.w && p.Height == c.h {
			out = append(out, p)
		}
	}
	return out
}

// Tuning of usualCalibration.
const (
	usualRateFactorLo, usualRateFactorHi = 0.6, 1.5
)

// usualCalibration reports whether a calibration looks like the usual gap
// between a fast and a slower preset of one encoder: a CRF offset between
// 0 and half a step (x264 veryfast to medium: 1.4-2.4 on most content) and
// a rate factor within [0.6, 1.5]. Content on which presets part further
// (hard edges, dense texture, grain: offsets of 4-6, rate factors of 0.3)
// does not keep that gap from a quarter of the pixels to the top rung.
func (s *search) usualCalibration(c *Calibration) bool {
	return c.CRFOffset >= 0 && c.CRFOffset <= s.crf.step/2 &&
		c.RateFactor >= usualRateFactorLo && c.RateFactor <= usualRateFactorHi
}

// Bounds of a calibrated rate factor. Two presets of one encoder differ by
// well under 2x in rate at equal quality (x264 veryfast to medium 0.7-1.2
// on the ladderbench clips; ultrafast to veryslow about 2x), so a factor
// beyond these is a bad measurement: equal quality extrapolated off a
// nearly flat curve (cellauto 720p and grain: 0.3, which put 720p rungs at
// half the rate they came out at).
const (
	minRateFactor = 0.5
	maxRateFactor = 2
)

func clampRateFactor(f float64) float64 { return math.Min(math.Max(f, minRateFactor), maxRateFactor) }

// clampCRFOffset bounds a calibrated CRF offset: presets of one encoder
// differ by far less than 15 CRF at equal quality.
func clampCRFOffset(d float64) float64 { return math.Min(math.Max(d, -15), 15) }

// calibration compares the production trial tr, which measured prod, with
// the probe points of the same picture size at equal quality.
func (s *search) calibration(curve []Point, tr Trial, prod Point) (*Calibration, error) {
	if !(prod.BitrateKbps > 0) {
		return nil, fmt.Errorf("calibration %dx%d crf %g: no bits measured", tr.Width, tr.Height, tr.CRF)
	}
	logRate, crf := equalQuality(curve, prod.Quality)
	cal := &Calibration{
		Width: tr.Width, Height: tr.Height, CRF: tr.CRF, Quality: prod.Quality, BitrateKbps: prod.BitrateKbps,
		RateFactor: clampRateFactor(prod.BitrateKbps / math.Pow(10, logRate)),
		CRFOffset:  clampCRFOffset(tr.CRF - crf),
	}
	s.log.Info("calibration", "size", fmt.Sprintf("%dx%d", tr.Width, tr.Height), "preset", s.cfg.Preset, "probe_preset", s.cfg.ProbePreset,
		"rate_factor", math.Round(cal.RateFactor*1000)/1000, "crf_offset", math.Round(cal.CRFOffset*10)/10)
	return cal, nil
}

// equalQuality returns the log10 rate and CRF at which the probe points of
// one picture size reach quality q: interpolated between the two nearest
// points in quality, extrapolated linearly beyond them.
func equalQuality(curve []Point, q float64) (logRate, crf float64) {
	// Ties in quality (a metric's ceiling or floor: VMAF 100 at two CRFs)
	// go cheapest first, so the pair around q is the cheapest point above
	// it and the dearest below: interpolating towards a dearer point of
	// the same quality would move the CRF by a whole step for nothing.
	ps := slices.Clone(curve)
	slices.SortFunc(ps, func(a, b Point) int {
		return cmp.Or(cmp.Compare(a.Quality, b.Quality), cmp.Compare(b.CRF, a.CRF))
	})
	if len(ps) == 1 || ps[0].Quality == ps[len(ps)-1].Quality {
		return math.Log10(ps[0].BitrateKbps), ps[0].CRF
	}
	i := 0
	for i < len(ps)-2 && ps[i+1].Quality < q {
		i++
	}
	a, b := ps[i], ps[i+1]
	if b.Quality == a.Quality {
		return math.Log10(a.BitrateKbps), a.CRF
	}
	f := (q - a.Quality) / (b.Quality - a.Quality)
	f = math.Min(math.Max(f, -1), 2) // extrapolate at most one interval
	la, lb := math.Log10(a.BitrateKbps), math.Log10(b.BitrateKbps)
	return la + f*(lb-la), a.CRF + f*(b.CRF-a.CRF)
}
