package push_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

// faultRetry gives up on an attempt after half a second (the proxy holds
// "timeout" requests for a second) and retries often.
var faultRetry = push.RetryPolicy{Attempts: 8, Backoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond,
	AttemptTimeout: 500 * time.Millisecond, MinBytesPerSecond: 1 << 30}

var allFaults = pushtest.Faults{Rate: 0.25, Max: 40, Hold: time.Second}

// publishUntilDone runs Publish until it succeeds, three times at most:
// with faults a push may fail after its retries, and running it again must
// converge.
func publishUntilDone(t *testing.T, dir string, origin push.Store, opts push.PublishOptions) {
	t.Helper()
	var err error
	for run := 1; run <= 3; run++ {
		if _, err = push.Publish(context.Background(), dir, origin, opts); err == nil {
			return
		}
		if !errors.Is(err, push.ErrFailed) {
			t.Fatalf("run %d: err = %v, want nil or ErrFailed", run, err)
		}
		t.Logf("run %d failed (re-running converges): %v", run, err)
	}
	t.Fatalf("no convergence after 3 runs: %v", err)
}

// TestPublishFaults pushes through a proxy that injects 5xx answers,
// connection resets, timeouts, truncated bodies and slow reads (seeded,
// at most 40 faults) to nginx, x/net/webdav and versitygw; the origin
// ends byte-identical to the package.
func TestPublishFaults(t *testing.T) {
	dir := synthetic(t)
	servers := []struct {
		name  string
		start func(t *testing.T) (target string, open func(url string) push.Store, check push.Store)
	}{
		{"nginx", func(t *testing.T) (string, func(string) push.Store, push.Store) {
			ng := pushtest.StartNginx(t, pushtest.NginxOptions{})
			open := func(u string) push.Store { return newHTTP(t, u+"/live/movie", push.HTTPOptions{}) }
			return ng.URL, open, open(ng.URL)
		}},
		{"webdav", func(t *testing.T) (string, func(string) push.Store, push.Store) {
			url, _ := pushtest.WebDAV(t)
			open := func(u string) push.Store { return newHTTP(t, u+"/live/movie", push.HTTPOptions{}) }
			return url, open, open(url)
		}},
		{"s3", func(t *testing.T) (string, func(string) push.Store, push.Store) {
			gw := pushtest.StartVersityGW(t)
			gw.CreateBucket(t, "faults")
			open := func(u string) push.Store {
				return newS3(t, gw, "s3://faults/movie", push.S3Options{Endpoint: u})
			}
			return gw.Endpoint, open, open(gw.Endpoint)
		}},
	}
	for i, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			target, open, check := srv.start(t)
			f := allFaults
			f.Seed = uint64(7 + i)
			proxy := pushtest.NewFaultProxy(t, target, f)
			origin := push.WithRetry(open(proxy.URL), faultRetry)
			publishUntilDone(t, dir, origin, push.PublishOptions{Concurrency: 4})
			injected, requests := proxy.Injected()
			t.Logf("%d requests, faults injected: %v", requests, injected)
			if proxy.Total() == 0 {
				t.Fatal("no fault was injected")
			}
			pushtest.AssertMirror(t, dir, check)
			// Run again through the faults: still nothing to upload, and
			// still a mirror.
			publishUntilDone(t, dir, origin, push.PublishOptions{Concurrency: 4})
			pushtest.AssertMirror(t, dir, check)
		})
	}
}

// TestPublishKilled kills a push (the test binary re-run as a child) in
// the middle of an upload, checks that no manifest is visible, runs the
// push again and checks that the origin converges to the package.
func TestPublishKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := synthetic(t)
	media := 0
	for _, k := range pushtest.Files(t, dir) {
		if strings.HasSuffix(k, ".m4s") || strings.HasSuffix(k, ".mp4") {
			media++
		}
	}
	targets := []struct {
		name string
		open func(t *testing.T) (url, diskDir string, check push.Store)
	}{
		{"file", func(t *testing.T) (string, string, push.Store) {
			d := filepath.Join(t.TempDir(), "origin")
			s, err := push.NewFile(d)
			if err != nil {
				t.Fatal(err)
			}
			return "file://" + d, d, s
		}},
		{"nginx", func(t *testing.T) (string, string, push.Store) {
			ng := pushtest.StartNginx(t, pushtest.NginxOptions{})
			return ng.URL + "/live/movie", filepath.Join(ng.Root, "live", "movie"), newHTTP(t, ng.URL+"/live/movie", push.HTTPOptions{})
		}},
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			url, disk, check := tg.open(t)
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "VPACK_PUSH_CHILD=1", "VPACK_PUSH_CHILD_DIR="+dir,
				"VPACK_PUSH_CHILD_ORIGIN="+url, fmt.Sprintf("VPACK_PUSH_CHILD_STOP_AFTER=%d", media/2))
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil || line != "stopped\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child said %q (%v), stderr: %s", line, err, stderr.String())
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()

			visible := onDisk(t, disk)
			for _, k := range []string{"master.m3u8", "manifest.mpd", "package.json", push.RecordKey} {
				if visible[k] {
					t.Errorf("%s is visible after a push killed among the media", k)
				}
			}
			for k := range visible {
				if strings.HasSuffix(k, ".m3u8") {
					t.Errorf("playlist %s is visible after a push killed among the media", k)
				}
			}
			// media/2 puts started before the blocked one; with two in
			// flight, one may not have finished.
			if n := len(visible); n < media/2-1 || n >= media {
				t.Errorf("%d objects visible after the kill, want %d at least, fewer than %d", n, media/2-1, media)
			}
			t.Logf("killed with %d of %d media objects stored", len(visible), media)

			origin := push.WithRetry(check, fastRetry)
			if _, err := push.Publish(context.Background(), dir, origin, push.PublishOptions{}); err != nil {
				t.Fatal(err)
			}
			pushtest.AssertMirror(t, dir, check)
		})
	}
}

