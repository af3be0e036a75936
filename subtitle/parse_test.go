package subtitle

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The three fixtures hold the same subtitles; wantCues is what each
// parser must make of its own.
var wantCues = map[string][]Cue{
	"en.vtt": {
		{ID: "intro", Start: ms(500), End: ms(2000), Text: "<v Roger Bingham>We are in New York City"},
		{Start: ms(1500), End: ms(3250), Settings: "line:0 align:start",
			Text: "<b>Bold</b>, <i>italic</i> and <u>underlined</u>\nsecond line with &amp; and &lt;tag&gt;"},
		{ID: "overlap-2", Start: ms(3000), End: ms(5500), Settings: "region:fred",
			Text: "<c.yellow>Yellow</c> text crossing a segment boundary"},
		{Start: ms(6000), End: ms(7000), Text: "Karaoke <00:00:06.500>timed"},
	},
	"en.srt": {
		{ID: "1", Start: ms(500), End: ms(2000), Text: "We are in <i>New York</i> City"},
		// {\an8}: top centre; <font> dropped; & < > escaped.
		{ID: "2", Start: ms(1500), End: ms(3250), Settings: "line:0", Text: "<b>Bold</b> and yellow\nTom &amp; Jerry &lt;3"},
		// One fraction digit is tenths.
		{ID: "3", Start: ms(3000), End: ms(5500), Text: "<u>Underlined</u> crossing a boundary"},
		// {\an1}: bottom left; other ASS tags and coordinates dropped.
		{ID: "4", Start: ms(6000), End: ms(7000), Settings: "align:left", Text: "ASS italics dropped"},
	},
	"en.ttml": {
		{ID: "c1", Start: ms(500), End: ms(2000), Text: "We are in <i>New York</i> City"},
		// Ticks; chained style references; the top region (upper half,
		// text aligned left by the region's style); colour dropped.
		{Start: ms(1500), End: ms(3250), Settings: "line:0 align:left",
			Text: "<b><i>Bold italic</i></b> and <u>underlined</u>\nTom &amp; Jerry &lt;3"},
		// dur, counted from the enclosing div's begin.
		{ID: "c3", Start: ms(3000), End: ms(5500), Text: "Red dropped crossing a boundary"},
		// Frames, offset and clock-time with frames; xml:space="preserve".
		{Start: ms(6000), End: ms(7000), Text: "Frames  kept"},
	},
}

var wantFormat = map[string]Format{"en.vtt": WebVTT, "en.srt": SRT, "en.ttml": TTML}

