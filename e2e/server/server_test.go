package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	testKID = "0123456789abcdef0123456789abcdef"
	testKey = "00112233445566778899aabbccddeeff"
)

func newTestServer(t *testing.T) (*Server, string) {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"pkg/master.m3u8":           "#EXTM3U\n",
		"pkg/manifest.mpd":          "<MPD/>",
		"pkg/video/a/init.mp4":      "init",
		"pkg/video/a/seg-00001.m4s": "0123456789",
		"pkg/video/a/index.m3u8":    "#EXTM3U\n#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,KEYFORMAT=\"urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b\",KEYID=0x" + testKID + ",URI=\"data:text/plain;base64,AAAA\"\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg-00001.m4s\n",
		"keys/k.json":               `{"keys":[{"kid":"` + testKID + `","key":"` + testKey + `"}]}`,
		"www/player.js":             "x",
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return NewServer(root, nil), root
}

func TestServeFileMIMETypes(t *testing.T) {
	s, _ := newTestServer(t)
	tests := []struct {
		path, contentType string
		status            int
	}{
		{"/pkg/master.m3u8", "application/vnd.apple.mpegurl", 200},
		{"/pkg/manifest.mpd", "application/dash+xml", 200},
		{"/pkg/video/a/init.mp4", "video/mp4", 200},
		{"/pkg/video/a/seg-00001.m4s", "video/iso.segment", 200},
		{"/www/player.js", "text/javascript; charset=utf-8", 200},
		{"/ck/pkg/manifest.mpd", "application/dash+xml", 200},
		{"/pkg/missing.m4s", "", 404},
		{"/pkg", "", 404},
		{"/../../etc/passwd", "", 404},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.status == 200 {
				if got := rec.Header().Get("Content-Type"); got != tc.contentType {
					t.Errorf("Content-Type %q, want %q", got, tc.contentType)
				}
				if got := rec.Header().Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control %q, want no-store", got)
				}
			}
		})
	}
}

func TestServeFileRange(t *testing.T) {
	s, _ := newTestServer(t)
	req := httptest.NewRequest(http.MethodGet, "/pkg/video/a/seg-00001.m4s", nil)
	req.Header.Set("Range", "bytes=2-5")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusPartialContent || rec.Body.String() != "2345" {
		t.Fatalf("got %d %q, want 206 \"2345\"", rec.Code, rec.Body.String())
	}
}

func TestServeFileSymlinkOutOfRoot(t *testing.T) {
	s, root := newTestServer(t)
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "pkg", "link.txt")); err != nil {
		t.Skipf("symlink: %v", err)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/pkg/link.txt", nil))
	if rec.Code == http.StatusOK {
		t.Fatalf("served a file outside the root through a symlink: %q", rec.Body.String())
	}
}

func TestClearKeyPrefixAddsKeyLine(t *testing.T) {
	s, _ := newTestServer(t)
	for _, tc := range []struct {
		path string
		want bool
	}{{"/ck/pkg/video/a/index.m3u8", true}, {"/pkg/video/a/index.m3u8", false}} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if got := strings.Contains(rec.Body.String(), `KEYFORMAT="org.w3.clearkey"`); got != tc.want {
			t.Errorf("%s: clearkey line %v, want %v:\n%s", tc.path, got, tc.want, rec.Body.String())
		}
	}
}

func b64url(t *testing.T, hexID string) string {
	t.Helper()
	id, err := parseID16(hexID)
	if err != nil {
		t.Fatal(err)
	}
	return id.b64url()
}

func postLicence(t *testing.T, s *Server, url, body string) (int, LicenceResponse) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, url, strings.NewReader(body)))
	var resp LicenceResponse
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("licence response %q: %v", rec.Body.String(), err)
		}
	}
	return rec.Code, resp
}

