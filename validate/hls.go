package validate

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/Eyevinn/mp4ff/mp4"
)

// hlsPackage is an HLS presentation: the multivariant playlist (nil when
// the target is a lone media playlist) and the media playlists it uses.
type hlsPackage struct {
	name     string
	master   *playlist
	media    map[string]*hlsMedia // by playlist name
	order    []*hlsMedia
	variants []*hlsVariant
	iframes  []*hlsIFrameVariant
	images   []*hlsImageVariant
	groups   map[string][]*hlsRendition // "AUDIO/aac" → renditions

	segsByName map[string][]*segRef // media segments by file, for I-frame checks
}

// plRole is what a media playlist is referenced as.
type plRole int

const (
	roleMedia  plRole = iota // EXT-X-STREAM-INF, EXT-X-MEDIA
	roleIFrame               // EXT-X-I-FRAME-STREAM-INF
	roleImage                // EXT-X-IMAGE-STREAM-INF
)

// hlsMedia is one media (I-frame, image) playlist and the track it
// describes: fMP4 media (track) or plain files (plain: WebVTT segments,
// JPEG tiles).
type hlsMedia struct {
	pl     *playlist
	iframe bool
	track  *trackRef   // nil when its media cannot be checked
	plain  *plainTrack // WebVTT or image playlists
	skip   string      // why not, for the report
}

type hlsVariant struct {
	stream hlsStream
	media  *hlsMedia
}

type hlsIFrameVariant struct {
	tag   *hlsTag
	media *hlsMedia
}

// hlsImageVariant is an EXT-X-IMAGE-STREAM-INF: a thumbnail track.
type hlsImageVariant struct {
	tag   *hlsTag
	media *hlsMedia
}

type hlsRendition struct {
	tag   *hlsTag
	media *hlsMedia // nil without URI
}

