package manifest

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/Eyevinn/dash-mpd/mpd"
)

// DASH profiles vpack signals (ISO/IEC 23009-1 §8; CMAF: §8.12).
const (
	profilesLive     = mpd.PROFILE_LIVE + "," + mpd.PROFILE_CMAF
	profilesOnDemand = mpd.PROFILE_ONDEMAND
)

// roleScheme is the DASH Role scheme (ISO/IEC 23009-1 §5.8.5.5).
const roleScheme = "urn:mpeg:dash:role:2011"

// channelScheme23003 is the older scheme whose value is the channel count
// itself; ReadDASH understands it, WriteDASH writes CICP.
const channelScheme23003 = mpd.AUDIO_CHANNEL_CONFIGURATION_MPEG_DASH

// DASHOptions tunes WriteDASH. The zero value is ready to use.
type DASHOptions struct {
	// MinBufferTime is MPD@minBufferTime: with it buffered, a client can
	// play every Representation at its @bandwidth without stalling. When 0,
	// Presentation.SegmentDuration, else 2 s.
	MinBufferTime time.Duration
}

// WriteDASH formats p as a static MPD (ISO/IEC 23009-1) with one Period.
//
// Tracks are grouped into AdaptationSets by media type and codec family
// (H.264, HEVC and AV1 video apart; audio also per language; every text
// track alone), in order of first appearance: video, audio, text, then
// thumbnails. Representations keep Track order, except that a
// Track.Default audio or text track comes first and its AdaptationSet gets
// Role "main". Tracks with Only HLS are left out.
//
// Text sets have Role "subtitle", or "forced-subtitle" for Track.Forced
// (ISO/IEC 23009-1 §5.8.5.5), the track's Name as Label, and either
// mimeType application/mp4 with the codecs of fMP4 wvtt or stpp and a
// SegmentTemplate like other tracks, or, for a side-car WebVTT file,
// mimeType text/vtt and the file as the Representation's BaseURL.
// Thumbnail tracks make a DASH-IF IOP §6.2.6 image set (see thumbnail.go).
// CHARACTERISTICS has no DASH form and is not written.
//
// Multi-file presentations use the isoff-live and CMAF profiles: every
// Representation gets a SegmentTemplate with a $Number$ media template
// derived from the segment URIs (see numberTemplate) and a SegmentTimeline
// built from StartTicks and DurTicks, with equal consecutive durations run
// length coded (S@r). When all Representations of a set share the same
// template once their ID is replaced by $RepresentationID$, the template
// moves to the AdaptationSet. Single-file presentations use the isoff-on-
// demand profile: BaseURL, and SegmentBase with the sidx IndexRange and the
// Initialization range.
func WriteDASH(p *Presentation, opts DASHOptions) ([]byte, error) {
	if err := checkPresentation(p, false); err != nil {
		return nil, fmt.Errorf("dash: %w", err)
	}
	minBuffer := opts.MinBufferTime
	if minBuffer == 0 {
		minBuffer = p.SegmentDuration
	}
	if minBuffer <= 0 {
		minBuffer = 2 * time.Second
	}
	duration := p.Duration
	if duration <= 0 {
		duration = longestTrack(p)
	}

	m := mpd.NewMPD(mpd.STATIC_TYPE)
	m.Profiles = profilesLive
	if p.SingleFile {
		m.Profiles = profilesOnDemand
	}
	m.MediaPresentationDuration = durationPtr(duration)
	m.MinBufferTime = durationPtr(minBuffer)
	period := &mpd.Period{Id: "0", Start: durationPtr(0)}
	m.AppendPeriod(period)

	sets := adaptationSets(p)
	for i, set := range sets {
		as, err := adaptationSet(set, uint32(i), p.SingleFile, duration)
		if err != nil {
			return nil, fmt.Errorf("dash: %w", err)
		}
		if sw := switchableSets(sets, i); sw != "" {
			as.SupplementalProperties = append(as.SupplementalProperties, mpd.NewDescriptor(switchingScheme, sw, ""))
		}
		period.AppendAdaptationSet(as)
	}
	s, err := m.WriteToString("  ", true)
	if err != nil {
		return nil, fmt.Errorf("dash: encode mpd: %w", err)
	}
	return []byte(s + "\n"), nil
}

