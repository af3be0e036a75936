package manifest

import (
	"bytes"
	"encoding/base64"
	stdxml "encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/Eyevinn/dash-mpd/mpd"
	"github.com/Eyevinn/dash-mpd/xml"
)

// maxSegments bounds the segments ReadDASH expands from SegmentTimeline
// repeats or @duration templates: a few bytes of MPD can describe billions
// of segments, and a fuzzed one must not exhaust memory. A day of 1 s
// segments for 10 tracks fits. A variable so that the fuzz test can lower
// it and keep its executions fast.
var maxSegments = 1 << 20

// ReadDASH parses a static, single-Period MPD into the model. URIs in the
// result are relative to the MPD's folder (BaseURLs are resolved).
//
// What comes back, and what does not:
//   - Per Representation: ID, type, codecs, BandwidthBps (@bandwidth; no
//     AverageBandwidthBps), size, frame rate, SAR, audio sampling rate,
//     channels (CICP or 23003-3 AudioChannelConfiguration), Language
//     (AdaptationSet@lang), Name (Label), Timescale.
//   - Default is set on the first Representation of an audio or text
//     AdaptationSet with Role "main", as WriteDASH orders them; Forced on
//     text with Role "forced-subtitle" (or "forced_subtitle").
//   - Text with mimeType text/vtt and no segment addressing is a side-car
//     file: MediaURI (BaseURL), Codecs "wvtt", Timescale 1000 and one
//     segment lasting the Period. fMP4 text (wvtt, stpp) reads like audio.
//   - Image AdaptationSets (contentType image or mimeType image/jpeg):
//     Width and Height of the whole tile, TileCols and TileRows from the
//     thumbnail_tile EssentialProperty (either DASH-IF scheme, on the
//     Representation or the AdaptationSet; 1x1 without it), Codecs
//     "jpeg", segments from a SegmentTemplate without initialization, and
//     ThumbnailDurTicks when @duration spans more than the one tile the
//     Period holds.
//   - SegmentTemplate with SegmentTimeline or @duration: InitURI and each
//     Segment's URI, StartTicks (S@t, media time) and DurTicks; SizeBytes is
//     not carried.
//   - SegmentBase (on-demand profile): SingleFile, MediaURI (BaseURL),
//     InitRange and IndexRange; the segments are in the sidx, not in the
//     MPD, so Track.Segments stays empty.
//   - ContentProtection (Representation, else AdaptationSet): Protection
//     with the mp4protection scheme and cenc:default_KID and, per other
//     descriptor, the system ID, @value, cenc:pssh, mspr:pro and
//     dashif:Laurl. The clear lead and the HLS key attributes are not in
//     an MPD.
//   - DASH has no I-frame playlists and no HLS playlist URIs:
//     IFramePlaylistURI, IFrames, PlaylistURI and Variants stay empty, as
//     does SegmentDuration. Duration is @mediaPresentationDuration.
//
// Dynamic MPDs, several Periods, SegmentList and absolute BaseURLs give
// errors wrapping ErrUnsupported. Errors are *ParseError values naming the
// XML line (syntax) or the element.
func ReadDASH(data []byte) (*Presentation, error) {
	m, err := decodeMPD(data)
	if err != nil {
		return nil, err
	}
	perr := func(elem string, err error) error { return &ParseError{Element: elem, Err: err} }
	if m.GetType() != mpd.STATIC_TYPE {
		return nil, perr("MPD", fmt.Errorf("type %q: only static MPDs: %w", m.GetType(), ErrUnsupported))
	}
	if len(m.Periods) != 1 {
		return nil, perr("MPD", fmt.Errorf("%d Periods: only one: %w", len(m.Periods), ErrUnsupported))
	}
	period := m.Periods[0]
	p := &Presentation{}
	if m.MediaPresentationDuration != nil {
		p.Duration = time.Duration(*m.MediaPresentationDuration)
	}
	base := firstBaseURL(m.BaseURL)
	base = joinBaseURL(base, firstBaseURL(period.BaseURLs))

	r := &dashReader{p: p, budget: maxSegments}
	single := -1
	for ai, as := range period.AdaptationSets {
		if as == nil {
			continue
		}
		asElem := fmt.Sprintf("Period[1]/AdaptationSet[%d]", ai+1)
		asBase := joinBaseURL(base, firstBaseURL(as.BaseURLs))
		main, forced := false, false
		for _, role := range as.Roles {
			if role == nil || string(role.SchemeIdUri) != roleScheme {
				continue
			}
			switch role.Value {
			case "main":
				main = true
			case "forced-subtitle", "forced_subtitle": // ISO/IEC 23009-1 Table 22; the underscore as some packagers write it, and shaka-player reads
				forced = true
			}
		}
		for ri, rep := range as.Representations {
			if rep == nil {
				continue
			}
			elem := fmt.Sprintf("%s/Representation[@id=%q]", asElem, rep.Id)
			if rep.Id == "" {
				elem = fmt.Sprintf("%s/Representation[%d]", asElem, ri+1)
			}
			t, err := r.track(period, as, rep, joinBaseURL(asBase, firstBaseURL(rep.BaseURLs)))
			if err != nil {
				return nil, perr(elem, err)
			}
			t.Default = main && ri == 0 && (t.Type == Audio || t.Type == Text)
			t.Forced = forced && t.Type == Text
			if !t.plain() {
				s := 0
				if t.MediaURI != "" {
					s = 1
				}
				if single >= 0 && s != single {
					return nil, perr(elem, fmt.Errorf("SegmentBase and SegmentTemplate Representations mixed: %w", ErrUnsupported))
				}
				single = s
			}
			for _, other := range p.Tracks {
				if other.ID == t.ID {
					return nil, perr(elem, errors.New("duplicate Representation@id"))
				}
			}
			p.Tracks = append(p.Tracks, t)
		}
	}
	if len(p.Tracks) == 0 {
		return nil, perr("Period[1]", errors.New("no Representation"))
	}
	p.SingleFile = single == 1
	if p.Duration == 0 {
		p.Duration = longestTrack(p)
	}
	return p, nil
}

