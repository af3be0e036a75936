package packager

import (
	"bytes"
	"crypto/aes"
	"encoding/binary"
	"fmt"
)

// This file is an independent CENC decryptor for tests: a small box
// walker and AES-CTR / AES-CBC-pattern decryption written from ISO/IEC
// 23001-7 with crypto/aes's block cipher only. It shares no code with the
// production path (package drm) and reads the sample auxiliary
// information through saiz/saio, as players do, checking it against senc.

// tbox is one ISO BMFF box in a byte slice.
type tbox struct {
	typ        string
	start, end int // of the whole box within the parent slice
	hdr        int // header length
}

func (b tbox) payload(data []byte) []byte { return data[b.start+b.hdr : b.end] }

// boxes lists the boxes of data.
func boxes(data []byte) ([]tbox, error) {
	var out []tbox
	for pos := 0; pos < len(data); {
		if len(data)-pos < 8 {
			return nil, fmt.Errorf("%d stray bytes", len(data)-pos)
		}
		size, hdr := int(binary.BigEndian.Uint32(data[pos:])), 8
		if size == 1 {
			size, hdr = int(binary.BigEndian.Uint64(data[pos+8:])), 16
		}
		if size < hdr || pos+size > len(data) {
			return nil, fmt.Errorf("box %q at %d: size %d", data[pos+4:pos+8], pos, size)
		}
		out = append(out, tbox{typ: string(data[pos+4 : pos+8]), start: pos, end: pos + size, hdr: hdr})
		pos += size
	}
	return out, nil
}

// child returns the payload of the first box of type typ in data.
func child(data []byte, typ string) ([]byte, bool) {
	bs, err := boxes(data)
	if err != nil {
		return nil, false
	}
	for _, b := range bs {
		if b.typ == typ {
			return b.payload(data), true
		}
	}
	return nil, false
}

// boxPath follows a chain of box types.
func boxPath(data []byte, types ...string) ([]byte, bool) {
	for _, t := range types {
		var ok bool
		if data, ok = child(data, t); !ok {
			return nil, false
		}
	}
	return data, true
}

// tencInfo is what a decryptor needs from an init segment.
type tencInfo struct {
	entry       string // encv or enca
	format      string // frma: the original sample entry
	scheme      string // schm
	kid         [16]byte
	ivSize      int
	constantIV  []byte
	crypt, skip int
	psshSystems [][16]byte
	clearEntry  bool // a second, clear sample entry for a clear lead
}

// readInit finds the protection information of a single-track init
// segment.
func readInit(init []byte) (tencInfo, error) {
	var ti tencInfo
	moov, ok := child(init, "moov")
	if !ok {
		return ti, fmt.Errorf("no moov")
	}
	stsd, ok := boxPath(moov, "trak", "mdia", "minf", "stbl", "stsd")
	if !ok {
		return ti, fmt.Errorf("no stsd")
	}
	entries, err := boxes(stsd[8:]) // version/flags, entry count
	if err != nil || len(entries) < 1 || len(entries) > 2 {
		return ti, fmt.Errorf("stsd with %d entries: %v", len(entries), err)
	}
	if len(entries) == 2 && (entries[1].typ == "encv" || entries[1].typ == "enca") {
		return ti, fmt.Errorf("second sample entry %s is not the clear one", entries[1].typ)
	}
	ti.clearEntry = len(entries) == 2
	e := entries[0]
	ti.entry = e.typ
	body := e.payload(stsd[8:])
	var skip int
	switch e.typ {
	case "encv":
		skip = 78 // VisualSampleEntry fields
	case "enca":
		skip = 28 // AudioSampleEntry fields (version 0)
	default:
		return ti, fmt.Errorf("sample entry %s is not encrypted", e.typ)
	}
	sinf, ok := child(body[skip:], "sinf")
	if !ok {
		return ti, fmt.Errorf("no sinf")
	}
	frma, _ := child(sinf, "frma")
	schm, _ := child(sinf, "schm")
	tenc, ok := boxPath(sinf, "schi", "tenc")
	if !ok || len(frma) != 4 || len(schm) < 8 || len(tenc) < 24 {
		return ti, fmt.Errorf("incomplete sinf")
	}
	ti.format, ti.scheme = string(frma), string(schm[4:8])
	version := tenc[0]
	if version > 0 {
		ti.crypt, ti.skip = int(tenc[5]>>4), int(tenc[5]&15)
	}
	if tenc[6] != 1 {
		return ti, fmt.Errorf("default_isProtected %d", tenc[6])
	}
	ti.ivSize = int(tenc[7])
	copy(ti.kid[:], tenc[8:24])
	if ti.ivSize == 0 {
		n := int(tenc[24])
		ti.constantIV = tenc[25 : 25+n]
	}
	bs, _ := boxes(moov)
	for _, b := range bs {
		if b.typ == "pssh" {
			var id [16]byte
			copy(id[:], b.payload(moov)[4:20])
			ti.psshSystems = append(ti.psshSystems, id)
		}
	}
	return ti, nil
}

