package validate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"sync/atomic"
)

// Errors of a source, each reported under its own rule.
var (
	errNotFound = errors.New("not found")
	errTooLarge = errors.New("too large")
	errEscape   = errors.New("leaves the package root")
	errBadURI   = errors.New("malformed URI")
)

// source reads the resources of one package: files under a root folder
// (fileSource) or URLs under a root URL (httpSource). Names are
// root-relative, slash-separated and already resolved (see resolver); a
// source never reads anything outside its root.
type source interface {
	// read returns the bytes [off, off+n) of name (to the end when n < 0),
	// fewer at the end of the resource, and the resource's size. It never
	// reads more than limit bytes: a larger request fails with errTooLarge.
	read(ctx context.Context, name string, off, n, limit int64) ([]byte, int64, error)
	// display is how findings name the resource: the relative path, or the
	// URL.
	display(name string) string
	// remote reports an HTTP source, whose root may be left by absolute
	// URLs on the same host and whose URLs may carry queries.
	remote() bool
	bytesRead() int64
	close() error
}

// fileSource reads files under a folder through os.Root, which also
// refuses symbolic links that point outside it.
type fileSource struct {
	root  *os.Root
	total atomic.Int64

	mu   sync.Mutex
	dirs map[string]*os.Root // sub-roots by folder: one openat per file instead of one per path element
}

func newFileSource(dir string) (*fileSource, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &fileSource{root: root}, nil
}

func (s *fileSource) read(ctx context.Context, name string, off, n, limit int64) ([]byte, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if name == "" {
		name = "."
	}
	f, err := s.open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, 0, errNotFound
		}
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if st.IsDir() {
		return nil, 0, fmt.Errorf("a folder: %w", errNotFound)
	}
	size := st.Size()
	if off >= size {
		return nil, size, nil
	}
	if n < 0 || off+n > size {
		n = size - off
	}
	if n > limit {
		return nil, size, fmt.Errorf("%d bytes to read, limit %d: %w", n, limit, errTooLarge)
	}
	buf := make([]byte, n)
	got, err := f.ReadAt(buf, off)
	s.total.Add(int64(got))
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, size, err
	}
	return buf[:got], size, nil
}

// open opens name through the sub-root of its folder, opened once.
func (s *fileSource) open(name string) (*os.File, error) {
	dir, base := path.Split(name)
	if dir == "" || base == "" {
		return s.root.Open(name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.dirs[dir]
	if !ok {
		var err error
		if sub, err = s.root.OpenRoot(strings.TrimSuffix(dir, "/")); err != nil {
			return nil, err
		}
		if s.dirs == nil {
			s.dirs = make(map[string]*os.Root)
		}
		s.dirs[dir] = sub
	}
	return sub.Open(base)
}

func (s *fileSource) display(name string) string { return name }
func (s *fileSource) remote() bool               { return false }
func (s *fileSource) bytesRead() int64           { return s.total.Load() }
func (s *fileSource) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.dirs {
		d.Close()
	}
	return s.root.Close()
}

var errBadRange = errors.New("not a byte range first-last with first <= last")
