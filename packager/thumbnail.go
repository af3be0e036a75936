package packager

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vpack-dev/vpack/manifest"
)

// ThumbnailsVTT is the WebVTT thumbnail track writeThumbnails writes,
// relative to the output folder: one cue per thumbnail whose payload is
// the tile image and the thumbnail's rectangle in it (a media fragment,
// "thumbs-320x180/tile-00001.jpg#xywh=320,0,320,180"), the form web
// players (video.js, JW Player, Plyr, Vidstack) read for seek previews.
const ThumbnailsVTT = "images/thumbnails.vtt"

// thumbnailTimescale is the timescale of image tracks: milliseconds,
// which every thumbnail interval is a whole number of.
const thumbnailTimescale = 1000

// Thumbnails are trick-play thumbnails tiled into JPEG images, as
// encode.Thumbnails makes them: tile i holds thumbnails i*Cols*Rows
// onwards, left to right then top to bottom, thumbnail k showing the
// presentation at k*Interval.
type Thumbnails struct {
	Tiles []ThumbnailTile
	// Interval is the time between thumbnails, a whole number of
	// milliseconds.
	Interval time.Duration
	// Width and Height are one thumbnail; every tile image is
	// Cols*Width by Rows*Height, also a last one holding fewer.
	Width, Height int
	Cols, Rows    int
}

// ThumbnailTile is one tile image.
type ThumbnailTile struct {
	Path  string // the JPEG file, copied into the output
	Count int    // thumbnails in it: Cols*Rows, fewer in the last tile
}

// id is the track ID, which names the tiles' folder: "thumbs-320x180".
func (th *Thumbnails) id() string { return fmt.Sprintf("thumbs-%dx%d", th.Width, th.Height) }

// check validates th against itself; the images are checked as they are
// copied.
func (th *Thumbnails) check() error {
	per := th.Cols * th.Rows
	switch {
	case th.Interval <= 0 || th.Interval%time.Millisecond != 0:
		return fmt.Errorf("interval %v: want a positive whole number of milliseconds", th.Interval)
	case th.Width <= 0 || th.Height <= 0:
		return fmt.Errorf("thumbnail size %dx%d is not positive", th.Width, th.Height)
	case th.Cols <= 0 || th.Rows <= 0:
		return fmt.Errorf("layout %dx%d is not positive", th.Cols, th.Rows)
	case len(th.Tiles) == 0:
		return errors.New("no tiles")
	}
	for i, t := range th.Tiles {
		last := i == len(th.Tiles)-1
		if t.Count <= 0 || t.Count > per || !last && t.Count != per {
			return fmt.Errorf("tile %d holds %d thumbnails: want %d (%dx%d), or 1 to %d in the last tile",
				i+1, t.Count, per, th.Cols, th.Rows, per)
		}
	}
	return nil
}

