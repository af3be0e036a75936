package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/ladder"
	"github.com/vpack-dev/vpack/packager"
)

// EncodeConfig is the input of Encode.
type EncodeConfig struct {
	Input           string
	Output          string // final output folder
	Force           bool   // replace an existing output folder
	Ladder          string // built-in name, JSON file (ladder.Resolve) or "auto" (per-title)
	Codec           ladder.Codec
	Preset          string
	SegmentDuration time.Duration
	AudioCodec      ladder.Codec // stereo codec: aac (default) or opus
	Surround        bool         // add E-AC-3 5.1 for sources with >= 6 channels
	Package         PackageOptions
	// KeepRenditions keeps the encoded MP4 renditions in <Output>/renditions;
	// by default they are removed once packaged.
	KeepRenditions bool
	Log            *slog.Logger
	// Thumbnails, when set, makes tiled trick-play thumbnails of the source
	// (its Dir is chosen by Encode).
	Thumbnails *encode.ThumbnailConfig
	// NoSourceSubtitles leaves out the source's own text subtitle streams,
	// which are otherwise packaged with their language (see
	// encode.ExtractSubtitles).
	NoSourceSubtitles bool
	// PerTitle configures the analysis of Ladder "auto".
	PerTitle PerTitleOptions
	// Progress reports each stage's progress: "analyze" counts trial
	// encodes (Ladder "auto"), "encode" counts milliseconds of media time,
	// "package" counts bytes of sample data.
	Progress func(stage string, done, total int64)
}

// EncodeResult is what Encode made.
type EncodeResult struct {
	Output  string            `json:"output"`
	Probe   *encode.Probe     `json:"probe"`
	Ladder  ladder.Ladder     `json:"ladder"`
	Encode  *encode.Result    `json:"encode"`
	Package *packager.Summary `json:"package"`
	// Manifests are the manifest paths written, relative to Output.
	Manifests []string `json:"manifests"`
}

// renditionsDir holds the encoded MP4s inside the work folder.
const renditionsDir = "renditions"

