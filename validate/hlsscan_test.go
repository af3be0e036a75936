package validate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAttrList(t *testing.T) {
	tests := []struct {
		in      string
		want    []hlsAttr
		wantErr string
	}{
		{in: `BANDWIDTH=1000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720`, want: []hlsAttr{
			{name: "BANDWIDTH", value: "1000"}, {name: "CODECS", value: "avc1.64001f,mp4a.40.2", quoted: true}, {name: "RESOLUTION", value: "1280x720"}}},
		{in: `URI=""`, want: []hlsAttr{{name: "URI", quoted: true}}},
		{in: `A=1,A=2`, want: []hlsAttr{{name: "A", value: "1"}}, wantErr: "appears twice"},
		{in: `A="x`, wantErr: "unterminated"},
		{in: `A="x"y`, wantErr: "after the closing quote"},
		{in: `a=1`, wantErr: "only A-Z"},
		{in: `A=1,`, want: []hlsAttr{{name: "A", value: "1"}}, wantErr: "trailing comma"},
		{in: `A=`, wantErr: "empty value"},
		{in: `NOVALUE`, wantErr: "no name=value"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseAttrList(tc.in)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(hlsAttr{})); diff != "" {
				t.Errorf("attrs (-want +got):\n%s", diff)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

const goodMedia = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
	"#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg-1.m4s\n#EXTINF:1.500,\nseg-2.m4s\n#EXT-X-ENDLIST\n"

// TestScanPlaylist checks the rules that need nothing but the playlist
// text. Segments and init segments are missing from the in-memory
// package, which adds REF-MISSING where they would be read.
func TestScanPlaylist(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"good", goodMedia, nil},
		{"BOM", "\xef\xbb\xbf" + goodMedia, []string{rHLSEncoding}},
		{"control character", strings.Replace(goodMedia, "seg-1", "seg\x01-1", 1), []string{rHLSEncoding, rRefInvalid}},
		{"CRLF", strings.ReplaceAll(goodMedia, "\n", "\r\n"), []string{rHLSCRLF}},
		{"lone CR", strings.Replace(goodMedia, "\n#EXTINF", "\r#EXTINF", 1), []string{rHLSAttrRequired, rHLSLineEndings, rHLSSyntax, rHLSTagRequired}},
		{"no EXTM3U", strings.TrimPrefix(goodMedia, "#EXTM3U\n"), []string{rHLSExtM3U}},
		{"unknown tag", goodMedia + "#EXT-X-VPACK:1\n", []string{rHLSUnknownTag}},
		{"comment", goodMedia + "# a comment\n", nil},
		{"repeated TARGETDURATION", strings.Replace(goodMedia, "#EXT-X-PLAYLIST-TYPE", "#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE", 1), []string{rHLSTagRepeated}},
		{"no TARGETDURATION", strings.Replace(goodMedia, "#EXT-X-TARGETDURATION:2\n", "", 1), []string{rHLSTagRequired}},
		{"EXTINF above target", strings.Replace(goodMedia, "#EXTINF:1.500", "#EXTINF:2.500", 1), []string{rHLSTargetDuration}},
		{"EXTINF rounds down to target", strings.Replace(goodMedia, "#EXTINF:1.500", "#EXTINF:2.499", 1), nil},
		{"version too low", strings.Replace(goodMedia, "VERSION:6", "VERSION:4", 1), []string{rHLSVersion}},
		{"no version", strings.Replace(goodMedia, "#EXT-X-VERSION:6\n", "", 1), []string{rHLSVersion}},
		{"EXTINF without comma", strings.Replace(goodMedia, "#EXTINF:1.500,", "#EXTINF:1.500", 1), []string{rHLSSyntax}},
		{"negative EXTINF", strings.Replace(goodMedia, "#EXTINF:1.500,", "#EXTINF:-1.500,", 1), []string{rHLSNumber}},
		{"huge TARGETDURATION", strings.Replace(goodMedia, "TARGETDURATION:2", "TARGETDURATION:99999999999999999999999", 1), []string{rHLSNumber, rHLSTagRequired}},
		{"URI without EXTINF", strings.Replace(goodMedia, "#EXTINF:1.500,\n", "", 1), []string{rHLSTagRequired}},
		{"trailing EXTINF", strings.Replace(goodMedia, "#EXT-X-ENDLIST", "#EXTINF:1.0,\n#EXT-X-ENDLIST", 1), []string{rHLSTagPlacement}},
		{"VOD without ENDLIST", strings.Replace(goodMedia, "#EXT-X-ENDLIST\n", "", 1), []string{rHLSEndlist}},
		{"no segments", "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-ENDLIST\n", []string{rHLSEmpty}},
		{"repeated segment", strings.Replace(goodMedia, "seg-2", "seg-1", 1), []string{rHLSSegmentRepeated}},
		{"byte range without offset first", strings.Replace(goodMedia, "#EXTINF:2.000,", "#EXT-X-BYTERANGE:100\n#EXTINF:2.000,", 1), []string{rHLSSyntax}},
		{"master tag in media playlist", goodMedia + "#EXT-X-STREAM-INF:BANDWIDTH=1\nx.m3u8\n", []string{rHLSAttrRecommended, rHLSPlaylistKind}},
		{"tag with a value it must not have", strings.Replace(goodMedia, "#EXT-X-ENDLIST", "#EXT-X-ENDLIST:YES", 1), []string{rHLSSyntax}},
		{"AES-128", strings.Replace(goodMedia, "#EXT-X-MAP", "#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\"\n#EXT-X-MAP", 1), []string{rNotChecked}},
		{"bad PLAYLIST-TYPE", strings.Replace(goodMedia, ":VOD", ":LIVE", 1), []string{rHLSSyntax}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runMem(t, map[string]string{"index.m3u8": tc.text}, "index.m3u8")
			var got []string
			for _, id := range rulesOf(r) {
				if id != rRefMissing {
					got = append(got, id)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				var b strings.Builder
				r.WriteText(&b)
				t.Errorf("rules (-want +got):\n%s\n%s", diff, b.String())
			}
		})
	}
}

func TestMultivariant(t *testing.T) {
	media := goodMedia
	tests := []struct {
		name   string
		master string
		want   []string
	}{
		{"good", "#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"English\",DEFAULT=YES,AUTOSELECT=YES,URI=\"a.m3u8\"\n" +
			"#EXT-X-STREAM-INF:BANDWIDTH=1000,AVERAGE-BANDWIDTH=900,CODECS=\"avc1.64001f,mp4a.40.2\",RESOLUTION=1280x720,FRAME-RATE=25.000,AUDIO=\"a\"\nv.m3u8\n", nil},
		{"missing group", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,AVERAGE-BANDWIDTH=900,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,FRAME-RATE=25,AUDIO=\"a\"\nv.m3u8\n", []string{rHLSGroupMissing}},
		{"no BANDWIDTH", "#EXTM3U\n#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=900,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,FRAME-RATE=25\nv.m3u8\n", []string{rHLSAttrRequired}},
		{"recommended missing", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=1280x720\nv.m3u8\n", []string{rHLSAttrRecommended}},
		{"two defaults", "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"A\",DEFAULT=YES\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"B\",DEFAULT=YES\n" +
			"#EXT-X-STREAM-INF:BANDWIDTH=1000,AVERAGE-BANDWIDTH=900,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,FRAME-RATE=25,AUDIO=\"a\"\nv.m3u8\n", []string{rHLSGroupRules}},
		{"STREAM-INF without URI", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n#EXT-X-INDEPENDENT-SEGMENTS\n", []string{rHLSTagPlacement}},
		{"escape", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,AVERAGE-BANDWIDTH=900,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,FRAME-RATE=25\n../v.m3u8\n", []string{rRefEscape}},
		{"bad RESOLUTION", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,AVERAGE-BANDWIDTH=900,CODECS=\"avc1.64001f\",RESOLUTION=1280,FRAME-RATE=25\nv.m3u8\n", []string{rHLSSyntax}},
		{"absurd FRAME-RATE", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,AVERAGE-BANDWIDTH=900,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,FRAME-RATE=100000\nv.m3u8\n", []string{rHLSNumber}},
		{"media playlist where a variant belongs", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,AVERAGE-BANDWIDTH=900,CODECS=\"avc1.64001f\",RESOLUTION=1280x720,FRAME-RATE=25\nmaster.m3u8\n", []string{rHLSPlaylistKind}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runMem(t, map[string]string{"master.m3u8": tc.master, "v.m3u8": media, "a.m3u8": media}, "master.m3u8")
			var got []string
			for _, id := range rulesOf(r) {
				if id != rRefMissing {
					got = append(got, id)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				var b strings.Builder
				r.WriteText(&b)
				t.Errorf("rules (-want +got):\n%s\n%s", diff, b.String())
			}
		})
	}
}
