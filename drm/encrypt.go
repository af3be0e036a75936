package drm

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"fmt"

	"github.com/Eyevinn/mp4ff/bits"
	"github.com/Eyevinn/mp4ff/mp4"
)

// TrackConfig is what one track is encrypted with.
type TrackConfig struct {
	Scheme Scheme
	KID    KID
	Key    Secret // 16 bytes
	// IV is, for cenc, the 8-byte IV of sample 0: sample i gets IV + i (a
	// 64-bit big-endian counter), and the low 8 bytes of each AES-CTR
	// counter block start at 0. For cbcs it is the 16-byte constant IV of
	// tenc. Every track must get its own IV when tracks share a key.
	IV Secret
	// Entry is the track's clear sample entry (avc1, hvc1, av01, mp4a, ...):
	// its codec configuration decides the subsample maps.
	Entry mp4.Box
}

// TrackEncrypter encrypts the samples of one track. It is safe for
// concurrent use; the per-sequence state lives in SequenceEncrypters.
type TrackEncrypter struct {
	scheme  Scheme
	kid     KID
	block   cipher.Block
	iv      [16]byte // cenc: 8-byte base in iv[:8]; cbcs: constant IV
	video   bool
	factory protectorFactory
}

// NewTrackEncrypter checks cfg and prepares the cipher and the subsample
// rules of the track's codec. Video must be H.264, HEVC or AV1; any audio
// is encrypted whole (cenc) or in whole blocks (cbcs).
func NewTrackEncrypter(cfg TrackConfig) (*TrackEncrypter, error) {
	if cfg.Scheme != CENC && cfg.Scheme != CBCS {
		return nil, fmt.Errorf("scheme %q: %w", cfg.Scheme, ErrUnsupported)
	}
	if cfg.Key.Len() != 16 {
		return nil, fmt.Errorf("key %s: %w", cfg.KID, ErrBadKey)
	}
	te := &TrackEncrypter{scheme: cfg.Scheme, kid: cfg.KID}
	switch {
	case cfg.Scheme == CENC && cfg.IV.Len() == 8:
	case cfg.Scheme == CBCS && cfg.IV.Len() == 16:
	default:
		return nil, fmt.Errorf("%w: %s needs a %d-byte IV, not %d", ErrBadIV, cfg.Scheme,
			map[Scheme]int{CENC: 8, CBCS: 16}[cfg.Scheme], cfg.IV.Len())
	}
	copy(te.iv[:], cfg.IV.Reveal())
	var err error
	if te.block, err = aes.NewCipher(cfg.Key.Reveal()); err != nil {
		return nil, err
	}
	switch e := cfg.Entry.(type) {
	case *mp4.VisualSampleEntryBox:
		te.video = true
		if te.factory, err = newProtectorFactory(e, cfg.Scheme); err != nil {
			return nil, err
		}
	case *mp4.AudioSampleEntryBox:
	default:
		return nil, fmt.Errorf("%w: encrypting a %T sample entry", ErrUnsupported, cfg.Entry)
	}
	return te, nil
}

// ProtectInit turns the single-track init segment's sample entry into
// encv/enca with a sinf box (frma, schm, schi/tenc: the KID, 8-byte
// per-sample IVs for cenc, the 1:9 pattern and constant IV for cbcs video,
// 0:0 for cbcs audio), through mp4ff's InitProtect, and appends the pssh
// boxes to the moov.
func (te *TrackEncrypter) ProtectInit(init *mp4.InitSegment, psshBoxes [][]byte) error {
	var boxes []*mp4.PsshBox
	for _, raw := range psshBoxes {
		b, err := mp4.DecodeBoxSR(0, bits.NewFixedSliceReader(raw))
		if err != nil {
			return fmt.Errorf("pssh: %w", err)
		}
		p, ok := b.(*mp4.PsshBox)
		if !ok {
			return fmt.Errorf("pssh: %w: %s box", ErrMalformed, b.Type())
		}
		boxes = append(boxes, p)
	}
	iv := te.iv[:]
	if te.scheme == CENC {
		iv = te.iv[:8]
	}
	_, err := mp4.InitProtect(init, nil, iv, string(te.scheme), mp4.UUID(te.kid[:]), boxes)
	return err
}

// KID is the key ID of the track.
func (te *TrackEncrypter) KID() KID { return te.kid }

