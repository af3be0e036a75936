package validate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Thumbnail tracks (see manifest/thumbnail.go): every segment is one JPEG
// tile of cols × rows thumbnails, left to right then top to bottom, one
// shown per interval. HLS declares them with the Image Media Playlist
// specification v0.4 (EXT-X-IMAGE-STREAM-INF, EXT-X-IMAGES-ONLY,
// EXT-X-TILES), DASH with DASH-IF IOP v4.3 §6.2.6 (an image AdaptationSet,
// @width × @height of the whole tile, an EssentialProperty thumbnail_tile
// "colsxrows", a SegmentTemplate with @duration and no initialization).

// Schemes of the thumbnail_tile property: DASH-IF IOP v4.3 and v5.
const (
	thumbnailTileScheme   = "http://dashif.org/thumbnail_tile"
	thumbnailTileSchemeV5 = "http://dashif.org/guidelines/thumbnail_tile"
)

// tileGrid is a thumbnail track's tiles as one manifest declares them.
type tileGrid struct {
	cols, rows     int
	thumbW, thumbH int     // one thumbnail, pixels; 0 when not declared
	interval       float64 // seconds one thumbnail shows; 0 when not declared
	at             Location
	what           string // how the size is declared, for messages
}

func (g *tileGrid) tileW() int       { return g.thumbW * g.cols }
func (g *tileGrid) tileH() int       { return g.thumbH * g.rows }
func (g *tileGrid) perTile() int     { return g.cols * g.rows }
func (g *tileGrid) tileDur() float64 { return g.interval * float64(g.perTile()) }

// parseGrid parses a WxH resolution or a CxR layout of positive numbers.
func parseGrid(s string) (int, int, bool) {
	as, bs, ok := strings.Cut(s, "x")
	a, errA := strconv.Atoi(as)
	b, errB := strconv.Atoi(bs)
	return a, b, ok && errA == nil && errB == nil && a > 0 && b > 0 && a <= maxDimension && b <= maxDimension
}

// hlsImageGrid reads the tiles of an image playlist from EXT-X-TILES
// (persisting until the next one) and, without it, the thumbnail size of
// its EXT-X-IMAGE-STREAM-INF (resolution, "" for a lone playlist): each
// image is then one thumbnail.
func (c *checker) hlsImageGrid(pl *playlist, resolution string, streamAt Location) *tileGrid {
	if len(pl.segs) == 0 {
		return nil
	}
	at := func(line int) Location { return Location{File: pl.file, Line: line} }
	g := &tileGrid{cols: 1, rows: 1, at: streamAt, what: "EXT-X-IMAGE-STREAM-INF RESOLUTION"}
	tiles := pl.segs[0].tiles
	if tiles != nil {
		g.at, g.what = at(tiles.line), "EXT-X-TILES RESOLUTION × LAYOUT"
		res, okR := tiles.attr("RESOLUTION")
		lay, okL := tiles.attr("LAYOUT")
		if !okR || !okL {
			c.add(rThumbSignalling, at(tiles.line), "EXT-X-TILES without RESOLUTION or LAYOUT")
			return nil
		}
		var okRes, okLay bool
		g.thumbW, g.thumbH, okRes = parseGrid(res)
		g.cols, g.rows, okLay = parseGrid(lay)
		if !okRes || !okLay {
			c.add(rThumbSignalling, at(tiles.line), "EXT-X-TILES RESOLUTION=%s,LAYOUT=%s: want WIDTHxHEIGHT and COLUMNSxROWS", res, lay)
			return nil
		}
		if d, ok := tiles.attr("DURATION"); ok {
			if v, err := strconv.ParseFloat(d, 64); err == nil && v > 0 && v < maxSeconds {
				g.interval = v
			} else {
				c.add(rThumbSignalling, at(tiles.line), "EXT-X-TILES DURATION=%s: want a positive number of seconds", d)
				return nil
			}
		}
		for _, s := range pl.segs[1:] {
			if !sameTag(s.tiles, tiles) {
				c.add(rNotChecked, at(s.line), "EXT-X-TILES changes from here on: the tiles are checked against the first EXT-X-TILES")
				break
			}
		}
		if resolution != "" && resolution != res {
			c.add(rThumbSignalling, streamAt, "RESOLUTION=%s, but EXT-X-TILES in %s says one thumbnail is %s", resolution, pl.file, res)
		}
	} else if resolution != "" {
		var ok bool
		if g.thumbW, g.thumbH, ok = parseGrid(resolution); !ok {
			return nil // HLS-SYNTAX or HLS-NUMBER says why
		}
	}
	if g.interval == 0 && !math.IsNaN(pl.segs[0].dur) {
		// A full tile over its thumbnails: only the last tile is shorter.
		g.interval = pl.segs[0].dur / float64(g.perTile())
		if len(pl.segs) == 1 && g.perTile() > 1 {
			g.interval = 0 // the only tile may not be full: unknown
		}
	}
	return g
}

func sameTag(a, b *hlsTag) bool {
	return a == b || a != nil && b != nil && a.value == b.value
}

