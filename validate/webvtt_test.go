package validate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTimestampMap(t *testing.T) {
	tests := []struct {
		in      string
		mpegts  uint64
		local   float64
		wantErr string
	}{
		{"MPEGTS:900000,LOCAL:00:00:00.000", 900000, 0, ""},
		{"LOCAL:00:00:01.500,MPEGTS:0", 0, 1.5, ""},
		{"MPEGTS:0,LOCAL:01:00.000", 0, 60, ""},
		{"MPEGTS:zero,LOCAL:00:00:00.000", 0, 0, `MPEGTS "zero" is not a decimal integer`},
		{"MPEGTS:-1,LOCAL:00:00:00.000", 0, 0, "not a decimal integer"},
		{"MPEGTS:0,LOCAL:00:00:00,000", 0, 0, "not a WebVTT timestamp"},
		{"MPEGTS:0", 0, 0, "MPEGTS and LOCAL are both required"},
		{"MPEGTS:0,MPEGTS:1,LOCAL:00:00.000", 0, 0, "MPEGTS twice"},
		{"MPEGTS:0, LOCAL:00:00.000", 0, 0, `unknown key " LOCAL"`},
		{"MPEGTS=0", 0, 0, "is not KEY:value"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			mpegts, local, err := parseTimestampMap(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || mpegts != tc.mpegts || local != tc.local {
				t.Errorf("= %d, %v, %v; want %d, %v", mpegts, local, err, tc.mpegts, tc.local)
			}
		})
	}
}

func TestParseCueTime(t *testing.T) {
	for in, want := range map[string]float64{"00:01.000": 1, "01:02:03.004": 3723.004, "100:00:00.000": 360000, "5:00:00.500": 18000.5} {
		if got, ok := parseCueTime(in); !ok || got != want {
			t.Errorf("parseCueTime(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "1.000", "00:01,000", "00:60.000", "0:01.000", "00:01.00", "00:01.0000", "a0:01.000", "00:00:01"} {
		if got, ok := parseCueTime(in); ok {
			t.Errorf("parseCueTime(%q) = %v, want an error", in, got)
		}
	}
}

// TestParseVTT checks what the WebVTT reader reports and where, and the
// cues it keeps with their lines.
func TestParseVTT(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		findings []string
		cues     []vttCue
		offset   float64
	}{
		{"segment", "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:180000,LOCAL:00:00:00.000\n\n1\n00:00:01.000 --> 00:00:02.500 line:0\nHello\nworld\n\n00:00:03.000 --> 00:00:04.000\nBye\n",
			nil, []vttCue{{1, 2.5, 5, "Hello"}, {3, 4, 9, "Bye"}}, 2},
		{"CRLF and BOM, no cues", "\xef\xbb\xbfWEBVTT\r\nX-TIMESTAMP-MAP=LOCAL:00:00:10.000,MPEGTS:900000\r\n", nil, nil, 0},
		{"bad map", "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:x,LOCAL:00:00:00.000\n\n00:00:01.000 --> 00:00:02.000\nHi\n",
			[]string{`error TEXT-TIMESTAMP-MAP-SYNTAX a.vtt:2: X-TIMESTAMP-MAP=MPEGTS:x,LOCAL:00:00:00.000: MPEGTS "x" is not a decimal integer (want MPEGTS:<90 kHz time>,LOCAL:<cue time>)`}, nil, 0},
		{"two maps", "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\nX-TIMESTAMP-MAP=MPEGTS:9,LOCAL:00:00:00.000\n\n00:00:01.000 --> 00:00:02.000\nHi\n",
			[]string{"error TEXT-TIMESTAMP-MAP-SYNTAX a.vtt:3: a second X-TIMESTAMP-MAP (the first is on line 2)"}, []vttCue{{1, 2, 5, "Hi"}}, 0},
		{"bad timing", "WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nHi\n",
			[]string{`error TEXT-WEBVTT a.vtt:3: cue timing "00:00:01.000 --> 00:00:00.500": end before start`}, nil, 0},
		{"no header", "00:00:01.000 --> 00:00:02.000\nHi\n",
			[]string{`error TEXT-WEBVTT a.vtt:1: missing WEBVTT header: a WebVTT file starts with the line "WEBVTT"`}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newChecker(t.Context(), memSource{}, Options{}.withDefaults(false))
			d := c.parseVTT("a.vtt", []byte(tc.in))
			var got []string
			for _, f := range c.findings {
				got = append(got, f.String())
			}
			if diff := cmp.Diff(tc.findings, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if len(tc.findings) > 0 && tc.cues == nil {
				return
			}
			if d == nil {
				t.Fatal("parseVTT = nil")
			}
			if diff := cmp.Diff(tc.cues, d.cues, cmp.AllowUnexported(vttCue{})); diff != "" {
				t.Errorf("cues (-want +got):\n%s", diff)
			}
			if d.offset() != tc.offset {
				t.Errorf("offset = %v, want %v", d.offset(), tc.offset)
			}
		})
	}
}

func TestSameLanguage(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"en", "eng", true}, {"de", "ger", true}, {"de", "deu", true}, {"en", "en-GB", true}, {"pt-BR", "pt-br", true},
		{"", "und", true}, {"en", "und", false}, {"en", "fr", false}, {"nl", "deu", false}, {"xx", "XX", true},
	} {
		if got := sameLanguage(tc.a, tc.b); got != tc.want {
			t.Errorf("sameLanguage(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestCodecMatchesText(t *testing.T) {
	for _, tc := range []struct {
		declared, actual string
		want             bool
	}{
		{"stpp.ttml.im1t", "stpp", true}, {"stpp", "stpp", true}, {"wvtt", "wvtt", true}, {"stpp.ttml.im1t", "wvtt", false},
	} {
		if got := codecMatches(tc.declared, tc.actual); got != tc.want {
			t.Errorf("codecMatches(%q, %q) = %v", tc.declared, tc.actual, got)
		}
	}
}
