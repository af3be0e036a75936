package packager

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/subtitle"
)

func msDur(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// The fixtures are 5 s long with keyframes every 2 s: video segments start
// at 0, 2 and 4 s. These subtitles cross both boundaries, overlap, and run
// past the end.
const (
	testVTT = `WEBVTT

intro
00:00.500 --> 00:02.500 line:0
<b>Crosses</b> the first boundary

00:01.000 --> 00:01.500
<v Ann>Overlaps the first

00:03.000 --> 00:04.200 align:start
Crosses the second

00:04.800 --> 00:06.000
Cut at the end

00:05.500 --> 00:07.000
After the end
`
	testSRT = `1
00:00:01,000 --> 00:00:03,000
<i>Forced</i> <font color="red">narrative</font>
`
)

// wantVTTCues is testVTT as packaged: cues clipped to the presentation's
// 5 s, the one starting after it dropped.
var wantVTTCues = []subtitle.Cue{
	{ID: "intro", Start: msDur(500), End: msDur(2500), Settings: "line:0", Text: "<b>Crosses</b> the first boundary"},
	{Start: msDur(1000), End: msDur(1500), Text: "<v Ann>Overlaps the first"},
	{Start: msDur(3000), End: msDur(4200), Settings: "align:start", Text: "Crosses the second"},
	{Start: msDur(4800), End: msDur(5000), Text: "Cut at the end"},
}

func writeSubtitle(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readOutFile(t *testing.T, out, uri string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(uri)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func trackByID(t *testing.T, p *manifest.Presentation, id string) manifest.Track {
	t.Helper()
	for _, tr := range p.Tracks {
		if tr.ID == id {
			return tr
		}
	}
	var ids []string
	for _, tr := range p.Tracks {
		ids = append(ids, tr.ID)
	}
	t.Fatalf("no track %s in %v", id, ids)
	return manifest.Track{}
}

// checkTextSegments asserts that a text track's segments start where the
// video's do and end with the presentation, and that the model's sizes
// and bit rates are the files'.
func checkTextSegments(t *testing.T, out string, p *manifest.Presentation, tr manifest.Track) {
	t.Helper()
	video := tracksOf(p, manifest.Video)[0]
	if len(tr.Segments) != len(video.Segments) {
		t.Fatalf("%s: %d segments, video has %d", tr.ID, len(tr.Segments), len(video.Segments))
	}
	var total int64
	for i, s := range tr.Segments {
		vs := video.Segments[i]
		vStart := time.Duration(float64(vs.StartTicks) / float64(video.Timescale) * float64(time.Second))
		if d := msDur(int(s.StartTicks)) - vStart; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("%s segment %d starts at %d ms, video at %v", tr.ID, i+1, s.StartTicks, vStart)
		}
		if i+1 < len(tr.Segments) && s.StartTicks+s.DurTicks != tr.Segments[i+1].StartTicks {
			t.Errorf("%s segment %d ends at %d, the next starts at %d", tr.ID, i+1, s.StartTicks+s.DurTicks, tr.Segments[i+1].StartTicks)
		}
		if got := int64(len(readOutFile(t, out, s.URI))); got != s.SizeBytes {
			t.Errorf("%s segment %d: %d bytes, model says %d", tr.ID, i+1, got, s.SizeBytes)
		}
		total += s.SizeBytes
	}
	last := tr.Segments[len(tr.Segments)-1]
	if end := msDur(int(last.StartTicks + last.DurTicks)); end != p.Duration {
		t.Errorf("%s ends at %v, the presentation at %v", tr.ID, end, p.Duration)
	}
	if tr.Timescale != 1000 || tr.BandwidthBps <= 0 || tr.AverageBandwidthBps <= 0 || tr.AverageBandwidthBps > tr.BandwidthBps {
		t.Errorf("%s: timescale %d, bandwidth %d, average %d", tr.ID, tr.Timescale, tr.BandwidthBps, tr.AverageBandwidthBps)
	}
	if tr.Protection != nil {
		t.Errorf("%s is encrypted", tr.ID)
	}
}

// TestTextWVTT packages a video with a WebVTT and an SRT subtitle in the
// default format and reads every text file back.
func TestTextWVTT(t *testing.T) {
	t.Parallel()
	vtt := writeSubtitle(t, "en.vtt", testVTT)
	srt := writeSubtitle(t, "en-forced.srt", testSRT)
	res, out := runPackager(t, Config{Subtitles: []Subtitle{
		{Path: vtt, Language: "eng", Default: true},
		{Path: srt, Language: "en", Forced: true, Characteristics: "public.easy-to-read"},
	}}, fixture(t, "v180.mp4"))
	p := res.Presentation
	if p.Duration != 5*time.Second {
		t.Fatalf("presentation lasts %v, the test wants the fixture's 5 s", p.Duration)
	}

	dash := trackByID(t, p, "text-en")
	want := manifest.Track{ID: "text-en", Type: manifest.Text, Codecs: "wvtt", Language: "en", Name: "English",
		Default: true, Only: manifest.DASH, Timescale: 1000, InitURI: "text/text-en/init.mp4"}
	got := dash
	got.Segments, got.BandwidthBps, got.AverageBandwidthBps = nil, 0, 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DASH track (-want +got):\n%s", diff)
	}
	checkTextSegments(t, out, p, dash)
	var segs [][]byte
	for _, s := range dash.Segments {
		segs = append(segs, readOutFile(t, out, s.URI))
	}
	doc, err := subtitle.ReadWVTT(readOutFile(t, out, dash.InitURI), segs...)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantVTTCues, doc.Cues); diff != "" {
		t.Errorf("cues read back from wvtt (-want +got):\n%s", diff)
	}
	if doc.Language != "eng" {
		t.Errorf("wvtt mdhd language %q", doc.Language)
	}

	hls := trackByID(t, p, "text-en-vtt")
	want = manifest.Track{ID: "text-en-vtt", Type: manifest.Text, Codecs: "wvtt", Language: "en", Name: "English",
		Default: true, MimeType: "text/vtt", Only: manifest.HLS, Timescale: 1000, PlaylistURI: "text/text-en-vtt/index.m3u8"}
	got = hls
	got.Segments, got.BandwidthBps, got.AverageBandwidthBps = nil, 0, 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("HLS track (-want +got):\n%s", diff)
	}
	checkTextSegments(t, out, p, hls)
	seen := map[subtitle.Cue]bool{}
	var all []subtitle.Cue
	for i, s := range hls.Segments {
		if !strings.HasSuffix(s.URI, ".vtt") {
			t.Errorf("segment %s is not a .vtt file", s.URI)
		}
		data := readOutFile(t, out, s.URI)
		if !strings.HasPrefix(string(data), "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n") {
			t.Errorf("segment %d header:\n%s", i+1, data)
		}
		seg, err := subtitle.ParseWebVTT(s.URI, data)
		if errors.Is(err, subtitle.ErrEmpty) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		start, end := msDur(int(s.StartTicks)), msDur(int(s.StartTicks+s.DurTicks))
		for _, c := range seg.Cues {
			if c.Start >= end || c.End <= start {
				t.Errorf("segment %d (%v-%v) holds cue %v-%v", i+1, start, end, c.Start, c.End)
			}
			if !seen[c] {
				seen[c] = true
				all = append(all, c)
			}
		}
	}
	if diff := cmp.Diff(wantVTTCues, all); diff != "" {
		t.Errorf("cues of the HLS segments, repeats dropped (-want +got):\n%s", diff)
	}

	forced := trackByID(t, p, "text-en-forced")
	if !forced.Forced || forced.Name != "English (forced)" || forced.Characteristics != "public.easy-to-read" || forced.Default {
		t.Errorf("forced track %+v", forced)
	}
	forcedVTT := trackByID(t, p, "text-en-forced-vtt")
	data := readOutFile(t, out, forcedVTT.Segments[0].URI)
	if !strings.Contains(string(data), "00:00:01.000 --> 00:00:03.000\n<i>Forced</i> narrative\n") {
		t.Errorf("forced SRT cue not converted:\n%s", data)
	}

	var sum Summary
	if err := json.Unmarshal(readOutFile(t, out, SummaryFile), &sum); err != nil {
		t.Fatal(err)
	}
	formats := map[string]string{}
	for _, ts := range sum.Tracks {
		if ts.Type == "text" {
			formats[ts.ID] = ts.Format
			if ts.Language != "en" || ts.Segments != 3 || ts.Bytes == 0 || ts.DurationMs != 5000 || ts.Name == "" {
				t.Errorf("package.json %s: %+v", ts.ID, ts)
			}
			if ts.Forced != strings.Contains(ts.ID, "forced") {
				t.Errorf("package.json %s: forced %v", ts.ID, ts.Forced)
			}
		}
	}
	if want := map[string]string{"text-en": "wvtt", "text-en-vtt": "webvtt", "text-en-forced": "wvtt", "text-en-forced-vtt": "webvtt"}; !cmp.Equal(formats, want) {
		t.Errorf("package.json text formats %v, want %v", formats, want)
	}
}

