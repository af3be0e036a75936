// Command validatebench measures static validation (`vpack validate`
// without --keys: manifests, init segments and every segment's moof, never
// the mdat payloads) on a generated 2-hour package: 6 H.264 video rungs of
// Apple's ladder (416x234 at 145 kbit/s to 1920x1080 at 6 Mbit/s) and one
// AAC track, 4 s segments, 12,600 segments in all, HLS and DASH.
//
//	go run ./bench/validatebench -o bench/results
//
// The package is synthetic but real where validation looks: ffmpeg encodes
// 8 s of every rung (two 4 s GOPs) and of audio, the packager packages them
// into two segments per track, and this program repeats those segments
// 900 times with rewritten tfdt and sequence numbers, then writes the
// manifests with package manifest. Segment files keep their real size
// (the bit rates stay honest), but their mdat payload after the first
// bytes is a hole (a sparse file): 12,600 segments of a 12 Mbit/s ladder
// would otherwise take 11 GB of disk. The package is cached under
// .cache/bench/validate/ in the repository root.
//
// One unmeasured warm-up run fills the page cache, then -runs measured
// runs call validate.Dir in this process, as `vpack validate` does. The
// report (results/validate.json and validate.md, and stdout) gives the
// median, minimum and maximum wall time, the segments checked, the bytes
// read and the peak RSS, and fails when the package does not validate
// cleanly (the benchmark would measure nothing).
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
	"syscall"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/vpack-dev/vpack/manifest"
	"github.com/vpack-dev/vpack/packager"
	"github.com/vpack-dev/vpack/validate"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// The package: Apple's H.264 ladder (REFERENCE.md), 6 rungs.
var rungs = []struct {
	W, H int
	Kbps int
}{{416, 234, 145}, {640, 360, 365}, {768, 432, 730}, {960, 540, 2000}, {1280, 720, 3000}, {1920, 1080, 6000}}

const (
	title        = 2 * time.Hour
	segDur       = 4 * time.Second
	sourceSecs   = 8 // two segments per track, repeated
	cacheVersion = "v2"
	targetSecs   = 2.0
)

type options struct {
	out   string
	cache string
	runs  int
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("validatebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.out, "o", "bench/results", "folder for validate.json and validate.md")
	fs.StringVar(&o.cache, "cache", ".cache/bench/validate", "folder for the generated package")
	fs.IntVar(&o.runs, "runs", 5, "measured runs")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.runs < 1 {
		return o, errors.New("-runs must be at least 1")
	}
	return o, nil
}

// Result is validate.json.
type Result struct {
	Date     string    `json:"date"`
	Command  string    `json:"command"`
	Host     Host      `json:"host"`
	Package  Pkg       `json:"package"`
	Runs     int       `json:"runs"`
	WarmupS  float64   `json:"warmup_s"`
	MedianS  float64   `json:"median_s"`
	MinS     float64   `json:"min_s"`
	MaxS     float64   `json:"max_s"`
	RunS     []float64 `json:"run_s"`
	CPUS     []float64 `json:"run_cpu_s"` // user+system CPU time of each run
	MedCPUS  float64   `json:"median_cpu_s"`
	TargetS  float64   `json:"target_s"`
	Met      bool      `json:"met"`
	Segments int       `json:"segments_checked"`
	Inits    int       `json:"init_segments"`
	Bytes    int64     `json:"bytes_read"`
	PeakRSS  float64   `json:"peak_rss_mib"`
	Errors   int       `json:"errors"`
	Warnings int       `json:"warnings"`
	Infos    int       `json:"infos"`
	Load     string    `json:"load_average"` // /proc/loadavg after the runs: other work on the machine
}

type Host struct {
	CPUs   int    `json:"cpus"`
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	Go     string `json:"go"`
}

type Pkg struct {
	Path        string  `json:"path"`
	DurationS   float64 `json:"duration_s"`
	SegmentS    float64 `json:"segment_s"`
	Tracks      int     `json:"tracks"`
	Segments    int     `json:"segments"`
	ApparentGB  float64 `json:"apparent_gb"` // sum of file sizes
	Description string  `json:"description"`
	GenerateS   float64 `json:"generate_s,omitempty"`
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return 2
	}
	if err := bench(o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "validatebench: %v\n", err)
		return 1
	}
	return 0
}

