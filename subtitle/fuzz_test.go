package subtitle

import (
	"errors"
	"testing"
)

// fuzzRoundTrip checks what a successful parse promises: sorted cues that
// end after they start, which WriteWebVTT writes as a file ParseWebVTT
// reads back with the same timings, and which every segment writer takes.
func fuzzRoundTrip(t *testing.T, doc *Document, err error) {
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v (%T) is not a *ParseError", err, err)
		}
		return
	}
	for i, c := range doc.Cues {
		if c.End <= c.Start || (i > 0 && c.Start < doc.Cues[i-1].Start) {
			t.Fatalf("cue %d: %v-%v after %v", i, c.Start, c.End, doc.Cues[max(i-1, 0)].Start)
		}
	}
	back, err := ParseWebVTT("out.vtt", WriteWebVTT(doc))
	if err != nil {
		t.Fatalf("written WebVTT does not parse: %v\n%s", err, WriteWebVTT(doc))
	}
	if len(back.Cues) != len(doc.Cues) {
		t.Fatalf("%d cues written, %d read back", len(doc.Cues), len(back.Cues))
	}
	for i := range back.Cues {
		if back.Cues[i].Start != doc.Cues[i].Start || back.Cues[i].End != doc.Cues[i].End {
			t.Fatalf("cue %d: %v-%v read back as %v-%v", i, doc.Cues[i].Start, doc.Cues[i].End, back.Cues[i].Start, back.Cues[i].End)
		}
	}
	if _, err := ParseTTML("out.ttml", WriteTTML(doc)); err != nil && !errors.Is(err, ErrEmpty) {
		t.Fatalf("written TTML does not parse: %v\n%s", err, WriteTTML(doc))
	}
	// A segment is at least a millisecond and at most what a trun sample
	// duration holds (2^32 ms, 49 days).
	span := Span{doc.Cues[0].Start, doc.Cues[0].End}
	if d := ticks(span.End) - ticks(span.Start); d == 0 || d > 1<<32-1 {
		return
	}
	if _, err := WVTTSegment(doc, span, 1); err != nil {
		t.Fatalf("wvtt: %v", err)
	}
	if _, err := STPPSegment(doc, span, 1); err != nil {
		t.Fatalf("stpp: %v", err)
	}
}

// FuzzParseWebVTT checks that no input makes ParseWebVTT panic, and that
// what it accepts round-trips. Seeds: the fixtures and the error cases.
func FuzzParseWebVTT(f *testing.F) {
	f.Add(readFixture(f, "en.vtt"))
	f.Add([]byte("WEBVTT\n\n00:01.000 --> 00:00.500\nx\n"))
	f.Add([]byte("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\nid\n00:01.000 --> 00:02.000 line:0\n<b>x</b>\n"))
	f.Add(utf16LE("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n", true))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseWebVTT("f.vtt", data)
		fuzzRoundTrip(t, doc, err)
	})
}

// FuzzParseSRT is FuzzParseWebVTT for SRT.
func FuzzParseSRT(f *testing.F) {
	f.Add(readFixture(f, "en.srt"))
	f.Add([]byte("1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color=red>a</font> < b\n\nc\n"))
	f.Add([]byte("1\n00:00:05,000 --> 00:00:04,000\nb\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseSRT("f.srt", data)
		fuzzRoundTrip(t, doc, err)
	})
}

// FuzzParseTTML is FuzzParseWebVTT for TTML. Inputs kept in
// testdata/fuzz/FuzzParseTTML/:
//   - cue-longer-than-a-trun-sample: a 115-day cue, which the segment
//     writers refuse (a sample lasts at most 2^32 ms); the round trip now
//     skips segments that long;
//   - begin-overflows-duration: a p beginning after 2.7 million hours but
//     ending (with its body) at 0 overflowed time.Duration into a
//     negative start; a p that ends before it begins is now dropped first.
func FuzzParseTTML(f *testing.F) {
	f.Add(readFixture(f, "en.ttml"))
	f.Add([]byte(`<tt xmlns:ttp="http://www.w3.org/ns/ttml#parameter" ttp:frameRate="25" ttp:frameRateMultiplier="1000 1001"><body begin="1s" end="9s"><div><p begin="00:00:01:12" dur="30f">x<br/>y</p></div></body></tt>`))
	f.Add([]byte("<tt><body><p begin='0s' end='1s'>x</body></tt>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseTTML("f.ttml", data)
		fuzzRoundTrip(t, doc, err)
	})
}

// FuzzReadWVTT checks that no media segment makes ReadWVTT or ReadSTPP
// panic (mp4ff's decoders may; the readers recover). Seeds: the segments
// of the en.vtt fixture in both forms.
func FuzzReadWVTT(f *testing.F) {
	doc, err := Parse("en.vtt", readFixture(f, "en.vtt"))
	if err != nil {
		f.Fatal(err)
	}
	wInit, _ := WVTTInit(doc, "en")
	sInit, _ := STPPInit("en")
	for i, span := range testSpans {
		w, _ := WVTTSegment(doc, span, uint32(i+1))
		s, _ := STPPSegment(doc, span, uint32(i+1))
		f.Add(w, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, seg []byte, stpp bool) {
		var err error
		if stpp {
			_, err = ReadSTPP(sInit, seg)
		} else {
			_, err = ReadWVTT(wInit, seg)
		}
		_ = err
	})
}
