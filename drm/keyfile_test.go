package drm

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseKeyFile(t *testing.T) {
	data, err := os.ReadFile("testdata/keys-classes.json")
	if err != nil {
		t.Fatal(err)
	}
	ks, err := ParseKeyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		KID     string
		KeyHex  string
		IV      int
		Classes []string
	}
	var got []summary
	for _, k := range ks.Keys {
		got = append(got, summary{k.KID.Hex(), strings.TrimLeft(string(mustHexString(k.Key.Reveal())), "0"), k.IV.Len(), k.Classes})
	}
	want := []summary{
		{"a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0", "1", 0, []string{"audio"}},
		{"b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0", "2", 0, []string{"sd"}},
		{"c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0", "3", 16, []string{"hd", "uhd"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	wantOpts := Options{WidevineProvider: "vpack", WidevineContentID: []byte("movie"),
		PlayReadyLAURL: "https://pr.example/rightsmanager.asmx", FairPlayURI: "skd://keys.example/{kid}",
		ClearKeyLAURL: "https://ck.example/license"}
	if diff := cmp.Diff(wantOpts, ks.Options); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}

	// Round trip through MarshalKeyFile.
	out, err := MarshalKeyFile(ks)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseKeyFile(out)
	if err != nil {
		t.Fatalf("re-read: %v\n%s", err, out)
	}
	if diff := cmp.Diff(ks, back, cmp.Comparer(func(a, b Secret) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func mustHexString(b []byte) []byte {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return out
}

// TestParseKeyFileErrors checks that bad key files fail with a clear,
// typed error that never quotes the key.
func TestParseKeyFileErrors(t *testing.T) {
	const k1 = `"kid": "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0", "key": "5ec7e75ec7e75ec7e75ec7e75ec7e75e"`
	const k2 = `"kid": "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0", "key": "5ec7e75ec7e75ec7e75ec7e75ec7e75e"`
	tests := []struct {
		name, file string
		want       error
		field      string
	}{
		{"not JSON", `{"version": 1, "keys": [`, ErrMalformed, ""},
		{"empty", ``, ErrMalformed, ""},
		{"trailing data", `{"version": 1, "keys": [{` + k1 + `}]} {}`, ErrMalformed, ""},
		{"unknown field", `{"version": 1, "kyes": []}`, ErrMalformed, ""},
		{"wrong version", `{"version": 2, "keys": [{` + k1 + `}]}`, ErrUnsupported, "version"},
		{"no keys", `{"version": 1, "keys": []}`, ErrMalformed, "keys"},
		{"short key", `{"version": 1, "keys": [{"kid": "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0", "key": "5ec7e75ec7e75ec7e75ec7e75ec7e7"}]}`, ErrBadKey, "keys[0].key"},
		{"long key", `{"version": 1, "keys": [{"kid": "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0", "key": "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e7"}]}`, ErrBadKey, "keys[0].key"},
		{"key not hex", `{"version": 1, "keys": [{"kid": "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0", "key": "5ec7e7!ec7e75ec7e75ec7e75ec7e75e"}]}`, ErrBadKey, "keys[0].key"},
		{"bad kid", `{"version": 1, "keys": [{"kid": "a0a0", "key": "5ec7e75ec7e75ec7e75ec7e75ec7e75e"}]}`, ErrBadKID, "keys[0].kid"},
		{"zero kid", `{"version": 1, "keys": [{"kid": "00000000000000000000000000000000", "key": "5ec7e75ec7e75ec7e75ec7e75ec7e75e"}]}`, ErrBadKID, "keys"},
		{"duplicate kid", `{"version": 1, "keys": [{` + k1 + `, "tracks": ["audio"]}, {` + k1 + `, "tracks": ["video"]}]}`, ErrDuplicateKID, "keys"},
		{"bad iv", `{"version": 1, "keys": [{` + k1 + `, "iv": "0102"}]}`, ErrBadIV, "keys[0].iv"},
		{"unknown class", `{"version": 1, "keys": [{` + k1 + `, "tracks": ["4k"]}]}`, ErrUnsupported, "keys[0].tracks"},
		{"class twice", `{"version": 1, "keys": [{` + k1 + `, "tracks": ["hd"]}, {` + k2 + `, "tracks": ["hd"]}]}`, ErrAmbiguousKey, "keys[1].tracks"},
		{"two keys for all", `{"version": 1, "keys": [{` + k1 + `}, {` + k2 + `}]}`, ErrAmbiguousKey, "keys[1].tracks"},
		{"tracks not a list", `{"version": 1, "keys": [{` + k1 + `, "tracks": 3}]}`, ErrMalformed, "keys[0].tracks"},
		{"bad content id", `{"version": 1, "keys": [{` + k1 + `}], "drm": {"widevine": {"content_id": "xyz"}}}`, ErrMalformed, "drm.widevine.content_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKeyFile([]byte(tc.file))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Field != tc.field || pe.Format != "key file" {
				t.Errorf("err = %#v, want a *ParseError for field %q", err, tc.field)
			}
			if msg := err.Error(); strings.Contains(msg, "5ec7e7") {
				t.Errorf("error quotes the key: %s", msg)
			}
		})
	}
}

func TestParseKeyPair(t *testing.T) {
	ks, err := ParseKeyPair(" 00112233-4455-6677-8899-aabbccddeeff:AAECAwQFBgcICQoLDA0ODw== ")
	if err != nil {
		t.Fatal(err)
	}
	if len(ks.Keys) != 1 || ks.Keys[0].KID != testKID || !ks.Keys[0].Key.Equal(testKey) {
		t.Errorf("ParseKeyPair = %+v", ks.Keys)
	}
	for _, bad := range []string{"", "00112233445566778899aabbccddeeff", "0011:000102030405060708090a0b0c0d0e0f",
		"00112233445566778899aabbccddeeff:0001"} {
		_, err := ParseKeyPair(bad)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseKeyPair(%q) err = %v, want a *ParseError", bad, err)
		}
	}
}

// TestSelect checks key selection by track class: the narrowest class
// wins, a track without a key or with two equally narrow keys is an error.
func TestSelect(t *testing.T) {
	data, _ := os.ReadFile("testdata/keys-classes.json")
	ks, err := ParseKeyFile(data)
	if err != nil {
		t.Fatal(err)
	}
	audio := Track{ID: "en-aac", Type: Audio, Channels: 2}
	sd := Track{ID: "540p", Type: Video, Width: 960, Height: 540}
	hd := Track{ID: "720p", Type: Video, Width: 1280, Height: 720}
	fhd := Track{ID: "1080p", Type: Video, Width: 1920, Height: 1080}
	uhd := Track{ID: "2160p", Type: Video, Width: 3840, Height: 2160}
	for tr, want := range map[Track]string{audio: "a0", sd: "b0", hd: "c0", fhd: "c0", uhd: "c0"} {
		k, err := ks.Select(tr)
		if err != nil || k.KID.Hex()[:2] != want {
			t.Errorf("Select(%s) = %v, %v; want key %s…", tr.ID, k, err, want)
		}
	}

	only := &KeySet{Keys: []ContentKey{{KID: KID{1}, Key: testKey, Rules: []Rule{classRules["audio"]}},
		{KID: KID{2}, Key: testKey, Rules: []Rule{classRules["sd"]}}}}
	if _, err := only.Select(hd); !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), "720p") {
		t.Errorf("no key: err = %v", err)
	}
	if _, err := only.Assign([]Track{audio}, true); !errors.Is(err, ErrUnusedKey) {
		t.Errorf("unused key: err = %v", err)
	}
	if keys, err := only.Assign([]Track{audio}, false); err != nil || len(only.Unused(keys)) != 1 {
		t.Errorf("unused key tolerated: %v, %v", keys, err)
	}
	tie := &KeySet{Keys: []ContentKey{{KID: KID{1}, Key: testKey, Rules: []Rule{{Type: Video}}},
		{KID: KID{2}, Key: testKey, Rules: []Rule{{MinBitrate: 1}}}}}
	if _, err := tie.Select(Track{ID: "v", Type: Video, BitrateBps: 5}); !errors.Is(err, ErrAmbiguousKey) {
		t.Errorf("tie: err = %v", err)
	}
	general := &KeySet{Keys: []ContentKey{{KID: KID{1}, Key: testKey, Rules: []Rule{{}}},
		{KID: KID{2}, Key: testKey, Rules: []Rule{classRules["video"]}}}}
	if k, _ := general.Select(audio); k.KID != (KID{1}) {
		t.Errorf("all: got %v", k.KID)
	}
	if k, _ := general.Select(uhd); k.KID != (KID{2}) {
		t.Errorf("video over all: got %v", k.KID)
	}
}
