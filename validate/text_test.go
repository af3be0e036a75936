package validate_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/subtitle"
	"github.com/vpack-dev/vpack/validate"
)

// The text package is the clean package with a subtitle track of every
// form and a thumbnail track, as vpack publishes them (see
// manifest/plainfile.go), written with the subtitle package's writers and
// the manifest writers while the packager cannot package text yet:
//
//   - English: HLS WebVTT segments with X-TIMESTAMP-MAP (Only HLS) and
//     DASH fMP4 wvtt (Only DASH), default;
//   - forced English: the same two forms;
//   - German: fMP4 stpp (IMSC1) in both manifests;
//   - French SDH: one side-car WebVTT file in both manifests;
//   - thumbnails: 2x2 tiles of 64x36 JPEG thumbnails, one a second, so a
//     tile is 4 s and the 5 s presentation takes 2 tiles.
//
// The text segments follow the video's: a cue crossing a segment boundary
// is repeated in the WebVTT segments and cut in the wvtt and stpp ones.
var textPkg built

// Text track IDs, for mutations.
const (
	vttID    = "subs-en-vtt"
	wvttID   = "subs-en-wvtt"
	forcedID = "forced-en-vtt"
	stppID   = "subs-de-stpp"
	sideID   = "sdh-fr"
	thumbsID = "thumbs-64x36"
)

func cues(texts ...string) *subtitle.Document {
	times := [][2]time.Duration{{500, 1500}, {1500, 2500}, {3000, 3800}, {4200, 4900}}
	doc := &subtitle.Document{Format: subtitle.WebVTT}
	for i, s := range texts {
		doc.Cues = append(doc.Cues, subtitle.Cue{Start: times[i][0] * time.Millisecond, End: times[i][1] * time.Millisecond, Text: s})
	}
	return doc
}

// textPackage returns the folder of the text package and its
// presentation.
func textPackage(t *testing.T) (string, *manifest.Presentation) {
	t.Helper()
	src, pres := cleanPackage(t)
	textPkg.once.Do(func() {
		textPkg.dir = filepath.Join(scratch, "text")
		textPkg.pres, textPkg.err = buildTextPackage(src, textPkg.dir, pres)
		if textPkg.err == nil {
			writeManifests(t, textPkg.dir, textPkg.pres)
		}
	})
	if textPkg.err != nil {
		t.Fatalf("text package: %v", textPkg.err)
	}
	return textPkg.dir, textPkg.pres
}

