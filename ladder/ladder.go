package ladder

import "fmt"

// Codec is a video or audio codec vpack can encode.
type Codec string

const (
	H264 Codec = "h264"
	HEVC Codec = "hevc"
	AV1  Codec = "av1"

	AAC  Codec = "aac"  // AAC-LC
	EAC3 Codec = "eac3" // Dolby Digital Plus, for 5.1
	Opus Codec = "opus"
)

// videoCodecs and audioCodecs are the codecs a ladder may name, in the order
// error messages list them.
var (
	videoCodecs = []Codec{H264, HEVC, AV1}
	audioCodecs = []Codec{AAC, EAC3, Opus}
)

// IsVideo reports whether c is a video codec vpack encodes.
func (c Codec) IsVideo() bool { return contains(videoCodecs, c) }

// IsAudio reports whether c is an audio codec vpack encodes.
func (c Codec) IsAudio() bool { return contains(audioCodecs, c) }

// carriesHDR reports whether c can carry an HDR10/HLG picture in vpack's
// outputs. H.264 is always encoded SDR, so it never uses HDR bit rates.
func (c Codec) carriesHDR() bool { return c == HEVC || c == AV1 }

func contains(cs []Codec, c Codec) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// Ladder is a set of video rungs and the audio renditions that go with them.
//
// A ladder comes from Builtin, Parse/Load or Resolve and is then fitted to one
// source with Adapt; only an adapted ladder is ready to encode.
type Ladder struct {
	Name string `json:"name,omitempty"`
	// Codec is the video codec of rungs that do not name one. Empty means
	// H.264.
	Codec Codec  `json:"codec,omitempty"`
	Video []Rung `json:"video"`
	// Audio is applied to every audio track of the source. nil means
	// DefaultAudio; an empty, non-nil list means no audio renditions.
	Audio []Audio `json:"audio,omitempty"`
	// Analysis is set on per-title ladders (PerTitle): the measured
	// points, hull and calibration the rungs were chosen from. Adapt and
	// encoding ignore it.
	Analysis *Analysis `json:"analysis,omitempty"`
}

// Rung is one video rendition of a ladder.
//
// In a ladder as written (built-in or file) Width x Height is a landscape box
// (16:9 in the built-ins) the picture is fitted into; after Adapt it is the
// exact, even output size for this source, portrait for portrait sources.
type Rung struct {
	Name        string  `json:"name,omitempty"` // stable ID, e.g. "720p-3000k"; Adapt fills it in when empty
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	Codec       Codec   `json:"codec,omitempty"`        // default: the ladder's or --codec
	BitrateKbps int     `json:"bitrate_kbps"`           // target average bit rate
	MaxrateKbps int     `json:"maxrate_kbps,omitempty"` // VBV peak; default 1.5x bitrate, never above 2x
	BufsizeKbps int     `json:"bufsize_kbps,omitempty"` // VBV buffer; default 2x bitrate
	CRF         float64 `json:"crf,omitempty"`          // optional capped CRF instead of ABR
	// MaxFrameRate caps the frame rate of this rung (e.g. 30 for Apple's low
	// rungs); 0 means the source frame rate. After Adapt, FrameRate holds the
	// exact output rate.
	MaxFrameRate float64 `json:"max_fps,omitempty"`
	FrameRate    Rate    `json:"frame_rate,omitempty"`
	// HDRBitrateKbps is the average bit rate to use instead of BitrateKbps
	// when the source is HDR (PQ or HLG) and the rung's codec carries HDR
	// (HEVC, AV1): an HDR picture needs about 20 % more bits for the same
	// quality (Apple HLS Authoring Specification, HEVC table). 0 means
	// BitrateKbps. Adapt consumes it: after Adapt BitrateKbps is the rate to
	// encode and HDRBitrateKbps is 0.
	HDRBitrateKbps int `json:"hdr_bitrate_kbps,omitempty"`
}

// Rate is an exact frame rate, e.g. 30000/1001. Zero means "same as source".
// Source also uses it for the sample aspect ratio.
type Rate struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Float returns Num/Den, or 0 when unset.
func (r Rate) Float() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// IsZero reports whether the rate is unset.
func (r Rate) IsZero() bool { return r.Num == 0 || r.Den == 0 }

// String formats the rate as ffmpeg takes it: "30000/1001", or "25" when the
// denominator is 1.
func (r Rate) String() string {
	if r.Den == 1 {
		return fmt.Sprint(r.Num)
	}
	return fmt.Sprintf("%d/%d", r.Num, r.Den)
}

// reduced returns r in lowest terms with a positive denominator, so that
// equal rates compare equal (60000/2002 becomes 30000/1001).
func (r Rate) reduced() Rate {
	if r.Den == 0 {
		return r
	}
	if r.Den < 0 {
		r.Num, r.Den = -r.Num, -r.Den
	}
	g := gcd(abs(r.Num), r.Den)
	if g > 1 {
		r.Num, r.Den = r.Num/g, r.Den/g
	}
	return r
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Audio is one audio rendition kind applied to every audio track of the source.
type Audio struct {
	Codec       Codec `json:"codec"`        // aac (default), eac3, opus
	BitrateKbps int   `json:"bitrate_kbps"` // per track
	Channels    int   `json:"channels"`     // 2 for stereo, 6 for 5.1
}

// DefaultAudio is the audio of the built-in ladders and of ladder files that
// do not say: AAC-LC stereo at 128 kbit/s, which every HLS and DASH player
// decodes (Apple HLS Authoring Specification lists AAC-LC stereo as the
// baseline audio).
func DefaultAudio() []Audio {
	return []Audio{{Codec: AAC, BitrateKbps: 128, Channels: 2}}
}
