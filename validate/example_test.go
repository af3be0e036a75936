package validate_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/vpack-dev/vpack/validate"
)

// Validate a package folder and print the findings. This one references
// an audio group and a media playlist that do not exist.
func ExampleDir() {
	report, err := validate.Dir(context.Background(), "testdata/example", validate.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	report.WriteText(os.Stdout)
	// Output:
	// error HLS-GROUP-MISSING master.m3u8:4: AUDIO="aac" but no EXT-X-MEDIA has TYPE=AUDIO,GROUP-ID="aac"
	// error REF-MISSING master.m3u8:5: playlist video/720p/index.m3u8 cannot be read: not found
	// testdata/example: 2 errors, 0 warnings, 0 infos (1 playlists, 0 MPDs, 0 init segments, 0 segments checked)
}

// A report is an error only when it has errors (or, strict, warnings).
func ExampleReport_Check() {
	report, err := validate.File(context.Background(), "testdata/example/master.m3u8", validate.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = report.Check(false)
	fmt.Println(errors.Is(err, validate.ErrFailed))
	fmt.Println(err)
	// Output:
	// true
	// validation failed: 2 errors, 0 warnings, 0 infos; first: error HLS-GROUP-MISSING master.m3u8:4: AUDIO="aac" but no EXT-X-MEDIA has TYPE=AUDIO,GROUP-ID="aac"
}

// The rule catalogue: every finding's rule is one of these.
func ExampleRules() {
	for _, r := range validate.Rules() {
		if r.ID == "HLS-TARGETDURATION" {
			fmt.Printf("%s %s %s: %s\n", r.ID, r.Severity, r.Spec, r.Title)
		}
	}
	// Output:
	// HLS-TARGETDURATION error RFC 8216 §4.3.3.1: an EXTINF rounded to the nearest integer exceeds EXT-X-TARGETDURATION
}