func buildTextPackage(src, dst string, pres *manifest.Presentation) (*manifest.Presentation, error) {
	if err := copyDir(src, dst); err != nil {
		return nil, err
	}
	// The text segments' spans are the video's, in milliseconds.
	video := pres.Tracks[0]
	ms := func(ticks uint64) time.Duration {
		return time.Duration(math.Round(float64(ticks)*1000/float64(video.Timescale))) * time.Millisecond
	}
	var spans []subtitle.Span
	for _, s := range video.Segments {
		spans = append(spans, subtitle.Span{Start: ms(s.StartTicks), End: ms(s.StartTicks + s.DurTicks)})
	}
	mpegts := video.Segments[0].StartTicks * 90000 / uint64(video.Timescale)
	en := cues("Hello.", "Across the boundary.", "A third line.", "The end.")
	forced := &subtitle.Document{Format: subtitle.WebVTT, Cues: []subtitle.Cue{{Start: 2200 * time.Millisecond, End: 2800 * time.Millisecond, Text: "[In French] Bonjour."}}}
	de := cues("Hallo.", "Über die Grenze.", "Eine dritte Zeile.", "Das Ende.")
	de.Language = "de"
	fr := cues("[Musique]", "Bonjour.", "Une troisième ligne.", "[Applaudissements]")

	p := *pres
	p.Tracks = append([]manifest.Track(nil), pres.Tracks...)
	write := func(rel string, data []byte) (int64, error) {
		path := filepath.Join(dst, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return 0, err
		}
		return int64(len(data)), os.WriteFile(path, data, 0o644)
	}
	// segmented writes one file per span and returns the segments.
	segmented := func(dir, ext string, seg func(i int, span subtitle.Span) ([]byte, error)) ([]manifest.Segment, error) {
		var out []manifest.Segment
		for i, span := range spans {
			data, err := seg(i, span)
			if err != nil {
				return nil, err
			}
			uri := fmt.Sprintf("%s/seg-%05d.%s", dir, i+1, ext)
			n, err := write(uri, data)
			if err != nil {
				return nil, err
			}
			out = append(out, manifest.Segment{URI: uri, StartTicks: uint64(span.Start.Milliseconds()),
				DurTicks: uint64((span.End - span.Start).Milliseconds()), SizeBytes: n})
		}
		return out, nil
	}
	text := func(id, codecs, mime string, only manifest.Manifest, lang, name string, def, isForced bool) manifest.Track {
		return manifest.Track{ID: id, Type: manifest.Text, Codecs: codecs, MimeType: mime, Only: only,
			Language: lang, Name: name, Default: def, Forced: isForced, Timescale: 1000,
			PlaylistURI: "text/" + id + "/index.m3u8"}
	}
	webvtt := func(id string, doc *subtitle.Document, isForced bool) (manifest.Track, error) {
		tr := text(id, "", manifest.MimeTypeWebVTT, manifest.HLS, "en", "English", !isForced, isForced)
		if isForced {
			tr.Name = "English (forced)"
		}
		var err error
		tr.Segments, err = segmented("text/"+id, "vtt", func(_ int, span subtitle.Span) ([]byte, error) {
			return subtitle.WriteWebVTTSegment(doc, span, mpegts), nil
		})
		return tr, err
	}
	cmaf := func(tr manifest.Track, init []byte, seg func(i int, span subtitle.Span) ([]byte, error)) (manifest.Track, error) {
		tr.InitURI = "text/" + tr.ID + "/init.mp4"
		if _, err := write(tr.InitURI, init); err != nil {
			return tr, err
		}
		var err error
		tr.Segments, err = segmented("text/"+tr.ID, "m4s", seg)
		return tr, err
	}
	wvtt := func(id string, doc *subtitle.Document, isForced bool) (manifest.Track, error) {
		tr := text(id, subtitle.WVTTCodecs, "", manifest.DASH, "en", "English", !isForced, isForced)
		if isForced {
			tr.Name = "English (forced)"
		}
		init, err := subtitle.WVTTInit(doc, "en")
		if err != nil {
			return tr, err
		}
		return cmaf(tr, init, func(i int, span subtitle.Span) ([]byte, error) { return subtitle.WVTTSegment(doc, span, uint32(i+1)) })
	}
	var tracks []manifest.Track
	for _, f := range []func() (manifest.Track, error){
		func() (manifest.Track, error) { return webvtt(vttID, en, false) },
		func() (manifest.Track, error) { return wvtt(wvttID, en, false) },
		func() (manifest.Track, error) { return webvtt(forcedID, forced, true) },
		func() (manifest.Track, error) { return wvtt("forced-en-wvtt", forced, true) },
		func() (manifest.Track, error) {
			init, err := subtitle.STPPInit("de")
			if err != nil {
				return manifest.Track{}, err
			}
			return cmaf(text(stppID, subtitle.STPPCodecs, "", "", "de", "Deutsch", false, false), init,
				func(i int, span subtitle.Span) ([]byte, error) { return subtitle.STPPSegment(de, span, uint32(i+1)) })
		},
		func() (manifest.Track, error) {
			tr := text(sideID, "", manifest.MimeTypeWebVTT, "", "fr", "Français SDH", false, false)
			tr.Characteristics = "public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound"
			tr.MediaURI = "text/" + sideID + "/" + sideID + ".vtt"
			n, err := write(tr.MediaURI, subtitle.WriteWebVTT(fr))
			tr.Segments = []manifest.Segment{{DurTicks: uint64(spans[len(spans)-1].End.Milliseconds()), SizeBytes: n}}
			return tr, err
		},
		func() (manifest.Track, error) { return thumbnails(write, p.Duration) },
	} {
		tr, err := f()
		if err != nil {
			return nil, err
		}
		tr.BandwidthBps, tr.AverageBandwidthBps = bitRates(tr)
		tracks = append(tracks, tr)
	}
	p.Tracks = append(p.Tracks, tracks...)
	return &p, nil
}

