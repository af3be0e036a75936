package subtitle_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/vpack-dev/vpack/subtitle"
)

// Read an SRT file, clip it to the media and write it as WebVTT.
func ExampleParse() {
	srt := "1\n00:00:01,000 --> 00:00:02,500\n<i>Hello</i> <font color=\"red\">world</font>\n\n" +
		"2\n00:00:09,000 --> 00:00:12,000\n{\\an8}Beyond the end\n"
	doc, err := subtitle.Parse("en.srt", []byte(srt))
	if err != nil {
		panic(err)
	}
	doc.Clip(10 * time.Second)
	fmt.Print(string(subtitle.WriteWebVTT(doc)))
	// Output:
	// WEBVTT
	//
	// 1
	// 00:00:01.000 --> 00:00:02.500
	// <i>Hello</i> world
	//
	// 2
	// 00:00:09.000 --> 00:00:10.000 line:0
	// Beyond the end
}

// Errors name the file and line, and match a sentinel.
func ExampleParseError() {
	_, err := subtitle.Parse("en.vtt", []byte("WEBVTT\n\n00:01.000 --> 00:00.500\nOops\n"))
	fmt.Println(err)
	fmt.Println(errors.Is(err, subtitle.ErrTiming))
	// Output:
	// en.vtt:3: cue timing "00:01.000 --> 00:00.500": end before start
	// true
}

// Write the HLS WebVTT segment of 0-4 s: cue time 0 is media time 0.
func ExampleWriteWebVTTSegment() {
	doc, _ := subtitle.Parse("en.vtt", []byte("WEBVTT\n\n00:03.000 --> 00:05.000\nCrosses the boundary\n"))
	fmt.Print(string(subtitle.WriteWebVTTSegment(doc, subtitle.Span{Start: 0, End: 4 * time.Second}, 0)))
	// Output:
	// WEBVTT
	// X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000
	//
	// 00:00:03.000 --> 00:00:05.000
	// Crosses the boundary
}

func ExampleLanguage() {
	for _, tag := range []string{"eng", "pt-br", "xx"} {
		fmt.Println(subtitle.Language(tag))
	}
	// Output:
	// en <nil>
	// pt-BR <nil>
	//  unknown language code "xx"
}
