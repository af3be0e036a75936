package validate

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/Eyevinn/mp4ff/mp4"
)

// byteRange is [off, off+n) of a resource; n == 0 means the whole resource.
type byteRange struct{ off, n int64 }

func (r byteRange) String() string {
	if r.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d-%d", r.off, r.off+r.n-1)
}

// refKey names a resource or a range of it, for caches.
func refKey(name string, r byteRange) string {
	if r.n == 0 {
		return name
	}
	return name + "#" + r.String()
}

type trackKind int

const (
	kindOther trackKind = iota
	kindVideo
	kindAudio
	kindText
)

func (k trackKind) String() string {
	return [...]string{"other", "video", "audio", "text"}[k]
}

// tencInfo is the track encryption box (ISO/IEC 23001-7 §8.2).
type tencInfo struct {
	version   byte
	protected byte
	ivSize    byte
	kid       [16]byte
	constIV   []byte
	crypt     byte
	skip      byte
}

// psshInfo is a pssh box (ISO/IEC 23001-7 §8.1) found in an init segment
// or a manifest.
type psshInfo struct {
	system [16]byte
	kids   [][16]byte
}

// initInfo is what the media checks need from a CMAF header.
type initInfo struct {
	name string
	rng  byteRange
	raw  []byte // ftyp+moov bytes, for decryption with Options.Keys

	brands    []string
	trackID   uint32
	ntracks   int
	kind      trackKind
	timescale uint32
	language  string   // elng, else mdhd (ISO 639-2/T): "und" when undetermined
	entry     string   // sample entry type as stored: avc1, encv…
	format    string   // original format (frma of encv/enca)
	codec     string   // RFC 6381, "" when it cannot be named
	codecs    []string // of every track (a multiplexed, non-CMAF header has several)
	width     int      // sample entry
	height    int
	dispW     int // tkhd: the display size, which some packagers put in RESOLUTION
	dispH     int
	channels  int
	rate      int // audio sample rate, Hz
	nalLen    int // NAL unit length field size (AVC/HEVC), 0 otherwise
	hevc      bool

	trexOK                       bool
	trexDur, trexSize, trexFlags uint32
	trexSDI                      uint32

	// clearEntry is the 1-based index of the clear twin of an encrypted
	// sample entry (clear lead), 0 when there is none: fragments whose
	// sample_description_index selects it are clear.
	clearEntry uint32

	scheme    string // schm scheme type, "" when clear
	tenc      *tencInfo
	psshs     []psshInfo
	psshBoxes []*mp4.PsshBox

	end int64 // where the header ends in its resource (single-file: the sidx or first moof)
}

func (in *initInfo) encrypted() bool { return in != nil && in.scheme != "" }

// loadInit reads, checks and caches the CMAF header of a track: a whole
// init segment, a byte range of one (HLS EXT-X-MAP BYTERANGE, DASH
// Initialization@range), or, with headerOnly, the boxes before the first
// sidx or moof of a single-file track. It returns nil when there is no
// usable moov; the findings say why.
func (c *checker) loadInit(from Location, name string, rng byteRange, headerOnly bool) *initInfo {
	key := refKey(name, rng)
	c.mu.Lock()
	in, done := c.inits[key]
	c.mu.Unlock()
	if done {
		return in
	}
	in = c.parseInit(from, name, rng, headerOnly)
	c.mu.Lock()
	if prev, ok := c.inits[key]; ok {
		in = prev
	} else {
		c.inits[key] = in
		c.stats.InitSegments++
	}
	c.mu.Unlock()
	return in
}

