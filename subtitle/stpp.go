package subtitle

import (
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"
)

// STPPInit writes the CMAF header of an IMSC1 text track in ISO BMFF
// (ISO/IEC 14496-30 §6): handler "subt" with an sthd box, timescale
// Timescale, language in mdhd (or elng), and an stpp sample entry
// (XMLSubtitleSampleEntry) whose namespace is the TTML namespace. The
// schema location and auxiliary MIME types are empty, as in the DASH-IF
// reference (livesim2): the profile is signalled by the codecs string
// (STPPCodecs, from the W3C TTML profile registry) and by ttp:profile in
// each document, which is what players read.
func STPPInit(language string) ([]byte, error) {
	return encodeInit("subtitle", "SubtitleHandler", language, mp4.NewStppBox(nsTTML, "", ""))
}

// STPPSegment writes the media segment of an stpp track covering span: a
// styp, then one moof (tfdt = span.Start) and mdat holding one sample that
// lasts the whole span, a complete IMSC1 document (see WriteTTML) with the
// cues shown within the span, cut to it.
//
// Times in the document are on the track's media timeline, not relative to
// the sample: ISO/IEC 14496-30 §5 gives TTML in ISO BMFF the track timeline
// as its time base, dash.js parses stpp samples so (only for Smooth
// Streaming does it add the sample time, its ttmlTimeIsRelative flag) and
// shaka-player too (it adds the period start only, and clamps cues to the
// segment). A document of a segment without cues has an empty body.
func STPPSegment(doc *Document, span Span, seq uint32) ([]byte, error) {
	start, end := ticks(span.Start), ticks(span.End)
	if end <= start {
		return nil, fmt.Errorf("segment %v-%v is empty", span.Start, span.End)
	}
	var cues []Cue
	for _, c := range doc.Cues {
		c.Start, c.End = max(roundMs(c.Start), roundMs(span.Start)), min(roundMs(c.End), roundMs(span.End))
		if c.End > c.Start {
			cues = append(cues, c)
		}
	}
	return encodeSegment(seq, []sample{{start: start, dur: end - start, data: writeTTML(doc, cues)}})
}

// ReadSTPP reads an stpp track back (its init segment and media segments,
// in order) into a Document: the cues of every sample's TTML document,
// times taken as on the track timeline and cut to the sample (as
// shaka-player does), the pieces of a cue split over segments joined
// again.
func ReadSTPP(init []byte, segments ...[]byte) (*Document, error) {
	check := func(e mp4.Box) error {
		if _, ok := e.(*mp4.StppBox); !ok {
			return fmt.Errorf("%w: sample entry %s, not stpp", ErrSyntax, e.Type())
		}
		return nil
	}
	lang := ""
	t, cues, err := readTrack(init, segments, check, func(name string, s sample, t *textTrack) ([]Cue, error) {
		text, err := decodeText(name, s.data)
		if err != nil {
			return nil, err
		}
		d, err := parseTTML(name, text, true)
		if err != nil {
			return nil, err
		}
		if lang == "" {
			lang = d.Language
		}
		from, to := fromTicks(s.start, t.timescale), fromTicks(s.start+s.dur, t.timescale)
		var out []Cue
		for _, c := range d.Cues {
			c.Start, c.End = max(c.Start, from), min(c.End, to)
			if c.End > c.Start {
				out = append(out, c)
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	if lang == "" {
		lang = t.language
	}
	return &Document{Format: TTML, Language: lang, Cues: cues}, nil
}