// Encode probes the input, adapts the ladder to it, encodes every rung and
// packages the renditions into CMAF with HLS and DASH manifests. Everything
// is written into a temporary folder that becomes cfg.Output only on
// success.
func Encode(ctx context.Context, r encode.Runner, cfg EncodeConfig) (*EncodeResult, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Package.check(); err != nil {
		return nil, err
	}
	// Side-car subtitles are read now: a bad file must not cost an encode.
	if err := packager.CheckSubtitles(cfg.Package.Subtitles, cfg.Package.SubtitleFormat, cfg.Package.SingleFile); err != nil {
		return nil, err
	}
	// Everything that can be checked before writing is checked first, so a
	// bad input never creates a folder.
	auto := cfg.Ladder == ladder.AutoName
	var lad ladder.Ladder
	if !auto {
		l, err := ladder.Resolve(cfg.Ladder)
		if err != nil {
			return nil, err
		}
		lad = l
	}
	probe, err := encode.ProbeFile(ctx, r, cfg.Input)
	if err != nil {
		return nil, err
	}
	video, err := probe.PrimaryVideo()
	if err != nil {
		return nil, err
	}
	if auto {
		pt, err := perTitle(ctx, r, probe, LadderConfig{
			Input: cfg.Input, Codec: cfg.Codec, Preset: cfg.Preset, PerTitle: cfg.PerTitle, Log: log,
			Progress: func(done, total int64) {
				if cfg.Progress != nil {
					cfg.Progress("analyze", done, total)
				}
			},
		})
		if err != nil {
			return nil, err
		}
		lad = pt.Ladder
	}
	adapted, err := ladder.Adapt(lad, sourceOf(video), ladder.AdaptOptions{Codec: cfg.Codec})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Input, err)
	}
	audio := audioRenditions(adapted.Audio, cfg)
	log.Info("ladder", "name", lad.Name, "rungs", len(adapted.Video), "audio_tracks", len(probe.Audio))

	out, err := NewOutDir(cfg.Output, cfg.Force)
	if err != nil {
		return nil, err
	}
	defer out.Abort() //nolint:errcheck // best effort; after Commit it is a no-op

	rendDir, err := out.Scratch("renditions")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Output, err)
	}
	enc, err := encode.Run(ctx, r, encode.Config{
		Input:           cfg.Input,
		Probe:           probe,
		Video:           adapted.Video,
		Audio:           audio,
		OutDir:          rendDir,
		SegmentDuration: cfg.SegmentDuration,
		Preset:          cfg.Preset,
		Log:             log,
		Progress: func(done, total time.Duration) {
			if cfg.Progress != nil {
				cfg.Progress("encode", done.Milliseconds(), total.Milliseconds())
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Input, err)
	}

	// Package the renditions; rung names become the track IDs, so the
	// package's folders match the ladder.
	var inputs []packager.Input
	for _, v := range enc.Video {
		inputs = append(inputs, packager.Input{Path: v.Path, ID: v.Rung.Name, Name: renditionName(cfg.Input, v.File)})
	}
	for _, a := range enc.Audio {
		inputs = append(inputs, packager.Input{Path: a.Path, Name: renditionName(cfg.Input, a.File)})
	}
	opts := cfg.Package
	if !cfg.NoSourceSubtitles {
		if opts.Subtitles, err = sourceSubtitles(ctx, r, probe, out, opts.Subtitles, log); err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Input, err)
		}
	}
	var thumbs *packager.Thumbnails
	if cfg.Thumbnails != nil {
		if thumbs, err = thumbnails(ctx, r, probe, out, *cfg.Thumbnails); err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Input, err)
		}
	}
	pkg, err := runPackager(ctx, inputs, out.Work, enc.SegmentDuration, opts, thumbs, log, cfg.Progress)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Input, err)
	}
	if cfg.KeepRenditions {
		if err := os.Rename(rendDir, filepath.Join(out.Work, renditionsDir)); err != nil {
			return nil, fmt.Errorf("%s: keep renditions: %w", cfg.Output, err)
		}
	}
	if err := out.Commit(); err != nil {
		return nil, err
	}
	// Paths pointed into the work folder; point them at the result.
	for i := range enc.Video {
		enc.Video[i].Path = keptPath(out.Final, enc.Video[i].File, cfg.KeepRenditions)
	}
	for i := range enc.Audio {
		enc.Audio[i].Path = keptPath(out.Final, enc.Audio[i].File, cfg.KeepRenditions)
	}
	return &EncodeResult{Output: out.Final, Probe: probe, Ladder: adapted, Encode: enc,
		Package: &pkg.Summary, Manifests: pkg.Manifests}, nil
}

// renditionName labels an encoded rendition by its mezzanine, for messages
// and package.json: "movie.mov (rendition 720p-3000k.mp4)".
func renditionName(input, file string) string {
	return fmt.Sprintf("%s (rendition %s)", input, file)
}

func keptPath(final, file string, kept bool) string {
	if !kept {
		return ""
	}
	return filepath.Join(final, renditionsDir, file)
}

// sourceOf converts the probed video stream into ladder's view of a source.
func sourceOf(v encode.VideoStream) ladder.Source {
	return ladder.Source{
		Width:     v.Width,
		Height:    v.Height,
		SAR:       ladder.Rate{Num: v.SAR.Num, Den: v.SAR.Den},
		Rotation:  v.Rotation,
		FrameRate: ladder.Rate{Num: v.FrameRate.Num, Den: v.FrameRate.Den},
		HDR:       v.HDR,
	}
}

// audioRenditions applies --audio-codec and --surround to the ladder's audio.
func audioRenditions(base []ladder.Audio, cfg EncodeConfig) []ladder.Audio {
	var out []ladder.Audio
	for _, a := range base {
		if a.Channels <= 2 && cfg.AudioCodec == ladder.Opus && a.Codec == ladder.AAC {
			a = ladder.Audio{Codec: ladder.Opus, BitrateKbps: 96, Channels: a.Channels}
		}
		out = append(out, a)
	}
	if cfg.Surround && !hasCodec(out, ladder.EAC3) {
		out = append(out, ladder.Audio{Codec: ladder.EAC3, BitrateKbps: 384, Channels: 6})
	}
	return out
}

func hasCodec(as []ladder.Audio, c ladder.Codec) bool {
	for _, a := range as {
		if a.Codec == c {
			return true
		}
	}
	return false
}