func (c *checker) parseInit(from Location, name string, rng byteRange, headerOnly bool) (in *initInfo) {
	loc := c.at(name)
	defer c.guard(loc, "init segment")
	lr := newLazyReader(c.ctx, c.src, name, c.opts.MaxSegmentBytes)
	size, err := lr.total()
	if err != nil {
		c.readErr(from, "init segment", name, err)
		return nil
	}
	start, end := int64(0), size
	if rng.n > 0 {
		if rng.off+rng.n > size {
			c.add(rRefByteRange, from, "init range %s is beyond the end of %s (%d bytes)", rng, c.src.display(name), size)
			return nil
		}
		start, end = rng.off, rng.off+rng.n
	}
	in = &initInfo{name: name, rng: rng}
	var moovBox []byte
	var moovAt int64
	var ftypSeen bool
	raw := &bytes.Buffer{}
walk:
	for off := start; off < end; {
		hdr, err := lr.at(off, 16)
		if err != nil {
			c.readErr(from, "init segment", name, err)
			return nil
		}
		b, err := parseBoxHeader(hdr, off, end)
		if err != nil {
			be := err.(*boxError)
			c.add(be.rule, Location{File: loc.File, Box: b.typ, Offset: be.offset}, "init segment: %s", be.msg)
			break
		}
		switch b.typ {
		case "ftyp":
			body, err := lr.at(off, b.size)
			if err != nil {
				c.readErr(from, "init segment", name, err)
				return nil
			}
			raw.Write(body)
			ftypSeen = true
			in.brands = brands(body[b.hdr:])
		case "moov":
			if moovBox != nil {
				c.add(rCMAFInit, Location{File: loc.File, Box: "moov", Offset: off}, "a second moov box")
				break
			}
			body, err := lr.at(off, b.size)
			if err != nil {
				c.readErr(from, "init segment", name, err)
				return nil
			}
			moovBox, moovAt = slices.Clone(body), off
			raw.Write(body)
		case "moof", "mdat", "sidx":
			if headerOnly {
				in.end = off
				break walk
			}
			if b.typ != "sidx" {
				c.add(rCMAFInitSamples, Location{File: loc.File, Box: b.typ, Offset: off}, "init segment contains a %s box: a CMAF header holds no media", b.typ)
			}
		}
		off = b.end()
		in.end = off
	}
	if !ftypSeen {
		c.add(rCMAFInit, loc, "init segment has no ftyp box")
	} else if !slices.Contains(in.brands, "cmfc") && !slices.Contains(in.brands, "cmf2") {
		c.add(rCMAFBrand, Location{File: loc.File, Box: "ftyp"}, "ftyp brands %v lack cmfc/cmf2", in.brands)
	}
	if moovBox == nil {
		c.add(rCMAFInit, loc, "init segment has no moov box")
		return nil
	}
	in.raw = raw.Bytes()
	if !c.describeMoov(in, loc, moovBox, moovAt) {
		return nil
	}
	return in
}

// clearLeadPair finds, among two sample entries, an encrypted one (encv,
// enca) and the clear one of its original format.
func clearLeadPair(entries []mp4.Box) (enc, clear int, ok bool) {
	sinfOf := func(b mp4.Box) *mp4.SinfBox {
		switch e := b.(type) {
		case *mp4.VisualSampleEntryBox:
			return e.Sinf
		case *mp4.AudioSampleEntryBox:
			return e.Sinf
		}
		return nil
	}
	for i, j := range []int{1, 0} {
		s := sinfOf(entries[i])
		if s != nil && s.Frma != nil && s.Frma.DataFormat == entries[j].Type() && sinfOf(entries[j]) == nil {
			return i, j, true
		}
	}
	return 0, 0, false
}

