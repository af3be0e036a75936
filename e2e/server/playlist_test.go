package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAddClearKeyLines(t *testing.T) {
	const kid = "0123456789abcdef0123456789abcdef"
	const b64 = "ASNFZ4mrze8BI0VniavN7w=="
	ck := func(method string) string {
		return `#EXT-X-KEY:METHOD=` + method + `,KEYFORMAT="org.w3.clearkey",KEYFORMATVERSIONS="1",KEYID=0x` + kid +
			`,URI="data:text/plain;base64,` + b64 + `"`
	}
	tests := []struct {
		name, in, want string
	}{
		{
			name: "cenc after the last key line of the run",
			in: "#EXTM3U\n" +
				"#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,KEYFORMAT=\"urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed\",KEYID=0x" + kid + ",URI=\"data:text/plain;base64,AA==\"\n" +
				"#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,KEYFORMAT=\"urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b\",KEYID=0x" + kid + ",URI=\"data:text/plain;base64,AA==\"\n" +
				"#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg-00001.m4s\n",
			want: "#EXTM3U\n" +
				"#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,KEYFORMAT=\"urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed\",KEYID=0x" + kid + ",URI=\"data:text/plain;base64,AA==\"\n" +
				"#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,KEYFORMAT=\"urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b\",KEYID=0x" + kid + ",URI=\"data:text/plain;base64,AA==\"\n" +
				ck("SAMPLE-AES-CTR") + "\n" +
				"#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg-00001.m4s\n",
		},
		{
			name: "cbcs keeps the IV, CRLF input",
			in:   "#EXTM3U\r\n#EXT-X-KEY:METHOD=SAMPLE-AES,KEYFORMAT=\"com.apple.streamingkeydelivery\",KEYID=0x" + kid + ",IV=0x00112233445566778899aabbccddeeff,URI=\"skd://x\"\r\n#EXTINF:2.000,\r\nseg.m4s\r\n",
			want: "#EXTM3U\r\n#EXT-X-KEY:METHOD=SAMPLE-AES,KEYFORMAT=\"com.apple.streamingkeydelivery\",KEYID=0x" + kid + ",IV=0x00112233445566778899aabbccddeeff,URI=\"skd://x\"\r\n" +
				ck("SAMPLE-AES") + ",IV=0x00112233445566778899aabbccddeeff\n#EXTINF:2.000,\r\nseg.m4s\r\n",
		},
		{
			name: "already has a clearkey line",
			in:   "#EXTM3U\n" + ck("SAMPLE-AES") + "\n#EXTINF:2.000,\nseg.m4s\n",
			want: "#EXTM3U\n" + ck("SAMPLE-AES") + "\n#EXTINF:2.000,\nseg.m4s\n",
		},
		{
			name: "whole-segment AES-128 is left alone",
			in:   "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\",KEYID=0x" + kid + "\n#EXTINF:2.000,\nseg.ts\n",
			want: "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\",KEYID=0x" + kid + "\n#EXTINF:2.000,\nseg.ts\n",
		},
		{
			name: "no KEYID, nothing to say",
			in:   "#EXTM3U\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"data:,x\"\n",
			want: "#EXTM3U\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"data:,x\"\n",
		},
		{
			name: "clear playlist",
			in:   "#EXTM3U\n#EXTINF:2.000,\nseg.m4s\n",
			want: "#EXTM3U\n#EXTINF:2.000,\nseg.m4s\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(addClearKeyLines([]byte(tc.in)))
			if diff := cmp.Diff(strings.Split(tc.want, "\n"), strings.Split(got, "\n")); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAttributes(t *testing.T) {
	got := parseAttributes(`METHOD=SAMPLE-AES,URI="data:text/plain;base64,a,b",KEYFORMATVERSIONS="1/2",KEYID=0x01`)
	want := map[string]string{"METHOD": "SAMPLE-AES", "URI": "data:text/plain;base64,a,b", "KEYFORMATVERSIONS": "1/2", "KEYID": "0x01"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAddIdentityKeyLines(t *testing.T) {
	const kid = "0123456789abcdef0123456789abcdef"
	in := "#EXTM3U\n#EXT-X-KEY:METHOD=SAMPLE-AES,KEYFORMAT=\"urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b\",KEYID=0x" + strings.ToUpper(kid) + "\n#EXTINF:2.000,\nseg.m4s\n"
	want := "#EXTM3U\n#EXT-X-KEY:METHOD=SAMPLE-AES,KEYFORMAT=\"urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b\",KEYID=0x" + strings.ToUpper(kid) + "\n" +
		"#EXT-X-KEY:METHOD=SAMPLE-AES,KEYFORMAT=\"identity\",KEYFORMATVERSIONS=\"1\",URI=\"/key/T/" + kid + "\"\n#EXTINF:2.000,\nseg.m4s\n"
	got := string(addKeyLines([]byte(in), identityFormat, identityLine(func(k ID16) string { return "/key/T/" + k.String() })))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
