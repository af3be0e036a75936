package encode_test

import (
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/mediatest"
)

// Frame n of a timed clip has luma lumaBase+n*lumaStep: a step of 3
// levels of the limited range is about 3.5 in a JPEG, well above the
// rounding of scaling and JPEG coding of a flat picture (up to 2 levels
// near black, hence a base above black).
const (
	lumaBase = 24
	lumaStep = 3
)

// timedClip is a flat grey 25 fps clip whose frame n has luma
// lumaBase+lumaStep*n (frames up to 70 stay in the limited range), coded
// losslessly: the brightness of a thumbnail tells which frame it shows.
// vf is appended to the source, e.g. to retime frames; audio seconds of
// AAC are added when not zero.
func timedClip(t *testing.T, dir, name string, seconds float64, vf string, audio float64) string {
	t.Helper()
	src := "nullsrc=size=320x180:rate=25:duration=" + ftoa(seconds) + ",geq=lum='" + strconv.Itoa(lumaBase) + "+" + strconv.Itoa(lumaStep) + "*N':cb=128:cr=128" + vf
	args := []string{"-f", "lavfi", "-i", src}
	if audio > 0 {
		args = append(append(args, sine(audio, "")...), "-c:a", "aac")
	}
	return mediatest.Generate(t, dir, name, append(args,
		"-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p")...)
}

// frameTimes returns the presentation times of the video frames of path,
// in order, as ffprobe reads them.
func frameTimes(t *testing.T, path string) []float64 {
	t.Helper()
	var out struct {
		Frames []struct {
			PTSTime string `json:"pts_time"`
		} `json:"frames"`
	}
	if err := json.Unmarshal(ffprobe(t, "-select_streams", "v:0", "-show_entries", "frame=pts_time", "-of", "json", path), &out); err != nil {
		t.Fatal(err)
	}
	var ts []float64
	for _, f := range out.Frames {
		ts = append(ts, atof(t, f.PTSTime))
	}
	return ts
}

// cellLuma is the mean luma of the middle of cell (col, row) of a tile.
func cellLuma(t *testing.T, img image.Image, col, row, w, h int) float64 {
	t.Helper()
	ycc, ok := img.(*image.YCbCr)
	if !ok {
		t.Fatalf("tile decodes as %T, want YCbCr", img)
	}
	var sum, n float64
	for y := row*h + h/4; y < row*h+3*h/4; y++ {
		for x := col*w + w/4; x < col*w+3*w/4; x++ {
			sum += float64(ycc.Y[ycc.YOffset(x, y)])
			n++
		}
	}
	return sum / n
}

func decodeJPEG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

