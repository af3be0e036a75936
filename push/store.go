package push

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
)

// Store is one place objects are published to: an origin or an edge cache.
// Keys are slash-separated paths relative to the store's prefix (the folder
// or key prefix in its URL); every backend refuses keys that are not clean
// relative paths (see CheckKey), so nothing is ever written outside the
// prefix.
//
// Errors are *OpError values. IsPermanent tells the retry decorator
// (WithRetry) which errors a retry cannot fix.
type Store interface {
	// Put stores obj.Size bytes read from body under obj.Key, replacing what
	// is there. A reader never sees a partial object: backends publish
	// atomically (rename, single PUT, completed multipart upload). When
	// obj.SHA256 is set, backends that can check it (file, mem, s3) refuse a
	// body that does not hash to it. Put may seek body back to its start;
	// the retry decorator does before each attempt.
	Put(ctx context.Context, obj Object, body io.ReadSeeker) error
	// Get opens the object at key. Size, and what else the backend knows
	// (ETag, SHA256, ContentType), are in the returned Object.
	Get(ctx context.Context, key string) (io.ReadCloser, Object, error)
	// Stat describes the object at key without reading it. A missing object
	// gives an error wrapping ErrNotFound.
	Stat(ctx context.Context, key string) (Object, error)
	// Delete removes the object at key. Deleting a missing object is not an
	// error.
	Delete(ctx context.Context, key string) error
	// IsPermanent reports whether err, returned by this store, will happen
	// again however often the operation is retried (not found, access
	// denied, a missing bucket, a bad key) as opposed to transient (5xx,
	// reset connections, timeouts).
	IsPermanent(err error) bool
	// String names the store for logs and reports: its URL without
	// credentials.
	String() string
}

// Object describes one stored object. Put takes the fields the caller
// knows; Get and Stat fill in what the backend knows.
type Object struct {
	Key  string `json:"key"`
	Size int64  `json:"size"` // bytes; Put with -1 (http only) sends a chunked body
	// SHA256 is the lowercase hex SHA-256 of the content. On Put it is the
	// expected hash; from Stat and Get it is the hash the backend holds for
	// the object (s3: verified by the server at upload; mem: computed), or
	// "" when the backend has none (file, http).
	SHA256       string `json:"sha256,omitempty"`
	ETag         string `json:"etag,omitempty"` // backend's version tag, as returned; changes when the object does
	ContentType  string `json:"content_type,omitempty"`
	CacheControl string `json:"cache_control,omitempty"`
}

var (
	// ErrNotFound is wrapped by Get and Stat errors for a missing object.
	ErrNotFound = errors.New("not found")
	// ErrInvalidKey is wrapped by errors for keys that are not clean
	// relative paths: absolute, climbing out with "..", empty, with
	// backslashes or control characters.
	ErrInvalidKey = errors.New("invalid key")
	// ErrChanged is wrapped when a body did not match its Object: another
	// size or SHA-256 than declared (the source changed while it was read,
	// or the bytes were damaged on the way).
	ErrChanged = errors.New("content does not match")
	// ErrFailed is wrapped by every error of Publish and Fill that means
	// objects could not be published: an operation failed permanently or
	// after its retries, or verification failed. The CLI maps it to exit
	// code 5. Cancellation is reported as context.Canceled instead.
	ErrFailed = errors.New("push failed")
)

// CheckKey returns an error wrapping ErrInvalidKey unless key is a clean,
// slash-separated relative path that stays under the store's prefix.
func CheckKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("empty key: %w", ErrInvalidKey)
	case strings.HasPrefix(key, "/"), strings.Contains(key, `\`), strings.Contains(key, "://"):
		return fmt.Errorf("%q is absolute: %w", key, ErrInvalidKey)
	case path.Clean(key) != key, key == ".", key == "..", strings.HasPrefix(key, "../"):
		return fmt.Errorf("%q is not a clean relative path: %w", key, ErrInvalidKey)
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%q contains a control character: %w", key, ErrInvalidKey)
		}
	}
	return nil
}

// isPermanentCommon classifies the errors every backend shares.
func isPermanentCommon(err error) (permanent, known bool) {
	switch {
	case err == nil:
		return false, true
	case errors.Is(err, context.Canceled):
		return true, true
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrInvalidKey), errors.Is(err, ErrChanged):
		return true, true
	}
	return false, false
}

// guardedReader hands a body to an HTTP client (net/http, the AWS SDK)
// that may go on reading it from another goroutine after the request
// returned (http.RoundTripper's contract allows it). Once release is
// called, the client gets EOF and never touches the body again, so the
// caller may seek it for a retry. The approach of aws-sdk-go's
// offsetReader.
type guardedReader struct {
	mu     sync.Mutex
	r      io.ReadSeeker
	closed bool
}

func guard(r io.ReadSeeker) *guardedReader { return &guardedReader{r: r} }

func (g *guardedReader) Read(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return 0, io.EOF
	}
	return g.r.Read(p)
}

func (g *guardedReader) Seek(off int64, whence int) (int64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return 0, errors.New("body released")
	}
	return g.r.Seek(off, whence)
}

// Close is a no-op: net/http closes request bodies when it likes; the
// body's owner releases it.
func (g *guardedReader) Close() error { return nil }

// release ends the client's access to the body; it waits for a read in
// progress.
func (g *guardedReader) release() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}