func durationPtr(d time.Duration) *mpd.Duration {
	md := mpd.Duration(d)
	return &md
}

// longestTrack is the duration of the longest track, for presentations
// whose Duration is unset.
func longestTrack(p *Presentation) time.Duration {
	var longest time.Duration
	for _, t := range p.Tracks {
		var ticks uint64
		for _, s := range t.Segments {
			ticks += s.DurTicks
		}
		if t.Timescale > 0 {
			sec, rem := ticks/uint64(t.Timescale), ticks%uint64(t.Timescale)
			d := time.Duration(sec)*time.Second + time.Duration(rem*uint64(time.Second)/uint64(t.Timescale))
			longest = max(longest, d)
		}
	}
	return longest
}

// adaptationSets groups the tracks DASH carries into switchable sets (see
// WriteDASH).
func adaptationSets(p *Presentation) [][]*Track {
	var sets [][]*Track
	index := make(map[string]int)
	for _, typ := range []TrackType{Video, Audio, Text, Image} {
		for i := range p.Tracks {
			t := &p.Tracks[i]
			if t.Type != typ || !t.inDASH() {
				continue
			}
			key := string(t.Type) + "/" + codecFamily(t.Codecs)
			switch t.Type {
			case Audio:
				key += "/" + t.Language
			case Text:
				// Two text tracks are never the same content in another
				// coding (forced or not, captions or subtitles, IMSC1 or
				// WebVTT), and Role applies to a whole set.
				key += "/" + t.ID
			case Image:
				key += "/" + t.MimeType
			}
			if t.Protection != nil {
				// Representations of a set share one licence (DASH-IF IOP
				// §7.7.2): tracks with different keys go to sets of their
				// own, which switchableSets links back together.
				key += "/" + t.Protection.DefaultKID
			}
			j, ok := index[key]
			if !ok {
				j = len(sets)
				index[key] = j
				sets = append(sets, nil)
			}
			if t.Default && t.Type != Video {
				sets[j] = append([]*Track{t}, sets[j]...)
			} else {
				sets[j] = append(sets[j], t)
			}
		}
	}
	return sets
}

// adaptationSet builds one AdaptationSet with its Representations.
// duration is the Period's, which a thumbnail SegmentTemplate@duration
// must end with.
func adaptationSet(tracks []*Track, id uint32, single bool, duration time.Duration) (*mpd.AdaptationSetType, error) {
	first := tracks[0]
	as := &mpd.AdaptationSetType{Id: &id, ContentType: mpd.RFC6838ContentTypeType(first.Type)}
	switch {
	case first.plain():
		as.MimeType = first.MimeType
	case first.Type == Video:
		as.MimeType = mpd.MIME_TYPE_VIDEO_MP4
	case first.Type == Audio:
		as.MimeType = mpd.MIME_TYPE_AUDIO_MP4
	default:
		as.MimeType = "application/mp4"
	}
	switch {
	case first.plain(): // whole files: no alignment or SAP to declare
	case single:
		as.SubsegmentAlignment = true
		as.SubsegmentStartsWithSAP = 1
	default:
		as.SegmentAlignment = true
		as.StartWithSAP = 1
	}
	as.ContentProtections = contentProtections(first.Protection)
	if first.Type == Audio || first.Type == Text {
		as.Lang = first.Language
		if first.Default {
			as.Roles = append(as.Roles, mpd.NewRole("main"))
		}
	}
	if first.Type == Text {
		as.Roles = append(as.Roles, mpd.NewRole(textRole(first)))
	}

	var templates []*mpd.SegmentTemplateType
	var maxRate Rate
	par := ""
	for i, t := range tracks {
		r, st, err := representation(t, single, duration)
		if err != nil {
			return nil, fmt.Errorf("representation %s: %w", t.ID, err)
		}
		as.Representations = append(as.Representations, r)
		templates = append(templates, st)
		if t.Type != Video {
			continue
		}
		as.MaxWidth = max(as.MaxWidth, uint32(t.Width))
		as.MaxHeight = max(as.MaxHeight, uint32(t.Height))
		if rateLess(maxRate, t.FrameRate) || maxRate.Den == 0 {
			maxRate = t.FrameRate
		}
		sarNum, sarDen := sar(t)
		tp := ratio(t.Width*sarNum, t.Height*sarDen)
		if i == 0 {
			par = tp
		} else if tp != par {
			par = "" // mixed picture aspect ratios: none for the set
		}
	}
	if first.Type == Video {
		as.MaxFrameRate = rateString(maxRate)
		as.Par = mpd.RatioType(par)
	}
	if !single || first.Type == Image {
		shared := true
		for _, st := range templates[1:] {
			if !reflect.DeepEqual(st, templates[0]) {
				shared = false
				break
			}
		}
		switch {
		case templates[0] == nil: // side-car files: BaseURL only
		case shared:
			as.SegmentTemplate = templates[0]
		default:
			for i, r := range as.Representations {
				r.SegmentTemplate = templates[i]
			}
		}
	}
	return as, nil
}

