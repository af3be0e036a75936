package validate

import (
	"fmt"
)

// Box flags of ISO/IEC 14496-12 §8.8.7 (tfhd) and §8.8.8 (trun).
const (
	tfhdBaseDataOffset = 0x000001
	tfhdSampleDescIdx  = 0x000002
	tfhdDefaultDur     = 0x000008
	tfhdDefaultSize    = 0x000010
	tfhdDefaultFlags   = 0x000020

	trunDataOffset = 0x000001
	trunFirstFlags = 0x000004
	trunDur        = 0x000100
	trunSize       = 0x000200
	trunFlags      = 0x000400
	trunCTO        = 0x000800

	sampleNonSync = 0x00010000
)

// Bounds that keep a hostile moof from costing minutes: a trun whose
// samples all take tfhd/trex defaults has no bytes per sample, so its
// sample_count is not bounded by its size.
const (
	maxDefaultSamples = 1 << 16
	maxTrafSamples    = 1 << 20
)

// fragInfo summarises one moof (and its mdat) of a media segment.
type fragInfo struct {
	moofOff  int64
	seq      uint32
	trackID  uint32
	tfdt     uint64
	hasTfdt  bool
	samples  int
	dur      uint64 // sum of sample durations
	minDur   uint32
	maxDur   uint32
	modeDur  uint32 // the most common sample duration
	sync     bool   // the first sample is a sync sample
	syncs    int    // sync samples
	minCTO   int64  // smallest composition offset (for the earliest presentation time)
	dataEnd  int64  // absolute end of all sample data
	firstEnd int64  // absolute end of the first sample's data
	sizes    []uint32
	dataOff  int64 // absolute start of the first sample's data
	senc     bool
	clear    bool // uses the clear twin sample entry (clear lead)
}

// moofCtx is what parsing a moof needs from the init segment and where
// findings go.
type moofCtx struct {
	c    *checker
	in   *initInfo
	file string // display name for locations
	n    int    // 1-based index of the moof in the segment

	multiReported bool
}

func (m *moofCtx) loc(path string, off int64, sample int) Location {
	return Location{File: m.file, Box: fmt.Sprintf("moof[%d]", m.n) + path, Offset: off, Sample: sample}
}

// parseMoof reads a moof box (body after its header, the box at absolute
// offset off) into a fragInfo and checks what can be checked without the
// mdat: track ID, tfdt, sample durations, and common encryption
// (senc/saiz/saio/sbgp/sgpd, ISO/IEC 23001-7 §7).
func (m *moofCtx) parseMoof(b box, body []byte) fragInfo {
	f := fragInfo{moofOff: b.offset}
	type traf struct {
		b    box
		body []byte
	}
	var trafs []traf
	err := walkBoxes(body, b.offset+int64(b.hdr), func(cb box, cbody []byte) error {
		switch cb.typ {
		case "mfhd":
			_, _, rest, ok := fullBox(cbody)
			r := reader{b: rest}
			f.seq = r.u32()
			if !ok || !r.ok() {
				m.c.add(rMP4Box, m.loc("/mfhd", cb.offset, 0), "mfhd too short")
			}
		case "traf":
			trafs = append(trafs, traf{cb, cbody})
		}
		return nil
	})
	if be, ok := err.(*boxError); ok {
		m.c.add(be.rule, m.loc("", be.offset, 0), "inside moof: %s", be.msg)
	}
	if len(trafs) == 0 {
		m.c.add(rCMAFFragmentOrder, m.loc("", b.offset, 0), "moof without traf")
		return f
	}
	// A multiplexed (non-CMAF) fragment has a traf per track: check the
	// one of the init segment's first track, which describes the rest.
	pick := trafs[0]
	for _, t := range trafs {
		if id, ok := trafTrackID(t.body); ok && id == m.in.trackID {
			pick = t
			break
		}
	}
	if len(trafs) > 1 && m.in.ntracks <= 1 && !m.multiReported {
		m.c.add(rCMAFFragmentOrder, m.loc("", b.offset, 0), "%d traf boxes: a CMAF fragment holds one track", len(trafs))
		m.multiReported = true
	}
	m.parseTraf(&f, b.offset, pick.b, pick.body)
	return f
}

