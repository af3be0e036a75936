package validate

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/vpack-dev/vpack/subtitle"
)

// Text tracks come in four forms (see manifest/plainfile.go): HLS
// segmented WebVTT (RFC 8216 §3.5), a side-car WebVTT file, and CMAF text
// tracks in ISO BMFF (ISO/IEC 14496-30), wvtt (WebVTT) and stpp (TTML,
// IMSC1). The WebVTT forms are plain files (plainTrack); the CMAF forms
// are tracks like any other, whose segments are also read whole to check
// their samples.

// textTol is the tolerance of text timing, in seconds: every format vpack
// writes rounds cue times to the millisecond, and EXTINF has three
// decimals.
const textTol = 0.0015

// maxTextFindings bounds the findings of one timing rule per track: a
// wrong X-TIMESTAMP-MAP makes every cue of a long track wrong.
const maxTextFindings = 10

// checkVTTTiming checks the cues of a WebVTT track against its segments'
// spans. origin is the media time of the start of the track's timeline
// (the first segment's tfdt of the main fMP4 media for HLS; 0 for DASH,
// whose side-car cue times are Period time); useMap applies each
// segment's X-TIMESTAMP-MAP (HLS). Every cue must overlap the segment
// that carries it (TEXT-CUE-OUTSIDE), and a cue shown during a segment's
// span must be in that segment (TEXT-CUE-MISSING, RFC 8216 §3.5: cues
// spanning a boundary are repeated).
func (c *checker) checkVTTTiming(t *plainTrack, origin float64, useMap bool) {
	type span struct{ start, end float64 }
	type cueKey struct {
		startMs, endMs int64
		text           string
	}
	type where struct {
		file string
		line int
	}
	spans := make([]span, len(t.segs))
	sets := make([]map[cueKey]bool, len(t.segs))
	var keys []cueKey
	first := make(map[cueKey]where)
	outside := 0
	for i, s := range t.segs {
		spans[i] = span{origin + s.start, origin + s.start + s.dur}
		f := t.files[i]
		if f == nil || f.vtt == nil || math.IsNaN(s.dur) || useMap && f.vtt.hasMap && !f.vtt.mapOK {
			continue // unreadable, malformed or mapped wrongly: reported already
		}
		off := 0.0
		if useMap {
			off = f.vtt.offset()
		}
		file := c.src.display(f.name)
		sets[i] = make(map[cueKey]bool, len(f.vtt.cues))
		for _, cue := range f.vtt.cues {
			a, b := cue.start+off, cue.end+off
			k := cueKey{int64(math.Round(a * 1000)), int64(math.Round(b * 1000)), cue.text}
			sets[i][k] = true
			if _, ok := first[k]; !ok {
				first[k] = where{file, cue.line}
				keys = append(keys, k)
			}
			if b < spans[i].start-textTol || a > spans[i].end+textTol {
				if outside < maxTextFindings && c.once.first(fmt.Sprintf("%s %s:%d", rTextCueOutside, file, cue.line)) {
					mapped := ""
					if useMap && off != 0 {
						mapped = fmt.Sprintf(" (%s --> %s after X-TIMESTAMP-MAP)", cueTime(a), cueTime(b))
					}
					c.add(rTextCueOutside, Location{File: file, Line: cue.line}, "cue %s --> %s%s is outside the segment it is in, %.3f-%.3f s (%s)",
						cueTime(cue.start), cueTime(cue.end), mapped, spans[i].start, spans[i].end, segWhere(s.from))
				}
				outside++
			}
		}
	}
	if outside > maxTextFindings {
		c.add(rTextCueOutside, t.from, "%s: %d cues in all are outside their segments", t.label, outside)
	}
	if !useMap {
		return // one side-car file: nothing to repeat
	}
	missing := 0
	for _, k := range keys {
		a, b := float64(k.startMs)/1000, float64(k.endMs)/1000
		// The segments the cue is shown during, by a margin.
		i := sort.Search(len(spans), func(i int) bool { return spans[i].end > a+textTol })
		for ; i < len(spans) && spans[i].start < b-textTol; i++ {
			if min(b, spans[i].end)-max(a, spans[i].start) <= textTol || sets[i] == nil || sets[i][k] {
				continue
			}
			if missing < maxTextFindings {
				w := first[k]
				c.add(rTextCueMissing, t.segs[i].from, "cue %s --> %s %q (%s:%d) is shown during this segment, %.3f-%.3f s, but is not in %s: a cue spanning a segment boundary must be repeated",
					cueTime(a), cueTime(b), k.text, w.file, w.line, spans[i].start, spans[i].end, c.src.display(t.segs[i].name))
			}
			missing++
		}
	}
	if missing > maxTextFindings {
		c.add(rTextCueMissing, t.from, "%s: %d cues in all are missing from segments they are shown during", t.label, missing)
	}
}

// segWhere names where a segment is declared, for messages.
func segWhere(l Location) string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	if l.Path != "" {
		return l.Path
	}
	return l.File
}

