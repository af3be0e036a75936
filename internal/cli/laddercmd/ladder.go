// Package laddercmd implements `vpack ladder`: a per-title ladder for one
// input, from trial encodes and a convex hull.
package laddercmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vpack-dev/vpack/internal/cli/cmdutil"
	"github.com/vpack-dev/vpack/ladder"
	"github.com/vpack-dev/vpack/pipeline"
)

// LadderOptions are the inputs of `vpack ladder`.
type LadderOptions struct {
	IO      *cmdutil.IOStreams
	Factory *cmdutil.Factory
	JSON    bool

	Input       string
	Output      string // ladder file; "" prints it on stdout
	Report      string // report picture, .svg or .png; "" for none
	Codec       string
	Preset      string
	ProbePreset string
	Metric      string
	TopQuality  string // "95", "45dB", "0.99"; "" is the metric's default
	MinKbps     int
	MaxKbps     int
	MaxRungs    int
	VMAFFFmpeg  string
	VMAFModel   string
	CacheDir    string
	NoCache     bool
}

var presets = []string{"ultrafast", "veryfast", "faster", "fast", "medium", "slow", "slower"}

// NewCmdLadder builds the command; runF replaces ladderRun in tests.
func NewCmdLadder(f *cmdutil.Factory, runF func(context.Context, *LadderOptions) error) *cobra.Command {
	opts := &LadderOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "ladder <mezzanine> [-o ladder.json]",
		Short: "Build a per-title bitrate ladder from trial encodes of the input",
		Long: `Ladder builds a content-adaptive bitrate ladder for one input (the Netflix
per-title idea), fast enough for a laptop:

  1. a cheap pass (ffmpeg siti, scdet) picks a few representative sample
     windows instead of encoding the whole title for every trial;
  2. trial encodes of the windows at a fast preset (--probe-preset): every
     candidate resolution (Apple's, never above the source) at a few CRFs,
     plus trials at the production --preset that calibrate the others: one
     on a mid-size picture, one or two on the largest near the top rung;
  3. quality is measured at the display resolution, the trial scaled up
     bicubic as a player would: --metric vmaf, psnr (luma) or ssim;
  4. monotone rate-quality curves per resolution, their upper convex hull,
     and rungs from --top-quality down, 1.5-2x apart, between --min-kbps and
     --max-kbps, at most --max-rungs, the lowest at most 432p for phones;
     where a resolution that was not tried at a rung's bit rate might beat
     the rung's there, up to three more trials settle it first.

The rungs are capped CRF (peak 2x the average): 'vpack encode --ladder
ladder.json' encodes them, and 'vpack encode' without --ladder runs this
analysis itself. The file keeps the measured points, the hull and the
calibration beside the rungs; --report draws them (the curves per
resolution, the hull and the chosen rungs) as SVG or PNG, by the file's
extension.

VMAF needs an ffmpeg with the libvmaf filter: the one on PATH when it has it,
else --vmaf-ffmpeg (default $VPACK_VMAF_FFMPEG), and a model file,
--vmaf-model (default $VPACK_VMAF_MODEL). --metric auto (the default) uses
VMAF when available, else PSNR. scripts/setup-vmaf.sh fetches a static
ffmpeg with libvmaf 1.3 (model vmaf_v0.6.1.pkl).

Trial results are cached (--cache-dir, default the user cache folder) by the
input's content and the settings: a re-run is instant and an interrupted run
resumes.`,
		Example: `  vpack ladder movie.mov -o ladder.json --report ladder.svg
  vpack ladder movie.mov -o ladder.json --report ladder.png
  vpack ladder movie.mov -o ladder.json --codec hevc --max-rungs 6 --max-kbps 6000
  vpack ladder movie.mov -o ladder.json --metric psnr --top-quality 44dB
  vpack ladder movie.mov -o ladder.json --metric vmaf --vmaf-ffmpeg .cache/vmaf-ffmpeg/ffmpeg \
      --vmaf-model ../shared/vmaf/vmaf_v0.6.1.pkl
  vpack encode movie.mov -o out/ --ladder ladder.json`,
		Args: cmdutil.ExactArgs(1, "one input file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Input = args[0]
			opts.JSON = f.Flags.JSON
			if err := opts.check(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return ladderRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Output, "output", "o", "", "ladder file to write (default: print the ladder on stdout)")
	fl.StringVar(&opts.Report, "report", "", "draw the curves, hull and rungs into this .svg or .png file")
	fl.StringVar(&opts.Codec, "codec", "h264", "video codec of the ladder: h264, hevc or av1")
	fl.StringVar(&opts.Preset, "preset", "medium", "production preset the ladder will be encoded with (calibrated against)")
	fl.StringVar(&opts.ProbePreset, "probe-preset", "veryfast", "preset of the trial encodes")
	fl.StringVar(&opts.Metric, "metric", pipeline.MetricAuto, "quality metric: auto, vmaf, psnr or ssim")
	fl.StringVar(&opts.TopQuality, "top-quality", "", "quality of the top rung: VMAF 95, PSNR 45dB, SSIM 0.99 by default")
	fl.IntVar(&opts.MinKbps, "min-kbps", 150, "lowest rung's bit rate")
	fl.IntVar(&opts.MaxKbps, "max-kbps", 8000, "top rung's bit rate at most, and no rung's peak above it (0: no limit)")
	fl.IntVar(&opts.MaxRungs, "max-rungs", 8, "most rungs")
	fl.StringVar(&opts.VMAFFFmpeg, "vmaf-ffmpeg", os.Getenv("VPACK_VMAF_FFMPEG"), "ffmpeg with libvmaf (default $VPACK_VMAF_FFMPEG, else the ffmpeg on PATH)")
	fl.StringVar(&opts.VMAFModel, "vmaf-model", os.Getenv("VPACK_VMAF_MODEL"), "VMAF model file (default $VPACK_VMAF_MODEL)")
	fl.StringVar(&opts.CacheDir, "cache-dir", "", "trial cache folder (default: the user cache folder, vpack/trials)")
	fl.BoolVar(&opts.NoCache, "no-cache", false, "neither read nor write the trial cache")
	return cmd
}

func (o *LadderOptions) check() error {
	switch ladder.Codec(o.Codec) {
	case ladder.H264, ladder.HEVC, ladder.AV1:
	default:
		return cmdutil.FlagErrorf("--codec must be h264, hevc or av1, not %q", o.Codec)
	}
	if !slices.Contains(presets, o.Preset) {
		return cmdutil.FlagErrorf("--preset must be one of %v, not %q", presets, o.Preset)
	}
	if !slices.Contains(presets, o.ProbePreset) {
		return cmdutil.FlagErrorf("--probe-preset must be one of %v, not %q", presets, o.ProbePreset)
	}
	if o.Metric != pipeline.MetricAuto && !slices.Contains(ladder.MetricNames, o.Metric) {
		return cmdutil.FlagErrorf("--metric must be auto, vmaf, psnr or ssim, not %q", o.Metric)
	}
	if _, err := ParseQuality(o.TopQuality, o.Metric); err != nil {
		return cmdutil.FlagErrorf("--top-quality: %v", err)
	}
	switch {
	case o.MinKbps < 1:
		return cmdutil.FlagErrorf("--min-kbps must be at least 1, not %d", o.MinKbps)
	case o.MaxKbps < 0 || (o.MaxKbps > 0 && o.MaxKbps < o.MinKbps):
		return cmdutil.FlagErrorf("--max-kbps must be 0 (no limit) or at least --min-kbps %d, not %d", o.MinKbps, o.MaxKbps)
	case o.MaxRungs < 1 || o.MaxRungs > 20:
		return cmdutil.FlagErrorf("--max-rungs must be between 1 and 20, not %d", o.MaxRungs)
	}
	if o.Report != "" && reportWriter(o.Report) == nil {
		return cmdutil.FlagErrorf("--report must name an .svg or .png file, not %q", o.Report)
	}
	if o.Output != "" && filepath.Clean(o.Output) == filepath.Clean(o.Input) {
		return cmdutil.FlagErrorf("--output must not be the input file")
	}
	return nil
}

// ParseQuality reads a --top-quality value: a number, with an optional
// "dB" suffix for PSNR ("45dB"). "" is 0 (the metric's default). The value
// must fit the metric's scale when the metric is known: VMAF 0-100, SSIM
// 0-1, PSNR 0-100 dB.
func ParseQuality(s, metric string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	t := strings.TrimSpace(s)
	db := false
	if v, ok := strings.CutSuffix(strings.ToLower(t), "db"); ok {
		t, db = strings.TrimSpace(v), true
	}
	q, err := strconv.ParseFloat(t, 64)
	if err != nil || q <= 0 {
		return 0, fmt.Errorf("%q is not a positive number (like 95 or 45dB)", s)
	}
	switch {
	case db && metric != ladder.MetricPSNR:
		return 0, fmt.Errorf("%q is in dB, which only --metric psnr measures", s)
	case metric == ladder.MetricSSIM && q > 1:
		return 0, fmt.Errorf("SSIM is between 0 and 1, not %g", q)
	case q > 100:
		return 0, fmt.Errorf("%g is above 100", q)
	}
	return q, nil
}

func ladderRun(ctx context.Context, opts *LadderOptions) error {
	f := opts.Factory
	runner, err := f.FFmpeg()
	if err != nil {
		return err
	}
	top, _ := ParseQuality(opts.TopQuality, opts.Metric)
	progress := f.NewProgress("analyze")
	defer progress.Finish()
	res, err := pipeline.Ladder(ctx, runner, pipeline.LadderConfig{
		Input: opts.Input, Codec: ladder.Codec(opts.Codec), Preset: opts.Preset,
		PerTitle: pipeline.PerTitleOptions{
			Metric: opts.Metric, TopQuality: top, MinKbps: opts.MinKbps, MaxKbps: opts.MaxKbps, MaxRungs: opts.MaxRungs,
			ProbePreset: opts.ProbePreset, VMAFFFmpeg: opts.VMAFFFmpeg, VMAFModel: opts.VMAFModel,
			CacheDir: opts.CacheDir, NoCache: opts.NoCache,
		},
		Log:      f.Logger(),
		Progress: func(done, total int64) { progress.Update(done, total, nil) },
	})
	progress.Finish()
	if err != nil {
		return err
	}
	data, err := ladder.Marshal(res.Ladder)
	if err != nil {
		return err
	}
	var written []string
	if opts.Output != "" {
		if err := writeFile(opts.Output, data); err != nil {
			return fmt.Errorf("write ladder: %w", err)
		}
		written = append(written, opts.Output)
	}
	if opts.Report != "" {
		var pic bytes.Buffer
		if err := reportWriter(opts.Report)(&pic, res.Ladder); err != nil {
			return err
		}
		if err := writeFile(opts.Report, pic.Bytes()); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		written = append(written, opts.Report)
	}
	switch {
	case opts.JSON:
		return cmdutil.WriteJSON(opts.IO.Out, res)
	case opts.Output == "":
		_, err = opts.IO.Out.Write(data)
		return err
	}
	for _, p := range written {
		if _, err := fmt.Fprintln(opts.IO.Out, p); err != nil {
			return err
		}
	}
	return nil
}

// reportWriter returns the report writer for a file name's extension
// (.svg, .png, any case); nil for any other.
func reportWriter(path string) func(io.Writer, ladder.Ladder) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		return ladder.WriteReportSVG
	case ".png":
		return ladder.WriteReportPNG
	}
	return nil
}

// writeFile writes data to path atomically (temporary file, then rename).
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}
