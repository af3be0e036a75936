package encode

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vpack-dev/vpack/ladder"
)

// Defaults of TrialConfig.
const (
	DefaultProbePreset  = "veryfast"
	DefaultMetricFrames = 3
	defaultTrialGOP     = 2 * time.Second
	trialVersion        = "2" // changes when trials measure differently (2: VMAF of chosen frames, ScoreFrames)
)

// TrialConfig is the input of NewTrials.
type TrialConfig struct {
	Input string
	Probe *Probe // ProbeFile's report on Input
	// Metric scores the trials (NewPSNR, NewSSIM, NewVMAF).
	Metric Metric
	// Preset is the fast preset of the trial encodes; default veryfast,
	// the fastest x264 preset with the production presets' tools that
	// change how bits are spent (macroblock tree, adaptive quantisation,
	// deblocking), so calibration has little to correct.
	// ladder.PerTitle calibrates it against the production preset.
	Preset string
	// GOP is the keyframe interval of the trials, as in the production
	// encode (Run keeps GOPs at most 2 s, Apple's IDR interval); default
	// 2 s. Every sample window also starts with a keyframe.
	GOP time.Duration
	// MetricFrames is how many frames per window VMAF scores, spread
	// evenly (ScoreFrames; PSNR and SSIM score every frame). Default 3:
	// VMAF costs about 0.2 CPU-seconds per 1080p frame, more than the
	// trial encodes.
	MetricFrames int
	// WorkDir is where sample and trial files go (a temporary folder is
	// made in it and removed by Close); default os.TempDir(). The samples
	// are raw video: about 3 MB per 1080p frame.
	WorkDir string
	Log     *slog.Logger
}

// Trials runs per-title trial encodes with ffmpeg: it implements
// ladder.Trialer, so package ladder decides what to encode and package
// encode stays the only one that runs ffmpeg.
//
// The sample windows are cut from the source once, decoded, scaled to the
// display size with square pixels and stored as raw video: that is the
// reference every trial is scored against, and what every trial encodes,
// so the source is decoded once however many trials run. Each batch of
// trials is one ffmpeg process (split into one encoder per trial, writing
// elementary streams whose size is the bit rate), and one scoring process:
// with VMAF, the same few frames of every trial (ScoreRequest.Frames) go
// through one libvmaf filter, so a batch of trials costs much less to
// score than as many single trials.
type Trials struct {
	r       Runner
	cfg     TrialConfig
	src     VideoStream
	w, h    int // display size
	rate    ladder.Rate
	id      string
	work    string
	samples map[string]*trialSample
	n       int // trial files written, for unique names
}

type trialSample struct {
	path      string
	frames    int
	duration  time.Duration
	keyframes []time.Duration // window starts in the sample
}

// NewTrials checks cfg and identifies the input by its content (size and
// three 1 MiB blocks: start, middle, end). Close removes the work folder.
func NewTrials(r Runner, cfg TrialConfig) (*Trials, error) {
	if cfg.Probe == nil {
		return nil, fmt.Errorf("%s: not probed", cfg.Input)
	}
	if cfg.Metric == nil {
		return nil, errors.New("trials: no metric")
	}
	src, err := cfg.Probe.PrimaryVideo()
	if err != nil {
		return nil, err
	}
	if src.FrameRate.Num <= 0 || src.FrameRate.Den <= 0 {
		return nil, &InputError{Path: cfg.Input, Reason: "video frame rate is unknown"}
	}
	cfg.Preset = cmp.Or(cfg.Preset, DefaultProbePreset)
	cfg.GOP = cmp.Or(cfg.GOP, defaultTrialGOP)
	cfg.MetricFrames = cmp.Or(cfg.MetricFrames, DefaultMetricFrames)
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	w, h := src.DisplaySize()
	w, h = max(2, w&^1), max(2, h&^1)
	content, err := contentHash(cfg.Input)
	if err != nil {
		return nil, &InputError{Path: cfg.Input, Reason: "cannot read", Err: err}
	}
	key, _ := json.Marshal([]any{trialVersion, content, cfg.Preset, cfg.GOP, cfg.MetricFrames, cfg.Metric.ID(), w, h, src.FrameRate, src.Index})
	t := &Trials{
		r: r, cfg: cfg, src: src, w: w, h: h,
		rate:    ladder.Rate{Num: src.FrameRate.Num, Den: src.FrameRate.Den},
		id:      fmt.Sprintf("%x", sha256.Sum256(key)),
		samples: map[string]*trialSample{},
	}
	return t, nil
}

