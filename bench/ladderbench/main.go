// Command ladderbench proves what vpack's per-title ladders save against
// Apple's fixed H.264 ladder, with measured figures.
//
//	go run ./bench/ladderbench -o bench/results
//
// It generates deterministic 1080p25 clips (5 s each) from ffmpeg's lavfi
// sources, from static slides to noise, as high-quality H.264 mezzanines,
// and for every clip encodes, with the same encoder (libx264) and preset:
//
//   - apple: the apple-h264 ladder adapted to the clip (Apple's capped VBR,
//     peak 1.5x), one encode.Run;
//   - vpack: the per-title ladder (pipeline.Ladder: scan, trial encodes,
//     calibration, hull, rungs; no cache) and its final encode (capped
//     CRF, peak 2x), one encode.Run;
//   - hull: the exhaustive reference, every Apple resolution at a dense
//     set of CRFs (uncapped).
//
// Every rendition's quality is measured at 1080p (distorted scaled up
// bicubic, as a player does): VMAF (vmaf_v0.6.1, through an ffmpeg with
// libvmaf: scripts/setup-vmaf.sh) and PSNR-Y (ffmpeg's psnr). Bit rates are
// the video files' sizes over the clip's duration. BD-rates (ladder.BDRate,
// PCHIP over the shared quality interval) compare vpack's ladder with
// apple and with the exhaustive grid, per clip, with medians. CPU time is
// user+system of the ffmpeg/ffprobe children (getrusage), phase by phase:
// vpack's is the analysis plus its final encode.
//
// The exhaustive grid is compared in two ways. "vs hull" is against its
// efficient frontier: every grid encode that no cheaper encode matches in
// VMAF, the best ladder made of real encodes, interpolated between
// neighbours as any ladder's BD-rate is. "vs convex hull" is against the
// upper convex hull's vertices only; where a curve is not concave in log
// rate (VMAF collapsing on blocky content, flat curves on smooth content)
// its chords promise qualities no single encode reaches, which no ladder of
// real encodes can match, so it is reported but not the target.
//
// The grid costs several times the rest of a clip and does not depend on
// vpack: -reuse-hull takes it (and only it) from an earlier ladder.json for
// clips with the same source, duration, preset and evaluation, and encodes
// only the CRFs that one lacks. Runs split
// over several processes (-clips) are merged with -summarize a.json,b.json.
//
// The clips are split into a tuning set, which vpack's defaults were tuned
// on, and a check set, on which the targets are judged. Results go to
// ladder.json and ladder.md in -o; the Markdown is printed too.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/ladder"
	"github.com/vpack-dev/vpack/pipeline"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// Targets of the per-title issue, judged on the check set.
const (
	targetMedianBD   = -30.0 // VMAF BD-rate vs apple-h264, median, %
	targetWorstBD    = 0.0   // no clip worse
	targetVsHull     = 5.0   // VMAF BD-rate vs the exhaustive hull, %
	targetCPURatio   = 1.5   // (analysis + final encode) / apple encode
	sourceW, sourceH = 1920, 1080
	fps              = 25
)

// clip is one benchmark source: a lavfi graph producing 1920x1080 at 25 fps.
type clip struct {
	Name  string `json:"name"`
	Set   string `json:"set"` // tuning or check
	Lavfi string `json:"lavfi"`
	What  string `json:"what"`
}

// gradient is the smooth source of two clips. Every random choice of a
// lavfi source is pinned (seed, and the gradient's colours and end points,
// which "random" colours would draw anew), so a clip is the same picture
// in every run and a grid measured once stands for every later run.
const gradient = "gradients=size=1920x1080:rate=25:speed=0.02:c0=0x1f3a60:c1=0xe0b050:x0=160:y0=90:x1=1760:y1=990:seed=1:duration=%d"

// clips span easy to hard content. %d is the duration in seconds.
var clips = []clip{
	{"testsrc2", "tuning", "testsrc2=size=1920x1080:rate=25:duration=%d", "moving test pattern, sharp edges"},
	{"bars", "check", "smptehdbars=size=1920x1080:rate=25:duration=%d", "static colour bars"},
	{"slides", "tuning", "testsrc=size=1920x1080:rate=1:duration=%d,fps=25", "slide show: a still picture changing every second"},
	{"gradients", "check", gradient, "smooth moving gradients"},
	{"sierpinski", "check", "sierpinski=size=1920x1080:rate=25:type=carpet:seed=1,trim=duration=%d", "moving fractal carpet, hard edges"},
	{"noise", "tuning", "testsrc2=size=1920x1080:rate=25:duration=%d,noise=alls=12:allf=t+u", "test pattern under strong temporal grain"},
	{"soft", "check", "mandelbrot=size=1920x1080:rate=25,gblur=sigma=6,trim=duration=%d", "zooming fractal, out of focus"},
	{"life", "check", "life=size=480x270:rate=25:ratio=0.4:mold=10:seed=1:life_color=#00ff88:death_color=#aa2255,scale=1920:1080:flags=neighbor,trim=duration=%d", "game of life, blocky chaotic motion"},
	{"mandelbrot", "tuning", "mandelbrot=size=1920x1080:rate=25,trim=duration=%d", "zooming fractal, fine detail"},
	{"grain", "check", gradient + ",noise=alls=6:allf=t+u", "smooth gradients under film grain"},
	{"cellauto", "check", "cellauto=size=1920x1080:rate=25:rule=110:scroll=1:seed=1,trim=duration=%d", "scrolling cellular automaton, dense texture"},
	// Square patches: ffmpeg 5.1's colorchart crashes on any other shape.
	{"chart", "check", "colorchart=rate=25:patch_size=320x320,crop=1920:1080,hue=h=t*20,trim=duration=%d", "colour checker, hue rotating"},
}