// TestTextSTPP packages the WebVTT file as IMSC1 in fMP4.
func TestTextSTPP(t *testing.T) {
	t.Parallel()
	res, out := runPackager(t, Config{SubtitleFormat: SubtitleSTPP, Subtitles: []Subtitle{
		{Path: writeSubtitle(t, "de.vtt", testVTT), Language: "ger"},
	}}, fixture(t, "v180.mp4"))
	p := res.Presentation
	if n := len(tracksOf(p, manifest.Text)); n != 1 {
		t.Fatalf("%d text tracks, want 1", n)
	}
	tr := trackByID(t, p, "text-de")
	if tr.Codecs != "stpp.ttml.im1t" || tr.Only != "" || tr.MimeType != "" || tr.PlaylistURI != "text/text-de/index.m3u8" || tr.Name != "German" {
		t.Errorf("track %+v", tr)
	}
	checkTextSegments(t, out, p, tr)
	var segs [][]byte
	for _, s := range tr.Segments {
		segs = append(segs, readOutFile(t, out, s.URI))
	}
	doc, err := subtitle.ReadSTPP(readOutFile(t, out, tr.InitURI), segs...)
	if err != nil {
		t.Fatal(err)
	}
	// Through TTML the voice tag and settings other than a top line and
	// align go (documented in package subtitle).
	want := []subtitle.Cue{
		{ID: "intro", Start: msDur(500), End: msDur(2500), Settings: "line:0", Text: "<b>Crosses</b> the first boundary"},
		{Start: msDur(1000), End: msDur(1500), Text: "Overlaps the first"},
		{Start: msDur(3000), End: msDur(4200), Settings: "align:start", Text: "Crosses the second"},
		{Start: msDur(4800), End: msDur(5000), Text: "Cut at the end"},
	}
	if diff := cmp.Diff(want, doc.Cues); diff != "" {
		t.Errorf("cues read back from stpp (-want +got):\n%s", diff)
	}
	if doc.Language != "de" {
		t.Errorf("language %q", doc.Language)
	}
}

