package ladder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxFileBytes bounds what Parse reads. A ladder file is a few hundred bytes;
// anything near this limit is the wrong file.
const maxFileBytes = 1 << 20

// FileError is a ladder file that cannot be used: unreadable, not JSON, an
// unknown field, or a value that fails validation. It carries where the
// problem is so the message points the user at the line to fix, and so the
// CLI can tell bad input from a vpack failure with errors.As.
//
// Its message reads "path[:line:column]: [field: ]problem", for example
// "my-ladder.json: video[2]: bitrate_kbps must be > 0".
type FileError struct {
	Path   string // the file as named to Load or Parse
	Line   int    // 1-based line of a JSON syntax or type error; 0 when not known
	Column int    // 1-based column (in bytes) on Line; 0 when not known
	// Field is where in the ladder the problem is, e.g. "video[2]",
	// "audio[0]", "codec"; "" for problems of the whole file.
	Field   string
	Problem string // what is wrong, in lowercase
	Err     error  // underlying error (I/O, JSON), or nil for validation problems
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

func (e *FileError) Unwrap() error { return e.Err }

// fileLadder is the JSON ladder file format documented in doc.go. It is kept
// apart from Ladder so the file accepts exactly the documented fields (no
// frame_rate, which only Adapt sets) and can change without touching the
// model encode uses.
type fileLadder struct {
	Name  string     `json:"name"`
	Codec Codec      `json:"codec"`
	Video []fileRung `json:"video"`
	Audio []Audio    `json:"audio"` // nil when absent: default audio; [] means no audio
	// Analysis is what a per-title ladder was chosen from (see
	// Analysis); kept as read, never validated beyond its JSON types.
	Analysis *Analysis `json:"analysis"`
}

type fileRung struct {
	Name           string  `json:"name"`
	Width          int     `json:"width"`
	Height         int     `json:"height"`
	Codec          Codec   `json:"codec"`
	BitrateKbps    int     `json:"bitrate_kbps"`
	HDRBitrateKbps int     `json:"hdr_bitrate_kbps"`
	MaxrateKbps    int     `json:"maxrate_kbps"`
	BufsizeKbps    int     `json:"bufsize_kbps"`
	CRF            float64 `json:"crf"`
	MaxFPS         float64 `json:"max_fps"`
}

// Load reads the JSON ladder file at path; see Parse. Every error it returns
// is a *FileError (a missing file also matches fs.ErrNotExist).
func Load(path string) (Ladder, error) {
	f, err := os.Open(path)
	if err != nil {
		return Ladder{}, &FileError{Path: path, Problem: pathProblem(err), Err: err}
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads a JSON ladder file (format in the package documentation) from
// r. name is the file's name: errors start with it, and the ladder is named
// after it (without directory and ".json") when the file has no "name".
//
// Parsing is strict so a typo cannot silently fall back to a default: unknown
// fields and trailing data are errors, and every value is validated. Zero
// maxrate_kbps and bufsize_kbps become 1.5x and 2x bitrate_kbps, rungs without
// a codec take the ladder's (default h264), and a file without "audio" gets
// DefaultAudio. Every error it returns is a *FileError.
func Parse(r io.Reader, name string) (Ladder, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return Ladder{}, &FileError{Path: name, Problem: pathProblem(err), Err: err}
	}
	if len(data) > maxFileBytes {
		return Ladder{}, &FileError{Path: name, Problem: fmt.Sprintf("is larger than %d bytes; a ladder file is a small JSON object", maxFileBytes)}
	}
	var fl fileLadder
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fl); err != nil {
		return Ladder{}, jsonError(name, data, err)
	}
	end := int(dec.InputOffset())
	if rest := bytes.TrimLeft(data[end:], " \t\r\n"); len(rest) > 0 {
		e := &FileError{Path: name, Problem: "unexpected data after the ladder object"}
		e.Line, e.Column = position(data, len(data)-len(rest))
		return Ladder{}, e
	}

	l := fl.ladder()
	if l.Name == "" && name != "" {
		l.Name = strings.TrimSuffix(filepath.Base(name), ".json")
	}
	if field, problem := check(l); field != "" {
		return Ladder{}, &FileError{Path: name, Field: field, Problem: problem}
	}
	fillDefaults(&l)
	return l, nil
}

func (fl fileLadder) ladder() Ladder {
	l := Ladder{Name: fl.Name, Codec: fl.Codec, Audio: fl.Audio, Analysis: fl.Analysis}
	for _, fr := range fl.Video {
		l.Video = append(l.Video, Rung{
			Name:           fr.Name,
			Width:          fr.Width,
			Height:         fr.Height,
			Codec:          fr.Codec,
			BitrateKbps:    fr.BitrateKbps,
			HDRBitrateKbps: fr.HDRBitrateKbps,
			MaxrateKbps:    fr.MaxrateKbps,
			BufsizeKbps:    fr.BufsizeKbps,
			CRF:            fr.CRF,
			MaxFrameRate:   fr.MaxFPS,
		})
	}
	return l
}

// jsonError turns a decoding error into a FileError with the line and column
// of the problem, so the user can go straight to it.
func jsonError(name string, data []byte, err error) *FileError {
	e := &FileError{Path: name, Err: err}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, including the offending one.
		e.Line, e.Column = position(data, int(syn.Offset)-1)
		e.Problem = "invalid JSON: " + syn.Error()
	case errors.As(err, &typ):
		e.Line, e.Column = position(data, valueStart(data, int(typ.Offset)))
		e.Field = typ.Field
		e.Problem = fmt.Sprintf("want %s, got %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.Line, e.Column = position(data, len(data))
		if len(bytes.TrimSpace(data)) == 0 {
			e.Line, e.Column = 0, 0
			e.Problem = "is empty; want a JSON ladder object"
		} else {
			e.Problem = "invalid JSON: unexpected end of file"
		}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this; find the key in the text.
		key := strings.TrimPrefix(err.Error(), "json: unknown field ")
		e.Line, e.Column = position(data, keyOffset(data, key))
		e.Problem = "unknown field " + key
	default:
		e.Problem = strings.TrimPrefix(err.Error(), "json: ")
	}
	return e
}

// jsonKind names a Go kind the way a JSON author thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "int", "int64", "int32":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "string":
		return "a string"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return kind
}

