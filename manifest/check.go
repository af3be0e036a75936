package manifest

import (
	"fmt"
	"math"
)

// checkPresentation verifies the parts of the model's contract both writers
// rely on, so that they can format without further checks. Every track is
// checked, also those the manifest being written leaves out (Track.Only).
// hls adds the HLS-only fields (playlist URIs) of the tracks HLS carries.
func checkPresentation(p *Presentation, hls bool) error {
	if p == nil || len(p.Tracks) == 0 {
		return fmt.Errorf("no tracks: %w", ErrInvalid)
	}
	mine := 0
	for i := range p.Tracks {
		if hls && p.Tracks[i].inHLS() || !hls && p.Tracks[i].inDASH() {
			mine++
		}
	}
	if mine == 0 {
		return fmt.Errorf("no tracks for this manifest (Track.Only): %w", ErrInvalid)
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
		if !hls && t.sideCar() && len(t.Segments) != 1 {
			// ReadHLS gives such tracks (it cannot know Only): HLS takes
			// them, DASH cannot.
			return fmt.Errorf("track %s: %s with %d segments in DASH: DASH has no segmented WebVTT, so it must be one side-car file (one segment) or Only %q: %w",
				t.ID, t.MimeType, len(t.Segments), HLS, ErrInvalid)
		}
		if !hls || !t.inHLS() {
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
// Plain-file tracks (see plainfile.go) are addressed by file in both modes.
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
	case Audio, Text, Image:
	default:
		return fmt.Errorf("type %q: %w", t.Type, ErrInvalid)
	}
	if err := checkForm(t); err != nil {
		return err
	}
	if t.Codecs == "" && !t.plain() {
		return fmt.Errorf("no codecs: %w", ErrInvalid)
	}
	for _, s := range []string{t.Codecs, t.Language, t.Name, t.Characteristics} {
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
	if t.plain() {
		for i := range t.Segments {
			if t.Segments[i].DurTicks == 0 {
				return fmt.Errorf("segment %d: zero duration: %w", i+1, ErrInvalid)
			}
			if err := checkURI(t.segmentURI(i)); err != nil {
				return fmt.Errorf("segment %d: %w: %w", i+1, err, ErrInvalid)
			}
		}
		return nil
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

// checkForm verifies the fields that say what form a track takes: Only,
// the text-only and image-only fields, and the plain-file MIME types with
// what they need (see plainfile.go).
func checkForm(t *Track) error {
	switch t.Only {
	case "", HLS, DASH:
	default:
		return fmt.Errorf("only %q: want %q, %q or none: %w", t.Only, HLS, DASH, ErrInvalid)
	}
	if t.Forced && t.Type != Text {
		return fmt.Errorf("forced %s track: only subtitles are forced (RFC 8216 §4.3.4.1: FORCED only with TYPE=SUBTITLES): %w", t.Type, ErrInvalid)
	}
	if t.Characteristics != "" && t.Type != Text && t.Type != Audio {
		return fmt.Errorf("characteristics on a %s track: only renditions (audio, text) have them: %w", t.Type, ErrInvalid)
	}
	if (t.TileCols != 0 || t.TileRows != 0 || t.ThumbnailDurTicks != 0) && t.Type != Image {
		return fmt.Errorf("tiles %dx%d of %d ticks on a %s track: only image tracks have them: %w",
			t.TileCols, t.TileRows, t.ThumbnailDurTicks, t.Type, ErrInvalid)
	}
	if t.MimeType == "" {
		if t.Type == Image {
			return fmt.Errorf("image track without MIME type: want %s: %w", MimeTypeJPEG, ErrInvalid)
		}
		return nil
	}
	pc, ok := plainCodecs[t.MimeType]
	switch {
	case !ok:
		return fmt.Errorf("MIME type %q: want %s, %s or none (fragmented MP4): %w", t.MimeType, MimeTypeWebVTT, MimeTypeJPEG, ErrInvalid)
	case pc.typ != t.Type:
		return fmt.Errorf("MIME type %s is for %s tracks, not %s: %w", t.MimeType, pc.typ, t.Type, ErrInvalid)
	case t.Codecs != "" && t.Codecs != pc.codecs:
		return fmt.Errorf("codecs %q for %s: want %q or none: %w", t.Codecs, t.MimeType, pc.codecs, ErrInvalid)
	case t.Protection != nil:
		return fmt.Errorf("protection on a %s track: only CMAF tracks are encrypted: %w", t.MimeType, ErrInvalid)
	case t.InitURI != "" || t.InitRange != (ByteRange{}) || t.IndexRange != (ByteRange{}):
		return fmt.Errorf("init segment or index for a %s track: plain files have none: %w", t.MimeType, ErrInvalid)
	}
	if t.MimeType == MimeTypeWebVTT && len(t.Segments) == 1 {
		if u := t.Segments[0].URI; t.MediaURI != "" && u != "" && u != t.MediaURI {
			return fmt.Errorf("side-car file %s and segment %s differ: %w", t.MediaURI, u, ErrInvalid)
		}
	}
	if t.Type == Image {
		if t.TileCols < 1 || t.TileRows < 1 {
			return fmt.Errorf("tiles %dx%d: want at least 1x1 thumbnails per image: %w", t.TileCols, t.TileRows, ErrInvalid)
		}
		if t.Width <= 0 || t.Height <= 0 || t.Width%t.TileCols != 0 || t.Height%t.TileRows != 0 {
			return fmt.Errorf("tile image %dx%d does not split into %dx%d thumbnails of whole pixels: %w",
				t.Width, t.Height, t.TileCols, t.TileRows, ErrInvalid)
		}
		if d := t.ThumbnailDurTicks; d > 0 && len(t.Segments) > 0 {
			n := uint64(t.TileCols) * uint64(t.TileRows)
			if d > math.MaxUint64/n {
				return fmt.Errorf("thumbnails of %d ticks: %w", d, ErrInvalid)
			}
			for i, s := range t.Segments[:len(t.Segments)-1] { // the last may run to the end
				if s.DurTicks > d*n {
					return fmt.Errorf("segment %d: %d ticks hold more than %d thumbnails of %d ticks: %w", i+1, s.DurTicks, n, d, ErrInvalid)
				}
			}
		}
	}
	return nil
}
