package manifest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// fuzzFS serves master as "master.m3u8" and media under every other valid
// name, so that one fuzz input reaches both the multivariant and the media
// playlist parser.
type fuzzFS struct{ master, media []byte }

func (f fuzzFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	data := f.media
	if name == DefaultMultivariantName {
		data = f.master
	}
	return fstest.MapFS{name: {Data: data}}.Open(name)
}

// FuzzReadHLS checks that no multivariant or media playlist makes ReadHLS
// (or the writers, given what it returns) panic or hang. Seeds: every golden
// multivariant playlist paired with each media and I-frame playlist of its
// case. Crashers, kept in testdata/fuzz/FuzzReadHLS/:
//   - segment-tag-without-segment: an EXT-X-KEY before a URI line without
//     EXTINF makes hls-m3u8 dereference a nil segment; decodeStrict
//     recovers (found while writing the reader, before fuzzing).
func FuzzReadHLS(f *testing.F) {
	for _, name := range goldenNames() {
		dir := filepath.Join("testdata", "golden", name)
		master, err := os.ReadFile(filepath.Join(dir, DefaultMultivariantName))
		if err != nil {
			f.Fatal(err)
		}
		err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".m3u8") || d.Name() == DefaultMultivariantName {
				return err
			}
			media, err := os.ReadFile(path)
			f.Add(master, media)
			return err
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, master, media []byte) {
		p, err := ReadHLS(fuzzFS{master, media}, DefaultMultivariantName)
		if err != nil {
			return
		}
		_, _ = WriteHLS(p, HLSOptions{})
		_, _ = WriteDASH(p, DASHOptions{})
	})
}

// FuzzReadDASH checks that no MPD makes ReadDASH (or the writers, given what
// it returns) panic or hang. Seeds: the golden MPDs and thirdPartyMPD.
// Crashers, kept in testdata/fuzz/FuzzReadDASH/, all endless loops in the
// XML decoder patched into dash-mpd, now kept from it by sanitizeMPD:
//   - mismatched-end-tag-hang: an element closed by another's end tag;
//   - text-without-root-hang: a document of text without any element;
//   - gt-in-character-data-hang: a ">" in character data;
//   - gt-then-truncated-end-tag-1..3: the inputs the fuzzer was minimizing
//     when it reported the ">" hang.
func FuzzReadDASH(f *testing.F) {
	for _, name := range goldenNames() {
		data, err := os.ReadFile(filepath.Join("testdata", "golden", name+".mpd"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(thirdPartyMPD))
	defer func(n int) { maxSegments = n }(maxSegments)
	maxSegments = 1000 // a million segments per input would stall the fuzzer
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ReadDASH(data)
		if err != nil {
			return
		}
		_, _ = WriteDASH(p, DASHOptions{})
		for i := range p.Tracks {
			p.Tracks[i].PlaylistURI = "p/" + p.Tracks[i].ID + ".m3u8"
		}
		_, _ = WriteHLS(p, HLSOptions{})
	})
}
