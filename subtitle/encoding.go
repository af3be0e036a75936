package subtitle

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeText turns a file's bytes into UTF-8 text with "\n" line endings:
// a UTF-8 byte order mark is dropped, UTF-16 with a byte order mark is
// converted, NUL becomes U+FFFD (as the WebVTT parser requires). Anything
// else that is not valid UTF-8 is an ErrEncoding naming the first bad line
// and how to convert the file.
func decodeText(name string, data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}):
		return "", &ParseError{File: name, Err: fmt.Errorf("%w (UTF-32): convert it with iconv -f UTF-32 -t UTF-8", ErrEncoding)}
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeUTF16(name, data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(name, data[2:], true)
	}
	if looksUTF16(data) {
		return "", &ParseError{File: name, Line: 1, Err: fmt.Errorf(
			"%w (looks like UTF-16 without a byte order mark): convert it with iconv -f UTF-16LE -t UTF-8 (or UTF-16BE)", ErrEncoding)}
	}
	if !utf8.Valid(data) {
		return "", encodingError(name, data)
	}
	return normalizeText(string(data)), nil
}

func decodeUTF16(name string, data []byte, bigEndian bool) (string, error) {
	if len(data)%2 != 0 {
		return "", &ParseError{File: name, Err: fmt.Errorf("%w: UTF-16 with an odd number of bytes (truncated?)", ErrEncoding)}
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	line := 1
	for i := 0; i < len(units); i++ {
		switch u := units[i]; {
		case u == '\n':
			line++
		case u >= 0xD800 && u < 0xDC00 && i+1 < len(units) && units[i+1] >= 0xDC00 && units[i+1] < 0xE000:
			i++ // a surrogate pair
		case u >= 0xD800 && u < 0xE000:
			return "", &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: broken UTF-16 (unpaired surrogate)", ErrEncoding)}
		}
	}
	return normalizeText(string(utf16.Decode(units))), nil
}

// looksUTF16 catches UTF-16 text without a byte order mark: valid UTF-8
// only because it is mostly ASCII, but with a NUL beside every character.
func looksUTF16(data []byte) bool {
	n := min(len(data), 512)
	if n < 4 {
		return false
	}
	nul := bytes.Count(data[:n], []byte{0})
	return nul*3 > n
}

// encodingError describes the first invalid UTF-8 sequence: its line, and
// what the file probably is. Invalid bytes that stand alone between ASCII
// characters are the accented letters of Windows-1252 or Latin-1 (the usual
// case for SRT files); invalid bytes in pairs suggest a double-byte
// encoding such as Shift_JIS, GBK or Big5.
func encodingError(name string, data []byte) error {
	line, first := 1, -1
	var single, paired int
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r != utf8.RuneError || size > 1 {
			if first < 0 && r == '\n' {
				line++
			}
			i += size
			continue
		}
		if first < 0 {
			first = i
		}
		if i+1 < len(data) && data[i+1] >= 0x80 {
			paired++
			i += 2
			continue
		}
		single++
		i++
	}
	err := fmt.Errorf("%w (looks like Windows-1252/Latin-1): convert it with iconv -f WINDOWS-1252 -t UTF-8", ErrEncoding)
	if paired > single {
		err = fmt.Errorf("%w (looks like a double-byte encoding such as Shift_JIS, GBK or Big5): "+
			"convert it with iconv -f <encoding> -t UTF-8", ErrEncoding)
	}
	return &ParseError{File: name, Line: line, Err: err}
}

// normalizeText makes line endings "\n" and replaces NUL with U+FFFD.
func normalizeText(s string) string {
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if strings.ContainsRune(s, 0) {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	return s
}