type options struct {
	out          string
	preset       string
	seconds      int
	only         []string
	vmafFFmpeg   string
	vmafModel    string
	evalSubFrame int
	hullCRFs     []float64
	noHull       bool
	maxKbps      int
	keep         bool
	summarize    []string
	reuseHull    []string
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("ladderbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var only, crfs, summarize, reuse string
	fs.StringVar(&o.out, "o", "bench/results", "folder for ladder.json and ladder.md")
	fs.StringVar(&o.preset, "preset", "medium", "x264 preset of every final encode (apple, vpack, hull)")
	fs.IntVar(&o.seconds, "seconds", 5, "clip duration in seconds")
	fs.StringVar(&only, "clips", "", "comma-separated clip names (default all)")
	fs.StringVar(&o.vmafFFmpeg, "vmaf-ffmpeg", ".cache/vmaf-ffmpeg/ffmpeg", "ffmpeg with libvmaf (scripts/setup-vmaf.sh)")
	fs.StringVar(&o.vmafModel, "vmaf-model", "", "VMAF model (default $VPACK_SHARED/vmaf or ../shared/vmaf: vmaf_v0.6.1.pkl)")
	fs.IntVar(&o.evalSubFrame, "eval-subsample", 15, "score every n-th frame when evaluating renditions (VMAF and PSNR-Y)")
	fs.StringVar(&crfs, "hull-crfs", "16,19,22,25,28,31,34,37,40,43,46", "CRFs of the exhaustive hull, at every Apple resolution (up to 46: vpack's rungs go to CRF 45)")
	fs.BoolVar(&o.noHull, "no-hull", false, "skip the exhaustive hull (no vpack-vs-hull figure)")
	fs.IntVar(&o.maxKbps, "max-kbps", 8000, "vpack's top rung at most this, as `vpack ladder --max-kbps` (its default; apple-h264 tops out at 7800); 0: no limit")
	fs.BoolVar(&o.keep, "keep", false, "keep the work folder")
	fs.StringVar(&summarize, "summarize", "", "only recompute the summary and Markdown of these comma-separated ladder.json files (a stopped run, or runs split with -clips), merged in clip order")
	fs.StringVar(&reuse, "reuse-hull", "", "comma-separated ladder.json files to take the exhaustive grid from, for clips measured the same way")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, n := range strings.Split(only, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if !slices.ContainsFunc(clips, func(c clip) bool { return c.Name == n }) {
			return o, fmt.Errorf("unknown clip %q", n)
		}
		o.only = append(o.only, n)
	}
	o.summarize, o.reuseHull = splitList(summarize), splitList(reuse)
	for _, c := range strings.Split(crfs, ",") {
		var v float64
		if _, err := fmt.Sscan(strings.TrimSpace(c), &v); err != nil {
			return o, fmt.Errorf("-hull-crfs: %w", err)
		}
		o.hullCRFs = append(o.hullCRFs, v)
	}
	if o.vmafModel == "" {
		shared := os.Getenv("VPACK_SHARED")
		if shared == "" {
			shared = "../shared"
		}
		o.vmafModel = filepath.Join(shared, "vmaf", "vmaf_v0.6.1.pkl")
	}
	if o.seconds < 2 {
		return o, errors.New("-seconds must be at least 2")
	}
	return o, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "ladderbench:", err)
		return 2
	}
	var rep *report
	if len(opts.summarize) > 0 {
		rep, err = readReports(opts.summarize)
	} else {
		rep, err = bench(context.Background(), opts, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "ladderbench:", err)
		return 1
	}
	md := rep.markdown()
	if err := writeReport(opts.out, rep, md); err != nil {
		fmt.Fprintln(stderr, "ladderbench:", err)
		return 1
	}
	fmt.Fprint(stdout, md)
	return 0
}

