package ladder_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vpack-dev/vpack/ladder"
)

// A 1080p50 source on Apple's H.264 ladder: the rungs Apple caps at 30 fps
// drop every other frame, the others keep 50 fps.
func ExampleAdapt() {
	l, err := ladder.Builtin(ladder.AppleH264)
	if err != nil {
		fmt.Println(err)
		return
	}
	src := ladder.Source{Width: 1920, Height: 1080, FrameRate: ladder.Rate{Num: 50, Den: 1}}
	l, err = ladder.Adapt(l, src, ladder.AdaptOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range l.Video {
		fmt.Printf("%-12s %4dx%-4d %s fps %5d kbit/s (peak %d)\n", r.Name, r.Width, r.Height, r.FrameRate, r.BitrateKbps, r.MaxrateKbps)
	}
	// Output:
	// 1080p-7800k  1920x1080 50 fps  7800 kbit/s (peak 11700)
	// 1080p-6000k  1920x1080 50 fps  6000 kbit/s (peak 9000)
	// 720p-4500k   1280x720  50 fps  4500 kbit/s (peak 6750)
	// 720p-3000k   1280x720  50 fps  3000 kbit/s (peak 4500)
	// 540p-2000k    960x540  50 fps  2000 kbit/s (peak 3000)
	// 432p-1100k    768x432  25 fps  1100 kbit/s (peak 1650)
	// 432p-730k     768x432  25 fps   730 kbit/s (peak 1095)
	// 360p-365k     640x360  25 fps   365 kbit/s (peak 548)
	// 234p-145k     416x234  25 fps   145 kbit/s (peak 218)
}

// A portrait phone video (coded 1920x1080, rotated 90 degrees) at 29.97 fps
// on a small ladder file.
func ExampleAdapt_portrait() {
	l, err := ladder.Parse(strings.NewReader(`{"video": [
		{"width": 1280, "height": 720, "bitrate_kbps": 3000},
		{"width": 640, "height": 360, "bitrate_kbps": 800}
	]}`), "phone.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	src := ladder.Source{Width: 1920, Height: 1080, Rotation: 90, FrameRate: ladder.Rate{Num: 30000, Den: 1001}}
	l, err = ladder.Adapt(l, src, ladder.AdaptOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range l.Video {
		fmt.Println(r.Name, r.Width, r.Height, r.FrameRate)
	}
	// Output:
	// 720p-3000k 720 1280 30000/1001
	// 360p-800k 360 640 30000/1001
}

func ExampleResolve() {
	l, err := ladder.Resolve("apple-hevc")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Name, len(l.Video), "rungs, top", l.Video[len(l.Video)-1].Width, "x", l.Video[len(l.Video)-1].Height)

	_, err = ladder.Resolve("auto")
	fmt.Println(errors.Is(err, ladder.ErrAutoNeedsSource))
	// Output:
	// apple-hevc 12 rungs, top 3840 x 2160
	// true
}

func ExampleParse() {
	_, err := ladder.Parse(strings.NewReader(`{"video": [
		{"width": 1920, "height": 1080, "bitrate_kbps": 6000, "maxrate_kbps": 20000}
	]}`), "my-ladder.json")
	var fe *ladder.FileError
	fmt.Println(errors.As(err, &fe), fe.Field)
	fmt.Println(err)
	// Output:
	// true video[0]
	// my-ladder.json: video[0]: maxrate_kbps 20000 is more than 2x bitrate_kbps 6000 (peak must stay <= 2x average)
}
