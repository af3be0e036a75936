package packager

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/manifest"
)

// synthVideo is n seconds of video at num/den fps in the given timescale
// with a keyframe every keyEvery frames.
func synthVideo(name string, timescale uint32, frameDur uint32, seconds float64, keyEvery int) *srcTrack {
	n := int(seconds * float64(timescale) / float64(frameDur))
	t := synthTrack(manifest.Video, timescale, n, frameDur, keyEvery, func(int) uint32 { return 100 }, nil)
	t.src.name = name
	if err := t.finish(1 << 40); err != nil {
		panic(err)
	}
	return t
}

func synthAudio(name string, seconds float64, shift int64) *srcTrack {
	n := int(seconds*48000/1024) + 1
	t := synthTrack(manifest.Audio, 48000, n, 1024, 1, func(int) uint32 { return 10 }, nil)
	t.src.name = name
	t.shift = shift
	if err := t.finish(1 << 40); err != nil {
		panic(err)
	}
	return t
}

func TestSegmentStarts(t *testing.T) {
	v25 := synthVideo("v25.mp4", 12800, 512, 10, 50)       // keyframes every 2 s
	v12 := synthVideo("v12.mp4", 12800, 1024, 10, 25)      // 12.5 fps, every 2 s
	v90k := synthVideo("v90k.mp4", 90000, 3600, 10, 100)   // 25 fps, every 4 s, other timescale
	v24 := synthVideo("v24.mp4", 24000, 1000, 10, 50)      // 24 fps: 2.083 s GOPs
	short := synthVideo("short.mp4", 12800, 512, 6, 50)    // ends at 6 s
	irregular := synthVideo("odd.mp4", 12800, 512, 10, 37) // 1.48 s GOPs
	audio := synthAudio("a.mp4", 10, -312)                 // Opus-like pre-skip

	tests := []struct {
		name    string
		videos  []*srcTrack
		audios  []*srcTrack
		target  time.Duration
		want    map[string][]int // by file name
		wantErr string
	}{
		{
			name:   "half frame rate aligns",
			videos: []*srcTrack{v25, v12}, target: 4 * time.Second,
			want: map[string][]int{"v25.mp4": {0, 100, 200}, "v12.mp4": {0, 50, 100}},
		},
		{
			name:   "the sparser rendition decides",
			videos: []*srcTrack{v25, v90k}, target: 2 * time.Second,
			want: map[string][]int{"v25.mp4": {0, 100, 200}, "v90k.mp4": {0, 100, 200}},
		},
		{
			name:   "irregular keyframes: first at or after each multiple",
			videos: []*srcTrack{irregular}, target: 4 * time.Second,
			want: map[string][]int{"odd.mp4": {0, 111, 222}}, // 4.44 s, 8.88 s
		},
		{
			name:   "audio at the nearest frame boundary, priming applied",
			videos: []*srcTrack{v25}, audios: []*srcTrack{audio}, target: 4 * time.Second,
			// pts(j) = (1024j - 312)/48000: 4 s falls at j = 187.8, 8 s at j = 375.3.
			want: map[string][]int{"v25.mp4": {0, 100, 200}, "a.mp4": {0, 188, 375}},
		},
		{
			name:   "audio only",
			audios: []*srcTrack{synthAudio("b.mp4", 10, 0)}, target: 3 * time.Second,
			// 3, 6, 9 s fall at j = 140.6, 281.25, 421.9.
			want: map[string][]int{"b.mp4": {0, 141, 281, 422}},
		},
		{
			name:   "24 fps next to 25 fps",
			videos: []*srcTrack{v25, v24}, target: 4 * time.Second,
			wantErr: "v24.mp4: no keyframe at 4.000s where v25.mp4 has one, nearest at 4.167s (renditions' keyframes are not aligned)",
		},
		{
			name:   "a rendition ends early",
			videos: []*srcTrack{v25, short}, target: 4 * time.Second,
			wantErr: "short.mp4: ends at 6.000s but v25.mp4 runs to 10.000s (renditions' durations differ)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			starts, err := segmentStarts(tc.videos, tc.audios, tc.target)
			if tc.wantErr != "" {
				var re *RenditionError
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &re) {
					t.Fatalf("err = %v, want a RenditionError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]int{}
			for tr, s := range starts {
				got[tr.src.name] = s
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("segment starts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFrameRate(t *testing.T) {
	tests := []struct {
		timescale uint32
		durs      []uint32
		want      manifest.Rate
	}{
		{12800, []uint32{512, 512, 512, 100}, manifest.Rate{Num: 25, Den: 1}},
		{90000, []uint32{3003, 3003, 3003}, manifest.Rate{Num: 30000, Den: 1001}},
		{1000, []uint32{33, 34, 33, 33, 34}, manifest.Rate{Num: 1000, Den: 33}},
		{25, []uint32{1}, manifest.Rate{Num: 25, Den: 1}},
	}
	for _, tc := range tests {
		var ss []sample
		for _, d := range tc.durs {
			ss = append(ss, sample{dur: d})
		}
		if got := frameRate(ss, tc.timescale); got != tc.want {
			t.Errorf("frameRate(%v @%d) = %v, want %v", tc.durs, tc.timescale, got, tc.want)
		}
	}
}
