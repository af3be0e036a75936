package subtitle

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"
)

// TestGolden writes each fixture with every writer and compares the
// output with testdata/golden/<fixture>.<form>: side-car WebVTT and IMSC1,
// HLS WebVTT segments, and box dumps of the wvtt and stpp tracks (each
// sample's boxes or TTML document included).
func TestGolden(t *testing.T) {
	for name := range wantCues {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse(name, readFixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			doc.Language = "en"
			golden(t, name+".vtt", WriteWebVTT(doc))
			golden(t, name+".ttml", WriteTTML(doc))
			var hls bytes.Buffer
			for i, span := range testSpans {
				fmt.Fprintf(&hls, "---- segment %d (%v-%v)\n", i+1, span.Start, span.End)
				hls.Write(WriteWebVTTSegment(doc, span, 0))
			}
			golden(t, name+".hls.txt", hls.Bytes())

			init, segs := writeWVTT(t, doc)
			golden(t, name+".wvtt.txt", dumpTrack(t, init, segs))
			init, err = STPPInit("en")
			if err != nil {
				t.Fatal(err)
			}
			segs = segs[:0]
			for i, span := range testSpans {
				seg, err := STPPSegment(doc, span, uint32(i+1))
				if err != nil {
					t.Fatal(err)
				}
				segs = append(segs, seg)
			}
			golden(t, name+".stpp.txt", dumpTrack(t, init, segs))
		})
	}
}

// dumpTrack is mp4ff's box dump of an init segment and media segments,
// followed for each sample by its time and its payload: wvtt boxes, or the
// TTML document.
func dumpTrack(t *testing.T, init []byte, segs [][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	for i, data := range append([][]byte{init}, segs...) {
		if i > 0 {
			fmt.Fprintf(&b, "---- segment %d\n", i)
		}
		f, err := mp4.DecodeFile(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Info(&b, "all:1", "", "  "); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			continue
		}
		tr, err := decodeInit(init)
		if err != nil {
			t.Fatal(err)
		}
		ss, err := tr.samples(data)
		if err != nil {
			t.Fatal(err)
		}
		for k, s := range ss {
			fmt.Fprintf(&b, "sample %d: time %d dur %d\n", k+1, s.start, s.dur)
			if bytes.HasPrefix(s.data, []byte("<?xml")) {
				b.Write(s.data)
				continue
			}
			r := bytes.NewReader(s.data)
			var pos uint64
			for r.Len() > 0 {
				box, err := mp4.DecodeBox(pos, r)
				if err != nil {
					t.Fatal(err)
				}
				pos += box.Size()
				if err := box.Info(&b, "all:1", "  ", "  "); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return []byte(strings.ReplaceAll(b.String(), "\r\n", "\n"))
}
