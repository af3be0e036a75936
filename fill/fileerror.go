package fill

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// FileError is an input file (catalog, edges, plan, a package.json a
// catalog names) that cannot be used: malformed JSON, a field out of range,
// a reference to something that does not exist. The CLI maps it to its
// bad-input exit code through InputFile.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return e.File + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// InputFile names the file the user gave.
func (e *FileError) InputFile() string { return e.File }

// ErrEmptyCatalog is wrapped when a catalog lists no title.
var ErrEmptyCatalog = errors.New("catalog lists no title")

// ErrUnknownRendition is wrapped when a catalog, a plan or a previous plan
// names a rendition its title does not have.
var ErrUnknownRendition = errors.New("unknown rendition")

// ErrUnknownTitle is wrapped when a plan names a title the catalog does
// not have.
var ErrUnknownTitle = errors.New("unknown title")

// ErrNegative is wrapped when a size, rate, weight or popularity is below
// zero.
var ErrNegative = errors.New("negative value")

// decodeJSON decodes data into v strictly: unknown fields and trailing
// data are errors, and syntax errors say where (line and column), since
// these files are written by hand as often as by programs.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty file, want a JSON object")
		}
		return jsonError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("line %d: data after the JSON object", lineCol(data, dec.InputOffset())[0])
	}
	return nil
}

func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		p := lineCol(data, se.Offset-1) // Offset is just past the bad byte
		return fmt.Errorf("line %d, column %d: malformed JSON: %w", p[0], p[1], err)
	case errors.As(err, &te):
		p := lineCol(data, te.Offset-1)
		field := te.Field
		if field == "" {
			field = "value"
		}
		return fmt.Errorf("line %d, column %d: %s: want %s, not JSON %s", p[0], p[1], field, te.Type, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("malformed JSON: unexpected end of file: %w", err)
	}
	return err
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) [2]int {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return [2]int{line, col}
}
