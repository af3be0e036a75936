package validate

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// An HLS playlist as vpack's validator reads it: line by line, keeping
// every tag with its line number, so that findings point at file:line and
// one bad tag does not hide the rest. hls-m3u8 (which manifest.ReadHLS
// uses) reports no line numbers and stops at the first error, so the
// validator scans playlists itself (RFC 8216 §4.1–4.3).

// hlsAttr is one attribute of an attribute list (RFC 8216 §4.2).
type hlsAttr struct {
	name   string
	value  string // without the quotes of a quoted-string
	quoted bool
}

// hlsTag is one #EXT tag line.
type hlsTag struct {
	name  string // without '#': "EXT-X-STREAM-INF"
	value string // after ':'
	line  int
	attrs []hlsAttr // attribute-list tags that parsed
}

func (t *hlsTag) attr(name string) (string, bool) {
	for _, a := range t.attrs {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}

// hlsSeg is one media segment (or I-frame) of a media playlist.
type hlsSeg struct {
	uri       string
	line      int // of the URI line
	dur       float64
	durLine   int
	hasDur    bool
	rng       byteRange
	hasRange  bool
	rangeLine int
	keys      []*hlsTag // EXT-X-KEY tags in force (METHOD=NONE clears them)
	mapTag    *hlsTag   // EXT-X-MAP in force
	tiles     *hlsTag   // EXT-X-TILES in force (image playlists)
	disc      bool
}

// hlsStream is an EXT-X-STREAM-INF and the URI line after it.
type hlsStream struct {
	tag     *hlsTag
	uri     string
	uriLine int
}

// playlist is a scanned playlist of either kind.
type playlist struct {
	name string // root-relative
	file string // for locations

	master, media bool // which kinds of tags it has
	version       int
	versionLine   int
	tags          []*hlsTag

	// media playlist
	target      float64
	targetLine  int
	hasTarget   bool
	segs        []hlsSeg
	endlist     bool
	vod         bool
	iframesOnly bool
	imagesOnly  bool // EXT-X-IMAGES-ONLY: an image (thumbnail) playlist

	// multivariant playlist
	streams    []hlsStream
	renditions []*hlsTag // EXT-X-MEDIA
	iframes    []*hlsTag // EXT-X-I-FRAME-STREAM-INF
	images     []*hlsTag // EXT-X-IMAGE-STREAM-INF
}

type tagScope int

const (
	scopeBasic tagScope = iota
	scopeSegment
	scopeMediaPlaylist
	scopeMaster
	scopeEither
)

type tagForm int

const (
	formNone tagForm = iota
	formInt
	formFloat
	formAttrs
	formExtinf
	formByteRange
	formEnum
	formText
)

type tagDef struct {
	scope tagScope
	form  tagForm
	once  bool
	enum  []string
}

// hlsTags are the tags of RFC 8216 and draft-pantos-hls-rfc8216bis, and
// those of the Image Media Playlist specification v0.4 (Roku's thumbnail
// playlists): EXT-X-IMAGE-STREAM-INF (like EXT-X-I-FRAME-STREAM-INF),
// EXT-X-IMAGES-ONLY and the per-segment EXT-X-TILES.
var hlsTags = map[string]tagDef{
	"EXTM3U":                       {scopeBasic, formNone, true, nil},
	"EXT-X-VERSION":                {scopeBasic, formInt, true, nil},
	"EXTINF":                       {scopeSegment, formExtinf, false, nil},
	"EXT-X-BYTERANGE":              {scopeSegment, formByteRange, false, nil},
	"EXT-X-DISCONTINUITY":          {scopeSegment, formNone, false, nil},
	"EXT-X-KEY":                    {scopeSegment, formAttrs, false, nil},
	"EXT-X-MAP":                    {scopeSegment, formAttrs, false, nil},
	"EXT-X-PROGRAM-DATE-TIME":      {scopeSegment, formText, false, nil},
	"EXT-X-DATERANGE":              {scopeSegment, formAttrs, false, nil},
	"EXT-X-GAP":                    {scopeSegment, formNone, false, nil},
	"EXT-X-BITRATE":                {scopeSegment, formInt, false, nil},
	"EXT-X-PART":                   {scopeSegment, formAttrs, false, nil},
	"EXT-X-TARGETDURATION":         {scopeMediaPlaylist, formInt, true, nil},
	"EXT-X-MEDIA-SEQUENCE":         {scopeMediaPlaylist, formInt, true, nil},
	"EXT-X-DISCONTINUITY-SEQUENCE": {scopeMediaPlaylist, formInt, true, nil},
	"EXT-X-ENDLIST":                {scopeMediaPlaylist, formNone, true, nil},
	"EXT-X-PLAYLIST-TYPE":          {scopeMediaPlaylist, formEnum, true, []string{"EVENT", "VOD"}},
	"EXT-X-I-FRAMES-ONLY":          {scopeMediaPlaylist, formNone, true, nil},
	"EXT-X-PART-INF":               {scopeMediaPlaylist, formAttrs, true, nil},
	"EXT-X-SERVER-CONTROL":         {scopeMediaPlaylist, formAttrs, true, nil},
	"EXT-X-SKIP":                   {scopeMediaPlaylist, formAttrs, true, nil},
	"EXT-X-PRELOAD-HINT":           {scopeMediaPlaylist, formAttrs, false, nil},
	"EXT-X-RENDITION-REPORT":       {scopeMediaPlaylist, formAttrs, false, nil},
	"EXT-X-MEDIA":                  {scopeMaster, formAttrs, false, nil},
	"EXT-X-STREAM-INF":             {scopeMaster, formAttrs, false, nil},
	"EXT-X-I-FRAME-STREAM-INF":     {scopeMaster, formAttrs, false, nil},
	"EXT-X-SESSION-DATA":           {scopeMaster, formAttrs, false, nil},
	"EXT-X-SESSION-KEY":            {scopeMaster, formAttrs, false, nil},
	"EXT-X-CONTENT-STEERING":       {scopeMaster, formAttrs, true, nil},
	"EXT-X-INDEPENDENT-SEGMENTS":   {scopeEither, formNone, true, nil},
	"EXT-X-START":                  {scopeEither, formAttrs, true, nil},
	"EXT-X-DEFINE":                 {scopeEither, formAttrs, false, nil},
	"EXT-X-IMAGE-STREAM-INF":       {scopeMaster, formAttrs, false, nil},
	"EXT-X-IMAGES-ONLY":            {scopeMediaPlaylist, formNone, true, nil},
	"EXT-X-TILES":                  {scopeSegment, formAttrs, false, nil},
}

type attrType int

const (
	attrInt attrType = iota + 1
	attrFloat
	attrQuoted
	attrEnum
	attrResolution
	attrHex
	attrSignedFloat
)

// hlsAttrTypes are the value types of the attributes the validator uses
// (RFC 8216 §4.3.2.4–§4.3.4.3); others are accepted as they are.
var hlsAttrTypes = map[string]map[string]attrType{
	"EXT-X-STREAM-INF": {
		"BANDWIDTH": attrInt, "AVERAGE-BANDWIDTH": attrInt, "CODECS": attrQuoted, "RESOLUTION": attrResolution,
		"FRAME-RATE": attrFloat, "HDCP-LEVEL": attrEnum, "AUDIO": attrQuoted, "VIDEO": attrQuoted,
		"SUBTITLES": attrQuoted, "PROGRAM-ID": attrInt, "STABLE-VARIANT-ID": attrQuoted, "VIDEO-RANGE": attrEnum,
		"SCORE": attrFloat,
	},
	"EXT-X-I-FRAME-STREAM-INF": {
		"BANDWIDTH": attrInt, "AVERAGE-BANDWIDTH": attrInt, "CODECS": attrQuoted, "RESOLUTION": attrResolution,
		"URI": attrQuoted, "VIDEO": attrQuoted, "HDCP-LEVEL": attrEnum, "STABLE-VARIANT-ID": attrQuoted, "VIDEO-RANGE": attrEnum,
	},
	"EXT-X-MEDIA": {
		"TYPE": attrEnum, "URI": attrQuoted, "GROUP-ID": attrQuoted, "LANGUAGE": attrQuoted, "ASSOC-LANGUAGE": attrQuoted,
		"NAME": attrQuoted, "DEFAULT": attrEnum, "AUTOSELECT": attrEnum, "FORCED": attrEnum, "INSTREAM-ID": attrQuoted,
		"CHARACTERISTICS": attrQuoted, "CHANNELS": attrQuoted, "STABLE-RENDITION-ID": attrQuoted, "SAMPLE-RATE": attrInt,
		"BIT-DEPTH": attrInt,
	},
	"EXT-X-KEY": {
		"METHOD": attrEnum, "URI": attrQuoted, "IV": attrHex, "KEYFORMAT": attrQuoted, "KEYFORMATVERSIONS": attrQuoted,
		"KEYID": attrHex,
	},
	"EXT-X-SESSION-KEY": {
		"METHOD": attrEnum, "URI": attrQuoted, "IV": attrHex, "KEYFORMAT": attrQuoted, "KEYFORMATVERSIONS": attrQuoted,
		"KEYID": attrHex,
	},
	"EXT-X-MAP": {"URI": attrQuoted, "BYTERANGE": attrQuoted},
	"EXT-X-IMAGE-STREAM-INF": {
		"BANDWIDTH": attrInt, "AVERAGE-BANDWIDTH": attrInt, "CODECS": attrQuoted, "RESOLUTION": attrResolution,
		"URI": attrQuoted, "STABLE-VARIANT-ID": attrQuoted,
	},
	"EXT-X-TILES": {"RESOLUTION": attrResolution, "LAYOUT": attrResolution, "DURATION": attrFloat},
	"EXT-X-START": {"TIME-OFFSET": attrSignedFloat, "PRECISE": attrEnum},
}

var hlsEnums = map[string][]string{
	"TYPE":        {"AUDIO", "VIDEO", "SUBTITLES", "CLOSED-CAPTIONS"},
	"DEFAULT":     {"YES", "NO"},
	"AUTOSELECT":  {"YES", "NO"},
	"FORCED":      {"YES", "NO"},
	"PRECISE":     {"YES", "NO"},
	"METHOD":      {"NONE", "AES-128", "SAMPLE-AES", "SAMPLE-AES-CTR"},
	"HDCP-LEVEL":  {"TYPE-0", "TYPE-1", "NONE"},
	"VIDEO-RANGE": {"SDR", "HLG", "PQ"},
}

// Limits beyond which a number is absurd for VOD: a day-long segment, a
// terabit per second, a picture wider than 64k, a thousand frames a
// second.
const (
	maxSeconds   = 86400
	maxBandwidth = 1e12
	maxDimension = 65535
	maxFrameRate = 1000
)

// scanPlaylist reads the lines of a playlist and checks everything that
// needs no other file: encoding, line endings, tag syntax and placement,
// attribute types, required and repeated tags, EXT-X-VERSION against the
// features used, and EXTINF against EXT-X-TARGETDURATION.
func (c *checker) scanPlaylist(name string, data []byte) *playlist {
	p := &playlist{name: name, file: c.src.display(name), version: 1}
	at := func(line int) Location { return Location{File: p.file, Line: line} }

	// Encoding (§4.1).
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		c.add(rHLSEncoding, at(1), "byte order mark at the start: playlists must not have one")
		data = data[3:]
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		c.add(rHLSEncoding, at(line), "not valid UTF-8")
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}

	// Line endings (§4.1): LF or CRLF.
	crlf := bytes.Count(data, []byte("\r\n"))
	lf := bytes.Count(data, []byte("\n")) - crlf
	cr := bytes.Count(data, []byte("\r")) - crlf
	switch {
	case cr > 0:
		c.add(rHLSLineEndings, at(0), "%d carriage returns not followed by a line feed: they do not end lines, so lines run together", cr)
	case crlf > 0 && lf > 0:
		c.add(rHLSLineEndings, at(0), "mixed line endings: %d CRLF and %d LF", crlf, lf)
	case crlf > 0:
		c.add(rHLSCRLF, at(0), "CRLF line endings")
	}

	lines := strings.Split(string(data), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 || strings.TrimSuffix(lines[0], "\r") != "#EXTM3U" {
		c.add(rHLSExtM3U, at(1), "the first line must be #EXTM3U")
	}

	seen := make(map[string]int)
	needVersion, needWhy, needLine := 1, "", 0
	need := func(v int, why string, line int) {
		if v > needVersion {
			needVersion, needWhy, needLine = v, why, line
		}
	}
	var cur hlsSeg // segment tags seen since the last URI
	var pendingSegTags []*hlsTag
	var keys []*hlsTag
	var mapTag, tilesTag *hlsTag
	var pendingStream *hlsTag
	lastRangeEnd := map[string]int64{}
	controlReported := false

	for i, raw := range lines {
		num := i + 1
		line := strings.TrimSuffix(raw, "\r")
		if !controlReported && hasControl(line) {
			c.add(rHLSEncoding, at(num), "control character in the line")
			controlReported = true
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			// A URI line.
			uri := strings.TrimSpace(line)
			switch {
			case pendingStream != nil:
				p.streams = append(p.streams, hlsStream{tag: pendingStream, uri: uri, uriLine: num})
				pendingStream = nil
			case p.master && !p.media:
				c.add(rHLSTagPlacement, at(num), "URI line %q without EXT-X-STREAM-INF before it", uri)
			default:
				p.media = true
				if !cur.hasDur {
					c.add(rHLSTagRequired, at(num), "segment %q has no EXTINF", uri)
				}
				cur.uri, cur.line = uri, num
				cur.keys, cur.mapTag, cur.tiles = keys, mapTag, tilesTag
				if cur.hasRange {
					if !strings.Contains(findTag(pendingSegTags, "EXT-X-BYTERANGE").value, "@") {
						end, ok := lastRangeEnd[uri]
						if !ok {
							c.add(rHLSSyntax, at(cur.rangeLine), "EXT-X-BYTERANGE without @offset does not follow a range of the same resource")
						}
						cur.rng.off = end
					}
					lastRangeEnd[uri] = cur.rng.off + cur.rng.n
				}
				p.segs = append(p.segs, cur)
				cur = hlsSeg{}
				pendingSegTags = nil
			}
			continue
		}
		if !strings.HasPrefix(line, "#EXT") {
			continue // a comment
		}
		name, value, hasValue := strings.Cut(line[1:], ":")
		t := &hlsTag{name: name, value: value, line: num}
		def, known := hlsTags[name]
		if !known {
			c.add(rHLSUnknownTag, at(num), "unknown tag #%s", name)
			continue
		}
		p.tags = append(p.tags, t)
		if def.once {
			if prev, dup := seen[name]; dup {
				c.add(rHLSTagRepeated, at(num), "#%s appears again (first on line %d)", name, prev)
			} else {
				seen[name] = num
			}
		}
		if pendingStream != nil && name != "EXT-X-STREAM-INF" {
			c.add(rHLSTagPlacement, at(pendingStream.line), "EXT-X-STREAM-INF is not followed by its URI line (line %d is #%s)", num, name)
			pendingStream = nil
		}
		switch def.scope {
		case scopeSegment, scopeMediaPlaylist:
			if p.master && !p.media {
				c.add(rHLSPlaylistKind, at(num), "media playlist tag #%s in a multivariant playlist", name)
			}
			p.media = true
		case scopeMaster:
			if p.media && !p.master {
				c.add(rHLSPlaylistKind, at(num), "multivariant playlist tag #%s in a media playlist", name)
			}
			p.master = true
		}

		// Value syntax.
		switch def.form {
		case formNone:
			if hasValue {
				c.add(rHLSSyntax, at(num), "#%s takes no value", name)
			}
		case formInt:
			if _, ok := c.hlsInt(at(num), name, value); !ok {
				continue
			}
		case formEnum:
			if !contains(def.enum, value) {
				c.add(rHLSSyntax, at(num), "#%s:%s: want one of %v", name, value, def.enum)
			}
		case formAttrs:
			attrs, err := parseAttrList(value)
			if err != nil {
				c.add(rHLSSyntax, at(num), "#%s: %v", name, err)
			}
			t.attrs = attrs
			c.checkAttrTypes(at(num), t)
		}

		switch name {
		case "EXT-X-VERSION":
			v, _ := strconv.Atoi(value)
			p.version, p.versionLine = v, num
		case "EXTINF":
			durStr, _, hasComma := strings.Cut(value, ",")
			if !hasComma {
				c.add(rHLSSyntax, at(num), "EXTINF %q: the duration must be followed by a comma", value)
			}
			ds := strings.TrimSpace(durStr)
			d, err := strconv.ParseFloat(ds, 64)
			switch {
			case !decimalFloat(strings.TrimPrefix(ds, "-")):
				c.add(rHLSSyntax, at(num), "EXTINF duration %q is not a decimal number", durStr)
				cur.dur, cur.durLine, cur.hasDur = math.NaN(), num, true
			case err != nil || strings.HasPrefix(ds, "-") || d > maxSeconds:
				c.add(rHLSNumber, at(num), "EXTINF duration %s s is out of range", ds)
				cur.dur, cur.durLine, cur.hasDur = math.NaN(), num, true
			default:
				if cur.hasDur {
					c.add(rHLSTagPlacement, at(num), "EXTINF follows the EXTINF of line %d without a segment URI between", cur.durLine)
				}
				cur.dur, cur.durLine, cur.hasDur = d, num, true
				if strings.Contains(durStr, ".") {
					need(3, "decimal EXTINF durations", num)
				}
			}
		case "EXT-X-BYTERANGE":
			if n, o, _, ok := c.parseByteRange(at(num), value); ok {
				cur.rng, cur.hasRange, cur.rangeLine = byteRange{off: o, n: n}, true, num
			}
			need(4, "EXT-X-BYTERANGE", num)
		case "EXT-X-DISCONTINUITY":
			cur.disc = true
		case "EXT-X-KEY":
			method, _ := t.attr("METHOD")
			if method == "NONE" {
				keys = nil
			} else {
				// Tags with different KEYFORMATs apply together;
				// the same KEYFORMAT replaces the previous one.
				kf, _ := t.attr("KEYFORMAT")
				var kept []*hlsTag
				for _, k := range keys {
					if f, _ := k.attr("KEYFORMAT"); f != kf {
						kept = append(kept, k)
					}
				}
				keys = append(kept, t)
			}
			if _, ok := t.attr("IV"); ok {
				need(2, "EXT-X-KEY IV", num)
			}
			_, kf := t.attr("KEYFORMAT")
			_, kfv := t.attr("KEYFORMATVERSIONS")
			if kf || kfv {
				need(5, "EXT-X-KEY KEYFORMAT", num)
			}
		case "EXT-X-MAP":
			mapTag = t
			need(5, "EXT-X-MAP", num)
		case "EXT-X-TARGETDURATION":
			v, ok := c.hlsInt(at(num), name, value)
			if ok {
				if v > maxSeconds {
					c.add(rHLSNumber, at(num), "EXT-X-TARGETDURATION %d s is absurd for a segment", v)
				}
				p.target, p.targetLine, p.hasTarget = float64(v), num, true
			}
		case "EXT-X-ENDLIST":
			p.endlist = true
		case "EXT-X-PLAYLIST-TYPE":
			p.vod = value == "VOD"
		case "EXT-X-I-FRAMES-ONLY":
			p.iframesOnly = true
			need(4, "EXT-X-I-FRAMES-ONLY", num)
		case "EXT-X-STREAM-INF":
			pendingStream = t
		case "EXT-X-MEDIA":
			p.renditions = append(p.renditions, t)
			if id, ok := t.attr("INSTREAM-ID"); ok && strings.HasPrefix(id, "SERVICE") {
				need(7, "INSTREAM-ID "+id, num)
			}
		case "EXT-X-I-FRAME-STREAM-INF":
			p.iframes = append(p.iframes, t)
		case "EXT-X-IMAGE-STREAM-INF":
			p.images = append(p.images, t)
		case "EXT-X-IMAGES-ONLY":
			p.imagesOnly = true
		case "EXT-X-TILES":
			tilesTag = t
		case "EXT-X-DEFINE":
			need(8, "EXT-X-DEFINE", num)
		case "EXT-X-SKIP":
			need(9, "EXT-X-SKIP", num)
		}
		if def.scope == scopeSegment {
			pendingSegTags = append(pendingSegTags, t)
		}
	}
	if pendingStream != nil {
		c.add(rHLSTagPlacement, at(pendingStream.line), "EXT-X-STREAM-INF at the end of the playlist without a URI line")
	}
	if cur.hasDur || cur.hasRange {
		line := max(cur.durLine, cur.rangeLine)
		c.add(rHLSTagPlacement, at(line), "segment tags at the end of the playlist without a segment URI")
	}
	if p.media && mapTag != nil && !p.iframesOnly {
		need(6, "EXT-X-MAP in a playlist without EXT-X-I-FRAMES-ONLY", mapTag.line)
	}
	if p.version < needVersion {
		line := p.versionLine
		if line == 0 {
			line = 1
		}
		c.add(rHLSVersion, at(line), "EXT-X-VERSION %d, but %s (line %d) needs version %d", p.version, needWhy, needLine, needVersion)
	}
	if p.media && !p.master {
		c.checkMediaPlaylistSyntax(p)
	}
	return p
}

// checkMediaPlaylistSyntax checks the tags a media playlist needs.
func (c *checker) checkMediaPlaylistSyntax(p *playlist) {
	at := func(line int) Location { return Location{File: p.file, Line: line} }
	if !p.hasTarget {
		c.add(rHLSTagRequired, at(0), "no EXT-X-TARGETDURATION")
	}
	if len(p.segs) == 0 {
		c.add(rHLSEmpty, at(0), "no media segments")
	}
	if p.vod && !p.endlist {
		c.add(rHLSEndlist, at(0), "EXT-X-PLAYLIST-TYPE:VOD without EXT-X-ENDLIST")
	}
	if p.hasTarget {
		for _, s := range p.segs {
			if r := math.Round(s.dur); r > p.target {
				c.add(rHLSTargetDuration, at(s.durLine), "EXTINF %s rounds to %d s, more than EXT-X-TARGETDURATION %d",
					strconv.FormatFloat(s.dur, 'f', -1, 64), int64(r), int64(p.target))
			}
		}
	}
	type segID struct {
		uri string
		rng byteRange
	}
	first := make(map[segID]int, len(p.segs))
	for _, s := range p.segs {
		id := segID{s.uri, s.rng}
		if prev, dup := first[id]; dup {
			c.add(rHLSSegmentRepeated, at(s.line), "segment %s%s is listed again (first on line %d)", s.uri, rangeSuffix(s.rng), prev)
			continue
		}
		first[id] = s.line
	}
}

func rangeSuffix(r byteRange) string {
	if r.n == 0 {
		return ""
	}
	return " bytes " + r.String()
}

// hlsInt parses a decimal-integer (§4.2: 0 to 2^64-1).
func (c *checker) hlsInt(loc Location, what, s string) (uint64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		c.add(rHLSSyntax, loc, "%s %q is not a decimal-integer", what, s)
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		c.add(rHLSNumber, loc, "%s %s does not fit a decimal-integer (0 to 2^64-1)", what, s)
		return 0, false
	}
	return v, true
}

