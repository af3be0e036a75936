package validate

import (
	"fmt"
	"slices"
	"strings"
)

// Severity says how bad a finding is. Only errors make a Report fail (and
// warnings too, with Check(true)); infos describe what was not checked or
// what is unusual but allowed.
type Severity int

const (
	Info Severity = iota
	Warning
	Error
)

var severityNames = [...]string{"info", "warning", "error"}

func (s Severity) String() string {
	if s < Info || s > Error {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes the lower-case name, so JSON reports say "error".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the lower-case name.
func (s *Severity) UnmarshalText(b []byte) error {
	for i, n := range severityNames {
		if strings.EqualFold(string(b), n) {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("unknown severity %q", b)
}

// Rule is one entry of the catalogue: a check with a stable ID, the
// severity of its findings, the clause it enforces and what it means.
// IDs never change meaning; retired rules are not reused.
type Rule struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	// Spec is the clause the rule comes from: "RFC 8216 §4.3.3.1",
	// "ISO/IEC 23009-1 §5.3.9.6", "ISO/IEC 23000-19 §7.3.2.2", "Apple HLS
	// Authoring Specification: bit rates", "ISO/IEC 23001-7 §8.2".
	Spec  string `json:"spec"`
	Title string `json:"title"`
}

// Rules returns the whole catalogue, ordered by ID. The slice is a copy.
func Rules() []Rule {
	out := make([]Rule, len(catalogue))
	copy(out, catalogue)
	return out
}

// LookupRule returns the rule with that ID.
func LookupRule(id string) (Rule, bool) {
	r, ok := ruleIndex[id]
	return r, ok
}

var ruleIndex = func() map[string]Rule {
	slices.SortFunc(catalogue, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	m := make(map[string]Rule, len(catalogue))
	for _, r := range catalogue {
		if _, dup := m[r.ID]; dup {
			panic("validate: duplicate rule " + r.ID)
		}
		m[r.ID] = r
	}
	return m
}()
