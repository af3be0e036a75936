package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/Eyevinn/hls-m3u8/m3u8"
)

// Thumbnail tiles (Track.Type Image): every segment is one JPEG holding
// TileCols × TileRows thumbnails, left to right, then top to bottom.
//
// HLS writes them as the Image Media Playlist specification v0.4
// (github.com/image-media-playlist/spec, by Roku, Disney and Warner Media;
// read by Roku OS 9.3 and later, shaka-player and the Bitmovin players;
// written by AWS Elemental and Jellyfin):
//
//	multivariant: #EXT-X-IMAGE-STREAM-INF:BANDWIDTH=<peak>,RESOLUTION=<one thumbnail WxH>,CODECS="jpeg",URI="<playlist>"
//	image playlist: EXT-X-VERSION 7, #EXT-X-IMAGES-ONLY before the first
//	segment, and per segment #EXT-X-TILES:RESOLUTION=<one thumbnail WxH>,
//	LAYOUT=<cols>x<rows>,DURATION=<seconds per thumbnail>, then the EXTINF
//	of the whole tile.
//
// EXT-X-TILES comes with every segment because shaka-player applies it to
// the one segment it precedes (a segment without it is 1x1); ReadHLS also
// accepts a tag that persists until the next one, as in Brightcove's
// examples. EXT-X-IMAGE-STREAM-INF, like EXT-X-I-FRAME-STREAM-INF, stands
// alone with a URI attribute. hls-m3u8 knows none of these tags: it skips
// them when reading (so decodeStrict accepts them), and WriteHLS adds them
// to what it writes.
//
// DASH writes them as DASH-IF IOP v4.3 §6.2.6 thumbnails: an AdaptationSet
// with contentType "image" and mimeType "image/jpeg", per Representation
// @width and @height of the whole tile image and an EssentialProperty
// thumbnail_tile with value "<cols>x<rows>", and a SegmentTemplate with
// $Number$ and no initialization.

// Tags of the Image Media Playlist specification.
const (
	imageStreamInfTag    = "#EXT-X-IMAGE-STREAM-INF:"
	imagesOnlyTag        = "#EXT-X-IMAGES-ONLY"
	tilesTag             = "#EXT-X-TILES:"
	imagePlaylistVersion = 7 // the specification's image playlists declare version 7
)

// Schemes of the thumbnail_tile EssentialProperty: DASH-IF IOP v4.3 §6.2.6,
// which Roku's documentation cites, and the one IOP v5 ("Thumbnail
// images") uses. dash.js, shaka-player and ExoPlayer read both; WriteDASH
// writes the first, ReadDASH reads both.
const (
	thumbnailTileScheme   = "http://dashif.org/thumbnail_tile"
	thumbnailTileSchemeV5 = "http://dashif.org/guidelines/thumbnail_tile"
)

// thumbnailSize is the size of one thumbnail of an image track.
func thumbnailSize(t *Track) (w, h int) { return t.Width / t.TileCols, t.Height / t.TileRows }

// gridString formats a WxH resolution or a CxR layout.
func gridString(a, b int) string { return strconv.Itoa(a) + "x" + strconv.Itoa(b) }

// parseGrid parses a WxH resolution or a CxR layout of positive numbers.
func parseGrid(s string) (int, int, bool) {
	as, bs, ok := strings.Cut(s, "x")
	a, errA := strconv.Atoi(as)
	b, errB := strconv.Atoi(bs)
	return a, b, ok && errA == nil && errB == nil && a > 0 && b > 0
}

// thumbnailMs is how long one thumbnail shows, in ms:
// Track.ThumbnailDurTicks, else a full tile over the thumbnails it holds.
// Every tile but the last is full, so the first is; the last may be
// shorter because it holds fewer thumbnails (or, as the packager cuts it
// at the end of the presentation, a little longer), not other ones.
func thumbnailMs(t *Track) (uint64, error) {
	if t.ThumbnailDurTicks > 0 {
		return ticksToMs(t.ThumbnailDurTicks, t.Timescale)
	}
	ms, err := ticksToMs(t.Segments[0].DurTicks, t.Timescale)
	return inferredThumbnailMs(ms, t), err
}

// inferredThumbnailMs is a full tile of tileMs over its thumbnails.
func inferredThumbnailMs(tileMs uint64, t *Track) uint64 {
	n := uint64(t.TileCols) * uint64(t.TileRows)
	return (tileMs + n/2) / n
}

