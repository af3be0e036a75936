package ladder

import (
	"cmp"
	"fmt"
	"html"
	"io"
	"strings"
)

// WriteReportSVG draws why a per-title ladder is what it is, as SVG: every
// probed resolution's fitted rate–quality curve with its measured points
// (in the production preset's terms, after calibration; hovering a point
// shows its size, CRF, rate and quality), the convex hull as a dashed
// line, and the chosen rungs as red diamonds labelled with their size and
// bit rate. The bit rate axis is logarithmic. l must come from PerTitle
// (or a file it wrote): without an Analysis there is nothing to draw.
// WriteReportPNG draws the same chart as a picture.
func WriteReportSVG(w io.Writer, l Ladder) error {
	c, err := newChart(l)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, c.svg())
	return err
}

func (c *chart) svg() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="%d">`+"\n",
		c.w, c.h, c.w, c.h, reportFontSize)
	for _, m := range c.marks {
		b.WriteString(m.svg())
		b.WriteByte('\n')
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func (m mark) svg() string {
	paint := func() string {
		var s []string
		s = append(s, fmt.Sprintf(`fill="%s"`, cmp.Or(m.fill, "none")))
		if m.stroke != "" {
			s = append(s, fmt.Sprintf(`stroke="%s"`, m.stroke))
			if m.strokeWidth > 0 && m.strokeWidth != 1 {
				s = append(s, fmt.Sprintf(`stroke-width="%g"`, m.strokeWidth))
			}
			if len(m.dash) > 0 {
				var d []string
				for _, v := range m.dash {
					d = append(d, fmt.Sprintf("%g", v))
				}
				s = append(s, fmt.Sprintf(`stroke-dasharray="%s"`, strings.Join(d, " ")))
			}
		}
		return strings.Join(s, " ")
	}
	title := ""
	if m.title != "" {
		title = "<title>" + html.EscapeString(m.title) + "</title>"
	}
	switch m.kind {
	case markPolyline, markPolygon:
		var ps []string
		for _, p := range m.points {
			ps = append(ps, fmt.Sprintf("%.1f,%.1f", p[0], p[1]))
		}
		tag := "polyline"
		if m.kind == markPolygon {
			tag = "polygon"
		}
		return fmt.Sprintf(`<%s points="%s" %s>%s</%s>`, tag, strings.Join(ps, " "), paint(), title, tag)
	case markCircle:
		return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="%g" %s>%s</circle>`, m.points[0][0], m.points[0][1], m.r, paint(), title)
	case markText:
		x, y := m.points[0][0], m.points[0][1]
		attrs := fmt.Sprintf(`x="%.1f" y="%.1f"`, x, y)
		if m.size != reportFontSize {
			attrs += fmt.Sprintf(` font-size="%g"`, m.size)
		}
		if m.anchor != "" && m.anchor != "start" {
			attrs += fmt.Sprintf(` text-anchor="%s"`, m.anchor)
		}
		if m.fill != "" && m.fill != textColor {
			attrs += fmt.Sprintf(` fill="%s"`, m.fill)
		}
		if m.vertical {
			attrs += fmt.Sprintf(` transform="rotate(-90 %.1f %.1f)"`, x, y)
		}
		return fmt.Sprintf(`<text %s>%s%s</text>`, attrs, html.EscapeString(m.text), title)
	}
	return ""
}
