package validate

import (
	"fmt"
	"strconv"
	"strings"
)

// templateVars are the values of the identifiers of a SegmentTemplate.
type templateVars struct {
	RepresentationID string
	Bandwidth        uint64
	Number           uint64
	Time             uint64
	HasNumber        bool // $Number$ and $Time$ are allowed (media, not initialization)
}

const maxTemplateWidth = 32

// expandTemplate substitutes the identifiers of ISO/IEC 23009-1 Table 16
// ($$, $RepresentationID$, $Number$, $Bandwidth$, $Time$, with an
// optional %0<width>d format tag on the numeric ones).
func expandTemplate(tmpl string, v templateVars) (string, error) {
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
			return "", fmt.Errorf("unterminated identifier in %q", tmpl)
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
		name, format, hasFormat := strings.Cut(ident, "%")
		width := 0
		if hasFormat {
			w, ok := strings.CutSuffix(format, "d")
			n, err := strconv.Atoi(w)
			if !ok || err != nil || !strings.HasPrefix(w, "0") || n > maxTemplateWidth {
				return "", fmt.Errorf("identifier $%s$: bad format tag (want %%0<width>d)", ident)
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
			return "", fmt.Errorf("identifier $%s$ is not allowed here", ident)
		default:
			return "", fmt.Errorf("unknown identifier $%s$", ident)
		}
		s := strconv.FormatUint(val, 10)
		if len(s) < width {
			s = strings.Repeat("0", width-len(s)) + s
		}
		b.WriteString(s)
	}
}