// sar returns the sample aspect ratio of t, 1:1 when unset.
func sar(t *Track) (int, int) {
	if t.SARNum <= 0 || t.SARDen <= 0 {
		return 1, 1
	}
	return t.SARNum, t.SARDen
}

// cicpChannels maps channel counts to CICP ChannelConfiguration
// (ISO/IEC 23091-3 Table 2): 1–6 are themselves (6 = 5.1), 8 is 7.1 (12).
var cicpChannels = map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 8: 12}

// textRole is the Role of a text AdaptationSet (ISO/IEC 23009-1 §5.8.5.5
// Table 22): "forced-subtitle" for forced-narrative subtitles, which
// shaka-player and the Bitmovin players show without the user choosing
// subtitles, else "subtitle". "main" (Track.Default) is added apart.
func textRole(t *Track) string {
	if t.Forced {
		return "forced-subtitle"
	}
	return "subtitle"
}

// representation builds the Representation of t and, in multi-file mode
// or for thumbnails, its SegmentTemplate (returned apart so that the
// caller can share it). A side-car file gets its BaseURL and neither.
func representation(t *Track, single bool, duration time.Duration) (*mpd.RepresentationType, *mpd.SegmentTemplateType, error) {
	r := &mpd.RepresentationType{Id: t.ID, Bandwidth: uint32(t.BandwidthBps)}
	if !t.plain() {
		r.Codecs = t.Codecs // plain files: @mimeType says it all, as in DASH-IF's thumbnail and WebVTT examples
	}
	switch t.Type {
	case Video:
		r.Width, r.Height = uint32(t.Width), uint32(t.Height)
		r.FrameRate = mpd.FrameRateType(rateString(t.FrameRate))
		num, den := sar(t)
		r.Sar = mpd.RatioType(strconv.Itoa(num) + ":" + strconv.Itoa(den))
	case Audio:
		if t.SampleRate > 0 {
			r.AudioSamplingRate = mpd.Ptr(mpd.UIntVectorType(strconv.Itoa(t.SampleRate)))
		}
		if cicp, ok := cicpChannels[t.Channels]; ok {
			r.AudioChannelConfigurations = append(r.AudioChannelConfigurations,
				mpd.NewDescriptor(mpd.AUDIO_CHANNEL_CONFIGURATION_CICP, strconv.Itoa(cicp), ""))
		} else if t.Channels > 0 {
			r.AudioChannelConfigurations = append(r.AudioChannelConfigurations,
				mpd.NewDescriptor(channelScheme23003, strconv.Itoa(t.Channels), ""))
		}
	}
	if t.Name != "" {
		r.Labels = append(r.Labels, &mpd.LabelType{Value: t.Name})
	}
	timescale := t.Timescale

	switch {
	case t.sideCar():
		r.BaseURLs = append(r.BaseURLs, mpd.NewBaseURL(t.sideCarURI()))
		return r, nil, nil
	case t.Type == Image:
		r.Width, r.Height = uint32(t.Width), uint32(t.Height)
		r.EssentialProperties = append(r.EssentialProperties,
			mpd.NewDescriptor(thumbnailTileScheme, gridString(t.TileCols, t.TileRows), ""))
		st, err := thumbnailTemplate(t, duration)
		return r, st, err
	}

	if single {
		if !rangeValid(t.IndexRange) {
			return nil, nil, fmt.Errorf("no sidx IndexRange for the on-demand profile: %w", ErrInvalid)
		}
		r.BaseURLs = append(r.BaseURLs, mpd.NewBaseURL(t.MediaURI))
		r.SegmentBase = &mpd.SegmentBaseType{
			Timescale:      &timescale,
			IndexRange:     rangeString(t.IndexRange),
			Initialization: &mpd.URLType{Range: rangeString(t.InitRange)},
		}
		return r, nil, nil
	}

	uris := make([]string, len(t.Segments))
	for i, s := range t.Segments {
		uris[i] = s.URI
	}
	media, start, err := numberTemplate(uris)
	if err != nil {
		return nil, nil, err
	}
	if start > 0xFFFFFFFF {
		return nil, nil, fmt.Errorf("start number %d: %w", start, errTemplate)
	}
	start32 := uint32(start)
	st := &mpd.SegmentTemplateType{
		Media:          withRepresentationID(media, t.ID),
		Initialization: withRepresentationID(escapeTemplate(t.InitURI), t.ID),
	}
	st.Timescale = &timescale
	st.StartNumber = &start32
	st.SegmentTimeline = segmentTimeline(t.Segments)
	return r, st, nil
}

