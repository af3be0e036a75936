package packager

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/vpack-dev/vpack/manifest"
)

// SummaryVersion is the version of the package.json schema. Fields are only
// ever added within a version.
const SummaryVersion = 1

// Summary is package.json: what Run made, one entry per track (rung), with
// measured numbers. It holds no clock time or host-specific value, so the
// same inputs always give the same file.
type Summary struct {
	Version           int            `json:"version"`
	DurationMs        int64          `json:"duration_ms"`         // longest track
	SegmentDurationMs int64          `json:"segment_duration_ms"` // target
	SingleFile        bool           `json:"single_file"`
	Segments          int            `json:"segments"`    // most segments of any track
	TotalBytes        int64          `json:"total_bytes"` // all media files, init segments included
	Tracks            []TrackSummary `json:"tracks"`
	// DRM lists the DRM systems signalled for an encrypted package.
	DRM []string `json:"drm,omitempty"`
}

// TrackSummary describes one packaged track.
type TrackSummary struct {
	ID            string `json:"id"`
	Type          string `json:"type"`   // video, audio, text
	Source        string `json:"source"` // input path as given
	SourceTrackID uint32 `json:"source_track_id"`
	Codecs        string `json:"codecs"`

	Width     int     `json:"width,omitempty"`
	Height    int     `json:"height,omitempty"`
	FrameRate string  `json:"frame_rate,omitempty"` // exact: "25", "30000/1001"
	FPS       float64 `json:"fps,omitempty"`        // the same, rounded to 3 decimals
	SAR       string  `json:"sar,omitempty"`        // "1:1"

	Language   string `json:"language,omitempty"`
	Name       string `json:"name,omitempty"`
	Channels   int    `json:"channels,omitempty"`
	SampleRate int    `json:"sample_rate,omitempty"`
	Default    bool   `json:"default,omitempty"`
	Forced     bool   `json:"forced,omitempty"` // text: forced-narrative subtitles
	// Format is a text track's form: wvtt or stpp (CMAF), webvtt (HLS
	// segmented WebVTT), webvtt-sidecar (one WebVTT file).
	Format string `json:"format,omitempty"`

	// Image (thumbnail) tracks: thumbnails per tile image ("5x5"), the time
	// between thumbnails, and the WebVTT thumbnail track for web players.
	Layout     string `json:"layout,omitempty"`
	IntervalMs int64  `json:"interval_ms,omitempty"`
	VTT        string `json:"vtt,omitempty"`

	BandwidthBps        int64 `json:"bandwidth_bps"`         // peak segment bit rate
	AverageBandwidthBps int64 `json:"average_bandwidth_bps"` // all segments' bits / duration

	Timescale    uint32 `json:"timescale"`
	Samples      int    `json:"samples"`
	Keyframes    int    `json:"keyframes,omitempty"`
	Segments     int    `json:"segments"`
	Bytes        int64  `json:"bytes"` // init + media segments (or the single file)
	DurationMs   int64  `json:"duration_ms"`
	MinSegmentMs int64  `json:"min_segment_ms"`
	MaxSegmentMs int64  `json:"max_segment_ms"`
	// Encryption is the scheme (cenc, cbcs) of an encrypted track, KID its
	// key ID (a UUID: never the key), ClearSegments its clear lead.
	Encryption    string `json:"encryption,omitempty"`
	KID           string `json:"kid,omitempty"`
	ClearSegments int    `json:"clear_segments,omitempty"`
	Init          string `json:"init,omitempty"`  // multi-segment mode
	Media         string `json:"media,omitempty"` // single-file mode
	Playlist      string `json:"playlist"`
	FirstSegment  string `json:"first_segment,omitempty"`
	SegmentFormat string `json:"segment_format,omitempty"` // e.g. "video/1080p-5870k/seg-%05d.m4s"
}

func (p *plan) summary() Summary {
	s := Summary{
		Version:           SummaryVersion,
		SegmentDurationMs: p.target.Milliseconds(),
		SingleFile:        p.singleFile,
	}
	for _, t := range p.tracks {
		src := t.src
		peak, avg := t.bandwidth()
		ts := TrackSummary{
			ID: t.id, Type: string(src.kind), Source: src.src.name, SourceTrackID: src.trackID,
			Codecs: src.info.codecs, BandwidthBps: peak, AverageBandwidthBps: avg,
			Timescale: src.timescale, Samples: len(src.samples), Segments: len(t.segments),
			DurationMs: ticksToMs(src.durTicks(), src.timescale),
			Playlist:   t.playlistURI(),
		}
		if src.kind == manifest.Video {
			ts.Width, ts.Height = src.info.width, src.info.height
			if r := src.info.frameRate; r.Den != 0 {
				ts.FrameRate = fmt.Sprintf("%d/%d", r.Num, r.Den)
				if r.Den == 1 {
					ts.FrameRate = fmt.Sprint(r.Num)
				}
				ts.FPS = math.Round(float64(r.Num)/float64(r.Den)*1000) / 1000
			}
			ts.SAR = fmt.Sprintf("%d:%d", src.info.sarNum, src.info.sarDen)
			for i := range src.samples {
				if src.samples[i].sync {
					ts.Keyframes++
				}
			}
		} else {
			ts.Language, ts.Name, ts.Default = t.language, t.name, t.isDefault
			ts.Channels, ts.SampleRate = src.info.channels, src.info.sampleRate
		}
		ts.MinSegmentMs = math.MaxInt64
		for _, seg := range t.segments {
			ts.Bytes += seg.size
			d := ticksToMs(seg.durTicks, src.timescale)
			ts.MinSegmentMs, ts.MaxSegmentMs = min(ts.MinSegmentMs, d), max(ts.MaxSegmentMs, d)
		}
		if t.isSingle() {
			ts.Bytes += int64(len(t.init) + len(t.sidx))
			ts.Media = t.mediaURI()
		} else {
			ts.Bytes += int64(len(t.init))
			ts.Init = t.initURI()
			ts.FirstSegment = t.segments[0].uri
			ts.SegmentFormat = t.dir + "/seg-%05d.m4s"
		}
		if t.enc != nil {
			ts.Encryption, ts.KID, ts.ClearSegments = string(p.enc.Scheme), t.enc.key.KID.String(), t.enc.clearSegs
		}
		s.TotalBytes += ts.Bytes
		s.Segments = max(s.Segments, ts.Segments)
		s.DurationMs = max(s.DurationMs, t.endTime().Milliseconds())
		s.Tracks = append(s.Tracks, ts)
	}
	if p.enc != nil {
		for _, sys := range p.enc.systems() {
			s.DRM = append(s.DRM, sys.Name)
		}
	}
	return s
}

func ticksToMs(ticks uint64, timescale uint32) int64 {
	return int64(math.Round(float64(ticks) * 1000 / float64(timescale)))
}

func writeSummary(path string, s *Summary) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", SummaryFile, err)
	}
	if err := writeFileAtomic(path, append(data, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", SummaryFile, err)
	}
	return nil
}