// checkTimestampMaps reports HLS WebVTT segments without X-TIMESTAMP-MAP
// (RFC 8216 §3.5: it SHOULD be in every WebVTT segment; without it, cue
// time 0 is media time 0). It is a warning alongside fMP4 media; a
// playlist of one file (a side-car WebVTT file, as vpack publishes it)
// whose media starts at 0 needs none, since the default is right for it.
func (c *checker) checkTimestampMaps(t *plainTrack, origin float64) {
	if len(t.segs) == 1 && math.Abs(origin) < textTol {
		return
	}
	var firstFile string
	n := 0
	for _, f := range t.files {
		if f != nil && f.vtt != nil && !f.vtt.hasMap {
			if n == 0 {
				firstFile = c.src.display(f.name)
			}
			n++
		}
	}
	if n == 0 {
		return
	}
	others := ""
	if n > 1 {
		others = fmt.Sprintf(" (and %d more segments of %s)", n-1, t.label)
	}
	c.add(rTextTimestampMap, Location{File: firstFile, Line: 1}, "WebVTT segment without X-TIMESTAMP-MAP%s: players take cue time 0 as media time 0, the media starts at %.3f s", others, origin)
}

// textSamples decodes the samples of a wvtt or stpp segment (the whole
// segment, read again: text segments are small) and checks their
// payloads: every wvtt sample is vttc, vtte and vtta boxes, a vttc with a
// payl (ISO/IEC 14496-30 §7); every stpp sample is a TTML document that
// parses, whose cue times, on the track timeline (ISO/IEC 14496-30 §5),
// lie inside the sample. No player reads text otherwise, so a bad sample
// is an error. The checks of the samples' timing against each other and
// the manifests use the fragments (see checkTextTiling).
func (c *checker) textSamples(in *initInfo, s *segInfo) {
	if in.entry != "wvtt" && in.entry != "stpp" || s.broken || s.dataBad {
		return
	}
	file := c.src.display(s.name)
	off, n := s.rng.off, s.rng.n
	if n == 0 {
		n = -1
	}
	data, _, err := c.src.read(c.ctx, s.name, off, n, c.opts.MaxSegmentBytes)
	if err != nil {
		c.readErr(Location{File: file}, "segment", s.name, err)
		return
	}
	trex := &mp4.TrexBox{TrackID: in.trackID, DefaultSampleDescriptionIndex: in.trexSDI,
		DefaultSampleDuration: in.trexDur, DefaultSampleSize: in.trexSize, DefaultSampleFlags: in.trexFlags}
	frags, err := decodeSamples(data, trex)
	if err != nil {
		rule := map[string]string{"wvtt": rTextWVTTSamples, "stpp": rTextSTPP}[in.entry]
		c.add(rule, Location{File: file}, "the samples cannot be read: %v", err)
		return
	}
	outside := 0
	for fi, samples := range frags {
		for si, smp := range samples {
			loc := Location{File: file, Box: fmt.Sprintf("moof[%d]/traf/trun", fi+1), Sample: si + 1}
			if in.entry == "wvtt" {
				if err := checkWVTTSample(smp.Data); err != nil {
					c.add(rTextWVTTSamples, loc, "wvtt sample: %v", err)
				}
				continue
			}
			outside += c.checkSTPPSample(in, loc, smp, outside == 0)
		}
	}
	if outside > 1 {
		c.add(rTextCueOutside, Location{File: file}, "%d TTML cues in all are outside their samples", outside)
	}
}

// checkSTPPSample parses the TTML document of an stpp sample and returns
// how many of its cues lie outside the sample, reporting the first when
// report is set.
func (c *checker) checkSTPPSample(in *initInfo, loc Location, smp mp4.FullSample, report bool) int {
	doc, err := subtitle.ParseTTML("sample", smp.Data)
	if err != nil && !errors.Is(err, subtitle.ErrEmpty) {
		msg := err.Error()
		var pe *subtitle.ParseError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
			if pe.Line > 0 {
				msg = fmt.Sprintf("line %d of the document: %s", pe.Line, msg)
			}
		}
		c.add(rTextSTPP, loc, "stpp sample is not a TTML document vpack can read: %s", msg)
		return 0
	}
	if doc == nil {
		return 0
	}
	ts := float64(in.timescale)
	from, to := float64(smp.DecodeTime)/ts, float64(smp.DecodeTime+uint64(smp.Dur))/ts
	n := 0
	for _, cue := range doc.Cues {
		a, b := cue.Start.Seconds(), cue.End.Seconds()
		if a >= from-textTol && b <= to+textTol {
			continue
		}
		if n == 0 && report {
			c.add(rTextCueOutside, loc, "TTML cue %s --> %s %q is not inside its sample, %.3f-%.3f s on the track timeline (ISO/IEC 14496-30: document times are track times)",
				cueTime(a), cueTime(b), clipText(firstLine(cue.Text)), from, to)
		}
		n++
	}
	return n
}

