package packager

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/vpack-dev/vpack/drm"
)

// writer writes the files of a plan. Every segment is an independent unit
// of work (its file, or its byte region of a single file, is known in
// advance), so units run concurrently on Config.Concurrency workers.
type writer struct {
	p      *plan
	outDir string
	log    *slog.Logger

	copiers chan *copier

	mu       sync.Mutex
	progress func(done, total int64)
	done     int64
	total    int64
	temps    map[*outTrack]string // single-file temporary paths
	stats    Stats
}

// write writes init segments, media segments (or single files with their
// sidx), each file atomically: a temporary file in the same folder, renamed
// once complete.
func (p *plan) write(ctx context.Context, cfg Config, log *slog.Logger) (Stats, error) {
	n := cfg.Concurrency
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	bufSize := cfg.copyBufferBytes
	if bufSize <= 0 {
		bufSize = defaultCopyBufferBytes
	}
	w := &writer{p: p, outDir: cfg.OutDir, log: log, progress: cfg.Progress, temps: map[*outTrack]string{}}
	var fragBytes int64 // the largest encrypted fragment's sample data
	for _, t := range p.tracks {
		w.total += t.src.payloadBytes
		if t.enc != nil {
			for i := range t.frags {
				fragBytes = max(fragBytes, t.frags[i].payload)
			}
		}
	}
	w.copiers = make(chan *copier, n)
	for range n {
		c := newCopier(bufSize)
		c.fragBytes = fragHeadroom + int(fragBytes)
		w.copiers <- c
	}

	if w.progress != nil {
		w.progress(0, w.total)
	}
	err := w.run(ctx, n)
	close(w.copiers)
	for c := range w.copiers {
		c.close()
		w.stats.MaxReadBytes = max(w.stats.MaxReadBytes, c.maxRead)
		w.stats.BytesWritten += c.written
	}
	if err != nil {
		for _, tmp := range w.temps {
			os.Remove(tmp)
		}
		for _, t := range p.tracks {
			for i := range t.segments {
				if tmp := t.segments[i].tmp; tmp != "" {
					os.Remove(tmp)
				}
			}
		}
		return Stats{}, err
	}
	for t, tmp := range w.temps {
		if err := os.Rename(tmp, w.path(t.mediaURI())); err != nil {
			return Stats{}, fmt.Errorf("package %s: %w", t.id, err)
		}
	}
	return w.stats, nil
}

func (w *writer) path(uri string) string { return filepath.Join(w.outDir, filepath.FromSlash(uri)) }

