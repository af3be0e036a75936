package encode_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpack-dev/vpack/encode"
	"github.com/vpack-dev/vpack/internal/mediatest"
)

// Helpers for the tests that run real ffmpeg: sources made with lavfi and
// properties of the outputs measured with ffprobe.

// noisySource is testsrc2 with temporal noise, so that the encoders need
// every bit of their target and the average bit rate can be checked.
func noisySource(size string, fps int, seconds float64) string {
	return "testsrc2=size=" + size + ":rate=" + strconv.Itoa(fps) + ":duration=" + ftoa(seconds) +
		",noise=alls=20:allf=t"
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// mezzanine is an almost lossless H.264 encode of a lavfi source, as a
// mezzanine file would be.
var mezzanine = []string{"-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p"}

func sine(seconds float64, extra string) []string {
	return []string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + ftoa(seconds) + extra}
}

// probe runs the real ProbeFile, as the pipeline does before Run.
func probe(t *testing.T, path string) *encode.Probe {
	t.Helper()
	p, err := encode.ProbeFile(context.Background(), &encode.ExecRunner{}, path)
	if err != nil {
		t.Fatalf("probe %s: %v", path, err)
	}
	return p
}

// progressRecorder collects Config.Progress calls.
type progressRecorder struct {
	mu    sync.Mutex
	calls [][2]time.Duration
}

func (p *progressRecorder) fn(done, total time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, [2]time.Duration{done, total})
}

// check asserts that progress never went backwards or past total and
// ended at total.
func (p *progressRecorder) check(t *testing.T, total time.Duration) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.calls) == 0 {
		t.Fatal("no progress reported")
	}
	var last time.Duration
	for _, c := range p.calls {
		if c[1] != total || c[0] > total || c[0] < last {
			t.Errorf("progress %v: want done non-decreasing up to total %v", p.calls, total)
			break
		}
		last = c[0]
	}
	if got := p.calls[len(p.calls)-1]; got != [2]time.Duration{total, total} {
		t.Errorf("last progress = %v, want %v of %v", got, total, total)
	}
}

type ffStream struct {
	Index          int               `json:"index"`
	CodecName      string            `json:"codec_name"`
	CodecType      string            `json:"codec_type"`
	CodecTag       string            `json:"codec_tag_string"`
	Profile        string            `json:"profile"`
	Width          int               `json:"width"`
	Height         int               `json:"height"`
	SAR            string            `json:"sample_aspect_ratio"`
	PixFmt         string            `json:"pix_fmt"`
	RFrameRate     string            `json:"r_frame_rate"`
	AvgFrameRate   string            `json:"avg_frame_rate"`
	Channels       int               `json:"channels"`
	SampleRate     string            `json:"sample_rate"`
	StartTime      string            `json:"start_time"`
	Duration       string            `json:"duration"`
	NbFrames       string            `json:"nb_frames"`
	ColorPrimaries string            `json:"color_primaries"`
	ColorTransfer  string            `json:"color_transfer"`
	ColorSpace     string            `json:"color_space"`
	Tags           map[string]string `json:"tags"`
	SideData       []map[string]any  `json:"side_data_list"`
}

type ffInfo struct {
	Streams []ffStream `json:"streams"`
	Format  struct {
		Duration string `json:"duration"`
		BitRate  string `json:"bit_rate"`
		Size     string `json:"size"`
	} `json:"format"`
}

func ffprobe(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("ffprobe", append([]string{"-v", "error"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffprobe %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func info(t *testing.T, path string) ffInfo {
	t.Helper()
	var fi ffInfo
	out := ffprobe(t, "-print_format", "json", "-show_format", "-show_streams", path)
	if err := json.Unmarshal(out, &fi); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	if len(fi.Streams) != 1 {
		t.Fatalf("%s has %d streams, want 1", path, len(fi.Streams))
	}
	return fi
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return f
}

type packet struct {
	pts float64
	key bool
}

// packets lists the video packets of path in decode order.
func packets(t *testing.T, path string) []packet {
	t.Helper()
	out := ffprobe(t, "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", path)
	var ps []packet
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pts, flags, ok := strings.Cut(strings.TrimSpace(line), ",")
		if !ok {
			t.Fatalf("%s: packet line %q", path, line)
		}
		ps = append(ps, packet{pts: atof(t, pts), key: strings.Contains(flags, "K")})
	}
	return ps
}

// keyframes returns the presentation times of the keyframes, in decode
// order, rounded to the microsecond, and fails the test when a packet that
// follows a keyframe in decode order is shown before it: a leading picture
// of an open GOP, which a segment starting at that keyframe could not
// decode.
func keyframes(t *testing.T, path string) []float64 {
	t.Helper()
	var keys []float64
	lastKey := math.Inf(-1)
	for _, p := range packets(t, path) {
		if p.key {
			lastKey = p.pts
			keys = append(keys, math.Round(p.pts*1e6)/1e6)
			continue
		}
		if p.pts < lastKey {
			t.Errorf("%s: packet at %.6f s follows the keyframe at %.6f s in decode order (open GOP)", path, p.pts, lastKey)
		}
	}
	return keys
}

// x264Settings returns the options x264 wrote into its SEI message
// ("cabac=1", "ref=3", ...).
func x264Settings(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("x264 - core"))
	if i < 0 {
		t.Fatalf("%s: no x264 SEI", path)
	}
	sei := b[i:]
	if end := bytes.IndexByte(sei, 0); end >= 0 {
		sei = sei[:end]
	}
	_, opts, _ := strings.Cut(string(sei), "options: ")
	return strings.Fields(opts)
}

// rotation returns the display matrix rotation of a stream, 0 when none.
func rotation(s ffStream) float64 {
	for _, sd := range s.SideData {
		if r, ok := sd["rotation"].(float64); ok {
			return r
		}
	}
	return 0
}

// corners decodes the first frame of path, as ffmpeg shows it (rotated
// upright), shrunk to 2x2 grey pixels: top-left, top-right, bottom-left,
// bottom-right.
func corners(t *testing.T, path string) []byte {
	t.Helper()
	cmd := exec.Command("ffmpeg", "-v", "error", "-i", path, "-frames:v", "1",
		"-vf", "scale=2:2:flags=area,format=gray", "-f", "rawvideo", "-")
	out, err := cmd.Output()
	if err != nil || len(out) != 4 {
		t.Fatalf("decode %s: %v (%d bytes)", path, err, len(out))
	}
	return out
}

// requireFFmpeg is mediatest.RequireFFmpeg, and parallel: the media tests
// spend most of their time waiting for ffmpeg.
func requireFFmpeg(t *testing.T) {
	t.Helper()
	mediatest.RequireFFmpeg(t)
	t.Parallel()
}