// thumbnailTemplate is the SegmentTemplate of image track t: no
// initialization (DASH-IF IOP §6.2.6), and @duration with @startNumber
// as DASH-IF's thumbnail examples have when every tile but the last lasts
// the same and the tiles end with the Period (so that ReadDASH, and every
// client, derives the same tiles); else a SegmentTimeline.
func thumbnailTemplate(t *Track, duration time.Duration) (*mpd.SegmentTemplateType, error) {
	uris := make([]string, len(t.Segments))
	for i, s := range t.Segments {
		uris[i] = s.URI
	}
	media, start, err := numberTemplate(uris)
	if err != nil {
		return nil, err
	}
	start32, timescale := uint32(start), t.Timescale
	st := &mpd.SegmentTemplateType{Media: withRepresentationID(media, t.ID)}
	st.Timescale, st.StartNumber = &timescale, &start32
	if regularTiles(t.Segments, tileTicks(t), ticksOf(duration, t.Timescale)) {
		d := uint32(tileTicks(t))
		st.Duration = &d
	} else {
		st.SegmentTimeline = segmentTimeline(t.Segments)
	}
	return st, nil
}

// regularTiles reports whether segs are tiles of d ticks from 0 on, the
// last one ending at end (the Period's) and no longer: what
// SegmentTemplate@duration d describes. The last, or only, tile may be
// shorter: @duration then still tells clients how long its thumbnails are.
func regularTiles(segs []Segment, d, end uint64) bool {
	if d == 0 || d > 0xFFFFFFFF {
		return false
	}
	var next uint64
	for i, s := range segs {
		if s.StartTicks != next || s.DurTicks > d || s.DurTicks < d && i < len(segs)-1 {
			return false
		}
		next += s.DurTicks
	}
	return next == end
}

