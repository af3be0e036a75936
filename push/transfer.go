package push

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// VerifyMode says how an object is checked after it is stored.
type VerifyMode string

const (
	// VerifyHash (the default) compares the size and the SHA-256: the one
	// the store reports (s3, mem), or, when it reports none (file, http),
	// the hash of the object read back.
	VerifyHash VerifyMode = "hash"
	// VerifySize compares the size, and the SHA-256 only when the store
	// reports one: no read-back, half the traffic to http stores.
	VerifySize VerifyMode = "size"
)

// ParseVerifyMode accepts "hash" and "size" ("" is hash).
func ParseVerifyMode(s string) (VerifyMode, error) {
	switch VerifyMode(s) {
	case "", VerifyHash:
		return VerifyHash, nil
	case VerifySize:
		return VerifySize, nil
	}
	return "", fmt.Errorf("verify mode %q: want hash or size", s)
}

// verifyStored checks that s holds size bytes hashing to sum at key and
// returns what Stat said (its ETag goes into the record).
func verifyStored(ctx context.Context, s Store, key string, size int64, sum string, mode VerifyMode) (Object, error) {
	st, err := s.Stat(ctx, key)
	if err != nil {
		return Object{}, fmt.Errorf("verify: %w", err)
	}
	if st.Size != size {
		return st, opErr("verify", key, fmt.Errorf("stored %d bytes, want %d: %w", st.Size, size, ErrChanged))
	}
	if st.SHA256 != "" {
		if st.SHA256 != sum {
			return st, opErr("verify", key, fmt.Errorf("stored sha256 %s, want %s: %w", st.SHA256, sum, ErrChanged))
		}
		return st, nil
	}
	if mode == VerifySize {
		return st, nil
	}
	rc, _, err := s.Get(ctx, key)
	if err != nil {
		return st, fmt.Errorf("verify: %w", err)
	}
	defer rc.Close()
	n, got, err := hashReader(rc)
	if err != nil {
		return st, opErr("verify", key, err)
	}
	if n != size || got != sum {
		return st, opErr("verify", key, fmt.Errorf("read back %d bytes with sha256 %s, want %d bytes with %s: %w", n, got, size, sum, ErrChanged))
	}
	return st, nil
}

func hashReader(r io.Reader) (int64, string, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// unchanged reports whether the stored object st is e: same size, and the
// same SHA-256 when the store reports one (then also the same content
// type and cache control, which such stores keep), else the ETag the
// record saw when it verified e's hash.
func unchanged(st Object, e Entry, rec *RecordObject) bool {
	if st.Size != e.Size {
		return false
	}
	if st.SHA256 != "" {
		return st.SHA256 == e.SHA256 &&
			(st.ContentType == "" || st.ContentType == e.ContentType) &&
			(st.CacheControl == "" || st.CacheControl == e.CacheControl)
	}
	return rec != nil && rec.SHA256 == e.SHA256 && rec.Size == e.Size && rec.ETag != "" && rec.ETag == st.ETag
}

// progress adds up bytes sent over many objects for a Progress callback.
type progress struct {
	fn    func(done, total int64)
	total int64
	done  atomic.Int64
	mu    sync.Mutex
}

func (p *progress) add(n int64) {
	if p == nil || p.fn == nil || n == 0 {
		return
	}
	d := p.done.Add(n)
	p.mu.Lock()
	p.fn(min(d, p.total), p.total)
	p.mu.Unlock()
}

// countingReader reports bytes read to a progress, counting bytes read
// again after a rewind (a retry) only once.
type countingReader struct {
	r         io.ReadSeeker
	pos, high int64
	p         *progress
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.pos += int64(n)
	if c.pos > c.high {
		c.p.add(c.pos - c.high)
		c.high = c.pos
	}
	return n, err
}

func (c *countingReader) Seek(off int64, whence int) (int64, error) {
	pos, err := c.r.Seek(off, whence)
	if err == nil {
		c.pos = pos
	}
	return pos, err
}

// failure is an error of Publish or Fill that wraps ErrFailed as well as
// its cause, without repeating "push failed" in the message.
type failure struct {
	msg string
	err error
}

func (e *failure) Error() string   { return e.msg + ": " + e.err.Error() }
func (e *failure) Unwrap() []error { return []error{ErrFailed, e.err} }

// failed wraps err as a failure unless it is a cancellation, which stays
// what it is (the CLI's interrupted exit code).
func failed(ctx context.Context, msg string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", msg, context.Cause(ctx))
	}
	return &failure{msg: msg, err: err}
}
