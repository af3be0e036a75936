package packager

import (
	"errors"
	"fmt"
	"io"
	"os"
)

const (
	// defaultCopyBufferBytes is the output buffer, and the source window, of
	// each worker: the most sample data a worker holds in memory.
	defaultCopyBufferBytes = 1 << 20
	// kernelCopyMinBytes is the shortest contiguous run of sample data
	// copied with copy_file_range(2) (through (*os.File).ReadFrom of an
	// io.LimitedReader of an *os.File) instead of through the buffer.
	// Single-track renditions are one run per fragment.
	kernelCopyMinBytes = 256 << 10
	// fragHeadroom is kept free in front of an encrypted fragment's sample
	// data in the gather buffer, for its styp, moof and mdat header: the
	// fragment then goes out in one write, its data copied no further.
	fragHeadroom = 16 << 10
)

// run is a contiguous byte range of sample data in a source file.
type run struct {
	off, n int64
}

// copier writes one output file region: header bytes and the payloads of
// samples, in order. Small, scattered payloads (interleaved audio and video
// samples) are gathered into the output buffer through positional reads -
// one read per dense window, or per sample when the track's samples are
// sparse in the file - and large contiguous runs are copied in the kernel.
// Memory is two buffers of bufSize whatever the input's length.
type copier struct {
	bufSize int
	buf     []byte // pending output, written at off
	win     []byte // a window of source bytes
	winSrc  *source
	winOff  int64
	hdr     []byte // scratch for moof encoding
	extra   []byte // scratch for encryption boxes
	frag    []byte // fragHeadroom, then an encrypted fragment's sample data (gather)
	// fragBytes is the size gather gives frag when it first needs it:
	// fragHeadroom plus the largest encrypted fragment of the plan, so that
	// the buffer is allocated, and its pages faulted in, once per worker
	// rather than each time a fragment is larger than all before it.
	fragBytes int
	dsts      [][]byte
	junk      []byte // where preadv puts the bytes between wanted runs
	iovs      iovecs // scratch for preadv
	runs      []run

	dst *os.File
	off int64 // where buf goes in dst
	src *source
	own map[*source]*os.File // private descriptors for copy_file_range, whose file offset we move

	maxRead int64
	written int64
}

func newCopier(bufSize int) *copier {
	return &copier{bufSize: bufSize, own: map[*source]*os.File{}}
}

// reset points the copier at a new output region.
func (c *copier) reset(dst *os.File, off int64, src *source) {
	c.dst, c.off, c.src = dst, off, src
	c.buf = c.buf[:0]
}

func (c *copier) close() {
	for _, f := range c.own {
		f.Close()
	}
	c.own = map[*source]*os.File{}
}

func (c *copier) grow() {
	if c.buf == nil {
		c.buf = make([]byte, 0, c.bufSize)
	}
}

// write queues header bytes.
func (c *copier) write(p []byte) error {
	c.grow()
	if len(c.buf)+len(p) > c.bufSize {
		if err := c.flush(); err != nil {
			return err
		}
	}
	if len(p) > c.bufSize {
		n, err := c.dst.WriteAt(p, c.off)
		c.off += int64(n)
		c.written += int64(n)
		return err
	}
	c.buf = append(c.buf, p...)
	return nil
}

// flush writes the pending output.
func (c *copier) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	n, err := c.dst.WriteAt(c.buf, c.off)
	c.off += int64(n)
	c.written += int64(n)
	c.buf = c.buf[:0]
	return err
}