// readHLS reads the playlist name and every playlist it references, and
// declares the tracks whose media is to be checked.
func (c *checker) readHLS(name string) *hlsPackage {
	hp := &hlsPackage{name: name, media: make(map[string]*hlsMedia), groups: make(map[string][]*hlsRendition)}
	data, _, err := c.src.read(c.ctx, name, 0, -1, c.opts.MaxManifestBytes)
	if err != nil {
		c.readErr(c.at(name), "playlist", name, err)
		return nil
	}
	c.mu.Lock()
	c.stats.Playlists++
	c.mu.Unlock()
	pl := c.scanPlaylist(name, data)
	if pl.media && !pl.master {
		role := roleMedia
		switch {
		case pl.iframesOnly:
			role = roleIFrame
		case pl.imagesOnly:
			role = roleImage
		}
		m := c.newHLSMedia(pl, role)
		if m.plain != nil && m.plain.image() {
			m.plain.grid = c.hlsImageGrid(pl, "", Location{File: pl.file})
		}
		hp.media[name] = m
		hp.order = append(hp.order, m)
		return hp
	}
	if !pl.master {
		c.add(rHLSPlaylistKind, c.at(name), "neither a multivariant nor a media playlist: no variants, no segments")
		return nil
	}
	hp.master = pl
	at := func(line int) Location { return Location{File: pl.file, Line: line} }

	// Renditions (EXT-X-MEDIA, §4.3.4.1).
	type groupKey struct{ typ, id string }
	names := make(map[groupKey]map[string]int)
	defaults := make(map[groupKey]int)
	for _, t := range pl.renditions {
		typ, okT := t.attr("TYPE")
		gid, okG := t.attr("GROUP-ID")
		nm, okN := t.attr("NAME")
		var missing []string
		for _, m := range []struct {
			ok   bool
			name string
		}{{okT, "TYPE"}, {okG, "GROUP-ID"}, {okN, "NAME"}} {
			if !m.ok {
				missing = append(missing, m.name)
			}
		}
		if len(missing) > 0 {
			c.add(rHLSAttrRequired, at(t.line), "EXT-X-MEDIA without %s", strings.Join(missing, ", "))
			continue
		}
		uri, hasURI := t.attr("URI")
		if typ == "CLOSED-CAPTIONS" {
			if hasURI {
				c.add(rHLSSyntax, at(t.line), "EXT-X-MEDIA TYPE=CLOSED-CAPTIONS must not have a URI")
			}
			if _, ok := t.attr("INSTREAM-ID"); !ok {
				c.add(rHLSAttrRequired, at(t.line), "EXT-X-MEDIA TYPE=CLOSED-CAPTIONS without INSTREAM-ID")
			}
		}
		gk := groupKey{typ, gid}
		if names[gk] == nil {
			names[gk] = make(map[string]int)
		}
		if prev, dup := names[gk][nm]; dup {
			c.add(rHLSGroupRules, at(t.line), "NAME %q is used twice in %s group %q (first on line %d)", nm, typ, gid, prev)
		}
		names[gk][nm] = t.line
		if d, _ := t.attr("DEFAULT"); d == "YES" {
			if prev, dup := defaults[gk]; dup {
				c.add(rHLSGroupRules, at(t.line), "second DEFAULT=YES in %s group %q (first on line %d)", typ, gid, prev)
			} else {
				defaults[gk] = t.line
			}
			if a, ok := t.attr("AUTOSELECT"); ok && a != "YES" {
				c.add(rHLSGroupRules, at(t.line), "DEFAULT=YES requires AUTOSELECT=YES")
			}
		}
		r := &hlsRendition{tag: t}
		if hasURI && typ != "CLOSED-CAPTIONS" {
			if mname, ok := c.resolve(at(t.line), "EXT-X-MEDIA", name, uri); ok {
				r.media = c.hlsMediaPlaylist(hp, at(t.line), mname, roleMedia)
			}
		}
		hp.groups[typ+"/"+gid] = append(hp.groups[typ+"/"+gid], r)
	}

	// Variants (EXT-X-STREAM-INF, §4.3.4.2).
	for _, s := range pl.streams {
		t := s.tag
		if _, ok := t.attr("BANDWIDTH"); !ok {
			c.add(rHLSAttrRequired, at(t.line), "EXT-X-STREAM-INF without BANDWIDTH")
		}
		for _, g := range []struct{ attr, typ string }{{"AUDIO", "AUDIO"}, {"VIDEO", "VIDEO"}, {"SUBTITLES", "SUBTITLES"}, {"CLOSED-CAPTIONS", "CLOSED-CAPTIONS"}} {
			id, ok := t.attr(g.attr)
			if !ok || g.attr == "CLOSED-CAPTIONS" && id == "NONE" {
				continue
			}
			if len(hp.groups[g.typ+"/"+id]) == 0 {
				c.add(rHLSGroupMissing, at(t.line), "%s=%q but no EXT-X-MEDIA has TYPE=%s,GROUP-ID=%q", g.attr, id, g.typ, id)
			}
		}
		v := &hlsVariant{stream: s}
		if mname, ok := c.resolve(at(s.uriLine), "variant", name, s.uri); ok {
			v.media = c.hlsMediaPlaylist(hp, at(s.uriLine), mname, roleMedia)
		}
		hp.variants = append(hp.variants, v)
	}
	for _, t := range pl.iframes {
		m, ok := c.hlsURIVariant(hp, name, at(t.line), t, "EXT-X-I-FRAME-STREAM-INF", "I-frame playlist", roleIFrame)
		if !ok {
			continue
		}
		hp.iframes = append(hp.iframes, &hlsIFrameVariant{tag: t, media: m})
	}

	// Thumbnails (EXT-X-IMAGE-STREAM-INF, Image Media Playlist v0.4).
	for _, t := range pl.images {
		m, ok := c.hlsURIVariant(hp, name, at(t.line), t, "EXT-X-IMAGE-STREAM-INF", "image playlist", roleImage)
		if !ok {
			continue
		}
		iv := &hlsImageVariant{tag: t, media: m}
		if m := iv.media; m != nil && m.plain != nil && m.plain.image() && m.plain.grid == nil {
			m.plain.grid = c.hlsImageGrid(m.pl, attrOr(t, "RESOLUTION"), at(t.line))
		}
		hp.images = append(hp.images, iv)
	}
	return hp
}

// hlsURIVariant reads the playlist of a variant whose tag carries its URI
// (EXT-X-I-FRAME-STREAM-INF, EXT-X-IMAGE-STREAM-INF), both attributes
// required; ok is false when the tag has no URI. The media is nil when
// the playlist cannot be read.
func (c *checker) hlsURIVariant(hp *hlsPackage, name string, at Location, t *hlsTag, tag, what string, role plRole) (m *hlsMedia, ok bool) {
	if _, ok := t.attr("BANDWIDTH"); !ok {
		c.add(rHLSAttrRequired, at, "%s without BANDWIDTH", tag)
	}
	uri, ok := t.attr("URI")
	if !ok {
		c.add(rHLSAttrRequired, at, "%s without URI", tag)
		return nil, false
	}
	if mname, ok := c.resolve(at, what, name, uri); ok {
		m = c.hlsMediaPlaylist(hp, at, mname, role)
	}
	return m, true
}

