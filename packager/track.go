package packager

import (
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/vpack-dev/vpack/manifest"
)

// sample is one media sample of a source track, in decode order. The
// sample table of a track is a slice of these (32 bytes each, about 1.4 MB
// for ten minutes of 25 fps video plus AAC); payloads stay in the file.
type sample struct {
	offset int64  // byte offset of the payload in the source file
	dts    uint64 // decode time in the track timescale, as in the source
	size   uint32
	dur    uint32 // copied from the source (stts or trun), never recomputed
	cto    int32  // composition time offset, as in the source
	sync   bool
}

// srcTrack is one audio or video track of an input file.
type srcTrack struct {
	src       *source
	trackID   uint32
	kind      manifest.TrackType
	timescale uint32
	entry     mp4.Box // the sample entry (avc1, mp4a, ...), copied into the init segment
	tkhdW     mp4.Fixed32
	tkhdH     mp4.Fixed32
	language  string // elng, else mdhd ISO 639-2/T code; "und" when unknown
	// shift maps media time to presentation time as the source's edit list
	// does: pts = dts + cto + shift, in timescale ticks. Negative for a
	// video B-frame delay or audio priming, positive for an initial empty
	// edit.
	shift   int64
	samples []sample
	nextDTS uint64 // decode time after the last sample read so far
	info    mediaInfo

	payloadBytes int64
	presEnd      int64 // end of the last presented sample: max(dts+cto+dur) + shift, in ticks
}

// newSrcTrack reads a trak box. skip is non-empty (and t nil) for tracks
// vpack does not package, such as timecode or subtitle tracks.
func newSrcTrack(s *source, trak *mp4.TrakBox, movieTimescale uint32) (t *srcTrack, skip string, err error) {
	if trak.Tkhd == nil || trak.Mdia == nil || trak.Mdia.Mdhd == nil || trak.Mdia.Hdlr == nil ||
		trak.Mdia.Minf == nil || trak.Mdia.Minf.Stbl == nil || trak.Mdia.Minf.Stbl.Stsd == nil {
		return nil, "", fmt.Errorf("%w: incomplete trak box", ErrNotMP4)
	}
	t = &srcTrack{src: s, trackID: trak.Tkhd.TrackID, tkhdW: trak.Tkhd.Width, tkhdH: trak.Tkhd.Height}
	switch h := trak.Mdia.Hdlr.HandlerType; h {
	case "vide":
		t.kind = manifest.Video
	case "soun":
		t.kind = manifest.Audio
	default:
		return nil, fmt.Sprintf("track %d has handler %q (not audio or video)", t.trackID, h), nil
	}
	t.timescale = trak.Mdia.Mdhd.Timescale
	if t.timescale == 0 {
		return nil, "", fmt.Errorf("%w: mdhd timescale is 0", ErrNotMP4)
	}
	t.language = trak.Mdia.Mdhd.GetLanguage()
	if trak.Mdia.Elng != nil && trak.Mdia.Elng.Language != "" {
		t.language = trak.Mdia.Elng.Language
	}
	if !validLanguage(t.language) {
		t.language = "und"
	}

	stbl := trak.Mdia.Minf.Stbl
	if n := len(stbl.Stsd.Children); n != 1 {
		if n == 0 {
			return nil, "", fmt.Errorf("%w: no sample description", ErrNotMP4)
		}
		return nil, "", fmt.Errorf("%w: %d sample descriptions (parameters change mid-stream)", ErrUnsupported, n)
	}
	t.entry = stbl.Stsd.Children[0]
	if t.info, err = describe(t.kind, t.entry); err != nil {
		return nil, "", err
	}
	if trak.Edts != nil && len(trak.Edts.Elst) > 0 {
		if t.shift, err = editShift(trak.Edts.Elst[0], movieTimescale, t.timescale); err != nil {
			return nil, "", err
		}
	}
	if err := t.readStbl(stbl, s.size); err != nil {
		return nil, "", err
	}
	return t, "", nil
}