func (w *writer) run(ctx context.Context, n int) error {
	for _, t := range w.p.tracks {
		if err := os.MkdirAll(w.path(t.dir), 0o755); err != nil {
			return fmt.Errorf("package %s: %w", t.id, err)
		}
		if err := w.writeHeader(t); err != nil {
			return fmt.Errorf("package %s: %w", t.id, err)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(n)
	// Interleave the tracks so that progress moves through the timeline.
	for i := 0; ; i++ {
		more := false
		for _, t := range w.p.tracks {
			if i >= len(t.segments) {
				continue
			}
			more = true
			g.Go(func() error {
				if err := w.writeSegment(gctx, t, i); err != nil {
					return fmt.Errorf("package %s: segment %d: %w", t.id, i+1, err)
				}
				return nil
			})
		}
		if !more {
			break
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, t := range w.p.tracks {
		if t.enc != nil && t.isSingle() {
			if err := w.assembleSingle(t); err != nil {
				return fmt.Errorf("package %s: %w", t.id, err)
			}
		}
	}
	return nil
}

// writeHeader writes the init segment, or creates the single file with its
// header (ftyp+moov, sidx) in place.
func (w *writer) writeHeader(t *outTrack) error {
	if !t.isSingle() {
		if err := writeFileAtomic(w.path(t.initURI()), t.init); err != nil {
			return fmt.Errorf("write init segment: %w", err)
		}
		w.stats.Files++
		w.stats.BytesWritten += int64(len(t.init))
		return nil
	}
	if t.enc != nil {
		return nil // assembleSingle writes it once the segments are written
	}
	f, err := createTemp(w.path(t.dir), "media.mp4")
	if err != nil {
		return err
	}
	w.temps[t] = f.Name()
	hdr := append(append(make([]byte, 0, len(t.init)+len(t.sidx)), t.init...), t.sidx...)
	if _, err := f.Write(hdr); err != nil {
		f.Close()
		return fmt.Errorf("write header: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	w.stats.Files++
	w.stats.BytesWritten += int64(len(hdr))
	return nil
}

// writeSegment writes segment i of t: its own file (styp, then each
// fragment's moof, mdat header and sample data), or its region of the
// track's single file.
func (w *writer) writeSegment(ctx context.Context, t *outTrack, i int) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := <-w.copiers
	defer func() { w.copiers <- c }()
	seg := &t.segments[i]
	if t.enc != nil {
		if err := w.writeEncryptedSegment(t, i, c); err != nil {
			return err
		}
		w.segmentDone(t, seg)
		return nil
	}

	var f *os.File
	if t.isSingle() {
		f, err = os.OpenFile(w.temps[t], os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		c.reset(f, seg.offset, t.src.src)
	} else {
		dir, name := filepath.Split(w.path(seg.uri))
		f, err = createTemp(dir, name)
		if err != nil {
			return err
		}
		c.reset(f, 0, t.src.src)
		c.hdr = appendStyp(c.hdr[:0])
		if err := c.write(c.hdr); err != nil {
			return w.abort(f, fmt.Errorf("write styp: %w", err))
		}
	}
	for j := seg.firstFrag; j < seg.endFrag; j++ {
		fr := &t.frags[j]
		c.hdr = appendFrag(c.hdr[:0], t, fr)
		if err := c.write(c.hdr); err != nil {
			return w.abort(f, fmt.Errorf("write moof: %w", err))
		}
		if err := c.copySamples(t.src.samples[fr.first:fr.end]); err != nil {
			return w.abort(f, fmt.Errorf("copy samples: %w", err))
		}
	}
	if err := c.flush(); err != nil {
		return w.abort(f, fmt.Errorf("write: %w", err))
	}
	if err := f.Close(); err != nil {
		return w.abort(nil, err)
	}
	if !t.isSingle() {
		if err := os.Rename(f.Name(), w.path(seg.uri)); err != nil {
			os.Remove(f.Name())
			return err
		}
	}

	w.segmentDone(t, seg)
	return nil
}

// segmentDone counts a written segment and reports progress.
func (w *writer) segmentDone(t *outTrack, seg *outSegment) {
	var bytes int64
	for _, s := range t.src.samples[seg.first:seg.end] {
		bytes += int64(s.size)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !t.isSingle() {
		w.stats.Files++
	}
	w.stats.SampleBytes += bytes
	w.done += bytes
	if w.progress != nil {
		w.progress(w.done, w.total)
	}
}

// writeEncryptedSegment writes segment i of an encrypted track. Each
// fragment's samples are read into memory, encrypted in place, and
// written after a moof that now carries senc, saiz and saio; the sizes
// this gives are recorded in the plan for the manifests, package.json and
// the single file's sidx. A segment in the clear lead is copied like a
// clear track's (its moof, with the clear sample group, does not depend
// on the samples). A single-file track's segments go to temporary files
// that assembleSingle joins once all are written.
func (w *writer) writeEncryptedSegment(t *outTrack, i int, c *copier) (err error) {
	seg := &t.segments[i]
	clear := i < t.enc.clearSegs
	dir, name := filepath.Split(w.path(seg.uri))
	if t.isSingle() {
		dir, name = w.path(t.dir), fmt.Sprintf("media.mp4.%05d", i+1)
	}
	f, err := createTemp(dir, name)
	if err != nil {
		return err
	}
	c.reset(f, 0, t.src.src)
	c.hdr = c.hdr[:0]
	var off int64
	if !t.isSingle() {
		c.hdr = appendStyp(c.hdr)
		off = int64(stypSize())
	}
	var se *drm.SequenceEncrypter
	if !clear {
		se = t.enc.te.NewSequence()
	}
	for j := seg.firstFrag; j < seg.endFrag; j++ {
		fr := &t.frags[j]
		ss := t.src.samples[fr.first:fr.end]
		base := fr.moofSize - fr.encBoxes
		if clear {
			if fr.tfhdFlags&tfhdSampleDescIndex == 0 {
				fr.tfhdFlags |= tfhdSampleDescIndex // the clear sample entry
				base += 4
			}
			c.extra = drm.AppendClearBoxes(c.extra[:0], len(ss))
			fr.encBoxes, fr.moofSize, fr.offset = len(c.extra), base+len(c.extra), off
			c.hdr = appendFragExtra(c.hdr, t, fr, c.extra)
			if err := c.write(c.hdr); err != nil {
				return w.abort(f, fmt.Errorf("write moof: %w", err))
			}
			if err := c.copySamples(ss); err != nil {
				return w.abort(f, fmt.Errorf("copy samples: %w", err))
			}
		} else {
			data, err := c.gather(ss)
			if err != nil {
				return w.abort(f, fmt.Errorf("read samples: %w", err))
			}
			if err := encryptInPlace(se, ss, data, fr.first); err != nil {
				return w.abort(f, t.src.errorf("%w", err))
			}
			c.extra = se.AppendBoxes(c.extra[:0], base)
			fr.encBoxes, fr.moofSize, fr.offset = len(c.extra), base+len(c.extra), off
			c.hdr = appendFragExtra(c.hdr, t, fr, c.extra)
			if err := c.writeFragment(c.hdr, data); err != nil {
				return w.abort(f, fmt.Errorf("write fragment: %w", err))
			}
		}
		c.hdr = c.hdr[:0]
		off += fr.size()
	}
	if err := c.flush(); err != nil {
		return w.abort(f, fmt.Errorf("write: %w", err))
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	seg.size = off
	if t.isSingle() {
		seg.tmp = f.Name()
		return nil
	}
	if err := os.Rename(f.Name(), w.path(seg.uri)); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// assembleSingle writes the single file of an encrypted track once its
// segments are written: header (init, and the sidx now that segment sizes
// are known), then each segment's temporary file, copied in the kernel
// where it can be.
func (w *writer) assembleSingle(t *outTrack) error {
	ept := t.earliestPTS()
	off := int64(len(t.init) + sidxSize(len(t.segments), ept))
	for i := range t.segments {
		seg := &t.segments[i]
		seg.offset = off
		for j := seg.firstFrag; j < seg.endFrag; j++ {
			t.frags[j].offset += off
		}
		off += seg.size
		if seg.size > math.MaxInt32 {
			return fmt.Errorf("%w: segment %d too large for a sidx reference", ErrUnsupported, i+1)
		}
	}
	t.sidx = appendSidx(nil, t, ept)
	f, err := createTemp(w.path(t.dir), "media.mp4")
	if err != nil {
		return err
	}
	w.temps[t] = f.Name()
	hdr := append(append(make([]byte, 0, len(t.init)+len(t.sidx)), t.init...), t.sidx...)
	if _, err := f.Write(hdr); err != nil {
		f.Close()
		return fmt.Errorf("write header: %w", err)
	}
	w.stats.BytesWritten += int64(len(hdr))
	for i := range t.segments {
		in, err := os.Open(t.segments[i].tmp)
		if err != nil {
			f.Close()
			return err
		}
		n, err := f.ReadFrom(in) // copy_file_range on Linux
		in.Close()
		w.stats.BytesWritten += n
		if err != nil {
			f.Close()
			return fmt.Errorf("segment %d: %w", i+1, err)
		}
		os.Remove(t.segments[i].tmp)
		t.segments[i].tmp = ""
	}
	if err := f.Close(); err != nil {
		return err
	}
	w.stats.Files++
	return nil
}

// abort closes f and removes it when it is a per-segment temporary file.
func (w *writer) abort(f *os.File, err error) error {
	if f != nil {
		f.Close()
		if !w.isTemp(f.Name()) {
			os.Remove(f.Name())
		}
	}
	return err
}

func (w *writer) isTemp(name string) bool {
	for _, tmp := range w.temps {
		if tmp == name {
			return true
		}
	}
	return false
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so path never holds a partial file.
func writeFileAtomic(path string, data []byte) error {
	dir, name := filepath.Split(path)
	f, err := createTemp(dir, name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// createTemp creates a hidden temporary file for name in dir, readable by
// all like any published file (os.CreateTemp makes it 0600).
func createTemp(dir, name string) (*os.File, error) {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// encryptInPlace encrypts the gathered payloads of ss (first is the
// index of ss[0] in the track).
func encryptInPlace(se *drm.SequenceEncrypter, ss []sample, data []byte, first int) error {
	pos := 0
	for k := range ss {
		n := int(ss[k].size)
		if err := se.EncryptSample(data[pos:pos+n], uint64(first+k)); err != nil {
			return fmt.Errorf("sample %d: encrypt: %w", first+k+1, err)
		}
		pos += n
	}
	return nil
}