// copySamples appends the payloads of ss, in order.
func (c *copier) copySamples(ss []sample) error {
	c.grow()
	runs := c.runs[:0]
	for i := range ss {
		s := &ss[i]
		if s.size == 0 {
			continue
		}
		if k := len(runs) - 1; k >= 0 && runs[k].off+runs[k].n == s.offset {
			runs[k].n += int64(s.size)
			continue
		}
		runs = append(runs, run{s.offset, int64(s.size)})
	}
	c.runs = runs
	for i, r := range runs {
		var err error
		switch {
		case r.n >= kernelCopyMinBytes:
			err = c.copyKernel(r)
		case c.inWindow(r):
			err = c.fromWindow(r)
		default:
			// Fill the window when the next runs are dense in the file
			// (half or more of the span is ours), else read just this run.
			span, ours := r.n, r.n
			k := i + 1
			for ; k < len(runs); k++ {
				nr := runs[k]
				if nr.off < r.off || nr.off+nr.n-r.off > int64(c.bufSize) || nr.n >= kernelCopyMinBytes {
					break
				}
				span, ours = nr.off+nr.n-r.off, ours+nr.n
			}
			if k > i+1 && ours*2 >= span {
				if err = c.fillWindow(r.off, span); err == nil {
					err = c.fromWindow(r)
				}
			} else {
				err = c.readDirect(r)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *copier) inWindow(r run) bool {
	return c.winSrc == c.src && r.off >= c.winOff && r.off+r.n <= c.winOff+int64(len(c.win))
}

func (c *copier) fillWindow(off, n int64) error {
	if c.win == nil {
		c.win = make([]byte, c.bufSize)
	}
	c.win = c.win[:n]
	c.winSrc, c.winOff = nil, 0
	if err := c.readAt(c.win, off); err != nil {
		return err
	}
	c.winSrc, c.winOff = c.src, off
	return nil
}

func (c *copier) fromWindow(r run) error {
	if len(c.buf)+int(r.n) > c.bufSize {
		if err := c.flush(); err != nil {
			return err
		}
	}
	c.buf = append(c.buf, c.win[r.off-c.winOff:r.off-c.winOff+r.n]...)
	return nil
}

// readDirect reads a run straight into the output buffer.
func (c *copier) readDirect(r run) error {
	for r.n > 0 {
		room := int64(c.bufSize - len(c.buf))
		if room < r.n && len(c.buf) > 0 {
			if err := c.flush(); err != nil {
				return err
			}
			room = int64(c.bufSize)
		}
		k := min(room, r.n)
		start := len(c.buf)
		c.buf = c.buf[:start+int(k)]
		if err := c.readAt(c.buf[start:], r.off); err != nil {
			return err
		}
		r.off += k
		r.n -= k
	}
	return nil
}

func (c *copier) readAt(p []byte, off int64) error {
	c.maxRead = max(c.maxRead, int64(len(p)))
	n, err := c.src.f.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read %s at byte %d: %w", c.src.name, off, err)
}

// copyKernel copies a run from the source file to the output without
// passing it through user space where the kernel can (copy_file_range on
// Linux; Go falls back to a buffered copy elsewhere).
func (c *copier) copyKernel(r run) error {
	if err := c.flush(); err != nil {
		return err
	}
	f := c.own[c.src]
	if f == nil {
		var err error
		if f, err = os.Open(c.src.f.Name()); err != nil {
			return err
		}
		c.own[c.src] = f
	}
	if _, err := f.Seek(r.off, io.SeekStart); err != nil {
		return err
	}
	if _, err := c.dst.Seek(c.off, io.SeekStart); err != nil {
		return err
	}
	n, err := c.dst.ReadFrom(&io.LimitedReader{R: f, N: r.n})
	c.off += n
	c.written += n
	if err == nil && n != r.n {
		err = fmt.Errorf("read %s at byte %d: %w", c.src.name, r.off+n, io.ErrUnexpectedEOF)
	}
	return err
}

// gather reads the payloads of ss, in order, into one contiguous buffer
// (the copier's, after fragHeadroom) and returns it: an encrypted
// fragment must be in memory before its moof, which carries the samples'
// subsample maps, can be written. Each contiguous run is read straight
// into place (readRuns batches nearby runs into one system call), never
// through the window.
func (c *copier) gather(ss []sample) ([]byte, error) {
	var total int64
	runs := c.runs[:0]
	for i := range ss {
		s := &ss[i]
		total += int64(s.size)
		if s.size == 0 {
			continue
		}
		if k := len(runs) - 1; k >= 0 && runs[k].off+runs[k].n == s.offset {
			runs[k].n += int64(s.size)
			continue
		}
		runs = append(runs, run{s.offset, int64(s.size)})
	}
	c.runs = runs
	if need := fragHeadroom + total; int64(cap(c.frag)) < need {
		c.frag = make([]byte, max(need, int64(c.fragBytes)))
	}
	dst := c.frag[fragHeadroom : fragHeadroom+total]
	dsts := c.dsts[:0]
	pos := int64(0)
	for _, r := range runs {
		dsts = append(dsts, dst[pos:pos+r.n])
		pos += r.n
	}
	c.dsts = dsts
	if err := c.readRuns(runs, dsts); err != nil {
		return nil, err
	}
	return dst, nil
}

// writeFragment writes hdr (the fragment's moof and mdat header, after
// the styp for a segment's first) and data, the sample data gather
// returned, after any queued output. hdr is copied into the headroom in
// front of data so that one write does.
func (c *copier) writeFragment(hdr, data []byte) error {
	if err := c.flush(); err != nil {
		return err
	}
	out := data
	if start := fragHeadroom - len(hdr); start >= 0 && cap(data) == cap(c.frag)-fragHeadroom {
		out = c.frag[start : fragHeadroom+len(data)]
		copy(out, hdr)
	} else if err := c.writeAt(hdr); err != nil {
		return err
	}
	return c.writeAt(out)
}

// writeAt writes p where the output stands, bypassing the buffer.
func (c *copier) writeAt(p []byte) error {
	n, err := c.dst.WriteAt(p, c.off)
	c.off += int64(n)
	c.written += int64(n)
	return err
}
