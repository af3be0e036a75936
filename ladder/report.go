package ladder

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// reportColors are the per-resolution line colours, largest first.
var reportColors = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"}

// Colours of the report's fixed parts.
const (
	rungColor  = "#d62728"
	hullColor  = "#000000"
	gridColor  = "#cccccc"
	frameColor = "#444444"
	textColor  = "#000000"
	paperColor = "#ffffff"
)

// Report layout, in pixels: the picture and the plot area's margins.
const (
	reportW, reportH                                      = 960, 600
	reportLeft, reportRight, reportTop, reportBottom      = 70, 190, 50, 60
	reportFontSize, reportTitleSize, reportLegendLineStep = 12, 16, 18
)

// markKind is what a chart mark draws.
type markKind int

const (
	markPolyline markKind = iota // open line through Points
	markPolygon                  // closed, filled and/or stroked shape
	markCircle                   // centre Points[0], radius R
	markText                     // Text at Points[0] (baseline)
)

// mark is one thing a report draws, in picture coordinates (pixels, y
// down). The SVG and PNG writers draw the same marks in the same order,
// so the two reports are the same chart.
type mark struct {
	kind        markKind
	points      [][2]float64
	r           float64
	fill        string    // "#rrggbb"; "" none
	stroke      string    // "#rrggbb"; "" none
	strokeWidth float64   // default 1
	dash        []float64 // on, off lengths; nil solid
	text        string
	size        float64 // font size, pixels
	anchor      string  // "start" (default), "middle", "end"
	vertical    bool    // text turned 90 degrees counter-clockwise about its point
	title       string  // tooltip (SVG only)
}

// chart is a report laid out: the marks and the axes' mapping.
type chart struct {
	w, h     int
	marks    []mark
	xlo, xhi float64 // log10 kbit/s at the plot's left and right edges
	ylo, yhi float64 // quality at the plot's bottom and top edges
}

// x is the picture column of a bit rate.
func (c *chart) x(kbps float64) float64 {
	return reportLeft + (math.Log10(kbps)-c.xlo)/(c.xhi-c.xlo)*float64(c.w-reportLeft-reportRight)
}

// y is the picture row of a quality.
func (c *chart) y(q float64) float64 {
	return float64(c.h-reportBottom) - (q-c.ylo)/(c.yhi-c.ylo)*float64(c.h-reportTop-reportBottom)
}

func (c *chart) add(m mark) { c.marks = append(c.marks, m) }

func (c *chart) line(x1, y1, x2, y2 float64, color string, width float64, dash []float64) {
	c.add(mark{kind: markPolyline, points: [][2]float64{{x1, y1}, {x2, y2}}, stroke: color, strokeWidth: width, dash: dash})
}

func (c *chart) text(x, y float64, s string, size float64, anchor, color string) {
	c.add(mark{kind: markText, points: [][2]float64{{x, y}}, text: s, size: size, anchor: anchor, fill: color})
}

// diamond is the rung marker: a 12-pixel diamond centred on (x, y).
func diamond(x, y float64) [][2]float64 {
	return [][2]float64{{x, y - 6}, {x + 6, y}, {x, y + 6}, {x - 6, y}}
}

// hullDash is the convex hull's dash pattern.
var hullDash = []float64{6, 4}

