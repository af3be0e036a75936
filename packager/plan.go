package packager

import (
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"path"
	"strings"
	"time"

	"github.com/vpack-dev/vpack/manifest"
)

// minFragDur is the shortest CMAF chunk: within a segment a new fragment
// starts at each keyframe at least this far from the previous start, so
// I-frame byte ranges stay tight without a moof per frame of all-intra
// video.
const minFragDur = 500 * time.Millisecond

// plan is everything Run writes, decided before the first byte is: track
// IDs, URIs, cut points, fragment layouts, and so every size and offset.
type plan struct {
	target     time.Duration
	singleFile bool
	tracks     []*outTrack // video first, then audio, each in input order
	enc        *Encryption // nil: clear
}

// outTrack is one output CMAF track made from one source track.
type outTrack struct {
	src       *srcTrack
	id        string
	dir       string // "video/<id>" or "audio/<id>"
	language  string // normalized BCP 47 tag (audio)
	name      string // display name (audio)
	isDefault bool
	single    bool // one media file with a sidx instead of segment files

	// Timing: the edit list of the source, applied so that presentation
	// starts where the source's does (see the package documentation).
	tfdtShift     uint64 // added to decode times: a start delay
	ctoShift      int32  // added to composition offsets: video B-frame delay
	elstMediaTime uint64 // audio priming, kept as an edit list in the init segment

	init     []byte
	sidx     []byte // single file only
	segments []outSegment
	frags    []outFrag

	// enc, when set, encrypts the track. Its moof sizes are then known
	// only once each fragment's samples are read (senc holds their
	// subsample maps), so the writer fills in fragment and segment sizes
	// and offsets as it writes (see writeEncryptedSegment).
	enc *trackEnc
}

// outSegment is one CMAF segment: fragments [firstFrag, endFrag).
type outSegment struct {
	firstFrag, endFrag int
	first, end         int // samples
	uri                string
	size               int64
	offset             int64 // single file: of the first moof in the media file
	startTicks         uint64
	durTicks           uint64
	tmp                string // encrypted single file: the segment's temporary file
}

func (t *outTrack) initURI() string {
	if t.isSingle() {
		return ""
	}
	return t.dir + "/init.mp4"
}
func (t *outTrack) mediaURI() string      { return t.dir + "/media.mp4" }
func (t *outTrack) playlistURI() string   { return t.dir + "/index.m3u8" }
func (t *outTrack) isSingle() bool        { return t.single }
func segmentURI(dir string, n int) string { return fmt.Sprintf("%s/seg-%05d.m4s", dir, n) }

func newPlan(sources []*source, target time.Duration, singleFile bool, log *slog.Logger) (*plan, error) {
	p := &plan{target: target, singleFile: singleFile}
	var videos, audios []*srcTrack
	seen := map[uint64]*srcTrack{}
	for _, s := range sources {
		for _, t := range s.tracks {
			if t.kind == manifest.Video {
				videos = append(videos, t)
				continue
			}
			lang := t.language
			if s.in.Language != "" {
				if !validLanguage(s.in.Language) {
					return nil, &RenditionError{Path: s.name, Err: fmt.Errorf("language %q is not a BCP 47 tag", s.in.Language)}
				}
				lang = s.in.Language
			}
			t.language = normalizeLanguage(lang)
			// The same audio often comes with every rendition file: package it once.
			key := audioKey(t)
			if dup, ok := seen[key]; ok {
				log.Info("skip duplicate audio", "path", s.name, "same_as", dup.label())
				continue
			}
			seen[key] = t
			audios = append(audios, t)
		}
	}
	if len(videos)+len(audios) == 0 {
		return nil, fmt.Errorf("%w: no audio or video tracks in the inputs", ErrNoSamples)
	}
	starts, err := segmentStarts(videos, audios, target)
	if err != nil {
		return nil, err
	}
	for _, t := range append(videos, audios...) {
		ot := &outTrack{src: t, single: singleFile}
		if t.kind == manifest.Audio {
			ot.language = t.language
		}
		switch {
		case t.shift >= 0:
			ot.tfdtShift = uint64(t.shift)
		case t.kind == manifest.Video && t.shift >= math.MinInt32:
			ot.ctoShift = int32(t.shift)
		case t.kind == manifest.Video:
			return nil, t.errorf("%w: edit list offset %d", ErrUnsupported, t.shift)
		default:
			ot.elstMediaTime = uint64(-t.shift)
		}
		p.tracks = append(p.tracks, ot)
	}
	if err := assignIDs(p.tracks); err != nil {
		return nil, err
	}
	for _, t := range p.tracks {
		if err := p.layout(t, starts[t.src]); err != nil {
			return nil, fmt.Errorf("package %s: %w", t.id, err)
		}
		log.Debug("plan", "rendition", t.id, "path", t.src.src.name, "segments", len(t.segments), "fragments", len(t.frags))
	}
	return p, nil
}