// subsample is one clear/protected pair.
type subsample struct{ clear, protected int }

// fragInfo is what decryptFragments saw of one fragment.
type fragInfo struct {
	clear   bool // a 'seig' sample group with isProtected 0, and no senc
	samples [][]byte
	subs    [][]subsample
}

// decryptSegment decrypts, in place, every fragment of a media segment
// (styp, then moof+mdat pairs) and returns the samples.
func decryptSegment(seg []byte, ti tencInfo, key []byte) ([]fragInfo, error) {
	top, err := boxes(seg)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	var out []fragInfo
	for i, b := range top {
		if b.typ != "moof" {
			continue
		}
		if i+1 >= len(top) || top[i+1].typ != "mdat" {
			return nil, fmt.Errorf("moof at %d without mdat", b.start)
		}
		moofStart := b.start
		moof := b.payload(seg)
		traf, ok := child(moof, "traf")
		if !ok {
			return nil, fmt.Errorf("no traf")
		}
		tfhd, _ := child(traf, "tfhd")
		trun, _ := child(traf, "trun")
		sizes, dataOffset, err := trunSizes(tfhd, trun)
		if err != nil {
			return nil, err
		}
		fi := fragInfo{}
		pos := moofStart + dataOffset
		for _, n := range sizes {
			if pos+n > len(seg) {
				return nil, fmt.Errorf("sample beyond the segment")
			}
			fi.samples = append(fi.samples, seg[pos:pos+n])
			pos += n
		}
		if binary.BigEndian.Uint32(tfhd)&2 != 0 && binary.BigEndian.Uint32(tfhd[8:]) == 2 {
			// The clear sample entry of a clear lead.
			if _, ok := child(traf, "sgpd"); !ok {
				return nil, fmt.Errorf("clear-lead fragment without a seig group")
			}
		}
		if sgpd, ok := child(traf, "sgpd"); ok {
			// version 1, 'seig', default_length, entry_count, then the entry:
			// reserved, pattern, isProtected, Per_Sample_IV_Size, KID.
			if string(sgpd[4:8]) == "seig" && sgpd[4+4+4+4+2] == 0 {
				fi.clear = true
			}
		}
		senc, hasSenc := child(traf, "senc")
		if fi.clear {
			if hasSenc {
				return nil, fmt.Errorf("clear fragment with senc")
			}
			out = append(out, fi)
			continue
		}
		aux, err := auxInfo(traf, moof, seg[moofStart:], len(sizes))
		if err != nil {
			return nil, err
		}
		if hasSenc {
			if n := int(binary.BigEndian.Uint32(senc[4:])); n != len(sizes) {
				return nil, fmt.Errorf("senc has %d samples, trun %d", n, len(sizes))
			}
			if want := bytes.Join(aux, nil); !bytes.Equal(senc[8:], want) {
				return nil, fmt.Errorf("senc differs from the saiz/saio auxiliary information")
			}
		} else if len(aux) > 0 && len(aux[0]) > 0 {
			return nil, fmt.Errorf("auxiliary information without senc")
		}
		useSubs := hasSenc && binary.BigEndian.Uint32(senc)&2 != 0
		for k, sample := range fi.samples {
			var a []byte
			if aux != nil {
				a = aux[k]
			}
			iv := make([]byte, 16)
			if ti.ivSize == 0 {
				copy(iv, ti.constantIV)
			} else {
				copy(iv, a[:ti.ivSize])
				a = a[ti.ivSize:]
			}
			var subs []subsample
			if useSubs {
				n := int(binary.BigEndian.Uint16(a))
				for j := range n {
					e := a[2+6*j:]
					subs = append(subs, subsample{int(binary.BigEndian.Uint16(e)), int(binary.BigEndian.Uint32(e[2:]))})
				}
			} else {
				subs = []subsample{{0, len(sample)}}
			}
			total := 0
			for _, s := range subs {
				total += s.clear + s.protected
			}
			if total != len(sample) {
				return nil, fmt.Errorf("subsamples cover %d of %d bytes", total, len(sample))
			}
			fi.subs = append(fi.subs, subs)
			switch ti.scheme {
			case "cenc":
				ctr := newTestCTR(block, iv)
				p := 0
				for _, s := range subs {
					p += s.clear
					ctr.xor(sample[p : p+s.protected])
					p += s.protected
				}
			case "cbcs":
				p := 0
				for _, s := range subs {
					p += s.clear
					cbcsDecrypt(block, iv, sample[p:p+s.protected], ti.crypt, ti.skip)
					p += s.protected
				}
			default:
				return nil, fmt.Errorf("scheme %q", ti.scheme)
			}
		}
		out = append(out, fi)
	}
	return out, nil
}

