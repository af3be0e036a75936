package validate

import (
	"slices"
	"strconv"
)

// segInfo summarises one media segment (a file, or a byte range of a
// single file) as read from its boxes, without the mdat payloads.
type segInfo struct {
	name string
	rng  byteRange

	ok      bool  // read; false when missing (already reported)
	notFMP4 bool  // MPEG-TS or other non-ISOBMFF data
	size    int64 // bytes: the range's length or the file's size
	frags   []fragInfo
	broken  bool // truncated or malformed: timing below may be partial
	dataBad bool // sample data outside the mdat: samples cannot be read

	start    uint64 // tfdt of the first fragment
	hasStart bool
	minCTO   int64 // of the first fragment: start+minCTO is the earliest presentation time
	dur      uint64
	samples  int
	sync     bool // the first sample is a sync sample
	maxDur   uint32
	modeDur  uint32
}

// loadSegment reads, checks and caches one media segment of the track
// whose header is in. from is where the segment is referenced (for
// missing files); findings about the segment itself point into it.
func (c *checker) loadSegment(from Location, in *initInfo, name string, rng byteRange) *segInfo {
	key := refKey(in.name, in.rng) + "|" + refKey(name, rng)
	return memo(c, c.segs, key, func(s *segInfo) bool { return s.ok }, func() *segInfo {
		return c.parseSegment(from, in, name, rng)
	})
}

// memo returns m[key], loading it (outside c.mu, so loads run in parallel)
// on first use. When two loads of one key race, the first stored wins; a
// readable file (ok) counts once in Stats.Segments.
func memo[T any](c *checker, m map[string]T, key string, ok func(T) bool, load func() T) T {
	c.mu.Lock()
	v, done := m[key]
	c.mu.Unlock()
	if done {
		return v
	}
	v = load()
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, done := m[key]; done {
		return prev
	}
	m[key] = v
	if ok(v) {
		c.stats.Segments++
	}
	return v
}

// parseSegment returns what it read so far when a check panics (the
// finding is VALIDATE-INTERNAL), never nil.
func (c *checker) parseSegment(from Location, in *initInfo, name string, rng byteRange) (s *segInfo) {
	s = &segInfo{name: name, rng: rng}
	file := c.src.display(name)
	defer c.guard(Location{File: file}, "media segment")
	lr := newLazyReader(c.ctx, c.src, name, c.opts.MaxSegmentBytes)
	size, err := lr.total()
	if err != nil {
		c.readErr(from, "segment", name, err)
		return s
	}
	start, end := int64(0), size
	if rng.n > 0 {
		if rng.off+rng.n > size {
			c.add(rRefByteRange, from, "segment range %s is beyond the end of %s (%d bytes)", rng, file, size)
			return s
		}
		start, end = rng.off, rng.off+rng.n
	}
	s.ok = true
	s.size = end - start
	head, err := lr.at(start, 16)
	if err != nil {
		c.readErr(from, "segment", name, err)
		s.ok = false
		return s
	}
	if len(head) > 0 && head[0] == 0x47 {
		s.notFMP4 = true
		return s
	}
	if len(head) == 0 {
		c.add(rMP4Truncated, Location{File: file, Offset: start}, "empty segment")
		s.broken = true
		return s
	}
	mc := &moofCtx{c: c, in: in, file: file}
	var pending *fragInfo
	claimsCMAF := slices.Contains(in.brands, "cmfc") || slices.Contains(in.brands, "cmf2")
	for off := start; off < end; {
		hdr, err := lr.at(off, 16)
		if err != nil {
			c.readErr(from, "segment", name, err)
			s.broken = true
			break
		}
		b, err := parseBoxHeader(hdr, off, end)
		if err != nil {
			be := err.(*boxError)
			c.add(be.rule, Location{File: file, Box: b.typ, Offset: be.offset}, "%s", be.msg)
			s.broken = true
			if b.typ == "mdat" && pending != nil {
				// truncated mdat: keep the fragment's timing, not its data
				s.frags = append(s.frags, *pending)
				pending = nil
			}
			break
		}
		switch b.typ {
		case "styp":
			body, err := lr.at(off, b.size)
			if err != nil {
				c.readErr(from, "segment", name, err)
				s.broken = true
				return s
			}
			if br := brands(body[b.hdr:]); claimsCMAF && !slices.Contains(br, "cmfs") && !slices.Contains(br, "cmff") {
				c.add(rCMAFBrand, Location{File: file, Box: "styp", Offset: off}, "styp brands %v lack cmfs", br)
			}
		case "moof":
			if pending != nil {
				c.add(rCMAFFragmentOrder, Location{File: file, Box: "moof", Offset: off}, "moof follows a moof without an mdat between")
				s.frags = append(s.frags, *pending)
			}
			body, err := lr.at(off, b.size)
			if err != nil {
				c.readErr(from, "segment", name, err)
				s.broken = true
				return s
			}
			mc.n++
			f := mc.parseMoof(b, body[b.hdr:])
			pending = &f
		case "mdat":
			if pending == nil {
				c.add(rCMAFFragmentOrder, Location{File: file, Box: "mdat", Offset: off}, "mdat without a moof before it")
				break
			}
			payload := off + int64(b.hdr)
			if pending.samples > 0 && (pending.dataOff < payload || pending.dataEnd > b.end()) {
				s.dataBad = true
				c.add(rCMAFDataOffset, Location{File: file, Box: "moof[" + strconv.Itoa(mc.n) + "]/traf/trun", Offset: pending.moofOff},
					"sample data at bytes %d-%d, the mdat payload is %d-%d", pending.dataOff, pending.dataEnd-1, payload, b.end()-1)
			}
			s.frags = append(s.frags, *pending)
			pending = nil
		case "moov", "ftyp":
			c.add(rCMAFFragmentOrder, Location{File: file, Box: b.typ, Offset: off}, "%s box in a media segment", b.typ)
		}
		off = b.end()
	}
	if pending != nil {
		c.add(rCMAFFragmentOrder, Location{File: file, Box: "moof", Offset: pending.moofOff}, "moof without the mdat that must follow it")
		s.frags = append(s.frags, *pending)
	}
	if len(s.frags) == 0 && !s.broken {
		c.add(rCMAFFragmentOrder, Location{File: file}, "no moof box: not a CMAF media segment")
	}
	s.summarise()
	if in.kind == kindText {
		c.textSamples(in, s)
	}
	return s
}

// summarise fills the segment-level numbers from the fragments.
func (s *segInfo) summarise() {
	durs := make(map[uint32]int)
	for i, f := range s.frags {
		if i == 0 {
			s.start, s.hasStart, s.minCTO, s.sync = f.tfdt, f.hasTfdt, f.minCTO, f.sync && f.samples > 0
		}
		s.dur += f.dur
		s.samples += f.samples
		s.maxDur = max(s.maxDur, f.maxDur)
		if f.modeDur > 0 {
			durs[f.modeDur] += f.samples
		}
		f.sizes = nil
		s.frags[i] = f
	}
	best := 0
	for d, n := range durs {
		if n > best || n == best && d < s.modeDur {
			s.modeDur, best = d, n
		}
	}
}
