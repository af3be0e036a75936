package push_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/push/pushtest"
)

// fastRetry is the retry policy of tests: the same logic, millisecond
// backoff.
var fastRetry = push.RetryPolicy{Attempts: 6, Backoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond,
	AttemptTimeout: 2 * time.Second}

func synthetic(t *testing.T) string {
	t.Helper()
	return pushtest.WriteSynthetic(t, filepath.Join(t.TempDir(), "pkg"), pushtest.DefaultSynthetic)
}

type backend struct {
	name string
	open func(t *testing.T) (push.Store, push.Store) // retrying store, bare store to check with
}

// backends returns every backend with a fresh, empty origin.
func backends(t *testing.T) []backend {
	return []backend{
		{"mem", func(t *testing.T) (push.Store, push.Store) {
			m := push.NewMem("mem://origin")
			return push.WithRetry(m, fastRetry), m
		}},
		{"file", func(t *testing.T) (push.Store, push.Store) {
			s, err := push.Open(context.Background(), "file://"+filepath.Join(t.TempDir(), "origin"), push.OpenOptions{Retry: fastRetry})
			if err != nil {
				t.Fatal(err)
			}
			return s, s
		}},
		{"webdav", func(t *testing.T) (push.Store, push.Store) {
			url, _ := pushtest.WebDAV(t)
			s := newHTTP(t, url+"/live/movie", push.HTTPOptions{})
			return push.WithRetry(s, fastRetry), s
		}},
		{"nginx", func(t *testing.T) (push.Store, push.Store) {
			ng := pushtest.StartNginx(t, pushtest.NginxOptions{})
			s := newHTTP(t, ng.URL+"/live/movie", push.HTTPOptions{})
			return push.WithRetry(s, fastRetry), s
		}},
		{"s3", func(t *testing.T) (push.Store, push.Store) {
			gw := pushtest.StartVersityGW(t)
			gw.CreateBucket(t, "titles")
			s := newS3(t, gw, "s3://titles/movies/movie", push.S3Options{})
			return push.WithRetry(s, fastRetry), s
		}},
	}
}

// TestPublishBackends pushes a synthetic package and a real one (ffmpeg +
// packager) to every backend, reads every object back and hashes it, then
// pushes again: nothing is uploaded the second time.
func TestPublishBackends(t *testing.T) {
	ctx := context.Background()
	pkgs := map[string]string{"synthetic": synthetic(t)}
	if !testing.Short() {
		pkgs["real"] = pushtest.RealPackage(t)
	}
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			for _, name := range []string{"synthetic", "real"} {
				dir, ok := pkgs[name]
				if !ok {
					continue
				}
				origin, bare := b.open(t)
				rep, err := push.Publish(ctx, dir, origin, push.PublishOptions{})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				n := len(pushtest.Files(t, dir))
				if rep.Objects != n || rep.Uploaded != n || rep.Skipped != 0 || rep.Failed != 0 {
					t.Errorf("%s: first push %+v, want %d objects uploaded", name, rep, n)
				}
				pushtest.AssertMirror(t, dir, bare)
				checkContentTypes(t, dir, bare)

				rep, err = push.Publish(ctx, dir, origin, push.PublishOptions{})
				if err != nil {
					t.Fatalf("%s: second push: %v", name, err)
				}
				if rep.Uploaded != 0 || rep.Skipped != n {
					t.Errorf("%s: second push uploaded %d, skipped %d; want 0 and %d", name, rep.Uploaded, rep.Skipped, n)
				}
			}
		})
	}
}

