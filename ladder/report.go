package ladder

import (
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// reportColors are the per-resolution line colours, largest first.
var reportColors = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"}

// WriteReportSVG draws why a per-title ladder is what it is: every probed
// resolution's fitted rate–quality curve with its measured points (in the
// production preset's terms, after calibration), the convex hull as a
// dashed line, and the chosen rungs as red diamonds labelled with their
// size and bit rate. The bit rate axis is logarithmic. l must come from
// PerTitle (or a file it wrote): without an Analysis there is nothing to
// draw.
func WriteReportSVG(w io.Writer, l Ladder) error {
	a := l.Analysis
	if a == nil || len(a.Points) == 0 {
		return errors.New("report: the ladder has no per-title analysis")
	}
	pts := make([]Point, len(a.Points))
	for i, p := range a.Points {
		pts[i] = a.Calibration.Apply(p, a.Preset)
	}
	res, err := groupResolutions(pts)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	const W, H, left, right, top, bottom = 960, 600, 70, 190, 50, 60
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		x := math.Log10(p.BitrateKbps)
		xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
		ylo, yhi = math.Min(ylo, p.Quality), math.Max(yhi, p.Quality)
	}
	for _, r := range a.Rungs {
		x := math.Log10(r.BitrateKbps)
		xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
	}
	if xhi-xlo < 0.1 {
		xlo, xhi = xlo-0.05, xhi+0.05
	}
	if yhi-ylo < 1e-6 {
		ylo, yhi = ylo-1, yhi+1
	}
	pad := (yhi - ylo) * 0.05
	ylo, yhi = ylo-pad, yhi+pad
	px := func(kbps float64) float64 {
		return left + (math.Log10(kbps)-xlo)/(xhi-xlo)*(W-left-right)
	}
	py := func(q float64) float64 { return H - bottom - (q-ylo)/(yhi-ylo)*(H-top-bottom) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", W, H, W, H)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", W, H)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16">%s: %d rungs, %s %s, %d trials</text>`+"\n", left,
		html.EscapeString(l.Name), len(l.Video), strings.ToUpper(a.Metric), html.EscapeString(qualityLabel(a.Metric, a.TopQuality)), a.Trials)
	// Axes and grid.
	fmt.Fprintf(&b, `<g stroke="#ccc">`)
	for _, k := range logTicks(xlo, xhi) {
		x := px(k)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`, x, top, x, H-bottom)
	}
	for _, q := range linTicks(ylo, yhi) {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, left, py(q), W-right, py(q))
	}
	b.WriteString("</g>\n")
	for _, k := range logTicks(xlo, xhi) {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%g</text>`, px(k), H-bottom+16, k)
	}
	for _, q := range linTicks(ylo, yhi) {
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%g</text>`, left-6, py(q)+4, q)
	}
	fmt.Fprintf(&b, "\n"+`<text x="%d" y="%d" text-anchor="middle">bit rate, kbit/s (log)</text>`, (left+W-right)/2, H-16)
	fmt.Fprintf(&b, `<text x="18" y="%d" transform="rotate(-90 18 %d)" text-anchor="middle">%s at %s</text>`+"\n",
		(top+H-bottom)/2, (top+H-bottom)/2, strings.ToUpper(a.Metric), "display size")
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>`+"\n", left, top, W-left-right, H-top-bottom)

	// Curves and points per resolution.
	for i, r := range res {
		col := reportColors[i%len(reportColors)]
		var path []string
		for j := 0; j <= 40; j++ {
			x := r.lo + (r.hi-r.lo)*float64(j)/40
			k := math.Pow(10, x)
			path = append(path, fmt.Sprintf("%.1f,%.1f", px(k), py(r.quality.At(x))))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", col, strings.Join(path, " "))
		for _, p := range pts {
			if p.Width == r.w && p.Height == r.h {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%dx%d crf %g: %.0f kbit/s, %.2f</title></circle>`+"\n",
					px(p.BitrateKbps), py(p.Quality), col, p.Width, p.Height, p.CRF, p.BitrateKbps, p.Quality)
			}
		}
		ly := top + 10 + i*18
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/><text x="%d" y="%d">%dx%d</text>`+"\n",
			W-right+12, ly, W-right+32, ly, col, W-right+38, ly+4, r.w, r.h)
	}
	// Hull.
	var hull []string
	for _, p := range a.Hull {
		hull = append(hull, fmt.Sprintf("%.1f,%.1f", px(p.BitrateKbps), py(p.Quality)))
	}
	if len(hull) > 0 {
		fmt.Fprintf(&b, `<polyline fill="none" stroke="black" stroke-width="1.5" stroke-dasharray="6 4" points="%s"/>`+"\n", strings.Join(hull, " "))
	}
	ly := top + 10 + len(res)*18
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black" stroke-dasharray="6 4"/><text x="%d" y="%d">convex hull</text>`+"\n",
		W-right+12, ly, W-right+32, ly, W-right+38, ly+4)
	// Rungs.
	for _, r := range a.Rungs {
		x, y := px(r.BitrateKbps), py(r.Quality)
		fmt.Fprintf(&b, `<path d="M%.1f %.1fl6 6l-6 6l-6 -6z" fill="#d62728" stroke="white"/>`, x, y-6)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="#d62728">%dp %.0fk crf %g</text>`+"\n", x+8, y+14, min(r.Width, r.Height), r.BitrateKbps, r.CRF)
	}
	ly += 18
	fmt.Fprintf(&b, `<path d="M%d %dl6 6l-6 6l-6 -6z" fill="#d62728"/><text x="%d" y="%d">chosen rung</text>`+"\n", W-right+22, ly-6, W-right+38, ly+4)
	b.WriteString("</svg>\n")
	_, err = io.WriteString(w, b.String())
	return err
}

func qualityLabel(metric string, q float64) string {
	if metric == MetricPSNR {
		return fmt.Sprintf("top %g dB", q)
	}
	return fmt.Sprintf("top %g", q)
}

// logTicks returns 1-2-5 ticks between 10^lo and 10^hi.
func logTicks(lo, hi float64) []float64 {
	var out []float64
	for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if l := math.Log10(v); l >= lo && l <= hi {
				out = append(out, v)
			}
		}
	}
	return out
}

// linTicks returns about six round ticks between lo and hi.
func linTicks(lo, hi float64) []float64 {
	step := math.Pow(10, math.Floor(math.Log10((hi-lo)/5)))
	for (hi-lo)/step > 8 {
		step *= 2
	}
	var out []float64
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	return out
}
