package validate_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/validate"
)

// serve serves files on 127.0.0.1 and counts requests.
func serve(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestURLCleanPackage(t *testing.T) {
	dir, _ := cleanPackage(t)
	var inFlight, most atomic.Int64
	srv, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		http.StripPrefix("/title", http.FileServer(http.Dir(dir))).ServeHTTP(w, r)
	}))
	for _, name := range []string{"master.m3u8", "manifest.mpd"} {
		r, err := validate.URL(context.Background(), srv.URL+"/title/"+name, validate.Options{Concurrency: 2})
		if err != nil {
			t.Fatal(err)
		}
		requireSpotless(t, r)
		if r.Stats.Segments != 9 {
			t.Errorf("%s: %d segments checked, want 9", name, r.Stats.Segments)
		}
	}
	if m := most.Load(); m > 2 {
		t.Errorf("%d requests at once, Concurrency is 2", m)
	}
}

func TestURLSafety(t *testing.T) {
	other, otherHits := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "#EXTM3U\n")
	}))
	var outsideHits atomic.Int64
	files := map[string]string{
		"/pkg/master.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f\",RESOLUTION=2x2,FRAME-RATE=25,AVERAGE-BANDWIDTH=1\n" + other.URL + "/x.m3u8\n" +
			"#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f\",RESOLUTION=2x2,FRAME-RATE=25,AVERAGE-BANDWIDTH=1\n../outside.m3u8\n" +
			"#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f\",RESOLUTION=2x2,FRAME-RATE=25,AVERAGE-BANDWIDTH=1\nbig.m3u8\n" +
			"#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f\",RESOLUTION=2x2,FRAME-RATE=25,AVERAGE-BANDWIDTH=1\nslow.m3u8\n" +
			"#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.64001f\",RESOLUTION=2x2,FRAME-RATE=25,AVERAGE-BANDWIDTH=1\nredirect.m3u8\n",
		"/pkg/big.m3u8": "#EXTM3U\n" + strings.Repeat("# padding\n", 1000),
	}
	srv, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/outside.m3u8":
			outsideHits.Add(1)
		case "/pkg/slow.m3u8":
			<-r.Context().Done() // never answers: the client's timeout must end it
			return
		case "/pkg/redirect.m3u8":
			http.Redirect(w, r, other.URL+"/y.m3u8", http.StatusFound)
			return
		}
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, r.URL.Path, time.Time{}, strings.NewReader(body))
	}))
	r, err := validate.URL(context.Background(), srv.URL+"/pkg/master.m3u8", validate.Options{HTTPTimeout: 200 * time.Millisecond, MaxManifestBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	r.WriteText(&b)
	t.Log("\n" + b.String())
	want := []struct{ rule, text string }{
		{"REF-ESCAPE", "is on another host"},
		{"REF-ESCAPE", "../outside.m3u8"},
		{"REF-TOO-LARGE", "big.m3u8"},
		{"REF-MISSING", "slow.m3u8"},
		{"REF-ESCAPE", "redirect to another host"},
	}
	for _, w := range want {
		found := false
		for _, f := range r.ByRule(w.rule) {
			found = found || strings.Contains(f.Message, w.text)
		}
		if !found {
			t.Errorf("no %s finding about %q:\n%s", w.rule, w.text, b.String())
		}
	}
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
	if n := outsideHits.Load(); n != 0 {
		t.Errorf("the path outside the package got %d requests", n)
	}
}

func TestURLCancelled(t *testing.T) {
	var once sync.Once
	ctx, cancel := context.WithCancel(context.Background())
	srv, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/master.m3u8" {
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n")
			return
		}
		once.Do(cancel)
		<-r.Context().Done()
	}))
	if _, err := validate.URL(ctx, srv.URL+"/master.m3u8", validate.Options{}); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("err = %v, want context canceled", err)
	}
}