// hlsMediaPlaylist reads a media playlist once.
func (c *checker) hlsMediaPlaylist(hp *hlsPackage, from Location, name string, role plRole) *hlsMedia {
	if m, ok := hp.media[name]; ok {
		return m
	}
	hp.media[name] = nil
	data, _, err := c.src.read(c.ctx, name, 0, -1, c.opts.MaxManifestBytes)
	if err != nil {
		c.readErr(from, "playlist", name, err)
		return nil
	}
	c.mu.Lock()
	c.stats.Playlists++
	c.mu.Unlock()
	pl := c.scanPlaylist(name, data)
	if pl.master {
		c.add(rHLSPlaylistKind, from, "%s is a multivariant playlist where a media playlist belongs", pl.file)
		return nil
	}
	iframe := role == roleIFrame
	if iframe != pl.iframesOnly {
		if iframe {
			c.add(rHLSPlaylistKind, Location{File: pl.file}, "I-frame playlist without EXT-X-I-FRAMES-ONLY")
		} else {
			c.add(rHLSPlaylistKind, from, "%s is an I-frame playlist (EXT-X-I-FRAMES-ONLY) where a media playlist belongs", pl.file)
		}
	}
	if image := role == roleImage; image != pl.imagesOnly {
		if image {
			c.add(rHLSPlaylistKind, Location{File: pl.file}, "image playlist without EXT-X-IMAGES-ONLY")
		} else {
			c.add(rHLSPlaylistKind, from, "%s is an image playlist (EXT-X-IMAGES-ONLY) where a media playlist belongs", pl.file)
		}
	}
	m := c.newHLSMedia(pl, role)
	hp.media[name] = m
	hp.order = append(hp.order, m)
	return m
}

// newHLSMedia declares the track of a media playlist: fMP4 media, WebVTT
// segments or JPEG tiles, unless its media cannot be checked (MPEG-TS,
// AES-128 whole-segment encryption). The grid of an image playlist's
// tiles depends on its EXT-X-IMAGE-STREAM-INF too: the caller reads it.
func (c *checker) newHLSMedia(pl *playlist, role plRole) *hlsMedia {
	iframe := role == roleIFrame
	m := &hlsMedia{pl: pl, iframe: iframe}
	if len(pl.segs) == 0 {
		return m
	}
	at := func(line int) Location { return Location{File: pl.file, Line: line} }
	if role == roleImage || pl.imagesOnly {
		m.plain = c.plainHLSTrack(pl, mimeJPEG)
		return m
	}
	first := pl.segs[0]
	for _, s := range pl.segs {
		for _, k := range s.keys {
			if meth, _ := k.attr("METHOD"); meth == "AES-128" {
				m.skip = "AES-128 encrypts whole segments"
				c.add(rNotChecked, at(k.line), "METHOD=AES-128: segments are encrypted whole, their boxes cannot be read without the key")
				return m
			}
		}
	}
	if first.mapTag == nil {
		ext := strings.ToLower(pathExt(first.uri))
		switch ext {
		case ".vtt", ".webvtt":
			m.plain = c.plainHLSTrack(pl, mimeWebVTT)
			return m
		case ".ts", ".aac", ".ac3", ".ec3", ".mp3":
			m.skip = "not fragmented MP4"
			c.add(rMediaNotFMP4, Location{File: pl.file}, "%s segments: media checks skipped", ext)
			return m
		}
		if name, ok := c.resolve(at(first.line), "segment", pl.name, first.uri); ok {
			head, _, err := c.src.read(c.ctx, name, 0, 16, c.opts.MaxSegmentBytes)
			switch {
			case err == nil && len(head) > 0 && head[0] == 0x47:
				m.skip = "not fragmented MP4"
				c.add(rMediaNotFMP4, Location{File: pl.file}, "MPEG-TS segments: media checks skipped")
				return m
			case err == nil && bytes.HasPrefix(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), []byte("WEBVTT")):
				m.plain = c.plainHLSTrack(pl, mimeWebVTT)
				return m
			}
		}
		c.add(rHLSMap, at(first.line), "no EXT-X-MAP before the first segment: fragmented MP4 segments need their initialization section")
		m.skip = "no EXT-X-MAP"
		return m
	}
	mapURI, ok := first.mapTag.attr("URI")
	if !ok {
		c.add(rHLSAttrRequired, at(first.mapTag.line), "EXT-X-MAP without URI")
		return m
	}
	initName, ok := c.resolve(at(first.mapTag.line), "EXT-X-MAP", pl.name, mapURI)
	if !ok {
		return m
	}
	t := &trackRef{label: pl.file, from: at(first.mapTag.line), initName: initName}
	if br, ok := first.mapTag.attr("BYTERANGE"); ok {
		n, o, hasOff, ok := c.parseByteRange(at(first.mapTag.line), br)
		if !ok {
			return m
		}
		if !hasOff {
			c.add(rHLSSyntax, at(first.mapTag.line), "EXT-X-MAP BYTERANGE %q needs an @offset", br)
		}
		t.initRng = byteRange{off: o, n: n}
	}
	var start float64
	for i, s := range pl.segs {
		if s.mapTag != first.mapTag && !sameMap(s.mapTag, first.mapTag) {
			c.add(rNotChecked, at(s.line), "EXT-X-MAP changes: segments from here on are not checked against their media")
			break
		}
		name, ok := c.resolve(at(s.line), "segment", pl.name, s.uri)
		if ok {
			ref := segRef{name: name, rng: s.rng, from: at(s.line), start: start, dur: s.dur, disc: s.disc && i > 0}
			if iframe {
				t.iframes = append(t.iframes, ref)
			} else {
				t.segs = append(t.segs, ref)
			}
		}
		start += s.dur
	}
	m.track = t
	return m
}

