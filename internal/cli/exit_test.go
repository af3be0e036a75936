package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/ladder"
	"github.com/vpack-dev/vpack/pipeline"
	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/validate"
)

func TestExitCode(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("movie.mov: %w", err) }
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"unclassified", errors.New("boom"), ExitUnexpected},
		{"flag", cmdutil.FlagErrorf("--codec must be h264"), ExitUsage},
		{"ladder auto", wrap(ladder.ErrAutoNotAvailable), ExitUsage},
		{"unknown ladder", wrap(ladder.ErrUnknownLadder), ExitUsage},
		{"input", wrap(&encode.InputError{Path: "m.mp4", Reason: "empty file (0 bytes)"}), ExitInput},
		{"ladder file", &ladder.FileError{Path: "l.json", Problem: "bad"}, ExitInput},
		{"unusable source", wrap(ladder.ErrUnusableSource), ExitInput},
		{"output exists", &pipeline.OutputError{Path: "out", Err: pipeline.ErrOutputExists}, ExitInput},
		{"tool missing", wrap(fmt.Errorf("ffmpeg %w on PATH", encode.ErrToolMissing)), ExitFFmpeg},
		{"no libvmaf", wrap(encode.ErrVMAFUnavailable), ExitFFmpeg},
		{"tool failed", wrap(&encode.ToolError{Tool: encode.FFmpeg, ExitCode: 1}), ExitFFmpeg},
		{"validation", fmt.Errorf("out: %w", validate.ErrFailed), ExitValidation},
		{"push", fmt.Errorf("push out to s3://b/t: %w", push.ErrFailed), ExitPush},
		{"batch partial", fmt.Errorf("batch: %w", pipeline.ErrTitlesFailed), ExitPartial},
		{"canceled", wrap(context.Canceled), ExitInterrupted},
		{"canceled beats tool error", fmt.Errorf("%w: %w", context.Canceled, &encode.ToolError{}), ExitInterrupted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExitCode(tc.err); got != tc.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	if got := oneLine("a: b\nstack\nmore\n"); got != "a: b …" {
		t.Errorf("oneLine = %q", got)
	}
}
