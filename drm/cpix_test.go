package drm

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCPIX(t *testing.T) {
	ks, err := ParseCPIX(readTestdata(t, "cpix-plain.xml"), CPIXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ks.ContentID != "movie-1" || len(ks.Keys) != 3 {
		t.Fatalf("contentId %q, %d keys", ks.ContentID, len(ks.Keys))
	}
	a, sdKey, hdKey := ks.Keys[0], ks.Keys[1], ks.Keys[2]
	if a.Scheme != CBCS || a.IV.Len() != 16 || a.Key.Reveal()[15] != 1 || hdKey.Key.Reveal()[15] != 3 {
		t.Errorf("first key: scheme %s, IV %d bytes", a.Scheme, a.IV.Len())
	}
	if diff := cmp.Diff([]Rule{{Type: Audio}}, a.Rules); diff != "" {
		t.Errorf("audio rules (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Rule{{Type: Video, MaxPixels: 921599}}, sdKey.Rules); diff != "" {
		t.Errorf("sd rules (-want +got):\n%s", diff)
	}
	tracks := []Track{{ID: "en", Type: Audio, Channels: 2}, {ID: "540p", Type: Video, Width: 960, Height: 540},
		{ID: "1080p", Type: Video, Width: 1920, Height: 1080}}
	keys, err := ks.Assign(tracks, true)
	if err != nil {
		t.Fatal(err)
	}
	if keys[0].KID != a.KID || keys[1].KID != sdKey.KID || keys[2].KID != hdKey.KID {
		t.Errorf("assigned %v %v %v", keys[0].KID, keys[1].KID, keys[2].KID)
	}
	if got := ks.GivenSystems(); !cmp.Equal(got, []System{Widevine, FairPlay}) {
		t.Errorf("given systems %v", got)
	}

	// Given signalling is used as given.
	sig, err := Signals(CBCS, &ks.Keys[1], []System{Widevine, FairPlay, ClearKey}, ks)
	if err != nil {
		t.Fatal(err)
	}
	wv, fp, ck := sig[0], sig[1], sig[2]
	if !bytes.Equal(wv.PSSH, mustB64("AAAAOHBzc2gAAAAA7e+LqXnWSs6jyCfc1R0h7QAAABgSELCwsLCwsLCwsLCwsLCwsLBI88aJmwY=")) {
		t.Errorf("widevine PSSH not the given one")
	}
	if fp.URI != "skd://keys.example/b0b0" || !strings.HasPrefix(fp.HLSMedia, "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://keys.example/b0b0\"") ||
		!strings.HasPrefix(fp.HLSMaster, "#EXT-X-SESSION-KEY:") {
		t.Errorf("fairplay: %+v", fp)
	}
	if p, err := ParsePSSH(ck.PSSH); err != nil || p.SystemID != ClearKey.ID || p.KIDs[0] != sdKey.KID {
		t.Errorf("clearkey PSSH generated: %+v %v", p, err)
	}
}

func mustB64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestCPIXRoundTrip(t *testing.T) {
	data := readTestdata(t, "keys-classes.json")
	ks, err := ParseKeyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := MarshalCPIX(ks, CENC)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseCPIX(doc, CPIXOptions{})
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	if strings.Contains(string(doc), "REDACTED") {
		t.Error("MarshalCPIX wrote REDACTED instead of the key")
	}
	tracks := []Track{{ID: "a", Type: Audio}, {ID: "360p", Type: Video, Width: 640, Height: 360},
		{ID: "540p", Type: Video, Width: 960, Height: 540}, {ID: "720p", Type: Video, Width: 1280, Height: 720},
		{ID: "1080p", Type: Video, Width: 1920, Height: 1080}, {ID: "2160p", Type: Video, Width: 3840, Height: 2160}}
	for _, tr := range tracks {
		a, err1 := ks.Select(tr)
		b, err2 := back.Select(tr)
		if err1 != nil || err2 != nil || a.KID != b.KID || !a.Key.Equal(b.Key) || !a.IV.Equal(b.IV) {
			t.Errorf("%s: key file picks %v (%v), its CPIX %v (%v)", tr.ID, a, err1, b, err2)
		}
		if b.Scheme != CENC {
			t.Errorf("%s: scheme %q", tr.ID, b.Scheme)
		}
	}
}

// encryptedCPIX builds a CPIX document whose content keys are encrypted
// under a document key for recipient (and a decoy recipient first), as a
// key server would: RSA-OAEP document key, AES-256-CBC keys with
// HMAC-SHA512 value MACs.
func encryptedCPIX(t *testing.T, recipient, decoy *rsa.PrivateKey, keys map[KID][]byte, tamper bool) []byte {
	t.Helper()
	docKey, macKey := make([]byte, 32), make([]byte, 64)
	rand.Read(docKey)
	rand.Read(macKey)
	aesCBC := func(key, pt []byte) []byte {
		pad := 16 - len(pt)%16
		pt = append(bytes.Clone(pt), bytes.Repeat([]byte{byte(pad)}, pad)...)
		out := make([]byte, 16+len(pt))
		rand.Read(out[:16])
		block, _ := aes.NewCipher(key)
		cipher.NewCBCEncrypter(block, out[:16]).CryptBlocks(out[16:], pt)
		return out
	}
	mac := func(ct []byte) string {
		m := hmac.New(sha512.New, macKey)
		m.Write(ct)
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	b64 := base64.StdEncoding.EncodeToString
	cert := func(k *rsa.PrivateKey) string {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "packager"},
			NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		return b64(der)
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" ` +
		`xmlns:enc="http://www.w3.org/2001/04/xmlenc#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><cpix:DeliveryDataList>`)
	for _, k := range []*rsa.PrivateKey{decoy, recipient} {
		ek, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, &k.PublicKey, docKey, nil)
		if err != nil {
			t.Fatal(err)
		}
		encMAC := aesCBC(docKey, macKey)
		fmt.Fprintf(&b, `<cpix:DeliveryData><cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey>`+
			`<cpix:DocumentKey Algorithm="%s"><cpix:Data><pskc:Secret><pskc:EncryptedValue><enc:EncryptionMethod Algorithm="%s"/>`+
			`<enc:CipherData><enc:CipherValue>%s</enc:CipherValue></enc:CipherData></pskc:EncryptedValue></pskc:Secret></cpix:Data></cpix:DocumentKey>`+
			`<cpix:MACMethod Algorithm="%s"><cpix:Key><enc:EncryptionMethod Algorithm="%s"/>`+
			`<enc:CipherData><enc:CipherValue>%s</enc:CipherValue></enc:CipherData></cpix:Key></cpix:MACMethod></cpix:DeliveryData>`,
			cert(k), algAES256CBC, algRSAOAEP, b64(ek), algHMACSHA512, algAES256CBC, b64(encMAC))
	}
	b.WriteString(`</cpix:DeliveryDataList><cpix:ContentKeyList>`)
	for kid, key := range keys {
		ct := aesCBC(docKey, key)
		m := mac(ct)
		if tamper {
			ct[20] ^= 1
		}
		fmt.Fprintf(&b, `<cpix:ContentKey kid="%s"><cpix:Data><pskc:Secret><pskc:EncryptedValue><enc:EncryptionMethod Algorithm="%s"/>`+
			`<enc:CipherData><enc:CipherValue>%s</enc:CipherValue></enc:CipherData></pskc:EncryptedValue><pskc:ValueMAC>%s</pskc:ValueMAC>`+
			`</pskc:Secret></cpix:Data></cpix:ContentKey>`, kid, algAES256CBC, b64(ct), m)
	}
	b.WriteString(`</cpix:ContentKeyList></cpix:CPIX>`)
	return []byte(b.String())
}

func TestParseCPIXEncrypted(t *testing.T) {
	recipient, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	decoy, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	key := mustHex("5ec7e75ec7e75ec7e75ec7e75ec7e75e")
	doc := encryptedCPIX(t, recipient, decoy, map[KID][]byte{testKID: key}, false)
	ks, err := ParseCPIX(doc, CPIXOptions{PrivateKey: recipient})
	if err != nil {
		t.Fatal(err)
	}
	if len(ks.Keys) != 1 || ks.Keys[0].KID != testKID || !bytes.Equal(ks.Keys[0].Key.Reveal(), key) {
		t.Errorf("keys %+v", ks.Keys)
	}
	if _, err := ParseCPIX(doc, CPIXOptions{}); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "private key") {
		t.Errorf("without the private key: err = %v", err)
	}
	stranger, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := ParseCPIX(doc, CPIXOptions{PrivateKey: stranger}); !errors.Is(err, ErrMalformed) {
		t.Errorf("another private key: err = %v", err)
	}
	tampered := encryptedCPIX(t, recipient, decoy, map[KID][]byte{testKID: key}, true)
	if _, err := ParseCPIX(tampered, CPIXOptions{PrivateKey: recipient}); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "ValueMAC") {
		t.Errorf("tampered: err = %v", err)
	}
}

