package manifest

import (
	"os"
	"sort"
	"testing"
)

func goldenNames() []string {
	var names []string
	for name := range goldenPresentations() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// TestGoldenHLS writes each synthetic presentation as HLS and compares
// every playlist with testdata/golden/<case>/<playlist path>.
func TestGoldenHLS(t *testing.T) {
	for _, name := range goldenNames() {
		t.Run(name, func(t *testing.T) {
			files, err := WriteHLS(goldenPresentations()[name], HLSOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if last := files[len(files)-1].Name; last != DefaultMultivariantName {
				t.Errorf("last file %s, want the multivariant playlist last", last)
			}
			for _, f := range files {
				golden(t, name+"/"+f.Name, f.Data)
			}
		})
	}
}

// TestGoldenDASH writes each synthetic presentation as an MPD, compares it
// with testdata/golden/<case>.mpd and validates it against the schema.
func TestGoldenDASH(t *testing.T) {
	for _, name := range goldenNames() {
		t.Run(name, func(t *testing.T) {
			data, err := WriteDASH(goldenPresentations()[name], DASHOptions{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".mpd", data)
			validateMPD(t, data)
		})
	}
}

// TestGoldenDeterministic checks that writing twice gives the same bytes
// (map iteration must never leak into a manifest).
func TestGoldenDeterministic(t *testing.T) {
	for _, name := range goldenNames() {
		a, _ := WriteHLS(goldenPresentations()[name], HLSOptions{})
		for range 5 {
			b, _ := WriteHLS(goldenPresentations()[name], HLSOptions{})
			for i := range a {
				if a[i].Name != b[i].Name || string(a[i].Data) != string(b[i].Data) {
					t.Fatalf("%s: %s differs between two writes", name, a[i].Name)
				}
			}
		}
	}
}

// TestReadGoldenHLS reads the committed golden playlists from disk, as
// validate will read a published output folder.
func TestReadGoldenHLS(t *testing.T) {
	for _, name := range goldenNames() {
		p, err := ReadHLS(os.DirFS("testdata/golden/"+name), DefaultMultivariantName)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := 0
		for _, tr := range goldenPresentations()[name].Tracks {
			if tr.inHLS() {
				want++
			}
		}
		if len(p.Tracks) != want {
			t.Errorf("%s: %d tracks, want %d", name, len(p.Tracks), want)
		}
	}
}
