package fill

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
)

// Chart is a line chart of ratios (hit ratio, origin offload: 0 to 1,
// drawn as percentages) against a positive x (edge capacity), one line per
// series: what WriteChartSVG draws.
type Chart struct {
	Title  string
	XLabel string // "edge capacity (% of catalog bytes)"
	YLabel string // "edge hit ratio"
	// XUnit follows each x tick label ("%" gives "5%").
	XUnit string
	// LogX spaces x logarithmically (capacities 5 % to 100 %).
	LogX   bool
	Series []Series
}

// Series is one line of a chart.
type Series struct {
	Name   string
	Points []Point
	Dashed bool
}

// Point is one point of a series; Y is a ratio.
type Point struct{ X, Y float64 }

// CapacityChart makes the hit-ratio-against-capacity chart of a sweep:
// reports[i] is the simulation with every edge holding fractions[i] of the
// catalog's bytes. The plan is solid, the optimum dashed, baselines thin.
func CapacityChart(title string, fractions []float64, reports []*SimReport) Chart {
	c := Chart{Title: title, XLabel: "edge capacity (% of catalog bytes)", YLabel: "edge hit ratio", XUnit: "%", LogX: true}
	for _, name := range []string{PolicyPlan, PolicyOptimum, PolicyYesterday, PolicyPopularity, PolicyLRU} {
		s := Series{Name: name, Dashed: name == PolicyOptimum}
		for i, r := range reports {
			if p := r.Policy(name); p != nil {
				s.Points = append(s.Points, Point{X: 100 * fractions[i], Y: p.HitRatio})
			}
		}
		if len(s.Points) > 0 {
			c.Series = append(c.Series, s)
		}
	}
	return c
}

var chartColors = []string{"#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#d62728", "#8c564b", "#17becf", "#7f7f7f"}

// WriteChartSVG draws c as a standalone SVG 1.1 document: axes with ticks
// at every x of the data and every 10 % of y, gridlines, one polyline
// with markers per series, and a legend. The output depends only on c
// (fixed number formatting), so it can be compared with a golden file.
func WriteChartSVG(w io.Writer, c Chart) error {
	const (
		width, height          = 760, 460
		left, right, top, bott = 70, 190, 50, 70
		plotW, plotH           = width - left - right, height - top - bott
	)
	var xs []float64
	for _, s := range c.Series {
		for _, p := range s.Points {
			if c.LogX && p.X <= 0 {
				return fmt.Errorf("chart %q: series %s: x %v on a log axis", c.Title, s.Name, p.X)
			}
			if math.IsNaN(p.X) || math.IsInf(p.X, 0) || math.IsNaN(p.Y) || math.IsInf(p.Y, 0) {
				return fmt.Errorf("chart %q: series %s: point (%v, %v)", c.Title, s.Name, p.X, p.Y)
			}
			xs = append(xs, p.X)
		}
	}
	if len(xs) == 0 {
		return fmt.Errorf("chart %q: no points", c.Title)
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	tx := func(x float64) float64 { return x }
	if c.LogX {
		tx = math.Log10
	}
	x0, x1 := tx(xs[0]), tx(xs[len(xs)-1])
	if x1 == x0 {
		x0, x1 = x0-1, x1+1
	}
	px := func(x float64) float64 { return left + (tx(x)-x0)/(x1-x0)*plotW }
	py := func(y float64) float64 { return top + (1-min(max(y, 0), 1))*plotH }

	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	esc := html.EscapeString
	p(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	p(`<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	p(`<text x="%d" y="28" font-size="16" font-weight="bold">%s</text>`+"\n", left, esc(c.Title))
	for i := 0; i <= 10; i++ {
		y := py(float64(i) / 10)
		p(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e0e0e0"/>`+"\n", left, y, left+plotW, y)
		p(`<text x="%d" y="%.1f" text-anchor="end">%d%%</text>`+"\n", left-8, y+4, i*10)
	}
	for _, x := range xs {
		X := px(x)
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e0e0e0"/>`+"\n", X, top, X, top+plotH)
		p(`<text x="%.1f" y="%d" text-anchor="middle">%s%s</text>`+"\n", X, top+plotH+18, fmtTick(x), esc(c.XUnit))
	}
	p(`<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>`+"\n", left, top, plotW, plotH)
	p(`<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", left+plotW/2, height-22, esc(c.XLabel))
	p(`<text x="18" y="%d" text-anchor="middle" transform="rotate(-90 18 %d)">%s</text>`+"\n", top+plotH/2, top+plotH/2, esc(c.YLabel))
	for i, s := range c.Series {
		color := chartColors[i%len(chartColors)]
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		pts := slices.Clone(s.Points)
		slices.SortStableFunc(pts, func(a, b Point) int {
			switch {
			case a.X < b.X:
				return -1
			case a.X > b.X:
				return 1
			}
			return 0
		})
		p(`<polyline fill="none" stroke="%s" stroke-width="2"%s points="`, color, dash)
		for j, q := range pts {
			if j > 0 {
				p(" ")
			}
			p("%.1f,%.1f", px(q.X), py(q.Y))
		}
		p(`"/>` + "\n")
		for _, q := range pts {
			p(`<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: %s%s, %.1f%%</title></circle>`+"\n",
				px(q.X), py(q.Y), color, esc(s.Name), fmtTick(q.X), esc(c.XUnit), 100*q.Y)
		}
		ly := top + 10 + 20*i
		p(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", left+plotW+15, ly, left+plotW+40, ly, color, dash)
		p(`<text x="%d" y="%d">%s</text>`+"\n", left+plotW+46, ly+4, esc(s.Name))
	}
	p("</svg>\n")
	return b.Flush()
}

func fmtTick(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return fmt.Sprintf("%d", int64(x))
	}
	return fmt.Sprintf("%.3g", x)
}
