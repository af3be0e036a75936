package pipeline

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes the report as indented JSON (the --report file).
func (r *BatchReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteJUnit writes the report as JUnit XML, one test case per title
// (class name vpack.batch, name the title ID, time its duration), so that
// CI systems list the titles: a failed title is a failure with its error
// as the message and its stage and log tail as the text; a title skipped
// as done earlier, left to another worker or cancelled is a skipped case
// with the reason.
func (r *BatchReport) WriteJUnit(w io.Writer) error {
	type result struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string  `xml:"name,attr"`
		Classname string  `xml:"classname,attr"`
		Time      string  `xml:"time,attr"`
		File      string  `xml:"file,attr,omitempty"`
		Failure   *result `xml:"failure,omitempty"`
		Skipped   *result `xml:"skipped,omitempty"`
		SystemOut string  `xml:"system-out,omitempty"`
	}
	type testsuite struct {
		XMLName   xml.Name   `xml:"testsuite"`
		Name      string     `xml:"name,attr"`
		Tests     int        `xml:"tests,attr"`
		Failures  int        `xml:"failures,attr"`
		Errors    int        `xml:"errors,attr"`
		Skipped   int        `xml:"skipped,attr"`
		Time      string     `xml:"time,attr"`
		Timestamp string     `xml:"timestamp,attr"`
		Cases     []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName xml.Name    `xml:"testsuites"`
		Name    string      `xml:"name,attr"`
		Tests   int         `xml:"tests,attr"`
		Failure int         `xml:"failures,attr"`
		Time    string      `xml:"time,attr"`
		Suites  []testsuite `xml:"testsuite"`
	}
	secs := func(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }
	suite := testsuite{
		Name:      fmt.Sprintf("vpack batch %s (shard %s)", r.Input, r.Shard),
		Time:      secs(r.DurationMs),
		Timestamp: r.Started.Format("2006-01-02T15:04:05"),
	}
	for _, t := range r.Titles {
		tc := testcase{Name: t.ID, Classname: "vpack.batch", Time: secs(t.DurationMs), File: t.Input}
		switch t.Status {
		case StatusFailed:
			suite.Failures++
			f := t.Failure
			if f == nil {
				f = &TitleFailure{}
			}
			text := "stage: " + f.Stage
			if f.LogTail != "" {
				text += "\n" + f.LogTail
			}
			tc.Failure = &result{Message: f.Error, Type: f.Stage, Text: text}
		case StatusSkipped, StatusBusy, StatusCancelled:
			suite.Skipped++
			tc.Skipped = &result{Message: string(t.Status) + ": " + t.Reason}
		default:
			tc.SystemOut = titleSummary(t)
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
	all := testsuites{Name: "vpack batch", Tests: suite.Tests, Failure: suite.Failures, Time: suite.Time,
		Suites: []testsuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// titleSummary is a done title's system-out: output, bytes, ladder.
func titleSummary(t TitleReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "output %s, %d bytes, %.1f CPU seconds", t.Output, t.OutputBytes, t.CPUSeconds)
	for _, r := range t.Ladder {
		fmt.Fprintf(&b, "\n%s %dx%d %d kbit/s", r.Name, r.Width, r.Height, r.BitrateKbps)
	}
	return b.String()
}
