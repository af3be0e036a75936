package ladder

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
)

// reportLadder is a per-title ladder whose chart axes are round: bit rates
// 100-10000 kbit/s (log10 2-4 across the plot's 700 pixels), qualities
// 50-90 (48-92 with the 5 % margin, over 490 pixels).
func reportLadder() Ladder {
	k := math.Sqrt(10) * 1000 // 3162 kbit/s, log10 3.5: the plot's x = 595
	points := []Point{
		pt(1920, 1080, 20, 10000, 90), pt(1920, 1080, 26, k, 85), pt(1920, 1080, 32, 1000, 75),
		pt(1280, 720, 26, k, 60), pt(1280, 720, 32, 400, 55), // two points: a straight line
		pt(640, 360, 24, k/10, 65), pt(640, 360, 30, 100, 50),
	}
	return Ladder{
		Name: "per-title", Codec: H264,
		Video: []Rung{{Width: 1920, Height: 1080}, {Width: 640, Height: 360}},
		Analysis: &Analysis{
			Metric: MetricVMAF, TopQuality: 95, Trials: len(points), Points: points, Hull: Hull(points),
			Rungs: []Selected{
				{Width: 1920, Height: 1080, CRF: 26, BitrateKbps: k, Quality: 85},
				{Width: 640, Height: 360, CRF: 24, BitrateKbps: k / 10, Quality: 65},
			},
		},
	}
}

func TestWriteReportPNG(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReportPNG(&buf, reportLadder()); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 960 || b.Dy() != 600 {
		t.Fatalf("size %v, want 960x600", b)
	}
	y := func(q float64) int { return int(math.Round(540 - (q-48)/44*490)) }
	tests := []struct {
		what string
		x, y int
		want string
	}{
		{"paper", 5, 5, paperColor},
		{"1080p rung at 3162 kbit/s, VMAF 85", 595, y(85), rungColor},
		{"360p rung at 316 kbit/s, VMAF 65", 245, y(65), rungColor},
		{"720p point at 3162 kbit/s, VMAF 60", 595, y(60), reportColors[1]},
		{"720p curve halfway (log rate) between its points", int(math.Round(70 + (math.Log10(400)+3.5-4)/2*350)), y(57.5), reportColors[1]},
	}
	for _, tc := range tests {
		if got := nearestColor(img, tc.x, tc.y, 1); got != hexColor(tc.want) {
			t.Errorf("%s: pixel (%d, %d) is %v, want %s", tc.what, tc.x, tc.y, got, tc.want)
		}
	}
	// Text was drawn: the title row has dark pixels.
	dark := 0
	for x := 70; x < 400; x++ {
		for yy := 10; yy < 28; yy++ {
			if r, g, b, _ := img.At(x, yy).RGBA(); r+g+b < 3*0x4000 {
				dark++
			}
		}
	}
	if dark < 50 {
		t.Errorf("title row has %d dark pixels: no text?", dark)
	}
}

// nearestColor returns the colour among the pixels within d of (x, y)
// that is nearest to one of the chart's own colours, so anti-aliased
// edges do not fail the test by a pixel.
func nearestColor(img image.Image, x, y, d int) color.RGBA {
	palette := append([]string{paperColor, rungColor, frameColor, gridColor, hullColor}, reportColors...)
	var best color.RGBA
	bestDist := math.Inf(1)
	for dy := -d; dy <= d; dy++ {
		for dx := -d; dx <= d; dx++ {
			c := color.RGBAModel.Convert(img.At(x+dx, y+dy)).(color.RGBA)
			if dx == 0 && dy == 0 {
				for _, p := range palette {
					if c == hexColor(p) {
						return c
					}
				}
			}
			for _, p := range palette {
				pc := hexColor(p)
				dist := math.Abs(float64(c.R)-float64(pc.R)) + math.Abs(float64(c.G)-float64(pc.G)) + math.Abs(float64(c.B)-float64(pc.B))
				if dist < 8 && dist < bestDist {
					best, bestDist = pc, dist
				}
			}
		}
	}
	return best
}

func TestWriteReportSVG(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReportSVG(&buf, reportLadder()); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	for _, want := range []string{
		`<svg xmlns="http://www.w3.org/2000/svg" width="960" height="600"`, "convex hull", "chosen rung", "1920x1080", "1280x720",
		"1080p 3162k crf 26", "<title>1280x720 crf 26: 3162 kbit/s, 60.00</title>", `stroke-dasharray="6 4"`,
		`transform="rotate(-90`, "</svg>",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("report has no %q", want)
		}
	}
	// The 1080p rung marker is centred where the PNG has it.
	if !strings.Contains(svg, `points="595.0,122.0 601.0,128.0 595.0,134.0 589.0,128.0" fill="#d62728"`) {
		t.Errorf("no rung diamond at (595, 128):\n%s", svg)
	}
}

func TestWriteReportNoAnalysis(t *testing.T) {
	l := reportLadder()
	l.Analysis = nil
	if err := WriteReportSVG(&bytes.Buffer{}, l); err == nil {
		t.Error("SVG of a ladder without analysis: no error")
	}
	if err := WriteReportPNG(&bytes.Buffer{}, l); err == nil {
		t.Error("PNG of a ladder without analysis: no error")
	}
}

func TestDashes(t *testing.T) {
	line := [][2]float64{{0, 0}, {10, 0}, {20, 0}}
	got := dashes(line, []float64{6, 4})
	want := [][][2]float64{{{0, 0}, {6, 0}}, {{10, 0}, {10, 0}, {16, 0}}}
	if len(got) != len(want) {
		t.Fatalf("dashes %v, want %v", got, want)
	}
	for i := range want {
		first, last := got[i][0], got[i][len(got[i])-1]
		if first != want[i][0] || last != want[i][len(want[i])-1] {
			t.Errorf("dash %d: %v, want from %v to %v", i, got[i], want[i][0], want[i][len(want[i])-1])
		}
	}
	if got := dashes(line, nil); len(got) != 1 || len(got[0]) != 3 {
		t.Errorf("no dash pattern: %v, want the line", got)
	}
}