// writeThumbnails copies the tiles of th into outDir/images/<id>/ as
// tile-00001.jpg, tile-00002.jpg, ..., writes ThumbnailsVTT (tiles
// first, so the VTT never points at a missing image), and returns the
// image track that describes them for the manifests:
//
//   - ID "thumbs-<w>x<h>" (one thumbnail), Type manifest.Image, MimeType
//     image/jpeg, Codecs "jpeg" (the HLS EXT-X-IMAGE-STREAM-INF CODECS);
//   - Width x Height the whole tile image, TileCols x TileRows its grid,
//     ThumbnailDurTicks the interval;
//   - one Segment per tile in milliseconds (Timescale 1000): a tile lasts
//     Cols*Rows*Interval, the last tile until the end of the presentation;
//   - PlaylistURI images/<id>/index.m3u8, for the HLS image playlist;
//   - BandwidthBps the peak bit rate as RFC 8216 §4.1 defines it (over
//     runs of tiles lasting 0.5 to 1.5 times the longest, so a last tile
//     of a few milliseconds does not set it), AverageBandwidthBps all
//     bits over the whole duration.
//
// Only thumbnails that start before presentationDur are published: a
// tile holding none of them is left out, and the last visible thumbnail
// is shown until presentationDur, as its cue says. The thumbnails must
// reach to within half an interval of the end (encode.Thumbnails makes
// ceil(duration/Interval) of them; audio priming can make the
// presentation a few milliseconds longer than the source).
//
// Every tile image must be a JPEG of the full tile size, also the last
// one: the manifests declare one size per track (DASH
// Representation@width/@height, HLS EXT-X-TILES) and players place the
// thumbnails by the grid. Its cells after the last thumbnail are never
// shown, because every player maps a time to thumbnail floor(t/Interval).
func writeThumbnails(outDir string, th *Thumbnails, presentationDur time.Duration) (manifest.Track, error) {
	if th == nil {
		return manifest.Track{}, errors.New("thumbnails: none")
	}
	if err := th.check(); err != nil {
		return manifest.Track{}, fmt.Errorf("thumbnails: %w", err)
	}
	if presentationDur < time.Millisecond {
		return manifest.Track{}, fmt.Errorf("thumbnails: presentation duration %v is less than a millisecond", presentationDur)
	}
	// Everything is timed in whole milliseconds, the end included, so
	// that no tile or cue is empty after rounding.
	presentationDur = time.Duration(thumbMillis(presentationDur)) * time.Millisecond
	per := th.Cols * th.Rows
	total := (len(th.Tiles)-1)*per + th.Tiles[len(th.Tiles)-1].Count
	need := int((presentationDur + th.Interval - 1) / th.Interval)
	if short := presentationDur - time.Duration(total)*th.Interval; 2*short > th.Interval {
		return manifest.Track{}, fmt.Errorf("thumbnails: %d every %v end %v before the %v presentation does",
			total, th.Interval, short, presentationDur)
	}
	visible := min(total, need)
	tiles := (visible + per - 1) / per

	id := th.id()
	dir := "images/" + id
	if err := os.MkdirAll(filepath.Join(outDir, filepath.FromSlash(dir)), 0o755); err != nil {
		return manifest.Track{}, fmt.Errorf("thumbnails: %w", err)
	}
	tr := manifest.Track{
		ID:          id,
		Type:        manifest.Image,
		Codecs:      "jpeg",
		MimeType:    manifest.MimeTypeJPEG,
		Width:       th.Cols * th.Width,
		Height:      th.Rows * th.Height,
		TileCols:    th.Cols,
		TileRows:    th.Rows,
		Timescale:   thumbnailTimescale,
		PlaylistURI: dir + "/index.m3u8",
		// Set although a full tile says it too: the only tile may be a
		// partial one.
		ThumbnailDurTicks: thumbMillis(th.Interval),
	}
	endTicks := thumbMillis(presentationDur)
	for i := range tiles {
		uri := fmt.Sprintf("%s/tile-%05d.jpg", dir, i+1)
		size, err := copyTile(th.Tiles[i].Path, filepath.Join(outDir, filepath.FromSlash(uri)), tr.Width, tr.Height)
		if err != nil {
			return manifest.Track{}, fmt.Errorf("thumbnails: tile %d: %w", i+1, err)
		}
		start := thumbMillis(time.Duration(i*per) * th.Interval)
		end := thumbMillis(time.Duration((i+1)*per) * th.Interval)
		if i == tiles-1 {
			end = endTicks
		}
		tr.Segments = append(tr.Segments, manifest.Segment{URI: uri, StartTicks: start, DurTicks: end - start, SizeBytes: size})
	}
	tr.BandwidthBps, tr.AverageBandwidthBps = imageBandwidth(tr.Segments, tr.Timescale)

	vtt := thumbnailsVTT(th, visible, presentationDur)
	if err := writeFileAtomic(filepath.Join(outDir, filepath.FromSlash(ThumbnailsVTT)), vtt); err != nil {
		return manifest.Track{}, fmt.Errorf("thumbnails: write %s: %w", ThumbnailsVTT, err)
	}
	return tr, nil
}

// copyTile copies the JPEG at src to dst atomically, after checking that
// it is a JPEG of w x h pixels, and returns its size.
func copyTile(src, dst string, w, h int) (int64, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return 0, err
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, fmt.Errorf("%s: not a JPEG image: %w", src, err)
	}
	if cfg.Width != w || cfg.Height != h {
		return 0, fmt.Errorf("%s: image is %dx%d, want the tile size %dx%d", src, cfg.Width, cfg.Height, w, h)
	}
	if err := writeFileAtomic(dst, data); err != nil {
		return 0, err
	}
	return int64(len(data)), nil
}