// plainHLSTrack declares the plain-file track of a WebVTT or image
// playlist: its segments with their playlist timing.
func (c *checker) plainHLSTrack(pl *playlist, mime string) *plainTrack {
	at := func(line int) Location { return Location{File: pl.file, Line: line} }
	t := &plainTrack{label: pl.file, from: Location{File: pl.file}, mime: mime}
	var start float64
	for i, s := range pl.segs {
		if name, ok := c.resolve(at(s.line), "segment", pl.name, s.uri); ok {
			t.segs = append(t.segs, segRef{name: name, from: at(s.line), start: start, dur: s.dur, disc: s.disc && i > 0})
		}
		start += s.dur
	}
	return t
}

func sameMap(a, b *hlsTag) bool {
	return a != nil && b != nil && a.value == b.value
}

func pathExt(u string) string {
	u, _, _ = strings.Cut(u, "?")
	if i := strings.LastIndexByte(u, '.'); i >= 0 && !strings.Contains(u[i:], "/") {
		return u[i:]
	}
	return ""
}

// tracks lists the tracks of the package whose media is to be read.
func (hp *hlsPackage) tracks() []*trackRef {
	var out []*trackRef
	for _, m := range hp.order {
		if m != nil && m.track != nil {
			out = append(out, m.track)
		}
	}
	return out
}

// plainTracks lists the WebVTT and image tracks of the package.
func (hp *hlsPackage) plainTracks() []*plainTrack {
	var out []*plainTrack
	for _, m := range hp.order {
		if m != nil && m.plain != nil {
			out = append(out, m.plain)
		}
	}
	return out
}

// checkHLSMedia runs the checks that compare the playlists with the
// media, once the media is loaded.
func (c *checker) checkHLSMedia(hp *hlsPackage) {
	for _, m := range hp.order {
		if m == nil || m.track == nil || m.track.init == nil {
			continue
		}
		c.checkTrackMedia(m.track)
		if m.iframe {
			c.checkIFrames(hp, m)
		} else {
			c.checkExtinf(m)
		}
		c.checkHLSKeys(m)
	}
	for _, v := range hp.variants {
		c.checkVariant(hp, v)
	}
	for _, iv := range hp.iframes {
		c.checkIFrameVariant(hp, iv)
	}
	c.checkHLSAlignment(hp)
	c.checkHLSText(hp)
}

// checkHLSText checks the text and image tracks of the playlists: WebVTT
// segments against the media timeline, wvtt segments against their
// EXTINFs, the languages of fMP4 text tracks, the thumbnail tiles.
func (c *checker) checkHLSText(hp *hlsPackage) {
	origin, why := c.hlsOrigin(hp)
	skipped := false
	for _, m := range hp.order {
		switch {
		case m == nil:
		case m.plain != nil && m.plain.mime == mimeWebVTT:
			if why != "" {
				if !skipped {
					c.add(rNotChecked, Location{File: m.pl.file}, "WebVTT cue timing not checked: %s", why)
					skipped = true
				}
				continue
			}
			c.checkTimestampMaps(m.plain, origin)
			c.checkVTTTiming(m.plain, origin, true)
		case m.plain != nil:
			c.checkThumbnails(m.plain, hlsDuration(hp))
		case m.track != nil && m.track.init != nil && m.track.init.kind == kindText:
			c.checkTextSpans(m.track, false)
		}
	}
	c.checkHLSTextLanguages(hp)
}

// hlsOrigin returns the media time at which the playlists' timeline
// starts, in seconds: the tfdt of the first segment of the first variant
// (else audio rendition) with fMP4 media. why says, when it is not "",
// that the media is not fMP4 or unreadable: WebVTT timing cannot be
// checked then. A lone media playlist, or a presentation without audio or
// video, starts at 0.
func (c *checker) hlsOrigin(hp *hlsPackage) (origin float64, why string) {
	if hp.master == nil {
		return 0, ""
	}
	for _, m := range hp.mainMedia() {
		if m == nil || m.plain != nil {
			continue
		}
		if m.skip != "" {
			return 0, fmt.Sprintf("the timestamps of %s, which X-TIMESTAMP-MAP refers to, are not read (%s)", m.pl.file, m.skip)
		}
		if t := m.track; t != nil && len(t.segs) > 0 && t.usable(0) {
			return t.mediaStart(t.segs[0].media), ""
		}
		why = "the first media segment of " + m.pl.file + " cannot be read"
	}
	return 0, why
}

// mainMedia lists the media playlists of the variants, then of the audio
// renditions, in the order of the multivariant playlist (nil entries for
// unreadable ones).
func (hp *hlsPackage) mainMedia() []*hlsMedia {
	var main []*hlsMedia
	for _, v := range hp.variants {
		main = append(main, v.media)
	}
	for _, t := range hp.master.renditions {
		if typ, _ := t.attr("TYPE"); typ == "AUDIO" {
			gid, _ := t.attr("GROUP-ID")
			for _, r := range hp.groups["AUDIO/"+gid] {
				if r.tag == t {
					main = append(main, r.media)
				}
			}
		}
	}
	return main
}