// TestTextSidecar writes one WebVTT file per subtitle; in single-file mode
// that is the default and the only choice.
func TestTextSidecar(t *testing.T) {
	t.Parallel()
	vtt := writeSubtitle(t, "fr.vtt", testVTT)
	for _, single := range []bool{false, true} {
		cfg := Config{SingleFile: single, Subtitles: []Subtitle{{Path: vtt, Language: "fr", Offset: -msDur(500)}}}
		if !single {
			cfg.SubtitleFormat = SubtitleSidecar
		}
		res, out := runPackager(t, cfg, fixture(t, "v180.mp4"))
		tr := trackByID(t, res.Presentation, "text-fr")
		want := manifest.Segment{URI: "text/text-fr.vtt", StartTicks: 0, DurTicks: 5000, SizeBytes: tr.Segments[0].SizeBytes}
		if tr.MimeType != "text/vtt" || tr.MediaURI != "text/text-fr.vtt" || tr.Only != "" || tr.InitURI != "" ||
			!cmp.Equal(tr.Segments, []manifest.Segment{want}) {
			t.Errorf("single %v: track %+v", single, tr)
		}
		doc, err := subtitle.ParseWebVTT("fr.vtt", readOutFile(t, out, tr.MediaURI))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(readOutFile(t, out, tr.MediaURI))) != tr.Segments[0].SizeBytes {
			t.Error("size differs from the file's")
		}
		// Offset -0.5 s: every cue half a second earlier, the last one now
		// inside the 5 s.
		want2 := []subtitle.Cue{
			{ID: "intro", Start: 0, End: msDur(2000), Settings: "line:0", Text: "<b>Crosses</b> the first boundary"},
			{Start: msDur(500), End: msDur(1000), Text: "<v Ann>Overlaps the first"},
			{Start: msDur(2500), End: msDur(3700), Settings: "align:start", Text: "Crosses the second"},
			{Start: msDur(4300), End: msDur(5000), Text: "Cut at the end"},
		}
		if diff := cmp.Diff(want2, doc.Cues); diff != "" {
			t.Errorf("single %v: cues (-want +got):\n%s", single, diff)
		}
	}
}

