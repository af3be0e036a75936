package packager

import (
	"errors"

	"github.com/vpack-dev/vpack/subtitle"
)

// Sentinels callers can branch on with errors.Is. Every error Run returns
// for a bad input is a *RenditionError naming the file and wraps one of
// them (or the os error of a file that cannot be opened).
var (
	// ErrNotMP4 means a file is not an ISO BMFF (MP4) file at all.
	ErrNotMP4 = errors.New("not an MP4 file")
	// ErrTruncated means a box or a sample lies beyond the end of the file.
	ErrTruncated = errors.New("truncated")
	// ErrNoSamples means a file, or one of its tracks, has no media samples.
	ErrNoSamples = errors.New("no samples")
	// ErrUnsupported means the file uses a codec or feature vpack does not
	// package (encrypted input, several sample descriptions, ...).
	ErrUnsupported = errors.New("unsupported")
	// ErrNotAligned means the video renditions do not have keyframes at the
	// same presentation times, so players could not switch between them at
	// segment boundaries.
	ErrNotAligned = errors.New("renditions' keyframes are not aligned")
	// ErrDurationsDiffer means the video renditions do not end together.
	ErrDurationsDiffer = errors.New("renditions' durations differ")
	// ErrOutDirNotEmpty means Config.OutDir exists and holds files.
	ErrOutDirNotEmpty = errors.New("output folder is not empty")
)

// RenditionError blames one input file: it cannot be read, is not a usable
// MP4, or does not line up with the other renditions. Nothing has been
// written when Run returns one.
type RenditionError struct {
	Path string // the input as given in Config.Inputs
	Err  error
}

func (e *RenditionError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *RenditionError) Unwrap() error { return e.Err }

// InputFile names the file at fault; the CLI maps such errors to its
// bad-input exit code.
func (e *RenditionError) InputFile() string { return e.Path }

// KeyError blames the keys of Config.Encryption: no key, or two, for a
// track; a key for no track (CPIX); a key for another scheme; a bad IV.
// Source names where the keys came from (Encryption.KeySource). Nothing
// has been written when Run returns one.
type KeyError struct {
	Source string
	Err    error
}

func (e *KeyError) Error() string {
	if e.Source == "" {
		return "keys: " + e.Err.Error()
	}
	return e.Source + ": " + e.Err.Error()
}
func (e *KeyError) Unwrap() error { return e.Err }

// InputFile names the key source; the CLI maps such errors to its
// bad-input exit code.
func (e *KeyError) InputFile() string { return e.Source }

// SubtitleError blames one subtitle file: it cannot be read, is not
// WebVTT, SRT or TTML, is malformed (a *subtitle.ParseError giving the
// line), or has a bad language. Nothing has been written when Run returns
// one.
type SubtitleError struct {
	Path string // Subtitle.Path
	Err  error
}

// Error is the subtitle.ParseError's message when it names the file
// already ("en.vtt:12: cue timing ..."), else the path and the error.
func (e *SubtitleError) Error() string {
	var pe *subtitle.ParseError
	if errors.As(e.Err, &pe) && pe.File == e.Path {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}
func (e *SubtitleError) Unwrap() error { return e.Err }

// InputFile names the file at fault; the CLI maps such errors to its
// bad-input exit code.
func (e *SubtitleError) InputFile() string { return e.Path }
