package packager

import (
	"encoding/binary"
	"math"
)

// Sample flags (ISO/IEC 14496-12 §8.8.3.1) written for each sample: a sync
// sample depends on no other; any other sample depends on others and is
// marked non-sync.
const (
	syncSampleFlags    uint32 = 0x02000000
	nonSyncSampleFlags uint32 = 0x01010000
)

// tfhd and trun flags (§8.8.7, §8.8.8).
const (
	tfhdSampleDescIndex = 0x000002
	tfhdDefaultDuration = 0x000008
	tfhdDefaultSize     = 0x000010
	tfhdDefaultFlags    = 0x000020
	tfhdDefaultBaseMoof = 0x020000

	trunDataOffset = 0x000001
	trunFirstFlags = 0x000004
	trunDuration   = 0x000100
	trunSize       = 0x000200
	trunFlags      = 0x000400
	trunCTO        = 0x000800
)

// outTrackID is the track_ID of every output track: a CMAF track file holds
// one track.
const outTrackID = 1

// clearSampleDescIndex is the sample description of the clear-lead
// fragments of an encrypted track: the clear copy of the sample entry
// after the encrypted one.
const clearSampleDescIndex = 2

// outFrag is one CMAF fragment (chunk): a moof with one traf and one trun,
// and an mdat. Its encoding is decided from its samples when the plan is
// made, so every size and offset is known before anything is written.
type outFrag struct {
	first, end int // sample indexes [first, end) into the source track
	seq        uint32
	tfdt       uint64

	tfhdFlags                 uint32
	defDur, defSize, defFlags uint32
	trunFlags                 uint32
	trunVersion               byte
	firstFlags                uint32

	moofSize int
	encBoxes int // bytes of encryption boxes in the moof (set when written)
	mdatHdr  int // 8, or 16 for a payload over 4 GB
	payload  int64
	offset   int64 // of the moof, within its file
}

func (f *outFrag) size() int64 { return int64(f.moofSize+f.mdatHdr) + f.payload }

func sampleFlags(s *sample) uint32 {
	if s.sync {
		return syncSampleFlags
	}
	return nonSyncSampleFlags
}

// newFrag lays out the fragment of samples [first, end) of t: values shared
// by all samples go into tfhd defaults, a differing first sample's flags
// into first_sample_flags, everything else per sample. trun is version 1
// (signed composition offsets) only when an offset is negative.
func newFrag(t *outTrack, first, end int, seq uint32) outFrag {
	ss := t.src.samples[first:end]
	f := outFrag{first: first, end: end, seq: seq, tfdt: ss[0].dts + t.tfdtShift}
	f.tfhdFlags = tfhdDefaultBaseMoof
	f.trunFlags = trunDataOffset

	sameDur, sameSize, restSameFlags := true, true, true
	var anyCTO, negCTO bool
	for i := range ss {
		s := &ss[i]
		f.payload += int64(s.size)
		if s.dur != ss[0].dur {
			sameDur = false
		}
		if s.size != ss[0].size {
			sameSize = false
		}
		if i > 1 && sampleFlags(s) != sampleFlags(&ss[1]) {
			restSameFlags = false
		}
		if cto := int64(s.cto) + int64(t.ctoShift); cto != 0 {
			anyCTO = true
			if cto < 0 {
				negCTO = true
			}
		}
	}
	if sameDur {
		f.tfhdFlags |= tfhdDefaultDuration
		f.defDur = ss[0].dur
	} else {
		f.trunFlags |= trunDuration
	}
	if sameSize {
		f.tfhdFlags |= tfhdDefaultSize
		f.defSize = ss[0].size
	} else {
		f.trunFlags |= trunSize
	}
	switch first0 := sampleFlags(&ss[0]); {
	case len(ss) == 1:
		f.tfhdFlags |= tfhdDefaultFlags
		f.defFlags = first0
	case restSameFlags:
		f.tfhdFlags |= tfhdDefaultFlags
		f.defFlags = sampleFlags(&ss[1])
		if first0 != f.defFlags {
			f.trunFlags |= trunFirstFlags
			f.firstFlags = first0
		}
	default:
		f.trunFlags |= trunFlags
	}
	if anyCTO {
		f.trunFlags |= trunCTO
		if negCTO {
			f.trunVersion = 1
		}
	}

	tfhdSize := 16
	for _, fl := range []uint32{tfhdDefaultDuration, tfhdDefaultSize, tfhdDefaultFlags} {
		if f.tfhdFlags&fl != 0 {
			tfhdSize += 4
		}
	}
	perSample := 0
	for _, fl := range []uint32{trunDuration, trunSize, trunFlags, trunCTO} {
		if f.trunFlags&fl != 0 {
			perSample += 4
		}
	}
	trunSize := 16 + 4 + perSample*len(ss)
	if f.trunFlags&trunFirstFlags != 0 {
		trunSize += 4
	}
	trafSize := 8 + tfhdSize + 20 + trunSize
	f.moofSize = 8 + 16 + trafSize
	f.mdatHdr = 8
	if f.payload+8 > math.MaxUint32 {
		f.mdatHdr = 16
	}
	return f
}

// appendFrag appends the moof and the mdat header of f to b.
func appendFrag(b []byte, t *outTrack, f *outFrag) []byte {
	return appendFragExtra(b, t, f, nil)
}

