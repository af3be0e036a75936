package drm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/Eyevinn/mp4ff/bits"
	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/google/go-cmp/cmp"
)

var (
	testKID = mustKID("00112233-4455-6677-8899-aabbccddeeff")
	testKey = NewSecret(mustHex("000102030405060708090a0b0c0d0e0f"))
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// decodeWithMP4ff parses a pssh box with mp4ff, an independent parser.
func decodeWithMP4ff(t *testing.T, b []byte) *mp4.PsshBox {
	t.Helper()
	box, err := mp4.DecodeBoxSR(0, bits.NewFixedSliceReader(b))
	if err != nil {
		t.Fatalf("mp4ff: %v", err)
	}
	p, ok := box.(*mp4.PsshBox)
	if !ok {
		t.Fatalf("mp4ff decoded a %s box", box.Type())
	}
	return p
}

// TestWidevinePSSH checks the box byte for byte against a hand-worked
// encoding: protobuf field 2 (key_id, tag 0x12) and field 9
// (protection_scheme, tag 0x48, varint of 'cenc' = 0x63656e63).
func TestWidevinePSSH(t *testing.T) {
	tests := []struct {
		scheme Scheme
		want   string
	}{
		{CENC, "00000038 70737368 00000000 edef8ba979d64acea3c827dcd51d21ed 00000018 1210 00112233445566778899aabbccddeeff 48 e3dc959b06"},
		{CBCS, "00000038 70737368 00000000 edef8ba979d64acea3c827dcd51d21ed 00000018 1210 00112233445566778899aabbccddeeff 48 f3c6899b06"},
	}
	for _, tc := range tests {
		got := WidevinePSSH([]KID{testKID}, tc.scheme, Options{}).Marshal()
		if want := mustHex(tc.want); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got % x\nwant % x", tc.scheme, got, want)
		}
		p := decodeWithMP4ff(t, got)
		if p.SystemID.String() != Widevine.ID.String() || p.Version != 0 {
			t.Errorf("%s: mp4ff reads system %s version %d", tc.scheme, p.SystemID, p.Version)
		}
		d, err := ParseWidevineData(p.Data)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(WidevineData{KIDs: []KID{testKID}, Scheme: tc.scheme}, d); diff != "" {
			t.Errorf("%s: data (-want +got):\n%s", tc.scheme, diff)
		}
	}
	opts := Options{WidevineProvider: "vpack", WidevineContentID: []byte("movie-1")}
	d, err := ParseWidevineData(WidevinePSSH([]KID{testKID, {1}}, CBCS, opts).Data)
	if err != nil {
		t.Fatal(err)
	}
	want := WidevineData{KIDs: []KID{testKID, {1}}, Provider: "vpack", ContentID: []byte("movie-1"), Scheme: CBCS}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("with provider (-want +got):\n%s", diff)
	}
}

