package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/Eyevinn/hls-m3u8/m3u8"
)

// readTimescale is the Track.Timescale of tracks read from manifests that
// only carry durations in seconds: HLS EXTINF values have (at most, as vpack
// writes them) millisecond precision, so ticks are milliseconds.
const readTimescale = 1000

// ReadHLS reads the multivariant playlist name from fsys and every media
// and I-frame playlist it references, and returns the presentation they
// describe. URIs in the result are relative to the folder of name, as in
// the model.
//
// HLS does not carry everything the model holds, so the result differs
// from what WriteHLS was given:
//   - Timescale is 1000 and every duration is in milliseconds (the EXTINF
//     precision); StartTicks count from 0; Duration is the longest track.
//   - Bit rates exist only per variant (video + audio), so they are in
//     Presentation.Variants. Track.BandwidthBps and AverageBandwidthBps are
//     set only for video tracks whose variants have no audio or subtitle
//     group (then the variant's numbers are the track's); otherwise 0.
//   - Track.ID comes from STABLE-VARIANT-ID / STABLE-RENDITION-ID, else from
//     the playlist's folder name (or file name without extension).
//   - Audio and subtitle codecs come from the CODECS of the variants using
//     their group; SAR, Segment.SizeBytes (except single-file, where it is
//     the byte-range length) and SegmentDuration are not carried.
//   - In single-file mode IndexRange is inferred as the bytes between the
//     init section and the first segment (where vpack puts the sidx).
//   - Protection comes from a media playlist's EXT-X-KEY tags: the scheme
//     (METHOD), DefaultKID (KEYID), ClearSegments (segments before them)
//     and per tag the system (from KEYFORMAT), KEYFORMAT,
//     KEYFORMATVERSIONS and URI; no pssh, PlayReady Object or DASH name.
//     Keys that change between segments and AES-128 are refused.
//   - Tracks come back as video, audio, text, then image, each in order of
//     first appearance in the multivariant playlist. Only is always empty:
//     one manifest cannot tell what the other carries.
//   - Subtitles: FORCED and CHARACTERISTICS (also on audio) come back. A
//     SUBTITLES playlist without EXT-X-MAP is WebVTT (RFC 8216 §3.5):
//     MimeType text/vtt, Codecs "wvtt", segments with their .vtt URIs, or,
//     for a playlist of one segment, the side-car form (MediaURI, one
//     segment without URI), since HLS cannot tell the two apart.
//   - Thumbnails: every EXT-X-IMAGE-STREAM-INF is an image track (Image
//     Media Playlist v0.4, see thumbnail.go) with BandwidthBps from its
//     BANDWIDTH, the tile grid and thumbnail size from EXT-X-TILES (one
//     that persists over several segments is accepted; without it, 1x1
//     with the stream's RESOLUTION), and ThumbnailDurTicks from its
//     DURATION when the first tile does not already tell it.
//
// Only VOD playlists of fragmented MP4 (CMAF) segments, WebVTT subtitles
// and JPEG thumbnails fit the model: a playlist without EXT-X-ENDLIST, an
// audio or video playlist without EXT-X-MAP, or thumbnail tiles whose grid
// changes give an error wrapping ErrUnsupported. Audio-only variants are
// skipped (they are legacy fallbacks of the video variants). Errors about
// a playlist are *ParseError values naming the file and line.
func ReadHLS(fsys fs.FS, name string) (*Presentation, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read hls: %w", err)
	}
	r := &hlsReader{fsys: fsys, root: path.Dir(name), tracks: make(map[string]*Track), ids: make(map[string]bool)}
	return r.read(name, data)
}

// hlsReader holds the state of one ReadHLS call.
type hlsReader struct {
	fsys   fs.FS
	root   string            // folder of the multivariant playlist in fsys
	tracks map[string]*Track // by PlaylistURI
	ids    map[string]bool
	order  [4][]*Track // video, audio, text, image in order of appearance
}

