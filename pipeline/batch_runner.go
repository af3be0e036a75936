package pipeline

import (
	"context"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vpack-dev/vpack/encode"
)

// titleRunner is the Runner one title of a batch uses: it caps ffmpeg's
// threads, so that concurrent titles share the cores instead of each
// starting a thread per core, and it accounts the CPU time of the tools it
// ran.
//
// TODO(#8): replace the argument rewriting with a Threads field in
// encode.Config once encode has one.
type titleRunner struct {
	r       encode.Runner
	threads int // 0: ffmpeg's default
	meter   *cpuMeter
	cpu     atomic.Int64 // nanoseconds
}

func (t *titleRunner) Run(ctx context.Context, tool encode.Tool, args []string, stdout io.Writer) error {
	if tool == encode.FFmpeg && t.threads > 0 {
		args = withThreads(args, t.threads)
	}
	err := t.r.Run(ctx, tool, args, stdout)
	if t.meter != nil {
		t.cpu.Add(int64(t.meter.take()))
	}
	return err
}

// LookPath passes through to the wrapped runner when it has one.
func (t *titleRunner) LookPath(tool encode.Tool) (string, error) {
	if lp, ok := t.r.(interface {
		LookPath(encode.Tool) (string, error)
	}); ok {
		return lp.LookPath(tool)
	}
	return string(tool), nil
}

// CPU is the CPU time of the tools this title ran.
func (t *titleRunner) CPU() time.Duration { return time.Duration(t.cpu.Load()) }

// withThreads limits an ffmpeg command to n threads per filter graph, per
// decoder and per encoder: -filter_complex_threads (global), and -threads
// before the input and before each output's first -map (an output option
// applies to the next output file).
func withThreads(args []string, n int) []string {
	v := strconv.Itoa(n)
	out := make([]string, 0, len(args)+16)
	out = append(out, "-filter_complex_threads", v)
	for _, a := range args {
		if a == "-i" || a == "-map" {
			out = append(out, "-threads", v)
		}
		out = append(out, a)
	}
	return out
}

// cpuMeter attributes the process's child CPU time (getrusage
// RUSAGE_CHILDREN) to titles: each tool run takes the growth since the
// previous take when it returns. With one title at a time the attribution
// is exact; when two tools of different titles exit at the same instant one
// title may be charged for both. The batch total is always exact. CPU time
// spent inside vpack itself (packaging, hashing) is not included.
type cpuMeter struct {
	mu   sync.Mutex
	last time.Duration
}

func newCPUMeter() *cpuMeter { return &cpuMeter{last: childCPU()} }

func (m *cpuMeter) take() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := childCPU()
	d := now - m.last
	m.last = now
	return max(d, 0)
}
