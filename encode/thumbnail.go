package encode

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Defaults of ThumbnailConfig.
const (
	DefaultThumbnailInterval = 10 * time.Second
	DefaultThumbnailWidth    = 320
	DefaultThumbnailCols     = 5
	DefaultThumbnailRows     = 5
	DefaultThumbnailQuality  = 5
)

// maxJPEGSide is the largest width or height a baseline JPEG can state
// (a 16-bit field), which bounds a tile image.
const maxJPEGSide = 65535

// ThumbnailConfig is the input of Thumbnails.
type ThumbnailConfig struct {
	// Interval is the time between thumbnails: thumbnail k shows the
	// source at k*Interval. It must be a whole number of milliseconds (the
	// packager's timescale); zero means DefaultThumbnailInterval.
	Interval time.Duration
	// Width and Height are the size of one thumbnail in pixels, both even
	// (4:2:0 JPEG). Zero Width means DefaultThumbnailWidth; zero Height
	// keeps the display aspect of the source (SAR and rotation applied),
	// rounded to even. A size of another aspect is letterboxed or
	// pillarboxed in black, never stretched.
	Width, Height int
	// Cols and Rows are the grid of one tile image; zero means 5x5.
	Cols, Rows int
	// Quality is the JPEG quantiser (ffmpeg -q:v): 2 (best, largest) to
	// 31; zero means DefaultThumbnailQuality.
	Quality int
	// Dir is an existing folder that receives tile-00001.jpg,
	// tile-00002.jpg, ... The caller owns it, as Config.OutDir.
	Dir string
	Log *slog.Logger
}

// ThumbnailResult lists the tile images Thumbnails wrote.
type ThumbnailResult struct {
	Tiles    []Tile        `json:"tiles"`
	Interval time.Duration `json:"interval_ns"`
	// Width and Height are one thumbnail; a tile image is Cols*Width by
	// Rows*Height.
	Width  int `json:"width"`
	Height int `json:"height"`
	Cols   int `json:"cols"`
	Rows   int `json:"rows"`
	// Count is the number of thumbnails, ceil(source duration / Interval).
	Count int `json:"count"`
}

// Tile is one JPEG holding up to Cols*Rows thumbnails, left to right, then
// top to bottom: thumbnail j of the tile is at column j%Cols, row j/Cols,
// and shows the source at Start + j*Interval.
type Tile struct {
	Path  string        `json:"path"`
	Start time.Duration `json:"start_ns"` // time of the first thumbnail
	// Count is the number of thumbnails in the tile: Cols*Rows, except in
	// the last tile, which may hold fewer. Its image has the full size
	// anyway, the cells after Count left black: every tile of a track must
	// have the size the manifests declare (DASH Representation@width,
	// HLS EXT-X-TILES), and players that scale a tile to that size would
	// misplace the cells of a cropped one. Players never show the black
	// cells, which lie after the end of the presentation.
	Count  int `json:"count"`
	Width  int `json:"width"` // whole image: Cols * thumbnail width
	Height int `json:"height"`
}