// decodeMPD unmarshals an MPD, turning XML syntax errors into a
// *ParseError with the line.
//
// The document is first checked and cleaned by sanitizeMPD: the XML
// decoder patched into dash-mpd loops forever on mismatched end tags and on
// a ">" in character data (found by FuzzReadDASH), so it only ever sees a
// well-formed document whose one root element is MPD, with ">" escaped.
func decodeMPD(data []byte) (m *mpd.MPD, err error) {
	data, err = sanitizeMPD(data)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil { // the XML decoder must never take the caller down
			m, err = nil, &ParseError{Element: "MPD", Err: fmt.Errorf("malformed MPD (dash-mpd: %v)", r)}
		}
	}()
	m, err = mpd.MPDFromBytes(data)
	if err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, &ParseError{Line: se.Line, Err: fmt.Errorf("mpd: %s", se.Msg)}
		}
		return nil, &ParseError{Element: "MPD", Err: fmt.Errorf("mpd: %w", err)}
	}
	if m.XMLName.Local != "MPD" {
		return nil, &ParseError{Element: m.XMLName.Local, Err: errors.New("root element is not MPD")}
	}
	return m, nil
}

// sanitizeMPD checks with encoding/xml that data is a well-formed XML
// document whose single root element is MPD, with nothing but white space,
// comments and processing instructions outside it, and returns it with every
// ">" in character data (outside CDATA sections) escaped as "&gt;", which
// means the same.
func sanitizeMPD(data []byte) ([]byte, error) {
	dec := stdxml.NewDecoder(bytes.NewReader(data))
	depth, roots := 0, 0
	var gts [][2]int64 // character data ranges holding a ">"
	var prev int64
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		line, _ := dec.InputPos()
		if err != nil {
			var se *stdxml.SyntaxError
			if errors.As(err, &se) {
				return nil, &ParseError{Line: se.Line, Err: fmt.Errorf("mpd: %s", se.Msg)}
			}
			return nil, &ParseError{Line: line, Err: fmt.Errorf("mpd: %w", err)}
		}
		off := dec.InputOffset()
		switch t := tok.(type) {
		case stdxml.StartElement:
			if depth == 0 {
				if roots++; roots > 1 || t.Name.Local != "MPD" {
					return nil, &ParseError{Line: line, Element: t.Name.Local, Err: errors.New("mpd: the document must have one root element, MPD")}
				}
			}
			depth++
		case stdxml.EndElement:
			depth--
		case stdxml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, &ParseError{Line: line, Err: errors.New("mpd: text outside the root element")}
			}
			raw := data[prev:off]
			if bytes.IndexByte(raw, '>') >= 0 && !bytes.HasPrefix(raw, []byte("<![CDATA[")) {
				gts = append(gts, [2]int64{prev, off})
			}
		}
		prev = off
	}
	if roots == 0 {
		return nil, &ParseError{Element: "MPD", Err: errors.New("mpd: no MPD element")}
	}
	if len(gts) == 0 {
		return data, nil
	}
	out := make([]byte, 0, len(data)+16)
	var at int64
	for _, r := range gts {
		out = append(out, data[at:r[0]]...)
		out = append(out, bytes.ReplaceAll(data[r[0]:r[1]], []byte(">"), []byte("&gt;"))...)
		at = r[1]
	}
	return append(out, data[at:]...), nil
}