// ticksOf converts d to ticks of timescale, rounding up, as ReadDASH does
// to find the end of the Period.
func ticksOf(d time.Duration, timescale uint32) uint64 {
	if d <= 0 {
		return 0
	}
	sec, rem := uint64(d/time.Second), uint64(d%time.Second)
	return sec*uint64(timescale) + (rem*uint64(timescale)+uint64(time.Second)-1)/uint64(time.Second)
}

// rangeString formats a byte range as RFC 7233 "first-last".
func rangeString(r ByteRange) string {
	return strconv.FormatInt(r.Offset, 10) + "-" + strconv.FormatInt(r.Offset+r.Length-1, 10)
}

// segmentTimeline writes one S per run of contiguous segments of equal
// duration (ISO/IEC 23009-1 §5.3.9.6): S@t on the first and after any gap
// or overlap, S@r for the repeats.
func segmentTimeline(segs []Segment) *mpd.SegmentTimelineType {
	tl := &mpd.SegmentTimelineType{}
	var next uint64
	for i, s := range segs {
		if i > 0 && s.StartTicks == next {
			if last := tl.S[len(tl.S)-1]; last.D == s.DurTicks {
				last.R++
				next += s.DurTicks
				continue
			}
		}
		e := &mpd.S{D: s.DurTicks}
		if i == 0 || s.StartTicks != next {
			t := s.StartTicks
			e.T = &t
		}
		tl.S = append(tl.S, e)
		next = s.StartTicks + s.DurTicks
	}
	return tl
}

// switchingScheme marks AdaptationSets a client may switch between
// (ISO/IEC 23009-1 §5.3.3.5): video sets split only by their keys.
const switchingScheme = "urn:mpeg:dash:adaptation-set-switching:2016"

// switchableSets lists, comma-separated, the IDs of the other sets of the
// same kind as set i (media type, codec family, language) that differ
// only by their key; "" when there are none.
func switchableSets(sets [][]*Track, i int) string {
	kind := func(t *Track) string {
		k := string(t.Type) + "/" + codecFamily(t.Codecs)
		if t.Type != Video {
			k += "/" + t.Language
		}
		return k
	}
	me := sets[i][0]
	if me.Protection == nil {
		return ""
	}
	var ids []string
	for j, set := range sets {
		if j != i && set[0].Protection != nil && kind(set[0]) == kind(me) {
			ids = append(ids, strconv.Itoa(j))
		}
	}
	return strings.Join(ids, ",")
}

// contentProtections are the ContentProtection descriptors of a
// protected set (ISO/IEC 23001-7 §11; DASH-IF IOP §7.7): the
// mp4protection descriptor with the scheme and cenc:default_KID, then
// one per DRM system with its cenc:pssh, mspr:pro and dashif:Laurl.
func contentProtections(pr *Protection) []*mpd.ContentProtectionType {
	if pr == nil {
		return nil
	}
	cps := []*mpd.ContentProtectionType{{
		DefaultKID:     pr.DefaultKID,
		DescriptorType: mpd.DescriptorType{SchemeIdUri: mp4ProtectionScheme, Value: pr.Scheme},
	}}
	for _, s := range pr.Systems {
		if s.HLSOnly {
			continue
		}
		cp := &mpd.ContentProtectionType{
			DescriptorType: mpd.DescriptorType{SchemeIdUri: mpd.AnyURI("urn:uuid:" + s.SystemID), Value: s.Name},
		}
		if len(s.PSSH) > 0 {
			cp.Pssh = &mpd.PsshType{Value: base64.StdEncoding.EncodeToString(s.PSSH)}
		}
		if len(s.PlayReadyPRO) > 0 {
			cp.MSPro = &mpd.MSProType{Value: base64.StdEncoding.EncodeToString(s.PlayReadyPRO)}
		}
		if s.LicenseURL != "" {
			cp.LaURL = &mpd.LaURLType{Value: mpd.AnyURI(s.LicenseURL)}
		}
		cps = append(cps, cp)
	}
	return cps
}
