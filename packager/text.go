package packager

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/subtitle"
)

// SubtitleFormat is how Run packages subtitles.
type SubtitleFormat string

const (
	// SubtitleWVTT, the default, makes two tracks of each subtitle: a
	// CMAF WebVTT track in ISO BMFF (wvtt, ISO/IEC 14496-30) for DASH, and
	// segmented WebVTT files for HLS, which Apple players need.
	SubtitleWVTT SubtitleFormat = "wvtt"
	// SubtitleSTPP makes one CMAF IMSC1 track (stpp) for both manifests.
	SubtitleSTPP SubtitleFormat = "stpp"
	// SubtitleSidecar writes one WebVTT file per subtitle, the whole
	// presentation's only segment, for both manifests. Single-file
	// packages use it.
	SubtitleSidecar SubtitleFormat = "sidecar"
)

// Subtitle is one subtitle file to package as a text track.
type Subtitle struct {
	Path string // WebVTT, SRT or TTML/IMSC1/DFXP, recognised from the content
	// Language is a BCP 47 tag whose language is an ISO 639 code
	// (required); it is published in its ISO 639-1 form ("eng" gives "en").
	Language string
	// Name is the track's human name (HLS NAME, DASH Label); empty means
	// the language's English name, "English" or "English (forced)".
	Name string
	// Forced marks forced-narrative subtitles (HLS FORCED=YES, DASH Role
	// forced-subtitle), shown when the viewer has not chosen subtitles.
	Forced bool
	// Characteristics is the HLS CHARACTERISTICS attribute, optional:
	// comma-separated UTIs such as
	// "public.accessibility.transcribes-spoken-dialog".
	Characteristics string
	Default         bool // HLS DEFAULT=YES
	// Offset moves every cue (negative: earlier); cues that then end
	// before 0 are dropped.
	Offset time.Duration
}

// maxSubtitleBytes bounds the subtitle files read into memory: a
// three-hour film's subtitles are well under a megabyte.
const maxSubtitleBytes = 64 << 20

// textTimescale is the timescale of every text track: milliseconds.
const textTimescale = subtitle.Timescale

// subtitleInput is a subtitle file read and checked.
type subtitleInput struct {
	sub  Subtitle
	lang string // normalized
	doc  *subtitle.Document
}

// textTrack is one output text track. Its files are small, so they are
// encoded in memory when planned and written after the media.
type textTrack struct {
	src    *subtitleInput
	track  manifest.Track
	format string // package.json: wvtt, webvtt, stpp, webvtt-sidecar
	init   []byte
	files  []textFile // media segments (or the side-car file), in order
	// segFormat is the segments' URI pattern, e.g. "text/text-en/seg-%05d.m4s".
	segFormat string
}

type textFile struct {
	uri  string
	data []byte
}

// readSubtitles reads and checks every subtitle file, before anything is
// written: a bad file is a *SubtitleError naming the file and the line.
func readSubtitles(cfg Config) ([]*subtitleInput, error) {
	switch cfg.SubtitleFormat {
	case "", SubtitleWVTT, SubtitleSTPP, SubtitleSidecar:
	default:
		return nil, fmt.Errorf("subtitle format %q (want %s, %s or %s)", cfg.SubtitleFormat, SubtitleWVTT, SubtitleSTPP, SubtitleSidecar)
	}
	if len(cfg.Subtitles) > 0 && cfg.SingleFile && cfg.SubtitleFormat != "" && cfg.SubtitleFormat != SubtitleSidecar {
		return nil, fmt.Errorf("subtitle format %s in single-file mode: use %s", cfg.SubtitleFormat, SubtitleSidecar)
	}
	var out []*subtitleInput
	for _, sub := range cfg.Subtitles {
		in, err := readSubtitle(sub)
		if err != nil {
			return nil, &SubtitleError{Path: sub.Path, Err: err}
		}
		out = append(out, in)
	}
	return out, nil
}

