package validate

import (
	"bytes"
)

// seigEntry is a CencSampleEncryptionInformationGroupEntry
// (ISO/IEC 23001-7 §6): per-group protection that overrides tenc.
type seigEntry struct {
	protected byte
	ivSize    byte
	kid       [16]byte
	constIV   int
}

// checkEncryption checks the sample auxiliary information of one traf
// against tenc and the trun: senc sample count, IV sizes and subsample
// sums (§7.2), saiz sizes and the saio offset (§7, ISO/IEC 14496-12
// §8.7.8–8.7.9), and seig sample groups (§6).
func (m *moofCtx) checkEncryption(f *fragInfo, moofOff, base int64, t *trafBoxes) {
	in := m.in
	if !in.encrypted() || f.clear {
		if t.senc != nil {
			entry := in.entry
			if f.clear {
				entry = in.format
			}
			m.c.add(rCENCSenc, m.loc("/traf/senc", t.senc.offset, 0), "senc in a fragment whose sample entry (%s) is not encrypted", entry)
		}
		return
	}
	if in.tenc == nil {
		return // reported with the init segment
	}
	f.senc = t.senc != nil
	groups := m.sampleGroups(f, t)
	ivSize := func(i int) byte {
		if g := groups[i]; g != nil {
			if g.protected == 0 {
				return 0
			}
			return g.ivSize
		}
		if in.tenc.protected == 0 {
			return 0
		}
		return in.tenc.ivSize
	}
	protectedAny := false
	for i := range f.samples {
		if g := groups[i]; g != nil && g.protected != 0 || g == nil && in.tenc.protected != 0 {
			protectedAny = true
			break
		}
	}
	subsamplesNeeded := in.kind == kindVideo
	if t.senc == nil {
		if protectedAny && (ivSize(0) > 0 || subsamplesNeeded) {
			what := "per-sample IVs"
			if ivSize(0) == 0 {
				what = "the subsample map that keeps video NAL headers clear"
			}
			m.c.add(rCENCSenc, m.loc("/traf", moofOff, 0), "encrypted %s fragment without senc: %s are missing", in.kind, what)
		}
		if len(t.saiz) > 0 || len(t.saio) > 0 {
			m.c.add(rCENCSaizSaio, m.loc("/traf", moofOff, 0), "saiz/saio without senc")
		}
		return
	}
	sloc := m.loc("/traf/senc", t.senc.offset, 0)
	_, sflags, rest, ok := fullBox(t.sencBody)
	r := reader{b: rest}
	count := r.u32()
	if !ok || !r.ok() {
		m.c.add(rMP4Box, sloc, "senc too short")
		return
	}
	if int(count) != f.samples {
		m.c.add(rCENCSenc, sloc, "senc has %d samples, trun %d", count, f.samples)
	}
	hasSub := sflags&0x2 != 0
	if subsamplesNeeded && !hasSub && protectedAny {
		m.c.add(rCENCSubsamples, sloc, "video senc without subsamples: whole NAL units, headers included, are encrypted")
	}
	// Entries without IV or subsamples take no bytes: never loop past the
	// samples the trun has.
	n := min(int(count), f.samples)
	entrySizes := make([]int, 0, n)
	for i := 0; i < n && r.ok(); i++ {
		iv := int(ivSize(i))
		size := iv
		r.bytes(iv)
		if hasSub {
			n := int(r.u16())
			size += 2 + 6*n
			var sum int64
			for j := 0; j < n && r.ok(); j++ {
				clear := int64(r.u16())
				prot := int64(r.u32())
				sum += clear + prot
				if in.scheme == "cenc" && in.kind == kindVideo && prot%16 != 0 {
					m.c.add(rCENCAlignment, Location{File: sloc.File, Box: sloc.Box, Offset: sloc.Offset, Sample: i + 1}, "subsample %d protects %d bytes, not a multiple of 16", j+1, prot)
				}
			}
			if r.ok() && i < len(f.sizes) && sum != int64(f.sizes[i]) {
				m.c.add(rCENCSubsamples, Location{File: sloc.File, Box: sloc.Box, Offset: sloc.Offset, Sample: i + 1}, "subsamples add up to %d bytes, the sample has %d", sum, f.sizes[i])
			}
		}
		entrySizes = append(entrySizes, size)
	}
	if !r.ok() {
		m.c.add(rCENCSenc, sloc, "senc entries run past the box: IV size %d (tenc) does not fit the data", ivSize(0))
		return
	}
	if len(r.b) > 0 && n == int(count) {
		m.c.add(rCENCSenc, sloc, "%d bytes left after the %d senc entries: IV size %d (tenc) does not fit the data", len(r.b), count, ivSize(0))
	}
	m.checkSaizSaio(t, moofOff, base, entrySizes)
}