// TestThumbnailsFrames checks that thumbnail k, at its column and row of
// its tile, shows the first frame at or after k*Interval: on a constant
// rate clip where some multiples fall between frames (0.7 s at 25 fps),
// on a variable rate one with a 1.5 s gap that several thumbnails fall
// into, which then all show the frame after the gap, and on one whose
// audio outlasts the picture, where the last frame fills the rest.
func TestThumbnailsFrames(t *testing.T) {
	tests := []struct {
		name     string
		seconds  float64
		vf       string
		audio    float64
		interval time.Duration
		count    int
	}{
		{name: "between frames", seconds: 3, interval: 700 * time.Millisecond, count: 5},
		{name: "gap longer than the interval", seconds: 1.6, vf: ",setpts='if(gte(N,25),PTS+1.5/TB,PTS)'",
			interval: 500 * time.Millisecond, count: 7},
		{name: "audio longer than the picture", seconds: 1.2, audio: 3.1, interval: 500 * time.Millisecond, count: 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			requireFFmpeg(t)
			dir := t.TempDir()
			src := timedClip(t, dir, "timed.mp4", tc.seconds, tc.vf, tc.audio)
			times := frameTimes(t, src)
			const w, h = 64, 36
			res, err := encode.Thumbnails(context.Background(), &encode.ExecRunner{}, src, probe(t, src),
				encode.ThumbnailConfig{Interval: tc.interval, Width: w, Cols: 2, Rows: 2, Quality: 2, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if res.Count != tc.count || res.Height != h || len(res.Tiles) != (tc.count+3)/4 {
				t.Fatalf("%d thumbnails %dx%d in %d tiles, want %d of %dx%d in %d", res.Count, res.Width, res.Height,
					len(res.Tiles), tc.count, w, h, (tc.count+3)/4)
			}
			for i, tile := range res.Tiles {
				img := decodeJPEG(t, tile.Path)
				if b := img.Bounds(); b.Dx() != 2*w || b.Dy() != 2*h || tile.Width != 2*w || tile.Height != 2*h {
					t.Fatalf("tile %d is %v, result says %dx%d; want %dx%d", i+1, b, tile.Width, tile.Height, 2*w, 2*h)
				}
				for j := range 4 {
					k := i*4 + j
					got := cellLuma(t, img, j%2, j/2, w, h)
					if k >= res.Count {
						if got > 4 {
							t.Errorf("tile %d cell %d after the last thumbnail: luma %.1f, want black", i+1, j, got)
						}
						continue
					}
					// The first frame at or after k*interval (else the last).
					at := k * int(tc.interval/time.Millisecond)
					n := len(times) - 1
					for f, ts := range times {
						if ts*1000 >= float64(at)-1e-3 {
							n = f
							break
						}
					}
					want := float64(lumaBase-16+lumaStep*n) * 255 / 219 // limited to full range
					if math.Abs(got-want) > 1.5 {
						t.Errorf("thumbnail %d (%d ms, tile %d col %d row %d): luma %.1f, want %.1f (frame %d at %.3f s)",
							k, at, i+1, j%2, j/2, got, want, n, times[n])
					}
				}
			}
		})
	}
}

// TestThumbnailsDisplaySpace: an anamorphic (SAR 2:1), rotated phone clip
// gives portrait thumbnails of the display aspect, upright.
func TestThumbnailsDisplaySpace(t *testing.T) {
	requireFFmpeg(t)
	dir := t.TempDir()
	// Upright the picture is 180x320 with a white top-left quarter; it is
	// stored turned a quarter counter-clockwise and squeezed to half width
	// (160x180, SAR 2:1), with a display matrix that turns it back.
	stored := mediatest.Generate(t, dir, "stored.mp4", "-f", "lavfi", "-i",
		"color=c=black:size=180x320:rate=25:duration=1,drawbox=x=0:y=0:w=90:h=160:color=white:t=fill,"+
			"transpose=cclock,scale=160:180,setsar=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	src := mediatest.Generate(t, dir, "rotated.mp4", "-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=270")
	pr := probe(t, src)
	if v := pr.Video[0]; v.Rotation != 90 || v.SAR != (encode.Rational{Num: 2, Den: 1}) {
		t.Fatalf("source rotation %d, SAR %v; want 90, 2:1", v.Rotation, v.SAR)
	}
	res, err := encode.Thumbnails(context.Background(), &encode.ExecRunner{}, src, pr,
		encode.ThumbnailConfig{Interval: 500 * time.Millisecond, Width: 90, Cols: 2, Rows: 1, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Width != 90 || res.Height != 160 || res.Count != 2 {
		t.Fatalf("%d thumbnails of %dx%d, want 2 of 90x160", res.Count, res.Width, res.Height)
	}
	img := decodeJPEG(t, res.Tiles[0].Path)
	if b := img.Bounds(); b.Dx() != 180 || b.Dy() != 160 {
		t.Fatalf("tile is %v, want 180x160", b)
	}
	for col := range 2 {
		// Quarters of the thumbnail: only the top-left one is white.
		tl := cellLuma(t, img, 2*col, 0, 45, 80)
		tr := cellLuma(t, img, 2*col+1, 0, 45, 80)
		bl := cellLuma(t, img, 2*col, 1, 45, 80)
		br := cellLuma(t, img, 2*col+1, 1, 45, 80)
		if tl < 200 || tr > 50 || bl > 50 || br > 50 {
			t.Errorf("thumbnail %d quarters TL TR BL BR = %.0f %.0f %.0f %.0f, want white top-left only", col, tl, tr, bl, br)
		}
	}
}
