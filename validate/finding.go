package validate

import "fmt"

// Finding is one problem (or note) about a package: which rule, how bad,
// where, and what exactly was seen.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Spec     string   `json:"spec"`
	Location Location `json:"location"`
	Message  string   `json:"message"`
}

// String formats the finding as one line:
// "error HLS-TARGETDURATION video/720p/index.m3u8:9: EXTINF 6.006 rounds to 6 > EXT-X-TARGETDURATION 4".
func (f Finding) String() string {
	loc := f.Location.String()
	if loc == "" {
		return fmt.Sprintf("%s %s: %s", f.Severity, f.Rule, f.Message)
	}
	return fmt.Sprintf("%s %s %s: %s", f.Severity, f.Rule, loc, f.Message)
}