func bench(o options, stdout, stderr io.Writer) error {
	ctx := context.Background()
	pkg := filepath.Join(o.cache, cacheVersion)
	var genS float64
	if _, err := os.Stat(filepath.Join(pkg, "master.m3u8")); err != nil {
		start := time.Now()
		fmt.Fprintf(stderr, "generating the package in %s (once)\n", pkg)
		if err := generate(ctx, pkg, stderr); err != nil {
			os.RemoveAll(pkg)
			return err
		}
		genS = time.Since(start).Seconds()
	}
	apparent, files, err := du(pkg)
	if err != nil {
		return err
	}
	res := Result{
		Date:    time.Now().UTC().Format(time.RFC3339),
		Command: "go run ./bench/validatebench -o " + o.out,
		Host:    Host{CPUs: runtime.NumCPU(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Go: runtime.Version()},
		Package: Pkg{Path: pkg, DurationS: title.Seconds(), SegmentS: segDur.Seconds(), Tracks: len(rungs) + 1,
			Segments: files, ApparentGB: float64(apparent) / 1e9, GenerateS: genS,
			Description: "6 H.264 rungs (416x234@145k … 1920x1080@6000k, 25 fps) + AAC 128k, 4 s segments, HLS (with I-frame playlists) + DASH SegmentTimeline"},
		Runs:    o.runs,
		TargetS: targetSecs,
	}
	measure := func() (*validate.Report, float64, float64, error) {
		cpu0 := cpuSeconds()
		start := time.Now()
		r, err := validate.Dir(ctx, pkg, validate.Options{})
		return r, time.Since(start).Seconds(), cpuSeconds() - cpu0, err
	}
	r, warm, _, err := measure()
	if err != nil {
		return err
	}
	res.WarmupS = warm
	if r.HasErrors() || r.HasWarnings() {
		var b strings.Builder
		r.WriteText(&b)
		return fmt.Errorf("the benchmark package does not validate cleanly:\n%s", firstLines(b.String(), 20))
	}
	for i := 0; i < o.runs; i++ {
		r, s, cpu, err := measure()
		if err != nil {
			return err
		}
		res.RunS = append(res.RunS, s)
		res.CPUS = append(res.CPUS, cpu)
		res.Segments, res.Inits, res.Bytes = r.Stats.Segments, r.Stats.InitSegments, r.Stats.BytesRead
		res.Errors, res.Warnings, res.Infos = r.Count(validate.Error), r.Count(validate.Warning), r.Count(validate.Info)
	}
	sorted := slices.Clone(res.RunS)
	slices.Sort(sorted)
	res.MedianS, res.MinS, res.MaxS = median(sorted), sorted[0], sorted[len(sorted)-1]
	cpus := slices.Clone(res.CPUS)
	slices.Sort(cpus)
	res.MedCPUS = median(cpus)
	res.Load = loadAverage()
	res.Met = res.MedianS < targetSecs
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		res.PeakRSS = float64(ru.Maxrss) / 1024
	}
	return write(o.out, &res, stdout)
}

// cpuSeconds is the user+system CPU time of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}

func du(dir string) (int64, int, error) {
	var total int64
	segs := 0
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			total += info.Size()
			if strings.HasSuffix(p, ".m4s") {
				segs++
			}
		}
		return nil
	})
	return total, segs, err
}

func write(dir string, res *Result, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	j, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "validate.json"), append(j, '\n'), 0o644); err != nil {
		return err
	}
	md := markdown(res)
	if err := os.WriteFile(filepath.Join(dir, "validate.md"), []byte(md), 0o644); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, md)
	return err
}

