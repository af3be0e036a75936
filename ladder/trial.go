package ladder

import (
	"context"
	"time"
)

// Trialer runs what per-title analysis has to measure on the source: one
// cheap scan of the whole title, and trial encodes of sample windows scored
// at the display resolution. package encode implements it (encode.Trials)
// with ffmpeg; ladder only decides what to measure and what the
// measurements mean, so the search, hull fitting and rung selection run
// (and are tested) without ffmpeg. ladder defines the interface because
// encode imports ladder, never the reverse.
type Trialer interface {
	// ID identifies the source's content and every setting that changes
	// results (probe preset, metric and its model), but not the Trial
	// fields: NewTrialCache keys its entries with it.
	ID() string
	// Scan measures the complexity of the whole title, frame by frame.
	Scan(ctx context.Context) (Scan, error)
	// Encode encodes windows of the source (concatenated, a keyframe at
	// each window start) once per trial and scores each against the
	// source at its display size. It returns one point per trial, in
	// order. A trial's Preset "" means the trialer's fast probe preset.
	Encode(ctx context.Context, windows []Window, trials []Trial) ([]Point, error)
}

// Scan is the complexity of a title, from ffmpeg's siti and scdet filters.
type Scan struct {
	Duration time.Duration `json:"duration_ns"`
	Frames   []FrameStat   `json:"frames"`
}

// FrameStat is one frame of a Scan. SI and TI are ITU-T P.910 spatial and
// temporal information (0 to about 255); Scene is scdet's score, 0-100,
// high on a cut.
type FrameStat struct {
	Time  time.Duration `json:"t_ns"`
	SI    float64       `json:"si"`
	TI    float64       `json:"ti"`
	Scene float64       `json:"scene"`
}

// Window is a stretch of the source that trial encodes use instead of the
// whole title.
type Window struct {
	Start    time.Duration `json:"start_ns"`
	Duration time.Duration `json:"duration_ns"`
}

// Trial is one trial encode: a picture size and frame rate, a codec and a
// constant rate factor, encoded without a rate cap.
type Trial struct {
	Width     int     `json:"width"` // exact output size, even
	Height    int     `json:"height"`
	FrameRate Rate    `json:"frame_rate"` // zero: the source's
	Codec     Codec   `json:"codec"`
	CRF       float64 `json:"crf"`
	// Preset is the encoder preset; "" means the trialer's probe preset.
	Preset string `json:"preset,omitempty"`
}

// Point is a measured trial: the bit rate of the encoded windows and their
// quality at the display resolution, in the metric's unit (VMAF 0-100,
// PSNR-Y dB, SSIM 0-1).
type Point struct {
	Trial
	BitrateKbps float64 `json:"bitrate_kbps"`
	Quality     float64 `json:"quality"`
}
