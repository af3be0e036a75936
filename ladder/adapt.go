package ladder

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrUnusableSource is returned by Adapt when the source has no usable
// picture size, aspect ratio, rotation or frame rate, so no output size or
// rate can be derived from it.
var ErrUnusableSource = errors.New("unusable source video")

// Source is what Adapt needs to know about the input's video stream. The
// caller fills it from its probe (encode.VideoStream has the same fields);
// ladder keeps its own small model so it never imports encode.
type Source struct {
	Width  int // coded picture width, before SAR and rotation
	Height int // coded picture height
	// SAR is the sample (pixel) aspect ratio, e.g. 64/45 for 16:9 PAL DV.
	// Zero, 1:1 and ffprobe's "0:1" (unknown) all mean square pixels.
	SAR Rate
	// Rotation is how many degrees clockwise the picture must be turned for
	// display (phone video is often coded landscape with 90). Multiples of
	// 90 only; negative values and values >= 360 are normalised.
	Rotation  int
	FrameRate Rate // nominal frame rate, e.g. 30000/1001
	HDR       bool // PQ (smpte2084) or HLG (arib-std-b67) transfer
}

// DisplaySize returns the size a viewer sees, in square pixels: the width
// scaled by SAR, then width and height swapped for a 90 or 270 degree
// rotation. It is the size Adapt never scales above.
func (s Source) DisplaySize() (width, height int) {
	w, h := s.displayAspect()
	return int(math.Round(w)), int(math.Round(h))
}

// displayAspect is DisplaySize before rounding, so aspect ratios stay exact.
func (s Source) displayAspect() (w, h float64) {
	w, h = float64(s.Width), float64(s.Height)
	if s.SAR.Num > 0 && s.SAR.Den > 0 {
		w = w * float64(s.SAR.Num) / float64(s.SAR.Den)
	}
	if rot := normRotation(s.Rotation); rot == 90 || rot == 270 {
		w, h = h, w
	}
	return w, h
}

func normRotation(deg int) int { return (deg%360 + 360) % 360 }

// Source limits: a frame rate above maxSourceFPS is a broken time base
// (ffprobe reports 90000/1 for some), not video.
const maxSourceFPS = 1000

func (s Source) check() error {
	switch {
	case s.Width <= 0 || s.Height <= 0:
		return fmt.Errorf("%w: size %dx%d is unknown", ErrUnusableSource, s.Width, s.Height)
	case s.SAR.Num < 0 || s.SAR.Den < 0:
		return fmt.Errorf("%w: sample aspect ratio %d:%d is negative", ErrUnusableSource, s.SAR.Num, s.SAR.Den)
	case s.Rotation%90 != 0:
		return fmt.Errorf("%w: rotation %d is not a multiple of 90 degrees", ErrUnusableSource, s.Rotation)
	case s.FrameRate.Num <= 0 || s.FrameRate.Den <= 0:
		return fmt.Errorf("%w: frame rate %d/%d is unknown", ErrUnusableSource, s.FrameRate.Num, s.FrameRate.Den)
	case s.FrameRate.Float() > maxSourceFPS:
		return fmt.Errorf("%w: frame rate %s is above %d fps", ErrUnusableSource, s.FrameRate, maxSourceFPS)
	}
	if w, h := s.DisplaySize(); w < 2 || h < 2 {
		return fmt.Errorf("%w: display size %dx%d is too small", ErrUnusableSource, w, h)
	}
	return nil
}

// AdaptOptions changes how Adapt applies a ladder.
type AdaptOptions struct {
	// Codec, when set, is the video codec of every rung (the --codec flag),
	// whatever the ladder says. Bit rates stay as the ladder states them:
	// apple-h264 with Codec HEVC is Apple's H.264 ladder encoded as HEVC,
	// which spends more bits than HEVC needs; apple-hevc has HEVC's rates.
	Codec Codec
}

