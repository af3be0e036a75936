package ladder

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// WriteReportPNG draws the chart WriteReportSVG draws as a PNG picture of
// 960x600 pixels: lines and shapes anti-aliased (golang.org/x/image/vector),
// text in a 7x13 bitmap font, whatever the SVG's font size. Tooltips are
// SVG only.
func WriteReportPNG(w io.Writer, l Ladder) error {
	c, err := newChart(l)
	if err != nil {
		return err
	}
	if err := png.Encode(w, c.raster()); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// raster draws the chart's marks in order.
func (c *chart) raster() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
	for _, m := range c.marks {
		switch m.kind {
		case markPolyline:
			if m.stroke != "" {
				fillShapes(img, strokeShapes(m.points, false, m.strokeWidth, m.dash), hexColor(m.stroke))
			}
		case markPolygon:
			if m.fill != "" {
				fillShapes(img, [][][2]float64{m.points}, hexColor(m.fill))
			}
			if m.stroke != "" {
				fillShapes(img, strokeShapes(m.points, true, m.strokeWidth, m.dash), hexColor(m.stroke))
			}
		case markCircle:
			if m.fill != "" {
				fillShapes(img, [][][2]float64{circle(m.points[0], m.r)}, hexColor(m.fill))
			}
		case markText:
			drawText(img, m)
		}
	}
	return img
}

// hexColor reads "#rrggbb"; anything else is black.
func hexColor(s string) color.RGBA {
	if len(s) == 7 && s[0] == '#' {
		if v, err := strconv.ParseUint(s[1:], 16, 32); err == nil {
			return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
		}
	}
	return color.RGBA{A: 0xff}
}

// fillShapes fills the union of closed shapes, anti-aliased. The shapes
// must all wind the same way (the rasteriser adds up signed coverage).
func fillShapes(img *image.RGBA, shapes [][][2]float64, col color.RGBA) {
	b := img.Bounds()
	z := vector.NewRasterizer(b.Dx(), b.Dy())
	for _, s := range shapes {
		if len(s) < 3 {
			continue
		}
		z.MoveTo(float32(s[0][0]), float32(s[0][1]))
		for _, p := range s[1:] {
			z.LineTo(float32(p[0]), float32(p[1]))
		}
		z.ClosePath()
	}
	z.Draw(img, b, image.NewUniform(col), image.Point{})
}

// circle is a 24-gon wound like strokeShapes' quads.
func circle(c [2]float64, r float64) [][2]float64 {
	const n = 24
	out := make([][2]float64, n)
	for i := range n {
		a := -2 * math.Pi * float64(i) / n
		out[i] = [2]float64{c[0] + r*math.Cos(a), c[1] + r*math.Sin(a)}
	}
	return out
}

// strokeShapes turns a line of the given width (default 1) into shapes to
// fill: a quad per segment and a round join at every inner vertex, all
// wound the same way, so their union is the stroke. dash (on, off, ...)
// cuts the line into dashes first, continuing the pattern across vertices.
func strokeShapes(pts [][2]float64, closed bool, width float64, dash []float64) [][][2]float64 {
	if width <= 0 {
		width = 1
	}
	if closed && len(pts) > 1 {
		pts = append(pts[:len(pts):len(pts)], pts[0])
	}
	var out [][][2]float64
	for _, line := range dashes(pts, dash) {
		hw := width / 2
		for i := 1; i < len(line); i++ {
			a, b := line[i-1], line[i]
			dx, dy := b[0]-a[0], b[1]-a[1]
			l := math.Hypot(dx, dy)
			if l == 0 {
				continue
			}
			nx, ny := -dy/l*hw, dx/l*hw
			out = append(out, [][2]float64{{a[0] + nx, a[1] + ny}, {b[0] + nx, b[1] + ny}, {b[0] - nx, b[1] - ny}, {a[0] - nx, a[1] - ny}})
			if i > 1 && width > 1 {
				out = append(out, circle(a, hw))
			}
		}
	}
	return out
}

// dashes cuts a polyline into its dashes; nil dash is one solid line.
func dashes(pts [][2]float64, dash []float64) [][][2]float64 {
	total := 0.0
	for _, d := range dash {
		total += d
	}
	if len(dash) == 0 || total <= 0 {
		return [][][2]float64{pts}
	}
	var out [][][2]float64
	var cur [][2]float64
	k, left := 0, dash[0] // dash index and what is left of it
	on := func() bool { return k%2 == 0 }
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		l := math.Hypot(b[0]-a[0], b[1]-a[1])
		at := 0.0
		for at < l {
			step := math.Min(left, l-at)
			p := func(t float64) [2]float64 { return [2]float64{a[0] + (b[0]-a[0])*t/l, a[1] + (b[1]-a[1])*t/l} }
			if on() {
				if len(cur) == 0 {
					cur = append(cur, p(at))
				}
				cur = append(cur, p(at+step))
			}
			at += step
			left -= step
			if left <= 1e-9 {
				if on() && len(cur) > 1 {
					out = append(out, cur)
				}
				cur = nil
				k = (k + 1) % len(dash)
				left = dash[k]
			}
		}
	}
	if on() && len(cur) > 1 {
		out = append(out, cur)
	}
	return out
}

// drawText draws a text mark in the 7x13 bitmap font, anchored as SVG
// anchors it: (x, y) is on the baseline at the start, middle or end.
func drawText(img *image.RGBA, m mark) {
	face := basicfont.Face7x13
	w := font.MeasureString(face, m.text).Ceil()
	x, y := m.points[0][0], m.points[0][1]
	shift := 0.0
	switch m.anchor {
	case "middle":
		shift = float64(w) / 2
	case "end":
		shift = float64(w)
	}
	src := image.NewUniform(hexColor(cmp.Or(m.fill, textColor)))
	if !m.vertical {
		d := font.Drawer{Dst: img, Src: src, Face: face, Dot: fixed.P(int(math.Round(x-shift)), int(math.Round(y)))}
		d.DrawString(m.text)
		return
	}
	// Turned 90 degrees counter-clockwise about (x, y): draw level, then
	// copy the pixels turned.
	ascent := face.Metrics().Ascent.Ceil()
	h := face.Metrics().Height.Ceil()
	level := image.NewRGBA(image.Rect(0, 0, w, h))
	d := font.Drawer{Dst: level, Src: src, Face: face, Dot: fixed.P(0, ascent)}
	d.DrawString(m.text)
	x0, y0 := int(math.Round(x))-ascent, int(math.Round(y+shift))
	for v := range h {
		for u := range w {
			// The bitmap font's pixels are on or off: no blending.
			if c := level.RGBAAt(u, v); c.A != 0 {
				img.SetRGBA(x0+v, y0-u, c)
			}
		}
	}
}
