package subtitle

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestParseErrors checks that bad files give a *ParseError naming the file
// and line, matching the sentinel callers branch on.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, file string
		in         []byte
		is         error
		want       string // the whole message
	}{
		{"end before start", "en.vtt", []byte("WEBVTT\n\n00:01.000 --> 00:00.500\nx\n"), ErrTiming,
			`en.vtt:3: cue timing "00:01.000 --> 00:00.500": end before start`},
		{"SRT comma in WebVTT", "en.vtt", []byte("WEBVTT\n\n1\n00:00:01,000 --> 00:00:02,000\nx\n"), ErrTiming,
			`en.vtt:4: cue timing "00:00:01,000 --> 00:00:02,000": start time: "00:00:01,000" is not a WebVTT timestamp [hh:]mm:ss.ttt (WebVTT uses a period before the milliseconds, not a comma)`},
		{"minutes out of range", "en.vtt", []byte("WEBVTT\n\n00:61.000 --> 01:02.000\nx\n"), ErrTiming,
			`en.vtt:3: cue timing "00:61.000 --> 01:02.000": start time: "00:61.000" is not a WebVTT timestamp [hh:]mm:ss.ttt (minutes and seconds are 00-59)`},
		{"no end time", "en.vtt", []byte("WEBVTT\n\n00:01.000 -->\nx\n"), ErrTiming,
			`en.vtt:3: cue timing "00:01.000 -->": no end time`},
		{"missing header", "en.vtt", []byte("00:01.000 --> 00:02.000\nx\n"), ErrSyntax,
			`en.vtt:1: missing WEBVTT header: a WebVTT file starts with the line "WEBVTT"`},
		{"WEBVTT followed by other letters", "en.vtt", []byte("WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n"), ErrSyntax,
			`en.vtt:1: missing WEBVTT header: a WebVTT file starts with the line "WEBVTT"`},
		{"WebVTT in an .srt file", "en.srt", []byte("WEBVTT\n\n00:01.000 --> 00:00.000\nx\n"), ErrTiming,
			`en.srt:3: cue timing "00:01.000 --> 00:00.000": end before start`},
		{"text after a blank line in a cue", "en.vtt", []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nfirst\n\nsecond\n"), ErrSyntax,
			`en.vtt:6: text outside a cue: "second" (a cue starts with a timing line "start --> end"; a blank line ends a cue's text)`},
		{"style after cues", "en.vtt", []byte("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n\nSTYLE\n::cue {}\n"), ErrSyntax,
			`en.vtt:6: STYLE block after the first cue (WebVTT allows them only before the cues)`},
		{"empty WebVTT", "en.vtt", []byte("WEBVTT\n\nNOTE nothing here\n"), ErrEmpty, `en.vtt: no cues`},
		{"empty file", "en.vtt", nil, ErrSyntax, `en.vtt:1: missing WEBVTT header: a WebVTT file starts with the line "WEBVTT"`},
		{"empty SRT", "en.srt", []byte("\n\n"), ErrEmpty, `en.srt: no cues`},
		{"unknown format", "notes.txt", []byte("just some text\n"), ErrUnknownFormat,
			`notes.txt:1: unknown subtitle format: not WebVTT (no WEBVTT line), SRT (no cue number and timing line) or TTML (not XML)`},
		{"SRT end before start", "en.srt", []byte("1\n00:00:01,000 --> 00:00:02,000\na\n\n2\n00:00:05,000 --> 00:00:04,000\nb\n"), ErrTiming,
			`en.srt:6: cue timing "00:00:05,000 --> 00:00:04,000": end before start`},
		{"SRT garbage timing", "en.srt", []byte("1\n00:00:01,000 --> 00:00:02,000\na\n\n2\n00:00:0x,000 --> 00:00:04,000\nb\n"), ErrTiming,
			`en.srt:6: cue timing "00:00:0x,000 --> 00:00:04,000": start time: "00:00:0x,000" is not an SRT timestamp hh:mm:ss,mmm`},
		{"SRT text before the first cue", "en.srt", []byte("Title\n1\n00:00:01,000 --> 00:00:02,000\na\n"), ErrSyntax,
			`en.srt:1: expected a cue number or timing line "hh:mm:ss,mmm --> hh:mm:ss,mmm", got "Title"`},
		{"TTML not XML", "en.ttml", []byte("<tt><body><p begin='0s' end='1s'>x</body></tt>"), ErrSyntax,
			"en.ttml:1: not well-formed XML: element <p> closed by </body>"},
		{"TTML not XML, later line", "en.ttml", []byte("<tt>\n<body>\n<div>\n<p begin=\"0s\" end=\"1s\">a & b</p>\n</div></body></tt>"), ErrSyntax,
			"en.ttml:4: not well-formed XML: invalid character entity & (no semicolon)"},
		{"XML but not TTML", "en.xml", []byte("<?xml version=\"1.0\"?>\n<html><body/></html>"), ErrSyntax,
			"en.xml:2: not a TTML document: the root element is <html>, not <tt>"},
		{"TTML bad time", "en.ttml", []byte("<tt>\n<body><div>\n<p begin=\"1.5x\" end=\"2s\">a</p></div></body></tt>"), ErrTiming,
			`en.ttml:3: begin="1.5x": not a TTML time expression (hh:mm:ss.fff, hh:mm:ss:ff, or a number with h, m, s, ms, f or t)`},
		{"TTML end before begin", "en.ttml", []byte("<tt>\n<body><div>\n<p begin=\"3s\" end=\"2s\">a</p></div></body></tt>"), ErrTiming,
			`en.ttml:3: <p begin="3s" end="2s">: end before begin`},
		{"TTML without end", "en.ttml", []byte("<tt>\n<body><div>\n<p begin=\"3s\">a</p></div></body></tt>"), ErrTiming,
			`en.ttml:3: p has no end time (no end or dur on it or on an enclosing div or body)`},
		{"TTML clock time base", "en.ttml", []byte(`<tt xmlns:ttp="http://www.w3.org/ns/ttml#parameter" ttp:timeBase="clock"><body/></tt>`), ErrUnsupported,
			`en.ttml:1: ttp:timeBase="clock" (wall-clock times) is not supported; use media time`},
		{"TTML without cues", "en.ttml", []byte(`<tt><body><div/></body></tt>`), ErrEmpty, `en.ttml: no cues`},
		{"Latin-1", "fr.srt", append([]byte("1\n00:00:01,000 --> 00:00:02,000\nD"), 0xe9, 'j', 0xe0, '\n'), ErrEncoding,
			"fr.srt:3: not UTF-8 (looks like Windows-1252/Latin-1): convert it with iconv -f WINDOWS-1252 -t UTF-8"},
		{"Shift_JIS", "ja.srt", append([]byte("1\n00:00:01,000 --> 00:00:02,000\n"), 0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, '\n'), ErrEncoding,
			"ja.srt:3: not UTF-8 (looks like a double-byte encoding such as Shift_JIS, GBK or Big5): convert it with iconv -f <encoding> -t UTF-8"},
		{"UTF-16 without BOM", "en.vtt", utf16LE("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n", false), ErrEncoding,
			"en.vtt:1: not UTF-8 (looks like UTF-16 without a byte order mark): convert it with iconv -f UTF-16LE -t UTF-8 (or UTF-16BE)"},
		{"UTF-16 odd length", "en.vtt", append(utf16LE("WEBVTT\n", true), 'x'), ErrEncoding,
			"en.vtt: not UTF-8: UTF-16 with an odd number of bytes (truncated?)"},
		{"UTF-32", "en.vtt", []byte{0xFF, 0xFE, 0, 0, 'W', 0, 0, 0}, ErrEncoding,
			"en.vtt: not UTF-8 (UTF-32): convert it with iconv -f UTF-32 -t UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse(tc.file, tc.in)
			if err == nil {
				t.Fatalf("no error; cues %+v", doc.Cues)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != tc.file {
				t.Errorf("error %#v is not a *ParseError naming %s", err, tc.file)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

func utf16LE(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = []byte{0xFF, 0xFE}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16BE(s string) []byte {
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

// TestEncodings checks the encodings that are converted, not refused.
func TestEncodings(t *testing.T) {
	const vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nDéjà vu 😀\n"
	for name, data := range map[string][]byte{
		"UTF-8":         []byte(vtt),
		"UTF-8 BOM":     append([]byte{0xEF, 0xBB, 0xBF}, vtt...),
		"UTF-16LE BOM":  utf16LE(vtt, true),
		"UTF-16BE BOM":  utf16BE(vtt),
		"UTF-16LE CRLF": utf16LE(strings.ReplaceAll(vtt, "\n", "\r\n"), true),
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse("x.vtt", data)
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.Cues[0].Text; got != "Déjà vu 😀" {
				t.Errorf("text %q", got)
			}
		})
	}
	if _, err := Parse("x.vtt", utf16LE("WEBVTT\n\n00:01.000 --> 00:02.000\n", true)[:12]); err == nil {
		t.Error("truncated UTF-16 parsed")
	}
	// A lone surrogate.
	bad := append(utf16LE("WEBVTT\n\n", true), 0x00, 0xD8, 'x', 0)
	if _, err := Parse("x.vtt", bad); !errors.Is(err, ErrEncoding) || !strings.Contains(err.Error(), "x.vtt:3:") {
		t.Errorf("lone surrogate: %v", err)
	}
}