// Thumbnails writes trick-play thumbnails of the primary video stream of
// input (probe is ProbeFile's report on it): one thumbnail every
// cfg.Interval, scaled to the display aspect, tiled cfg.Cols by cfg.Rows
// into JPEG images cfg.Dir/tile-00001.jpg, ... One ffmpeg process decodes
// the source once (see thumbnailFilter for the filter chain).
//
// Thumbnail k shows the first frame whose time is at or after k*Interval:
// exactly the frame at k*Interval when there is one. There are
// ceil(duration/Interval) thumbnails, duration being probe.Duration; when
// the picture ends before the file does (longer audio), the last frame
// fills the remaining thumbnails, as a player would show it.
//
// Errors: a bad cfg is returned before ffmpeg starts; an input without a
// video stream, of unknown duration or shorter than the interval is an
// *InputError; a failing ffmpeg a *ToolError; cancelling ctx stops ffmpeg
// and the error wraps ctx.Err(). After an error cfg.Dir may hold partial
// tiles, which the caller removes.
func Thumbnails(ctx context.Context, r Runner, input string, probe *Probe, cfg ThumbnailConfig) (*ThumbnailResult, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p, err := newThumbnailPlan(input, probe, cfg)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(p.cfg.Dir); err != nil {
		return nil, fmt.Errorf("thumbnail folder: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("thumbnail folder %s: not a folder", p.cfg.Dir)
	}
	log.Info("thumbnails", "input", input, "interval", p.cfg.Interval, "count", p.count,
		"size", fmt.Sprintf("%dx%d", p.w, p.h), "layout", fmt.Sprintf("%dx%d", p.cfg.Cols, p.cfg.Rows))
	start := time.Now()
	err = r.Run(ctx, FFmpeg, p.args(), nil)
	if ctxErr := ctx.Err(); ctxErr != nil && (err == nil || !errors.Is(err, ctxErr)) {
		if err == nil {
			err = ctxErr
		} else {
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("thumbnails: %w", err)
	}
	res, err := p.result()
	if err != nil {
		return nil, err
	}
	log.Info("thumbnails written", "tiles", len(res.Tiles), "elapsed", time.Since(start).Round(time.Millisecond))
	return res, nil
}

// ParseThumbnailSize reads a thumbnail size as the --thumbnail-size flag
// gives it: "320x180", or "320" (or "320x0") to keep the source's aspect.
func ParseThumbnailSize(s string) (width, height int, err error) {
	ws, hs, found := strings.Cut(strings.TrimSpace(s), "x")
	width, errW := strconv.Atoi(ws)
	height, errH := 0, error(nil)
	if found {
		height, errH = strconv.Atoi(hs)
	}
	if errW != nil || errH != nil || width <= 0 || height < 0 {
		return 0, 0, fmt.Errorf("thumbnail size %q: want WIDTHxHEIGHT in pixels, e.g. 320x180, or a width alone", s)
	}
	return width, height, nil
}

// thumbnailPlan is a checked ThumbnailConfig with defaults filled in.
type thumbnailPlan struct {
	input string
	cfg   ThumbnailConfig
	src   VideoStream
	w, h  int // one thumbnail
	// fitW, fitH is the picture inside a thumbnail: w, h unless the
	// requested size has another aspect than the source.
	fitW, fitH int
	count      int // thumbnails
}

func newThumbnailPlan(input string, probe *Probe, cfg ThumbnailConfig) (*thumbnailPlan, error) {
	if input == "" {
		return nil, errors.New("no input file")
	}
	if probe == nil {
		return nil, fmt.Errorf("%s: not probed", input)
	}
	cfg.Interval = cmp.Or(cfg.Interval, DefaultThumbnailInterval)
	cfg.Width = cmp.Or(cfg.Width, DefaultThumbnailWidth)
	cfg.Cols = cmp.Or(cfg.Cols, DefaultThumbnailCols)
	cfg.Rows = cmp.Or(cfg.Rows, DefaultThumbnailRows)
	cfg.Quality = cmp.Or(cfg.Quality, DefaultThumbnailQuality)
	switch {
	case cfg.Interval < 0:
		return nil, fmt.Errorf("thumbnail interval %v: want a positive duration", cfg.Interval)
	case cfg.Interval%time.Millisecond != 0:
		return nil, fmt.Errorf("thumbnail interval %v: want whole milliseconds", cfg.Interval)
	case cfg.Width < 0 || cfg.Height < 0 || cfg.Width%2 != 0 || cfg.Height%2 != 0:
		return nil, fmt.Errorf("thumbnail size %dx%d: want positive even sides (4:2:0)", cfg.Width, cfg.Height)
	case cfg.Cols < 0 || cfg.Rows < 0:
		return nil, fmt.Errorf("thumbnail layout %dx%d: want positive columns and rows", cfg.Cols, cfg.Rows)
	case cfg.Quality < 2 || cfg.Quality > 31:
		return nil, fmt.Errorf("thumbnail quality %d: want 2 (best) to 31", cfg.Quality)
	case cfg.Dir == "":
		return nil, errors.New("no thumbnail folder")
	}
	src, err := probe.PrimaryVideo()
	if err != nil {
		return nil, err
	}
	dw, dh := src.DisplaySize()
	if dw <= 0 || dh <= 0 {
		return nil, &InputError{Path: input, Reason: "video picture size is unknown"}
	}
	p := &thumbnailPlan{input: input, cfg: cfg, src: src}
	p.w, p.h, p.fitW, p.fitH = thumbnailSize(dw, dh, cfg.Width, cfg.Height)
	if tw, th := cfg.Cols*p.w, cfg.Rows*p.h; tw > maxJPEGSide || th > maxJPEGSide {
		return nil, fmt.Errorf("thumbnail tile %dx%d (%dx%d of %dx%d): JPEG allows at most %d pixels a side",
			tw, th, cfg.Cols, cfg.Rows, p.w, p.h, maxJPEGSide)
	}
	switch d := probe.Duration; {
	case d <= 0:
		return nil, &InputError{Path: input, Reason: "duration is unknown, so thumbnails cannot be timed"}
	case d < cfg.Interval:
		return nil, &InputError{Path: input, Reason: fmt.Sprintf("lasts %v, less than the thumbnail interval %v", d, cfg.Interval)}
	}
	p.count = int(ceilDiv(int64(probe.Duration), int64(cfg.Interval)))
	return p, nil
}

// thumbnailSize returns the size of one thumbnail and of the picture in
// it, for a source displayed at dw x dh and a requested size (h 0: keep
// the aspect). All are even. The picture fills the thumbnail unless the
// aspects differ by more than rounding (2 pixels), when it is fitted
// inside and centred.
func thumbnailSize(dw, dh, w, h int) (tw, th, fitW, fitH int) {
	even := func(x float64) int { return max(2, 2*int(x/2+0.5)) }
	if h == 0 {
		h = even(float64(w) * float64(dh) / float64(dw))
	}
	fitW, fitH = w, h
	if w*dh > h*dw { // the source is narrower: pillarbox
		fitW = even(float64(h) * float64(dw) / float64(dh))
	} else {
		fitH = even(float64(w) * float64(dh) / float64(dw))
	}
	if w-fitW <= 2 && h-fitH <= 2 {
		fitW, fitH = w, h
	}
	return w, h, fitW, fitH
}

// thumbnailEpsilon absorbs the rounding of a frame time in a double:
// a frame within 1 µs of k*Interval counts as exactly on it.
const thumbnailEpsilon = "0.000001"

// thumbnailFilter is the filter chain from the decoded (and autorotated)
// primary video stream to the tile images:
//
//	tpad    repeats the last frame for two intervals (at the frame rate),
//	        so that the first multiple of the interval after the end of
//	        the picture (audio outlasting it) finds the last frame, not
//	        the one kept before;
//	select  keeps each frame that is the first at or after one or more
//	        multiples of the interval I: its slot floor((t+ε)/I) is above
//	        the previous kept frame's (the first frame is always kept);
//	setpts  stamps a kept frame with the first multiple of I it stands
//	        for, floor((t_prev+ε)/I)+1 (0 for the first);
//	fps=1/I then emits one frame per multiple of I, repeating a frame
//	        that stands for several (a gap longer than I in a variable
//	        frame rate source), so thumbnail k is the first frame at or
//	        after k*I;
//	scale   to the thumbnail (in display space: ffmpeg has already
//	        rotated the frame upright; SAR is undone by scaling to exact
//	        sizes and setsar=1), then tone mapping for an HDR source (as
//	        for H.264 rungs);
//	format  yuvj420p, full-range 4:2:0 as JPEG wants it, then pad for a
//	        size of another aspect;
//	tpad, trim
//	        make the count exactly ceil(duration/I): the last thumbnail
//	        (the last frame) is repeated for the multiples of I left when
//	        the picture ends early, extra frames are dropped;
//	tile    CxR, left to right then top to bottom; ffmpeg flushes a
//	        partial last tile at full size with black cells.
//
// Only the kept frames are scaled, so the cost is the decode.
func (p *thumbnailPlan) thumbnailFilter() string {
	iv := newRat(int64(p.cfg.Interval), int64(time.Second)).expr()
	rate := newRat(int64(time.Second), int64(p.cfg.Interval)).expr()
	slot := func(t string) string { return fmt.Sprintf("floor((%s+%s)/(%s))", t, thumbnailEpsilon, iv) }
	parts := []string{
		"tpad=stop_mode=clone:stop_duration=" + strconv.FormatFloat((2*p.cfg.Interval).Seconds(), 'f', 3, 64),
		fmt.Sprintf("select='isnan(prev_selected_t)+gt(%s,%s)'", slot("t"), slot("prev_selected_t")),
		fmt.Sprintf("setpts='if(isnan(PREV_INT),0,%s+1)*(%s)/TB'", slot("PREV_INT"), iv),
		"fps=fps=" + rate,
		fmt.Sprintf("scale=%d:%d:flags=%s", p.fitW, p.fitH, scaleFlags),
	}
	if p.src.HDR {
		parts = append(parts, toneMapChain(p.src))
	}
	parts = append(parts, "setsar=1", "format=yuvj420p")
	if p.fitW != p.w || p.fitH != p.h {
		parts = append(parts, fmt.Sprintf("pad=%d:%d:%d:%d:black", p.w, p.h, (p.w-p.fitW)/4*2, (p.h-p.fitH)/4*2))
	}
	parts = append(parts,
		fmt.Sprintf("tpad=stop=%d:stop_mode=clone", p.count),
		fmt.Sprintf("trim=end_frame=%d", p.count),
		fmt.Sprintf("tile=%dx%d", p.cfg.Cols, p.cfg.Rows),
	)
	return fmt.Sprintf("[0:%d]%s[v]", p.src.Index, strings.Join(parts, ","))
}

// args is the ffmpeg command: errors only on stderr (swscale warns about
// every yuvj420p conversion), the tiles as an image sequence numbered
// from 1, one file per tile frame (passthrough: no frame duplicated or
// dropped to meet a rate).
func (p *thumbnailPlan) args() []string {
	pattern := filepath.Join(strings.ReplaceAll(p.cfg.Dir, "%", "%%"), "tile-%05d.jpg")
	return []string{
		"-hide_banner", "-nostdin", "-y", "-loglevel", "error",
		"-i", "file:" + p.input,
		"-filter_complex", p.thumbnailFilter(),
		"-map", "[v]", "-fps_mode", "passthrough",
		"-c:v", "mjpeg", "-q:v", strconv.Itoa(p.cfg.Quality),
		"-map_metadata", "-1",
		"-f", "image2", "-start_number", "1", "file:" + pattern,
	}
}

// tileCount is the number of tile images.
func (p *thumbnailPlan) tileCount() int {
	return int(ceilDiv(int64(p.count), int64(p.cfg.Cols*p.cfg.Rows)))
}

// result checks that every tile the plan expects was written.
func (p *thumbnailPlan) result() (*ThumbnailResult, error) {
	per := p.cfg.Cols * p.cfg.Rows
	res := &ThumbnailResult{
		Interval: p.cfg.Interval, Width: p.w, Height: p.h, Cols: p.cfg.Cols, Rows: p.cfg.Rows, Count: p.count,
	}
	for i := range p.tileCount() {
		path := filepath.Join(p.cfg.Dir, fmt.Sprintf("tile-%05d.jpg", i+1))
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("thumbnails: tile %d of %d: %w", i+1, p.tileCount(), err)
		}
		res.Tiles = append(res.Tiles, Tile{
			Path:   path,
			Start:  time.Duration(i*per) * p.cfg.Interval,
			Count:  min(per, p.count-i*per),
			Width:  p.cfg.Cols * p.w,
			Height: p.cfg.Rows * p.h,
		})
	}
	return res, nil
}