// audioKey identifies audio tracks carrying the same coded audio: codec
// config, language, and the size and duration of every sample.
func audioKey(t *srcTrack) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%d|%d|%d|", t.info.codecs, t.language, t.info.channels, t.info.sampleRate, len(t.samples))
	var b [8]byte
	for i := range t.samples {
		s := &t.samples[i]
		b[0], b[1], b[2], b[3] = byte(s.size>>24), byte(s.size>>16), byte(s.size>>8), byte(s.size)
		b[4], b[5], b[6], b[7] = byte(s.dur>>24), byte(s.dur>>16), byte(s.dur>>8), byte(s.dur)
		h.Write(b[:])
	}
	return h.Sum64()
}

// layout splits a track into segments (at starts) and fragments, and
// computes every size and offset.
func (p *plan) layout(t *outTrack, starts []int) error {
	samples := t.src.samples
	minFrag := uint64(minFragDur.Seconds() * float64(t.src.timescale))
	var seq uint32
	for k, first := range starts {
		end := len(samples)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		seg := outSegment{first: first, end: end, firstFrag: len(t.frags)}
		seg.startTicks = samples[first].dts + t.tfdtShift
		seg.durTicks = samples[end-1].dts + uint64(samples[end-1].dur) - samples[first].dts
		fragStart := first
		for i := first + 1; i <= end; i++ {
			cut := i == end
			if !cut && t.src.kind == manifest.Video && samples[i].sync &&
				samples[i].dts-samples[fragStart].dts >= minFrag {
				cut = true
			}
			if cut {
				seq++
				t.frags = append(t.frags, newFrag(t, fragStart, i, seq))
				fragStart = i
			}
		}
		seg.endFrag = len(t.frags)
		t.segments = append(t.segments, seg)
	}

	var err error
	t.init, err = buildInit(t, p.singleFile)
	if err != nil {
		return err
	}
	if !p.singleFile {
		for i := range t.segments {
			seg := &t.segments[i]
			seg.uri = segmentURI(t.dir, i+1)
			off := int64(stypSize())
			for j := seg.firstFrag; j < seg.endFrag; j++ {
				t.frags[j].offset = off
				off += t.frags[j].size()
			}
			seg.size = off
		}
		return nil
	}

	if len(t.segments) > math.MaxUint16 {
		return fmt.Errorf("%w: %d segments in one sidx", ErrUnsupported, len(t.segments))
	}
	ept := t.earliestPTS()
	off := int64(len(t.init) + sidxSize(len(t.segments), ept))
	for i := range t.segments {
		seg := &t.segments[i]
		seg.offset = off
		for j := seg.firstFrag; j < seg.endFrag; j++ {
			t.frags[j].offset = off
			off += t.frags[j].size()
		}
		seg.size = off - seg.offset
		if seg.size > math.MaxInt32 || seg.durTicks > math.MaxUint32 {
			return fmt.Errorf("%w: segment %d too large for a sidx reference", ErrUnsupported, i+1)
		}
	}
	t.sidx = appendSidx(nil, t, ept)
	return nil
}

