package manifest

import (
	"bytes"
	"fmt"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/Eyevinn/hls-m3u8/m3u8"
)

// Defaults of HLSOptions.
const (
	DefaultMultivariantName    = "master.m3u8"
	DefaultVariantBandwidthBps = 2_000_000
)

// mediaSequence is the EXT-X-MEDIA-SEQUENCE of every media playlist: 1, so
// that the n-th segment has the same number in HLS as in the DASH
// SegmentTemplate (startNumber 1) and in the packager's file names.
const mediaSequence = 1

// HLSOptions tunes WriteHLS. The zero value is ready to use.
type HLSOptions struct {
	// MultivariantName is the file name of the multivariant playlist, in the
	// output root: DefaultMultivariantName when empty.
	MultivariantName string
	// DefaultVariantBandwidthBps picks the variant listed first, which
	// clients start with (Apple HLS Authoring Specification: the first
	// variant should be around 2000 kbit/s): the one whose video average bit
	// rate is closest. DefaultVariantBandwidthBps when 0.
	DefaultVariantBandwidthBps int64
}

// File is one manifest to write: Name is relative to the output root.
type File struct {
	Name string
	Data []byte
}

// WriteHLS formats p as HLS (RFC 8216): one media playlist per track, one
// I-frame playlist per video track with IFramePlaylistURI, and the
// multivariant playlist. The files come in the order they should be
// written: media and I-frame playlists first (in Track order), the
// multivariant playlist last, so that an interrupted write never publishes
// a multivariant playlist pointing at missing playlists.
//
// The multivariant playlist has one EXT-X-STREAM-INF per video track and
// audio group (audio groups are per codec family: "aac", "ec-3", "opus"…,
// AAC first, then in Track order). The variant whose video is closest to
// DefaultVariantBandwidthBps comes first, with the first audio group; the
// others follow ordered by audio group, then by BANDWIDTH ascending.
// Subtitles do not change that order: every variant names the one
// SUBTITLES group "subs" (see groupRenditions), whose peak bit rate its
// BANDWIDTH includes as RFC 8216 §4.3.4.2 asks. Thumbnail tracks get an
// EXT-X-IMAGE-STREAM-INF each, after the I-frame streams, and an image
// playlist (see thumbnail.go). Tracks with Only DASH are left out.
//
// EXT-X-VERSION is the lowest RFC 8216 §7 allows for what each playlist
// uses (see mediaPlaylistVersion): 6 for media playlists (EXT-X-MAP without
// EXT-X-I-FRAMES-ONLY), 5 for I-frame playlists (EXT-X-MAP with
// EXT-X-I-FRAMES-ONLY), 3 for WebVTT playlists (no EXT-X-MAP). The
// multivariant playlist declares the highest version of the playlists it
// lists, since §4.3.1.2 makes EXT-X-VERSION cover "the Playlist file, its
// associated media, and its server": a client that cannot play them then
// stops at the first file. Image playlists declare 7, as the Image Media
// Playlist specification's do, and are left out of that maximum: a client
// that does not know EXT-X-IMAGE-STREAM-INF never loads them.
//
// Besides the attributes RFC 8216 defines, vpack writes two from
// draft-pantos-hls-rfc8216bis that clients ignore if unknown:
// STABLE-VARIANT-ID and STABLE-RENDITION-ID carry Track.ID (when it fits
// their character set), and SAMPLE-RATE carries Track.SampleRate, so that
// ReadHLS gets them back.
func WriteHLS(p *Presentation, opts HLSOptions) ([]File, error) {
	if opts.MultivariantName == "" {
		opts.MultivariantName = DefaultMultivariantName
	}
	if opts.DefaultVariantBandwidthBps == 0 {
		opts.DefaultVariantBandwidthBps = DefaultVariantBandwidthBps
	}
	if err := checkURI(opts.MultivariantName); err != nil || strings.Contains(opts.MultivariantName, "/") {
		return nil, fmt.Errorf("hls: multivariant playlist name %q must be a file name in the root: %w", opts.MultivariantName, ErrInvalid)
	}
	if err := checkPresentation(p, true); err != nil {
		return nil, fmt.Errorf("hls: %w", err)
	}
	for _, t := range p.Tracks {
		if t.inHLS() && (t.PlaylistURI == opts.MultivariantName || t.IFramePlaylistURI == opts.MultivariantName) {
			return nil, fmt.Errorf("hls: track %s: playlist %s is the multivariant playlist: %w", t.ID, opts.MultivariantName, ErrInvalid)
		}
	}

	var files []File
	var iframeVersion, version int
	iframeBandwidth := make(map[string]int64)
	for i := range p.Tracks {
		t := &p.Tracks[i]
		if !t.inHLS() {
			continue
		}
		if t.Type == Image {
			data, err := encodeImagePlaylist(t)
			if err != nil {
				return nil, fmt.Errorf("hls: track %s: %w", t.ID, err)
			}
			// Not counted in the multivariant EXT-X-VERSION: clients that
			// do not know EXT-X-IMAGE-STREAM-INF never load it.
			files = append(files, File{Name: t.PlaylistURI, Data: data})
			continue
		}
		data, v, err := encodeMediaPlaylist(t, p.SingleFile)
		if err != nil {
			return nil, fmt.Errorf("hls: track %s: %w", t.ID, err)
		}
		files = append(files, File{Name: t.PlaylistURI, Data: data})
		version = max(version, v)
		if t.IFramePlaylistURI == "" {
			continue
		}
		data, v, bw, err := encodeIFramePlaylist(t, p.SingleFile)
		if err != nil {
			return nil, fmt.Errorf("hls: track %s: I-frames: %w", t.ID, err)
		}
		files = append(files, File{Name: t.IFramePlaylistURI, Data: data})
		iframeVersion = max(iframeVersion, v)
		iframeBandwidth[t.ID] = bw
	}

	data, err := encodeMultivariant(p, opts, max(version, iframeVersion), iframeBandwidth)
	if err != nil {
		return nil, fmt.Errorf("hls: %s: %w", opts.MultivariantName, err)
	}
	return append(files, File{Name: opts.MultivariantName, Data: data}), nil
}

