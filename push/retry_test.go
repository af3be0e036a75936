package push

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// flaky fails the first n calls of each operation with err.
type flaky struct {
	*Mem
	mu    sync.Mutex
	n     int
	err   error
	calls map[string]int
	// truncate makes failing Gets return a body cut short instead.
	truncate bool
}

func (f *flaky) fail(op string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	return f.calls[op] <= f.n
}

func (f *flaky) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *flaky) Put(ctx context.Context, obj Object, body io.ReadSeeker) error {
	if f.fail("put") {
		io.CopyN(io.Discard, body, 3) // a partial read the retry must rewind
		return opErr("put", obj.Key, f.err)
	}
	return f.Mem.Put(ctx, obj, body)
}

func (f *flaky) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	rc, obj, err := f.Mem.Get(ctx, key)
	if err == nil && f.fail("get") {
		if f.truncate {
			data, _ := io.ReadAll(rc)
			return io.NopCloser(bytes.NewReader(data[:len(data)/2])), obj, nil
		}
		return nil, Object{}, opErr("get", key, f.err)
	}
	return rc, obj, err
}

func (f *flaky) Stat(ctx context.Context, key string) (Object, error) {
	if f.fail("stat") {
		return Object{}, opErr("stat", key, f.err)
	}
	return f.Mem.Stat(ctx, key)
}

func (f *flaky) IsPermanent(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code < 500
	}
	return f.Mem.IsPermanent(err)
}

func newFlaky(n int, err error) *flaky {
	return &flaky{Mem: NewMem("mem://flaky"), n: n, err: err, calls: map[string]int{}}
}

func testRetry(s Store, attempts int) (*RetryStore, *[]time.Duration) {
	var slept []time.Duration
	r := WithRetry(s, RetryPolicy{Attempts: attempts, Backoff: 100 * time.Millisecond, MaxBackoff: 400 * time.Millisecond})
	r.sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return ctx.Err()
	}
	return r, &slept
}

func TestRetryTransient(t *testing.T) {
	ctx := context.Background()
	f := newFlaky(3, &StatusError{Method: "PUT", Code: 503, Status: "503 Service Unavailable"})
	r, slept := testRetry(f, 5)
	data := []byte("segment bytes")
	if err := r.Put(ctx, Object{Key: "a.m4s", Size: int64(len(data))}, bytes.NewReader(data)); err != nil {
		t.Fatalf("put after 3 transient failures: %v", err)
	}
	if got := f.Bytes("a.m4s"); !bytes.Equal(got, data) {
		t.Fatalf("stored %q, want %q (the body is rewound before a retry)", got, data)
	}
	if len(*slept) != 3 {
		t.Fatalf("slept %d times, want 3", len(*slept))
	}
	// Exponential with equal jitter: [d/2, d] for d = 100, 200, 400ms.
	for i, d := range *slept {
		base := 100 * time.Millisecond << i
		if d < base/2 || d > base {
			t.Errorf("delay %d = %s, want within [%s, %s]", i, d, base/2, base)
		}
	}
	if _, err := r.Stat(ctx, "a.m4s"); err != nil {
		t.Errorf("stat after transient failures: %v", err)
	}
}

func TestRetryGivesUp(t *testing.T) {
	f := newFlaky(100, &StatusError{Method: "PUT", Code: 502, Status: "502 Bad Gateway"})
	r, slept := testRetry(f, 4)
	err := r.Put(context.Background(), Object{Key: "a.m4s", Size: 1}, bytes.NewReader([]byte("x")))
	var op *OpError
	if !errors.As(err, &op) || !strings.Contains(err.Error(), "gave up after 4 attempts") {
		t.Fatalf("err = %v, want an OpError that says it gave up after 4 attempts", err)
	}
	if len(*slept) != 3 || (*slept)[2] > 400*time.Millisecond {
		t.Errorf("slept %v, want 3 delays capped at 400ms", *slept)
	}
}

func TestRetryPermanent(t *testing.T) {
	for _, err := range []error{
		&StatusError{Method: "PUT", Code: 403, Status: "403 Forbidden"},
		ErrNotFound, ErrInvalidKey,
	} {
		f := newFlaky(1, err)
		r, slept := testRetry(f, 5)
		got := r.Put(context.Background(), Object{Key: "a", Size: 1}, bytes.NewReader([]byte("x")))
		if !errors.Is(got, err) || len(*slept) != 0 || f.calls["put"] != 1 {
			t.Errorf("%v: err = %v after %d calls and %d sleeps; want it at once", err, got, f.calls["put"], len(*slept))
		}
	}
}

func TestRetryCanceled(t *testing.T) {
	f := newFlaky(100, &StatusError{Method: "PUT", Code: 503, Status: "503 Service Unavailable"})
	ctx, cancel := context.WithCancel(context.Background())
	r := WithRetry(f, RetryPolicy{Attempts: 10, Backoff: time.Hour})
	go func() {
		for f.count("put") == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err := r.Put(ctx, Object{Key: "a", Size: 1}, bytes.NewReader([]byte("x")))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled (a cancel ends the backoff)", err)
	}
}

// TestRetryGetTruncated: a body cut short mid-download is retried, and
// what Get returns is whole.
func TestRetryGetTruncated(t *testing.T) {
	f := newFlaky(2, nil)
	f.truncate = true
	data := bytes.Repeat([]byte("0123456789"), 1000)
	if err := f.Mem.Put(context.Background(), Object{Key: "k", Size: int64(len(data))}, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	r, slept := testRetry(f, 5)
	r.Policy.SpoolBytes = 100 // spool to a temporary file
	rc, obj, err := r.Get(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, data) || obj.Size != int64(len(data)) || len(*slept) != 2 {
		t.Fatalf("got %d bytes (Size %d) after %d retries, want %d after 2", len(got), obj.Size, len(*slept), len(data))
	}
	if _, ok := rc.(io.Seeker); !ok {
		t.Error("Get's reader does not seek")
	}
}

// TestRetryAttemptTimeout: an attempt that hangs is abandoned and retried.
func TestRetryAttemptTimeout(t *testing.T) {
	h := &hang{Mem: NewMem("mem://hang")}
	r := WithRetry(h, RetryPolicy{Attempts: 3, Backoff: time.Millisecond, AttemptTimeout: 20 * time.Millisecond, MinBytesPerSecond: 1 << 30})
	if err := r.Put(context.Background(), Object{Key: "a", Size: 1}, bytes.NewReader([]byte("x"))); err != nil {
		t.Fatalf("put: %v", err)
	}
	if h.calls != 2 {
		t.Fatalf("%d calls, want 2 (one hung, one went through)", h.calls)
	}
}

type hang struct {
	*Mem
	calls int
}

func (h *hang) Put(ctx context.Context, obj Object, body io.ReadSeeker) error {
	h.calls++
	if h.calls == 1 {
		<-ctx.Done()
		return opErr("put", obj.Key, fmt.Errorf("hung: %w", ctx.Err()))
	}
	return h.Mem.Put(ctx, obj, body)
}