// trafTrackID peeks at the track_ID in the tfhd of a traf body.
func trafTrackID(body []byte) (uint32, bool) {
	var id uint32
	found := false
	walkBoxes(body, 0, func(cb box, cbody []byte) error {
		if cb.typ == "tfhd" && len(cbody) >= 8 && !found {
			id, found = uint32(cbody[4])<<24|uint32(cbody[5])<<16|uint32(cbody[6])<<8|uint32(cbody[7]), true
		}
		return nil
	})
	return id, found
}

// trafBoxes are the boxes of a traf that matter here, with offsets.
type trafBoxes struct {
	tfhd           []byte
	tfdt           []byte
	truns          []box
	trunBodies     [][]byte
	senc           *box
	sencBody       []byte
	saiz, saio     [][]byte
	saizAt, saioAt []int64
	sbgp, sgpd     [][]byte
	sbgpAt, sgpdAt []int64
}

func (m *moofCtx) parseTraf(f *fragInfo, moofOff int64, tb box, body []byte) {
	var t trafBoxes
	err := walkBoxes(body, tb.offset+int64(tb.hdr), func(cb box, cbody []byte) error {
		switch cb.typ {
		case "tfhd":
			t.tfhd = cbody
		case "tfdt":
			t.tfdt = cbody
		case "trun":
			t.truns = append(t.truns, cb)
			t.trunBodies = append(t.trunBodies, cbody)
		case "senc":
			cbc := cb
			t.senc, t.sencBody = &cbc, cbody
		case "saiz":
			t.saiz, t.saizAt = append(t.saiz, cbody), append(t.saizAt, cb.offset)
		case "saio":
			t.saio, t.saioAt = append(t.saio, cbody), append(t.saioAt, cb.offset)
		case "sbgp":
			t.sbgp, t.sbgpAt = append(t.sbgp, cbody), append(t.sbgpAt, cb.offset)
		case "sgpd":
			t.sgpd, t.sgpdAt = append(t.sgpd, cbody), append(t.sgpdAt, cb.offset)
		}
		return nil
	})
	if be, ok := err.(*boxError); ok {
		m.c.add(be.rule, m.loc("/traf", be.offset, 0), "inside traf: %s", be.msg)
	}
	in := m.in

	// tfhd
	if t.tfhd == nil {
		m.c.add(rMP4Box, m.loc("/traf", tb.offset, 0), "traf without tfhd")
		return
	}
	_, flags, rest, _ := fullBox(t.tfhd)
	r := reader{b: rest}
	f.trackID = r.u32()
	base := moofOff
	if flags&tfhdBaseDataOffset != 0 {
		base = int64(r.u64())
	}
	sdi := in.trexSDI
	if flags&tfhdSampleDescIdx != 0 {
		sdi = r.u32()
	}
	f.clear = in.clearEntry != 0 && sdi == in.clearEntry
	defDur, defSize, defFlags := in.trexDur, in.trexSize, in.trexFlags
	if flags&tfhdDefaultDur != 0 {
		defDur = r.u32()
	}
	if flags&tfhdDefaultSize != 0 {
		defSize = r.u32()
	}
	if flags&tfhdDefaultFlags != 0 {
		defFlags = r.u32()
	}
	if !r.ok() {
		m.c.add(rMP4Box, m.loc("/traf/tfhd", tb.offset, 0), "tfhd too short for its flags %06x", flags)
		return
	}
	if f.trackID != in.trackID {
		m.c.add(rCMAFTrackID, m.loc("/traf/tfhd", tb.offset, 0), "track_ID %d, the init segment's track is %d", f.trackID, in.trackID)
	}

	// tfdt
	if t.tfdt == nil {
		m.c.add(rCMAFTfdt, m.loc("/traf", tb.offset, 0), "traf without tfdt: the segment's start time is unknown")
	} else {
		v, _, rest, _ := fullBox(t.tfdt)
		r := reader{b: rest}
		if v == 1 {
			f.tfdt = r.u64()
		} else {
			f.tfdt = uint64(r.u32())
		}
		f.hasTfdt = r.ok()
		if !r.ok() {
			m.c.add(rMP4Box, m.loc("/traf/tfdt", tb.offset, 0), "tfdt too short")
		}
	}

	// truns
	if len(t.truns) == 0 {
		m.c.add(rMP4Box, m.loc("/traf", tb.offset, 0), "traf without trun: no samples")
	}
	var durs durCounter
	dataPos := base
	f.minCTO = 1 << 62
	sample := 0
	for ti, tr := range t.truns {
		v, tflags, rest, ok := fullBox(t.trunBodies[ti])
		r := reader{b: rest}
		count := r.u32()
		if !ok || !r.ok() {
			m.c.add(rMP4Box, m.loc(fmt.Sprintf("/traf/trun[%d]", ti+1), tr.offset, 0), "trun too short")
			continue
		}
		if tflags&trunDataOffset != 0 {
			dataPos = base + int64(int32(r.u32()))
		}
		first := defFlags
		hasFirst := tflags&trunFirstFlags != 0
		if hasFirst {
			first = r.u32()
		}
		per := 0
		for _, bit := range []uint32{trunDur, trunSize, trunFlags, trunCTO} {
			if tflags&bit != 0 {
				per += 4
			}
		}
		if per > 0 && int64(count)*int64(per) > int64(len(r.b)) || per == 0 && count > maxDefaultSamples || f.samples+int(count) > maxTrafSamples {
			m.c.add(rMP4Box, m.loc(fmt.Sprintf("/traf/trun[%d]", ti+1), tr.offset, 0), "trun declares %d samples but has room for %d", count, len(r.b)/max(per, 1))
			continue
		}
		if f.sizes == nil {
			f.sizes = make([]uint32, 0, count)
		}
		for i := uint32(0); i < count; i++ {
			dur, size, sflags := defDur, defSize, defFlags
			var cto int64
			if tflags&trunDur != 0 {
				dur = r.u32()
			}
			if tflags&trunSize != 0 {
				size = r.u32()
			}
			if tflags&trunFlags != 0 {
				sflags = r.u32()
			}
			if i == 0 && hasFirst {
				sflags = first
			}
			if tflags&trunCTO != 0 {
				if v == 0 {
					cto = int64(r.u32())
				} else {
					cto = int64(int32(r.u32()))
				}
			}
			sample++
			if sample == 1 {
				f.sync = sflags&sampleNonSync == 0
				f.dataOff = dataPos
				f.firstEnd = dataPos + int64(size)
			}
			if sflags&sampleNonSync == 0 {
				f.syncs++
			}
			if dur == 0 && durs.count(0) == 0 {
				m.c.add(rCMAFSampleDur, m.loc(fmt.Sprintf("/traf/trun[%d]", ti+1), tr.offset, sample), "sample duration 0 (no trun duration, tfhd or trex default)")
			}
			durs.add(dur)
			f.dur += uint64(dur)
			f.minCTO = min(f.minCTO, cto)
			f.sizes = append(f.sizes, size)
			dataPos += int64(size)
		}
		f.samples += int(count)
	}
	if f.minCTO == 1<<62 {
		f.minCTO = 0
	}
	f.dataEnd = dataPos
	f.modeDur, f.minDur, f.maxDur = durs.mode()
	m.checkEncryption(f, moofOff, base, &t)
}

