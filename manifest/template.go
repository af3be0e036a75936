package manifest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// errTemplate is wrapped by segment URIs that no $Number$ template fits.
var errTemplate = errors.New("segment URIs do not follow a numbered pattern")

// numberTemplate finds the DASH SegmentTemplate@media that expands to uris
// (ISO/IEC 23009-1 §5.3.9.4.4): the URIs must differ only in one run of
// decimal digits counting up by one from the first, e.g.
// "video/720p/seg-00001.m4s", "video/720p/seg-00002.m4s" →
// "video/720p/seg-$Number%05d$.m4s" with start 1. A run with a leading zero
// fixes the width; a run without one is written as plain $Number$. Runs in
// the file name are tried before those in folders and the extension (see
// candidateRuns), so "720p" and ".m4s" stay literal.
func numberTemplate(uris []string) (tmpl string, start uint64, err error) {
	if len(uris) == 0 {
		return "", 0, fmt.Errorf("no segments: %w", errTemplate)
	}
	first := uris[0]
	for _, run := range candidateRuns(first) {
		a, b := run[0], run[1]
		digits := first[a:b]
		n, err := strconv.ParseUint(digits, 10, 32) // startNumber is an xs:unsignedInt
		if err != nil {
			continue
		}
		width := 0
		if len(digits) > 1 && digits[0] == '0' {
			width = len(digits)
		}
		prefix, suffix := first[:a], first[b:]
		ok := true
		for j, u := range uris {
			if u != prefix+formatNumber(n+uint64(j), width)+suffix {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		id := "$Number$"
		if width > 0 {
			id = "$Number%0" + strconv.Itoa(width) + "d$"
		}
		return escapeTemplate(prefix) + id + escapeTemplate(suffix), n, nil
	}
	return "", 0, fmt.Errorf("%s, %s…: %w", first, uris[min(1, len(uris)-1)], errTemplate)
}

// candidateRuns lists the digit runs of u in the order numberTemplate
// tries them: those in the file name before its extension first ("seg-00001"
// in "720p/seg-00001.m4s", not the 4 of ".m4s"), last first; then the
// others, last first.
func candidateRuns(u string) [][2]int {
	stemStart := strings.LastIndexByte(u, '/') + 1
	stemEnd := len(u)
	if dot := strings.LastIndexByte(u[stemStart:], '.'); dot > 0 {
		stemEnd = stemStart + dot
	}
	runs := digitRuns(u)
	var stem, other [][2]int
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i][0] >= stemStart && runs[i][1] <= stemEnd {
			stem = append(stem, runs[i])
		} else {
			other = append(other, runs[i])
		}
	}
	return append(stem, other...)
}

// digitRuns returns the [start, end) of each maximal run of ASCII digits.
func digitRuns(s string) [][2]int {
	var runs [][2]int
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	return runs
}

func formatNumber(n uint64, width int) string {
	s := strconv.FormatUint(n, 10)
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

// escapeTemplate escapes "$" as "$$" for a literal part of a template.
func escapeTemplate(s string) string { return strings.ReplaceAll(s, "$", "$$") }

// withRepresentationID replaces the path segments of tmpl equal to id with
// $RepresentationID$, so that representations whose files differ only by
// their ID can share one SegmentTemplate on the AdaptationSet.
func withRepresentationID(tmpl, id string) string {
	if id == "" || strings.ContainsAny(id, "$/") {
		return tmpl
	}
	parts := strings.Split(tmpl, "/")
	for i, p := range parts {
		if p == id {
			parts[i] = "$RepresentationID$"
		}
	}
	return strings.Join(parts, "/")
}

// TemplateVars are the values of the identifiers a SegmentTemplate may use.
type TemplateVars struct {
	RepresentationID string
	Bandwidth        uint64
	Number           uint64
	Time             uint64
	HasNumber        bool // $Number$ and $Time$ are allowed (media, not initialization)
}

// maxTemplateWidth bounds the %0<width>d of a template identifier: no URL
// needs more, and a fuzzed width must not allocate gigabytes.
const maxTemplateWidth = 32

// ExpandTemplate substitutes the identifiers of a SegmentTemplate@media or
// @initialization (ISO/IEC 23009-1 Table 16): $$, $RepresentationID$,
// $Number$, $Bandwidth$ and $Time$, the last three with an optional
// %0<width>d format tag.
func ExpandTemplate(tmpl string, v TemplateVars) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '$')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		b.WriteString(tmpl[:i])
		rest := tmpl[i+1:]
		j := strings.IndexByte(rest, '$')
		if j < 0 {
			return "", fmt.Errorf("template %q: unterminated identifier", tmpl)
		}
		ident := rest[:j]
		tmpl = rest[j+1:]
		if ident == "" {
			b.WriteByte('$')
			continue
		}
		if ident == "RepresentationID" {
			b.WriteString(v.RepresentationID)
			continue
		}
		name, format, _ := strings.Cut(ident, "%")
		width := 0
		if format != "" {
			w, ok := strings.CutSuffix(format, "d")
			n, err := strconv.Atoi(w)
			if !ok || err != nil || !strings.HasPrefix(w, "0") || n > maxTemplateWidth { // %0[width]d
				return "", fmt.Errorf("template identifier $%s$: bad format tag", ident)
			}
			width = n
		}
		var val uint64
		switch {
		case name == "Bandwidth":
			val = v.Bandwidth
		case name == "Number" && v.HasNumber:
			val = v.Number
		case name == "Time" && v.HasNumber:
			val = v.Time
		case name == "Number" || name == "Time":
			return "", fmt.Errorf("template identifier $%s$ not allowed here", ident)
		default:
			return "", fmt.Errorf("template: unknown identifier $%s$", ident)
		}
		b.WriteString(formatNumber(val, width))
	}
}
