package packager

import (
	"errors"
	"fmt"
	"io"
	"math/bits"
	"syscall"
	"unsafe"
)

// readRuns reads each run of the source into its destination (dsts[i] has
// runs[i].n bytes) with as few system calls as it can: runs close
// together in the file, as video frames interleaved with small audio
// frames are, are read by one preadv(2) whose gaps land in a scratch
// buffer. A gap joins a batch only while the batch holds at least as many
// wanted bytes as unwanted ones, so sparse runs are still read alone.
func (c *copier) readRuns(runs []run, dsts [][]byte) error {
	for i := 0; i < len(runs); {
		j, junk, ours := i+1, int64(0), runs[i].n
		for ; j < len(runs) && j-i < maxIovecs/2; j++ {
			prevEnd := runs[j-1].off + runs[j-1].n
			gap := runs[j].off - prevEnd
			if gap < 0 || gap > maxGapBytes || junk+gap > ours+runs[j].n || runs[j].off+runs[j].n-runs[i].off > maxBatchBytes {
				break
			}
			junk, ours = junk+gap, ours+runs[j].n
		}
		if j == i+1 {
			if err := c.readAt(dsts[i], runs[i].off); err != nil {
				return err
			}
			i = j
			continue
		}
		if err := c.preadvBatch(runs[i:j], dsts[i:j]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// iovecs is the scratch list of a preadv call.
type iovecs = []syscall.Iovec

const (
	maxIovecs     = 1024 // IOV_MAX
	maxGapBytes   = 64 << 10
	maxBatchBytes = 16 << 20
)

// preadvBatch reads runs (increasing offsets, gaps of at most maxGapBytes)
// with one preadv, falling back to a pread per run on a short read.
func (c *copier) preadvBatch(runs []run, dsts [][]byte) error {
	if len(c.junk) < maxGapBytes {
		c.junk = make([]byte, maxGapBytes)
	}
	iovs := c.iovs[:0]
	add := func(b []byte) {
		if len(b) == 0 {
			return
		}
		v := syscall.Iovec{Base: &b[0]}
		v.SetLen(len(b))
		iovs = append(iovs, v)
	}
	start := runs[0].off
	span := int64(0)
	for k, r := range runs {
		if k > 0 {
			gap := r.off - (runs[k-1].off + runs[k-1].n)
			add(c.junk[:gap])
			span += gap
		}
		add(dsts[k])
		span += r.n
	}
	c.iovs = iovs
	c.maxRead = max(c.maxRead, span)
	rc, err := c.src.f.SyscallConn()
	if err != nil {
		return err
	}
	var n int
	var errno syscall.Errno
	lo, hi := uintptr(start), uintptr(uint64(start)>>(bits.UintSize-1)>>1)
	if cerr := rc.Read(func(fd uintptr) bool {
		r0, _, e := syscall.Syscall6(syscall.SYS_PREADV, fd, uintptr(unsafe.Pointer(&iovs[0])), uintptr(len(iovs)), lo, hi, 0)
		n, errno = int(r0), e
		return true
	}); cerr != nil {
		return cerr
	}
	if errno != 0 && !errors.Is(errno, syscall.EINTR) {
		return fmt.Errorf("read %s at byte %d: %w", c.src.name, start, errno)
	}
	if errno == 0 && int64(n) == span {
		return nil
	}
	for k, r := range runs { // short read: one pread per run says where the data ends
		if err := c.readAt(dsts[k], r.off); err != nil {
			return err
		}
	}
	if errno == 0 && int64(n) > span {
		return fmt.Errorf("read %s at byte %d: %w", c.src.name, start, io.ErrShortBuffer)
	}
	return nil
}