// dashReader holds the state of one ReadDASH call.
type dashReader struct {
	p      *Presentation
	budget int // segments that may still be expanded
}

// track reads one Representation, with what it inherits from its
// AdaptationSet and Period.
func (r *dashReader) track(period *mpd.Period, as *mpd.AdaptationSetType, rep *mpd.RepresentationType, baseURL string) (Track, error) {
	t := Track{ID: rep.Id, BandwidthBps: int64(rep.Bandwidth), Language: as.Lang}
	if t.ID == "" {
		return t, errors.New("no @id")
	}
	if err := checkText(t.ID); err != nil {
		return t, fmt.Errorf("@id %w", err)
	}
	rb, ab := &rep.RepresentationBaseType, &as.RepresentationBaseType
	t.Codecs = pick(rb.Codecs, ab.Codecs)
	mime := pick(rb.MimeType, ab.MimeType)
	switch {
	case as.ContentType == "video" || strings.HasPrefix(mime, "video/"):
		t.Type = Video
	case as.ContentType == "audio" || strings.HasPrefix(mime, "audio/"):
		t.Type = Audio
	case as.ContentType == "image" || strings.HasPrefix(mime, "image/"):
		t.Type = Image
	case as.ContentType == "text" || strings.HasPrefix(mime, "text/") || strings.HasPrefix(mime, "application/"):
		t.Type = Text
	case t.Codecs != "":
		t.Type = codecType(splitCodecs(t.Codecs)[0])
	default:
		return t, errors.New("no contentType, mimeType or codecs")
	}

	if pc, ok := plainCodecs[mime]; ok && pc.typ == t.Type {
		t.MimeType = mime
		if t.Codecs == "" {
			t.Codecs = pc.codecs
		}
	} else if t.Type == Image {
		return t, fmt.Errorf("image @mimeType %q: only %s: %w", mime, MimeTypeJPEG, ErrUnsupported)
	}
	if t.Type == Image {
		t.Width, t.Height = int(pick(rb.Width, ab.Width)), int(pick(rb.Height, ab.Height))
		ep := rb.EssentialProperties
		if len(ep) == 0 {
			ep = ab.EssentialProperties
		}
		t.TileCols, t.TileRows = 1, 1
		for _, d := range ep {
			if d == nil || string(d.SchemeIdUri) != thumbnailTileScheme && string(d.SchemeIdUri) != thumbnailTileSchemeV5 {
				continue
			}
			c, r, ok := parseGrid(d.Value)
			if !ok {
				return t, fmt.Errorf("EssentialProperty %s: value %q: want COLUMNSxROWS", d.SchemeIdUri, d.Value)
			}
			t.TileCols, t.TileRows = c, r
		}
	}
	if t.Type == Video {
		t.Width, t.Height = int(pick(rb.Width, ab.Width)), int(pick(rb.Height, ab.Height))
		if fr := pick(rb.FrameRate, ab.FrameRate); fr != "" {
			rate, err := parseRate(string(fr))
			if err != nil {
				return t, fmt.Errorf("@frameRate: %w", err)
			}
			t.FrameRate = rate
		}
		if s := pick(rb.Sar, ab.Sar); s != "" {
			n, d, ok := strings.Cut(string(s), ":")
			num, err1 := strconv.Atoi(n)
			den, err2 := strconv.Atoi(d)
			if !ok || err1 != nil || err2 != nil || num <= 0 || den <= 0 {
				return t, fmt.Errorf("@sar %q", s)
			}
			t.SARNum, t.SARDen = num, den
		}
	}
	if t.Type == Audio {
		if sr := pick(rb.AudioSamplingRate, ab.AudioSamplingRate); sr != nil {
			first, _, _ := strings.Cut(strings.TrimSpace(string(*sr)), " ")
			n, err := strconv.Atoi(first)
			if err != nil || n < 0 {
				return t, fmt.Errorf("@audioSamplingRate %q", *sr)
			}
			t.SampleRate = n
		}
		acc := rb.AudioChannelConfigurations
		if len(acc) == 0 {
			acc = ab.AudioChannelConfigurations
		}
		t.Channels = channelsOf(acc)
	}
	labels := rb.Labels
	if len(labels) == 0 {
		labels = ab.Labels
	}
	if len(labels) > 0 && labels[0] != nil {
		t.Name = labels[0].Value
	}

	cps := rb.ContentProtections
	if len(cps) == 0 {
		cps = ab.ContentProtections
	}
	pr, err := readContentProtections(cps)
	if err != nil {
		return t, err
	}
	t.Protection = pr

	sb := rep.SegmentBase
	if sb == nil {
		sb = as.SegmentBase
	}
	st := mergeTemplates(rep.SegmentTemplate, as.SegmentTemplate, period.SegmentTemplate)
	switch {
	case rep.SegmentList != nil || as.SegmentList != nil || period.SegmentList != nil:
		return t, fmt.Errorf("SegmentList: %w", ErrUnsupported)
	case st != nil:
		return t, r.templateSegments(&t, st, rep, baseURL)
	case sb != nil:
		return t, r.segmentBase(&t, sb, baseURL)
	case t.MimeType == MimeTypeWebVTT:
		return t, r.sideCar(&t, baseURL)
	}
	return t, errors.New("no SegmentTemplate or SegmentBase")
}

