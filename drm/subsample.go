package drm

import (
	"encoding/binary"
	"fmt"
	"maps"

	"github.com/Eyevinn/mp4ff/av1"
	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/hevc"
	"github.com/Eyevinn/mp4ff/mp4"
)

// Subsample is one entry of a sample's subsample map (ISO/IEC 23001-7
// §7.2.2): BytesOfClearData, then BytesOfProtectedData.
type Subsample struct {
	Clear     uint16
	Protected uint32
}

// protector computes the subsample map of each sample of one decode
// sequence, fed in decode order. It may keep state (AV1 reference frames,
// in-band parameter sets), so each sequence gets its own.
type protector interface {
	ranges(sample []byte, dst []Subsample) ([]Subsample, error)
}

// organizer builds a subsample map from (clear, protected) pieces the way
// ISO/IEC 23001-7 and CMAF want it: clear pieces merge into the next
// protected one; for cenc a protected range is whole 16-byte blocks that
// end where the piece ends (the remainder joins the clear bytes before
// it); for cbcs a protected piece shorter than a block stays clear; clear
// runs over 65535 bytes are split into (65535, 0) entries.
type organizer struct {
	align bool // cenc
	out   []Subsample
	acc   uint64
}

func (o *organizer) add(clear, protected uint64) {
	if o.align {
		mis := protected % 16
		clear, protected = clear+mis, protected-mis
	} else if protected < 16 {
		clear, protected = clear+protected, 0
	}
	o.acc += clear
	if protected == 0 {
		return
	}
	o.push(o.acc, protected)
	o.acc = 0
}

func (o *organizer) push(clear, protected uint64) {
	for clear > 0xffff {
		o.out = append(o.out, Subsample{Clear: 0xffff})
		clear -= 0xffff
	}
	o.out = append(o.out, Subsample{Clear: uint16(clear), Protected: uint32(protected)})
}

func (o *organizer) finish() []Subsample {
	if o.acc > 0 || len(o.out) == 0 {
		o.push(o.acc, 0)
	}
	return o.out
}

// codec is the subsample rule set of a video codec.
type codec int

const (
	codecAVC codec = iota + 1
	codecHEVC
	codecAV1
)

// protectorFactory makes a fresh protector per sequence from immutable
// track data; it is safe for concurrent use.
type protectorFactory func() protector

// newProtectorFactory reads the codec configuration of a visual sample
// entry: H.264 (avc1/avc3: SPS/PPS from avcC), HEVC (hvc1/hev1: from hvcC)
// or AV1 (av01: the sequence header OBU in av1C).
func newProtectorFactory(entry *mp4.VisualSampleEntryBox, scheme Scheme) (protectorFactory, error) {
	align := scheme == CENC
	switch typ := entry.Type(); typ {
	case "avc1", "avc3":
		if entry.AvcC == nil {
			return nil, fmt.Errorf("%w: %s without avcC", ErrMalformed, typ)
		}
		c := entry.AvcC
		sps, pps := map[uint32]*avc.SPS{}, map[uint32]*avc.PPS{}
		for _, n := range c.SPSnalus {
			s, err := avc.ParseSPSNALUnit(n, false)
			if err != nil {
				return nil, fmt.Errorf("avcC SPS: %w", err)
			}
			sps[s.ParameterID] = s
		}
		for _, n := range c.PPSnalus {
			p, err := avc.ParsePPSNALUnit(n, sps)
			if err != nil {
				return nil, fmt.Errorf("avcC PPS: %w", err)
			}
			pps[p.PicParameterSetID] = p
		}
		const lengthSize = 4 // mp4ff refuses avcC with other NAL length sizes
		return func() protector {
			return &nalProtector{codec: codecAVC, lengthSize: lengthSize, align: align, avcSPS: sps, avcPPS: pps}
		}, nil
	case "hvc1", "hev1":
		if entry.HvcC == nil {
			return nil, fmt.Errorf("%w: %s without hvcC", ErrMalformed, typ)
		}
		sps, pps := map[uint32]*hevc.SPS{}, map[uint32]*hevc.PPS{}
		for _, arr := range entry.HvcC.NaluArrays {
			if arr.NaluType() != hevc.NALU_SPS {
				continue
			}
			for _, n := range arr.Nalus {
				s, err := hevc.ParseSPSNALUnit(n)
				if err != nil {
					return nil, fmt.Errorf("hvcC SPS: %w", err)
				}
				sps[uint32(s.SpsID)] = s
			}
		}
		for _, arr := range entry.HvcC.NaluArrays {
			if arr.NaluType() != hevc.NALU_PPS {
				continue
			}
			for _, n := range arr.Nalus {
				p, err := hevc.ParsePPSNALUnit(n, sps)
				if err != nil {
					return nil, fmt.Errorf("hvcC PPS: %w", err)
				}
				pps[p.PicParameterSetID] = p
			}
		}
		lengthSize := int(entry.HvcC.LengthSizeMinusOne) + 1
		return func() protector {
			return &nalProtector{codec: codecHEVC, lengthSize: lengthSize, align: align, hevcSPS: sps, hevcPPS: pps}
		}, nil
	case "av01":
		if entry.Av1C == nil {
			return nil, fmt.Errorf("%w: av01 without av1C", ErrMalformed)
		}
		seq, err := entry.Av1C.SequenceHeader()
		if err != nil || seq == nil {
			return nil, fmt.Errorf("%w: av1C has no sequence header OBU", ErrUnsupported)
		}
		if _, err := av1.NewFrameHeaderDecoder(seq); err != nil {
			return nil, fmt.Errorf("av1C sequence header: %w", err)
		}
		return func() protector {
			dec, _ := av1.NewFrameHeaderDecoder(seq) // checked above
			return &av1Protector{dec: dec, align: align}
		}, nil
	}
	return nil, fmt.Errorf("%w: encrypting %s video (H.264, HEVC and AV1 are supported)", ErrUnsupported, entry.Type())
}

