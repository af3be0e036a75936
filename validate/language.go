package validate

import (
	"slices"
	"strings"

	"github.com/vpack-dev/vpack/subtitle"
)

// normLanguage returns a language tag as vpack publishes it, lower-cased
// for comparison: ISO 639-2 codes become ISO 639-1 where there is one
// ("eng" is "en", as mdhd writes it), "" is "und".
func normLanguage(tag string) string {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return "und"
	}
	if l, err := subtitle.Language(tag); err == nil {
		return strings.ToLower(l)
	}
	return strings.ToLower(tag)
}

// sameLanguage reports whether two tags name the same language: equal
// once normalised, or one a more specific form of the other ("en" and
// "en-GB").
func sameLanguage(a, b string) bool {
	a, b = normLanguage(a), normLanguage(b)
	return a == b || strings.HasPrefix(a, b+"-") || strings.HasPrefix(b, a+"-")
}

// checkHLSTextLanguages compares the LANGUAGE of every EXT-X-MEDIA
// TYPE=SUBTITLES whose playlist is an fMP4 text track with the language
// of its init segment (mdhd, or elng when there is one).
func (c *checker) checkHLSTextLanguages(hp *hlsPackage) {
	if hp.master == nil {
		return
	}
	for _, t := range hp.master.renditions {
		typ, _ := t.attr("TYPE")
		gid, _ := t.attr("GROUP-ID")
		lang, ok := t.attr("LANGUAGE")
		if typ != "SUBTITLES" || !ok {
			continue
		}
		for _, r := range hp.groups["SUBTITLES/"+gid] {
			if r.tag != t || r.media == nil || r.media.track == nil || r.media.track.init == nil || r.media.track.init.kind != kindText {
				continue
			}
			in := r.media.track.init
			if !sameLanguage(lang, in.language) {
				c.add(rTextLanguage, Location{File: hp.master.file, Line: t.line}, "LANGUAGE=%q, the init segment %s says %q (mdhd/elng)", lang, c.src.display(in.name), in.language)
			}
		}
	}
}

// checkDASHTextLanguage compares @lang of a text Representation (or its
// AdaptationSet) with the language of its init segment.
func (c *checker) checkDASHTextLanguage(r *dashRep, loc Location) {
	in := r.track.init
	if in.kind != kindText {
		return
	}
	if lang, ok := r.inherited("lang"); ok && !sameLanguage(lang, in.language) {
		c.add(rTextLanguage, loc, "@lang=%q, the init segment %s says %q (mdhd/elng)", lang, c.src.display(in.name), in.language)
	}
}

// offer is one audio language or text track (language and forced) a
// manifest offers.
type offer struct {
	text   bool
	lang   string // normalised
	forced bool
}

func (o offer) String() string {
	switch {
	case !o.text:
		return "audio (" + o.lang + ")"
	case o.forced:
		return "forced subtitles (" + o.lang + ")"
	}
	return "subtitles (" + o.lang + ")"
}

// crossLanguages compares what the two manifests offer: the same audio
// languages, and the same text tracks by language and forced
// (CROSS-LANGUAGES). Text tracks may take different forms in each (HLS
// WebVTT segments, DASH wvtt), so they are compared by what a viewer
// chooses from, not by file.
func (c *checker) crossLanguages(hp *hlsPackage, dp *dashPackage) {
	hls := make(map[offer]Location)
	var hlsOrder []offer
	for _, t := range hp.master.renditions {
		typ, _ := t.attr("TYPE")
		if typ != "AUDIO" && typ != "SUBTITLES" {
			continue
		}
		lang, _ := t.attr("LANGUAGE")
		forced, _ := t.attr("FORCED")
		o := offer{text: typ == "SUBTITLES", lang: normLanguage(lang), forced: typ == "SUBTITLES" && forced == "YES"}
		if _, ok := hls[o]; !ok {
			hls[o] = Location{File: hp.master.file, Line: t.line}
			hlsOrder = append(hlsOrder, o)
		}
	}
	dash := make(map[offer]Location)
	var dashOrder []offer
	for _, p := range dp.periods {
		for _, set := range p.sets {
			for _, r := range set.reps {
				kind := dashKind(r)
				if kind != kindAudio && kind != kindText {
					continue
				}
				lang, _ := r.inherited("lang")
				o := offer{text: kind == kindText, lang: normLanguage(lang), forced: kind == kindText && dashForced(r)}
				if _, ok := dash[o]; !ok {
					dash[o] = Location{File: dp.file, Line: r.node.line, Path: r.node.path}
					dashOrder = append(dashOrder, o)
				}
			}
		}
	}
	for _, o := range hlsOrder {
		if _, ok := dash[o]; !ok {
			c.add(rCrossLanguages, hls[o], "%s offered here, but not in %s", o, dp.file)
		}
	}
	for _, o := range dashOrder {
		if _, ok := hls[o]; !ok {
			c.add(rCrossLanguages, dash[o], "%s offered here, but by no EXT-X-MEDIA of %s", o, hp.master.file)
		}
	}
}

// dashKind tells what a Representation carries: from its media when it
// was read, else from @contentType, @mimeType and @codecs.
func dashKind(r *dashRep) trackKind {
	if r.track != nil && r.track.init != nil && r.track.init.kind != kindOther {
		return r.track.init.kind
	}
	ct, _ := r.set.node.attr("contentType")
	mt, _ := r.inherited("mimeType")
	codecs, _ := r.inherited("codecs")
	switch {
	case ct == "audio", strings.HasPrefix(mt, "audio/"):
		return kindAudio
	case ct == "video", strings.HasPrefix(mt, "video/"):
		return kindVideo
	case ct == "text", strings.HasPrefix(mt, "text/"), mt == "application/ttml+xml",
		slices.ContainsFunc(splitCodecs(codecs), func(c string) bool { return strings.HasPrefix(c, "wvtt") || strings.HasPrefix(c, "stpp") }):
		return kindText
	}
	return kindOther
}

// dashForced reports a forced-subtitle Role (ISO/IEC 23009-1 §5.8.5.5) on
// r or its AdaptationSet.
func dashForced(r *dashRep) bool {
	for _, n := range []*xnode{r.node, r.set.node} {
		for _, role := range n.kids("Role") {
			if v, _ := role.attr("value"); v == "forced-subtitle" {
				return true
			}
		}
	}
	return false
}