// earliestPTS is the earliest composition time of the first segment on the
// output media timeline (before any edit list), for the sidx.
func (t *outTrack) earliestPTS() uint64 {
	seg := t.segments[0]
	best := int64(math.MaxInt64)
	for _, s := range t.src.samples[seg.first:seg.end] {
		best = min(best, int64(s.dts+t.tfdtShift)+int64(s.cto)+int64(t.ctoShift))
	}
	return uint64(max(best, 0))
}

// presentation builds the manifest model from the plan. Numbers are
// measured: bit rates from the segment sizes (moof and styp included),
// frame rates from sample durations.
func (p *plan) presentation() *manifest.Presentation {
	pr := &manifest.Presentation{SegmentDuration: p.target, SingleFile: p.singleFile}
	for _, t := range p.tracks {
		src := t.src
		mt := manifest.Track{
			ID:          t.id,
			Type:        src.kind,
			Codecs:      src.info.codecs,
			Timescale:   src.timescale,
			InitURI:     t.initURI(),
			PlaylistURI: t.playlistURI(),
		}
		mt.BandwidthBps, mt.AverageBandwidthBps = t.bandwidth()
		if src.kind == manifest.Video {
			mt.Width, mt.Height = src.info.width, src.info.height
			mt.FrameRate = src.info.frameRate
			mt.SARNum, mt.SARDen = src.info.sarNum, src.info.sarDen
			mt.IFramePlaylistURI = t.dir + "/iframes.m3u8"
		} else {
			mt.Language, mt.Name = t.language, t.name
			mt.Channels, mt.SampleRate = src.info.channels, src.info.sampleRate
			mt.Default = t.isDefault
		}
		if p.enc != nil {
			mt.Protection = t.protection(p.enc.Scheme)
		}
		if t.isSingle() {
			mt.MediaURI = t.mediaURI()
			mt.InitRange = manifest.ByteRange{Offset: 0, Length: int64(len(t.init))}
			mt.IndexRange = manifest.ByteRange{Offset: int64(len(t.init)), Length: int64(len(t.sidx))}
		}
		for i := range t.segments {
			seg := &t.segments[i]
			ms := manifest.Segment{URI: seg.uri, StartTicks: seg.startTicks, DurTicks: seg.durTicks, SizeBytes: seg.size}
			uri := seg.uri
			if t.isSingle() {
				ms.Range = manifest.ByteRange{Offset: seg.offset, Length: seg.size}
				uri = mt.MediaURI
			}
			mt.Segments = append(mt.Segments, ms)
			if src.kind != manifest.Video {
				continue
			}
			for j := seg.firstFrag; j < seg.endFrag; j++ {
				f := &t.frags[j]
				next := src.durTicks() + src.samples[0].dts
				if j+1 < len(t.frags) {
					next = src.samples[t.frags[j+1].first].dts
				}
				mt.IFrames = append(mt.IFrames, manifest.IFrame{
					URI:      uri,
					Range:    manifest.ByteRange{Offset: f.offset, Length: int64(f.moofSize+f.mdatHdr) + int64(src.samples[f.first].size)},
					DurTicks: next - src.samples[f.first].dts,
				})
			}
		}
		if d := t.endTime(); d > pr.Duration {
			pr.Duration = d
		}
		pr.Tracks = append(pr.Tracks, mt)
	}
	return pr
}

// endTime is when the track's presentation ends, edit list applied.
func (t *outTrack) endTime() time.Duration {
	return time.Duration(float64(t.src.presEnd) / float64(t.src.timescale) * float64(time.Second)).Round(time.Millisecond)
}

// bandwidth returns the peak segment bit rate and the average bit rate, in
// bits per second, over the media segments' bytes (as HLS BANDWIDTH and
// AVERAGE-BANDWIDTH are defined, RFC 8216 §4.3.4.2).
func (t *outTrack) bandwidth() (peak, avg int64) {
	var bytes int64
	var ticks uint64
	for _, seg := range t.segments {
		bytes += seg.size
		ticks += seg.durTicks
		if seg.durTicks == 0 {
			continue
		}
		r := int64(math.Ceil(float64(seg.size*8) * float64(t.src.timescale) / float64(seg.durTicks)))
		peak = max(peak, r)
	}
	if ticks > 0 {
		avg = int64(math.Ceil(float64(bytes*8) * float64(t.src.timescale) / float64(ticks)))
	}
	return peak, avg
}