// hlsDuration is the presentation's duration by the playlists: the
// longest variant or audio rendition, 0 when there is none.
func hlsDuration(hp *hlsPackage) float64 {
	if hp.master == nil {
		return 0
	}
	var d float64
	for _, m := range hp.mainMedia() {
		if m == nil || m.plain != nil {
			continue
		}
		var sum float64
		for _, s := range m.pl.segs {
			sum += s.dur
		}
		if !math.IsNaN(sum) {
			d = max(d, sum)
		}
	}
	return d
}

// checkExtinf compares every EXTINF with the segment's media duration.
func (c *checker) checkExtinf(m *hlsMedia) {
	t := m.track
	frame := t.frameDur()
	tol := math.Max(frame, 0.001) + 0.0005
	for i, s := range t.segs {
		if !t.usable(i) || s.media.broken {
			continue
		}
		md := t.mediaDur(s.media)
		if !math.IsNaN(s.dur) && math.Abs(md-s.dur) > tol {
			c.add(rHLSExtinfMedia, s.from, "EXTINF %s s, the segment's samples last %.3f s (tolerance one frame, %.3f s)",
				strconv.FormatFloat(s.dur, 'f', -1, 64), md, tol)
		}
	}
}

// checkIFrames checks that each I-frame entry's byte range starts at a
// moof (or the boxes before it) and covers a whole sync sample.
func (c *checker) checkIFrames(hp *hlsPackage, m *hlsMedia) {
	t := m.track
	for i, s := range t.iframes {
		if s.rng.n == 0 {
			c.add(rHLSIFrame, s.from, "I-frame %d without EXT-X-BYTERANGE: a whole segment is not an I-frame", i+1)
			continue
		}
		seg := c.iframeSegment(hp, t, s)
		if seg == nil || !seg.ok || seg.notFMP4 {
			continue // unreadable segments are reported where they are listed
		}
		if s.rng.off+s.rng.n > seg.rng.off+seg.size {
			c.add(rRefByteRange, s.from, "I-frame range %s is beyond the end of %s (%d bytes)", s.rng, c.src.display(s.name), seg.rng.off+seg.size)
			continue
		}
		var f *fragInfo
		prevEnd := seg.rng.off
		for k := range seg.frags {
			if seg.frags[k].moofOff >= s.rng.off {
				f = &seg.frags[k]
				break
			}
			prevEnd = seg.frags[k].dataEnd
		}
		end := s.rng.off + s.rng.n
		switch {
		case f == nil || f.moofOff >= end:
			c.add(rHLSIFrame, s.from, "I-frame %d: no moof starts in bytes %s of %s", i+1, s.rng, c.src.display(s.name))
		case s.rng.off < prevEnd:
			c.add(rHLSIFrame, s.from, "I-frame %d: the range starts at byte %d, inside the previous fragment's data (ends at %d)", i+1, s.rng.off, prevEnd)
		case !f.sync:
			c.add(rHLSIFrame, s.from, "I-frame %d: the first sample of the moof at byte %d is not a sync sample", i+1, f.moofOff)
		case end < f.firstEnd:
			c.add(rHLSIFrame, s.from, "I-frame %d: the range ends at byte %d, before the keyframe's data ends (%d)", i+1, end-1, f.firstEnd-1)
		}
	}
}

// iframeSegment finds the media segment an I-frame range lies in: a
// segment of another playlist of the package with the same file (and,
// for single-file media, a range that contains it), else the whole file.
func (c *checker) iframeSegment(hp *hlsPackage, t *trackRef, s segRef) *segInfo {
	if hp.segsByName == nil {
		hp.segsByName = make(map[string][]*segRef)
		for _, m := range hp.order {
			if m == nil || m.track == nil || m.iframe {
				continue
			}
			for i := range m.track.segs {
				ms := &m.track.segs[i]
				hp.segsByName[ms.name] = append(hp.segsByName[ms.name], ms)
			}
		}
	}
	for _, ms := range hp.segsByName[s.name] {
		if ms.media != nil && (ms.rng.n == 0 || ms.rng.off <= s.rng.off && s.rng.off < ms.rng.off+ms.rng.n) {
			return ms.media
		}
	}
	return c.loadSegment(s.from, t.init, s.name, byteRange{})
}