// thumbnails writes 2x2 tiles of 64x36 thumbnails, one a second, up to
// the end of the presentation.
func thumbnails(write func(string, []byte) (int64, error), dur time.Duration) (manifest.Track, error) {
	const cols, rows, w, h, intervalMs = 2, 2, 64, 36, 1000
	tr := manifest.Track{ID: thumbsID, Type: manifest.Image, Codecs: "jpeg", MimeType: manifest.MimeTypeJPEG,
		Width: cols * w, Height: rows * h, TileCols: cols, TileRows: rows, ThumbnailDurTicks: intervalMs,
		Timescale: 1000, PlaylistURI: "images/" + thumbsID + "/index.m3u8"}
	end := uint64(dur.Round(time.Millisecond).Milliseconds())
	tile := uint64(cols * rows * intervalMs)
	for i, start := 0, uint64(0); start < end; i, start = i+1, start+tile {
		uri := fmt.Sprintf("images/%s/tile-%05d.jpg", thumbsID, i+1)
		n, err := write(uri, jpegTile(cols*w, rows*h, i))
		if err != nil {
			return tr, err
		}
		tr.Segments = append(tr.Segments, manifest.Segment{URI: uri, StartTicks: start, DurTicks: min(tile, end-start), SizeBytes: n})
	}
	return tr, nil
}

// jpegTile is a w×h JPEG image, shaded by n.
func jpegTile(w, h, n int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 2), uint8(y * 3), uint8(40 * n), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 75}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// bitRates measures a track's peak segment bit rate and its average.
func bitRates(tr manifest.Track) (peak, avg int64) {
	var bits, ticks float64
	for _, s := range tr.Segments {
		sec := float64(s.DurTicks) / float64(tr.Timescale)
		bits += float64(s.SizeBytes) * 8
		ticks += float64(s.DurTicks)
		peak = max(peak, int64(math.Ceil(float64(s.SizeBytes)*8/sec)))
	}
	return peak + 1, int64(bits/(ticks/float64(tr.Timescale))) + 1
}

