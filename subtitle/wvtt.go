package subtitle

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/Eyevinn/mp4ff/mp4"
)

// WVTTInit writes the CMAF header of a WebVTT track in ISO BMFF (ISO/IEC
// 14496-30 §7): handler "text", timescale Timescale, language in mdhd (or
// elng), and a wvtt sample entry whose vttC box holds the WebVTT header:
// the WEBVTT line and doc's STYLE and REGION blocks.
func WVTTInit(doc *Document, language string) ([]byte, error) {
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	writeVTTBody(&b, doc, nil)
	entry := mp4.NewWvttBox()
	entry.AddChild(&mp4.VttCBox{Config: strings.TrimSuffix(b.String(), "\n")})
	return encodeInit("wvtt", "TextHandler", language, entry)
}

// WVTTSegment writes the media segment of a wvtt track covering span: a
// styp, then one moof (tfdt = span.Start) and mdat whose samples tile the
// span exactly, in Timescale ticks. Each interval between two changes of
// the set of cues on screen is one sample: a vttc box per cue shown
// (several when cues overlap, in document order; iden carries the cue ID,
// sttg its settings, payl its text), or a vtte box when none is. A cue
// crossing a segment boundary is cut there and continues in the next
// segment. ctim is not written: inner timestamps of cue text are on the
// track timeline already. seq is the moof sequence number.
func WVTTSegment(doc *Document, span Span, seq uint32) ([]byte, error) {
	start, end := ticks(span.Start), ticks(span.End)
	if end <= start {
		return nil, fmt.Errorf("segment %v-%v is empty", span.Start, span.End)
	}
	var cues []Cue
	cuts := []uint64{start, end}
	for _, c := range doc.Cues {
		cs, ce := ticks(c.Start), ticks(c.End)
		if cs >= end || ce <= start || ce <= cs {
			continue
		}
		cues = append(cues, c)
		cuts = append(cuts, max(cs, start), min(ce, end))
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var samples []sample
	for k := 0; k+1 < len(cuts); k++ {
		from, to := cuts[k], cuts[k+1]
		var buf bytes.Buffer
		for _, c := range cues {
			if ticks(c.Start) > from || ticks(c.End) <= from {
				continue
			}
			if err := vttcBox(c).Encode(&buf); err != nil {
				return nil, fmt.Errorf("encode vttc: %w", err)
			}
		}
		if buf.Len() == 0 {
			if err := (&mp4.VtteBox{}).Encode(&buf); err != nil {
				return nil, fmt.Errorf("encode vtte: %w", err)
			}
		}
		samples = append(samples, sample{start: from, dur: to - from, data: buf.Bytes()})
	}
	return encodeSegment(seq, samples)
}

// vttcBox is the VTTCueBox of one cue (ISO/IEC 14496-30 §7.4): iden and
// sttg when set, then payl.
func vttcBox(c Cue) *mp4.VttcBox {
	b := &mp4.VttcBox{}
	if id := vttID(c.ID); id != "" {
		b.AddChild(&mp4.IdenBox{CueID: id})
	}
	if s := strings.Join(strings.Fields(c.Settings), " "); s != "" {
		b.AddChild(&mp4.SttgBox{Settings: s})
	}
	var text strings.Builder
	writeVTTLines(&text, c.Text)
	b.AddChild(&mp4.PaylBox{CueText: strings.TrimSuffix(text.String(), "\n")})
	return b
}

// ReadWVTT reads a wvtt track back (its init segment and media segments,
// in order) into a Document: one cue per vttc, the pieces of a cue split
// over samples and segments joined again, STYLE and REGION blocks from
// vttC, the language from mdhd or elng. Times are on the track timeline.
func ReadWVTT(init []byte, segments ...[]byte) (*Document, error) {
	check := func(e mp4.Box) error {
		if _, ok := e.(*mp4.WvttBox); !ok {
			return fmt.Errorf("%w: sample entry %s, not wvtt", ErrSyntax, e.Type())
		}
		return nil
	}
	t, cues, err := readTrack(init, segments, check, wvttCues)
	if err != nil {
		return nil, err
	}
	doc := &Document{Format: WebVTT, Language: t.language, Cues: cues}
	if vttc := t.entry.(*mp4.WvttBox).VttC; vttc != nil {
		hdr, err := parseWebVTT("vttC", normalizeText(vttc.Config), true)
		if err != nil {
			return nil, fmt.Errorf("init segment: %w", err)
		}
		doc.Styles, doc.Regions = hdr.Styles, hdr.Regions
	}
	return doc, nil
}

// wvttCues decodes the boxes of one wvtt sample.
func wvttCues(_ string, s sample, t *textTrack) ([]Cue, error) {
	var cues []Cue
	r := bytes.NewReader(s.data)
	var pos uint64
	for r.Len() > 0 {
		box, err := mp4.DecodeBox(pos, r)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrSyntax, err)
		}
		pos += box.Size()
		switch b := box.(type) {
		case *mp4.VtteBox:
		case *mp4.VttcBox:
			c := Cue{Start: fromTicks(s.start, t.timescale), End: fromTicks(s.start+s.dur, t.timescale)}
			if b.Payl == nil {
				return nil, fmt.Errorf("%w: vttc without payl", ErrSyntax)
			}
			c.Text = b.Payl.CueText
			if b.Iden != nil {
				c.ID = b.Iden.CueID
			}
			if b.Sttg != nil {
				c.Settings = b.Sttg.Settings
			}
			cues = append(cues, c)
		case *mp4.VttaBox:
			// additional text (a NOTE): not shown
		default:
			return nil, fmt.Errorf("%w: %s box in a wvtt sample", ErrSyntax, box.Type())
		}
	}
	return cues, nil
}