// checkHLSKeys checks EXT-X-KEY against the track's protection (tenc).
func (c *checker) checkHLSKeys(m *hlsMedia) {
	in := m.track.init
	pl := m.pl
	at := func(line int) Location { return Location{File: pl.file, Line: line} }
	var keys []*hlsTag
	seen := map[*hlsTag]bool{}
	for _, s := range pl.segs {
		for _, k := range s.keys {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if !in.encrypted() {
		for _, k := range keys {
			meth, _ := k.attr("METHOD")
			c.add(rHLSKeyMethod, at(k.line), "METHOD=%s, but the media is not encrypted (sample entry %s)", meth, in.entry)
		}
		return
	}
	if len(keys) == 0 {
		c.add(rHLSKeyMethod, Location{File: pl.file, Line: pl.segs[0].line}, "the media is encrypted (%s) but no EXT-X-KEY applies to the segments", in.scheme)
		return
	}
	want := map[string]string{"cbcs": "SAMPLE-AES", "cenc": "SAMPLE-AES-CTR"}[in.scheme]
	for _, k := range keys {
		meth, _ := k.attr("METHOD")
		kf, _ := k.attr("KEYFORMAT")
		if want != "" && meth != want {
			c.add(rHLSKeyMethod, at(k.line), "METHOD=%s, but the media uses %s, which needs METHOD=%s", meth, in.scheme, want)
		}
		if kf == "com.apple.streamingkeydelivery" && in.scheme != "cbcs" {
			c.add(rHLSKeyMethod, at(k.line), "FairPlay (KEYFORMAT=%q) needs cbcs, the media uses %s", kf, in.scheme)
		}
		if in.tenc == nil {
			continue
		}
		if id, ok := k.attr("KEYID"); ok {
			kid, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(id, "0x"), "0X"))
			if err != nil || len(kid) != 16 {
				c.add(rHLSSyntax, at(k.line), "KEYID %s is not 16 bytes of hex", id)
			} else if [16]byte(kid) != in.tenc.kid {
				c.add(rHLSKeyID, at(k.line), "KEYID %s, the tenc default_KID is %s", id, uuidString(in.tenc.kid))
			}
		}
		uri, _ := k.attr("URI")
		if !strings.HasPrefix(uri, "data:") {
			continue
		}
		psshs, err := psshFromDataURI(uri)
		if err != nil {
			if strings.HasPrefix(kf, "urn:uuid:") {
				c.add(rHLSKeyFormat, at(k.line), "KEYFORMAT %s with a data URI that is not a base64 pssh: %v", kf, err)
			}
			continue
		}
		for _, p := range psshs {
			pi := psshFromBox(p)
			c.registerPssh(in, pi)
			if strings.HasPrefix(kf, "urn:uuid:") && !strings.EqualFold(strings.TrimPrefix(kf, "urn:uuid:"), uuidString(pi.system)) {
				c.add(rHLSKeyFormat, at(k.line), "KEYFORMAT %s but the pssh in the URI is for system %s", kf, uuidString(pi.system))
			}
			if kids := psshKIDs(p); len(kids) > 0 && !slices.Contains(kids, in.tenc.kid) {
				c.add(rHLSKeyID, at(k.line), "the pssh in the URI lists KIDs %s, not the tenc default_KID %s", kidList(kids), uuidString(in.tenc.kid))
			}
		}
	}
}

// psshFromDataURI decodes "data:text/plain;base64,<pssh boxes>".
func psshFromDataURI(uri string) ([]*mp4.PsshBox, error) {
	_, data, ok := strings.Cut(uri, ",")
	if !ok || !strings.Contains(uri[:len(uri)-len(data)], "base64") {
		return nil, fmt.Errorf("not a base64 data URI")
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("base64: %w", err)
	}
	return decodePsshs(raw)
}