// Tuning of Adapt; see its documentation.
const (
	// clampMinPixelRatio: a source with at least 15 % more pixels than the
	// largest rung that fits it gets a rung at its own size, because the
	// ladder would otherwise throw away visibly more detail than a rung step.
	clampMinPixelRatio = 1.15
	// duplicateMinRateRatio: two rungs of the same size, frame rate and
	// codec whose bit rates are within 10 % look the same to a player's ABR
	// logic (Apple allows 10 % between declared and measured bit rates).
	duplicateMinRateRatio = 0.9
	// fpsTolerance lets a max_fps of 29.97 keep a 30000/1001 source.
	fpsTolerance = 1.001
)

// Adapt fits ladder l to one source and returns the rungs to encode, each
// with its exact output size, frame rate, codec, bit rates and name. l is not
// modified. The rules, in order:
//
//  1. Codec: opts.Codec if set, else the rung's, else the ladder's, else
//     H.264.
//  2. HDR: for an HDR source, a rung whose codec carries HDR (HEVC, AV1) and
//     that has HDRBitrateKbps uses that rate; MaxrateKbps and BufsizeKbps
//     scale with it. H.264 rungs keep their SDR rate.
//  3. Size: vpack outputs square pixels (the encoder applies setsar=1), so the
//     work is in display space (Source.DisplaySize: SAR, then rotation). A
//     rung's Width x Height is a landscape box; for a portrait source it is
//     turned to portrait. The source's display aspect is fitted inside the
//     box and both sides are rounded to the nearest even number, never 0:
//     4:3 in 1920x1080 gives 1440x1080, 2.39:1 gives 1920x804, a 9:16 phone
//     video in the turned box gives 1080x1920.
//  4. No upscaling: a rung whose fitted size is wider or taller than the
//     source's display size is dropped, since upscaling spends bits on
//     detail that is not there. Two exceptions keep the top of the ladder
//     useful: when the source has at least 15 % more pixels than the largest
//     rung that fits, the smallest dropped rung (lowest bit rate among
//     equals) is kept at the source's display size rounded down to even,
//     with its bit rate interpolated by pixel count between the largest
//     kept rung of the same codec and its own (a 1600x900 source gets a
//     1600x900 rung at 5175 kbit/s between apple-h264's 720p 4500 and 1080p
//     6000); when no rung fits at all, the smallest is kept at the source
//     size with its bit rate scaled by the pixel ratio.
//  5. Frame rate: a rung with MaxFrameRate below the source rate gets the
//     source rate divided by the smallest integer that brings it to at most
//     MaxFrameRate (within 0.1 %), so frames are dropped evenly and the
//     rate stays exact: 50 -> 25, 60000/1001 -> 30000/1001, 60 -> 30,
//     120 -> 30. Other rungs get the source rate. FrameRate is always set,
//     in lowest terms.
//  6. Duplicates: of rungs with the same size, frame rate and codec whose
//     bit rates are within 10 % (the lower at least 90 % of the higher),
//     only the higher bit rate is kept: the extra bits cost little and a
//     player cannot tell the two apart.
//  7. Order: by bit rate, highest first (then larger picture, higher frame
//     rate, codec name), the order of HLS variants and DASH representations
//     vpack writes.
//  8. Names: a rung without a name gets "<short side>p-<kbps>k", e.g.
//     "720p-3000k" (a 720x1280 portrait rung is also "720p"), with
//     "-<codec>" appended when the ladder mixes codecs, and "-2", "-3" ...
//     when that name is already taken. Names are stable: the same ladder
//     and source give the same names.
//
// Zero MaxrateKbps and BufsizeKbps become 1.5x and 2x the bit rate, a nil
// Audio becomes DefaultAudio, and HDRBitrateKbps is 0 in the result.
//
// The error wraps ErrUnusableSource when src has no usable size, aspect,
// rotation or frame rate.
func Adapt(l Ladder, src Source, opts AdaptOptions) (Ladder, error) {
	if err := src.check(); err != nil {
		return Ladder{}, err
	}
	if opts.Codec != "" && !opts.Codec.IsVideo() {
		return Ladder{}, fmt.Errorf("adapt ladder %s: %s", l.Name, unknownCodec(opts.Codec, "a video codec", videoCodecs))
	}

	out := Ladder{
		Name:  l.Name,
		Codec: cmp.Or(opts.Codec, l.Codec, H264),
		Video: slices.Clone(l.Video),
		Audio: slices.Clone(l.Audio),
		// Analysis describes the rungs as chosen; Adapt of a per-title
		// ladder on its own source changes none of them.
		Analysis: l.Analysis,
	}
	for i := range out.Video {
		out.Video[i].Codec = cmp.Or(opts.Codec, out.Video[i].Codec, out.Codec)
	}
	if field, problem := check(out); field != "" {
		return Ladder{}, fmt.Errorf("adapt ladder %s: %s: %s", l.Name, field, problem)
	}
	fillDefaults(&out)

	dw, dh := src.displayAspect()
	srcW, srcH := src.DisplaySize()
	portrait := dh > dw
	srcRate := src.FrameRate.reduced()

	var kept, dropped []Rung
	for _, r := range out.Video {
		if src.HDR && r.Codec.carriesHDR() && r.HDRBitrateKbps > 0 {
			r.setBitrate(r.HDRBitrateKbps)
		}
		r.HDRBitrateKbps = 0
		boxW, boxH := r.Width, r.Height
		if portrait {
			boxW, boxH = boxH, boxW
		}
		r.Width, r.Height = fit(boxW, boxH, dw, dh)
		r.FrameRate = capRate(srcRate, r.MaxFrameRate)
		if r.Width > srcW || r.Height > srcH {
			dropped = append(dropped, r)
			continue
		}
		kept = append(kept, r)
	}
	if c, ok := clamped(kept, dropped, srcW, srcH); ok {
		kept = append(kept, c)
	}

	slices.SortStableFunc(kept, compareRungs)
	out.Video = dedupe(kept)
	nameRungs(out.Video)
	return out, nil
}