// NewSequence starts a decode sequence: a CMAF segment, which begins with
// a sync sample. Samples must then be fed in decode order. Not safe for
// concurrent use: each segment being written gets its own.
func (te *TrackEncrypter) NewSequence() *SequenceEncrypter {
	se := &SequenceEncrypter{te: te}
	if te.factory != nil {
		se.prot = te.factory()
	}
	return se
}

// SequenceEncrypter encrypts the samples of one sequence in place and
// collects, per fragment, the sample auxiliary information written as
// senc, saiz and saio (ISO/IEC 23001-7 §7.2; ISO/IEC 14496-12 §8.7.8-9).
type SequenceEncrypter struct {
	te   *TrackEncrypter
	prot protector
	ss   []Subsample
	ctr  [16]byte // cenc counter block, a field so that it is not allocated per sample

	aux      []byte // senc sample entries of the current fragment
	sizes    []byte // per-sample aux info sizes, for saiz
	n        int    // samples in the current fragment
	uniform  bool
	sizeZero int
}

// EncryptSample encrypts one sample in place and records its auxiliary
// information. index is the sample's position in the track (from 0): the
// cenc IV of the sample is the track IV plus index, so segments encrypted
// concurrently never share an IV.
func (se *SequenceEncrypter) EncryptSample(sample []byte, index uint64) error {
	return se.EncryptSampleTo(sample, sample, index)
}

// EncryptSampleTo is EncryptSample from src into dst (of the same length;
// they may be the same slice, not otherwise overlap), so that a sample
// can be encrypted straight out of a memory-mapped input: clear bytes are
// copied, protected bytes encrypted on the way.
func (se *SequenceEncrypter) EncryptSampleTo(dst, src []byte, index uint64) error {
	if len(dst) != len(src) {
		return fmt.Errorf("drm: EncryptSampleTo: %d-byte destination for a %d-byte sample", len(dst), len(src))
	}
	inPlace := len(src) == 0 || &dst[0] == &src[0]
	clear := func(from, to int) {
		if !inPlace {
			copy(dst[from:to], src[from:to])
		}
	}
	te := se.te
	var ss []Subsample
	if se.prot != nil {
		var err error
		if ss, err = se.prot.ranges(src, se.ss); err != nil {
			return err
		}
		se.ss = ss
	}
	start := len(se.aux)
	switch te.scheme {
	case CENC:
		ctr := se.ctr[:] // the low 8 bytes, the block counter, stay 0
		binary.BigEndian.PutUint64(ctr[:8], binary.BigEndian.Uint64(te.iv[:8])+index)
		se.aux = append(se.aux, ctr[:8]...)
		stream := cipher.NewCTR(te.block, ctr)
		if ss == nil {
			stream.XORKeyStream(dst, src)
		} else {
			pos := 0
			for _, s := range ss {
				clear(pos, pos+int(s.Clear))
				pos += int(s.Clear)
				end := pos + int(s.Protected)
				stream.XORKeyStream(dst[pos:end], src[pos:end])
				pos = end
			}
		}
	case CBCS:
		if ss == nil {
			// Audio: every whole block, the chain restarting from the
			// constant IV in each sample; a partial last block stays clear.
			n := len(src) &^ 15
			se.cbc(dst[:n], src[:n], 0, inPlace)
			clear(n, len(src))
		} else {
			pos := 0
			for _, s := range ss {
				clear(pos, pos+int(s.Clear))
				pos += int(s.Clear)
				end := pos + int(s.Protected)
				se.cbc(dst[pos:end], src[pos:end], 9, inPlace)
				pos = end
			}
		}
	}
	if ss != nil {
		se.aux = appendSubsamples(se.aux, ss)
	}
	size := len(se.aux) - start
	if size > 255 {
		return fmt.Errorf("%w: %d subsamples in one sample (saiz allows 255 bytes of auxiliary information)", ErrUnsupported, len(ss))
	}
	if se.n == 0 {
		se.uniform, se.sizeZero = true, size
	} else if size != se.sizeZero {
		se.uniform = false
	}
	se.sizes = append(se.sizes, byte(size))
	se.n++
	return nil
}

// cbc encrypts src into dst with AES-CBC from the constant IV, in the
// pattern of one encrypted block then skip clear blocks (ISO/IEC 23001-7
// §10.4.1 'cbcs'): the chain runs through the encrypted blocks only, and a
// trailing partial pattern (less than one block) stays clear.
func (se *SequenceEncrypter) cbc(dst, src []byte, skip int, inPlace bool) {
	chain := se.te.iv
	pos := 0
	for ; len(src)-pos >= 16; pos += 16 * (1 + skip) {
		blk := dst[pos : pos+16]
		subtle.XORBytes(blk, src[pos:pos+16], chain[:])
		se.te.block.Encrypt(blk, blk)
		copy(chain[:], blk)
		if !inPlace {
			end := min(pos+16*(1+skip), len(src))
			copy(dst[pos+16:end], src[pos+16:end])
		}
	}
	if !inPlace && pos < len(src) {
		copy(dst[pos:], src[pos:])
	}
}