// onDisk lists the objects visible in a store folder: files, without
// temporary files (hidden, and not objects).
func onDisk(t *testing.T, dir string) map[string]bool {
	t.Helper()
	seen := make(map[string]bool)
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !strings.Contains(d.Name(), ".vpack-tmp-") && !strings.HasPrefix(d.Name(), ".") || rel == push.RecordKey {
			seen[rel] = true
		}
		return nil
	})
	return seen
}

// TestNoManifestBeforeSegments polls the origin over HTTP while a push
// (through the fault proxy, so it takes a while and retries) runs: no
// playlist is ever visible before every media object, and no multivariant
// playlist, MPD or package.json before every media playlist.
func TestNoManifestBeforeSegments(t *testing.T) {
	dir := synthetic(t)
	ng := pushtest.StartNginx(t, pushtest.NginxOptions{})
	f := allFaults
	f.Seed = 42
	f.Kinds = []pushtest.Fault{pushtest.Fault5xx, pushtest.FaultReset, pushtest.FaultSlow}
	proxy := pushtest.NewFaultProxy(t, ng.URL, f)
	origin := push.WithRetry(newHTTP(t, proxy.URL+"/live/movie", push.HTTPOptions{}), faultRetry)

	var media, playlists, manifests []string
	for _, k := range pushtest.Files(t, dir) {
		switch {
		case k == "master.m3u8" || k == "manifest.mpd" || k == "package.json":
			manifests = append(manifests, k)
		case strings.HasSuffix(k, ".m3u8"):
			playlists = append(playlists, k)
		default:
			media = append(media, k)
		}
	}
	client := &http.Client{Timeout: 5 * time.Second}
	visible := func(key string) bool {
		resp, err := client.Head(ng.URL + "/live/movie/" + key)
		if err != nil {
			t.Errorf("poll %s: %v", key, err)
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	anyVisible := func(keys []string) (string, bool) {
		for _, k := range keys {
			if visible(k) {
				return k, true
			}
		}
		return "", false
	}
	allVisible := func(keys []string) (string, bool) {
		for _, k := range keys {
			if !visible(k) {
				return k, false
			}
		}
		return "", true
	}
	// Each poll looks at the later class first: what is visible stays
	// visible, so if a manifest was there before the playlists were
	// checked, the playlists must have been there too.
	var done atomic.Bool
	var polls int
	var wg sync.WaitGroup
	wg.Go(func() {
		for !done.Load() && polls < 10000 {
			polls++
			if m, ok := anyVisible(manifests); ok {
				if p, ok := allVisible(playlists); !ok {
					t.Errorf("%s visible while %s is not", m, p)
					return
				}
			}
			if p, ok := anyVisible(playlists); ok {
				if s, ok := allVisible(media); !ok {
					t.Errorf("%s visible while %s is not", p, s)
					return
				}
			}
		}
	})
	publishUntilDone(t, dir, origin, push.PublishOptions{Concurrency: 4})
	done.Store(true)
	wg.Wait()
	t.Logf("%d polls of the origin during the push", polls)
	pushtest.AssertMirror(t, dir, newHTTP(t, ng.URL+"/live/movie", push.HTTPOptions{}))
}

// TestConcurrentPushes runs two pushes of one package to one origin at
// once: both succeed and the origin is the package.
func TestConcurrentPushes(t *testing.T) {
	dir := synthetic(t)
	ng := pushtest.StartNginx(t, pushtest.NginxOptions{})
	fileDir := filepath.Join(t.TempDir(), "origin")
	for _, url := range []string{ng.URL + "/live/movie", "file://" + fileDir} {
		t.Run(strings.SplitN(url, ":", 2)[0], func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range 2 {
				wg.Go(func() {
					s, err := push.Open(context.Background(), url, push.OpenOptions{Retry: fastRetry})
					if err == nil {
						_, err = push.Publish(context.Background(), dir, s, push.PublishOptions{Concurrency: 4})
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("push %d: %v", i, err)
				}
			}
			s, err := push.Open(context.Background(), url, push.OpenOptions{NoRetry: true})
			if err != nil {
				t.Fatal(err)
			}
			pushtest.AssertMirror(t, dir, s)
			if _, _, err := push.ReadRecord(context.Background(), s); err != nil {
				t.Errorf("record after two pushes: %v", err)
			}
		})
	}
}