// durCounter counts sample durations without a map: a track has one
// duration, or a handful (audio priming, NTSC rates); beyond eight
// distinct values the rest are only counted for min and max.
type durCounter struct {
	vals   [8]uint32
	counts [8]int
	n      int
	lo, hi uint32
	any    bool
}

func (d *durCounter) add(v uint32) {
	if !d.any || v < d.lo {
		d.lo = v
	}
	if !d.any || v > d.hi {
		d.hi = v
	}
	d.any = true
	for i := 0; i < d.n; i++ {
		if d.vals[i] == v {
			d.counts[i]++
			return
		}
	}
	if d.n < len(d.vals) {
		d.vals[d.n], d.counts[d.n] = v, 1
		d.n++
	}
}

func (d *durCounter) count(v uint32) int {
	for i := 0; i < d.n; i++ {
		if d.vals[i] == v {
			return d.counts[i]
		}
	}
	return 0
}

// mode returns the most common duration (the smallest of equals), and
// the smallest and largest.
func (d *durCounter) mode() (mode, lo, hi uint32) {
	best := 0
	for i := 0; i < d.n; i++ {
		if d.counts[i] > best || d.counts[i] == best && d.vals[i] < mode {
			mode, best = d.vals[i], d.counts[i]
		}
	}
	return mode, d.lo, d.hi
}
