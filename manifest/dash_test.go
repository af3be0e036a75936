package manifest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNumberTemplate(t *testing.T) {
	tests := []struct {
		uris      []string
		want      string
		wantStart uint64
	}{
		{[]string{"video/720p/seg-00001.m4s", "video/720p/seg-00002.m4s"}, "video/720p/seg-$Number%05d$.m4s", 1},
		{[]string{"v/1080p/9.m4s", "v/1080p/10.m4s", "v/1080p/11.m4s"}, "v/1080p/$Number$.m4s", 9},
		{[]string{"a/seg-0099.m4s", "a/seg-0100.m4s"}, "a/seg-$Number%04d$.m4s", 99},
		{[]string{"a/seg-9999.m4s", "a/seg-10000.m4s"}, "a/seg-$Number$.m4s", 9999},
		{[]string{"cost$1/s-1.m4s", "cost$1/s-2.m4s"}, "cost$$1/s-$Number$.m4s", 1},
		{[]string{"720p/seg-00005.m4s"}, "720p/seg-$Number%05d$.m4s", 5},
	}
	for _, tc := range tests {
		got, start, err := numberTemplate(tc.uris)
		if err != nil || got != tc.want || start != tc.wantStart {
			t.Errorf("numberTemplate(%q) = %q, %d, %v; want %q, %d", tc.uris, got, start, err, tc.want, tc.wantStart)
			continue
		}
		for i, u := range tc.uris {
			back, err := ExpandTemplate(got, TemplateVars{Number: start + uint64(i), HasNumber: true})
			if err != nil || back != u {
				t.Errorf("ExpandTemplate(%q, %d) = %q, %v; want %q", got, start+uint64(i), back, err, u)
			}
		}
	}
	for _, bad := range [][]string{
		{"a/seg-1.m4s", "a/seg-3.m4s"},
		{"a/x.m4s", "a/y.m4s"},
		{"a/seg-1.m4s", "b/seg-2.m4s"},
		{},
	} {
		if got, _, err := numberTemplate(bad); !errors.Is(err, errTemplate) {
			t.Errorf("numberTemplate(%q) = %q, %v; want errTemplate", bad, got, err)
		}
	}
}

func TestExpandTemplate(t *testing.T) {
	v := TemplateVars{RepresentationID: "720p", Bandwidth: 3000000, Number: 7, Time: 90000, HasNumber: true}
	tests := map[string]string{
		"$RepresentationID$/seg-$Number%05d$.m4s": "720p/seg-00007.m4s",
		"$RepresentationID$/$Time$.m4s":           "720p/90000.m4s",
		"b$Bandwidth$/$$x$Number$":                "b3000000/$x7",
		"plain.m4s":                               "plain.m4s",
	}
	for tmpl, want := range tests {
		if got, err := ExpandTemplate(tmpl, v); err != nil || got != want {
			t.Errorf("ExpandTemplate(%q) = %q, %v; want %q", tmpl, got, err, want)
		}
	}
	for _, bad := range []string{"$Number", "$Unknown$", "$Number%5d$", "$Number%0999999999d$", "$Number%d$"} {
		if got, err := ExpandTemplate(bad, v); err == nil {
			t.Errorf("ExpandTemplate(%q) = %q, want an error", bad, got)
		}
	}
	if _, err := ExpandTemplate("$Number$.m4s", TemplateVars{}); err == nil {
		t.Error("$Number$ accepted in @initialization")
	}
}

func TestSegmentTimeline(t *testing.T) {
	p := goldenPresentations()["videoonly"]
	p.Tracks = p.Tracks[:1]
	segs := p.Tracks[0].Segments
	// A gap before the third segment needs an explicit S@t.
	segs[2].StartTicks += 3003
	segs[3].StartTicks += 3003
	data, err := WriteDASH(p, DASHOptions{})
	if err != nil {
		t.Fatal(err)
	}
	validateMPD(t, data)
	want := `<S t="0" d="180180" r="1"></S>
          <S t="363363" d="90090"></S>
          <S d="3003"></S>`
	if !strings.Contains(string(data), want) {
		t.Errorf("timeline does not contain\n%s\nin\n%s", want, data)
	}
	got, err := ReadDASH(data)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range got.Tracks[0].Segments {
		if s.StartTicks != segs[i].StartTicks || s.DurTicks != segs[i].DurTicks {
			t.Errorf("segment %d: %d+%d, want %d+%d", i+1, s.StartTicks, s.DurTicks, segs[i].StartTicks, segs[i].DurTicks)
		}
	}
}

func TestWriteDASHErrors(t *testing.T) {
	tests := map[string]struct {
		name string
		edit func(p *Presentation)
		want error
	}{
		"irregular names": {"ladder", func(p *Presentation) { p.Tracks[0].Segments[2].URI = "video/360p-730k/other.m4s" }, errTemplate},
		"no sidx":         {"singlefile", func(p *Presentation) { p.Tracks[0].IndexRange = ByteRange{} }, ErrInvalid},
		"no init range":   {"singlefile", func(p *Presentation) { p.Tracks[0].InitRange = ByteRange{} }, ErrInvalid},
		"no media file":   {"singlefile", func(p *Presentation) { p.Tracks[0].MediaURI = "" }, ErrInvalid},
		"bad type":        {"ladder", func(p *Presentation) { p.Tracks[0].Type = "subtitles" }, ErrInvalid},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := goldenPresentations()[tc.name]
			tc.edit(p)
			if _, err := WriteDASH(p, DASHOptions{}); !errors.Is(err, tc.want) {
				t.Errorf("WriteDASH: %v, want %v", err, tc.want)
			}
		})
	}
}