// mapFor returns the EXT-X-MAP of t as seen from the playlist folder dir.
func mapFor(t *Track, single bool, dir string) (uri string, limit, offset int64) {
	if single {
		return relURI(dir, t.MediaURI), t.InitRange.Length, t.InitRange.Offset
	}
	return relURI(dir, t.InitURI), 0, 0
}

// encodeMediaPlaylist writes the VOD media playlist of t and returns it with
// its EXT-X-VERSION. A WebVTT track (segmented or side-car) gets a WebVTT
// playlist (RFC 8216 §3.5): its .vtt files as segments, no EXT-X-MAP.
func encodeMediaPlaylist(t *Track, single bool) ([]byte, int, error) {
	if t.plain() {
		single = false // plain files are whole files in both modes
	}
	dir := path.Dir(t.PlaylistURI)
	version := mediaPlaylistVersion(false, single, !t.plain())
	pl, err := m3u8.NewMediaPlaylist(0, uint(len(t.Segments)))
	if err != nil {
		return nil, 0, err
	}
	var maxMs uint64
	for i, s := range t.Segments {
		ms, err := ticksToMs(s.DurTicks, t.Timescale)
		if err != nil {
			return nil, 0, fmt.Errorf("segment %d: %w", i+1, err)
		}
		maxMs = max(maxMs, ms)
		seg := &m3u8.MediaSegment{Duration: float64(ms) / 1000}
		switch {
		case t.plain():
			seg.URI = relURI(dir, t.segmentURI(i))
		case single:
			seg.URI = relURI(dir, t.MediaURI)
			seg.Limit, seg.Offset = s.Range.Length, s.Range.Offset
		default:
			seg.URI = relURI(dir, s.URI)
		}
		if err := pl.AppendSegment(seg); err != nil {
			return nil, 0, fmt.Errorf("segment %d: %w", i+1, err)
		}
	}
	finishMediaPlaylist(pl, t, single, dir, version, maxMs)
	data := bytes.Clone(pl.Encode().Bytes())
	if pr := t.Protection; pr != nil {
		data = insertBeforeSegment(data, pr.ClearSegments, hlsKeyTags(pr, false))
	}
	return data, version, nil
}

