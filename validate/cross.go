package validate

import (
	"encoding/hex"
	"fmt"
	"math"
	"strings"
)

// crossCheck compares the HLS and DASH descriptions of the same package:
// every track in both, the same segments with the same durations, and the
// same KIDs (tracks are matched by their init segment).
func (c *checker) crossCheck(hp *hlsPackage, dp *dashPackage) {
	type dashTrack struct {
		rep *dashRep
		t   *trackRef
	}
	byInit := make(map[string]dashTrack)
	var dashOrder []dashTrack
	for r := range dp.reps() {
		if r.track != nil && r.track.initName != "" {
			dt := dashTrack{r, r.track}
			byInit[refKey(r.track.initName, r.track.initRng)] = dt
			dashOrder = append(dashOrder, dt)
		}
	}
	c.crossLanguages(hp, dp)
	if len(dp.periods) > 1 {
		c.add(rNotChecked, Location{File: dp.file}, "%d Periods: HLS and DASH compared per track across Periods is not supported", len(dp.periods))
		return
	}
	// Text tracks may be in one manifest only: HLS WebVTT segments are
	// DASH wvtt (manifest.Track.Only). They are compared by language
	// (crossLanguages), and track by track where both list the same one.
	inHLS := make(map[string]bool)
	for _, m := range hp.order {
		if m == nil || m.track == nil || m.iframe {
			continue
		}
		t := m.track
		k := refKey(t.initName, t.initRng)
		inHLS[k] = true
		dt, ok := byInit[k]
		if !ok {
			if t.init == nil || t.init.kind != kindText {
				c.add(rCrossTracks, Location{File: m.pl.file}, "the track of this playlist (init %s) is not in %s", c.src.display(t.initName), dp.file)
			}
			continue
		}
		c.crossTrack(m, dt.rep, dp)
	}
	for _, dt := range dashOrder {
		if !inHLS[refKey(dt.t.initName, dt.t.initRng)] && dashKind(dt.rep) != kindText {
			c.add(rCrossTracks, dt.t.from, "Representation %q (init %s) has no HLS playlist", dt.rep.id, c.src.display(dt.t.initName))
		}
	}
	c.crossThumbnails(hp, dp)
}

// crossThumbnails compares the thumbnail tracks of the two manifests,
// matched by their first tile: the same tiles (CROSS-SEGMENTS), grid,
// thumbnail size and interval (CROSS-THUMBNAILS). A thumbnail track in
// one manifest only is CROSS-TRACKS.
func (c *checker) crossThumbnails(hp *hlsPackage, dp *dashPackage) {
	byTile := make(map[string]*dashRep)
	var dashOrder []*dashRep
	for r := range dp.reps() {
		if r.plain != nil && r.plain.image() && len(r.plain.segs) > 0 {
			byTile[r.plain.segs[0].name] = r
			dashOrder = append(dashOrder, r)
		}
	}
	matched := make(map[*dashRep]bool)
	for _, iv := range hp.images {
		if iv.media == nil || iv.media.plain == nil || len(iv.media.plain.segs) == 0 {
			continue
		}
		h := iv.media.plain
		loc := Location{File: hp.master.file, Line: iv.tag.line}
		r, ok := byTile[h.segs[0].name]
		if !ok {
			c.add(rCrossTracks, loc, "thumbnail track %s (first tile %s) is not in %s", h.label, c.src.display(h.segs[0].name), dp.file)
			continue
		}
		matched[r] = true
		d := r.plain
		if len(h.segs) != len(d.segs) {
			c.add(rCrossSegments, h.from, "%d tile(s), Representation %q in %s has %d", len(h.segs), r.id, dp.file, len(d.segs))
		} else {
			for i := range h.segs {
				if h.segs[i].name != d.segs[i].name {
					c.add(rCrossSegments, h.segs[i].from, "tile %d is %s, Representation %q has %s", i+1, c.src.display(h.segs[i].name), r.id, c.src.display(d.segs[i].name))
					break
				}
			}
		}
		hg, dg := h.grid, d.grid
		if hg == nil || dg == nil {
			continue // THUMB-SIGNALLING says why
		}
		var diffs []string
		if hg.cols != dg.cols || hg.rows != dg.rows {
			diffs = append(diffs, fmt.Sprintf("LAYOUT %dx%d against thumbnail_tile %dx%d", hg.cols, hg.rows, dg.cols, dg.rows))
		}
		if hg.thumbW != 0 && (hg.thumbW != dg.thumbW || hg.thumbH != dg.thumbH) {
			diffs = append(diffs, fmt.Sprintf("thumbnails of %dx%d against %dx%d (@width × @height %dx%d)", hg.thumbW, hg.thumbH, dg.thumbW, dg.thumbH, dg.tileW(), dg.tileH()))
		}
		if hg.interval > 0 && dg.interval > 0 && math.Abs(hg.interval-dg.interval) > textTol {
			diffs = append(diffs, fmt.Sprintf("one every %.3f s against %.3f s (@duration over %d thumbnails)", hg.interval, dg.interval, dg.perTile()))
		}
		if len(diffs) > 0 {
			c.add(rCrossThumbnails, hg.at, "%s and Representation %q in %s differ: %s", h.label, r.id, dp.file, strings.Join(diffs, "; "))
		}
	}
	for _, r := range dashOrder {
		if !matched[r] {
			c.add(rCrossTracks, r.plain.from, "thumbnail Representation %q (first tile %s) has no EXT-X-IMAGE-STREAM-INF", r.id, c.src.display(r.plain.segs[0].name))
		}
	}
}