func (r *hlsReader) read(name string, data []byte) (*Presentation, error) {
	ls := splitLines(data)
	var mv *m3u8.MasterPlaylist
	err := decodeStrict(name, data, func(b []byte) error {
		mv = m3u8.NewMasterPlaylist()
		return mv.DecodeFrom(bytes.NewReader(b), true)
	})
	if err != nil {
		return nil, err
	}
	if ls.nth("#EXT-X-STREAM-INF:", 0) == 0 {
		if ls.nth("#EXTINF:", 0) > 0 {
			return nil, &ParseError{File: name, Err: errors.New("a media playlist, not a multivariant playlist")}
		}
		return nil, &ParseError{File: name, Err: errors.New("no EXT-X-STREAM-INF")}
	}

	p := &Presentation{}
	groups := make(map[string][]string) // "AUDIO/aac" → track IDs
	seenAlt := make(map[*m3u8.Alternative]bool)
	var variants []*m3u8.Variant
	nStream, nIFrame := 0, 0
	streamLines, iframeTagLines := ls.all("#EXT-X-STREAM-INF:"), ls.all("#EXT-X-I-FRAME-STREAM-INF:")
	var iframes []*m3u8.Variant
	var iframeLines []int
	for _, v := range mv.Variants {
		if v.Iframe {
			iframes = append(iframes, v)
			iframeLines = append(iframeLines, iframeTagLines.at(nIFrame))
			nIFrame++
			continue
		}
		line := streamLines.at(nStream)
		nStream++
		perr := func(err error) error {
			return &ParseError{File: name, Line: line, Err: fmt.Errorf("EXT-X-STREAM-INF: %w", err)}
		}
		if v.URI == "" {
			return nil, perr(errors.New("no URI line follows"))
		}
		u, err := resolveURI(".", v.URI)
		if err != nil {
			return nil, perr(err)
		}
		var videoCodecs []string
		for _, c := range splitCodecs(v.Codecs) {
			if codecType(c) == Video {
				videoCodecs = append(videoCodecs, c)
			}
		}
		if len(videoCodecs) == 0 && v.Resolution == "" && v.Codecs != "" {
			continue // audio-only fallback variant
		}
		t := r.tracks[u]
		if t == nil {
			w, h, err := parseResolution(v.Resolution)
			if err != nil {
				return nil, perr(err)
			}
			t = r.newTrack(Video, u, v.StableVariantId)
			t.Codecs = strings.Join(videoCodecs, ",")
			t.Width, t.Height = w, h
			if v.FrameRate != 0 {
				rate, ok := rateFromFloat(v.FrameRate)
				if !ok {
					return nil, perr(fmt.Errorf("FRAME-RATE %v", v.FrameRate))
				}
				t.FrameRate = rate
			}
		} else if t.Type != Video {
			return nil, perr(fmt.Errorf("%s is also an EXT-X-MEDIA rendition", u))
		}
		if v.Audio == "" && v.Subtitles == "" {
			t.BandwidthBps, t.AverageBandwidthBps = int64(v.Bandwidth), int64(v.AverageBandwidth)
		}
		variants = append(variants, v)
		p.Variants = append(p.Variants, Variant{
			URI: u, VideoID: t.ID, AudioGroup: v.Audio, SubtitlesGroup: v.Subtitles,
			BandwidthBps: int64(v.Bandwidth), AverageBandwidthBps: int64(v.AverageBandwidth), Codecs: v.Codecs,
		})

		for _, alt := range v.Alternatives {
			typ := Audio
			switch {
			case alt.Type == "AUDIO":
			case alt.Type == "SUBTITLES":
				typ = Text
			default:
				continue // VIDEO angles and CLOSED-CAPTIONS are not in the model
			}
			if alt.URI == "" {
				continue // muxed into the variant: no playlist of its own
			}
			aerr := func(err error) error {
				line := ls.find("#EXT-X-MEDIA:", `URI="`+alt.URI+`"`)
				return &ParseError{File: name, Line: line, Err: fmt.Errorf("EXT-X-MEDIA: %w", err)}
			}
			u, err := resolveURI(".", alt.URI)
			if err != nil {
				return nil, aerr(err)
			}
			at := r.tracks[u]
			if at == nil {
				at = r.newTrack(typ, u, alt.StableRenditionId)
				at.Language, at.Name = alt.Language, alt.Name
				at.Forced, at.Characteristics = alt.Forced && typ == Text, alt.Characteristics
				at.SampleRate = int(alt.SampleRate)
				if alt.Channels != nil {
					at.Channels = alt.Channels.Amount
				}
			} else if at.Type != typ {
				return nil, aerr(fmt.Errorf("%s is used as %s and as %s", u, at.Type, typ))
			}
			at.Default = at.Default || alt.Default
			var codecs []string
			for _, c := range splitCodecs(v.Codecs) {
				if codecType(c) == typ {
					codecs = append(codecs, c)
				}
			}
			at.Codecs = strings.Join(appendUnique(splitCodecs(at.Codecs), strings.Join(codecs, ",")), ",")
			if !seenAlt[alt] {
				seenAlt[alt] = true
				key := alt.Type + "/" + alt.GroupId
				groups[key] = append(groups[key], at.ID)
			}
		}
	}
	if len(variants) == 0 {
		return nil, &ParseError{File: name, Err: fmt.Errorf("no video variant: audio-only HLS: %w", ErrUnsupported)}
	}
	for i := range p.Variants {
		v := &p.Variants[i]
		if v.AudioGroup != "" {
			v.AudioIDs = groups["AUDIO/"+v.AudioGroup]
		}
		if v.SubtitlesGroup != "" {
			v.SubtitlesIDs = groups["SUBTITLES/"+v.SubtitlesGroup]
		}
	}

	if err := r.readImages(name, ls); err != nil {
		return nil, err
	}

	single := -1
	for _, list := range r.order {
		for _, t := range list {
			if t.Type == Image {
				continue // read by readImages
			}
			if err := r.readMediaPlaylist(t); err != nil {
				return nil, err
			}
			if t.plain() {
				continue // whole files in either mode
			}
			s := 0
			if t.MediaURI != "" {
				s = 1
			}
			if single >= 0 && s != single {
				return nil, &ParseError{File: path.Join(r.root, t.PlaylistURI), Err: fmt.Errorf("single-file and multi-file tracks mixed: %w", ErrUnsupported)}
			}
			single = s
		}
	}
	p.SingleFile = single == 1

	for i, v := range iframes {
		if err := r.readIFrames(name, iframeLines[i], v); err != nil {
			return nil, err
		}
	}

	var longest uint64
	for _, list := range r.order {
		for _, t := range list {
			var ms uint64
			for _, s := range t.Segments {
				ms += s.DurTicks
			}
			longest = max(longest, ms)
			p.Tracks = append(p.Tracks, *t)
		}
	}
	p.Duration = time.Duration(longest) * time.Millisecond
	return p, nil
}