// sideCar reads a WebVTT Representation that is one file, its BaseURL (as
// shaka-packager writes and dash.js's caption_vtt sample reads them): one
// segment lasting the whole Period, in milliseconds.
func (r *dashReader) sideCar(t *Track, baseURL string) error {
	if baseURL == "" {
		return errors.New("WebVTT file without BaseURL")
	}
	var err error
	if t.MediaURI, err = resolveBase("", baseURL); err != nil {
		return fmt.Errorf("BaseURL: %w", err)
	}
	t.Timescale = readTimescale
	end := r.periodEnd(readTimescale)
	if end == 0 {
		return errors.New("WebVTT file without @mediaPresentationDuration")
	}
	t.Segments = []Segment{{DurTicks: end}}
	return nil
}

// pick returns the Representation's value, else the AdaptationSet's.
func pick[T comparable](rep, as T) T {
	var zero T
	if rep != zero {
		return rep
	}
	return as
}

// channelsOf reads the channel count from AudioChannelConfiguration.
func channelsOf(acc []*mpd.DescriptorType) int {
	for _, d := range acc {
		if d == nil {
			continue
		}
		n, err := strconv.Atoi(d.Value)
		if err != nil || n <= 0 {
			continue
		}
		switch string(d.SchemeIdUri) {
		case mpd.AUDIO_CHANNEL_CONFIGURATION_CICP:
			for ch, cicp := range cicpChannels {
				if cicp == n {
					return ch
				}
			}
			if n == 7 { // 7.1 front: 8 channels, like 12
				return 8
			}
		case channelScheme23003:
			return n
		}
	}
	return 0
}

// mergeTemplates applies SegmentTemplate inheritance (ISO/IEC 23009-1
// §5.3.9.1): each attribute comes from the lowest level that sets it.
func mergeTemplates(levels ...*mpd.SegmentTemplateType) *mpd.SegmentTemplateType {
	var out *mpd.SegmentTemplateType
	for _, st := range levels {
		if st == nil {
			continue
		}
		if out == nil {
			c := *st
			out = &c
			continue
		}
		out.Media = pick(out.Media, st.Media)
		out.Initialization = pick(out.Initialization, st.Initialization)
		out.Timescale = pick(out.Timescale, st.Timescale)
		out.StartNumber = pick(out.StartNumber, st.StartNumber)
		out.Duration = pick(out.Duration, st.Duration)
		out.PresentationTimeOffset = pick(out.PresentationTimeOffset, st.PresentationTimeOffset)
		out.SegmentTimeline = pick(out.SegmentTimeline, st.SegmentTimeline)
	}
	return out
}

