package packager_test

import (
	"context"
	"fmt"
	"log"

	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/packager"
)

// Package three renditions and a separate audio file into out/, with HLS
// and DASH manifests written after the media.
func ExampleRun() {
	res, err := packager.Run(context.Background(), packager.Config{
		Inputs: []packager.Input{
			{Path: "v1080.mp4"}, {Path: "v720.mp4"}, {Path: "v360.mp4"},
			{Path: "audio_en.mp4", Language: "en"},
		},
		OutDir: "out",
		HLS:    &manifest.HLSOptions{},
		DASH:   &manifest.DASHOptions{},
	})
	if err != nil {
		log.Fatal(err) // e.g. "v720.mp4: no keyframe at 8.000s where v1080.mp4 has one, nearest at 8.333s (renditions' keyframes are not aligned)"
	}
	for _, t := range res.Presentation.Tracks {
		fmt.Println(t.ID, t.Codecs, t.BandwidthBps, len(t.Segments))
	}
}