// encodeIFramePlaylist writes the I-frame playlist (RFC 8216 §4.3.3.6) of
// t and returns it with its EXT-X-VERSION and its BANDWIDTH: the peak bit
// rate of any I-frame over the time until the next one (§4.3.4.3).
func encodeIFramePlaylist(t *Track, single bool) ([]byte, int, int64, error) {
	dir := path.Dir(t.IFramePlaylistURI)
	version := mediaPlaylistVersion(true, true, true)
	pl, err := m3u8.NewMediaPlaylist(0, uint(len(t.IFrames)))
	if err != nil {
		return nil, 0, 0, err
	}
	pl.SetIframeOnly()
	var maxMs uint64
	var peak int64
	for i, f := range t.IFrames {
		ms, err := ticksToMs(f.DurTicks, t.Timescale)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("I-frame %d: %w", i+1, err)
		}
		maxMs = max(maxMs, ms)
		peak = max(peak, bitsPerSecond(f.Range.Length, f.DurTicks, t.Timescale))
		u := f.URI
		if u == "" && single {
			u = t.MediaURI
		}
		seg := &m3u8.MediaSegment{
			URI:      relURI(dir, u),
			Duration: float64(ms) / 1000,
			Limit:    f.Range.Length,
			Offset:   f.Range.Offset,
		}
		if err := pl.AppendSegment(seg); err != nil {
			return nil, 0, 0, fmt.Errorf("I-frame %d: %w", i+1, err)
		}
	}
	if peak > math.MaxUint32 {
		return nil, 0, 0, fmt.Errorf("I-frame peak bit rate %d bit/s out of range: %w", peak, ErrInvalid)
	}
	finishMediaPlaylist(pl, t, single, dir, version, maxMs)
	data := bytes.Clone(pl.Encode().Bytes())
	if pr := t.Protection; pr != nil {
		data = insertBeforeSegment(data, firstEncryptedIFrame(t), hlsKeyTags(pr, false))
	}
	return data, version, peak, nil
}

// firstEncryptedIFrame is the index of the first I-frame in a segment
// after the clear lead (len(t.IFrames) when every segment is clear).
func firstEncryptedIFrame(t *Track) int {
	clear := t.Protection.ClearSegments
	if clear == 0 {
		return 0
	}
	if clear >= len(t.Segments) {
		return len(t.IFrames)
	}
	clearURIs := make(map[string]bool)
	for _, s := range t.Segments[:clear] {
		clearURIs[s.URI] = true
	}
	from := t.Segments[clear].Range.Offset
	for i, f := range t.IFrames {
		if f.URI != "" && f.URI != t.MediaURI {
			if !clearURIs[f.URI] {
				return i
			}
		} else if f.Range.Offset >= from {
			return i
		}
	}
	return len(t.IFrames)
}

// finishMediaPlaylist sets the header tags shared by media and I-frame
// playlists (EXT-X-MAP only for CMAF tracks). The version and target
// duration are set last because the library raises the version and
// recomputes the target as segments and the map are added.
func finishMediaPlaylist(pl *m3u8.MediaPlaylist, t *Track, single bool, dir string, version int, maxMs uint64) {
	pl.MediaType = m3u8.VOD
	pl.SeqNo = mediaSequence
	pl.SetIndependentSegments(true)
	if !t.plain() {
		pl.SetDefaultMap(mapFor(t, single, dir))
	}
	pl.Close()
	pl.SetVersion(uint8(version))
	pl.SetTargetDuration(targetDuration(maxMs, version))
	pl.ResetCache()
}