// assignIDs names the tracks (see the package documentation for the
// scheme), makes the names unique, and sets directories, display names and
// the default audio track.
func assignIDs(tracks []*outTrack) error {
	overridden := map[*source]bool{}
	base := make([]string, len(tracks))
	for i, t := range tracks {
		src := t.src
		kbps := int64(math.Round(float64(src.payloadBytes*8) * float64(src.timescale) / float64(max(1, src.durTicks())) / 1000))
		if src.kind == manifest.Video {
			base[i] = fmt.Sprintf("%dp-%dk", src.info.height, kbps)
		} else {
			id := idToken(t.language) + "-" + src.info.codecToken
			if src.info.channels != 2 && src.info.channels > 0 {
				id += fmt.Sprintf("-%dch", src.info.channels)
			}
			base[i] = id
		}
	}
	// An Input.ID names the file's first video track, else its first audio track.
	for _, kind := range []manifest.TrackType{manifest.Video, manifest.Audio} {
		for i, t := range tracks {
			in := t.src.src.in
			if t.src.kind != kind || in.ID == "" || overridden[t.src.src] {
				continue
			}
			if !validID(in.ID) {
				return &RenditionError{Path: t.src.src.name, Err: fmt.Errorf("ID %q is not URL-safe (letters, digits, '.', '_', '-')", in.ID)}
			}
			base[i] = in.ID
			overridden[t.src.src] = true
			t.id = in.ID
		}
	}
	// Audio tracks sharing a base ID are told apart by bit rate.
	count := map[string]int{}
	for i, t := range tracks {
		if t.id == "" {
			count[base[i]]++
		}
	}
	for i, t := range tracks {
		if t.id == "" && t.src.kind == manifest.Audio && count[base[i]] > 1 {
			kbps := int64(math.Round(float64(t.src.payloadBytes*8) * float64(t.src.timescale) / float64(max(1, t.src.durTicks())) / 1000))
			base[i] += fmt.Sprintf("-%dk", kbps)
		}
	}
	used := map[string]bool{}
	for _, t := range tracks {
		if t.id == "" {
			continue
		}
		if used[t.id] {
			return &RenditionError{Path: t.src.src.name, Err: fmt.Errorf("ID %q is used twice", t.id)}
		}
		used[t.id] = true
	}
	for i, t := range tracks {
		if t.id != "" {
			continue
		}
		id := base[i]
		for n := 2; used[id]; n++ {
			id = fmt.Sprintf("%s-%d", base[i], n)
		}
		used[id] = true
		t.id = id
	}

	names := map[string]int{}
	for _, t := range tracks {
		t.dir = path.Join(string(t.src.kind), t.id)
		if t.src.kind == manifest.Audio {
			t.name = languageName(t.language)
			names[t.name]++
		}
	}
	usedNames := map[string]bool{}
	defaultSet := false
	for _, t := range tracks {
		if t.src.kind != manifest.Audio {
			continue
		}
		if names[t.name] > 1 {
			t.name += " (" + t.src.info.codecLabel + " " + channelLabel(t.src.info.channels) + ")"
		}
		name := t.name
		for n := 2; usedNames[name]; n++ {
			name = fmt.Sprintf("%s %d", t.name, n)
		}
		t.name = name
		usedNames[name] = true
		if !defaultSet {
			t.isDefault, defaultSet = true, true
		}
	}
	return nil
}

func channelLabel(ch int) string {
	switch ch {
	case 1:
		return "mono"
	case 2:
		return "stereo"
	case 6:
		return "5.1"
	case 8:
		return "7.1"
	}
	return fmt.Sprintf("%dch", ch)
}

// idToken lower-cases a language tag for use in an ID.
func idToken(s string) string {
	return strings.ToLower(s)
}

func validID(id string) bool {
	if id == "" || id == "." || id == ".." || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