// copyDir copies the folder src into dst.
func copyDir(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// TestCleanTextPackage validates the text package: what vpack publishes
// must validate clean, side-car files and thumbnail tiles included (they
// are not init segments: 6 are video, audio, wvtt and stpp; the 27
// segments are 9 of video and audio, 6 wvtt, 3 stpp, 6 WebVTT, the
// side-car file and 2 tiles).
func TestCleanTextPackage(t *testing.T) {
	dir, _ := textPackage(t)
	r := validateDir(t, dir, validate.Options{})
	requireSpotless(t, r)
	if len(r.Findings) > 0 {
		var b strings.Builder
		r.WriteText(&b)
		t.Errorf("want no findings at all:\n%s", b.String())
	}
	if r.Stats.InitSegments != 6 || r.Stats.Segments != 27 || r.Stats.Playlists != 11 {
		t.Errorf("stats = %+v, want 6 init segments, 27 segments, 11 playlists", r.Stats)
	}
}

// textFile is the path of a file of the text package in dir.
func textFile(dir, rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }

// replaceBytes replaces the first old in the file rel of dir with new, of
// the same length (so that box sizes stay right), and fails when there is
// none.
func replaceBytes(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	if len(old) != len(new) {
		t.Fatalf("replaceBytes: %q and %q differ in length", old, new)
	}
	data, err := os.ReadFile(textFile(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte(old))
	if i < 0 {
		t.Fatalf("%s: %q not found", rel, old)
	}
	copy(data[i:], new)
	if err := os.WriteFile(textFile(dir, rel), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// textMutations are the faults of text and thumbnail tracks, each put into
// a copy of the text package; TestMutations runs them with the others.
var textMutations = []mutation{
	{name: "malformed WebVTT segment", text: true, rule: "TEXT-WEBVTT", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "text/"+vttID+"/seg-00002.vtt", `00:00:03\.000 -->`, "00:00:03,000 -->")
	}},
	{name: "WebVTT segment without X-TIMESTAMP-MAP", text: true, rule: "TEXT-TIMESTAMP-MAP", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "text/"+vttID+"/seg-00003.vtt", `X-TIMESTAMP-MAP=[^\n]*\n`, "")
	}},
	{name: "malformed X-TIMESTAMP-MAP", text: true, rule: "TEXT-TIMESTAMP-MAP-SYNTAX", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "text/"+vttID+"/seg-00001.vtt", `MPEGTS:0,`, "MPEGTS:zero,")
	}},
	{name: "X-TIMESTAMP-MAP puts the cues 10 s late", text: true, rule: "TEXT-CUE-OUTSIDE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "text/"+vttID+"/seg-00003.vtt", `MPEGTS:0,`, "MPEGTS:900000,")
	}},
	{name: "cue across a boundary not repeated", text: true, rule: "TEXT-CUE-MISSING", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "text/"+vttID+"/seg-00002.vtt", `00:00:01\.500 --> 00:00:02\.500\nAcross the boundary\.\n\n`, "")
	}},
	{name: "side-car cue after the end", text: true, rule: "TEXT-CUE-OUTSIDE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		f, err := os.OpenFile(textFile(dir, "text/"+sideID+"/"+sideID+".vtt"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString("\n00:00:09.000 --> 00:00:10.000\nToo late.\n"); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "gap between wvtt segments", text: true, rule: "TEXT-WVTT-SAMPLES", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		patchBox(t, textFile(dir, "text/"+wvttID+"/seg-00002.m4s"), "moof/traf/tfdt", 1, func(b []byte) {
			if b[0] == 1 {
				binary.BigEndian.PutUint64(b[4:], binary.BigEndian.Uint64(b[4:])+300)
			} else {
				binary.BigEndian.PutUint32(b[4:], binary.BigEndian.Uint32(b[4:])+300)
			}
		})
	}},
	{name: "wvtt sample of unknown boxes", text: true, rule: "TEXT-WVTT-SAMPLES", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceBytes(t, dir, "text/"+wvttID+"/seg-00001.m4s", "vttc", "vttx")
	}},
	{name: "stpp cue outside its sample", text: true, rule: "TEXT-CUE-OUTSIDE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceBytes(t, dir, "text/"+stppID+"/seg-00002.m4s", `begin="00:00:03.000" end="00:00:03.800"`, `begin="00:00:07.000" end="00:00:07.800"`)
	}},
	{name: "stpp sample not TTML", text: true, rule: "TEXT-STPP", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceBytes(t, dir, "text/"+stppID+"/seg-00001.m4s", "<tt ", "<xx ")
	}},
	{name: "LANGUAGE differs from mdhd", text: true, rule: "TEXT-LANGUAGE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `LANGUAGE="de"`, `LANGUAGE="nl"`)
	}},
	{name: "forced subtitles only in DASH", text: true, rule: "CROSS-LANGUAGES", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `,FORCED=YES`, "")
	}},
	{name: "tile not a JPEG", text: true, rule: "THUMB-JPEG", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		if err := os.WriteFile(textFile(dir, "images/"+thumbsID+"/tile-00001.jpg"), []byte("GIF89a not a jpeg"), 0o644); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "tile of the wrong size", text: true, rule: "THUMB-SIZE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		if err := os.WriteFile(textFile(dir, "images/"+thumbsID+"/tile-00002.jpg"), jpegTile(96, 54, 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "tiles end early", text: true, rule: "THUMB-COVERAGE", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "images/"+thumbsID+"/index.m3u8", `#EXT-X-TILES:[^\n]*\n#EXTINF:[^\n]*\ntile-00002\.jpg\n`, "")
	}},
	{name: "RESOLUTION against EXT-X-TILES", text: true, rule: "THUMB-SIGNALLING", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "master.m3u8", `RESOLUTION=64x36,CODECS="jpeg"`, `RESOLUTION=32x18,CODECS="jpeg"`)
	}},
	{name: "HLS and DASH tiles differ", text: true, rule: "CROSS-THUMBNAILS", mutate: func(t *testing.T, dir string, p *manifest.Presentation) {
		replaceIn(t, dir, "manifest.mpd", `thumbnail_tile" value="2x2"`, `thumbnail_tile" value="4x1"`)
	}},
}