// rendition is one encoded rendition and its measured quality at 1080p.
type rendition struct {
	Name        string  `json:"name"`
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	CRF         float64 `json:"crf,omitempty"`
	TargetKbps  int     `json:"target_kbps,omitempty"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	VMAF        float64 `json:"vmaf"`
	PSNR        float64 `json:"psnr_y"`
}

type clipResult struct {
	clip
	MezzanineKbps int         `json:"mezzanine_kbps"`
	Apple         []rendition `json:"apple"`
	Vpack         []rendition `json:"vpack"`
	Hull          []rendition `json:"hull,omitempty"`  // convex hull vertices (VMAF)
	Front         []rendition `json:"front,omitempty"` // efficient frontier of the grid (VMAF)
	HullAll       []rendition `json:"hull_all,omitempty"`
	// HullFrom names the report the grid was reused from (-reuse-hull).
	HullFrom string `json:"hull_from,omitempty"`
	Trials   int    `json:"trials"`
	// CPU seconds of the ffmpeg/ffprobe children.
	CPUApple    float64 `json:"cpu_apple_s"`
	CPUAnalysis float64 `json:"cpu_analysis_s"`
	CPUFinal    float64 `json:"cpu_final_s"`
	CPUHull     float64 `json:"cpu_hull_s,omitempty"`
	CPURatio    float64 `json:"cpu_ratio"` // (analysis + final) / apple
	// BD-rates in percent (negative: fewer bits for the same quality).
	BDVMAFvsApple *float64 `json:"bd_vmaf_vs_apple"`
	BDPSNRvsApple *float64 `json:"bd_psnr_vs_apple"`
	BDVMAFvsHull  *float64 `json:"bd_vmaf_vs_hull,omitempty"` // vs the grid's efficient frontier
	// SpanVsHull is the width of the VMAF range BDVMAFvsHull integrates
	// over: under a JND or so (about 6 VMAF points) the BD-rate is
	// ill-conditioned, rate differences of flat curves. Unset for a
	// one-rung ladder, which is compared at its rung's quality.
	SpanVsHull        *float64         `json:"vmaf_span_vs_hull,omitempty"`
	BDVMAFvsConvex    *float64         `json:"bd_vmaf_vs_convex_hull,omitempty"`
	BDVMAFHullVsApple *float64         `json:"bd_vmaf_hull_vs_apple,omitempty"`
	Analysis          *ladder.Analysis `json:"analysis"`
}

type summary struct {
	Clips             int      `json:"clips"`
	MedianBDVMAF      *float64 `json:"median_bd_vmaf_vs_apple"`
	WorstBDVMAF       *float64 `json:"worst_bd_vmaf_vs_apple"`
	MedianBDPSNR      *float64 `json:"median_bd_psnr_vs_apple"`
	MedianBDVsHull    *float64 `json:"median_bd_vmaf_vs_hull"`
	WorstBDVsHull     *float64 `json:"worst_bd_vmaf_vs_hull"`
	MedianBDVsConvex  *float64 `json:"median_bd_vmaf_vs_convex_hull"`
	MedianHullVsApple *float64 `json:"median_bd_vmaf_hull_vs_apple"`
	MedianCPURatio    *float64 `json:"median_cpu_ratio"`
	WorstCPURatio     *float64 `json:"worst_cpu_ratio"`
	MedianTrials      *float64 `json:"median_trials"`
}

type report struct {
	Date    string       `json:"date"`
	Command string       `json:"command"`
	Host    host         `json:"host"`
	Preset  string       `json:"preset"`
	Seconds int          `json:"seconds"`
	MaxKbps int          `json:"max_kbps"` // vpack's top rung limit; 0 none
	Eval    string       `json:"evaluation"`
	Clips   []clipResult `json:"clips"`
	Tuning  summary      `json:"tuning"`
	Check   summary      `json:"check"`
	All     summary      `json:"all"`
	Targets struct {
		MedianBDVMAF float64 `json:"median_bd_vmaf_vs_apple_max"`
		WorstBDVMAF  float64 `json:"worst_bd_vmaf_vs_apple_max"`
		VsHull       float64 `json:"bd_vmaf_vs_hull_max"`
		CPURatio     float64 `json:"cpu_ratio_max"`
	} `json:"targets"`
	Met map[string]bool `json:"met"` // on the check set
}

type host struct {
	CPUs   int    `json:"cpus"`
	FFmpeg string `json:"ffmpeg"`
}

func bench(ctx context.Context, opts options, logw io.Writer) (*report, error) {
	if _, err := os.Stat(opts.vmafModel); err != nil {
		return nil, fmt.Errorf("vmaf model: %w (set -vmaf-model or VPACK_SHARED)", err)
	}
	work, err := os.MkdirTemp("", "ladderbench-")
	if err != nil {
		return nil, err
	}
	if opts.keep {
		fmt.Fprintln(logw, "work folder:", work)
	} else {
		defer os.RemoveAll(work)
	}
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelInfo}))
	r := encode.NewExecRunner(nil)
	vmafRunner := &encode.ExecRunner{FFmpegPath: opts.vmafFFmpeg}
	if _, err := encode.FindVMAF(ctx, vmafRunner, opts.vmafModel); err != nil {
		return nil, err
	}

	var prev []*report
	for _, p := range opts.reuseHull {
		pr, err := readReport(p)
		if err != nil {
			return nil, fmt.Errorf("-reuse-hull: %w", err)
		}
		for i := range pr.Clips {
			pr.Clips[i].HullFrom = cmp.Or(pr.Clips[i].HullFrom, p)
		}
		prev = append(prev, pr)
	}

	rep := &report{
		Date:    time.Now().UTC().Format(time.RFC3339),
		Command: "go run ./bench/ladderbench " + strings.Join(os.Args[1:], " "),
		Host:    host{CPUs: runtime.NumCPU(), FFmpeg: ffmpegVersion(ctx)},
		Preset:  opts.preset, Seconds: opts.seconds, MaxKbps: opts.maxKbps,
		Eval: evaluation(opts),
	}
	rep.Targets.MedianBDVMAF, rep.Targets.WorstBDVMAF, rep.Targets.VsHull, rep.Targets.CPURatio = targetMedianBD, targetWorstBD, targetVsHull, targetCPURatio

	for _, c := range clips {
		if len(opts.only) > 0 && !slices.Contains(opts.only, c.Name) {
			continue
		}
		start := time.Now()
		cr, err := benchClip(ctx, r, c, opts, prev, filepath.Join(work, c.Name), log)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		fmt.Fprintf(logw, "%-11s vmaf bd vs apple %s, vs hull %s, cpu %.2fx, %d trials (%s)\n", c.Name,
			pct(cr.BDVMAFvsApple), pct(cr.BDVMAFvsHull), cr.CPURatio, cr.Trials, time.Since(start).Round(time.Second))
		rep.Clips = append(rep.Clips, *cr)
		rep.summarise()
		// Keep what was measured so far, in case a later clip fails or
		// the run is stopped.
		_ = writeReport(opts.out, rep, rep.markdown())
	}
	return rep, nil
}

func benchClip(ctx context.Context, r encode.Runner, c clip, opts options, prev []*report, dir string, log *slog.Logger) (*clipResult, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cr := &clipResult{clip: c}
	cr.Lavfi = fmt.Sprintf(c.Lavfi, opts.seconds)
	mezz := filepath.Join(dir, "mezzanine.mp4")
	if err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
		"-f", "lavfi", "-i", cr.Lavfi, "-t", fmt.Sprint(opts.seconds), "-pix_fmt", "yuv420p",
		"-c:v", "libx264", "-preset", "veryfast", "-crf", "10", mezz).Run(); err != nil {
		return nil, fmt.Errorf("generate mezzanine: %w", err)
	}
	probe, err := encode.ProbeFile(ctx, r, mezz)
	if err != nil {
		return nil, err
	}
	probe.Audio = nil // video only: audio is the same for every ladder
	cr.MezzanineKbps = probe.BitrateKbps
	v, _ := probe.PrimaryVideo()
	src := ladder.Source{Width: v.Width, Height: v.Height, FrameRate: ladder.Rate{Num: v.FrameRate.Num, Den: v.FrameRate.Den}}

	// apple-h264
	apple, _ := ladder.Builtin(ladder.AppleH264)
	appleRungs, err := ladder.Adapt(apple, src, ladder.AdaptOptions{})
	if err != nil {
		return nil, err
	}
	cpu := cpuMeter()
	appleRes, err := encodeRungs(ctx, r, mezz, probe, appleRungs.Video, filepath.Join(dir, "apple"), opts.preset)
	if err != nil {
		return nil, fmt.Errorf("apple: %w", err)
	}
	cr.CPUApple = cpu()

	// vpack per-title: analysis, then the final encode.
	cpu = cpuMeter()
	lr, err := pipeline.Ladder(ctx, r, pipeline.LadderConfig{
		Input: mezz, Preset: opts.preset, Log: log,
		PerTitle: pipeline.PerTitleOptions{Metric: ladder.MetricVMAF, VMAFFFmpeg: opts.vmafFFmpeg, VMAFModel: opts.vmafModel,
			MaxKbps: opts.maxKbps, NoCache: true, WorkDir: dir},
	})
	if err != nil {
		return nil, fmt.Errorf("per-title: %w", err)
	}
	cr.CPUAnalysis = cpu()
	cr.Analysis = lr.Ladder.Analysis
	cr.Trials = lr.Ladder.Analysis.Trials
	pt, err := ladder.Adapt(lr.Ladder, src, ladder.AdaptOptions{})
	if err != nil {
		return nil, err
	}
	cpu = cpuMeter()
	vpackRes, err := encodeRungs(ctx, r, mezz, probe, pt.Video, filepath.Join(dir, "vpack"), opts.preset)
	if err != nil {
		return nil, fmt.Errorf("vpack final encode: %w", err)
	}
	cr.CPUFinal = cpu()
	cr.CPURatio = (cr.CPUAnalysis + cr.CPUFinal) / cr.CPUApple

	// Exhaustive hull: every Apple resolution at every CRF, uncapped.
	var hullRes []encode.VideoOutput
	var reused []rendition
	missing := opts.hullCRFs
	if from, have, lack := findHull(prev, cr, opts); from != nil {
		reused, missing = have, lack
		cr.HullFrom = from.HullFrom
		// CPU seconds of the reused part, in proportion.
		cr.CPUHull = from.CPUHull * float64(len(have)) / float64(len(from.HullAll))
		log.Info("reusing the exhaustive grid", "clip", c.Name, "from", cr.HullFrom, "encodes", len(have), "missing_crfs", fmt.Sprint(lack))
	}
	if !opts.noHull && len(missing) > 0 {
		cpu = cpuMeter()
		sizes := ladder.AppleSizes(ladder.H264)
		for _, crf := range missing {
			var rungs []ladder.Rung
			for _, s := range sizes {
				rungs = append(rungs, ladder.Rung{
					Name: fmt.Sprintf("%dp-crf%g", s.Height, crf), Width: s.Width, Height: s.Height, Codec: ladder.H264,
					CRF: crf, MaxrateKbps: 200000, BufsizeKbps: 400000, FrameRate: src.FrameRate,
				})
			}
			res, err := encodeRungs(ctx, r, mezz, probe, rungs, filepath.Join(dir, fmt.Sprintf("hull-crf%g", crf)), opts.preset)
			if err != nil {
				return nil, fmt.Errorf("hull crf %g: %w", crf, err)
			}
			hullRes = append(hullRes, res...)
		}
		cr.CPUHull += cpu()
	}

	// Measure everything at 1080p against the mezzanine decoded once.
	ref := filepath.Join(dir, "reference.nut")
	if err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
		"-i", mezz, "-c:v", "rawvideo", "-f", "nut", ref).Run(); err != nil {
		return nil, fmt.Errorf("decode reference: %w", err)
	}
	measure := func(outs []encode.VideoOutput) ([]rendition, error) {
		var rs []rendition
		for _, o := range outs {
			vm, ps, err := evaluate(ctx, opts, ref, o.Path, dir)
			if err != nil {
				return nil, fmt.Errorf("evaluate %s: %w", o.Path, err)
			}
			kbps, err := videoKbps(ctx, r, o.Path)
			if err != nil {
				return nil, err
			}
			rs = append(rs, rendition{Name: o.Rung.Name, Width: o.Rung.Width, Height: o.Rung.Height, CRF: o.Rung.CRF,
				TargetKbps: o.Rung.BitrateKbps, BitrateKbps: kbps, VMAF: vm, PSNR: ps})
		}
		return rs, nil
	}
	if cr.Apple, err = measure(appleRes); err != nil {
		return nil, err
	}
	if cr.Vpack, err = measure(vpackRes); err != nil {
		return nil, err
	}
	if cr.HullAll, err = measure(hullRes); err != nil {
		return nil, err
	}
	cr.HullAll = append(reused, cr.HullAll...)
	cr.computeBD()
	if !opts.keep {
		os.RemoveAll(dir)
	}
	return cr, nil
}

// findHull returns the clip of an earlier report whose exhaustive grid can
// stand for cr's, or part of it: same source graph, duration, preset and
// evaluation. have is its renditions at the CRFs of opts.hullCRFs it has
// at every Apple size, lack the CRFs still to encode. from is nil when no
// report has any.
func findHull(prev []*report, cr *clipResult, opts options) (from *clipResult, have []rendition, lack []float64) {
	eval := evaluation(opts)
	for _, p := range prev {
		if p.Seconds != opts.seconds || p.Preset != opts.preset || p.Eval != eval {
			continue
		}
		for i := range p.Clips {
			c := &p.Clips[i]
			if c.Name != cr.Name || c.Lavfi != cr.Lavfi {
				continue
			}
			if have, lack := gridPart(c.HullAll, opts.hullCRFs); len(have) > 0 {
				return c, have, lack
			}
		}
	}
	return nil, nil, opts.hullCRFs
}

// gridPart returns the renditions of rs at the CRFs of crfs that rs has at
// every Apple size, and the CRFs it lacks (at any size).
func gridPart(rs []rendition, crfs []float64) (have []rendition, lack []float64) {
	sizes := ladder.AppleSizes(ladder.H264)
	for _, crf := range crfs {
		var at []rendition
		for _, s := range sizes {
			if i := slices.IndexFunc(rs, func(r rendition) bool { return r.Width == s.Width && r.Height == s.Height && r.CRF == crf }); i >= 0 {
				at = append(at, rs[i])
			}
		}
		if len(at) == len(sizes) {
			have = append(have, at...)
		} else {
			lack = append(lack, crf)
		}
	}
	return have, lack
}

func evaluation(opts options) string {
	return fmt.Sprintf("VMAF vmaf_v0.6.1 and PSNR-Y (libvmaf 1.3, mean over every %d. frame) at 1920x1080, renditions scaled up bicubic",
		opts.evalSubFrame)
}

// evaluate scores one rendition against the raw reference at 1080p in one
// pass: VMAF and libvmaf's luma PSNR, means over the scored frames.
func evaluate(ctx context.Context, opts options, ref, dist, dir string) (vmaf, psnr float64, err error) {
	logPath := filepath.Join(dir, "eval.json")
	graph := fmt.Sprintf("[1:v]scale=%d:%d:flags=bicubic,setsar=1,format=yuv420p[d];"+
		"[d][0:v]libvmaf=model_path=%s:log_path=%s:log_fmt=json:psnr=1:n_threads=1:n_subsample=%d",
		sourceW, sourceH, opts.vmafModel, logPath, max(1, opts.evalSubFrame))
	cmd := exec.CommandContext(ctx, opts.vmafFFmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
		"-i", ref, "-i", dist, "-filter_complex", graph, "-f", "null", "-")
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("%w: %s", err, tail(string(out), 500))
	}
	b, err := os.ReadFile(logPath)
	if err != nil {
		return 0, 0, err
	}
	var log struct {
		Frames []struct {
			Metrics map[string]float64 `json:"metrics"`
		} `json:"frames"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		return 0, 0, err
	}
	n := 0
	for _, f := range log.Frames {
		if v, ok := f.Metrics["vmaf"]; ok {
			vmaf += v
			psnr += math.Min(f.Metrics["psnr"], 100)
			n++
		}
	}
	if n == 0 {
		return 0, 0, errors.New("no frames scored")
	}
	return vmaf / float64(n), psnr / float64(n), nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// computeBD (re)computes the clip's BD-rates from its measured renditions.
