package validate

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// segRef is a media segment as a manifest declares it.
type segRef struct {
	name string
	rng  byteRange
	from Location // the playlist line or MPD element that lists it

	start float64 // declared start, seconds from the track's first segment (HLS) or media time (DASH)
	dur   float64 // declared duration, seconds
	disc  bool    // HLS EXT-X-DISCONTINUITY before it: timing may jump

	media *segInfo // after loading; nil when unreadable
}

// trackRef is one track (rendition) as a manifest declares it: an init
// segment and its media segments. HLS media playlists and DASH
// Representations both become trackRefs, so the media checks are shared.
type trackRef struct {
	label string   // for messages: "video/720p/index.m3u8", `Representation "720p"`
	from  Location // the playlist, or the Representation element

	initName   string
	initRng    byteRange
	headerOnly bool   // single-file DASH SegmentBase without Initialization@range
	plain      string // DASH: the MIME type of plain files (plainMime) while the segments are resolved
	segs       []segRef
	// iframes are the entries of an HLS I-frame playlist: byte ranges
	// inside segments, checked against the whole segments they are in.
	iframes []segRef

	init *initInfo // after loading; nil when unusable
}

// key identifies the media of a track, so that the same files listed by
// HLS and DASH get their media-only checks once.
func (t *trackRef) key() string {
	var b strings.Builder
	b.WriteString(refKey(t.initName, t.initRng))
	for _, s := range t.segs {
		b.WriteByte('|')
		b.WriteString(refKey(s.name, s.rng))
	}
	return b.String()
}

// timescale of the track's media, 0 when unknown.
func (t *trackRef) timescale() uint32 {
	if t.init == nil {
		return 0
	}
	return t.init.timescale
}

// frameDur is the track's usual sample duration in seconds (one video
// frame, one audio frame), 0 when unknown.
func (t *trackRef) frameDur() float64 {
	ts := t.timescale()
	if ts == 0 {
		return 0
	}
	counts := make(map[uint32]int)
	for _, s := range t.segs {
		if s.media != nil && s.media.modeDur > 0 {
			counts[s.media.modeDur]++
		}
	}
	var best uint32
	n := 0
	for d, c := range counts {
		if c > n || c == n && d < best {
			best, n = d, c
		}
	}
	return float64(best) / float64(ts)
}

// maxFrameDur is the longest sample duration seen, in seconds.
func (t *trackRef) maxFrameDur() float64 {
	ts := t.timescale()
	if ts == 0 {
		return 0
	}
	var m uint32
	for _, s := range t.segs {
		if s.media != nil {
			m = max(m, s.media.maxDur)
		}
	}
	return float64(m) / float64(ts)
}

// mediaStart and mediaDur are a loaded segment's times in seconds.
func (t *trackRef) mediaStart(s *segInfo) float64 {
	return float64(s.start) / float64(t.timescale())
}

func (t *trackRef) mediaDur(s *segInfo) float64 {
	return float64(s.dur) / float64(t.timescale())
}

// usable reports whether segment i has media timing to compare.
func (t *trackRef) usable(i int) bool {
	s := t.segs[i].media
	return t.init != nil && s != nil && s.ok && !s.notFMP4 && len(s.frags) > 0 && s.hasStart
}

// loadMedia reads the init segments of every track, then every media
// segment (moof boxes only; whole segments of text tracks) and every plain
// file (WebVTT, JPEG tiles) with bounded concurrency.
func (c *checker) loadMedia(tracks []*trackRef, plains []*plainTrack) error {
	for _, t := range tracks {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		if t.initName == "" {
			continue
		}
		t.init = c.loadInit(t.from, t.initName, t.initRng, t.headerOnly)
	}
	// One job per distinct segment: HLS and DASH usually list the same
	// files.
	type job struct {
		t    *trackRef
		refs []*segRef
	}
	var jobs []*job
	byKey := make(map[string]*job)
	for _, t := range tracks {
		if t.init == nil {
			continue
		}
		for i := range t.segs {
			s := &t.segs[i]
			k := refKey(t.initName, t.initRng) + "|" + refKey(s.name, s.rng)
			if j, ok := byKey[k]; ok {
				j.refs = append(j.refs, s)
				continue
			}
			j := &job{t: t, refs: []*segRef{s}}
			byKey[k] = j
			jobs = append(jobs, j)
		}
	}
	plainNames := make(map[string]bool)
	for _, t := range plains {
		for _, s := range t.segs {
			plainNames[s.name] = true
		}
	}
	total := int64(len(jobs) + len(plainNames))
	var mu sync.Mutex
	var done int64
	progress := func() {
		if c.opts.Progress != nil {
			mu.Lock()
			done++
			c.opts.Progress(done, total)
			mu.Unlock()
		}
	}
	if err := c.each(len(jobs), progress, func(i int) {
		j := jobs[i]
		first := j.refs[0]
		m := c.loadSegment(first.from, j.t.init, first.name, first.rng)
		for _, r := range j.refs {
			r.media = m
		}
	}); err != nil {
		return err
	}
	return c.loadPlain(plains, progress)
}

