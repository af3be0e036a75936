package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrOutputExists means the output folder exists and --force was not given.
var ErrOutputExists = errors.New("output folder already exists (use --force to replace it)")

// OutputError is a problem with the output path the user gave.
type OutputError struct {
	Path string
	Err  error
}

func (e *OutputError) Error() string     { return e.Path + ": " + e.Err.Error() }
func (e *OutputError) Unwrap() error     { return e.Err }
func (e *OutputError) InputFile() string { return e.Path }

// tmpPrefix starts every work folder's name, so that a crashed run's
// leftovers are recognisable (hidden, and never named like a result).
const tmpPrefix = ".vpack-tmp-"

// OutDir is a work folder that becomes the output folder only when the run
// completes. Work happens in a hidden temporary folder inside the output's
// parent (same filesystem, so the final rename is atomic); Abort removes it.
// A failed or interrupted run therefore leaves nothing that looks like a
// result.
type OutDir struct {
	Final string // the folder the user asked for
	Work  string // where stages write until Commit
	force bool

	scratch []string // folders from Scratch, removed by Commit and Abort
}

// Scratch returns a new temporary folder beside the work folder for
// intermediate files (encoded renditions) that must not be in the result
// folder while a stage writes it. Commit and Abort remove it.
func (o *OutDir) Scratch(name string) (string, error) {
	dir, err := os.MkdirTemp(filepath.Dir(o.Work), tmpPrefix+name+"-")
	if err != nil {
		return "", fmt.Errorf("create scratch folder: %w", err)
	}
	o.scratch = append(o.scratch, dir)
	return dir, nil
}

func (o *OutDir) removeScratch() error {
	var errs []error
	for _, d := range o.scratch {
		errs = append(errs, os.RemoveAll(d))
	}
	o.scratch = nil
	return errors.Join(errs...)
}

// NewOutDir prepares a work folder for final. An existing final folder is
// refused unless force; it is only replaced at Commit.
func NewOutDir(final string, force bool) (*OutDir, error) {
	final = filepath.Clean(final)
	if fi, err := os.Stat(final); err == nil {
		if !force {
			return nil, &OutputError{Path: final, Err: ErrOutputExists}
		}
		if !fi.IsDir() {
			return nil, &OutputError{Path: final, Err: errors.New("exists and is not a folder")}
		}
	}
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, &OutputError{Path: final, Err: fmt.Errorf("create parent folder: %w", err)}
	}
	work, err := os.MkdirTemp(parent, tmpPrefix+filepath.Base(final)+"-")
	if err != nil {
		return nil, &OutputError{Path: final, Err: fmt.Errorf("create work folder: %w", err)}
	}
	return &OutDir{Final: final, Work: work, force: force}, nil
}

// Commit moves the work folder into place. With force, an existing output
// folder is moved aside first and removed after the new one is in place.
func (o *OutDir) Commit() error {
	if err := o.removeScratch(); err != nil {
		return fmt.Errorf("publish %s: %w", o.Final, err)
	}
	if err := os.Chmod(o.Work, 0o755); err != nil {
		return fmt.Errorf("publish %s: %w", o.Final, err)
	}
	var old string
	if _, err := os.Stat(o.Final); err == nil {
		if !o.force {
			return &OutputError{Path: o.Final, Err: ErrOutputExists}
		}
		old = o.Work + ".old"
		if err := os.Rename(o.Final, old); err != nil {
			return fmt.Errorf("publish %s: move old output aside: %w", o.Final, err)
		}
	}
	if err := os.Rename(o.Work, o.Final); err != nil {
		if old != "" {
			_ = os.Rename(old, o.Final)
		}
		return fmt.Errorf("publish %s: %w", o.Final, err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// Abort removes the work folder. Safe to call after Commit (it is a no-op).
func (o *OutDir) Abort() error {
	err := o.removeScratch()
	if !strings.Contains(filepath.Base(o.Work), tmpPrefix) {
		return err // never remove anything but our own work folder
	}
	return errors.Join(err, os.RemoveAll(o.Work))
}
