package packager

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// box builds a box from a type and payload, for fuzz seeds.
func box(typ string, payload ...[]byte) []byte {
	n := 8
	for _, p := range payload {
		n += len(p)
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(n))
	b = append(b, typ...)
	for _, p := range payload {
		b = append(b, p...)
	}
	return b
}

// FuzzOpenSource feeds arbitrary bytes to the MP4 reader: it must never
// panic, hang or allocate without bound, and whatever it accepts must be
// packageable (every sample inside the file). Seeds: hand-made box
// skeletons, plus small ffmpeg-made files when ffmpeg is available.
func FuzzOpenSource(f *testing.F) {
	ftyp := box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41"))
	f.Add([]byte{})
	f.Add(ftyp)
	f.Add(append(ftyp, box("moov", box("mvhd", make([]byte, 100)))...))
	f.Add(append(ftyp, box("mdat", make([]byte, 64))...))
	f.Add(append(ftyp, []byte{0, 0, 0, 1, 'm', 'd', 'a', 't', 0, 0, 0, 0, 0, 0, 0, 16}...))
	f.Add(append(ftyp, []byte{0, 0, 0, 0, 'm', 'o', 'o', 'v'}...))
	if !testing.Short() {
		for _, name := range []string{"v90.mp4", "empty-frag.mp4", "v144-frag.mp4"} {
			if data, err := os.ReadFile(fixture(f, name)); err == nil {
				f.Add(data)
			}
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				panic(fmt.Sprintf("slow input: %x", data[:min(len(data), 4096)]))
			}
		}()
		defer close(done)
		p := filepath.Join(dir, "in.mp4")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.DiscardHandler)
		s, err := openSource(Input{Path: p}, log)
		if err != nil {
			return
		}
		defer s.close()
		for _, tr := range s.tracks {
			for i, smp := range tr.samples {
				if smp.offset < 0 || smp.offset+int64(smp.size) > int64(len(data)) {
					t.Fatalf("track %d sample %d at %d+%d outside the %d-byte file", tr.trackID, i, smp.offset, smp.size, len(data))
				}
			}
		}
		p2, err := newPlan([]*source{s}, 2*time.Second, false, log)
		if err != nil {
			return
		}
		for _, tr := range p2.tracks {
			if len(tr.segments) == 0 || len(tr.frags) == 0 {
				t.Fatalf("track %s: no segments", tr.id)
			}
		}
	})
}