// ID implements ladder.Trialer.
func (t *Trials) ID() string { return t.id }

// Close removes the work folder and everything in it.
func (t *Trials) Close() error {
	if t.work == "" {
		return nil
	}
	err := os.RemoveAll(t.work)
	t.work = ""
	return err
}

func (t *Trials) workDir() (string, error) {
	if t.work == "" {
		d, err := os.MkdirTemp(t.cfg.WorkDir, "vpack-trials-")
		if err != nil {
			return "", fmt.Errorf("trial work folder: %w", err)
		}
		t.work = d
	}
	return t.work, nil
}

// scanWidth is the width the scan measures at: SI and TI only rank
// windows against each other, and a small picture makes the pass cheap.
const scanWidth = 640

// Scan implements ladder.Trialer: one decode of the whole title through
// scale, siti and scdet, frame statistics printed by the metadata filter.
func (t *Trials) Scan(ctx context.Context) (ladder.Scan, error) {
	chain := fmt.Sprintf("[0:%d]scale='min(%d,iw)':-2,format=yuv420p,siti,scdet=threshold=10,metadata=mode=print:file=-",
		t.src.Index, scanWidth)
	// Skipping the deblocking filter makes decoding about a quarter
	// cheaper and changes SI/TI too little to reorder windows.
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "error", "-skip_loop_filter", "all", "-i", "file:" + t.cfg.Input,
		"-filter_complex", chain, "-f", "null", "-"}
	var out bytes.Buffer
	if err := t.r.Run(ctx, FFmpeg, args, &out); err != nil {
		return ladder.Scan{}, err // ladder.PerTitle says "scan: "
	}
	frames, err := parseFrameStats(&out)
	if err != nil {
		return ladder.Scan{}, fmt.Errorf("siti/scdet output: %w", err)
	}
	if len(frames) == 0 {
		return ladder.Scan{}, &InputError{Path: t.cfg.Input, Reason: "no video frames decoded"}
	}
	dur := t.cfg.Probe.Duration
	last := frames[len(frames)-1].Time + time.Duration(float64(time.Second)/t.rate.Float())
	if dur <= 0 || dur > 2*last {
		dur = last
	}
	return ladder.Scan{Duration: dur, Frames: frames}, nil
}

// parseFrameStats reads the metadata filter's print output:
//
//	frame:1    pts:2048    pts_time:0.04
//	lavfi.siti.si=44.24
//	lavfi.siti.ti=15.24
//	lavfi.scd.score=2.599
func parseFrameStats(r io.Reader) ([]ladder.FrameStat, error) {
	var out []ladder.FrameStat
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "frame:") {
			f := ladder.FrameStat{}
			for _, field := range strings.Fields(line) {
				if v, ok := strings.CutPrefix(field, "pts_time:"); ok {
					sec, err := strconv.ParseFloat(v, 64)
					if err != nil {
						return nil, fmt.Errorf("frame line %q: %w", line, err)
					}
					f.Time = time.Duration(sec * float64(time.Second))
				}
			}
			out = append(out, f)
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok || len(out) == 0 {
			continue
		}
		x, err := strconv.ParseFloat(val, 64)
		if err != nil {
			continue // nan, inf: keep zero
		}
		f := &out[len(out)-1]
		switch key {
		case "lavfi.siti.si":
			f.SI = x
		case "lavfi.siti.ti":
			f.TI = x
		case "lavfi.scd.score":
			f.Scene = x
		}
	}
	return out, sc.Err()
}

