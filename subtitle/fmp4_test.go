package subtitle

import (
	"bytes"
	"strings"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/google/go-cmp/cmp"
)

// wvttSample is what a test sees of one wvtt sample: its interval and the
// payloads of its vttc boxes ("" for a vtte sample).
type wvttSample struct {
	Start, Dur uint64
	Payloads   string
}

func wvttSamples(t *testing.T, init, seg []byte) (tfdt uint64, out []wvttSample) {
	t.Helper()
	tr, err := decodeInit(init)
	if err != nil {
		t.Fatal(err)
	}
	f, err := mp4.DecodeFile(bytes.NewReader(seg))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Segments) != 1 || f.Segments[0].Styp == nil || len(f.Segments[0].Fragments) != 1 {
		t.Fatalf("want one styp-led segment of one fragment")
	}
	tfdt = f.Segments[0].Fragments[0].Moof.Traf.Tfdt.BaseMediaDecodeTime()
	ss, err := tr.samples(seg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		cues, err := wvttCues("", s, tr)
		if err != nil {
			t.Fatal(err)
		}
		var p []string
		for _, c := range cues {
			p = append(p, c.Text)
		}
		if len(cues) == 0 && !bytes.Equal(s.data, []byte{0, 0, 0, 8, 'v', 't', 't', 'e'}) {
			t.Errorf("sample at %d: no cue but not a lone vtte box: % x", s.start, s.data)
		}
		out = append(out, wvttSample{s.start, s.dur, strings.Join(p, "|")})
	}
	return tfdt, out
}

// TestWVTTSegment checks the sample layout: samples tile the segment with
// no gap, a sample per change of the cues on screen, overlapping cues in
// one sample, vtte for gaps, cues cut at the segment's edges.
func TestWVTTSegment(t *testing.T) {
	doc := &Document{Cues: []Cue{
		{Start: ms(500), End: ms(3000), Text: "a"},
		{Start: ms(1000), End: ms(2000), Text: "b"}, // inside a
		{Start: ms(1000), End: ms(1500), Text: "c"}, // starts with b
		{Start: ms(3500), End: ms(6000), Text: "d"}, // crosses the end
		{Start: ms(7000), End: ms(8000), Text: "e"}, // after the segment
	}}
	init, err := WVTTInit(doc, "en")
	if err != nil {
		t.Fatal(err)
	}
	seg, err := WVTTSegment(doc, Span{ms(200), ms(4000)}, 7)
	if err != nil {
		t.Fatal(err)
	}
	tfdt, got := wvttSamples(t, init, seg)
	want := []wvttSample{
		{200, 300, ""},
		{500, 500, "a"},
		{1000, 500, "a|b|c"},
		{1500, 500, "a|b"},
		{2000, 1000, "a"},
		{3000, 500, ""},
		{3500, 500, "d"},
	}
	if tfdt != 200 {
		t.Errorf("tfdt %d, want the segment start 200", tfdt)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}

	// A segment without cues is one vtte sample lasting the segment.
	seg, err = WVTTSegment(doc, Span{ms(4000), ms(6500)}, 8)
	if err != nil {
		t.Fatal(err)
	}
	if _, got := wvttSamples(t, init, seg); !cmp.Equal(got, []wvttSample{{4000, 2000, "d"}, {6000, 500, ""}}) {
		t.Errorf("samples %+v", got)
	}
	seg, err = WVTTSegment(doc, Span{ms(9000), ms(10000)}, 9)
	if err != nil {
		t.Fatal(err)
	}
	if _, got := wvttSamples(t, init, seg); !cmp.Equal(got, []wvttSample{{9000, 1000, ""}}) {
		t.Errorf("empty segment: samples %+v", got)
	}
	if _, err := WVTTSegment(doc, Span{ms(10000), ms(10000)}, 10); err == nil {
		t.Error("empty span accepted")
	}
}

// TestSTPPSegmentTimes checks that TTML times in a sample are on the track
// timeline (absolute) and cut to the segment.
func TestSTPPSegmentTimes(t *testing.T) {
	doc := &Document{Language: "fr", Cues: []Cue{{Start: ms(3000), End: ms(9000), Text: "long"}}}
	seg, err := STPPSegment(doc, Span{ms(4000), ms(8000)}, 2)
	if err != nil {
		t.Fatal(err)
	}
	init, _ := STPPInit("fr")
	tr, err := decodeInit(init)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := tr.samples(seg)
	if err != nil || len(ss) != 1 {
		t.Fatalf("%d samples, %v", len(ss), err)
	}
	if ss[0].start != 4000 || ss[0].dur != 4000 {
		t.Errorf("sample %d+%d, want 4000+4000", ss[0].start, ss[0].dur)
	}
	for _, want := range []string{`begin="00:00:04.000" end="00:00:08.000"`, `xml:lang="fr"`, `ttp:profile="http://www.w3.org/ns/ttml/profile/imsc1/text"`} {
		if !bytes.Contains(ss[0].data, []byte(want)) {
			t.Errorf("document lacks %s:\n%s", want, ss[0].data)
		}
	}
	if tr.language != "fra" {
		t.Errorf("mdhd language %q", tr.language)
	}
	if e, ok := tr.entry.(*mp4.StppBox); !ok || e.Namespace != "http://www.w3.org/ns/ttml" {
		t.Errorf("sample entry %+v", tr.entry)
	}
}

func TestInitLanguage(t *testing.T) {
	for lang, want := range map[string]string{"en": "eng", "pt-BR": "pt-BR", "": "und", "yue": "yue"} {
		init, err := WVTTInit(&Document{}, lang)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := decodeInit(init)
		if err != nil {
			t.Fatal(err)
		}
		if tr.language != want {
			t.Errorf("%q: track language %q, want %q", lang, tr.language, want)
		}
	}
}

func TestReadErrors(t *testing.T) {
	doc := &Document{Cues: []Cue{{Start: 0, End: ms(1000), Text: "x"}}}
	wInit, _ := WVTTInit(doc, "en")
	sInit, _ := STPPInit("en")
	wSeg, _ := WVTTSegment(doc, Span{0, ms(1000)}, 1)
	if _, err := ReadWVTT(sInit, wSeg); err == nil || !strings.Contains(err.Error(), "not wvtt") {
		t.Errorf("stpp init read as wvtt: %v", err)
	}
	if _, err := ReadSTPP(wInit, wSeg); err == nil || !strings.Contains(err.Error(), "not stpp") {
		t.Errorf("wvtt init read as stpp: %v", err)
	}
	if _, err := ReadWVTT([]byte("junk")); err == nil {
		t.Error("junk init accepted")
	}
	if _, err := ReadWVTT(wInit, wSeg[:len(wSeg)-3]); err == nil {
		t.Error("truncated segment accepted")
	}
}