// newTrack registers the track of playlist u, with ID stable when the
// manifest gives one, else derived from u, made unique.
func (r *hlsReader) newTrack(typ TrackType, u, stable string) *Track {
	id := stable
	if id == "" {
		id = idFromURI(u)
	}
	base := id
	for n := 2; r.ids[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	r.ids[id] = true
	t := &Track{ID: id, Type: typ, PlaylistURI: u, Timescale: readTimescale}
	r.tracks[u] = t
	i := map[TrackType]int{Video: 0, Audio: 1, Text: 2, Image: 3}[typ]
	r.order[i] = append(r.order[i], t)
	return t
}

// idFromURI derives a track ID from its playlist URI: the folder name
// ("video/720p/index.m3u8" → "720p"), or the file name without extension
// for playlists in the root ("720p.m3u8" → "720p").
func idFromURI(u string) string {
	if dir := path.Dir(u); dir != "." {
		return path.Base(dir)
	}
	return strings.TrimSuffix(u, path.Ext(u))
}

// parseResolution parses a decimal-resolution "1280x720".
func parseResolution(s string) (int, int, error) {
	ws, hs, ok := strings.Cut(s, "x")
	w, errW := strconv.Atoi(ws)
	h, errH := strconv.Atoi(hs)
	if !ok || errW != nil || errH != nil || w <= 0 || h <= 0 {
		return 0, 0, fmt.Errorf("RESOLUTION %q: want WIDTHxHEIGHT", s)
	}
	return w, h, nil
}

// hlsEntry is one media segment (or I-frame) of a media playlist.
type hlsEntry struct {
	uri  string // root-relative
	rng  ByteRange
	ms   uint64
	line int
	// tiles is the attribute list of the EXT-X-TILES in force (image
	// playlists), tilesLine its line.
	tiles     string
	tilesLine int
}

// hlsMedia is what vpack takes from one media playlist.
type hlsMedia struct {
	file       string // path in the fs.FS, for errors
	mapURI     string // root-relative, "" without EXT-X-MAP
	mapRange   ByteRange
	iframes    bool
	imagesOnly bool // EXT-X-IMAGES-ONLY
	entries    []hlsEntry
	// protection is read from the EXT-X-KEY tags (nil: clear).
	protection *Protection
}

// decodeMedia reads and checks the media playlist u (root-relative). A
// playlist without EXT-X-MAP gives mapURI "": the caller decides whether
// its kind allows that.
func (r *hlsReader) decodeMedia(u string) (*hlsMedia, error) {
	file := path.Join(r.root, u)
	data, err := fs.ReadFile(r.fsys, file)
	if err != nil {
		return nil, fmt.Errorf("read hls: %w", err)
	}
	ls := splitLines(data)
	var pl *m3u8.MediaPlaylist
	err = decodeStrict(file, data, func(b []byte) error {
		var err error
		if pl, err = m3u8.NewMediaPlaylist(0, uint(bytes.Count(b, []byte("#EXTINF:"))+1)); err != nil {
			return err
		}
		return pl.DecodeFrom(bytes.NewReader(b), true)
	})
	if err != nil {
		return nil, err
	}
	perr := func(line int, err error) error { return &ParseError{File: file, Line: line, Err: err} }
	if ls.nth("#EXT-X-STREAM-INF:", 0) > 0 {
		return nil, perr(0, errors.New("a multivariant playlist, not a media playlist"))
	}
	if !pl.Closed {
		return nil, perr(0, fmt.Errorf("no EXT-X-ENDLIST: live playlists: %w", ErrUnsupported))
	}
	segs := pl.GetAllSegments()
	if len(segs) == 0 {
		return nil, perr(0, errors.New("no segments"))
	}
	m := &hlsMedia{file: file, iframes: pl.Iframe, imagesOnly: ls.nth(imagesOnlyTag, 0) > 0}
	pr, keyLine, err := readKeyTags(ls)
	if err != nil {
		return nil, perr(keyLine, err)
	}
	m.protection = pr
	dir := path.Dir(u)
	mp := pl.Map
	if mp == nil {
		mp = segs[0].Map
	}
	if mp != nil {
		mapLine := ls.nth("#EXT-X-MAP:", 0)
		if m.mapURI, err = resolveURI(dir, mp.URI); err != nil {
			return nil, perr(mapLine, fmt.Errorf("EXT-X-MAP: %w", err))
		}
		if mp.Limit < 0 || mp.Offset < 0 || mp.Limit == 0 && mp.Offset != 0 {
			return nil, perr(mapLine, fmt.Errorf("EXT-X-MAP: BYTERANGE %d@%d", mp.Limit, mp.Offset))
		}
		m.mapRange = ByteRange{Offset: mp.Offset, Length: mp.Limit}
	}
	tiles, tilesLines := ls.persistentTag(tilesTag)

	// The library sets a missing @offset to 0; RFC 8216 §4.3.2.2 makes it
	// the end of the previous range of the same resource.
	var rangeLines []string
	for _, l := range ls {
		if strings.HasPrefix(l, "#EXT-X-BYTERANGE:") {
			rangeLines = append(rangeLines, l)
		}
	}
	nRange := 0
	extinf := ls.all("#EXTINF:")
	for i, s := range segs {
		line := extinf.at(i)
		if s.Map != nil && !s.Map.Equal(mp) {
			return nil, perr(line, fmt.Errorf("EXT-X-MAP changes: %w", ErrUnsupported))
		}
		e := hlsEntry{line: line}
		if len(tiles) == len(segs) {
			e.tiles, e.tilesLine = tiles[i], tilesLines[i]
		}
		if e.ms, err = secondsToMs(s.Duration); err != nil {
			return nil, perr(line, fmt.Errorf("EXTINF: %w", err))
		}
		if e.uri, err = resolveURI(dir, s.URI); err != nil {
			return nil, perr(line, fmt.Errorf("segment: %w", err))
		}
		if s.Limit < 0 || s.Offset < 0 {
			return nil, perr(line, fmt.Errorf("EXT-X-BYTERANGE %d@%d", s.Limit, s.Offset))
		}
		if s.Limit > 0 {
			e.rng = ByteRange{Offset: s.Offset, Length: s.Limit}
			if nRange < len(rangeLines) && !strings.Contains(rangeLines[nRange], "@") {
				if i == 0 || m.entries[i-1].uri != e.uri || m.entries[i-1].rng.Length == 0 {
					return nil, perr(line, errors.New("EXT-X-BYTERANGE without offset does not follow a range of the same resource"))
				}
				prev := m.entries[i-1].rng
				e.rng.Offset = prev.Offset + prev.Length
			}
			nRange++
		}
		m.entries = append(m.entries, e)
	}
	return m, nil
}

// readMediaPlaylist fills the segments of t from its media playlist.
func (r *hlsReader) readMediaPlaylist(t *Track) error {
	m, err := r.decodeMedia(t.PlaylistURI)
	if err != nil {
		return err
	}
	if m.iframes || m.imagesOnly {
		return &ParseError{File: m.file, Err: errors.New("an I-frame or image playlist where a media playlist belongs")}
	}
	if m.mapURI == "" {
		if t.Type != Text {
			return &ParseError{File: m.file, Line: m.entries[0].line, Err: fmt.Errorf("no EXT-X-MAP: only fragmented MP4 (CMAF) segments: %w", ErrUnsupported)}
		}
		return readWebVTT(t, m)
	}
	t.Protection = m.protection
	single := m.entries[0].rng.Length > 0
	var start uint64
	for _, e := range m.entries {
		if (e.rng.Length > 0) != single {
			return &ParseError{File: m.file, Line: e.line, Err: fmt.Errorf("segments with and without EXT-X-BYTERANGE mixed: %w", ErrUnsupported)}
		}
		s := Segment{StartTicks: start, DurTicks: e.ms}
		if single {
			if e.uri != m.mapURI {
				return &ParseError{File: m.file, Line: e.line, Err: fmt.Errorf("byte-range segment outside the EXT-X-MAP file %s: %w", m.mapURI, ErrUnsupported)}
			}
			s.Range, s.SizeBytes = e.rng, e.rng.Length
		} else {
			s.URI = e.uri
		}
		t.Segments = append(t.Segments, s)
		start += e.ms
	}
	if !single {
		if m.mapRange.Length > 0 {
			return &ParseError{File: m.file, Err: fmt.Errorf("EXT-X-MAP with BYTERANGE and whole-file segments: %w", ErrUnsupported)}
		}
		t.InitURI = m.mapURI
		return nil
	}
	if m.mapRange.Length == 0 {
		return &ParseError{File: m.file, Err: fmt.Errorf("EXT-X-MAP without BYTERANGE and byte-range segments: %w", ErrUnsupported)}
	}
	t.MediaURI, t.InitRange = m.mapURI, m.mapRange
	initEnd := m.mapRange.Offset + m.mapRange.Length
	if first := t.Segments[0].Range.Offset; first > initEnd {
		t.IndexRange = ByteRange{Offset: initEnd, Length: first - initEnd}
	}
	return nil
}

// readWebVTT fills text track t from a subtitles playlist without
// EXT-X-MAP, which RFC 8216 §3.5 makes a WebVTT playlist. One segment is
// read as a side-car file (MediaURI), since HLS cannot tell it from a
// WebVTT playlist of one segment; more are segmented WebVTT.
func readWebVTT(t *Track, m *hlsMedia) error {
	if m.protection != nil {
		return &ParseError{File: m.file, Err: fmt.Errorf("EXT-X-KEY in a WebVTT playlist: %w", ErrUnsupported)}
	}
	t.MimeType, t.Codecs = MimeTypeWebVTT, codecWebVTT
	var start uint64
	for _, e := range m.entries {
		if e.rng.Length > 0 {
			return &ParseError{File: m.file, Line: e.line, Err: fmt.Errorf("EXT-X-BYTERANGE in a WebVTT playlist: %w", ErrUnsupported)}
		}
		t.Segments = append(t.Segments, Segment{URI: e.uri, StartTicks: start, DurTicks: e.ms})
		start += e.ms
	}
	if len(t.Segments) == 1 {
		t.MediaURI, t.Segments[0].URI = t.Segments[0].URI, ""
	}
	return nil
}

// readIFrames reads the I-frame playlist of one EXT-X-I-FRAME-STREAM-INF and
// attaches it to the video track with the same initialization section.
func (r *hlsReader) readIFrames(name string, line int, v *m3u8.Variant) error {
	perr := func(err error) error {
		return &ParseError{File: name, Line: line, Err: fmt.Errorf("EXT-X-I-FRAME-STREAM-INF: %w", err)}
	}
	if v.URI == "" {
		return perr(errors.New("no URI"))
	}
	u, err := resolveURI(".", v.URI)
	if err != nil {
		return perr(err)
	}
	m, err := r.decodeMedia(u)
	if err != nil {
		return err
	}
	if !m.iframes {
		return &ParseError{File: m.file, Err: errors.New("no EXT-X-I-FRAMES-ONLY in an I-frame playlist")}
	}
	if m.mapURI == "" {
		return &ParseError{File: m.file, Line: m.entries[0].line, Err: fmt.Errorf("no EXT-X-MAP: only fragmented MP4 (CMAF) I-frames: %w", ErrUnsupported)}
	}
	var match *Track
	for _, t := range r.order[0] {
		if t.InitURI == m.mapURI || t.MediaURI == m.mapURI && t.InitRange == m.mapRange {
			match = t
			break
		}
	}
	if match == nil { // not the same init file: the only video of this size and codec
		for _, t := range r.order[0] {
			if v.Resolution == strconv.Itoa(t.Width)+"x"+strconv.Itoa(t.Height) && v.Codecs == t.Codecs {
				if match != nil {
					return perr(errors.New("matches several video variants"))
				}
				match = t
			}
		}
	}
	if match == nil {
		return perr(errors.New("matches no video variant"))
	}
	if match.IFramePlaylistURI != "" {
		return perr(fmt.Errorf("second I-frame playlist of %s", match.ID))
	}
	match.IFramePlaylistURI = u
	for _, e := range m.entries {
		match.IFrames = append(match.IFrames, IFrame{URI: e.uri, Range: e.rng, DurTicks: e.ms})
	}
	return nil
}

// decodeStrict runs decode, a strict hls-m3u8 decode of data, and turns
// its failure into a *ParseError naming file and line. The library reports
// no line numbers, and some malformed input makes it panic (for example a
// segment tag that no segment follows), so decodeStrict recovers from
// panics and, on error, finds the line by decoding ever shorter prefixes:
// a strict decode fails at the first bad line, so the shortest failing
// prefix ends at it.
func decodeStrict(file string, data []byte, decode func([]byte) error) error {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if string(bytes.TrimSuffix(first, []byte("\r"))) != "#EXTM3U" {
		return &ParseError{File: file, Line: 1, Err: errors.New("first line is not #EXTM3U")}
	}
	err := safeDecode(decode, data)
	if err == nil {
		return nil
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	lo, hi := 1, len(lines) // the error shows by prefix hi, not by prefix lo-1
	for lo < hi {
		mid := (lo + hi) / 2
		if safeDecode(decode, bytes.Join(lines[:mid], nil)) != nil {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return &ParseError{File: file, Line: hi, Err: err}
}

func safeDecode(decode func([]byte) error, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed playlist (hls-m3u8: %v)", r)
		}
	}()
	return decode(data)
}

// playlistLines are the lines of a playlist without line endings, for
// pointing errors at the tag they are about.
type playlistLines []string

func splitLines(data []byte) playlistLines {
	ls := strings.Split(string(data), "\n")
	for i, l := range ls {
		ls[i] = strings.TrimSuffix(l, "\r")
	}
	return ls
}

// nth returns the 1-based number of the n-th (0-based) line starting with
// prefix, or 0.
func (ls playlistLines) nth(prefix string, n int) int {
	for i, l := range ls {
		if strings.HasPrefix(l, prefix) {
			if n == 0 {
				return i + 1
			}
			n--
		}
	}
	return 0
}

// tagLines lists the 1-based numbers of the lines starting with prefix.
type tagLines []int

func (ls playlistLines) all(prefix string) tagLines {
	var out tagLines
	for i, l := range ls {
		if strings.HasPrefix(l, prefix) {
			out = append(out, i+1)
		}
	}
	return out
}

// at returns the n-th (0-based) line number, or 0.
func (tl tagLines) at(n int) int {
	if n < len(tl) {
		return tl[n]
	}
	return 0
}

// find returns the 1-based number of the first line starting with prefix
// and containing sub, or 0.
func (ls playlistLines) find(prefix, sub string) int {
	for i, l := range ls {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, sub) {
			return i + 1
		}
	}
	return 0
}