func readSubtitle(sub Subtitle) (*subtitleInput, error) {
	if sub.Language == "" {
		return nil, errors.New(`no language: give a BCP 47 tag, e.g. "en"`)
	}
	lang, err := subtitle.Language(sub.Language)
	if err != nil {
		return nil, err
	}
	// Both go into HLS quoted strings.
	for _, f := range []struct{ field, v string }{{"name", sub.Name}, {"characteristics", sub.Characteristics}} {
		if strings.ContainsAny(f.v, "\"\r\n") {
			return nil, fmt.Errorf("%s %q holds a quote or a line break", f.field, f.v)
		}
	}
	f, err := os.Open(sub.Path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
		}
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxSubtitleBytes {
		return nil, fmt.Errorf("%d bytes is too large for a subtitle file", st.Size())
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil && st.Size() > 0 {
		return nil, fmt.Errorf("read: %w", err)
	}
	doc, err := subtitle.Parse(sub.Path, data)
	if err != nil {
		return nil, err
	}
	return &subtitleInput{sub: sub, lang: lang, doc: doc}, nil
}

// planText lays the subtitles out as text tracks cut on the video's
// segment boundaries (the first video track's segments' earliest
// presentation times; without video, multiples of the target duration),
// cues clipped to the end of the presentation, and encodes every file.
//
// Timeline: subtitle cue times count from the start of the video, its
// first presented frame, as subtitle editors show them. The packager keeps
// the source's presentation times (see "Edit lists" in the package
// documentation), so that is media time t0, the earliest presentation time
// of the first video segment: 0 for ffmpeg's encodes (the B-frame delay is
// taken out of the composition offsets), the start delay of a leading
// empty edit, the first decode time of a fragmented input that starts
// late. The fMP4 and side-car forms carry cues at media time t0 + cue
// time; the HLS WebVTT segments keep cue times and say
// X-TIMESTAMP-MAP=MPEGTS:<t0 in 90 kHz ticks>,LOCAL:00:00:00.000, which
// maps cue time 0 to media time t0 (RFC 8216 §3.5).
func (p *plan) planText(subs []*subtitleInput, cfg Config, log *slog.Logger) ([]*textTrack, error) {
	if len(subs) == 0 {
		return nil, nil
	}
	format := cfg.SubtitleFormat
	if format == "" {
		format = SubtitleWVTT
		if p.singleFile {
			format = SubtitleSidecar
		}
	}
	t0, spans := p.textSpans()
	end := spans[len(spans)-1].End
	used := map[string]bool{}
	for _, t := range p.tracks {
		used[t.id] = true
	}
	names := map[string]bool{}
	var out []*textTrack
	for _, in := range subs {
		doc := in.doc.Clone()
		doc.Language = in.lang
		doc.Shift(in.sub.Offset)
		doc.Clip(end - t0)
		if len(doc.Cues) == 0 {
			log.Warn("subtitle has no cue within the media", "path", in.sub.Path, "offset", in.sub.Offset)
		}
		abs := doc.Clone() // on the media timeline
		abs.Shift(t0)

		id := textID(in, used)
		base := manifest.Track{
			ID: id, Type: manifest.Text, Language: in.lang, Name: textName(in, names),
			Default: in.sub.Default, Forced: in.sub.Forced, Characteristics: in.sub.Characteristics,
			Timescale: textTimescale,
		}
		var tracks []*textTrack
		var err error
		switch format {
		case SubtitleWVTT:
			var dash, hls *textTrack
			if dash, err = fmp4TextTrack(base, "wvtt", abs, spans); err != nil {
				break
			}
			dash.track.Only = manifest.DASH
			dash.track.PlaylistURI = ""
			hls = webVTTSegments(base, doc, spans, t0)
			tracks = []*textTrack{dash, hls}
		case SubtitleSTPP:
			var t *textTrack
			t, err = fmp4TextTrack(base, "stpp", abs, spans)
			tracks = []*textTrack{t}
		case SubtitleSidecar:
			tracks = []*textTrack{sidecarTrack(base, abs, textSpan(t0, end))}
		}
		if err != nil {
			return nil, &SubtitleError{Path: in.sub.Path, Err: err}
		}
		for _, t := range tracks {
			t.src = in
			t.track.BandwidthBps, t.track.AverageBandwidthBps = textBandwidth(t.track.Segments)
			log.Debug("plan", "rendition", t.track.ID, "path", in.sub.Path, "cues", len(doc.Cues),
				"segments", len(t.track.Segments), "format", t.format)
		}
		out = append(out, tracks...)
	}
	return out, nil
}

func textSpan(start, end time.Duration) subtitle.Span { return subtitle.Span{Start: start, End: end} }

// textSpans returns t0, the media time of cue time 0, and the text
// segments' spans on the media timeline: the first video track's
// segments, from their earliest presentation times, the last one ending
// with the presentation.
func (p *plan) textSpans() (time.Duration, []subtitle.Span) {
	end := time.Duration(0)
	for _, t := range p.tracks {
		end = max(end, t.endTime())
	}
	var starts []time.Duration
	for _, t := range p.tracks {
		if t.src.kind != manifest.Video {
			continue
		}
		for _, seg := range t.segments {
			best := int64(math.MaxInt64)
			for _, s := range t.src.samples[seg.first:seg.end] {
				best = min(best, int64(s.dts+t.tfdtShift)+int64(s.cto)+int64(t.ctoShift))
			}
			starts = append(starts, ticksToDuration(max(best, 0), t.src.timescale))
		}
		break
	}
	if starts == nil {
		for s := time.Duration(0); s < end; s += p.target {
			starts = append(starts, s)
		}
	}
	var spans []subtitle.Span
	for i, s := range starts {
		e := end
		if i+1 < len(starts) {
			e = starts[i+1]
		}
		if e > s {
			spans = append(spans, textSpan(s, e))
		}
	}
	if len(spans) == 0 { // a presentation shorter than a millisecond
		spans = []subtitle.Span{textSpan(starts[0], starts[0]+time.Millisecond)}
	}
	return spans[0].Start, spans
}

func ticksToDuration(ticks int64, timescale uint32) time.Duration {
	return time.Duration(math.Round(float64(ticks) * float64(time.Second) / float64(timescale))).Round(time.Millisecond)
}

// textID names a text track "text-<language>", plus "-forced", unique
// among all tracks (and, for the HLS WebVTT twin, with "-vtt" free too).
func textID(in *subtitleInput, used map[string]bool) string {
	base := "text-" + idToken(in.lang)
	if in.sub.Forced {
		base += "-forced"
	}
	id := base
	for n := 2; used[id] || used[id+"-vtt"]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	used[id], used[id+"-vtt"] = true, true
	return id
}

// textName is Subtitle.Name, or the language's English name (the tag
// when vpack has none), "(forced)" added for forced subtitles; a name
// already used gets " 2", " 3", ...
func textName(in *subtitleInput, used map[string]bool) string {
	name := in.sub.Name
	if name == "" {
		name = subtitle.LanguageName(in.lang)
		if name == "" {
			name = "Subtitles"
			if in.lang != "und" {
				name = in.lang
			}
		}
		if in.sub.Forced {
			name += " (forced)"
		}
	}
	n := name
	for k := 2; used[n]; k++ {
		n = fmt.Sprintf("%s %d", name, k)
	}
	used[n] = true
	return n
}

// fmp4TextTrack encodes a CMAF text track, wvtt or stpp, under
// text/<id>/: init.mp4 and seg-%05d.m4s, one segment per span.
func fmp4TextTrack(base manifest.Track, codec string, doc *subtitle.Document, spans []subtitle.Span) (*textTrack, error) {
	t := &textTrack{track: base, format: codec}
	dir := path.Join("text", base.ID)
	t.track.InitURI = dir + "/init.mp4"
	t.track.PlaylistURI = dir + "/index.m3u8"
	var err error
	if codec == "wvtt" {
		t.track.Codecs = subtitle.WVTTCodecs
		t.init, err = subtitle.WVTTInit(doc, base.Language)
	} else {
		t.track.Codecs = subtitle.STPPCodecs
		t.init, err = subtitle.STPPInit(base.Language)
	}
	if err != nil {
		return nil, err
	}
	for i, span := range spans {
		var data []byte
		if codec == "wvtt" {
			data, err = subtitle.WVTTSegment(doc, span, uint32(i+1))
		} else {
			data, err = subtitle.STPPSegment(doc, span, uint32(i+1))
		}
		if err != nil {
			return nil, fmt.Errorf("segment %d: %w", i+1, err)
		}
		t.add(segmentURI(dir, i+1), span, data)
		t.segFormat = dir + "/seg-%05d.m4s"
	}
	return t, nil
}

// webVTTSegments writes the HLS form of a wvtt track: a WebVTT file per
// span under text/<id>-vtt/, cue times as in the subtitle file, with the
// X-TIMESTAMP-MAP that puts cue time 0 at media time t0.
func webVTTSegments(base manifest.Track, doc *subtitle.Document, spans []subtitle.Span, t0 time.Duration) *textTrack {
	t := &textTrack{track: base, format: "webvtt"}
	t.track.ID = base.ID + "-vtt" // reserved by textID
	dir := path.Join("text", t.track.ID)
	t.track.Codecs = subtitle.WVTTCodecs
	t.track.MimeType = "text/vtt"
	t.track.Only = manifest.HLS
	t.track.PlaylistURI = dir + "/index.m3u8"
	mpegts := uint64(t0.Round(time.Millisecond).Milliseconds()) * 90
	for i, span := range spans {
		rel := textSpan(span.Start-t0, span.End-t0)
		t.add(fmt.Sprintf("%s/seg-%05d.vtt", dir, i+1), span, subtitle.WriteWebVTTSegment(doc, rel, mpegts))
		t.segFormat = dir + "/seg-%05d.vtt"
	}
	return t
}

// sidecarTrack writes a subtitle as one WebVTT file, text/<id>.vtt, cues
// on the media timeline, the presentation's only segment.
func sidecarTrack(base manifest.Track, doc *subtitle.Document, span subtitle.Span) *textTrack {
	t := &textTrack{track: base, format: "webvtt-sidecar"}
	t.track.Codecs = subtitle.WVTTCodecs
	t.track.MimeType = "text/vtt"
	t.track.MediaURI = "text/" + base.ID + ".vtt"
	t.track.PlaylistURI = path.Join("text", base.ID, "index.m3u8")
	t.add(t.track.MediaURI, span, subtitle.WriteWebVTT(doc))
	return t
}

// add records a segment file.
func (t *textTrack) add(uri string, span subtitle.Span, data []byte) {
	start := uint64(span.Start.Round(time.Millisecond).Milliseconds())
	end := uint64(span.End.Round(time.Millisecond).Milliseconds())
	t.files = append(t.files, textFile{uri: uri, data: data})
	t.track.Segments = append(t.track.Segments, manifest.Segment{
		URI: uri, StartTicks: start, DurTicks: end - start, SizeBytes: int64(len(data)),
	})
}

// textBandwidth is the peak and average bit rate of segments in
// milliseconds, as outTrack.bandwidth measures media tracks.
func textBandwidth(segs []manifest.Segment) (peak, avg int64) {
	var bytes int64
	var ticks uint64
	for _, s := range segs {
		bytes += s.SizeBytes
		ticks += s.DurTicks
		if s.DurTicks > 0 {
			peak = max(peak, int64(math.Ceil(float64(s.SizeBytes*8)*textTimescale/float64(s.DurTicks))))
		}
	}
	if ticks > 0 {
		avg = int64(math.Ceil(float64(bytes*8) * textTimescale / float64(ticks)))
	}
	return peak, avg
}

// writeText writes the text tracks' files, each atomically, after the
// media. Text tracks are never encrypted (as Shaka Packager does): players
// render them outside the CDM.
func writeText(ctx context.Context, outDir string, texts []*textTrack, stats *Stats) error {
	for _, t := range texts {
		files := t.files
		if t.init != nil {
			files = append([]textFile{{uri: t.track.InitURI, data: t.init}}, files...)
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			p := filepath.Join(outDir, filepath.FromSlash(f.uri))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return fmt.Errorf("package %s: %w", t.track.ID, err)
			}
			if err := writeFileAtomic(p, f.data); err != nil {
				return fmt.Errorf("package %s: write %s: %w", t.track.ID, f.uri, err)
			}
			stats.Files++
			stats.BytesWritten += int64(len(f.data))
		}
	}
	return nil
}

