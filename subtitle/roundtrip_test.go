package subtitle

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testSpans cut the fixtures' 7 s into segments; the second and third cues
// cross the boundaries at 2 s and 4 s.
var testSpans = []Span{{0, ms(2000)}, {ms(2000), ms(4000)}, {ms(4000), ms(6000)}, {ms(6000), ms(7500)}}

// ttmlView is what a cue becomes through TTML: an ID only when it is an
// XML name, settings reduced to the top region (line:0) and align, no
// voice, class, language or timestamp tags, spaces collapsed.
func ttmlView(cues []Cue) []Cue {
	drop := regexp.MustCompile(`</?(v|c|lang)([ .][^>]*)?>|<[0-9][^>]*>`)
	var out []Cue
	for _, c := range cues {
		if !isNCName(c.ID) {
			c.ID = ""
		}
		var s []string
		for _, f := range strings.Fields(c.Settings) {
			if f == "line:0" || strings.HasPrefix(f, "align:") && f != "align:center" {
				s = append(s, f)
			}
		}
		c.Settings = strings.Join(s, " ")
		c.Text = strings.Join(strings.Fields(drop.ReplaceAllString(c.Text, "")), " ")
		out = append(out, c)
	}
	return out
}

// joinLines is the text of cues with line breaks as spaces, for comparing
// TTML round trips whose whitespace differs.
func oneLine(cues []Cue) []Cue {
	out := append([]Cue{}, cues...)
	for i := range out {
		out[i].Text = strings.Join(strings.Fields(out[i].Text), " ")
	}
	return out
}