// dashImageGrid reads the tiles of an image Representation: @width and
// @height of the whole tile, the thumbnail_tile property (1x1 without
// one), and the interval from SegmentTemplate@duration.
func (c *checker) dashImageGrid(dp *dashPackage, r *dashRep, t *plainTrack) *tileGrid {
	loc := Location{File: dp.file, Line: r.node.line, Path: r.node.path}
	g := &tileGrid{cols: 1, rows: 1, at: loc, what: "@width × @height"}
	if p := thumbnailTile(r); p != nil {
		v, _ := p.attr("value")
		var ok bool
		if g.cols, g.rows, ok = parseGrid(v); !ok {
			c.add(rThumbSignalling, Location{File: dp.file, Line: p.line, Path: p.path}, "thumbnail_tile value %q: want COLUMNSxROWS", v)
			return nil
		}
	}
	ws, okW := r.inherited("width")
	hs, okH := r.inherited("height")
	w, errW := strconv.Atoi(ws)
	h, errH := strconv.Atoi(hs)
	switch {
	case !okW || !okH:
		c.add(rThumbSignalling, loc, "thumbnail Representation without @width and @height: players cannot cut the tiles")
		return nil
	case errW != nil || errH != nil || w <= 0 || h <= 0:
		return nil // DASH-SCHEMA says why
	case w%g.cols != 0 || h%g.rows != 0:
		c.add(rThumbSignalling, loc, "@width × @height %dx%d is not a whole grid of %dx%d thumbnails", w, h, g.cols, g.rows)
		return nil
	}
	g.thumbW, g.thumbH = w/g.cols, h/g.rows
	chain := segNodes(r, "SegmentTemplate")
	if d, ok := segAttr(chain, "duration"); ok && segKid(chain, "SegmentTimeline") == nil {
		if v, err := strconv.ParseUint(d, 10, 32); err == nil && v > 0 {
			g.interval = float64(v) / float64(r.timescale) / float64(g.perTile())
			t.countFixed = true
		}
	} else if len(t.segs) > 1 {
		g.interval = t.segs[0].dur / float64(g.perTile())
	}
	return g
}

// thumbnailTile returns the thumbnail_tile property of r (or its
// AdaptationSet), nil when there is none.
func thumbnailTile(r *dashRep) *xnode {
	for _, n := range []*xnode{r.node, r.set.node} {
		for _, p := range append(n.kids("EssentialProperty"), n.kids("SupplementalProperty")...) {
			if scheme, _ := p.attr("schemeIdUri"); scheme == thumbnailTileScheme || scheme == thumbnailTileSchemeV5 {
				return p
			}
		}
	}
	return nil
}

// checkThumbnails checks the tiles of an image track: each a JPEG of the
// declared tile size (THUMB-SIZE; THUMB-JPEG when it does not decode), as
// many as the presentation needs, ceil(duration / (interval × cols ×
// rows)), every one but the last lasting a full tile, together reaching
// the end (THUMB-COVERAGE). dur is the presentation's duration in
// seconds, 0 when unknown.
func (c *checker) checkThumbnails(t *plainTrack, dur float64) {
	g := t.grid
	if g == nil || t.mime != mimeJPEG {
		return
	}
	for i, f := range t.files {
		if f == nil || !f.ok || f.width == 0 || g.thumbW == 0 {
			continue
		}
		if f.width != g.tileW() || f.height != g.tileH() {
			file := c.src.display(f.name)
			if c.once.first(fmt.Sprintf("%s %s %dx%d", rThumbSize, file, g.tileW(), g.tileH())) {
				c.add(rThumbSize, Location{File: file}, "tile %d is %dx%d pixels, %s (%s) makes a tile %dx%d",
					i+1, f.width, f.height, g.what, segWhere(g.at), g.tileW(), g.tileH())
			}
		}
	}
	if g.interval <= 0 || len(t.segs) == 0 {
		return
	}
	tile := g.tileDur()
	for i, s := range t.segs[:len(t.segs)-1] {
		if math.Abs(s.dur-tile) > textTol {
			c.add(rThumbCoverage, s.from, "tile %d lasts %.3f s, a full tile of %dx%d thumbnails every %.3f s lasts %.3f s",
				i+1, s.dur, g.cols, g.rows, g.interval, tile)
			break
		}
	}
	if dur <= 0 || t.countFixed {
		return
	}
	// The last thumbnail may start up to half an interval before the end
	// (an audio track a few frames longer than the video must not demand a
	// thumbnail of its tail), so the count has a range.
	most := int(math.Ceil((dur - textTol) / tile))
	least := max(1, int(math.Ceil((dur-g.interval/2-textTol)/tile)))
	if n := len(t.segs); n < least || n > most {
		want := least
		if n > most {
			want = most
		}
		c.add(rThumbCoverage, t.from, "%d tile(s), a %.3f s presentation needs %d (%dx%d thumbnails every %.3f s)",
			n, dur, want, g.cols, g.rows, g.interval)
		return
	}
	if end := t.duration(); end < dur-math.Max(textTol, g.interval/2) {
		c.add(rThumbCoverage, t.from, "the tiles end at %.3f s, the presentation at %.3f s", end, dur)
	}
}
