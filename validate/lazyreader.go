package validate

import (
	"context"
)

// lazyReader reads one resource (or a byte range of it) in chunks, as box
// walking needs: box headers and moof bodies, never the mdat payloads it
// skips. It keeps one window of bytes, so walking a segment with one moof
// costs one read.
type lazyReader struct {
	ctx   context.Context
	src   source
	name  string
	limit int64 // the most read at once
	chunk int64

	size   int64 // of the resource, -1 until known
	win    []byte
	winOff int64
}

// defaultChunk is the first read of a resource: the styp and moof of a
// segment of 100-200 samples fit in it, mdat header included.
const defaultChunk = 4 << 10

func newLazyReader(ctx context.Context, src source, name string, limit int64) *lazyReader {
	return &lazyReader{ctx: ctx, src: src, name: name, limit: limit, chunk: defaultChunk, size: -1}
}

// at returns n bytes at off, fewer when the resource ends before.
func (l *lazyReader) at(off, n int64) ([]byte, error) {
	if off >= l.winOff && off+n <= l.winOff+int64(len(l.win)) {
		return l.win[off-l.winOff : off-l.winOff+n], nil
	}
	if l.size >= 0 && off >= l.size {
		return nil, nil
	}
	want := max(n, l.chunk)
	if l.size >= 0 && off+want > l.size {
		want = l.size - off
	}
	if n > l.limit {
		// the caller asked for more than may be read: report via size check
		_, size, err := l.src.read(l.ctx, l.name, off, n, l.limit)
		if size > 0 {
			l.size = size
		}
		return nil, err
	}
	want = min(want, l.limit)
	data, size, err := l.src.read(l.ctx, l.name, off, want, l.limit)
	if err != nil {
		return nil, err
	}
	l.size = size
	l.win, l.winOff = data, off
	if int64(len(data)) < n {
		return data, nil
	}
	return data[:n], nil
}

// total returns the resource's size, reading its first bytes if needed.
func (l *lazyReader) total() (int64, error) {
	if l.size < 0 {
		if _, err := l.at(0, 1); err != nil {
			return 0, err
		}
		if l.size < 0 {
			l.size = 0
		}
	}
	return l.size, nil
}