// sample cuts windows out of the source into one raw video file at the
// display size (cached per set of windows).
func (t *Trials) sample(ctx context.Context, windows []ladder.Window) (*trialSample, error) {
	key := fmt.Sprint(windows)
	if s := t.samples[key]; s != nil {
		return s, nil
	}
	if len(windows) == 0 {
		return nil, errors.New("no sample windows")
	}
	dir, err := t.workDir()
	if err != nil {
		return nil, err
	}
	s := &trialSample{path: filepath.Join(dir, fmt.Sprintf("sample-%d.nut", len(t.samples)))}
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "error"}
	var g strings.Builder
	for i, w := range windows {
		args = append(args, "-ss", seconds(w.Start), "-t", seconds(w.Duration), "-i", "file:"+t.cfg.Input)
		fmt.Fprintf(&g, "[%d:%d]fps=%s,scale=%d:%d:flags=lanczos,setsar=1,format=yuv420p[w%d];", i, t.src.Index, t.rate, t.w, t.h, i)
	}
	for i := range windows {
		fmt.Fprintf(&g, "[w%d]", i)
	}
	fmt.Fprintf(&g, "concat=n=%d:v=1:a=0[v]", len(windows))
	args = append(args, "-filter_complex", g.String(), "-map", "[v]", "-c:v", "rawvideo", "-f", "nut", "file:"+s.path)
	if err := t.r.Run(ctx, FFmpeg, args, nil); err != nil {
		return nil, fmt.Errorf("cut sample windows: %w", err)
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return nil, fmt.Errorf("cut sample windows: %w", err)
	}
	frameBytes := int64(t.w) * int64(t.h) * 3 / 2
	s.frames = int(fi.Size() / frameBytes) // nut adds a few bytes per frame, less than a frame in all
	if s.frames == 0 {
		return nil, &InputError{Path: t.cfg.Input, Reason: "no video frames in the sample windows"}
	}
	s.duration = time.Duration(float64(s.frames) / t.rate.Float() * float64(time.Second))
	var at time.Duration
	for _, w := range windows {
		s.keyframes = append(s.keyframes, at)
		at += w.Duration
	}
	t.samples[key] = s
	return s, nil
}

// Encode implements ladder.Trialer.
func (t *Trials) Encode(ctx context.Context, windows []ladder.Window, trials []ladder.Trial) ([]ladder.Point, error) {
	if len(trials) == 0 {
		return nil, nil
	}
	s, err := t.sample(ctx, windows)
	if err != nil {
		return nil, err
	}
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", "file:" + s.path}
	var g strings.Builder
	if len(trials) == 1 {
		g.WriteString("[0:v]null[s0]")
	} else {
		fmt.Fprintf(&g, "[0:v]split=%d", len(trials))
		for i := range trials {
			fmt.Fprintf(&g, "[s%d]", i)
		}
	}
	var outs []string
	var inputs []ScoreInput
	for i, tr := range trials {
		rate := tr.FrameRate
		if rate.IsZero() {
			rate = t.rate
		}
		fmt.Fprintf(&g, ";[s%d]", i)
		if !sameRate(rate, t.rate) {
			fmt.Fprintf(&g, "fps=%s,", rate)
		}
		fmt.Fprintf(&g, "scale=%d:%d:flags=%s,setsar=1,format=yuv420p[v%d]", tr.Width, tr.Height, scaleFlags, i)
		ext, format, enc, err := t.trialEncoder(tr, rate, s)
		if err != nil {
			return nil, err
		}
		t.n++
		out := filepath.Join(t.work, fmt.Sprintf("trial-%d.%s", t.n, ext))
		outs = append(outs, out)
		args = append(args, "-map", fmt.Sprintf("[v%d]", i))
		args = append(args, enc...)
		args = append(args, "-f", format, "file:"+out)
		inputs = append(inputs, ScoreInput{Path: out, Format: format, FrameRate: rate})
	}
	args = insertBefore(args, "-filter_complex", g.String())
	defer func() {
		for _, o := range outs {
			os.Remove(o)
		}
	}()
	if err := t.r.Run(ctx, FFmpeg, args, nil); err != nil {
		return nil, fmt.Errorf("encode %d trials: %w", len(trials), err)
	}
	want := t.cfg.MetricFrames * len(windows)
	sub := max(1, (s.frames+want-1)/want) // scores frames 0, sub, 2 sub ...: want of them
	scores, err := t.cfg.Metric.Score(ctx, ScoreRequest{
		Reference: s.path, Width: t.w, Height: t.h, FrameRate: t.rate,
		Distorted: inputs, Subsample: sub, Frames: ScoreFrames(s.frames, want), StatsDir: t.work,
	})
	if err != nil {
		return nil, err
	}
	points := make([]ladder.Point, len(trials))
	for i, tr := range trials {
		fi, err := os.Stat(outs[i])
		if err != nil {
			return nil, fmt.Errorf("trial %dx%d crf %g: %w", tr.Width, tr.Height, tr.CRF, err)
		}
		tr.Preset = cmp.Or(tr.Preset, t.cfg.Preset)
		if tr.FrameRate.IsZero() {
			tr.FrameRate = t.rate
		}
		kbps := float64(fi.Size()) * 8 / 1000 / s.duration.Seconds()
		points[i] = ladder.Point{Trial: tr, BitrateKbps: kbps, Quality: scores[i]}
	}
	return points, nil
}

