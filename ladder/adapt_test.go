package ladder

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// row is the part of an adapted rung the table tests pin down; the VBV
// fields are covered by TestAdaptRates.
type row struct {
	Name  string
	W, H  int
	Codec Codec
	Kbps  int
	FPS   Rate
}

func rows(l Ladder) []row {
	var out []row
	for _, r := range l.Video {
		out = append(out, row{r.Name, r.Width, r.Height, r.Codec, r.BitrateKbps, r.FrameRate})
	}
	return out
}

func mustBuiltin(t *testing.T, name string) Ladder {
	t.Helper()
	l, err := Builtin(name)
	if err != nil {
		t.Fatalf("Builtin(%q): %v", name, err)
	}
	return l
}

var (
	fps24    = Rate{24, 1}
	fps23_97 = Rate{24000, 1001}
	fps25    = Rate{25, 1}
	fps29_97 = Rate{30000, 1001}
	fps30    = Rate{30, 1}
	fps50    = Rate{50, 1}
	fps59_94 = Rate{60000, 1001}
	fps60    = Rate{60, 1}
)

func TestAdapt(t *testing.T) {
	tests := []struct {
		name   string
		ladder string // built-in name
		src    Source
		opts   AdaptOptions
		want   []row
	}{
		{
			name:   "720p25 keeps every rung up to its size",
			ladder: AppleH264,
			src:    Source{Width: 1280, Height: 720, FrameRate: fps25},
			want: []row{
				{"720p-4500k", 1280, 720, H264, 4500, fps25},
				{"720p-3000k", 1280, 720, H264, 3000, fps25},
				{"540p-2000k", 960, 540, H264, 2000, fps25},
				{"432p-1100k", 768, 432, H264, 1100, fps25},
				{"432p-730k", 768, 432, H264, 730, fps25},
				{"360p-365k", 640, 360, H264, 365, fps25},
				{"234p-145k", 416, 234, H264, 145, fps25},
			},
		},
		{
			name:   "4:3 square pixels are pillarboxed into the boxes",
			ladder: AppleH264,
			src:    Source{Width: 1440, Height: 1080, FrameRate: fps25},
			want: []row{
				{"1080p-7800k", 1440, 1080, H264, 7800, fps25},
				{"1080p-6000k", 1440, 1080, H264, 6000, fps25},
				{"720p-4500k", 960, 720, H264, 4500, fps25},
				{"720p-3000k", 960, 720, H264, 3000, fps25},
				{"540p-2000k", 720, 540, H264, 2000, fps25},
				{"432p-1100k", 576, 432, H264, 1100, fps25},
				{"432p-730k", 576, 432, H264, 730, fps25},
				{"360p-365k", 480, 360, H264, 365, fps25},
				{"234p-145k", 312, 234, H264, 145, fps25},
			},
		},
		{
			// 720x576 at SAR 64:45 displays as 1024x576: 720p would upscale,
			// and 1024x576 is under 15 % more pixels than 960x540.
			name:   "anamorphic 16:9 PAL tops out at 540p",
			ladder: AppleH264,
			src:    Source{Width: 720, Height: 576, SAR: Rate{64, 45}, FrameRate: fps25},
			want: []row{
				{"540p-2000k", 960, 540, H264, 2000, fps25},
				{"432p-1100k", 768, 432, H264, 1100, fps25},
				{"432p-730k", 768, 432, H264, 730, fps25},
				{"360p-365k", 640, 360, H264, 365, fps25},
				{"234p-145k", 416, 234, H264, 145, fps25},
			},
		},
		{
			name:   "anamorphic HDV 1440x1080 SAR 4:3 is full 1080p",
			ladder: AppleH264,
			src:    Source{Width: 1440, Height: 1080, SAR: Rate{4, 3}, FrameRate: fps29_97},
			want: []row{
				{"1080p-7800k", 1920, 1080, H264, 7800, fps29_97},
				{"1080p-6000k", 1920, 1080, H264, 6000, fps29_97},
				{"720p-4500k", 1280, 720, H264, 4500, fps29_97},
				{"720p-3000k", 1280, 720, H264, 3000, fps29_97},
				{"540p-2000k", 960, 540, H264, 2000, fps29_97},
				{"432p-1100k", 768, 432, H264, 1100, fps29_97},
				{"432p-730k", 768, 432, H264, 730, fps29_97},
				{"360p-365k", 640, 360, H264, 365, fps29_97},
				{"234p-145k", 416, 234, H264, 145, fps29_97},
			},
		},
		{
			name:   "phone video coded landscape with rotation 90 gets portrait rungs",
			ladder: AppleH264,
			src:    Source{Width: 1920, Height: 1080, Rotation: 90, FrameRate: fps30},
			want: []row{
				{"1080p-7800k", 1080, 1920, H264, 7800, fps30},
				{"1080p-6000k", 1080, 1920, H264, 6000, fps30},
				{"720p-4500k", 720, 1280, H264, 4500, fps30},
				{"720p-3000k", 720, 1280, H264, 3000, fps30},
				{"540p-2000k", 540, 960, H264, 2000, fps30},
				{"432p-1100k", 432, 768, H264, 1100, fps30},
				{"432p-730k", 432, 768, H264, 730, fps30},
				{"360p-365k", 360, 640, H264, 365, fps30},
				{"234p-145k", 234, 416, H264, 145, fps30},
			},
		},
		{
			name:   "rotation -90 is 270 and also portrait",
			ladder: AppleH264,
			src:    Source{Width: 1280, Height: 720, Rotation: -90, FrameRate: fps30},
			want: []row{
				{"720p-4500k", 720, 1280, H264, 4500, fps30},
				{"720p-3000k", 720, 1280, H264, 3000, fps30},
				{"540p-2000k", 540, 960, H264, 2000, fps30},
				{"432p-1100k", 432, 768, H264, 1100, fps30},
				{"432p-730k", 432, 768, H264, 730, fps30},
				{"360p-365k", 360, 640, H264, 365, fps30},
				{"234p-145k", 234, 416, H264, 145, fps30},
			},
		},
		{
			name:   "rotation 180 stays landscape",
			ladder: AppleH264,
			src:    Source{Width: 640, Height: 360, Rotation: 180, FrameRate: fps30},
			want: []row{
				{"360p-365k", 640, 360, H264, 365, fps30},
				{"234p-145k", 416, 234, H264, 145, fps30},
			},
		},
		{
			name:   "1080p50: capped rungs at 25, the rest at 50",
			ladder: AppleH264,
			src:    Source{Width: 1920, Height: 1080, FrameRate: fps50},
			want: []row{
				{"1080p-7800k", 1920, 1080, H264, 7800, fps50},
				{"1080p-6000k", 1920, 1080, H264, 6000, fps50},
				{"720p-4500k", 1280, 720, H264, 4500, fps50},
				{"720p-3000k", 1280, 720, H264, 3000, fps50},
				{"540p-2000k", 960, 540, H264, 2000, fps50},
				{"432p-1100k", 768, 432, H264, 1100, fps25},
				{"432p-730k", 768, 432, H264, 730, fps25},
				{"360p-365k", 640, 360, H264, 365, fps25},
				{"234p-145k", 416, 234, H264, 145, fps25},
			},
		},
		{
			name:   "2160p59.94 on apple-h264 tops out at 1080p; capped rungs at 29.97",
			ladder: AppleH264,
			src:    Source{Width: 3840, Height: 2160, FrameRate: fps59_94},
			want: []row{
				{"1080p-7800k", 1920, 1080, H264, 7800, fps59_94},
				{"1080p-6000k", 1920, 1080, H264, 6000, fps59_94},
				{"720p-4500k", 1280, 720, H264, 4500, fps59_94},
				{"720p-3000k", 1280, 720, H264, 3000, fps59_94},
				{"540p-2000k", 960, 540, H264, 2000, fps59_94},
				{"432p-1100k", 768, 432, H264, 1100, fps29_97},
				{"432p-730k", 768, 432, H264, 730, fps29_97},
				{"360p-365k", 640, 360, H264, 365, fps29_97},
				{"234p-145k", 416, 234, H264, 145, fps29_97},
			},
		},
		{
			name:   "2160p59.94 on apple-hevc includes 1440p and 2160p",
			ladder: AppleHEVC,
			src:    Source{Width: 3840, Height: 2160, FrameRate: fps59_94},
			want: []row{
				{"2160p-16800k", 3840, 2160, HEVC, 16800, fps59_94},
				{"2160p-11600k", 3840, 2160, HEVC, 11600, fps59_94},
				{"1440p-8100k", 2560, 1440, HEVC, 8100, fps59_94},
				{"1080p-5800k", 1920, 1080, HEVC, 5800, fps59_94},
				{"1080p-4500k", 1920, 1080, HEVC, 4500, fps59_94},
				{"720p-3400k", 1280, 720, HEVC, 3400, fps59_94},
				{"720p-2400k", 1280, 720, HEVC, 2400, fps59_94},
				{"540p-1600k", 960, 540, HEVC, 1600, fps59_94},
				{"540p-900k", 960, 540, HEVC, 900, fps29_97},
				{"540p-600k", 960, 540, HEVC, 600, fps29_97},
				{"432p-300k", 768, 432, HEVC, 300, fps29_97},
				{"360p-145k", 640, 360, HEVC, 145, fps29_97},
			},
		},
		{
			name:   "HDR source on apple-hevc uses the HDR bit rates",
			ladder: AppleHEVC,
			src:    Source{Width: 3840, Height: 2160, FrameRate: fps23_97, HDR: true},
			want: []row{
				{"2160p-20000k", 3840, 2160, HEVC, 20000, fps23_97},
				{"2160p-13900k", 3840, 2160, HEVC, 13900, fps23_97},
				{"1440p-9700k", 2560, 1440, HEVC, 9700, fps23_97},
				{"1080p-7000k", 1920, 1080, HEVC, 7000, fps23_97},
				{"1080p-5400k", 1920, 1080, HEVC, 5400, fps23_97},
				{"720p-4080k", 1280, 720, HEVC, 4080, fps23_97},
				{"720p-2900k", 1280, 720, HEVC, 2900, fps23_97},
				{"540p-1930k", 960, 540, HEVC, 1930, fps23_97},
				{"540p-1090k", 960, 540, HEVC, 1090, fps23_97},
				{"540p-730k", 960, 540, HEVC, 730, fps23_97},
				{"432p-360k", 768, 432, HEVC, 360, fps23_97},
				{"360p-160k", 640, 360, HEVC, 160, fps23_97},
			},
		},
		{
			name:   "HDR source with --codec h264 keeps the SDR bit rates",
			ladder: AppleHEVC,
			src:    Source{Width: 1280, Height: 720, FrameRate: fps24, HDR: true},
			opts:   AdaptOptions{Codec: H264},
			want: []row{
				{"720p-3400k", 1280, 720, H264, 3400, fps24},
				{"720p-2400k", 1280, 720, H264, 2400, fps24},
				{"540p-1600k", 960, 540, H264, 1600, fps24},
				{"540p-900k", 960, 540, H264, 900, fps24},
				{"540p-600k", 960, 540, H264, 600, fps24},
				{"432p-300k", 768, 432, H264, 300, fps24},
				{"360p-145k", 640, 360, H264, 145, fps24},
			},
		},
		{
			name:   "--codec hevc on apple-h264 only changes the codec",
			ladder: AppleH264,
			src:    Source{Width: 1280, Height: 720, FrameRate: fps60},
			opts:   AdaptOptions{Codec: HEVC},
			want: []row{
				{"720p-4500k", 1280, 720, HEVC, 4500, fps60},
				{"720p-3000k", 1280, 720, HEVC, 3000, fps60},
				{"540p-2000k", 960, 540, HEVC, 2000, fps60},
				{"432p-1100k", 768, 432, HEVC, 1100, fps30},
				{"432p-730k", 768, 432, HEVC, 730, fps30},
				{"360p-365k", 640, 360, HEVC, 365, fps30},
				{"234p-145k", 416, 234, HEVC, 145, fps30},
			},
		},
		{
			// 641x361 is a hair narrower than 16:9: heights stay, widths
			// round to the nearest even number; 768x432 would upscale.
			name:   "odd source size",
			ladder: AppleH264,
			src:    Source{Width: 641, Height: 361, FrameRate: fps25},
			want: []row{
				{"360p-365k", 640, 360, H264, 365, fps25},
				{"234p-145k", 416, 234, H264, 145, fps25},
			},
		},
		{
			// 145 kbit/s * (320*180)/(416*234) = 85.8
			name:   "source smaller than every rung keeps the lowest at source size",
			ladder: AppleH264,
			src:    Source{Width: 320, Height: 180, FrameRate: fps25},
			want: []row{
				{"180p-86k", 320, 180, H264, 86, fps25},
			},
		},
		{
			// 1600x900 has 56 % more pixels than 1280x720, so the lowest
			// 1080p rung is clamped to 1600x900 at 4500 + 0.45*(6000-4500).
			name:   "1600x900 gets a 1600x900 top rung",
			ladder: AppleH264,
			src:    Source{Width: 1600, Height: 900, FrameRate: fps25},
			want: []row{
				{"900p-5175k", 1600, 900, H264, 5175, fps25},
				{"720p-4500k", 1280, 720, H264, 4500, fps25},
				{"720p-3000k", 1280, 720, H264, 3000, fps25},
				{"540p-2000k", 960, 540, H264, 2000, fps25},
				{"432p-1100k", 768, 432, H264, 1100, fps25},
				{"432p-730k", 768, 432, H264, 730, fps25},
				{"360p-365k", 640, 360, H264, 365, fps25},
				{"234p-145k", 416, 234, H264, 145, fps25},
			},
		},
		{
			// 1279x719 cannot hold 1280x720 but has 77 % more pixels than
			// 960x540; the clamped size rounds down to even, and 1278x718 is
			// 99 % of the way from 960x540 (2000) to 1280x720 (3000).
			name:   "clamped size is rounded down to even",
			ladder: AppleH264,
			src:    Source{Width: 1279, Height: 719, FrameRate: fps25},
			want: []row{
				{"718p-2990k", 1278, 718, H264, 2990, fps25},
				{"540p-2000k", 960, 540, H264, 2000, fps25},
				{"432p-1100k", 768, 432, H264, 1100, fps25},
				{"432p-730k", 768, 432, H264, 730, fps25},
				{"360p-365k", 640, 360, H264, 365, fps25},
				{"234p-145k", 416, 234, H264, 145, fps25},
			},
		},
		{
			name:   "2.39:1 scope is letterboxed into the boxes",
			ladder: AppleH264,
			src:    Source{Width: 1920, Height: 804, FrameRate: fps24},
			want: []row{
				{"804p-7800k", 1920, 804, H264, 7800, fps24},
				{"804p-6000k", 1920, 804, H264, 6000, fps24},
				{"536p-4500k", 1280, 536, H264, 4500, fps24},
				{"536p-3000k", 1280, 536, H264, 3000, fps24},
				{"402p-2000k", 960, 402, H264, 2000, fps24},
				{"322p-1100k", 768, 322, H264, 1100, fps24},
				{"322p-730k", 768, 322, H264, 730, fps24},
				{"268p-365k", 640, 268, H264, 365, fps24},
				{"174p-145k", 416, 174, H264, 145, fps24},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Adapt(mustBuiltin(t, tc.ladder), tc.src, tc.opts)
			if err != nil {
				t.Fatalf("Adapt: %v", err)
			}
			if diff := cmp.Diff(tc.want, rows(got)); diff != "" {
				t.Errorf("rungs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAdaptRates checks whole rungs, including the VBV values that move with
// the bit rate (defaults stay 1.5x/2x, explicit values scale).
func TestAdaptRates(t *testing.T) {
	custom := Ladder{Name: "custom", Video: []Rung{
		{Width: 1920, Height: 1080, Codec: HEVC, BitrateKbps: 4000, HDRBitrateKbps: 5000, MaxrateKbps: 8000, BufsizeKbps: 4000, CRF: 24},
		{Width: 1280, Height: 720, Codec: HEVC, BitrateKbps: 2000, MaxFrameRate: 30},
	}}
	tests := []struct {
		name   string
		ladder Ladder
		src    Source
		want   []Rung
	}{
		{
			name:   "HDR rates scale explicit VBV values and keep defaults",
			ladder: custom,
			src:    Source{Width: 1920, Height: 1080, FrameRate: fps60, HDR: true},
			want: []Rung{
				{Name: "1080p-5000k", Width: 1920, Height: 1080, Codec: HEVC, BitrateKbps: 5000, MaxrateKbps: 10000, BufsizeKbps: 5000, CRF: 24, FrameRate: fps60},
				{Name: "720p-2000k", Width: 1280, Height: 720, Codec: HEVC, BitrateKbps: 2000, MaxrateKbps: 3000, BufsizeKbps: 4000, MaxFrameRate: 30, FrameRate: fps30},
			},
		},
		{
			name:   "clamped rung keeps the default VBV factors",
			ladder: mustBuiltin(t, AppleH264),
			src:    Source{Width: 320, Height: 180, FrameRate: fps59_94},
			want: []Rung{
				{Name: "180p-86k", Width: 320, Height: 180, Codec: H264, BitrateKbps: 86, MaxrateKbps: 129, BufsizeKbps: 172, MaxFrameRate: 30, FrameRate: fps29_97},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Adapt(tc.ladder, tc.src, AdaptOptions{})
			if err != nil {
				t.Fatalf("Adapt: %v", err)
			}
			if diff := cmp.Diff(tc.want, got.Video); diff != "" {
				t.Errorf("rungs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAdaptCustom covers rules the built-in ladders never hit: duplicates,
// mixed codecs, name collisions and names set by the user.
func TestAdaptCustom(t *testing.T) {
	tests := []struct {
		name   string
		ladder Ladder
		src    Source
		want   []row
	}{
		{
			// Both boxes fit a 4:3 source as 1440x1080; 5600 is within 10 %
			// of 6000 so only 6000 stays. 4000 is not, so it stays too.
			name: "duplicates within 10 % keep the higher bit rate",
			ladder: Ladder{Video: []Rung{
				{Width: 1440, Height: 1080, BitrateKbps: 5600},
				{Width: 1920, Height: 1080, BitrateKbps: 6000},
				{Width: 1920, Height: 1080, BitrateKbps: 4000},
			}},
			src: Source{Width: 1440, Height: 1080, FrameRate: fps25},
			want: []row{
				{"1080p-6000k", 1440, 1080, H264, 6000, fps25},
				{"1080p-4000k", 1440, 1080, H264, 4000, fps25},
			},
		},
		{
			name: "same size and rate at different frame rates are not duplicates",
			ladder: Ladder{Video: []Rung{
				{Width: 1280, Height: 720, BitrateKbps: 3000, MaxFrameRate: 30},
				{Width: 1280, Height: 720, BitrateKbps: 3000},
			}},
			src: Source{Width: 1280, Height: 720, FrameRate: fps60},
			want: []row{
				{"720p-3000k", 1280, 720, H264, 3000, fps60},
				{"720p-3000k-2", 1280, 720, H264, 3000, fps30},
			},
		},
		{
			name: "mixed codecs get a codec suffix",
			ladder: Ladder{Codec: HEVC, Video: []Rung{
				{Width: 1920, Height: 1080, BitrateKbps: 4500},
				{Width: 1920, Height: 1080, BitrateKbps: 6000, Codec: H264},
				{Width: 640, Height: 360, BitrateKbps: 300, Codec: AV1},
			}},
			src: Source{Width: 1920, Height: 1080, FrameRate: fps25},
			want: []row{
				{"1080p-6000k-h264", 1920, 1080, H264, 6000, fps25},
				{"1080p-4500k-hevc", 1920, 1080, HEVC, 4500, fps25},
				{"360p-300k-av1", 640, 360, AV1, 300, fps25},
			},
		},
		{
			name: "user names are kept and generated names avoid them",
			ladder: Ladder{Video: []Rung{
				{Width: 1280, Height: 720, BitrateKbps: 3000, Name: "360p-365k"},
				{Width: 640, Height: 360, BitrateKbps: 365},
			}},
			src: Source{Width: 1280, Height: 720, FrameRate: fps25},
			want: []row{
				{"360p-365k", 1280, 720, H264, 3000, fps25},
				{"360p-365k-2", 640, 360, H264, 365, fps25},
			},
		},
		{
			name: "square box holds a portrait source",
			ladder: Ladder{Video: []Rung{
				{Width: 1080, Height: 1080, BitrateKbps: 4000},
			}},
			src: Source{Width: 1080, Height: 1920, FrameRate: fps30},
			want: []row{
				{"608p-4000k", 608, 1080, H264, 4000, fps30},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Adapt(tc.ladder, tc.src, AdaptOptions{})
			if err != nil {
				t.Fatalf("Adapt: %v", err)
			}
			if diff := cmp.Diff(tc.want, rows(got)); diff != "" {
				t.Errorf("rungs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAdaptLadderFields(t *testing.T) {
	in := mustBuiltin(t, AppleHEVC)
	in.Audio = nil
	before := mustBuiltin(t, AppleHEVC)
	before.Audio = nil

	got, err := Adapt(in, Source{Width: 1920, Height: 1080, FrameRate: fps25, HDR: true}, AdaptOptions{Codec: AV1})
	if err != nil {
		t.Fatalf("Adapt: %v", err)
	}
	if diff := cmp.Diff(before, in); diff != "" {
		t.Errorf("Adapt modified its input (-before +after):\n%s", diff)
	}
	if got.Name != AppleHEVC || got.Codec != AV1 {
		t.Errorf("Name, Codec = %q, %q; want %q, %q", got.Name, got.Codec, AppleHEVC, AV1)
	}
	if diff := cmp.Diff(DefaultAudio(), got.Audio); diff != "" {
		t.Errorf("Audio (-want +got):\n%s", diff)
	}
	for _, r := range got.Video {
		if r.HDRBitrateKbps != 0 {
			t.Errorf("%s: HDRBitrateKbps = %d after Adapt; want 0", r.Name, r.HDRBitrateKbps)
		}
	}
	// AV1 carries HDR, so the top rung uses Apple's HEVC HDR rate.
	if got.Video[0].BitrateKbps != 7000 {
		t.Errorf("top rung %d kbit/s; want the HDR rate 7000", got.Video[0].BitrateKbps)
	}
}

func TestAdaptErrors(t *testing.T) {
	h264 := mustBuiltin(t, AppleH264)
	tests := []struct {
		name    string
		ladder  Ladder
		src     Source
		opts    AdaptOptions
		wantErr string
		wantIs  error
	}{
		{
			name:    "no size",
			ladder:  h264,
			src:     Source{FrameRate: fps25},
			wantErr: "unusable source video: size 0x0 is unknown",
			wantIs:  ErrUnusableSource,
		},
		{
			name:    "no frame rate",
			ladder:  h264,
			src:     Source{Width: 1280, Height: 720, FrameRate: Rate{0, 0}},
			wantErr: "unusable source video: frame rate 0/0 is unknown",
			wantIs:  ErrUnusableSource,
		},
		{
			name:    "time base instead of frame rate",
			ladder:  h264,
			src:     Source{Width: 1280, Height: 720, FrameRate: Rate{90000, 1}},
			wantErr: "unusable source video: frame rate 90000 is above 1000 fps",
			wantIs:  ErrUnusableSource,
		},
		{
			name:    "odd rotation",
			ladder:  h264,
			src:     Source{Width: 1280, Height: 720, Rotation: 45, FrameRate: fps25},
			wantErr: "unusable source video: rotation 45 is not a multiple of 90 degrees",
			wantIs:  ErrUnusableSource,
		},
		{
			name:    "negative SAR",
			ladder:  h264,
			src:     Source{Width: 1280, Height: 720, SAR: Rate{-1, 1}, FrameRate: fps25},
			wantErr: "unusable source video: sample aspect ratio -1:1 is negative",
			wantIs:  ErrUnusableSource,
		},
		{
			name:    "tiny display size",
			ladder:  h264,
			src:     Source{Width: 1, Height: 1, FrameRate: fps25},
			wantErr: "unusable source video: display size 1x1 is too small",
			wantIs:  ErrUnusableSource,
		},
		{
			name:    "audio codec as --codec",
			ladder:  h264,
			src:     Source{Width: 1280, Height: 720, FrameRate: fps25},
			opts:    AdaptOptions{Codec: AAC},
			wantErr: `adapt ladder apple-h264: codec "aac" is not a video codec vpack encodes (h264, hevc, av1)`,
		},
		{
			name:    "empty ladder",
			ladder:  Ladder{Name: "empty"},
			src:     Source{Width: 1280, Height: 720, FrameRate: fps25},
			wantErr: "adapt ladder empty: video: must have at least one rung",
		},
		{
			name:    "CRF out of range for the overriding codec",
			ladder:  Ladder{Name: "av1", Video: []Rung{{Width: 1280, Height: 720, BitrateKbps: 2000, Codec: AV1, CRF: 60}}},
			src:     Source{Width: 1280, Height: 720, FrameRate: fps25},
			opts:    AdaptOptions{Codec: H264},
			wantErr: "adapt ladder av1: video[0]: crf 60 is out of range 0-51 for h264 (0 means no CRF)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Adapt(tc.ladder, tc.src, tc.opts)
			if err == nil {
				t.Fatalf("Adapt: no error; want %q", tc.wantErr)
			}
			if diff := cmp.Diff(tc.wantErr, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.wantIs)
			}
		})
	}
}

func TestCapRate(t *testing.T) {
	tests := []struct {
		src    Rate
		maxFPS float64
		want   Rate
	}{
		{fps25, 0, fps25},
		{fps24, 30, fps24},
		{fps25, 30, fps25},
		{fps29_97, 30, fps29_97},
		{fps29_97, 29.97, fps29_97}, // within 0.1 %
		{fps30, 30, fps30},
		{fps50, 30, fps25},
		{Rate{48, 1}, 30, fps24},
		{fps59_94, 30, fps29_97},
		{fps60, 30, fps30},
		{Rate{100, 1}, 30, fps25},
		{Rate{120, 1}, 30, fps30},
		{Rate{120000, 1001}, 30, fps29_97},
		{fps60, 24, Rate{20, 1}},
	}
	for _, tc := range tests {
		got := capRate(tc.src, tc.maxFPS)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("capRate(%v, %g) (-want +got):\n%s", tc.src, tc.maxFPS, diff)
		}
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		name       string
		boxW, boxH int
		dw, dh     float64
		wantW      int
		wantH      int
	}{
		{"16:9 in 16:9", 1920, 1080, 1920, 1080, 1920, 1080},
		{"4:3 pillarboxed", 1920, 1080, 4, 3, 1440, 1080},
		{"2.39:1 letterboxed", 1920, 1080, 2.39, 1, 1920, 804},
		{"9:16 in a turned box", 1080, 1920, 1080, 1920, 1080, 1920},
		{"rounds to nearest even", 416, 234, 641, 361, 416, 234},
		{"never 0", 416, 234, 10000, 1, 416, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, h := fit(tc.boxW, tc.boxH, tc.dw, tc.dh)
			if w != tc.wantW || h != tc.wantH {
				t.Errorf("fit = %dx%d; want %dx%d", w, h, tc.wantW, tc.wantH)
			}
		})
	}
}

func TestSourceDisplaySize(t *testing.T) {
	tests := []struct {
		name         string
		src          Source
		wantW, wantH int
	}{
		{"square", Source{Width: 1920, Height: 1080}, 1920, 1080},
		{"unknown SAR 0:1 is square", Source{Width: 1920, Height: 1080, SAR: Rate{0, 1}}, 1920, 1080},
		{"PAL 16:9", Source{Width: 720, Height: 576, SAR: Rate{64, 45}}, 1024, 576},
		{"HDV", Source{Width: 1440, Height: 1080, SAR: Rate{4, 3}}, 1920, 1080},
		{"rotated 90", Source{Width: 1920, Height: 1080, Rotation: 90}, 1080, 1920},
		{"rotated 270 anamorphic", Source{Width: 720, Height: 576, SAR: Rate{64, 45}, Rotation: 270}, 576, 1024},
		{"rotated 450 is 90", Source{Width: 1920, Height: 1080, Rotation: 450}, 1080, 1920},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, h := tc.src.DisplaySize()
			if w != tc.wantW || h != tc.wantH {
				t.Errorf("DisplaySize = %dx%d; want %dx%d", w, h, tc.wantW, tc.wantH)
			}
		})
	}
}