// addText adds the text tracks to what Run returns: the presentation's
// tracks and package.json's.
func addText(res *Result, texts []*textTrack) {
	for _, t := range texts {
		res.Presentation.Tracks = append(res.Presentation.Tracks, t.track)
		tr := t.track
		ts := TrackSummary{
			ID: tr.ID, Type: string(manifest.Text), Source: t.src.sub.Path, Codecs: tr.Codecs,
			Language: tr.Language, Name: tr.Name, Default: tr.Default, Forced: tr.Forced, Format: t.format,
			BandwidthBps: tr.BandwidthBps, AverageBandwidthBps: tr.AverageBandwidthBps,
			Timescale: tr.Timescale, Segments: len(tr.Segments), Playlist: tr.PlaylistURI,
			Init: tr.InitURI, Bytes: int64(len(t.init)), MinSegmentMs: math.MaxInt64,
		}
		for _, s := range tr.Segments {
			ts.Bytes += s.SizeBytes
			ts.DurationMs += int64(s.DurTicks)
			ts.MinSegmentMs, ts.MaxSegmentMs = min(ts.MinSegmentMs, int64(s.DurTicks)), max(ts.MaxSegmentMs, int64(s.DurTicks))
		}
		if tr.MediaURI != "" {
			ts.Media = tr.MediaURI
		} else {
			ts.FirstSegment = tr.Segments[0].URI
			ts.SegmentFormat = t.segFormat
		}
		res.Summary.Tracks = append(res.Summary.Tracks, ts)
		res.Summary.TotalBytes += ts.Bytes
		res.Summary.Segments = max(res.Summary.Segments, ts.Segments)
	}
}

// CheckSubtitles reads and checks subtitle files exactly as Run will, so
// that a caller with costly work before packaging (an encode) can refuse a
// bad file first. Errors are *SubtitleError naming the file and line.
func CheckSubtitles(subs []Subtitle, format SubtitleFormat, singleFile bool) error {
	_, err := readSubtitles(Config{Subtitles: subs, SubtitleFormat: format, SingleFile: singleFile})
	return err
}
