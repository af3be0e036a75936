package ladder

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// AutoName is the ladder spec reserved for per-title ladders.
const AutoName = "auto"

var (
	// ErrAutoNotAvailable was returned by Resolve for "auto" before
	// per-title ladders existed. Resolve no longer returns it; it stays so
	// that callers that test for it keep compiling.
	//
	// Deprecated: Resolve returns ErrAutoNeedsSource for "auto".
	ErrAutoNotAvailable = errors.New("per-title ladders (--ladder auto) are not available yet; " +
		"use --ladder apple-h264, --ladder apple-hevc or --ladder path/to/ladder.json")

	// ErrAutoNeedsSource is returned by Resolve for "auto": a per-title
	// ladder is built from trial encodes of one source (PerTitle, driven by
	// pipeline for `vpack encode --ladder auto` and `vpack ladder`), so no
	// ladder can be resolved from the name alone.
	ErrAutoNeedsSource = errors.New("the per-title ladder (auto) is built from the source by trial encodes, not resolved by name")

	// ErrUnknownLadder is returned (wrapped) for a name that is neither a
	// built-in ladder nor an existing file.
	ErrUnknownLadder = errors.New("unknown ladder")
)

// Resolve turns the user's ladder choice (the --ladder flag) into a ladder:
// a built-in name (see BuiltinNames), or the path of a JSON ladder file (see
// Load). Built-in names win over files of the same name; write
// "./apple-h264" to load such a file.
//
// "auto" returns ErrAutoNeedsSource: callers check for AutoName first and
// build the ladder with PerTitle. A spec that is neither a built-in nor
// an existing file returns an error wrapping ErrUnknownLadder that lists the
// built-ins, except that a spec ending in ".json" is taken as a path, so a
// missing file is reported as a *FileError matching fs.ErrNotExist.
func Resolve(spec string) (Ladder, error) {
	switch {
	case spec == AutoName:
		return Ladder{}, ErrAutoNeedsSource
	case builtins[spec] != nil:
		return Builtin(spec)
	case spec == "":
		return Ladder{}, fmt.Errorf("%w: no ladder named; use %s or a .json ladder file", ErrUnknownLadder, strings.Join(BuiltinNames(), ", "))
	}
	if _, err := os.Stat(spec); err == nil || strings.HasSuffix(strings.ToLower(spec), ".json") {
		return Load(spec)
	}
	return Ladder{}, fmt.Errorf("%w %q: not a built-in ladder (%s) and no such file", ErrUnknownLadder, spec, strings.Join(BuiltinNames(), ", "))
}