// thirdPartyMPD uses what other packagers write and WriteDASH does not:
// $Time$, @duration, S@r=-1, BaseURL levels, attributes on the
// AdaptationSet, the 23003-3 channel scheme.
const thirdPartyMPD = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" profiles="urn:mpeg:dash:profile:isoff-live:2011"
     mediaPresentationDuration="PT5S" minBufferTime="PT2S">
  <BaseURL>content/</BaseURL>
  <Period>
    <AdaptationSet mimeType="video/mp4" codecs="avc1.64001f" frameRate="30000/1001" sar="1:1">
      <BaseURL>v/</BaseURL>
      <SegmentTemplate timescale="90000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Time$.m4s">
        <SegmentTimeline><S t="0" d="180180" r="-1"/></SegmentTimeline>
      </SegmentTemplate>
      <Representation id="hi" bandwidth="3000000" width="1280" height="720"/>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="fr">
      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>
      <Representation id="fr" bandwidth="96000" codecs="mp4a.40.2" audioSamplingRate="44100">
        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>
        <SegmentTemplate timescale="1000" duration="2000" startNumber="0" initialization="a/init-$Bandwidth$.mp4" media="a/$Number%03d$.m4s"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>`

func TestReadDASHThirdParty(t *testing.T) {
	p, err := ReadDASH([]byte(thirdPartyMPD))
	if err != nil {
		t.Fatal(err)
	}
	want := &Presentation{
		Duration: 5 * time.Second,
		Tracks: []Track{
			{
				ID: "hi", Type: Video, Codecs: "avc1.64001f", BandwidthBps: 3_000_000,
				Width: 1280, Height: 720, FrameRate: Rate{30000, 1001}, SARNum: 1, SARDen: 1,
				Timescale: 90000, InitURI: "content/v/hi/init.mp4",
				Segments: []Segment{
					{URI: "content/v/hi/0.m4s", DurTicks: 180180},
					{URI: "content/v/hi/180180.m4s", StartTicks: 180180, DurTicks: 180180},
					{URI: "content/v/hi/360360.m4s", StartTicks: 360360, DurTicks: 180180},
				},
			},
			{
				ID: "fr", Type: Audio, Codecs: "mp4a.40.2", BandwidthBps: 96_000,
				Language: "fr", Channels: 2, SampleRate: 44100, Default: true,
				Timescale: 1000, InitURI: "content/a/init-96000.mp4",
				Segments: []Segment{
					{URI: "content/a/000.m4s", DurTicks: 2000},
					{URI: "content/a/001.m4s", StartTicks: 2000, DurTicks: 2000},
					{URI: "content/a/002.m4s", StartTicks: 4000, DurTicks: 1000},
				},
			},
		},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ReadDASH (-want +got):\n%s", diff)
	}
}

func TestReadDASHErrors(t *testing.T) {
	valid, err := WriteDASH(goldenPresentations()["ladder"], DASHOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mpdText := string(valid)
	tests := map[string]struct {
		mpd      string
		wantLine int
		wantElem string
		wantErr  error
	}{
		"syntax":            {strings.Replace(mpdText, "<Period", "<Period <", 1), 3, "", nil},
		"not an MPD":        {`<?xml version="1.0"?><html/>`, 1, "html", nil},
		"dynamic":           {strings.Replace(mpdText, `type="static"`, `type="dynamic"`, 1), 0, "MPD", ErrUnsupported},
		"two periods":       {strings.Replace(mpdText, "</Period>", "</Period><Period></Period>", 1), 0, "MPD", ErrUnsupported},
		"no timeline":       {mpdText[:strings.Index(mpdText, "<SegmentTimeline>")] + mpdText[strings.Index(mpdText, "</SegmentTimeline>")+len("</SegmentTimeline>"):], 0, `Period[1]/AdaptationSet[1]/Representation[@id="360p-730k"]`, nil},
		"bad template":      {strings.Replace(mpdText, "$Number%05d$", "$Nummer$", 1), 0, `Period[1]/AdaptationSet[1]/Representation[@id="360p-730k"]`, nil},
		"bad frame rate":    {strings.Replace(mpdText, `frameRate="25"`, `frameRate="fast"`, 1), 0, `Period[1]/AdaptationSet[1]/Representation[@id="360p-730k"]`, nil},
		"segment list":      {strings.Replace(mpdText, "<SegmentTemplate", "<SegmentList></SegmentList><SegmentTemplate", 1), 0, `Period[1]/AdaptationSet[1]/Representation[@id="360p-730k"]`, ErrUnsupported},
		"absolute base URL": {strings.Replace(mpdText, "<Period", "<BaseURL>https://cdn.example/</BaseURL><Period", 1), 0, `Period[1]/AdaptationSet[1]/Representation[@id="360p-730k"]`, ErrUnsupported},
		"endless repeat":    {strings.Replace(mpdText, `r="2"`, `r="2000000000"`, 1), 0, `Period[1]/AdaptationSet[1]/Representation[@id="360p-730k"]`, nil},
		"climbing URI":      {strings.Replace(mpdText, `media="video/`, `media="../../video/`, 1), 0, `Period[1]/AdaptationSet[1]/Representation[@id="360p-730k"]`, errBadURI},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ReadDASH([]byte(tc.mpd))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Line != tc.wantLine || pe.Element != tc.wantElem {
				t.Errorf("error at line %d, element %q; want %d, %q (%v)", pe.Line, pe.Element, tc.wantLine, tc.wantElem, err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
		})
	}
}