// valueStart returns the offset where the JSON value ending just before end
// starts, for scalars (strings, numbers, literals); for an object or list it
// returns the offset of its closing bracket.
func valueStart(data []byte, end int) int {
	if end <= 0 || end > len(data) {
		return end
	}
	i := end - 1
	switch data[i] {
	case '}', ']':
		return i
	case '"':
		for i--; i >= 0; i-- {
			if data[i] == '"' && (i == 0 || data[i-1] != '\\') {
				return i
			}
		}
		return 0
	}
	for i > 0 && !strings.ContainsRune(" \t\r\n:,[{", rune(data[i-1])) {
		i--
	}
	return i
}

// keyOffset returns the offset of the first occurrence of quoted (a JSON
// string with its quotes) used as an object key, or -1.
func keyOffset(data []byte, quoted string) int {
	from := 0
	for {
		i := bytes.Index(data[from:], []byte(quoted))
		if i < 0 {
			return -1
		}
		at := from + i
		rest := bytes.TrimLeft(data[at+len(quoted):], " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			return at
		}
		from = at + len(quoted)
	}
}

// position converts a byte offset into a 1-based line and column; it returns
// 0, 0 for an offset outside data.
func position(data []byte, offset int) (line, column int) {
	if offset < 0 || offset > len(data) {
		return 0, 0
	}
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte("\n"))
	column = offset - bytes.LastIndexByte(before, '\n')
	return line, column
}

// pathProblem returns the cause of an I/O error without the path, which
// FileError already prints.
func pathProblem(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