// thumbnailsVTT is the WebVTT file (W3C WebVTT, cue times hh:mm:ss.ttt)
// with one cue per visible thumbnail: thumbnail k from k*Interval to
// (k+1)*Interval, the last one to end.
func thumbnailsVTT(th *Thumbnails, visible int, end time.Duration) []byte {
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	per := th.Cols * th.Rows
	for k := range visible {
		start := time.Duration(k) * th.Interval
		stop := start + th.Interval
		if k == visible-1 {
			stop = end
		}
		j := k % per
		fmt.Fprintf(&b, "\n%s --> %s\n%s/tile-%05d.jpg#xywh=%d,%d,%d,%d\n",
			thumbCueTime(start), thumbCueTime(stop), th.id(), k/per+1,
			j%th.Cols*th.Width, j/th.Cols*th.Height, th.Width, th.Height)
	}
	return []byte(b.String())
}

// thumbCueTime formats d as a WebVTT timestamp, hours always present.
func thumbCueTime(d time.Duration) string {
	ms := thumbMillis(d)
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

// thumbMillis is d (not negative) in whole milliseconds, rounded to the
// nearest.
func thumbMillis(d time.Duration) uint64 {
	return uint64((d + time.Millisecond/2) / time.Millisecond)
}

// imageBandwidth returns the peak and average bit rates of segments in
// bits per second. The peak is RFC 8216 §4.1's peak segment bit rate: the
// highest rate of any run of consecutive segments lasting 0.5 to 1.5
// times the longest segment.
func imageBandwidth(segs []manifest.Segment, timescale uint32) (peak, avg int64) {
	rate := func(bytes int64, ticks uint64) int64 {
		return int64(math.Ceil(float64(bytes*8) * float64(timescale) / float64(ticks)))
	}
	var longest, ticks uint64
	var bytes int64
	for _, s := range segs {
		longest = max(longest, s.DurTicks)
		ticks += s.DurTicks
		bytes += s.SizeBytes
	}
	if ticks == 0 {
		return 0, 0
	}
	for i := range segs {
		var runBytes int64
		var runTicks uint64
		for _, s := range segs[i:] {
			runBytes += s.SizeBytes
			runTicks += s.DurTicks
			if 2*runTicks > 3*longest {
				break
			}
			if 2*runTicks >= longest {
				peak = max(peak, rate(runBytes, runTicks))
			}
		}
	}
	return peak, rate(bytes, ticks)
}

// addThumbnails writes the thumbnails and adds their track to the
// presentation and the summary.
func addThumbnails(res *Result, outDir string, th *Thumbnails) error {
	tr, err := writeThumbnails(outDir, th, res.Presentation.Duration)
	if err != nil {
		return err
	}
	res.Presentation.Tracks = append(res.Presentation.Tracks, tr)
	ts := TrackSummary{
		ID: tr.ID, Type: string(manifest.Image), Codecs: tr.Codecs, Width: tr.Width, Height: tr.Height,
		BandwidthBps: tr.BandwidthBps, AverageBandwidthBps: tr.AverageBandwidthBps,
		Timescale: tr.Timescale, Segments: len(tr.Segments), Playlist: tr.PlaylistURI,
		MinSegmentMs: math.MaxInt64, FirstSegment: tr.Segments[0].URI,
		Layout: fmt.Sprintf("%dx%d", th.Cols, th.Rows), IntervalMs: th.Interval.Milliseconds(), VTT: ThumbnailsVTT,
	}
	for _, s := range tr.Segments {
		ts.Bytes += s.SizeBytes
		ts.DurationMs += int64(s.DurTicks)
		ts.MinSegmentMs, ts.MaxSegmentMs = min(ts.MinSegmentMs, int64(s.DurTicks)), max(ts.MaxSegmentMs, int64(s.DurTicks))
	}
	res.Summary.Tracks = append(res.Summary.Tracks, ts)
	res.Summary.TotalBytes += ts.Bytes
	return nil
}