// TestRoundTrip reads each fixture and sends its cues through every
// writer and back through this package's readers: text and timing survive
// (WebVTT, HLS segments, wvtt), or change only as documented (TTML, stpp).
func TestRoundTrip(t *testing.T) {
	for name := range wantCues {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse(name, readFixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			doc.Language = "en"

			t.Run("webvtt", func(t *testing.T) {
				back, err := ParseWebVTT("out.vtt", WriteWebVTT(doc))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(doc.Cues, back.Cues); diff != "" {
					t.Errorf("cues (-want +got):\n%s", diff)
				}
				if !cmp.Equal(doc.Styles, back.Styles) || !cmp.Equal(doc.Regions, back.Regions) {
					t.Errorf("styles %q regions %q, want %q %q", back.Styles, back.Regions, doc.Styles, doc.Regions)
				}
			})

			t.Run("hls-segments", func(t *testing.T) {
				var all []Cue
				seen := map[Cue]bool{}
				for i, span := range testSpans {
					seg := WriteWebVTTSegment(doc, span, 900000)
					back, err := ParseWebVTT("seg.vtt", seg)
					if errors.Is(err, ErrEmpty) {
						back, err = &Document{TimestampMap: &TimestampMap{MPEGTS: 900000}}, nil
					}
					if err != nil {
						t.Fatalf("segment %d: %v\n%s", i+1, err, seg)
					}
					if diff := cmp.Diff(&TimestampMap{MPEGTS: 900000}, back.TimestampMap); diff != "" {
						t.Errorf("segment %d: X-TIMESTAMP-MAP (-want +got):\n%s", i+1, diff)
					}
					var want []Cue
					for _, c := range doc.Cues {
						if c.Start < span.End && c.End > span.Start {
							want = append(want, c) // whole, not cut
						}
					}
					if diff := cmp.Diff(want, back.Cues); diff != "" {
						t.Errorf("segment %d cues (-want +got):\n%s", i+1, diff)
					}
					for _, c := range back.Cues {
						if !seen[c] {
							seen[c] = true
							all = append(all, c)
						}
					}
				}
				if diff := cmp.Diff(doc.Cues, all); diff != "" {
					t.Errorf("cues of all segments, repeats dropped (-want +got):\n%s", diff)
				}
			})

			t.Run("wvtt", func(t *testing.T) {
				init, segs := writeWVTT(t, doc)
				back, err := ReadWVTT(init, segs...)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(doc.Cues, back.Cues); diff != "" {
					t.Errorf("cues (-want +got):\n%s", diff)
				}
				if !cmp.Equal(doc.Styles, back.Styles) || !cmp.Equal(doc.Regions, back.Regions) || back.Language != "eng" {
					t.Errorf("styles %q regions %q language %q", back.Styles, back.Regions, back.Language)
				}
			})

			t.Run("ttml", func(t *testing.T) {
				back, err := ParseTTML("out.ttml", WriteTTML(doc))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(ttmlView(doc.Cues), oneLine(back.Cues)); diff != "" {
					t.Errorf("cues (-want +got):\n%s", diff)
				}
				if back.Language != "en" {
					t.Errorf("language %q", back.Language)
				}
			})

			t.Run("stpp", func(t *testing.T) {
				init, err := STPPInit("en")
				if err != nil {
					t.Fatal(err)
				}
				var segs [][]byte
				for i, span := range testSpans {
					seg, err := STPPSegment(doc, span, uint32(i+1))
					if err != nil {
						t.Fatal(err)
					}
					segs = append(segs, seg)
				}
				back, err := ReadSTPP(init, segs...)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(ttmlView(doc.Cues), oneLine(back.Cues)); diff != "" {
					t.Errorf("cues (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func writeWVTT(t *testing.T, doc *Document) ([]byte, [][]byte) {
	t.Helper()
	init, err := WVTTInit(doc, "en")
	if err != nil {
		t.Fatal(err)
	}
	var segs [][]byte
	for i, span := range testSpans {
		seg, err := WVTTSegment(doc, span, uint32(i+1))
		if err != nil {
			t.Fatal(err)
		}
		segs = append(segs, seg)
	}
	return init, segs
}

// TestTTMLMarkup checks the conversion of WebVTT cue text to TTML and back.
func TestTTMLMarkup(t *testing.T) {
	tests := []struct{ in, ttml, back string }{
		{"<b>bold</b> <i>it</i> <u>under</u>", `<span tts:fontWeight="bold">bold</span> <span tts:fontStyle="italic">it</span> <span tts:textDecoration="underline">under</span>`,
			"<b>bold</b> <i>it</i> <u>under</u>"},
		{"<b><i>both</i></b>", `<span tts:fontWeight="bold"><span tts:fontStyle="italic">both</span></span>`, "<b><i>both</i></b>"},
		{"<v.loud Bob>Hi</v> <c.x>there</c>", "Hi there", "Hi there"},
		{"<ruby>漢<rt>kan</rt></ruby>字", "漢字", "漢字"},
		{"a &amp; b &lt;c&gt; &nbsp;d", "a &amp; b &lt;c&gt; \u00a0d", "a &amp; b &lt;c&gt; \u00a0d"},
		{"<i>line one\nline two</i>", `<span tts:fontStyle="italic">line one<br/>line two</span>`, "<i>line one</i>\n<i>line two</i>"},
		{"<i>unclosed", `<span tts:fontStyle="italic">unclosed</span>`, "<i>unclosed</i>"},
		{"</b>stray end <00:00:01.000>tag", "stray end tag", "stray end tag"},
	}
	for _, tc := range tests {
		if got := vttToTTML(tc.in); got != tc.ttml {
			t.Errorf("vttToTTML(%q)\n got %s\nwant %s", tc.in, got, tc.ttml)
		}
		doc := &Document{Cues: []Cue{{Start: 0, End: ms(1000), Text: tc.in}}}
		back, err := ParseTTML("x.ttml", WriteTTML(doc))
		if err != nil {
			t.Fatal(err)
		}
		if got := back.Cues[0].Text; got != tc.back {
			t.Errorf("%q through TTML: %q, want %q", tc.in, got, tc.back)
		}
	}
}
