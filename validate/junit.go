package validate

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteJUnit writes the report as JUnit XML for CI systems: one test case
// per rule of the catalogue (class name: the rule's family, HLS, DASH,
// CMAF...), failed when the rule has errors (or, strict, warnings), with
// every finding of the rule in the failure text or in system-out.
func (r *Report) WriteJUnit(w io.Writer, strict bool) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		SystemOut string   `xml:"system-out,omitempty"`
	}
	type testsuite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName xml.Name    `xml:"testsuites"`
		Suites  []testsuite `xml:"testsuite"`
	}
	suite := testsuite{Name: "vpack validate " + r.Target}
	for _, rule := range catalogue {
		tc := testcase{Name: rule.ID + ": " + rule.Title, Classname: "vpack.validate." + family(rule.ID)}
		var failing, other []string
		worst := Info
		for _, f := range r.Findings {
			if f.Rule != rule.ID {
				continue
			}
			if f.Severity == Error || strict && f.Severity == Warning {
				failing = append(failing, f.String())
				worst = max(worst, f.Severity)
			} else {
				other = append(other, f.String())
			}
		}
		if len(failing) > 0 {
			suite.Failures++
			tc.Failure = &failure{
				Message: fmt.Sprintf("%d finding(s); %s", len(failing), rule.Spec),
				Type:    worst.String(),
				Text:    strings.Join(failing, "\n"),
			}
		}
		tc.SystemOut = strings.Join(other, "\n")
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(testsuites{Suites: []testsuite{suite}}); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// family is the prefix of a rule ID: "HLS" for "HLS-CODECS".
func family(id string) string {
	f, _, _ := strings.Cut(id, "-")
	return f
}
