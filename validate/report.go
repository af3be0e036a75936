package validate

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrFailed is what a failed validation matches with errors.Is: the
// *Report returned by Check when the package has errors (or, strict,
// warnings). The CLI maps it to its "validation failed" exit code.
var ErrFailed = errors.New("validation failed")

// Report is the result of a validation: a list of findings. It is an error
// only when it contains errors: Check returns it (or nil), and its Error
// method summarises it in one line.
type Report struct {
	Target   string    `json:"target"` // what was validated: folder, file or URL
	Findings []Finding `json:"findings"`
	Stats    Stats     `json:"stats"`
}

// Stats counts what a validation read.
type Stats struct {
	Playlists    int   `json:"playlists"`     // HLS playlists read
	MPDs         int   `json:"mpds"`          // MPDs read
	InitSegments int   `json:"init_segments"` // init segments (or single-file headers) read
	Segments     int   `json:"segments"`      // media segments checked
	BytesRead    int64 `json:"bytes_read"`    // bytes read from files or the network
}

// Count returns the number of findings of severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// HasErrors reports whether any finding is an error.
func (r *Report) HasErrors() bool { return r.Count(Error) > 0 }

// HasWarnings reports whether any finding is a warning.
func (r *Report) HasWarnings() bool { return r.Count(Warning) > 0 }

// Check returns r as an error when it has errors, or, when strict, warnings;
// nil otherwise. The result matches ErrFailed with errors.Is.
func (r *Report) Check(strict bool) error {
	if r.HasErrors() || strict && r.HasWarnings() {
		return r
	}
	return nil
}

// Error summarises the report in one line: the counts and the first
// error (or warning).
func (r *Report) Error() string {
	s := "validation failed: " + r.summary()
	for _, sev := range []Severity{Error, Warning} {
		for _, f := range r.Findings {
			if f.Severity == sev {
				return s + "; first: " + f.String()
			}
		}
	}
	return s
}

// Is makes errors.Is(report, ErrFailed) true.
func (r *Report) Is(target error) bool { return target == ErrFailed }

// ByRule returns the findings of one rule.
func (r *Report) ByRule(id string) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Rule == id {
			out = append(out, f)
		}
	}
	return out
}

func (r *Report) summary() string {
	plural := func(n int, what string) string {
		if n == 1 {
			return fmt.Sprintf("1 %s", what)
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	return fmt.Sprintf("%s, %s, %s", plural(r.Count(Error), "error"), plural(r.Count(Warning), "warning"), plural(r.Count(Info), "info"))
}

// MarshalJSON adds the counts to the report's fields.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	findings := r.Findings
	if findings == nil {
		findings = []Finding{}
	}
	return json.Marshal(struct {
		*plain
		Findings []Finding `json:"findings"`
		Errors   int       `json:"errors"`
		Warnings int       `json:"warnings"`
		Infos    int       `json:"infos"`
	}{(*plain)(r), findings, r.Count(Error), r.Count(Warning), r.Count(Info)})
}

// WriteText writes one line per finding (errors first) and a summary line.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, sev := range []Severity{Error, Warning, Info} {
		for _, f := range r.Findings {
			if f.Severity == sev {
				b.WriteString(f.String())
				b.WriteByte('\n')
			}
		}
	}
	fmt.Fprintf(&b, "%s: %s (%d playlists, %d MPDs, %d init segments, %d segments checked)\n",
		r.Target, r.summary(), r.Stats.Playlists, r.Stats.MPDs, r.Stats.InitSegments, r.Stats.Segments)
	_, err := io.WriteString(w, b.String())
	return err
}

// sortFindings orders findings by file, line, element path, box offset,
// sample and rule, and drops exact duplicates (a segment shared by the HLS
// and DASH manifests is reported once).
func sortFindings(fs []Finding) []Finding {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Location.File, b.Location.File),
			cmp.Compare(a.Location.Line, b.Location.Line),
			cmp.Compare(a.Location.Path, b.Location.Path),
			cmp.Compare(a.Location.Offset, b.Location.Offset),
			cmp.Compare(a.Location.Box, b.Location.Box),
			cmp.Compare(a.Location.Sample, b.Location.Sample),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.Compact(fs)
}