func TestParseCPIXErrors(t *testing.T) {
	plain := string(readTestdata(t, "cpix-plain.xml"))
	key := func(kid, value string) string {
		return `<cpix:ContentKey kid="` + kid + `"><cpix:Data><pskc:Secret><pskc:PlainValue>` + value + `</pskc:PlainValue></pskc:Secret></cpix:Data></cpix:ContentKey>`
	}
	doc := func(body string) string {
		return `<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">` + body + `</cpix:CPIX>`
	}
	const kidA = "a0a0a0a0-a0a0-a0a0-a0a0-a0a0a0a0a0a0"
	const kidB = "b0b0b0b0-b0b0-b0b0-b0b0-b0b0b0b0b0b0"
	const keyB64 = "XsfnXsfnXsfnXsfnXsfnXg=="
	tests := []struct {
		name, doc string
		want      error
	}{
		{"not XML", "<cpix:CPIX", ErrMalformed},
		{"wrong namespace", `<CPIX xmlns="urn:other"><ContentKeyList/></CPIX>`, ErrMalformed},
		{"version 3", strings.Replace(plain, `version="2.3"`, `version="3.0"`, 1), ErrUnsupported},
		{"no keys", doc(`<cpix:ContentKeyList/>`), ErrMalformed},
		{"request without values", doc(`<cpix:ContentKeyList><cpix:ContentKey kid="` + kidA + `"/></cpix:ContentKeyList>`), ErrMalformed},
		{"short key", doc(`<cpix:ContentKeyList>` + key(kidA, "AAEC") + `</cpix:ContentKeyList>`), ErrBadKey},
		{"key not base64", doc(`<cpix:ContentKeyList>` + key(kidA, "!!!") + `</cpix:ContentKeyList>`), ErrBadKey},
		{"bad kid", doc(`<cpix:ContentKeyList>` + key("a0a0", keyB64) + `</cpix:ContentKeyList>`), ErrBadKID},
		{"duplicate kid", doc(`<cpix:ContentKeyList>` + key(kidA, keyB64) + key(kidA, keyB64) + `</cpix:ContentKeyList>`), ErrDuplicateKID},
		{"rule for unknown key", doc(`<cpix:ContentKeyList>` + key(kidA, keyB64) + `</cpix:ContentKeyList><cpix:ContentKeyUsageRuleList>` +
			`<cpix:ContentKeyUsageRule kid="` + kidB + `"/></cpix:ContentKeyUsageRuleList>`), ErrMalformed},
		{"key without rule", doc(`<cpix:ContentKeyList>` + key(kidA, keyB64) + key(kidB, keyB64) + `</cpix:ContentKeyList><cpix:ContentKeyUsageRuleList>` +
			`<cpix:ContentKeyUsageRule kid="` + kidA + `"/></cpix:ContentKeyUsageRuleList>`), ErrUnusedKey},
		{"key periods", doc(`<cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p1"/></cpix:ContentKeyPeriodList><cpix:ContentKeyList>` + key(kidA, keyB64) + `</cpix:ContentKeyList>`), ErrUnsupported},
		{"bad filter number", doc(`<cpix:ContentKeyList>` + key(kidA, keyB64) + `</cpix:ContentKeyList><cpix:ContentKeyUsageRuleList>` +
			`<cpix:ContentKeyUsageRule kid="` + kidA + `"><cpix:VideoFilter minPixels="many"/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>`), ErrMalformed},
		{"signalling for unknown key", doc(`<cpix:ContentKeyList>` + key(kidA, keyB64) + `</cpix:ContentKeyList><cpix:DRMSystemList>` +
			`<cpix:DRMSystem kid="` + kidB + `" systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"/></cpix:DRMSystemList>`), ErrMalformed},
		{"bad PSSH", doc(`<cpix:ContentKeyList>` + key(kidA, keyB64) + `</cpix:ContentKeyList><cpix:DRMSystemList>` +
			`<cpix:DRMSystem kid="` + kidA + `" systemId="edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"><cpix:PSSH>AAAA</cpix:PSSH></cpix:DRMSystem></cpix:DRMSystemList>`), ErrMalformed},
		{"two-line HLS tag", doc(`<cpix:ContentKeyList>` + key(kidA, keyB64) + `</cpix:ContentKeyList><cpix:DRMSystemList>` +
			`<cpix:DRMSystem kid="` + kidA + `" systemId="94ce86fb-07ff-4f43-adb8-93d2fa968ca2"><cpix:HLSSignalingData>` +
			base64.StdEncoding.EncodeToString([]byte("#EXT-X-KEY:METHOD=SAMPLE-AES\n#EXTINF:1,")) + `</cpix:HLSSignalingData></cpix:DRMSystem></cpix:DRMSystemList>`), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCPIX([]byte(tc.doc), CPIXOptions{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Format != "CPIX" {
				t.Errorf("err = %#v, want a *ParseError", err)
			}
			if strings.Contains(err.Error(), keyB64) || strings.Contains(err.Error(), "XsfnXsfn") {
				t.Errorf("error quotes the key: %v", err)
			}
		})
	}
}

// TestCPIXKeyForNoTrack: a CPIX document is made for specific content, so
// a key no track uses means it was made for other content.
func TestCPIXKeyForNoTrack(t *testing.T) {
	ks, err := ParseCPIX(readTestdata(t, "cpix-plain.xml"), CPIXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ks.Assign([]Track{{ID: "en", Type: Audio}, {ID: "540p", Type: Video, Width: 960, Height: 540}}, true)
	if !errors.Is(err, ErrUnusedKey) || !strings.Contains(err.Error(), "c0c0c0c0-c0c0-c0c0-c0c0-c0c0c0c0c0c0") {
		t.Errorf("err = %v, want ErrUnusedKey naming the HD key", err)
	}
}