// decodeSamples decodes a media segment with mp4ff and returns the
// samples of each fragment. mp4ff panics on some malformed input: that is
// an error here, as the box walker may not have seen what is wrong.
func decodeSamples(data []byte, trex *mp4.TrexBox) (frags [][]mp4.FullSample, err error) {
	defer func() {
		if r := recover(); r != nil {
			frags, err = nil, fmt.Errorf("mp4ff: %v", r)
		}
	}()
	sf, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	for _, seg := range sf.Segments {
		for _, frag := range seg.Fragments {
			samples, err := frag.GetFullSamples(trex)
			if err != nil {
				return nil, err
			}
			frags = append(frags, samples)
		}
	}
	return frags, nil
}

// checkWVTTSample decodes the boxes of one wvtt sample.
func checkWVTTSample(data []byte) error {
	if len(data) == 0 {
		return errors.New("empty sample: a time without cues is a vtte box")
	}
	r := bytes.NewReader(data)
	var pos uint64
	var seen []string
	for r.Len() > 0 {
		b, err := mp4.DecodeBox(pos, r)
		if err != nil {
			return fmt.Errorf("boxes do not decode: %v", err)
		}
		pos += b.Size()
		seen = append(seen, b.Type())
		switch x := b.(type) {
		case *mp4.VttcBox:
			if x.Payl == nil {
				return errors.New("vttc without payl")
			}
		case *mp4.VtteBox, *mp4.VttaBox:
		default:
			return fmt.Errorf("%s box: a sample holds vttc, vtte and vtta boxes only", b.Type())
		}
	}
	if len(seen) > 1 && contains(seen, "vtte") {
		return fmt.Errorf("vtte with other boxes (%s): an empty sample holds only vtte", strings.Join(seen, ", "))
	}
	return nil
}

// checkTextTiling checks that the samples of a wvtt track tile its
// timeline (ISO/IEC 14496-30 §7: a sample for every interval, vtte when
// no cue shows): no gap or overlap between the fragments of a segment nor
// between segments. Within a fragment, samples follow each other by
// construction. It runs once per track, with the media checks.
func (c *checker) checkTextTiling(t *trackRef) {
	in := t.init
	if in == nil || in.entry != "wvtt" {
		return
	}
	ts := float64(in.timescale)
	reported := 0
	report := func(loc Location, format string, args ...any) {
		if reported < maxTextFindings {
			c.add(rTextWVTTSamples, loc, format, args...)
		}
		reported++
	}
	var prevEnd uint64
	havePrev := false
	for i := range t.segs {
		if !t.usable(i) || t.segs[i].media.broken {
			havePrev = false
			continue
		}
		s := t.segs[i].media
		file := c.src.display(s.name)
		for k, f := range s.frags {
			if !f.hasTfdt {
				havePrev = false
				continue
			}
			loc := Location{File: file, Box: fmt.Sprintf("moof[%d]/traf/tfdt", k+1), Offset: f.moofOff}
			if havePrev && (k > 0 || !t.segs[i].disc) {
				if d := (float64(f.tfdt) - float64(prevEnd)) / ts; math.Abs(d) > textTol {
					what := "a gap"
					if d < 0 {
						what = "an overlap"
					}
					report(loc, "samples start at %.3f s, the previous ones end at %.3f s: %s of %.3f s (an interval without cues is a vtte sample)",
						float64(f.tfdt)/ts, float64(prevEnd)/ts, what, math.Abs(d))
				}
			}
			prevEnd, havePrev = f.tfdt+f.dur, true
		}
	}
	if reported > maxTextFindings {
		c.add(rTextWVTTSamples, t.from, "%s: %d gaps or overlaps in all", t.label, reported)
	}
}

// checkTextSpans checks that the samples of each segment of a wvtt track
// cover the segment's span as the manifest declares it: they start where
// it starts (DASH, whose segment starts are media times; checkStart) and
// last as long as it does (EXTINF, S@d), so that every cue lies inside
// its segment.
func (c *checker) checkTextSpans(t *trackRef, checkStart bool) {
	in := t.init
	if in == nil || in.entry != "wvtt" {
		return
	}
	ts := float64(in.timescale)
	for i, s := range t.segs {
		if !t.usable(i) || s.media.broken || math.IsNaN(s.dur) {
			continue
		}
		m := s.media
		last := m.frags[len(m.frags)-1]
		start, end := float64(m.start)/ts, float64(last.tfdt+last.dur)/ts
		if !last.hasTfdt {
			continue
		}
		switch {
		case checkStart && math.Abs(start-s.start) > textTol:
			c.add(rTextWVTTSamples, s.from, "segment %d (%s): the samples start at %.3f s, the manifest puts the segment at %.3f s", i+1, c.src.display(s.name), start, s.start)
		case math.Abs(end-start-s.dur) > textTol:
			c.add(rTextWVTTSamples, s.from, "segment %d (%s): the samples span %.3f s, the manifest says the segment lasts %.3f s", i+1, c.src.display(s.name), end-start, s.dur)
		default:
			continue
		}
		return // one per track: the rest usually follows
	}
}
