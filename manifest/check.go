package manifest

import (
	"fmt"
	"math"
)

// checkPresentation verifies the parts of the model's contract both writers
// rely on, so that they can format without further checks. hls adds the
// HLS-only fields (playlist URIs).
func checkPresentation(p *Presentation, hls bool) error {
	if p == nil || len(p.Tracks) == 0 {
		return fmt.Errorf("no tracks: %w", ErrInvalid)
	}
	ids := make(map[string]bool, len(p.Tracks))
	files := make(map[string]string)
	claim := func(id, u string) error {
		if other, ok := files[u]; ok {
			return fmt.Errorf("track %s: %s is also used by track %s: %w", id, u, other, ErrInvalid)
		}
		files[u] = id
		return nil
	}
	for i := range p.Tracks {
		t := &p.Tracks[i]
		if t.ID == "" {
			return fmt.Errorf("track %d: empty ID: %w", i, ErrInvalid)
		}
		if err := checkText(t.ID); err != nil {
			return fmt.Errorf("track %d: ID %w: %w", i, err, ErrInvalid)
		}
		if ids[t.ID] {
			return fmt.Errorf("track %s: duplicate ID: %w", t.ID, ErrInvalid)
		}
		ids[t.ID] = true
		if err := checkTrack(t, p.SingleFile); err != nil {
			return fmt.Errorf("track %s: %w", t.ID, err)
		}
		if err := checkProtection(t); err != nil {
			return err
		}
		if !hls {
			continue
		}
		if err := checkURI(t.PlaylistURI); err != nil {
			return fmt.Errorf("track %s: playlist: %w: %w", t.ID, err, ErrInvalid)
		}
		if err := claim(t.ID, t.PlaylistURI); err != nil {
			return err
		}
		if t.IFramePlaylistURI == "" {
			continue
		}
		if t.Type != Video || len(t.IFrames) == 0 {
			return fmt.Errorf("track %s: I-frame playlist without video I-frames: %w", t.ID, ErrInvalid)
		}
		if err := checkURI(t.IFramePlaylistURI); err != nil {
			return fmt.Errorf("track %s: I-frame playlist: %w: %w", t.ID, err, ErrInvalid)
		}
		if err := claim(t.ID, t.IFramePlaylistURI); err != nil {
			return err
		}
	}
	return nil
}

// checkTrack verifies one track: media type, codecs, timescale, video
// geometry, and that every segment can be addressed in the chosen mode.
func checkTrack(t *Track, single bool) error {
	switch t.Type {
	case Video:
		if t.Width <= 0 || t.Height <= 0 {
			return fmt.Errorf("video size %dx%d: %w", t.Width, t.Height, ErrInvalid)
		}
		if !rateValid(t.FrameRate) {
			return fmt.Errorf("frame rate %d/%d: %w", t.FrameRate.Num, t.FrameRate.Den, ErrInvalid)
		}
		if (t.SARNum == 0) != (t.SARDen == 0) || t.SARNum < 0 || t.SARDen < 0 {
			return fmt.Errorf("sample aspect ratio %d:%d: %w", t.SARNum, t.SARDen, ErrInvalid)
		}
	case Audio, Text:
	default:
		return fmt.Errorf("type %q: %w", t.Type, ErrInvalid)
	}
	if t.Codecs == "" {
		return fmt.Errorf("no codecs: %w", ErrInvalid)
	}
	for _, s := range []string{t.Codecs, t.Language, t.Name} {
		if err := checkText(s); err != nil {
			return fmt.Errorf("%w: %w", err, ErrInvalid)
		}
	}
	if t.BandwidthBps < 0 || t.AverageBandwidthBps < 0 || t.BandwidthBps > math.MaxUint32 || t.AverageBandwidthBps > math.MaxUint32 {
		return fmt.Errorf("bit rate %d/%d bit/s out of range: %w", t.BandwidthBps, t.AverageBandwidthBps, ErrInvalid)
	}
	if t.Timescale == 0 {
		return fmt.Errorf("timescale 0: %w", ErrInvalid)
	}
	if len(t.Segments) == 0 {
		return fmt.Errorf("no segments: %w", ErrInvalid)
	}
	if single {
		if err := checkURI(t.MediaURI); err != nil {
			return fmt.Errorf("media file: %w: %w", err, ErrInvalid)
		}
		if !rangeValid(t.InitRange) {
			return fmt.Errorf("init range %d@%d: %w", t.InitRange.Length, t.InitRange.Offset, ErrInvalid)
		}
		if t.IndexRange != (ByteRange{}) && !rangeValid(t.IndexRange) {
			return fmt.Errorf("index range %d@%d: %w", t.IndexRange.Length, t.IndexRange.Offset, ErrInvalid)
		}
	} else if err := checkURI(t.InitURI); err != nil {
		return fmt.Errorf("init segment: %w: %w", err, ErrInvalid)
	}
	for i, s := range t.Segments {
		if s.DurTicks == 0 {
			return fmt.Errorf("segment %d: zero duration: %w", i+1, ErrInvalid)
		}
		if single {
			if !rangeValid(s.Range) {
				return fmt.Errorf("segment %d: byte range %d@%d: %w", i+1, s.Range.Length, s.Range.Offset, ErrInvalid)
			}
		} else if err := checkURI(s.URI); err != nil {
			return fmt.Errorf("segment %d: %w: %w", i+1, err, ErrInvalid)
		}
	}
	for i, f := range t.IFrames {
		if f.DurTicks == 0 || !rangeValid(f.Range) {
			return fmt.Errorf("I-frame %d: duration %d, range %d@%d: %w", i+1, f.DurTicks, f.Range.Length, f.Range.Offset, ErrInvalid)
		}
		if f.URI == "" && single {
			continue // the single file
		}
		if err := checkURI(f.URI); err != nil {
			return fmt.Errorf("I-frame %d: %w: %w", i+1, err, ErrInvalid)
		}
	}
	return nil
}

func rangeValid(r ByteRange) bool {
	return r.Length > 0 && r.Offset >= 0 && r.Offset <= math.MaxInt64-r.Length
}