// hlsGroup is one group of alternative renditions (EXT-X-MEDIA GROUP-ID).
type hlsGroup struct {
	id     string
	tracks []*Track
	codecs []string
	peak   int64 // largest BandwidthBps of the group
	avg    int64 // largest AverageBandwidthBps of the group
	alts   []*m3u8.Alternative
}

// hlsVariant is one EXT-X-STREAM-INF before formatting.
type hlsVariant struct {
	Variant
	video    *Track
	group    int // index into the audio groups, -1 without audio
	audio    *hlsGroup
	subtitle *hlsGroup
}

// audioGroupID names the audio group of a codec: its family ("aac",
// "ec-3", "opus"), which keeps one coding format per group as the Apple HLS
// Authoring Specification asks.
func audioGroupID(codecs string) string { return codecFamily(codecs) }

// subtitlesGroupID is the GROUP-ID of all subtitle renditions.
const subtitlesGroupID = "subs"

// groupRenditions sorts audio (or text) tracks into groups and builds their
// EXT-X-MEDIA tags. Exactly one rendition per audio group is DEFAULT=YES:
// the first with Track.Default, else the first of the group (RFC 8216
// §4.3.4.1.1 allows at most one; clients need one to start with).
// Subtitles are DEFAULT=YES only when marked, FORCED=YES only when
// Track.Forced (the library writes FORCED only then: RFC 8216 §4.3.4.1
// allows it only with TYPE=SUBTITLES), and all share one group whatever
// their format.
//
// A group's codecs, which go into the CODECS of its variants, are those of
// its CMAF renditions: wvtt, or stpp.ttml.im1t for IMSC1 in fMP4, which
// Apple asks CODECS to name (HLS, WWDC 2017). A WebVTT playlist
// adds none: CODECS names ISO BMFF sample entries (rfc8216bis §4.4.6.2),
// and Apple's own WebVTT examples declare no text codec.
func groupRenditions(p *Presentation, typ TrackType) ([]*hlsGroup, error) {
	var groups []*hlsGroup
	byID := make(map[string]*hlsGroup)
	for i := range p.Tracks {
		t := &p.Tracks[i]
		if t.Type != typ || !t.inHLS() {
			continue
		}
		id := subtitlesGroupID
		if typ == Audio {
			id = audioGroupID(t.Codecs)
		}
		g := byID[id]
		if g == nil {
			g = &hlsGroup{id: id}
			byID[id] = g
			groups = append(groups, g)
		}
		g.tracks = append(g.tracks, t)
		if !t.plain() {
			g.codecs = appendUnique(g.codecs, t.Codecs)
		}
		g.peak = max(g.peak, t.BandwidthBps)
		g.avg = max(g.avg, t.AverageBandwidthBps)
	}
	// AAC first: every HLS client plays it, so the default variant should use it.
	slices.SortStableFunc(groups, func(a, b *hlsGroup) int {
		return boolCmp(a.id != "aac", b.id != "aac")
	})
	mediaType := "AUDIO"
	if typ == Text {
		mediaType = "SUBTITLES"
	}
	for _, g := range groups {
		var def *Track // in Track order
		for _, t := range g.tracks {
			if t.Default {
				def = t
				break
			}
		}
		if def == nil && typ == Audio {
			def = g.tracks[0]
		}
		// hls-m3u8 writes EXT-X-MEDIA tags sorted by GROUP-ID, TYPE, NAME and
		// LANGUAGE; keep the group in that order so that Variant.AudioIDs
		// follow the playlist.
		slices.SortStableFunc(g.tracks, func(a, b *Track) int {
			return strings.Compare(renditionName(a)+"-"+a.Language, renditionName(b)+"-"+b.Language)
		})
		names := make(map[string]string)
		for _, t := range g.tracks {
			name := renditionName(t)
			if other, ok := names[name]; ok {
				return nil, fmt.Errorf("tracks %s and %s share NAME %q in group %q (RFC 8216 §4.3.4.1.1): %w", other, t.ID, name, g.id, ErrInvalid)
			}
			names[name] = t.ID
			alt := &m3u8.Alternative{
				Type:              mediaType,
				URI:               t.PlaylistURI,
				GroupId:           g.id,
				Language:          t.Language,
				Name:              name,
				StableRenditionId: stableID(t.ID),
				Default:           t == def,
				Autoselect:        true,
				Forced:            t.Forced,
				Characteristics:   t.Characteristics,
			}
			if typ == Audio {
				if t.SampleRate > 0 {
					alt.SampleRate = uint32(t.SampleRate)
				}
				if t.Channels > 0 {
					alt.Channels = &m3u8.Channels{Amount: t.Channels}
				}
			}
			g.alts = append(g.alts, alt)
		}
	}
	return groups, nil
}

