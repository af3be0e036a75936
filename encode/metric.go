package encode

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vpack-dev/vpack/ladder"
)

// ErrVMAFUnavailable means --metric vmaf cannot run: no ffmpeg with the
// libvmaf filter, or no model file for it.
var ErrVMAFUnavailable = errors.New("vmaf is not available")

// Metric scores distorted videos against a reference with ffmpeg. It is the
// one seam between per-title analysis and the quality filters: PSNR and
// SSIM use the ffmpeg on PATH, VMAF any ffmpeg that has libvmaf.
type Metric interface {
	// Name is the metric's name in ladder terms (ladder.MetricVMAF, ...).
	Name() string
	// ID identifies the metric and every setting that changes its scores
	// (model, frame subsampling), for cache keys.
	ID() string
	// Score scores every distorted video against req.Reference at the
	// reference's size, in one ffmpeg run, and returns one score per
	// distorted video: the mean over frames (VMAF, SSIM), or PSNR of the
	// mean luma MSE (as ffmpeg's own summary), capped at 100 dB for
	// identical pictures.
	Score(ctx context.Context, req ScoreRequest) ([]float64, error)
}

// ScoreRequest is the input of Metric.Score.
type ScoreRequest struct {
	// Reference is the picture as a viewer should see it: display size,
	// square pixels, upright, constant FrameRate.
	Reference     string
	Width, Height int
	FrameRate     ladder.Rate
	Distorted     []ScoreInput
	// Subsample scores every Subsample-th frame (VMAF only; 0 or 1: all).
	Subsample int
	// Frames, when set, are the only frames VMAF scores, instead of every
	// Subsample-th: indices into the reference, increasing, at least 3
	// apart, neither the first nor the last frame (ScoreFrames picks them).
	// Each goes to libvmaf with the frames before and after it, so its
	// motion feature, and so its score, is exactly what a run over every
	// frame gives there; and all distorted videos are scored by one libvmaf
	// filter, one after the other, in one process. Seven 1080p trials cost
	// 5.1 CPU-seconds to score so, against about 8 in a process each over
	// every frame. PSNR and SSIM ignore it.
	Frames []int
	// StatsDir is where per-frame statistics files go (an existing
	// folder); default os.TempDir().
	StatsDir string
}

// ScoreInput is one distorted video. It is brought to the reference the
// way a player shows it: frames repeated up to the reference frame rate,
// then scaled bicubic to the reference size.
type ScoreInput struct {
	Path string
	// Format is ffmpeg's demuxer name for raw elementary streams ("h264",
	// "hevc"); "" lets ffmpeg probe.
	Format string
	// FrameRate is the stream's frame rate; a raw elementary stream has
	// none of its own. Zero: the reference's.
	FrameRate ladder.Rate
}

// NewPSNR scores PSNR of the luma plane (dB) with ffmpeg's psnr filter.
func NewPSNR(r Runner) Metric { return &filterMetric{r: r, name: ladder.MetricPSNR} }

// NewSSIM scores SSIM of all planes with ffmpeg's ssim filter.
func NewSSIM(r Runner) Metric { return &filterMetric{r: r, name: ladder.MetricSSIM} }

// VMAFConfig configures NewVMAF.
type VMAFConfig struct {
	// Runner runs an ffmpeg that has the libvmaf filter.
	Runner Runner
	// Model is the model file: a .pkl (libvmaf 1.x, with its .pkl.model
	// beside it) or a .json (libvmaf 2+). Empty: libvmaf 2+'s built-in
	// vmaf_v0.6.1.
	Model string
	// Threads for libvmaf; default 1, which costs the least CPU time per
	// frame (vpack runs other work beside it).
	Threads int
}

// NewVMAF scores VMAF with the libvmaf filter.
func NewVMAF(cfg VMAFConfig) Metric {
	return &filterMetric{r: cfg.Runner, name: ladder.MetricVMAF, model: cfg.Model, threads: max(1, cfg.Threads)}
}

// NewMetric returns the metric called name; VMAF needs vmaf (see
// FindVMAF), PSNR and SSIM run on r.
func NewMetric(name string, r Runner, vmaf *VMAFConfig) (Metric, error) {
	switch name {
	case ladder.MetricPSNR:
		return NewPSNR(r), nil
	case ladder.MetricSSIM:
		return NewSSIM(r), nil
	case ladder.MetricVMAF:
		if vmaf == nil {
			return nil, fmt.Errorf("%w: no ffmpeg with libvmaf configured", ErrVMAFUnavailable)
		}
		return NewVMAF(*vmaf), nil
	}
	return nil, fmt.Errorf("metric %q: want one of %s", name, strings.Join(ladder.MetricNames, ", "))
}