// TestPlayReadyPSSH checks the PlayReady Object against hand-worked values:
// the KID 00112233-4455-6677-8899-aabbccddeeff in GUID byte order is
// 33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff, base64
// "MyIRAFVEd2aImaq7zN3u/w=="; the CHECKSUM is the first 8 bytes of that
// GUID encrypted with the key 000102...0f in AES-ECB (openssl enc
// -aes-128-ecb -nopad), base64 "KpOvXRLUXfs=".
func TestPlayReadyPSSH(t *testing.T) {
	tests := []struct {
		scheme  Scheme
		version string
		algID   string
		xml     []string
	}{
		{CENC, "4.0.0.0", "AESCTR", []string{
			`version="4.0.0.0"`, "<KID>MyIRAFVEd2aImaq7zN3u/w==</KID>", "<CHECKSUM>KpOvXRLUXfs=</CHECKSUM>",
			"<ALGID>AESCTR</ALGID>", "<KEYLEN>16</KEYLEN>", "<LA_URL>https://pr.example/rightsmanager.asmx?a=1&amp;b=2</LA_URL>"}},
		{CBCS, "4.3.0.0", "AESCBC", []string{
			`version="4.3.0.0"`, `<KID ALGID="AESCBC" VALUE="MyIRAFVEd2aImaq7zN3u/w=="></KID>`,
			"<LA_URL>https://pr.example/rightsmanager.asmx?a=1&amp;b=2</LA_URL>"}},
	}
	for _, tc := range tests {
		p, pro, err := PlayReadyPSSH(testKID, testKey, tc.scheme, "https://pr.example/rightsmanager.asmx?a=1&b=2")
		if err != nil {
			t.Fatal(err)
		}
		box := p.Marshal()
		mp := decodeWithMP4ff(t, box)
		if mp.SystemID.String() != "9a04f079-9840-4286-ab92-e65be0885f95" || !bytes.Equal(mp.Data, pro) {
			t.Errorf("%s: mp4ff reads system %s", tc.scheme, mp.SystemID)
		}
		// PlayReady Object header: little-endian length, one record of type 1.
		if n := int(pro[0]) | int(pro[1])<<8 | int(pro[2])<<16 | int(pro[3])<<24; n != len(pro) || pro[4] != 1 || pro[5] != 0 || pro[6] != 1 || pro[7] != 0 {
			t.Errorf("%s: PRO header % x", tc.scheme, pro[:10])
		}
		h, err := ParsePlayReadyObject(pro)
		if err != nil {
			t.Fatal(err)
		}
		if h.Version != tc.version || len(h.KIDs) != 1 || h.KIDs[0] != testKID || h.ALGIDs[0] != tc.algID {
			t.Errorf("%s: header %+v", tc.scheme, h)
		}
		if h.LAURL != "https://pr.example/rightsmanager.asmx?a=1&b=2" {
			t.Errorf("%s: LA_URL %q", tc.scheme, h.LAURL)
		}
		for _, want := range tc.xml {
			if !strings.Contains(h.XML, want) {
				t.Errorf("%s: WRMHEADER lacks %s:\n%s", tc.scheme, want, h.XML)
			}
		}
	}
}

// TestCommonPSSH checks the W3C common PSSH byte for byte: version 1,
// one KID, no data.
func TestCommonPSSH(t *testing.T) {
	got := CommonPSSH([]KID{testKID}).Marshal()
	want := mustHex("00000034 70737368 01000000 1077efecc0b24d02ace33c1e52e2fb4b 00000001 00112233445566778899aabbccddeeff 00000000")
	if !bytes.Equal(got, want) {
		t.Errorf("\n got % x\nwant % x", got, want)
	}
	p := decodeWithMP4ff(t, got)
	if p.Version != 1 || len(p.KIDs) != 1 || p.KIDs[0].String() != testKID.String() || len(p.Data) != 0 {
		t.Errorf("mp4ff reads %+v", p)
	}
}

func TestParsePSSH(t *testing.T) {
	wv := WidevinePSSH([]KID{testKID}, CENC, Options{}).Marshal()
	cm := CommonPSSH([]KID{testKID, {2}}).Marshal()
	got, err := ParsePSSHs(append(append([]byte{}, wv...), cm...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].SystemID != Widevine.ID || got[1].SystemID != ClearKey.ID ||
		!cmp.Equal(got[1].KIDs, []KID{testKID, {2}}) {
		t.Errorf("ParsePSSHs = %+v", got)
	}
	bad := map[string][]byte{
		"short":          wv[:20],
		"truncated":      wv[:len(wv)-1],
		"not pssh":       append([]byte{0, 0, 0, 32, 'f', 'r', 'e', 'e'}, make([]byte, 24)...),
		"version 2":      func() []byte { b := bytes.Clone(cm); b[8] = 2; return b }(),
		"kid count":      func() []byte { b := bytes.Clone(cm); b[31] = 200; return b }(),
		"data size":      func() []byte { b := bytes.Clone(wv); b[31]++; return b }(),
		"trailing bytes": append(bytes.Clone(wv), 0),
	}
	for name, b := range bad {
		if _, err := ParsePSSH(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}
