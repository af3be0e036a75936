package validate

import (
	"errors"
	"net/url"
	"testing"
)

func TestResolve(t *testing.T) {
	root, _ := url.Parse("https://cdn.example/title/")
	local := resolver{}
	remote := resolver{remote: true, root: root}
	tests := []struct {
		name    string
		r       resolver
		base    string
		ref     string
		want    string
		wantErr error
	}{
		{"sibling", local, "video/720p/index.m3u8", "seg-1.m4s", "video/720p/seg-1.m4s", nil},
		{"up one", local, "video/720p/index.m3u8", "../init.mp4", "video/init.mp4", nil},
		{"from the root", local, "master.m3u8", "video/720p/index.m3u8", "video/720p/index.m3u8", nil},
		{"folder base", local, "video/", "seg.m4s", "video/seg.m4s", nil},
		{"dot segments", local, "a/b/c.m3u8", "./../b/./d.m4s", "a/b/d.m4s", nil},
		{"percent-encoded", local, "a.m3u8", "seg%201.m4s", "seg 1.m4s", nil},
		{"climbs out", local, "video/index.m3u8", "../../etc/passwd", "", errEscape},
		{"encoded climb", local, "index.m3u8", "%2e%2e/x", "", errEscape},
		{"absolute path", local, "index.m3u8", "/etc/passwd", "", errEscape},
		{"absolute URL", local, "index.m3u8", "http://evil.example/x.m4s", "", errEscape},
		{"data URI", local, "index.m3u8", "data:text/plain,x", "", errEscape},
		{"query on a file", local, "index.m3u8", "seg.m4s?token=1", "", errBadURI},
		{"empty", local, "index.m3u8", " ", "", errBadURI},
		{"backslash", local, "index.m3u8", `..\x`, "", errBadURI},
		{"remote relative", remote, "master.m3u8", "v/index.m3u8", "v/index.m3u8", nil},
		{"remote query", remote, "v/index.m3u8", "seg.m4s?t=1", "v/seg.m4s?t=1", nil},
		{"remote absolute same host", remote, "v/index.m3u8", "https://cdn.example/title/v/seg.m4s", "v/seg.m4s", nil},
		{"remote absolute path inside", remote, "v/index.m3u8", "/title/a/x.m4s", "a/x.m4s", nil},
		{"remote absolute path outside", remote, "v/index.m3u8", "/other/x.m4s", "", errEscape},
		{"remote other host", remote, "v/index.m3u8", "https://evil.example/title/x.m4s", "", errEscape},
		{"remote other scheme", remote, "v/index.m3u8", "http://cdn.example/title/x.m4s", "", errEscape},
		{"remote climb", remote, "index.m3u8", "../x.m4s", "", errEscape},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.r.resolve(tc.base, tc.ref)
			if got != tc.want || !errors.Is(err, tc.wantErr) && (err != nil || tc.wantErr != nil) {
				t.Errorf("resolve(%q, %q) = %q, %v; want %q, %v", tc.base, tc.ref, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
