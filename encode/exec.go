package encode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ExecRunner runs the real ffmpeg and ffprobe binaries.
//
// Cancelling ctx sends ffmpeg an interrupt (SIGINT), which makes it finish the
// files it is writing and exit; after WaitDelay it is killed.
type ExecRunner struct {
	FFmpegPath  string        // default: $VPACK_FFMPEG, else "ffmpeg" on PATH
	FFprobePath string        // default: $VPACK_FFPROBE, else "ffprobe" on PATH
	WaitDelay   time.Duration // default 10s
	Log         *slog.Logger
}

// NewExecRunner returns a runner using VPACK_FFMPEG / VPACK_FFPROBE when set.
func NewExecRunner(log *slog.Logger) *ExecRunner {
	return &ExecRunner{
		FFmpegPath:  os.Getenv("VPACK_FFMPEG"),
		FFprobePath: os.Getenv("VPACK_FFPROBE"),
		Log:         log,
	}
}

// stderrTailBytes bounds how much of a tool's stderr is kept for errors.
const stderrTailBytes = 4096

func (r *ExecRunner) path(tool Tool) string {
	switch {
	case tool == FFmpeg && r.FFmpegPath != "":
		return r.FFmpegPath
	case tool == FFprobe && r.FFprobePath != "":
		return r.FFprobePath
	}
	return string(tool)
}

// LookPath reports whether tool can be run, as an error wrapping ErrToolMissing.
func (r *ExecRunner) LookPath(tool Tool) (string, error) {
	name := r.path(tool)
	p, err := exec.LookPath(name)
	if err != nil {
		if name != string(tool) {
			return "", fmt.Errorf("%s %w at %s (set by VPACK_%s)", tool, ErrToolMissing, name, strings.ToUpper(string(tool)))
		}
		return "", fmt.Errorf("%s %w on PATH (install it: apt-get install ffmpeg, or set VPACK_%s)",
			tool, ErrToolMissing, strings.ToUpper(string(tool)))
	}
	return p, nil
}

// Run implements Runner.
func (r *ExecRunner) Run(ctx context.Context, tool Tool, args []string, stdout io.Writer) error {
	bin, err := r.LookPath(tool)
	if err != nil {
		return err
	}
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = r.WaitDelay
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = 10 * time.Second
	}
	if stdout == nil {
		stdout = io.Discard
	}
	cmd.Stdout = stdout
	tail := &tailBuffer{max: stderrTailBytes}
	cmd.Stderr = tail
	log.Debug("run", "tool", string(tool), "args", strings.Join(args, " "))
	start := time.Now()
	err = cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", tool, ctx.Err())
	}
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return &ToolError{Tool: tool, Args: args, ExitCode: exitErr.ExitCode(), StderrTail: tail.String()}
		}
		return fmt.Errorf("run %s: %w", tool, err)
	}
	log.Debug("done", "tool", string(tool), "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}

// tailBuffer keeps only the last max bytes written to it.
type tailBuffer struct {
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return n, nil
}

func (t *tailBuffer) String() string { return t.buf.String() }