// appendFragExtra is appendFrag with extra boxes at the end of the traf,
// after the trun: an encrypted track's senc, saiz and saio, or the sample
// group of a clear-lead fragment. f.moofSize must include them: they
// start at f.moofSize-len(extra) within the moof.
func appendFragExtra(b []byte, t *outTrack, f *outFrag, extra []byte) []byte {
	u32 := binary.BigEndian.AppendUint32
	start := len(b)
	b = u32(b, uint32(f.moofSize))
	b = append(b, "moof"...)
	b = u32(b, 16)
	b = append(b, "mfhd"...)
	b = u32(b, 0)
	b = u32(b, f.seq)
	trafStart := len(b)
	b = u32(b, 0) // traf size, patched below
	b = append(b, "traf"...)

	tfhdStart := len(b)
	b = u32(b, 0)
	b = append(b, "tfhd"...)
	b = u32(b, f.tfhdFlags)
	b = u32(b, outTrackID)
	if f.tfhdFlags&tfhdSampleDescIndex != 0 {
		b = u32(b, clearSampleDescIndex)
	}
	if f.tfhdFlags&tfhdDefaultDuration != 0 {
		b = u32(b, f.defDur)
	}
	if f.tfhdFlags&tfhdDefaultSize != 0 {
		b = u32(b, f.defSize)
	}
	if f.tfhdFlags&tfhdDefaultFlags != 0 {
		b = u32(b, f.defFlags)
	}
	binary.BigEndian.PutUint32(b[tfhdStart:], uint32(len(b)-tfhdStart))

	b = u32(b, 20)
	b = append(b, "tfdt"...)
	b = u32(b, 1<<24) // version 1: 64-bit baseMediaDecodeTime
	b = binary.BigEndian.AppendUint64(b, f.tfdt)

	trunStart := len(b)
	b = u32(b, 0)
	b = append(b, "trun"...)
	b = u32(b, uint32(f.trunVersion)<<24|f.trunFlags)
	b = u32(b, uint32(f.end-f.first))
	b = u32(b, uint32(f.moofSize+f.mdatHdr)) // data_offset from the moof (default-base-is-moof)
	if f.trunFlags&trunFirstFlags != 0 {
		b = u32(b, f.firstFlags)
	}
	ss := t.src.samples[f.first:f.end]
	for i := range ss {
		s := &ss[i]
		if f.trunFlags&trunDuration != 0 {
			b = u32(b, s.dur)
		}
		if f.trunFlags&trunSize != 0 {
			b = u32(b, s.size)
		}
		if f.trunFlags&trunFlags != 0 {
			b = u32(b, sampleFlags(s))
		}
		if f.trunFlags&trunCTO != 0 {
			b = u32(b, uint32(int32(int64(s.cto)+int64(t.ctoShift))))
		}
	}
	binary.BigEndian.PutUint32(b[trunStart:], uint32(len(b)-trunStart))
	b = append(b, extra...)
	binary.BigEndian.PutUint32(b[trafStart:], uint32(len(b)-trafStart))
	if len(b)-start != f.moofSize {
		panic("packager: moof size mismatch") // a bug in newFrag, never input-dependent
	}

	if f.mdatHdr == 16 {
		b = u32(b, 1)
		b = append(b, "mdat"...)
		b = binary.BigEndian.AppendUint64(b, uint64(f.payload)+16)
	} else {
		b = u32(b, uint32(f.payload)+8)
		b = append(b, "mdat"...)
	}
	return b
}

// stypBrands are the brands of every media segment's styp: a DASH media
// segment (msdh) that is a CMAF segment (cmfs). msix is not claimed since
// segments carry no sidx.
var stypBrands = []string{"msdh", "cmfs"}

func stypSize() int { return 16 + 4*len(stypBrands) }

func appendStyp(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(stypSize()))
	b = append(b, "styp"...)
	b = append(b, stypBrands[0]...)
	b = binary.BigEndian.AppendUint32(b, 0)
	for _, br := range stypBrands {
		b = append(b, br...)
	}
	return b
}

// sidxSize is the size of the segment index of a single-file track.
func sidxSize(refs int, ept uint64) int {
	if ept > math.MaxUint32 {
		return 40 + 12*refs
	}
	return 32 + 12*refs
}

// appendSidx appends the single-file segment index (§8.16.3): one
// reference per segment, each starting with a SAP of type 1, the first
// right after the sidx.
func appendSidx(b []byte, t *outTrack, ept uint64) []byte {
	u32 := binary.BigEndian.AppendUint32
	size := sidxSize(len(t.segments), ept)
	b = u32(b, uint32(size))
	b = append(b, "sidx"...)
	if ept > math.MaxUint32 {
		b = u32(b, 1<<24)
	} else {
		b = u32(b, 0)
	}
	b = u32(b, outTrackID)
	b = u32(b, t.src.timescale)
	if ept > math.MaxUint32 {
		b = binary.BigEndian.AppendUint64(b, ept)
		b = binary.BigEndian.AppendUint64(b, 0)
	} else {
		b = u32(b, uint32(ept))
		b = u32(b, 0)
	}
	b = binary.BigEndian.AppendUint16(b, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(len(t.segments)))
	for i := range t.segments {
		seg := &t.segments[i]
		b = u32(b, uint32(seg.size)) // reference_type 0: media
		b = u32(b, uint32(seg.durTicks))
		b = u32(b, 1<<31|1<<28) // starts_with_SAP, SAP_type 1, delta 0
	}
	return b
}