// FindVMAF checks that r's ffmpeg has the libvmaf filter and that model
// (if named) exists, and returns the configuration of NewVMAF. A libvmaf
// 1.x build (option model_path) needs a model file; libvmaf 2+ falls back
// to its built-in model. The error wraps ErrVMAFUnavailable and says what
// to do.
func FindVMAF(ctx context.Context, r Runner, model string) (*VMAFConfig, error) {
	var out bytes.Buffer
	if err := r.Run(ctx, FFmpeg, []string{"-hide_banner", "-h", "filter=libvmaf"}, &out); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrVMAFUnavailable, err)
	}
	help := out.String()
	if !strings.Contains(help, "libvmaf AVOptions") {
		return nil, fmt.Errorf("%w: this ffmpeg has no libvmaf filter (name one that has with --vmaf-ffmpeg; "+
			"scripts/setup-vmaf.sh fetches one)", ErrVMAFUnavailable)
	}
	v1 := strings.Contains(help, "model_path")
	if model == "" && v1 {
		return nil, fmt.Errorf("%w: this libvmaf needs a model file (--vmaf-model path/to/vmaf_v0.6.1.pkl)", ErrVMAFUnavailable)
	}
	if model != "" {
		if _, err := os.Stat(model); err != nil {
			return nil, fmt.Errorf("%w: model: %w", ErrVMAFUnavailable, err)
		}
		if v1 && strings.HasSuffix(model, ".json") {
			return nil, fmt.Errorf("%w: model %s: this libvmaf (1.x) reads .pkl models", ErrVMAFUnavailable, model)
		}
	}
	return &VMAFConfig{Runner: r, Model: model}, nil
}

type filterMetric struct {
	r       Runner
	name    string
	model   string
	threads int
}

func (m *filterMetric) Name() string { return m.name }

func (m *filterMetric) ID() string {
	if m.name != ladder.MetricVMAF {
		return m.name
	}
	id := "vmaf"
	if b, err := os.ReadFile(m.model); err == nil {
		id += fmt.Sprintf(":%x", hashBytes(b))
	} else if m.model != "" {
		id += ":" + m.model
	}
	return id
}

func (m *filterMetric) Score(ctx context.Context, req ScoreRequest) ([]float64, error) {
	if m.name == ladder.MetricVMAF && len(req.Frames) > 0 && len(req.Distorted) > 0 {
		out, err := m.scoreFrames(ctx, req)
		if !errors.Is(err, errFrameCount) {
			return out, err
		}
		// A distorted video shorter than the reference: score it the
		// slow way, which compares what is there.
		req.Frames = nil
	}
	if m.name != ladder.MetricVMAF || len(req.Distorted) <= 1 {
		return m.score(ctx, req)
	}
	// The static libvmaf 1.3 ffmpeg crashes now and then (a general
	// protection fault) with two libvmaf filters in one graph, so VMAF
	// scores one video per process; the raw reference costs nothing to
	// read again.
	out := make([]float64, 0, len(req.Distorted))
	for _, d := range req.Distorted {
		one := req
		one.Distorted = []ScoreInput{d}
		v, err := m.score(ctx, one)
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
	}
	return out, nil
}

func (m *filterMetric) score(ctx context.Context, req ScoreRequest) ([]float64, error) {
	n := len(req.Distorted)
	if n == 0 {
		return nil, nil
	}
	dir, err := m.statsDir(req)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	args := scoreInputs(req)
	var g strings.Builder
	fmt.Fprintf(&g, "[0:v]settb=AVTB,setpts=N/(%s)/TB", req.FrameRate)
	if n > 1 {
		fmt.Fprintf(&g, ",split=%d", n)
		for i := range n {
			fmt.Fprintf(&g, "[r%d]", i)
		}
	} else {
		g.WriteString("[r0]")
	}
	stats := make([]string, n)
	for i, d := range req.Distorted {
		distortedTimeline(&g, i, d, req.FrameRate)
		fmt.Fprintf(&g, ",scale=%d:%d:flags=bicubic,setsar=1,format=yuv420p[d%d];", req.Width, req.Height, i)
		stats[i] = filepath.Join(dir, fmt.Sprintf("%s-%d.log", m.name, i))
		fmt.Fprintf(&g, "[d%d][r%d]%s", i, i, m.filter(stats[i], req.Subsample))
	}
	args = append(args, "-filter_complex", g.String(), "-f", "null", "-")
	if err := m.r.Run(ctx, FFmpeg, args, nil); err != nil {
		return nil, fmt.Errorf("score %s: %w", m.name, err)
	}
	out := make([]float64, n)
	for i, p := range stats {
		v, err := m.parse(p)
		if err != nil {
			return nil, fmt.Errorf("score %s of %s: %w", m.name, req.Distorted[i].Path, err)
		}
		out[i] = v
	}
	return out, nil
}

// errFrameCount: libvmaf scored fewer frames than asked for.
var errFrameCount = errors.New("vmaf scored fewer frames than selected")