// TestTextAudioOnly cuts text at multiples of the target when there is no
// video.
func TestTextAudioOnly(t *testing.T) {
	t.Parallel()
	res, _ := runPackager(t, Config{Subtitles: []Subtitle{{Path: writeSubtitle(t, "en.vtt", testVTT), Language: "en"}}},
		fixture(t, "audio_en.mp4"))
	tr := trackByID(t, res.Presentation, "text-en")
	var starts []uint64
	for _, s := range tr.Segments {
		starts = append(starts, s.StartTicks)
	}
	if !cmp.Equal(starts, []uint64{0, 2000, 4000}) {
		t.Errorf("segment starts %v, want every 2 s", starts)
	}
}

// TestTextBadSubtitle checks that a bad subtitle fails the run before
// anything is written, naming the file and line.
func TestTextBadSubtitle(t *testing.T) {
	t.Parallel()
	video := fixture(t, "v180.mp4")
	good := writeSubtitle(t, "good.vtt", testVTT)
	tests := []struct {
		name string
		subs []Subtitle
		cfg  Config
		is   error
		want string // message, with PATH for the subtitle's path
	}{
		{"end before start", []Subtitle{{Path: writeSubtitle(t, "en.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\na\n\n00:05.000 --> 00:04.000\nb\n"), Language: "en"}},
			Config{}, subtitle.ErrTiming, `PATH:6: cue timing "00:05.000 --> 00:04.000": end before start`},
		{"latin-1", []Subtitle{{Path: writeSubtitle(t, "fr.srt", "1\n00:00:01,000 --> 00:00:02,000\nD\xe9j\xe0\n"), Language: "fr"}},
			Config{}, subtitle.ErrEncoding, "PATH:3: not UTF-8 (looks like Windows-1252/Latin-1): convert it with iconv -f WINDOWS-1252 -t UTF-8"},
		{"TTML not XML", []Subtitle{{Path: writeSubtitle(t, "en.ttml", "<tt>\n<body>\n</tt>\n"), Language: "en"}},
			Config{}, subtitle.ErrSyntax, "PATH:3: not well-formed XML: element <body> closed by </tt>"},
		{"unknown language", []Subtitle{{Path: good, Language: "xx"}}, Config{}, subtitle.ErrUnknownLanguage, `PATH: unknown language code "xx"`},
		{"no language", []Subtitle{{Path: good}}, Config{}, nil, `PATH: no language: give a BCP 47 tag, e.g. "en"`},
		{"missing file", []Subtitle{{Path: filepath.Join(t.TempDir(), "none.vtt"), Language: "en"}}, Config{}, os.ErrNotExist,
			"PATH: open: no such file or directory"},
		{"empty", []Subtitle{{Path: writeSubtitle(t, "empty.vtt", ""), Language: "en"}}, Config{}, subtitle.ErrSyntax,
			`PATH:1: missing WEBVTT header: a WebVTT file starts with the line "WEBVTT"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.OutDir = filepath.Join(t.TempDir(), "out")
			cfg.Inputs = []Input{{Path: video}}
			cfg.Subtitles = tc.subs
			_, err := Run(context.Background(), cfg)
			if err == nil {
				t.Fatal("no error")
			}
			var se *SubtitleError
			if !errors.As(err, &se) || se.InputFile() != tc.subs[0].Path {
				t.Errorf("error %v is not a *SubtitleError naming the file", err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if want := strings.ReplaceAll(tc.want, "PATH", tc.subs[0].Path); err.Error() != want {
				t.Errorf("error\n got %s\nwant %s", err, want)
			}
			if names := dirEntries(t, cfg.OutDir); len(names) > 0 {
				t.Errorf("wrote %v", names)
			}
		})
	}
	for name, cfg := range map[string]Config{
		"bad format":               {SubtitleFormat: "srt"},
		"wvtt in single-file mode": {SingleFile: true, SubtitleFormat: SubtitleWVTT},
	} {
		cfg.OutDir = filepath.Join(t.TempDir(), "out")
		cfg.Inputs = []Input{{Path: video}}
		cfg.Subtitles = []Subtitle{{Path: good, Language: "en"}}
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%s: no error", name)
		} else if names := dirEntries(t, cfg.OutDir); len(names) > 0 {
			t.Errorf("%s: wrote %v", name, names)
		}
	}
}

// TestTextTimeline checks t0, the media time of cue time 0, on plans whose
// video starts late: an empty edit (tfdtShift) or a first decode time
// above 0. The text segments follow the video's presentation times, and
// the HLS WebVTT segments say so in X-TIMESTAMP-MAP.
func TestTextTimeline(t *testing.T) {
	// 25 fps in timescale 12800 (512 ticks a frame), 3 s, keyframes every
	// 2 s, starting at 0.5 s of media time.
	mk := func(firstDTS, tfdtShift uint64) *plan {
		src := &srcTrack{kind: manifest.Video, timescale: 12800}
		for i := range 75 {
			src.samples = append(src.samples, sample{dts: firstDTS + uint64(i)*512, dur: 512, sync: i%50 == 0})
		}
		src.presEnd = int64(firstDTS+75*512) + int64(tfdtShift)
		ot := &outTrack{src: src, id: "v", tfdtShift: tfdtShift,
			segments: []outSegment{{first: 0, end: 50}, {first: 50, end: 75}}}
		return &plan{target: 2 * time.Second, tracks: []*outTrack{ot}}
	}
	in := &subtitleInput{sub: Subtitle{Path: "en.vtt", Language: "en"}, lang: "en",
		doc: &subtitle.Document{Cues: []subtitle.Cue{{Start: msDur(100), End: msDur(2500), Text: "x"}}}}
	for name, p := range map[string]*plan{"empty edit": mk(0, 6400), "late first decode time": mk(6400, 0)} {
		t.Run(name, func(t *testing.T) {
			texts, err := p.planText([]*subtitleInput{in}, Config{}, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			if len(texts) != 2 {
				t.Fatalf("%d text tracks", len(texts))
			}
			for _, tt := range texts {
				var starts []uint64
				for _, s := range tt.track.Segments {
					starts = append(starts, s.StartTicks)
				}
				if !cmp.Equal(starts, []uint64{500, 2500}) || tt.track.Segments[1].DurTicks != 1000 {
					t.Errorf("%s segments %+v, want starts 500 and 2500 ms, ending at 3500", tt.track.ID, tt.track.Segments)
				}
			}
			seg := string(texts[1].files[0].data)
			if !strings.Contains(seg, "X-TIMESTAMP-MAP=MPEGTS:45000,LOCAL:00:00:00.000\n") ||
				!strings.Contains(seg, "00:00:00.100 --> 00:00:02.500") {
				t.Errorf("HLS segment:\n%s", seg)
			}
			doc, err := subtitle.ReadWVTT(texts[0].init, texts[0].files[0].data, texts[0].files[1].data)
			if err != nil {
				t.Fatal(err)
			}
			// Cue time 0.1-2.5 s is media time 0.6-3.0 s.
			want := []subtitle.Cue{{Start: msDur(600), End: msDur(3000), Text: "x"}}
			if diff := cmp.Diff(want, doc.Cues); diff != "" {
				t.Errorf("wvtt cues (-want +got):\n%s", diff)
			}
		})
	}
}