// fit returns the even size of a picture of display aspect dw:dh scaled to
// fit inside boxW x boxH, touching two opposite sides of the box.
func fit(boxW, boxH int, dw, dh float64) (w, h int) {
	if dw*float64(boxH) >= dh*float64(boxW) { // as wide as the box or wider
		return boxW, even(float64(boxW) * dh / dw)
	}
	return even(float64(boxH) * dw / dh), boxH
}

// even rounds x to the nearest even integer, at least 2: 4:2:0 chroma
// subsampling needs even sides.
func even(x float64) int {
	return max(2, int(math.Round(x/2))*2)
}

// evenDown rounds x down to an even integer, at least 2, so a size clamped
// to the source never exceeds it.
func evenDown(x int) int { return max(2, x&^1) }

// capRate returns src divided by the smallest integer n that brings it to at
// most maxFPS, or src when maxFPS is 0.
func capRate(src Rate, maxFPS float64) Rate {
	limit := maxFPS * fpsTolerance
	if maxFPS <= 0 || src.Float() <= limit {
		return src
	}
	n := int(math.Ceil(src.Float() / limit))
	return Rate{Num: src.Num, Den: src.Den * n}.reduced()
}

// clamped returns the rung to add at the source's own size, if rule 4 of
// Adapt asks for one.
func clamped(kept, dropped []Rung, srcW, srcH int) (Rung, bool) {
	if len(dropped) == 0 {
		return Rung{}, false
	}
	maxKept := 0
	for _, r := range kept {
		maxKept = max(maxKept, pixels(r))
	}
	if len(kept) > 0 && float64(srcW*srcH) < clampMinPixelRatio*float64(maxKept) {
		return Rung{}, false
	}
	c := slices.MinFunc(dropped, func(a, b Rung) int {
		return cmp.Or(cmp.Compare(pixels(a), pixels(b)), cmp.Compare(a.BitrateKbps, b.BitrateKbps))
	})
	fitted := pixels(c)
	c.Width, c.Height = evenDown(srcW), evenDown(srcH)

	// Interpolate between the largest kept rung of the same codec and c.
	var lo *Rung
	for i := range kept {
		r := &kept[i]
		if r.Codec != c.Codec {
			continue
		}
		if lo == nil || pixels(*r) > pixels(*lo) || pixels(*r) == pixels(*lo) && r.BitrateKbps > lo.BitrateKbps {
			lo = r
		}
	}
	if lo != nil && fitted > pixels(*lo) {
		f := float64(pixels(c)-pixels(*lo)) / float64(fitted-pixels(*lo))
		f = min(1, max(0, f))
		c.setBitrate(roundKbps(float64(lo.BitrateKbps) + f*float64(c.BitrateKbps-lo.BitrateKbps)))
	} else {
		c.setBitrate(roundKbps(float64(c.BitrateKbps) * float64(pixels(c)) / float64(fitted)))
	}
	return c, true
}

