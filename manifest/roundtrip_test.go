package manifest

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// byTypeAndID puts tracks in a canonical order: the readers return them
// grouped by type in manifest order, which is not the writers' input order.
var byTypeAndID = cmpopts.SortSlices(func(a, b Track) bool {
	rank := map[TrackType]int{Video: 0, Audio: 1, Text: 2, Image: 3}
	if a.Type != b.Type {
		return rank[a.Type] < rank[b.Type]
	}
	return a.ID < b.ID
})

// hlsView is what ReadHLS can recover from WriteHLS(p): p with every field
// HLS does not carry cleared or converted as ReadHLS documents it.
func hlsView(t *testing.T, p *Presentation) *Presentation {
	t.Helper()
	out := &Presentation{SingleFile: p.SingleFile}
	var longest uint64
	hasGroups := false
	for _, tr := range p.Tracks {
		hasGroups = hasGroups || (tr.Type == Audio || tr.Type == Text) && tr.inHLS()
	}
	for _, tr := range p.Tracks {
		if !tr.inHLS() {
			continue
		}
		c := tr
		c.Only = ""
		c.SARNum, c.SARDen = 0, 0
		switch {
		case tr.Type == Image: // BANDWIDTH of its EXT-X-IMAGE-STREAM-INF
			c.AverageBandwidthBps = 0
		case tr.Type != Video || hasGroups:
			c.BandwidthBps, c.AverageBandwidthBps = 0, 0
		}
		if tr.plain() {
			c.Codecs = plainCodecsOf(&tr)
		}
		c.Timescale = readTimescale
		c.Segments = nil
		var start uint64
		for _, s := range tr.Segments {
			ms, err := ticksToMs(s.DurTicks, tr.Timescale)
			if err != nil {
				t.Fatal(err)
			}
			s.StartTicks, s.DurTicks = start, ms
			s.SizeBytes = s.Range.Length
			c.Segments = append(c.Segments, s)
			start += ms
		}
		if tr.ThumbnailDurTicks > 0 { // kept when the tiles do not tell it
			ms, err := ticksToMs(tr.ThumbnailDurTicks, tr.Timescale)
			if err != nil {
				t.Fatal(err)
			}
			c.ThumbnailDurTicks = ms
			if ms == inferredThumbnailMs(c.Segments[0].DurTicks, &c) {
				c.ThumbnailDurTicks = 0
			}
		}
		if tr.MimeType == MimeTypeWebVTT { // one segment reads as a side-car file
			for i := range c.Segments {
				c.Segments[i].URI = tr.segmentURI(i)
			}
			c.MediaURI = ""
			if len(c.Segments) == 1 {
				c.MediaURI, c.Segments[0].URI = c.Segments[0].URI, ""
			}
		}
		longest = max(longest, start)
		c.Protection = hlsProtection(tr.Protection)
		c.IFrames = nil
		for _, f := range tr.IFrames {
			ms, err := ticksToMs(f.DurTicks, tr.Timescale)
			if err != nil {
				t.Fatal(err)
			}
			f.DurTicks = ms
			c.IFrames = append(c.IFrames, f)
		}
		out.Tracks = append(out.Tracks, c)
	}
	out.Duration = time.Duration(longest) * time.Millisecond
	variants, err := hlsVariants(p, DefaultVariantBandwidthBps)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range variants {
		out.Variants = append(out.Variants, v.Variant)
	}
	return out
}

// dashView is what ReadDASH can recover from WriteDASH(p).
func dashView(p *Presentation) *Presentation {
	out := &Presentation{SingleFile: p.SingleFile, Duration: p.Duration.Round(time.Millisecond)}
	for _, tr := range p.Tracks {
		if !tr.inDASH() {
			continue
		}
		c := tr
		c.Only, c.Characteristics = "", ""
		c.AverageBandwidthBps = 0
		c.PlaylistURI, c.IFramePlaylistURI, c.IFrames = "", "", nil
		c.Protection = dashProtection(tr.Protection)
		if tr.Type == Video {
			c.SARNum, c.SARDen = sar(&tr)
		}
		if tr.Type == Video || tr.Type == Image {
			c.Default = false
		}
		if tr.plain() {
			c.Codecs = plainCodecsOf(&tr)
		}
		switch {
		case tr.sideCar(): // one file lasting the Period, in ms
			c.MediaURI, c.Timescale = tr.sideCarURI(), readTimescale
			c.Segments = []Segment{{DurTicks: uint64(out.Duration / time.Millisecond)}}
		case tr.Type == Image:
			c.Segments = nil
			for _, s := range tr.Segments {
				s.SizeBytes = 0
				c.Segments = append(c.Segments, s)
			}
			// Only @duration over a tile cut short by the Period tells it.
			end := ticksOf(out.Duration, tr.Timescale)
			if len(tr.Segments) > 1 || !regularTiles(tr.Segments, tileTicks(&tr), end) || tr.Segments[0].DurTicks == tileTicks(&tr) {
				c.ThumbnailDurTicks = 0
			} else {
				c.ThumbnailDurTicks = tileTicks(&tr) / uint64(tr.TileCols*tr.TileRows)
			}
		case tr.plain() || !p.SingleFile:
			c.Segments = nil
			for _, s := range tr.Segments {
				s.SizeBytes = 0
				c.Segments = append(c.Segments, s)
			}
		default:
			c.Segments = nil
		}
		out.Tracks = append(out.Tracks, c)
	}
	return out
}

