package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/packager"
)

// PackageOptions choose what the packaging step writes.
type PackageOptions struct {
	SingleFile bool // one file per track with byte ranges instead of segment files
	HLSOnly    bool
	DASHOnly   bool
	// Encryption, when set, encrypts every track (Common Encryption) and
	// signals its DRM systems; the CLI resolves it from --encrypt, --keys
	// or --cpix (or VPACK_KEYS / VPACK_KEY), --drm and --clear-lead before
	// anything runs. Nil packages in the clear.
	Encryption *packager.Encryption `json:"-"`
	// Subtitles are side-car text files packaged as text tracks in
	// SubtitleFormat (wvtt when empty). `vpack encode` adds the source's own
	// text streams to them.
	Subtitles      []packager.Subtitle     `json:",omitempty"`
	SubtitleFormat packager.SubtitleFormat `json:",omitempty"`
}

func (o PackageOptions) check() error {
	if o.HLSOnly && o.DASHOnly {
		return errors.New("hls-only and dash-only exclude each other")
	}
	return nil
}

// PackageConfig is the input of Package: renditions made by any encoder.
type PackageConfig struct {
	Inputs          []packager.Input
	Output          string
	Force           bool
	SegmentDuration time.Duration
	Options         PackageOptions
	Log             *slog.Logger
	// Progress reports bytes of sample data written (stage "package").
	Progress func(stage string, done, total int64)
}

// PackageResult is what Package made.
type PackageResult struct {
	Output    string           `json:"output"`
	Summary   packager.Summary `json:"package"`
	Manifests []string         `json:"manifests"`
}

// Package packages existing renditions into cfg.Output, through a temporary
// folder that is renamed into place only when everything was written.
func Package(ctx context.Context, cfg PackageConfig) (*PackageResult, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Options.check(); err != nil {
		return nil, err
	}
	out, err := NewOutDir(cfg.Output, cfg.Force)
	if err != nil {
		return nil, err
	}
	defer out.Abort() //nolint:errcheck // best effort; after Commit it is a no-op
	res, err := runPackager(ctx, cfg.Inputs, out.Work, cfg.SegmentDuration, cfg.Options, nil, log, cfg.Progress)
	if err != nil {
		return nil, err
	}
	if err := out.Commit(); err != nil {
		return nil, err
	}
	return &PackageResult{Output: out.Final, Summary: res.Summary, Manifests: res.Manifests}, nil
}

// runPackager is the packaging step shared by Encode and Package.
func runPackager(ctx context.Context, inputs []packager.Input, dir string, seg time.Duration,
	opts PackageOptions, thumbs *packager.Thumbnails, log *slog.Logger, progress func(string, int64, int64)) (*packager.Result, error) {
	cfg := packager.Config{
		Inputs:          inputs,
		OutDir:          dir,
		SegmentDuration: seg,
		SingleFile:      opts.SingleFile,
		Encryption:      opts.Encryption,
		Subtitles:       opts.Subtitles,
		SubtitleFormat:  opts.SubtitleFormat,
		Thumbnails:      thumbs,
		Log:             log,
	}
	if progress != nil {
		cfg.Progress = func(done, total int64) { progress("package", done, total) }
	}
	if !opts.DASHOnly {
		cfg.HLS = &manifest.HLSOptions{}
	}
	if !opts.HLSOnly {
		cfg.DASH = &manifest.DASHOptions{}
	}
	return packager.Run(ctx, cfg)
}
