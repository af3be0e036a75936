package drm

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"math/rand"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/google/go-cmp/cmp"
)

func TestOrganizer(t *testing.T) {
	type piece struct{ clear, protected uint64 }
	tests := []struct {
		name   string
		align  bool
		pieces []piece
		want   []Subsample
	}{
		{"cenc aligns the end", true, []piece{{5, 100}}, []Subsample{{Clear: 9, Protected: 96}}},
		{"cenc tiny range stays clear", true, []piece{{5, 10}, {4, 40}}, []Subsample{{Clear: 27, Protected: 32}}},
		{"cbcs keeps partial blocks", false, []piece{{5, 100}}, []Subsample{{Clear: 5, Protected: 100}}},
		{"cbcs under a block stays clear", false, []piece{{5, 15}, {6, 0}}, []Subsample{{Clear: 26}}},
		{"clear only", true, []piece{{30, 0}}, []Subsample{{Clear: 30}}},
		{"empty sample", true, nil, []Subsample{{}}},
		{"long clear run split", false, []piece{{70000, 32}, {3, 0}}, []Subsample{{Clear: 65535}, {Clear: 4465, Protected: 32}, {Clear: 3}}},
	}
	for _, tc := range tests {
		o := organizer{align: tc.align}
		for _, p := range tc.pieces {
			o.add(p.clear, p.protected)
		}
		if diff := cmp.Diff(tc.want, o.finish()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestEncryptAudio checks whole-sample encryption against a hand-rolled
// AES: cenc is AES-CTR from IV‖0 with the IV counting samples; cbcs is
// AES-CBC from the constant IV over whole blocks, the tail clear. It also
// checks that EncryptSampleTo from a separate source equals in place, and
// the senc/saiz/saio it writes.
func TestEncryptAudio(t *testing.T) {
	key := mustHex("000102030405060708090a0b0c0d0e0f")
	block, _ := aes.NewCipher(key)
	r := rand.New(rand.NewSource(1))
	samples := make([][]byte, 3)
	for i := range samples {
		samples[i] = make([]byte, 37+i*16)
		r.Read(samples[i])
	}
	for _, scheme := range []Scheme{CENC, CBCS} {
		iv := mustHex("1112131415161718")
		if scheme == CBCS {
			iv = mustHex("2122232425262728292a2b2c2d2e2f30")
		}
		te, err := NewTrackEncrypter(TrackConfig{Scheme: scheme, KID: testKID, Key: NewSecret(key), IV: NewSecret(iv), Entry: mp4.CreateAudioSampleEntryBox("mp4a", 2, 16, 48000, nil)})
		if err != nil {
			t.Fatal(err)
		}
		inPlace, copied := te.NewSequence(), te.NewSequence()
		for i, s := range samples {
			a := bytes.Clone(s)
			if err := inPlace.EncryptSample(a, uint64(10+i)); err != nil {
				t.Fatal(err)
			}
			b := make([]byte, len(s))
			if err := copied.EncryptSampleTo(b, s, uint64(10+i)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s sample %d: EncryptSampleTo differs from in place", scheme, i)
			}
			want := bytes.Clone(s)
			switch scheme {
			case CENC:
				var ctr [16]byte
				binary.BigEndian.PutUint64(ctr[:], binary.BigEndian.Uint64(iv)+uint64(10+i))
				var ks [16]byte
				for p := 0; p < len(want); p += 16 {
					block.Encrypt(ks[:], ctr[:])
					for j := p; j < min(p+16, len(want)); j++ {
						want[j] ^= ks[j-p]
					}
					binary.BigEndian.PutUint64(ctr[8:], binary.BigEndian.Uint64(ctr[8:])+1)
				}
			case CBCS:
				prev := bytes.Clone(iv)
				for p := 0; p+16 <= len(want); p += 16 {
					for j := range 16 {
						want[p+j] ^= prev[j]
					}
					block.Encrypt(want[p:p+16], want[p:p+16])
					prev = want[p : p+16]
				}
			}
			if !bytes.Equal(a, want) {
				t.Errorf("%s sample %d: ciphertext differs from the reference", scheme, i)
			}
		}
		moof := inPlace.AppendBoxes(nil, 100)
		if scheme == CBCS {
			if len(moof) != 0 {
				t.Errorf("cbcs audio wrote %d bytes of senc/saiz/saio; CMAF omits them", len(moof))
			}
			continue
		}
		// senc (flags 0: IVs only), saiz with default size 8, saio pointing 16 bytes into senc.
		want := []byte{}
		want = binary.BigEndian.AppendUint32(want, 16+24)
		want = append(want, "senc"...)
		want = append(want, 0, 0, 0, 0, 0, 0, 0, 3)
		for i := range 3 {
			want = binary.BigEndian.AppendUint64(want, binary.BigEndian.Uint64(iv)+uint64(10+i))
		}
		want = append(want, 0, 0, 0, 17, 's', 'a', 'i', 'z', 0, 0, 0, 0, 8, 0, 0, 0, 3)
		want = append(want, 0, 0, 0, 20, 's', 'a', 'i', 'o', 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 116)
		if !bytes.Equal(moof, want) {
			t.Errorf("cenc boxes\n got % x\nwant % x", moof, want)
		}
		if inPlace.Samples() != 0 {
			t.Error("AppendBoxes did not start a new fragment")
		}
	}
}

func TestNewTrackEncrypterErrors(t *testing.T) {
	key := NewSecret(make([]byte, 16))
	entry := mp4.CreateAudioSampleEntryBox("mp4a", 2, 16, 48000, nil)
	for name, cfg := range map[string]TrackConfig{
		"scheme":        {Scheme: "cens", Key: key, IV: NewSecret(make([]byte, 8)), Entry: entry},
		"short key":     {Scheme: CENC, Key: NewSecret(make([]byte, 8)), IV: NewSecret(make([]byte, 8)), Entry: entry},
		"cenc 16 IV":    {Scheme: CENC, Key: key, IV: NewSecret(make([]byte, 16)), Entry: entry},
		"cbcs 8 IV":     {Scheme: CBCS, Key: key, IV: NewSecret(make([]byte, 8)), Entry: entry},
		"vp9":           {Scheme: CENC, Key: key, IV: NewSecret(make([]byte, 8)), Entry: mp4.NewVisualSampleEntryBox("vp09")},
		"avc1 no avcC":  {Scheme: CENC, Key: key, IV: NewSecret(make([]byte, 8)), Entry: mp4.NewVisualSampleEntryBox("avc1")},
		"not an entry":  {Scheme: CENC, Key: key, IV: NewSecret(make([]byte, 8)), Entry: &mp4.FreeBox{}},
		"av01 no av1C":  {Scheme: CBCS, Key: key, IV: NewSecret(make([]byte, 16)), Entry: mp4.NewVisualSampleEntryBox("av01")},
		"hvc1 no hvcC ": {Scheme: CBCS, Key: key, IV: NewSecret(make([]byte, 16)), Entry: mp4.NewVisualSampleEntryBox("hvc1")},
	} {
		if _, err := NewTrackEncrypter(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestCBCPattern checks the cbcs pattern encryption of a protected range
// against crypto/cipher's CBC run over the encrypted blocks alone: 1:9
// for video, every whole block (skip 0) for audio, a partial tail clear,
// in place and from a separate source.
func TestCBCPattern(t *testing.T) {
	key := mustHex("000102030405060708090a0b0c0d0e0f")
	iv := mustHex("2122232425262728292a2b2c2d2e2f30")
	block, _ := aes.NewCipher(key)
	te, err := NewTrackEncrypter(TrackConfig{Scheme: CBCS, KID: testKID, Key: NewSecret(key), IV: NewSecret(iv),
		Entry: mp4.CreateAudioSampleEntryBox("mp4a", 2, 16, 48000, nil)})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(2))
	for _, skip := range []int{0, 9} {
		for _, n := range []int{0, 15, 16, 17, 160, 161, 175, 176, 1000, 4099} {
			src := make([]byte, n)
			r.Read(src)
			want := bytes.Clone(src)
			var enc []byte // the encrypted blocks, in order
			for pos := 0; n-pos >= 16; pos += 16 * (1 + skip) {
				enc = append(enc, src[pos:pos+16]...)
			}
			cipher.NewCBCEncrypter(block, iv).CryptBlocks(enc, enc)
			for k, pos := 0, 0; n-pos >= 16; k, pos = k+16, pos+16*(1+skip) {
				copy(want[pos:pos+16], enc[k:k+16])
			}
			se := te.NewSequence()
			got := bytes.Clone(src)
			se.cbc(got, got, skip, true)
			if !bytes.Equal(got, want) {
				t.Errorf("skip %d, %d bytes, in place: wrong ciphertext", skip, n)
			}
			got = make([]byte, n)
			se.cbc(got, src, skip, false)
			if !bytes.Equal(got, want) {
				t.Errorf("skip %d, %d bytes, to a separate buffer: wrong ciphertext", skip, n)
			}
		}
	}
}

// BenchmarkCBCPattern is the cbcs 1:9 pattern over a 30 kB slice, about
// a 1080p frame at 6 Mb/s.
func BenchmarkCBCPattern(b *testing.B) {
	key := mustHex("000102030405060708090a0b0c0d0e0f")
	te, err := NewTrackEncrypter(TrackConfig{Scheme: CBCS, KID: testKID, Key: NewSecret(key),
		IV: NewSecret(mustHex("2122232425262728292a2b2c2d2e2f30")), Entry: mp4.CreateAudioSampleEntryBox("mp4a", 2, 16, 48000, nil)})
	if err != nil {
		b.Fatal(err)
	}
	se := te.NewSequence()
	buf := make([]byte, 30000)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		se.cbc(buf, buf, 9, true)
	}
}
