package packager

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vpack-dev/vpack/manifest"
)

// DefaultSegmentDuration is the target segment duration when
// Config.SegmentDuration is zero.
const DefaultSegmentDuration = 4 * time.Second

// Input is one rendition file: an MP4 (progressive or fragmented) holding
// video, audio or both, made by any encoder.
type Input struct {
	Path string
	// Language overrides the language of the file's audio tracks (BCP 47 or
	// ISO 639-2, e.g. "en" or "eng"); empty means use the track's mdhd/elng.
	Language string
	// ID overrides the derived track ID of the file's first video track (of
	// its first audio track when it has no video). It must be URL-safe:
	// letters, digits, '.', '_' and '-'.
	ID string
	// Name is how error messages and package.json call this input; empty
	// means Path. `vpack encode` names the mezzanine and rung here rather
	// than the temporary file the packager reads.
	Name string
}

// Config is what Run packages and where.
type Config struct {
	Inputs []Input
	// OutDir receives the output. It is created when missing and must be
	// empty when it exists. Nothing is created in it until every input has
	// been read and checked; a run that fails later leaves partial output
	// that the caller removes (the CLI packages into a temporary folder and
	// renames it).
	OutDir string
	// SegmentDuration is the target: segments are cut at the first video
	// keyframe at or after each multiple of it. Zero means
	// DefaultSegmentDuration.
	SegmentDuration time.Duration
	// SingleFile writes one file per track (ftyp+moov, sidx, fragments)
	// addressed by byte ranges instead of one file per segment.
	SingleFile bool
	// Concurrency bounds how many segments are written at once; zero means
	// GOMAXPROCS.
	Concurrency int
	Log         *slog.Logger // nil discards
	// Progress, when set, is called after each segment with the bytes of
	// sample data written so far and in total. Calls are serialised.
	Progress func(done, total int64)

	// HLS, when set, makes Run write the HLS playlists (manifest.WriteHLS)
	// once the media is written; DASH likewise the MPD, named MPDName
	// (DefaultMPDName when empty). Manifests are written last, so an
	// interrupted run never leaves one pointing at missing media.
	HLS     *manifest.HLSOptions
	DASH    *manifest.DASHOptions
	MPDName string

	// Encryption, when set, encrypts every track with Common Encryption
	// and signals the DRM systems (see the package documentation,
	// "Encryption"). Nil packages in the clear.
	Encryption *Encryption

	// Subtitles are packaged as text tracks cut on the video's segment
	// boundaries, in SubtitleFormat (SubtitleWVTT when empty;
	// SubtitleSidecar, the only one allowed, in single-file mode). They
	// are never encrypted.
	Subtitles      []Subtitle
	SubtitleFormat SubtitleFormat

	// Thumbnails, when set, are tiled trick-play thumbnails (made by
	// encode.Thumbnails) published as an image track: tiles under
	// images/<id>/, a DASH thumbnail AdaptationSet, an HLS image playlist,
	// and the WebVTT thumbnail track ThumbnailsVTT.
	Thumbnails *Thumbnails

	// copyBufferBytes bounds the sample data held in memory per worker
	// (tests shrink it); zero means defaultCopyBufferBytes.
	copyBufferBytes int
}

// Result describes what Run wrote.
type Result struct {
	// Presentation is the model manifest.WriteHLS / WriteDASH take; every
	// number in it was measured from the written media.
	Presentation *manifest.Presentation
	// Summary is what package.json holds.
	Summary Summary
	Stats   Stats
	// Manifests are the manifest files written, relative to OutDir, in the
	// order they were written.
	Manifests []string
}

// Stats are counters of one run, for logs, benchmarks and tests.
type Stats struct {
	SampleBytes  int64 // sample payload bytes copied
	BytesWritten int64 // all bytes written (media, init, index)
	Files        int   // media files written (init, segments, single files)
	// MaxReadBytes is the largest single read of sample data into memory.
	// It is bounded by the copy buffer, never by the input's length: sample
	// data is streamed by ranges (or copied in the kernel), never loaded
	// whole.
	MaxReadBytes int64
}