func pixels(r Rung) int { return r.Width * r.Height }

// setBitrate changes the average bit rate and moves the VBV peak and buffer
// with it: a default (1.5x, 2x) stays the default of the new rate, any other
// value scales by the same factor, and the peak stays within 1x-2x.
func (r *Rung) setBitrate(kbps int) {
	old := float64(r.BitrateKbps)
	scale := float64(kbps) / old
	if r.MaxrateKbps == roundKbps(old*defaultMaxrateFactor) {
		r.MaxrateKbps = roundKbps(float64(kbps) * defaultMaxrateFactor)
	} else {
		r.MaxrateKbps = min(maxMaxrateFactor*kbps, max(kbps, roundKbps(float64(r.MaxrateKbps)*scale)))
	}
	if r.BufsizeKbps == roundKbps(old*defaultBufsizeFactor) {
		r.BufsizeKbps = roundKbps(float64(kbps) * defaultBufsizeFactor)
	} else {
		r.BufsizeKbps = roundKbps(float64(r.BufsizeKbps) * scale)
	}
	r.BitrateKbps = kbps
}

// roundKbps rounds to a whole kbit/s, at least 1.
func roundKbps(x float64) int { return max(1, int(math.Round(x))) }

// compareRungs orders rungs highest bit rate first; ties go to the larger
// picture, then the higher frame rate, then the codec name.
func compareRungs(a, b Rung) int {
	return cmp.Or(
		cmp.Compare(b.BitrateKbps, a.BitrateKbps),
		cmp.Compare(pixels(b), pixels(a)),
		cmp.Compare(b.FrameRate.Float(), a.FrameRate.Float()),
		cmp.Compare(a.Codec, b.Codec),
	)
}

// dedupe drops rungs of sorted (highest bit rate first) that duplicate a
// rung kept before them: same size, frame rate and codec, and at least 90 %
// of its bit rate.
func dedupe(sorted []Rung) []Rung {
	type key struct {
		w, h  int
		rate  Rate
		codec Codec
	}
	lowest := map[key]int{} // lowest kept bit rate per key
	var out []Rung
	for _, r := range sorted {
		k := key{r.Width, r.Height, r.FrameRate, r.Codec}
		if prev, ok := lowest[k]; ok && float64(r.BitrateKbps) >= duplicateMinRateRatio*float64(prev) {
			continue
		}
		lowest[k] = r.BitrateKbps
		out = append(out, r)
	}
	return out
}

// nameRungs gives every unnamed rung its "<short side>p-<kbps>k" name (rule 8
// of Adapt). Names already set are kept and reserved first.
func nameRungs(rungs []Rung) {
	taken := map[string]bool{}
	codecs := map[Codec]bool{}
	for _, r := range rungs {
		if r.Name != "" {
			taken[r.Name] = true
		}
		codecs[r.Codec] = true
	}
	for i := range rungs {
		r := &rungs[i]
		if r.Name != "" {
			continue
		}
		base := fmt.Sprintf("%dp-%dk", min(r.Width, r.Height), r.BitrateKbps)
		if len(codecs) > 1 {
			base += "-" + string(r.Codec)
		}
		name := base
		for n := 2; taken[name]; n++ {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		taken[name] = true
		r.Name = name
	}
}
