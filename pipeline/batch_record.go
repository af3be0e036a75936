package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/vpack-dev/vpack/ladder"
)

// RecordFile is a title's completion record, inside its package folder. It
// is hidden, so push and validate ignore it.
const RecordFile = ".vpack-batch.json"

// recordVersion is the version of the record's schema; a record of another
// version means the title is redone.
const recordVersion = 1

// TitleRecord says that a title's package is complete: written into the
// package before the folder is moved into place, so the folder and its
// record appear together, and rewritten (atomically) when a later step
// (validation, publishing) completes. A title is done when its record
// matches the input (InputSHA256) and the settings (SettingsSHA256) of the
// current run, is validated when a validator is set, and lists the current
// publishing target when one is set.
type TitleRecord struct {
	Version int    `json:"version"`
	ID      string `json:"id"`
	Input   string `json:"input"` // relative to the mezzanine folder
	// InputBytes and InputModTime let a later run trust InputSHA256 without
	// reading the file again when neither changed.
	InputBytes   int64     `json:"input_bytes"`
	InputModTime time.Time `json:"input_mtime"`
	InputSHA256  string    `json:"input_sha256"`
	// SidecarsSHA256 identifies the side-car subtitle files packaged with
	// the title (names and contents; empty when none): adding, changing or
	// removing one makes the title due again.
	SidecarsSHA256 string    `json:"sidecars_sha256,omitempty"`
	SettingsSHA256 string    `json:"settings_sha256"`
	Completed      time.Time `json:"completed"`

	Validated  bool               `json:"validated"`
	Validation *ValidationSummary `json:"validation,omitempty"`
	Published  []string           `json:"published,omitempty"` // targets (URLs) the package was published to

	OutputBytes int64         `json:"output_bytes"`
	Ladder      []ladder.Rung `json:"ladder,omitempty"`
}

// readRecord reads the record in dir. A missing or unreadable record (a
// folder from elsewhere, a damaged file) is nil: the title is not done.
func readRecord(dir string) *TitleRecord {
	data, err := os.ReadFile(filepath.Join(dir, RecordFile))
	if err != nil {
		return nil
	}
	return parseRecord(data)
}

func parseRecord(data []byte) *TitleRecord {
	var r TitleRecord
	if json.Unmarshal(data, &r) != nil || r.Version != recordVersion {
		return nil
	}
	return &r
}

// writeRecord writes rec into dir atomically (temporary file, rename).
func writeRecord(dir string, rec *TitleRecord) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, RecordFile), append(data, '\n'))
}

// writeFileAtomic writes data to a temporary file beside name, syncs it and
// renames it over name, so readers see the old or the new content only.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// inputDigest returns the SHA-256 of the title's input. When rec describes
// the same file (same size and modification time) its hash is trusted, as
// restic and rsync trust unchanged metadata; otherwise the file is read.
func inputDigest(ctx context.Context, t Title, rec *TitleRecord) (string, error) {
	if rec != nil && rec.InputSHA256 != "" && rec.InputBytes == t.Size && rec.InputModTime.Equal(t.ModTime) {
		return rec.InputSHA256, nil
	}
	return hashFile(ctx, t.Path)
}

// sidecarsDigest identifies the side-car subtitles of a title: the SHA-256
// of their names and contents, "" when there are none. They are small, so
// they are always read.
func sidecarsDigest(ctx context.Context, mezzanine string) (string, error) {
	subs, err := SidecarSubtitles(mezzanine)
	if err != nil || len(subs) == 0 {
		return "", err
	}
	h := sha256.New()
	for _, s := range subs {
		d, err := hashFile(ctx, s.Path)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %s\n", filepath.Base(s.Path), d)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashFile returns the hex SHA-256 of a file, checking ctx between chunks.
func hashFile(ctx context.Context, name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("hash %s: %w", name, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// settingsDigest is the SHA-256 of every setting that shapes a package: the
// encode template's fields (all of them, including ones added later, such
// as encryption keys, which are hashed and never stored), without the
// per-title and per-run ones (input, output, force, logger, callbacks), and
// the resolved ladder, so that editing a ladder file redoes the titles.
func settingsDigest(cfg EncodeConfig, lad *ladder.Ladder) (string, error) {
	cfg.Input, cfg.Output, cfg.Force = "", "", false
	cfg.Log, cfg.Progress = nil, nil
	v := map[string]any{
		"version": recordVersion,
		"encode":  canonical(reflect.ValueOf(cfg)),
	}
	if lad != nil {
		v["ladder"] = canonical(reflect.ValueOf(*lad))
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("settings: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// volatileFields are fields, at any depth of the encode template, that
// name things of one machine or run without changing the package: cache
// and work folders, where keys were read from, random sources. Workers
// with other paths must agree on the settings.
var volatileFields = map[string]bool{"CacheDir": true, "NoCache": true, "WorkDir": true, "KeySource": true, "Rand": true}

// canonical turns a value into maps, slices and scalars that encode/json
// writes deterministically (map keys sorted), skipping what has no stable
// value: functions, channels, loggers, nil pointers or interfaces, and
// volatileFields.
func canonical(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Invalid, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return canonical(v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t.UTC().Format(time.RFC3339Nano)
		}
		m := make(map[string]any)
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || volatileFields[f.Name] || f.Type.String() == "*slog.Logger" {
				continue
			}
			if c := canonical(v.Field(i)); c != nil {
				m[f.Name] = c
			}
		}
		return m
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = canonical(v.Index(i))
		}
		return out
	case reflect.Map:
		m := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			m[fmt.Sprint(iter.Key().Interface())] = canonical(iter.Value())
		}
		return m
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.String:
		return v.String()
	case reflect.Complex64, reflect.Complex128:
		return fmt.Sprint(v.Complex())
	}
	return nil
}

// dirBytes is the size of every regular file under dir.
func dirBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