// parseByteRange parses "n[@o]" (§4.3.2.2).
func (c *checker) parseByteRange(loc Location, s string) (n, o int64, hasOff, ok bool) {
	ns, os, hasOff := strings.Cut(s, "@")
	nv, ok1 := c.hlsInt(loc, "byte range length", ns)
	var ov uint64
	ok2 := true
	if hasOff {
		ov, ok2 = c.hlsInt(loc, "byte range offset", os)
	}
	if !ok1 || !ok2 {
		return 0, 0, false, false
	}
	if nv > 1<<62 || ov > 1<<62 {
		c.add(rHLSNumber, loc, "byte range %s is absurd", s)
		return 0, 0, false, false
	}
	if nv == 0 {
		c.add(rRefByteRange, loc, "byte range of length 0")
		return 0, 0, false, false
	}
	return int64(nv), int64(ov), hasOff, true
}

// parseAttrList parses an attribute-list (§4.2). It returns what it
// could parse and the first error.
func parseAttrList(s string) ([]hlsAttr, error) {
	var out []hlsAttr
	seen := make(map[string]bool)
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return out, fmt.Errorf("attribute %q has no name=value", s)
		}
		name := s[:eq]
		if strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			return out, fmt.Errorf("attribute name %q: only A-Z, 0-9 and -", name)
		}
		s = s[eq+1:]
		var a hlsAttr
		a.name = name
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return out, fmt.Errorf("attribute %s: unterminated quoted-string", name)
			}
			a.value, a.quoted = s[1:1+end], true
			s = s[end+2:]
			if s != "" && s[0] != ',' {
				return out, fmt.Errorf("attribute %s: text after the closing quote", name)
			}
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			a.value = s[:end]
			s = s[end:]
			if a.value == "" {
				return out, fmt.Errorf("attribute %s has an empty value", name)
			}
			if strings.ContainsAny(a.value, "\" \t") {
				return out, fmt.Errorf("attribute %s: unquoted value %q has quotes or white space", name, a.value)
			}
		}
		if seen[name] {
			return out, fmt.Errorf("attribute %s appears twice", name)
		}
		seen[name] = true
		out = append(out, a)
		if s != "" {
			s = s[1:] // the comma
			if s == "" {
				return out, fmt.Errorf("trailing comma")
			}
		}
	}
	return out, nil
}

