package encode

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
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
	if req.Width <= 0 || req.Height <= 0 || req.FrameRate.IsZero() {
		return nil, fmt.Errorf("score %s: reference size %dx%d or rate %s unknown", m.name, req.Width, req.Height, req.FrameRate)
	}
	dir, err := os.MkdirTemp(req.StatsDir, "scores-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	args := []string{"-hide_banner", "-nostdin", "-y", "-loglevel", "error"}
	args = append(args, "-i", "file:"+req.Reference)
	for _, d := range req.Distorted {
		if d.Format != "" {
			args = append(args, "-f", d.Format)
		}
		if !d.FrameRate.IsZero() && d.Format != "" {
			args = append(args, "-framerate", d.FrameRate.String())
		}
		args = append(args, "-i", "file:"+d.Path)
	}
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
		rate := d.FrameRate
		if rate.IsZero() {
			rate = req.FrameRate
		}
		fmt.Fprintf(&g, ";[%d:v]settb=AVTB,setpts=N/(%s)/TB", i+1, rate)
		if !sameRate(rate, req.FrameRate) {
			fmt.Fprintf(&g, ",fps=%s", req.FrameRate) // repeat frames as a player does
		}
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
	var log struct {
		Frames []struct {
			Metrics map[string]float64 `json:"metrics"`
		} `json:"frames"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		return 0, fmt.Errorf("vmaf log: %w", err)
	}
	var sum float64
	n := 0
	for _, f := range log.Frames {
		if v, ok := f.Metrics["vmaf"]; ok {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0, errors.New("vmaf log: no frames scored")
	}
	return sum / float64(n), nil
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
