package validate

import (
	"math"
)

// sidxInfo is a segment index (ISO/IEC 14496-12 §8.16.3) of a single-file
// track: where each segment (subsegment) is and how long it lasts.
type sidxInfo struct {
	at        int64 // offset of the sidx box
	timescale uint32
	refs      []sidxRef
}

type sidxRef struct {
	off, size  int64
	start, dur uint64 // earliest presentation time and duration, in timescale
	sap        bool   // starts_with_SAP
}

// readSidx reads the sidx of a single-file track: at idx when given,
// else the first sidx after the header.
func (c *checker) readSidx(from Location, name string, idx, initRng byteRange) *sidxInfo {
	lr := newLazyReader(c.ctx, c.src, name, c.opts.MaxSegmentBytes)
	size, err := lr.total()
	if err != nil {
		c.readErr(from, "media file", name, err)
		return nil
	}
	file := c.src.display(name)
	var b box
	if idx.n > 0 {
		if idx.off+idx.n > size {
			c.add(rRefByteRange, from, "@indexRange %s is beyond the end of %s (%d bytes)", idx, file, size)
			return nil
		}
		hdr, err := lr.at(idx.off, 16)
		if err != nil {
			c.readErr(from, "media file", name, err)
			return nil
		}
		b, err = parseBoxHeader(hdr, idx.off, size)
		if err != nil || b.typ != "sidx" {
			c.add(rCMAFSidx, Location{File: file, Offset: idx.off}, "@indexRange %s does not start with a sidx box", idx)
			return nil
		}
	} else {
		found := false
		for off := int64(0); off < size; {
			hdr, err := lr.at(off, 16)
			if err != nil {
				c.readErr(from, "media file", name, err)
				return nil
			}
			bb, err := parseBoxHeader(hdr, off, size)
			if err != nil {
				be := err.(*boxError)
				c.add(be.rule, Location{File: file, Offset: be.offset}, "%s", be.msg)
				return nil
			}
			if bb.typ == "sidx" {
				b, found = bb, true
				break
			}
			if bb.typ == "moof" || bb.typ == "mdat" {
				break
			}
			off = bb.end()
		}
		if !found {
			c.add(rCMAFSidx, from, "single-file track %s without a sidx: its segments cannot be located", file)
			return nil
		}
	}
	body, err := lr.at(b.offset, b.size)
	if err != nil {
		c.readErr(from, "media file", name, err)
		return nil
	}
	loc := Location{File: file, Box: "sidx", Offset: b.offset}
	v, _, rest, ok := fullBox(body[b.hdr:])
	r := reader{b: rest}
	r.u32() // reference_ID
	si := &sidxInfo{at: b.offset, timescale: r.u32()}
	var ept, first uint64
	if v == 0 {
		ept, first = uint64(r.u32()), uint64(r.u32())
	} else {
		ept, first = r.u64(), r.u64()
	}
	r.u16()
	n := int(r.u16())
	if !ok || !r.ok() || si.timescale == 0 {
		c.add(rMP4Box, loc, "sidx too short or timescale 0")
		return nil
	}
	off := b.end() + int64(min(first, math.MaxInt32))
	t := ept
	for i := 0; i < n; i++ {
		typeSize := r.u32()
		dur := r.u32()
		sap := r.u32()
		if !r.ok() {
			c.add(rMP4Box, loc, "sidx references cut short")
			return nil
		}
		if typeSize>>31 != 0 {
			c.add(rNotChecked, loc, "hierarchical sidx (reference to another sidx): segments not checked")
			return nil
		}
		ref := sidxRef{off: off, size: int64(typeSize & 0x7fffffff), start: t, dur: uint64(dur), sap: sap>>31 != 0}
		si.refs = append(si.refs, ref)
		off += ref.size
		t += uint64(dur)
	}
	if off > size {
		c.add(rCMAFSidx, loc, "sidx references end at byte %d, the file has %d", off, size)
	}
	return si
}

// checkSidx compares each sidx reference with the fragments it indexes.
func (c *checker) checkSidx(r *dashRep) {
	t := r.track
	reported := 0
	for i, s := range t.segs {
		if !t.usable(i) || reported >= 10 {
			continue
		}
		ref := r.sidx.refs[i]
		if len(s.media.frags) > 0 && s.media.frags[0].moofOff != ref.off {
			c.add(rCMAFSidx, s.from, "reference %d points at byte %d, which is not a moof (first moof in the range: %d)", i+1, ref.off, s.media.frags[0].moofOff)
			reported++
			continue
		}
		md := t.mediaDur(s.media)
		if math.Abs(md-s.dur) > math.Max(t.maxFrameDur(), 0.001) {
			c.add(rCMAFSidx, s.from, "reference %d lasts %.3f s, its samples %.3f s", i+1, s.dur, md)
			reported++
		}
		if ref.sap && s.media.samples > 0 && !s.media.sync {
			c.add(rCMAFSidx, s.from, "reference %d has starts_with_SAP but its first sample is not a sync sample", i+1)
			reported++
		}
	}
}
