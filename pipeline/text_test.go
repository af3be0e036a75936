package pipeline

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/mediatest"
	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/subtitle"
)

// A mezzanine with an embedded French forced mov_text stream, an English
// side-car SRT and thumbnails: the package has both text tracks in both
// manifests with their flags and cues, and the image track; a side-car of
// the embedded stream's language and kind replaces it.
func TestEncodeSubtitlesAndThumbnails(t *testing.T) {
	mediatest.RequireFFmpeg(t)
	dir := t.TempDir()
	srt := filepath.Join(dir, "fr.srt")
	writeFile(t, srt, "1\n00:00:00,500 --> 00:00:01,500\nBonjour\n\n2\n00:00:02,500 --> 00:00:03,500\nAu revoir\n")
	src := mediatest.Generate(t, dir, "src.mp4",
		"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=4", "-i", srt,
		"-map", "0:v", "-map", "1:s", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-c:s", "mov_text", "-metadata:s:s:0", "language=fre", "-disposition:s:0", "forced")
	en := filepath.Join(dir, "en.srt")
	writeFile(t, en, "1\n00:00:01,000 --> 00:00:02,000\nHello\n")
	ladderFile := filepath.Join(dir, "ladder.json")
	writeFile(t, ladderFile, `{"name":"t","video":[{"width":320,"height":180,"bitrate_kbps":300}]}`)

	run := func(out string, subs []packager.Subtitle) *EncodeResult {
		t.Helper()
		res, err := Encode(context.Background(), encode.NewExecRunner(nil), EncodeConfig{
			Input: src, Output: out, Ladder: ladderFile, Preset: "ultrafast", SegmentDuration: 2 * time.Second,
			Package:    PackageOptions{Subtitles: subs},
			Thumbnails: &encode.ThumbnailConfig{Interval: time.Second, Width: 160, Height: 90, Cols: 2, Rows: 2},
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	out := filepath.Join(dir, "out")
	run(out, []packager.Subtitle{{Path: en, Language: "en"}})

	hls, err := manifest.ReadHLS(os.DirFS(out), "master.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, "manifest.mpd"))
	if err != nil {
		t.Fatal(err)
	}
	dash, err := manifest.ReadDASH(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*manifest.Presentation{hls, dash} {
		got := map[string]bool{}
		images := 0
		for _, tr := range p.Tracks {
			switch tr.Type {
			case manifest.Text:
				got[tr.Language+map[bool]string{true: "/forced"}[tr.Forced]] = true
			case manifest.Image:
				images++
				if tr.TileCols != 2 || tr.TileRows != 2 || tr.Width != 320 || tr.Height != 180 || len(tr.Segments) != 1 {
					t.Errorf("image track %+v: want one 2x2 tile of 160x90 thumbnails", tr)
				}
			}
		}
		if !got["fr/forced"] || !got["en"] || len(got) != 2 || images != 1 {
			t.Errorf("text tracks %v and %d image tracks; want fr/forced (embedded), en (side-car), one image track", got, images)
		}
	}
	// The embedded stream's cues survive, on the media timeline.
	seg, err := os.ReadFile(filepath.Join(out, "text", "text-fr-forced-vtt", "seg-00002.vtt"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := subtitle.ParseWebVTT("seg-00002.vtt", seg)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Cues) != 1 || doc.Cues[0].Text != "Au revoir" || doc.Cues[0].Start != 2500*time.Millisecond || doc.Cues[0].End != 3500*time.Millisecond {
		t.Errorf("segment 2 of the French track holds %+v; want Au revoir 2.5-3.5 s", doc.Cues)
	}
	if vtt, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(packager.ThumbnailsVTT))); err != nil || !strings.Contains(string(vtt), "tile-00001.jpg#xywh=160,90,160,90") {
		t.Errorf("thumbnail track: %v\n%s", err, vtt)
	}

	// A French forced side-car replaces the embedded stream.
	out2 := filepath.Join(dir, "out2")
	fr := filepath.Join(dir, "fr-forced.vtt")
	writeFile(t, fr, "WEBVTT\n\n00:00.000 --> 00:01.000\nRemplacé\n")
	res := run(out2, []packager.Subtitle{{Path: fr, Language: "fr", Forced: true}})
	var sources []string
	for _, tr := range res.Package.Tracks {
		if tr.Type == string(manifest.Text) && tr.Language == "fr" {
			sources = append(sources, tr.Source)
		}
	}
	for _, s := range sources {
		if s != fr {
			t.Errorf("French text track from %s; want only the side-car %s", s, fr)
		}
	}
	if len(sources) == 0 {
		t.Error("no French text track")
	}
}

// A bad side-car subtitle fails before anything is encoded or created.
func TestEncodeBadSubtitleFailsFirst(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.vtt")
	writeFile(t, bad, "WEBVTT\n\n00:02.000 --> 00:01.000\nbackwards\n")
	out := filepath.Join(dir, "out")
	_, err := Encode(context.Background(), failRunner{t}, EncodeConfig{
		Input: filepath.Join(dir, "missing.mov"), Output: out, Ladder: "apple-h264",
		Package: PackageOptions{Subtitles: []packager.Subtitle{{Path: bad, Language: "en"}}},
	})
	var se *packager.SubtitleError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "bad.vtt:3") {
		t.Fatalf("err = %v; want a SubtitleError naming bad.vtt:3", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output folder exists after a refused subtitle: %v", err)
	}
}

// failRunner fails the test if anything runs ffmpeg or ffprobe.
type failRunner struct{ t *testing.T }

func (r failRunner) Run(_ context.Context, tool encode.Tool, args []string, _ io.Writer) error {
	r.t.Errorf("%s ran (%v); nothing should have", tool, args)
	return errors.New("must not run")
}

func TestSidecarSubtitles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"movie.mov", "movie.en.vtt", "movie.fra.srt", "movie.de.forced.vtt", "movie.es.sdh.ttml",
		"movie.vtt", "movie.director.vtt", "movie.en.notes.vtt", "movie.en.txt", "movie2.en.vtt", "other.en.vtt"} {
		writeFile(t, filepath.Join(dir, f), "")
	}
	subs, err := SidecarSubtitles(filepath.Join(dir, "movie.mov"))
	if err != nil {
		t.Fatal(err)
	}
	want := []packager.Subtitle{
		{Path: filepath.Join(dir, "movie.de.forced.vtt"), Language: "de", Forced: true},
		{Path: filepath.Join(dir, "movie.en.vtt"), Language: "en"},
		{Path: filepath.Join(dir, "movie.es.sdh.ttml"), Language: "es", Characteristics: sdhCharacteristics},
		{Path: filepath.Join(dir, "movie.fra.srt"), Language: "fr"},
	}
	if len(subs) != len(want) {
		t.Fatalf("got %+v, want %+v", subs, want)
	}
	for i := range want {
		if subs[i] != want[i] {
			t.Errorf("side-car %d = %+v, want %+v", i, subs[i], want[i])
		}
	}
}