// tileTicks is what a full tile of t lasts, in ticks (see thumbnailMs).
func tileTicks(t *Track) uint64 {
	if t.ThumbnailDurTicks > 0 {
		return t.ThumbnailDurTicks * uint64(t.TileCols) * uint64(t.TileRows)
	}
	return t.Segments[0].DurTicks
}

// rawTag is a tag line hls-m3u8 does not know, written through its
// custom-tag hook as it is.
type rawTag string

func (r rawTag) TagName() string {
	name, _, _ := strings.Cut(string(r), ":")
	return name
}
func (r rawTag) Encode() *bytes.Buffer { return bytes.NewBufferString(string(r)) }
func (r rawTag) String() string        { return string(r) }

// encodeImagePlaylist writes the image media playlist of t (see above). Its
// EXT-X-TARGETDURATION follows RFC 8216 §4.3.3.1 for version 7, as in any
// other media playlist.
func encodeImagePlaylist(t *Track) ([]byte, error) {
	dir := path.Dir(t.PlaylistURI)
	pl, err := m3u8.NewMediaPlaylist(0, uint(len(t.Segments)))
	if err != nil {
		return nil, err
	}
	per, err := thumbnailMs(t)
	if err != nil {
		return nil, err
	}
	w, h := thumbnailSize(t)
	tiles := rawTag(tilesTag + "RESOLUTION=" + gridString(w, h) + ",LAYOUT=" + gridString(t.TileCols, t.TileRows) + ",DURATION=" + formatMs(per))
	var maxMs uint64
	for i, s := range t.Segments {
		ms, err := ticksToMs(s.DurTicks, t.Timescale)
		if err != nil {
			return nil, fmt.Errorf("segment %d: %w", i+1, err)
		}
		maxMs = max(maxMs, ms)
		seg := &m3u8.MediaSegment{
			URI:      relURI(dir, t.segmentURI(i)),
			Duration: float64(ms) / 1000,
			Custom:   m3u8.CustomMap{tiles.TagName(): tiles},
		}
		if err := pl.AppendSegment(seg); err != nil {
			return nil, fmt.Errorf("segment %d: %w", i+1, err)
		}
	}
	pl.Custom = m3u8.CustomMap{imagesOnlyTag: rawTag(imagesOnlyTag)}
	pl.MediaType = m3u8.VOD
	pl.SeqNo = mediaSequence
	pl.Close()
	pl.SetVersion(imagePlaylistVersion)
	pl.SetTargetDuration(targetDuration(maxMs, imagePlaylistVersion))
	pl.ResetCache()
	return bytes.Clone(pl.Encode().Bytes()), nil
}

// imageStreamInf is the EXT-X-IMAGE-STREAM-INF line of t: BANDWIDTH its
// peak tile bit rate, RESOLUTION one thumbnail (as in EXT-X-TILES).
func imageStreamInf(t *Track) string {
	w, h := thumbnailSize(t)
	return imageStreamInfTag + "BANDWIDTH=" + strconv.FormatInt(t.BandwidthBps, 10) +
		",RESOLUTION=" + gridString(w, h) + `,CODECS="` + plainCodecsOf(t) + `",URI="` + t.PlaylistURI + `"`
}

// readImages reads the image playlist of every EXT-X-IMAGE-STREAM-INF of
// the multivariant playlist name.
func (r *hlsReader) readImages(name string, ls playlistLines) error {
	for _, line := range ls.all(imageStreamInfTag) {
		perr := func(err error) error {
			return &ParseError{File: name, Line: line, Err: fmt.Errorf("EXT-X-IMAGE-STREAM-INF: %w", err)}
		}
		attrs, err := parseAttributes(strings.TrimPrefix(ls[line-1], imageStreamInfTag))
		if err != nil {
			return perr(err)
		}
		if attrs["URI"] == "" {
			return perr(errors.New("no URI"))
		}
		u, err := resolveURI(".", attrs["URI"])
		if err != nil {
			return perr(err)
		}
		if r.tracks[u] != nil {
			return perr(fmt.Errorf("%s is also another rendition", u))
		}
		bw, err := strconv.ParseUint(attrs["BANDWIDTH"], 10, 32)
		if err != nil {
			return perr(fmt.Errorf("BANDWIDTH %q", attrs["BANDWIDTH"]))
		}
		if c := attrs["CODECS"]; c != "" && c != codecJPEG {
			return perr(fmt.Errorf("CODECS %q: only %q images: %w", c, codecJPEG, ErrUnsupported))
		}
		var w, h int
		if res, ok := attrs["RESOLUTION"]; ok {
			if w, h, ok = parseGrid(res); !ok {
				return perr(fmt.Errorf("RESOLUTION %q: want WIDTHxHEIGHT", res))
			}
		}
		t := r.newTrack(Image, u, "")
		t.MimeType, t.Codecs, t.BandwidthBps = MimeTypeJPEG, codecJPEG, int64(bw)
		if err := r.readImagePlaylist(t, w, h); err != nil {
			return err
		}
	}
	return nil
}