func TestParseFixtures(t *testing.T) {
	for name, want := range wantCues {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse(name, readFixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Format != wantFormat[name] {
				t.Errorf("format %q, want %q", doc.Format, wantFormat[name])
			}
			if diff := cmp.Diff(want, doc.Cues); diff != "" {
				t.Errorf("cues (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseWebVTTBlocks(t *testing.T) {
	doc, err := ParseWebVTT("en.vtt", readFixture(t, "en.vtt"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"::cue(.yellow) {\n  color: yellow;\n}"}; !cmp.Equal(doc.Styles, want) {
		t.Errorf("styles %q, want %q", doc.Styles, want)
	}
	if want := []string{"id:fred\nwidth:40%\nlines:3"}; !cmp.Equal(doc.Regions, want) {
		t.Errorf("regions %q, want %q", doc.Regions, want)
	}
}

func TestParseWebVTTDetails(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Cue
		tmap *TimestampMap
	}{
		{"hours and minutes forms", "WEBVTT\n\n01:02:03.004 --> 01:02:04.000\na\n\n59:59.999 --> 1:00:00.000\nb\n",
			[]Cue{{Start: ms(3599999), End: ms(3600000), Text: "b"}, {Start: ms(3723004), End: ms(3724000), Text: "a"}}, nil},
		{"cue without a blank line before it", "WEBVTT\n00:01.000 --> 00:02.000\na\n00:03.000 --> 00:04.000\nb",
			[]Cue{{Start: ms(1000), End: ms(2000), Text: "a"}, {Start: ms(3000), End: ms(4000), Text: "b"}}, nil},
		{"overlapping cues are kept, sorted by start", "WEBVTT\n\n00:02.000 --> 00:05.000\nlater\n\n00:01.000 --> 00:04.000\nearlier\n",
			[]Cue{{Start: ms(1000), End: ms(4000), Text: "earlier"}, {Start: ms(2000), End: ms(5000), Text: "later"}}, nil},
		{"zero-length cue dropped", "WEBVTT\n\n00:01.000 --> 00:01.000\nnever shown\n\n00:02.000 --> 00:03.000\nshown\n",
			[]Cue{{Start: ms(2000), End: ms(3000), Text: "shown"}}, nil},
		{"CRLF, tabs and settings spacing", "WEBVTT\r\n\r\nid\r\n00:01.000\t-->\t00:02.000   line:0    align:end\r\ntext\r\n",
			[]Cue{{ID: "id", Start: ms(1000), End: ms(2000), Settings: "line:0 align:end", Text: "text"}}, nil},
		{"X-TIMESTAMP-MAP", "WEBVTT\nX-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:900000\n\n00:01.000 --> 00:02.000\nx\n",
			[]Cue{{Start: ms(1000), End: ms(2000), Text: "x"}}, &TimestampMap{MPEGTS: 900000}},
		{"empty cue text", "WEBVTT\n\n00:01.000 --> 00:02.000\n\n00:03.000 --> 00:04.000\nx\n",
			[]Cue{{Start: ms(1000), End: ms(2000)}, {Start: ms(3000), End: ms(4000), Text: "x"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseWebVTT("t.vtt", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, doc.Cues); diff != "" {
				t.Errorf("cues (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.tmap, doc.TimestampMap); diff != "" {
				t.Errorf("timestamp map (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSRTDetails(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Cue
	}{
		{"no numbers, period decimals", "00:00:01.000 --> 00:00:02.000\na\n\n00:00:03.000 --> 00:00:04.000\nb\n",
			[]Cue{{Start: ms(1000), End: ms(2000), Text: "a"}, {Start: ms(3000), End: ms(4000), Text: "b"}}},
		{"text after a blank line stays in the cue", "1\n00:00:01,000 --> 00:00:02,000\nfirst\n\nsecond\n\n2\n00:00:03,000 --> 00:00:04,000\nb\n",
			[]Cue{{ID: "1", Start: ms(1000), End: ms(2000), Text: "first\nsecond"}, {ID: "2", Start: ms(3000), End: ms(4000), Text: "b"}}},
		{"overlaps kept", "1\n00:00:01,000 --> 00:00:05,000\na\n\n2\n00:00:02,000 --> 00:00:03,000\nb\n",
			[]Cue{{ID: "1", Start: ms(1000), End: ms(5000), Text: "a"}, {ID: "2", Start: ms(2000), End: ms(3000), Text: "b"}}},
		{"tags: case, br, unknown, literal <", "1\n00:00:01,000 --> 00:00:02,000\n<I>a</I><br>b <span class=x>c</span> 1 < 2\n",
			[]Cue{{ID: "1", Start: ms(1000), End: ms(2000), Text: "<i>a</i>\nb c 1 &lt; 2"}}},
		{"ASS alignments", "1\n00:00:01,000 --> 00:00:02,000\n{\\an9}top right\n\n2\n00:00:03,000 --> 00:00:04,000\n{\\an5}middle\n\n3\n00:00:05,000 --> 00:00:06,000\n{not ass} braces\n",
			[]Cue{{ID: "1", Start: ms(1000), End: ms(2000), Settings: "line:0 align:right", Text: "top right"},
				{ID: "2", Start: ms(3000), End: ms(4000), Settings: "line:50%", Text: "middle"},
				{ID: "3", Start: ms(5000), End: ms(6000), Text: "{not ass} braces"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseSRT("t.srt", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, doc.Cues); diff != "" {
				t.Errorf("cues (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTTMLDetails(t *testing.T) {
	const head = `<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"`
	tests := []struct {
		name string
		in   string
		want []Cue
	}{
		{"offset metrics", head + `><body><div>
			<p begin="1h" end="3600.5s">h</p><p begin="2m" dur="1500ms">m</p><p begin="0.25s" end="0.75s">s</p></div></body></tt>`,
			[]Cue{{Start: ms(250), End: ms(750), Text: "s"}, {Start: ms(120000), End: ms(121500), Text: "m"},
				{Start: ms(3600000), End: ms(3600500), Text: "h"}}},
		{"frames with multiplier, ticks default to frame rate", head + ` ttp:frameRate="30" ttp:frameRateMultiplier="1000 1001"><body><div>
			<p begin="00:00:01:00" end="60t">f</p></div></body></tt>`,
			[]Cue{{Start: ms(1000), End: ms(2002), Text: "f"}}},
		{"nested timing: end bounded by the parent", head + `><body begin="10s" end="12s"><div begin="1s">
			<p begin="0.5s" end="5s">clipped</p><p begin="3s" end="4s">after the div</p></div></body></tt>`,
			[]Cue{{Start: ms(11500), End: ms(12000), Text: "clipped"}}},
		{"end inherited from the div", head + `><body><div begin="1s" end="2s"><p>x</p></div></body></tt>`,
			[]Cue{{Start: ms(1000), End: ms(2000), Text: "x"}}},
		{"normal cancels an inherited italic", head + `><body><div tts:fontStyle="italic"><p begin="0s" end="1s">a <span tts:fontStyle="normal">b</span></p></div></body></tt>`,
			[]Cue{{Start: 0, End: ms(1000), Text: "<i>a </i>b"}}},
		{"empty p and metadata skipped", head + ` xmlns:ttm="http://www.w3.org/ns/ttml#metadata"><body><div>
			<p begin="0s" end="1s"> </p><p begin="1s" end="2s"><metadata><ttm:desc>hidden</ttm:desc></metadata>shown</p></div></body></tt>`,
			[]Cue{{Start: ms(1000), End: ms(2000), Text: "shown"}}},
		{"pixel region in the upper half", head + ` tts:extent="1920px 1080px"><head><layout>
			<region xml:id="r" tts:origin="0px 100px" tts:extent="1920px 200px" tts:displayAlign="after"/></layout></head>
			<body><div><p region="r" begin="0s" end="1s">top</p></div></body></tt>`,
			[]Cue{{Start: 0, End: ms(1000), Settings: "line:0", Text: "top"}}},
		// Resolved once per style: 8 references per level used to take 8^32 steps.
		{"style reference cycles and fan-out", head + `><head><styling>
			<style xml:id="a" style="a a a a a a a a" tts:fontStyle="italic"/><style xml:id="b" style="a a a a b b b b"/></styling></head>
			<body><div><p begin="0s" end="1s" style="b a">x</p></div></body></tt>`,
			[]Cue{{Start: 0, End: ms(1000), Text: "<i>x</i>"}}},
		{"DFXP namespace", `<tt xmlns="http://www.w3.org/2006/10/ttaf1" xmlns:tts="http://www.w3.org/2006/10/ttaf1#styling"><body><div>
			<p begin="0s" end="1s" tts:fontWeight="bold">old</p></div></body></tt>`,
			[]Cue{{Start: 0, End: ms(1000), Text: "<b>old</b>"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseTTML("t.ttml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, doc.Cues); diff != "" {
				t.Errorf("cues (-want +got):\n%s", diff)
			}
		})
	}
}