// renditionName is the EXT-X-MEDIA NAME of t: Track.Name, else its ID.
func renditionName(t *Track) string {
	if t.Name != "" {
		return t.Name
	}
	return t.ID
}

// stableID returns id when it is a valid STABLE-VARIANT-ID /
// STABLE-RENDITION-ID (rfc8216bis §4.4.6.2: [a-zA-Z0-9+/=.\-_]), else "".
func stableID(id string) string {
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+/=.-_", r)
		if !ok {
			return ""
		}
	}
	return id
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// hlsVariants computes the variant streams of p in the order WriteHLS lists
// them (see WriteHLS).
func hlsVariants(p *Presentation, defaultBps int64) ([]*hlsVariant, error) {
	audio, err := groupRenditions(p, Audio)
	if err != nil {
		return nil, err
	}
	subs, err := groupRenditions(p, Text)
	if err != nil {
		return nil, err
	}
	var sub *hlsGroup
	if len(subs) > 0 {
		sub = subs[0]
	}
	var videos []*Track
	for i := range p.Tracks {
		if p.Tracks[i].Type == Video && p.Tracks[i].inHLS() {
			videos = append(videos, &p.Tracks[i])
		}
	}
	if len(videos) == 0 {
		return nil, fmt.Errorf("no video track: audio-only HLS: %w", ErrUnsupported)
	}

	// The default video: closest average (else peak) bit rate, first on ties.
	def := videos[0]
	dist := func(t *Track) int64 {
		r := t.AverageBandwidthBps
		if r == 0 {
			r = t.BandwidthBps
		}
		d := r - defaultBps
		if d < 0 {
			d = -d
		}
		return d
	}
	for _, v := range videos[1:] {
		if dist(v) < dist(def) {
			def = v
		}
	}

	var out []*hlsVariant
	add := func(v *Track, gi int, a *hlsGroup) error {
		hv := &hlsVariant{video: v, group: gi, audio: a, subtitle: sub}
		hv.URI = v.PlaylistURI
		hv.VideoID = v.ID
		hv.BandwidthBps = v.BandwidthBps
		hv.AverageBandwidthBps = v.AverageBandwidthBps
		codecs := appendUnique(nil, v.Codecs)
		for _, g := range []*hlsGroup{a, sub} {
			if g == nil {
				continue
			}
			hv.BandwidthBps += g.peak
			hv.AverageBandwidthBps += g.avg
			codecs = appendUnique(codecs, strings.Join(g.codecs, ","))
			var ids []string
			for _, t := range g.tracks {
				ids = append(ids, t.ID)
			}
			if g == a {
				hv.AudioGroup, hv.AudioIDs = g.id, ids
			} else {
				hv.SubtitlesGroup, hv.SubtitlesIDs = g.id, ids
			}
		}
		hv.Codecs = strings.Join(codecs, ",")
		if hv.BandwidthBps > math.MaxUint32 || hv.AverageBandwidthBps > math.MaxUint32 {
			return fmt.Errorf("variant %s: bit rate out of range: %w", v.ID, ErrInvalid)
		}
		out = append(out, hv)
		return nil
	}
	for _, v := range videos {
		if len(audio) == 0 {
			if err := add(v, -1, nil); err != nil {
				return nil, err
			}
			continue
		}
		for gi, g := range audio {
			if err := add(v, gi, g); err != nil {
				return nil, err
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *hlsVariant) int {
		if c := boolCmp(!(a.video == def && a.group <= 0), !(b.video == def && b.group <= 0)); c != 0 {
			return c
		}
		if a.group != b.group {
			return a.group - b.group
		}
		if a.BandwidthBps != b.BandwidthBps {
			if a.BandwidthBps < b.BandwidthBps {
				return -1
			}
			return 1
		}
		return strings.Compare(a.VideoID, b.VideoID)
	})
	return out, nil
}

// encodeMultivariant writes the multivariant playlist (RFC 8216 §4.3.4).
func encodeMultivariant(p *Presentation, opts HLSOptions, version int, iframeBandwidth map[string]int64) ([]byte, error) {
	variants, err := hlsVariants(p, opts.DefaultVariantBandwidthBps)
	if err != nil {
		return nil, err
	}
	m := m3u8.NewMasterPlaylist()
	m.SetIndependentSegments(true)
	var order []*Track // video tracks in variant order, for the I-frame streams
	seen := make(map[*Track]bool)
	for _, v := range variants {
		params := m3u8.VariantParams{
			Bandwidth:        uint32(v.BandwidthBps),
			AverageBandwidth: uint32(v.AverageBandwidthBps),
			Codecs:           v.Codecs,
			Resolution:       strconv.Itoa(v.video.Width) + "x" + strconv.Itoa(v.video.Height),
			FrameRate:        float64(v.video.FrameRate.Num) / float64(v.video.FrameRate.Den),
			StableVariantId:  stableID(v.VideoID),
			Captions:         "NONE",
		}
		if v.audio != nil {
			params.Audio = v.audio.id
			params.Alternatives = append(params.Alternatives, v.audio.alts...)
		}
		if v.subtitle != nil {
			params.Subtitles = v.subtitle.id
			params.Alternatives = append(params.Alternatives, v.subtitle.alts...)
		}
		m.Append(v.URI, nil, params)
		if !seen[v.video] {
			seen[v.video] = true
			order = append(order, v.video)
		}
	}
	for _, t := range order {
		if t.IFramePlaylistURI == "" {
			continue
		}
		m.Append(t.IFramePlaylistURI, nil, m3u8.VariantParams{
			Iframe:     true,
			Bandwidth:  uint32(iframeBandwidth[t.ID]),
			Codecs:     t.Codecs,
			Resolution: strconv.Itoa(t.Width) + "x" + strconv.Itoa(t.Height),
		})
	}
	m.SetVersion(uint8(version))
	m.ResetCache()
	data := bytes.Clone(m.Encode().Bytes())
	data = insertBeforeNth(data, "#EXT-X-", 2, sessionKeyTags(p))
	for i := range p.Tracks {
		if t := &p.Tracks[i]; t.Type == Image && t.inHLS() {
			data = append(data, imageStreamInf(t)+"\n"...)
		}
	}
	return data, nil
}

// sessionKeyTags are the EXT-X-SESSION-KEY tags of the multivariant
// playlist (RFC 8216 §4.3.4.5): one per system and key, in track order, so
// that clients can request licences before loading a media playlist. Tags
// must differ in METHOD, URI, IV, KEYFORMAT or KEYFORMATVERSIONS, so one
// that differs from an earlier one only in KEYID is left out.
func sessionKeyTags(p *Presentation) []string {
	var out []string
	seen := make(map[string]bool)
	for i := range p.Tracks {
		if !p.Tracks[i].inHLS() {
			continue
		}
		for _, tag := range hlsKeyTags(p.Tracks[i].Protection, true) {
			key := keyIDAttr.ReplaceAllString(tag, "")
			if !seen[key] {
				seen[key] = true
				out = append(out, tag)
			}
		}
	}
	return out
}

// keyIDAttr matches the KEYID attribute of a key tag.
var keyIDAttr = regexp.MustCompile(`,KEYID=0x[0-9A-Fa-f]+`)
