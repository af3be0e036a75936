package ladder

import (
	"fmt"
	"strings"
)

// Limits a rung must respect. maxSide is the largest picture side of HEVC
// level 6.2 and AV1 level 6.x (8192x4320); nothing vpack targets decodes more.
const (
	maxSide     = 8192
	maxCRFX26x  = 51 // x264 and x265 CRF scale
	maxCRFAV1   = 63 // SVT-AV1 and libaom CRF scale
	maxRungFPS  = 300
	maxChannels = 8 // 7.1
)

// check reports the first problem of l as the field it is in ("video[2]",
// "audio[0]", "codec") and a sentence that says what is wrong; field is ""
// when l is usable. Zero MaxrateKbps and BufsizeKbps are fine: they mean the
// defaults. Messages use the JSON field names, because users meet them while
// editing a ladder file.
func check(l Ladder) (field, problem string) {
	if l.Codec != "" && !l.Codec.IsVideo() {
		return "codec", unknownCodec(l.Codec, "a video codec", videoCodecs)
	}
	if len(l.Video) == 0 {
		return "video", "must have at least one rung"
	}
	names := map[string]int{}
	for i, r := range l.Video {
		field := fmt.Sprintf("video[%d]", i)
		if p := checkRung(r, l.Codec); p != "" {
			return field, p
		}
		if r.Name != "" {
			if j, ok := names[r.Name]; ok {
				return field, fmt.Sprintf("name %q is already used by video[%d]", r.Name, j)
			}
			names[r.Name] = i
		}
	}
	for i, a := range l.Audio {
		if p := checkAudio(a); p != "" {
			return fmt.Sprintf("audio[%d]", i), p
		}
	}
	return "", ""
}

func checkRung(r Rung, ladderCodec Codec) string {
	if p := checkSide("width", r.Width); p != "" {
		return p
	}
	if p := checkSide("height", r.Height); p != "" {
		return p
	}
	if r.Height > r.Width {
		return fmt.Sprintf("%dx%d is portrait: write rungs as landscape boxes, Adapt turns them for portrait sources", r.Width, r.Height)
	}
	codec := r.Codec
	if codec == "" {
		codec = ladderCodec
	}
	if codec == "" {
		codec = H264
	}
	if !codec.IsVideo() {
		return unknownCodec(codec, "a video codec", videoCodecs)
	}
	if r.BitrateKbps <= 0 {
		return "bitrate_kbps must be > 0"
	}
	if r.HDRBitrateKbps < 0 {
		return "hdr_bitrate_kbps must be >= 0 (0 means bitrate_kbps)"
	}
	switch {
	case r.MaxrateKbps < 0:
		return "maxrate_kbps must be >= 0 (0 means 1.5x bitrate_kbps)"
	case r.MaxrateKbps == 0:
	case r.MaxrateKbps < r.BitrateKbps:
		return fmt.Sprintf("maxrate_kbps %d is less than bitrate_kbps %d (peak cannot be below average)", r.MaxrateKbps, r.BitrateKbps)
	case r.MaxrateKbps > maxMaxrateFactor*r.BitrateKbps:
		return fmt.Sprintf("maxrate_kbps %d is more than 2x bitrate_kbps %d (peak must stay <= 2x average)", r.MaxrateKbps, r.BitrateKbps)
	}
	if r.BufsizeKbps < 0 {
		return "bufsize_kbps must be >= 0 (0 means 2x bitrate_kbps)"
	}
	maxCRF := float64(maxCRFX26x)
	if codec == AV1 {
		maxCRF = maxCRFAV1
	}
	if r.CRF < 0 || r.CRF > maxCRF {
		return fmt.Sprintf("crf %g is out of range 0-%g for %s (0 means no CRF)", r.CRF, maxCRF, codec)
	}
	if r.MaxFrameRate != 0 && (r.MaxFrameRate < 1 || r.MaxFrameRate > maxRungFPS) {
		return fmt.Sprintf("max_fps %g must be 0 (the source frame rate) or between 1 and %d", r.MaxFrameRate, maxRungFPS)
	}
	return ""
}

func checkSide(name string, v int) string {
	switch {
	case v <= 0:
		return name + " must be > 0"
	case v%2 != 0:
		return fmt.Sprintf("%s %d must be even (4:2:0 chroma needs even sizes)", name, v)
	case v > maxSide:
		return fmt.Sprintf("%s %d is more than %d", name, v, maxSide)
	}
	return ""
}

func checkAudio(a Audio) string {
	codec := a.Codec
	if codec == "" {
		codec = AAC
	}
	if !codec.IsAudio() {
		return unknownCodec(codec, "an audio codec", audioCodecs)
	}
	if a.BitrateKbps <= 0 {
		return "bitrate_kbps must be > 0"
	}
	if a.Channels < 0 || a.Channels > maxChannels {
		return fmt.Sprintf("channels %d must be between 1 and %d (0 means 2)", a.Channels, maxChannels)
	}
	return ""
}

// unknownCodec says which codecs are allowed; what is "a video codec" or
// "an audio codec".
func unknownCodec(c Codec, what string, known []Codec) string {
	names := make([]string, len(known))
	for i, k := range known {
		names[i] = string(k)
	}
	return fmt.Sprintf("codec %q is not %s vpack encodes (%s)", c, what, strings.Join(names, ", "))
}
