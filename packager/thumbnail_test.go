package packager

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/manifest"
)

// thumbLuma is the grey level of thumbnail k in the tiles makeThumbnails
// draws: distinct for neighbours, far from the black of unused cells.
func thumbLuma(k int) uint8 { return uint8(40 + 20*(k%10)) }

// makeThumbnails draws count thumbnails of w x h into cols x rows JPEG
// tiles in dir, as encode.Thumbnails would: every tile full size, unused
// cells of the last one black.
func makeThumbnails(t *testing.T, dir string, count int, interval time.Duration, w, h, cols, rows int) *Thumbnails {
	t.Helper()
	th := &Thumbnails{Interval: interval, Width: w, Height: h, Cols: cols, Rows: rows}
	per := cols * rows
	for i := 0; i*per < count; i++ {
		img := image.NewGray(image.Rect(0, 0, cols*w, rows*h))
		n := min(per, count-i*per)
		for j := range n {
			x0, y0 := j%cols*w, j/cols*h
			for y := y0; y < y0+h; y++ {
				for x := x0; x < x0+w; x++ {
					img.SetGray(x, y, color.Gray{Y: thumbLuma(i*per + j)})
				}
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("src-%d.jpg", i+1))
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		th.Tiles = append(th.Tiles, ThumbnailTile{Path: path, Count: n})
	}
	return th
}

type thumbCue struct {
	start, end time.Duration
	file       string
	x, y, w, h int
}

var (
	thumbCueTiming  = regexp.MustCompile(`^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$`)
	thumbCuePayload = regexp.MustCompile(`^([^#]+)#xywh=(\d+),(\d+),(\d+),(\d+)$`)
)

// readThumbnailsVTT parses the thumbnail WebVTT file strictly: header,
// then blocks of a timing line and a sprite payload.
func readThumbnailsVTT(t *testing.T, path string) []thumbCue {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() || sc.Text() != "WEBVTT" {
		t.Fatalf("%s does not start with WEBVTT", path)
	}
	var cues []thumbCue
	for sc.Scan() {
		if sc.Text() != "" {
			t.Fatalf("line %q: want a blank line between cues", sc.Text())
		}
		if !sc.Scan() {
			t.Fatal("blank line at the end of the file")
		}
		m := thumbCueTiming.FindStringSubmatch(sc.Text())
		if m == nil || !sc.Scan() {
			t.Fatalf("timing line %q", sc.Text())
		}
		p := thumbCuePayload.FindStringSubmatch(sc.Text())
		if p == nil {
			t.Fatalf("payload %q: want file#xywh=x,y,w,h", sc.Text())
		}
		n := func(s string) int { v, _ := strconv.Atoi(s); return v }
		ts := func(m []string) time.Duration {
			return time.Duration(n(m[0]))*time.Hour + time.Duration(n(m[1]))*time.Minute +
				time.Duration(n(m[2]))*time.Second + time.Duration(n(m[3]))*time.Millisecond
		}
		cues = append(cues, thumbCue{start: ts(m[1:5]), end: ts(m[5:9]), file: p[1],
			x: n(p[2]), y: n(p[3]), w: n(p[4]), h: n(p[5])})
	}
	return cues
}

// cueAt is the cue showing at t, or nil.
func cueAt(cues []thumbCue, t time.Duration) *thumbCue {
	for i := range cues {
		if cues[i].start <= t && t < cues[i].end {
			return &cues[i]
		}
	}
	return nil
}

// TestWriteThumbnailsCues: a cue at time t points at tile
// floor(t/Interval)/(Cols*Rows) and at the cell of thumbnail
// floor(t/Interval) in it, and that cell of the published image shows
// that thumbnail; cues cover the presentation without gaps or overlaps.
func TestWriteThumbnailsCues(t *testing.T) {
	const w, h, cols, rows = 48, 32, 3, 2
	interval := 2 * time.Second
	dur := 25*time.Second + 300*time.Millisecond // 13 thumbnails, 3 tiles
	out := t.TempDir()
	th := makeThumbnails(t, t.TempDir(), 13, interval, w, h, cols, rows)
	tr, err := writeThumbnails(out, th, dur)
	if err != nil {
		t.Fatal(err)
	}
	cues := readThumbnailsVTT(t, filepath.Join(out, ThumbnailsVTT))
	if len(cues) != 13 {
		t.Fatalf("%d cues, want 13", len(cues))
	}
	for i, c := range cues {
		wantEnd := time.Duration(i+1) * interval
		if i == len(cues)-1 {
			wantEnd = dur
		}
		if c.start != time.Duration(i)*interval || c.end != wantEnd {
			t.Errorf("cue %d: %v --> %v, want %v --> %v", i, c.start, c.end, time.Duration(i)*interval, wantEnd)
		}
	}
	images := map[string]image.Image{}
	for at := time.Duration(0); at < dur; at += 700 * time.Millisecond {
		c := cueAt(cues, at)
		if c == nil {
			t.Fatalf("no cue at %v", at)
		}
		k := int(at / interval)
		j := k % (cols * rows)
		want := thumbCue{start: c.start, end: c.end, file: fmt.Sprintf("thumbs-48x32/tile-%05d.jpg", k/(cols*rows)+1),
			x: j % cols * w, y: j / cols * h, w: w, h: h}
		if *c != want {
			t.Errorf("cue at %v = %+v, want %+v", at, *c, want)
			continue
		}
		img := images[c.file]
		if img == nil {
			f, err := os.Open(filepath.Join(out, "images", c.file))
			if err != nil {
				t.Fatal(err)
			}
			img, err = jpeg.Decode(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			images[c.file] = img
		}
		r, _, _, _ := img.At(c.x+c.w/2, c.y+c.h/2).RGBA()
		if got, want := int(r>>8), int(thumbLuma(k)); got < want-4 || got > want+4 {
			t.Errorf("at %v the cue's rectangle shows grey %d, want %d (thumbnail %d)", at, got, want, k)
		}
	}
	if len(tr.Segments) != 3 {
		t.Errorf("%d segments, want 3", len(tr.Segments))
	}
}

// TestWriteThumbnailsTiles checks the tile count, ceil(ceil(d/I)/(C*R)),
// the segments' timing and the files, for presentations ending on, just
// after and before a thumbnail or tile boundary.
func TestWriteThumbnailsTiles(t *testing.T) {
	const w, h, cols, rows = 32, 18, 2, 2
	interval := time.Second
	tests := []struct {
		name  string
		dur   time.Duration
		made  int // thumbnails encode made
		tiles int
		durs  []uint64 // tile durations in ms
	}{
		{name: "one partial tile", dur: 2500 * time.Millisecond, made: 3, tiles: 1, durs: []uint64{2500}},
		{name: "exactly one tile", dur: 4 * time.Second, made: 4, tiles: 1, durs: []uint64{4000}},
		{name: "one thumbnail into the second tile", dur: 4001 * time.Millisecond, made: 5, tiles: 2, durs: []uint64{4000, 1}},
		{name: "exactly three tiles", dur: 12 * time.Second, made: 12, tiles: 3, durs: []uint64{4000, 4000, 4000}},
		{name: "partial third tile", dur: 10200 * time.Millisecond, made: 11, tiles: 3, durs: []uint64{4000, 4000, 2200}},
		// The source was 8.4 s but the presentation ends at 8 s: the ninth
		// thumbnail, alone in its tile, is not published.
		{name: "thumbnail after the end dropped", dur: 8 * time.Second, made: 9, tiles: 2, durs: []uint64{4000, 4000}},
		// Audio priming made the presentation 20 ms longer than the
		// source: the last thumbnail stays until the end.
		{name: "presentation a little longer", dur: 8020 * time.Millisecond, made: 8, tiles: 2, durs: []uint64{4000, 4020}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			th := makeThumbnails(t, t.TempDir(), tc.made, interval, w, h, cols, rows)
			tr, err := writeThumbnails(out, th, tc.dur)
			if err != nil {
				t.Fatal(err)
			}
			want := manifest.Track{
				ID: "thumbs-32x18", Type: manifest.Image, Codecs: "jpeg", MimeType: "image/jpeg",
				Width: 64, Height: 36, TileCols: 2, TileRows: 2, ThumbnailDurTicks: 1000, Timescale: 1000,
				PlaylistURI: "images/thumbs-32x18/index.m3u8",
			}
			var start uint64
			for i, d := range tc.durs {
				uri := fmt.Sprintf("images/thumbs-32x18/tile-%05d.jpg", i+1)
				fi, err := os.Stat(filepath.Join(out, uri))
				if err != nil {
					t.Fatal(err)
				}
				src, _ := os.Stat(th.Tiles[i].Path)
				if fi.Size() != src.Size() {
					t.Errorf("%s: %d bytes, source %d", uri, fi.Size(), src.Size())
				}
				want.Segments = append(want.Segments, manifest.Segment{URI: uri, StartTicks: start, DurTicks: d, SizeBytes: fi.Size()})
				start += d
			}
			if diff := cmp.Diff(want, tr, cmpopts.IgnoreFields(manifest.Track{}, "BandwidthBps", "AverageBandwidthBps")); diff != "" {
				t.Errorf("track (-want +got):\n%s", diff)
			}
			if tr.BandwidthBps < tr.AverageBandwidthBps || tr.AverageBandwidthBps <= 0 {
				t.Errorf("bandwidth peak %d, average %d", tr.BandwidthBps, tr.AverageBandwidthBps)
			}
			entries, err := os.ReadDir(filepath.Join(out, "images", "thumbs-32x18"))
			if err != nil || len(entries) != tc.tiles {
				t.Errorf("%d files in the tile folder (%v), want %d tiles and nothing else", len(entries), err, tc.tiles)
			}
			cues := readThumbnailsVTT(t, filepath.Join(out, ThumbnailsVTT))
			if want := min(tc.made, int((tc.dur+interval-1)/interval)); len(cues) != want {
				t.Errorf("%d cues, want %d", len(cues), want)
			}
			if last := cues[len(cues)-1]; last.end != tc.dur {
				t.Errorf("last cue ends at %v, want %v", last.end, tc.dur)
			}
		})
	}
}

// TestThumbnailsVTTText pins the file format.
func TestThumbnailsVTTText(t *testing.T) {
	th := &Thumbnails{Interval: 10 * time.Second, Width: 320, Height: 180, Cols: 2, Rows: 2}
	got := string(thumbnailsVTT(th, 5, 3*time.Hour+42*time.Second+7*time.Millisecond))
	want := `WEBVTT

00:00:00.000 --> 00:00:10.000
thumbs-320x180/tile-00001.jpg#xywh=0,0,320,180

00:00:10.000 --> 00:00:20.000
thumbs-320x180/tile-00001.jpg#xywh=320,0,320,180

00:00:20.000 --> 00:00:30.000
thumbs-320x180/tile-00001.jpg#xywh=0,180,320,180

00:00:30.000 --> 00:00:40.000
thumbs-320x180/tile-00001.jpg#xywh=320,180,320,180

00:00:40.000 --> 03:00:42.007
thumbs-320x180/tile-00002.jpg#xywh=0,0,320,180
`
	if got != want {
		t.Errorf("VTT:\n%s\nwant:\n%s", got, want)
	}
}

func TestImageBandwidth(t *testing.T) {
	seg := func(bytes int64, ms uint64) manifest.Segment { return manifest.Segment{SizeBytes: bytes, DurTicks: ms} }
	tests := []struct {
		name      string
		segs      []manifest.Segment
		peak, avg int64
	}{
		{name: "one tile", segs: []manifest.Segment{seg(1000, 4000)}, peak: 2000, avg: 2000},
		{name: "the larger tile", segs: []manifest.Segment{seg(1000, 4000), seg(3000, 4000)}, peak: 6000, avg: 4000},
		// Alone, the 10 ms tail would be 80 kbit/s; with the tile before it
		// (4010 ms, within 1.5 times the longest) it is 1100 bytes over
		// 4.01 s.
		{name: "short last tile", segs: []manifest.Segment{seg(1000, 4000), seg(1000, 4000), seg(100, 10)}, peak: 2195, avg: 2098},
		{name: "half-length last tile counts alone", segs: []manifest.Segment{seg(1000, 4000), seg(1000, 2000)}, peak: 4000, avg: 2667},
		{name: "nothing", segs: nil},
	}
	for _, tc := range tests {
		peak, avg := imageBandwidth(tc.segs, 1000)
		if peak != tc.peak || avg != tc.avg {
			t.Errorf("%s: peak %d, average %d; want %d, %d", tc.name, peak, avg, tc.peak, tc.avg)
		}
	}
}

func TestWriteThumbnailsErrors(t *testing.T) {
	src := t.TempDir()
	good := func() *Thumbnails { return makeThumbnails(t, src, 5, time.Second, 32, 18, 2, 2) }
	tests := []struct {
		name string
		th   func() *Thumbnails
		dur  time.Duration
		want string
	}{
		{name: "nil", th: func() *Thumbnails { return nil }, dur: 5 * time.Second, want: "none"},
		{name: "no tiles", th: func() *Thumbnails { th := good(); th.Tiles = nil; return th }, dur: 5 * time.Second, want: "no tiles"},
		{name: "interval", th: func() *Thumbnails { th := good(); th.Interval = 1500 * time.Microsecond; return th },
			dur: 5 * time.Second, want: "whole number of milliseconds"},
		{name: "zero size", th: func() *Thumbnails { th := good(); th.Height = 0; return th }, dur: 5 * time.Second, want: "not positive"},
		{name: "partial tile before the last", th: func() *Thumbnails { th := good(); th.Tiles[0].Count = 3; return th },
			dur: 5 * time.Second, want: "tile 1 holds 3 thumbnails"},
		{name: "too many in the last", th: func() *Thumbnails { th := good(); th.Tiles[1].Count = 5; return th },
			dur: 5 * time.Second, want: "tile 2 holds 5 thumbnails"},
		{name: "image of another size", th: func() *Thumbnails { th := good(); th.Width = 30; return th },
			dur: 5 * time.Second, want: "image is 64x36, want the tile size 60x36"},
		{name: "not a JPEG", th: func() *Thumbnails {
			th := good()
			th.Tiles[1].Path = filepath.Join(src, "x.jpg")
			if err := os.WriteFile(th.Tiles[1].Path, []byte("GIF89a"), 0o644); err != nil {
				t.Fatal(err)
			}
			return th
		}, dur: 5 * time.Second, want: "tile 2: " + filepath.Join(src, "x.jpg") + ": not a JPEG image"},
		{name: "missing file", th: func() *Thumbnails { th := good(); th.Tiles[0].Path += ".gone"; return th },
			dur: 5 * time.Second, want: "no such file"},
		{name: "thumbnails end long before the presentation", th: good, dur: 5600 * time.Millisecond,
			want: "5 every 1s end 600ms before the 5.6s presentation does"},
		{name: "no presentation", th: good, dur: 0, want: "less than a millisecond"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			_, err := writeThumbnails(out, tc.th(), tc.dur)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "thumbnails: ") {
				t.Fatalf("err = %v, want thumbnails: ... %s", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(out, ThumbnailsVTT)); err == nil {
				t.Error("the VTT was written despite the error")
			}
		})
	}
}
