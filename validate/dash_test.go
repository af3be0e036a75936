package validate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mpd(body string, attrs string) string {
	return `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT2S"` + attrs + `>
  <Period id="0">
` + body + `
  </Period>
</MPD>
`
}

// TestDASHStructure checks the MPD rules that need no media; the segments
// are missing from the in-memory package (REF-MISSING is ignored).
func TestDASHStructure(t *testing.T) {
	const tmpl = `<AdaptationSet id="0" contentType="video" segmentAlignment="true">
      <SegmentTemplate media="v/$RepresentationID$/$Number$.m4s" initialization="v/$RepresentationID$/init.mp4" timescale="1000">
        <SegmentTimeline><S t="0" d="2000" r="1"/></SegmentTimeline>
      </SegmentTemplate>
      <Representation id="a" bandwidth="1000"/>
    </AdaptationSet>`
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"good", mpd(tmpl, ""), nil},
		{"dynamic", mpd(tmpl, ` availabilityStartTime="2026-01-01T00:00:00Z"`) /* type replaced below */, []string{rDASHLive}},
		{"no addressing", mpd(`<AdaptationSet id="0"><Representation id="a" bandwidth="1"/></AdaptationSet>`, ""), []string{rDASHAddressing}},
		{"no timeline or duration", mpd(strings.Replace(tmpl, `<SegmentTimeline><S t="0" d="2000" r="1"/></SegmentTimeline>`, "", 1), ""), []string{rDASHAddressing}},
		{"Number and Time", mpd(strings.Replace(tmpl, "$Number$", "$Number$-$Time$", 1), ""), []string{rDASHTemplate}},
		{"duplicate AdaptationSet id", mpd(tmpl+strings.ReplaceAll(tmpl, `id="a"`, `id="b"`), ""), []string{rDASHDuplicateID}},
		{"timeline overlap", mpd(strings.Replace(tmpl, `<S t="0" d="2000" r="1"/>`, `<S t="0" d="2000"/><S t="1000" d="2000"/>`, 1), ""), []string{rDASHTimelineGap}},
		{"r=-1 without an end", mpd(strings.Replace(tmpl, `r="1"`, `r="-1"`, 1), "") /* the Period ends: fine */, nil},
		{"missing required attribute", mpd(strings.Replace(tmpl, ` bandwidth="1000"`, "", 1), ""), []string{rDASHSchema}},
		{"unknown attribute", mpd(strings.Replace(tmpl, `segmentAlignment="true"`, `segmentAligned="true"`, 1), ""), []string{rDASHSchema}},
		{"wrong root", `<?xml version="1.0"?><Foo/>`, []string{rDASHXML}},
		{"entity", `<?xml version="1.0"?><!DOCTYPE MPD [<!ENTITY a "aaaa">]><MPD/>`, []string{rDASHXML}},
		{"escape in BaseURL", mpd(`<BaseURL>../../</BaseURL>`+tmpl, ""), []string{rRefEscape}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc
			if tc.name == "dynamic" {
				doc = strings.Replace(doc, `type="static"`, `type="dynamic"`, 1)
			}
			r := runMem(t, map[string]string{"manifest.mpd": doc}, "manifest.mpd")
			var got []string
			for _, id := range rulesOf(r) {
				if id != rRefMissing {
					got = append(got, id)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				var b strings.Builder
				r.WriteText(&b)
				t.Errorf("rules (-want +got):\n%s\n%s", diff, b.String())
			}
		})
	}
}