func TestRoundTripHLS(t *testing.T) {
	for _, name := range goldenNames() {
		t.Run(name, func(t *testing.T) {
			in := goldenPresentations()[name]
			files, err := WriteHLS(in, HLSOptions{})
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{}
			for _, f := range files {
				fsys["out/"+f.Name] = &fstest.MapFile{Data: f.Data}
			}
			got, err := ReadHLS(fsys, "out/"+DefaultMultivariantName)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(hlsView(t, in), got, byTypeAndID, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadHLS(WriteHLS(p)) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoundTripDASH(t *testing.T) {
	for _, name := range goldenNames() {
		t.Run(name, func(t *testing.T) {
			in := goldenPresentations()[name]
			data, err := WriteDASH(in, DASHOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadDASH(data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(dashView(in), got, byTypeAndID, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadDASH(WriteDASH(p)) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRoundTripDASHToHLS converts a read MPD back to HLS and DASH: what a
// reader returns must be valid writer input again (multi-file mode; the
// on-demand MPD keeps its segments in the sidx).
func TestRoundTripDASHToHLS(t *testing.T) {
	in := goldenPresentations()["ladder"]
	data, err := WriteDASH(in, DASHOptions{})
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
		t.Errorf("WriteDASH(ReadDASH(mpd)) differs (-first +second):\n%s", diff)
	}
	for i := range got.Tracks {
		got.Tracks[i].PlaylistURI = string(got.Tracks[i].Type) + "/" + got.Tracks[i].ID + "/index.m3u8"
	}
	if _, err := WriteHLS(got, HLSOptions{}); err != nil {
		t.Errorf("WriteHLS(ReadDASH(mpd)): %v", err)
	}
}

// TestRoundTripSubtitles covers text tracks, which have no golden file:
// an HLS SUBTITLES group and a DASH text AdaptationSet.
func TestRoundTripSubtitles(t *testing.T) {
	in := goldenPresentations()["mixed"]
	sub := audioTrack(audioSpec{"subs-en", "wvtt", "en", "English subtitles", 0, 2_000, 1_000, false}, false)
	sub.Type, sub.SampleRate = Text, 0
	sub.PlaylistURI = "text/subs-en/index.m3u8"
	for i := range sub.Segments {
		sub.Segments[i].URI = strings.Replace(sub.Segments[i].URI, "audio/", "text/", 1)
	}
	sub.InitURI = "text/subs-en/init.mp4"
	in.Tracks = append(in.Tracks, sub)

	files, err := WriteHLS(in, HLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	master := string(fsys[DefaultMultivariantName].Data)
	for _, want := range []string{`TYPE=SUBTITLES,GROUP-ID="subs",NAME="English subtitles",LANGUAGE="en"`, `SUBTITLES="subs"`, `CODECS="avc1.64001f,mp4a.40.2,wvtt"`} {
		if !strings.Contains(master, want) {
			t.Errorf("multivariant playlist lacks %s:\n%s", want, master)
		}
	}
	got, err := ReadHLS(fsys, DefaultMultivariantName)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(hlsView(t, in), got, byTypeAndID, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ReadHLS(WriteHLS(p)) mismatch (-want +got):\n%s", diff)
	}

	mpd, err := WriteDASH(in, DASHOptions{})
	if err != nil {
		t.Fatal(err)
	}
	validateMPD(t, mpd)
	if !strings.Contains(string(mpd), `lang="en" contentType="text"`) {
		t.Errorf("no text AdaptationSet in\n%s", mpd)
	}
	back, err := ReadDASH(mpd)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dashView(in), back, byTypeAndID, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ReadDASH(WriteDASH(p)) mismatch (-want +got):\n%s", diff)
	}
}

// hlsProtection is what ReadHLS gets back of a Protection: the scheme, the
// KID, the clear lead and each system's EXT-X-KEY attributes.
func hlsProtection(pr *Protection) *Protection {
	if pr == nil {
		return nil
	}
	out := &Protection{Scheme: pr.Scheme, DefaultKID: pr.DefaultKID, ClearSegments: pr.ClearSegments}
	for _, s := range pr.Systems {
		if s.DASHOnly || s.KeyFormat == "" {
			continue
		}
		out.Systems = append(out.Systems, ProtectionSystem{SystemID: s.SystemID, KeyFormat: s.KeyFormat,
			KeyFormatVersions: s.KeyFormatVersions, KeyURI: s.KeyURI})
	}
	return out
}

// dashProtection is what ReadDASH gets back of a Protection.
func dashProtection(pr *Protection) *Protection {
	if pr == nil {
		return nil
	}
	out := &Protection{Scheme: pr.Scheme, DefaultKID: pr.DefaultKID}
	for _, s := range pr.Systems {
		if s.HLSOnly {
			continue
		}
		out.Systems = append(out.Systems, ProtectionSystem{SystemID: s.SystemID, Name: s.Name, PSSH: s.PSSH,
			PlayReadyPRO: s.PlayReadyPRO, LicenseURL: s.LicenseURL})
	}
	return out
}
