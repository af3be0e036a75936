package manifest

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestImageStreams checks the multivariant playlist of thumbnails: exactly
// one EXT-X-IMAGE-STREAM-INF per image track, after the variants, with
// one thumbnail's size; no variant or EXT-X-VERSION change.
func TestImageStreams(t *testing.T) {
	files := hlsFiles(t, goldenPresentations()["thumbnails"], HLSOptions{})
	master := files[DefaultMultivariantName]
	want := []string{
		`#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=40000,RESOLUTION=64x36,CODECS="jpeg",URI="image/thumbs-64x36/index.m3u8"`,
		`#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=120000,RESOLUTION=128x72,CODECS="jpeg",URI="image/thumbs-128x72/index.m3u8"`,
	}
	if diff := cmp.Diff(want, linesWith(master, "#EXT-X-IMAGE-STREAM-INF:")); diff != "" {
		t.Errorf("image streams (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(master, "\n"+strings.Join(want, "\n")+"\n") {
		t.Errorf("image streams are not last:\n%s", master)
	}
	plain := hlsFiles(t, goldenPresentations()["ladder"], HLSOptions{})[DefaultMultivariantName]
	if got, wantV := linesWith(master, "#EXT-X-VERSION:"), linesWith(plain, "#EXT-X-VERSION:"); !cmp.Equal(got, wantV) {
		t.Errorf("EXT-X-VERSION %v, want %v as without thumbnails", got, wantV)
	}
	for _, s := range linesWith(master, "#EXT-X-STREAM-INF:") {
		if strings.Contains(s, "jpeg") {
			t.Errorf("thumbnails in a variant: %s", s)
		}
	}

	// Every tile has its EXT-X-TILES, then its EXTINF (the span of the tile).
	pl := files["image/thumbs-64x36/index.m3u8"]
	wantPl := []string{
		"#EXT-X-TILES:RESOLUTION=64x36,LAYOUT=5x1,DURATION=1.000", "#EXTINF:5.000,", "tile-00001.jpg",
		"#EXT-X-TILES:RESOLUTION=64x36,LAYOUT=5x1,DURATION=1.000", "#EXTINF:2.520,", "tile-00002.jpg",
	}
	if !strings.Contains(pl, "\n"+strings.Join(wantPl, "\n")+"\n#EXT-X-ENDLIST\n") || !strings.Contains(pl, "\n"+imagesOnlyTag+"\n") {
		t.Errorf("image playlist lacks\n%s\nin\n%s", strings.Join(wantPl, "\n"), pl)
	}
}

// TestThumbnailDuration checks that a presentation shorter than one tile
// keeps the thumbnail interval in both manifests, and that without
// ThumbnailDurTicks it is a full tile over its thumbnails.
func TestThumbnailDuration(t *testing.T) {
	p := goldenPresentations()["thumbnails"]
	p.Tracks = p.Tracks[:3]
	img := imageTrack("thumbs", 64, 36, 5, 5, 40_000) // one tile of 25 s, cut at 7.52 s
	img.ThumbnailDurTicks = 2000
	p.Tracks = append(p.Tracks, img)
	pl := hlsFiles(t, p, HLSOptions{})[img.PlaylistURI]
	if !strings.Contains(pl, "LAYOUT=5x5,DURATION=2.000\n#EXTINF:7.520,") {
		t.Errorf("image playlist:\n%s", pl)
	}
	mpd, err := WriteDASH(p, DASHOptions{})
	if err != nil {
		t.Fatal(err)
	}
	validateMPD(t, mpd)
	if !strings.Contains(string(mpd), `media="image/$RepresentationID$/tile-$Number%05d$.jpg" duration="50000"`) {
		t.Errorf("SegmentTemplate@duration is not 25 thumbnails of 2 s:\n%s", mpd)
	}
	back, err := ReadDASH(mpd)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Tracks[len(back.Tracks)-1]; got.ThumbnailDurTicks != 2000 || len(got.Segments) != 1 || got.Segments[0].DurTicks != 7520 {
		t.Errorf("read back %d ticks per thumbnail, segments %+v", got.ThumbnailDurTicks, got.Segments)
	}

	img.ThumbnailDurTicks = 0
	p.Tracks[3] = img
	if pl := hlsFiles(t, p, HLSOptions{})[img.PlaylistURI]; !strings.Contains(pl, "DURATION=0.301\n") {
		t.Errorf("without ThumbnailDurTicks, DURATION is not 7.52 s / 25:\n%s", pl)
	}
}

// TestThumbnailTimeline checks that tiles @duration cannot describe get a
// SegmentTimeline and still round-trip.
func TestThumbnailTimeline(t *testing.T) {
	p := goldenPresentations()["thumbnails"]
	img := &p.Tracks[len(p.Tracks)-2] // thumbs-64x36: 5000 + 2520
	img.Segments[1].StartTicks += 100 // a gap
	data, err := WriteDASH(p, DASHOptions{})
	if err != nil {
		t.Fatal(err)
	}
	validateMPD(t, data)
	if !strings.Contains(string(data), `<S t="0" d="5000"></S>`+"\n"+`            <S t="5100" d="2520"></S>`) {
		t.Errorf("no SegmentTimeline for irregular tiles:\n%s", data)
	}
	got, err := ReadDASH(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dashView(p), got, byTypeAndID); diff != "" {
		t.Errorf("ReadDASH(WriteDASH(p)) mismatch (-want +got):\n%s", diff)
	}
}

// imageMaster is a multivariant playlist with one video variant and one
// image stream, as third parties write them.
const imageMaster = "#EXTM3U\n#EXT-X-VERSION:7\n" +
	"#EXT-X-STREAM-INF:BANDWIDTH=1000000,RESOLUTION=640x360,CODECS=\"avc1.64001e\"\nv/index.m3u8\n" +
	"#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=16460,RESOLUTION=320x180,CODECS=\"jpeg\",URI=\"5x2_320x180/thumbnails.m3u8\"\n"

const videoPlaylist = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:10\n#EXT-X-MAP:URI=\"init.mp4\"\n" +
	"#EXTINF:10.0,\n1.m4s\n#EXTINF:10.0,\n2.m4s\n#EXTINF:10.0,\n3.m4s\n#EXT-X-ENDLIST\n"

// TestReadHLSImages reads image playlists in the shapes other packagers
// write: Roku's (EXTINF, then EXT-X-TILES, per tile), Brightcove's (one
// EXT-X-TILES for all tiles) and without EXT-X-TILES (one thumbnail per
// image, sized by the EXT-X-IMAGE-STREAM-INF).
func TestReadHLSImages(t *testing.T) {
	tile := func(n, ms uint64) Segment {
		return Segment{URI: "5x2_320x180/thumb-" + string(rune('0'+n)) + ".jpg", StartTicks: (n - 1) * 10000, DurTicks: ms}
	}
	want := Track{
		ID: "5x2_320x180", Type: Image, Codecs: "jpeg", MimeType: MimeTypeJPEG, BandwidthBps: 16460,
		Width: 1600, Height: 360, TileCols: 5, TileRows: 2, Timescale: 1000, PlaylistURI: "5x2_320x180/thumbnails.m3u8",
		Segments: []Segment{tile(1, 10000), tile(2, 10000), tile(3, 10000)},
	}
	single := want
	single.Width, single.Height, single.TileCols, single.TileRows = 320, 180, 1, 1
	tests := map[string]struct {
		playlist string
		want     Track
	}{
		"roku": {"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-VERSION:7\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-IMAGES-ONLY\n" +
			"#EXTINF:10.000,\n#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=5x2,DURATION=1.000\nthumb-1.jpg\n" +
			"#EXTINF:10.000,\n#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=5x2,DURATION=1.000\nthumb-2.jpg\n" +
			"#EXTINF:10.000,\n#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=5x2,DURATION=1.000\nthumb-3.jpg\n#EXT-X-ENDLIST\n", want},
		"brightcove": {"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-IMAGES-ONLY\n" +
			"#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=5x2,DURATION=1.000\n" +
			"#EXTINF:10.000,\nthumb-1.jpg\n#EXTINF:10.000,\nthumb-2.jpg\n#EXTINF:10.000,\nthumb-3.jpg\n#EXT-X-ENDLIST\n", want},
		"no tiles": {"#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:10\n#EXT-X-IMAGES-ONLY\n" +
			"#EXTINF:10,\nthumb-1.jpg\n#EXTINF:10,\nthumb-2.jpg\n#EXTINF:10,\nthumb-3.jpg\n#EXT-X-ENDLIST\n", single},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"master.m3u8":                 {Data: []byte(imageMaster)},
				"v/index.m3u8":                {Data: []byte(videoPlaylist)},
				"5x2_320x180/thumbnails.m3u8": {Data: []byte(tc.playlist)},
			}
			p, err := ReadHLS(fsys, "master.m3u8")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, p.Tracks[len(p.Tracks)-1]); diff != "" {
				t.Errorf("image track (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadHLSImageErrors(t *testing.T) {
	const playlist = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:10\n#EXT-X-IMAGES-ONLY\n" +
		"#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=5x2,DURATION=1.000\n#EXTINF:10.000,\nthumb-1.jpg\n" +
		"#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=5x2,DURATION=1.000\n#EXTINF:10.000,\nthumb-2.jpg\n#EXT-X-ENDLIST\n"
	tests := map[string]struct {
		master, playlist string
		wantFile         string
		wantLine         int
		wantErr          error
	}{
		"no IMAGES-ONLY":  {imageMaster, strings.Replace(playlist, "#EXT-X-IMAGES-ONLY\n", "", 1), "5x2_320x180/thumbnails.m3u8", 0, nil},
		"tiles change":    {imageMaster, strings.Replace(playlist, "LAYOUT=5x2,DURATION=1.000\n#EXTINF:10.000,\nthumb-2", "LAYOUT=4x2,DURATION=1.000\n#EXTINF:10.000,\nthumb-2", 1), "5x2_320x180/thumbnails.m3u8", 8, ErrUnsupported},
		"bad LAYOUT":      {imageMaster, strings.ReplaceAll(playlist, "LAYOUT=5x2", "LAYOUT=5"), "5x2_320x180/thumbnails.m3u8", 5, nil},
		"bad DURATION":    {imageMaster, strings.ReplaceAll(playlist, "DURATION=1.000", "DURATION=soon"), "5x2_320x180/thumbnails.m3u8", 5, nil},
		"EXT-X-MAP":       {imageMaster, strings.Replace(playlist, "#EXT-X-IMAGES-ONLY\n", "#EXT-X-IMAGES-ONLY\n#EXT-X-MAP:URI=\"i.mp4\"\n", 1), "5x2_320x180/thumbnails.m3u8", 0, ErrUnsupported},
		"no URI":          {strings.Replace(imageMaster, `,URI="5x2_320x180/thumbnails.m3u8"`, "", 1), playlist, "master.m3u8", 5, nil},
		"bad BANDWIDTH":   {strings.Replace(imageMaster, "BANDWIDTH=16460", "BANDWIDTH=lots", 1), playlist, "master.m3u8", 5, nil},
		"PNG":             {strings.Replace(imageMaster, `CODECS="jpeg"`, `CODECS="png"`, 1), playlist, "master.m3u8", 5, ErrUnsupported},
		"no size at all":  {strings.Replace(imageMaster, "RESOLUTION=320x180,", "", 1), strings.ReplaceAll(playlist, "#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=5x2,DURATION=1.000\n", ""), "5x2_320x180/thumbnails.m3u8", 0, nil},
		"missing":         {imageMaster, "", "", 0, nil},
		"variant as well": {strings.Replace(imageMaster, "5x2_320x180/thumbnails.m3u8", "v/index.m3u8", 1), playlist, "master.m3u8", 5, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"master.m3u8": {Data: []byte(tc.master)}, "v/index.m3u8": {Data: []byte(videoPlaylist)}}
			if tc.playlist != "" {
				fsys["5x2_320x180/thumbnails.m3u8"] = &fstest.MapFile{Data: []byte(tc.playlist)}
			}
			_, err := ReadHLS(fsys, "master.m3u8")
			if err == nil {
				t.Fatal("no error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if tc.wantFile == "" {
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.File != tc.wantFile || pe.Line != tc.wantLine {
				t.Errorf("error at %s:%d, want %s:%d (%v)", pe.File, pe.Line, tc.wantFile, tc.wantLine, err)
			}
		})
	}
}

// TestReadDASHThumbnails reads DASH-IF thumbnail AdaptationSets as IOP v5
// shows them: the EssentialProperty on the AdaptationSet with the
// guidelines scheme, SegmentTemplate@duration in seconds, no startNumber.
func TestReadDASHThumbnails(t *testing.T) {
	const doc = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" profiles="urn:mpeg:dash:profile:isoff-live:2011"
     mediaPresentationDuration="PT300S" minBufferTime="PT2S">
  <Period>
    <AdaptationSet mimeType="image/jpeg">
      <EssentialProperty schemeIdUri="http://dashif.org/guidelines/thumbnail_tile" value="25x1"/>
      <SegmentTemplate media="thumbnails_$Number$.jpg" timescale="1" duration="125"/>
      <Representation id="thumbs" bandwidth="10000" width="6400" height="180"/>
    </AdaptationSet>
  </Period>
</MPD>`
	p, err := ReadDASH([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Track{{
		ID: "thumbs", Type: Image, Codecs: "jpeg", MimeType: MimeTypeJPEG, BandwidthBps: 10000,
		Width: 6400, Height: 180, TileCols: 25, TileRows: 1, Timescale: 1,
		Segments: []Segment{
			{URI: "thumbnails_1.jpg", DurTicks: 125},
			{URI: "thumbnails_2.jpg", StartTicks: 125, DurTicks: 125},
			{URI: "thumbnails_3.jpg", StartTicks: 250, DurTicks: 50},
		},
	}}
	if diff := cmp.Diff(want, p.Tracks); diff != "" {
		t.Errorf("ReadDASH (-want +got):\n%s", diff)
	}
	for _, bad := range []string{
		strings.Replace(doc, `value="25x1"`, `value="many"`, 1),
		strings.Replace(doc, `mimeType="image/jpeg"`, `mimeType="image/png"`, 1),
		strings.Replace(doc, `<SegmentTemplate `, `<SegmentTemplate initialization="init.jpg" `, 1),
	} {
		if _, err := ReadDASH([]byte(bad)); err == nil {
			t.Errorf("ReadDASH accepted\n%s", bad)
		}
	}
}
