package encode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Tool names one of the external programs vpack drives.
type Tool string

const (
	FFmpeg  Tool = "ffmpeg"
	FFprobe Tool = "ffprobe"
)

// Runner runs ffmpeg or ffprobe. It is the only way vpack starts an external
// media tool, so tests can swap in a fake.
//
// Run writes the tool's stdout to stdout (nil discards it). It returns an
// error wrapping ErrToolMissing when the tool cannot be found, a *ToolError
// when it exits non-zero, and ctx.Err() (wrapped) when ctx was cancelled.
type Runner interface {
	Run(ctx context.Context, tool Tool, args []string, stdout io.Writer) error
}

// ErrToolMissing means ffmpeg or ffprobe is not installed or not executable.
var ErrToolMissing = errors.New("not found")

// ToolError is a non-zero exit of ffmpeg or ffprobe.
type ToolError struct {
	Tool       Tool
	Args       []string
	ExitCode   int
	StderrTail string // last lines of stderr, for --debug and for the message
}

func (e *ToolError) Error() string {
	msg := fmt.Sprintf("%s exited with status %d", e.Tool, e.ExitCode)
	if last := lastLine(e.StderrTail); last != "" {
		msg += ": " + last
	}
	return msg
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// InputError is a problem with a file the user gave vpack: missing, empty,
// not media, no video stream. Path names the file; Reason says what is wrong
// in words a user can act on.
type InputError struct {
	Path   string
	Reason string
	Err    error // optional underlying cause
}

func (e *InputError) Error() string { return e.Path + ": " + e.Reason }
func (e *InputError) Unwrap() error { return e.Err }