// brands lists the major brand and compatible brands of an ftyp/styp body.
func brands(body []byte) []string {
	var out []string
	if len(body) >= 4 {
		out = append(out, string(body[:4]))
	}
	for i := 8; i+4 <= len(body); i += 4 {
		if b := string(body[i : i+4]); !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// describeMoov decodes a moov box with mp4ff and fills in. It reports
// what is wrong and returns false when no media check can use it.
func (c *checker) describeMoov(in *initInfo, loc Location, moovBox []byte, at int64) (ok bool) {
	boxLoc := func(path string) Location { return Location{File: loc.File, Box: path, Offset: at} }
	var decoded mp4.Box
	func() {
		defer func() {
			if r := recover(); r != nil {
				decoded = nil
				c.add(rMP4Box, boxLoc("moov"), "moov does not decode: %v", r)
			}
		}()
		var err error
		decoded, err = mp4.DecodeBox(uint64(at), bytes.NewReader(moovBox))
		if err != nil {
			c.add(rMP4Box, boxLoc("moov"), "moov does not decode: %v", err)
			decoded = nil
		}
	}()
	moov, _ := decoded.(*mp4.MoovBox)
	if moov == nil {
		return false
	}
	in.ntracks = len(moov.Traks)
	if len(moov.Traks) != 1 {
		c.add(rCMAFInit, boxLoc("moov"), "%d trak boxes: a CMAF header has exactly one track (only the first is checked)", len(moov.Traks))
		if len(moov.Traks) == 0 {
			return false
		}
	}
	trak := moov.Traks[0]
	if trak.Tkhd == nil || trak.Mdia == nil || trak.Mdia.Mdhd == nil || trak.Mdia.Hdlr == nil ||
		trak.Mdia.Minf == nil || trak.Mdia.Minf.Stbl == nil || trak.Mdia.Minf.Stbl.Stsd == nil {
		c.add(rCMAFInit, boxLoc("moov/trak"), "trak lacks tkhd, mdhd, hdlr or stbl/stsd")
		return false
	}
	in.trackID = trak.Tkhd.TrackID
	in.dispW, in.dispH = int(trak.Tkhd.Width>>16), int(trak.Tkhd.Height>>16)
	in.timescale = trak.Mdia.Mdhd.Timescale
	in.language = trak.Mdia.Mdhd.GetLanguage()
	if strings.Trim(in.language, "abcdefghijklmnopqrstuvwxyz") != "" {
		in.language = "und" // a packed code of zeros or other junk
	}
	if trak.Mdia.Elng != nil && trak.Mdia.Elng.Language != "" {
		in.language = trak.Mdia.Elng.Language
	}
	if in.timescale == 0 {
		c.add(rCMAFInit, boxLoc("moov/trak/mdia/mdhd"), "mdhd timescale is 0")
		return false
	}
	switch trak.Mdia.Hdlr.HandlerType {
	case "vide":
		in.kind = kindVideo
	case "soun":
		in.kind = kindAudio
	case "text", "subt", "sbtl":
		in.kind = kindText
	}
	stbl := trak.Mdia.Minf.Stbl
	var samples []string
	if stbl.Stts != nil && len(stbl.Stts.SampleCount) > 0 {
		samples = append(samples, "stts has "+strconv.Itoa(len(stbl.Stts.SampleCount))+" entries")
	}
	if stbl.Stsz != nil && stbl.Stsz.SampleNumber > 0 {
		samples = append(samples, "stsz has "+strconv.Itoa(int(stbl.Stsz.SampleNumber))+" samples")
	}
	if stbl.Stco != nil && len(stbl.Stco.ChunkOffset) > 0 {
		samples = append(samples, "stco has "+strconv.Itoa(len(stbl.Stco.ChunkOffset))+" chunks")
	}
	if len(samples) > 0 {
		c.add(rCMAFInitSamples, boxLoc("moov/trak/mdia/minf/stbl"), "the header's sample tables are not empty: %v", samples)
	}
	if moov.Mvex == nil {
		c.add(rCMAFInit, boxLoc("moov"), "no mvex box: the track cannot be fragmented")
	} else {
		for _, t := range moov.Mvex.Trexs {
			if t.TrackID == in.trackID {
				in.trexOK = true
				in.trexDur, in.trexSize, in.trexFlags = t.DefaultSampleDuration, t.DefaultSampleSize, t.DefaultSampleFlags
				in.trexSDI = t.DefaultSampleDescriptionIndex
			}
		}
		if !in.trexOK {
			c.add(rCMAFInit, boxLoc("moov/mvex"), "no trex for track %d", in.trackID)
		}
	}
	entries := stbl.Stsd.Children
	if len(entries) == 0 {
		c.add(rCMAFInit, boxLoc("moov/trak/mdia/minf/stbl/stsd"), "no sample entry")
		return false
	}
	entry := entries[0]
	if len(entries) == 2 {
		// Clear lead as ISO/IEC 23001-7 allows it: an encrypted entry and
		// the clear entry it was made from, chosen per fragment by
		// sample_description_index. The track is described by the
		// encrypted one.
		if enc, clear, ok := clearLeadPair(entries); ok {
			entry, in.clearEntry = entries[enc], uint32(clear+1)
		}
	}
	if len(entries) != 1 && in.clearEntry == 0 {
		c.add(rCMAFInit, boxLoc("moov/trak/mdia/minf/stbl/stsd"), "%d sample entries: CMAF allows one (or an encrypted one and its clear twin)", len(entries))
	}
	in.entry, in.format = entry.Type(), entry.Type()
	var sinf *mp4.SinfBox
	switch e := entry.(type) {
	case *mp4.VisualSampleEntryBox:
		in.width, in.height = int(e.Width), int(e.Height)
		sinf = e.Sinf
		if e.HvcC != nil {
			in.nalLen, in.hevc = int(e.HvcC.LengthSizeMinusOne)+1, true
		}
		if e.AvcC != nil {
			in.nalLen = avcLengthSize(moovBox)
		}
	case *mp4.AudioSampleEntryBox:
		in.channels, in.rate = int(e.ChannelCount), int(e.SampleRate)
		sinf = e.Sinf
		if e.Dac3 != nil {
			in.channels, _ = e.Dac3.ChannelInfo()
		}
		if e.Dec3 != nil {
			in.channels, _ = e.Dec3.ChannelInfo()
		}
		if e.Dops != nil {
			in.channels, in.rate = int(e.Dops.OutputChannelCount), 48000
		}
	}
	for _, p := range moov.Psshs {
		in.psshs = append(in.psshs, psshFromBox(p))
		in.psshBoxes = append(in.psshBoxes, p)
	}
	if in.entry == "encv" || in.entry == "enca" {
		c.describeProtection(in, boxLoc("moov/trak/mdia/minf/stbl/stsd/"+in.entry+"/sinf"), sinf)
	} else if sinf != nil {
		c.add(rCENCScheme, boxLoc("moov/trak/mdia/minf/stbl/stsd/"+in.entry+"/sinf"), "a sinf box in a clear (%s) sample entry", in.entry)
	}
	in.codec = codecString(in.format, entry)
	for i, tk := range moov.Traks {
		if i == 0 {
			in.codecs = append(in.codecs, in.codec)
			continue
		}
		if tk.Mdia != nil && tk.Mdia.Minf != nil && tk.Mdia.Minf.Stbl != nil && tk.Mdia.Minf.Stbl.Stsd != nil && len(tk.Mdia.Minf.Stbl.Stsd.Children) > 0 {
			e := tk.Mdia.Minf.Stbl.Stsd.Children[0]
			if cs := codecString(e.Type(), e); cs != "" {
				in.codecs = append(in.codecs, cs)
			}
		}
	}
	return true
}

// describeProtection checks sinf (frma, schm, schi/tenc) of an encrypted
// sample entry (ISO/IEC 23001-7 §4, §8.2) and fills the scheme and tenc.
func (c *checker) describeProtection(in *initInfo, loc Location, sinf *mp4.SinfBox) {
	if sinf == nil {
		c.add(rCENCScheme, loc, "%s sample entry without sinf", in.entry)
		in.scheme = "unknown"
		return
	}
	if sinf.Frma == nil {
		c.add(rCENCScheme, loc, "sinf without frma (original format)")
	} else {
		in.format = sinf.Frma.DataFormat
	}
	if sinf.Schm == nil {
		c.add(rCENCScheme, loc, "sinf without schm (scheme type)")
		in.scheme = "unknown"
	} else {
		in.scheme = sinf.Schm.SchemeType
		switch in.scheme {
		case "cenc", "cbcs":
		case "cens", "cbc1":
			c.add(rCENCScheme, loc, "scheme %s: CMAF allows only cenc and cbcs", in.scheme)
		default:
			c.add(rCENCScheme, loc, "unknown protection scheme %q", in.scheme)
		}
	}
	if sinf.Schi == nil || sinf.Schi.Tenc == nil {
		c.add(rCENCScheme, loc, "sinf without schi/tenc")
		return
	}
	t := sinf.Schi.Tenc
	ti := &tencInfo{version: t.Version, protected: t.DefaultIsProtected, ivSize: t.DefaultPerSampleIVSize,
		constIV: t.DefaultConstantIV, crypt: t.DefaultCryptByteBlock, skip: t.DefaultSkipByteBlock}
	copy(ti.kid[:], t.DefaultKID)
	in.tenc = ti
	tl := Location{File: loc.File, Box: loc.Box + "/schi/tenc", Offset: loc.Offset}
	if ti.protected > 1 {
		c.add(rCENCScheme, tl, "default_isProtected %d (0 or 1)", ti.protected)
	}
	if ti.protected == 0 {
		return
	}
	if ti.kid == [16]byte{} {
		c.add(rCENCScheme, tl, "default_KID is all zeros")
	}
	switch ti.ivSize {
	case 0:
		if len(ti.constIV) != 8 && len(ti.constIV) != 16 {
			c.add(rCENCScheme, tl, "per-sample IV size 0 needs an 8- or 16-byte constant IV, got %d bytes", len(ti.constIV))
		}
		if in.scheme == "cenc" {
			c.add(rCENCScheme, tl, "cenc needs per-sample IVs (8 or 16 bytes), tenc has a constant IV")
		}
	case 8, 16:
		if in.scheme == "cbcs" && ti.ivSize == 8 {
			c.add(rCENCScheme, tl, "cbcs with 8-byte per-sample IVs: AES-CBC needs 16")
		}
	default:
		c.add(rCENCScheme, tl, "per-sample IV size %d (0, 8 or 16)", ti.ivSize)
	}
	if in.scheme == "cbcs" && in.kind == kindVideo && (ti.version == 0 || ti.crypt == 0) {
		c.add(rCENCScheme, tl, "cbcs video without an encryption pattern (tenc version %d, %d:%d)", ti.version, ti.crypt, ti.skip)
	}
}

func psshFromBox(p *mp4.PsshBox) psshInfo {
	var pi psshInfo
	copy(pi.system[:], p.SystemID)
	for _, k := range p.KIDs {
		var kid [16]byte
		copy(kid[:], k)
		pi.kids = append(pi.kids, kid)
	}
	return pi
}

// avcLengthSize reads lengthSizeMinusOne from the first avcC in moov
// (mp4ff does not keep it): byte 4 of the record.
func avcLengthSize(moov []byte) int {
	i := bytes.Index(moov, []byte("avcC"))
	if i < 0 || i+9 > len(moov) {
		return 4
	}
	return int(moov[i+8]&3) + 1
}

// uuidString formats 16 bytes as a UUID: 8-4-4-4-12 hex digits.
func uuidString(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
