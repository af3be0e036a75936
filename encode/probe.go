package encode

import "time"

// Probe is what vpack knows about an input file, read with ffprobe.
// It is a typed view of `ffprobe -show_format -show_streams`; fields hold
// values already interpreted (rotation from side data, HDR from the transfer
// characteristic), so callers never parse ffprobe strings.
type Probe struct {
	Path        string           `json:"path"`
	Container   string           `json:"container"` // ffprobe format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	Duration    time.Duration    `json:"duration_ns"`
	SizeBytes   int64            `json:"size_bytes"`
	BitrateKbps int              `json:"bitrate_kbps,omitempty"`
	Video       []VideoStream    `json:"video"`
	Audio       []AudioStream    `json:"audio"`
	Subtitles   []SubtitleStream `json:"subtitles,omitempty"`
}

// Rational is an exact ratio such as a frame rate (30000/1001) or an aspect
// ratio (16/9). A zero Den means unknown.
type Rational struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Float returns Num/Den, or 0 when Den is 0.
func (r Rational) Float() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// VideoStream describes one video stream of the input.
type VideoStream struct {
	Index             int      `json:"index"` // ffprobe stream index in the file
	Codec             string   `json:"codec"` // ffprobe codec_name: h264, hevc, prores, ...
	Profile           string   `json:"profile,omitempty"`
	Width             int      `json:"width"`      // coded picture width, before SAR and rotation
	Height            int      `json:"height"`     // coded picture height
	SAR               Rational `json:"sar"`        // sample (pixel) aspect ratio; 1:1 when square
	DAR               Rational `json:"dar"`        // display aspect ratio of the unrotated picture
	Rotation          int      `json:"rotation"`   // degrees clockwise the picture must be turned for display: 0, 90, 180, 270
	FrameRate         Rational `json:"frame_rate"` // nominal (r_frame_rate / avg_frame_rate)
	VariableFrameRate bool     `json:"variable_frame_rate"`
	PixFmt            string   `json:"pix_fmt"`
	BitDepth          int      `json:"bit_depth"`
	ColorTransfer     string   `json:"color_transfer,omitempty"` // ffprobe color_transfer: bt709, smpte2084, arib-std-b67
	HDR               bool     `json:"hdr"`                      // PQ (smpte2084) or HLG (arib-std-b67) transfer
	Frames            int64    `json:"frames,omitempty"`         // nb_frames when the container states it
	BitrateKbps       int      `json:"bitrate_kbps,omitempty"`
	Default           bool     `json:"default"`
}

// DisplaySize returns the width and height a viewer sees: SAR applied to the
// width, then rotated.
func (v VideoStream) DisplaySize() (w, h int) {
	w, h = v.Width, v.Height
	if v.SAR.Num > 0 && v.SAR.Den > 0 && v.SAR.Num != v.SAR.Den {
		w = int(float64(w)*v.SAR.Float() + 0.5)
	}
	if v.Rotation == 90 || v.Rotation == 270 {
		w, h = h, w
	}
	return w, h
}

// AudioStream describes one audio stream of the input.
type AudioStream struct {
	Index         int    `json:"index"`
	Codec         string `json:"codec"`
	Profile       string `json:"profile,omitempty"`
	SampleRate    int    `json:"sample_rate"`
	Channels      int    `json:"channels"`
	ChannelLayout string `json:"channel_layout,omitempty"` // e.g. stereo, 5.1(side)
	Language      string `json:"language,omitempty"`       // ISO 639-2 tag as in the file, "" when absent or "und"
	Title         string `json:"title,omitempty"`
	BitrateKbps   int    `json:"bitrate_kbps,omitempty"`
	Default       bool   `json:"default"`
}

// SubtitleStream describes a subtitle stream of the input (listed by probe;
// subtitles are handled by the subtitles issue).
type SubtitleStream struct {
	Index    int    `json:"index"`
	Codec    string `json:"codec"`
	Language string `json:"language,omitempty"`
}