// ScoreFrames picks the frames ScoreRequest.Frames asks VMAF to score: want
// frames spread evenly over n (the middle of n/want equal parts), at most
// n/3 of them so their neighbours do not overlap. nil when n < 3.
func ScoreFrames(n, want int) []int {
	want = min(want, n/3)
	if want < 1 {
		return nil
	}
	out := make([]int, want)
	for i := range out {
		out[i] = min(max((2*i+1)*n/(2*want), 1), n-2)
	}
	return out
}

// checkFrames checks ScoreRequest.Frames.
func checkFrames(frames []int) error {
	for i, f := range frames {
		if f < 1 || (i > 0 && f-frames[i-1] < 3) {
			return fmt.Errorf("score vmaf: frames %v: want increasing indices from 1, at least 3 apart", frames)
		}
	}
	return nil
}

// scoreFrames scores req.Frames of every distorted video in one process:
// the frames and their neighbours are selected from the reference and
// from each distorted video, the videos concatenated, the reference
// repeated once per video, and two copies of the first frame put in
// front, so libvmaf's every third frame (n_subsample=3, frames 0, 3, 6,
// ...) is a selected frame in the middle of its neighbours. Frame 0 is
// one of the copies and not counted.
func (m *filterMetric) scoreFrames(ctx context.Context, req ScoreRequest) ([]float64, error) {
	n, per := len(req.Distorted), len(req.Frames)
	if err := checkFrames(req.Frames); err != nil {
		return nil, err
	}
	dir, err := m.statsDir(req)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	var sel strings.Builder
	sel.WriteString("select='")
	for i, f := range req.Frames {
		if i > 0 {
			sel.WriteByte('+')
		}
		fmt.Fprintf(&sel, `between(n\,%d\,%d)`, f-1, f+1)
	}
	sel.WriteString("'")
	args := scoreInputs(req)
	var g strings.Builder
	fmt.Fprintf(&g, "[0:v]settb=AVTB,setpts=N/(%s)/TB,%s", req.FrameRate, sel.String())
	if n > 1 {
		fmt.Fprintf(&g, ",split=%d", n)
	}
	for i := range n {
		fmt.Fprintf(&g, "[r%d]", i)
	}
	for i, d := range req.Distorted {
		distortedTimeline(&g, i, d, req.FrameRate)
		fmt.Fprintf(&g, ",%s,scale=%d:%d:flags=bicubic,setsar=1,format=yuv420p[d%d]", sel.String(), req.Width, req.Height, i)
	}
	// Both sides: concatenated, two copies of the first frame in front,
	// timestamps renumbered so libvmaf pairs them frame by frame.
	lead := fmt.Sprintf("loop=loop=2:size=1:start=0,setpts=N/(%s)/TB", req.FrameRate)
	for _, side := range []string{"r", "d"} {
		g.WriteString(";")
		for i := range n {
			fmt.Fprintf(&g, "[%s%d]", side, i)
		}
		if n > 1 {
			fmt.Fprintf(&g, "concat=n=%d:v=1:a=0,", n)
		} else {
			g.WriteString("null,")
		}
		fmt.Fprintf(&g, "%s[%s]", lead, strings.ToUpper(side))
	}
	stats := filepath.Join(dir, "vmaf.log")
	// shortest: a distorted video missing frames ends the run early, so
	// the count shows it, rather than its last frame standing in.
	fmt.Fprintf(&g, ";[D][R]%s:shortest=1", m.filter(stats, 3))
	args = append(args, "-filter_complex", g.String(), "-f", "null", "-")
	if err := m.r.Run(ctx, FFmpeg, args, nil); err != nil {
		return nil, fmt.Errorf("score %s: %w", m.name, err)
	}
	b, err := os.ReadFile(stats)
	if err != nil {
		return nil, fmt.Errorf("score %s: %w", m.name, err)
	}
	scores, err := vmafFrames(b)
	if err != nil {
		return nil, fmt.Errorf("score %s: %w", m.name, err)
	}
	if len(scores) != 1+n*per {
		return nil, fmt.Errorf("score %s: %w: %d, want %d", m.name, errFrameCount, len(scores), 1+n*per)
	}
	out := make([]float64, n)
	for i := range out {
		var sum float64
		for _, v := range scores[1+i*per : 1+(i+1)*per] {
			sum += v
		}
		out[i] = sum / float64(per)
	}
	return out, nil
}

// statsDir checks the reference's size and rate and makes the folder for
// one run's stats files.
func (m *filterMetric) statsDir(req ScoreRequest) (string, error) {
	if req.Width <= 0 || req.Height <= 0 || req.FrameRate.IsZero() {
		return "", fmt.Errorf("score %s: reference size %dx%d or rate %s unknown", m.name, req.Width, req.Height, req.FrameRate)
	}
	return os.MkdirTemp(req.StatsDir, "scores-")
}