// readImagePlaylist fills the tiles and segments of image track t from its
// playlist. w×h is the thumbnail size the multivariant playlist declares,
// used when the playlist has no EXT-X-TILES (then every image is one
// thumbnail).
func (r *hlsReader) readImagePlaylist(t *Track, w, h int) error {
	m, err := r.decodeMedia(t.PlaylistURI)
	if err != nil {
		return err
	}
	perr := func(line int, err error) error { return &ParseError{File: m.file, Line: line, Err: err} }
	switch {
	case !m.imagesOnly:
		return perr(0, errors.New("no EXT-X-IMAGES-ONLY in an image playlist"))
	case m.mapURI != "" || m.iframes || m.protection != nil:
		return perr(0, fmt.Errorf("EXT-X-MAP, EXT-X-I-FRAMES-ONLY or EXT-X-KEY in an image playlist: %w", ErrUnsupported))
	}
	cols, rows := 1, 1
	var per uint64 // DURATION in ms, 0 when absent
	first := m.entries[0]
	if first.tiles != "" {
		attrs, err := parseAttributes(first.tiles)
		if err != nil {
			return perr(first.tilesLine, fmt.Errorf("EXT-X-TILES: %w", err))
		}
		var ok bool
		if w, h, ok = parseGrid(attrs["RESOLUTION"]); !ok {
			return perr(first.tilesLine, fmt.Errorf("EXT-X-TILES: RESOLUTION %q: want WIDTHxHEIGHT", attrs["RESOLUTION"]))
		}
		if cols, rows, ok = parseGrid(attrs["LAYOUT"]); !ok {
			return perr(first.tilesLine, fmt.Errorf("EXT-X-TILES: LAYOUT %q: want COLUMNSxROWS", attrs["LAYOUT"]))
		}
		if d, ok := attrs["DURATION"]; ok {
			f, err := strconv.ParseFloat(d, 64)
			if err == nil {
				per, err = secondsToMs(f)
			}
			if err != nil || per == 0 {
				return perr(first.tilesLine, fmt.Errorf("EXT-X-TILES: DURATION %q", d))
			}
		}
	}
	if w == 0 {
		return perr(0, errors.New("no thumbnail size: neither EXT-X-TILES nor RESOLUTION"))
	}
	t.Width, t.Height, t.TileCols, t.TileRows = w*cols, h*rows, cols, rows
	var start uint64
	for _, e := range m.entries {
		if e.tiles != first.tiles {
			return perr(e.tilesLine, fmt.Errorf("EXT-X-TILES changes between segments: %w", ErrUnsupported))
		}
		if e.rng.Length > 0 {
			return perr(e.line, fmt.Errorf("EXT-X-BYTERANGE in an image playlist: %w", ErrUnsupported))
		}
		t.Segments = append(t.Segments, Segment{URI: e.uri, StartTicks: start, DurTicks: e.ms})
		start += e.ms
	}
	if per != inferredThumbnailMs(t.Segments[0].DurTicks, t) {
		t.ThumbnailDurTicks = per // kept only when the segments do not tell it
	}
	return nil
}

// persistentTag returns, for each segment (URI line) of a media playlist,
// the value of the last tag line starting with prefix before it, and that
// line's number ("" and 0 when there is none).
func (ls playlistLines) persistentTag(prefix string) ([]string, []int) {
	var vals []string
	var lines []int
	val, at := "", 0
	for i, l := range ls {
		switch {
		case strings.HasPrefix(l, prefix):
			val, at = strings.TrimPrefix(l, prefix), i+1
		case l != "" && !strings.HasPrefix(l, "#"):
			vals, lines = append(vals, val), append(lines, at)
		}
	}
	return vals, lines
}
