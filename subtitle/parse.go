package subtitle

import (
	"path/filepath"
	"strings"
)

// Parse reads a subtitle file in any format vpack knows, recognised from
// its content: a file starting with the WEBVTT line is WebVTT, one starting
// with "<" is TTML, one whose first cue is a number line and an SRT timing
// line is SRT. Only when the content says nothing (it is malformed) does
// the extension of name choose the parser (.vtt, .srt, .ttml, .xml, .dfxp),
// so that the error is the one that format's parser gives. A .vtt file
// that holds SRT is read as SRT: Document.Format says what was found.
func Parse(name string, data []byte) (*Document, error) {
	text, err := decodeText(name, data)
	if err != nil {
		return nil, err
	}
	switch detect(name, text) {
	case WebVTT:
		return parseWebVTT(name, text, false)
	case SRT:
		return parseSRT(name, text)
	case TTML:
		return parseTTML(name, text, false)
	}
	return nil, &ParseError{File: name, Line: 1, Err: detail(ErrUnknownFormat,
		"unknown subtitle format: not WebVTT (no WEBVTT line), SRT (no cue number and timing line) or TTML (not XML)")}
}

// detect recognises the format of text, "" when it cannot.
func detect(name, text string) Format {
	first, _, _ := strings.Cut(text, "\n")
	if isKeyword(first, "WEBVTT") {
		return WebVTT
	}
	if looksTTML([]byte(text)) {
		return TTML
	}
	ext := strings.ToLower(filepath.Ext(name))
	// An SRT timing line has a comma before the milliseconds; a .vtt file
	// with period timings but no header is a WebVTT file missing its
	// header, and is left to the WebVTT parser to report.
	if timing := srtTimingLine(text); timing != "" && (strings.Contains(timing, ",") || ext != ".vtt") {
		return SRT
	}
	switch ext {
	case ".vtt", ".webvtt":
		return WebVTT
	case ".srt":
		return SRT
	case ".ttml", ".xml", ".dfxp", ".imsc":
		return TTML
	}
	return ""
}

// srtTimingLine returns the timing line of the first SRT cue: the first
// non-blank line when it holds "-->", or the line after it when that one
// is a cue number.
func srtTimingLine(text string) string {
	lines := strings.SplitN(strings.TrimLeft(text, " \t\n"), "\n", 3)
	switch {
	case len(lines) > 0 && strings.Contains(lines[0], "-->"):
		return lines[0]
	case len(lines) > 1 && digits(strings.TrimSpace(lines[0])) && strings.Contains(lines[1], "-->"):
		return lines[1]
	}
	return ""
}