// Samples is how many samples the current fragment has so far.
func (se *SequenceEncrypter) Samples() int { return se.n }

// hasAux reports whether the fragment needs senc/saiz/saio: not when no
// sample has auxiliary information (cbcs audio: constant IV, no
// subsamples), where CMAF §8.2.2.1 omits them.
func (se *SequenceEncrypter) hasAux() bool { return len(se.aux) > 0 }

// BoxesSize is the size of the boxes AppendBoxes will add.
func (se *SequenceEncrypter) BoxesSize() int {
	if !se.hasAux() {
		return 0
	}
	return se.sencSize() + se.saizSize() + saioSize
}

const saioSize = 20

func (se *SequenceEncrypter) sencSize() int { return 16 + len(se.aux) }
func (se *SequenceEncrypter) saizSize() int {
	if se.uniform {
		return 17
	}
	return 17 + se.n
}

// AppendBoxes appends the senc, saiz and saio boxes of the fragment's
// samples to b (inside the traf) and starts a new fragment. sencOffset is
// where the senc box will start relative to the first byte of the moof
// (the base of saio offsets with default-base-is-moof).
func (se *SequenceEncrypter) AppendBoxes(b []byte, sencOffset int) []byte {
	defer se.reset()
	if !se.hasAux() {
		return b
	}
	u32 := binary.BigEndian.AppendUint32
	var flags uint32
	if se.te.video {
		flags = 2 // UseSubSampleEncryption
	}
	b = u32(b, uint32(se.sencSize()))
	b = append(b, "senc"...)
	b = u32(b, flags)
	b = u32(b, uint32(se.n))
	b = append(b, se.aux...)

	b = u32(b, uint32(se.saizSize()))
	b = append(b, "saiz"...)
	b = u32(b, 0)
	if se.uniform {
		b = append(b, byte(se.sizeZero))
		b = u32(b, uint32(se.n))
	} else {
		b = append(b, 0)
		b = u32(b, uint32(se.n))
		b = append(b, se.sizes...)
	}

	b = u32(b, saioSize)
	b = append(b, "saio"...)
	b = u32(b, 0)
	b = u32(b, 1)
	return u32(b, uint32(sencOffset+16)) // senc header (8), version/flags (4), sample_count (4)
}

func (se *SequenceEncrypter) reset() {
	se.aux, se.sizes, se.n = se.aux[:0], se.sizes[:0], 0
}

// ClearBoxesSize is the size of AppendClearBoxes' boxes.
const ClearBoxesSize = 28 + 44

// AppendClearBoxes appends the boxes that mark every sample of a fragment
// of an encrypted track as clear (clear lead): a fragment-local sample
// group description of type 'seig' with isProtected 0 and a zero KID
// (ISO/IEC 23001-7 §6), and the sbgp mapping all count samples to it.
func AppendClearBoxes(b []byte, count int) []byte {
	u32 := binary.BigEndian.AppendUint32
	b = u32(b, 28)
	b = append(b, "sbgp"...)
	b = u32(b, 0)
	b = append(b, "seig"...)
	b = u32(b, 1)
	b = u32(b, uint32(count))
	b = u32(b, 0x10001) // the first group description in this fragment

	b = u32(b, 44)
	b = append(b, "sgpd"...)
	b = u32(b, 1<<24) // version 1: default_length
	b = append(b, "seig"...)
	b = u32(b, 20)
	b = u32(b, 1)
	b = append(b, 0, 0, 0, 0) // reserved, pattern, isProtected 0, Per_Sample_IV_Size 0
	return append(b, make([]byte, 16)...)
}

// CloneEntry returns a deep copy of a sample entry (encode, decode), so
// that protecting an init segment does not change the source's entry.
func CloneEntry(b mp4.Box) (mp4.Box, error) {
	var buf bytes.Buffer
	if err := b.Encode(&buf); err != nil {
		return nil, err
	}
	return mp4.DecodeBoxSR(0, bits.NewFixedSliceReader(buf.Bytes()))
}