// each runs do(0) ... do(n-1), at most Options.Concurrency at a time,
// calling progress after each; it stops starting new ones when the
// validation is cancelled, and returns the cancellation.
func (c *checker) each(n int, progress func(), do func(i int)) error {
	g, ctx := errgroup.WithContext(c.ctx)
	g.SetLimit(c.opts.Concurrency)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			do(i)
			progress()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return c.ctx.Err()
}

// checkTrackMedia runs the checks that depend on the media alone: each
// segment starts with a sync sample, tfdt continuity (no gap or overlap
// beyond one frame), mfhd sequence numbers. They run once per distinct
// track, whichever manifests list it.
func (c *checker) checkTrackMedia(t *trackRef) {
	if t.init == nil {
		return
	}
	key := t.key()
	c.mu.Lock()
	done := c.tracks[key]
	c.tracks[key] = true
	c.mu.Unlock()
	if done {
		return
	}
	ts := float64(t.timescale())
	frame := t.maxFrameDur()
	var prev *segInfo
	var lastSeq uint32
	seqReported := false
	for i := range t.segs {
		s := t.segs[i].media
		if s == nil || !s.ok {
			prev = nil
			continue
		}
		if s.notFMP4 {
			c.add(rMediaNotFMP4, t.from, "%s: segment %s is not fragmented MP4 (MPEG-TS?): media checks skipped", t.label, c.src.display(s.name))
			return
		}
		file := c.src.display(s.name)
		if s.samples > 0 && !s.sync {
			c.add(rCMAFSegmentSAP, Location{File: file, Box: "moof[1]/traf/trun", Offset: s.frags[0].moofOff, Sample: 1},
				"the segment's first sample is not a sync sample: playback cannot start or switch here")
		}
		for k, f := range s.frags {
			if f.seq != 0 && f.seq <= lastSeq && !seqReported {
				c.add(rCMAFSequence, Location{File: file, Box: fmt.Sprintf("moof[%d]/mfhd", k+1), Offset: f.moofOff}, "sequence_number %d after %d", f.seq, lastSeq)
				seqReported = true
			}
			lastSeq = max(lastSeq, f.seq)
		}
		if !s.hasStart {
			prev = nil
			continue
		}
		// Fragments within the segment follow each other.
		for k := 1; k < len(s.frags); k++ {
			a, b := s.frags[k-1], s.frags[k]
			if a.hasTfdt && b.hasTfdt {
				c.checkContinuity(Location{File: file, Box: fmt.Sprintf("moof[%d]/traf/tfdt", k+1), Offset: b.moofOff}, a.tfdt+a.dur, b.tfdt, ts, frame)
			}
		}
		if prev != nil && !t.segs[i].disc {
			c.checkContinuity(Location{File: file, Box: "moof[1]/traf/tfdt", Offset: s.frags[0].moofOff}, prev.start+prev.dur, s.start, ts, frame)
		}
		if s.broken {
			prev = nil
			continue
		}
		prev = s
	}
	if t.init.kind == kindText {
		c.checkTextTiling(t)
	}
}

// checkContinuity reports a tfdt that leaves a gap after, or overlaps,
// the end of what came before by more than one frame.
func (c *checker) checkContinuity(loc Location, prevEnd, start uint64, ts, frame float64) {
	diff := (float64(start) - float64(prevEnd)) / ts
	tol := math.Max(frame, 0.001) + 1/ts/2
	switch {
	case diff > tol:
		c.add(rCMAFTfdtGap, loc, "tfdt %d starts %.3f s after the previous end (%d): a gap of more than one frame", start, diff, prevEnd)
	case diff < -tol:
		c.add(rCMAFTfdtOverlap, loc, "tfdt %d starts %.3f s before the previous end (%d): overlapping or repeated media", start, -diff, prevEnd)
	}
}