// DefaultMPDName is the name of the MPD when Config.MPDName is empty.
const DefaultMPDName = "manifest.mpd"

// SummaryFile is the name of the summary Run writes into OutDir.
const SummaryFile = "package.json"

// Run reads every input and subtitle, checks them (tracks, codecs,
// truncation, keyframe alignment of the video renditions, subtitle syntax
// and languages) before writing anything, then writes one CMAF track per
// input track and the text tracks into cfg.OutDir (layout: see the package
// documentation) and package.json, and returns the presentation to write
// manifests from.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Inputs) == 0 {
		return nil, errors.New("no inputs")
	}
	if cfg.OutDir == "" {
		return nil, errors.New("no output folder")
	}
	target := cfg.SegmentDuration
	if target == 0 {
		target = DefaultSegmentDuration
	}
	if target < 100*time.Millisecond {
		return nil, fmt.Errorf("segment duration %v is too short", target)
	}

	if cfg.Encryption != nil {
		if err := cfg.Encryption.check(); err != nil {
			return nil, err
		}
	}
	subs, err := readSubtitles(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Thumbnails != nil {
		if err := cfg.Thumbnails.check(); err != nil {
			return nil, fmt.Errorf("thumbnails: %w", err)
		}
	}

	var sources []*source
	defer func() {
		for _, s := range sources {
			s.close()
		}
	}()
	for _, in := range cfg.Inputs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s, err := openSource(in, log)
		if err != nil {
			return nil, err
		}
		sources = append(sources, s)
	}

	p, err := newPlan(sources, target, cfg.SingleFile, log)
	if err != nil {
		return nil, err
	}
	if cfg.Encryption != nil {
		if err := p.planEncryption(cfg.Encryption, log); err != nil {
			return nil, err
		}
	}
	texts, err := p.planText(subs, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := prepareOutDir(cfg.OutDir); err != nil {
		return nil, err
	}
	stats, err := p.write(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := writeText(ctx, cfg.OutDir, texts, &stats); err != nil {
		return nil, err
	}
	res := &Result{Presentation: p.presentation(), Summary: p.summary(), Stats: stats}
	addText(res, texts)
	if cfg.Thumbnails != nil {
		if err := addThumbnails(res, cfg.OutDir, cfg.Thumbnails); err != nil {
			return nil, err
		}
	}
	if err := writeSummary(filepath.Join(cfg.OutDir, SummaryFile), &res.Summary); err != nil {
		return nil, err
	}
	if res.Manifests, err = writeManifests(cfg, res.Presentation); err != nil {
		return nil, err
	}
	log.Info("packaged", "tracks", len(p.tracks), "segments", res.Summary.Segments,
		"bytes", stats.BytesWritten, "path", cfg.OutDir)
	return res, nil
}

// prepareOutDir creates dir, or checks that it is empty.
func prepareOutDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create output folder: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("read output folder: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("%s: %w", dir, ErrOutDirNotEmpty)
	}
	return nil
}

// writeManifests writes the manifests cfg asks for: the MPD, then the HLS
// playlists in manifest.WriteHLS's order (the multivariant playlist last).
func writeManifests(cfg Config, p *manifest.Presentation) ([]string, error) {
	var files []manifest.File
	if cfg.DASH != nil {
		data, err := manifest.WriteDASH(p, *cfg.DASH)
		if err != nil {
			return nil, fmt.Errorf("write DASH: %w", err)
		}
		name := cfg.MPDName
		if name == "" {
			name = DefaultMPDName
		}
		files = append(files, manifest.File{Name: name, Data: data})
	}
	if cfg.HLS != nil {
		hls, err := manifest.WriteHLS(p, *cfg.HLS)
		if err != nil {
			return nil, fmt.Errorf("write HLS: %w", err)
		}
		files = append(files, hls...)
	}
	var names []string
	for _, f := range files {
		path := filepath.Join(cfg.OutDir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.Name, err)
		}
		if err := writeFileAtomic(path, f.Data); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.Name, err)
		}
		names = append(names, f.Name)
	}
	return names, nil
}