// templateSegments expands a SegmentTemplate into the init URI and the
// segments of t.
func (r *dashReader) templateSegments(t *Track, st *mpd.SegmentTemplateType, rep *mpd.RepresentationType, baseURL string) error {
	t.Timescale = st.GetTimescale()
	if t.Timescale == 0 {
		return errors.New("SegmentTemplate@timescale 0")
	}
	vars := TemplateVars{RepresentationID: rep.Id, Bandwidth: uint64(rep.Bandwidth)}
	switch {
	case t.plain():
		if st.Initialization != "" {
			return fmt.Errorf("SegmentTemplate@initialization for %s files: %w", t.MimeType, ErrUnsupported)
		}
	case st.Initialization == "":
		return errors.New("SegmentTemplate without @initialization")
	default:
		initURI, err := ExpandTemplate(st.Initialization, vars)
		if err != nil {
			return fmt.Errorf("SegmentTemplate@initialization: %w", err)
		}
		if t.InitURI, err = resolveBase(baseURL, initURI); err != nil {
			return fmt.Errorf("SegmentTemplate@initialization: %w", err)
		}
	}
	if st.Media == "" {
		return errors.New("SegmentTemplate without @media")
	}
	start := uint64(1)
	if st.StartNumber != nil {
		start = uint64(*st.StartNumber)
	}

	type span struct{ t, d uint64 }
	var spans []span
	add := func(t, d uint64) error {
		if r.budget--; r.budget < 0 {
			return fmt.Errorf("more than %d segments", maxSegments)
		}
		spans = append(spans, span{t, d})
		return nil
	}
	switch {
	case st.SegmentTimeline != nil:
		var next uint64 // the first S@t defaults to 0 (ISO/IEC 23009-1 §5.3.9.6)
		ss := st.SegmentTimeline.S
		for i, s := range ss {
			if s == nil || s.D == 0 {
				return fmt.Errorf("SegmentTimeline/S[%d]: no @d", i+1)
			}
			if s.T != nil {
				next = *s.T
			}
			repeat := s.R
			if repeat < 0 { // until the next S@t, or the end of the Period
				end := r.periodEnd(t.Timescale)
				if i+1 < len(ss) && ss[i+1] != nil && ss[i+1].T != nil {
					end = *ss[i+1].T
				}
				if end <= next {
					return fmt.Errorf("SegmentTimeline/S[%d]: @r=-1 without a later end", i+1)
				}
				repeat = int((end-next+s.D-1)/s.D) - 1
			}
			for range repeat + 1 {
				if err := add(next, s.D); err != nil {
					return fmt.Errorf("SegmentTimeline/S[%d]: %w", i+1, err)
				}
				next += s.D
			}
		}
	case st.Duration != nil && *st.Duration > 0:
		d := uint64(*st.Duration)
		end := r.periodEnd(t.Timescale)
		if end == 0 {
			return errors.New("SegmentTemplate@duration without @mediaPresentationDuration")
		}
		for next := uint64(0); next < end; next += d {
			if err := add(next, min(d, end-next)); err != nil {
				return fmt.Errorf("SegmentTemplate@duration: %w", err)
			}
		}
		if n := uint64(t.TileCols) * uint64(t.TileRows); t.Type == Image && end < d {
			// One tile, cut by the end of the Period: only @duration
			// tells how long its thumbnails are.
			t.ThumbnailDurTicks = (d + n/2) / n
		}
	default:
		return errors.New("SegmentTemplate without SegmentTimeline or @duration")
	}

	vars.HasNumber = true
	for i, s := range spans {
		vars.Number, vars.Time = start+uint64(i), s.t
		u, err := ExpandTemplate(st.Media, vars)
		if err != nil {
			return fmt.Errorf("SegmentTemplate@media: %w", err)
		}
		if u, err = resolveBase(baseURL, u); err != nil {
			return fmt.Errorf("SegmentTemplate@media: %w", err)
		}
		t.Segments = append(t.Segments, Segment{URI: u, StartTicks: s.t, DurTicks: s.d})
	}
	return nil
}

// periodEnd is the presentation duration in ticks of timescale, 0 if unknown.
func (r *dashReader) periodEnd(timescale uint32) uint64 { return ticksOf(r.p.Duration, timescale) }

