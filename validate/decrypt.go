package validate

import (
	"bytes"
	"fmt"

	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/mp4"
)

// checkSamples runs the Options.Keys checks on one track: a sample of its
// segments is read whole, decrypted with mp4ff (ISO/IEC 23001-7 §9–10)
// with the key of the track's default_KID, and the NAL structure of every
// video sample is checked (ISO/IEC 14496-15 §5.3.2): length fields that
// add up, forbidden_zero_bit 0, emulation prevention intact, AVC slice
// headers that parse against the SPS/PPS, and an IDR/IRAP picture first
// in each segment. Clear video tracks get the same NAL checks.
//
// The NAL length fields and slice headers stay clear in both schemes, so
// a wrong key shows only where its garbage breaks emulation prevention:
// these checks prove the subsample maps and the decryption path, and
// catch a wrong key only by chance.
func (c *checker) checkSamples(t *trackRef) {
	in := t.init
	if in == nil || len(t.segs) == 0 {
		return
	}
	video := in.kind == kindVideo && in.nalLen > 0
	if !in.encrypted() && !video {
		return
	}
	defer c.guard(t.from, "decryption check")
	loc := Location{File: c.src.display(in.name)}
	var key []byte
	if in.encrypted() {
		if in.tenc == nil {
			return
		}
		for _, k := range c.opts.Keys {
			if k.KID == in.tenc.kid {
				key = k.Key[:]
			}
		}
		if key == nil {
			c.add(rCENCKeyMissing, loc, "no key for default_KID %s in the keys given: %s not decrypted", uuidString(in.tenc.kid), t.label)
			return
		}
	}
	f, err := mp4.DecodeFile(bytes.NewReader(in.raw))
	if err != nil || f.Init == nil {
		c.add(rCENCDecrypt, loc, "the init segment does not decode for decryption: %v", err)
		return
	}
	var di mp4.DecryptInfo
	if in.encrypted() {
		if in.scheme != "cenc" && in.scheme != "cbcs" {
			return // CENC-SCHEME says why
		}
		if di, err = decryptInit(f.Init); err != nil {
			c.add(rCENCDecrypt, loc, "init segment: %v", err)
			return
		}
	}
	nal := newNALChecker(f.Init, in)
	var trex *mp4.TrexBox
	if f.Init.Moov.Mvex != nil {
		trex = f.Init.Moov.Mvex.Trex
	}
	for _, i := range sampleIndexes(len(t.segs), c.opts.DecryptSegments) {
		if c.ctx.Err() != nil {
			return
		}
		s := t.segs[i]
		if s.media == nil || !s.media.ok || s.media.broken || s.media.dataBad || s.media.notFMP4 {
			continue // reported already; its samples cannot be read
		}
		off, n := s.rng.off, s.rng.n
		if n == 0 {
			n = -1
		}
		data, _, err := c.src.read(c.ctx, s.name, off, n, c.opts.MaxSegmentBytes)
		if err != nil {
			c.readErr(s.from, "segment", s.name, err)
			continue
		}
		file := c.src.display(s.name)
		sf, err := mp4.DecodeFile(bytes.NewReader(data))
		if err != nil {
			c.add(rCENCDecrypt, Location{File: file}, "segment does not decode: %v", err)
			continue
		}
		first := true
		for _, seg := range sf.Segments {
			for fi, frag := range seg.Fragments {
				if in.encrypted() && !clearFragment(frag, in) {
					if err := decryptFragment(frag, di, key); err != nil {
						c.add(rCENCDecrypt, Location{File: file, Box: fmt.Sprintf("moof[%d]", fi+1)}, "decryption failed: %v", err)
						break
					}
				}
				if !video {
					continue
				}
				samples, err := frag.GetFullSamples(trex)
				if err != nil {
					c.add(rCENCDecrypt, Location{File: file, Box: fmt.Sprintf("moof[%d]", fi+1)}, "samples: %v", err)
					break
				}
				for si, smp := range samples {
					if msg := nal.check(smp.Data, first); msg != "" {
						what := "decrypted sample"
						if !in.encrypted() {
							what = "sample"
						}
						c.add(rMediaNAL, Location{File: file, Box: fmt.Sprintf("moof[%d]/traf/trun", fi+1), Sample: si + 1}, "%s: %s", what, msg)
						break
					}
					first = false
				}
			}
		}
	}
}

// decryptInit prepares decryption with mp4ff, which panics on some
// malformed protection boxes (a sinf without frma: FuzzBoxes crasher
// 17d401bc725706e2).
func decryptInit(init *mp4.InitSegment) (di mp4.DecryptInfo, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("mp4ff: %v", r)
		}
	}()
	return mp4.DecryptInit(init)
}

// decryptFragment decrypts with mp4ff, turning a panic on inconsistent
// auxiliary information (subsamples beyond the sample) into an error.
func decryptFragment(frag *mp4.Fragment, di mp4.DecryptInfo, key []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("mp4ff: %v", r)
		}
	}()
	return mp4.DecryptFragment(frag, di, key)
}

