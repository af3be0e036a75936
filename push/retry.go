package push

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"
)

// RetryPolicy says how often and how patiently RetryStore retries.
type RetryPolicy struct {
	// Attempts is the number of tries per operation, the first included.
	// Zero means 5; 1 means no retries.
	Attempts int
	// Backoff is the delay before the second attempt; it doubles for each
	// further one, up to MaxBackoff, and is jittered down by up to half
	// (equal jitter), so that parallel uploads that failed together do not
	// retry together. Zero means 250ms and 8s. Tests shrink both.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// AttemptTimeout bounds one attempt: AttemptTimeout plus the object's
	// size at MinBytesPerSecond, so a stalled connection is abandoned and
	// retried. Zero means 60s and 256 KiB/s.
	AttemptTimeout    time.Duration
	MinBytesPerSecond int64
	// SpoolBytes is the largest download Get holds in memory; larger ones
	// spool to a temporary file. Zero means 16 MiB.
	SpoolBytes int64
	Log        *slog.Logger // retries at Info; nil discards
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	if p.Backoff <= 0 {
		p.Backoff = 250 * time.Millisecond
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 8 * time.Second
	}
	if p.AttemptTimeout <= 0 {
		p.AttemptTimeout = 60 * time.Second
	}
	if p.MinBytesPerSecond <= 0 {
		p.MinBytesPerSecond = 256 << 10
	}
	if p.SpoolBytes <= 0 {
		p.SpoolBytes = 16 << 20
	}
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	return p
}

// RetryStore is the retry decorator: it wraps any Store and retries each
// operation that fails with an error the inner store does not call
// permanent, with exponential backoff and jitter. It stops at once on a
// permanent error or when the caller's context is done.
//
// Get downloads the whole object inside the retry loop (into memory, or a
// temporary file past Policy.SpoolBytes) and checks its length, so a
// connection reset or a truncated body mid-download is retried like any
// other transient failure; the returned reader never fails half way.
type RetryStore struct {
	Store  Store
	Policy RetryPolicy
	// sleep waits between attempts; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// WithRetry wraps s. A RetryStore given to WithRetry again is rewrapped
// around its inner store, never stacked.
func WithRetry(s Store, p RetryPolicy) *RetryStore {
	if rs, ok := s.(*RetryStore); ok {
		s = rs.Store
	}
	return &RetryStore{Store: s, Policy: p.withDefaults(), sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (r *RetryStore) String() string { return r.Store.String() }

// IsPermanent implements Store with the inner store's classification.
func (r *RetryStore) IsPermanent(err error) bool { return r.Store.IsPermanent(err) }

// do runs op until it succeeds, fails permanently, the attempts run out or
// ctx is done. size scales the per-attempt timeout.
func (r *RetryStore) do(ctx context.Context, op, key string, size int64, f func(ctx context.Context) error) error {
	p := r.Policy
	delay := p.Backoff
	for attempt := 1; ; attempt++ {
		timeout := p.AttemptTimeout + time.Duration(max(size, 0)/p.MinBytesPerSecond)*time.Second
		actx, cancel := context.WithTimeout(ctx, timeout)
		err := f(actx)
		timedOut := actx.Err() != nil && ctx.Err() == nil
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			if !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("%w (%w)", err, context.Cause(ctx))
			}
			return err
		}
		if timedOut && !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (attempt timed out after %s)", err, timeout)
		}
		if !timedOut && r.Store.IsPermanent(err) {
			return err
		}
		if attempt >= p.Attempts {
			return fmt.Errorf("%w (gave up after %d attempts)", err, attempt)
		}
		d := delay/2 + rand.N(delay/2+1)
		p.Log.Info("retrying", "store", r.Store.String(), "op", op, "key", key, "attempt", attempt+1,
			"delay", d.Round(time.Millisecond).String(), "err", err)
		if err := r.sleep(ctx, d); err != nil {
			return opErr(op, key, err)
		}
		delay = min(delay*2, p.MaxBackoff)
	}
}

// Put implements Store, seeking body back to its start before each attempt.
func (r *RetryStore) Put(ctx context.Context, obj Object, body io.ReadSeeker) error {
	first := true
	return r.do(ctx, "put", obj.Key, obj.Size, func(ctx context.Context) error {
		if !first {
			if _, err := body.Seek(0, io.SeekStart); err != nil {
				return opErr("put", obj.Key, fmt.Errorf("rewind body: %w", err))
			}
		}
		first = false
		return r.Store.Put(ctx, obj, body)
	})
}

// Stat implements Store.
func (r *RetryStore) Stat(ctx context.Context, key string) (Object, error) {
	var obj Object
	err := r.do(ctx, "stat", key, 0, func(ctx context.Context) error {
		var err error
		obj, err = r.Store.Stat(ctx, key)
		return err
	})
	return obj, err
}

// Delete implements Store.
func (r *RetryStore) Delete(ctx context.Context, key string) error {
	return r.do(ctx, "delete", key, 0, func(ctx context.Context) error {
		return r.Store.Delete(ctx, key)
	})
}

// Get implements Store: the object is downloaded whole, with retries,
// before Get returns.
func (r *RetryStore) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	var (
		obj   Object
		spool *spoolFile
	)
	err := r.do(ctx, "get", key, obj.Size, func(ctx context.Context) error {
		rc, o, err := r.Store.Get(ctx, key)
		if err != nil {
			return err
		}
		defer rc.Close()
		s := newSpool(r.Policy.SpoolBytes)
		n, err := io.Copy(s, ctxReader{ctx, rc})
		if err == nil && o.Size >= 0 && n != o.Size {
			err = fmt.Errorf("body has %d bytes, want %d: %w", n, o.Size, io.ErrUnexpectedEOF)
		}
		if err != nil {
			s.Close()
			return opErr("get", key, err)
		}
		o.Size = n
		obj, spool = o, s
		return nil
	})
	if err != nil {
		return nil, Object{}, err
	}
	rc, err := spool.reader()
	if err != nil {
		spool.Close()
		return nil, Object{}, opErr("get", key, err)
	}
	return rc, obj, nil
}

// spoolFile buffers a download in memory up to limit bytes, then in a
// temporary file.
type spoolFile struct {
	limit int64
	buf   bytes.Buffer
	file  *os.File
}

func newSpool(limit int64) *spoolFile { return &spoolFile{limit: limit} }

func (s *spoolFile) Write(p []byte) (int, error) {
	if s.file == nil && int64(s.buf.Len()+len(p)) > s.limit {
		f, err := os.CreateTemp("", "vpack-get-*")
		if err != nil {
			return 0, err
		}
		_ = os.Remove(f.Name()) // unlinked: gone when closed
		if _, err := f.Write(s.buf.Bytes()); err != nil {
			f.Close()
			return 0, err
		}
		s.buf = bytes.Buffer{}
		s.file = f
	}
	if s.file != nil {
		return s.file.Write(p)
	}
	return s.buf.Write(p)
}

func (s *spoolFile) reader() (io.ReadCloser, error) {
	if s.file == nil {
		return bytesReadCloser{bytes.NewReader(s.buf.Bytes())}, nil
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return s.file, nil
}

func (s *spoolFile) Close() error {
	if s.file != nil {
		return s.file.Close()
	}
	return nil
}

// bytesReadCloser keeps Seek visible (io.NopCloser hides it): Fill puts
// what Get returned to an edge, and puts seek.
type bytesReadCloser struct{ *bytes.Reader }

func (bytesReadCloser) Close() error { return nil }