// checkVariant compares an EXT-X-STREAM-INF with the media of its
// renditions: CODECS, RESOLUTION, FRAME-RATE, BANDWIDTH and
// AVERAGE-BANDWIDTH.
func (c *checker) checkVariant(hp *hlsPackage, v *hlsVariant) {
	t := v.stream.tag
	loc := Location{File: hp.master.file, Line: t.line}
	codecs, hasCodecs := t.attr("CODECS")
	_, hasRes := t.attr("RESOLUTION")
	video := hasRes || slices.ContainsFunc(splitCodecs(codecs), isVideoCodec)
	var main *trackRef
	if v.media != nil && v.media.track != nil && v.media.track.init != nil {
		main = v.media.track
		video = main.init.kind == kindVideo
	}
	if !hasCodecs {
		c.add(rHLSAttrRecommended, loc, "EXT-X-STREAM-INF without CODECS")
	}
	if video {
		if !hasRes {
			c.add(rHLSAttrRecommended, loc, "video variant without RESOLUTION")
		}
		if _, ok := t.attr("FRAME-RATE"); !ok {
			c.add(rHLSAttrRecommended, loc, "video variant without FRAME-RATE")
		}
	}
	if _, ok := t.attr("AVERAGE-BANDWIDTH"); !ok {
		c.add(rHLSAttrRecommended, loc, "EXT-X-STREAM-INF without AVERAGE-BANDWIDTH (Apple: required for VOD)")
	}
	if main == nil {
		return
	}

	// The tracks a client may play with this variant.
	parts := []*trackRef{main}
	var audio []*trackRef
	groupTracks := func(typ, attr string) []*trackRef {
		id, ok := t.attr(attr)
		if !ok {
			return nil
		}
		var out []*trackRef
		for _, r := range hp.groups[typ+"/"+id] {
			if r.media != nil && r.media.track != nil && r.media.track.init != nil {
				out = append(out, r.media.track)
			}
		}
		return out
	}
	complete := true
	for _, g := range []string{"AUDIO", "SUBTITLES", "VIDEO"} {
		if id, ok := t.attr(g); ok && len(hp.groups[g+"/"+id]) == 0 {
			complete = false // reported as HLS-GROUP-MISSING; what the variant plays is unknown
		}
	}
	audio = groupTracks("AUDIO", "AUDIO")
	others := append(groupTracks("SUBTITLES", "SUBTITLES"), groupTracks("VIDEO", "VIDEO")...)

	if hasCodecs && complete {
		declared := splitCodecs(codecs)
		var actual []string
		for _, tr := range slices.Concat(parts, audio, others) {
			for _, cs := range tr.init.codecs {
				if cs != "" && !slices.Contains(actual, cs) {
					actual = append(actual, cs)
				}
			}
		}
		for _, a := range actual {
			if !slices.ContainsFunc(declared, func(d string) bool { return codecMatches(d, a) }) {
				c.add(rHLSCodecs, loc, "CODECS=%q lacks %s, the codec of a rendition of this variant", codecs, a)
			}
		}
		// WebVTT segments have no sample entry; "wvtt" may name them.
		webvtt := false
		if id, ok := t.attr("SUBTITLES"); ok {
			for _, r := range hp.groups["SUBTITLES/"+id] {
				webvtt = webvtt || r.media != nil && r.media.plain != nil && r.media.plain.mime == mimeWebVTT
			}
		}
		for _, d := range declared {
			if webvtt && strings.EqualFold(d, "wvtt") {
				continue
			}
			if len(actual) > 0 && !slices.ContainsFunc(actual, func(a string) bool { return codecMatches(d, a) }) {
				c.add(rHLSCodecs, loc, "CODECS=%q lists %s, which no rendition of this variant uses (they use %s)", codecs, d, strings.Join(actual, ","))
			}
		}
	}
	if video {
		if res, ok := t.attr("RESOLUTION"); ok {
			want := fmt.Sprintf("%dx%d", main.init.width, main.init.height)
			if res != want && res != fmt.Sprintf("%dx%d", main.init.dispW, main.init.dispH) {
				c.add(rHLSResolution, loc, "RESOLUTION=%s, the video sample entry is %s", res, want)
			}
		}
		if fr, ok := t.attr("FRAME-RATE"); ok {
			declared, _ := strconv.ParseFloat(fr, 64)
			if fd := main.frameDur(); fd > 0 {
				measured := 1 / fd
				if math.Abs(declared-measured) > 0.0015+measured*0.001 {
					c.add(rHLSFrameRate, loc, "FRAME-RATE=%s, the samples are %.3f frames per second", fr, measured)
				}
			}
		}
	}

	// Bit rates: video + the largest audio of the group (RFC 8216
	// §4.3.4.2, Apple's 10 % rules for VOD).
	vb := c.bitrates(v.media)
	if !vb.ok || !complete {
		return
	}
	peak, peakAny, avg := vb.peak, vb.peakAny, vb.avg
	var ap, apAny, aa float64
	for _, r := range hp.groups["AUDIO/"+attrOr(t, "AUDIO")] {
		if r.media == nil {
			continue
		}
		if b := c.bitrates(r.media); b.ok {
			ap, apAny, aa = max(ap, b.peak), max(apAny, b.peakAny), max(aa, b.avg)
		}
	}
	peak, peakAny, avg = peak+ap, peakAny+apAny, avg+aa
	if bw, ok := t.attr("BANDWIDTH"); ok {
		declared, _ := strconv.ParseFloat(bw, 64)
		switch {
		case declared*1.1 < peak:
			c.add(rHLSBandwidth, loc, "BANDWIDTH=%s, the measured peak segment bit rate is %.0f bit/s (more than 10 %% above)", bw, peak)
		case declared > peakAny*1.1:
			c.add(rHLSBandwidthHigh, loc, "BANDWIDTH=%s, the measured peak segment bit rate is %.0f bit/s (more than 10 %% below)", bw, peakAny)
		}
	}
	if ab, ok := t.attr("AVERAGE-BANDWIDTH"); ok {
		declared, _ := strconv.ParseFloat(ab, 64)
		if math.Abs(declared-avg) > avg*0.1 {
			c.add(rHLSAverageBW, loc, "AVERAGE-BANDWIDTH=%s, the measured average segment bit rate is %.0f bit/s (more than 10 %% off)", ab, avg)
		}
	}
	if avg > 0 && peak > 2*avg {
		c.add(rHLSPeakRatio, loc, "peak segment bit rate %.0f bit/s is %.1f times the average %.0f bit/s", peak, peak/avg, avg)
	}
}