// checkAttrTypes checks the values of the known attributes of t.
func (c *checker) checkAttrTypes(loc Location, t *hlsTag) {
	types := hlsAttrTypes[t.name]
	for _, a := range t.attrs {
		typ, ok := types[a.name]
		if !ok {
			continue
		}
		bad := func(want string) {
			c.add(rHLSSyntax, loc, "#%s %s=%s: want %s", t.name, a.name, a.value, want)
		}
		if (typ == attrQuoted) != a.quoted {
			if typ == attrQuoted {
				bad("a quoted-string")
			} else {
				bad("an unquoted value")
			}
			continue
		}
		switch typ {
		case attrInt:
			v, ok := c.hlsInt(loc, "#"+t.name+" "+a.name, a.value)
			if ok && a.name == "BANDWIDTH" || ok && a.name == "AVERAGE-BANDWIDTH" {
				if float64(v) > maxBandwidth {
					c.add(rHLSNumber, loc, "#%s %s=%s bit/s is absurd", t.name, a.name, a.value)
				}
			}
		case attrFloat, attrSignedFloat:
			v, err := strconv.ParseFloat(a.value, 64)
			if !decimalFloat(strings.TrimPrefix(a.value, "-")) || typ == attrFloat && strings.HasPrefix(a.value, "-") {
				bad("a decimal number")
				continue
			}
			if err != nil || math.IsInf(v, 0) || a.name == "FRAME-RATE" && (v <= 0 || v > maxFrameRate) {
				c.add(rHLSNumber, loc, "#%s %s=%s is out of range", t.name, a.name, a.value)
			}
		case attrEnum:
			if e, ok := hlsEnums[a.name]; ok && !contains(e, a.value) {
				bad(fmt.Sprintf("one of %v", e))
			}
		case attrResolution:
			ws, hs, ok := strings.Cut(a.value, "x")
			w, err1 := strconv.ParseUint(ws, 10, 64)
			h, err2 := strconv.ParseUint(hs, 10, 64)
			if !ok || strings.TrimLeft(ws+hs, "0123456789") != "" || ws == "" || hs == "" {
				bad("WIDTHxHEIGHT")
			} else if err1 != nil || err2 != nil || w > maxDimension || h > maxDimension || w == 0 || h == 0 {
				c.add(rHLSNumber, loc, "#%s RESOLUTION=%s is out of range", t.name, a.value)
			}
		case attrHex:
			h := strings.TrimPrefix(strings.TrimPrefix(a.value, "0x"), "0X")
			if len(h) == len(a.value) || h == "" || strings.Trim(strings.ToLower(h), "0123456789abcdef") != "" {
				bad("a hexadecimal-sequence 0x…")
			}
		}
	}
}

func findTag(tags []*hlsTag, name string) *hlsTag {
	for i := len(tags) - 1; i >= 0; i-- {
		if tags[i].name == name {
			return tags[i]
		}
	}
	return &hlsTag{}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// decimalFloat reports a decimal-floating-point (§4.2): digits with an
// optional fraction, no sign, no exponent.
func decimalFloat(s string) bool {
	i, digits := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	return i == len(s) && digits > 0
}

// hasControl reports a control character other than CR (§4.1), TAB
// included, as the RFC excludes U+0000–U+001F and U+007F–U+009F.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\r' || r >= 0x7f && r <= 0x9f {
			return true
		}
	}
	return false
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