// clearFragment reports a clear-lead fragment: its sample description is
// the clear twin of the encrypted one.
func clearFragment(frag *mp4.Fragment, in *initInfo) bool {
	if in.clearEntry == 0 || frag.Moof == nil || frag.Moof.Traf == nil || frag.Moof.Traf.Tfhd == nil {
		return false
	}
	sdi := in.trexSDI
	if tfhd := frag.Moof.Traf.Tfhd; tfhd.HasSampleDescriptionIndex() {
		sdi = tfhd.SampleDescriptionIndex
	}
	return sdi == in.clearEntry
}

// sampleIndexes picks n indexes of 0..total-1: the first, the last and
// evenly spaced ones between.
func sampleIndexes(total, n int) []int {
	if n >= total {
		out := make([]int, total)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := []int{0}
	for k := 1; k < n-1; k++ {
		out = append(out, k*(total-1)/(n-1))
	}
	if n > 1 {
		out = append(out, total-1)
	}
	return out
}

// nalChecker checks the NAL units of AVC/HEVC samples.
type nalChecker struct {
	lenSize int
	hevc    bool
	sps     map[uint32]*avc.SPS
	pps     map[uint32]*avc.PPS
}

func newNALChecker(init *mp4.InitSegment, in *initInfo) *nalChecker {
	n := &nalChecker{lenSize: in.nalLen, hevc: in.hevc}
	if in.hevc || init.Moov == nil || init.Moov.Trak == nil {
		return n
	}
	stsd := init.Moov.Trak.Mdia.Minf.Stbl.Stsd
	if len(stsd.Children) == 0 {
		return n
	}
	ve, ok := stsd.Children[0].(*mp4.VisualSampleEntryBox)
	if !ok || ve.AvcC == nil {
		return n
	}
	n.sps, n.pps = map[uint32]*avc.SPS{}, map[uint32]*avc.PPS{}
	for _, b := range ve.AvcC.SPSnalus {
		if s, err := avc.ParseSPSNALUnit(b, false); err == nil {
			n.sps[s.ParameterID] = s
		}
	}
	for _, b := range ve.AvcC.PPSnalus {
		if p, err := avc.ParsePPSNALUnit(b, n.sps); err == nil {
			n.pps[p.PicParameterSetID] = p
		}
	}
	return n
}

// check returns what is wrong with one sample, or "".
func (n *nalChecker) check(sample []byte, first bool) string {
	pos := 0
	sawIRAP := false
	for pos < len(sample) {
		if pos+n.lenSize > len(sample) {
			return fmt.Sprintf("%d bytes left at byte %d where a %d-byte NAL length belongs", len(sample)-pos, pos, n.lenSize)
		}
		var l int
		for i := 0; i < n.lenSize; i++ {
			l = l<<8 | int(sample[pos+i])
		}
		pos += n.lenSize
		if l == 0 || pos+l > len(sample) {
			return fmt.Sprintf("NAL length %d at byte %d does not fit the %d-byte sample", l, pos-n.lenSize, len(sample))
		}
		nalu := sample[pos : pos+l]
		pos += l
		if nalu[0]&0x80 != 0 {
			return fmt.Sprintf("forbidden_zero_bit set in the NAL unit at byte %d", pos-l)
		}
		if i := emulationViolation(nalu); i >= 0 {
			return fmt.Sprintf("start-code emulation inside the NAL unit at byte %d (offset %d): the payload is not a valid RBSP", pos-l, i)
		}
		if n.hevc {
			typ := (nalu[0] >> 1) & 0x3f
			if typ >= 16 && typ <= 23 {
				sawIRAP = true
			}
			continue
		}
		typ := nalu[0] & 0x1f
		if typ == 0 || typ > 21 && typ < 24 {
			return fmt.Sprintf("NAL unit type %d at byte %d", typ, pos-l)
		}
		if typ == 5 {
			sawIRAP = true
		}
		if (typ == 1 || typ == 5) && len(n.pps) > 0 {
			if _, err := avc.ParseSliceHeader(nalu, n.sps, n.pps); err != nil {
				return fmt.Sprintf("slice header at byte %d does not parse: %v", pos-l, err)
			}
		}
	}
	if first && !sawIRAP {
		return "the segment's first sample has no IDR/IRAP picture"
	}
	return ""
}

// emulationViolation returns the offset of a three-byte sequence that
// emulation prevention forbids inside a NAL unit (00 00 00, 00 00 01,
// 00 00 02, or 00 00 03 followed by a byte above 3), or -1. Trailing
// cabac_zero_words appear as 00 00 03 00 00 03…, which pass.
func emulationViolation(b []byte) int {
	for i := 0; i+2 < len(b); i++ {
		if b[i] != 0 || b[i+1] != 0 {
			continue
		}
		switch c := b[i+2]; {
		case c <= 2:
			return i
		case c == 3:
			if i+3 < len(b) && b[i+3] > 3 {
				return i
			}
			i += 2
		}
	}
	return -1
}
