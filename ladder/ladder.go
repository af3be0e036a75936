package ladder

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

// Ladder is a set of video rungs and the audio renditions that go with them.
type Ladder struct {
	Name  string  `json:"name,omitempty"`
	Video []Rung  `json:"video"`
	Audio []Audio `json:"audio,omitempty"`
}

// Rung is one video rendition of a ladder.
//
// In a ladder as written (built-in or file) Width x Height is the 16:9 target
// size; after Adapt it is the exact, even output size for this source.
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
}

// Rate is an exact frame rate, e.g. 30000/1001. Zero means "same as source".
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

// Audio is one audio rendition kind applied to every audio track of the source.
type Audio struct {
	Codec       Codec `json:"codec"`        // aac (default), eac3, opus
	BitrateKbps int   `json:"bitrate_kbps"` // per track
	Channels    int   `json:"channels"`     // 2 for stereo, 6 for 5.1
}