// insertBefore puts the filter graph before the first output option.
func insertBefore(args []string, opt, val string) []string {
	for i, a := range args {
		if a == "-map" {
			out := append([]string{}, args[:i]...)
			out = append(out, opt, val)
			return append(out, args[i:]...)
		}
	}
	return append(args, opt, val)
}

// trialEncoder returns the file extension, muxer and encoder options of a
// trial: uncapped CRF, keyframes every GOP and at every window start, and
// scene-cut keyframes off, as the production encode.
func (t *Trials) trialEncoder(tr ladder.Trial, rate ladder.Rate, s *trialSample) (ext, format string, args []string, err error) {
	preset := cmp.Or(tr.Preset, t.cfg.Preset)
	keyint := strconv.Itoa(max(1, int(math.Round(t.cfg.GOP.Seconds()*rate.Float()))))
	var kf []string
	for _, k := range s.keyframes {
		kf = append(kf, seconds(k))
	}
	crf := strconv.FormatFloat(tr.CRF, 'f', -1, 64)
	switch tr.Codec {
	case ladder.H264, "":
		return "h264", "h264", []string{"-c:v", "libx264", "-preset", preset, "-crf", crf,
			"-x264-params", "keyint=" + keyint + ":min-keyint=" + keyint + ":scenecut=0:open-gop=0",
			"-force_key_frames:v", strings.Join(kf, ","), "-forced-idr", "1"}, nil
	case ladder.HEVC:
		return "hevc", "hevc", []string{"-c:v", "libx265", "-preset", preset, "-crf", crf,
			"-x265-params", "keyint=" + keyint + ":min-keyint=" + keyint + ":scenecut=0:open-gop=0:log-level=error",
			"-force_key_frames:v", strings.Join(kf, ","), "-forced-idr", "1"}, nil
	case ladder.AV1:
		p, ok := presets[preset]
		if !ok {
			p = presets[DefaultProbePreset]
		}
		return "ivf", "ivf", []string{"-c:v", "libsvtav1", "-preset", p, "-crf", strconv.Itoa(int(math.Round(tr.CRF))),
			"-svtav1-params", "keyint=" + keyint + ":scd=0"}, nil
	}
	return "", "", nil, fmt.Errorf("trial codec %q: want h264, hevc or av1", tr.Codec)
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 6, 64) }

// contentHash identifies a file by its size and three 1 MiB blocks, so a
// renamed or copied file keeps its cached trials and an edited one does
// not, without reading a whole movie.
func contentHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	const block = 1 << 20
	h := sha256.New()
	fmt.Fprintf(h, "%d;", fi.Size())
	buf := make([]byte, block)
	for _, off := range []int64{0, fi.Size()/2 - block/2, fi.Size() - block} {
		off = max(0, off)
		n, err := f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		h.Write(buf[:n])
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

func hashBytes(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:8]
}
