package push_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/push"
)

func TestParseWindow(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2025, 6, 1, h, m, 0, 0, time.UTC) }
	tests := []struct {
		spec    string
		in, out []time.Time
	}{
		{"02:00-06:00", []time.Time{at(2, 0), at(5, 59)}, []time.Time{at(1, 59), at(6, 0), at(12, 0)}},
		{"22:00-04:00", []time.Time{at(22, 0), at(23, 59), at(0, 0), at(3, 59)}, []time.Time{at(4, 0), at(21, 59), at(12, 0)}},
		{"00:00-24:00", []time.Time{at(0, 0), at(23, 59)}, nil},
	}
	for _, tc := range tests {
		w, err := push.ParseWindow(tc.spec, time.UTC)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if w.String() != tc.spec {
			t.Errorf("String() = %q, want %q", w, tc.spec)
		}
		for _, tm := range tc.in {
			if !w.Contains(tm) {
				t.Errorf("%s does not contain %s", tc.spec, tm.Format("15:04"))
			}
		}
		for _, tm := range tc.out {
			if w.Contains(tm) {
				t.Errorf("%s contains %s", tc.spec, tm.Format("15:04"))
			}
		}
	}
	w, _ := push.ParseWindow("02:00-06:00", time.UTC)
	if got := w.Opens(at(12, 0)); !got.Equal(time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("opens %s after noon, want 02:00 the next day", got)
	}
	if got := w.Opens(at(1, 0)); !got.Equal(at(2, 0)) {
		t.Errorf("opens %s after 01:00, want 02:00 the same day", got)
	}
	for _, bad := range []string{"", "2-6", "02:00", "02:00-02:00", "25:00-03:00", "02:60-03:00", "24:30-01:00"} {
		if _, err := push.ParseWindow(bad, time.UTC); err == nil {
			t.Errorf("ParseWindow(%q) accepted", bad)
		}
	}
}

func TestParseSizeRate(t *testing.T) {
	sizes := map[string]int64{"10": 10, "500MB": 500e6, "2GB": 2e9, "1.5TB": 1.5e12, "512MiB": 512 << 20, "64k": 64e3, "3 GiB": 3 << 30}
	for s, want := range sizes {
		if got, err := push.ParseSize(s); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	rates := map[string]int64{"200MB/s": 200e6, "50MiB/s": 50 << 20, "800Mbit/s": 100e6, "1Gbps": 125e6, "1000": 1000}
	for s, want := range rates {
		if got, err := push.ParseRate(s); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, bad := range []string{"", "fast", "-1GB", "10XB"} {
		if _, err := push.ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"", "0MB/s", "quick"} {
		if _, err := push.ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}

// TestSecret: credentials print, log and marshal as REDACTED.
func TestSecret(t *testing.T) {
	s := push.Secret("hunter2")
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("creds", "password", s)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("creds", "password", s)
	js, _ := json.Marshal(struct{ P push.Secret }{s})
	out := strings.Join([]string{fmt.Sprint(s), fmt.Sprintf("%v %s %q %+v %#v", s, s, s, s, s),
		fmt.Sprintf("%+v", push.HTTPOptions{User: "u", Password: s, Token: s}), logged.String(), string(js)}, "\n")
	if strings.Contains(out, "hunter2") {
		t.Fatalf("secret leaked:\n%s", out)
	}
	if !strings.Contains(out, "REDACTED") || s.Reveal() != "hunter2" {
		t.Fatalf("want REDACTED in output and the value from Reveal:\n%s", out)
	}
}

func TestCheckKey(t *testing.T) {
	for _, ok := range []string{"a", "video/720p/seg-00001.m4s", "a b/c", ".vpack/push.json"} {
		if err := push.CheckKey(ok); err != nil {
			t.Errorf("CheckKey(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", `a\b`, "http://x/y", "a\x00b"} {
		if err := push.CheckKey(bad); err == nil {
			t.Errorf("CheckKey(%q) accepted", bad)
		}
	}
}

func TestHTTPCredentials(t *testing.T) {
	env := map[string]string{push.EnvHTTPUser: "envuser", push.EnvHTTPPassword: "envpass"}
	netrc := []byte("machine ingest.example login ing password s3cret\nmachine other.example\n  login o password p\n")
	creds, err := push.HTTPCredentials(func(k string) string { return env[k] }, netrc)
	if err != nil {
		t.Fatal(err)
	}
	check := func(raw, wantUser, wantPass, wantToken string) {
		t.Helper()
		u, _ := url.Parse(raw)
		user, pass, tok := creds(u)
		if user != wantUser || pass.Reveal() != wantPass || tok.Reveal() != wantToken {
			t.Errorf("%s: %q %q %q, want %q %q %q", raw, user, pass.Reveal(), tok.Reveal(), wantUser, wantPass, wantToken)
		}
	}
	check("https://ingest.example:8443/live", "ing", "s3cret", "")
	check("https://OTHER.example/live", "o", "p", "")
	check("https://edge.example/live", "envuser", "envpass", "")
	env[push.EnvHTTPToken] = "tok"
	creds, _ = push.HTTPCredentials(func(k string) string { return env[k] }, nil)
	check("https://edge.example/live", "", "", "tok")
	if _, err := push.HTTPCredentials(func(string) string { return "" }, []byte("machine")); err == nil {
		t.Error("truncated netrc accepted")
	}
}
