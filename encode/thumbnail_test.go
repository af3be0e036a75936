package encode_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/encode"
)

// thumbProbe is a 1080p, 25 fps, 63 s source with audio, for tests that
// never run ffmpeg.
func thumbProbe() *encode.Probe {
	return &encode.Probe{
		Path:     "in.mov",
		Duration: 63 * time.Second,
		Video: []encode.VideoStream{{Index: 1, Codec: "h264", Width: 1920, Height: 1080,
			SAR: encode.Rational{Num: 1, Den: 1}, FrameRate: encode.Rational{Num: 25, Den: 1}, PixFmt: "yuv420p", BitDepth: 8}},
		Audio: []encode.AudioStream{{Index: 0, Codec: "aac", Channels: 2, SampleRate: 48000}},
	}
}

// fakeThumbnailer is a runner that records the ffmpeg arguments and writes
// n files through the image2 output pattern, as ffmpeg would.
func fakeThumbnailer(n int, args *[]string) encode.Runner {
	return runnerFunc(func(ctx context.Context, tool encode.Tool, a []string, stdout io.Writer) error {
		*args = a
		pattern := strings.ReplaceAll(strings.TrimPrefix(a[len(a)-1], "file:"), "%%", "%")
		for i := range n {
			if err := os.WriteFile(strings.Replace(pattern, "%05d", fmt.Sprintf("%05d", i+1), 1), []byte("jpeg"), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}

// filterOf returns the -filter_complex of args.
func filterOf(t *testing.T, args []string) string {
	t.Helper()
	i := slices.Index(args, "-filter_complex")
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("no -filter_complex in %q", args)
	}
	return args[i+1]
}

// TestThumbnailsFake checks the command and the result for a 63 s source
// at the defaults: 7 thumbnails (0, 10, ..., 60 s) in one 5x5 tile, 320x180.
func TestThumbnailsFake(t *testing.T) {
	dir := t.TempDir()
	var args []string
	res, err := encode.Thumbnails(context.Background(), fakeThumbnailer(1, &args), "in.mov", thumbProbe(),
		encode.ThumbnailConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	want := &encode.ThumbnailResult{
		Tiles: []encode.Tile{
			{Path: filepath.Join(dir, "tile-00001.jpg"), Start: 0, Count: 7, Width: 1600, Height: 900},
		},
		Interval: 10 * time.Second, Width: 320, Height: 180, Cols: 5, Rows: 5, Count: 7,
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	wantFilter := "[0:1]tpad=stop_mode=clone:stop_duration=20.000," +
		"select='isnan(prev_selected_t)+gt(floor((t+0.000001)/(10)),floor((prev_selected_t+0.000001)/(10)))'," +
		"setpts='if(isnan(PREV_INT),0,floor((PREV_INT+0.000001)/(10))+1)*(10)/TB'," +
		"fps=fps=1/10,scale=320:180:flags=lanczos,setsar=1,format=yuvj420p," +
		"tpad=stop=7:stop_mode=clone,trim=end_frame=7,tile=5x5[v]"
	if got := filterOf(t, args); got != wantFilter {
		t.Errorf("filter\n got %s\nwant %s", got, wantFilter)
	}
	for _, run := range [][]string{
		{"-i", "file:in.mov"},
		{"-map", "[v]", "-fps_mode", "passthrough", "-c:v", "mjpeg", "-q:v", "5"},
		{"-f", "image2", "-start_number", "1", "file:" + filepath.Join(dir, "tile-%05d.jpg")},
	} {
		if !containsRun(args, run) {
			t.Errorf("args %q lack %q", args, run)
		}
	}
}

// TestThumbnailsLayout covers tile counts and starts, sizes in display
// space (SAR, rotation), letterboxing and HDR.
func TestThumbnailsLayout(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(p *encode.Probe)
		cfg    encode.ThumbnailConfig
		tiles  int
		want   encode.ThumbnailResult // Tiles: only Start, Count, Width, Height
		filter []string               // substrings of the filter
	}{
		{
			name:  "2x2 tiles, partial last",
			edit:  func(p *encode.Probe) { p.Duration = 9500 * time.Millisecond },
			cfg:   encode.ThumbnailConfig{Interval: time.Second, Cols: 2, Rows: 2, Width: 160},
			tiles: 3,
			want: encode.ThumbnailResult{Interval: time.Second, Width: 160, Height: 90, Cols: 2, Rows: 2, Count: 10,
				Tiles: []encode.Tile{
					{Start: 0, Count: 4, Width: 320, Height: 180},
					{Start: 4 * time.Second, Count: 4, Width: 320, Height: 180},
					{Start: 8 * time.Second, Count: 2, Width: 320, Height: 180},
				}},
			filter: []string{"/(1)", "fps=fps=1,", "tpad=stop=10:", "trim=end_frame=10,", "tile=2x2"},
		},
		{
			name:  "exact multiple: no thumbnail at the end",
			edit:  func(p *encode.Probe) { p.Duration = 8 * time.Second },
			cfg:   encode.ThumbnailConfig{Interval: 2 * time.Second, Cols: 2, Rows: 1},
			tiles: 2,
			want: encode.ThumbnailResult{Interval: 2 * time.Second, Width: 320, Height: 180, Cols: 2, Rows: 1, Count: 4,
				Tiles: []encode.Tile{
					{Start: 0, Count: 2, Width: 640, Height: 180},
					{Start: 4 * time.Second, Count: 2, Width: 640, Height: 180},
				}},
		},
		{
			name:  "fractional interval",
			edit:  func(p *encode.Probe) { p.Duration = 3 * time.Second },
			cfg:   encode.ThumbnailConfig{Interval: 700 * time.Millisecond, Cols: 2, Rows: 2, Width: 64},
			tiles: 2,
			want: encode.ThumbnailResult{Interval: 700 * time.Millisecond, Width: 64, Height: 36, Cols: 2, Rows: 2, Count: 5,
				Tiles: []encode.Tile{
					{Start: 0, Count: 4, Width: 128, Height: 72},
					{Start: 2800 * time.Millisecond, Count: 1, Width: 128, Height: 72},
				}},
			filter: []string{"floor((t+0.000001)/(7/10))", "fps=fps=10/7,"},
		},
		{
			name: "anamorphic 4:3 pixels",
			edit: func(p *encode.Probe) {
				p.Video[0].Width, p.Video[0].SAR = 1440, encode.Rational{Num: 4, Den: 3}
			},
			tiles:  1,
			want:   encode.ThumbnailResult{Interval: 10 * time.Second, Width: 320, Height: 180, Cols: 5, Rows: 5, Count: 7},
			filter: []string{"scale=320:180:flags=lanczos,setsar=1"},
		},
		{
			name:   "rotated portrait, odd height rounded to even",
			edit:   func(p *encode.Probe) { p.Video[0].Rotation = 90 },
			tiles:  1,
			want:   encode.ThumbnailResult{Interval: 10 * time.Second, Width: 320, Height: 568, Cols: 5, Rows: 5, Count: 7},
			filter: []string{"scale=320:568:"},
		},
		{
			name:   "portrait in a landscape size: pillarbox",
			edit:   func(p *encode.Probe) { p.Video[0].Rotation = 270 },
			cfg:    encode.ThumbnailConfig{Width: 320, Height: 180},
			tiles:  1,
			want:   encode.ThumbnailResult{Interval: 10 * time.Second, Width: 320, Height: 180, Cols: 5, Rows: 5, Count: 7},
			filter: []string{"scale=102:180:", "format=yuvj420p,pad=320:180:108:0:black,"},
		},
		{
			name:   "aspect off by rounding only: no bars",
			edit:   func(p *encode.Probe) { p.Video[0].Width, p.Video[0].Height = 640, 362 },
			cfg:    encode.ThumbnailConfig{Width: 320, Height: 180},
			tiles:  1,
			want:   encode.ThumbnailResult{Interval: 10 * time.Second, Width: 320, Height: 180, Cols: 5, Rows: 5, Count: 7},
			filter: []string{"scale=320:180:", "format=yuvj420p,tpad"},
		},
		{
			name: "HDR10 is tone-mapped",
			edit: func(p *encode.Probe) {
				v := &p.Video[0]
				v.HDR, v.ColorTransfer, v.ColorPrimaries, v.ColorSpace = true, "smpte2084", "bt2020", "bt2020nc"
			},
			tiles:  1,
			want:   encode.ThumbnailResult{Interval: 10 * time.Second, Width: 320, Height: 180, Cols: 5, Rows: 5, Count: 7},
			filter: []string{"flags=lanczos,zscale=tin=smpte2084:", "tonemap=hable"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := thumbProbe()
			if tc.edit != nil {
				tc.edit(p)
			}
			cfg := tc.cfg
			cfg.Dir = t.TempDir()
			var args []string
			res, err := encode.Thumbnails(context.Background(), fakeThumbnailer(tc.tiles, &args), "in.mov", p, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.want.Tiles) == 0 {
				for _, tl := range res.Tiles {
					tc.want.Tiles = append(tc.want.Tiles, encode.Tile{Start: tl.Start, Count: tl.Count,
						Width: 5 * tc.want.Width, Height: 5 * tc.want.Height})
				}
			}
			for i := range tc.want.Tiles {
				tc.want.Tiles[i].Path = filepath.Join(cfg.Dir, fmt.Sprintf("tile-%05d.jpg", i+1))
			}
			if diff := cmp.Diff(&tc.want, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			f := filterOf(t, args)
			for _, s := range tc.filter {
				if !strings.Contains(f, s) {
					t.Errorf("filter %s\nlacks %s", f, s)
				}
			}
		})
	}
}

func TestThumbnailsErrors(t *testing.T) {
	audioOnly := thumbProbe()
	audioOnly.Video = nil
	noDuration := thumbProbe()
	noDuration.Duration = 0
	short := thumbProbe()
	short.Duration = 9 * time.Second
	tests := []struct {
		name      string
		probe     *encode.Probe
		cfg       encode.ThumbnailConfig
		inputErr  bool // an *encode.InputError
		wantInMsg string
	}{
		{name: "negative interval", cfg: encode.ThumbnailConfig{Interval: -time.Second}, wantInMsg: "want a positive duration"},
		{name: "sub-millisecond interval", cfg: encode.ThumbnailConfig{Interval: 1500 * time.Microsecond}, wantInMsg: "whole milliseconds"},
		{name: "odd width", cfg: encode.ThumbnailConfig{Width: 321}, wantInMsg: "even sides"},
		{name: "negative height", cfg: encode.ThumbnailConfig{Height: -2}, wantInMsg: "even sides"},
		{name: "negative layout", cfg: encode.ThumbnailConfig{Cols: -1}, wantInMsg: "positive columns"},
		{name: "quality", cfg: encode.ThumbnailConfig{Quality: 1}, wantInMsg: "2 (best) to 31"},
		{name: "tile too large for JPEG", cfg: encode.ThumbnailConfig{Width: 1920, Cols: 35}, wantInMsg: "at most 65535"},
		{name: "audio only", probe: audioOnly, inputErr: true, wantInMsg: "no video stream"},
		{name: "unknown duration", probe: noDuration, inputErr: true, wantInMsg: "duration is unknown"},
		{name: "shorter than the interval", probe: short, inputErr: true, wantInMsg: "lasts 9s, less than the thumbnail interval 10s"},
		{name: "no folder", cfg: encode.ThumbnailConfig{Dir: "-"}, wantInMsg: "no thumbnail folder"},
		{name: "missing folder", cfg: encode.ThumbnailConfig{Dir: filepath.Join(t.TempDir(), "nope")}, wantInMsg: "thumbnail folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.probe
			if p == nil {
				p = thumbProbe()
			}
			cfg := tc.cfg
			switch cfg.Dir {
			case "":
				cfg.Dir = t.TempDir()
			case "-":
				cfg.Dir = ""
			}
			ran := false
			r := runnerFunc(func(context.Context, encode.Tool, []string, io.Writer) error { ran = true; return nil })
			_, err := encode.Thumbnails(context.Background(), r, "in.mov", p, cfg)
			var ie *encode.InputError
			if err == nil || !strings.Contains(err.Error(), tc.wantInMsg) || errors.As(err, &ie) != tc.inputErr {
				t.Errorf("err = %v; want one saying %q, *InputError %v", err, tc.wantInMsg, tc.inputErr)
			}
			if ran {
				t.Error("ffmpeg ran despite the bad input")
			}
		})
	}
}

// TestThumbnailsRunErrors: a failing ffmpeg, a cancelled run and a missing
// tile are reported.
func TestThumbnailsRunErrors(t *testing.T) {
	cfg := func(t *testing.T) encode.ThumbnailConfig {
		return encode.ThumbnailConfig{Dir: t.TempDir(), Interval: time.Second, Cols: 2, Rows: 2}
	}
	t.Run("tool error", func(t *testing.T) {
		r := runnerFunc(func(context.Context, encode.Tool, []string, io.Writer) error {
			return &encode.ToolError{Tool: encode.FFmpeg, ExitCode: 1, StderrTail: "Invalid data found"}
		})
		_, err := encode.Thumbnails(context.Background(), r, "in.mov", thumbProbe(), cfg(t))
		var te *encode.ToolError
		if !errors.As(err, &te) || !strings.HasPrefix(err.Error(), "thumbnails: ") {
			t.Errorf("err = %v, want a *ToolError under thumbnails:", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		r := runnerFunc(func(context.Context, encode.Tool, []string, io.Writer) error { cancel(); return nil })
		if _, err := encode.Thumbnails(ctx, r, "in.mov", thumbProbe(), cfg(t)); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("missing tile", func(t *testing.T) {
		var args []string
		// 63 thumbnails make 16 tiles; ffmpeg "wrote" 15.
		_, err := encode.Thumbnails(context.Background(), fakeThumbnailer(15, &args), "in.mov", thumbProbe(), cfg(t))
		if err == nil || !strings.Contains(err.Error(), "tile 16 of 16") {
			t.Errorf("err = %v, want tile 16 of 16 missing", err)
		}
	})
	t.Run("percent in folder name", func(t *testing.T) {
		c := cfg(t)
		c.Dir = filepath.Join(c.Dir, "100%")
		if err := os.Mkdir(c.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var args []string
		res, err := encode.Thumbnails(context.Background(), fakeThumbnailer(16, &args), "in.mov", thumbProbe(), c)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := args[len(args)-1], "file:"+filepath.Join(c.Dir[:len(c.Dir)-1]+"%%", "tile-%05d.jpg"); got != want {
			t.Errorf("output %s, want %s", got, want)
		}
		if res.Tiles[0].Path != filepath.Join(c.Dir, "tile-00001.jpg") {
			t.Errorf("tile path %s", res.Tiles[0].Path)
		}
	})
}

func TestParseThumbnailSize(t *testing.T) {
	tests := []struct {
		in   string
		w, h int
		bad  bool
	}{
		{in: "320x180", w: 320, h: 180},
		{in: " 160x90 ", w: 160, h: 90},
		{in: "320", w: 320},
		{in: "320x0", w: 320},
		{in: "x180", bad: true},
		{in: "320x", bad: true},
		{in: "320X180", bad: true},
		{in: "0x180", bad: true},
		{in: "-320x180", bad: true},
		{in: "320x-180", bad: true},
		{in: "wide", bad: true},
		{in: "", bad: true},
	}
	for _, tc := range tests {
		w, h, err := encode.ParseThumbnailSize(tc.in)
		if (err != nil) != tc.bad || w != tc.w || h != tc.h {
			t.Errorf("ParseThumbnailSize(%q) = %d, %d, %v; want %d, %d, error %v", tc.in, w, h, err, tc.w, tc.h, tc.bad)
		}
	}
}
