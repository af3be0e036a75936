package pushtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/push"
)

// Backend describes a Store under test and what it can do beyond the
// Store contract.
type Backend struct {
	// New returns an empty store; each subtest gets its own.
	New func(t *testing.T) push.Store
	// SHA256: Stat and Get report the hash given to Put.
	SHA256 bool
	// Metadata: Stat and Get report the Content-Type and Cache-Control
	// given to Put.
	Metadata bool
	// ChecksPut: Put refuses a body whose SHA-256 differs from
	// Object.SHA256, storing nothing.
	ChecksPut bool
	// ETag: Stat reports an ETag that changes when the object does.
	ETag bool
}

// Run is the conformance suite every backend passes: round trips of
// empty, small and large objects, overwrites, nested and escaped keys,
// missing objects, idempotent deletes, refused keys, concurrent writers
// and cancellation.
func Run(t *testing.T, b Backend) {
	t.Helper()
	ctx := context.Background()
	t.Run("RoundTrip", func(t *testing.T) {
		s := b.New(t)
		for _, size := range []int{0, 1, 1000, 3<<20 + 17} {
			key := fmt.Sprintf("video/r1/seg-%05d.m4s", size)
			data := Bytes(int64(size), uint64(size))
			put(t, s, key, data, "video/iso.segment", "public, max-age=31536000, immutable")
			got := get(t, s, key)
			if !bytes.Equal(got, data) {
				t.Fatalf("%s: got %d bytes back, want %d identical", key, len(got), len(data))
			}
			st, err := s.Stat(ctx, key)
			if err != nil {
				t.Fatalf("stat %s: %v", key, err)
			}
			if st.Size != int64(size) {
				t.Errorf("stat %s: size %d, want %d", key, st.Size, size)
			}
			if b.SHA256 && st.SHA256 != SHA256(data) {
				t.Errorf("stat %s: sha256 %q, want %q", key, st.SHA256, SHA256(data))
			}
			if !b.SHA256 && st.SHA256 != "" {
				t.Errorf("stat %s: sha256 %q from a backend that keeps none", key, st.SHA256)
			}
			if b.Metadata {
				if st.ContentType != "video/iso.segment" || st.CacheControl != "public, max-age=31536000, immutable" {
					t.Errorf("stat %s: content type %q, cache control %q", key, st.ContentType, st.CacheControl)
				}
			}
		}
	})
	t.Run("Overwrite", func(t *testing.T) {
		s := b.New(t)
		put(t, s, "master.m3u8", []byte("#EXTM3U\nold, longer body\n"), "application/vnd.apple.mpegurl", "")
		st1, err := s.Stat(ctx, "master.m3u8")
		if err != nil {
			t.Fatal(err)
		}
		put(t, s, "master.m3u8", []byte("#EXTM3U\nnew\n"), "application/vnd.apple.mpegurl", "")
		if got := string(get(t, s, "master.m3u8")); got != "#EXTM3U\nnew\n" {
			t.Fatalf("after overwrite got %q", got)
		}
		st2, err := s.Stat(ctx, "master.m3u8")
		if err != nil {
			t.Fatal(err)
		}
		if b.ETag && (st2.ETag == "" || st1.ETag == st2.ETag) {
			t.Errorf("ETag %q then %q: want a new ETag for new content", st1.ETag, st2.ETag)
		}
	})
	t.Run("Keys", func(t *testing.T) {
		s := b.New(t)
		for _, key := range []string{"a", "a.b/c d/e+f%20g.m4s", "deep/er/than/most/x.mp4", "ünïcode/ß.m3u8", "x/.hidden/y"} {
			data := []byte("key " + key)
			put(t, s, key, data, "", "")
			if got := get(t, s, key); !bytes.Equal(got, data) {
				t.Errorf("%q: got %q", key, got)
			}
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		s := b.New(t)
		_, err := s.Stat(ctx, "video/missing/init.mp4")
		checkNotFound(t, s, "stat", err)
		rc, _, err := s.Get(ctx, "missing.m3u8")
		if rc != nil {
			rc.Close()
		}
		checkNotFound(t, s, "get", err)
	})
	t.Run("Delete", func(t *testing.T) {
		s := b.New(t)
		put(t, s, "video/r1/seg-00001.m4s", []byte("x"), "", "")
		for range 2 { // deleting twice is fine
			if err := s.Delete(ctx, "video/r1/seg-00001.m4s"); err != nil {
				t.Fatalf("delete: %v", err)
			}
		}
		_, err := s.Stat(ctx, "video/r1/seg-00001.m4s")
		checkNotFound(t, s, "stat after delete", err)
		if err := s.Delete(ctx, "never/was/there.m4s"); err != nil {
			t.Fatalf("delete of a missing object: %v", err)
		}
	})
	t.Run("InvalidKeys", func(t *testing.T) {
		s := b.New(t)
		for _, key := range []string{"", "/abs", "../up", "a/../../up", "a//b", "a/./b", `a\b`, "a/", ".", "..", "ctl\n"} {
			err := s.Put(ctx, push.Object{Key: key, Size: 1}, bytes.NewReader([]byte("x")))
			if !errors.Is(err, push.ErrInvalidKey) || !s.IsPermanent(err) {
				t.Errorf("put %q: err = %v, want a permanent ErrInvalidKey", key, err)
			}
			if _, err := s.Stat(ctx, key); !errors.Is(err, push.ErrInvalidKey) {
				t.Errorf("stat %q: err = %v, want ErrInvalidKey", key, err)
			}
			if err := s.Delete(ctx, key); !errors.Is(err, push.ErrInvalidKey) {
				t.Errorf("delete %q: err = %v, want ErrInvalidKey", key, err)
			}
		}
	})
	t.Run("ChecksPut", func(t *testing.T) {
		if !b.ChecksPut {
			t.Skip("backend does not check hashes on put")
		}
		s := b.New(t)
		data := []byte("the real bytes")
		err := s.Put(ctx, push.Object{Key: "v/seg.m4s", Size: int64(len(data)), SHA256: SHA256([]byte("other bytes"))}, bytes.NewReader(data))
		if err == nil {
			t.Fatal("put with a wrong sha256 succeeded")
		}
		if !s.IsPermanent(err) {
			t.Errorf("wrong sha256: %v is not permanent", err)
		}
		_, err = s.Stat(ctx, "v/seg.m4s")
		checkNotFound(t, s, "stat after refused put", err)
	})
	t.Run("Concurrent", func(t *testing.T) {
		s := b.New(t)
		// Distinct keys from many writers, and two writers racing on one key:
		// afterwards every distinct key is whole, the raced key is one of
		// the two bodies, whole.
		a, bb := Bytes(200<<10, 1), Bytes(200<<10, 2)
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for i := range 12 {
			wg.Go(func() {
				data := Bytes(int64(10<<10+i), uint64(100+i))
				key := fmt.Sprintf("c/%d.m4s", i)
				if err := s.Put(ctx, push.Object{Key: key, Size: int64(len(data)), SHA256: SHA256(data)}, bytes.NewReader(data)); err != nil {
					errs <- err
				}
			})
		}
		// Servers may refuse a write racing another on the same key with a
		// transient error (x/net/webdav: 423 Locked): retried, it lands.
		rs := push.WithRetry(s, push.RetryPolicy{Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Attempts: 10})
		for _, d := range [][]byte{a, bb, a, bb} {
			wg.Go(func() {
				if err := rs.Put(ctx, push.Object{Key: "c/raced.m4s", Size: int64(len(d)), SHA256: SHA256(d)}, bytes.NewReader(d)); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for i := range 12 {
			want := Bytes(int64(10<<10+i), uint64(100+i))
			if got := get(t, s, fmt.Sprintf("c/%d.m4s", i)); !bytes.Equal(got, want) {
				t.Errorf("c/%d.m4s: not the bytes put", i)
			}
		}
		if got := get(t, s, "c/raced.m4s"); !bytes.Equal(got, a) && !bytes.Equal(got, bb) {
			t.Errorf("c/raced.m4s: %d bytes, neither body", len(got))
		}
	})
	t.Run("Canceled", func(t *testing.T) {
		s := b.New(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := s.Put(cctx, push.Object{Key: "x.m4s", Size: 1}, bytes.NewReader([]byte("x")))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("put with a canceled context: err = %v, want context.Canceled", err)
		}
		if err != nil && !s.IsPermanent(err) {
			t.Errorf("cancellation %v is not permanent", err)
		}
	})
}

func checkNotFound(t *testing.T, s push.Store, what string, err error) {
	t.Helper()
	var op *push.OpError
	switch {
	case !errors.Is(err, push.ErrNotFound):
		t.Errorf("%s: err = %v, want ErrNotFound", what, err)
	case !errors.As(err, &op):
		t.Errorf("%s: err = %T, want a *push.OpError", what, err)
	case !s.IsPermanent(err):
		t.Errorf("%s: not found is not permanent", what)
	}
}

func put(t *testing.T, s push.Store, key string, data []byte, contentType, cacheControl string) {
	t.Helper()
	obj := push.Object{Key: key, Size: int64(len(data)), SHA256: SHA256(data), ContentType: contentType, CacheControl: cacheControl}
	if err := s.Put(context.Background(), obj, bytes.NewReader(data)); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func get(t *testing.T, s push.Store, key string) []byte {
	t.Helper()
	rc, obj, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	if obj.Size != int64(len(data)) {
		t.Errorf("get %s: Object.Size %d, body %d bytes", key, obj.Size, len(data))
	}
	return data
}

// Bytes returns n pseudo-random bytes from seed: incompressible, so no
// server or proxy can shortcut them.
func Bytes(n int64, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= len(b); i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := len(b) &^ 7; i < len(b); i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// SHA256 is the lowercase hex SHA-256 of data.
func SHA256(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// keyList formats keys for failure messages.
func keyList(keys []string) string {
	if len(keys) > 10 {
		return strings.Join(keys[:10], ", ") + fmt.Sprintf(" and %d more", len(keys)-10)
	}
	return strings.Join(keys, ", ")
}