// scoreInputs returns ffmpeg's arguments up to its inputs: the reference
// (input 0), then every distorted video (raw formats with their rate).
func scoreInputs(req ScoreRequest) []string {
	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", "file:" + req.Reference}
	for _, d := range req.Distorted {
		if d.Format != "" {
			args = append(args, "-f", d.Format)
		}
		if !d.FrameRate.IsZero() && d.Format != "" {
			args = append(args, "-framerate", d.FrameRate.String())
		}
		args = append(args, "-i", "file:"+d.Path)
	}
	return args
}

// distortedTimeline starts the filter chain of distorted video i (input
// i+1): frames numbered at its own rate, repeated to the reference's rate
// as a player does when the rates differ.
func distortedTimeline(g *strings.Builder, i int, d ScoreInput, ref ladder.Rate) {
	rate := d.FrameRate
	if rate.IsZero() {
		rate = ref
	}
	fmt.Fprintf(g, ";[%d:v]settb=AVTB,setpts=N/(%s)/TB", i+1, rate)
	if !sameRate(rate, ref) {
		fmt.Fprintf(g, ",fps=%s", ref)
	}
}

// sameRate reports whether two rates are equal as fractions.
func sameRate(a, b ladder.Rate) bool { return int64(a.Num)*int64(b.Den) == int64(b.Num)*int64(a.Den) }

func (m *filterMetric) filter(stats string, subsample int) string {
	p := escapeFilterValue(stats)
	switch m.name {
	case ladder.MetricPSNR:
		return "psnr=stats_file=" + p
	case ladder.MetricSSIM:
		return "ssim=stats_file=" + p
	}
	f := "libvmaf=log_fmt=json:log_path=" + p + ":n_threads=" + strconv.Itoa(m.threads)
	if subsample > 1 {
		f += ":n_subsample=" + strconv.Itoa(subsample)
	}
	switch {
	case m.model == "":
	case strings.HasSuffix(m.model, ".json"):
		f += ":model=" + escapeFilterValue("path="+escapeOption(m.model))
	default:
		f += ":model_path=" + escapeFilterValue(m.model)
	}
	return f
}

func (m *filterMetric) parse(path string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if m.name == ladder.MetricVMAF {
		return parseVMAFLog(b)
	}
	return parseStats(m.name, b)
}

// parseStats averages a psnr or ssim stats_file.
func parseStats(name string, b []byte) (float64, error) {
	key := "mse_y:"
	if name == ladder.MetricSSIM {
		key = "All:"
	}
	var sum float64
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		for _, f := range strings.Fields(sc.Text()) {
			if v, ok := strings.CutPrefix(f, key); ok {
				x, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return 0, fmt.Errorf("stats line %q: %w", sc.Text(), err)
				}
				sum += x
				n++
			}
		}
	}
	if n == 0 {
		return 0, errors.New("no frames scored")
	}
	mean := sum / float64(n)
	if name == ladder.MetricSSIM {
		return mean, nil
	}
	if mean <= 0 {
		return 100, nil
	}
	return math.Min(100, 10*math.Log10(255*255/mean)), nil
}

// parseVMAFLog averages the per-frame "vmaf" of a libvmaf JSON log (1.x
// and 2.x write the same frames list).
func parseVMAFLog(b []byte) (float64, error) {
	vs, err := vmafFrames(b)
	if err != nil {
		return 0, err
	}
	var sum float64
	for _, v := range vs {
		sum += v
	}
	return sum / float64(len(vs)), nil
}

// vmafFrames returns the per-frame "vmaf" of a libvmaf JSON log in frame
// order; an error when no frame has one.
func vmafFrames(b []byte) ([]float64, error) {
	type frame struct {
		FrameNum int                `json:"frameNum"`
		Metrics  map[string]float64 `json:"metrics"`
	}
	var log struct {
		Frames []frame `json:"frames"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		return nil, fmt.Errorf("vmaf log: %w", err)
	}
	slices.SortStableFunc(log.Frames, func(a, b frame) int { return cmp.Compare(a.FrameNum, b.FrameNum) })
	var out []float64
	for _, f := range log.Frames {
		if v, ok := f.Metrics["vmaf"]; ok {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("vmaf log: no frames scored")
	}
	return out, nil
}

// escapeOption escapes a value for an ffmpeg option list (level 1).
func escapeOption(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, `:`, `\:`)
	return r.Replace(s)
}

// escapeFilterValue escapes a filter option value for a filtergraph: the
// option level, then the graph level.
func escapeFilterValue(s string) string {
	s = escapeOption(s)
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, `[`, `\[`, `]`, `\]`, `,`, `\,`, `;`, `\;`)
	return r.Replace(s)
}