// isVideoCodec reports an RFC 6381 video codec.
func isVideoCodec(c string) bool {
	f, _, _ := strings.Cut(strings.ToLower(c), ".")
	switch f {
	case "avc1", "avc3", "hvc1", "hev1", "dvh1", "dvhe", "av01", "vp09", "vp08", "mp4v":
		return true
	}
	return false
}

func attrOr(t *hlsTag, name string) string {
	v, _ := t.attr(name)
	return v
}

// checkIFrameVariant compares an EXT-X-I-FRAME-STREAM-INF with its media.
func (c *checker) checkIFrameVariant(hp *hlsPackage, iv *hlsIFrameVariant) {
	if iv.media == nil || iv.media.track == nil || iv.media.track.init == nil {
		return
	}
	in := iv.media.track.init
	loc := Location{File: hp.master.file, Line: iv.tag.line}
	if codecs, ok := iv.tag.attr("CODECS"); ok && in.codec != "" {
		if d := splitCodecs(codecs); len(d) != 1 || !codecMatches(d[0], in.codec) {
			c.add(rHLSCodecs, loc, "CODECS=%q, the I-frames are %s", codecs, in.codec)
		}
	}
	if res, ok := iv.tag.attr("RESOLUTION"); ok && in.kind == kindVideo {
		if want := fmt.Sprintf("%dx%d", in.width, in.height); res != want {
			c.add(rHLSResolution, loc, "RESOLUTION=%s, the video sample entry is %s", res, want)
		}
	}
}

// bitrate is what one media playlist measures.
type bitrate struct {
	peak    float64 // RFC 8216 §4.3.4.2 peak segment bit rate
	peakAny float64 // the same, single segments of any length included
	avg     float64
	ok      bool
}

// bitrates measures a media playlist: the peak over windows of contiguous
// segments lasting 0.5 to 1.5 times the target duration, and the average.
// Durations are the media's when known, else the EXTINFs.
func (c *checker) bitrates(m *hlsMedia) bitrate {
	if m == nil || m.track == nil || m.track.init == nil || !m.pl.hasTarget {
		return bitrate{}
	}
	t := m.track
	sizes := make([]float64, len(t.segs))
	durs := make([]float64, len(t.segs))
	var total, totalDur float64
	for i, s := range t.segs {
		if s.media == nil || !s.media.ok {
			return bitrate{}
		}
		sizes[i] = float64(s.media.size) * 8
		durs[i] = s.dur
		if t.usable(i) && s.media.dur > 0 {
			durs[i] = t.mediaDur(s.media)
		}
		if math.IsNaN(durs[i]) {
			return bitrate{}
		}
		total += sizes[i]
		totalDur += durs[i]
	}
	if totalDur <= 0 {
		return bitrate{}
	}
	b := bitrate{avg: total / totalDur, ok: true}
	target := m.pl.target
	for i := range sizes {
		var bits, dur float64
		for j := i; j < len(sizes); j++ {
			bits += sizes[j]
			dur += durs[j]
			if dur > 1.5*target && j > i {
				break
			}
			if dur <= 0 {
				continue
			}
			r := bits / dur
			if j == i {
				b.peakAny = max(b.peakAny, r)
			}
			if dur >= 0.5*target && dur <= 1.5*target {
				b.peak = max(b.peak, r)
			}
		}
	}
	b.peakAny = max(b.peakAny, b.peak)
	if b.peak == 0 {
		b.peak = b.avg
	}
	return b
}

// checkHLSAlignment compares the segment start times of the video
// variants (Apple: segments aligned across variants, for switching).
func (c *checker) checkHLSAlignment(hp *hlsPackage) {
	var video []*hlsMedia
	for _, v := range hp.variants {
		if v.media != nil && v.media.track != nil && v.media.track.init != nil && v.media.track.init.kind == kindVideo && !slices.Contains(video, v.media) {
			video = append(video, v.media)
		}
	}
	if len(video) < 2 {
		return
	}
	ref := video[0]
	for _, m := range video[1:] {
		if msg := alignment(ref.track, m.track); msg != "" {
			c.add(rHLSAlignment, Location{File: m.pl.file}, "not aligned with %s: %s", ref.pl.file, msg)
		}
	}
}

// alignment compares the segment boundaries of two tracks, by media time
// when both are loaded, and returns what differs ("" when aligned within
// half a frame).
func alignment(a, b *trackRef) string {
	if len(a.segs) != len(b.segs) {
		return fmt.Sprintf("%d segments against %d", len(b.segs), len(a.segs))
	}
	tol := math.Max(math.Min(a.frameDur(), b.frameDur())/2, 0.001)
	for i := range a.segs {
		sa, sb := a.segs[i].start, b.segs[i].start
		if a.usable(i) && b.usable(i) {
			sa, sb = a.mediaStart(a.segs[i].media), b.mediaStart(b.segs[i].media)
		}
		if math.Abs(sa-sb) > tol {
			return fmt.Sprintf("segment %d starts at %.3f s against %.3f s", i+1, sb, sa)
		}
	}
	return ""
}
