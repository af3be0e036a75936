package packagecmd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/pipeline"
)

func TestNewCmdPackage(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    PackageOptions
		wantErr string
	}{
		{
			name: "defaults",
			args: []string{"a.mp4", "b.mp4", "-o", "out"},
			want: PackageOptions{Inputs: []string{"a.mp4", "b.mp4"}, Output: "out", SegmentDuration: 4 * time.Second},
		},
		{
			name: "single file dash only",
			args: []string{"a.mp4", "-o", "out", "--single-file", "--dash-only", "--segment-duration", "6s", "--force"},
			want: PackageOptions{Inputs: []string{"a.mp4"}, Output: "out", SegmentDuration: 6 * time.Second, Force: true,
				Package: pipeline.PackageOptions{SingleFile: true, DASHOnly: true}},
		},
		{name: "no output", args: []string{"a.mp4"}, wantErr: "--output (-o) is required"},
		{name: "no inputs", args: []string{"-o", "out"}, wantErr: "at least one rendition file"},
		{name: "both only", args: []string{"a.mp4", "-o", "o", "--hls-only", "--dash-only"}, wantErr: "exclude each other"},
		{name: "short segments", args: []string{"a.mp4", "-o", "o", "--segment-duration", "500ms"}, wantErr: "between 1s and 30s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := cmdutil.Test()
			var got *PackageOptions
			cmd := NewCmdPackage(cmdutil.New(ios), func(_ context.Context, o *PackageOptions) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			err := cmd.Execute()
			if tc.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a FlagError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(PackageOptions{}, "IO", "Factory")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseInput(t *testing.T) {
	tests := map[string]packager.Input{
		"audio.mp4":         {Path: "audio.mp4"},
		"audio.mp4:fr":      {Path: "audio.mp4", Language: "fr"},
		"audio.mp4:pt-BR":   {Path: "audio.mp4", Language: "pt-BR"},
		"dir:x/a.mp4":       {Path: "dir:x/a.mp4"},
		"take:1.mp4":        {Path: "take:1.mp4"},
		"a.mp4:toolonglang": {Path: "a.mp4:toolonglang"},
	}
	for arg, want := range tests {
		if got := parseInput(arg); got != want {
			t.Errorf("parseInput(%q) = %+v, want %+v", arg, got, want)
		}
	}
}