// trunSizes returns the sample sizes of a traf (trun sizes or the tfhd
// default) and the trun data offset (from the moof: default-base-is-moof).
func trunSizes(tfhd, trun []byte) ([]int, int, error) {
	tf := binary.BigEndian.Uint32(tfhd) & 0xffffff
	p := 8 // version/flags, track_ID
	if tf&1 != 0 {
		p += 8
	}
	if tf&2 != 0 {
		p += 4
	}
	if tf&8 != 0 {
		p += 4
	}
	defSize := 0
	if tf&0x10 != 0 {
		defSize = int(binary.BigEndian.Uint32(tfhd[p:]))
	}
	fl := binary.BigEndian.Uint32(trun) & 0xffffff
	n := int(binary.BigEndian.Uint32(trun[4:]))
	q := 8
	off := 0
	if fl&1 != 0 {
		off = int(int32(binary.BigEndian.Uint32(trun[q:])))
		q += 4
	}
	if fl&4 != 0 {
		q += 4
	}
	var sizes []int
	for range n {
		if fl&0x100 != 0 {
			q += 4
		}
		s := defSize
		if fl&0x200 != 0 {
			s = int(binary.BigEndian.Uint32(trun[q:]))
			q += 4
		}
		if fl&0x400 != 0 {
			q += 4
		}
		if fl&0x800 != 0 {
			q += 4
		}
		sizes = append(sizes, s)
	}
	return sizes, off, nil
}

// auxInfo reads each sample's auxiliary information where saiz and saio
// say it is (offsets from the moof start); nil without saiz.
func auxInfo(traf, moof, fromMoof []byte, n int) ([][]byte, error) {
	saiz, ok1 := child(traf, "saiz")
	saio, ok2 := child(traf, "saio")
	if !ok1 && !ok2 {
		return nil, nil
	}
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("saiz without saio or the reverse")
	}
	p := 4
	if binary.BigEndian.Uint32(saiz)&1 != 0 {
		p += 8
	}
	def := int(saiz[p])
	count := int(binary.BigEndian.Uint32(saiz[p+1:]))
	if count != n {
		return nil, fmt.Errorf("saiz counts %d samples, trun %d", count, n)
	}
	q := 4
	if binary.BigEndian.Uint32(saio)&1 != 0 {
		q += 8
	}
	if binary.BigEndian.Uint32(saio[q:]) != 1 {
		return nil, fmt.Errorf("saio with %d offsets", binary.BigEndian.Uint32(saio[q:]))
	}
	var off int
	if saio[0] == 0 {
		off = int(binary.BigEndian.Uint32(saio[q+4:]))
	} else {
		off = int(binary.BigEndian.Uint64(saio[q+4:]))
	}
	var out [][]byte
	for i := range n {
		size := def
		if def == 0 {
			size = int(saiz[p+5+i])
		}
		if off+size > len(fromMoof) {
			return nil, fmt.Errorf("auxiliary information beyond the segment")
		}
		out = append(out, fromMoof[off:off+size])
		off += size
	}
	return out, nil
}

// testCTR is AES-CTR with a 128-bit big-endian counter (ISO/IEC 23001-7
// §9.1: the IV, zero-padded to 16 bytes, is the initial counter block).
type testCTR struct {
	block interface{ Encrypt(dst, src []byte) }
	ctr   [16]byte
	ks    [16]byte
	used  int
}

func newTestCTR(b interface{ Encrypt(dst, src []byte) }, iv []byte) *testCTR {
	c := &testCTR{block: b, used: 16}
	copy(c.ctr[:], iv)
	return c
}

func (c *testCTR) xor(p []byte) {
	for i := range p {
		if c.used == 16 {
			c.block.Encrypt(c.ks[:], c.ctr[:])
			for j := 15; j >= 0; j-- {
				c.ctr[j]++
				if c.ctr[j] != 0 {
					break
				}
			}
			c.used = 0
		}
		p[i] ^= c.ks[c.used]
		c.used++
	}
}

// cbcsDecrypt decrypts a protected range in place: AES-CBC from the IV
// over crypt blocks, skipping skip blocks after each (0:0 means every
// block), partial blocks left clear (ISO/IEC 23001-7 §9.6, §10.4).
func cbcsDecrypt(b interface{ Decrypt(dst, src []byte) }, iv, p []byte, crypt, skip int) {
	if crypt == 0 && skip == 0 {
		crypt = 1
	}
	prev := make([]byte, 16)
	copy(prev, iv)
	cur := make([]byte, 16)
	for pos := 0; len(p)-pos >= 16*crypt; {
		for range crypt {
			blk := p[pos : pos+16]
			copy(cur, blk)
			b.Decrypt(blk, blk)
			for j := range 16 {
				blk[j] ^= prev[j]
			}
			copy(prev, cur)
			pos += 16
		}
		pos += 16 * skip
	}
}
