package cmdutil

import (
	"slices"
	"time"

	"github.com/vpack-dev/vpack/ladder"
)

// Presets are the --preset names every encoding command accepts; encode
// maps each to the encoder's own presets.
var Presets = []string{"ultrafast", "veryfast", "faster", "fast", "medium", "slow", "slower"}

// CheckEncodeFlags validates the encoding flags shared by `vpack encode` and
// `vpack batch`, returning a *FlagError for the first bad one.
func CheckEncodeFlags(codec, preset string, segment time.Duration, audioCodec, surround string) error {
	switch ladder.Codec(codec) {
	case "", ladder.H264, ladder.HEVC, ladder.AV1:
	default:
		return FlagErrorf("--codec must be h264, hevc or av1, not %q", codec)
	}
	if !slices.Contains(Presets, preset) {
		return FlagErrorf("--preset must be one of %v, not %q", Presets, preset)
	}
	if segment < time.Second || segment > 30*time.Second {
		return FlagErrorf("--segment-duration must be between 1s and 30s, not %s", segment)
	}
	switch audioCodec {
	case "aac", "opus":
	default:
		return FlagErrorf("--audio-codec must be aac or opus, not %q", audioCodec)
	}
	switch surround {
	case "none", "eac3":
	default:
		return FlagErrorf("--surround must be eac3 or none, not %q", surround)
	}
	return nil
}