// segmentBase reads the on-demand profile's single file of t.
func (r *dashReader) segmentBase(t *Track, sb *mpd.SegmentBaseType, baseURL string) error {
	t.Timescale = sb.GetTimescale()
	if baseURL == "" {
		return errors.New("SegmentBase without BaseURL")
	}
	var err error
	if t.MediaURI, err = resolveBase("", baseURL); err != nil {
		return fmt.Errorf("BaseURL: %w", err)
	}
	if t.IndexRange, err = parseRange(sb.IndexRange); err != nil {
		return fmt.Errorf("SegmentBase@indexRange: %w", err)
	}
	if sb.Initialization == nil {
		return errors.New("SegmentBase without Initialization")
	}
	if t.InitRange, err = parseRange(sb.Initialization.Range); err != nil {
		return fmt.Errorf("SegmentBase/Initialization@range: %w", err)
	}
	if sb.Initialization.SourceURL != "" && string(sb.Initialization.SourceURL) != baseURL {
		return fmt.Errorf("Initialization in another file: %w", ErrUnsupported)
	}
	return nil
}

// parseRange parses an RFC 7233 byte range "first-last".
func parseRange(s string) (ByteRange, error) {
	a, b, ok := strings.Cut(s, "-")
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || first < 0 || last < first || last == 1<<63-1 {
		return ByteRange{}, fmt.Errorf("%q: want first-last", s)
	}
	return ByteRange{Offset: first, Length: last - first + 1}, nil
}

func firstBaseURL(list []*mpd.BaseURLType) string {
	if len(list) == 0 || list[0] == nil {
		return ""
	}
	return strings.TrimSpace(string(list[0].Value))
}

// joinBaseURL resolves a (possibly empty) BaseURL against its parent's, as
// RFC 3986 resolves a relative reference against a base: ref replaces the
// last path segment of base.
func joinBaseURL(base, ref string) string {
	switch {
	case ref == "":
		return base
	case base == "", strings.Contains(ref, "://"), strings.HasPrefix(ref, "/"):
		return ref
	case strings.HasSuffix(base, "/"):
		return base + ref
	}
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		return base[:i+1] + ref
	}
	return ref
}

// resolveBase resolves a template URL against the BaseURL to a clean path
// relative to the MPD folder.
func resolveBase(base, ref string) (string, error) {
	u := joinBaseURL(base, ref)
	if strings.Contains(u, "://") || strings.HasPrefix(u, "/") {
		return "", fmt.Errorf("absolute URL %q: %w", u, ErrUnsupported)
	}
	return resolveURI(".", u)
}

// readContentProtections reads the ContentProtection descriptors of a
// Representation: nil without an mp4protection descriptor.
func readContentProtections(cps []*mpd.ContentProtectionType) (*Protection, error) {
	var pr *Protection
	var systems []ProtectionSystem
	for _, cp := range cps {
		if cp == nil {
			continue
		}
		scheme := strings.ToLower(string(cp.SchemeIdUri))
		if scheme == mp4ProtectionScheme {
			if pr != nil {
				return nil, errors.New("two mp4protection ContentProtection descriptors")
			}
			pr = &Protection{Scheme: cp.Value}
			if cp.DefaultKID != "" {
				h, err := kidHex(cp.DefaultKID)
				if err != nil {
					return nil, fmt.Errorf("cenc:default_KID: %w", err)
				}
				pr.DefaultKID = uuidFromHex(h)
			}
			continue
		}
		id, ok := strings.CutPrefix(scheme, "urn:uuid:")
		if !ok {
			continue // not a DRM system
		}
		if _, err := kidHex(id); err != nil {
			return nil, fmt.Errorf("ContentProtection @schemeIdUri %q: %w", cp.SchemeIdUri, err)
		}
		s := ProtectionSystem{SystemID: id, Name: cp.Value}
		var err error
		if cp.Pssh != nil {
			if s.PSSH, err = base64.StdEncoding.DecodeString(strings.TrimSpace(cp.Pssh.Value)); err != nil {
				return nil, fmt.Errorf("cenc:pssh of %s is not base64", id)
			}
		}
		if cp.MSPro != nil {
			if s.PlayReadyPRO, err = base64.StdEncoding.DecodeString(strings.TrimSpace(cp.MSPro.Value)); err != nil {
				return nil, fmt.Errorf("mspr:pro is not base64")
			}
		}
		if cp.LaURL != nil {
			s.LicenseURL = strings.TrimSpace(string(cp.LaURL.Value))
		}
		systems = append(systems, s)
	}
	if pr != nil {
		pr.Systems = systems
	}
	return pr, nil
}
