package ladder_test

import (
	"fmt"

	"github.com/vpack-dev/vpack/ladder"
)

// SelectRungs turns measured points into rungs: here two resolutions,
// where 360p is better below about 1 Mbit/s and 1080p above.
func ExampleSelectRungs() {
	p := func(w, h int, crf, kbps, q float64) ladder.Point {
		return ladder.Point{Trial: ladder.Trial{Width: w, Height: h, CRF: crf}, BitrateKbps: kbps, Quality: q}
	}
	points := []ladder.Point{
		p(1920, 1080, 20, 6000, 97), p(1920, 1080, 26, 3000, 93), p(1920, 1080, 32, 1500, 84), p(1920, 1080, 38, 750, 70),
		p(640, 360, 20, 1200, 80), p(640, 360, 26, 600, 74), p(640, 360, 32, 300, 64), p(640, 360, 38, 150, 50),
	}
	rungs, err := ladder.SelectRungs(points, ladder.SelectOptions{TopQuality: 95, MinKbps: 150})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rungs {
		fmt.Printf("%dx%d crf %.1f %4.0f kbit/s quality %.1f\n", r.Width, r.Height, r.CRF, r.BitrateKbps, r.Quality)
	}
	// Output:
	// 1920x1080 crf 23.7 3922 kbit/s quality 95.0
	// 1920x1080 crf 29.3 2042 kbit/s quality 88.7
	// 640x360 crf 21.0 1063 kbit/s quality 79.2
	// 640x360 crf 26.7  553 kbit/s quality 73.1
	// 640x360 crf 32.3  288 kbit/s quality 63.3
	// 640x360 crf 38.0  150 kbit/s quality 50.0
}

// BDRate compares two ladders' measured rungs at equal quality.
func ExampleBDRate() {
	apple := []ladder.RatePoint{{BitrateKbps: 730, Quality: 70}, {BitrateKbps: 2000, Quality: 85}, {BitrateKbps: 6000, Quality: 95}}
	vpack := []ladder.RatePoint{{BitrateKbps: 400, Quality: 70}, {BitrateKbps: 1200, Quality: 86}, {BitrateKbps: 3500, Quality: 95}}
	bd, err := ladder.BDRate(apple, vpack)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.1f %%\n", bd)
	// Output:
	// -45.0 %
}