func (c *clipResult) computeBD() {
	vmafQ := func(r rendition) float64 { return r.VMAF }
	psnrQ := func(r rendition) float64 { return r.PSNR }
	c.BDVMAFvsApple = deltaRate(c.Apple, c.Vpack, vmafQ)
	c.BDPSNRvsApple = deltaRate(c.Apple, c.Vpack, psnrQ)
	c.BDVMAFvsHull, c.BDVMAFvsConvex, c.BDVMAFHullVsApple, c.SpanVsHull = nil, nil, nil, nil
	c.Hull, c.Front = nil, nil
	if len(c.HullAll) > 0 {
		c.Hull = hullOf(c.HullAll)
		c.Front = frontOf(c.HullAll)
		c.BDVMAFvsHull = deltaRate(c.Front, c.Vpack, vmafQ)
		if len(c.Vpack) > 1 {
			c.SpanVsHull = sharedSpan(c.Front, c.Vpack, vmafQ)
		}
		c.BDVMAFvsConvex = deltaRate(c.Hull, c.Vpack, vmafQ)
		c.BDVMAFHullVsApple = deltaRate(c.Apple, c.Front, vmafQ)
	}
}

// sharedSpan is the width of the quality range both ladders cover, nil
// when they do not overlap (a one-rung ladder spans 0).
func sharedSpan(ref, test []rendition, q func(rendition) float64) *float64 {
	if len(ref) == 0 || len(test) == 0 {
		return nil
	}
	span := func(rs []rendition) (lo, hi float64) {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, r := range rs {
			lo, hi = math.Min(lo, q(r)), math.Max(hi, q(r))
		}
		return lo, hi
	}
	rlo, rhi := span(ref)
	tlo, thi := span(test)
	w := math.Min(rhi, thi) - math.Max(rlo, tlo)
	if w < 0 {
		return nil
	}
	return &w
}