// newChart lays out why a per-title ladder is what it is: every probed
// resolution's fitted rate–quality curve with its measured points (in the
// production preset's terms, after calibration), the convex hull as a
// dashed line, and the chosen rungs as red diamonds labelled with their
// size and bit rate, on a logarithmic bit rate axis.
func newChart(l Ladder) (*chart, error) {
	a := l.Analysis
	if a == nil || len(a.Points) == 0 {
		return nil, errors.New("report: the ladder has no per-title analysis")
	}
	pts := make([]Point, len(a.Points))
	for i, p := range a.Points {
		pts[i] = a.Calibration.Apply(p, a.Preset)
	}
	res, err := groupResolutions(pts)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	c := &chart{w: reportW, h: reportH}
	c.xlo, c.xhi = math.Inf(1), math.Inf(-1)
	c.ylo, c.yhi = math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		if !(p.BitrateKbps > 0) || !finite(p.BitrateKbps) || !finite(p.Quality) {
			continue
		}
		x := math.Log10(p.BitrateKbps)
		c.xlo, c.xhi = math.Min(c.xlo, x), math.Max(c.xhi, x)
		c.ylo, c.yhi = math.Min(c.ylo, p.Quality), math.Max(c.yhi, p.Quality)
	}
	for _, r := range a.Rungs {
		if r.BitrateKbps > 0 {
			x := math.Log10(r.BitrateKbps)
			c.xlo, c.xhi = math.Min(c.xlo, x), math.Max(c.xhi, x)
		}
	}
	if c.xhi-c.xlo < 0.1 {
		c.xlo, c.xhi = c.xlo-0.05, c.xhi+0.05
	}
	if c.yhi-c.ylo < 1e-6 {
		c.ylo, c.yhi = c.ylo-1, c.yhi+1
	}
	pad := (c.yhi - c.ylo) * 0.05
	c.ylo, c.yhi = c.ylo-pad, c.yhi+pad

	W, H := float64(c.w), float64(c.h)
	left, right, top, bottom := float64(reportLeft), W-reportRight, float64(reportTop), H-reportBottom
	c.add(mark{kind: markPolygon, points: [][2]float64{{0, 0}, {W, 0}, {W, H}, {0, H}}, fill: paperColor})
	c.text(left, 24, fmt.Sprintf("%s: %d rungs, %s %s, %d trials", l.Name, len(l.Video), strings.ToUpper(a.Metric),
		qualityLabel(a.Metric, a.TopQuality), a.Trials), reportTitleSize, "start", textColor)
	// Axes and grid.
	xticks, yticks := logTicks(c.xlo, c.xhi), linTicks(c.ylo, c.yhi)
	for _, k := range xticks {
		c.line(c.x(k), top, c.x(k), bottom, gridColor, 1, nil)
	}
	for _, q := range yticks {
		c.line(left, c.y(q), right, c.y(q), gridColor, 1, nil)
	}
	for _, k := range xticks {
		c.text(c.x(k), bottom+16, fmt.Sprintf("%g", k), reportFontSize, "middle", textColor)
	}
	for _, q := range yticks {
		c.text(left-6, c.y(q)+4, fmt.Sprintf("%g", q), reportFontSize, "end", textColor)
	}
	c.text((left+right)/2, H-16, "bit rate, kbit/s (log)", reportFontSize, "middle", textColor)
	c.add(mark{kind: markText, points: [][2]float64{{18, (top + bottom) / 2}}, text: strings.ToUpper(a.Metric) + " at display size",
		size: reportFontSize, anchor: "middle", fill: textColor, vertical: true})
	c.add(mark{kind: markPolygon, points: [][2]float64{{left, top}, {right, top}, {right, bottom}, {left, bottom}}, stroke: frameColor})

	// Curves and points per resolution, with a legend.
	for i, r := range res {
		col := reportColors[i%len(reportColors)]
		var path [][2]float64
		for j := 0; j <= 40; j++ {
			x := r.lo + (r.hi-r.lo)*float64(j)/40
			path = append(path, [2]float64{c.x(math.Pow(10, x)), c.y(r.quality.At(x))})
		}
		c.add(mark{kind: markPolyline, points: path, stroke: col, strokeWidth: 2})
		for _, p := range pts {
			if p.Width == r.w && p.Height == r.h && p.BitrateKbps > 0 {
				c.add(mark{kind: markCircle, points: [][2]float64{{c.x(p.BitrateKbps), c.y(p.Quality)}}, r: 3.5, fill: col,
					title: fmt.Sprintf("%dx%d crf %g: %.0f kbit/s, %.2f", p.Width, p.Height, p.CRF, p.BitrateKbps, p.Quality)})
			}
		}
		ly := top + 10 + float64(i*reportLegendLineStep)
		c.line(right+12, ly, right+32, ly, col, 3, nil)
		c.text(right+38, ly+4, fmt.Sprintf("%dx%d", r.w, r.h), reportFontSize, "start", textColor)
	}
	// Hull.
	var hull [][2]float64
	for _, p := range a.Hull {
		if p.BitrateKbps > 0 {
			hull = append(hull, [2]float64{c.x(p.BitrateKbps), c.y(p.Quality)})
		}
	}
	if len(hull) > 0 {
		c.add(mark{kind: markPolyline, points: hull, stroke: hullColor, strokeWidth: 1.5, dash: hullDash})
	}
	ly := top + 10 + float64(len(res)*reportLegendLineStep)
	c.line(right+12, ly, right+32, ly, hullColor, 1, hullDash)
	c.text(right+38, ly+4, "convex hull", reportFontSize, "start", textColor)
	// Rungs.
	for _, r := range a.Rungs {
		if !(r.BitrateKbps > 0) {
			continue
		}
		x, y := c.x(r.BitrateKbps), c.y(r.Quality)
		c.add(mark{kind: markPolygon, points: diamond(x, y), fill: rungColor, stroke: paperColor})
		label := fmt.Sprintf("%dp %.0fk crf %g", min(r.Width, r.Height), r.BitrateKbps, r.CRF)
		// Left of the marker when it would run out of the plot (about 7
		// pixels a character at 12 px).
		if x+8+7*float64(len(label)) > right {
			c.text(x-8, y+14, label, reportFontSize, "end", rungColor)
		} else {
			c.text(x+8, y+14, label, reportFontSize, "start", rungColor)
		}
	}
	ly += reportLegendLineStep
	c.add(mark{kind: markPolygon, points: diamond(right+22, ly), fill: rungColor})
	c.text(right+38, ly+4, "chosen rung", reportFontSize, "start", textColor)
	return c, nil
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
