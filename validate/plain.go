package validate

import (
	"bytes"
	"image/jpeg"
	"strings"
	"sync"
)

// MIME types of the plain-file tracks the validator reads (see
// manifest.Track.MimeType): WebVTT text and JPEG thumbnail tiles.
const (
	mimeWebVTT = "text/vtt"
	mimeJPEG   = "image/jpeg"
)

// plainTrack is a track whose segments are whole files that are not
// fragmented MP4: HLS segmented WebVTT (RFC 8216 §3.5), a side-car WebVTT
// file (the one segment of its track, in either manifest), or thumbnail
// tiles (an HLS image playlist, a DASH-IF thumbnail Representation). It
// has no init segment and its files are read whole; byte ranges, which
// neither form uses, are ignored.
type plainTrack struct {
	label string   // for messages: the playlist, `Representation "thumbs-64x36"`
	from  Location // the playlist, or the Representation element
	mime  string   // mimeWebVTT, mimeJPEG, or another type whose content is not checked
	segs  []segRef // declared timing; segRef.media stays nil
	files []*plainFile

	// Image tracks only: the tiles as declared, nil when the declaration
	// is unusable (THUMB-SIGNALLING says why).
	grid *tileGrid
	// countFixed is set when the manifest derives the tile count from the
	// duration (DASH SegmentTemplate@duration): it cannot be wrong, and
	// a tile it names that is missing is REF-MISSING.
	countFixed bool
}

func (t *plainTrack) image() bool { return strings.HasPrefix(t.mime, "image/") }

// duration is the sum of the declared segment durations, in seconds.
func (t *plainTrack) duration() float64 {
	var d float64
	for _, s := range t.segs {
		d += s.dur
	}
	return d
}

// plainFile is one plain file as read: a WebVTT document or a JPEG image.
type plainFile struct {
	name string
	ok   bool // read; false when missing (already reported)

	vtt *vttDoc // WebVTT that parses; nil otherwise

	// JPEG: the image size, 0 when it does not decode (THUMB-JPEG).
	width, height int
}

// plainMime returns the MIME type of a plain-file track from a DASH
// @mimeType, "" when the Representation is fragmented MP4.
func plainMime(mimeType string) string {
	mt := strings.ToLower(strings.TrimSpace(strings.Split(mimeType, ";")[0]))
	switch {
	case mt == mimeWebVTT, mt == "application/ttml+xml", strings.HasPrefix(mt, "image/"):
		return mt
	}
	return ""
}

// loadPlain reads every file of the plain tracks once, with bounded
// concurrency, and attaches them to the tracks' segments.
func (c *checker) loadPlain(tracks []*plainTrack, progress func()) error {
	type job struct {
		name, mime string
		from       Location
		file       *plainFile
	}
	var jobs []*job
	byName := make(map[string]*job)
	for _, t := range tracks {
		for _, s := range t.segs {
			if _, ok := byName[s.name]; !ok {
				j := &job{name: s.name, mime: t.mime, from: s.from}
				byName[s.name] = j
				jobs = append(jobs, j)
			}
		}
	}
	if err := c.each(len(jobs), progress, func(i int) {
		j := jobs[i]
		j.file = c.loadPlainFile(j.from, j.name, j.mime)
	}); err != nil {
		return err
	}
	for _, t := range tracks {
		t.files = make([]*plainFile, len(t.segs))
		for i, s := range t.segs {
			t.files[i] = byName[s.name].file
		}
	}
	return c.ctx.Err()
}

// loadPlainFile reads and checks one plain file, once per validation:
// HLS and DASH list the same tiles and side-car files.
func (c *checker) loadPlainFile(from Location, name, mime string) *plainFile {
	return memo(c, c.plains, name, func(f *plainFile) bool { return f.ok }, func() *plainFile {
		return c.readPlainFile(from, name, mime)
	})
}

// readPlainFile reads and checks one plain file; a check that panics is a
// VALIDATE-INTERNAL finding.
func (c *checker) readPlainFile(from Location, name, mime string) *plainFile {
	f := &plainFile{name: name}
	func() {
		defer c.guard(c.at(name), "plain file")
		data, _, err := c.src.read(c.ctx, name, 0, -1, c.opts.MaxSegmentBytes)
		if err != nil {
			c.readErr(from, "segment", name, err)
			return
		}
		f.ok = true
		file := c.src.display(name)
		switch {
		case mime == mimeWebVTT:
			f.vtt = c.parseVTT(file, data)
		case mime == mimeJPEG:
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				c.add(rThumbJPEG, Location{File: file}, "thumbnail tile does not decode as JPEG: %v", err)
				return
			}
			f.width, f.height = cfg.Width, cfg.Height
		}
	}()
	return f
}

// onceSet remembers keys, so that a problem of a file both manifests
// reference is reported once.
type onceSet struct {
	mu   sync.Mutex
	seen map[string]bool
}

// first reports whether key is new.
func (o *onceSet) first(key string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen[key] {
		return false
	}
	if o.seen == nil {
		o.seen = make(map[string]bool)
	}
	o.seen[key] = true
	return true
}