// checkContentTypes checks the Content-Type and Cache-Control of objects
// on stores that keep them (mem, s3).
func checkContentTypes(t *testing.T, dir string, s push.Store) {
	t.Helper()
	want := map[string]string{
		".m3u8": "application/vnd.apple.mpegurl", ".mpd": "application/dash+xml", ".m4s": "video/iso.segment",
		".json": "application/json",
	}
	for _, key := range pushtest.Files(t, dir) {
		st, err := s.Stat(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		if st.SHA256 == "" {
			return // a store that keeps no metadata
		}
		w := want[filepath.Ext(key)]
		if strings.HasSuffix(key, "/init.mp4") {
			w = "video/mp4"
			if strings.HasPrefix(key, "audio/") {
				w = "audio/mp4"
			}
		}
		if st.ContentType != w {
			t.Errorf("%s: Content-Type %q, want %q", key, st.ContentType, w)
		}
		cc := push.DefaultManifestCacheControl
		if strings.HasSuffix(key, ".m4s") || strings.HasSuffix(key, ".mp4") {
			cc = push.DefaultSegmentCacheControl
		}
		if st.CacheControl != cc {
			t.Errorf("%s: Cache-Control %q, want %q", key, st.CacheControl, cc)
		}
	}
}

// recorder is a Store decorator that logs the order of completed puts.
type recorder struct {
	push.Store
	mu   sync.Mutex
	puts []string
}

func (r *recorder) Delete(ctx context.Context, key string) error {
	if err := r.Store.Delete(ctx, key); err != nil {
		return err
	}
	r.mu.Lock()
	r.puts = append(r.puts, "delete "+key)
	r.mu.Unlock()
	return nil
}

func (r *recorder) Put(ctx context.Context, obj push.Object, body io.ReadSeeker) error {
	if err := r.Store.Put(ctx, obj, body); err != nil {
		return err
	}
	r.mu.Lock()
	r.puts = append(r.puts, obj.Key)
	r.mu.Unlock()
	return nil
}

// TestPublishOrder checks that every media object is stored before any
// media playlist, every media playlist before the multivariant playlist,
// MPD and package.json, and the push record last.
func TestPublishOrder(t *testing.T) {
	dir := synthetic(t)
	rec := &recorder{Store: push.NewMem("mem://origin")}
	if _, err := push.Publish(context.Background(), dir, rec, push.PublishOptions{Concurrency: 4}); err != nil {
		t.Fatal(err)
	}
	rank := func(key string) int {
		switch {
		case key == push.RecordKey:
			return 3
		case key == "master.m3u8", key == "manifest.mpd", key == "package.json":
			return 2
		case strings.HasSuffix(key, ".m3u8"):
			return 1
		}
		return 0
	}
	for i := 1; i < len(rec.puts); i++ {
		if rank(rec.puts[i]) < rank(rec.puts[i-1]) {
			t.Fatalf("%s stored after %s: order %v", rec.puts[i], rec.puts[i-1], rec.puts)
		}
	}
	if n := len(pushtest.Files(t, dir)) + 1; len(rec.puts) != n {
		t.Fatalf("%d puts, want %d", len(rec.puts), n)
	}
}

// TestPublishChanged re-pushes after one segment and the playlists
// changed: only those are uploaded.
func TestPublishChanged(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t)[:3] { // mem, file, webdav: the three skip strategies
		t.Run(b.name, func(t *testing.T) {
			dir := synthetic(t)
			origin, bare := b.open(t)
			if _, err := push.Publish(ctx, dir, origin, push.PublishOptions{}); err != nil {
				t.Fatal(err)
			}
			seg := filepath.Join(dir, "video", "540p-2000k", "seg-00002.m4s")
			if err := os.WriteFile(seg, pushtest.Bytes(80<<10, 999), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err := push.Publish(ctx, dir, origin, push.PublishOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Uploaded != 1 {
				t.Errorf("uploaded %d objects after one changed, want 1", rep.Uploaded)
			}
			pushtest.AssertMirror(t, dir, bare)
		})
	}
}

// TestPublishDelete replaces a package by one with a rendition less: with
// Delete the old rendition's objects go, after the new manifests are live;
// without it they stay.
func TestPublishDelete(t *testing.T) {
	ctx := context.Background()
	smaller := pushtest.DefaultSynthetic
	smaller.Video = smaller.Video[1:] // no 360p
	for _, del := range []bool{false, true} {
		t.Run(map[bool]string{false: "keep", true: "delete"}[del], func(t *testing.T) {
			origin := push.NewMem("mem://origin")
			if _, err := push.Publish(ctx, synthetic(t), origin, push.PublishOptions{}); err != nil {
				t.Fatal(err)
			}
			dir := pushtest.WriteSynthetic(t, filepath.Join(t.TempDir(), "v2"), smaller)
			// A first attempt whose deletes fail: the record keeps them
			// pending, and the next push deletes them.
			flaky := &failingDeletes{Store: origin}
			if del {
				_, err := push.Publish(ctx, dir, flaky, push.PublishOptions{Delete: true})
				if !errors.Is(err, push.ErrFailed) {
					t.Fatalf("push with failing deletes: err = %v, want ErrFailed", err)
				}
				if !slices.Contains(origin.Keys(), "master.m3u8") {
					t.Fatal("master.m3u8 missing")
				}
			}
			rec := &recorder{Store: origin}
			rep, err := push.Publish(ctx, dir, rec, push.PublishOptions{Delete: del})
			if err != nil {
				t.Fatal(err)
			}
			// Deletes come after the new manifests and the record.
			live := slices.Index(rec.puts, push.RecordKey)
			for i, op := range rec.puts {
				if strings.HasPrefix(op, "delete ") && (live < 0 || i < live) {
					t.Errorf("%s before the record and manifests were stored: %v", op, rec.puts)
				}
			}
			var left []string
			for _, k := range origin.Keys() {
				if strings.Contains(k, "360p") {
					left = append(left, k)
				}
			}
			if del && (len(left) != 0 || rep.Deleted != 7) {
				t.Errorf("with --delete: deleted %d, left %v; want 7 deleted, none left", rep.Deleted, left)
			}
			if !del && len(left) != 7 {
				t.Errorf("without --delete: %d objects of the old rendition left, want 7", len(left))
			}
			pushtest.AssertMirror(t, dir, origin)
			r, _, err := push.ReadRecord(ctx, origin)
			if err != nil {
				t.Fatal(err)
			}
			if del && len(r.Stale) != 0 || !del && len(r.Stale) != 7 {
				t.Errorf("record lists stale objects %v", r.Stale)
			}
		})
	}
}

type failingDeletes struct{ push.Store }

func (f *failingDeletes) Delete(ctx context.Context, key string) error {
	return &push.OpError{Op: "delete", Key: key, Err: push.ErrAccessDenied}
}

func (f *failingDeletes) IsPermanent(err error) bool { return true }

// TestPublishDryRun reports the plan and changes nothing.
func TestPublishDryRun(t *testing.T) {
	ctx := context.Background()
	dir := synthetic(t)
	origin := push.NewMem("mem://origin")
	rep, err := push.Publish(ctx, dir, origin, push.PublishOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(origin.Keys()) != 0 {
		t.Fatalf("dry run stored %v", origin.Keys())
	}
	n := len(pushtest.Files(t, dir))
	if !rep.DryRun || rep.Uploaded != n || len(rep.Actions) != n {
		t.Fatalf("dry run report %+v, want %d uploads", rep, n)
	}
	if _, err := push.Publish(ctx, dir, origin, push.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err = push.Publish(ctx, dir, origin, push.PublishOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, a := range rep.Actions {
		got[a.Op]++
	}
	if diff := cmp.Diff(map[string]int{"skip": n}, got); diff != "" {
		t.Errorf("dry run after a push (-want +got):\n%s", diff)
	}
}
