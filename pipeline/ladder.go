package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/ladder"
)

// MetricAuto picks VMAF when an ffmpeg with libvmaf (and a model) is
// available, else PSNR.
const MetricAuto = "auto"

// PerTitleOptions configure per-title analysis (`vpack ladder`, and
// `vpack encode --ladder auto`). The zero value is the default analysis.
type PerTitleOptions struct {
	// Metric: ladder.MetricVMAF, MetricPSNR, MetricSSIM or MetricAuto
	// ("" is auto).
	Metric     string
	TopQuality float64 // 0: ladder.DefaultTopQuality(metric)
	MinKbps    int     // 0: 150
	MaxKbps    int     // 0: no limit
	MaxRungs   int     // 0: 8
	// ProbePreset is the trial encodes' preset; default veryfast.
	ProbePreset string
	// VMAFFFmpeg is an ffmpeg with libvmaf; "" means $VPACK_VMAF_FFMPEG,
	// else the ffmpeg vpack runs. VMAFModel is its model file; "" means
	// $VPACK_VMAF_MODEL, else libvmaf 2+'s built-in model.
	VMAFFFmpeg, VMAFModel string
	// CacheDir keeps trial results across runs ("" means the user cache
	// folder, vpack/trials); NoCache turns the cache off.
	CacheDir string
	NoCache  bool
	// WorkDir holds the raw sample windows during analysis; default the
	// system temporary folder.
	WorkDir string
}

// LadderConfig is the input of Ladder.
type LadderConfig struct {
	Input    string
	Codec    ladder.Codec // default h264
	Preset   string       // production preset the ladder is for; default medium
	PerTitle PerTitleOptions
	Log      *slog.Logger
	// Progress counts trial encodes done out of the current estimate.
	Progress func(done, total int64)
}

// LadderResult is what Ladder made.
type LadderResult struct {
	Probe  *encode.Probe `json:"probe"`
	Ladder ladder.Ladder `json:"ladder"`
	// Metric is the metric used (auto resolved).
	Metric string `json:"metric"`
	// CacheHits and CacheMisses count trials read from the cache and run.
	CacheHits   int `json:"cache_hits"`
	CacheMisses int `json:"cache_misses"`
}

// Ladder probes the input and builds its per-title ladder.
func Ladder(ctx context.Context, r encode.Runner, cfg LadderConfig) (*LadderResult, error) {
	probe, err := encode.ProbeFile(ctx, r, cfg.Input)
	if err != nil {
		return nil, err
	}
	return perTitle(ctx, r, probe, cfg)
}

// perTitle runs the analysis on a probed input: encode.Trials (ffmpeg)
// driven by ladder.PerTitle (what to measure, hull, rungs).
func perTitle(ctx context.Context, r encode.Runner, probe *encode.Probe, cfg LadderConfig) (*LadderResult, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	video, err := probe.PrimaryVideo()
	if err != nil {
		return nil, err
	}
	o := cfg.PerTitle
	metric, err := newMetric(ctx, r, o, log)
	if err != nil {
		return nil, err
	}
	preset := cmp.Or(cfg.Preset, encode.DefaultPreset)
	probePreset := cmp.Or(o.ProbePreset, encode.DefaultProbePreset)
	trials, err := encode.NewTrials(r, encode.TrialConfig{
		Input: cfg.Input, Probe: probe, Metric: metric, Preset: probePreset,
		WorkDir: o.WorkDir, Log: log,
	})
	if err != nil {
		return nil, err
	}
	defer trials.Close()
	var t ladder.Trialer = trials
	var cache *ladder.TrialCache
	if dir := cacheDir(o); dir != "" {
		cache = ladder.NewTrialCache(trials, dir, log)
		t = cache
	}
	l, err := ladder.PerTitle(ctx, t, ladder.PerTitleConfig{
		Source: sourceOf(video), Duration: probe.Duration, Codec: cfg.Codec, Metric: metric.Name(), TopQuality: o.TopQuality,
		MinKbps: o.MinKbps, MaxKbps: o.MaxKbps, MaxRungs: o.MaxRungs,
		Preset: preset, ProbePreset: probePreset, Log: log,
		Progress: func(done, total int) {
			if cfg.Progress != nil {
				cfg.Progress(int64(done), int64(total))
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: per-title ladder: %w", cfg.Input, err)
	}
	res := &LadderResult{Probe: probe, Ladder: l, Metric: metric.Name()}
	if cache != nil {
		res.CacheHits, res.CacheMisses = cache.Hits, cache.Misses
	}
	return res, nil
}

// newMetric builds the metric of o: VMAF through the ffmpeg that has it.
func newMetric(ctx context.Context, r encode.Runner, o PerTitleOptions, log *slog.Logger) (encode.Metric, error) {
	name := cmp.Or(o.Metric, MetricAuto)
	if name != ladder.MetricVMAF && name != MetricAuto {
		return encode.NewMetric(name, r, nil)
	}
	vr := r
	if p := cmp.Or(o.VMAFFFmpeg, os.Getenv("VPACK_VMAF_FFMPEG")); p != "" {
		vr = &encode.ExecRunner{FFmpegPath: p, Log: log}
	}
	vc, err := encode.FindVMAF(ctx, vr, cmp.Or(o.VMAFModel, os.Getenv("VPACK_VMAF_MODEL")))
	if err != nil {
		if name == MetricAuto && errors.Is(err, encode.ErrVMAFUnavailable) {
			log.Info("per-title: VMAF not available, using PSNR", "reason", err.Error())
			return encode.NewPSNR(r), nil
		}
		return nil, err
	}
	return encode.NewVMAF(*vc), nil
}

// cacheDir is where trial results are kept, or "" for none.
func cacheDir(o PerTitleOptions) string {
	if o.NoCache {
		return ""
	}
	if o.CacheDir != "" {
		return o.CacheDir
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "vpack", "trials")
}
