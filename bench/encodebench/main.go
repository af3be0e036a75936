// Command encodebench measures what vpack's single-process ladder encode
// saves over running ffmpeg once per rung.
//
//	go run ./bench/encodebench -o bench/results
//
// It generates a mezzanine with lavfi (10 s of 1920x1080 25 fps testsrc2
// with light temporal noise, standing in for camera noise and grain, plus a
// sine; H.264 -preset ultrafast -crf 12, about 60 Mbit/s: a high-bit-rate
// H.264 mezzanine of the kind cameras and editors export for upload. Its
// decoding costs what real long-GOP H.264 costs; intra-only ProRes decodes
// more cheaply per frame, which would make decoding once matter less), probes it with encode.ProbeFile and encodes Apple's five-rung
// H.264 ladder (1080p 6000k, 720p 3000k, 540p 2000k, 360p 730k, 234p 145k,
// 25 fps) in every variant, each at least -runs times, in turn. The
// variants use the same encode.Config, so their outputs have identical
// settings; the tool checks that by comparing the x264 settings each rung
// records in its SEI (the "options:" string) with the separate runs', all
// but the thread counts. (The files themselves differ from run to run even
// for one command: x264's frame-threaded VBV is not deterministic.) Audio is
// left out of the comparison (the probe's audio streams are dropped), since
// the separate runs would need their own audio process.
//
// CPU time is user+system of the ffmpeg child processes
// (os.ProcessState), so it counts every thread of the decoder, filters and
// encoders. The results are written as encode.json and encode.md in the -o
// folder and the Markdown table is printed.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/ladder"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// targetRatio is the goal: vpack's CPU time at most 0.8x the separate runs'.
const targetRatio = 0.8

type options struct {
	out      string
	preset   string
	runs     int
	seconds  int
	variants []string
	keep     bool
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("encodebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var variants string
	fs.StringVar(&o.out, "o", "bench/results", "folder for encode.json and encode.md")
	fs.StringVar(&o.preset, "preset", "veryfast", "vpack preset for every variant")
	fs.IntVar(&o.runs, "runs", 3, "runs per variant (medians are reported)")
	fs.IntVar(&o.seconds, "seconds", 10, "mezzanine duration in seconds")
	fs.StringVar(&variants, "variants", "", "comma-separated variants to run (default all: "+strings.Join(variantNames(), ",")+")")
	fs.BoolVar(&o.keep, "keep", false, "keep the work folder (mezzanine and outputs)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.runs < 1 || o.seconds < 1 {
		return o, errors.New("-runs and -seconds must be at least 1")
	}
	if variants != "" {
		for _, v := range strings.Split(variants, ",") {
			if !slices.Contains(variantNames(), v) {
				return o, fmt.Errorf("unknown variant %q (have %s)", v, strings.Join(variantNames(), ", "))
			}
			o.variants = append(o.variants, v)
		}
	} else {
		o.variants = variantNames()
	}
	if !slices.Contains(o.variants, "separate") {
		o.variants = append([]string{"separate"}, o.variants...) // the baseline of every ratio
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "encodebench:", err)
		return 2
	}
	rep, err := bench(context.Background(), opts, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "encodebench:", err)
		return 1
	}
	md := rep.markdown()
	if err := writeReport(opts.out, rep, md); err != nil {
		fmt.Fprintln(stderr, "encodebench:", err)
		return 1
	}
	fmt.Fprint(stdout, md)
	return 0
}

// ladderRungs is the benchmark ladder: Apple's H.264 rungs at the source's
// 25 fps (all at most 30 fps).
func ladderRungs() []ladder.Rung {
	r := func(name string, w, h, kbps int) ladder.Rung {
		return ladder.Rung{Name: name, Width: w, Height: h, Codec: ladder.H264, BitrateKbps: kbps,
			FrameRate: ladder.Rate{Num: 25, Den: 1}}
	}
	return []ladder.Rung{
		r("1080p", 1920, 1080, 6000),
		r("720p", 1280, 720, 3000),
		r("540p", 960, 540, 2000),
		r("360p", 640, 360, 730),
		r("234p", 416, 234, 145),
	}
}

// variant is one way to produce the ladder: a list of ffmpeg commands run
// one after the other.
type variant struct {
	name        string
	description string
	commands    func(cfg encode.Config) ([][]string, error)
}

