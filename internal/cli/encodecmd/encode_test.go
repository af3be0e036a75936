package encodecmd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/pipeline"
)

func TestNewCmdEncode(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    EncodeOptions
		wantErr string
	}{
		{
			name: "defaults",
			args: []string{"movie.mov", "-o", "out"},
			want: EncodeOptions{Input: "movie.mov", Output: "out", Ladder: "auto", Preset: "medium",
				SegmentDuration: 4 * time.Second, AudioCodec: "aac", Surround: "none",
				Thumbnails: cmdutil.ThumbnailFlags{Size: "320x0", Grid: "5x5"}},
		},
		{
			name: "subtitles and thumbnails",
			args: []string{"movie.mov", "-o", "out", "--subtitles", "en=en.vtt", "--subtitles", "de:forced=de.srt",
				"--subtitle-format", "stpp", "--thumbnails", "10s", "--thumbnail-size", "320x180", "--no-source-subtitles"},
			want: EncodeOptions{Input: "movie.mov", Output: "out", Ladder: "auto", Preset: "medium",
				SegmentDuration: 4 * time.Second, AudioCodec: "aac", Surround: "none", NoSourceSubtitles: true,
				Subtitles:       cmdutil.SubtitleFlags{Values: []string{"en=en.vtt", "de:forced=de.srt"}, Format: "stpp"},
				Thumbnails:      cmdutil.ThumbnailFlags{Interval: 10 * time.Second, Size: "320x180", Grid: "5x5"},
				ThumbnailConfig: &encode.ThumbnailConfig{Interval: 10 * time.Second, Width: 320, Height: 180, Cols: 5, Rows: 5},
				Package: pipeline.PackageOptions{SubtitleFormat: packager.SubtitleSTPP, Subtitles: []packager.Subtitle{
					{Path: "en.vtt", Language: "en"}, {Path: "de.srt", Language: "de", Forced: true}}}},
		},
		{name: "bad subtitle flag", args: []string{"m.mov", "-o", "o", "--subtitles", "klingon=k.vtt"}, wantErr: `unknown language code "klingon"`},
		{name: "bad thumbnail size", args: []string{"m.mov", "-o", "o", "--thumbnails", "5s", "--thumbnail-size", "big"}, wantErr: "--thumbnail-size must be"},
		{
			name: "everything",
			args: []string{"movie.mov", "--output", "o", "--ladder", "l.json", "--codec", "hevc", "--preset", "slow",
				"--segment-duration", "6s", "--audio-codec", "opus", "--surround", "eac3", "--force"},
			want: EncodeOptions{Input: "movie.mov", Output: "o", Ladder: "l.json", Codec: "hevc", Preset: "slow",
				SegmentDuration: 6 * time.Second, AudioCodec: "opus", Surround: "eac3", Force: true,
				Thumbnails: cmdutil.ThumbnailFlags{Size: "320x0", Grid: "5x5"}},
		},
		{name: "no output", args: []string{"movie.mov"}, wantErr: "--output (-o) is required"},
		{name: "output is input", args: []string{"movie.mov", "-o", "movie.mov"}, wantErr: "--output must be a folder, not the input file"},
		{name: "bad codec", args: []string{"m.mov", "-o", "o", "--codec", "vp9"}, wantErr: `--codec must be h264, hevc or av1, not "vp9"`},
		{name: "segment too long", args: []string{"m.mov", "-o", "o", "--segment-duration", "1m"}, wantErr: "--segment-duration must be between 1s and 30s, not 1m0s"},
		{name: "bad audio", args: []string{"m.mov", "-o", "o", "--audio-codec", "mp3"}, wantErr: `--audio-codec must be aac or opus, not "mp3"`},
		{name: "bad surround", args: []string{"m.mov", "-o", "o", "--surround", "dts"}, wantErr: `--surround must be eac3 or none, not "dts"`},
		{name: "two inputs", args: []string{"a.mov", "b.mov", "-o", "o"}, wantErr: "expected one input file, got 2 argument(s)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			f := cmdutil.New(ios)
			var got *EncodeOptions
			cmd := NewCmdEncode(f, func(_ context.Context, o *EncodeOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tc.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) {
					t.Fatalf("err = %v, want a FlagError", err)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %q, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(EncodeOptions{}, "IO", "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}
