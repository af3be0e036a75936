package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/ladder"
	"github.com/vpack-dev/vpack/pipeline"
	"github.com/vpack-dev/vpack/push"
	"github.com/vpack-dev/vpack/validate"
)

// Exit codes, by failure class. Documented in the README; scripts rely on
// them, so they never change meaning.
const (
	ExitOK          = 0   // success
	ExitUnexpected  = 1   // a bug or an environment problem vpack did not classify
	ExitUsage       = 2   // bad flags or arguments; usage is printed
	ExitValidation  = 3   // the output failed validation
	ExitFFmpeg      = 4   // ffmpeg/ffprobe missing, or it failed on input that probed fine
	ExitPush        = 5   // publishing failed after retries
	ExitInput       = 6   // a file the user gave is missing, empty, not media or unusable
	ExitPartial     = 7   // vpack batch: some titles failed, the others are done
	ExitInterrupted = 130 // Ctrl-C / SIGTERM (128 + SIGINT)
)

// ExitCode maps an error from any command to its exit code. Stages know
// nothing about exit codes; this switch is the only place that does.
func ExitCode(err error) int {
	var (
		flagErr   *cmdutil.FlagError
		inputErr  *encode.InputError
		toolErr   *encode.ToolError
		ladderErr *ladder.FileError
	)
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, pipeline.ErrTitlesFailed):
		return ExitPartial
	case errors.As(err, &flagErr), errors.Is(err, ladder.ErrAutoNotAvailable), errors.Is(err, ladder.ErrUnknownLadder):
		return ExitUsage
	case errors.As(err, &inputErr), errors.As(err, &ladderErr), errors.Is(err, ladder.ErrUnusableSource), isInputError(err):
		return ExitInput
	case errors.Is(err, validate.ErrFailed):
		return ExitValidation
	case errors.Is(err, encode.ErrToolMissing), errors.Is(err, encode.ErrVMAFUnavailable), errors.As(err, &toolErr):
		return ExitFFmpeg
	case errors.Is(err, push.ErrFailed):
		return ExitPush
	}
	return ExitUnexpected
}

// inputError is implemented by stage errors that blame a user-supplied file
// (packager.RenditionError, ...), so exit.go needs no list of them all.
type inputError interface{ InputFile() string }

func isInputError(err error) bool {
	var ie inputError
	return errors.As(err, &ie)
}

// oneLine makes sure an error prints as one line whatever a library put in it.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	return s
}