// checkSaizSaio checks that saiz gives the size of every senc entry and
// that saio points at the first one.
func (m *moofCtx) checkSaizSaio(t *trafBoxes, moofOff, base int64, entrySizes []int) {
	pick := func(list [][]byte) (int, []byte, uint32) {
		for i, body := range list {
			_, flags, rest, ok := fullBox(body)
			if !ok {
				continue
			}
			if flags&1 != 0 {
				if len(rest) < 8 {
					continue
				}
				typ := string(rest[:4])
				if typ != m.in.scheme && typ != "cenc" && typ != "cbcs" {
					continue
				}
				return i, rest[8:], flags
			}
			return i, rest, flags
		}
		return -1, nil, 0
	}
	zi, saiz, _ := pick(t.saiz)
	oi, saio, _ := pick(t.saio)
	if zi < 0 || oi < 0 {
		m.c.add(rCENCSaizSaio, m.loc("/traf", moofOff, 0), "senc without saiz and saio: the sample auxiliary information cannot be located")
		return
	}
	zl := m.loc("/traf/saiz", t.saizAt[zi], 0)
	r := reader{b: saiz}
	def := r.u8()
	count := r.u32()
	if !r.ok() {
		m.c.add(rMP4Box, zl, "saiz too short")
		return
	}
	if int(count) != len(entrySizes) {
		m.c.add(rCENCSaizSaio, zl, "saiz has %d samples, senc %d", count, len(entrySizes))
	} else {
		for i := range entrySizes {
			size := def
			if def == 0 {
				size = r.u8()
			}
			if !r.ok() {
				m.c.add(rMP4Box, zl, "saiz sizes cut short")
				break
			}
			if int(size) != entrySizes[i] {
				m.c.add(rCENCSaizSaio, Location{File: zl.File, Box: zl.Box, Offset: zl.Offset, Sample: i + 1}, "saiz says %d bytes, the senc entry has %d", size, entrySizes[i])
				break
			}
		}
	}
	ol := m.loc("/traf/saio", t.saioAt[oi], 0)
	version := t.saio[oi][0]
	r = reader{b: saio}
	n := r.u32()
	var off int64
	if version == 0 {
		off = int64(r.u32())
	} else {
		off = int64(r.u64())
	}
	if !r.ok() || n == 0 {
		m.c.add(rMP4Box, ol, "saio without an offset")
		return
	}
	if n != 1 {
		m.c.add(rCENCSaizSaio, ol, "saio has %d offsets; CMAF fragments have one run", n)
	}
	want := t.senc.offset + int64(t.senc.hdr) + 8 // after version/flags and sample_count
	if base+off != want {
		m.c.add(rCENCSaizSaio, ol, "saio offset %d points at byte %d, the first senc entry is at %d", off, base+off, want)
	}
}

// sampleGroups maps each sample of the traf to its seig group entry (nil:
// tenc applies), checking sbgp against sgpd.
func (m *moofCtx) sampleGroups(f *fragInfo, t *trafBoxes) []*seigEntry {
	out := make([]*seigEntry, f.samples)
	var entries []seigEntry
	for i, body := range t.sgpd {
		v, _, rest, ok := fullBox(body)
		r := reader{b: rest}
		typ := string(r.bytes(4))
		if !ok || typ != "seig" {
			continue
		}
		loc := m.loc("/traf/sgpd", t.sgpdAt[i], 0)
		defLen := uint32(0)
		if v == 1 {
			defLen = r.u32()
		}
		if v >= 2 {
			r.u32()
		}
		n := r.u32()
		for j := uint32(0); j < n && r.ok(); j++ {
			l := defLen
			if v == 1 && defLen == 0 {
				l = r.u32()
			}
			er := reader{b: r.b}
			var e seigEntry
			er.u8()
			er.u8()
			e.protected = er.u8()
			e.ivSize = er.u8()
			copy(e.kid[:], er.bytes(16))
			if e.protected == 1 && e.ivSize == 0 {
				e.constIV = int(er.u8())
				er.bytes(e.constIV)
			}
			if !er.ok() {
				m.c.add(rCENCSampleGroup, loc, "seig entry %d cut short", j+1)
				return out
			}
			used := len(r.b) - len(er.b)
			if l > 0 {
				used = int(l)
			}
			r.bytes(used)
			if e.protected == 1 && e.kid == [16]byte{} {
				m.c.add(rCENCSampleGroup, loc, "seig entry %d is protected with an all-zero KID", j+1)
			}
			if e.protected == 1 && e.ivSize != 0 && e.ivSize != 8 && e.ivSize != 16 {
				m.c.add(rCENCSampleGroup, loc, "seig entry %d: per-sample IV size %d", j+1, e.ivSize)
			}
			entries = append(entries, e)
		}
		if !r.ok() {
			m.c.add(rCENCSampleGroup, loc, "sgpd seig entries cut short")
		}
	}
	for i, body := range t.sbgp {
		v, _, rest, ok := fullBox(body)
		r := reader{b: rest}
		if !ok || !bytes.Equal(r.bytes(4), []byte("seig")) {
			continue
		}
		loc := m.loc("/traf/sbgp", t.sbgpAt[i], 0)
		if v == 1 {
			r.u32()
		}
		n := r.u32()
		s := 0
		for j := uint32(0); j < n && r.ok(); j++ {
			count := int(r.u32())
			idx := r.u32()
			if !r.ok() {
				break
			}
			if s+count > f.samples {
				m.c.add(rCENCSampleGroup, loc, "sbgp assigns %d samples, the fragment has %d", s+count, f.samples)
				return out
			}
			if idx > 0x10000 {
				k := int(idx - 0x10001)
				if k >= len(entries) {
					m.c.add(rCENCSampleGroup, loc, "group_description_index %d: the fragment's sgpd has %d seig entries", idx, len(entries))
					return out
				}
				for x := s; x < s+count; x++ {
					out[x] = &entries[k]
				}
			}
			s += count
		}
		if !r.ok() {
			m.c.add(rMP4Box, loc, "sbgp cut short")
		}
	}
	if len(t.sbgp) == 0 && len(entries) > 0 {
		m.c.add(rCENCSampleGroup, m.loc("/traf/sgpd", t.sgpdAt[0], 0), "seig sample group description without sbgp")
	}
	return out
}
