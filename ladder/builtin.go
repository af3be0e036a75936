package ladder

import (
	"fmt"
	"slices"
	"strings"
)

// Names of the built-in ladders.
const (
	AppleH264 = "apple-h264"
	AppleHEVC = "apple-hevc"

	// DefaultName is the fixed ladder vpack falls back to; `vpack encode`
	// defaults to AutoName (per-title) instead.
	DefaultName = AppleH264
)

// appleLowMaxFPS is the frame-rate cap of the low rungs of Apple's ladders,
// marked "≤30" in the HLS Authoring Specification table: small pictures gain
// little from 50/60 fps and need the bits for detail.
const appleLowMaxFPS = 30

// builtins maps a name to a function that builds a fresh copy, so callers may
// modify what Builtin returns.
var builtins = map[string]func() Ladder{
	AppleH264: appleH264,
	AppleHEVC: appleHEVC,
}

// Builtin returns the built-in ladder called name (see BuiltinNames), with
// MaxrateKbps and BufsizeKbps filled in (1.5x and 2x the bit rate) and the
// default audio (AAC-LC stereo 128 kbit/s). Each call returns a new copy.
//
// The error wraps ErrUnknownLadder when there is no such ladder.
func Builtin(name string) (Ladder, error) {
	f, ok := builtins[name]
	if !ok {
		return Ladder{}, fmt.Errorf("%w %q: built-in ladders are %s", ErrUnknownLadder, name, strings.Join(BuiltinNames(), ", "))
	}
	l := f()
	fillDefaults(&l)
	return l, nil
}

// BuiltinNames returns the names Builtin accepts, sorted.
func BuiltinNames() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// appleH264 is the H.264 column of the Apple HLS Authoring Specification's
// example ladder ("one possible set of bit rate variants", 16:9). It tops out
// at 1080p: Apple lists nothing bigger for H.264.
func appleH264() Ladder {
	r := func(w, h, kbps int, maxFPS float64) Rung {
		return Rung{Width: w, Height: h, Codec: H264, BitrateKbps: kbps, MaxFrameRate: maxFPS}
	}
	return Ladder{
		Name:  AppleH264,
		Codec: H264,
		Video: []Rung{
			r(416, 234, 145, appleLowMaxFPS),
			r(640, 360, 365, appleLowMaxFPS),
			r(768, 432, 730, appleLowMaxFPS),
			r(768, 432, 1100, appleLowMaxFPS),
			r(960, 540, 2000, 0),
			r(1280, 720, 3000, 0),
			r(1280, 720, 4500, 0),
			r(1920, 1080, 6000, 0),
			r(1920, 1080, 7800, 0),
		},
		Audio: DefaultAudio(),
	}
}

// appleHEVC is the HEVC column of the same table, with its HDR bit rates in
// HDRBitrateKbps; it goes up to 2160p.
func appleHEVC() Ladder {
	r := func(w, h, kbps, hdrKbps int, maxFPS float64) Rung {
		return Rung{Width: w, Height: h, Codec: HEVC, BitrateKbps: kbps, HDRBitrateKbps: hdrKbps, MaxFrameRate: maxFPS}
	}
	return Ladder{
		Name:  AppleHEVC,
		Codec: HEVC,
		Video: []Rung{
			r(640, 360, 145, 160, appleLowMaxFPS),
			r(768, 432, 300, 360, appleLowMaxFPS),
			r(960, 540, 600, 730, appleLowMaxFPS),
			r(960, 540, 900, 1090, appleLowMaxFPS),
			r(960, 540, 1600, 1930, 0),
			r(1280, 720, 2400, 2900, 0),
			r(1280, 720, 3400, 4080, 0),
			r(1920, 1080, 4500, 5400, 0),
			r(1920, 1080, 5800, 7000, 0),
			r(2560, 1440, 8100, 9700, 0),
			r(3840, 2160, 11600, 13900, 0),
			r(3840, 2160, 16800, 20000, 0),
		},
		Audio: DefaultAudio(),
	}
}

// Defaults for the VBV model, as multiples of the average bit rate. 1.5x peak
// leaves room for hard scenes while staying well inside Apple's rule that a
// VOD variant's peak is at most 200 % of its average; a 2x buffer lets the
// encoder spread a peak over about two seconds, one IDR interval.
const (
	defaultMaxrateFactor = 1.5
	defaultBufsizeFactor = 2.0
	maxMaxrateFactor     = 2
)

// fillDefaults sets the zero MaxrateKbps, BufsizeKbps, rung codecs and audio
// of a checked ladder to their defaults.
func fillDefaults(l *Ladder) {
	if l.Codec == "" {
		l.Codec = H264
	}
	for i := range l.Video {
		r := &l.Video[i]
		if r.Codec == "" {
			r.Codec = l.Codec
		}
		if r.MaxrateKbps == 0 {
			r.MaxrateKbps = roundKbps(float64(r.BitrateKbps) * defaultMaxrateFactor)
		}
		if r.BufsizeKbps == 0 {
			r.BufsizeKbps = roundKbps(float64(r.BitrateKbps) * defaultBufsizeFactor)
		}
	}
	if l.Audio == nil {
		l.Audio = DefaultAudio()
	}
	for i := range l.Audio {
		a := &l.Audio[i]
		if a.Codec == "" {
			a.Codec = AAC
		}
		if a.Channels == 0 {
			a.Channels = 2
		}
	}
}