// nalProtector maps H.264 and HEVC samples (ISO/IEC 23001-7 §10.2, §10.4.2
// and CMAF §8.2.3.2): every NAL unit length field and NAL unit header, the
// whole slice header and every non-VCL NAL unit (parameter sets, SEI, AUD)
// stay clear; the slice data is protected. Slice headers are parsed
// exactly (mp4ff's parsers, sizes rounded up to whole bytes) because
// Apple's cbcs decoders compute the same boundary themselves. Parameter
// sets sent in band (avc3/hev1) replace those of the sample entry for the
// rest of the sequence.
type nalProtector struct {
	codec      codec
	lengthSize int
	align      bool
	owned      bool // the maps are this protector's own copies
	avcSPS     map[uint32]*avc.SPS
	avcPPS     map[uint32]*avc.PPS
	hevcSPS    map[uint32]*hevc.SPS
	hevcPPS    map[uint32]*hevc.PPS
}

func (p *nalProtector) ranges(sample []byte, dst []Subsample) (out []Subsample, err error) {
	defer func() {
		if r := recover(); r != nil { // a parser panicking on corrupt data must not take the process down
			out, err = nil, fmt.Errorf("%w: corrupt slice header (%v)", ErrMalformed, r)
		}
	}()
	o := organizer{align: p.align, out: dst[:0]}
	L := p.lengthSize
	for pos := 0; pos < len(sample); {
		if len(sample)-pos < L {
			return nil, fmt.Errorf("%w: %d stray bytes after the last NAL unit", ErrMalformed, len(sample)-pos)
		}
		var n int
		for i := range L {
			n = n<<8 | int(sample[pos+i])
		}
		pos += L
		if n > len(sample)-pos {
			return nil, fmt.Errorf("%w: NAL unit of %d bytes at byte %d exceeds the sample", ErrMalformed, n, pos)
		}
		nal := sample[pos : pos+n]
		pos += n
		if n == 0 {
			o.add(uint64(L), 0)
			continue
		}
		hdr, err := p.headerSize(nal)
		if err != nil {
			return nil, err
		}
		o.add(uint64(L+hdr), uint64(n-hdr))
	}
	return o.finish(), nil
}