func markdown(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Validate benchmark: static validation of a 2-hour package\n\n")
	fmt.Fprintf(&b, "%s, %d CPUs, %s. `%s`.\n\n", r.Date, r.Host.CPUs, r.Host.Go, r.Command)
	fmt.Fprintf(&b, "Package: %s; %.0f s, %d tracks, %d segments (%.1f GB apparent size; mdat payloads are sparse holes, never read).\n\n",
		r.Package.Description, r.Package.DurationS, r.Package.Tracks, r.Package.Segments, r.Package.ApparentGB)
	fmt.Fprintf(&b, "| runs | median s | min s | max s | median CPU s | warm-up s | segments checked | init segments | bytes read | peak RSS MiB | findings |\n")
	fmt.Fprintf(&b, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	fmt.Fprintf(&b, "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %d | %d | %d | %.0f | %d errors, %d warnings, %d infos |\n\n",
		r.Runs, r.MedianS, r.MinS, r.MaxS, r.MedCPUS, r.WarmupS, r.Segments, r.Inits, r.Bytes, r.PeakRSS, r.Errors, r.Warnings, r.Infos)
	verdict := "met"
	if !r.Met {
		verdict = "NOT met"
	}
	fmt.Fprintf(&b, "Target: static validation (manifests + every segment's moof) in < %.0f s: **%s** (median %.3f s). Runs are in-process calls of validate.Dir after one warm-up run (page cache warm); wall times depend on what else the machine runs (load average %s after the runs); the CPU time (user+system, all threads) much less.\n", r.TargetS, verdict, r.MedianS, r.Load)
	return b.String()
}

// generate encodes the sources, packages them and synthesizes the 2-hour
// package in dir.
func generate(ctx context.Context, dir string, log io.Writer) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp(filepath.Dir(dir), ".work-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var inputs []packager.Input
	for _, r := range rungs {
		out := filepath.Join(work, fmt.Sprintf("v%d.mp4", r.H))
		fmt.Fprintf(log, "encoding %dx%d\n", r.W, r.H)
		err := ffmpeg(ctx, "-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=25:duration=%d", r.W, r.H, sourceSecs),
			"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
			"-b:v", fmt.Sprintf("%dk", r.Kbps), "-maxrate", fmt.Sprintf("%dk", 2*r.Kbps), "-bufsize", fmt.Sprintf("%dk", 2*r.Kbps),
			"-x264-params", "keyint=100:min-keyint=100:scenecut=0", "-an", out)
		if err != nil {
			return err
		}
		inputs = append(inputs, packager.Input{Path: out})
	}
	audio := filepath.Join(work, "audio.mp4")
	// 374 AAC frames of sound and the encoder's one frame of priming:
	// 375 frames of 1024 samples are exactly 8 s at 48 kHz, so that the
	// repeated audio stays as long as the video.
	if err := ffmpeg(ctx, "-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:sample_rate=48000:duration=%d", sourceSecs),
		"-af", fmt.Sprintf("atrim=end_sample=%d", sourceSecs*48000-1024), "-c:a", "aac", "-b:a", "128k", "-ac", "2", audio); err != nil {
		return err
	}
	inputs = append(inputs, packager.Input{Path: audio, Language: "en"})
	src := filepath.Join(work, "pkg")
	res, err := packager.Run(ctx, packager.Config{Inputs: inputs, OutDir: src, SegmentDuration: segDur})
	if err != nil {
		return fmt.Errorf("package: %w", err)
	}
	fmt.Fprintf(log, "synthesizing %v of segments\n", title)
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	p, err := synthesize(src, tmp, res.Presentation)
	if err != nil {
		return err
	}
	if err := writeManifests(tmp, p); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