func variants() []variant {
	return []variant{
		{
			name:        "separate",
			description: "one ffmpeg per rung (encode.RungArgs): the source is decoded 5 times",
			commands: func(cfg encode.Config) ([][]string, error) {
				var cmds [][]string
				for i := range cfg.Video {
					args, err := encode.RungArgs(cfg, i)
					if err != nil {
						return nil, err
					}
					cmds = append(cmds, args)
				}
				return cmds, nil
			},
		},
		{
			name:        "vpack",
			description: "one ffmpeg, decode once, split=5 (encode.Args, what encode.Run runs)",
			commands: func(cfg encode.Config) ([][]string, error) {
				args, err := encode.Args(cfg)
				return [][]string{args}, err
			},
		},
		{
			name:        "vpack-threads2",
			description: "as vpack, with -threads 2 for each x264 encoder (default: 1.5x cores) and -filter_complex_threads 1",
			commands: func(cfg encode.Config) ([][]string, error) {
				args, err := encode.Args(cfg)
				if err != nil {
					return nil, err
				}
				return [][]string{withOutputOption(args, "-threads", "2", "-filter_complex_threads", "1")}, nil
			},
		},
		{
			name:        "vpack-dec1",
			description: "as vpack, with a single-threaded decoder (-threads 1 before -i)",
			commands: func(cfg encode.Config) ([][]string, error) {
				args, err := encode.Args(cfg)
				if err != nil {
					return nil, err
				}
				i := slices.Index(args, "-i")
				return [][]string{slices.Concat(args[:i], []string{"-threads", "1"}, args[i:])}, nil
			},
		},
	}
}

func variantNames() []string {
	var names []string
	for _, v := range variants() {
		names = append(names, v.name)
	}
	return names
}

// withOutputOption adds opt/value before every output's -map (and global
// options before -i), leaving the encoder settings themselves untouched.
func withOutputOption(args []string, opt, value, globalOpt, globalValue string) []string {
	var out []string
	for i, a := range args {
		if a == "-i" {
			out = append(out, globalOpt, globalValue)
		}
		if a == "-map" && i > 0 {
			out = append(out, opt, value)
		}
		out = append(out, a)
	}
	return out
}

// measurement is one run of one variant.
type measurement struct {
	WallSeconds float64 `json:"wall_s"`
	CPUSeconds  float64 `json:"cpu_s"` // user+system of the ffmpeg processes
}

type variantResult struct {
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Processes   int           `json:"processes"`
	Runs        []measurement `json:"runs"`
	MedianWall  float64       `json:"median_wall_s"`
	MedianCPU   float64       `json:"median_cpu_s"`
	CPURatio    float64       `json:"cpu_ratio_vs_separate"`
	WallRatio   float64       `json:"wall_ratio_vs_separate"`
	// SameSettings says whether every rung was encoded with the x264
	// settings of the separate runs, thread counts aside.
	SameSettings bool `json:"same_settings"`
}

type report struct {
	Date      string `json:"date"`
	Command   string `json:"command"`
	Host      host   `json:"host"`
	Mezzanine struct {
		Description string  `json:"description"`
		Seconds     int     `json:"seconds"`
		BitrateKbps int     `json:"bitrate_kbps"`
		SizeBytes   int64   `json:"size_bytes"`
		Encode      string  `json:"encode"`
		GenSeconds  float64 `json:"generate_s"`
	} `json:"mezzanine"`
	Preset      string          `json:"preset"`
	Ladder      []ladder.Rung   `json:"ladder"`
	RunsEach    int             `json:"runs_each"`
	TargetRatio float64         `json:"target_cpu_ratio"`
	Variants    []variantResult `json:"variants"`
	// VpackRatio is the CPU ratio of what encode.Run runs (variant
	// "vpack") to the separate runs; TargetMet says it is at most
	// TargetRatio.
	VpackRatio float64 `json:"vpack_cpu_ratio"`
	TargetMet  bool    `json:"target_met"`
	// Best is the one-process variant with the same settings and the
	// lowest median CPU time.
	Best string `json:"best"`
}

type host struct {
	CPUs   int    `json:"cpus"`
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	FFmpeg string `json:"ffmpeg"`
}

const mezzanineVideo = "testsrc2=size=1920x1080:rate=25:duration=%d,noise=alls=2:allf=t"

var mezzanineEncode = []string{"-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p",
	"-c:a", "aac", "-b:a", "192k", "-shortest"}