// editShift reads what vpack supports of an edit list (ISO/IEC 14496-12
// §8.6.6): leading empty edits (a start delay) and the media_time of the
// first non-empty edit (ffmpeg writes one for the B-frame delay of video and
// for the encoder delay, "priming", of AAC and Opus). Later edits, which
// only trim the end, are ignored.
func editShift(elst *mp4.ElstBox, movieTimescale, mediaTimescale uint32) (int64, error) {
	var empty uint64
	for _, e := range elst.Entries {
		if e.MediaTime == -1 {
			empty += e.SegmentDuration
			continue
		}
		if e.MediaRateInteger != 1 || e.MediaRateFraction != 0 {
			return 0, fmt.Errorf("%w: edit list with media rate %d.%d", ErrUnsupported, e.MediaRateInteger, e.MediaRateFraction)
		}
		if e.MediaTime < 0 {
			return 0, fmt.Errorf("%w: edit list media time %d", ErrNotMP4, e.MediaTime)
		}
		delay := int64(empty * uint64(mediaTimescale) / uint64(movieTimescale))
		return delay - e.MediaTime, nil
	}
	return int64(empty * uint64(mediaTimescale) / uint64(movieTimescale)), nil
}

// readStbl expands the sample table boxes (stts, ctts, stsz, stsc,
// stco/co64, stss) into t.samples. Fragmented files have empty tables.
func (t *srcTrack) readStbl(stbl *mp4.StblBox, fileSize int64) error {
	if stbl.Stsz == nil {
		if stbl.Stts == nil || len(stbl.Stts.SampleCount) == 0 {
			return nil // no samples in the moov: fragmented, or empty
		}
		return fmt.Errorf("%w: no stsz box (compact sample sizes are not supported)", ErrUnsupported)
	}
	n := int64(stbl.Stsz.SampleNumber)
	if n == 0 {
		return nil
	}
	if stbl.Stts == nil || stbl.Stsc == nil || (stbl.Stco == nil && stbl.Co64 == nil) {
		return fmt.Errorf("%w: incomplete sample table", ErrNotMP4)
	}
	uniform := int64(stbl.Stsz.SampleUniformSize)
	switch {
	case uniform == 0 && int64(len(stbl.Stsz.SampleSize)) != n:
		return fmt.Errorf("%w: stsz lists %d sizes for %d samples", ErrNotMP4, len(stbl.Stsz.SampleSize), n)
	case uniform > 0 && n > fileSize/uniform:
		return fmt.Errorf("%w: %d samples of %d bytes do not fit in the file", ErrTruncated, n, uniform)
	}
	var sttsTotal int64
	for _, c := range stbl.Stts.SampleCount {
		sttsTotal += int64(c)
	}
	if sttsTotal != n {
		return fmt.Errorf("%w: stts covers %d samples, stsz %d", ErrNotMP4, sttsTotal, n)
	}

	samples := make([]sample, n)
	for i := range samples {
		if uniform > 0 {
			samples[i].size = uint32(uniform)
		} else {
			samples[i].size = stbl.Stsz.SampleSize[i]
		}
	}
	var dts uint64
	i := 0
	for e, count := range stbl.Stts.SampleCount {
		d := stbl.Stts.SampleTimeDelta[e]
		for range count {
			samples[i].dts, samples[i].dur = dts, d
			dts += uint64(d)
			i++
		}
	}
	t.nextDTS = dts
	if ctts := stbl.Ctts; ctts != nil {
		for e, off := range ctts.SampleOffset {
			end := min(int64(ctts.EndSampleNr[e+1]), n)
			for j := int64(ctts.EndSampleNr[e]); j < end; j++ {
				samples[j].cto = off
			}
		}
	}
	if stbl.Stss == nil {
		for i := range samples {
			samples[i].sync = true
		}
	} else {
		for _, nr := range stbl.Stss.SampleNumber {
			if nr >= 1 && int64(nr) <= n {
				samples[nr-1].sync = true
			}
		}
	}

	var chunkOffsets []uint64
	if stbl.Co64 != nil {
		chunkOffsets = stbl.Co64.ChunkOffset
	} else {
		chunkOffsets = make([]uint64, len(stbl.Stco.ChunkOffset))
		for i, o := range stbl.Stco.ChunkOffset {
			chunkOffsets[i] = uint64(o)
		}
	}
	entries := stbl.Stsc.Entries
	if len(entries) == 0 {
		return fmt.Errorf("%w: empty stsc box", ErrNotMP4)
	}
	e := 0
	i = 0
	for c := 0; c < len(chunkOffsets) && int64(i) < n; c++ {
		for e+1 < len(entries) && int(entries[e+1].FirstChunk) <= c+1 {
			e++
		}
		off := int64(chunkOffsets[c])
		for k := uint32(0); k < entries[e].SamplesPerChunk && int64(i) < n; k++ {
			samples[i].offset = off
			off += int64(samples[i].size)
			i++
		}
	}
	if int64(i) < n {
		return fmt.Errorf("%w: chunks hold %d of %d samples", ErrNotMP4, i, n)
	}
	t.samples = samples
	return nil
}

