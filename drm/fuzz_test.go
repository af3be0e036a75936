package drm

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseKeyFile checks that no key file makes ParseKeyFile panic, that
// what it accepts is valid, and that it survives MarshalKeyFile.
// Crashers found so far are under testdata/fuzz/FuzzParseKeyFile: none.
func FuzzParseKeyFile(f *testing.F) {
	for _, name := range []string{"keys-classes.json", "keys-one.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(`{"version": 1, "keys": [{"kid": "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0", "key": "AAAAAAAAAAAAAAAAAAAAAQ==", "tracks": "audio,sd"}]}`))
	f.Add([]byte(`{"version": 1, "keys": [{"kid": "a0a0", "key": ""}], "drm": {"widevine": {"content_id": "zz"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := ParseKeyFile(data)
		if err != nil {
			return
		}
		if err := ks.Validate(); err != nil {
			t.Fatalf("accepted an invalid key set: %v", err)
		}
		out, err := MarshalKeyFile(ks)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseKeyFile(out)
		if err != nil {
			t.Fatalf("cannot re-read its own output: %v\n%s", err, out)
		}
		if len(back.Keys) != len(ks.Keys) {
			t.Fatalf("%d keys became %d", len(ks.Keys), len(back.Keys))
		}
		for i := range ks.Keys {
			if back.Keys[i].KID != ks.Keys[i].KID || !back.Keys[i].Key.Equal(ks.Keys[i].Key) {
				t.Fatalf("key %d changed", i)
			}
		}
	})
}

// FuzzParseCPIX checks that no document makes ParseCPIX panic or hang,
// and that what it accepts is valid and selectable.
// Crashers found so far are under testdata/fuzz/FuzzParseCPIX: none.
func FuzzParseCPIX(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	ks, _ := ParseKeyFile(readTestdata(f, "keys-classes.json"))
	doc, _ := MarshalCPIX(ks, CBCS)
	f.Add(doc)
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := ParseCPIX(data, CPIXOptions{})
		if err != nil {
			return
		}
		if err := ks.Validate(); err != nil {
			t.Fatalf("accepted an invalid key set: %v", err)
		}
		for _, tr := range []Track{{ID: "a", Type: Audio, Channels: 2}, {ID: "v", Type: Video, Width: 1280, Height: 720}} {
			_, _ = ks.Select(tr)
		}
		for i := range ks.Keys {
			if _, err := Signals(CBCS, &ks.Keys[i], Systems, ks); err != nil {
				_ = err // given signalling may be for another system; it must not panic
			}
		}
	})
}

// FuzzParseKeyPair covers VPACK_KEY.
// Crashers found so far are under testdata/fuzz/FuzzParseKeyPair: none.
func FuzzParseKeyPair(f *testing.F) {
	f.Add("00112233445566778899aabbccddeeff:000102030405060708090a0b0c0d0e0f")
	f.Add("00112233-4455-6677-8899-aabbccddeeff:AAECAwQFBgcICQoLDA0ODw==")
	f.Fuzz(func(t *testing.T, s string) {
		ks, err := ParseKeyPair(s)
		if err == nil && ks.Validate() != nil {
			t.Fatal("accepted an invalid key")
		}
	})
}

// FuzzParsePSSH covers pssh boxes and the PlayReady and Widevine data in
// them, as given by CPIX documents. Crashers found so far, under
// testdata/fuzz/FuzzParsePSSH:
//   - ff9b4e5be1bd79c1: a box with non-zero flags did not round-trip
//     (PSSH.Flags was dropped).
func FuzzParsePSSH(f *testing.F) {
	f.Add(WidevinePSSH([]KID{testKID}, CENC, Options{WidevineProvider: "p"}).Marshal())
	p, _, _ := PlayReadyPSSH(testKID, testKey, CBCS, "https://x")
	f.Add(p.Marshal())
	f.Add(CommonPSSH([]KID{testKID, {1}}).Marshal())
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ParsePSSHs(data)
		if err != nil {
			return
		}
		var again []byte
		for _, p := range ps {
			_, _ = ParseWidevineData(p.Data)
			_, _ = ParsePlayReadyObject(p.Data)
			again = append(again, p.Marshal()...)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("pssh boxes do not round-trip")
		}
	})
}
