package manifest

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/Eyevinn/dash-mpd/mpd"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// linesWith returns the lines of data starting with prefix.
func linesWith(data, prefix string) []string {
	var out []string
	for _, l := range strings.Split(data, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// TestSubtitleRenditions checks the multivariant playlist of every form of
// subtitle: exactly these EXT-X-MEDIA lines (DASH-only tracks left out,
// FORCED only when forced, CHARACTERISTICS when set), every variant in the
// "subs" group, and CODECS naming IMSC1 but no WebVTT playlist.
func TestSubtitleRenditions(t *testing.T) {
	master := hlsFiles(t, goldenPresentations()["subtitles"], HLSOptions{})[DefaultMultivariantName]
	want := []string{
		`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Deutsch",LANGUAGE="de",STABLE-RENDITION-ID="subs-de-stpp",DEFAULT=NO,AUTOSELECT=YES,URI="text/subs-de-stpp/index.m3u8"`,
		`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English (forced)",LANGUAGE="en",STABLE-RENDITION-ID="forced-en-vtt",DEFAULT=NO,AUTOSELECT=YES,FORCED=YES,URI="text/forced-en-vtt/index.m3u8"`,
		`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",STABLE-RENDITION-ID="subs-en-vtt",DEFAULT=YES,AUTOSELECT=YES,URI="text/subs-en-vtt/index.m3u8"`,
		`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Français SDH",LANGUAGE="fr",STABLE-RENDITION-ID="sdh-fr",DEFAULT=NO,AUTOSELECT=YES,` +
			`CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound",URI="text/sdh-fr/index.m3u8"`,
	}
	if diff := cmp.Diff(want, linesWith(master, "#EXT-X-MEDIA:TYPE=SUBTITLES")); diff != "" {
		t.Errorf("SUBTITLES renditions (-want +got):\n%s", diff)
	}
	streams := linesWith(master, "#EXT-X-STREAM-INF:")
	if len(streams) != 2 {
		t.Fatalf("%d variants, want 2:\n%s", len(streams), master)
	}
	codecsRe := regexp.MustCompile(`CODECS="([^"]*)"`)
	for _, s := range streams {
		codecs := codecsRe.FindStringSubmatch(s)
		if !strings.Contains(s, `,SUBTITLES="subs",`) || codecs == nil || !strings.HasSuffix(codecs[1], ",mp4a.40.2,stpp.ttml.im1t") {
			t.Errorf("variant without the subs group or IMSC1 codec: %s", s)
		}
	}
	if strings.Contains(master, "FORCED=NO") || strings.Contains(master, "wvtt") {
		t.Errorf("FORCED=NO or a wvtt codec in\n%s", master)
	}
}

// TestSubtitlesKeepVariants checks that adding subtitles changes neither
// which variant comes first nor the order of the others.
func TestSubtitlesKeepVariants(t *testing.T) {
	order := func(p *Presentation) []string {
		vs, err := hlsVariants(p, DefaultVariantBandwidthBps)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, v := range vs {
			ids = append(ids, v.VideoID+"/"+v.AudioGroup)
		}
		return ids
	}
	for _, name := range []string{"ladder", "mixed"} {
		plain := goldenPresentations()[name]
		with := goldenPresentations()[name]
		with.Tracks = append(with.Tracks, subtitleTracks()...)
		with.Tracks[len(with.Tracks)-1].BandwidthBps = 5_000_000 // a heavy subtitle must not move the default
		if diff := cmp.Diff(order(plain), order(with)); diff != "" {
			t.Errorf("%s: variant order changed by subtitles (-without +with):\n%s", name, diff)
		}
	}
}

// TestOnlyKeepsTracksOut checks that Track.Only keeps a track out of the
// other manifest entirely.
func TestOnlyKeepsTracksOut(t *testing.T) {
	p := goldenPresentations()["subtitles"]
	files := hlsFiles(t, p, HLSOptions{})
	mpd, err := WriteDASH(p, DASHOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range p.Tracks {
		_, hasPlaylist := files[tr.PlaylistURI]
		inMaster := strings.Contains(files[DefaultMultivariantName], `"`+tr.ID+`"`)
		inMPD := strings.Contains(string(mpd), `id="`+tr.ID+`"`)
		if hasPlaylist != tr.inHLS() || inMaster != tr.inHLS() || inMPD != tr.inDASH() {
			t.Errorf("%s (only %q): playlist %v, in master %v, in MPD %v", tr.ID, tr.Only, hasPlaylist, inMaster, inMPD)
		}
	}
	for _, only := range []Manifest{HLS, DASH} {
		q := goldenPresentations()["videoonly"]
		for i := range q.Tracks {
			q.Tracks[i].Only = only
		}
		_, errH := WriteHLS(q, HLSOptions{})
		_, errD := WriteDASH(q, DASHOptions{})
		failed := errD
		if only == DASH {
			failed = errH
		}
		if (errH == nil) != (only == HLS) || (errD == nil) != (only == DASH) || !errors.Is(failed, ErrInvalid) {
			t.Errorf("every track only %s: WriteHLS %v, WriteDASH %v", only, errH, errD)
		}
	}
}

// TestDASHTextSets checks the text AdaptationSets: one per track, with the
// Role of its kind (and "main" for the default), mimeType and codecs of
// its form, and the side-car file as BaseURL without SegmentTemplate.
func TestDASHTextSets(t *testing.T) {
	data, err := WriteDASH(goldenPresentations()["subtitles"], DASHOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := mpd.MPDFromBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	type set struct {
		Lang, Mime, Codecs, Label, BaseURL string
		Roles                              []string
		Template                           bool
	}
	var got []set
	for _, as := range m.Periods[0].AdaptationSets {
		if as.ContentType != "text" {
			continue
		}
		if len(as.Representations) != 1 {
			t.Fatalf("text set %d: %d Representations, want 1", *as.Id, len(as.Representations))
		}
		r := as.Representations[0]
		s := set{Lang: as.Lang, Mime: as.MimeType, Codecs: r.Codecs, Label: r.Labels[0].Value, Template: as.SegmentTemplate != nil}
		if len(r.BaseURLs) > 0 {
			s.BaseURL = string(r.BaseURLs[0].Value)
		}
		for _, role := range as.Roles {
			if string(role.SchemeIdUri) != roleScheme {
				t.Errorf("Role scheme %s", role.SchemeIdUri)
			}
			s.Roles = append(s.Roles, role.Value)
		}
		got = append(got, s)
	}
	want := []set{
		{Lang: "en", Mime: "application/mp4", Codecs: "wvtt", Label: "English", Roles: []string{"main", "subtitle"}, Template: true},
		{Lang: "en", Mime: "application/mp4", Codecs: "wvtt", Label: "English (forced)", Roles: []string{"forced-subtitle"}, Template: true},
		{Lang: "de", Mime: "application/mp4", Codecs: "stpp.ttml.im1t", Label: "Deutsch", Roles: []string{"subtitle"}, Template: true},
		{Lang: "fr", Mime: "text/vtt", Label: "Français SDH", BaseURL: "text/sdh-fr/sdh-fr.vtt", Roles: []string{"subtitle"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("text AdaptationSets (-want +got):\n%s", diff)
	}
}

// TestSideCarAsSegment checks that a side-car file given as the URI of
// the one segment, rather than as MediaURI, is the same track.
func TestSideCarAsSegment(t *testing.T) {
	p := goldenPresentations()["subtitles"]
	q := goldenPresentations()["subtitles"]
	for i := range q.Tracks {
		if tr := &q.Tracks[i]; tr.sideCar() {
			tr.MediaURI, tr.Segments[0].URI = "", tr.MediaURI
		}
	}
	for _, w := range []func(*Presentation) (string, error){
		func(p *Presentation) (string, error) { b, err := WriteDASH(p, DASHOptions{}); return string(b), err },
		func(p *Presentation) (string, error) {
			fs, err := WriteHLS(p, HLSOptions{})
			var b strings.Builder
			for _, f := range fs {
				b.WriteString(f.Name + "\n" + string(f.Data))
			}
			return b.String(), err
		},
	} {
		a, errA := w(p)
		b, errB := w(q)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("side-car as segment URI differs (-MediaURI +segment):\n%s", diff)
		}
	}
}

// TestCheckForms checks that both writers refuse the forms the model does
// not allow, each with ErrInvalid and an error saying what is wrong.
func TestCheckForms(t *testing.T) {
	find := func(p *Presentation, id string) *Track {
		for i := range p.Tracks {
			if p.Tracks[i].ID == id {
				return &p.Tracks[i]
			}
		}
		t.Fatalf("no track %s", id)
		return nil
	}
	tests := map[string]struct {
		name string // golden presentation
		edit func(p *Presentation)
		msg  string
	}{
		"unknown Only":            {"subtitles", func(p *Presentation) { find(p, "subs-de-stpp").Only = "smooth" }, `only "smooth"`},
		"forced audio":            {"subtitles", func(p *Presentation) { find(p, "audio-en-aac").Forced = true }, "forced audio track"},
		"characteristics video":   {"subtitles", func(p *Presentation) { find(p, "360p-730k").Characteristics = "public.easy-to-read" }, "characteristics on a video"},
		"tiles on video":          {"thumbnails", func(p *Presentation) { find(p, "360p-730k").TileCols = 2 }, "tiles 2x0"},
		"thumbnail dur on text":   {"subtitles", func(p *Presentation) { find(p, "sdh-fr").ThumbnailDurTicks = 10 }, "only image tracks"},
		"unknown MIME type":       {"subtitles", func(p *Presentation) { find(p, "sdh-fr").MimeType = "application/ttml+xml" }, "MIME type \"application/ttml+xml\""},
		"VTT on audio":            {"subtitles", func(p *Presentation) { a := find(p, "audio-en-aac"); a.MimeType = MimeTypeWebVTT }, "text/vtt is for text tracks, not audio"},
		"wrong VTT codecs":        {"subtitles", func(p *Presentation) { find(p, "sdh-fr").Codecs = "stpp.ttml.im1t" }, `want "wvtt" or none`},
		"encrypted VTT":           {"subtitles", func(p *Presentation) { find(p, "sdh-fr").Protection = &Protection{Scheme: "cenc"} }, "protection on a text/vtt"},
		"VTT with init":           {"subtitles", func(p *Presentation) { find(p, "subs-en-vtt").InitURI = "text/init.mp4" }, "init segment or index"},
		"segmented VTT in DASH":   {"subtitles", func(p *Presentation) { find(p, "subs-en-vtt").Only = "" }, "DASH has no segmented WebVTT"},
		"side-car files differ":   {"subtitles", func(p *Presentation) { find(p, "sdh-fr").Segments[0].URI = "text/other.vtt" }, "differ"},
		"side-car without file":   {"subtitles", func(p *Presentation) { find(p, "sdh-fr").MediaURI = "" }, "empty URI"},
		"image without MIME type": {"thumbnails", func(p *Presentation) { find(p, "thumbs-64x36").MimeType = "" }, "image track without MIME type"},
		"image without tiles":     {"thumbnails", func(p *Presentation) { find(p, "thumbs-64x36").TileRows = 0 }, "want at least 1x1"},
		"uneven tiles":            {"thumbnails", func(p *Presentation) { find(p, "thumbs-64x36").Width = 321 }, "whole pixels"},
		"overfull tile": {"thumbnails", func(p *Presentation) {
			find(p, "thumbs-64x36").ThumbnailDurTicks = 500
		}, "hold more than 5 thumbnails"},
		"image segment without URI": {"thumbnails", func(p *Presentation) { find(p, "thumbs-64x36").Segments[1].URI = "" }, "segment 2"},
	}
	hlsOK := map[string]bool{"segmented VTT in DASH": true} // only WriteDASH refuses these
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := goldenPresentations()[tc.name]
			tc.edit(p)
			_, errH := WriteHLS(p, HLSOptions{})
			_, errD := WriteDASH(p, DASHOptions{})
			errs := []error{errH, errD}
			if hlsOK[name] {
				if errH != nil {
					t.Errorf("WriteHLS: %v", errH)
				}
				errs = errs[1:]
			}
			for _, err := range errs {
				if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("error %v, want ErrInvalid saying %q", err, tc.msg)
				}
			}
		})
	}
}

// TestReadHLSWebVTT reads WebVTT playlists as other tools write them:
// integer EXTINF, media sequence 0, no CODECS for the text.
func TestReadHLSWebVTT(t *testing.T) {
	fsys := fstest.MapFS{
		"master.m3u8": {Data: []byte("#EXTM3U\n" +
			`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,LANGUAGE="en",URI="subtitles/en.m3u8"` + "\n" +
			`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Signs",FORCED=YES,LANGUAGE="en",URI="subtitles/signs.m3u8"` + "\n" +
			`#EXT-X-STREAM-INF:BANDWIDTH=1000000,RESOLUTION=640x360,CODECS="avc1.64001e",SUBTITLES="subs"` + "\nv/index.m3u8\n")},
		"v/index.m3u8": {Data: []byte("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:3\n#EXT-X-MAP:URI=\"init.mp4\"\n" +
			"#EXTINF:3.0,\n1.m4s\n#EXT-X-ENDLIST\n")},
		"subtitles/en.m3u8": {Data: []byte("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
			"#EXTINF:2,\nen-00000.vtt\n#EXTINF:1,\nen-00001.vtt\n#EXT-X-ENDLIST\n")},
		"subtitles/signs.m3u8": {Data: []byte("#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\nsigns.vtt\n#EXT-X-ENDLIST\n")},
	}
	p, err := ReadHLS(fsys, "master.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	want := []Track{
		{ID: "subtitles", Type: Text, Codecs: "wvtt", MimeType: MimeTypeWebVTT, Language: "en", Name: "English",
			Timescale: 1000, PlaylistURI: "subtitles/en.m3u8",
			Segments: []Segment{{URI: "subtitles/en-00000.vtt", DurTicks: 2000}, {URI: "subtitles/en-00001.vtt", StartTicks: 2000, DurTicks: 1000}}},
		{ID: "subtitles-2", Type: Text, Codecs: "wvtt", MimeType: MimeTypeWebVTT, Language: "en", Name: "Signs", Forced: true,
			Timescale: 1000, PlaylistURI: "subtitles/signs.m3u8", MediaURI: "subtitles/signs.vtt", Segments: []Segment{{DurTicks: 3000}}},
	}
	if diff := cmp.Diff(want, p.Tracks[1:]); diff != "" {
		t.Errorf("text tracks (-want +got):\n%s", diff)
	}

	fsys["subtitles/en.m3u8"] = &fstest.MapFile{Data: []byte("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-BYTERANGE:100@0\n#EXTINF:2,\nen.vtt\n#EXT-X-ENDLIST\n")}
	if _, err := ReadHLS(fsys, "master.m3u8"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("byte-range WebVTT: %v, want ErrUnsupported", err)
	}
}

// TestReadDASHText reads text AdaptationSets as other packagers write
// them: a side-car WebVTT file with its mimeType on the Representation
// and Role forced_subtitle, and IMSC1 in fMP4.
func TestReadDASHText(t *testing.T) {
	const doc = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" profiles="urn:mpeg:dash:profile:isoff-live:2011"
     mediaPresentationDuration="PT60.022S" minBufferTime="PT2S">
  <Period>
    <AdaptationSet contentType="text" lang="el">
      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="forced_subtitle"/>
      <Representation id="0" bandwidth="256" mimeType="text/vtt"><BaseURL>s-el.webvtt</BaseURL></Representation>
    </AdaptationSet>
    <AdaptationSet contentType="text" mimeType="application/mp4" codecs="stpp.ttml.im1t" lang="de">
      <SegmentTemplate timescale="1000" duration="30000" initialization="de/init.mp4" media="de/$Number$.m4s"/>
      <Representation id="de" bandwidth="1000"/>
    </AdaptationSet>
  </Period>
</MPD>`
	p, err := ReadDASH([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Track{
		{ID: "0", Type: Text, Codecs: "wvtt", MimeType: MimeTypeWebVTT, BandwidthBps: 256, Language: "el", Forced: true,
			Timescale: 1000, MediaURI: "s-el.webvtt", Segments: []Segment{{DurTicks: 60022}}},
		{ID: "de", Type: Text, Codecs: "stpp.ttml.im1t", BandwidthBps: 1000, Language: "de", Timescale: 1000, InitURI: "de/init.mp4",
			Segments: []Segment{{URI: "de/1.m4s", DurTicks: 30000}, {URI: "de/2.m4s", StartTicks: 30000, DurTicks: 30000}, {URI: "de/3.m4s", StartTicks: 60000, DurTicks: 22}}},
	}
	if diff := cmp.Diff(want, p.Tracks); diff != "" {
		t.Errorf("ReadDASH (-want +got):\n%s", diff)
	}
	if p.Duration != 60022*time.Millisecond {
		t.Errorf("duration %v", p.Duration)
	}
}

// TestRoundTripRewrite checks that what the readers return of the new
// forms is writer input again, giving the same MPD back.
func TestRoundTripRewrite(t *testing.T) {
	for _, name := range []string{"subtitles", "thumbnails"} {
		data, err := WriteDASH(goldenPresentations()[name], DASHOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadDASH(data)
		if err != nil {
			t.Fatal(err)
		}
		again, err := WriteDASH(got, DASHOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(data), string(again)); diff != "" {
			t.Errorf("%s: WriteDASH(ReadDASH(mpd)) differs (-first +second):\n%s", name, diff)
		}

		files := hlsFiles(t, goldenPresentations()[name], HLSOptions{})
		fsys := fstest.MapFS{}
		for n, d := range files {
			fsys[n] = &fstest.MapFile{Data: []byte(d)}
		}
		back, err := ReadHLS(fsys, DefaultMultivariantName)
		if err != nil {
			t.Fatal(err)
		}
		// Media playlists come back the same; the multivariant playlist
		// does not, since HLS has no per-rendition bit rates to read.
		again2 := hlsFiles(t, back, HLSOptions{})
		delete(files, DefaultMultivariantName)
		delete(again2, DefaultMultivariantName)
		if diff := cmp.Diff(files, again2, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: WriteHLS(ReadHLS(playlists)) differs (-first +second):\n%s", name, diff)
		}
		if !slices.ContainsFunc(back.Tracks, func(tr Track) bool { return tr.plain() }) {
			t.Errorf("%s: no plain-file track read back", name)
		}
	}
}

// TestPlainFilesInSingleFileMode checks that side-car and thumbnail files
// stay whole files in a single-file presentation, where the CMAF tracks
// use byte ranges: both manifests take them and read them back.
func TestPlainFilesInSingleFileMode(t *testing.T) {
	p := goldenPresentations()["singlefile"]
	sub := textTrack(textSpec{id: "sdh-fr", lang: "fr", name: "Français", mime: MimeTypeWebVTT})
	p.Tracks = append(p.Tracks, sub, imageTrack("thumbs", 64, 36, 5, 1, 40_000))

	mpd, err := WriteDASH(p, DASHOptions{})
	if err != nil {
		t.Fatal(err)
	}
	validateMPD(t, mpd)
	back, err := ReadDASH(mpd)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dashView(p), back, byTypeAndID, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ReadDASH(WriteDASH(p)) mismatch (-want +got):\n%s", diff)
	}

	fsys := fstest.MapFS{}
	for name, data := range hlsFiles(t, p, HLSOptions{}) {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	got, err := ReadHLS(fsys, DefaultMultivariantName)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(hlsView(t, p), got, byTypeAndID, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ReadHLS(WriteHLS(p)) mismatch (-want +got):\n%s", diff)
	}
}