func TestLicence(t *testing.T) {
	kid := b64url(t, testKID)
	key := b64url(t, testKey)
	wrongKey := b64url(t, "ffeeddccbbaa99887766554433221100")
	other := b64url(t, "ffffffffffffffffffffffffffffffff")
	tests := []struct {
		name   string
		url    string
		body   string
		status int
		want   []JWK
	}{
		{"right key", "/license/c1?keys=keys/k.json", `{"kids":["` + kid + `"],"type":"temporary"}`, 200,
			[]JWK{{KTY: "oct", K: key, KID: kid}}},
		{"wrong key for the right KID", "/license/c1?keys=keys/k.json&mode=wrong", `{"kids":["` + kid + `"]}`, 200,
			[]JWK{{KTY: "oct", K: wrongKey, KID: kid}}},
		{"unknown KID is left out", "/license/c1?keys=keys/k.json", `{"kids":["` + other + `","` + kid + `"]}`, 200,
			[]JWK{{KTY: "oct", K: key, KID: kid}}},
		{"only unknown KIDs", "/license/c1?keys=keys/k.json", `{"kids":["` + other + `"]}`, 404, nil},
		{"no kids", "/license/c1?keys=keys/k.json", `{"kids":[]}`, 400, nil},
		{"not JSON", "/license/c1?keys=keys/k.json", `kids`, 400, nil},
		{"missing key file", "/license/c1?keys=keys/none.json", `{"kids":["` + kid + `"]}`, 404, nil},
		{"key file outside the root", "/license/c1?keys=../../etc/passwd", `{"kids":["` + kid + `"]}`, 404, nil},
		{"bad mode", "/license/c1?keys=keys/k.json&mode=maybe", `{"kids":["` + kid + `"]}`, 400, nil},
		{"too large", "/license/c1?keys=keys/k.json", `{"kids":["` + strings.Repeat("A", maxLicenceBody) + `"]}`, 413, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestServer(t)
			status, resp := postLicence(t, s, tc.url, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if tc.status == 200 {
				if diff := cmp.Diff(tc.want, resp.Keys); diff != "" {
					t.Errorf("keys (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestLicenceGetRefused(t *testing.T) {
	s, _ := newTestServer(t)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/license/c1?keys=keys/k.json", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("status %d, want 405", rec.Code)
	}
}

func TestLicenceLog(t *testing.T) {
	s, _ := newTestServer(t)
	kid := b64url(t, testKID)
	postLicence(t, s, "/license/shaka/hls/h264-cenc?keys=keys/k.json", `{"kids":["`+kid+`"]}`)
	postLicence(t, s, "/license/shaka/hls/h264-cenc?keys=keys/k.json&mode=wrong", `{"kids":["`+kid+`"]}`)
	postLicence(t, s, "/license/other?keys=keys/k.json", `{"kids":["`+kid+`"]}`)

	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_e2e/licences/shaka/hls/h264-cenc", nil))
	var got []LicenceRequest
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%q: %v", rec.Body.String(), err)
	}
	want := []LicenceRequest{
		{Kind: "clearkey", Mode: "ok", KeyFile: "keys/k.json", Requested: []string{testKID}, Answered: []string{testKID}, Status: 200},
		{Kind: "clearkey", Mode: "wrong", KeyFile: "keys/k.json", Requested: []string{testKID}, Answered: []string{testKID}, Status: 200},
	}
	if diff := cmp.Diff(want, got, cmpIgnoreTime); diff != "" {
		t.Errorf("licence log (-want +got):\n%s", diff)
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_e2e/licences/nobody", nil))
	if strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Errorf("log of a case without requests = %q, want []", rec.Body.String())
	}
}

var cmpIgnoreTime = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Time" }, cmp.Ignore())

func TestMaxRequests(t *testing.T) {
	s, _ := newTestServer(t)
	s.MaxRequests = 2
	calls := 0
	s.OnLimit = func() { calls++ }
	var codes []int
	for range 4 {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/pkg/master.m3u8", nil))
		codes = append(codes, rec.Code)
	}
	if diff := cmp.Diff([]int{200, 200, 503, 503}, codes); diff != "" {
		t.Errorf("status codes (-want +got):\n%s", diff)
	}
	if calls != 1 || !s.LimitReached() {
		t.Errorf("OnLimit called %d times, LimitReached %v; want 1, true", calls, s.LimitReached())
	}
}

func TestParseID16(t *testing.T) {
	want := ID16{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	raw := want[:]
	for _, in := range []string{
		testKID,
		strings.ToUpper(testKID),
		"0x" + testKID,
		"01234567-89ab-cdef-0123-456789abcdef",
		base64.RawURLEncoding.EncodeToString(raw),
		base64.StdEncoding.EncodeToString(raw),
	} {
		got, err := parseID16(in)
		if err != nil || got != want {
			t.Errorf("parseID16(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0123", testKID + "00", "zz23456789abcdef0123456789abcdef", "AAAA"} {
		if _, err := parseID16(in); err == nil {
			t.Errorf("parseID16(%q): no error", in)
		}
	}
}

func TestParseKeyFile(t *testing.T) {
	want := []Key{{KID: mustID(t, testKID), Value: mustID(t, testKey)}}
	for _, doc := range []string{
		`{"keys":[{"kid":"` + testKID + `","key":"` + testKey + `"}]}`,
		`[{"key_id":"01234567-89ab-cdef-0123-456789abcdef","content_key":"` + testKey + `","track":"sd"}]`,
		`{"tracks":{"video":{"keyId":"0x` + testKID + `","Key":"` + testKey + `"}}}`,
		`{"keys":[{"kty":"oct","kid":"` + mustID(t, testKID).b64url() + `","k":"` + mustID(t, testKey).b64url() + `"}]}`,
	} {
		got, err := parseKeyFile([]byte(doc))
		if err != nil {
			t.Errorf("%s: %v", doc, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", doc, diff)
		}
	}
	for _, doc := range []string{`{}`, `[`, `{"kid":"` + testKID + `","key":"short"}`} {
		if _, err := parseKeyFile([]byte(doc)); err == nil {
			t.Errorf("%s: no error", doc)
		}
	}
}

func mustID(t *testing.T, s string) ID16 {
	t.Helper()
	id, err := parseID16(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:0": true, "127.0.0.2:8080": true, "[::1]:0": true, "localhost:0": true,
		"0.0.0.0:0": false, ":0": false, "10.0.0.1:80": false, "example.com:80": false, "nonsense": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

// TestRun starts the real server on a loopback port, fetches a file and
// stops it by closing its standard input, as the e2e runner does.
func TestRun(t *testing.T) {
	_, root := newTestServer(t)
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-root", root, "-lifetime", "1m"}, stdinR, stdoutW, io.Discard)
		stdoutW.Close()
	}()
	buf := make([]byte, 100)
	n, err := stdoutR.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(buf[:n]))
	base, ok := strings.CutPrefix(line, "listening ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q, want listening http://127.0.0.1:PORT", line)
	}
	resp, err := http.Get(base + "/pkg/manifest.mpd")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	stdinW.Close()
	if code := <-done; code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	if code := run([]string{"-addr", "0.0.0.0:0"}, strings.NewReader(""), io.Discard, io.Discard); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
}

func TestIdentityKeys(t *testing.T) {
	s, _ := newTestServer(t)
	ok := Grant{Case: "shaka/hls/x", KeyFile: "keys/k.json"}.Token()
	wrong := Grant{Case: "shaka/hls/x/wrong-key", KeyFile: "keys/k.json", Mode: "wrong"}.Token()

	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ik/"+ok+"/pkg/video/a/index.m3u8", nil))
	wantLine := `#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,KEYFORMAT="identity",KEYFORMATVERSIONS="1",URI="/key/` + ok + "/" + testKID + `"`
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), wantLine+"\n") {
		t.Fatalf("playlist %d:\n%s\nwant a line\n%s", rec.Code, rec.Body.String(), wantLine)
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ik/"+ok+"/pkg/video/a/seg-00001.m4s", nil))
	if rec.Code != 200 || rec.Body.String() != "0123456789" {
		t.Errorf("segment under /ik/: %d %q", rec.Code, rec.Body.String())
	}

	tests := []struct {
		name, path string
		status     int
		body       string
	}{
		{"right key", "/key/" + ok + "/" + testKID, 200, string(mustID(t, testKey).bytes())},
		{"wrong key", "/key/" + wrong + "/" + testKID, 200, string(mustID(t, "ffeeddccbbaa99887766554433221100").bytes())},
		{"unknown KID", "/key/" + ok + "/ffffffffffffffffffffffffffffffff", 404, ""},
		{"bad KID", "/key/" + ok + "/zz", 400, ""},
		{"bad token", "/key/nonsense/" + testKID, 400, ""},
		{"bad token on a playlist", "/ik/nonsense/pkg/video/a/index.m3u8", 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.status == 200 && rec.Body.String() != tc.body {
				t.Errorf("body %x, want %x", rec.Body.String(), tc.body)
			}
		})
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/_e2e/licences/shaka/hls/x", nil))
	var got []LicenceRequest
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []LicenceRequest{
		{Kind: "identity", Mode: "ok", KeyFile: "keys/k.json", Requested: []string{testKID}, Answered: []string{testKID}, Status: 200},
		{Kind: "identity", Mode: "ok", KeyFile: "keys/k.json", Requested: []string{"ffffffffffffffffffffffffffffffff"}, Status: 404, Error: "no key for the requested KID"},
		{Kind: "identity", Mode: "ok", KeyFile: "keys/k.json", Status: 400, Error: got[len(got)-1].Error},
	}
	if diff := cmp.Diff(want, got, cmpIgnoreTime); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}

func TestParseGrant(t *testing.T) {
	g := Grant{Case: "c", KeyFile: "keys/k.json", Mode: "wrong"}
	got, err := parseGrant(g.Token())
	if err != nil || got != g {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	got, err = parseGrant(Grant{Case: "c", KeyFile: "k"}.Token())
	if err != nil || got.Mode != "ok" {
		t.Errorf("default mode: %+v, %v", got, err)
	}
	for _, bad := range []string{"", "!!", base64.RawURLEncoding.EncodeToString([]byte("{}")), Grant{Case: "c", KeyFile: "k", Mode: "maybe"}.Token()} {
		if _, err := parseGrant(bad); err == nil {
			t.Errorf("parseGrant(%q): no error", bad)
		}
	}
}