func bench(ctx context.Context, opts options, log io.Writer) (*report, error) {
	work, err := os.MkdirTemp("", "encodebench-")
	if err != nil {
		return nil, err
	}
	if opts.keep {
		fmt.Fprintln(log, "work folder:", work)
	} else {
		defer os.RemoveAll(work)
	}
	rep := &report{
		Date:        time.Now().UTC().Format(time.RFC3339),
		Command:     "go run ./bench/encodebench " + strings.Join(os.Args[1:], " "),
		Host:        host{CPUs: runtime.NumCPU(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, FFmpeg: ffmpegVersion(ctx)},
		Preset:      opts.preset,
		Ladder:      ladderRungs(),
		RunsEach:    opts.runs,
		TargetRatio: targetRatio,
	}

	mezz := filepath.Join(work, "mezzanine.mp4")
	fmt.Fprintf(log, "generating a %d s 1080p25 mezzanine\n", opts.seconds)
	genArgs := slices.Concat([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf(mezzanineVideo, opts.seconds),
		"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:sample_rate=48000:duration=%d", opts.seconds)},
		mezzanineEncode, []string{mezz})
	gen, err := runFFmpeg(ctx, genArgs)
	if err != nil {
		return nil, fmt.Errorf("generate mezzanine: %w", err)
	}
	probe, err := encode.ProbeFile(ctx, encode.NewExecRunner(nil), mezz)
	if err != nil {
		return nil, err
	}
	rep.Mezzanine.Description = "lavfi " + fmt.Sprintf(mezzanineVideo, opts.seconds) + " + sine"
	rep.Mezzanine.Seconds = opts.seconds
	rep.Mezzanine.SizeBytes = probe.SizeBytes
	rep.Mezzanine.BitrateKbps = probe.BitrateKbps
	rep.Mezzanine.Encode = strings.Join(mezzanineEncode, " ")
	rep.Mezzanine.GenSeconds = gen.WallSeconds
	probe.Audio = nil // video only: see the package comment

	byName := map[string]variant{}
	for _, v := range variants() {
		byName[v.name] = v
	}
	results := map[string]*variantResult{}
	settings := map[string][]string{}
	for i := 0; i < opts.runs; i++ {
		for _, name := range opts.variants {
			v := byName[name]
			outDir := filepath.Join(work, v.name)
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return nil, err
			}
			cfg := encode.Config{Input: mezz, Probe: probe, Video: ladderRungs(), OutDir: outDir, Preset: opts.preset}
			cmds, err := v.commands(cfg)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", v.name, err)
			}
			var total measurement
			start := time.Now()
			for _, args := range cmds {
				m, err := runFFmpeg(ctx, args)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", v.name, err)
				}
				total.CPUSeconds += m.CPUSeconds
			}
			total.WallSeconds = time.Since(start).Seconds()
			fmt.Fprintf(log, "run %d/%d %-15s wall %6.2f s  cpu %6.2f s\n", i+1, opts.runs, v.name, total.WallSeconds, total.CPUSeconds)
			r := results[v.name]
			if r == nil {
				r = &variantResult{Name: v.name, Description: v.description, Processes: len(cmds)}
				results[v.name] = r
			}
			r.Runs = append(r.Runs, total)
			if i == 0 {
				if settings[v.name], err = outputSettings(outDir, cfg.Video); err != nil {
					return nil, fmt.Errorf("%s: %w", v.name, err)
				}
			}
		}
	}

	base := results["separate"]
	base.MedianCPU = median(base.Runs, func(m measurement) float64 { return m.CPUSeconds })
	base.MedianWall = median(base.Runs, func(m measurement) float64 { return m.WallSeconds })
	for _, name := range opts.variants {
		r := results[name]
		r.MedianCPU = median(r.Runs, func(m measurement) float64 { return m.CPUSeconds })
		r.MedianWall = median(r.Runs, func(m measurement) float64 { return m.WallSeconds })
		r.CPURatio = r.MedianCPU / base.MedianCPU
		r.WallRatio = r.MedianWall / base.MedianWall
		r.SameSettings = slices.Equal(settings[name], settings["separate"])
		rep.Variants = append(rep.Variants, *r)
		if name != "separate" && r.SameSettings && (rep.Best == "" || r.MedianCPU < results[rep.Best].MedianCPU) {
			rep.Best = name
		}
	}
	if v := results["vpack"]; v != nil {
		rep.VpackRatio = v.CPURatio
		rep.TargetMet = v.SameSettings && v.CPURatio <= targetRatio
	}
	return rep, nil
}

