package ladder

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuiltinNames(t *testing.T) {
	if diff := cmp.Diff([]string{"apple-h264", "apple-hevc"}, BuiltinNames()); diff != "" {
		t.Errorf("BuiltinNames (-want +got):\n%s", diff)
	}
}

// TestBuiltin pins the built-ins to the Apple HLS Authoring Specification
// table (docs REFERENCE.md): size, bit rate, HDR bit rate, frame-rate cap.
func TestBuiltin(t *testing.T) {
	type spec struct {
		W, H, Kbps, HDRKbps int
		MaxFPS              float64
	}
	tests := []struct {
		name  string
		codec Codec
		want  []spec
	}{
		{AppleH264, H264, []spec{
			{416, 234, 145, 0, 30},
			{640, 360, 365, 0, 30},
			{768, 432, 730, 0, 30},
			{768, 432, 1100, 0, 30},
			{960, 540, 2000, 0, 0},
			{1280, 720, 3000, 0, 0},
			{1280, 720, 4500, 0, 0},
			{1920, 1080, 6000, 0, 0},
			{1920, 1080, 7800, 0, 0},
		}},
		{AppleHEVC, HEVC, []spec{
			{640, 360, 145, 160, 30},
			{768, 432, 300, 360, 30},
			{960, 540, 600, 730, 30},
			{960, 540, 900, 1090, 30},
			{960, 540, 1600, 1930, 0},
			{1280, 720, 2400, 2900, 0},
			{1280, 720, 3400, 4080, 0},
			{1920, 1080, 4500, 5400, 0},
			{1920, 1080, 5800, 7000, 0},
			{2560, 1440, 8100, 9700, 0},
			{3840, 2160, 11600, 13900, 0},
			{3840, 2160, 16800, 20000, 0},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := mustBuiltin(t, tc.name)
			if field, problem := check(l); field != "" {
				t.Fatalf("built-in does not pass its own checks: %s: %s", field, problem)
			}
			if l.Name != tc.name || l.Codec != tc.codec {
				t.Errorf("Name, Codec = %q, %q; want %q, %q", l.Name, l.Codec, tc.name, tc.codec)
			}
			var got []spec
			for _, r := range l.Video {
				got = append(got, spec{r.Width, r.Height, r.BitrateKbps, r.HDRBitrateKbps, r.MaxFrameRate})
				if r.Codec != tc.codec {
					t.Errorf("%dx%d@%d: codec %q; want %q", r.Width, r.Height, r.BitrateKbps, r.Codec, tc.codec)
				}
				if r.MaxrateKbps != roundKbps(1.5*float64(r.BitrateKbps)) || r.BufsizeKbps != 2*r.BitrateKbps {
					t.Errorf("%dx%d@%d: maxrate %d bufsize %d; want 1.5x and 2x", r.Width, r.Height, r.BitrateKbps, r.MaxrateKbps, r.BufsizeKbps)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("rungs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(DefaultAudio(), l.Audio); diff != "" {
				t.Errorf("audio (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuiltinReturnsCopies(t *testing.T) {
	a := mustBuiltin(t, AppleH264)
	a.Video[0].BitrateKbps = 1
	a.Audio[0].BitrateKbps = 1
	b := mustBuiltin(t, AppleH264)
	if b.Video[0].BitrateKbps != 145 || b.Audio[0].BitrateKbps != 128 {
		t.Errorf("changing one Builtin result changed the next: %+v %+v", b.Video[0], b.Audio[0])
	}
}

func TestBuiltinUnknown(t *testing.T) {
	_, err := Builtin("netflix")
	want := `unknown ladder "netflix": built-in ladders are apple-h264, apple-hevc`
	if err == nil || err.Error() != want {
		t.Fatalf("Builtin = %v; want %q", err, want)
	}
	if !errors.Is(err, ErrUnknownLadder) {
		t.Errorf("errors.Is(%v, ErrUnknownLadder) = false", err)
	}
}
