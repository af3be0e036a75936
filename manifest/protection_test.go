package manifest

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadKeyTags(t *testing.T) {
	const wv = `#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI="data:text/plain;base64,AAAA",KEYID=0x00112233445566778899AABBCCDDEEFF,KEYFORMAT="urn:uuid:EDEF8BA9-79d6-4ace-a3c8-27dcd51d21ed",KEYFORMATVERSIONS="1"`
	const pr = `#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI="data:text/plain;charset=UTF-16;base64,cHJv",KEYID=0x00112233445566778899aabbccddeeff,KEYFORMAT="com.microsoft.playready",KEYFORMATVERSIONS="1"`
	tests := []struct {
		name    string
		lines   []string
		want    *Protection
		wantErr string
	}{
		{name: "clear", lines: []string{"#EXTM3U", "#EXTINF:2,", "a.m4s"}},
		{name: "METHOD=NONE", lines: []string{"#EXT-X-KEY:METHOD=NONE", "#EXTINF:2,", "a.m4s"}},
		{name: "clear lead", lines: []string{"#EXTINF:2,", "a.m4s", wv, pr, "#EXTINF:2,", "b.m4s"},
			want: &Protection{Scheme: "cenc", DefaultKID: "00112233-4455-6677-8899-aabbccddeeff", ClearSegments: 1, Systems: []ProtectionSystem{
				{SystemID: "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed", KeyFormat: "urn:uuid:EDEF8BA9-79d6-4ace-a3c8-27dcd51d21ed", KeyFormatVersions: "1", KeyURI: "data:text/plain;base64,AAAA"},
				{SystemID: playReadySystemID, KeyFormat: "com.microsoft.playready", KeyFormatVersions: "1", KeyURI: "data:text/plain;charset=UTF-16;base64,cHJv"},
			}}},
		{name: "fairplay", lines: []string{`#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://k",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"`, "#EXTINF:2,", "a.m4s"},
			want: &Protection{Scheme: "cbcs", Systems: []ProtectionSystem{{SystemID: fairPlaySystemID, KeyFormat: "com.apple.streamingkeydelivery", KeyFormatVersions: "1", KeyURI: "skd://k"}}}},
		{name: "rotation", lines: []string{wv, "#EXTINF:2,", "a.m4s", pr, "#EXTINF:2,", "b.m4s"}, wantErr: "key rotation"},
		{name: "AES-128", lines: []string{`#EXT-X-KEY:METHOD=AES-128,URI="k"`, "#EXTINF:2,", "a.m4s"}, wantErr: "not Common Encryption"},
		{name: "two KEYIDs", lines: []string{wv, strings.Replace(pr, "0x0011", "0x9911", 1)}, wantErr: "different KEYIDs"},
		{name: "bad KEYID", lines: []string{strings.Replace(wv, "0x00112233445566778899AABBCCDDEEFF", "0x12", 1)}, wantErr: "not a UUID"},
		{name: "unterminated", lines: []string{`#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://`}, wantErr: "unterminated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := readKeyTags(tc.lines)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, _, err := readKeyTags([]string{`#EXT-X-KEY:METHOD=AES-128,URI="k"`}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("AES-128: %v, want ErrUnsupported", err)
	}
}

// TestCheckProtection: what the writers would put in quotes is checked.
func TestCheckProtection(t *testing.T) {
	base := func() *Presentation { return goldenPresentations()["encrypted"] }
	tests := map[string]func(p *Protection){
		"scheme":         func(p *Protection) { p.Scheme = "cbc1" },
		"KID":            func(p *Protection) { p.DefaultKID = "0011" },
		"quote in URI":   func(p *Protection) { p.Systems[0].KeyURI = `a"b` },
		"line in tag":    func(p *Protection) { p.Systems[0].HLSKeyTag = "#EXT-X-KEY:A\n#EXTINF:1," },
		"system ID":      func(p *Protection) { p.Systems[0].SystemID = "widevine" },
		"negative clear": func(p *Protection) { p.ClearSegments = -1 },
	}
	for name, mutate := range tests {
		p := base()
		mutate(p.Tracks[0].Protection)
		if _, err := WriteHLS(p, HLSOptions{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: WriteHLS err = %v, want ErrInvalid", name, err)
		}
		if _, err := WriteDASH(p, DASHOptions{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: WriteDASH err = %v, want ErrInvalid", name, err)
		}
	}
}
