package packager

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/Eyevinn/mp4ff/bits"
	"github.com/Eyevinn/mp4ff/mp4"
)

// maxMetaBoxBytes bounds the moov and moof boxes read into memory. A 10-hour
// progressive moov is a few tens of MB; anything bigger is corrupt.
const maxMetaBoxBytes = 256 << 20

// source is one opened input file and the tracks read from its metadata.
// Sample data stays in the file: tracks hold byte ranges into it.
type source struct {
	in         Input
	name       string // the path as the user gave it, for messages
	f          *os.File
	size       int64
	fragmented bool
	tracks     []*srcTrack
}

// knownTopLevel are the box types an MP4 file may start with; anything else
// at offset 0 means the file is not an MP4.
var knownTopLevel = map[string]bool{
	"ftyp": true, "styp": true, "moov": true, "mdat": true, "free": true, "skip": true,
	"wide": true, "pdin": true, "moof": true, "sidx": true, "uuid": true, "meta": true,
}

// openSource opens in.Path and reads its metadata: the moov box and, for
// fragmented files, every moof box. mdat boxes are skipped, never read.
func openSource(in Input, log *slog.Logger) (*source, error) {
	s := &source{in: in, name: in.Path}
	if in.Name != "" {
		s.name = in.Name
	}
	f, err := os.Open(in.Path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
		}
		return nil, &RenditionError{Path: s.name, Err: err}
	}
	s.f = f
	if err := s.read(log); err != nil {
		f.Close()
		return nil, &RenditionError{Path: s.name, Err: err}
	}
	for _, t := range s.tracks {
		log.Debug("track", "path", s.name, "track_id", t.trackID, "type", string(t.kind), "codecs", t.info.codecs,
			"samples", len(t.samples), "timescale", t.timescale, "shift", t.shift, "fragmented", s.fragmented)
	}
	return s, nil
}

func (s *source) close() {
	if s.f != nil {
		s.f.Close()
	}
}

func (s *source) read(log *slog.Logger) (err error) {
	// mp4ff's decoders report errors, but bad input must never panic
	// whatever a decoder does with it.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: corrupt metadata (%v)", ErrNotMP4, r)
		}
	}()
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	s.size = st.Size()
	if s.size < 8 {
		return fmt.Errorf("%w (%d bytes)", ErrNotMP4, s.size)
	}
	var (
		moov *mp4.MoovBox
		hdr  [16]byte
		pos  int64
		frag fragReader
	)
	for pos < s.size {
		n := int64(8)
		if s.size-pos < 8 {
			return fmt.Errorf("%w: %d stray bytes at the end", ErrTruncated, s.size-pos)
		}
		if _, err := s.f.ReadAt(hdr[:8], pos); err != nil {
			return fmt.Errorf("read box header at byte %d: %w", pos, err)
		}
		boxSize := int64(binary.BigEndian.Uint32(hdr[:4]))
		boxType := string(hdr[4:8])
		if pos == 0 && !knownTopLevel[boxType] {
			return fmt.Errorf("%w (starts with %q, not an ftyp or moov box)", ErrNotMP4, printable(hdr[:8]))
		}
		if !isBoxType(hdr[4:8]) {
			return fmt.Errorf("%w: corrupt box header at byte %d", ErrNotMP4, pos)
		}
		switch boxSize {
		case 0: // extends to the end of the file
			boxSize = s.size - pos
		case 1:
			if s.size-pos < 16 {
				return fmt.Errorf("%w: %s box at byte %d", ErrTruncated, boxType, pos)
			}
			if _, err := s.f.ReadAt(hdr[8:16], pos+8); err != nil {
				return fmt.Errorf("read box header at byte %d: %w", pos, err)
			}
			n = 16
			boxSize = int64(binary.BigEndian.Uint64(hdr[8:16]))
		}
		if boxSize < n {
			return fmt.Errorf("%w: corrupt %s box size %d at byte %d", ErrNotMP4, boxType, boxSize, pos)
		}
		if boxSize > s.size-pos {
			return fmt.Errorf("%w: %s box at byte %d needs %d bytes but the file ends at %d",
				ErrTruncated, boxType, pos, boxSize, s.size)
		}
		switch boxType {
		case "moov":
			if moov != nil {
				return fmt.Errorf("%w: second moov box at byte %d", ErrNotMP4, pos)
			}
			b, err := s.decodeBox(pos, boxSize)
			if err != nil {
				return fmt.Errorf("decode moov: %w", err)
			}
			moov = b.(*mp4.MoovBox)
			if err := s.readMoov(moov, log); err != nil {
				return err
			}
			frag.init(s, moov)
		case "moof":
			if moov == nil {
				return fmt.Errorf("%w: moof box at byte %d before the moov box", ErrUnsupported, pos)
			}
			b, err := s.decodeBox(pos, boxSize)
			if err != nil {
				return fmt.Errorf("decode moof at byte %d: %w", pos, err)
			}
			s.fragmented = true
			if err := frag.add(b.(*mp4.MoofBox), pos); err != nil {
				return fmt.Errorf("moof at byte %d: %w", pos, err)
			}
		}
		pos += boxSize
	}
	if moov == nil {
		return fmt.Errorf("%w: no moov box", ErrNotMP4)
	}
	if len(s.tracks) == 0 {
		return fmt.Errorf("no audio or video tracks (%w)", ErrNoSamples)
	}
	for _, t := range s.tracks {
		if err := t.finish(s.size); err != nil {
			return fmt.Errorf("track %d (%s): %w", t.trackID, t.kind, err)
		}
	}
	return nil
}

// decodeBox reads one whole metadata box and decodes it with mp4ff.
func (s *source) decodeBox(pos, size int64) (mp4.Box, error) {
	if size > maxMetaBoxBytes {
		return nil, fmt.Errorf("%w: %d-byte box", ErrUnsupported, size)
	}
	buf := make([]byte, size)
	if _, err := s.f.ReadAt(buf, pos); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	sr := bits.NewFixedSliceReader(buf)
	b, err := mp4.DecodeBoxSR(uint64(pos), sr)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// readMoov turns each audio and video trak into a srcTrack, with the samples
// of its sample table (none for fragmented files).
func (s *source) readMoov(moov *mp4.MoovBox, log *slog.Logger) error {
	movieTimescale := uint32(1000)
	if moov.Mvhd != nil && moov.Mvhd.Timescale != 0 {
		movieTimescale = moov.Mvhd.Timescale
	}
	for _, trak := range moov.Traks {
		t, skip, err := newSrcTrack(s, trak, movieTimescale)
		if err != nil {
			id := uint32(0)
			if trak.Tkhd != nil {
				id = trak.Tkhd.TrackID
			}
			return fmt.Errorf("track %d: %w", id, err)
		}
		if skip != "" {
			log.Info("skip track", "path", s.name, "reason", skip)
			continue
		}
		s.tracks = append(s.tracks, t)
	}
	return nil
}

// nonSyncFlag is sample_is_non_sync_sample in sample flags (§8.8.3.1).
const nonSyncFlag = 0x00010000

func isBoxType(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			if c != 0xa9 { // ©, as in QuickTime's ©too
				return false
			}
		}
	}
	return true
}

func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}