// deltaRate is the BD-rate of test against ref in percent. A ladder with
// one efficient rung (easy content: one rung is all it needs) has no curve
// to integrate; it gets the rate difference at its own quality instead:
// ref's log rate interpolated at that quality, or, when ref never reaches
// it, ref's best rung (which flatters ref). nil when neither can be
// computed.
func deltaRate(ref, test []rendition, q func(rendition) float64) *float64 {
	v, err := ladder.BDRate(ratePoints(ref, q), ratePoints(test, q))
	if err == nil {
		return &v
	}
	var best *rendition
	for i := range test {
		if best == nil || q(test[i]) > q(*best) {
			best = &test[i]
		}
	}
	if best == nil || len(ref) == 0 {
		return nil
	}
	var rq []ladder.RatePoint
	for _, r := range ref {
		rq = append(rq, ladder.RatePoint{BitrateKbps: r.BitrateKbps, Quality: q(r)})
	}
	slices.SortFunc(rq, func(a, b ladder.RatePoint) int { return cmpFloat(a.Quality, b.Quality) })
	target := q(*best)
	var refKbps float64
	switch {
	case target >= rq[len(rq)-1].Quality:
		refKbps = rq[len(rq)-1].BitrateKbps
	case target <= rq[0].Quality:
		refKbps = rq[0].BitrateKbps
	default:
		for i := 1; i < len(rq); i++ {
			if rq[i].Quality >= target {
				a, b := rq[i-1], rq[i]
				f := (target - a.Quality) / (b.Quality - a.Quality)
				refKbps = math.Pow(10, math.Log10(a.BitrateKbps)+f*(math.Log10(b.BitrateKbps)-math.Log10(a.BitrateKbps)))
				break
			}
		}
	}
	if refKbps <= 0 {
		return nil
	}
	d := (best.BitrateKbps/refKbps - 1) * 100
	return &d
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// hullOf keeps the renditions on the upper convex hull in (log rate, VMAF).
func hullOf(rs []rendition) []rendition {
	var pts []ladder.Point
	for i, r := range rs {
		pts = append(pts, ladder.Point{Trial: ladder.Trial{Width: i}, BitrateKbps: r.BitrateKbps, Quality: r.VMAF})
	}
	var out []rendition
	for _, p := range ladder.Hull(pts) {
		out = append(out, rs[p.Width])
	}
	return out
}

// frontOf keeps the renditions no cheaper rendition matches in VMAF: the
// efficient frontier, lowest rate first.
func frontOf(rs []rendition) []rendition {
	s := slices.Clone(rs)
	slices.SortStableFunc(s, func(a, b rendition) int {
		return cmp.Or(cmpFloat(a.BitrateKbps, b.BitrateKbps), cmpFloat(b.VMAF, a.VMAF))
	})
	var out []rendition
	for _, r := range s {
		if len(out) == 0 || r.VMAF > out[len(out)-1].VMAF {
			out = append(out, r)
		}
	}
	return out
}

func ratePoints(rs []rendition, q func(rendition) float64) []ladder.RatePoint {
	var out []ladder.RatePoint
	for _, r := range rs {
		out = append(out, ladder.RatePoint{BitrateKbps: r.BitrateKbps, Quality: q(r)})
	}
	return out
}

func encodeRungs(ctx context.Context, r encode.Runner, mezz string, probe *encode.Probe, rungs []ladder.Rung, dir, preset string) ([]encode.VideoOutput, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	res, err := encode.Run(ctx, r, encode.Config{Input: mezz, Probe: probe, Video: rungs, OutDir: dir, Preset: preset})
	if err != nil {
		return nil, err
	}
	return res.Video, nil
}

// videoKbps is the video stream's bit rate: its packets' bytes over its
// duration, as ffprobe reports them.
func videoKbps(ctx context.Context, r encode.Runner, path string) (float64, error) {
	p, err := encode.ProbeFile(ctx, r, path)
	if err != nil {
		return 0, err
	}
	v, err := p.PrimaryVideo()
	if err != nil {
		return 0, err
	}
	if v.BitrateKbps > 0 {
		return float64(v.BitrateKbps), nil
	}
	return float64(p.SizeBytes) * 8 / 1000 / p.Duration.Seconds(), nil
}

// cpuMeter returns a function that reports the CPU seconds (user+system)
// of child processes waited for since cpuMeter was called.
func cpuMeter() func() float64 {
	start := childCPU()
	return func() float64 { return childCPU() - start }
}

func childCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func ffmpegVersion(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-version").Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

func (rep *report) summarise() {
	for i := range rep.Clips {
		rep.Clips[i].computeBD()
	}
	rep.Tuning = summarise(rep.Clips, "tuning")
	rep.Check = summarise(rep.Clips, "check")
	rep.All = summarise(rep.Clips, "")
	s := rep.Check
	rep.Met = map[string]bool{
		"median_bd_vmaf_vs_apple": s.MedianBDVMAF != nil && *s.MedianBDVMAF <= targetMedianBD,
		"worst_bd_vmaf_vs_apple":  s.WorstBDVMAF != nil && *s.WorstBDVMAF <= targetWorstBD,
		"bd_vmaf_vs_hull":         s.MedianBDVsHull != nil && *s.MedianBDVsHull <= targetVsHull,
		"bd_vmaf_vs_hull_worst":   s.WorstBDVsHull != nil && *s.WorstBDVsHull <= targetVsHull,
		"cpu_ratio":               s.MedianCPURatio != nil && *s.MedianCPURatio <= targetCPURatio,
	}
}

func summarise(cs []clipResult, set string) summary {
	var bdV, bdP, vsHull, vsConvex, hullApple, cpu, trials []float64
	n := 0
	for _, c := range cs {
		if set != "" && c.Set != set {
			continue
		}
		n++
		add := func(xs *[]float64, v *float64) {
			if v != nil {
				*xs = append(*xs, *v)
			}
		}
		add(&bdV, c.BDVMAFvsApple)
		add(&bdP, c.BDPSNRvsApple)
		add(&vsHull, c.BDVMAFvsHull)
		add(&vsConvex, c.BDVMAFvsConvex)
		add(&hullApple, c.BDVMAFHullVsApple)
		cpu = append(cpu, c.CPURatio)
		trials = append(trials, float64(c.Trials))
	}
	return summary{
		Clips: n, MedianBDVMAF: median(bdV), WorstBDVMAF: maxOf(bdV), MedianBDPSNR: median(bdP),
		MedianBDVsHull: median(vsHull), WorstBDVsHull: maxOf(vsHull), MedianBDVsConvex: median(vsConvex), MedianHullVsApple: median(hullApple),
		MedianCPURatio: median(cpu), WorstCPURatio: maxOf(cpu), MedianTrials: median(trials),
	}
}

func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}

func maxOf(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	m := slices.Max(xs)
	return &m
}

func pct(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%%", *v)
}

func ratio(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", *v)
}

func num(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.0f", *v)
}

func (rep *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Per-title ladder benchmark: vpack vs Apple's H.264 ladder\n\n")
	fmt.Fprintf(&b, "%s, %d CPUs, %s. `%s`.\n\n", rep.Date, rep.Host.CPUs, rep.Host.FFmpeg, rep.Command)
	fmt.Fprintf(&b, "%d s 1080p25 lavfi clips as H.264 mezzanines; every final encode libx264 `-preset %s`. "+
		"apple = apple-h264 (capped VBR); vpack = per-title ladder (capped CRF, peak 2x, top rung VMAF 95, %s), analysis included in its CPU time; "+
		"hull = every Apple resolution x dense CRF (%s, uncapped): \"vs hull\" is against its efficient frontier (every encode no cheaper one matches in VMAF), "+
		"\"vs convex\" against the upper convex hull's vertices only (its chords promise qualities no single encode reaches where curves are not concave; not the target). "+
		"Quality: %s. BD-rate: PCHIP of log rate over the shared quality range "+
		"(a one-rung ladder: rate difference at its rung's quality); negative = fewer bits for the same quality; \"its VMAF span\" is the width of that range for vs hull, "+
		"and under about one JND (%d VMAF points) the BD-rate measures flat curves' rate differences for quality differences no viewer sees. CPU = user+system of the ffmpeg processes.\n\n",
		rep.Seconds, rep.Preset, rateRange(rep.MaxKbps), gridCRFs(rep.Clips), rep.Eval, illConditionedSpan)
	fmt.Fprintf(&b, "| clip | set | VMAF BD vs apple | PSNR-Y BD vs apple | VMAF BD vs hull | its VMAF span | vs convex | hull vs apple | rungs (vpack / apple) | top rung vpack | trials | CPU analysis s | CPU final s | CPU apple s | CPU ratio |\n")
	fmt.Fprintf(&b, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n")
	for _, c := range rep.Clips {
		top := "-"
		if len(c.Vpack) > 0 {
			t := c.Vpack[0]
			top = fmt.Sprintf("%dx%d %.0fk VMAF %.1f", t.Width, t.Height, t.BitrateKbps, t.VMAF)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %d / %d | %s | %d | %.1f | %.1f | %.1f | %.2fx |\n",
			c.Name, c.Set, pct(c.BDVMAFvsApple), pct(c.BDPSNRvsApple), pct(c.BDVMAFvsHull), spanNote(c.SpanVsHull), pct(c.BDVMAFvsConvex), pct(c.BDVMAFHullVsApple),
			len(c.Vpack), len(c.Apple), top, c.Trials, c.CPUAnalysis, c.CPUFinal, c.CPUApple, c.CPURatio)
	}
	b.WriteString("\n| set | clips | median VMAF BD vs apple | worst | median PSNR-Y BD | median vs hull | worst vs hull | median vs convex | median hull vs apple | median CPU ratio | worst CPU ratio | median trials |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range []struct {
		name string
		s    summary
	}{{"tuning", rep.Tuning}, {"check", rep.Check}, {"all", rep.All}} {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s.name, s.s.Clips,
			pct(s.s.MedianBDVMAF), pct(s.s.WorstBDVMAF), pct(s.s.MedianBDPSNR), pct(s.s.MedianBDVsHull), pct(s.s.WorstBDVsHull),
			pct(s.s.MedianBDVsConvex), pct(s.s.MedianHullVsApple), ratio(s.s.MedianCPURatio), ratio(s.s.WorstCPURatio), num(s.s.MedianTrials))
	}
	var within, judged int
	var outside []string
	for _, c := range rep.Clips {
		if c.Set != "check" || c.BDVMAFvsHull == nil {
			continue
		}
		judged++
		if *c.BDVMAFvsHull <= targetVsHull {
			within++
		} else {
			outside = append(outside, fmt.Sprintf("%s %s, VMAF span %s", c.Name, pct(c.BDVMAFvsHull), spanNote(c.SpanVsHull)))
		}
	}
	b.WriteString("\nTargets, judged on the check set: ")
	fmt.Fprintf(&b, "median VMAF BD-rate vs apple <= %.0f%% (%s), no clip worse than %.0f%% (%s), within %.0f%% of the exhaustive hull "+
		"(median: %s; clip by clip: %d of %d within", targetMedianBD, met(rep.Met["median_bd_vmaf_vs_apple"]), targetWorstBD,
		met(rep.Met["worst_bd_vmaf_vs_apple"]), targetVsHull, met(rep.Met["bd_vmaf_vs_hull"]), within, judged)
	if len(outside) > 0 {
		fmt.Fprintf(&b, "; outside: %s", strings.Join(outside, "; "))
	}
	fmt.Fprintf(&b, "), median CPU <= %.1fx apple (%s).\n", targetCPURatio, met(rep.Met["cpu_ratio"]))
	b.WriteString("\nRungs per clip (bit rate kbit/s @ VMAF):\n\n")
	for _, c := range rep.Clips {
		fmt.Fprintf(&b, "- **%s** (%s): vpack %s; apple %s\n", c.Name, c.What, rungList(c.Vpack), rungList(c.Apple))
	}
	return b.String()
}

// illConditionedSpan: a BD-rate over a shared range narrower than this
// many VMAF points (about one JND) is marked ill-conditioned.
const illConditionedSpan = 6

// spanNote prints a shared VMAF span, marked when it is too narrow for a
// meaningful BD-rate ("-" for a one-rung ladder, compared at its quality).
func spanNote(v *float64) string {
	switch {
	case v == nil:
		return "-"
	case *v < illConditionedSpan:
		return fmt.Sprintf("%.1f (ill-conditioned)", *v)
	}
	return fmt.Sprintf("%.1f", *v)
}

// rateRange describes vpack's rate limits in the report.
func rateRange(maxKbps int) string {
	if maxKbps <= 0 {
		return "rungs from 150 kbit/s, no top limit"
	}
	return fmt.Sprintf("rungs 150-%d kbit/s as `vpack ladder` by default", maxKbps)
}

// gridCRFs lists the CRFs of the exhaustive grid.
func gridCRFs(cs []clipResult) string {
	var crfs []float64
	for _, c := range cs {
		for _, r := range c.HullAll {
			if !slices.Contains(crfs, r.CRF) {
				crfs = append(crfs, r.CRF)
			}
		}
	}
	slices.Sort(crfs)
	var parts []string
	for _, v := range crfs {
		parts = append(parts, fmt.Sprint(v))
	}
	if len(parts) == 0 {
		return "not run"
	}
	return "CRF " + strings.Join(parts, ",")
}

func rungList(rs []rendition) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%dp %.0f@%.1f", min(r.Width, r.Height), r.BitrateKbps, r.VMAF))
	}
	return strings.Join(parts, ", ")
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

// readReports merges the clips of several reports (runs split with -clips)
// in the benchmark's clip order and summarises them; the first report's
// header is kept, with the commands of all.
func readReports(paths []string) (*report, error) {
	var out *report
	var cmds []string
	for _, p := range paths {
		r, err := readReport(p)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, r.Command)
		if out == nil {
			out = r
			continue
		}
		out.Clips = append(out.Clips, r.Clips...)
	}
	order := func(name string) int { return slices.IndexFunc(clips, func(c clip) bool { return c.Name == name }) }
	slices.SortStableFunc(out.Clips, func(a, b clipResult) int { return cmp.Compare(order(a.Name), order(b.Name)) })
	out.Clips = slices.CompactFunc(out.Clips, func(a, b clipResult) bool { return a.Name == b.Name })
	if len(cmds) > 1 {
		out.Command = strings.Join(cmds, "` + `")
	}
	out.summarise()
	return out, nil
}

// readReport reads a ladder.json written by an earlier (maybe stopped) run
// and summarises it again.
func readReport(path string) (*report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rep.summarise()
	return &rep, nil
}

func writeReport(dir string, rep *report, md string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "ladder.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "ladder.md"), []byte(md), 0o644)
}