// finish checks a track once all its samples are known.
func (t *srcTrack) finish(fileSize int64) error {
	if len(t.samples) == 0 {
		return ErrNoSamples
	}
	for i := range t.samples {
		s := &t.samples[i]
		if s.offset < 0 || s.offset+int64(s.size) > fileSize {
			return fmt.Errorf("%w: sample %d at byte %d (%d bytes) ends beyond the file's %d bytes",
				ErrTruncated, i+1, s.offset, s.size, fileSize)
		}
		t.payloadBytes += int64(s.size)
		t.presEnd = max(t.presEnd, int64(s.dts)+int64(s.cto)+int64(s.dur))
	}
	t.presEnd += t.shift
	if t.kind == manifest.Video {
		t.info.frameRate = frameRate(t.samples, t.timescale)
	}
	return nil
}

// durTicks is the sum of the sample durations.
func (t *srcTrack) durTicks() uint64 {
	last := t.samples[len(t.samples)-1]
	return last.dts + uint64(last.dur) - t.samples[0].dts
}

// pts is the presentation time of sample i in seconds, as the source's edit
// list places it.
func (t *srcTrack) pts(i int) float64 {
	s := &t.samples[i]
	return float64(int64(s.dts)+int64(s.cto)+t.shift) / float64(t.timescale)
}

// errorf returns a RenditionError blaming t's file, naming the track when
// the file has several of its kind.
func (t *srcTrack) errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if l := t.label(); l != t.src.name {
		err = fmt.Errorf("track %d: %w", t.trackID, err)
	}
	return &RenditionError{Path: t.src.name, Err: err}
}

// endSeconds is when the track's presentation ends.
func (t *srcTrack) endSeconds() float64 { return float64(t.presEnd) / float64(t.timescale) }

// label names the track in messages: the file, plus the track when the file
// has several of the same kind.
func (t *srcTrack) label() string {
	n := 0
	for _, o := range t.src.tracks {
		if o.kind == t.kind {
			n++
		}
	}
	if n > 1 {
		return fmt.Sprintf("%s (track %d)", t.src.name, t.trackID)
	}
	return t.src.name
}

// frameRate is the exact rate implied by the most common sample duration
// (the last sample's duration is often cut short, so it does not vote).
func frameRate(samples []sample, timescale uint32) manifest.Rate {
	counts := map[uint32]int{}
	var best uint32
	for i := range samples[:max(1, len(samples)-1)] {
		d := samples[i].dur
		counts[d]++
		if counts[d] > counts[best] {
			best = d
		}
	}
	if best == 0 {
		return manifest.Rate{}
	}
	num, den := int(timescale), int(best)
	g := gcd(num, den)
	return manifest.Rate{Num: num / g, Den: den / g}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
