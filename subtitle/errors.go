package subtitle

import (
	"errors"
	"strconv"
)

// Sentinels callers can branch on with errors.Is. Parse errors are
// *ParseError values that wrap one of them.
var (
	// ErrEncoding means a file is not UTF-8 text (nor UTF-16 with a byte
	// order mark, which is converted). The message says what the bytes look
	// like and how to convert them.
	ErrEncoding = errors.New("not UTF-8")
	// ErrEmpty means a file holds no cue.
	ErrEmpty = errors.New("no cues")
	// ErrUnknownFormat means the content is neither WebVTT, SRT nor TTML.
	ErrUnknownFormat = errors.New("unknown subtitle format")
	// ErrSyntax means the file is malformed: no WEBVTT header, text
	// outside any cue, XML that does not parse, a TTML document without
	// a tt root.
	ErrSyntax = errors.New("syntax error")
	// ErrTiming means a cue timing or TTML time expression is malformed,
	// or a cue ends before it starts.
	ErrTiming = errors.New("bad timing")
	// ErrUnsupported means a feature vpack cannot convert faithfully,
	// such as TTML wall-clock time.
	ErrUnsupported = errors.New("unsupported")
	// ErrUnknownLanguage means a language tag's primary subtag is not an
	// ISO 639 code vpack knows.
	ErrUnknownLanguage = errors.New("unknown language code")
)

// ParseError locates a problem in a subtitle file: the file as the caller
// named it and the 1-based line, 0 when the problem has no line (an empty
// file). Its message reads like a compiler's:
//
//	en.vtt:12: cue timing "00:01.000 --> 00:00.500": end before start
type ParseError struct {
	File string
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	s := e.File
	if e.Line > 0 {
		if s == "" {
			s = "line"
		}
		s += ":" + strconv.Itoa(e.Line)
	}
	if s == "" {
		return e.Err.Error()
	}
	return s + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// detailError is a specific message that still matches a sentinel with
// errors.Is, without repeating the sentinel's text: "end before start"
// is an ErrTiming.
type detailError struct {
	msg  string
	kind error
}

func (e *detailError) Error() string { return e.msg }
func (e *detailError) Unwrap() error { return e.kind }

func detail(kind error, msg string) error { return &detailError{msg: msg, kind: kind} }