func ffmpeg(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, "ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ffmpeg %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

// synthesize repeats the two segments of every track of the packaged
// sources to fill the title: segment i is a copy of source segment i%2
// with tfdt moved by whole source periods and the sequence number i+1.
// Each file gets its real size, its mdat payload beyond the first bytes a
// hole.
func synthesize(src, dst string, p *manifest.Presentation) (*manifest.Presentation, error) {
	out := *p
	out.Duration = title
	out.Tracks = nil
	n := int(title / segDur)
	for _, tr := range p.Tracks {
		if len(tr.Segments) != 2 {
			return nil, fmt.Errorf("track %s: %d source segments, want 2", tr.ID, len(tr.Segments))
		}
		if err := copyFile(filepath.Join(src, tr.InitURI), filepath.Join(dst, tr.InitURI)); err != nil {
			return nil, err
		}
		period := tr.Segments[0].DurTicks + tr.Segments[1].DurTicks
		type tmpl struct {
			head   []byte // styp + moof + mdat header
			size   int64
			tfdtAt []int // offsets of tfdt baseMediaDecodeTime (64 bit) in head
			seqAt  []int // offsets of mfhd sequence_number
			tfdt   []uint64
			iframe manifest.IFrame
		}
		var tm [2]tmpl
		for k := range tm {
			data, err := os.ReadFile(filepath.Join(src, tr.Segments[k].URI))
			if err != nil {
				return nil, err
			}
			t, err := segmentTemplate(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", tr.Segments[k].URI, err)
			}
			tm[k] = tmpl{head: t.head, size: int64(len(data)), tfdtAt: t.tfdtAt, seqAt: t.seqAt, tfdt: t.tfdt}
			for _, f := range tr.IFrames {
				if f.URI == tr.Segments[k].URI {
					tm[k].iframe = f
				}
			}
		}
		nt := tr
		nt.Segments, nt.IFrames = nil, nil
		dir := filepath.Dir(tr.Segments[0].URI)
		var bits, peak float64
		for i := 0; i < n; i++ {
			t := tm[i%2]
			shift := uint64(i/2) * period
			head := slices.Clone(t.head)
			for j, at := range t.tfdtAt {
				putU64(head[at:], t.tfdt[j]+shift)
			}
			for _, at := range t.seqAt {
				putU32(head[at:], uint32(i+1))
			}
			uri := fmt.Sprintf("%s/seg-%05d.m4s", dir, i+1)
			if err := writeSparse(filepath.Join(dst, uri), head, t.size); err != nil {
				return nil, err
			}
			s := tr.Segments[i%2]
			nt.Segments = append(nt.Segments, manifest.Segment{URI: uri, StartTicks: s.StartTicks + shift, DurTicks: s.DurTicks, SizeBytes: t.size})
			if tr.Type == manifest.Video {
				f := t.iframe
				f.URI = uri
				nt.IFrames = append(nt.IFrames, f)
			}
			sec := float64(s.DurTicks) / float64(tr.Timescale)
			bits += float64(t.size) * 8
			peak = max(peak, float64(t.size)*8/sec)
		}
		nt.BandwidthBps = int64(peak) + 1
		nt.AverageBandwidthBps = int64(bits/(float64(period)*float64(n/2)/float64(tr.Timescale))) + 1
		out.Tracks = append(out.Tracks, nt)
	}
	return &out, nil
}

type segTemplate struct {
	head   []byte
	tfdtAt []int
	seqAt  []int
	tfdt   []uint64
}

// segmentTemplate finds, in a packaged segment, the bytes up to the
// first mdat payload and where its tfdt and mfhd fields are. Segments
// with more than one fragment (GOP) are refused: the source GOP is the
// segment.
func segmentTemplate(data []byte) (segTemplate, error) {
	var t segTemplate
	f, err := mp4.DecodeFile(bytes.NewReader(data))
	if err != nil {
		return t, err
	}
	if len(f.Segments) != 1 || len(f.Segments[0].Fragments) != 1 {
		return t, errors.New("want one fragment per segment")
	}
	frag := f.Segments[0].Fragments[0]
	moofStart := int(f.Segments[0].Styp.Size())
	end := moofStart + int(frag.Moof.Size()) + 8
	t.head = data[:end]
	// Offsets inside the moof: find the boxes by their type.
	i := bytes.Index(data[moofStart:end], []byte("mfhd"))
	j := bytes.Index(data[moofStart:end], []byte("tfdt"))
	if i < 0 || j < 0 || data[moofStart+j+4] != 1 {
		return t, errors.New("no mfhd or no version-1 tfdt")
	}
	t.seqAt = []int{moofStart + i + 8}
	t.tfdtAt = []int{moofStart + j + 8}
	t.tfdt = []uint64{frag.Moof.Traf.Tfdt.BaseMediaDecodeTime()}
	return t, nil
}

func putU32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}
func putU64(b []byte, v uint64) { putU32(b, uint32(v>>32)); putU32(b[4:], uint32(v)) }

func writeSparse(path string, head []byte, size int64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(head); err != nil {
		f.Close()
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

func writeManifests(dir string, p *manifest.Presentation) error {
	files, err := manifest.WriteHLS(p, manifest.HLSOptions{})
	if err != nil {
		return err
	}
	mpd, err := manifest.WriteDASH(p, manifest.DASHOptions{})
	if err != nil {
		return err
	}
	files = append(files, manifest.File{Name: "manifest.mpd", Data: mpd})
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