// headerSize is how many leading bytes of nal stay clear: the NAL header
// and slice header of a slice, all of any other NAL unit.
func (p *nalProtector) headerSize(nal []byte) (int, error) {
	switch p.codec {
	case codecAVC:
		switch t := avc.GetNaluType(nal[0]); t {
		case avc.NALU_NON_IDR, avc.NALU_IDR, 2:
			sh, err := avc.ParseSliceHeader(nal, p.avcSPS, p.avcPPS)
			if err != nil {
				return 0, fmt.Errorf("%w: H.264 slice header: %v", ErrMalformed, err)
			}
			if int(sh.Size) > len(nal) {
				return 0, fmt.Errorf("%w: H.264 slice header beyond its NAL unit", ErrMalformed)
			}
			return int(sh.Size), nil
		case 3, 4:
			return 0, fmt.Errorf("%w: H.264 data partitioning", ErrUnsupported)
		case avc.NALU_SPS:
			s, err := avc.ParseSPSNALUnit(nal, false)
			if err != nil {
				return 0, fmt.Errorf("%w: in-band SPS: %v", ErrMalformed, err)
			}
			p.own()
			p.avcSPS[s.ParameterID] = s
		case avc.NALU_PPS:
			pp, err := avc.ParsePPSNALUnit(nal, p.avcSPS)
			if err != nil {
				return 0, fmt.Errorf("%w: in-band PPS: %v", ErrMalformed, err)
			}
			p.own()
			p.avcPPS[pp.PicParameterSetID] = pp
		}
	case codecHEVC:
		if len(nal) < 2 {
			return len(nal), nil
		}
		switch t := hevc.GetNaluType(nal[0]); {
		case hevc.IsVideoNaluType(t):
			sh, err := hevc.ParseSliceHeader(nal, p.hevcSPS, p.hevcPPS)
			if err != nil {
				return 0, fmt.Errorf("%w: HEVC slice header: %v", ErrMalformed, err)
			}
			if int(sh.Size) > len(nal) {
				return 0, fmt.Errorf("%w: HEVC slice header beyond its NAL unit", ErrMalformed)
			}
			return int(sh.Size), nil
		case t == hevc.NALU_SPS:
			s, err := hevc.ParseSPSNALUnit(nal)
			if err != nil {
				return 0, fmt.Errorf("%w: in-band SPS: %v", ErrMalformed, err)
			}
			p.own()
			p.hevcSPS[uint32(s.SpsID)] = s
		case t == hevc.NALU_PPS:
			pp, err := hevc.ParsePPSNALUnit(nal, p.hevcSPS)
			if err != nil {
				return 0, fmt.Errorf("%w: in-band PPS: %v", ErrMalformed, err)
			}
			p.own()
			p.hevcPPS[pp.PicParameterSetID] = pp
		}
	}
	return len(nal), nil
}

// own copies the parameter set maps before the first in-band update: the
// factory's maps are shared by every sequence of the track.
func (p *nalProtector) own() {
	if p.owned {
		return
	}
	p.owned = true
	p.avcSPS, p.avcPPS = maps.Clone(p.avcSPS), maps.Clone(p.avcPPS)
	p.hevcSPS, p.hevcPPS = maps.Clone(p.hevcSPS), maps.Clone(p.hevcPPS)
}

// av1Protector maps AV1 samples (AV1 Codec ISO Media File Format Binding
// §4.1): only tile data (decode_tile) is protected, and a protected range
// ends on the last byte of its tile; OBU headers, sequence and frame
// headers, tile group headers and tile sizes stay clear. The frame header
// decoder keeps reference-frame state across the sequence.
type av1Protector struct {
	dec   *av1.FrameHeaderDecoder
	align bool
}

func (p *av1Protector) ranges(sample []byte, dst []Subsample) (out []Subsample, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%w: corrupt AV1 frame (%v)", ErrMalformed, r)
		}
	}()
	tiles, err := p.dec.GetTileRanges(sample)
	if err != nil {
		return nil, fmt.Errorf("%w: AV1: %v", ErrMalformed, err)
	}
	o := organizer{align: p.align, out: dst[:0]}
	prev := 0
	for _, t := range tiles {
		if t.Offset < prev || t.Length < 0 || t.Offset+t.Length > len(sample) {
			return nil, fmt.Errorf("%w: AV1 tile outside the sample", ErrMalformed)
		}
		o.add(uint64(t.Offset-prev), uint64(t.Length))
		prev = t.Offset + t.Length
	}
	o.add(uint64(len(sample)-prev), 0)
	return o.finish(), nil
}

// Subsamples computes the subsample map of one sample of a visual sample
// entry (the first of a sequence: no reference state), for tests and
// tools; packaging uses a SequenceEncrypter.
func Subsamples(entry *mp4.VisualSampleEntryBox, scheme Scheme, sample []byte) ([]Subsample, error) {
	f, err := newProtectorFactory(entry, scheme)
	if err != nil {
		return nil, err
	}
	return f().ranges(sample, nil)
}

// appendSubsamples encodes a subsample map as senc carries it.
func appendSubsamples(b []byte, ss []Subsample) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(ss)))
	for _, s := range ss {
		b = binary.BigEndian.AppendUint16(b, s.Clear)
		b = binary.BigEndian.AppendUint32(b, s.Protected)
	}
	return b
}