func (c *checker) crossTrack(m *hlsMedia, r *dashRep, dp *dashPackage) {
	h, d := m.track, r.track
	loc := Location{File: m.pl.file}
	if len(h.segs) == 0 || len(d.segs) == 0 {
		return // the side without segments has its own findings
	}
	if len(h.segs) != len(d.segs) {
		c.add(rCrossSegments, loc, "%d segments, Representation %q in %s has %d", len(h.segs), r.id, dp.file, len(d.segs))
	} else {
		for i := range h.segs {
			if h.segs[i].name != d.segs[i].name || h.segs[i].rng != d.segs[i].rng {
				c.add(rCrossSegments, h.segs[i].from, "segment %d is %s%s, Representation %q has %s%s", i+1,
					c.src.display(h.segs[i].name), rangeSuffix(h.segs[i].rng), r.id, c.src.display(d.segs[i].name), rangeSuffix(d.segs[i].rng))
				break
			}
		}
		tol := math.Max(0.0015, h.frameDur()/2)
		for i := range h.segs {
			if diff := h.segs[i].dur - d.segs[i].dur; !math.IsNaN(diff) && math.Abs(diff) > tol {
				c.add(rCrossDuration, h.segs[i].from, "segment %d: EXTINF %.3f s, the MPD says %.3f s", i+1, h.segs[i].dur, d.segs[i].dur)
				break
			}
		}
	}
	hk, dk := hlsKIDs(m), dashDefaultKID(r)
	for _, k := range hk {
		if dk != "" && k != dk {
			c.add(rCrossKID, loc, "the playlist signals KID %s, the MPD's cenc:default_KID is %s", k, dk)
			break
		}
	}
}

// hlsKIDs returns the KEYID values of the keys in force, as lower-case
// hex.
func hlsKIDs(m *hlsMedia) []string {
	var out []string
	for _, s := range m.pl.segs {
		for _, k := range s.keys {
			if id, ok := k.attr("KEYID"); ok {
				h := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(id, "0x"), "0X"))
				if b, err := hex.DecodeString(h); err == nil && len(b) == 16 && !contains(out, h) {
					out = append(out, h)
				}
			}
		}
	}
	return out
}

// dashDefaultKID returns cenc:default_KID of r's mp4protection descriptor
// as lower-case hex, "" when there is none.
func dashDefaultKID(r *dashRep) string {
	for _, cp := range append(r.set.node.kids("ContentProtection"), r.node.kids("ContentProtection")...) {
		if s, _ := cp.attr("schemeIdUri"); strings.EqualFold(s, mp4ProtectionScheme) {
			if v, ok := cp.attrNS(nsCENC, "default_KID"); ok {
				return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(v), "-", ""))
			}
		}
	}
	return ""
}
