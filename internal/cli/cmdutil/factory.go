// Package cmdutil holds what every vpack command shares: the Factory of lazy
// dependencies, IOStreams, global flags, FlagError, JSON output and the
// progress display. Commands (internal/cli/<verb>cmd) import it; it imports
// no command, so the root in internal/cli can import them all.
package cmdutil

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/vpack-dev/vpack/encode"
)

// GlobalFlags are the root command's persistent flags.
type GlobalFlags struct {
	LogLevel  string // debug, info, warn, error
	LogFormat string // text, json
	Quiet     bool   // no progress, only warnings and errors
	JSON      bool   // machine-readable result on stdout
	Debug     bool   // log level debug and full error detail (ffmpeg stderr tail)
}

// Factory hands commands their dependencies, built lazily so that tests can
// replace any of them.
type Factory struct {
	IO     *IOStreams
	Flags  *GlobalFlags
	Now    func() time.Time
	FFmpeg func() (encode.Runner, error)

	logger *slog.Logger
}

// New returns the production factory.
func New(io *IOStreams) *Factory {
	f := &Factory{IO: io, Flags: &GlobalFlags{LogLevel: "info", LogFormat: "text"}, Now: time.Now}
	f.FFmpeg = func() (encode.Runner, error) { return encode.NewExecRunner(f.Logger()), nil }
	return f
}

// Logger returns the slog logger configured by the global flags, writing to
// stderr. It is built on first use, after flags are parsed.
func (f *Factory) Logger() *slog.Logger {
	if f.logger == nil {
		f.logger = NewLogger(f.IO.ErrOut, f.Flags)
	}
	return f.logger
}

// ValidateFlags checks the global flags; the root calls it before any command.
func (g *GlobalFlags) Validate() error {
	if _, err := parseLevel(g.LogLevel); err != nil {
		return err
	}
	switch g.LogFormat {
	case "text", "json":
	default:
		return FlagErrorf("--log-format must be text or json, not %q", g.LogFormat)
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, FlagErrorf("--log-level must be debug, info, warn or error, not %q", s)
}

// NewLogger builds the logger for the flags: text or JSON on w; --quiet
// raises the level to warn, --debug lowers it to debug.
func NewLogger(w io.Writer, g *GlobalFlags) *slog.Logger {
	level, err := parseLevel(g.LogLevel)
	if err != nil {
		level = slog.LevelInfo
	}
	if g.Quiet && level < slog.LevelWarn {
		level = slog.LevelWarn
	}
	if g.Debug {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if g.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// FlagError is a usage problem: bad flag values or combinations, wrong
// number of arguments. The CLI prints the usage after it and exits 2.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf returns a *FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{Err: fmt.Errorf(format, args...)}
}