// runFFmpeg runs ffmpeg and measures its wall and CPU time.
func runFFmpeg(ctx context.Context, args []string) (measurement, error) {
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	m := measurement{WallSeconds: time.Since(start).Seconds()}
	if err != nil {
		return m, fmt.Errorf("ffmpeg %s: %w\n%s", strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	m.CPUSeconds = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	return m, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func ffmpegVersion(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-version").Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

// outputSettings returns, in rung order, the x264 settings each rung's
// file records in its SEI ("cabac=1 ref=1 ... "), without the thread
// counts.
func outputSettings(dir string, rungs []ladder.Rung) ([]string, error) {
	var all []string
	for _, r := range rungs {
		b, err := os.ReadFile(filepath.Join(dir, r.Name+".mp4"))
		if err != nil {
			return nil, err
		}
		i := bytes.Index(b, []byte("x264 - core"))
		if i < 0 {
			return nil, fmt.Errorf("%s: no x264 settings SEI", r.Name)
		}
		sei := b[i:]
		if end := bytes.IndexByte(sei, 0); end >= 0 {
			sei = sei[:end]
		}
		_, opts, _ := strings.Cut(string(sei), "options: ")
		var kept []string
		for _, f := range strings.Fields(opts) {
			if !strings.HasPrefix(f, "threads=") && !strings.HasPrefix(f, "lookahead_threads=") {
				kept = append(kept, f)
			}
		}
		all = append(all, strings.Join(kept, " "))
	}
	return all, nil
}

func median[T any](xs []T, f func(T) float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	vs := make([]float64, len(xs))
	for i, x := range xs {
		vs[i] = f(x)
	}
	slices.Sort(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2
	}
	return vs[len(vs)/2]
}

func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Encode benchmark: one process vs one process per rung\n\n")
	fmt.Fprintf(&b, "%s, %d CPUs, %s. Preset `%s`, medians of %d runs each, run in turn.\n\n",
		r.Date, r.Host.CPUs, r.Host.FFmpeg, r.Preset, r.RunsEach)
	fmt.Fprintf(&b, "Mezzanine: %d s %s, `%s` (%d kbit/s, %.1f MB).\n\n",
		r.Mezzanine.Seconds, r.Mezzanine.Description, r.Mezzanine.Encode, r.Mezzanine.BitrateKbps,
		float64(r.Mezzanine.SizeBytes)/1e6)
	var rungs []string
	for _, g := range r.Ladder {
		rungs = append(rungs, fmt.Sprintf("%dx%d@%dk", g.Width, g.Height, g.BitrateKbps))
	}
	fmt.Fprintf(&b, "Ladder (H.264, 25 fps, video only): %s.\n\n", strings.Join(rungs, ", "))
	fmt.Fprintf(&b, "| variant | processes | wall s | CPU s | CPU vs separate | CPU vs vpack | wall vs separate | same x264 settings | CPU s per run |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---:|---:|---:|---:|---|---|\n")
	vpackCPU := 0.0
	for _, v := range r.Variants {
		if v.Name == "vpack" {
			vpackCPU = v.MedianCPU
		}
	}
	for _, v := range r.Variants {
		var runs []string
		for _, m := range v.Runs {
			runs = append(runs, fmt.Sprintf("%.2f", m.CPUSeconds))
		}
		same := "yes"
		if !v.SameSettings {
			same = "no"
		}
		vsVpack := "-"
		if vpackCPU > 0 {
			vsVpack = fmt.Sprintf("%+.0f%%", (v.MedianCPU/vpackCPU-1)*100)
		}
		fmt.Fprintf(&b, "| %s | %d | %.2f | %.2f | %.2fx | %s | %.2fx | %s | %s |\n", v.Name, v.Processes, v.MedianWall,
			v.MedianCPU, v.CPURatio, vsVpack, v.WallRatio, same, strings.Join(runs, ", "))
	}
	b.WriteString("\n")
	for _, v := range r.Variants {
		fmt.Fprintf(&b, "- **%s**: %s\n", v.Name, v.Description)
	}
	met := "missed"
	if r.TargetMet {
		met = "met"
	}
	fmt.Fprintf(&b, "\nvpack (encode.Run) uses %.2fx the CPU time of one ffmpeg per rung: target <= %.1fx %s.", r.VpackRatio, r.TargetRatio, met)
	if r.Best != "" {
		fmt.Fprintf(&b, " Lowest median CPU time with the same settings: %s.", r.Best)
	}
	b.WriteString(" Wall times depend on what else the machine runs; CPU times much less.\n")
	return b.String()
}

func writeReport(dir string, rep *report, md string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "encode.json"), append(js, '\n')); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "encode.md"), []byte(md))
}

// writeFileAtomic writes a temp file beside path and renames it into place.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
